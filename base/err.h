/* err.h - error messages into a caller's buffer: the convention of the
 * layers below the programs (model, import, export): a function that fails
 * writes one line saying what went wrong into err (errlen bytes) and
 * returns -1. */
#ifndef WCP_ERR_H
#define WCP_ERR_H

#include <stddef.h>

/* Formats a message into err (errlen bytes, always terminated) and returns
 * -1, so that `return wcp_errf(err, errlen, "...", ...);` fails a function. */
int wcp_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif

/* errpos.h - where an error is and what it is, and the one way it is told:
 * "file:line: [context: ]reason (column C)".
 *
 * A wcp_errpos is jansson's json_error_t in our terms: the line, the
 * column, the byte position and the text of a failure. The JSON tokenizer
 * (json.h) and the dump line scanner (jscan.h) fill one; the readers (the
 * dump reader, the Chrome reader) print the message with wcp_errpos_print(),
 * naming the file and, when they know one, a context ("header: ",
 * "event 57: "). The column is left out when it is 0 (unknown).
 */
#ifndef WCP_ERRPOS_H
#define WCP_ERRPOS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wcp_errpos {
    long line;         /* 1-based line of the failure (0: unknown) */
    uint64_t column;   /* 1-based column in that line, in bytes (0: unknown) */
    uint64_t position; /* bytes of the text before the failure */
    char text[256];    /* what is wrong, without where */
} wcp_errpos;

/* Fills e (the text formatted from fmt) and returns -1, so that
 * `return wcp_errpos_set(...);` fails a function. */
int wcp_errpos_set(wcp_errpos *e, long line, uint64_t column, uint64_t position, const char *fmt,
                   ...) __attribute__((format(printf, 5, 6)));
int wcp_errpos_vset(wcp_errpos *e, long line, uint64_t column, uint64_t position, const char *fmt,
                    va_list ap) __attribute__((format(printf, 5, 0)));

/* Writes "source:line: context reason (column C)" into out (outlen bytes,
 * always terminated; a message that does not fit is cut at the end), the
 * reason formatted from fmt, ":line" only when line is not 0 (a file that
 * could not be opened: "source: cannot open: ..."), " (column C)" only
 * when column is not 0, and
 * returns -1. context is "" or a prefix such as "event 57: ". */
int wcp_errpos_print(char *out, size_t outlen, const char *source, long line, uint64_t column,
                     const char *context, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
int wcp_errpos_vprint(char *out, size_t outlen, const char *source, long line, uint64_t column,
                      const char *context, const char *fmt, va_list ap)
    __attribute__((format(printf, 7, 0)));

#endif

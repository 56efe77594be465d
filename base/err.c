/* err.c - error messages into a caller's buffer (err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

int wcp_errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (errlen)
        vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

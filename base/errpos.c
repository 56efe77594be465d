/* errpos.c - where an error is and what it is (errpos.h). */
#include "errpos.h"

#include <stdio.h>

int wcp_errpos_vset(wcp_errpos *e, long line, uint64_t column, uint64_t position, const char *fmt,
                    va_list ap)
{
    e->line = line;
    e->column = column;
    e->position = position;
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    return -1;
}

int wcp_errpos_set(wcp_errpos *e, long line, uint64_t column, uint64_t position, const char *fmt,
                   ...)
{
    va_list ap;
    va_start(ap, fmt);
    wcp_errpos_vset(e, line, column, position, fmt, ap);
    va_end(ap);
    return -1;
}

/* The three pieces go in one after the other, each cut to the room left, so
 * a message too long for out is cut exactly as one snprintf would cut it. */
int wcp_errpos_vprint(char *out, size_t outlen, const char *source, long line, uint64_t column,
                      const char *context, const char *fmt, va_list ap)
{
    if (!outlen)
        return -1;
    /* line 0 (unknown: the file could not be opened) is left out, not ":0:" */
    int o = line ? snprintf(out, outlen, "%s:%ld: %s", source, line, context)
                 : snprintf(out, outlen, "%s: %s", source, context);
    if (o < 0 || (size_t)o >= outlen)
        return -1;
    int m = vsnprintf(out + o, outlen - (size_t)o, fmt, ap);
    if (column && m >= 0 && (size_t)(o + m) < outlen)
        snprintf(out + o + m, outlen - (size_t)(o + m), " (column %llu)",
                 (unsigned long long)column);
    return -1;
}

int wcp_errpos_print(char *out, size_t outlen, const char *source, long line, uint64_t column,
                     const char *context, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wcp_errpos_vprint(out, outlen, source, line, column, context, fmt, ap);
    va_end(ap);
    return -1;
}

/* escape.c - text escaped for JSON, HTML, line-based fields and CSV
 * (escape.h). Each walks s once and hands the sink the runs of bytes that
 * need nothing between the escapes, so a string without any special byte
 * is one call. */
#include "escape.h"

#include <string.h>

/* Hands put the bytes of [run, s), if any. */
static void flush(wcp_put_fn *put, void *ctx, const char *run, const char *s)
{
    if (s > run)
        put(ctx, run, (size_t)(s - run));
}

void wcp_escape_json(wcp_put_fn *put, void *ctx, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const char *run = s; /* the start of the bytes not yet written */
    put(ctx, "\"", 1);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x20 && ch != '"' && ch != '\\' && ch != 0x7f)
            continue;
        flush(put, ctx, run, s);
        run = s + 1;
        switch (ch) {
        case '"': put(ctx, "\\\"", 2); break;
        case '\\': put(ctx, "\\\\", 2); break;
        case '\b': put(ctx, "\\b", 2); break;
        case '\f': put(ctx, "\\f", 2); break;
        case '\n': put(ctx, "\\n", 2); break;
        case '\r': put(ctx, "\\r", 2); break;
        case '\t': put(ctx, "\\t", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
            put(ctx, u, sizeof u);
        }
        }
    }
    flush(put, ctx, run, s);
    put(ctx, "\"", 1);
}

void wcp_escape_html(wcp_put_fn *put, void *ctx, const char *s)
{
    const char *run = s;
    for (; *s; s++) {
        const char *rep;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        flush(put, ctx, run, s);
        put(ctx, rep, strlen(rep));
        run = s + 1;
    }
    flush(put, ctx, run, s);
}

void wcp_escape_field(wcp_put_fn *put, void *ctx, const char *s, char sep, char sep_as)
{
    const char *run = s;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (*s != sep && ch >= 0x20 && ch != 0x7f)
            continue;
        flush(put, ctx, run, s);
        put(ctx, *s == sep ? &sep_as : " ", 1);
        run = s + 1;
    }
    flush(put, ctx, run, s);
}

void wcp_escape_csv(wcp_put_fn *put, void *ctx, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        flush(put, ctx, s, s + strlen(s));
        return;
    }
    const char *run = s;
    put(ctx, "\"", 1);
    for (; *s; s++)
        if (*s == '"') { /* the quote itself ends this run; the next one repeats it */
            flush(put, ctx, run, s + 1);
            run = s;
        }
    flush(put, ctx, run, s);
    put(ctx, "\"", 1);
}

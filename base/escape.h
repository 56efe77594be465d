/* escape.h - text escaped for the formats wcprof writes: a JSON string, HTML
 * text and attributes, a field of a line-based format (folded stacks, Coz's
 * records), a CSV field. One of each: the exports (export/export.c) and
 * the shell's output modes (shell/output.c) write through these.
 *
 * Each writes into the caller's sink: put(ctx, p, n) receives the output in
 * pieces (runs of unescaped bytes and the escapes between them), in order.
 * They never fail: a sink that can fail (a full disk, no memory) keeps
 * that in ctx. The text s is a NUL-terminated string, not NULL; bytes at
 * or above 0x80 pass through untouched (UTF-8 stays UTF-8).
 */
#ifndef WCP_ESCAPE_H
#define WCP_ESCAPE_H

#include <stddef.h>

typedef void wcp_put_fn(void *ctx, const char *p, size_t n);

/* s as a JSON string literal, the quotes included: '"' and '\' with a
 * backslash, \b \f \n \r \t as those short escapes, any other control
 * character (below 0x20, and 0x7f) as \u00XX. */
void wcp_escape_json(wcp_put_fn *put, void *ctx, const char *s);

/* s for HTML text and quoted attribute values: & < > " ' as &amp; &lt;
 * &gt; &quot; &#39;. */
void wcp_escape_html(wcp_put_fn *put, void *ctx, const char *s);

/* s as one field of a line-based format: every control character (below
 * 0x20, tab and line breaks included, and 0x7f) as a space, and sep (the format's field separator; 0: none) as sep_as. */
void wcp_escape_field(wcp_put_fn *put, void *ctx, const char *s, char sep, char sep_as);

/* s as a CSV field (RFC 4180): as it is, unless it holds a comma, a quote,
 * a carriage return or a newline; then in quotes, each quote doubled. */
void wcp_escape_csv(wcp_put_fn *put, void *ctx, const char *s);

#endif

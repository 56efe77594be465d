/* export.c - the C side of wcprof_export(): the format table, the output
 * sink, the options, and running one export into a file or a text (the SQL
 * function itself is sqlext/fn_export.c). See export.h. */
#define _GNU_SOURCE
#include "export.h"
#include "escape.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The formats, in the order .help lists them: X(name) for the
 * wcp_exporter wcp_export_<name> defined in <name>.c. Adding a format is
 * adding its file and its line here (README.md). */
#define WCP_EXPORTERS(X) X(chrome) X(folded) X(coz) X(html)

#define WCP_EXPORTER_EXTERN(name) extern const wcp_exporter wcp_export_##name;
WCP_EXPORTERS(WCP_EXPORTER_EXTERN)
#undef WCP_EXPORTER_EXTERN

#define WCP_EXPORTER_ADDRESS(name) &wcp_export_##name,
const wcp_exporter *const wcp_exporters[] = {WCP_EXPORTERS(WCP_EXPORTER_ADDRESS) NULL};
#undef WCP_EXPORTER_ADDRESS

/* ---- the sink */

void wcp_out_write(wcp_out *o, const void *p, size_t n)
{
    if (o->failed || n == 0)
        return;
    if (++o->writes == WCP_OUT_POLL) {
        o->writes = 0;
        if (wcp_stop_poll(o->stop)) {
            o->failed = true;
            return;
        }
    }
    if (o->f) {
        if (fwrite(p, 1, n, o->f) != n)
            o->failed = true;
        o->len += n;
        return;
    }
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *b = realloc(o->buf, cap);
        if (!b) {
            o->failed = true;
            return;
        }
        o->buf = b;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
    o->buf[o->len] = 0;
}

void wcp_out_puts(wcp_out *o, const char *s)
{
    wcp_out_write(o, s, strlen(s));
}

void wcp_out_printf(wcp_out *o, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        o->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        wcp_out_write(o, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        o->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    wcp_out_write(o, big, (size_t)n);
    free(big);
}

/* The escapers' sink (base/escape.h): ctx, a wcp_out. */
static void out_put(void *ctx, const char *p, size_t n)
{
    wcp_out_write(ctx, p, n);
}

void wcp_out_json(wcp_out *o, const char *s)
{
    if (s)
        wcp_escape_json(out_put, o, s);
    else
        wcp_out_puts(o, "null");
}

void wcp_out_html(wcp_out *o, const char *s)
{
    wcp_escape_html(out_put, o, s);
}

void wcp_out_field(wcp_out *o, const char *s, char sep, char sep_as)
{
    wcp_escape_field(out_put, o, s, sep, sep_as);
}

/* ---- options */

/* One option word: "name=value", "name='value with spaces'" or a bare
 * "name" (has_val false). */
typedef struct opt_word {
    const char *name, *val;
    size_t nl, vl;
    bool has_val;
} opt_word;

/* The next word of *p. 1 for a word, 0 at the end, -1 for a quote that is
 * never closed. */
static int next_word(const char **p, opt_word *w)
{
    const char *s = *p + strspn(*p, " \t\n");
    if (!*s)
        return 0;
    size_t n = strcspn(s, " \t\n=");
    *w = (opt_word){.name = s, .nl = n};
    s += n;
    if (*s == '=') {
        w->has_val = true;
        w->val = ++s;
        if (*s == '\'') { /* quoted: up to the next quote */
            const char *q = strchr(s + 1, '\'');
            if (!q)
                return -1;
            w->val = s + 1;
            w->vl = (size_t)(q - w->val);
            s = q + 1;
        } else {
            w->vl = strcspn(s, " \t\n");
            s += w->vl;
        }
    }
    *p = s;
    return 1;
}

char *wcp_export_option(wcp_export *e, const char *name, bool *oom)
{
    size_t nl = strlen(name);
    char *val = NULL;
    size_t len = 0;
    const char *p = e->options;
    opt_word w;
    *oom = false;
    while (next_word(&p, &w) > 0) {
        if (w.nl != nl || memcmp(w.name, name, nl) != 0)
            continue;
        char *nv = realloc(val, len + w.vl + 2);
        if (!nv) {
            free(val);
            *oom = true;
            wcp_export_fail(e, "out of memory");
            return NULL;
        }
        val = nv;
        if (len)
            val[len++] = ' ';
        memcpy(val + len, w.val, w.vl);
        len += w.vl;
        val[len] = 0;
    }
    return val;
}

int wcp_export_int_option(wcp_export *e, const char *name, int64_t def, int64_t min, int64_t *out,
                          char **value)
{
    bool oom;
    char *v = *value = wcp_export_option(e, name, &oom), *end;
    *out = def;
    if (oom)
        return -1;
    if (!v)
        return 0;
    if (strchr(v, ' ')) /* the values of a repeated option, joined */
        return WCP_OPT_REPEATED;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end || x < min)
        return WCP_OPT_BAD;
    *out = x;
    return 0;
}

/* Every option's name is one the format accepts, and has a value. */
static int check_options(wcp_export *e, const wcp_exporter *ex)
{
    const char *p = e->options;
    opt_word w;
    int rc;
    while ((rc = next_word(&p, &w)) != 0) {
        if (rc < 0)
            return wcp_export_fail(e, "option \"%.*s\": the quote after %.*s= is never closed",
                                   (int)w.nl, w.name, (int)w.nl, w.name);
        bool ok = false;
        for (const char *a = ex->options; *a && !ok;) {
            size_t al = strcspn(a, ",");
            ok = al == w.nl && memcmp(a, w.name, al) == 0;
            a += al + (a[al] == ',');
        }
        if (!ok)
            return wcp_export_fail(e, "unknown option \"%.*s\" for the %s export (it takes: %s)",
                                   (int)w.nl, w.name, ex->name,
                                   *ex->options ? ex->options : "no options");
        if (!w.has_val)
            return wcp_export_fail(e, "option \"%.*s\" needs a value (%.*s=VALUE)", (int)w.nl,
                                   w.name, (int)w.nl, w.name);
    }
    return 0;
}

/* ---- running an export */

const wcp_exporter *wcp_exporter_find(const char *name)
{
    for (const wcp_exporter *const *p = wcp_exporters; *p; p++)
        if (strcmp((*p)->name, name) == 0)
            return *p;
    return NULL;
}

void wcp_exporter_names(char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = 0;
    for (const wcp_exporter *const *p = wcp_exporters; *p && n < len; p++)
        n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", (*p)->name);
}

/* Writes to a temporary file beside path, then renames it into place.
 * The number of bytes written, or -1 with e->err set. */
static int64_t write_file(wcp_export *e, const wcp_exporter *ex, const char *path)
{
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    if (!tmp)
        return wcp_export_fail(e, "out of memory");
    snprintf(tmp, pl + 16, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        wcp_export_fail(e, "cannot create %s: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    mode_t mask = umask(0); /* mkstemp makes 0600; give the file the usual mode */
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    wcp_out o = {.f = fdopen(fd, "w"), .stop = e->stop};
    int rc = -1;
    if (!o.f) {
        wcp_export_fail(e, "cannot write %s: %s", path, strerror(errno));
        close(fd);
    } else {
        e->out = &o;
        rc = ex->write(e);
        e->out = NULL;
        int err = 0;
        if (fflush(o.f) != 0 || ferror(o.f))
            err = errno ? errno : EIO;
        if (fclose(o.f) != 0 && !err)
            err = errno;
        if (wcp_stopped(e->stop))
            rc = wcp_export_fail(e, "interrupted");
        if (rc == 0 && (o.failed || err))
            rc = wcp_export_fail(e, "cannot write %s: %s", path, strerror(err ? err : EIO));
        if (rc == 0 && rename(tmp, path) != 0)
            rc = wcp_export_fail(e, "cannot write %s: %s", path, strerror(errno));
    }
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    return rc == 0 ? (int64_t)o.len : -1;
}

int64_t wcp_export_run(wcp_export *e, const wcp_exporter *ex, const char *path, char **text,
                       size_t *len)
{
    if (check_options(e, ex) < 0)
        return -1;
    if (path)
        return write_file(e, ex, path);
    wcp_out o = {.stop = e->stop};
    e->out = &o;
    int rc = ex->write(e);
    e->out = NULL;
    if (wcp_stopped(e->stop))
        rc = wcp_export_fail(e, "interrupted");
    if (rc == 0 && o.failed)
        rc = wcp_export_fail(e, "out of memory");
    if (rc != 0) {
        free(o.buf);
        return -1;
    }
    *text = o.buf; /* NULL when nothing was written */
    *len = o.len;
    return (int64_t)o.len;
}

/* export.c - wcprof_export(): the output sink, options and the one SQL
 * function behind every format. See export.h. */
#define _GNU_SOURCE
#include "export.h"
#include "tvf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const wcp_exporter wcp_export_html;

const wcp_exporter *const wcp_exporters[] = {
    &wcp_export_html,
    NULL,
};

/* ---- the sink */

void wcp_out_write(wcp_out *o, const void *p, size_t n)
{
    if (o->failed || n == 0)
        return;
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

void wcp_out_json(wcp_out *o, const char *s)
{
    if (!s) {
        wcp_out_puts(o, "null");
        return;
    }
    wcp_out_write(o, "\"", 1);
    const char *run = s;   /* the start of the bytes not yet written */
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x20 && ch != '"' && ch != '\\' && ch != 0x7f)
            continue;
        wcp_out_write(o, run, (size_t)(s - run));
        run = s + 1;
        switch (ch) {
        case '"': wcp_out_puts(o, "\\\""); break;
        case '\\': wcp_out_puts(o, "\\\\"); break;
        case '\n': wcp_out_puts(o, "\\n"); break;
        case '\t': wcp_out_puts(o, "\\t"); break;
        case '\r': wcp_out_puts(o, "\\r"); break;
        default: wcp_out_printf(o, "\\u%04x", ch);
        }
    }
    wcp_out_write(o, run, (size_t)(s - run));
    wcp_out_write(o, "\"", 1);
}

void wcp_out_html(wcp_out *o, const char *s)
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
        wcp_out_write(o, run, (size_t)(s - run));
        wcp_out_puts(o, rep);
        run = s + 1;
    }
    wcp_out_write(o, run, (size_t)(s - run));
}

/* ---- options */

int wcp_export_fail(wcp_export *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->err, sizeof e->err, fmt, ap);
    va_end(ap);
    return -1;
}

/* The next word of *p ("name=value"): name [n0,n1), value from v0 to the
 * word's end w1. false at the end. */
static bool next_word(const char **p, const char **n0, const char **v0, const char **w1)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    if (!*s)
        return false;
    *n0 = s;
    while (*s && *s != ' ' && *s != '\t' && *s != '\n')
        s++;
    *w1 = s;
    const char *eq = memchr(*n0, '=', (size_t)(s - *n0));
    *v0 = eq ? eq + 1 : s;
    *p = s;
    return true;
}

char *wcp_export_option(wcp_export *e, const char *name, bool *oom)
{
    size_t nl = strlen(name);
    char *val = NULL;
    size_t len = 0;
    const char *p = e->options, *n0, *v0, *w1;
    *oom = false;
    while (next_word(&p, &n0, &v0, &w1)) {
        size_t wl = (size_t)(v0 - n0) - (v0 < w1 || v0[-1] == '=');
        if (wl != nl || memcmp(n0, name, nl) != 0)
            continue;
        size_t vl = (size_t)(w1 - v0);
        char *nv = realloc(val, len + vl + 2);
        if (!nv) {
            free(val);
            *oom = true;
            wcp_export_fail(e, "out of memory");
            return NULL;
        }
        val = nv;
        if (len)
            val[len++] = ' ';
        memcpy(val + len, v0, vl);
        len += vl;
        val[len] = 0;
    }
    return val;
}

/* Every option's name is one the format accepts. */
static int check_options(wcp_export *e, const wcp_exporter *ex)
{
    const char *p = e->options, *n0, *v0, *w1;
    while (next_word(&p, &n0, &v0, &w1)) {
        int nl = (int)(v0 - n0) - (v0 < w1 || v0[-1] == '=');
        bool ok = false;
        for (const char *a = ex->options; *a && !ok;) {
            const char *c = strchr(a, ',');
            size_t al = c ? (size_t)(c - a) : strlen(a);
            ok = al == (size_t)nl && memcmp(a, n0, al) == 0;
            a += al + (c != NULL);
        }
        if (!ok)
            return wcp_export_fail(e, "unknown option \"%.*s\" for the %s export (it takes: %s)",
                                   nl, n0, ex->name, *ex->options ? ex->options : "no options");
        if (v0 == w1 && v0[-1] != '=')
            return wcp_export_fail(e, "option \"%.*s\" needs a value (%.*s=VALUE)", nl, n0, nl, n0);
    }
    return 0;
}

/* ---- the SQL function */

static const wcp_exporter *find(const char *name)
{
    for (const wcp_exporter *const *p = wcp_exporters; *p; p++)
        if (strcmp((*p)->name, name) == 0)
            return *p;
    return NULL;
}

static void formats(char *buf, size_t len)
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
    mode_t mask = umask(0);   /* mkstemp makes 0600; give the file the usual mode */
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    wcp_out o = {.f = fdopen(fd, "w")};
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

/* wcprof_export(format, path [, options [, run]]) */
static void export_func(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    wcp_ext *x = sqlite3_user_data(ctx);
    wcp_export e = {.db = sqlite3_context_db_handle(ctx), .x = x, .options = ""};
    const char *fmt = (const char *)sqlite3_value_text(argv[0]);
    const char *path = argc > 1 ? (const char *)sqlite3_value_text(argv[1]) : NULL;
    if (argc > 2 && sqlite3_value_type(argv[2]) != SQLITE_NULL)
        e.options = (const char *)sqlite3_value_text(argv[2]);
    const wcp_exporter *ex = fmt ? find(fmt) : NULL;
    if (!ex) {
        char list[256];
        formats(list, sizeof list);
        char *msg = sqlite3_mprintf("wcprof_export: unknown format \"%s\" (formats: %s)",
                                    fmt ? fmt : "NULL", list);
        sqlite3_result_error(ctx, msg ? msg : "wcprof_export: unknown format", -1);
        sqlite3_free(msg);
        return;
    }
    if (path && !*path) {
        sqlite3_result_error(ctx, "wcprof_export: the path is empty (NULL returns the text)", -1);
        return;
    }
    int64_t n = -1;
    if (check_options(&e, ex) == 0 &&
        wcp_resolve_run(e.db, argc > 3 ? argv[3] : NULL, &e.run, e.err, sizeof e.err) == 0 &&
        (e.model = wcp_model_get(x, e.run, e.err, sizeof e.err)) != NULL) {
        if (path) {
            n = write_file(&e, ex, path);
            if (n >= 0)
                sqlite3_result_int64(ctx, n);
        } else {
            wcp_out o = {0};
            e.out = &o;
            n = ex->write(&e);
            if (n == 0 && o.failed)
                n = wcp_export_fail(&e, "out of memory");
            if (n == 0)
                sqlite3_result_text64(ctx, o.buf ? o.buf : "", o.len, SQLITE_TRANSIENT, SQLITE_UTF8);
            free(o.buf);
        }
    }
    wcp_model_release(e.model);
    if (n < 0) {
        char *msg = sqlite3_mprintf("wcprof_export(%s): %s", ex->name, e.err);
        sqlite3_result_error(ctx, msg ? msg : e.err, -1);
        sqlite3_free(msg);
    }
}

static void ext_unref(void *p)
{
    wcp_ext_unref(p);
}

int wcp_export_register(wcp_ext *x)
{
    /* DIRECTONLY: it writes files, so never from a trigger or a view of an
     * untrusted database. */
    int rc = SQLITE_OK;
    for (int argc = 1; argc <= 4 && rc == SQLITE_OK; argc++) {
        x->refs++;
        rc = sqlite3_create_function_v2(x->db, "wcprof_export", argc,
                                        SQLITE_UTF8 | SQLITE_DIRECTONLY, x, export_func, NULL,
                                        NULL, ext_unref);
    }
    return rc;
}

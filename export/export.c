/* export.c - the C side of wcprof_export(): the format table, the output
 * sink, the options, and running one export into a file or a text (the SQL
 * function itself is sqlext/fn_export.c). See export.h. */
#define _GNU_SOURCE
#include "export.h"
#include "escape.h"

#include <errno.h>
#include <fcntl.h>
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
    if (wcp_stop_every(o->stop, ++o->writes, WCP_OUT_POLL)) {
        o->failed = true;
        return;
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

/* ---- where an export writes (README.md, "Where an export writes")
 *
 *   nothing at path        a new file, mode 0666 less the umask
 *   a regular file         replaced, when it is ours (owned by the effective
 *                          user, writable by its owner); keeps its mode and group
 *   a FIFO or a character  written through (opened for writing, never created,
 *   device (a terminal,    truncated or replaced); also through a symbolic
 *   /dev/null)             link to one (/dev/stdout)
 *   anything else          refused: a symbolic link to anything else, a
 *                          directory, a block device, a socket, a file of
 *                          another user or a read-only one
 *
 * A file is written unnamed (O_TMPFILE) in path's folder and given its name
 * only when complete (linked under a temporary name and renamed over path
 * at once), so a failed or killed export leaves nothing behind and path as
 * it was. Where the file system has no O_TMPFILE, the file is written
 * under a temporary name beside path (removed on failure). */

/* How an export may write path: 0 with *through set for write-through, or
 * with *old (keep its mode; has_old) for a replacement; -1 with e->err. */
static int check_target(wcp_export *e, const char *path, bool *through, struct stat *old,
                        bool *has_old)
{
    struct stat st;
    *through = *has_old = false;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT)
            return 0;
        return wcp_export_fail(e, "cannot write %s: %s", path, strerror(errno));
    }
    if (S_ISLNK(st.st_mode)) {
        struct stat t;
        if (stat(path, &t) == 0 && (S_ISFIFO(t.st_mode) || S_ISCHR(t.st_mode))) {
            *through = true;
            return 0;
        }
        return wcp_export_fail(e,
                               "%s is a symbolic link: not replaced (export to the file it "
                               "points to, or remove the link)",
                               path);
    }
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
        *through = true;
        return 0;
    }
    if (S_ISDIR(st.st_mode))
        return wcp_export_fail(e, "%s is a directory: give a file name", path);
    if (!S_ISREG(st.st_mode))
        return wcp_export_fail(e,
                               "%s is not a regular file, a FIFO or a character device: "
                               "not replaced",
                               path);
    if (st.st_uid != geteuid())
        return wcp_export_fail(e, "%s belongs to another user (uid %lu): not replaced", path,
                               (unsigned long)st.st_uid);
    if (!(st.st_mode & S_IWUSR))
        return wcp_export_fail(e, "%s is read-only: not replaced", path);
    *old = st;
    *has_old = true;
    return 0;
}

/* Runs ex into the open fd; closes it. 0, or -1 with e->err set. */
static int write_fd(wcp_export *e, const wcp_exporter *ex, const char *path, int fd, int64_t *len)
{
    wcp_out o = {.f = fdopen(fd, "w"), .stop = e->stop};
    if (!o.f) {
        wcp_export_fail(e, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    e->out = &o;
    int rc = ex->write(e);
    e->out = NULL;
    int err = 0;
    errno = 0;
    if (fflush(o.f) != 0 || ferror(o.f))
        err = errno ? errno : EIO;
    if (fclose(o.f) != 0 && !err)
        err = errno;
    if (wcp_stopped(e->stop))
        rc = wcp_export_fail(e, "interrupted");
    if (rc == 0 && (o.failed || err))
        rc = wcp_export_fail(e, "cannot write %s: %s", path, strerror(err ? err : EIO));
    *len = (int64_t)o.len;
    return rc;
}

/* The folder of path, "." for a bare name (malloc'd; NULL when out of memory). */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, path, n);
        d[n] = 0;
    }
    return d;
}

/* A name beside path that nothing has: path.tmp-XXXXXX made by mkstemp
 * (fd: its descriptor), or, with fd NULL, one chosen for linkat. */
static int temp_name(char *tmp, size_t cap, const char *path, int *fd)
{
    snprintf(tmp, cap, "%s.tmp-XXXXXX", path);
    if (fd) {
        *fd = mkstemp(tmp);
        return *fd < 0 ? -1 : 0;
    }
    int t = mkstemp(tmp); /* reserve a fresh name, then free it for linkat */
    if (t < 0)
        return -1;
    close(t);
    unlink(tmp);
    return 0;
}

/* Writes the export to path as the rules above say. The number of bytes
 * written, or -1 with e->err set. */
static int64_t write_file(wcp_export *e, const wcp_exporter *ex, const char *path)
{
    bool through, has_old;
    struct stat old = {0};
    int64_t len = 0;
    if (check_target(e, path, &through, &old, &has_old) < 0)
        return -1;
    if (through) {
        int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        struct stat st;
        if (fd < 0)
            return wcp_export_fail(e, "cannot write %s: %s", path, strerror(errno));
        if (fstat(fd, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
            close(fd); /* replaced by something else meanwhile */
            return wcp_export_fail(e, "%s changed while it was opened: not written", path);
        }
        return write_fd(e, ex, path, fd, &len) == 0 ? len : -1;
    }
    size_t cap = strlen(path) + 16;
    char *tmp = malloc(cap), *dir = folder_of(path);
    if (!tmp || !dir) {
        free(tmp);
        free(dir);
        return wcp_export_fail(e, "out of memory");
    }
    mode_t mask = umask(0);
    umask(mask);
    mode_t mode = has_old ? old.st_mode & 07777 : 0666 & ~mask;
    bool named = false; /* the fallback: written under tmp's name */
    int fd = -1;
#ifdef O_TMPFILE
    fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
#endif
    if (fd < 0) {
        if (temp_name(tmp, cap, path, &fd) < 0) {
            wcp_export_fail(e, "cannot create %s: %s", path, strerror(errno));
            goto done;
        }
        named = true;
    }
    fchmod(fd, mode); /* the umask does not apply to fchmod */
    if (has_old && old.st_gid != getegid() && fchown(fd, (uid_t)-1, old.st_gid) != 0)
        fchmod(fd, mode & ~(mode_t)070); /* the group not kept: no rights for it */
    int dupfd = named ? -1 : dup(fd);    /* write_fd closes fd; linkat needs it */
    if (!named && dupfd < 0) {
        wcp_export_fail(e, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        goto done;
    }
    int rc = write_fd(e, ex, path, fd, &len);
    if (rc == 0 && !named) {
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", dupfd);
        if (temp_name(tmp, cap, path, NULL) < 0 ||
            (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) != 0 &&
             linkat(dupfd, "", AT_FDCWD, tmp, AT_EMPTY_PATH) != 0))
            rc = wcp_export_fail(e, "cannot create %s: %s", path, strerror(errno));
        else
            named = true;
    }
    if (dupfd >= 0)
        close(dupfd);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = wcp_export_fail(e, "cannot write %s: %s", path, strerror(errno));
    if (rc != 0 && named)
        unlink(tmp);
    if (rc != 0)
        len = -1;
    free(tmp);
    free(dir);
    return len;
done:
    free(tmp);
    free(dir);
    return -1;
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

/* source.c - reading a trace: the reader's calls, which read a wcprof dump
 * (dump.c) or another format's reader (r->src), and the one table of
 * formats: telling them apart by their first bytes, their names, their
 * notes. See source.h.
 *
 * Adding a format: its file defines `const wcp_format wcp_format_NAME` (and
 * the wcp_source its open() attaches); its row below is X(NAME).
 */
#include "source.h"

#include "dump.h"
#include "errpos.h"
#include "pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The table of formats, in the order of their ids (1, 2, ...): the wcprof
 * dump first (it reads what no format recognises, and says what is wrong
 * with it), then the Chrome trace, then the others. */
#define WCP_FORMATS(X)                                                                             \
    X(wcprof)                                                                                      \
    X(chrome)                                                                                      \
    X(otlp)                                                                                        \
    X(jaeger)

#define DECLARE(name) extern const wcp_format wcp_format_##name;
WCP_FORMATS(DECLARE)
#undef DECLARE

static const wcp_format *const formats[] = {
#define ROW(name) &wcp_format_##name,
    WCP_FORMATS(ROW)
#undef ROW
};

#define N_FORMATS ((int)(sizeof formats / sizeof formats[0]))
#define SNIFF_MAX 4096 /* bytes read at most to tell the formats apart */

size_t wcp_read_max;

/* ---- the reader's calls */

int wcp_reader_open(wcp_reader *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    jscan_init(&r->js);
    if (strcmp(path, "-") == 0) {
        r->path = "<stdin>";
        r->fd = 0;
    } else {
        r->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0)
            return wcp_errpos_print(r->err, sizeof r->err, r->path, 0, 0, "", "cannot open: %s",
                                    strerror(errno));
    }
    r->cap = 1 << 20;
    r->buf = malloc(r->cap);
    if (!r->buf)
        return wcp_errpos_print(r->err, sizeof r->err, r->path, 0, 0, "", "out of memory");
    return 0;
}

void wcp_reader_close(wcp_reader *r)
{
    wcp_pipe_stop(r);
    if (r->src)
        r->src->close(r);
    r->src = NULL;
    wcp_dump_source.close(r); /* the dump reader's fields, which every reader has */
    if (r->fd > 0)
        close(r->fd);
    r->fd = -1;
    free(r->buf);
    r->buf = NULL;
}

bool wcp_sqlite_magic(const char *p, size_t n)
{
    return n >= 16 && memcmp(p, "SQLite format 3", 16) == 0; /* its 16 bytes, the NUL too */
}

int wcp_reader_open_piece(wcp_reader *r, const wcp_reader *of, uint64_t start, uint64_t end)
{
    struct stat a, b;
    if (wcp_reader_open(r, of->path) < 0)
        return -1;
    if (fstat(r->fd, &a) < 0 || fstat(of->fd, &b) < 0 || !S_ISREG(a.st_mode) ||
        a.st_dev != b.st_dev || a.st_ino != b.st_ino || (uint64_t)a.st_size < end || start >= end)
        return wcp_errpos_print(r->err, sizeof r->err, r->path, 0, 0, "",
                                "not the same file when opened again");
    if (lseek(r->fd, (off_t)start, SEEK_SET) != (off_t)start)
        return wcp_errpos_print(r->err, sizeof r->err, r->path, 0, 0, "", "cannot seek: %s",
                                strerror(errno));
    r->base = start;
    r->limit = end;
    r->bytes = start;
    r->no_hash = true;
    return 0;
}

static const wcp_source *source_of(const wcp_reader *r)
{
    return r->src ? r->src : &wcp_dump_source;
}

int wcp_reader_header(wcp_reader *r, wcp_string_fn on_string, void *ctx)
{
    return source_of(r)->header(r, on_string, ctx);
}

int wcp_reader_open_ops(wcp_reader *r, wcp_open_fn on_open, void *ctx)
{
    return source_of(r)->open_ops(r, on_open, ctx);
}

int wcp_reader_next(wcp_reader *r, wcp_event *ev)
{
    if (r->pipe)
        return wcp_pipe_next(r, ev);
    int rc = source_of(r)->next(r, ev);
    if (rc <= 0)
        return rc;
    ev->aux = 0;
    if (r->hook.seen)
        r->hook.seen(r->hook.ctx, ev);
    if (r->hook.ready)
        ev->aux = r->hook.ready(r->hook.ctx, ev);
    r->events++;
    return 1;
}

int wcp_reader_next_run(wcp_reader *r)
{
    const wcp_source *src = source_of(r);
    if (!src->next_run)
        return 0;
    wcp_pipe_stop(r);
    return src->next_run(r);
}

void wcp_reader_set_hook(wcp_reader *r, const wcp_event_hook *hook)
{
    r->hook = *hook;
}

int wcp_reader_fill(wcp_reader *r, size_t max)
{
    if (r->eof)
        return 0;
    if (r->pos) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->base += r->pos;
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->len == r->cap) {
        if (r->cap >= max)
            return WCP_FILL_FULL;
        char *b = realloc(r->buf, r->cap * 2);
        if (!b)
            return WCP_FILL_NOMEM;
        r->buf = b;
        r->cap *= 2;
    }
    size_t got = 0;
    while (r->len < r->cap && !(wcp_read_max && got)) {
        size_t want = r->cap - r->len;
        if (wcp_read_max && want > wcp_read_max)
            want = wcp_read_max;
        if (r->limit && want > r->limit - (r->base + r->len))
            want = (size_t)(r->limit - (r->base + r->len));
        if (!want) { /* a piece's end */
            r->eof = true;
            break;
        }
        ssize_t k = read(r->fd, r->buf + r->len, want);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return WCP_FILL_ERROR;
        }
        if (k == 0) {
            r->eof = true;
            break;
        }
        if (!r->no_hash)
            wcp_hasher_add(&r->hash, r->buf + r->len, (size_t)k);
        r->len += (size_t)k;
        got += (size_t)k;
    }
    r->bytes = r->base + r->len;
    if (r->on_read && got)
        r->on_read(r->on_read_ctx, r->bytes);
    return got > 0;
}

/* ---- the formats */

int wcp_format_count(void)
{
    return N_FORMATS;
}

const wcp_format *wcp_format_get(int id)
{
    return id >= 1 && id <= N_FORMATS ? formats[id - 1] : NULL;
}

int wcp_format_from_name(const char *name)
{
    if (strcmp(name, "auto") == 0)
        return WCP_FORMAT_AUTO;
    for (int k = 0; k < N_FORMATS; k++)
        if (strcmp(name, formats[k]->name) == 0)
            return k + 1;
    return -1;
}

long wcp_sniff_skip(const char *p, size_t n)
{
    size_t i = 0;
    if (n && memcmp(p, "\xef\xbb\xbf", n < 3 ? n : 3) == 0) {
        if (n < 3)
            return -1; /* maybe a byte order mark: read on */
        i = 3;
    }
    while (i < n && strchr(" \t\r\n", p[i]))
        i++;
    return i < n ? (long)i : -1;
}

int wcp_sniff_first_key(const char *p, size_t n, bool eof, const char *quoted)
{
    long i = wcp_sniff_skip(p, n);
    if (i < 0)
        return eof ? WCP_SNIFF_NO : WCP_SNIFF_MORE;
    if (p[i] != '{')
        return WCP_SNIFF_NO;
    size_t k = (size_t)i + 1;
    while (k < n && (p[k] == ' ' || p[k] == '\t' || p[k] == '\n' || p[k] == '\r'))
        k++;
    size_t want = strlen(quoted), have = n - k < want ? n - k : want;
    if (memcmp(p + k, quoted, have) != 0)
        return WCP_SNIFF_NO;
    if (have < want)
        return eof ? WCP_SNIFF_NO : WCP_SNIFF_MORE;
    return WCP_SNIFF_YES;
}

/* The format of the first bytes r->buf[0, len): the first row sure of them,
 * else (when no row needs more to tell) the first that could take them,
 * else the wcprof dump. -1: read more. The rows see the first SNIFF_MAX
 * bytes at most, however many have come, so the verdict never depends on
 * how a pipe delivers them: a row that would need more than SNIFF_MAX is
 * not sure (a first key longer than that is no header key). */
static int sniff(const wcp_reader *r)
{
    int maybe = 0;
    bool more = false, cut = r->len >= SNIFF_MAX;
    size_t n = cut ? SNIFF_MAX : r->len;
    for (int k = 0; k < N_FORMATS; k++) {
        int s = formats[k]->sniff(r->buf, n, r->eof && !cut);
        if (s == WCP_SNIFF_YES)
            return k + 1;
        more |= s == WCP_SNIFF_MORE;
        if (s == WCP_SNIFF_MAYBE && !maybe)
            maybe = k + 1;
    }
    if (more && !cut)
        return -1;
    return maybe ? maybe : WCP_FORMAT_WCPROF;
}

int wcp_source_open(wcp_reader *r, const char *path, int format)
{
    if (wcp_reader_open(r, path) < 0)
        return -1;
    while (format == WCP_FORMAT_AUTO) {
        int f = sniff(r);
        if (f > 0) {
            format = f;
            break;
        }
        size_t want = r->cap - r->len;
        if (wcp_read_max && want > wcp_read_max)
            want = wcp_read_max;
        ssize_t k = read(r->fd, r->buf + r->len, want);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return wcp_errpos_print(r->err, sizeof r->err, r->path, 1, 0, "", "read error: %s",
                                    strerror(errno));
        if (k == 0)
            r->eof = true;
        r->len += (size_t)k;
    }
    if (format == WCP_FORMAT_WCPROF && wcp_sqlite_magic(r->buf, r->len))
        return wcp_errpos_print(r->err, sizeof r->err, r->path, 0, 0, "",
                                "an SQLite database, not a trace (a wcprof dump, Chrome, OTLP or "
                                "Jaeger JSON)");
    const wcp_format *f = wcp_format_get(format);
    return f && f->open ? f->open(r) : 0;
}

char *wcp_source_notes(sqlite3 *db, int64_t dump_id, const char *prefix)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT extra FROM dumps WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(st, 1, dump_id);
    json_t *x = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
        x = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
    sqlite3_finalize(st);
    const char *name = json_string_value(json_object_get(x, "format"));
    const wcp_format *f = name ? wcp_format_get(wcp_format_from_name(name)) : NULL;
    char *notes = f && f->notes ? f->notes(x, prefix) : NULL;
    json_decref(x);
    return notes;
}

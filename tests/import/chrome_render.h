/* chrome_render.h - everything the Chrome trace reader hands out for a file,
 * as text, for tests that compare two reads of one file (test_chrome.c,
 * fuzz_chrome.c). */
#ifndef WCP_CHROME_RENDER_H
#define WCP_CHROME_RENDER_H

#include "chrome.h"

#include <stdio.h>
#include <stdlib.h>

static int put_string(void *ctx, size_t i, const char *s, size_t n)
{
    fprintf(ctx, "string %zu %.*s\n", i, (int)n, s);
    return 0;
}

static int put_open(void *ctx, const wcp_open_op *o)
{
    fprintf(ctx, "open id=%lld p=%lld s=%lld th=%lld k=%.*s w=%.*s c=%u i=%u cl=%u m=%u\n",
            (long long)o->id, (long long)o->parent, (long long)o->start, (long long)o->th,
            (int)o->kind.n, o->kind.p, (int)o->work_type.n, o->work_type.p, o->c, o->i, o->cl,
            o->m);
    return 0;
}

/* Everything the reader hands out for path, read with flags (WCP_READ_*),
 * at most read_max bytes at a time (0: as much as fits), as text; "ERROR
 * ..." at a refusal. A new string: free() it. */
static char *chrome_render_flags(const char *path, size_t read_max, unsigned flags)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    wcp_read_max = read_max;
    wcp_reader r;
    int opened = wcp_source_open(&r, path, WCP_FORMAT_AUTO);
    r.flags = flags;
    if (opened < 0 || wcp_reader_header(&r, put_string, f) < 0 ||
        wcp_reader_open_ops(&r, put_open, f) < 0) {
        fprintf(f, "ERROR %s\n", r.err);
        goto done;
    }
    fprintf(f, "header v=%lld epoch=%lld dumped=%lld events=%lld extra=%.*s\n",
            (long long)r.hdr.schema_version, (long long)r.hdr.epoch, (long long)r.hdr.dumped,
            (long long)r.hdr.event_count, (int)r.hdr.extra.n, r.hdr.extra.p);
    wcp_event e;
    int rc;
next_run:
    while ((rc = wcp_reader_next(&r, &e)) > 0)
        fprintf(
            f,
            "%.*s id=%lld p=%lld t=%lld s=%lld d=%lld k=%.*s w=%.*s o=%.*s rs=%.*s lk=%.*s c=%u i=%u "
            "cl=%u m=%u th=%lld clamped=%d line=%ld\n",
            (int)e.e.n, e.e.p, (long long)e.id, (long long)e.p, (long long)e.t, (long long)e.s,
            (long long)e.d, (int)e.k.n, e.k.p, (int)e.w.n, e.w.p, (int)e.o.n, e.o.p, (int)e.rs.n,
            e.rs.p, (int)e.lk.n, e.lk.p, e.c, e.i, e.cl, e.m, (long long)e.th, e.clamped, r.line);
    if (rc == 0 && (rc = wcp_reader_next_run(&r)) > 0) { /* an OTLP file's next trace */
        fprintf(f, "next run epoch=%lld dumped=%lld events=%lld extra=%.*s\n",
                (long long)r.hdr.epoch, (long long)r.hdr.dumped, (long long)r.hdr.event_count,
                (int)r.hdr.extra.n, r.hdr.extra.p);
        if (wcp_reader_open_ops(&r, put_open, f) < 0) {
            fprintf(f, "ERROR %s\n", r.err);
            goto done;
        }
        goto next_run;
    }
    if (rc < 0)
        fprintf(f, "ERROR %s\n", r.err);
done:
    wcp_reader_close(&r);
    wcp_read_max = 0;
    fclose(f);
    return buf;
}

static inline char *chrome_render(const char *path, size_t read_max)
{
    return chrome_render_flags(path, read_max, 0);
}

#endif

/*
 * testutil.h - helpers shared by the recorder's tests: take a dump into
 * memory and check it with dumpcheck, find events by field.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include "dumpcheck.h"
#include "wcprof.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Dumps into memory with flags, checks the dump strictly; on failure prints
 * why and returns -1. Free d with dc_free. */
static inline int take_dump(unsigned flags, dc_dump *d)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int n = wcp_dump_file(f, flags);
    fclose(f);
    char err[512];
    int ret = -1;
    if (n < 0)
        fprintf(stderr, "wcp_dump_file: %s\n", wcp_strerror(n));
    else if (dc_parse(text, len, d, err, sizeof err) != 0)
        fprintf(stderr, "dump refused: %s\n--- dump ---\n%s", err, text);
    else if ((size_t)n != json_array_size(d->events))
        fprintf(stderr, "wcp_dump_file returned %d for %zu events\n", n,
                json_array_size(d->events));
    else
        ret = 0;
    free(text);
    return ret;
}

/* The first event of type e whose integer key equals v, or NULL. */
static inline json_t *find_event(const dc_dump *d, const char *e, const char *key, json_int_t v)
{
    size_t i;
    json_t *x;
    json_array_foreach(d->events, i,
                       x) if (strcmp(dc_s(x, "e"), e) == 0 && dc_int(x, key) == v) return x;
    return NULL;
}

/* The open op with op_id id, or NULL. */
static inline json_t *find_open(const dc_dump *d, json_int_t id)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(d->header, "open_ops"), i,
                       x) if (dc_int(x, "op_id") == id) return x;
    return NULL;
}

/* Drops whatever earlier tests left in the buffers. */
static inline void drain(void)
{
    FILE *f = fopen("/dev/null", "w");
    wcp_dump_file(f, WCP_DUMP_FLUSH);
    fclose(f);
}

#endif

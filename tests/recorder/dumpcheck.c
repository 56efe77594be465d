/*
 * dumpcheck.c - implements dumpcheck.h: a strict, jansson-based checker of
 * wcprof schema-1 dumps as libwcprof writes them.
 */
#include "dumpcheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ctx {
    char *err;
    size_t errlen;
    size_t line;
    size_t nstr;
} ctx;

static int fail(ctx *c, const char *fmt, ...)
{
    int n = snprintf(c->err, c->errlen, "line %zu: ", c->line);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < c->errlen)
        vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

json_int_t dc_int(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

const char *dc_s(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

const char *dc_str(const dc_dump *d, json_int_t i)
{
    json_t *s = json_array_get(json_object_get(d->header, "strings"), (size_t)i);
    return s ? json_string_value(s) : "";
}

/* key must be an integer; optional keys must then be > 0, required ones
 * >= min. Index keys must be below the string count. */
enum { OPT = 1, REQ = 2, INDEX = 4 };

static int check_int(ctx *c, json_t *o, const char *key, int how, json_int_t min)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return how & REQ ? fail(c, "missing required key \"%s\"", key) : 0;
    if (!json_is_integer(v))
        return fail(c, "\"%s\" is not an integer", key);
    json_int_t x = json_integer_value(v);
    if (!(how & REQ) && x == 0)
        return fail(c, "\"%s\" is 0 (should be omitted)", key);
    if (x < min)
        return fail(c, "\"%s\" is %lld, below %lld", key, (long long)x, (long long)min);
    if ((how & INDEX) && (size_t)x >= c->nstr)
        return fail(c, "\"%s\" %lld is past the string table (%zu)", key, (long long)x, c->nstr);
    return 0;
}

static int check_str(ctx *c, json_t *o, const char *key, int how)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return how & REQ ? fail(c, "missing required key \"%s\"", key) : 0;
    if (!json_is_string(v))
        return fail(c, "\"%s\" is not a string", key);
    if (json_string_length(v) == 0)
        return fail(c, "\"%s\" is empty", key);
    return 0;
}

/* Every key of o must be in the NULL-terminated list. */
static int only_keys(ctx *c, json_t *o, const char *const *keys)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        int ok = 0;
        for (const char *const *p = keys; *p; p++)
            ok |= strcmp(*p, k) == 0;
        if (!ok)
            return fail(c, "unknown key \"%s\"", k);
    }
    return 0;
}

static int check_header(ctx *c, json_t *h, size_t *count)
{
    static const char *const keys[] = {"schema_version",
                                       "epoch_unix_nano",
                                       "dumped_unix_nano",
                                       "dropped_events",
                                       "event_count",
                                       "strings",
                                       "open_ops",
                                       "misuse",
                                       "dropped_by_cause",
                                       "cpu_user_ns",
                                       "cpu_sys_ns",
                                       "cpus",
                                       NULL};
    if (!json_is_object(h))
        return fail(c, "header is not an object");
    if (only_keys(c, h, keys))
        return -1;
    if (dc_int(h, "schema_version") != 1 || !json_is_integer(json_object_get(h, "schema_version")))
        return fail(c, "schema_version is not 1");
    json_t *strs = json_object_get(h, "strings");
    if (!json_is_array(strs))
        return fail(c, "\"strings\" is not an array");
    c->nstr = json_array_size(strs);
    if (c->nstr == 0 || !json_is_string(json_array_get(strs, 0)) ||
        json_string_length(json_array_get(strs, 0)) != 0)
        return fail(c, "strings[0] is not \"\"");
    for (size_t i = 1; i < c->nstr; i++)
        if (!json_is_string(json_array_get(strs, i)))
            return fail(c, "strings[%zu] is not a string", i);
    if (check_int(c, h, "epoch_unix_nano", REQ, 0) ||
        check_int(c, h, "dumped_unix_nano", REQ, dc_int(h, "epoch_unix_nano")) ||
        check_int(c, h, "dropped_events", REQ, 0) || check_int(c, h, "event_count", REQ, 0) ||
        /* the CPU keys: written by every dump of this recorder, absent
         * from hand-written ones */
        (json_object_get(h, "cpu_user_ns") &&
         (check_int(c, h, "cpu_user_ns", REQ, 0) || check_int(c, h, "cpu_sys_ns", REQ, 0))) ||
        check_int(c, h, "cpus", OPT, 1))
        return -1;
    *count = (size_t)dc_int(h, "event_count");
    json_t *open = json_object_get(h, "open_ops");
    if (open) {
        static const char *const okeys[] = {"op_id",     "parent_id", "kind",      "work_type",
                                            "class_id",  "ident_id",  "client_id", "start_ns",
                                            "thread_id", "meta_id",   NULL};
        if (!json_is_array(open))
            return fail(c, "\"open_ops\" is not an array");
        size_t i;
        json_t *o;
        json_array_foreach(open, i, o)
        {
            if (!json_is_object(o))
                return fail(c, "open_ops[%zu] is not an object", i);
            if (only_keys(c, o, okeys) || check_int(c, o, "op_id", REQ, 1) ||
                check_int(c, o, "parent_id", OPT, 1) ||
                !json_is_string(json_object_get(o, "kind")) || check_str(c, o, "work_type", OPT) ||
                check_int(c, o, "class_id", OPT | INDEX, 1) ||
                check_int(c, o, "ident_id", OPT | INDEX, 1) ||
                check_int(c, o, "client_id", OPT | INDEX, 1) ||
                check_int(c, o, "meta_id", OPT | INDEX, 1) || check_int(c, o, "start_ns", REQ, 0) ||
                check_int(c, o, "thread_id", OPT, 1))
                return c->err[0] ? -1 : fail(c, "open_ops[%zu]: bad \"kind\"", i);
        }
    }
    json_t *by = json_object_get(h, "dropped_by_cause");
    if (by) {
        static const char *const causes[] = {"cap", "ring", "dump", "oom", NULL};
        const char *k;
        json_t *v;
        json_int_t sum = 0;
        if (!json_is_object(by))
            return fail(c, "\"dropped_by_cause\" is not an object");
        if (only_keys(c, by, causes))
            return -1;
        json_object_foreach(by, k, v)
        {
            if (check_int(c, by, k, OPT, 1))
                return -1;
            sum += json_integer_value(v);
        }
        if (sum != dc_int(h, "dropped_events"))
            return fail(c, "dropped_by_cause adds up to %lld, dropped_events is %lld",
                        (long long)sum, (long long)dc_int(h, "dropped_events"));
    } else if (dc_int(h, "dropped_events") != 0) {
        return fail(c, "dropped_events without dropped_by_cause");
    }
    json_t *mis = json_object_get(h, "misuse");
    if (mis) {
        const char *k;
        json_t *v;
        if (!json_is_object(mis))
            return fail(c, "\"misuse\" is not an object");
        json_object_foreach(mis, k, v) if (check_int(c, mis, k, OPT, 1)) return -1;
    }
    return 0;
}

static int check_event(ctx *c, json_t *e)
{
    if (!json_is_object(e))
        return fail(c, "event is not an object");
    const char *type = dc_s(e, "e");
    if (check_int(c, e, "s", REQ, 0) || check_int(c, e, "d", REQ, dc_int(e, "s")))
        return -1;
    if (strcmp(type, "op") == 0) {
        static const char *const keys[] = {"e", "k",  "w", "o", "id", "p", "r", "c",
                                           "i", "cl", "s", "d", "th", "m", NULL};
        return only_keys(c, e, keys) || check_str(c, e, "k", REQ) || check_str(c, e, "w", OPT) ||
                       check_str(c, e, "o", OPT) || check_int(c, e, "id", REQ, 1) ||
                       check_int(c, e, "p", OPT, 1) || check_int(c, e, "r", OPT, 1) ||
                       check_int(c, e, "c", OPT | INDEX, 1) ||
                       check_int(c, e, "i", OPT | INDEX, 1) ||
                       check_int(c, e, "cl", OPT | INDEX, 1) ||
                       check_int(c, e, "m", OPT | INDEX, 1) || check_int(c, e, "th", REQ, 1)
                   ? -1
                   : 0;
    }
    if (strcmp(type, "wait") == 0) {
        static const char *const keys[] = {"e", "rs", "p", "t", "i", "s", "d", "th", NULL};
        return only_keys(c, e, keys) || check_str(c, e, "rs", REQ) ||
                       check_int(c, e, "p", REQ, 1) || check_int(c, e, "t", OPT, 1) ||
                       check_int(c, e, "i", OPT | INDEX, 1) || check_int(c, e, "th", REQ, 1)
                   ? -1
                   : 0;
    }
    if (strcmp(type, "link") == 0) {
        static const char *const keys[] = {"e", "lk", "p", "t", "i", "r", "s", "d", NULL};
        if (dc_int(e, "d") != dc_int(e, "s"))
            return fail(c, "link with d != s");
        return only_keys(c, e, keys) || check_str(c, e, "lk", REQ) ||
                       check_int(c, e, "p", REQ, 1) || check_int(c, e, "t", OPT, 1) ||
                       check_int(c, e, "i", OPT | INDEX, 1) || check_int(c, e, "r", OPT, 1)
                   ? -1
                   : 0;
    }
    return fail(c, "unknown event type \"%s\"", type);
}

static int cmp_int(const void *a, const void *b)
{
    json_int_t x = *(const json_int_t *)a, y = *(const json_int_t *)b;
    return x < y ? -1 : x > y;
}

/* No op id twice among events and open ops. */
static int check_ids(ctx *c, dc_dump *d)
{
    size_t n = 0, cap = json_array_size(d->events) +
                        json_array_size(json_object_get(d->header, "open_ops"));
    json_int_t *ids = malloc((cap + 1) * sizeof *ids);
    if (!ids)
        return fail(c, "out of memory");
    size_t i;
    json_t *o;
    json_array_foreach(d->events, i, o) if (strcmp(dc_s(o, "e"), "op") == 0) ids[n++] =
        dc_int(o, "id");
    json_array_foreach(json_object_get(d->header, "open_ops"), i, o) ids[n++] = dc_int(o, "op_id");
    qsort(ids, n, sizeof *ids, cmp_int);
    int ret = 0;
    for (i = 1; i < n && ret == 0; i++)
        if (ids[i] == ids[i - 1]) {
            c->line = 0;
            ret = fail(c, "op id %lld appears twice", (long long)ids[i]);
        }
    free(ids);
    return ret;
}

int dc_parse(const char *text, size_t len, dc_dump *d, char *err, size_t errlen)
{
    ctx c = {err, errlen, 0, 0};
    err[0] = '\0';
    d->header = NULL;
    d->events = json_array();
    size_t count = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        c.line++;
        if (!nl) {
            fail(&c, "last line has no newline (truncated)");
            goto bad;
        }
        json_error_t je;
        json_t *v = json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES, &je);
        if (!v) {
            fail(&c, "not JSON: %s", je.text);
            goto bad;
        }
        if (c.line == 1) {
            d->header = v;
            if (check_header(&c, v, &count))
                goto bad;
        } else {
            json_array_append_new(d->events, v);
            if (check_event(&c, v))
                goto bad;
        }
        p = nl + 1;
    }
    if (!d->header) {
        fail(&c, "empty dump");
        goto bad;
    }
    if (json_array_size(d->events) != count) {
        fail(&c, "event_count is %zu but %zu event lines follow", count,
             json_array_size(d->events));
        goto bad;
    }
    if (check_ids(&c, d))
        goto bad;
    return 0;
bad:
    dc_free(d);
    return -1;
}

int dc_parse_file(const char *path, dc_dump *d, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    d->header = d->events = NULL;
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (size_t k; buf && (k = fread(buf + n, 1, cap - n, f)) > 0;) {
        n += k;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    if (!buf) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    int ret = dc_parse(buf, n, d, err, errlen);
    free(buf);
    return ret;
}

void dc_free(dc_dump *d)
{
    json_decref(d->header);
    json_decref(d->events);
    d->header = d->events = NULL;
}

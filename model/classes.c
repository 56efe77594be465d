/* classes.c - the classes of one run: grouping, work types, the lookup by
 * key. See classes.h. */
#define _GNU_SOURCE
#include "classes.h"
#include "grow.h"
#include "hash.h"
#include "order.h"
#include "quantiles.h"
#include "sat.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Gives c its work type wt, unless it has one. false: out of memory. */
static bool set_work_type(wcp_class *c, const char *wt)
{
    if (!c || c->work_type)
        return true;
    c->work_type = strdup(wt ? wt : "");
    return c->work_type != NULL;
}

static int by_class_key(const void *a, const void *b, void *ctx)
{
    const wcp_class *cls = ctx;
    return strcmp(cls[*(const uint32_t *)a].key, cls[*(const uint32_t *)b].key);
}

void wcp_classes_free(wcp_classes *c)
{
    for (uint32_t k = 0; k < c->n; k++) {
        free(c->cls[k].key);
        free(c->cls[k].work_type);
    }
    free(c->cls);
    free(c->by_key);
    free(c->of_op);
    memset(c, 0, sizeof *c);
}

/* The index of the class (kind, class_id) (classes are in that order), or -1. */
static int64_t find_by_id(const wcp_classes *c, uint32_t kind, uint32_t class_id)
{
    uint64_t key = (uint64_t)kind << 32 | class_id;
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint64_t mk = (uint64_t)c->cls[mid].kind << 32 | c->cls[mid].class_id;
        if (mk == key)
            return (int64_t)mid;
        if (mk < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Each class's work type (§5), from the views. 0, or -1 with a message. */
static int load_work_types(sqlite3 *db, int64_t run, wcp_classes *c, char *err, size_t errlen)
{
    /* class_work_type applies class_stats's rule; a database made before
     * that view existed has the work types in class_stats */
    sqlite3_stmt *st;
    int rc;
    if (sqlite3_prepare_v2(
            db, "SELECT kind, class_id, work_type FROM class_work_type WHERE run_id = ?1", -1, &st,
            NULL) != SQLITE_OK &&
        sqlite3_prepare_v2(db,
                           "SELECT k.id, c.id, s.work_type FROM class_stats s"
                           " JOIN strings k ON k.value = s.kind JOIN strings c ON c.value = s.class"
                           " WHERE s.run_id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return wcp_errf(err, errlen, "classes: %s", sqlite3_errmsg(db));
    sqlite3_bind_int64(st, 1, run);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t k = find_by_id(c, (uint32_t)sqlite3_column_int64(st, 0),
                               (uint32_t)sqlite3_column_int64(st, 1));
        if (!set_work_type(k >= 0 ? &c->cls[k] : NULL, (const char *)sqlite3_column_text(st, 2))) {
            sqlite3_finalize(st);
            return wcp_errf(err, errlen, "classes: out of memory");
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return wcp_errf(err, errlen, "classes: %s", sqlite3_errmsg(db));
    for (uint32_t k = 0; k < c->n; k++)
        if (!set_work_type(&c->cls[k], ""))
            return wcp_errf(err, errlen, "classes: out of memory");
    return 0;
}

typedef struct stat_key {
    uint64_t key; /* kind << 32 | class_id */
    uint32_t n;   /* its ops */
} stat_key;

static uint64_t stat_key_hash(const void *ctx, size_t k)
{
    return wcp_mix64(((const stat_key *)ctx)[k].key);
}

static int by_stat_key(const void *a, const void *b)
{
    uint64_t x = ((const stat_key *)a)->key, y = ((const stat_key *)b)->key;
    return (x > y) - (x < y);
}

/* Groups the ops of g by class: *keys (malloc'd, *n_keys of them) the
 * distinct (kind, class_id), in that order, each with its op count; cls[i]
 * op i's index among them. One pass through a hash table: no sort of the
 * ops. Returns 0, or -1 out of memory. */
static int group_by_class(const wcp_graph *g, uint32_t *cls, stat_key **keys_out, size_t *n_out)
{
    size_t n = g->n_ops, n_keys = 0, cap_keys = 0, cap_slots = 1024;
    stat_key *keys = NULL, *sorted = NULL;
    uint32_t *slots = calloc(cap_slots, sizeof *slots), *place = NULL;
    if (!slots)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        uint64_t key = (uint64_t)g->kind[i] << 32 | g->class_id[i];
        size_t s = wcp_mix64(key) & (cap_slots - 1);
        while (slots[s] && keys[slots[s] - 1].key != key)
            s = (s + 1) & (cap_slots - 1);
        uint32_t k;
        if (slots[s])
            k = slots[s] - 1;
        else {
            if (!wcp_grow((void **)&keys, &cap_keys, n_keys + 1, sizeof *keys))
                goto oom;
            keys[n_keys] = (stat_key){key, 0};
            k = (uint32_t)n_keys++;
            slots[s] = (uint32_t)n_keys;
            if (n_keys * 2 > cap_slots) {
                free(slots);
                cap_slots *= 2;
                if (!(slots = wcp_hash_slots(cap_slots, 0, n_keys, stat_key_hash, keys)))
                    goto oom;
            }
        }
        cls[i] = k;
        keys[k].n++;
    }
    /* the classes in (kind, class_id) order; each op's renumbered */
    sorted = malloc((n_keys ? n_keys : 1) * sizeof *sorted);
    place = malloc((n_keys ? n_keys : 1) * sizeof *place);
    if (!sorted || !place)
        goto oom;
    for (size_t k = 0; k < n_keys; k++)
        sorted[k] = (stat_key){keys[k].key, (uint32_t)k};
    qsort(sorted, n_keys, sizeof *sorted, by_stat_key);
    for (size_t k = 0; k < n_keys; k++) {
        place[sorted[k].n] = (uint32_t)k;
        sorted[k].n = keys[sorted[k].n].n;
    }
    for (size_t i = 0; i < n; i++)
        cls[i] = place[cls[i]];
    free(slots);
    free(keys);
    free(place);
    *keys_out = sorted;
    *n_out = n_keys;
    return 0;
oom:
    free(slots);
    free(keys);
    free(sorted);
    free(place);
    return -1;
}

int wcp_classes_load(sqlite3 *db, const wcp_graph *g, wcp_classes *c, char *err, size_t errlen)
{
    size_t n = g->n_ops, nc = 0;
    stat_key *keys = NULL;
    sqlite3_stmt *str = NULL;
    memset(c, 0, sizeof *c);
    c->of_op = malloc((n ? n : 1) * sizeof *c->of_op);
    if (!c->of_op || group_by_class(g, c->of_op, &keys, &nc) < 0)
        goto oom;
    c->cls = calloc(nc ? nc : 1, sizeof *c->cls);
    c->by_key = malloc((nc ? nc : 1) * sizeof *c->by_key);
    if (!c->cls || !c->by_key)
        goto oom;
    if (sqlite3_prepare_v2(db, "SELECT value FROM strings WHERE id = ?1", -1, &str, NULL) !=
        SQLITE_OK) {
        wcp_errf(err, errlen, "classes: %s", sqlite3_errmsg(db));
        goto fail;
    }
    for (size_t k = 0; k < nc; k++) {
        wcp_class *x = &c->cls[c->n++];
        x->kind = (uint32_t)(keys[k].key >> 32);
        x->class_id = (uint32_t)keys[k].key;
        x->count = keys[k].n;
        bool failed = false;
        char *kind = wcp_db_string_at(str, x->kind, NULL, &failed);
        char *cl = kind ? wcp_db_string_at(str, x->class_id, NULL, &failed) : NULL;
        if (!kind || !cl || asprintf(&x->key, "%s:%s", kind, cl) < 0)
            x->key = NULL;
        free(kind);
        free(cl);
        if (failed) {
            wcp_errf(err, errlen, "classes: %s", sqlite3_errmsg(db));
            goto fail;
        }
        if (!x->key)
            goto oom;
    }
    sqlite3_finalize(str);
    str = NULL;
    free(keys);
    keys = NULL;
    for (size_t i = 0; i < n; i++)
        wcp_sat_inc(&c->cls[c->of_op[i]].total_self, g->self_ns[i]);
    for (uint32_t i = 0; i < c->n; i++)
        c->by_key[i] = i;
    qsort_r(c->by_key, c->n, sizeof *c->by_key, by_class_key, c->cls);
    if (load_work_types(db, g->run_id, c, err, errlen) < 0)
        goto fail;
    return 0;
oom:
    wcp_errf(err, errlen, "classes: out of memory");
fail:
    sqlite3_finalize(str);
    free(keys);
    wcp_classes_free(c);
    return -1;
}

int64_t wcp_classes_find(const wcp_classes *c, const char *key)
{
    size_t lo = 0, hi = c->n;
    if (!key)
        return -1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d = strcmp(c->cls[c->by_key[mid]].key, key);
        if (d == 0)
            return (int64_t)c->by_key[mid];
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* ---- the statistics of §5, materialised at ingest (class_stats_data) */

typedef struct stat_str {
    uint32_t id;
    char *value; /* as stored, malloc'd */
    int len;
    char *json; /* json_quote(value), sqlite3_malloc'd */
} stat_str;

typedef struct stat_ctx {
    sqlite3 *db;
    sqlite3_stmt *get; /* value and json_quote(value) of strings.id ?1 */
    stat_str *strs;    /* the outcomes and work types met so far */
    size_t n_strs, cap_strs;
    bool db_failed; /* stat_string() failed in SQLite, not for memory */
} stat_ctx;

/* The string id of ctx's database, fetched once. NULL on error (x->db_failed
 * says whether SQLite's). */
static const stat_str *stat_string(stat_ctx *x, uint32_t id)
{
    for (size_t k = 0; k < x->n_strs; k++) /* a run has few outcomes and work types */
        if (x->strs[k].id == id)
            return &x->strs[k];
    if (!wcp_grow((void **)&x->strs, &x->cap_strs, x->n_strs + 1, sizeof *x->strs))
        return NULL;
    stat_str s = {id, NULL, 0, NULL};
    s.value = wcp_db_string_at(x->get, id, &s.len, &x->db_failed);
    if (s.value) { /* no row: unknown, "" */
        const char *j =
            sqlite3_data_count(x->get) ? (const char *)sqlite3_column_text(x->get, 1) : "\"\"";
        s.json = j ? sqlite3_mprintf("%s", j) : NULL;
    }
    sqlite3_reset(x->get);
    if (!s.value || !s.json) {
        free(s.value);
        sqlite3_free(s.json);
        return NULL;
    }
    x->strs[x->n_strs] = s;
    return &x->strs[x->n_strs++];
}

/* SQLite's BINARY collation: memcmp, then the shorter first. */
static int stat_str_cmp(const stat_str *a, const stat_str *b)
{
    int d = memcmp(a->value, b->value, (size_t)(a->len < b->len ? a->len : b->len));
    return d ? d : (a->len > b->len) - (a->len < b->len);
}

typedef struct id_count {
    const stat_str *s;
    int64_t n;
} id_count;

static int by_value(const void *a, const void *b)
{
    return stat_str_cmp(((const id_count *)a)->s, ((const id_count *)b)->s);
}

/* ids[0..m) sorted in place, then as (string, count) pairs in out (room for
 * m), ordered by the strings' values. Returns the pairs, or -1 on error. */
static int64_t count_ids(stat_ctx *x, uint32_t *ids, size_t m, id_count *out)
{
    qsort(ids, m, sizeof *ids, wcp_by_u32);
    size_t n = 0;
    for (size_t k = 0; k < m; k++) {
        if (k > 0 && ids[k] == ids[k - 1]) {
            out[n - 1].n++;
            continue;
        }
        const stat_str *s = stat_string(x, ids[k]);
        if (!s)
            return -1;
        out[n++] = (id_count){s, 1};
    }
    qsort(out, n, sizeof *out, by_value);
    return (int64_t)n;
}

int wcp_class_stats_store(sqlite3 *db, const wcp_graph *g, const int64_t *self, char *err,
                          size_t errlen)
{
    size_t n = g->n_ops, n1 = n ? n : 1;
    stat_ctx x = {db, NULL, NULL, 0, 0, false};
    sqlite3_stmt *ins = NULL;
    stat_key *keys = NULL;
    size_t n_keys = 0;
    uint32_t *cls = malloc(n1 * sizeof *cls);
    uint32_t *order = malloc(n1 * sizeof *order), *ids = NULL;
    uint32_t *off = NULL;
    int64_t *vals = NULL; /* these three: room for the largest class (and ids for the classes) */
    id_count *pairs = NULL;
    sqlite3_str *json = NULL;
    int rc = -1;
    if (!cls || !order)
        goto oom;
    if (group_by_class(g, cls, &keys, &n_keys) < 0)
        goto oom;
    /* each class's ops together, by a counting sort */
    size_t most = n_keys;
    for (size_t k = 0; k < n_keys; k++)
        most = keys[k].n > most ? keys[k].n : most;
    off = malloc((n_keys + 1) * sizeof *off);
    ids = malloc((most ? most : 1) * sizeof *ids);
    vals = malloc((most ? most : 1) * sizeof *vals);
    pairs = malloc((most ? most : 1) * sizeof *pairs);
    if (!off || !ids || !vals || !pairs)
        goto oom;
    off[0] = 0;
    for (size_t k = 0; k < n_keys; k++)
        off[k + 1] = off[k] + keys[k].n;
    uint32_t *fill = ids; /* as scratch: the next free place per class */
    for (size_t k = 0; k < n_keys; k++)
        fill[k] = off[k];
    for (size_t i = 0; i < n; i++)
        order[fill[cls[i]]++] = (uint32_t)i;
    int64_t executed = wcp_db_string_id(db, "executed"),
            call_exec = wcp_db_string_id(db, "call_exec");
    if (sqlite3_prepare_v2(db, "SELECT value, json_quote(value) FROM strings WHERE id = ?1", -1,
                           &x.get, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "DELETE FROM class_stats_data WHERE run_id = ?1", -1, &ins, NULL) !=
            SQLITE_OK)
        goto dberr;
    sqlite3_bind_int64(ins, 1, g->run_id);
    if (sqlite3_step(ins) != SQLITE_DONE)
        goto dberr;
    sqlite3_finalize(ins);
    if (sqlite3_prepare_v2(
            db,
            "INSERT INTO class_stats_data(run_id, kind, class_id, work_type, count, "
            "total_self_ns, total_wall_ns, p50_self_ns, p95_self_ns, max_self_ns, "
            "outcomes, dup_executed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
            "?11, ?12)",
            -1, &ins, NULL) != SQLITE_OK)
        goto dberr;
    for (size_t k = 0; k < n_keys; k++) {
        const uint32_t *op = order + off[k];
        size_t m = off[k + 1] - off[k];
        int64_t total_self = 0, total_wall = 0;
        for (size_t j = 0; j < m; j++) {
            vals[j] = self[op[j]];
            wcp_sat_inc(&total_self, self[op[j]]);
            wcp_sat_inc(&total_wall, wcp_sat_sub(g->end[op[j]], g->start[op[j]]));
        }
        wcp_quantiles q = wcp_quantiles_of(vals, m);
        /* the most common work type: a non-empty one first, then the most
         * ops, then the first by value */
        for (size_t j = 0; j < m; j++)
            ids[j] = g->work_type[op[j]];
        int64_t np = count_ids(&x, ids, m, pairs);
        if (np < 0)
            goto strerr;
        const id_count *wt = &pairs[0];
        for (int64_t p = 1; p < np; p++) {
            const id_count *c = &pairs[p];
            bool c_empty = c->s->len == 0, w_empty = wt->s->len == 0;
            if (c_empty != w_empty ? w_empty : c->n > wt->n)
                wt = c; /* pairs are by value: the first of the most stays */
        }
        uint32_t work_type = wt->s->id;
        /* outcomes: {"value":count,...} by value, as json_group_object writes it */
        for (size_t j = 0; j < m; j++)
            ids[j] = g->outcome[op[j]];
        if ((np = count_ids(&x, ids, m, pairs)) < 0)
            goto strerr;
        json = sqlite3_str_new(db);
        sqlite3_str_appendchar(json, 1, '{');
        for (int64_t p = 0; p < np; p++)
            sqlite3_str_appendf(json, "%s%s:%lld", p ? "," : "", pairs[p].s->json,
                                (long long)pairs[p].n);
        sqlite3_str_appendchar(json, 1, '}');
        /* duplicate executions: per ident executed (or call_exec) n > 1 times, n - 1 */
        size_t ne = 0;
        for (size_t j = 0; j < m; j++) {
            uint32_t i = op[j];
            if (g->ident[i] != 0 && ((executed > 0 && g->outcome[i] == executed) ||
                                     (call_exec > 0 && g->kind[i] == call_exec)))
                ids[ne++] = g->ident[i];
        }
        qsort(ids, ne, sizeof *ids, wcp_by_u32);
        int64_t dups = 0;
        for (size_t j = 1; j < ne; j++)
            dups += ids[j] == ids[j - 1];
        int64_t v[] = {g->run_id,  g->kind[op[0]], g->class_id[op[0]], work_type,
                       (int64_t)m, total_self,     total_wall,         q.p50,
                       q.p95,      q.max};
        for (int c = 0; c < 10; c++)
            sqlite3_bind_int64(ins, c + 1, v[c]);
        int jlen = sqlite3_str_length(json);
        char *js = sqlite3_str_finish(json);
        json = NULL;
        if (!js)
            goto oom;
        sqlite3_bind_text(ins, 11, js, jlen, sqlite3_free);
        sqlite3_bind_int64(ins, 12, dups);
        if (sqlite3_step(ins) != SQLITE_DONE)
            goto dberr;
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    if (sqlite3_prepare_v2(db, "UPDATE runs SET class_stats = 1 WHERE id = ?1", -1, &ins, NULL) !=
        SQLITE_OK)
        goto dberr;
    sqlite3_bind_int64(ins, 1, g->run_id);
    if (sqlite3_step(ins) != SQLITE_DONE)
        goto dberr;
    rc = 0;
    goto out;
strerr:
    if (x.db_failed)
        goto dberr;
oom:
    wcp_errf(err, errlen, "class statistics: out of memory");
    goto out;
dberr:
    wcp_errf(err, errlen, "class statistics: %s", sqlite3_errmsg(db));
out:
    sqlite3_free(sqlite3_str_finish(json));
    sqlite3_finalize(ins);
    sqlite3_finalize(x.get);
    for (size_t k = 0; k < x.n_strs; k++) {
        free(x.strs[k].value);
        sqlite3_free(x.strs[k].json);
    }
    free(x.strs);
    free(keys);
    free(cls);
    free(order);
    free(ids);
    free(off);
    free(vals);
    free(pairs);
    return rc;
}

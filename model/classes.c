/* classes.c - the classes of one run: grouping, work types, the lookup by
 * key. See classes.h. */
#define _GNU_SOURCE
#include "classes.h"
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

typedef struct op_key {
    uint64_t key; /* kind << 32 | class_id */
    uint32_t op;  /* op index */
} op_key;

static int by_key(const void *a, const void *b)
{
    const op_key *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->op < y->op ? -1 : x->op > y->op;
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

int wcp_classes_load(sqlite3 *db, const wcp_graph *g, wcp_classes *c, char *err, size_t errlen)
{
    size_t n = g->n_ops;
    op_key *k = malloc((n ? n : 1) * sizeof *k);
    memset(c, 0, sizeof *c);
    c->of_op = malloc((n ? n : 1) * sizeof *c->of_op);
    if (!k || !c->of_op)
        goto oom;
    for (size_t i = 0; i < n; i++)
        k[i] = (op_key){(uint64_t)g->kind[i] << 32 | g->class_id[i], (uint32_t)i};
    qsort(k, n, sizeof *k, by_key);
    size_t nc = 0;
    for (size_t i = 0; i < n; i++)
        nc += i == 0 || k[i].key != k[i - 1].key;
    c->cls = calloc(nc ? nc : 1, sizeof *c->cls);
    c->by_key = malloc((nc ? nc : 1) * sizeof *c->by_key);
    if (!c->cls || !c->by_key)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || k[i].key != k[i - 1].key) {
            wcp_class *x = &c->cls[c->n++];
            x->kind = (uint32_t)(k[i].key >> 32);
            x->class_id = (uint32_t)k[i].key;
            char *kind = wcp_db_string(db, x->kind), *cl = wcp_db_string(db, x->class_id);
            if (!kind || !cl || asprintf(&x->key, "%s:%s", kind, cl) < 0)
                x->key = NULL;
            free(kind);
            free(cl);
            if (!x->key)
                goto oom;
        }
        wcp_class *x = &c->cls[c->n - 1];
        x->count++;
        wcp_sat_inc(&x->total_self, g->self_ns[k[i].op]);
        c->of_op[k[i].op] = c->n - 1;
    }
    free(k);
    k = NULL;
    for (uint32_t i = 0; i < c->n; i++)
        c->by_key[i] = i;
    qsort_r(c->by_key, c->n, sizeof *c->by_key, by_class_key, c->cls);
    if (load_work_types(db, g->run_id, c, err, errlen) < 0)
        goto fail;
    return 0;
oom:
    wcp_errf(err, errlen, "classes: out of memory");
fail:
    free(k);
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

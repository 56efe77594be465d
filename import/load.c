/* load.c - loading a dump into a wcprof database, one transaction per dump.
 * See load.h. */
#include "load.h"

#include "graph.h"
#include "grow.h"
#include "guess.h"
#include "hash.h"
#include "resolve.h"
#include "store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define PROGRESS_EVERY 65536

#define GIVEN_ROOM ((size_t)1 << 22) /* the most ops the header's event count makes room for */

#define GUESS_SPANS (1u << 18) /* intervals the self-time guesser keeps at most (guess.h) */

/* ---- bound values: one set of values binds an insert and its lookup alike */

typedef struct vals {
    int n;
    int64_t i[20];
    const char *t[20]; /* text (t != NULL) instead of i */
    int tn[20];
    bool null[20];
} vals;

static void v_int(vals *v, int k, int64_t x)
{
    v->i[k] = x;
    v->t[k] = NULL;
    v->null[k] = false;
}
static void v_null(vals *v, int k)
{
    v->t[k] = NULL;
    v->null[k] = true;
}
static void v_text(vals *v, int k, const char *s, size_t n)
{
    if (!s || !n) {
        v_null(v, k);
        return;
    }
    v->t[k] = s;
    v->tn[k] = (int)n;
    v->null[k] = false;
}

static void bind_vals(sqlite3_stmt *st, const vals *v, int count)
{
    for (int k = 0; k < count; k++) {
        if (v->null[k])
            sqlite3_bind_null(st, k + 1);
        else if (v->t[k])
            sqlite3_bind_text(st, k + 1, v->t[k], v->tn[k], SQLITE_STATIC);
        else
            sqlite3_bind_int64(st, k + 1, v->i[k]);
    }
}

/* ---- the loader */

typedef struct enum_ent {
    char *s;
    size_t n;
    uint32_t id;
} enum_ent;

typedef struct loader {
    sqlite3 *db;
    wcp_reader r;
    wcp_load_stats *st;
    const wcp_load_opts *opts;
    char *err;
    size_t errlen;
    uint32_t *smap; /* dump string index -> strings.id */
    size_t nsmap;
    enum_ent *ents; /* enum string -> strings.id (open addressing) */
    size_t ent_cap, ent_n;
    int64_t run_id, dump_id, now;
    int64_t file_size;   /* the trace's, for progress (0: not a regular file) */
    int64_t open_ops;    /* entries of this dump's open_ops */
    wcp_load_stats base; /* the counts before this run (a file of several runs) */
    bool run_new;        /* this run was made by this load */
    /* the ops of a run this load made, as inserted, for the resolve phase's
     * graph (rather than reading them back); off (emptied) when an op id
     * comes twice or memory runs out: the graph is then read back */
    wcp_graph_ops given;
    bool giving;
    size_t given_room; /* the room given is made with first: the header's event count, capped */
    sqlite3_stmt *ins_str, *sel_str, *ins_op, *complete_op, *sel_op, *ins_wait, *sel_wait,
        *ins_link, *sel_link, *ins_other, *sel_other;
} loader;

static int lerr(loader *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(L->err, L->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int dberr(loader *L, const char *what)
{
    return lerr(L, "%s: %s: %s", L->r.path ? L->r.path : "?", what, sqlite3_errmsg(L->db));
}

static int prepare(loader *L, sqlite3_stmt **st, const char *sql)
{
    if (sqlite3_prepare_v3(L->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
        return dberr(L, "prepare");
    return 0;
}

/* The strings.id of s, inserting it when new. */
static int intern(loader *L, const char *s, size_t n, uint32_t *id)
{
    if (n == 0) {
        *id = 0;
        return 0;
    }
    sqlite3_bind_text(L->ins_str, 1, s, (int)n, SQLITE_STATIC);
    int rc = sqlite3_step(L->ins_str);
    sqlite3_reset(L->ins_str);
    if (rc != SQLITE_DONE)
        return dberr(L, "strings");
    if (sqlite3_changes(L->db) == 1) {
        *id = (uint32_t)sqlite3_last_insert_rowid(L->db);
        return 0;
    }
    sqlite3_bind_text(L->sel_str, 1, s, (int)n, SQLITE_STATIC);
    rc = sqlite3_step(L->sel_str);
    if (rc == SQLITE_ROW)
        *id = (uint32_t)sqlite3_column_int64(L->sel_str, 0);
    sqlite3_reset(L->sel_str);
    return rc == SQLITE_ROW ? 0 : dberr(L, "strings");
}

/* The strings.id of an enum value (kind, outcome, reason, ...), cached. */
static int intern_enum(loader *L, wcp_str s, uint32_t *id)
{
    if (s.n == 0) {
        *id = 0;
        return 0;
    }
    if (L->ent_n * 2 >= L->ent_cap) {
        size_t cap = L->ent_cap ? L->ent_cap * 2 : 64;
        enum_ent *ne = calloc(cap, sizeof *ne);
        if (!ne)
            return lerr(L, "%s: out of memory", L->r.path);
        for (size_t k = 0; k < L->ent_cap; k++)
            if (L->ents[k].s) {
                size_t h = wcp_hash_bytes(L->ents[k].s, L->ents[k].n, 0) & (cap - 1);
                while (ne[h].s)
                    h = (h + 1) & (cap - 1);
                ne[h] = L->ents[k];
            }
        free(L->ents);
        L->ents = ne;
        L->ent_cap = cap;
    }
    size_t h = wcp_hash_bytes(s.p, s.n, 0) & (L->ent_cap - 1);
    while (L->ents[h].s) {
        if (L->ents[h].n == s.n && memcmp(L->ents[h].s, s.p, s.n) == 0) {
            *id = L->ents[h].id;
            return 0;
        }
        h = (h + 1) & (L->ent_cap - 1);
    }
    if (intern(L, s.p, s.n, id) < 0)
        return -1;
    char *copy = malloc(s.n);
    if (!copy)
        return lerr(L, "%s: out of memory", L->r.path);
    memcpy(copy, s.p, s.n);
    L->ents[h] = (enum_ent){copy, s.n, *id};
    L->ent_n++;
    return 0;
}

static int on_string(void *ctx, size_t index, const char *s, size_t n)
{
    loader *L = ctx;
    if (!wcp_grow((void **)&L->smap, &L->nsmap, index + 1, sizeof *L->smap))
        return lerr(L, "%s:1: out of memory for the string table", L->r.path);
    return intern(L, s, n, &L->smap[index]);
}

/* Inserts a row whose primary key ends with a `dup` column: a row already
 * there from an earlier dump is a repeat (nothing added); one from this very
 * dump is an identical event recorded twice, kept as dup 1, 2, ... */
static int insert_dedup(loader *L, sqlite3_stmt *ins, sqlite3_stmt *sel, vals *v, int dup_k,
                        int64_t *added)
{
    for (int64_t dup = 0;; dup++) {
        v_int(v, dup_k, dup);
        bind_vals(ins, v, v->n);
        int rc = sqlite3_step(ins);
        sqlite3_reset(ins);
        if (rc != SQLITE_DONE)
            return dberr(L, "insert");
        if (sqlite3_changes(L->db)) {
            (*added)++;
            return 0;
        }
        bind_vals(sel, v, dup_k + 1);
        rc = sqlite3_step(sel);
        int64_t from = rc == SQLITE_ROW ? sqlite3_column_int64(sel, 0) : -1;
        sqlite3_reset(sel);
        if (rc != SQLITE_ROW)
            return dberr(L, "lookup");
        if (from != L->dump_id)
            return 0;
    }
}

/* The resolve phase will read the run's ops back (load.c's "given"). */
static void stop_giving(loader *L)
{
    L->giving = false;
    wcp_graph_ops_free(&L->given);
}

/* An op's values, as ?2..?16, ?18 and ?19 of ins_op and complete_op (?1,
 * the run, and ?17, the dump, are bound once per load). */
static void bind_op(loader *L, sqlite3_stmt *st, int64_t id, int64_t p, uint32_t kind,
                    uint32_t work, uint32_t outcome, uint32_t c, uint32_t i, uint32_t cl,
                    uint32_t meta, int64_t r, int64_t s, int64_t d, int64_t self, bool open,
                    bool has_th, int64_t th, wcp_str extra)
{
    sqlite3_bind_int64(st, 2, id);
    if (p != 0 && p != id)
        sqlite3_bind_int64(st, 3, p);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_int64(st, 4, p);
    sqlite3_bind_int64(st, 5, kind);
    sqlite3_bind_int64(st, 6, work);
    sqlite3_bind_int64(st, 7, outcome);
    sqlite3_bind_int64(st, 8, L->smap[c]);
    sqlite3_bind_int64(st, 9, L->smap[i]);
    sqlite3_bind_int64(st, 10, L->smap[cl]);
    sqlite3_bind_int64(st, 11, r);
    sqlite3_bind_int64(st, 12, s);
    sqlite3_bind_int64(st, 13, d);
    sqlite3_bind_int(st, 14, open);
    sqlite3_bind_int64(st, 15, self);
    if (has_th)
        sqlite3_bind_int64(st, 16, th);
    else
        sqlite3_bind_null(st, 16);
    if (extra.n)
        sqlite3_bind_text(st, 18, extra.p, (int)extra.n, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 18);
    sqlite3_bind_int64(st, 19, L->smap[meta]);
}

static int put_op(loader *L, int64_t id, int64_t p, uint32_t kind, uint32_t work, uint32_t outcome,
                  uint32_t c, uint32_t i, uint32_t cl, uint32_t meta, int64_t r, int64_t s,
                  int64_t d, int64_t self, bool open, bool has_th, int64_t th, wcp_str extra)
{
    bind_op(L, L->ins_op, id, p, kind, work, outcome, c, i, cl, meta, r, s, d, self, open, has_th,
            th, extra);
    int rc = sqlite3_step(L->ins_op);
    sqlite3_reset(L->ins_op);
    if (rc != SQLITE_DONE)
        return dberr(L, "insert op");
    if (sqlite3_changes(L->db)) {
        L->st->ops_added++;
        if (L->giving) {
            /* as stored (bind_op) */
            wcp_graph_op g = {.id = id,
                              .start = s,
                              .end = d,
                              .recorded_parent = p,
                              .thread = has_th ? th : 0,
                              .self_ns = self,
                              .kind = kind,
                              .class_id = L->smap[c],
                              .ident = L->smap[i],
                              .client = L->smap[cl],
                              .outcome = outcome,
                              .work_type = work,
                              .open = open};
            if (!wcp_graph_ops_add(&L->given, &g, L->given_room))
                stop_giving(L);
        }
        return 0;
    }
    if (L->giving)
        stop_giving(L); /* the same op id again: the graph reads the run back */
    if (open)
        return 0; /* known already; an open entry never overrides */
    sqlite3_bind_int64(L->sel_op, 1, L->run_id);
    sqlite3_bind_int64(L->sel_op, 2, id);
    rc = sqlite3_step(L->sel_op);
    int64_t from = rc == SQLITE_ROW ? sqlite3_column_int64(L->sel_op, 0) : -1;
    bool was_open = rc == SQLITE_ROW && sqlite3_column_int(L->sel_op, 1);
    sqlite3_reset(L->sel_op);
    if (rc != SQLITE_ROW)
        return dberr(L, "lookup op");
    /* an open op is completed; the same op id twice in one dump: the last
     * op event is the op (spec/analysis.md §1.1); an op of an earlier dump
     * stays (dump-format.md, successive dumps) */
    if (!was_open && from != L->dump_id)
        return 0;
    bind_op(L, L->complete_op, id, p, kind, work, outcome, c, i, cl, meta, r, s, d, self, open,
            has_th, th, extra);
    rc = sqlite3_step(L->complete_op);
    sqlite3_reset(L->complete_op);
    if (rc != SQLITE_DONE)
        return dberr(L, "complete op");
    if (was_open)
        L->st->ops_completed++;
    else
        L->st->warnings++;
    return 0;
}

static int on_open(void *ctx, const wcp_open_op *o)
{
    loader *L = ctx;
    uint32_t kind, work;
    L->open_ops++;
    if (intern_enum(L, o->kind, &kind) < 0 || intern_enum(L, o->work_type, &work) < 0)
        return -1;
    int64_t end = L->now > o->start ? L->now : o->start;
    return put_op(L, o->id, o->parent, kind, work, 0, o->c, o->i, o->cl, o->m, 0, o->start, end,
                  end - o->start, true, o->has_th, o->th, o->extra);
}

static int put_event(loader *L, const wcp_event *e)
{
    uint32_t a, b, c;
    vals v;
    int64_t line = L->r.line;
    if (e->clamped)
        L->st->warnings++;
    switch (e->type) {
    case WCP_EV_OP:
        if (intern_enum(L, e->k, &a) < 0 || intern_enum(L, e->w, &b) < 0 ||
            intern_enum(L, e->o, &c) < 0)
            return -1;
        /* e->aux: the self time guessed (guess.h); the resolve phase checks it */
        return put_op(L, e->id, e->p, a, b, c, e->c, e->i, e->cl, e->m, e->r, e->s, e->d, e->aux,
                      false, e->has_th, e->th, e->extra);
    case WCP_EV_WAIT:
        if (intern_enum(L, e->rs, &a) < 0)
            return -1;
        v = (vals){.n = 15};
        v_int(&v, 0, L->run_id);
        v_int(&v, 1, e->p);
        v_int(&v, 2, e->s);
        v_int(&v, 3, e->d);
        v_int(&v, 4, e->t);
        v_int(&v, 5, L->smap[e->i]);
        v_int(&v, 6, a);
        /* 7: dup */
        /* the target guessed (guess.h) and how the resolve phase will have
         * found it (graph.h's wcp_wait_by): it checks both, and rewrites a
         * wait only when either is wrong */
        if (e->aux)
            v_int(&v, 8, e->aux);
        else
            v_null(&v, 8);
        wcp_wait_by by = !e->aux          ? WCP_BY_NONE
                         : e->aux == e->t ? WCP_BY_RECORDED
                                          : WCP_BY_EXEC_IDENT;
        v_text(&v, 14, wcp_wait_by_name[by], strlen(wcp_wait_by_name[by]));
        v_int(&v, 9, 0);
        if (e->has_th)
            v_int(&v, 10, e->th);
        else
            v_null(&v, 10);
        v_int(&v, 11, L->dump_id);
        v_int(&v, 12, line);
        v_text(&v, 13, e->extra.p, e->extra.n);
        return insert_dedup(L, L->ins_wait, L->sel_wait, &v, 7, &L->st->waits_added);
    case WCP_EV_LINK:
        if (intern_enum(L, e->lk, &a) < 0)
            return -1;
        v = (vals){.n = 11};
        v_int(&v, 0, L->run_id);
        v_int(&v, 1, e->p);
        v_int(&v, 2, e->s);
        v_int(&v, 3, a);
        v_int(&v, 4, e->t);
        v_int(&v, 5, L->smap[e->i]);
        v_int(&v, 6, e->r);
        /* 7: dup */
        v_int(&v, 8, L->dump_id);
        v_int(&v, 9, line);
        v_text(&v, 10, e->extra.p, e->extra.n);
        return insert_dedup(L, L->ins_link, L->sel_link, &v, 7, &L->st->links_added);
    default:
        v = (vals){.n = 6};
        v_int(&v, 0, L->run_id);
        v_text(&v, 1, e->line.p, e->line.n);
        /* 2: dup */
        v.t[3] = e->e.n ? e->e.p : ""; /* the type may be "" but never NULL */
        v.tn[3] = (int)e->e.n;
        v.null[3] = false;
        v_int(&v, 4, L->dump_id);
        v_int(&v, 5, line);
        return insert_dedup(L, L->ins_other, L->sel_other, &v, 2, &L->st->other_added);
    }
}

static int prepare_all(loader *L)
{
    return prepare(L, &L->ins_str, "INSERT OR IGNORE INTO strings(value) VALUES (?1)") ||
                   prepare(L, &L->sel_str, "SELECT id FROM strings WHERE value = ?1") ||
                   prepare(
                       L, &L->ins_op,
                       "INSERT INTO ops(run_id, id, parent_id, recorded_parent_id, kind, work_type, outcome, "
                       "class_id, ident_id, client_id, result_id, start_ns, end_ns, is_open, self_ns, "
                       "thread_id, dump_id, extra, meta_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                       "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) ON CONFLICT DO NOTHING") ||
                   prepare(
                       L, &L->complete_op,
                       "UPDATE ops SET parent_id = ?3, recorded_parent_id = ?4, kind = ?5, work_type = ?6, "
                       "outcome = ?7, class_id = ?8, ident_id = ?9, client_id = ?10, result_id = ?11, "
                       "start_ns = ?12, end_ns = ?13, is_open = ?14, self_ns = ?15, thread_id = ?16, "
                       "dump_id = ?17, extra = ?18, meta_id = coalesce(nullif(?19, 0), meta_id) "
                       "WHERE run_id = ?1 AND id = ?2") ||
                   prepare(L, &L->sel_op,
                           "SELECT dump_id, is_open FROM ops WHERE run_id = ?1 AND id = ?2") ||
                   prepare(
                       L, &L->ins_wait,
                       "INSERT INTO waits(run_id, waiter_id, start_ns, end_ns, recorded_target_id, ident_id, "
                       "reason, dup, target_id, orphan, thread_id, dump_id, line, extra, resolved_by) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
                       "ON CONFLICT DO NOTHING") ||
                   prepare(
                       L, &L->sel_wait,
                       "SELECT dump_id FROM waits WHERE run_id = ?1 AND waiter_id = ?2 AND start_ns = ?3 "
                       "AND end_ns = ?4 AND recorded_target_id = ?5 AND ident_id = ?6 AND reason = ?7 "
                       "AND dup = ?8") ||
                   prepare(
                       L, &L->ins_link,
                       "INSERT INTO links(run_id, from_id, at_ns, kind, target_id, ident_id, result_id, dup, "
                       "dump_id, line, extra) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
                       "ON CONFLICT DO NOTHING") ||
                   prepare(
                       L, &L->sel_link,
                       "SELECT dump_id FROM links WHERE run_id = ?1 AND from_id = ?2 AND at_ns = ?3 AND "
                       "kind = ?4 AND target_id = ?5 AND ident_id = ?6 AND result_id = ?7 AND dup = ?8") ||
                   prepare(
                       L, &L->ins_other,
                       "INSERT INTO other_events(run_id, json, dup, type, dump_id, line) VALUES (?1, ?2, ?3, "
                       "?4, ?5, ?6) ON CONFLICT DO NOTHING") ||
                   prepare(
                       L, &L->sel_other,
                       "SELECT dump_id FROM other_events WHERE run_id = ?1 AND json = ?2 AND dup = ?3")
               ? -1
               : 0;
}

static void finalize_all(loader *L)
{
    sqlite3_stmt *all[] = {L->ins_str,  L->sel_str,   L->ins_op,   L->complete_op,
                           L->sel_op,   L->ins_wait,  L->sel_wait, L->ins_link,
                           L->sel_link, L->ins_other, L->sel_other};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        sqlite3_finalize(all[k]);
}

/* Runs one statement with integer parameters ?1, ?2, ...; returns the first
 * column of the first row in *out (when out is not NULL and there is a row). */
static int exec_ints(sqlite3 *db, const char *sql, int64_t *out, int n, ...)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    va_list ap;
    va_start(ap, n);
    for (int k = 0; k < n; k++)
        sqlite3_bind_int64(st, k + 1, va_arg(ap, int64_t));
    va_end(ap);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && out)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? (rc == SQLITE_ROW) : -1;
}

static int find_or_make_run(loader *L)
{
    const wcp_header *h = &L->r.hdr;
    int64_t now = h->dumped - h->epoch;
    int found = 0;
    if (!L->opts->new_run) {
        found = exec_ints(L->db,
                          "SELECT id FROM runs WHERE epoch_unix_nano = ?1 ORDER BY id DESC LIMIT 1",
                          &L->run_id, 1, (int64_t)h->epoch);
        if (found < 0)
            return dberr(L, "runs");
    }
    if (found) {
        if (exec_ints(
                L->db,
                "UPDATE runs SET dumped_unix_nano = max(dumped_unix_nano, ?2), now_ns = max(now_ns, ?3), "
                "dropped_events = max(dropped_events, ?4) WHERE id = ?1",
                NULL, 4, L->run_id, (int64_t)h->dumped, now, (int64_t)h->dropped) < 0 ||
            exec_ints(L->db, "SELECT now_ns FROM runs WHERE id = ?1", &L->now, 1, L->run_id) < 0)
            return dberr(L, "runs");
    } else {
        if (exec_ints(L->db,
                      "INSERT INTO runs(epoch_unix_nano, dumped_unix_nano, now_ns, dropped_events) "
                      "VALUES (?1, ?2, ?3, ?4)",
                      NULL, 4, (int64_t)h->epoch, (int64_t)h->dumped, now, (int64_t)h->dropped) < 0)
            return dberr(L, "runs");
        L->run_id = sqlite3_last_insert_rowid(L->db);
        L->now = now;
        L->st->new_run = true;
        L->run_new = true;
    }
    if (!L->st->first_run_id)
        L->st->first_run_id = L->run_id;
    L->st->run_id = L->run_id;
    L->st->runs++;
    /* an import's completeness and waits (run_summary.warning says them) */
    if (h->incomplete.n || h->waits_inferred) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(L->db,
                               "UPDATE runs SET incomplete = coalesce(?2, incomplete), "
                               "waits_inferred = ?3 WHERE id = ?1",
                               -1, &st, NULL) != SQLITE_OK)
            return dberr(L, "runs");
        sqlite3_bind_int64(st, 1, L->run_id);
        if (h->incomplete.n)
            sqlite3_bind_text(st, 2, h->incomplete.p, (int)h->incomplete.n, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, h->waits_inferred);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return dberr(L, "runs");
    }
    return 0;
}

static int insert_dump_row(loader *L)
{
    const wcp_header *h = &L->r.hdr;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            L->db,
            "INSERT INTO dumps(run_id, source, ingested_unix_nano, schema_version, epoch_unix_nano, "
            "dumped_unix_nano, dropped_events, event_count, open_ops, ops_added, ops_completed, "
            "waits_added, links_added, other_added, warnings, misuse, extra) VALUES (?1, ?2, ?3, ?4, "
            "?5, ?6, ?7, ?8, 0, 0, 0, 0, 0, 0, 0, ?9, ?10)",
            -1, &st, NULL) != SQLITE_OK)
        return dberr(L, "dumps");
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    sqlite3_bind_int64(st, 1, L->run_id);
    sqlite3_bind_text(st, 2, L->r.path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
    sqlite3_bind_int64(st, 4, h->schema_version);
    sqlite3_bind_int64(st, 5, h->epoch);
    sqlite3_bind_int64(st, 6, h->dumped);
    sqlite3_bind_int64(st, 7, h->dropped);
    sqlite3_bind_int64(st, 8, h->event_count);
    if (h->misuse.n)
        sqlite3_bind_text(st, 9, h->misuse.p, (int)h->misuse.n, SQLITE_STATIC);
    if (h->extra.n)
        sqlite3_bind_text(st, 10, h->extra.p, (int)h->extra.n, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return dberr(L, "dumps");
    L->dump_id = sqlite3_last_insert_rowid(L->db);
    sqlite3_stmt *op_stmts[] = {L->ins_op, L->complete_op};
    for (int k = 0; k < 2; k++) { /* the same for every op of the dump (bind_op) */
        sqlite3_bind_int64(op_stmts[k], 1, L->run_id);
        sqlite3_bind_int64(op_stmts[k], 17, L->dump_id);
    }
    L->st->dump_id = L->dump_id;
    return 0;
}

/* Rebuilding the secondary indexes costs a sort of every row of the tables,
 * keeping them up to date a B-tree insert per new row. Measured at 1M events
 * (bench/README.md): into an empty database a rebuild saves a fifth of
 * SQLite's time; with a run as large as the dump already there it costs a
 * quarter more; even at about half that. So they are rebuilt when the dump
 * has more than twice as many events as the database has rows: always for
 * a first dump. */
static int maybe_drop_indexes(loader *L, char **recreate)
{
    *recreate = NULL;
    wcp_index_mode mode = L->opts->indexes;
    if (mode == WCP_INDEXES_AUTO) {
        int64_t rows = 0;
        if (exec_ints(L->db, "SELECT coalesce(sum(ops + waits + links), 0) FROM runs", &rows, 0) <
            0)
            return dberr(L, "runs");
        mode = rows < L->r.hdr.event_count / 2 ? WCP_INDEXES_REBUILD : WCP_INDEXES_UPDATE;
    }
    if (mode != WCP_INDEXES_REBUILD)
        return 0;
    char why[256];
    if (wcp_db_drop_bulk_indexes(L->db, recreate, why, sizeof why) < 0)
        return lerr(L, "%s: %s", L->r.path, why);
    L->st->indexes_rebuilt = true;
    return 0;
}

static int finish_dump_row(loader *L)
{
    wcp_load_stats *s = L->st;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            L->db,
            "UPDATE dumps SET open_ops = ?2, ops_added = ?3, ops_completed = ?4, waits_added = ?5, "
            "links_added = ?6, other_added = ?7, warnings = ?8 WHERE id = ?1",
            -1, &st, NULL) != SQLITE_OK)
        return dberr(L, "dumps");
    const wcp_load_stats *b = &L->base;
    int64_t v[] = {L->dump_id,
                   L->open_ops,
                   s->ops_added - b->ops_added,
                   s->ops_completed - b->ops_completed,
                   s->waits_added - b->waits_added,
                   s->links_added - b->links_added,
                   s->other_added - b->other_added,
                   s->warnings - b->warnings};
    for (int k = 0; k < 8; k++)
        sqlite3_bind_int64(st, k + 1, v[k]);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE ||
        exec_ints(L->db,
                  "UPDATE runs SET dumps = dumps + 1, warnings = warnings + ?2 WHERE id = ?1", NULL,
                  2, L->run_id, s->warnings - b->warnings) < 0)
        return dberr(L, "dumps");
    return 0;
}

/* How far a format that reads the whole file first has got (on_read). */
static void scanning(void *ctx, uint64_t bytes)
{
    loader *L = ctx;
    L->st->bytes = bytes;
    L->opts->progress(L->opts->progress_ctx, "scanning", L->st, L->file_size);
}

static void guess_seen(void *ctx, const wcp_event *ev)
{
    wcp_guess_seen(ctx, ev);
}
static int64_t guess_ready(void *ctx, const wcp_event *ev)
{
    return wcp_guess_ready(ctx, ev);
}

int wcp_load_dump(sqlite3 *db, const char *path, const wcp_load_opts *opts, wcp_load_stats *st,
                  char *err, size_t errlen)
{
    static const wcp_load_opts defaults = {0};
    loader L = {.db = db, .st = st, .opts = opts ? opts : &defaults, .err = err, .errlen = errlen};
    memset(st, 0, sizeof *st);
    err[0] = 0;
    int rc = -1;
    bool in_tx = false;
    char *recreate = NULL; /* the dropped indexes, to create again before the commit */
    wcp_guess *guess = NULL;
    if (wcp_source_open(&L.r, path, L.opts->format) < 0) {
        snprintf(err, errlen, "%s", L.r.err);
        wcp_reader_close(&L.r);
        return -1;
    }
    L.r.flags = L.opts->read_flags;
    char *msg = NULL;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK) {
        lerr(&L, "%s: cannot start a transaction: %s", L.r.path, msg ? msg : "?");
        sqlite3_free(msg);
        goto out;
    }
    in_tx = true;
    if (prepare_all(&L) < 0)
        goto out;
    struct stat sb;
    L.file_size = fstat(L.r.fd, &sb) == 0 && S_ISREG(sb.st_mode) ? (int64_t)sb.st_size : 0;
    if (L.opts->progress) {
        L.r.on_read = scanning;
        L.r.on_read_ctx = &L;
    }
    int hrc = wcp_reader_header(&L.r, on_string, &L);
    L.r.on_read = NULL; /* the parsing thread may fill later: not to be told */
    if (hrc < 0) {
        if (!err[0])
            snprintf(err, errlen, "%s", L.r.err);
        goto out;
    }
    /* a file of several runs (an OTLP file of several traces) loads them one
     * after the other, in this one transaction */
    for (bool first = true;; first = false) {
        L.base = *st;
        L.run_new = false;
        stop_giving(&L);
        L.open_ops = 0;
        if (L.r.hdr.dropped > st->dropped_events)
            st->dropped_events = L.r.hdr.dropped;
        if (find_or_make_run(&L) < 0 || insert_dump_row(&L) < 0 ||
            (first && maybe_drop_indexes(&L, &recreate) < 0))
            goto out;
        /* a run this load made: every op it will hold comes through put_op */
        L.giving = L.run_new && !L.opts->read_back;
        int64_t events = L.r.hdr.event_count; /* only the first room: a header may be wrong */
        L.given_room = events <= 0                     ? 0
                       : (uint64_t)events < GIVEN_ROOM ? (size_t)events
                                                       : GIVEN_ROOM;
        if (wcp_reader_open_ops(&L.r, on_open, &L) < 0) {
            if (!err[0])
                snprintf(err, errlen, "%s", L.r.err);
            goto out;
        }
        if (!(guess = wcp_guess_new(GUESS_SPANS))) {
            lerr(&L, "%s: out of memory", L.r.path);
            goto out;
        }
        wcp_reader_set_hook(&L.r, &(wcp_event_hook){guess_seen, guess_ready, guess});
        if (!L.opts->serial && !L.r.more_runs) /* the thread takes the source along */
            wcp_reader_start_thread(&L.r);     /* if it cannot start, this thread parses */
        wcp_event ev;
        int got;
        while ((got = wcp_reader_next(&L.r, &ev)) > 0) {
            if (put_event(&L, &ev) < 0)
                goto out;
            if (++st->events % PROGRESS_EVERY == 0 && L.opts->progress) {
                st->bytes = L.r.bytes;
                L.opts->progress(L.opts->progress_ctx, "reading", st, L.r.hdr.event_count);
            }
        }
        if (got < 0) {
            snprintf(err, errlen, "%s", L.r.err);
            goto out;
        }
        st->bytes = L.r.bytes;
        int more = wcp_reader_next_run(&L.r);
        if (more < 0) {
            snprintf(err, errlen, "%s", L.r.err);
            goto out;
        }
        if (!more)
            wcp_reader_close(&L.r); /* the parsing thread's memory is not needed to resolve */
        wcp_guess_free(guess);
        guess = NULL;
        /* The same dump again (its run, header and every event already there):
         * nothing changes at all, not even a dumps row (interfaces.md). A file
         * of several runs is one dump per run: only a one-run file is checked. */
        int64_t before = 0;
        if (first && !more && !st->new_run && !st->ops_added && !st->ops_completed &&
            !st->waits_added && !st->links_added && !st->other_added) {
            int found =
                exec_ints(db,
                          "SELECT id FROM dumps WHERE run_id = ?1 AND id != ?2 AND "
                          "dumped_unix_nano = ?3 AND event_count = ?4 AND "
                          "dropped_events = ?5 AND open_ops = ?6 ORDER BY id LIMIT 1",
                          &before, 6, L.run_id, L.dump_id, (int64_t)L.r.hdr.dumped,
                          (int64_t)L.r.hdr.event_count, (int64_t)L.r.hdr.dropped, L.open_ops);
            if (found < 0) {
                dberr(&L, "dumps");
                goto out;
            }
            if (found) {
                st->already_loaded = true;
                st->dump_id = before;
                rc = 0; /* in_tx: rolled back below */
                goto out;
            }
        }
        if (L.opts->progress)
            L.opts->progress(L.opts->progress_ctx, "resolving", st, L.r.hdr.event_count);
        /* every op still open ends at the run's latest "now" (in a new run they
         * were inserted so: no need to scan its ops) */
        if (!L.run_new &&
            exec_ints(
                db,
                "UPDATE ops SET end_ns = max(start_ns, ?2), self_ns = max(start_ns, ?2) - start_ns "
                "WHERE run_id = ?1 AND is_open = 1 AND end_ns != max(start_ns, ?2)",
                NULL, 2, L.run_id, L.now) < 0) {
            dberr(&L, "open ops");
            goto out;
        }
        /* a run this dump made has the ops it added: its graph's room */
        int64_t ops = L.run_new ? st->ops_added - L.base.ops_added : 0;
        wcp_graph_ops *given = L.giving ? &L.given : NULL;
        L.giving = false;
        if (wcp_materialize_run(db, L.run_id, ops, given, &st->parent_cycles, err, errlen) < 0 ||
            finish_dump_row(&L) < 0)
            goto out;
        if (!more)
            break;
    }
    if (recreate && sqlite3_exec(db, recreate, NULL, NULL, &msg) != SQLITE_OK) {
        lerr(&L, "%s: creating the indexes: %s", L.r.path, msg ? msg : "?");
        sqlite3_free(msg);
        goto out;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
        if (sqlite3_errcode(db) == SQLITE_BUSY)
            lerr(&L,
                 "%s: the database is locked by another process (a reader kept it past the busy "
                 "timeout): nothing was loaded; run again when it is done, or wait longer "
                 "(--busy-timeout MS)",
                 L.r.path);
        else
            lerr(&L, "%s: commit failed: %s", L.r.path, msg ? msg : "?");
        sqlite3_free(msg);
        goto out;
    }
    in_tx = false;
    rc = 0;
out:
    sqlite3_free(recreate);
    finalize_all(&L);
    if (in_tx)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    for (size_t k = 0; k < L.ent_cap; k++)
        free(L.ents[k].s);
    free(L.ents);
    free(L.smap);
    wcp_graph_ops_free(&L.given);
    wcp_reader_close(&L.r); /* joins the parsing thread, which used guess */
    wcp_guess_free(guess);
    return rc;
}

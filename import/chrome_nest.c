/* chrome_nest.c - a Chrome trace's records (chrome.c) turned into ops,
 * waits and links, and handed out through the reader's calls.
 *
 * At the end of the file, per (pid, tid): B and E are matched in time
 * order, then the slices are sorted by (start, longest first, file order)
 * and a stack gives each its enclosing slice; then the flows are bound to
 * slices and followed from hop to hop (a hop is a link, and a spawn or a
 * wait); the ops are numbered in order of start and dumps.extra says what
 * the conversion did. The result is handed out as a dump's records
 * (source.h): header (the string table), open ops (B never ended), events
 * (ops, then waits, then links). The notes on an import read dumps.extra
 * back for people.
 */
#define _GNU_SOURCE
#include "chrome_impl.h"

#include "grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int oom(chrome *ch)
{
    return cerr(ch, ch->line, 0, "out of memory");
}

/* ---- B/E, nesting, flows */

typedef struct skey {
    int64_t a, b; /* sort by a, then b, then seq */
    uint32_t seq, idx;
} skey;

static int skey_cmp(const void *x, const void *y)
{
    const skey *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    return p->seq < q->seq ? -1 : p->seq > q->seq;
}

static void sort_keys(skey *k, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (skey_cmp(&k[i - 1], &k[i]) > 0) {
            qsort(k, n, sizeof *k, skey_cmp);
            return;
        }
}

/* Matches B and E per thread in time order (ties: file order). */
static int match_ends(chrome *ch, skey *keys, uint32_t *stack)
{
    uint32_t *eoff = calloc(ch->nth + 1, sizeof *eoff);
    skey *ek = malloc((ch->nends + 1) * sizeof *ek);
    if (!eoff || !ek) {
        free(eoff);
        free(ek);
        return oom(ch);
    }
    for (size_t k = 0; k < ch->nends; k++)
        eoff[ch->ends[k].thread + 1]++;
    for (size_t t = 0; t < ch->nth; t++)
        eoff[t + 1] += eoff[t];
    uint32_t *fillp = calloc(ch->nth + 1, sizeof *fillp);
    if (!fillp) {
        free(eoff);
        free(ek);
        return oom(ch);
    }
    for (size_t k = 0; k < ch->nends; k++) {
        const bend *e = &ch->ends[k];
        ek[eoff[e->thread] + fillp[e->thread]++] = (skey){e->ts, 0, e->seq, (uint32_t)k};
    }
    free(fillp);
    for (size_t t = 0; t < ch->nth; t++) {
        thread *th = &ch->th[t];
        size_t nb = 0;
        for (uint32_t k = 0; k < th->count; k++) {
            const slice *s = &ch->sl[ch->order[th->first + k]];
            if (s->flags & SL_B)
                keys[nb++] = (skey){s->start, 0, s->seq, ch->order[th->first + k]};
        }
        skey *es = ek + eoff[t];
        size_t ne = eoff[t + 1] - eoff[t];
        sort_keys(keys, nb);
        sort_keys(es, ne);
        size_t i = 0, j = 0, sp = 0;
        while (i < nb || j < ne) {
            bool take_b = j == ne || (i < nb && (keys[i].a < es[j].a || (keys[i].a == es[j].a &&
                                                                         keys[i].seq < es[j].seq)));
            if (take_b)
                stack[sp++] = keys[i++].idx;
            else if (sp == 0) {
                ch->unmatched_ends++;
                j++;
            } else
                ch->sl[stack[--sp]].end = es[j++].a;
        }
        for (; sp; sp--) {
            ch->sl[stack[sp - 1]].flags |= SL_OPEN;
            ch->open_slices++;
        }
    }
    free(eoff);
    free(ek);
    return 0;
}

/* Gives each slice its enclosing slice on its thread. */
static void nest(chrome *ch, skey *keys, uint32_t *stack)
{
    for (size_t t = 0; t < ch->nth; t++) {
        thread *th = &ch->th[t];
        uint32_t *ord = ch->order + th->first;
        for (uint32_t k = 0; k < th->count; k++) {
            const slice *s = &ch->sl[ord[k]];
            keys[k] = (skey){s->start, -s->end, s->seq, ord[k]};
        }
        sort_keys(keys, th->count);
        size_t sp = 0;
        for (uint32_t k = 0; k < th->count; k++) {
            uint32_t i = keys[k].idx;
            slice *s = &ch->sl[i];
            ord[k] = i;
            while (sp && ch->sl[stack[sp - 1]].end < s->end &&
                   ch->sl[stack[sp - 1]].end <= s->start)
                sp--;
            size_t j = sp;
            while (j && ch->sl[stack[j - 1]].end < s->end)
                j--;
            s->parent = j ? (int32_t)stack[j - 1] : -1;
            if (j != sp)
                ch->misnested++;
            stack[sp++] = i;
        }
    }
}

/* The slice a v1 flow event binds to on its thread: the innermost one
 * enclosing its ts, or (f without "bp":"e") the first starting at or after it. */
static int32_t bind(const chrome *ch, const flow *f)
{
    const thread *th = &ch->th[f->thread];
    const uint32_t *ord = ch->order + th->first;
    size_t lo = 0, hi = th->count; /* first slice starting after ts (or at it, for next) */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int64_t s = ch->sl[ord[mid]].start;
        if (f->next ? s < f->ts : s <= f->ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (f->next)
        return lo < th->count ? (int32_t)ord[lo] : -1;
    if (lo == 0)
        return -1;
    int32_t s = (int32_t)ord[lo - 1];
    while (s >= 0 && ch->sl[s].end < f->ts)
        s = ch->sl[s].parent;
    return s;
}

static bool is_ancestor(const chrome *ch, int32_t a, int32_t of)
{
    for (int32_t s = ch->sl[of].parent; s >= 0; s = ch->sl[s].parent)
        if (s == a)
            return true;
    return false;
}

static int add_hop(chrome *ch, const flow *from, const flow *to)
{
    int32_t a = from->slice, b = to->slice;
    if (a < 0 || b < 0)
        return 0; /* counted as unbound already */
    if (a == b) {
        ch->flow_self++;
        return 0;
    }
    slice *sa = &ch->sl[a], *sb = &ch->sl[b];
    hop h = {.at_from = from->ts,
             .at_to = to->next ? sb->start : to->ts,
             .from = a,
             .to = b,
             .name = from->name ? from->name : to->name,
             .seq = to->seq,
             .wait = true};
    if (sb->parent < 0 && h.at_to == sb->start && sa->start <= sb->start && sb->end <= sa->end &&
        !is_ancestor(ch, b, a)) {
        sb->parent = a; /* spawned by a, and a waited for it */
        sb->flags |= SL_FLOW_PARENT;
        h.wait = false;
        ch->spawns++;
    } else if (is_ancestor(ch, a, b))
        h.wait = false; /* waiting on an enclosing op would be a cycle */
    else if (h.at_to < sa->end) {
        /* the target went on before its source ended (a flow leaving the
         * slice mid-way): it did not wait for the source's finish, and a
         * wait would make the replay join it (§3's 1 ms slack, meant for ns
         * dumps, covers a whole sub-ms slice): a link only */
        h.wait = false;
        ch->flow_early++;
    } else
        ch->flow_waits++;
    if (!wcp_grow((void **)&ch->hops, &ch->hopcap, ch->nhops + 1, sizeof *ch->hops))
        return oom(ch);
    ch->hops[ch->nhops++] = h;
    return 0;
}

static int flow_cmp(const void *x, const void *y)
{
    const flow *p = x, *q = y;
    if (p->key != q->key)
        return p->key < q->key ? -1 : 1;
    if (p->ts != q->ts)
        return p->ts < q->ts ? -1 : 1;
    if (p->order != q->order)
        return p->order < q->order ? -1 : 1;
    return p->seq < q->seq ? -1 : p->seq > q->seq;
}

static int follow_flows(chrome *ch)
{
    for (size_t k = 0; k < ch->nfl; k++) {
        flow *f = &ch->fl[k];
        if (f->slice < 0 && ch->th[f->thread].count)
            f->slice = bind(ch, f);
        if (f->slice < 0)
            ch->flow_unbound++;
    }
    if (ch->nfl)
        qsort(ch->fl, ch->nfl, sizeof *ch->fl, flow_cmp);
    for (size_t i = 0; i < ch->nfl;) {
        size_t j = i;
        const flow *open = NULL;
        for (; j < ch->nfl && ch->fl[j].key == ch->fl[i].key; j++) {
            const flow *f = &ch->fl[j];
            if (f->ph == 's') {
                ch->flow_unfinished += open != NULL;
                open = f;
                continue;
            }
            if (!open)
                ch->flow_orphans++;
            else if (add_hop(ch, open, f) < 0)
                return -1;
            open = f->ph == 't' ? f : NULL;
        }
        ch->flow_unfinished += open != NULL;
        i = j;
    }
    return 0;
}

static json_t *id_json(const chrome *ch, int64_t v, bool is_str)
{
    if (!is_str)
        return json_integer(v);
    size_t n;
    const char *s = wcp_strtab_get(&ch->st, (uint32_t)v, &n);
    return json_stringn(s, n);
}

/* dumps.extra: where the run came from and what the conversion did. */
static int make_extra(chrome *ch)
{
    json_t *x = json_object(), *threads = json_array(), *procs = json_array(), *ign = json_object(),
           *flows = json_object();
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)ch->hash);
    json_object_set_new(x, "format", json_string("chrome"));
    json_object_set_new(x, "content_hash", json_string(hex));
    json_object_set_new(x, "trace_events", json_integer(ch->events));
    json_object_set_new(x, "origin_ns", json_integer(ch->origin));
    for (size_t t = 0; t < ch->nth; t++) {
        const thread *th = &ch->th[t];
        json_t *o = json_object();
        json_object_set_new(o, "pid", id_json(ch, th->pid, th->pid_str));
        json_object_set_new(o, "tid", id_json(ch, th->tid, th->tid_str));
        json_object_set_new(o, "thread_id", json_integer(th->thread_id));
        if (th->name)
            json_object_set_new(o, "name", id_json(ch, th->name, true));
        json_object_set_new(o, "ops", json_integer(th->count));
        json_array_append_new(threads, o);
    }
    for (size_t k = 0; k < ch->npr; k++) {
        json_t *o = json_object();
        json_object_set_new(o, "pid", id_json(ch, ch->pr[k].pid, ch->pr[k].pid_str));
        json_object_set_new(o, "name", id_json(ch, ch->pr[k].name, true));
        json_array_append_new(procs, o);
    }
    for (size_t k = 0; k < ch->nign; k++)
        json_object_set_new(ign, ch->ign[k].ph, json_integer(ch->ign[k].n));
    json_object_set_new(x, "threads", threads);
    json_object_set_new(x, "processes", procs);
    json_object_set_new(x, "ignored", ign);
    json_object_set_new(x, "clang_totals", json_integer(ch->clang_totals));
    json_object_set_new(x, "unmatched_ends", json_integer(ch->unmatched_ends));
    json_object_set_new(x, "open_slices", json_integer(ch->open_slices));
    json_object_set_new(x, "negative_durations", json_integer(ch->negative_durs));
    json_object_set_new(x, "misnested", json_integer(ch->misnested));
    json_object_set_new(flows, "events", json_integer(ch->flow_events + ch->flow_no_id));
    json_object_set_new(flows, "hops", json_integer((json_int_t)ch->nhops));
    json_object_set_new(flows, "spawns", json_integer(ch->spawns));
    json_object_set_new(flows, "waits", json_integer(ch->flow_waits));
    json_object_set_new(flows, "before_source_end", json_integer(ch->flow_early));
    json_object_set_new(flows, "no_id", json_integer(ch->flow_no_id));
    json_object_set_new(flows, "unbound", json_integer(ch->flow_unbound));
    json_object_set_new(flows, "unfinished", json_integer(ch->flow_unfinished));
    json_object_set_new(flows, "orphans", json_integer(ch->flow_orphans));
    json_object_set_new(flows, "within_one_slice", json_integer(ch->flow_self));
    json_object_set_new(x, "flows", flows);
    json_object_set(x, "meta", ch->meta);
    if (json_array_size(ch->meta_skipped))
        json_object_set(x, "meta_skipped", ch->meta_skipped);
    ch->extra = json_dumps(x, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(x);
    return ch->extra ? 0 : oom(ch);
}

/* Op ids in order of start, as a recorder numbers ops when they begin (it
 * also makes the database's inserts nearly sequential): a merge of the
 * threads' orders, so an enclosing slice comes before the slices starting
 * with it on its thread; ties between threads go by file order. */
static bool head_before(const chrome *ch, const uint32_t *pos, uint32_t a, uint32_t b)
{
    const slice *x = &ch->sl[ch->order[pos[a]]], *y = &ch->sl[ch->order[pos[b]]];
    return x->start != y->start ? x->start < y->start : x->seq < y->seq;
}

static void sift_down(const chrome *ch, const uint32_t *pos, uint32_t *heap, size_t n, size_t i)
{
    for (;;) {
        size_t m = i, l = 2 * i + 1, r = l + 1;
        if (l < n && head_before(ch, pos, heap[l], heap[m]))
            m = l;
        if (r < n && head_before(ch, pos, heap[r], heap[m]))
            m = r;
        if (m == i)
            return;
        uint32_t t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

static int number_ops(chrome *ch)
{
    ch->by_id = malloc((ch->nsl + 1) * sizeof *ch->by_id);
    ch->id_of = malloc((ch->nsl + 1) * sizeof *ch->id_of);
    uint32_t *heap = malloc((ch->nth + 1) * sizeof *heap),
             *pos = malloc((ch->nth + 1) * sizeof *pos);
    if (!ch->by_id || !ch->id_of || !heap || !pos) {
        free(heap);
        free(pos);
        return oom(ch);
    }
    size_t n = 0; /* threads with slices left; pos: each one's next */
    for (uint32_t t = 0; t < ch->nth; t++)
        if (ch->th[t].count) {
            pos[t] = ch->th[t].first;
            heap[n++] = t;
        }
    for (size_t i = n; i-- > 0;)
        sift_down(ch, pos, heap, n, i);
    for (uint32_t id = 0; n; id++) {
        uint32_t t = heap[0], s = ch->order[pos[t]++];
        ch->by_id[id] = s;
        ch->id_of[s] = id;
        if (pos[t] == ch->th[t].first + ch->th[t].count)
            heap[0] = heap[--n];
        sift_down(ch, pos, heap, n, 0);
    }
    free(heap);
    free(pos);
    return 0;
}

static int64_t op_id(const chrome *ch, int32_t slice)
{
    return slice < 0 ? 0 : (int64_t)ch->id_of[slice] + 1;
}

int wcp_chrome_convert(chrome *ch)
{
    size_t n = ch->nsl;
    ch->order = malloc((n + 1) * sizeof *ch->order);
    uint32_t *off = calloc(ch->nth + 1, sizeof *off), *stack = malloc((n + 1) * sizeof *stack);
    skey *keys = malloc((n + 1) * sizeof *keys);
    int rc = -1;
    if (!ch->order || !off || !stack || !keys) {
        oom(ch);
        goto out;
    }
    for (size_t k = 0; k < n; k++)
        off[ch->sl[k].thread + 1]++;
    for (size_t t = 0; t < ch->nth; t++) {
        ch->th[t].first = off[t];
        ch->th[t].count = off[t + 1];
        off[t + 1] += off[t];
    }
    for (size_t k = 0; k < n; k++)
        ch->order[off[ch->sl[k].thread]++] = (uint32_t)k;
    if (match_ends(ch, keys, stack) < 0)
        goto out;
    ch->origin = 0;
    for (size_t k = 0; k < n; k++)
        if (k == 0 || ch->sl[k].start < ch->origin)
            ch->origin = ch->sl[k].start;
    for (size_t k = 0; k < n; k++)
        if (ch->sl[k].flags & SL_OPEN)
            ch->sl[k].end = ch->last_ts;
    nest(ch, keys, stack);
    if (follow_flows(ch) < 0 || number_ops(ch) < 0 || make_extra(ch) < 0)
        goto out;
    if (wcp_strtab_intern(&ch->st, DEFAULT_KIND, strlen(DEFAULT_KIND), &ch->kind_default) < 0) {
        oom(ch);
        goto out;
    }
    rc = 0;
out:
    free(off);
    free(stack);
    free(keys);
    return rc;
}

/* ---- handing out (the reader's calls, source.h) */

static wcp_str str_at(const chrome *ch, uint32_t k)
{
    wcp_str s;
    s.p = wcp_strtab_get(&ch->st, k, &s.n);
    return s;
}

int wcp_chrome_open_ops(wcp_reader *r, wcp_open_fn on_open, void *ctx)
{
    chrome *ch = r->src_state;
    for (size_t k = 0; k < ch->nsl; k++) {
        const slice *s = &ch->sl[ch->by_id[k]];
        if (!(s->flags & SL_OPEN))
            continue;
        wcp_open_op o = {.id = (int64_t)k + 1,
                         .parent = op_id(ch, s->parent),
                         .start = s->start - ch->origin,
                         .th = ch->th[s->thread].thread_id,
                         .has_th = true,
                         .kind = str_at(ch, s->cat ? s->cat : ch->kind_default),
                         .work_type = {"", 0},
                         .c = s->name,
                         .i = s->ident,
                         .cl = 0,
                         .extra = {"", 0}};
        r->line = (long)s->seq + 1;
        int rc = on_open(ctx, &o);
        if (rc)
            return rc;
    }
    return 0;
}

/* Frees what reading kept, once every event has been handed out (the loader
 * then resolves the run: its graph should not share the memory with ours). */
void wcp_chrome_release(chrome *ch)
{
    wcp_strtab_free(&ch->st);
    wcp_strtab_free(&ch->fkeys);
    free(ch->scratch);
    free(ch->sl);
    free(ch->ends);
    free(ch->fl);
    free(ch->hops);
    free(ch->th);
    free(ch->thslot);
    free(ch->order);
    free(ch->by_id);
    free(ch->id_of);
    ch->scratch = NULL;
    ch->sl = NULL;
    ch->ends = NULL;
    ch->fl = NULL;
    ch->hops = NULL;
    ch->th = NULL;
    ch->thslot = NULL;
    ch->order = ch->by_id = ch->id_of = NULL;
    ch->nsl = ch->nends = ch->nfl = ch->nhops = ch->nth = 0;
    ch->scap = ch->slcap = ch->endcap = ch->flcap = ch->hopcap = ch->thcap = ch->thscap = 0;
}

int wcp_chrome_next(wcp_reader *r, wcp_event *ev)
{
    chrome *ch = r->src_state;
    if (ch->out_stage == 3)
        return 0;
    memset(ev, 0, sizeof *ev);
    ev->extra = ev->line = ev->k = ev->w = ev->o = ev->rs = ev->lk = (wcp_str){"", 0};
    for (;;) {
        if (ch->out_stage == 0) { /* ops */
            while (ch->out_i < ch->nsl && (ch->sl[ch->by_id[ch->out_i]].flags & SL_OPEN))
                ch->out_i++;
            if (ch->out_i < ch->nsl) {
                const slice *s = &ch->sl[ch->by_id[ch->out_i]];
                ev->type = WCP_EV_OP;
                ev->e = (wcp_str){"op", 2};
                ev->id = (int64_t)ch->out_i + 1;
                ev->p = op_id(ch, s->parent);
                ev->k = str_at(ch, s->cat ? s->cat : ch->kind_default);
                ev->c = s->name;
                ev->i = s->ident;
                ev->s = s->start - ch->origin;
                ev->d = s->end - ch->origin;
                ev->th = ch->th[s->thread].thread_id;
                ev->has_th = true;
                ev->clamped = (s->flags & SL_CLAMPED) != 0;
                r->line = (long)s->seq + 1;
                ch->out_i++;
                return 1;
            }
            ch->out_stage = 1;
            ch->out_i = 0;
        }
        if (ch->out_i >= ch->nhops) {
            if (ch->out_stage == 2) {
                wcp_chrome_release(ch);
                ch->out_stage = 3;
                return 0;
            }
            ch->out_stage = 2; /* links */
            ch->out_i = 0;
            continue;
        }
        const hop *h = &ch->hops[ch->out_i++];
        if (ch->out_stage == 1 && !h->wait)
            continue;
        const uint32_t flow_name = h->name;
        r->line = (long)h->seq + 1;
        if (ch->out_stage == 1) { /* waits */
            ev->type = WCP_EV_WAIT;
            ev->e = (wcp_str){"wait", 4};
            ev->rs = (wcp_str){"flow", 4};
            ev->p = op_id(ch, h->to);
            ev->t = op_id(ch, h->from);
            ev->s = ev->d = h->at_to - ch->origin;
            ev->th = ch->th[ch->sl[h->to].thread].thread_id;
            ev->has_th = true;
        } else { /* links */
            ev->type = WCP_EV_LINK;
            ev->e = (wcp_str){"link", 4};
            ev->lk = (wcp_str){"flow", 4};
            ev->p = op_id(ch, h->from);
            ev->t = op_id(ch, h->to);
            ev->s = ev->d = h->at_from - ch->origin;
        }
        ev->i = flow_name;
        return 1;
    }
}

/* ---- notes for people: what dumps.extra says the conversion left out or guessed */

static json_int_t jint(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

char *wcp_chrome_notes(json_t *x, const char *prefix)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    json_t *ign = json_object_get(x, "ignored"), *fl = json_object_get(x, "flows");
    json_int_t total = jint(x, "clang_totals");
    const char *k;
    json_t *v;
    json_object_foreach(ign, k, v) total += json_integer_value(v);
    if (total) {
        fprintf(f, "%s: note: ignored %lld events:", prefix, (long long)total);
        const char *sep = " ";
        json_object_foreach(ign, k, v)
        {
            fprintf(f, "%s%lld %s", sep, (long long)json_integer_value(v), k);
            sep = ", ";
        }
        if (jint(x, "clang_totals"))
            fprintf(f, "%s%lld clang totals (X \"Total ...\", summaries of the other events)", sep,
                    (long long)jint(x, "clang_totals"));
        fputc('\n', f);
    }
    if (jint(x, "unmatched_ends"))
        fprintf(f, "%s: note: %lld E events without a matching B were skipped\n", prefix,
                (long long)jint(x, "unmatched_ends"));
    if (jint(x, "open_slices"))
        fprintf(
            f,
            "%s: note: %lld B events never ended: open ops, ending at the trace's last timestamp\n",
            prefix, (long long)jint(x, "open_slices"));
    if (jint(x, "negative_durations"))
        fprintf(f, "%s: note: %lld X events with a negative dur were kept with dur 0\n", prefix,
                (long long)jint(x, "negative_durations"));
    if (jint(x, "misnested"))
        fprintf(
            f,
            "%s: note: %lld slices overlap their thread's enclosing slice without nesting in it\n",
            prefix, (long long)jint(x, "misnested"));
    json_int_t lost =
        jint(fl, "no_id") + jint(fl, "unbound") + jint(fl, "unfinished") + jint(fl, "orphans");
    if (lost)
        fprintf(
            f,
            "%s: note: flows: %lld events without an id, %lld bound to no slice, %lld never finished, "
            "%lld steps or ends without a start\n",
            prefix, (long long)jint(fl, "no_id"), (long long)jint(fl, "unbound"),
            (long long)jint(fl, "unfinished"), (long long)jint(fl, "orphans"));
    fclose(f);
    if (len == 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

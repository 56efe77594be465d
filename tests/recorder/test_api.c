/*
 * test_api.c - cmocka tests of every libwcprof API call and of the dumps
 * it writes (checked strictly by dumpcheck). Tests run in order in one
 * process; the first runs before anything enabled the recorder.
 */
#define _GNU_SOURCE /* gettid */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#define STR_OF(d, ev, key) dc_str((d), dc_int((ev), (key)))

/* Never enabled: every call is a no-op and a dump is valid and empty. */
static void test_never_enabled(void **state)
{
    (void)state;
    assert_int_equal(wcp_active(), 0);
    assert_int_equal(wcp_is_enabled(), 0);
    wcp_op op = wcp_begin(WCP_KIND_CALL, "x");
    assert_int_equal(op.h, 0);
    assert_int_equal(wcp_op_id(op), 0);
    wcp_end(op, WCP_OUTCOME_OK);
    wcp_op_set_ident(op, "i");
    wcp_op_set_meta(op, "[\"m\"]");
    wcp_op_set_meta(op, NULL);
    assert_int_equal(wcp_op_outcome(op), 0);
    wcp_wait w = wcp_wait_begin(WCP_REASON_LOCK, WCP_NIL);
    assert_int_equal(w.state, 0);
    wcp_wait_end(&w);
    wcp_link(WCP_LINK_RESULT, WCP_NIL, NULL, 1);
    assert_int_equal(wcp_current().id, 0);
    assert_int_equal(wcp_now(), 0);
    wcp_op_args a = {.kind = WCP_KIND_IO, .cls = "x"};
    assert_int_equal(wcp_record(WCP_NIL, &a, 0, 1, 2), 0);
    dc_dump d;
    assert_int_equal(take_dump(0, &d), 0);
    assert_int_equal(json_array_size(d.events), 0);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_TWICE), 0);
    dc_free(&d);
}

static void test_errors(void **state)
{
    (void)state;
    assert_string_equal(wcp_strerror(0), "success");
    assert_string_equal(wcp_err_name(WCP_EINVAL), "INVAL");
    assert_string_equal(wcp_strerror(WCP_ENOMEM), "out of memory");
    assert_string_equal(wcp_strerror(12345), "unknown error");
    assert_string_equal(wcp_err_name(-99), "UNKNOWN");
    assert_int_equal(wcp_set_limit(0, WCP_LIMIT_DROP), WCP_EINVAL);
    assert_int_equal(wcp_set_limit(10, (wcp_limit_mode)7), WCP_EINVAL);
    assert_int_equal(wcp_dump_fd(-1, 0), WCP_EINVAL);
    assert_int_equal(wcp_dump_file(NULL, 0), WCP_EINVAL);
    assert_int_equal(wcp_dump_path(NULL, 0), WCP_EINVAL);
    assert_int_equal(wcp_dump_on_signal(0, "x"), WCP_EINVAL);
}

static int setup_enabled(void **state)
{
    (void)state;
    wcp_enable();
    drain();
    return 0;
}

/* Nested ops: the child names the parent, times nest, names resolve. */
static void test_nesting(void **state)
{
    (void)state;
    assert_int_equal(wcp_is_enabled(), 1);
    wcp_op a = wcp_begin(WCP_KIND_SESSION_PHASE, "session.query");
    assert_int_equal(wcp_current().id, a.id);
    wcp_op b = wcp_begin(WCP_KIND_CALL, "Container.withExec");
    assert_int_equal(wcp_current().id, b.id);
    assert_true(b.id != a.id && a.id != 0);
    wcp_end(b, WCP_OUTCOME_EXECUTED);
    assert_int_equal(wcp_current().id, a.id);
    wcp_end(a, WCP_OUTCOME_OK);
    assert_int_equal(wcp_current().id, 0);

    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    assert_int_equal(json_array_size(d.events), 2);
    json_t *ea = find_event(&d, "op", "id", (json_int_t)a.id);
    json_t *eb = find_event(&d, "op", "id", (json_int_t)b.id);
    assert_non_null(ea);
    assert_non_null(eb);
    assert_int_equal(dc_int(eb, "p"), a.id);
    assert_null(json_object_get(ea, "p"));
    assert_string_equal(dc_s(ea, "k"), "session_phase");
    assert_string_equal(dc_s(eb, "k"), "call");
    assert_string_equal(dc_s(eb, "o"), "executed");
    assert_string_equal(STR_OF(&d, eb, "c"), "Container.withExec");
    assert_string_equal(STR_OF(&d, ea, "c"), "session.query");
    assert_true(dc_int(ea, "s") <= dc_int(eb, "s"));
    assert_true(dc_int(eb, "d") <= dc_int(ea, "d"));
    assert_int_equal(dc_int(ea, "th"), (json_int_t)gettid());
    assert_true(dc_int(d.header, "dumped_unix_nano") - dc_int(d.header, "epoch_unix_nano") >=
                dc_int(ea, "d"));
    dc_free(&d);
}

/* Every field of an op, set at begin, after begin, and at end. */
static void test_op_fields(void **state)
{
    (void)state;
    wcp_op op = wcp_begin_ex(&(wcp_op_args){.kind = WCP_KIND_EXEC,
                                            .work = WCP_WORK_USER,
                                            .cls = "exec.run",
                                            .client = "client-1",
                                            .result = 77});
    wcp_op_set_ident(op, "digest-1");
    wcp_op_set_ident(op, wcp_intern("digest-2"));
    assert_int_equal(wcp_op_outcome(op), WCP_OUTCOME_NONE);
    wcp_op_set_outcome(op, WCP_OUTCOME_HIT);
    assert_int_equal(wcp_op_outcome(op), WCP_OUTCOME_HIT);
    wcp_end(op, WCP_OUTCOME_NONE);                          /* uses the hint */
    assert_int_equal(wcp_op_outcome(op), WCP_OUTCOME_NONE); /* ended */

    wcp_op op2 = wcp_begin(WCP_KIND_CALL, "c2");
    wcp_op_set_result(op2, 5);
    wcp_end_result(op2, WCP_OUTCOME_ERROR, 9);
    wcp_op op3 = wcp_begin(WCP_KIND_CALL, "c3");
    wcp_op_set_result(op3, 5);
    wcp_end(op3, WCP_OUTCOME_OK);

    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    json_t *e = find_event(&d, "op", "id", (json_int_t)op.id);
    assert_string_equal(dc_s(e, "k"), "exec");
    assert_string_equal(dc_s(e, "w"), "user");
    assert_string_equal(dc_s(e, "o"), "hit");
    assert_string_equal(STR_OF(&d, e, "i"), "digest-2");
    assert_string_equal(STR_OF(&d, e, "cl"), "client-1");
    assert_int_equal(dc_int(e, "r"), 77);
    e = find_event(&d, "op", "id", (json_int_t)op2.id);
    assert_int_equal(dc_int(e, "r"), 9);
    assert_string_equal(dc_s(e, "o"), "error");
    assert_null(json_object_get(e, "w")); /* empty string keys are left out */
    assert_null(json_object_get(e, "i"));
    e = find_event(&d, "op", "id", (json_int_t)op3.id);
    assert_int_equal(dc_int(e, "r"), 5);
    dc_free(&d);
}

/* Op metadata (wcp_op_set_meta): `m` on the op event, `meta_id` on an
 * open op; the last one set counts, NULL clears it, setting it on an
 * ended op changes nothing; it survives the outcome hint, an op ended out
 * of order (spliced) and an op begun with wcp_begin_in. */
static void test_op_meta(void **state)
{
    (void)state;
    static const char argv_go[] = "[\"go\",\"build\",\"./...\"]";
    uint64_t oo = wcp_misuse_count(WCP_MISUSE_END_OUT_OF_ORDER);
    wcp_op ex = wcp_begin(WCP_KIND_EXEC, "exec.run");
    wcp_op_set_meta(ex, "[\"first\"]");
    wcp_op_set_meta(ex, argv_go); /* the last one counts */
    wcp_op_set_outcome(ex, WCP_OUTCOME_HIT);
    wcp_op kid = wcp_begin(WCP_KIND_IO, "io.read");
    wcp_op_set_meta(kid, "[\"cleared\"]");
    wcp_op_set_meta(kid, NULL);
    wcp_op in = wcp_begin_in(ex, &(wcp_op_args){.kind = WCP_KIND_EXEC, .cls = "exec.in"});
    char buf[32];
    snprintf(buf, sizeof buf, "[\"sh\",\"-c\",\"%d\"]", 7);
    wcp_op_set_meta(in, wcp_intern(buf));

    dc_dump d; /* all open */
    assert_int_equal(take_dump(0, &d), 0);
    json_t *o = find_open(&d, (json_int_t)ex.id);
    assert_non_null(o);
    assert_string_equal(dc_str(&d, dc_int(o, "meta_id")), argv_go);
    assert_null(json_object_get(find_open(&d, (json_int_t)kid.id), "meta_id"));
    assert_string_equal(dc_str(&d, dc_int(find_open(&d, (json_int_t)in.id), "meta_id")),
                        "[\"sh\",\"-c\",\"7\"]");
    dc_free(&d);

    wcp_end(ex, WCP_OUTCOME_NONE);          /* out of order: kid is still open */
    wcp_op_set_meta(ex, "[\"after end\"]"); /* ignored */
    wcp_end(kid, WCP_OUTCOME_OK);
    wcp_end(in, WCP_OUTCOME_OK);
    wcp_op_set_meta(in, "[\"after end\"]");
    uint64_t rid = wcp_record(WCP_NIL, &(wcp_op_args){.kind = WCP_KIND_IO, .cls = "rec"}, 0, 1, 2);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_OUT_OF_ORDER), oo + 1);
    wcp_op after = wcp_begin(WCP_KIND_CALL, "after"); /* the thread's chain is sound */
    assert_int_equal(wcp_current().id, after.id);
    wcp_end(after, WCP_OUTCOME_OK);
    assert_int_equal(wcp_current().id, 0);

    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    json_t *e = find_event(&d, "op", "id", (json_int_t)ex.id);
    assert_string_equal(STR_OF(&d, e, "m"), argv_go);
    assert_string_equal(dc_s(e, "o"), "hit");
    assert_string_equal(dc_s(e, "k"), "exec");
    e = find_event(&d, "op", "id", (json_int_t)kid.id);
    assert_null(json_object_get(e, "m"));
    assert_int_equal(dc_int(e, "p"), (json_int_t)ex.id);
    e = find_event(&d, "op", "id", (json_int_t)in.id);
    assert_string_equal(STR_OF(&d, e, "m"), "[\"sh\",\"-c\",\"7\"]");
    assert_null(json_object_get(find_event(&d, "op", "id", (json_int_t)rid), "m"));
    assert_null(json_object_get(find_event(&d, "op", "id", (json_int_t)after.id), "m"));
    assert_null(json_object_get(d.header, "open_ops"));
    dc_free(&d);
    wcp_op_set_meta(WCP_NIL, "[\"nil\"]"); /* no-op */
}

/* An op not ended yet is in the header's open_ops, not an event; once
 * ended it is an event and no longer open. */
static void test_open_ops(void **state)
{
    (void)state;
    wcp_op op = wcp_begin_ex(&(wcp_op_args){
        .kind = WCP_KIND_LAZY, .work = WCP_WORK_ENGINE, .cls = "lazy.eval", .ident = "id9"});
    wcp_op kid = wcp_begin(WCP_KIND_IO, "io.read");
    dc_dump d;
    assert_int_equal(take_dump(0, &d), 0);
    assert_int_equal(json_array_size(d.events), 0);
    json_t *o = find_open(&d, (json_int_t)op.id);
    assert_non_null(o);
    assert_string_equal(dc_s(o, "kind"), "lazy");
    assert_string_equal(dc_s(o, "work_type"), "engine");
    assert_string_equal(dc_str(&d, dc_int(o, "class_id")), "lazy.eval");
    assert_string_equal(dc_str(&d, dc_int(o, "ident_id")), "id9");
    assert_int_equal(dc_int(o, "thread_id"), (json_int_t)gettid());
    assert_int_equal(dc_int(find_open(&d, (json_int_t)kid.id), "parent_id"), op.id);
    dc_free(&d);
    wcp_end(kid, 0);
    wcp_end(op, 0);
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    assert_null(json_object_get(d.header, "open_ops"));
    assert_int_equal(json_array_size(d.events), 2);
    assert_non_null(find_event(&d, "op", "id", (json_int_t)op.id));
    dc_free(&d);
}

static wcp_op handed;
static uint64_t worker_op_id;
static int worker_tid;

static void *worker(void *arg)
{
    (void)arg;
    WCP_ADOPT(handed);
    wcp_op w = wcp_begin(WCP_KIND_CALL, "worker.task");
    worker_op_id = w.id;
    worker_tid = gettid();
    wcp_end(w, WCP_OUTCOME_OK);
    return NULL;
}

/* Work handed to another thread is attributed through the context; the
 * explicit-context calls leave the thread's current op alone. */
static void test_handoff(void **state)
{
    (void)state;
    wcp_op root = wcp_begin(WCP_KIND_SESSION_PHASE, "root");
    handed = wcp_current();
    pthread_t th;
    pthread_create(&th, NULL, worker, NULL);
    pthread_join(th, NULL);
    wcp_op cb = wcp_begin_in(root, &(wcp_op_args){.kind = WCP_KIND_CALL, .cls = "callback"});
    assert_int_equal(wcp_current().id, root.id); /* untouched */
    wcp_op prev = wcp_adopt(WCP_NIL);
    assert_int_equal(prev.id, root.id);
    wcp_end(cb, WCP_OUTCOME_OK); /* explicit ops need not be current */
    wcp_adopt(prev);
    wcp_end(root, WCP_OUTCOME_OK);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_OUT_OF_ORDER), 0);

    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    json_t *w = find_event(&d, "op", "id", (json_int_t)worker_op_id);
    assert_int_equal(dc_int(w, "p"), root.id);
    assert_int_equal(dc_int(w, "th"), worker_tid);
    assert_true(worker_tid != gettid());
    assert_int_equal(dc_int(find_event(&d, "op", "id", (json_int_t)cb.id), "p"), root.id);
    dc_free(&d);
}

static void test_waits(void **state)
{
    (void)state;
    wcp_op target = wcp_begin_in(WCP_NIL, &(wcp_op_args){.kind = WCP_KIND_CALL_EXEC, .cls = "x"});
    wcp_op op = wcp_begin(WCP_KIND_CALL, "joiner");
    wcp_wait w1 = wcp_wait_begin(WCP_REASON_SINGLEFLIGHT, target);
    wcp_wait_end(&w1);
    wcp_wait w2 = wcp_wait_begin_on(WCP_REASON_LOCK, "cache.lock");
    wcp_wait_end(&w2);
    wcp_wait w3 = wcp_wait_begin(WCP_REASON_CALL_EXEC, WCP_NIL);
    wcp_wait_set_target(&w3, target);
    wcp_wait_end(&w3);
    wcp_wait w4 = wcp_wait_begin_in(target, WCP_REASON_IO, WCP_NIL, "disk");
    wcp_wait_end(&w4);
    {
        WCP_WAIT(w5, WCP_REASON_LAZY, target);
        (void)w5;
    }
    wcp_end(op, WCP_OUTCOME_JOINED);
    wcp_end(target, WCP_OUTCOME_OK);

    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    assert_int_equal(json_array_size(d.events), 7);
    json_t *e = find_event(&d, "wait", "t", (json_int_t)target.id);
    assert_int_equal(dc_int(e, "p"), op.id);
    assert_string_equal(dc_s(e, "rs"), "singleflight");
    assert_int_equal(dc_int(e, "th"), (json_int_t)gettid());
    e = find_event(&d, "wait", "p", (json_int_t)target.id);
    assert_string_equal(dc_s(e, "rs"), "io");
    assert_string_equal(STR_OF(&d, e, "i"), "disk");
    assert_null(json_object_get(e, "t"));
    size_t i, locks = 0, execs = 0, lazies = 0;
    json_t *x;
    json_array_foreach(d.events, i, x)
    {
        if (strcmp(dc_s(x, "rs"), "lock") == 0) {
            locks++;
            assert_string_equal(STR_OF(&d, x, "i"), "cache.lock");
            assert_null(json_object_get(x, "t"));
        }
        if (strcmp(dc_s(x, "rs"), "call_exec") == 0) {
            execs++;
            assert_int_equal(dc_int(x, "t"), target.id);
        }
        lazies += strcmp(dc_s(x, "rs"), "lazy") == 0;
    }
    assert_int_equal(locks + execs + lazies, 3);
    dc_free(&d);
}

static void test_links(void **state)
{
    (void)state;
    wcp_op other = wcp_begin_in(WCP_NIL, &(wcp_op_args){.kind = WCP_KIND_CALL, .cls = "o"});
    wcp_op op = wcp_begin(WCP_KIND_EXEC, "exec.run");
    wcp_link(WCP_LINK_NESTED_CLIENT, WCP_NIL, "nested-client-1", 0);
    wcp_link_from(other, WCP_LINK_REUSED_RESULT, op, NULL, 42);
    wcp_end(op, 0);
    wcp_end(other, 0);
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    json_t *e = find_event(&d, "link", "p", (json_int_t)op.id);
    assert_string_equal(dc_s(e, "lk"), "nested_client");
    assert_string_equal(STR_OF(&d, e, "i"), "nested-client-1");
    assert_int_equal(dc_int(e, "s"), dc_int(e, "d"));
    assert_null(json_object_get(e, "th"));
    e = find_event(&d, "link", "p", (json_int_t)other.id);
    assert_string_equal(dc_s(e, "lk"), "reused_result");
    assert_int_equal(dc_int(e, "t"), op.id);
    assert_int_equal(dc_int(e, "r"), 42);
    dc_free(&d);
}

static void test_record_and_now(void **state)
{
    (void)state;
    int64_t t0 = wcp_now();
    usleep(1000);
    int64_t t1 = wcp_now();
    assert_true(t1 - t0 >= 1000000);
    wcp_op parent = wcp_begin(WCP_KIND_CALL, "p");
    uint64_t id = wcp_record(parent, &(wcp_op_args){.kind = WCP_KIND_IO, .cls = "io.past"},
                             WCP_OUTCOME_OK, t0, t1);
    assert_true(id != 0);
    uint64_t id2 =
        wcp_record(WCP_NIL, &(wcp_op_args){.kind = WCP_KIND_IO, .cls = "io.backwards"}, 0, t1, t0);
    assert_int_equal(wcp_record(WCP_NIL, NULL, 0, 1, 2), 0);
    wcp_end(parent, 0);
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    json_t *e = find_event(&d, "op", "id", (json_int_t)id);
    assert_int_equal(dc_int(e, "s"), t0);
    assert_int_equal(dc_int(e, "d"), t1);
    assert_int_equal(dc_int(e, "p"), parent.id);
    e = find_event(&d, "op", "id", (json_int_t)id2);
    assert_int_equal(dc_int(e, "d"), t1); /* d < s is stored as s */
    /* recorder time and tick time agree to within a millisecond */
    json_t *pe = find_event(&d, "op", "id", (json_int_t)parent.id);
    assert_true(dc_int(pe, "s") >= t1 - 1000000 && dc_int(pe, "s") <= wcp_now());
    dc_free(&d);
}

/* Misuse is counted, reported in the header, and the data stay valid. */
static void test_misuse(void **state)
{
    (void)state;
    wcp_op a = wcp_begin(WCP_KIND_CALL, "a");
    wcp_op b = wcp_begin(WCP_KIND_CALL, "b");
    wcp_end(a, 0); /* out of order */
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_OUT_OF_ORDER), 1);
    assert_int_equal(wcp_current().id, b.id);
    wcp_end(b, 0);
    assert_int_equal(wcp_current().id, 0); /* a was spliced out */
    wcp_end(b, 0);                         /* twice */
    wcp_end(a, 0);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_TWICE), 2);
    wcp_wait w = wcp_wait_begin(WCP_REASON_LOCK, WCP_NIL); /* outside any op */
    assert_int_equal(w.state, 0);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_WAIT_OUTSIDE_OP), 1);
    wcp_link(WCP_LINK_RESULT, WCP_NIL, NULL, 3);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_LINK_OUTSIDE_OP), 1);
    wcp_op c = wcp_begin(WCP_KIND_CALL, "c");
    wcp_wait w2 = wcp_wait_begin_on(WCP_REASON_LOCK, "mu");
    wcp_wait_end(&w2);
    wcp_wait_end(&w2);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_WAIT_END_TWICE), 1);
    /* a copy of a wait ended after the original: counted, not recorded */
    wcp_wait w3 = wcp_wait_begin_on(WCP_REASON_IO, "disk");
    wcp_wait copy = w3;
    wcp_wait_end(&w3);
    wcp_wait_end(&copy);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_WAIT_END_TWICE), 2);
    /* ... and the other way round */
    wcp_wait w4 = wcp_wait_begin_on(WCP_REASON_IO, "disk");
    wcp_wait copy4 = w4;
    wcp_wait_end(&copy4);
    wcp_wait_end(&w4);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_WAIT_END_TWICE), 3);
    /* a wait on nothing inside an op (no target op, none set, no
   * resource): recorded, and counted */
    wcp_wait w5 = wcp_wait_begin(WCP_REASON_CALL_EXEC, WCP_NIL);
    wcp_wait_end(&w5);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_WAIT_NO_TARGET), 1);
    wcp_wait w6 = wcp_wait_begin(WCP_REASON_CALL_EXEC, WCP_NIL);
    wcp_wait_set_target(&w6, a); /* set later: fine */
    wcp_wait_end(&w6);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_WAIT_NO_TARGET), 1);
    wcp_end(c, 0);
    /* adopting an op that ended: counted (and adopted: children name it);
   * restoring the previous op at the end of a WCP_ADOPT scope is not */
    wcp_op prev = wcp_adopt(a);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_ADOPT_ENDED), 1);
    assert_int_equal(wcp_current().id, a.id);
    wcp_adopt(prev);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_ADOPT_ENDED), 1);
    wcp_op d = wcp_begin(WCP_KIND_CALL, "d");
    {
        WCP_ADOPT(c);  /* c ended: counted */
        wcp_end(d, 0); /* d ended inside the scope: restoring it is no misuse */
    }
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_ADOPT_ENDED), 2);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_OUT_OF_ORDER), 2);
    wcp_adopt(WCP_NIL);

    dc_dump dd;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &dd), 0);
    /* a, b, c, d; the waits w2, w3, copy4, w5, w6 */
    assert_int_equal(json_array_size(dd.events), 9);
    json_t *m = json_object_get(dd.header, "misuse");
    assert_int_equal(dc_int(m, "end_out_of_order"), 2);
    assert_int_equal(dc_int(m, "end_twice"), 2);
    assert_int_equal(dc_int(m, "wait_outside_op"), 1);
    assert_int_equal(dc_int(m, "link_outside_op"), 1);
    assert_int_equal(dc_int(m, "wait_end_twice"), 3);
    assert_int_equal(dc_int(m, "wait_no_target"), 1);
    assert_int_equal(dc_int(m, "adopt_ended"), 2);
    assert_null(json_object_get(m, "end_other_thread"));
    dc_free(&dd);
}

static void test_names(void **state)
{
    (void)state;
    assert_int_equal(wcp_name_register(WCP_NAMES_KIND, "call"), WCP_KIND_CALL);
    int compile = wcp_name_register(WCP_NAMES_KIND, "compile");
    assert_true(compile > WCP_KIND_INTERNAL);
    assert_int_equal(wcp_name_register(WCP_NAMES_KIND, "compile"), compile);
    int req = wcp_name_register(WCP_NAMES_REASON, "db.pool");
    int won = wcp_name_register(WCP_NAMES_OUTCOME, "cached_on_disk");
    assert_int_equal(wcp_name_register(WCP_NAMES_KIND, ""), WCP_EINVAL);
    assert_int_equal(wcp_name_register(WCP_NAMES_KIND, NULL), WCP_EINVAL);
    assert_int_equal(wcp_name_register((wcp_nameset)9, "x"), WCP_EINVAL);
    char name[32];
    int last = 0;
    for (int i = 0; i < 300 && last >= 0; i++) {
        snprintf(name, sizeof name, "link%d", i);
        last = wcp_name_register(WCP_NAMES_LINK, name);
    }
    assert_int_equal(last, WCP_EFULL);

    wcp_op op = wcp_begin(compile, "cc main.c");
    wcp_wait w = wcp_wait_begin_on(req, "pool");
    wcp_wait_end(&w);
    wcp_end(op, won);
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    json_t *e = find_event(&d, "op", "id", (json_int_t)op.id);
    assert_string_equal(dc_s(e, "k"), "compile");
    assert_string_equal(dc_s(e, "o"), "cached_on_disk");
    assert_string_equal(dc_s(find_event(&d, "wait", "p", (json_int_t)op.id), "rs"), "db.pool");
    dc_free(&d);
}

/* Global off: in-flight ops still end, nothing new is recorded except
 * under a recording scope. */
static void test_disable_and_scopes(void **state)
{
    (void)state;
    wcp_op a = wcp_begin(WCP_KIND_CALL, "inflight");
    wcp_disable();
    assert_int_equal(wcp_is_enabled(), 0);
    wcp_op off = wcp_begin(WCP_KIND_CALL, "off");
    assert_int_equal(off.id, 0);
    wcp_end(a, WCP_OUTCOME_OK);

    wcp_op scope = wcp_recording(WCP_NIL);
    wcp_op prev = wcp_adopt(scope);
    wcp_op s1 = wcp_begin(WCP_KIND_SESSION_PHASE, "scoped");
    wcp_op s2 = wcp_begin(WCP_KIND_CALL, "scoped.child");
    assert_true(s1.id && s2.id);
    handed = wcp_current(); /* the handoff carries the scope */
    pthread_t th;
    pthread_create(&th, NULL, worker, NULL);
    pthread_join(th, NULL);
    wcp_end(s2, 0);
    wcp_end(s1, 0);
    wcp_adopt(prev);
    assert_int_equal(wcp_begin(WCP_KIND_CALL, "off2").id, 0);
    wcp_op s3 =
        wcp_begin_in(wcp_recording(WCP_NIL), &(wcp_op_args){.kind = WCP_KIND_CALL, .cls = "s3"});
    assert_true(s3.id != 0);
    wcp_end(s3, 0);
    wcp_enable();

    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    assert_int_equal(json_array_size(d.events), 5); /* a, s1, s2, worker, s3 */
    assert_non_null(find_event(&d, "op", "id", (json_int_t)a.id));
    assert_int_equal(dc_int(find_event(&d, "op", "id", (json_int_t)worker_op_id), "p"), s2.id);
    assert_null(json_object_get(find_event(&d, "op", "id", (json_int_t)s1.id), "p"));
    dc_free(&d);
}

static int early_return(int x)
{
    WCP_OP(op, WCP_KIND_CALL, "scoped.fn");
    if (x) {
        wcp_op_set_outcome(op, WCP_OUTCOME_HIT);
        return 1;
    }
    return 0;
}

static void test_scoped_macros(void **state)
{
    (void)state;
    assert_int_equal(early_return(1), 1);
    assert_int_equal(early_return(0), 0);
    {
        WCP_OP_EX(op, .kind = WCP_KIND_EXEC, .cls = "ex", .ident = "z");
        (void)op;
    }
    assert_int_equal(wcp_current().id, 0);
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    assert_int_equal(json_array_size(d.events), 3);
    int hits = 0;
    size_t i;
    json_t *x;
    json_array_foreach(d.events, i, x) hits += strcmp(dc_s(x, "o"), "hit") == 0;
    assert_int_equal(hits, 1);
    dc_free(&d);
}

/* Quotes, backslashes, control characters, UTF-8 and invalid bytes. */
static void test_string_escaping(void **state)
{
    (void)state;
    static const char *nasty[] = {
        "q\"uote",
        "back\\slash",
        "new\nline\ttab\r",
        "\x01\x1f ctl",
        "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80",
        "/slash",
        "\x7f",
    };
    wcp_op ops[7];
    for (int i = 0; i < 7; i++) {
        ops[i] = wcp_begin(WCP_KIND_CALL, nasty[i]);
        wcp_end(ops[i], 0);
    }
    wcp_op bad = wcp_begin(WCP_KIND_CALL, "bad\xff\xc3(\xed\xa0\x80 end");
    wcp_end(bad, 0);
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    for (int i = 0; i < 7; i++)
        assert_string_equal(STR_OF(&d, find_event(&d, "op", "id", (json_int_t)ops[i].id), "c"),
                            nasty[i]);
    assert_string_equal(STR_OF(&d, find_event(&d, "op", "id", (json_int_t)bad.id), "c"),
                        "bad\xef\xbf\xbd\xef\xbf\xbd(\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end");
    dc_free(&d);
}

/* Strings are interned by address: run-time strings go through
 * wcp_intern, which returns one permanent copy per content. */
static void test_intern(void **state)
{
    (void)state;
    char buf[32];
    strcpy(buf, "dyn-1");
    const char *a = wcp_intern(buf);
    strcpy(buf, "dyn-2");
    const char *b = wcp_intern(buf);
    strcpy(buf, "dyn-1");
    assert_ptr_equal(wcp_intern(buf), a);
    assert_string_equal(a, "dyn-1");
    assert_string_equal(b, "dyn-2");
    assert_null(wcp_intern(NULL));
    assert_string_equal(wcp_intern(""), "");
    wcp_op op = wcp_begin_ex(&(wcp_op_args){.kind = WCP_KIND_CALL, .cls = a, .ident = b});
    wcp_end(op, 0);
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    json_t *e = find_event(&d, "op", "id", (json_int_t)op.id);
    assert_string_equal(STR_OF(&d, e, "c"), "dyn-1");
    assert_string_equal(STR_OF(&d, e, "i"), "dyn-2");
    dc_free(&d);
}

/* Without flush a dump repeats what earlier ones wrote, with the same
 * times; with flush each event is written once. One epoch throughout. */
static void test_successive_dumps(void **state)
{
    (void)state;
    wcp_op a = wcp_begin(WCP_KIND_CALL, "first");
    wcp_end(a, 0);
    dc_dump d1, d2, d3, d4;
    assert_int_equal(take_dump(0, &d1), 0);
    usleep(2000);
    wcp_op b = wcp_begin(WCP_KIND_CALL, "second");
    wcp_end(b, 0);
    assert_int_equal(take_dump(0, &d2), 0);
    assert_int_equal(json_array_size(d1.events), 1);
    assert_int_equal(json_array_size(d2.events), 2);
    json_t *a1 = find_event(&d1, "op", "id", (json_int_t)a.id);
    json_t *a2 = find_event(&d2, "op", "id", (json_int_t)a.id);
    assert_true(json_equal(a1, a2));
    assert_int_equal(dc_int(d1.header, "epoch_unix_nano"), dc_int(d2.header, "epoch_unix_nano"));
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d3), 0);
    assert_int_equal(json_array_size(d3.events), 2);
    assert_true(json_equal(a1, find_event(&d3, "op", "id", (json_int_t)a.id)));
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d4), 0);
    assert_int_equal(json_array_size(d4.events), 0);
    assert_int_equal(dc_int(d4.header, "epoch_unix_nano"), dc_int(d1.header, "epoch_unix_nano"));
    dc_free(&d1);
    dc_free(&d2);
    dc_free(&d3);
    dc_free(&d4);
}

static void test_dump_targets(void **state)
{
    (void)state;
    char dir[] = "/tmp/wcptestXXXXXX";
    assert_non_null(mkdtemp(dir));
    char pattern[128], path[128];
    snprintf(pattern, sizeof pattern, "%s/d-%%p-%%n-%%%%.dump", dir);
    wcp_op op = wcp_begin(WCP_KIND_CALL, "to.file");
    wcp_end(op, 0);
    assert_int_equal(wcp_dump_path(pattern, 0), 1);
    snprintf(path, sizeof path, "%s/d-%d-0-%%.dump", dir, (int)getpid());
    dc_dump d;
    char err[256];
    assert_int_equal(dc_parse_file(path, &d, err, sizeof err), 0);
    assert_int_equal(json_array_size(d.events), 1);
    dc_free(&d);
    unlink(path);

    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_int_equal(wcp_dump_fd(fd, 0), 1);
    close(fd);
    assert_int_equal(dc_parse_file(path, &d, err, sizeof err), 0);
    dc_free(&d);
    unlink(path);

    snprintf(pattern, sizeof pattern, "%s/missing/x.dump", dir);
    assert_int_equal(wcp_dump_path(pattern, 0), WCP_EOPEN);
    rmdir(dir);
    int full = open("/dev/full", O_WRONLY);
    if (full >= 0) {
        assert_int_equal(wcp_dump_fd(full, 0), WCP_EIO);
        close(full);
    }
    drain();
}

static void *short_lived(void *arg)
{
    wcp_op op = wcp_begin(WCP_KIND_CALL, "short");
    wcp_end(op, 0);
    *(uint64_t *)arg = op.id;
    return NULL;
}

/* Events of threads that exited are still dumped; their state is reused. */
static void test_thread_exit(void **state)
{
    (void)state;
    uint64_t ids[6];
    for (int i = 0; i < 6; i++) {
        pthread_t th;
        pthread_create(&th, NULL, short_lived, &ids[i]);
        pthread_join(th, NULL);
    }
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    assert_int_equal(json_array_size(d.events), 6);
    for (int i = 0; i < 6; i++)
        assert_non_null(find_event(&d, "op", "id", (json_int_t)ids[i]));
    dc_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_never_enabled),
        cmocka_unit_test(test_errors),
        cmocka_unit_test_setup(test_nesting, setup_enabled),
        cmocka_unit_test_setup(test_op_fields, setup_enabled),
        cmocka_unit_test_setup(test_open_ops, setup_enabled),
        cmocka_unit_test_setup(test_handoff, setup_enabled),
        cmocka_unit_test_setup(test_waits, setup_enabled),
        cmocka_unit_test_setup(test_links, setup_enabled),
        cmocka_unit_test_setup(test_record_and_now, setup_enabled),
        cmocka_unit_test_setup(test_misuse, setup_enabled),
        cmocka_unit_test_setup(test_names, setup_enabled),
        cmocka_unit_test_setup(test_disable_and_scopes, setup_enabled),
        cmocka_unit_test_setup(test_scoped_macros, setup_enabled),
        cmocka_unit_test_setup(test_string_escaping, setup_enabled),
        cmocka_unit_test_setup(test_intern, setup_enabled),
        cmocka_unit_test_setup(test_successive_dumps, setup_enabled),
        cmocka_unit_test_setup(test_dump_targets, setup_enabled),
        cmocka_unit_test_setup(test_thread_exit, setup_enabled),
        cmocka_unit_test_setup(test_op_meta, setup_enabled), /* last: misuse counted */
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

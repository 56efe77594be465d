/*
 * disabled_calls.c - every recording call of wcprof.h, compiled with
 * -DWCPROF_DISABLE (by CMake): each must compile to nothing, or to a nil
 * value, and refer to no symbol of the library. Built twice: into
 * test_recorder_disabled (with libwcprof, which checks that nothing was
 * recorded) and, with DISABLED_MAIN, into test_recorder_disabled_nolib,
 * linked WITHOUT libwcprof: that it links at all is the check.
 */
#include "wcprof.h"

#include <stddef.h>

#ifndef WCPROF_DISABLE
#error "compile with -DWCPROF_DISABLE"
#endif

static int scoped(void)
{
    WCP_OP(op, WCP_KIND_CALL, "scoped");
    WCP_OP_EX(ex, .kind = WCP_KIND_EXEC, .cls = "scoped.ex", .ident = "i");
    WCP_WAIT(w, WCP_REASON_LOCK, op);
    WCP_WAIT_ON(w2, WCP_REASON_IO, "disk");
    WCP_ADOPT(ex);
    (void)w;
    (void)w2;
    return op.h != 0 || ex.h != 0;
}

/* 0 when every call did nothing; else the number of calls that did. */
int disabled_calls(void)
{
    int bad = 0;
    wcp_op_args a = {.kind = WCP_KIND_IO, .cls = "io", .ident = "x", .client = "c", .result = 7};
    wcp_op op = wcp_begin(WCP_KIND_CALL, "call");
    wcp_op ex = wcp_begin_ex(&a);
    wcp_op in = wcp_begin_in(op, &a);
    bad += op.h != 0 || op.id != 0 || ex.h != 0 || in.h != 0;
    bad += wcp_op_id(op) != 0;
    wcp_op_set_ident(op, "ident");
    wcp_op_set_meta(op, "[\"meta\"]");
    wcp_op_set_result(op, 9);
    wcp_op_set_outcome(op, WCP_OUTCOME_HIT);
    bad += wcp_op_outcome(op) != WCP_OUTCOME_NONE;
    bad += wcp_record(op, &a, WCP_OUTCOME_OK, 1, 2) != 0;
    bad += wcp_now() != 0;
    bad += wcp_current().h != 0;
    wcp_op prev = wcp_adopt(ex);
    bad += prev.h != 0 || wcp_current().h != 0;
    wcp_op scope = wcp_recording(WCP_NIL);
    bad += scope.h != 0;
    wcp_wait w1 = wcp_wait_begin(WCP_REASON_LOCK, op);
    wcp_wait w2 = wcp_wait_begin_on(WCP_REASON_LOCK, "mu");
    wcp_wait w3 = wcp_wait_begin_in(op, WCP_REASON_IO, in, "disk");
    wcp_wait_set_target(&w1, ex);
    bad += w1.state != 0 || w2.state != 0 || w3.state != 0 || w1.target != 0;
    wcp_wait_end(&w1);
    wcp_wait_end(&w2);
    wcp_wait_end(&w3);
    wcp_link(WCP_LINK_RESULT, op, "l", 1);
    wcp_link_from(op, WCP_LINK_NESTED_CLIENT, ex, "n", 2);
    wcp_end_result(in, WCP_OUTCOME_OK, 3);
    wcp_end(ex, WCP_OUTCOME_OK);
    wcp_end(op, WCP_OUTCOME_OK);
    bad += scoped();
    bad += wcp_active() != 0; /* 0: code guarded by it compiles out too */
    return bad;
}

#ifdef DISABLED_MAIN
int main(void)
{
    return disabled_calls() == 0 ? 0 : 1;
}
#endif

/*
 * main.c - a tiny program built against an installed libwcprof (by
 * tests/install/install_test.sh, through find_package and through
 * pkg-config, static and shared): three ops, each with a lock wait and a
 * child, so that its dump has ops, waits and nesting for wcprof-ingest.
 * Exits 1 when recording, which WCPROF=1 asks for, is off.
 */
#include <wcprof.h>

static void child(int i)
{
    WCP_OP(op, WCP_KIND_CALL, "app.child");
    wcp_op_set_ident(op, i % 2 ? "odd" : "even");
}

int main(void)
{
    if (!wcp_is_enabled())
        return 1;
    for (int i = 0; i < 3; i++) {
        WCP_OP(op, WCP_KIND_CALL, "app.work");
        {
            WCP_WAIT_ON(w, WCP_REASON_LOCK, "app.lock");
        }
        child(i);
    }
    return 0;
}

/*
 * meta_dump.c - writes a dump with op metadata (wcp_op_set_meta) for
 * meta_ingest_test.sh: an exec op with an argv, ended; a child without
 * metadata; an exec op still open (its meta_id), with an interned argv.
 *   meta_dump OUT.dump
 */
#include "wcprof.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: meta_dump OUT.dump\n");
        return 2;
    }
    wcp_enable();
    wcp_op root = wcp_begin(WCP_KIND_CALL, "Container.withExec");
    wcp_op ex = wcp_begin(WCP_KIND_EXEC, "exec");
    wcp_op_set_meta(ex, "[\"go\",\"build\",\"./...\"]");
    wcp_op io = wcp_begin(WCP_KIND_IO, "io.read");
    wcp_end(io, WCP_OUTCOME_OK);
    wcp_end(ex, WCP_OUTCOME_OK);
    wcp_end(root, WCP_OUTCOME_OK);
    char buf[64];
    snprintf(buf, sizeof buf, "[\"go\",\"test\",\"-run\",\"%s\"]", "TestX");
    wcp_op open = wcp_begin(WCP_KIND_EXEC, "exec");
    wcp_op_set_meta(open, wcp_intern(buf));
    int rc = wcp_dump_path(argv[1], 0);
    if (rc < 0) {
        fprintf(stderr, "meta_dump: %s\n", wcp_strerror(rc));
        return 1;
    }
    return 0;
}

// header_cxx.cc - compiled by the recorder_header_cxx test: wcprof.h must
// be usable from C++ (extern "C", no C-only constructs in inline code).
#include "wcprof.h"

int main() {
  wcp_op op = wcp_begin(WCP_KIND_CALL, "cxx");
  wcp_op_args a{};
  a.kind = WCP_KIND_IO;
  a.cls = "cxx.io";
  wcp_op child = wcp_begin_in(op, &a);
  wcp_wait w = wcp_wait_begin(WCP_REASON_LOCK, child);
  wcp_wait_end(&w);
  wcp_end(child, WCP_OUTCOME_OK);
  wcp_end(op, WCP_OUTCOME_NONE);
  return wcp_op_id(WCP_NIL) == 0 ? 0 : 1;
}

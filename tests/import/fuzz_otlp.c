/* fuzz_otlp.c - fuzz target for the OTLP JSON reader (import/otlp.c, otel.c).
 *
 * Each input is a whole trace file (read by content, so any format; the
 * seeds are OTLP and Jaeger JSON: every otlp and jaeger case and the
 * Dagger-style trace). It is the Chrome target (fuzz_chrome.c), compiled
 * again with other seeds: read twice: as much as fits at a
 * time, and in reads of 1 to 13 bytes (chosen by the input's first byte);
 * both reads must hand out exactly the same events, or the same error; and
 * a third time in 2 to 7 pieces on threads of their own: the same again.
 * Built with -DWCPROF_FUZZ=ON (clang, with ASan and UBSan) it is a libFuzzer
 * target; built normally it replays the files named on its command line (the
 * seed corpus, run by ctest), so every crash found becomes a test.
 *
 *   CC=clang cmake -S . -B build-fuzz -DWCPROF_FUZZ=ON
 *   cmake --build build-fuzz --target fuzz_otlp
 *   build-fuzz/tests/import/fuzz_otlp -max_total_time=60 tests/import/fuzz-corpus-otlp
 */
#define FUZZ_NAME "fuzz_otlp"
#define FUZZ_PIECES 1    /* and read in pieces (otel.c's wcp_otel_read_pieces) */
#include "fuzz_chrome.c" /* the same target: any format, read by content */

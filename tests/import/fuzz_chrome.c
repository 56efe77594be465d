/* fuzz_chrome.c - fuzz target for the Chrome trace reader (import/chrome.c, chrome_nest.c).
 *
 * Each input is a whole trace file. It is read twice: as much as fits at a
 * time, and in reads of 1 to 13 bytes (chosen by the input's first byte);
 * both reads must hand out exactly the same events, or the same error. As
 * fuzz_otlp (FUZZ_PIECES), a third time in 2 to 7 pieces on threads of
 * their own (otel.c), chosen by the last byte: the same again.
 * Built with -DWCPROF_FUZZ=ON (clang, with ASan and UBSan) it is a libFuzzer
 * target; built normally it replays the files named on its command line (the
 * seed corpus, run by ctest), so every crash found becomes a test.
 *
 *   CC=clang cmake -S . -B build-fuzz -DWCPROF_FUZZ=ON
 *   cmake --build build-fuzz --target fuzz_chrome
 *   build-fuzz/tests/import/fuzz_chrome -max_total_time=60 tests/import/fuzz-corpus-chrome
 */
#define _GNU_SOURCE
#include "chrome_render.h"

#ifndef FUZZ_NAME /* fuzz_otlp.c is this target, named otherwise */
#define FUZZ_NAME "fuzz_chrome"
#endif

#ifdef FUZZ_PIECES /* fuzz_otlp.c */
#include "otel_impl.h"
#endif

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 1 << 16)
        return 0;
    int fd = memfd_create(FUZZ_NAME, 0);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size)
        abort();
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    char *whole = chrome_render(path, 0);
    char *cut = chrome_render(path, 1 + data[0] % 13);
    if (strcmp(whole, cut) != 0) {
        fprintf(stderr, FUZZ_NAME ": reads of %d bytes give:\n%s\nwhole reads give:\n%s\n",
                1 + data[0] % 13, cut, whole);
        abort();
    }
#ifdef FUZZ_PIECES
    /* an OTLP file of lines read in 2 to 7 pieces, on threads of their own */
    wcp_otel_piece_min = 1;
    wcp_otel_pieces_max = 2 + data[size - 1] % 6;
    char *pieces = chrome_render(path, 0);
    wcp_otel_piece_min = WCP_OTEL_PIECE_MIN;
    wcp_otel_pieces_max = 0;
    if (strcmp(whole, pieces) != 0) {
        fprintf(stderr, FUZZ_NAME ": read in pieces:\n%s\nread from start to end:\n%s\n", pieces,
                whole);
        abort();
    }
    free(pieces);
#endif
    free(whole);
    free(cut);
    close(fd);
    return 0;
}

#ifndef WCPROF_FUZZ
int main(int argc, char **argv)
{
    for (int k = 1; k < argc; k++) {
        FILE *f = fopen(argv[k], "rb");
        if (!f) {
            perror(argv[k]);
            return 1;
        }
        static uint8_t buf[1 << 16];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
    }
    printf(FUZZ_NAME ": %d inputs read the same in pieces as whole\n", argc - 1);
    return 0;
}
#endif

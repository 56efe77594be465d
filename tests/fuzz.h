/* fuzz.h - what the fuzz targets of tests/ share (see wcprof_fuzz_target in
 * tests/CMakeLists.txt).
 *
 * Built with -DWCPROF_FUZZ=ON (clang) a target is a libFuzzer program;
 * built normally FUZZ_MAIN(name) gives it a main() that runs it over the
 * files named on its command line (its seeds, gathered from the case
 * folders by CMake), so ctest exercises it and every crash found becomes a
 * test. fuzz_file() hands an input to the code under test as a file (a
 * memfd, no disk), fuzz_db() opens a fresh in-memory wcprof database,
 * optionally with a dump loaded. A check that fails prints the input and
 * aborts, which libFuzzer reports as a crash.
 */
#ifndef WCP_FUZZ_H
#define WCP_FUZZ_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "load.h"
#include "store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a file: *fd (close it), and its path in path. */
static inline void fuzz_file(const uint8_t *data, size_t size, int *fd, char *path, size_t n)
{
    *fd = memfd_create("fuzz", 0);
    if (*fd < 0 || (size && write(*fd, data, size) != (ssize_t)size)) {
        perror("fuzz: memfd");
        abort();
    }
    snprintf(path, n, "/proc/self/fd/%d", *fd);
}

/* Fails the input: prints why (printf-style) and aborts. */
#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A fresh in-memory wcprof database; with dump (a path) loaded into it
 * (serially), which must succeed. The empty schema is made once and
 * copied (sqlite3_deserialize) after that: it is most of an input's time. */
static inline sqlite3 *fuzz_db(const char *dump)
{
    static unsigned char *image;
    static sqlite3_int64 image_size;
    sqlite3 *db;
    char err[512];
    if (!image) {
        if (wcp_db_open(":memory:", WCP_DB_CREATE | WCP_DB_ONE_THREAD, &db, err, sizeof err)) {
            fprintf(stderr, "fuzz: %s\n", err);
            abort();
        }
        image = sqlite3_serialize(db, "main", &image_size, 0);
        sqlite3_close(db);
        if (!image)
            abort();
    }
    unsigned char *copy = sqlite3_malloc64((sqlite3_uint64)image_size);
    if (!copy || sqlite3_open(":memory:", &db) != SQLITE_OK)
        abort();
    memcpy(copy, image, (size_t)image_size);
    if (sqlite3_deserialize(db, "main", copy, image_size, image_size,
                            SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) !=
        SQLITE_OK)
        abort();
    if (dump) {
        wcp_load_opts o = {.serial = true};
        wcp_load_stats st;
        if (wcp_load_dump(db, dump, &o, &st, err, sizeof err) != 0) {
            fprintf(stderr, "fuzz: %s\n", err);
            abort();
        }
    }
    return db;
}

/* Closes db: every statement the code under test prepared must have been
 * finalized (else the connection stays open, and leaks unseen). */
static inline void fuzz_close(sqlite3 *db)
{
    FUZZ_CHECK(sqlite3_close(db) == SQLITE_OK, "a statement left unfinalized: %s",
               sqlite3_errmsg(db));
}

/* One integer of the database (the first column of sql's first row). */
static inline int64_t fuzz_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "fuzz: %s: %s\n", sql, sqlite3_errmsg(db));
        abort();
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

#ifdef WCPROF_FUZZ
#define FUZZ_MAIN(name)
#else
/* Runs the target over each file named on the command line. */
#define FUZZ_MAIN(name)                                                                            \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        for (int k = 1; k < argc; k++) {                                                           \
            FILE *f = fopen(argv[k], "rb");                                                        \
            if (!f) {                                                                              \
                perror(argv[k]);                                                                   \
                return 1;                                                                          \
            }                                                                                      \
            size_t cap = 1 << 16, n = 0;                                                           \
            uint8_t *buf = malloc(cap);                                                            \
            size_t got;                                                                            \
            while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0)                               \
                if ((n += got) == cap)                                                             \
                    buf = realloc(buf, cap *= 2);                                                  \
            fclose(f);                                                                             \
            if (!buf)                                                                              \
                abort();                                                                           \
            LLVMFuzzerTestOneInput(buf, n);                                                        \
            free(buf);                                                                             \
        }                                                                                          \
        printf(name ": %d inputs, every check held\n", argc - 1);                                  \
        return 0;                                                                                  \
    }
#endif

#endif

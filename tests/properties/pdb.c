/* pdb.c - the plumbing of the property tests (see pdb.h). */
#include "pdb.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "load.h"
#include "store.h"

int pdb_mkdtemp(char *dir, size_t dirlen, char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    if ((size_t)snprintf(dir, dirlen, "%s/wcprof-prop-XXXXXX", tmp) >= dirlen) {
        snprintf(err, errlen, "TMPDIR too long: %s", tmp);
        return -1;
    }
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

void pdb_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < sizeof path)
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

char pdb_scratch[512];
int pdb_passed;

int pdb_setup(void **state)
{
    (void)state;
    char err[512];
    pdb_passed = 0;
    if (pdb_mkdtemp(pdb_scratch, sizeof pdb_scratch, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

int pdb_teardown(void **state)
{
    (void)state;
    if (pdb_passed)
        pdb_rmdir(pdb_scratch);
    else
        fprintf(stderr, "kept %s (the failing case's files)\n", pdb_scratch);
    return 0;
}

int pdb_load(sqlite3 *db, const char *const *dumps, size_t ndumps, int64_t *run, char *err,
             size_t errlen)
{
    for (size_t k = 0; k < ndumps; k++) {
        wcp_load_opts opts = {0};
        wcp_load_stats st;
        if (wcp_load_dump(db, dumps[k], &opts, &st, err, errlen) < 0)
            return -1;
        if (run)
            *run = st.run_id;
    }
    return 0;
}

/* Copies the file at from to the new file at to. Returns 0 or -1. */
static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    if (!in)
        return -1;
    FILE *out = fopen(to, "wbx");
    if (!out) {
        fclose(in);
        return -1;
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            break;
    int bad = ferror(in) || ferror(out);
    fclose(in);
    return fclose(out) != 0 || bad ? -1 : 0;
}

/* Creating a database syncs it to disk several times; hundreds of scratch
 * databases would spend seconds on that. So the first one in a folder is
 * created empty as that folder's template, and the others are copies. */
static int create_db(const char *dbpath, char *err, size_t errlen)
{
    static char tpl[1024];
    char want[1024];
    const char *slash = strrchr(dbpath, '/');
    int dirlen = slash ? (int)(slash - dbpath) : 1;
    snprintf(want, sizeof want, "%.*s/template.wcprof-db", dirlen, slash ? dbpath : ".");
    if (strcmp(tpl, want) != 0 || access(want, F_OK) != 0) {
        sqlite3 *db;
        if (access(want, F_OK) != 0) {
            if (wcp_db_open(want, WCP_DB_CREATE, &db, err, errlen) < 0)
                return -1;
            sqlite3_close(db);
        }
        snprintf(tpl, sizeof tpl, "%s", want);
    }
    if (access(dbpath, F_OK) == 0)
        return 0;
    if (copy_file(tpl, dbpath) < 0) {
        snprintf(err, errlen, "%s: cannot copy %s: %s", dbpath, tpl, strerror(errno));
        return -1;
    }
    return 0;
}

sqlite3 *pdb_ingest(const char *dbpath, const char *const *dumps, size_t ndumps, int64_t *run,
                    char *err, size_t errlen)
{
    sqlite3 *db;
    if (create_db(dbpath, err, errlen) < 0 || wcp_db_open(dbpath, 0, &db, err, errlen) < 0)
        return NULL;
    /* scratch databases: durability buys nothing here */
    sqlite3_exec(db, "PRAGMA synchronous=OFF; PRAGMA journal_mode=MEMORY", NULL, NULL, NULL);
    if (pdb_load(db, dumps, ndumps, run, err, errlen) < 0) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

sqlite3_stmt *pdb_prepare(sqlite3 *db, char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    sqlite3_stmt *st = NULL;
    if (!sql) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
        st = NULL;
    }
    sqlite3_free(sql);
    return st;
}

char *pdb_rows(sqlite3 *db, char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    if (!sql) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
        sqlite3_free(sql);
        return NULL;
    }
    sqlite3_str *out = sqlite3_str_new(db);
    int rc, ncol = sqlite3_column_count(st);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < ncol; c++) {
            if (c)
                sqlite3_str_appendchar(out, 1, '\t');
            switch (sqlite3_column_type(st, c)) {
            case SQLITE_NULL: sqlite3_str_appendall(out, "NULL"); break;
            case SQLITE_INTEGER:
                sqlite3_str_appendf(out, "%lld", (long long)sqlite3_column_int64(st, c));
                break;
            case SQLITE_FLOAT: {
                char num[32];
                snprintf(num, sizeof num, "%.17g", sqlite3_column_double(st, c));
                sqlite3_str_appendall(out, num);
                break;
            }
            default:
                sqlite3_str_appendf(out, "'%s'", (const char *)sqlite3_column_text(st, c));
                break;
            }
        }
        sqlite3_str_appendchar(out, 1, '\n');
    }
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "%s: %s", sql, sqlite3_errmsg(db));
        sqlite3_finalize(st);
        sqlite3_free(sqlite3_str_finish(out));
        sqlite3_free(sql);
        return NULL;
    }
    sqlite3_finalize(st);
    sqlite3_free(sql);
    char *text = sqlite3_str_finish(out);
    if (!text)
        text = sqlite3_mprintf("%s", ""); /* no rows */
    return text;
}

int pdb_spawn(char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, 1);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* mkdb.c - makes a test database: mkdb OUT.db FILE.sql... runs each SQL file,
** in order, in a new database OUT.db (an existing one is replaced). The
** tests use it with db/schema.sql, db/views.sql and a fixture. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else {
            buf[n] = 0;
        }
    }
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    sqlite3 *db;
    if (argc < 2) {
        fprintf(stderr, "usage: mkdb OUT.db FILE.sql...\n");
        return 2;
    }
    unlink(argv[1]);
    if (sqlite3_open(argv[1], &db) != SQLITE_OK) {
        fprintf(stderr, "mkdb: %s: %s\n", argv[1], sqlite3_errmsg(db));
        return 1;
    }
    for (int i = 2; i < argc; i++) {
        char *err = NULL, *sql = slurp(argv[i]);
        if (!sql) {
            fprintf(stderr, "mkdb: cannot read %s\n", argv[i]);
            return 1;
        }
        if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
            fprintf(stderr, "mkdb: %s: %s\n", argv[i], err);
            return 1;
        }
        free(sql);
    }
    return sqlite3_close(db) == SQLITE_OK ? 0 : 1;
}

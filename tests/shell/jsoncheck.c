/* jsoncheck.c - reads the shell's -json output back, with jansson.
**
**   jsoncheck                  parse standard input and print it again with
**                              sorted keys, one value per line: proof that
**                              it is JSON, and of what it holds
**   jsoncheck classes FILE     standard input is ".selftime 0" as JSON; check
**                              every row against the "classes" of FILE (a
**                              tests/fixtures NAME.expected.json)
**   jsoncheck summary FILE     standard input is ".summary" as JSON; check its
**                              header facts against FILE (and the replay's
**                              numbers, when they are not null)
**   jsoncheck rank FILE        standard input is ".rank" as JSON; check each
**                              saved_ns_at_F against FILE's whatif_saved_ns
**   jsoncheck chain FILE       standard input is ".chain" as JSON; check its
**                              op ids against FILE's blocking_chain
**   jsoncheck deadair FILE     standard input is ".deadair" as JSON; check
**                              [start_ns, end_ns] against FILE's dead_air
**
** For a check, no input at all (what -json prints for no rows) is [].
**
** Exit status 0 when the input parses (and matches); 1 otherwise, saying
** where and why.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static const char *const fields[] = {"count",       "total_self_ns", "total_wall_ns", "p50_self_ns",
                                     "p95_self_ns", "max_self_ns",   "dup_executed"};

static int check_classes(json_t *rows, const char *path)
{
    json_error_t err;
    json_t *want = json_load_file(path, 0, &err), *classes;
    int bad = 0;
    if (!want) {
        fprintf(stderr, "jsoncheck: %s:%d:%d: %s\n", path, err.line, err.column, err.text);
        return 1;
    }
    classes = json_object_get(want, "classes");
    if (!json_is_array(rows) || !json_is_object(classes)) {
        fprintf(stderr, "jsoncheck: want an array of rows and an object \"classes\" in %s\n", path);
        json_decref(want);
        return 1;
    }
    if (json_array_size(rows) != json_object_size(classes)) {
        fprintf(stderr, "jsoncheck: %zu rows, want %zu classes\n", json_array_size(rows),
                json_object_size(classes));
        bad++;
    }
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        const char *key = json_string_value(json_object_get(row, "class_key"));
        json_t *c = key ? json_object_get(classes, key) : NULL;
        if (!c) {
            fprintf(stderr, "jsoncheck: row %zu: class_key %s is not in %s\n", i,
                    key ? key : "(none)", path);
            bad++;
            continue;
        }
        for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
            json_t *got = json_object_get(row, fields[f]), *exp = json_object_get(c, fields[f]);
            if (!json_is_integer(got) || !json_equal(got, exp)) {
                fprintf(stderr, "jsoncheck: %s: %s is %lld, want %lld\n", key, fields[f],
                        (long long)json_integer_value(got), (long long)json_integer_value(exp));
                bad++;
            }
        }
        json_t *oc = json_loads(json_string_value(json_object_get(row, "outcomes")), 0, &err);
        if (!oc || !json_equal(oc, json_object_get(c, "outcomes"))) {
            fprintf(stderr, "jsoncheck: %s: outcomes differ\n", key);
            bad++;
        }
        json_decref(oc);
    }
    json_decref(want);
    if (!bad)
        printf("%zu classes match %s\n", json_array_size(rows),
               strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
    return bad > 0;
}

static int check_summary(json_t *rows, const char *path)
{
    static const char *const facts[] = {
        "ops",         "roots",       "open_ops",      "dropped_events",  "orphan_waits",
        "makespan_ns", "baseline_ns", "cycles_broken", "fallback_anchors"};
    json_error_t err;
    json_t *want = json_load_file(path, 0, &err), *row = json_array_get(rows, 0);
    int bad = 0, checked = 0;
    if (!want) {
        fprintf(stderr, "jsoncheck: %s:%d:%d: %s\n", path, err.line, err.column, err.text);
        return 1;
    }
    if (json_array_size(rows) != 1) {
        fprintf(stderr, "jsoncheck: want one summary row, got %zu\n", json_array_size(rows));
        json_decref(want);
        return 1;
    }
    for (size_t f = 0; f < sizeof facts / sizeof *facts; f++) {
        json_t *got = json_object_get(row, facts[f]), *exp = json_object_get(want, facts[f]);
        if (f >= 6 && json_is_null(got)) /* the replay's, without the extension */
            continue;
        checked++;
        if (!json_equal(got, exp)) {
            fprintf(stderr, "jsoncheck: %s is %lld, want %lld\n", facts[f],
                    (long long)json_integer_value(got), (long long)json_integer_value(exp));
            bad++;
        }
    }
    json_decref(want);
    if (!bad)
        printf("%d summary facts match %s\n", checked,
               strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
    return bad > 0;
}

/* Opens FILE and returns its member name (a new reference), or NULL after
** saying why. */
static json_t *expected(const char *path, const char *name)
{
    json_error_t err;
    json_t *want = json_load_file(path, 0, &err), *m;
    if (!want) {
        fprintf(stderr, "jsoncheck: %s:%d:%d: %s\n", path, err.line, err.column, err.text);
        return NULL;
    }
    m = json_incref(json_object_get(want, name));
    json_decref(want);
    if (!m)
        fprintf(stderr, "jsoncheck: %s has no \"%s\"\n", path, name);
    return m;
}

static const char *base(const char *path)
{
    return strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
}

/* .rank's rows against whatif_saved_ns: {class_key: {F: saved_ns}}. */
static int check_rank(json_t *rows, const char *path)
{
    json_t *want = expected(path, "whatif_saved_ns"), *row;
    int bad = 0;
    size_t i;
    if (!want)
        return 1;
    if (json_array_size(rows) != json_object_size(want)) {
        fprintf(stderr, "jsoncheck: %zu rows, want %zu class keys\n", json_array_size(rows),
                json_object_size(want));
        bad++;
    }
    json_array_foreach(rows, i, row)
    {
        const char *key = json_string_value(json_object_get(row, "class_key")), *f;
        json_t *w = key ? json_object_get(want, key) : NULL, *saved;
        if (!w) {
            fprintf(stderr, "jsoncheck: row %zu: class_key %s is not in whatif_saved_ns\n", i,
                    key ? key : "(none)");
            bad++;
            continue;
        }
        json_object_foreach(w, f, saved)
        {
            char col[64];
            snprintf(col, sizeof col, "saved_ns_at_%s", f);
            json_t *got = json_object_get(row, col);
            if (!json_equal(got, saved)) {
                fprintf(stderr, "jsoncheck: %s: %s is %lld, want %lld\n", key, col,
                        (long long)json_integer_value(got), (long long)json_integer_value(saved));
                bad++;
            }
        }
    }
    json_decref(want);
    if (!bad)
        printf("%zu class keys' savings match %s\n", json_array_size(rows), base(path));
    return bad > 0;
}

/* .chain's op ids, in order, against blocking_chain: [op_id, ...]; .deadair's
** rows against dead_air: [[start_ns, end_ns], ...]. */
static int check_list(json_t *rows, const char *path, int deadair)
{
    json_t *want = expected(path, deadair ? "dead_air" : "blocking_chain");
    json_t *got = json_array();
    json_t *row;
    size_t i;
    int bad;
    if (!want)
        return 1;
    json_array_foreach(rows, i, row)
    {
        if (deadair)
            json_array_append_new(got, json_pack("[OO]", json_object_get(row, "start_ns"),
                                                 json_object_get(row, "end_ns")));
        else
            json_array_append(got, json_object_get(row, "op_id"));
    }
    bad = !json_equal(got, want);
    if (bad) {
        char *g = json_dumps(got, JSON_COMPACT), *w = json_dumps(want, JSON_COMPACT);
        fprintf(stderr, "jsoncheck: %s is %s, want %s\n", deadair ? "dead air" : "the chain", g, w);
        free(g);
        free(w);
    } else {
        printf("%s matches %s\n", deadair ? "dead air" : "the blocking chain", base(path));
    }
    json_decref(got);
    json_decref(want);
    return bad;
}

int main(int argc, char **argv)
{
    json_error_t err;
    json_t *in;
    int rc, c = getchar();
    if (c == EOF && argc == 3) { /* -json prints nothing at all for no rows */
        in = json_array();
    } else {
        if (c != EOF)
            ungetc(c, stdin);
        in = json_loadf(stdin, 0, &err);
    }
    if (!in) {
        fprintf(stderr, "jsoncheck: <stdin>:%d:%d: %s\n", err.line, err.column, err.text);
        return 1;
    }
    if (argc == 3 && strcmp(argv[1], "classes") == 0) {
        rc = check_classes(in, argv[2]);
    } else if (argc == 3 && strcmp(argv[1], "summary") == 0) {
        rc = check_summary(in, argv[2]);
    } else if (argc == 3 && strcmp(argv[1], "rank") == 0) {
        rc = check_rank(in, argv[2]);
    } else if (argc == 3 && (strcmp(argv[1], "chain") == 0 || strcmp(argv[1], "deadair") == 0)) {
        rc = check_list(in, argv[2], strcmp(argv[1], "deadair") == 0);
    } else if (argc == 1) {
        char *s = json_dumps(in, JSON_SORT_KEYS | JSON_INDENT(1) | JSON_ENSURE_ASCII);
        puts(s ? s : "");
        free(s);
        rc = 0;
    } else {
        fprintf(stderr,
                "usage: jsoncheck [classes|summary|rank|chain|deadair EXPECTED.json] < JSON\n");
        rc = 2;
    }
    json_decref(in);
    return rc;
}

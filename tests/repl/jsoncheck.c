/* jsoncheck.c - reads the shell's -json output back, with jansson.
**
**   jsoncheck                  parse standard input and print it again with
**                              sorted keys, one value per line: proof that
**                              it is JSON, and of what it holds
**   jsoncheck classes FILE     standard input is ".selftime 0" as JSON; check
**                              every row against the "classes" of FILE (a
**                              shared/fixtures NAME.expected.json)
**   jsoncheck summary FILE     standard input is ".summary" as JSON; check its
**                              header facts against FILE (and the replay's
**                              numbers, when they are not null)
**
** Exit status 0 when the input parses (and matches); 1 otherwise, saying
** where and why.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static const char *const fields[] = {"count", "total_self_ns", "total_wall_ns", "p50_self_ns",
                                     "p95_self_ns", "max_self_ns", "dup_executed"};

static int check_classes(json_t *rows, const char *path) {
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
  json_array_foreach(rows, i, row) {
    const char *key = json_string_value(json_object_get(row, "class_key"));
    json_t *c = key ? json_object_get(classes, key) : NULL;
    if (!c) {
      fprintf(stderr, "jsoncheck: row %zu: class_key %s is not in %s\n", i, key ? key : "(none)",
              path);
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
    printf("%zu classes match %s\n", json_array_size(rows), strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
  return bad > 0;
}

static int check_summary(json_t *rows, const char *path) {
  static const char *const facts[] = {"ops", "roots", "open_ops", "dropped_events",
                                      "orphan_waits", "makespan_ns", "baseline_ns",
                                      "cycles_broken", "fallback_anchors"};
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
    if (f >= 6 && json_is_null(got))     /* the replay's, without the extension */
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
    printf("%d summary facts match %s\n", checked, strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
  return bad > 0;
}

int main(int argc, char **argv) {
  json_error_t err;
  json_t *in = json_loadf(stdin, 0, &err);
  int rc;
  if (!in) {
    fprintf(stderr, "jsoncheck: <stdin>:%d:%d: %s\n", err.line, err.column, err.text);
    return 1;
  }
  if (argc == 3 && strcmp(argv[1], "classes") == 0) {
    rc = check_classes(in, argv[2]);
  } else if (argc == 3 && strcmp(argv[1], "summary") == 0) {
    rc = check_summary(in, argv[2]);
  } else if (argc == 1) {
    char *s = json_dumps(in, JSON_SORT_KEYS | JSON_INDENT(1) | JSON_ENSURE_ASCII);
    puts(s ? s : "");
    free(s);
    rc = 0;
  } else {
    fprintf(stderr, "usage: jsoncheck [classes|summary EXPECTED.json] < JSON\n");
    rc = 2;
  }
  json_decref(in);
  return rc;
}

/*
 * dumpcheck.h - a strict checker for the dumps libwcprof writes, built on
 * jansson, used by the recorder's tests and by wcprof-dumpcheck.
 *
 * Stricter than a reader must be (spec/dump-format.md): besides the
 * format's rules it refuses anything our recorder should never write
 * (unknown keys, zero-valued integer keys, empty string keys, d < s,
 * duplicate op ids, an op both open and ended in one dump).
 */
#ifndef DUMPCHECK_H
#define DUMPCHECK_H

#include <jansson.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dc_dump {
    json_t *header; /* new reference: the header object */
    json_t *events; /* new reference: array of event objects, in order */
} dc_dump;

/* Parses and checks the dump text (len bytes). On success returns 0 and
 * fills d (free with dc_free). On failure returns -1, writes
 * "line N: reason" into err and leaves d empty. */
int dc_parse(const char *text, size_t len, dc_dump *d, char *err, size_t errlen);

/* dc_parse on a whole file; "cannot read" errors too. */
int dc_parse_file(const char *path, dc_dump *d, char *err, size_t errlen);

void dc_free(dc_dump *d);

/* The string at index i of the dump's table ("" when out of range). */
const char *dc_str(const dc_dump *d, json_int_t i);

/* Integer value of key in obj, 0 when absent. */
json_int_t dc_int(const json_t *obj, const char *key);

/* String value of key in obj, "" when absent. */
const char *dc_s(const json_t *obj, const char *key);

#ifdef __cplusplus
}
#endif

#endif

/* dump.h - reading wcprof dumps (docs/spec/dump-format.md): lines, header, events.
 *
 * The dump is the reader's own format (source.h has the reader's calls):
 * it streams a dump line by line and holds one line at a time (the header
 * line, with the string table, is the largest). It checks everything the
 * format says a reader must refuse and reports the first problem as
 * "file:line: reason" in r->err. Events are returned with their string-table
 * indexes unresolved (the caller maps them); enum strings (kind, outcome,
 * ...) are returned as text, unknown values included.
 */
#ifndef WCP_DUMP_H
#define WCP_DUMP_H

#include "source.h"

/* The dump reader's calls, which the reader's calls (source.c) make when no
 * other format's reader is attached: wcp_reader_header(), _open_ops(),
 * _next() for a dump (same contracts). */
extern const wcp_source wcp_dump_source;

/* Which key of the header line k[0..n) is (raw bytes): its index (0 is
 * "schema_version"), or -1 for a key the header does not have. Also how a
 * wcprof dump is told from other formats (its sniff). */
int wcp_header_key(const char *k, size_t n);

/* Parses one event line with jscan (jscan.h), falling back to jansson for
 * a line the scanner refuses. Returns 0 with *ev filled (its strings point
 * into line or r->js's scratch), or -1 with r->err set. */
int wcp_reader_parse_event(wcp_reader *r, char *line, size_t n, wcp_event *ev);

/* Parses one event line with jansson alone (the reference path the scanner is
 * fuzzed against, tests/import/fuzz_dump.c). Same results and errors as the
 * scanner path. */
int wcp_reader_parse_event_jansson(wcp_reader *r, char *line, size_t n, wcp_event *ev);

#endif

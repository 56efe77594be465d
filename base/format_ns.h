/* format_ns.h - nanoseconds as people read them (format_ns.c). */
#ifndef WCP_FORMAT_NS_H
#define WCP_FORMAT_NS_H

#include <stddef.h>

/* Formats ns into buf (at most size bytes, always terminated): three
 * significant digits in the largest unit in which it is at least 1 ("0",
 * "999 ns", "1.23 µs", "456 ms"). Can't fail; returns buf. */
char *wcp_format_ns(char *buf, size_t size, long long ns);

#endif

/* order.h - the qsort comparators of plain integers, written once.
 *
 * wcp_by_u32: uint32_t ascending (op indices, string ids: classes,
 * resources, related ops). */
#ifndef WCP_ORDER_H
#define WCP_ORDER_H

/* qsort comparator: the uint32_t at a against the one at b, ascending. */
int wcp_by_u32(const void *a, const void *b);

#endif

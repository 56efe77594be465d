/* order.c - see order.h. */
#include "order.h"

#include <stdint.h>

int wcp_by_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* ids.c - op ids: uint64 values in int64 columns (ids.h). */
#include "ids.h"

#include <stdio.h>

char *wcp_id_text(char *buf, int64_t v)
{
    snprintf(buf, WCP_ID_TEXT_MAX, "%llu", (unsigned long long)(uint64_t)v);
    return buf;
}

int wcp_parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!s || !*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

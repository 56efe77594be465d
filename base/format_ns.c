/* format_ns.c - nanoseconds as people read them: "456 µs", "1.23 s".
**
** Shared by the shell's human output modes and the html export.
**
** The one formatting function every human output mode uses for columns
** whose name ends in _ns. Three significant digits, the largest unit in
** which the number is at least 1: ns, µs, ms, s. Zero is "0"; negative
** numbers keep their sign. Beyond 999 s the seconds are printed whole.
**
**   0 -> "0"    999 -> "999 ns"    1234 -> "1.23 µs"    456000 -> "456 µs"
**   999999 -> "1.00 ms"    1234567890 -> "1.23 s"    3600000000000 -> "3600 s"
*/
#include "format_ns.h"

#include <stdio.h>

/* Formats ns into buf (at most size bytes, always terminated). Can't fail;
** returns buf. */
char *wcp_format_ns(char *buf, size_t size, long long ns)
{
    static const char *const units[] = {"ns", "µs", "ms", "s"};
    const char *sign = "";
    double v;
    int u = 0;

    if (ns == 0) {
        snprintf(buf, size, "0");
        return buf;
    }
    if (ns < 0) {
        sign = "-";
        v = -(double)ns;
    } else {
        v = (double)ns;
    }
    if (v < 1000) {
        snprintf(buf, size, "%s%.0f ns", sign, v);
        return buf;
    }
    /* Move up a unit while the value, rounded to 3 significant digits,
  ** would read 1000 or more. */
    while (u < 3 && v >= 999.5) {
        v /= 1000;
        u++;
    }
    if (v < 9.995)
        snprintf(buf, size, "%s%.2f %s", sign, v, units[u]);
    else if (v < 99.95)
        snprintf(buf, size, "%s%.1f %s", sign, v, units[u]);
    else
        snprintf(buf, size, "%s%.0f %s", sign, v, units[u]);
    return buf;
}

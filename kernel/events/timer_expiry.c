/* Expiration arithmetic of interval timers: counts missed periods in one division, so a timer
 * read late never loops over every period it missed. */
#include "timer_expiry.h"

uint64_t timer_expirations(uint64_t *next_ns, uint64_t interval_ns, uint64_t now_ns)
{
    if (now_ns < *next_ns)
        return 0;
    if (!interval_ns)
        return 1;
    uint64_t count = 1 + (now_ns - *next_ns) / interval_ns;
    uint64_t advance = count * interval_ns;
    /* A period so long that the next expiration does not fit in 64 bits never comes. */
    *next_ns = (advance / interval_ns == count && *next_ns <= UINT64_MAX - advance)
                   ? *next_ns + advance
                   : UINT64_MAX;
    return count;
}

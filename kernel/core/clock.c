/* CLOCK_MONOTONIC from the TSC since the first instruction; CLOCK_REALTIME = boot wall time +
 * monotonic. */
#include "atoll/arch.h"
#include "atoll/dev.h"
#include "atoll/kernel.h"
#include "atoll/x86.h"

static bool realtime_known;
static uint64_t realtime_at_boot_ns;

uint64_t clock_monotonic_ns(void)
{
    return tsc_to_ns(rdtsc() - boot_tsc_entry);
}

uint64_t clock_realtime_ns(void)
{
    if (!realtime_known) {
        /* Read lazily: the CMOS clock costs port I/O that a program without wall time never pays.
         */
        if (!tsc_wallclock_ns(&realtime_at_boot_ns)) {
            int64_t rtc = rtc_read_unix_seconds();
            uint64_t now = clock_monotonic_ns();
            uint64_t rtc_ns = rtc > 0 ? (uint64_t)rtc * 1000000000ull : 0;
            realtime_at_boot_ns = rtc_ns > now ? rtc_ns - now : 0;
        }
        realtime_known = true;
    }
    return realtime_at_boot_ns + clock_monotonic_ns();
}

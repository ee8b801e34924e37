/* CMOS real-time clock: read once for CLOCK_REALTIME when no hypervisor wall clock exists. */
#include "atoll/dev.h"
#include "atoll/x86.h"

static uint8_t cmos(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static unsigned bcd(uint8_t v, bool binary)
{
    return binary ? v : (v & 0x0f) + (v >> 4) * 10;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Howard Hinnant's days_from_civil: proleptic Gregorian date -> days since 1970-01-01. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int64_t rtc_read_unix_seconds(void)
{
    uint8_t sec, min, hour, day, mon, year, century, again;
    for (unsigned tries = 0; tries < 1000; tries++) {
        for (unsigned spins = 0; (cmos(0x0a) & 0x80) && spins < 100000; spins++)
            ; /* update in progress */
        sec = cmos(0x00), min = cmos(0x02), hour = cmos(0x04);
        day = cmos(0x07), mon = cmos(0x08), year = cmos(0x09), century = cmos(0x32);
        again = cmos(0x00);
        if (again == sec)
            break;
    }
    uint8_t status_b = cmos(0x0b);
    bool binary = status_b & 0x04;
    bool h24 = status_b & 0x02;
    bool pm = hour & 0x80;
    unsigned h = bcd(hour & 0x7f, binary);
    if (!h24)
        h = (h % 12) + (pm ? 12 : 0);
    unsigned c = bcd(century, binary);
    int64_t y = (c >= 19 && c <= 30 ? c * 100 : 2000) + bcd(year, binary);
    unsigned m = bcd(mon, binary), d = bcd(day, binary);
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return 0; /* no RTC: the epoch is the honest answer */
    return days_from_civil(y, m, d) * 86400 + h * 3600 + bcd(min, binary) * 60 + bcd(sec, binary);
}

/* HTTP dates (IMF-fixdate, RFC 9110 section 5.6.7): formatting and strict parsing, UTC only. */
#include <string.h>

#include "server.h"

static const char days[] = "ThuFriSatSunMonTueWed"; /* 1970-01-01 was a Thursday */
static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void two(char *out, unsigned v)
{
    out[0] = (char)('0' + v / 10 % 10);
    out[1] = (char)('0' + v % 10);
}

size_t http_date_format(int64_t t, char *out)
{
    if (t < 0)
        t = 0;
    int64_t day = t / 86400, sec = t % 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(day, &y, &m, &d);
    memcpy(out, days + (day % 7) * 3, 3);
    memcpy(out + 3, ", ", 2);
    two(out + 5, d);
    out[7] = ' ';
    memcpy(out + 8, months + (m - 1) * 3, 3);
    out[11] = ' ';
    two(out + 12, (unsigned)(y / 100));
    two(out + 14, (unsigned)(y % 100));
    out[16] = ' ';
    two(out + 17, (unsigned)(sec / 3600));
    out[19] = ':';
    two(out + 20, (unsigned)(sec / 60 % 60));
    out[22] = ':';
    two(out + 23, (unsigned)(sec % 60));
    memcpy(out + 25, " GMT", 4);
    out[29] = '\0';
    return 29;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int http_date_parse(const char *s, size_t len, int64_t *t)
{
    /* "Sun, 06 Nov 1994 08:49:37 GMT"; the obsolete formats are not accepted (the field is then
     * ignored). */
    if (len != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
        s[19] != ':' || s[22] != ':' || memcmp(s + 25, " GMT", 4) != 0)
        return -1;
    int d = digits(s + 5, 2), y = digits(s + 12, 4), hh = digits(s + 17, 2), mm = digits(s + 20, 2),
        ss = digits(s + 23, 2);
    const char *month = NULL;
    for (int i = 0; i < 12; i++)
        if (memcmp(s + 8, months + i * 3, 3) == 0)
            month = months + i * 3;
    if (d < 1 || d > 31 || y < 1970 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 ||
        ss > 60 || !month)
        return -1;
    unsigned m = (unsigned)((month - months) / 3 + 1);
    *t = days_from_civil(y, m, (unsigned)d) * 86400 + hh * 3600 + mm * 60 + ss;
    return 0;
}

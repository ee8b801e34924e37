/* Checks getrandom and the AT_RANDOM bytes: not zero, different each time, spread over all values.
 */
#include <string.h>
#include <sys/auxv.h>
#include <sys/random.h>

#include "check.h"

static bool all_zero(const unsigned char *p, size_t size)
{
    for (size_t i = 0; i < size; i++)
        if (p[i])
            return false;
    return true;
}

int main(void)
{
    unsigned char first[32] = {0}, second[32] = {0};
    ssize_t got1 = getrandom(first, sizeof(first), 0);
    ssize_t got2 = getrandom(second, sizeof(second), 0);
    check(got1 == 32 && got2 == 32, "getrandom returns 32 bytes twice");
    check(!all_zero(first, sizeof(first)), "getrandom bytes are not all zero");
    check(memcmp(first, second, sizeof(first)) != 0, "two getrandom calls differ");

    unsigned char nonblock[16] = {0};
    check(getrandom(nonblock, sizeof(nonblock), GRND_NONBLOCK) == 16 &&
              !all_zero(nonblock, sizeof(nonblock)),
          "getrandom with GRND_NONBLOCK");

    /* 4096 random bytes almost surely take at least 200 of the 256 values. */
    static unsigned char many[4096];
    bool seen[256] = {false};
    int distinct = 0;
    check(getrandom(many, sizeof(many), 0) == sizeof(many), "getrandom returns 4096 bytes");
    for (size_t i = 0; i < sizeof(many); i++)
        if (!seen[many[i]]) {
            seen[many[i]] = true;
            distinct++;
        }
    check(distinct >= 200, "4096 random bytes take %d distinct values", distinct);

    const unsigned char *at_random = (const unsigned char *)getauxval(AT_RANDOM);
    check(at_random && !all_zero(at_random, 16), "AT_RANDOM points at 16 non-zero bytes");
    return checks_finish("random");
}

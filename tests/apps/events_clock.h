/* Monotonic milliseconds for the event tests' timing checks. */
#ifndef ATOLL_TEST_EVENTS_CLOCK_H
#define ATOLL_TEST_EVENTS_CLOCK_H

#include <time.h>

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

#endif

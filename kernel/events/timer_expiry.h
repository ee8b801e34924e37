/* Expiration arithmetic of interval timers (pure: host unit-tested). */
#ifndef ATOLL_TIMER_EXPIRY_H
#define ATOLL_TIMER_EXPIRY_H

#include "atoll/klib.h"

/* How many times a timer due at *next_ns with period interval_ns (0: one-shot) expired by now_ns;
 * moves *next_ns to the first expiration after now_ns (one-shot timers leave it alone). */
uint64_t timer_expirations(uint64_t *next_ns, uint64_t interval_ns, uint64_t now_ns);

#endif

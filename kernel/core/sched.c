/* The wait loop of the single vCPU: poll for readiness, drain the console, halt until the next
 * deadline. */
#include "atoll/arch.h"
#include "atoll/kernel.h"
#include "atoll/x86.h"

/* Device work of the optional network member (absent: NULL): receive bursts, run protocol timers.
 */
void atoll_net_poll(void) __attribute__((weak));
/* The earliest protocol timer (TCP retransmission, delayed ACK, ...; UINT64_MAX when none). */
uint64_t atoll_net_next_deadline(void) __attribute__((weak));

int sched_wait(wait_ready_fn ready, void *arg, uint64_t deadline_ns)
{
    for (;;) {
        if (atoll_net_poll)
            atoll_net_poll();
        /* Waits run inside syscalls, whose entry masks interrupts (SFMASK): nothing can change
         * readiness between this check and the halt, and a device interrupt raised meanwhile
         * stays pending and ends the halt at once. One check per round, not one before and one
         * after the console: each is a scan of every waited-for file. */
        irq_disable();
        if (ready && ready(arg))
            return 0;
        /* No clock read when there is no deadline (each is an RDTSC, a helper call under TCG). */
        if (deadline_ns != UINT64_MAX && clock_monotonic_ns() >= deadline_ns)
            return -ETIMEDOUT;
        /* Idle: the console drains now, never on the program's hot path. */
        console_drain_until(deadline_ns);
        /* The network's timers run even while nobody waits on a socket (a closed connection
         * still retransmits its FIN): the halt ends at the earlier of both deadlines. */
        uint64_t wake_ns = deadline_ns;
        if (atoll_net_next_deadline)
            wake_ns = MIN(wake_ns, atoll_net_next_deadline());
        if (wake_ns != UINT64_MAX)
            lapic_arm_deadline(boot_tsc_entry + ns_to_tsc(wake_ns)); /* a past one fires at once */
        irq_enable_and_halt(); /* tickless: nothing wakes us but the deadline or a device */
        irq_disable();
    }
}

/* The event syscalls this member serves, registered by the core's dispatcher when linked. */
#include "atoll/syscall.h"
#include "events.h"

const struct syscall_entry atoll_events_syscalls[] = {
    SYSCALL(poll),
    SYSCALL(ppoll),
    SYSCALL(select),
    SYSCALL(pselect6),
    SYSCALL(epoll_create),
    SYSCALL(epoll_create1),
    SYSCALL(epoll_ctl),
    SYSCALL(epoll_wait),
    SYSCALL(epoll_pwait),
    SYSCALL(epoll_pwait2),
    SYSCALL(eventfd),
    SYSCALL(eventfd2),
    SYSCALL(timerfd_create),
    SYSCALL(timerfd_settime),
    SYSCALL(timerfd_gettime),
    {-1, NULL},
};

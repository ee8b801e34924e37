/* Which optional kernel member an image needs, judged from the C library functions it links. */
#include "members.h"
#include "elfsym.h"

#include <stdbool.h>
#include <string.h>

struct kernel_member {
    const char *force;           /* the member's exported symbol, passed to ld -u */
    const char *const *triggers; /* musl functions whose presence means the member is needed */
};

/* Every socket a program can have starts with musl's socket() (if_nametoindex and getaddrinfo
 * call it too), so its presence is the whole test. */
static const char *const net_triggers[] = {"socket", NULL};
static const char *const events_triggers[] = {
    "poll",           "ppoll",           "select",          "pselect",     "epoll_create",
    "epoll_create1",  "epoll_ctl",       "epoll_wait",      "epoll_pwait", "eventfd",
    "timerfd_create", "timerfd_settime", "timerfd_gettime", NULL};

static const struct kernel_member members[] = {
    {"atoll_net_init", net_triggers},
    {"atoll_events_syscalls", events_triggers},
};

struct scan {
    bool present[sizeof(members) / sizeof(members[0])];
    bool linked[sizeof(members) / sizeof(members[0])];
};

static void visit(void *ctx, const char *name, bool defined)
{
    struct scan *s = ctx;
    if (!defined)
        return;
    for (size_t m = 0; m < sizeof(members) / sizeof(members[0]); m++) {
        if (!strcmp(name, members[m].force))
            s->linked[m] = true;
        for (const char *const *t = members[m].triggers; *t; t++)
            if (!strcmp(name, *t))
                s->present[m] = true;
    }
}

int members_needed(const char *linked, struct strvec *undefs, char *err, size_t errlen)
{
    struct elf_file *elf;
    if (elf_open(linked, &elf, err, errlen) != 0)
        return -1;
    struct scan s = {0};
    elf_for_each_symbol(elf, visit, &s);
    elf_close(elf);
    int added = 0;
    for (size_t m = 0; m < sizeof(members) / sizeof(members[0]); m++) {
        bool requested = false;
        for (size_t i = 0; i < undefs->len; i++)
            requested |= !strcmp(undefs->items[i], members[m].force);
        /* Asked for already: a kernel built without that member simply lacks it. */
        if (s.present[m] && !s.linked[m] && !requested) {
            strvec_push(undefs, members[m].force);
            added++;
        }
    }
    return added;
}

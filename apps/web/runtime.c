/* Which runtime the one binary runs in: unikernel, container, Linux VM or plain Linux. */
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "server.h"

const char *runtime_detect(void)
{
    struct utsname u;
    if (uname(&u) == 0 && strcmp(u.sysname, "Atoll") == 0)
        return "unikernel";
    /* podman writes /run/.containerenv into every container, docker /.dockerenv. */
    if (access("/run/.containerenv", F_OK) == 0 || access("/.dockerenv", F_OK) == 0)
        return "container";
    /* The vm runtime's initramfs puts the program at /atoll/app (docs/vm.md). */
    if (access("/atoll/app", F_OK) == 0)
        return "vm";
    return "linux";
}

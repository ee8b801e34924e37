/* Prints uname() and checks its fields are filled in and name the machine. */
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
    struct utsname uts;
    memset(&uts, 0, sizeof(uts));
    if (!check(uname(&uts) == 0, "uname succeeds"))
        return checks_finish("uname");
    printf("sysname=%s\nnodename=%s\nrelease=%s\nversion=%s\nmachine=%s\n", uts.sysname,
           uts.nodename, uts.release, uts.version, uts.machine);
    check(uts.sysname[0] != '\0', "sysname is set");
    check(uts.release[0] != '\0', "release is set");
    check(uts.version[0] != '\0', "version is set");
    check(strcmp(uts.machine, "x86_64") == 0, "machine is x86_64");

    char host[256] = {0};
    check(gethostname(host, sizeof(host)) == 0 && strcmp(host, uts.nodename) == 0,
          "gethostname matches nodename");
    return checks_finish("uname");
}

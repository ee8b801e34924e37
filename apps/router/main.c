/* A static IPv4 router on raw packet sockets: interfaces, connected and static routes from a
 * config file, longest-prefix match, ARP, ICMP errors, fragmentation (lib/netfn does the work).
 *
 *   router [--config FILE] [--stats-every SECONDS] [--idle-exit MS] [--check]
 *
 * The default config is /etc/router.conf (the image's rootfs). SIGUSR1 prints the counters; they
 * are printed at exit too. --check only reads the config. */
#include "engine.h"
#include "netconf.h"
#include "ports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct nf_engine engine; /* large (ARP queue, LPM nodes): static, not on the stack */

static int usage(void)
{
    fprintf(stderr,
            "usage: router [--config FILE] [--stats-every SECONDS] [--idle-exit MS] [--check]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *config = "/etc/router.conf";
    struct nf_run_options run = {.prog = "router"};
    int check_only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            config = argv[++i];
        else if (!strcmp(argv[i], "--stats-every") && i + 1 < argc)
            run.stats_every_s = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--idle-exit") && i + 1 < argc)
            run.idle_exit_ms = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--check"))
            check_only = 1;
        else
            return usage();
    }
    nf_engine_init(&engine);
    char err[512];
    if (netconf_load(&engine, config, err, sizeof(err)) != 0) {
        fprintf(stderr, "router: %s\n", err);
        return 1;
    }
    if (check_only) {
        printf("router: %s: %u interfaces, %u routes\n", config, engine.nifaces, engine.nroutes);
        return 0;
    }
    if (nf_ports_open(&engine, "router") != 0)
        return 1;
    printf("router: forwarding (%u routes)\n", engine.nroutes);
    fflush(stdout);
    return nf_ports_run(&engine, &run);
}

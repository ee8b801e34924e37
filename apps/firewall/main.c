/* A filtering IPv4 hop on raw packet sockets: the rule language of docs/firewall-rules.md,
 * connection tracking, and lib/netfn's forwarding between its interfaces.
 *
 *   firewall [--rules FILE|FOLDER] [--stats-every SECONDS] [--idle-exit MS]
 *   firewall --check FILE|FOLDER
 *
 * The default rules are every *.rules file of /etc/firewall (the image's rootfs). A firewall
 * never starts with a bad rule set: every problem is printed as file:line:col and it exits 1.
 * SIGUSR1 prints the counters; they are printed at exit too. */
#include "filter.h"
#include "load.h"
#include "ports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct nf_engine engine;
static struct firewall fw;
static struct fw_diags diags;

static int usage(void)
{
    fprintf(stderr, "usage: firewall [--rules FILE|FOLDER] [--stats-every SECONDS] "
                    "[--idle-exit MS]\n       firewall --check FILE|FOLDER\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *rules = "/etc/firewall";
    struct nf_run_options run = {.prog = "firewall"};
    int check_only = 0;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "--rules") || !strcmp(argv[i], "--check")) && i + 1 < argc) {
            check_only |= argv[i][2] == 'c';
            rules = argv[++i];
        } else if (!strcmp(argv[i], "--stats-every") && i + 1 < argc) {
            run.stats_every_s = (unsigned)atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--idle-exit") && i + 1 < argc) {
            run.idle_exit_ms = (unsigned)atoi(argv[++i]);
        } else {
            return usage();
        }
    }
    nf_engine_init(&engine);
    fw_init(&fw, &engine);
    unsigned errors = fw_load(rules, &fw, &engine, &diags);
    fw_print_diags(&diags, check_only ? stdout : stderr);
    if (errors) {
        fprintf(check_only ? stdout : stderr, "firewall: %s: %u error%s\n", rules, errors,
                errors == 1 ? "" : "s");
        return 1;
    }
    if (check_only) {
        printf("firewall: %s: %u rules, %u sets, %u interfaces: ok\n", rules, fw.rules.nrules,
               fw.rules.nsets, engine.nifaces);
        return 0;
    }
    engine.filter = fw_filter;
    engine.filter_ctx = &fw;
    if (nf_ports_open(&engine, "firewall") != 0)
        return 1;
    printf("firewall: filtering with %u rules\n", fw.rules.nrules);
    fflush(stdout);
    run.print_extra = fw_print_counters;
    run.extra_ctx = &fw;
    return nf_ports_run(&engine, &run);
}

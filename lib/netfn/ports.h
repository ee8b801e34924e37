/* The links of a network function: one non-blocking AF_PACKET socket per interface, frames in
 * and out in bursts (recvmmsg/sendmmsg), poll across them, counters on request. */
#ifndef NETFN_PORTS_H
#define NETFN_PORTS_H

#include <stdint.h>
#include <stdio.h>

struct nf_engine;

struct nf_run_options {
    const char *prog;       /* for messages */
    unsigned stats_every_s; /* print the counters this often (0: only on SIGUSR1 and exit) */
    unsigned idle_exit_ms;  /* end after this long without frames, once some came (0: never) */
    /* extra counters of the caller (the firewall's), printed after the engine's */
    void (*print_extra)(void *ctx, FILE *out);
    void *extra_ctx;
};

/* Opens a packet socket on every interface of the engine (the device name as configured; on an
 * Atoll instance `ethN` also finds the NIC `netN`), reads each interface's MAC and, where the
 * config gave none, its MTU. Returns 0, or -1 after printing why. */
int nf_ports_open(struct nf_engine *e, const char *prog);
/* Runs the frame loop until SIGTERM/SIGINT or idle_exit; prints the counters at the end.
 * Returns the exit status. */
int nf_ports_run(struct nf_engine *e, const struct nf_run_options *opts);
/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t nf_now_ms(void);

#endif

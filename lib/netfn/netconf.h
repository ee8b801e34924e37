/* Reading addresses and the `interface` and `route` lines shared by the router's config file
 * and the firewall's rule files. */
#ifndef NETFN_NETCONF_H
#define NETFN_NETCONF_H

#include <stddef.h>
#include <stdint.h>

struct nf_engine;

/* "a.b.c.d" (exactly four decimal parts of at most 255) into host order; 0 or -1. */
int parse_ipv4(const char *text, uint32_t *addr);
/* "a.b.c.d/len" (or a bare address: /32) into host order; 0 or -1. */
int parse_cidr(const char *text, uint32_t *addr, unsigned *plen);

/* One line of a router config, already stripped of its comment and split into words:
 *   interface NAME address A.B.C.D/LEN [mtu BYTES] [device LINK]
 *   route A.B.C.D/LEN via GATEWAY
 *   default via GATEWAY
 * Adds to the engine. Returns 0, or -1 with `message (hint)` in err and the index of the word
 * at fault in *bad_word. */
int netconf_apply(struct nf_engine *e, char **words, unsigned nwords, char *err, size_t errlen,
                  unsigned *bad_word);
/* Reads a whole router config file into the engine (then nf_engine_finish). On error prints
 * `file:line: message` into err and returns -1. */
int netconf_load(struct nf_engine *e, const char *path, char *err, size_t errlen);

#endif

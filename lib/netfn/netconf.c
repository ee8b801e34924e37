/* Reading addresses and the `interface` and `route` lines shared by the router's config file
 * and the firewall's rule files. */
#include "netconf.h"
#include "engine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int parse_ipv4(const char *text, uint32_t *addr)
{
    uint32_t value = 0;
    const char *p = text;
    for (int part = 0; part < 4; part++) {
        if (*p < '0' || *p > '9')
            return -1;
        unsigned n = 0, digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 4) {
            n = n * 10 + (unsigned)(*p++ - '0');
            digits++;
        }
        if (n > 255 || digits > 3)
            return -1;
        value = value << 8 | n;
        if (part < 3 && *p++ != '.')
            return -1;
    }
    if (*p)
        return -1;
    *addr = value;
    return 0;
}

int parse_cidr(const char *text, uint32_t *addr, unsigned *plen)
{
    char buf[32];
    const char *slash = strchr(text, '/');
    size_t n = slash ? (size_t)(slash - text) : strlen(text);
    if (n >= sizeof(buf))
        return -1;
    memcpy(buf, text, n);
    buf[n] = '\0';
    if (parse_ipv4(buf, addr) != 0)
        return -1;
    if (!slash) {
        *plen = 32;
        return 0;
    }
    const char *l = slash + 1;
    if (!*l || strlen(l) > 2 || l[0] < '0' || l[0] > '9' || (l[1] && (l[1] < '0' || l[1] > '9')))
        return -1;
    unsigned len = (unsigned)atoi(l);
    if (len > 32)
        return -1;
    *plen = len;
    return 0;
}

static int fail(char *err, size_t errlen, unsigned *bad_word, unsigned word, const char *msg)
{
    snprintf(err, errlen, "%s", msg);
    *bad_word = word;
    return -1;
}

static int apply_interface(struct nf_engine *e, char **w, unsigned n, char *err, size_t errlen,
                           unsigned *bad)
{
    if (n < 2)
        return fail(err, errlen, bad, 0, "interface needs a name (interface eth0 address ...)");
    if (e->nifaces >= NF_MAX_IFACES)
        return fail(err, errlen, bad, 0, "too many interfaces (at most 8)");
    if (strlen(w[1]) >= NF_NAME_MAX)
        return fail(err, errlen, bad, 1, "interface name too long (at most 15 characters)");
    for (unsigned i = 0; i < e->nifaces; i++) {
        if (!strcmp(e->ifaces[i].name, w[1]))
            return fail(err, errlen, bad, 1, "interface defined twice (one line per interface)");
    }
    struct nf_iface *f = &e->ifaces[e->nifaces];
    memset(f, 0, sizeof(*f));
    strcpy(f->name, w[1]);
    strcpy(f->device, w[1]);
    int have_addr = 0;
    for (unsigned i = 2; i < n; i += 2) {
        if (i + 1 >= n)
            return fail(err, errlen, bad, i, "option without a value (address, mtu or device)");
        if (!strcmp(w[i], "address")) {
            uint32_t a;
            unsigned plen;
            if (parse_cidr(w[i + 1], &a, &plen) != 0 || plen == 0 || plen > 30)
                return fail(err, errlen, bad, i + 1,
                            "bad address (write it as A.B.C.D/LEN with LEN from 1 to 30)");
            f->addr = a;
            f->plen = (uint8_t)plen;
            have_addr = 1;
        } else if (!strcmp(w[i], "mtu")) {
            char *end;
            long mtu = strtol(w[i + 1], &end, 10);
            if (*end || mtu < 68 || mtu > NF_FRAME_MAX - ETH_HDR_LEN)
                return fail(err, errlen, bad, i + 1, "bad mtu (from 68 to 2034)");
            f->mtu = (uint16_t)mtu;
        } else if (!strcmp(w[i], "device")) {
            if (strlen(w[i + 1]) >= NF_NAME_MAX)
                return fail(err, errlen, bad, i + 1, "device name too long");
            strcpy(f->device, w[i + 1]);
        } else {
            return fail(err, errlen, bad, i, "unknown interface option (address, mtu, device)");
        }
    }
    if (!have_addr)
        return fail(err, errlen, bad, 1, "interface without an address (add address A.B.C.D/LEN)");
    e->nifaces++;
    return 0;
}

int netconf_apply(struct nf_engine *e, char **w, unsigned n, char *err, size_t errlen,
                  unsigned *bad)
{
    if (!strcmp(w[0], "interface"))
        return apply_interface(e, w, n, err, errlen, bad);
    uint32_t prefix = 0, gateway;
    unsigned plen = 0, via_at;
    if (!strcmp(w[0], "route")) {
        if (n < 2 || parse_cidr(w[1], &prefix, &plen) != 0)
            return fail(err, errlen, bad, n < 2 ? 0 : 1,
                        "bad destination (route A.B.C.D/LEN via GATEWAY)");
        if (prefix & ~prefix_mask(plen))
            return fail(err, errlen, bad, 1, "host bits set in the destination (mask them out)");
        via_at = 2;
    } else if (!strcmp(w[0], "default")) {
        via_at = 1;
    } else {
        return fail(err, errlen, bad, 0, "unknown statement (interface, route or default)");
    }
    if (n != via_at + 2 || strcmp(w[via_at], "via") != 0)
        return fail(err, errlen, bad, n > via_at ? via_at : 0, "expected `via GATEWAY`");
    if (parse_ipv4(w[via_at + 1], &gateway) != 0)
        return fail(err, errlen, bad, via_at + 1, "bad gateway address (A.B.C.D)");
    if (e->nroutes >= NF_MAX_ROUTES)
        return fail(err, errlen, bad, 0, "too many routes");
    e->routes[e->nroutes++] =
        (struct nf_route){.prefix = prefix, .plen = (uint8_t)plen, .gateway = gateway};
    return 0;
}

int netconf_load(struct nf_engine *e, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[512];
    unsigned line_no = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), f)) {
        line_no++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *words[16];
        unsigned n = 0;
        for (char *tok = strtok(line, " \t\r\n"); tok && n < 16; tok = strtok(NULL, " \t\r\n"))
            words[n++] = tok;
        if (!n)
            continue;
        char msg[200];
        unsigned bad = 0;
        if (netconf_apply(e, words, n, msg, sizeof(msg), &bad) != 0) {
            snprintf(err, errlen, "%s:%u: %s: %s", path, line_no, words[bad], msg);
            rc = -1;
        }
    }
    fclose(f);
    if (rc == 0 && e->nifaces < 2) {
        snprintf(err, errlen, "%s: a router needs two interfaces or more (interface lines)", path);
        rc = -1;
    }
    if (rc == 0) {
        char msg[200];
        if (nf_engine_finish(e, msg, sizeof(msg)) != 0) {
            snprintf(err, errlen, "%s: %s", path, msg);
            rc = -1;
        }
    }
    return rc;
}

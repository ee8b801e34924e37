/* `atoll run --net`: parsing NIC specifications and turning them into QEMU arguments. */
#include "netopt.h"
#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* Six hex pairs separated by colons, unicast (the guest could not receive on a group address). */
static bool mac_valid(const char *mac)
{
    if (strlen(mac) != 17)
        return false;
    for (int i = 0; i < 17; i++) {
        if (i % 3 == 2 ? mac[i] != ':' : !isxdigit((unsigned char)mac[i]))
            return false;
    }
    unsigned first = (unsigned)strtoul(mac, NULL, 16);
    return !(first & 1);
}

/* An interface name Linux accepts: 1 to 15 bytes, no '/', ',' or blanks (QEMU splits on ','). */
static bool ifname_valid(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > 15)
        return false;
    for (const char *c = name; *c; c++) {
        if (*c == '/' || *c == ',' || *c == ':' || isspace((unsigned char)*c) ||
            !isprint((unsigned char)*c))
            return false;
    }
    return strcmp(name, ".") && strcmp(name, "..");
}

static bool port_valid(const char *text)
{
    if (!*text || strlen(text) > 5)
        return false;
    for (const char *c = text; *c; c++) {
        if (!isdigit((unsigned char)*c))
            return false;
    }
    long port = strtol(text, NULL, 10);
    return port >= 1 && port <= 65535;
}

/* fwd=PROTO:HOSTADDR:HOSTPORT-:GUESTPORT, HOSTADDR in 127.0.0.0/8 only: a forward must never
 * open a port to other hosts. */
static int parse_fwd(const char *value, struct net_spec *spec, char *err, size_t errlen)
{
    char *copy = xstrdup(value);
    char *proto = copy, *addr = NULL, *hport = NULL, *gport = NULL;
    char *colon = strchr(proto, ':');
    int rc = -1;
    if (colon) {
        *colon = '\0';
        addr = colon + 1;
        if ((colon = strchr(addr, ':'))) {
            *colon = '\0';
            hport = colon + 1;
            char *dash = strstr(hport, "-:");
            if (dash) {
                *dash = '\0';
                gport = dash + 2;
            }
        }
    }
    if (!gport) {
        fail(err, errlen, "fwd=%s: expected fwd=udp|tcp:HOSTADDR:HOSTPORT-:GUESTPORT", value);
    } else if (strcmp(proto, "udp") && strcmp(proto, "tcp")) {
        fail(err, errlen, "fwd=%s: protocol '%s' is neither udp nor tcp", value, proto);
    } else {
        struct in_addr in;
        if (inet_pton(AF_INET, addr, &in) != 1)
            fail(err, errlen, "fwd=%s: host address '%s' is not an IPv4 address", value, addr);
        else if ((ntohl(in.s_addr) >> 24) != 127)
            fail(err, errlen,
                 "fwd=%s: host address %s is not a loopback address (forwards only to 127.0.0.0/8)",
                 value, addr);
        else if (!port_valid(hport))
            fail(err, errlen, "fwd=%s: host port '%s' is not a number from 1 to 65535", value,
                 hport);
        else if (!port_valid(gport))
            fail(err, errlen, "fwd=%s: guest port '%s' is not a number from 1 to 65535", value,
                 gport);
        else {
            strvec_pushf(&spec->hostfwd, "%s:%s:%s-:%s", proto, addr, hport, gport);
            rc = 0;
        }
    }
    free(copy);
    return rc;
}

/* dgram=OWN:PEER: two absolute paths of Unix datagram sockets, each short enough for sun_path,
 * without ',' (QEMU's separator) or ':' (ours). QEMU binds OWN (replacing a stale one) and sends
 * each frame to PEER, where the other end, usually another QEMU with the two paths swapped, binds.
 */
static int parse_dgram(const char *text, const char *value, struct net_spec *spec, char *err,
                       size_t errlen)
{
    const char *colon = strchr(value, ':');
    if (!colon || strchr(colon + 1, ':'))
        return fail(err, errlen, "%s: expected dgram=OWN_SOCKET:PEER_SOCKET (two paths)", text);
    char *own = xstrndup(value, (size_t)(colon - value));
    const char *peer = colon + 1;
    const char *bad = NULL;
    if (own[0] != '/')
        bad = own;
    else if (peer[0] != '/')
        bad = peer;
    int rc = 0;
    if (bad)
        rc = fail(err, errlen, "%s: socket path '%s' is not absolute", text, bad);
    else if (strlen(own) > 100 || strlen(peer) > 100)
        rc = fail(err, errlen, "%s: a socket path is longer than 100 bytes", text);
    else if (strchr(own, ',') || strchr(peer, ','))
        rc = fail(err, errlen, "%s: a socket path holds ','", text);
    else if (!strcmp(own, peer))
        rc = fail(err, errlen, "%s: the two sockets are the same path", text);
    if (rc == 0) {
        spec->own = own;
        spec->peer = xstrdup(peer);
    } else {
        free(own);
    }
    return rc;
}

/* stream=listen:PATH or stream=connect:PATH: one absolute path of a Unix stream socket, short
 * enough for sun_path and without ','. The listening end must be up before the other starts:
 * QEMU 7.2 does not retry a connection that failed. */
static int parse_stream(const char *text, const char *value, struct net_spec *spec, char *err,
                        size_t errlen)
{
    const char *path;
    if (!strncmp(value, "listen:", 7)) {
        spec->listen = true;
        path = value + 7;
    } else if (!strncmp(value, "connect:", 8)) {
        path = value + 8;
    } else {
        return fail(err, errlen, "%s: expected stream=listen:PATH or stream=connect:PATH", text);
    }
    if (path[0] != '/')
        return fail(err, errlen, "%s: socket path '%s' is not absolute", text, path);
    if (strlen(path) > 100)
        return fail(err, errlen, "%s: the socket path is longer than 100 bytes", text);
    if (strchr(path, ','))
        return fail(err, errlen, "%s: the socket path holds ','", text);
    spec->stream = xstrdup(path);
    return 0;
}

/* ADDR/PREFIX for ip=, ADDR for gw=. */
static bool ipv4_valid(const char *text, bool with_prefix)
{
    char buf[32];
    if (strlen(text) >= sizeof(buf))
        return false;
    strcpy(buf, text);
    char *slash = strchr(buf, '/');
    if (with_prefix != (slash != NULL))
        return false;
    if (slash) {
        *slash = '\0';
        const char *p = slash + 1;
        if (!*p || strlen(p) > 2 || !isdigit((unsigned char)p[0]) ||
            (p[1] && !isdigit((unsigned char)p[1])) || atoi(p) > 32)
            return false;
    }
    struct in_addr in;
    return inet_pton(AF_INET, buf, &in) == 1;
}

static int parse_option(const char *opt, struct net_spec *spec, char *err, size_t errlen)
{
    const char *eq = strchr(opt, '=');
    if (!eq)
        return fail(err, errlen, "'%s': expected KEY=VALUE", opt);
    size_t keylen = (size_t)(eq - opt);
    const char *value = eq + 1;
#define KEY_IS(k) (keylen == strlen(k) && !strncmp(opt, k, keylen))
    if (KEY_IS("mac")) {
        if (!mac_valid(value))
            return fail(err, errlen, "mac=%s: expected a unicast MAC such as 52:54:00:12:34:56",
                        value);
        free(spec->mac);
        spec->mac = xstrdup(value);
    } else if (KEY_IS("fwd") && spec->kind == NET_USER) {
        return parse_fwd(value, spec, err, errlen);
    } else if (KEY_IS("ip") && spec->kind != NET_USER) {
        if (!ipv4_valid(value, true))
            return fail(err, errlen, "ip=%s: expected ADDR/PREFIX such as 10.0.0.2/24", value);
        free(spec->ip);
        spec->ip = xstrdup(value);
    } else if (KEY_IS("gw") && spec->kind != NET_USER) {
        if (!ipv4_valid(value, false))
            return fail(err, errlen, "gw=%s: expected an IPv4 address such as 10.0.0.1", value);
        free(spec->gw);
        spec->gw = xstrdup(value);
    } else {
        return fail(err, errlen, "unknown setting '%.*s' for a %s NIC (known: %s)", (int)keylen,
                    opt,
                    spec->kind == NET_USER    ? "user"
                    : spec->kind == NET_TAP   ? "tap"
                    : spec->kind == NET_DGRAM ? "dgram"
                                              : "stream",
                    spec->kind == NET_USER ? "fwd, mac" : "ip, gw, mac");
    }
#undef KEY_IS
    return 0;
}

int net_spec_parse(const char *text, struct net_spec *spec, char *err, size_t errlen)
{
    memset(spec, 0, sizeof(*spec));
    char *copy = xstrdup(text);
    char *save = NULL;
    char *first = strtok_r(copy, ",", &save);
    int rc = 0;
    if (first && !strcmp(first, "user")) {
        spec->kind = NET_USER;
    } else if (first && !strncmp(first, "tap=", 4)) {
        spec->kind = NET_TAP;
        if (!ifname_valid(first + 4))
            rc = fail(err, errlen, "%s: '%s' is not a valid interface name", text, first + 4);
        else
            spec->tap = xstrdup(first + 4);
    } else if (first && !strncmp(first, "dgram=", 6)) {
        spec->kind = NET_DGRAM;
        rc = parse_dgram(text, first + 6, spec, err, errlen);
    } else if (first && !strncmp(first, "stream=", 7)) {
        spec->kind = NET_STREAM;
        rc = parse_stream(text, first + 7, spec, err, errlen);
    } else {
        rc = fail(err, errlen,
                  "%s: expected user[,fwd=...][,mac=MAC], tap=NAME[,ip=...][,gw=...][,mac=MAC], "
                  "dgram=OWN:PEER[,...] or stream=listen|connect:PATH[,...]",
                  text);
    }
    for (char *opt; rc == 0 && (opt = strtok_r(NULL, ",", &save));) {
        char why[256];
        if (parse_option(opt, spec, why, sizeof(why)) < 0)
            rc = fail(err, errlen, "%s: %s", text, why);
    }
    free(copy);
    if (rc < 0)
        net_spec_free(spec);
    return rc;
}

void net_spec_free(struct net_spec *spec)
{
    free(spec->tap);
    free(spec->own);
    free(spec->peer);
    free(spec->stream);
    free(spec->mac);
    free(spec->ip);
    free(spec->gw);
    strvec_free(&spec->hostfwd);
    memset(spec, 0, sizeof(*spec));
}

void net_spec_qemu_args(const struct net_spec *spec, unsigned index, const char *machine,
                        struct strvec *argv)
{
    char *netdev;
    if (spec->kind == NET_USER) {
        netdev = xasprintf("user,id=net%u", index);
        for (size_t i = 0; i < spec->hostfwd.len; i++) {
            char *more = xasprintf("%s,hostfwd=%s", netdev, spec->hostfwd.items[i]);
            free(netdev);
            netdev = more;
        }
    } else if (spec->kind == NET_DGRAM) {
        netdev = xasprintf("dgram,id=net%u,local.type=unix,local.path=%s,remote.type=unix,"
                           "remote.path=%s",
                           index, spec->own, spec->peer);
    } else if (spec->kind == NET_STREAM) {
        netdev = xasprintf("stream,id=net%u,server=%s,addr.type=unix,addr.path=%s", index,
                           spec->listen ? "on" : "off", spec->stream);
    } else {
        netdev = xasprintf("tap,id=net%u,ifname=%s,script=no,downscript=no", index, spec->tap);
    }
    strvec_push(argv, "-netdev");
    strvec_push_owned(argv, netdev);
    strvec_push(argv, "-device");
    strvec_pushf(argv, "%s,netdev=net%u%s%s",
                 !strcmp(machine, "microvm") ? "virtio-net-device" : "virtio-net-pci", index,
                 spec->mac ? ",mac=" : "", spec->mac ? spec->mac : "");
}

void net_qemu_globals(const char *machine, struct strvec *argv)
{
    if (!strcmp(machine, "microvm")) {
        strvec_push(argv, "-global");
        strvec_push(argv, "virtio-mmio.force-legacy=false");
    }
}

int netns_check(const char *name, char *err, size_t errlen)
{
    if (!ifname_valid(name) &&
        (strlen(name) == 0 || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")))
        return fail(err, errlen, "--netns %s: not a valid namespace name", name);
    char *path = xasprintf("/run/netns/%s", name);
    struct stat st;
    int rc = stat(path, &st);
    free(path);
    if (rc != 0)
        return fail(err, errlen,
                    "--netns %s: no such network namespace (create it with: ip netns add %s)", name,
                    name);
    return 0;
}

/* True when some blank-separated token of the --append values starts with `prefix` (such as
 * "net0=" or "gw="), before any `--` (what follows it are the program's arguments). */
static bool appends_set(const struct strvec *appends, const char *prefix)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < appends->len; i++) {
        const char *c = appends->items[i];
        while (*c) {
            while (isspace((unsigned char)*c))
                c++;
            size_t len = 0;
            while (c[len] && !isspace((unsigned char)c[len]))
                len++;
            if (len == 2 && !strncmp(c, "--", 2))
                break;
            if (len >= plen && !strncmp(c, prefix, plen))
                return true;
            c += len;
        }
    }
    return false;
}

void net_kernel_keys(const struct net_spec *specs, unsigned count, const struct strvec *appends,
                     struct strvec *keys)
{
    const char *gw = NULL;
    bool user_seen = false;
    for (unsigned i = 0; i < count; i++) {
        char if_key[16];
        snprintf(if_key, sizeof(if_key), "net%u=", i);
        const char *ip = specs[i].ip;
        if (specs[i].kind == NET_USER && !user_seen) {
            user_seen = true;
            ip = NET_USER_GUEST_IP;
            if (!gw)
                gw = NET_USER_GATEWAY;
        }
        if (specs[i].kind != NET_USER && specs[i].gw)
            gw = specs[i].gw;
        if (ip && !appends_set(appends, if_key))
            strvec_pushf(keys, "%s%s", if_key, ip);
    }
    if (gw && !appends_set(appends, "gw="))
        strvec_pushf(keys, "gw=%s", gw);
}

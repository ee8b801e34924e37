/* TCP connections: memory, the 4-tuple hash, ports (bind conflicts, ephemeral), lifetime. */
#include "tcp_internal.h"

#ifdef ATOLL_HOST
#include <stdlib.h>
#else
#include "atoll/mm.h"
#include "atoll/pagealloc.h"
#endif

struct tcp_globals tcp_g;

/* ---- memory: TCBs from a free list refilled a page at a time, rings from the page pool ---- */

static struct tcp_conn *conn_free_list;
#ifdef ATOLL_HOST
static void *host_pages[TCP_MAX_CONNS];
static unsigned host_npages;
#endif

static void *pages_alloc(size_t bytes)
{
#ifdef ATOLL_HOST
    return calloc(1, bytes);
#else
    uint64_t pages = (bytes + PAGEALLOC_PAGE_SIZE - 1) / PAGEALLOC_PAGE_SIZE;
    uint64_t mem = pagealloc_alloc(&phys, pages, 1, false);
    return (void *)mem;
#endif
}

static void pages_free(void *p, size_t bytes)
{
#ifdef ATOLL_HOST
    (void)bytes;
    free(p);
#else
    uint64_t pages = (bytes + PAGEALLOC_PAGE_SIZE - 1) / PAGEALLOC_PAGE_SIZE;
    pagealloc_free(&phys, (uint64_t)p, pages);
#endif
}

bool tcp_mem_plentiful(size_t more)
{
#ifdef ATOLL_HOST
    return tcp_g.buffer_bytes + more <= 256u * 1024 * 1024;
#else
    /* Buffers may grow while a quarter of the pool stays free, and a reserve: 16 MiB, or half
     * the pool first seen where the whole guest is smaller (the default memory of `atoll run` is
     * a few MiB: a fixed 16 MiB kept every ring at 16 KiB, the in-flight limit of a sender). */
    static uint64_t reserve;
    uint64_t free_bytes = phys.free_pages * PAGEALLOC_PAGE_SIZE;
    if (!reserve)
        reserve = MIN(16u * 1024 * 1024, free_bytes / 2 + 1);
    return free_bytes > more + reserve && free_bytes - more > free_bytes / 4;
#endif
}

bool tcp_ring_alloc(struct tcp_ring *r, uint32_t size)
{
    void *p = pages_alloc(size);
    if (!p)
        return false;
    r->buf = p;
    r->size = size;
    tcp_g.buffer_bytes += size;
    return true;
}

void tcp_ring_free(struct tcp_ring *r)
{
    if (r->size) {
        pages_free(r->buf, r->size);
        tcp_g.buffer_bytes -= r->size;
    }
    r->buf = NULL;
    r->size = 0;
}

struct tcp_conn *tcp_conn_alloc(void)
{
    if (tcp_g.conns >= TCP_MAX_CONNS)
        return NULL;
    if (!conn_free_list) {
        /* A page's worth of TCBs at a time; pages stay with the engine (bounded by the limit). */
        size_t per = 4096 / sizeof(struct tcp_conn);
        if (per == 0)
            per = 1;
        uint8_t *page = pages_alloc(per * sizeof(struct tcp_conn));
        if (!page)
            return NULL;
#ifdef ATOLL_HOST
        if (host_npages < TCP_MAX_CONNS)
            host_pages[host_npages++] = page;
#endif
        for (size_t i = 0; i < per; i++) {
            struct tcp_conn *c = (struct tcp_conn *)(page + i * sizeof(struct tcp_conn));
            c->all_next = conn_free_list;
            conn_free_list = c;
        }
    }
    struct tcp_conn *c = conn_free_list;
    conn_free_list = c->all_next;
    memset(c, 0, sizeof(*c));
    c->all_next = tcp_g.all;
    if (tcp_g.all)
        tcp_g.all->all_prev = c;
    tcp_g.all = c;
    tcp_g.conns++;
    tcp_conn_defaults(c);
    return c;
}

void tcp_conn_defaults(struct tcp_conn *c)
{
    tcp_rtt_init(&c->rtt);
    tcp_ranges_init(&c->ooo);
    tcp_sack_init(&c->sb);
    c->mss = TCP_DEFAULT_MSS;
    c->peer_mss = TCP_DEFAULT_MSS;
    c->keepidle_s = 7200;
    c->keepintvl_s = 75;
    c->keepcnt = 9;
    c->linger_s = -1;
    c->snd_limit = TCP_RING_AUTO_MAX;
    c->rcv_limit = TCP_RING_AUTO_MAX;
}

void tcp_conn_free(struct tcp_conn *c)
{
    tcp_hash_remove(c);
    if (c->in_flush) {
        for (struct tcp_conn **p = &tcp_g.flush; *p; p = &(*p)->flush_next)
            if (*p == c) {
                *p = c->flush_next;
                break;
            }
    }
    if (c->orphan)
        tcp_g.orphans--;
    tcp_ring_free(&c->sring);
    tcp_ring_free(&c->rring);
    tcp_set_state(c, TCPS_CLOSED);
    if (c->all_prev)
        c->all_prev->all_next = c->all_next;
    else
        tcp_g.all = c->all_next;
    if (c->all_next)
        c->all_next->all_prev = c->all_prev;
    tcp_g.conns--;
    c->state = TCPS_CLOSED;
    c->all_next = conn_free_list;
    conn_free_list = c;
}

void tcp_reset(void)
{
    while (tcp_g.all) {
        struct tcp_conn *c = tcp_g.all;
        c->orphan = false;
        tcp_conn_free(c);
    }
#ifdef ATOLL_HOST
    for (unsigned i = 0; i < host_npages; i++)
        free(host_pages[i]);
    host_npages = 0;
    conn_free_list = NULL;
#endif
    struct tcp_conn *keep = conn_free_list;
    memset(&tcp_g, 0, sizeof(tcp_g));
    conn_free_list = keep;
    tcp_g.next_ephemeral = TCP_EPHEMERAL_LO;
    tcp_loopback_run(); /* forgets segments in flight to ourselves (none left to take them) */
}

bool tcp_output_pending(void)
{
    for (const struct tcp_conn *c = tcp_g.all; c; c = c->all_next) {
        /* Connections to ourselves end with the instance: nobody is left to read them. */
        if ((c->remote_addr >> 24) == 127 || c->remote_addr == c->local_addr)
            continue;
        switch (c->state) {
        case TCPS_SYN_RECEIVED:
        case TCPS_ESTABLISHED:
        case TCPS_CLOSE_WAIT:
            if (c->snd_buf_len || c->fin_queued)
                return true;
            break;
        case TCPS_FIN_WAIT_1: /* our FIN is not acknowledged yet */
        case TCPS_CLOSING:
        case TCPS_LAST_ACK:
            return true;
        default:
            break;
        }
    }
    return false;
}

void tcp_stats(unsigned *conns, unsigned *orphans, size_t *buffer_bytes)
{
    if (conns)
        *conns = tcp_g.conns;
    if (orphans)
        *orphans = tcp_g.orphans;
    if (buffer_bytes)
        *buffer_bytes = tcp_g.buffer_bytes;
}

/* ---- demultiplexing ---- */

static unsigned hash4(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
    uint32_t h = (laddr ^ raddr * 0x9e3779b1u) + ((uint32_t)lport << 16 | rport);
    h ^= h >> 15;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    return h & (TCP_HASH_BUCKETS - 1);
}

void tcp_hash_insert(struct tcp_conn *c)
{
    if (c->hashed)
        return;
    unsigned b = hash4(c->local_addr, c->local_port, c->remote_addr, c->remote_port);
    c->hash_next = tcp_g.hash[b];
    tcp_g.hash[b] = c;
    c->hashed = true;
}

void tcp_hash_remove(struct tcp_conn *c)
{
    if (!c->hashed)
        return;
    unsigned b = hash4(c->local_addr, c->local_port, c->remote_addr, c->remote_port);
    for (struct tcp_conn **p = &tcp_g.hash[b]; *p; p = &(*p)->hash_next)
        if (*p == c) {
            *p = c->hash_next;
            break;
        }
    c->hashed = false;
}

struct tcp_conn *tcp_lookup(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
    for (struct tcp_conn *c = tcp_g.hash[hash4(laddr, lport, raddr, rport)]; c; c = c->hash_next)
        if (c->local_port == lport && c->remote_port == rport && c->local_addr == laddr &&
            c->remote_addr == raddr)
            return c;
    return NULL;
}

struct tcp_conn *tcp_lookup_listener(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
    struct tcp_conn *best = NULL;
    unsigned members = 0;
    for (struct tcp_conn *c = tcp_g.listeners; c; c = c->listen_next) {
        if (c->local_port != lport || (c->local_addr && c->local_addr != laddr))
            continue;
        if (!best || (c->local_addr && !best->local_addr)) {
            best = c;
            members = 1;
        } else if (c->local_addr == best->local_addr) {
            members++;
        }
    }
    if (!best || members < 2 || !best->reuseport)
        return best;
    /* SO_REUSEPORT: a hash of the peer picks one of the group's listeners, as Linux does. */
    uint32_t h = (raddr ^ ((uint32_t)rport << 16 | rport)) * 0x9e3779b1u;
    unsigned pick = (unsigned)(((uint64_t)h * members) >> 32);
    for (struct tcp_conn *c = tcp_g.listeners; c; c = c->listen_next)
        if (c->local_port == lport && c->local_addr == best->local_addr && pick-- == 0)
            return c;
    return best;
}

/* ---- ports ---- */

/* Whether binding c to addr:port conflicts with another bound socket (Linux's rules: both
 * SO_REUSEADDR and neither listening, or both SO_REUSEPORT, allow sharing; a TIME_WAIT
 * connection never blocks SO_REUSEADDR). */
static bool bind_conflict(const struct tcp_conn *c, uint32_t addr, uint16_t port)
{
    for (const struct tcp_conn *o = tcp_g.all; o; o = o->all_next) {
        if (o == c || !o->bound || o->local_port != port)
            continue;
        if (addr && o->local_addr && addr != o->local_addr)
            continue;
        if (c->reuseport && o->reuseport)
            continue;
        if (c->reuseaddr && (o->reuseaddr || o->state == TCPS_TIME_WAIT) && o->state != TCPS_LISTEN)
            continue;
        return true;
    }
    return false;
}

int tcp_bind(struct tcp_conn *c, uint32_t addr, uint16_t port)
{
    if (c->bound || c->state != TCPS_CLOSED)
        return -EINVAL;
    if (addr && !net_addr_is_local(addr))
        return -EADDRNOTAVAIL;
    if (port == 0) {
        for (unsigned tries = 0; tries <= TCP_EPHEMERAL_HI - TCP_EPHEMERAL_LO; tries++) {
            uint16_t p = tcp_g.next_ephemeral;
            tcp_g.next_ephemeral = p >= TCP_EPHEMERAL_HI ? TCP_EPHEMERAL_LO : (uint16_t)(p + 1);
            if (!bind_conflict(c, addr, p)) {
                port = p;
                break;
            }
        }
        if (port == 0)
            return -EADDRINUSE;
    } else if (bind_conflict(c, addr, port)) {
        return -EADDRINUSE;
    }
    c->local_addr = addr;
    c->local_port = port;
    c->bound = true;
    return 0;
}

/* For connect: an ephemeral port whose 4-tuple is unused (TIME_WAIT ones included). */
int tcp_pick_ephemeral(struct tcp_conn *c, uint32_t raddr, uint16_t rport)
{
    unsigned range = TCP_EPHEMERAL_HI - TCP_EPHEMERAL_LO + 1;
    /* Start from a hash of the destination, as RFC 6056's algorithm 3, plus a moving offset. */
    uint32_t start = (raddr * 0x9e3779b1u ^ rport) + tcp_g.next_ephemeral;
    tcp_g.next_ephemeral++;
    for (unsigned i = 0; i < range; i++) {
        uint16_t p = (uint16_t)(TCP_EPHEMERAL_LO + (start + i) % range);
        if (tcp_lookup(c->local_addr, p, raddr, rport))
            continue;
        bool taken = false;
        for (const struct tcp_conn *o = tcp_g.all; o && !taken; o = o->all_next)
            if (o != c && o->bound && o->local_port == p &&
                (o->state == TCPS_LISTEN || o->state == TCPS_CLOSED))
                taken = true; /* explicitly bound sockets keep their port */
        if (taken)
            continue;
        c->local_port = p;
        c->bound = true;
        return 0;
    }
    return -EADDRNOTAVAIL;
}

/* ---- lifetime ---- */

void tcp_wake(struct tcp_conn *c)
{
    if (c->notify && !c->orphan)
        c->notify(c->notify_arg);
}

void tcp_set_state(struct tcp_conn *c, uint8_t state)
{
    if (c->state == TCPS_LISTEN && state != TCPS_LISTEN) {
        for (struct tcp_conn **p = &tcp_g.listeners; *p; p = &(*p)->listen_next)
            if (*p == c) {
                *p = c->listen_next;
                break;
            }
    } else if (state == TCPS_LISTEN && c->state != TCPS_LISTEN) {
        c->listen_next = tcp_g.listeners;
        tcp_g.listeners = c;
    }
    c->state = state;
}

void tcp_arm(struct tcp_conn *c, uint64_t *timer, uint64_t at)
{
    (void)c;
    *timer = at;
    if (at && (tcp_g.next_deadline == 0 || at < tcp_g.next_deadline))
        tcp_g.next_deadline = at;
}

void tcp_drop(struct tcp_conn *c, int err)
{
    if (c->listener) {
        /* A child still in the SYN or accept queue: the listener forgets it. */
        tcp_listen_forget(c);
        return;
    }
    if (err && !c->error)
        c->error = err;
    tcp_set_state(c, TCPS_CLOSED);
    tcp_hash_remove(c);
    c->rtx_at = c->delack_at = c->keep_at = c->wait_at = 0;
    if (c->orphan) {
        tcp_conn_free(c);
        return;
    }
    tcp_wake(c);
}

int tcp_open(struct tcp_conn **out)
{
    struct tcp_conn *c = tcp_conn_alloc();
    if (!c)
        return tcp_g.conns >= TCP_MAX_CONNS ? -ENOBUFS : -ENOMEM;
    *out = c;
    return 0;
}

void tcp_set_notify(struct tcp_conn *c, tcp_notify_fn fn, void *arg)
{
    c->notify = fn;
    c->notify_arg = arg;
}

int tcp_getname(struct tcp_conn *c, bool peer, uint32_t *addr, uint16_t *port)
{
    if (peer) {
        if (c->state == TCPS_CLOSED || c->state == TCPS_LISTEN || c->state == TCPS_SYN_SENT)
            return -ENOTCONN;
        *addr = c->remote_addr;
        *port = c->remote_port;
    } else {
        *addr = c->local_addr;
        *port = c->local_port;
    }
    return 0;
}

/* The ISN (RFC 6528): a keyed hash of the 4-tuple plus a 4 µs clock. */
uint32_t tcp_new_isn(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
    return tcp_isn(laddr, lport, raddr, rport, net_now());
}

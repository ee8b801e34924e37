/* Initial sequence numbers (RFC 6528) and the stack's keyed hash: SipHash-2-4 over a secret. */
#ifndef ATOLL_NET_TCP_ISN_H
#define ATOLL_NET_TCP_ISN_H

#include <stddef.h>
#include <stdint.h>

#define TCP_SECRET_LEN 16 /* bytes per SipHash key */

/* Independent keys, so a hash disclosed by one use says nothing about the others. */
enum tcp_secret_use {
    TCP_SECRET_ISN = 0,    /* RFC 6528 F() */
    TCP_SECRET_COOKIE = 1, /* SYN cookie MAC */
    TCP_SECRET_PORT = 2,   /* ephemeral port choice (RFC 6056 §3.3.3 style), for the engine */
    TCP_SECRET_COUNT
};

/* SipHash-2-4 (Aumasson & Bernstein) of data[0..len) under a 16-byte key. */
uint64_t tcp_siphash(const uint8_t key[TCP_SECRET_LEN], const void *data, size_t len);

/* The key for use. In the kernel every key is drawn from random_bytes() on first use; on the
 * host (ATOLL_HOST) the keys start as a fixed, documented pattern so tests are repeatable, and
 * tests may replace them. Never NULL; points to static storage. */
const uint8_t *tcp_secret(enum tcp_secret_use use);

/* Replaces the key for use with key[0..16) (tests; also usable to rekey). */
void tcp_secret_set(enum tcp_secret_use use, const uint8_t key[TCP_SECRET_LEN]);

/* SipHash-2-4 of a connection's 4-tuple (host byte order) plus extra, under key use. */
uint64_t tcp_hash_tuple(enum tcp_secret_use use, uint32_t laddr, uint16_t lport, uint32_t raddr,
                        uint16_t rport, uint32_t extra);

/* RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), with M a
 * 4-microsecond timer (now_ns / 4000, mod 2^32) and F the low 32 bits of SipHash-2-4 of the
 * tuple under the ISN key. Addresses and ports in host byte order; now_ns monotonic. */
uint32_t tcp_isn(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport, uint64_t now_ns);

#endif

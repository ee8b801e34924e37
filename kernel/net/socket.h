/* Sockets inside the network member: the per-family operations the generic syscalls dispatch to. */
#ifndef ATOLL_NET_SOCKET_H
#define ATOLL_NET_SOCKET_H

#include "atoll/file.h"
#include "atoll/klib.h"

/* Linux's values (the ABI musl uses). */
#define AF_UNSPEC 0
#define AF_UNIX   1
#define AF_INET   2
#define AF_INET6  10
#define AF_PACKET 17

#define SOCK_STREAM    1
#define SOCK_DGRAM     2
#define SOCK_RAW       3
#define SOCK_TYPE_MASK 0xf
#ifndef ESOCKTNOSUPPORT
#define ESOCKTNOSUPPORT 94
#endif
#define SOCK_NONBLOCK O_NONBLOCK
#define SOCK_CLOEXEC  O_CLOEXEC

#define MSG_OOB          0x1
#define MSG_PEEK         0x2
#define MSG_DONTWAIT     0x40
#define MSG_CTRUNC       0x8
#define MSG_TRUNC        0x20
#define MSG_ERRQUEUE     0x2000
#define MSG_WAITALL      0x100
#define MSG_NOSIGNAL     0x4000
#define MSG_MORE         0x8000
#define MSG_CMSG_CLOEXEC 0x40000000

#define SHUT_RD   0
#define SHUT_WR   1
#define SHUT_RDWR 2

/* The kernel's view of struct iovec, struct msghdr and struct cmsghdr (Linux x86_64 layout). */
struct sock_iovec {
    void *base;
    size_t len;
};

struct sock_msghdr {
    void *name;
    uint32_t namelen;
    uint32_t pad0;
    struct sock_iovec *iov;
    size_t iovlen;
    void *control;
    size_t controllen;
    int flags;
    int pad1;
};

struct sock_cmsghdr {
    size_t len; /* header plus data */
    int level;
    int type;
};

#define SOCK_CMSG_ALIGN(n) (((n) + 7) & ~(size_t)7)
#define SOCK_CMSG_SPACE(n) (sizeof(struct sock_cmsghdr) + SOCK_CMSG_ALIGN(n))
#define SOCK_CMSG_LEN(n)   (sizeof(struct sock_cmsghdr) + (n))

/* What every family's receive fills in: the bytes, the sender, the ancillary data. The generic
 * layer writes msg_namelen, msg_controllen and msg_flags back to the caller's msghdr. */
struct sock;
struct sock_ops {
    int (*bind)(struct sock *s, const void *addr, unsigned len);
    int (*connect)(struct sock *s, const void *addr, unsigned len);
    /* Returns bytes sent or a negative errno. msg->name may be NULL (connected peer). */
    long (*sendmsg)(struct sock *s, const struct sock_msghdr *msg, int flags);
    /* Returns bytes received (or the datagram's length with MSG_TRUNC) or a negative errno;
     * updates msg->namelen, msg->controllen and msg->flags in the kernel's copy. */
    long (*recvmsg)(struct sock *s, struct sock_msghdr *msg, int flags);
    /* *len holds the buffer size on entry and the full address size on return. */
    int (*getsockname)(struct sock *s, void *addr, unsigned *len);
    int (*getpeername)(struct sock *s, void *addr, unsigned *len);
    int (*setsockopt)(struct sock *s, int level, int name, const void *val, unsigned len);
    int (*getsockopt)(struct sock *s, int level, int name, void *val, unsigned *len);
    int (*shutdown)(struct sock *s, int how);
    long (*ioctl)(struct sock *s, unsigned long req, unsigned long arg);
    unsigned (*poll)(struct sock *s, uint64_t *wake_ns);
    void (*release)(struct sock *s);
    /* Stream sockets only (NULL: EOPNOTSUPP). listen gets Linux's clamped backlog. */
    int (*listen)(struct sock *s, int backlog);
    /* Takes the next connection (blocking unless nonblock): 0 and *out, a socket without a file
     * yet (the generic layer makes it), or a negative errno (-EAGAIN, -EINVAL not listening). */
    int (*accept)(struct sock *s, struct sock **out, bool nonblock);
    /* Sends up to count bytes of the file in, from *off on (advanced by what was sent): bytes sent
     * or a negative errno. NULL: the generic layer reads into a buffer and calls sendmsg. */
    long (*sendfile)(struct sock *s, struct file *in, uint64_t *off, size_t count);
};

struct sock {
    const struct sock_ops *ops;
    struct file *file; /* the open file (its flags hold O_NONBLOCK) */
    int family, type, protocol;
    int shut;                          /* SHUT_RD / SHUT_WR bits (1 << how) */
    uint64_t rcvtimeo_ns, sndtimeo_ns; /* 0 = wait forever */
    int rcvbuf, sndbuf;                /* SO_RCVBUF / SO_SNDBUF as getsockopt reports them */
};

/* Whether an operation on s must not block (O_NONBLOCK on the file or MSG_DONTWAIT). */
static inline bool sock_nonblocking(const struct sock *s, int flags)
{
    return (s->file && (s->file->flags & O_NONBLOCK)) || (flags & MSG_DONTWAIT);
}

/* Bumps the file's readiness sequence (EPOLLET) after a readiness change. */
static inline void sock_readiness_changed(struct sock *s)
{
    if (s->file)
        s->file->wake_seq++;
}

/* Family constructors: 0 and *out, or a negative errno (-EPROTONOSUPPORT, -ESOCKTNOSUPPORT,
 * -ENOMEM...). The generic layer makes the file and sets s->file, s->family, s->type and
 * s->protocol after the constructor returns. */
int sock_create_inet_dgram(int protocol, struct sock **out);
/* tcp_socket.c: AF_INET SOCK_STREAM over the TCP engine (kernel/net/tcp.h); weak in the
 * dispatcher. */
int sock_create_inet_stream(int protocol, struct sock **out);
/* unix_socket.c: AF_UNIX datagram sockets for interface ioctls only. */
int sock_create_unix(int type, struct sock **out);
/* AF_PACKET (kernel/net/packet.c); weak in the dispatcher so it links without it. */
int packet_sock_create(int type, int protocol, struct sock **out);
/* SIOCGIF* and other interface ioctls (0x8910..0x8940; kernel/net/ifreq.c); weak as well. */
long net_ifreq_ioctl(unsigned long req, void *arg);

/* The socket behind an open file, or NULL when it is not a socket. */
struct sock *sock_from_file(struct file *f);
/* socket_sendfile.c; weak in the dispatcher. */
long sys_sendfile(int out_fd, int in_fd, int64_t *offset, size_t count);

/* Helpers of the generic layer that families share. */
/* Copies a socket option value of int size in (-EINVAL when shorter, as Linux). */
int sock_opt_int(const void *val, unsigned len, int *out);
/* Writes an int option out, truncated to *len as Linux does; *len becomes the bytes written. */
int sock_put_int(void *val, unsigned *len, int v);
/* The same for an option value of `size` bytes. */
int sock_put_bytes(void *val, unsigned *len, const void *src, unsigned size);
/* SO_RCVTIMEO/SO_SNDTIMEO: a struct timeval in (-EINVAL short, -EDOM bad usec; a negative time
 * becomes 1 ns, which does not wait, as Linux) and out, in nanoseconds (0 = wait forever). */
int sock_opt_timeout(const void *val, unsigned len, uint64_t *out_ns);
int sock_put_timeout(void *val, unsigned *len, uint64_t ns);
/* Linux's SO_RCVBUF/SO_SNDBUF: the value capped at SOCK_BUF_MAX (net.core.rmem_max) unless
 * forced, doubled for the kernel's bookkeeping, at least min; getsockopt reports the result. */
#define SOCK_BUF_MAX 212992
int sock_buffer_size(int v, bool force, int min);
/* Total bytes of an iovec array (-EINVAL when it overflows). */
long sock_iov_total(const struct sock_iovec *iov, size_t n);

#endif

/* The generic socket syscalls: descriptors, argument checks and Linux's calling conventions, then
 * a call into the socket's family (struct sock_ops). */
#include "socket.h"

#include "atoll/errno.h"
#include "atoll/kernel.h"
#include "atoll/syscall.h"

#define SOCKADDR_MAX      128 /* sizeof(struct sockaddr_storage) */
#define SOCK_IOV_MAX      1024
#define MMSG_MAX          1024 /* UIO_MAXIOV, Linux's cap on vlen */
#define MSG_WAITFORONE    0x10000
#define IFREQ_IOCTL_FIRST 0x8910
#define IFREQ_IOCTL_LAST  0x8940

struct sock_mmsghdr {
    struct sock_msghdr hdr;
    unsigned len;
};

struct linux_timespec {
    int64_t sec, nsec;
};

/* The packet and stream families, the interface ioctls and sendfile are other files of this
 * member; weak, so the dispatcher links without them (the host's unit tests of UDP sockets). */
int packet_sock_create(int type, int protocol, struct sock **out) __attribute__((weak));
long net_ifreq_ioctl(unsigned long req, void *arg) __attribute__((weak));
int sock_create_inet_stream(int protocol, struct sock **out) __attribute__((weak));
long sys_sendfile(int out_fd, int in_fd, int64_t *offset, size_t count) __attribute__((weak));

/* ---- the socket as an open file ---- */

static struct sock *sock_of(struct file *f)
{
    return f->priv;
}

static long sock_file_read(struct file *f, void *buf, size_t len)
{
    struct sock *s = sock_of(f);
    struct sock_iovec iov = {buf, len};
    struct sock_msghdr msg = {.iov = &iov, .iovlen = 1};
    return s->ops->recvmsg ? s->ops->recvmsg(s, &msg, 0) : -EOPNOTSUPP;
}

static long sock_file_write(struct file *f, const void *buf, size_t len)
{
    struct sock *s = sock_of(f);
    struct sock_iovec iov = {(void *)buf, len};
    struct sock_msghdr msg = {.iov = &iov, .iovlen = 1};
    return s->ops->sendmsg ? s->ops->sendmsg(s, &msg, 0) : -EOPNOTSUPP;
}

static long sock_file_ioctl(struct file *f, unsigned long req, unsigned long arg)
{
    struct sock *s = sock_of(f);
    if (req >= IFREQ_IOCTL_FIRST && req <= IFREQ_IOCTL_LAST)
        return net_ifreq_ioctl ? net_ifreq_ioctl(req, (void *)arg) : -ENOTTY;
    return s->ops->ioctl ? s->ops->ioctl(s, req, arg) : -ENOTTY;
}

static unsigned sock_file_poll(struct file *f, uint64_t *wake_ns)
{
    struct sock *s = sock_of(f);
    return s->ops->poll ? s->ops->poll(s, wake_ns) : POLLOUT | POLLWRNORM;
}

static long sock_file_stat(struct file *f, struct linux_stat *st)
{
    (void)f;
    st->st_mode = 0140777; /* S_IFSOCK, as Linux reports a socket */
    st->st_nlink = 1;
    st->st_blksize = 4096;
    return 0;
}

static void sock_file_release(struct file *f)
{
    struct sock *s = sock_of(f);
    f->priv = NULL;
    if (s && s->ops->release)
        s->ops->release(s);
}

static long send_one(struct sock *s, const struct sock_msghdr *msg, int flags);
static long recv_one(struct sock *s, struct sock_msghdr *msg, int flags);

/* readv/writev on a socket move one datagram, gathered from or scattered into every element
 * (struct kiovec and struct sock_iovec share struct iovec's layout). */
static long sock_file_readv(struct file *f, const struct kiovec *iov, int n)
{
    struct sock_msghdr msg = {.iov = (struct sock_iovec *)iov, .iovlen = (size_t)n};
    return recv_one(sock_of(f), &msg, 0);
}

static long sock_file_writev(struct file *f, const struct kiovec *iov, int n)
{
    struct sock_msghdr msg = {.iov = (struct sock_iovec *)iov, .iovlen = (size_t)n};
    return send_one(sock_of(f), &msg, 0);
}

static const struct file_ops sock_file_ops = {
    .read = sock_file_read,
    .write = sock_file_write,
    .readv = sock_file_readv,
    .writev = sock_file_writev,
    .ioctl = sock_file_ioctl,
    .poll = sock_file_poll,
    .stat = sock_file_stat,
    .release = sock_file_release,
};

struct sock *sock_from_file(struct file *f)
{
    return f && f->ops == &sock_file_ops ? f->priv : NULL;
}

/* The socket behind fd: -EBADF when fd is not open, -ENOTSOCK when it is not a socket. */
static long sock_get(int fd, struct sock **out)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    if (f->ops != &sock_file_ops || !f->priv)
        return -ENOTSOCK;
    *out = f->priv;
    return 0;
}

#ifndef EDOM
#define EDOM 33
#endif

/* ---- helpers the families share ---- */

int sock_opt_int(const void *val, unsigned len, int *out)
{
    if (len < sizeof(int))
        return -EINVAL;
    if (!val)
        return -EFAULT;
    memcpy(out, val, sizeof(int));
    return 0;
}

int sock_put_bytes(void *val, unsigned *len, const void *src, unsigned size)
{
    unsigned n = MIN(*len, size);
    if (n && !val)
        return -EFAULT;
    memcpy(val, src, n);
    *len = n;
    return 0;
}

int sock_put_int(void *val, unsigned *len, int v)
{
    return sock_put_bytes(val, len, &v, sizeof(v));
}

/* Linux's struct timeval on x86_64. */
struct sock_timeval {
    int64_t sec, usec;
};

int sock_opt_timeout(const void *val, unsigned len, uint64_t *out_ns)
{
    struct sock_timeval tv;
    if (len < sizeof(tv))
        return -EINVAL;
    if (!val)
        return -EFAULT;
    memcpy(&tv, val, sizeof(tv));
    if (tv.usec < 0 || tv.usec >= 1000000)
        return -EDOM;
    if (tv.sec < 0)
        *out_ns = 1; /* Linux: a negative timeout does not wait at all */
    else
        *out_ns = (uint64_t)tv.sec * 1000000000u + (uint64_t)tv.usec * 1000u;
    return 0;
}

int sock_put_timeout(void *val, unsigned *len, uint64_t ns)
{
    struct sock_timeval tv = {(int64_t)(ns / 1000000000u), (int64_t)(ns % 1000000000u / 1000u)};
    return sock_put_bytes(val, len, &tv, sizeof(tv));
}

int sock_buffer_size(int v, bool force, int min)
{
    uint32_t want = force ? (uint32_t)MAX(v, 0) : MIN((uint32_t)v, (uint32_t)SOCK_BUF_MAX);
    uint64_t doubled = (uint64_t)want * 2;
    return (int)MAX(MIN(doubled, (uint64_t)INT32_MAX), (uint64_t)min);
}

long sock_iov_total(const struct sock_iovec *iov, size_t n)
{
    if (n > SOCK_IOV_MAX)
        return -EMSGSIZE;
    if (n && !iov)
        return -EFAULT;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if ((long)iov[i].len < 0 || iov[i].len > (size_t)INT64_MAX - total)
            return -EINVAL;
        if (iov[i].len && !iov[i].base)
            return -EFAULT;
        total += iov[i].len;
    }
    return (long)total;
}

/* ---- creation ---- */

/* Makes the open file of a new socket and its descriptor (flags: SOCK_NONBLOCK, SOCK_CLOEXEC);
 * releases the socket when either fails. */
static long sock_install(struct sock *s, int domain, int kind, int protocol, int flags)
{
    struct file *f = file_alloc(&sock_file_ops, O_RDWR | (flags & SOCK_NONBLOCK));
    if (!f) {
        s->ops->release(s);
        return -ENFILE;
    }
    f->priv = s;
    s->file = f;
    s->family = domain, s->type = kind, s->protocol = protocol;
    int fd = fd_install(f, 0, flags & SOCK_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}

static long sys_socket(int domain, int type, int protocol)
{
    if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    int kind = type & SOCK_TYPE_MASK;
    struct sock *s = NULL;
    int rc;
    switch (domain) {
    case AF_INET:
        if (kind == SOCK_DGRAM)
            rc = sock_create_inet_dgram(protocol, &s);
        else if (kind == SOCK_STREAM)
            rc = sock_create_inet_stream ? sock_create_inet_stream(protocol, &s) : -EPROTONOSUPPORT;
        else if (kind == SOCK_RAW)
            rc = -EPROTONOSUPPORT;
        else
            rc = -ESOCKTNOSUPPORT;
        break;
    case AF_PACKET:
        rc = packet_sock_create ? packet_sock_create(kind, protocol, &s) : -EAFNOSUPPORT;
        break;
    case AF_UNIX:
        rc = sock_create_unix(kind, &s);
        break;
    default:
        rc = -EAFNOSUPPORT;
        break;
    }
    if (rc < 0)
        return rc;
    return sock_install(s, domain, kind, protocol, type);
}

/* ---- addresses and options ---- */

static bool addrlen_ok(const void *addr, int len)
{
    return len >= 0 && len <= SOCKADDR_MAX && (len == 0 || addr);
}

static long sys_bind(int fd, const void *addr, int len)
{
    struct sock *s;
    long rc = sock_get(fd, &s);
    if (rc < 0)
        return rc;
    if (!addrlen_ok(addr, len))
        return len < 0 || len > SOCKADDR_MAX ? -EINVAL : -EFAULT;
    return s->ops->bind ? s->ops->bind(s, addr, (unsigned)len) : -EOPNOTSUPP;
}

static long sys_connect(int fd, const void *addr, int len)
{
    struct sock *s;
    long rc = sock_get(fd, &s);
    if (rc < 0)
        return rc;
    if (!addrlen_ok(addr, len))
        return len < 0 || len > SOCKADDR_MAX ? -EINVAL : -EFAULT;
    return s->ops->connect ? s->ops->connect(s, addr, (unsigned)len) : -EOPNOTSUPP;
}

typedef int (*name_fn)(struct sock *s, void *addr, unsigned *len);

static long get_name(int fd, void *addr, int *lenp, bool peer)
{
    struct sock *s;
    long rc = sock_get(fd, &s);
    if (rc < 0)
        return rc;
    if (!lenp)
        return -EFAULT;
    if (*lenp < 0)
        return -EINVAL;
    name_fn fn = peer ? s->ops->getpeername : s->ops->getsockname;
    if (!fn)
        return -EOPNOTSUPP;
    if (*lenp && !addr)
        return -EFAULT;
    unsigned len = (unsigned)*lenp;
    if ((rc = fn(s, addr, &len)) < 0)
        return rc;
    *lenp = (int)len;
    return 0;
}

static long sys_getsockname(int fd, void *addr, int *lenp)
{
    return get_name(fd, addr, lenp, false);
}

static long sys_getpeername(int fd, void *addr, int *lenp)
{
    return get_name(fd, addr, lenp, true);
}

static long sys_setsockopt(int fd, int level, int name, const void *val, int len)
{
    struct sock *s;
    long rc = sock_get(fd, &s);
    if (rc < 0)
        return rc;
    if (len < 0)
        return -EINVAL;
    return s->ops->setsockopt ? s->ops->setsockopt(s, level, name, val, (unsigned)len)
                              : -ENOPROTOOPT;
}

static long sys_getsockopt(int fd, int level, int name, void *val, int *lenp)
{
    struct sock *s;
    long rc = sock_get(fd, &s);
    if (rc < 0)
        return rc;
    if (!lenp)
        return -EFAULT;
    if (*lenp < 0)
        return -EINVAL;
    if (!s->ops->getsockopt)
        return -ENOPROTOOPT;
    unsigned len = (unsigned)*lenp;
    if ((rc = s->ops->getsockopt(s, level, name, val, &len)) < 0)
        return rc;
    *lenp = (int)len;
    return 0;
}

static long sys_shutdown(int fd, int how)
{
    struct sock *s;
    long rc = sock_get(fd, &s);
    if (rc < 0)
        return rc;
    if (how < SHUT_RD || how > SHUT_RDWR)
        return -EINVAL;
    return s->ops->shutdown ? s->ops->shutdown(s, how) : -EOPNOTSUPP;
}

static long sys_listen(int fd, int backlog)
{
    struct sock *s;
    long rc = sock_get(fd, &s);
    if (rc < 0)
        return rc;
    return s->ops->listen ? s->ops->listen(s, backlog) : -EOPNOTSUPP;
}

static long sys_accept4(int fd, void *addr, int *lenp, int flags)
{
    struct sock *s;
    long rc = sock_get(fd, &s);
    if (rc < 0)
        return rc;
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    if (!s->ops->accept)
        return -EOPNOTSUPP;
    if (addr && (!lenp || *lenp < 0))
        return lenp ? -EINVAL : -EFAULT;
    struct sock *n;
    if ((rc = s->ops->accept(s, &n, sock_nonblocking(s, 0))) < 0)
        return rc;
    /* The peer's address is read before the descriptor exists: nothing can fail after it. */
    unsigned len = addr ? (unsigned)*lenp : 0;
    if (addr)
        n->ops->getpeername(n, addr, &len);
    long nfd = sock_install(n, s->family, s->type, s->protocol, flags);
    if (nfd >= 0 && addr)
        *lenp = (int)len;
    return nfd;
}

static long sys_accept(int fd, void *addr, int *lenp)
{
    return sys_accept4(fd, addr, lenp, 0);
}

/* ---- data ---- */

static long msg_check(const struct sock_msghdr *msg)
{
    if (!msg)
        return -EFAULT;
    if ((int)msg->namelen < 0)
        return -EINVAL;
    if (msg->namelen && !msg->name)
        return -EFAULT;
    if (msg->controllen && !msg->control)
        return -EFAULT;
    if ((long)msg->controllen < 0)
        return -ENOBUFS;
    long total = sock_iov_total(msg->iov, msg->iovlen);
    return total < 0 ? total : 0;
}

static long send_one(struct sock *s, const struct sock_msghdr *msg, int flags)
{
    long rc = msg_check(msg);
    if (rc < 0)
        return rc;
    if (msg->namelen > SOCKADDR_MAX)
        return -EINVAL;
    return s->ops->sendmsg ? s->ops->sendmsg(s, msg, flags) : -EOPNOTSUPP;
}

static long recv_one(struct sock *s, struct sock_msghdr *msg, int flags)
{
    long rc = msg_check(msg);
    if (rc < 0)
        return rc;
    msg->flags = 0;
    return s->ops->recvmsg ? s->ops->recvmsg(s, msg, flags) : -EOPNOTSUPP;
}

/* sendmsg and sendmmsg, as Linux, take a message whose msg_namelen is 0 as unaddressed (sendto
 * with an address of length 0 is EINVAL instead). */
static long send_msghdr(struct sock *s, const struct sock_msghdr *msg, int flags)
{
    if (msg && msg->name && !msg->namelen) {
        struct sock_msghdr unnamed = *msg;
        unnamed.name = NULL;
        return send_one(s, &unnamed, flags);
    }
    return send_one(s, msg, flags);
}

static long sys_sendmsg(int fd, const struct sock_msghdr *msg, int flags)
{
    struct sock *s;
    long rc = sock_get(fd, &s);
    return rc < 0 ? rc : send_msghdr(s, msg, flags);
}

static long sys_recvmsg(int fd, struct sock_msghdr *msg, int flags)
{
    struct sock *s;
    long rc = sock_get(fd, &s);
    return rc < 0 ? rc : recv_one(s, msg, flags);
}

static long sys_sendto(int fd, const void *buf, size_t len, int flags, const void *addr, int alen)
{
    struct sock *s;
    long rc = sock_get(fd, &s);
    if (rc < 0)
        return rc;
    if (addr && (alen < 0 || alen > SOCKADDR_MAX))
        return -EINVAL;
    struct sock_iovec iov = {(void *)buf, len};
    struct sock_msghdr msg = {.iov = &iov, .iovlen = 1};
    if (addr)
        msg.name = (void *)addr, msg.namelen = (uint32_t)alen;
    return send_one(s, &msg, flags);
}

static long sys_recvfrom(int fd, void *buf, size_t len, int flags, void *addr, int *alenp)
{
    struct sock *s;
    long rc = sock_get(fd, &s);
    if (rc < 0)
        return rc;
    struct sock_iovec iov = {buf, len};
    struct sock_msghdr msg = {.iov = &iov, .iovlen = 1};
    if (addr) {
        if (!alenp)
            return -EFAULT;
        if (*alenp < 0)
            return -EINVAL;
        msg.name = addr, msg.namelen = (uint32_t)*alenp;
    }
    rc = recv_one(s, &msg, flags);
    if (rc >= 0 && addr)
        *alenp = (int)msg.namelen;
    return rc;
}

static long sys_sendmmsg(int fd, struct sock_mmsghdr *vec, unsigned vlen, int flags)
{
    struct sock *s;
    long rc = sock_get(fd, &s);
    if (rc < 0)
        return rc;
    vlen = MIN(vlen, (unsigned)MMSG_MAX);
    if (vlen && !vec)
        return -EFAULT;
    unsigned done = 0;
    for (; done < vlen; done++) {
        rc = send_msghdr(s, &vec[done].hdr, flags);
        if (rc < 0)
            break;
        vec[done].len = (unsigned)rc;
    }
    return done ? (long)done : rc < 0 ? rc : 0;
}

static long sys_recvmmsg(int fd, struct sock_mmsghdr *vec, unsigned vlen, int flags,
                         struct linux_timespec *timeout)
{
    struct sock *s;
    long rc = sock_get(fd, &s);
    if (rc < 0)
        return rc;
    uint64_t deadline = UINT64_MAX;
    if (timeout) {
        if (timeout->sec < 0 || timeout->nsec < 0 || timeout->nsec >= 1000000000)
            return -EINVAL;
        deadline =
            clock_monotonic_ns() + (uint64_t)timeout->sec * 1000000000u + (uint64_t)timeout->nsec;
    }
    vlen = MIN(vlen, (unsigned)MMSG_MAX);
    if (vlen && !vec)
        return -EFAULT;
    unsigned done = 0;
    int each = flags & ~MSG_WAITFORONE;
    for (; done < vlen; done++) {
        rc = recv_one(s, &vec[done].hdr, each);
        if (rc < 0)
            break;
        vec[done].len = (unsigned)rc;
        if (flags & MSG_WAITFORONE)
            each |= MSG_DONTWAIT;
        /* As Linux, the timeout is looked at only between datagrams. */
        if (timeout && clock_monotonic_ns() >= deadline) {
            done++;
            break;
        }
    }
    return done ? (long)done : rc;
}

/* sendfile comes last: without it (weak, NULL) the table simply ends there. */
const struct syscall_entry atoll_net_syscalls[] = {
    SYSCALL(socket),     SYSCALL(bind),       SYSCALL(connect),     SYSCALL(listen),
    SYSCALL(accept),     SYSCALL(accept4),    SYSCALL(getsockname), SYSCALL(getpeername),
    SYSCALL(setsockopt), SYSCALL(getsockopt), SYSCALL(shutdown),    SYSCALL(sendto),
    SYSCALL(recvfrom),   SYSCALL(sendmsg),    SYSCALL(recvmsg),     SYSCALL(sendmmsg),
    SYSCALL(recvmmsg),   SYSCALL(sendfile),   {-1, NULL},
};

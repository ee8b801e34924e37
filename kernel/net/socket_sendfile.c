/* sendfile(2), served by the network member: from a file that can be read at an offset (rootfs
 * files) into a socket (a TCP socket copies the bytes once, straight into its send ring) or,
 * through a buffer, into any other writable file. */
#include "socket.h"

#include "atoll/errno.h"
#include "atoll/kernel.h"

#define SENDFILE_MAX 0x7ffff000 /* Linux's MAX_RW_COUNT */

/* sendfile into anything that is not a socket with its own sendfile: through a buffer. */
static long sendfile_copy(struct file *out, struct file *in, uint64_t *off, size_t count)
{
    static uint8_t bounce[4096]; /* one vCPU, one syscall at a time */
    size_t done = 0;
    while (done < count) {
        long got = in->ops->pread(in, bounce, MIN(count - done, sizeof(bounce)), *off);
        if (got <= 0)
            return done ? (long)done : got;
        long put = out->ops->write ? out->ops->write(out, bounce, (size_t)got) : -EINVAL;
        if (put <= 0)
            return done ? (long)done : put;
        done += (size_t)put, *off += (uint64_t)put;
        if (put < got)
            break;
    }
    return (long)done;
}

long sys_sendfile(int out_fd, int in_fd, int64_t *offset, size_t count)
{
    struct file *in = fd_get(in_fd), *out = fd_get(out_fd);
    if (!in || !out)
        return -EBADF;
    if ((in->flags & O_ACCMODE) == O_WRONLY || (out->flags & O_ACCMODE) == 0)
        return -EBADF;
    if (!in->ops->pread)
        return -EINVAL;
    uint64_t off = in->pos;
    if (offset) {
        if (*offset < 0)
            return -EINVAL;
        off = (uint64_t)*offset;
    }
    count = MIN(count, (size_t)SENDFILE_MAX);
    struct sock *s = sock_from_file(out);
    long rc;
    if (s && s->ops->sendfile)
        rc = s->ops->sendfile(s, in, &off, count);
    else
        rc = sendfile_copy(out, in, &off, count);
    if (offset)
        *offset = (int64_t)off;
    else
        in->pos = off;
    return rc;
}

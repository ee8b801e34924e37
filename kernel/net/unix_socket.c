/* AF_UNIX datagram sockets that serve interface ioctls only (musl's if_nametoindex opens one). */
#include "atoll/kernel.h"
#include "socket.h"

/* A program that only asks interface questions (SIOCGIFINDEX, SIOCGIFNAME, …) needs no unix-domain
 * messaging: binding, connecting and sending fail with EOPNOTSUPP, and the ioctls are answered by
 * the generic socket code. */
#define UNIX_SOCKS_MAX 16

static struct {
    struct sock sock;
    bool in_use;
} socks[UNIX_SOCKS_MAX];

static void unix_release(struct sock *s)
{
    for (unsigned i = 0; i < UNIX_SOCKS_MAX; i++)
        if (&socks[i].sock == s)
            socks[i].in_use = false;
}

static const struct sock_ops unix_ops = {.release = unix_release};

int sock_create_unix(int type, struct sock **out)
{
    if (type != SOCK_DGRAM)
        return -EPROTONOSUPPORT; /* no unix-domain streams: nothing here would serve them */
    for (unsigned i = 0; i < UNIX_SOCKS_MAX; i++) {
        if (!socks[i].in_use) {
            socks[i].in_use = true;
            memset(&socks[i].sock, 0, sizeof(socks[i].sock));
            socks[i].sock.ops = &unix_ops;
            *out = &socks[i].sock;
            return 0;
        }
    }
    return -ENFILE;
}

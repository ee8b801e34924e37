/* One connection: reading requests (pipelined ones too), sequencing them, writing the answers. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "conn.h"

/* True once buf holds a complete head, or something the parser must see now (a bare LF, or as
 * much as a head may ever be). c->scan remembers how far earlier calls looked. */
static bool head_ready(struct conn *c, const char *buf, size_t len)
{
    if (len >= HTTP_MAX_HEAD)
        return true;
    /* The usual case, a head that arrived whole: no line-by-line search. */
    if (len >= 4 && memcmp(buf + len - 4, "\r\n\r\n", 4) == 0)
        return true;
    size_t i = c->scan;
    while (i < len) {
        const char *lf = memchr(buf + i, '\n', len - i);
        if (!lf)
            break;
        i = (size_t)(lf - buf);
        if (i == 0 || buf[i - 1] != '\r')
            return true;
        if (i >= 3 && buf[i - 2] == '\n' && buf[i - 3] == '\r')
            return true;
        i++;
    }
    c->scan = len;
    return false;
}

static void log_request(struct conn *c)
{
    if (!web.log)
        return;
    char date[32];
    http_date_format(web.wall_s, date);
    fprintf(web.log, "%s - - [%s] \"%s %.*s HTTP/1.%d\" %d %zu \"%.*s\"\n", c->peer, date,
            http_method_name(c->req.method), (int)c->req.target.len, c->req.target.ptr,
            c->req.minor_version, c->last_status, c->last_bytes, (int)c->req.user_agent.len,
            c->req.user_agent.ptr ? c->req.user_agent.ptr : "");
    fflush(web.log);
}

/* A request the server refuses as a whole: answer, then close (what follows is not trusted). */
static void refuse(struct conn *c, int status)
{
    c->req.keep_alive = false;
    c->close_after = true;
    if (!c->req.target.ptr)
        c->req.target = (struct http_span){"-", 1};
    resp_error(c, status, NULL, false, NULL);
    web.requests++;
    log_request(c);
}

static void finish_request(struct conn *c, size_t consumed)
{
    web.requests++;
    c->served++;
    log_request(c);
    c->in_start += consumed;
    if (c->in_start == c->in_len)
        c->in_start = c->in_len = 0;
    c->head_done = false;
    c->reading_request = false;
    c->scan = 0;
    c->deadline_ms = web.now_ms + web.cfg.idle_timeout_ms;
}

void conn_process(struct conn *c)
{
    while (!c->close_after && out_has_room(c)) {
        char *buf = c->in + c->in_start;
        size_t avail = c->in_len - c->in_start;
        if (!c->head_done) {
            if (avail == 0)
                return;
            if (!c->reading_request) {
                c->reading_request = true;
                c->deadline_ms = web.now_ms + web.cfg.header_timeout_ms;
            }
            if (!head_ready(c, buf, avail))
                return;
            int rc = http_parse_head(buf, avail, &c->req);
            if (rc == 0)
                return;
            if (rc < 0) {
                refuse(c, -rc);
                return;
            }
            c->head_done = true;
            c->body_in = c->body_out = 0;
            if (c->req.chunked)
                http_chunked_init(&c->chunked);
            uint64_t want = c->req.chunked ? 1 : c->req.content_length;
            if (c->req.expect_continue && want > avail - c->req.head_len) {
                static const char go_on[] = "HTTP/1.1 100 Continue\r\n\r\n";
                out_ref(c, go_on, sizeof(go_on) - 1);
            }
        }
        size_t head = c->req.head_len, have = avail - head;
        char *body = buf + head;
        size_t body_len, consumed;
        if (c->req.chunked) {
            int rc = http_chunked_decode(&c->chunked, body, &c->body_in, have, &c->body_out,
                                         HTTP_MAX_BODY);
            if (rc < 0) {
                refuse(c, -rc);
                return;
            }
            if (rc == 0) {
                if (c->in_len == CONN_IN_SIZE && c->in_start == 0)
                    refuse(c, 413); /* chunk framing alone filled the buffer */
                return;
            }
            body_len = c->body_out;
            consumed = head + c->body_in;
        } else {
            if (have < c->req.content_length)
                return;
            body_len = (size_t)c->req.content_length;
            consumed = head + body_len;
        }
        handle_request(c, body, body_len);
        finish_request(c, consumed);
    }
}

void handle_request(struct conn *c, const char *body, size_t body_len)
{
    const struct http_span *t = &c->req.target;
    if (t->len == 1 && t->ptr[0] == '*') {
        resp_start(c, 204);
        out_printf(c, "Allow: GET, HEAD, POST, PUT, DELETE, OPTIONS\r\n");
        resp_end_head(c, 0, true);
    } else if (t->len >= 4 && memcmp(t->ptr, "/api", 4) == 0 &&
               (t->len == 4 || t->ptr[4] == '/' || t->ptr[4] == '?')) {
        api_handle(c, body, body_len);
    } else {
        static_handle(c);
    }
}

/* Moves unread input to the front so reads have room; spans of a parsed head are re-pointed. */
static void compact(struct conn *c)
{
    if (c->in_start == 0)
        return;
    size_t left = c->in_len - c->in_start;
    memmove(c->in, c->in + c->in_start, left);
    c->in_start = 0;
    c->in_len = left;
    if (c->head_done)
        http_parse_head(c->in, c->in_len, &c->req);
}

/* Writes a run of in-memory pieces. When a file follows (a head before its sendfile body), MSG_MORE
 * lets the head leave in the same segment as the body's first bytes, as nginx's tcp_nopush does. */
static ssize_t write_run(int fd, struct iovec *iov, int count, bool file_next)
{
    static bool no_msg_more;
    if (file_next && !no_msg_more) {
        struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)count};
        ssize_t n = sendmsg(fd, &msg, MSG_MORE | MSG_NOSIGNAL);
        if (n >= 0 || (errno != EINVAL && errno != EOPNOTSUPP && errno != ENOSYS))
            return n;
        no_msg_more = true; /* a stack without MSG_MORE: plain writes from now on */
    }
    return count == 1 ? write(fd, iov[0].iov_base, iov[0].iov_len) : writev(fd, iov, count);
}

/* sendfile, or where the kernel has none for this pair of files, a copy through a bounce buffer
 * (the file cannot change under us: the web root is read-only). */
static ssize_t send_file_range(int sock, int fd, size_t off, size_t len)
{
    static bool no_sendfile;
    if (!no_sendfile) {
        off_t pos = (off_t)off;
        ssize_t n = sendfile(sock, fd, &pos, len);
        if (n >= 0 || (errno != ENOSYS && errno != EINVAL))
            return n;
        no_sendfile = true;
    }
    enum { BOUNCE = 64 * 1024 };
    static char *bounce; /* allocated only on a kernel without sendfile */
    if (!bounce && !(bounce = malloc(BOUNCE))) {
        errno = ENOMEM;
        return -1;
    }
    ssize_t got = pread(fd, bounce, len < BOUNCE ? len : BOUNCE, (off_t)off);
    if (got <= 0) {
        errno = EIO;
        return -1;
    }
    return write(sock, bounce, (size_t)got);
}

/* Doubles the input buffer (up to CONN_IN_SIZE); spans of a parsed head are re-pointed. */
static int grow_input(struct conn *c)
{
    if (c->in_cap >= CONN_IN_SIZE)
        return -1;
    size_t cap = c->in_cap * 2 < CONN_IN_SIZE ? c->in_cap * 2 : CONN_IN_SIZE;
    char *grown = realloc(c->in, cap);
    if (!grown)
        return -1;
    c->in = grown;
    c->in_cap = cap;
    if (c->head_done)
        http_parse_head(c->in, c->in_len, &c->req);
    return 0;
}

int conn_flush(struct conn *c)
{
    while (c->seg_count) {
        struct out_seg *seg = &c->segs[c->seg_first];
        ssize_t n;
        if (seg->fd >= 0) {
            n = send_file_range(c->fd, seg->fd, seg->off, seg->len);
        } else {
            struct iovec iov[16];
            int count = 0;
            bool file_next = false;
            for (unsigned k = 0; k < c->seg_count && count < 16; k++) {
                const struct out_seg *s = &c->segs[(c->seg_first + k) % CONN_SEGS];
                if (s->fd >= 0) {
                    file_next = true;
                    break;
                }
                iov[count].iov_base = (void *)(s->ptr ? s->ptr : c->obuf + s->off);
                iov[count].iov_len = s->len;
                count++;
            }
            n = write_run(c->fd, iov, count, file_next);
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            return 0;
        c->deadline_ms = web.now_ms + web.cfg.idle_timeout_ms;
        size_t sent = (size_t)n;
        while (sent && c->seg_count) {
            seg = &c->segs[c->seg_first];
            size_t take = sent < seg->len ? sent : seg->len;
            seg->len -= take;
            seg->off += take;
            if (seg->ptr)
                seg->ptr += take;
            sent -= take;
            if (seg->len == 0) {
                c->seg_first = (c->seg_first + 1) % CONN_SEGS;
                c->seg_count--;
            }
        }
    }
    c->seg_first = 0;
    c->obuf_len = 0;
    return 1;
}

/* Runs the connection as far as it can go without blocking; returns false once it must close. */
bool conn_drive(struct conn *c)
{
    bool may_read = true;
    for (;;) {
        if (c->seg_count) {
            int r = conn_flush(c);
            if (r < 0)
                return false;
            if (r == 0)
                return true; /* EPOLLOUT will bring us back */
        }
        if (c->close_after)
            return false;
        conn_process(c);
        if (c->seg_count)
            continue;
        if (c->close_after || c->peer_closed)
            return false;
        if (!may_read)
            return true;
        compact(c);
        if (c->in_len == c->in_cap && grow_input(c) != 0)
            return false; /* the parser refuses any request that would need more */
        size_t space = c->in_cap - c->in_len;
        ssize_t n = read(c->fd, c->in + c->in_len, space);
        if (n > 0) {
            c->in_len += (size_t)n;
            /* A short read emptied the socket: the next arrival is a new edge. */
            may_read = (size_t)n == space;
            continue;
        }
        if (n == 0) {
            c->peer_closed = true;
            continue; /* answer what is complete, then close */
        }
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;
    }
}

/* The header or idle timer ran out: a half-received request gets its 408 on the way out. */
void conn_expire(struct conn *c)
{
    if (c->reading_request && c->seg_count == 0) {
        c->head_done = false;
        memset(&c->req, 0, sizeof(c->req));
        refuse(c, 408);
        conn_flush(c);
    }
}

/* The server's configuration, shared state and the connection type the event loop drives. */
#ifndef WEB_SERVER_H
#define WEB_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "http.h"
#include "notes.h"

struct server_config {
    const char *addr; /* NULL: every address */
    int port;
    const char *root; /* web root folder */
    const char *server_name;
    const char *access_log; /* NULL: off; "-": standard output */
    int max_conns;
    int header_timeout_ms; /* from a request's first byte to its end */
    int idle_timeout_ms; /* between requests on a kept-alive connection, and for a stalled reader */
};

struct server {
    struct server_config cfg;
    int64_t now_ms; /* monotonic, refreshed once per event loop turn */
    int64_t started_ms;
    int64_t wall_s;     /* real time, for Date and the notes */
    char date_line[64]; /* "Date: ...\r\n", rebuilt once a second */
    size_t date_line_len;
    char server_line[96]; /* "Server: ...\r\n" */
    size_t server_line_len;
    uint64_t requests;
    unsigned open_conns;
    uint64_t shed_conns;
    const char *runtime; /* unikernel, container, vm or linux */
    FILE *log;
    struct notes notes;
};

extern struct server web;

/* One queued piece of output: bytes in the connection's buffer, bytes elsewhere, or a file range.
 */
struct out_seg {
    const char *ptr; /* NULL: obuf[off..off+len) */
    size_t off;
    size_t len;
    int fd; /* >= 0: sendfile from fd at off */
};

/* The input buffer starts small and grows, for long heads and bodies only, up to CONN_IN_SIZE:
 * an idle or slow connection costs a few KiB, which matters in a unikernel of a few MiB. */
#define CONN_IN_SIZE  (HTTP_MAX_HEAD + HTTP_MAX_BODY + 4096)
#define CONN_IN_START 2048
#define CONN_SEGS     32

struct conn {
    int fd;
    struct conn *prev, *next; /* the list of open connections, oldest first */
    int64_t deadline_ms;
    bool reading_request; /* part of a request has arrived: the header timeout runs */
    bool close_after;     /* close once the queued output is sent */
    bool peer_closed;
    bool head_done; /* req is parsed, its body is being received */
    struct http_request req;
    struct http_chunked chunked;
    size_t body_in, body_out; /* chunked decoding positions, relative to the body start */
    size_t in_start, in_len, scan;
    size_t obuf_len;
    struct out_seg segs[CONN_SEGS];
    unsigned seg_first, seg_count;
    /* Where the answer being built began, to drop it whole when memory runs out half-way. */
    unsigned mark_segs;
    size_t mark_obuf, mark_last_len;
    bool out_failed; /* an answer could not be built: nothing more is queued, the connection closes
                      */
    int last_status;
    unsigned served; /* requests answered on this connection */
    size_t last_bytes;
    char peer[48];
    /* kept when the connection is reused (everything above is cleared): */
    char *obuf;
    size_t obuf_cap;
    char *in;
    size_t in_cap;
};

/* Output building, used by the handlers (respond.c). */
int out_reserve(struct conn *c, size_t n);
void out_append(struct conn *c, const void *data, size_t len);
void out_printf(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void out_ref(struct conn *c, const char *ptr, size_t len);
void out_file(struct conn *c, int fd, off_t off, size_t len);
/* Room for one more answer in the output queue (inline: it is asked before every request). */
static inline bool out_has_room(const struct conn *c)
{
    return c->seg_count + 4 <= CONN_SEGS && c->obuf_len < 64 * 1024;
}

/* Starts a response: status line, Server and Date. */
void resp_start(struct conn *c, int status);
/* Ends the header section with Content-Length (unless no_length) and the Connection field. */
void resp_end_head(struct conn *c, uint64_t content_length, bool no_length);
/* resp_start(c, 200), the prepared fields, then resp_end_head(c, 0, true), queued as one piece. */
void resp_ok_head(struct conn *c, const char *fields, size_t fields_len);
/* A complete response with a short text/plain body, or a JSON {"error":...} for the API. */
void resp_error(struct conn *c, int status, const char *allow, bool json, const char *detail);
const char *http_reason(int status);

/* The handlers. */
void handle_request(struct conn *c, const char *body, size_t body_len);
void static_handle(struct conn *c);
void api_handle(struct conn *c, const char *body, size_t body_len);

/* HTTP dates (RFC 9110 section 5.6.7). */
size_t http_date_format(int64_t t, char *out);
int http_date_parse(const char *s, size_t len, int64_t *t);

/* The runtime this binary finds itself in. */
const char *runtime_detect(void);

/* The event loop. */
int server_run(void);

#endif

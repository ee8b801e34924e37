/* Bulk TCP transfers checked with SHA-256 at both ends: a server (serve) and a client (get, put,
 * file) speaking one line of command per connection; the peer may be this program or
 * tests/e2e/tcp/bulk_peer.py. Commands: "SEND N" (the server sends N bytes and closes), "RECV" (the
 * server reads to the end, answers "N SHA256"), "FILE PATH" (the server sendfile()s PATH). A
 * " RAW" suffix (client modes rawget, rawput) skips data generation and digests, for benchmarks. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tcp_sha256.h"

#define CHUNK 65536

static uint8_t buf[CHUNK];
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* Raw transfers (benchmarks) move the buffer as it is and skip the digest. */
static bool raw;

static void fill_random(uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i += 8) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        memcpy(p + i, &rng_state, len - i < 8 ? len - i : 8);
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what)
{
    printf("tcp_bulk: error: %s: %s\n", what, strerror(errno));
    fflush(stdout);
    return 1;
}

static int write_all(int fd, const void *p, size_t len)
{
    const uint8_t *b = p;
    while (len) {
        ssize_t n = send(fd, b, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        b += n, len -= (size_t)n;
    }
    return 0;
}

/* Reads one line (without its newline) into line; -1 on error or end before the newline. */
static int read_line(int fd, char *line, size_t size)
{
    size_t n = 0;
    while (n + 1 < size) {
        ssize_t r = recv(fd, line + n, 1, 0);
        if (r <= 0)
            return -1;
        if (line[n] == '\n') {
            line[n] = 0;
            return 0;
        }
        n++;
    }
    return -1;
}

/* Sends count pseudo-random bytes; hex gets their digest. */
static int send_bytes(int fd, uint64_t count, char hex[65])
{
    struct sha256 sha;
    sha256_init(&sha);
    while (count) {
        size_t n = count < CHUNK ? (size_t)count : CHUNK;
        if (!raw) {
            fill_random(buf, n);
            sha256_update(&sha, buf, n);
        }
        if (write_all(fd, buf, n) < 0)
            return -1;
        count -= n;
    }
    sha256_hex(&sha, hex);
    return 0;
}

/* Reads to the end of the stream; *count and hex get what came. */
static int receive_all(int fd, uint64_t *count, char hex[65])
{
    struct sha256 sha;
    sha256_init(&sha);
    *count = 0;
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        if (!raw)
            sha256_update(&sha, buf, (size_t)n);
        *count += (uint64_t)n;
    }
    sha256_hex(&sha, hex);
    return 0;
}

static int file_digest(const char *path, uint64_t *size, char hex[65])
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    struct sha256 sha;
    sha256_init(&sha);
    *size = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        sha256_update(&sha, buf, (size_t)n);
        *size += (uint64_t)n;
    }
    close(fd);
    sha256_hex(&sha, hex);
    return n < 0 ? -1 : 0;
}

static int serve_one(int c)
{
    char line[512], hex[65];
    uint64_t count;
    if (read_line(c, line, sizeof(line)) < 0)
        return fail("reading the command");
    raw = strstr(line, " RAW") != NULL;
    if (!strncmp(line, "SEND ", 5)) {
        count = strtoull(line + 5, NULL, 10);
        if (send_bytes(c, count, hex) < 0)
            return fail("sending");
        printf("tcp_bulk: sent %" PRIu64 " bytes sha256 %s\n", count, hex);
    } else if (!strncmp(line, "RECV", 4)) {
        if (receive_all(c, &count, hex) < 0)
            return fail("receiving");
        printf("tcp_bulk: received %" PRIu64 " bytes sha256 %s\n", count, hex);
        char reply[128];
        int len = snprintf(reply, sizeof(reply), "%" PRIu64 " %s\n", count, hex);
        if (write_all(c, reply, (size_t)len) < 0)
            return fail("answering");
    } else if (!strncmp(line, "FILE ", 5)) {
        const char *path = line + 5;
        uint64_t size;
        if (file_digest(path, &size, hex) < 0)
            return fail(path);
        int fd = open(path, O_RDONLY);
        off_t off = 0;
        while ((uint64_t)off < size) {
            ssize_t n = sendfile(c, fd, &off, (size_t)(size - (uint64_t)off));
            if (n <= 0) {
                close(fd);
                return fail("sendfile");
            }
        }
        close(fd);
        printf("tcp_bulk: sendfile %" PRIu64 " bytes of %s sha256 %s\n", size, path, hex);
    } else {
        printf("tcp_bulk: error: unknown command '%s'\n", line);
        return 1;
    }
    return 0;
}

/* How the server ends a connection: close() waiting for the acknowledgement, plain close(), or
 * not at all (the program returns with the connection open; the system closes it at exit). */
enum ending { END_LINGER, END_CLOSE, END_EXIT };

static int serve(uint16_t port, long connections, enum ending ending)
{
    int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 16) < 0)
        return fail("listening");
    printf("tcp_bulk: listening on tcp port %u\n", port);
    fflush(stdout);
    int status = 0;
    for (long i = 0; i < connections; i++) {
        int c = accept(l, NULL, NULL);
        if (c < 0)
            return fail("accept");
        status |= serve_one(c);
        /* close() waits (bounded) until the peer acknowledged everything, so that the program
         * may exit right after: in a unikernel, exit stops the machine and its stack with it.
         * "nolinger" leaves that to the system, as unmodified servers do (Linux keeps orphans);
         * "noclose" returns from main with the connection open (the system closes it at exit). */
        struct linger lg = {1, 10};
        if (ending == END_LINGER)
            setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        if (ending != END_EXIT)
            close(c);
        fflush(stdout);
    }
    if (ending != END_EXIT)
        close(l);
    return status;
}

/* Connects, retrying for $TCP_BULK_READY seconds (default 0) while the server is not up yet. */
static int connect_to(const char *host, const char *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        printf("tcp_bulk: error: bad address %s\n", host);
        return -1;
    }
    const char *ready = getenv("TCP_BULK_READY");
    double deadline = now_s() + (ready ? atof(ready) : 0);
    for (;;) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
            return fd;
        int err = errno;
        close(fd);
        if (now_s() >= deadline) {
            errno = err;
            fail("connect");
            return -1;
        }
        struct timespec pause = {0, 50000000};
        nanosleep(&pause, NULL);
    }
}

static void print_rate(const char *what, uint64_t bytes, double start)
{
    double secs = now_s() - start;
    printf("tcp_bulk: %s %" PRIu64 " bytes in %.3f s: %.2f MB/s\n", what, bytes, secs,
           secs > 0 ? (double)bytes / secs / 1e6 : 0.0);
}

static int client(const char *mode, const char *host, const char *port, const char *arg)
{
    char line[600], hex[65];
    uint64_t count;
    if (!strncmp(mode, "raw", 3)) {
        raw = true;
        mode += 3;
    }
    const char *suffix = raw ? " RAW" : "";
    int fd = connect_to(host, port);
    if (fd < 0)
        return 1;
    double start = now_s();
    if (!strcmp(mode, "get")) {
        uint64_t want = strtoull(arg, NULL, 10);
        int len = snprintf(line, sizeof(line), "SEND %" PRIu64 "%s\n", want, suffix);
        if (write_all(fd, line, (size_t)len) < 0 || receive_all(fd, &count, hex) < 0)
            return fail("get");
        printf("tcp_bulk: received %" PRIu64 " bytes sha256 %s\n", count, hex);
        print_rate("received", count, start);
        close(fd);
        return count == want ? 0 : 1;
    }
    if (!strcmp(mode, "put") || !strcmp(mode, "file")) {
        int len = snprintf(line, sizeof(line), "RECV%s\n", suffix);
        if (write_all(fd, line, (size_t)len) < 0)
            return fail("put");
        if (!strcmp(mode, "put")) {
            count = strtoull(arg, NULL, 10);
            if (send_bytes(fd, count, hex) < 0)
                return fail("sending");
        } else {
            if (file_digest(arg, &count, hex) < 0)
                return fail(arg);
            int in = open(arg, O_RDONLY);
            uint64_t left = count;
            while (left) {
                ssize_t n = sendfile(fd, in, NULL, (size_t)left);
                if (n <= 0)
                    return fail("sendfile");
                left -= (uint64_t)n;
            }
            close(in);
        }
        shutdown(fd, SHUT_WR);
        printf("tcp_bulk: sent %" PRIu64 " bytes sha256 %s\n", count, hex);
        if (read_line(fd, line, sizeof(line)) < 0)
            return fail("reading the answer");
        print_rate("sent", count, start); /* until the peer confirmed it read everything */
        char expected[128];
        snprintf(expected, sizeof(expected), "%" PRIu64 " %s", count, hex);
        bool same = !strcmp(line, expected);
        printf("tcp_bulk: the peer %s\n",
               same ? "received the same bytes" : "received different bytes");
        close(fd);
        return same ? 0 : 1;
    }
    printf("tcp_bulk: error: unknown mode %s\n", mode);
    return 2;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 2 && !strcmp(argv[1], "serve")) {
        uint16_t port = argc > 2 ? (uint16_t)atoi(argv[2]) : 5001;
        long connections = argc > 3 ? atol(argv[3]) : 1;
        const char *how = argc > 4 ? argv[4] : "linger";
        enum ending ending = !strcmp(how, "nolinger")  ? END_CLOSE
                             : !strcmp(how, "noclose") ? END_EXIT
                                                       : END_LINGER;
        return serve(port, connections, ending);
    }
    if (argc == 5)
        return client(argv[1], argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: tcp_bulk serve [PORT [CONNECTIONS [nolinger|noclose]]]\n"
                    "       tcp_bulk get|put|rawget|rawput HOST PORT BYTES\n"
                    "       tcp_bulk file HOST PORT PATH\n");
    return 2;
}

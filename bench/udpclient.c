/* udpclient: load generator for bench/udp.sh; measures a UDP echo server's request/response rate.
 */
/*
 * udpclient ADDR PORT [-w WINDOW] [-s SECONDS] [-n MAX] [-b BYTES] [-r READY_SECONDS]
 *
 * Keeps WINDOW requests of BYTES bytes outstanding (1 = strict request/response) until SECONDS
 * have passed or MAX replies came back, then prints one line:
 *   udpclient: replies=N seconds=S rate=R lost=L
 * Each request carries a sequence number; a reply counts only when it matches an outstanding one.
 * A request unanswered after LOSS_TIMEOUT_MS is counted lost and replaced, so loss slows the rate
 * but never stalls the run. Before measuring, it waits up to READY_SECONDS for the first echo (the
 * server may still be booting). Exit status: 0 measured, 1 the server never answered, 2 bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_WINDOW      1024
#define MAX_BYTES       1472
#define LOSS_TIMEOUT_MS 200
/* Sequence numbers of the warm-up probes; measured requests start at 1. */
#define PROBE_SEQUENCE UINT64_MAX

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long parse_number(const char *option, const char *text, long low, long high)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || *end || end == text || value < low || value > high) {
        fprintf(stderr, "udpclient: %s %s: expected a number from %ld to %ld\n", option, text, low,
                high);
        exit(2);
    }
    return value;
}

static void usage(void)
{
    fprintf(stderr, "usage: udpclient ADDR PORT [-w WINDOW] [-s SECONDS] [-n MAX] [-b BYTES] "
                    "[-r READY_SECONDS]\n");
    exit(2);
}

static int send_request(int fd, uint64_t sequence, size_t bytes)
{
    unsigned char payload[MAX_BYTES];
    memset(payload, 0xa5, bytes);
    memcpy(payload, &sequence, sizeof(sequence));
    return send(fd, payload, bytes, 0) == (ssize_t)bytes ? 0 : -1;
}

/* Reads one reply without blocking; its sequence number, or 0 when none or malformed. */
static uint64_t read_reply(int fd, size_t bytes)
{
    unsigned char payload[MAX_BYTES + 1];
    ssize_t got = recv(fd, payload, sizeof(payload), MSG_DONTWAIT);
    if (got != (ssize_t)bytes)
        return 0;
    uint64_t sequence;
    memcpy(&sequence, payload, sizeof(sequence));
    return sequence;
}

static int wait_readable(int fd, int timeout_ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, timeout_ms) > 0;
}

/* Probes until the first echo comes back or ready_seconds pass. */
static int wait_for_server(int fd, size_t bytes, double ready_seconds)
{
    double deadline = now_seconds() + ready_seconds;
    while (now_seconds() < deadline) {
        send_request(fd, PROBE_SEQUENCE, bytes);
        if (wait_readable(fd, 100) && read_reply(fd, bytes) == PROBE_SEQUENCE)
            return 0;
    }
    return -1;
}

int main(int argc, char **argv)
{
    long window = 1, seconds = 5, max_replies = 1000000, bytes = 64, ready = 60;
    int opt;
    while ((opt = getopt(argc, argv, "w:s:n:b:r:")) != -1) {
        switch (opt) {
        case 'w':
            window = parse_number("-w", optarg, 1, MAX_WINDOW);
            break;
        case 's':
            seconds = parse_number("-s", optarg, 1, 3600);
            break;
        case 'n':
            max_replies = parse_number("-n", optarg, 1, 1000000000);
            break;
        case 'b':
            bytes = parse_number("-b", optarg, 8, MAX_BYTES);
            break;
        case 'r':
            ready = parse_number("-r", optarg, 1, 3600);
            break;
        default:
            usage();
        }
    }
    if (argc - optind != 2)
        usage();
    struct sockaddr_in server = {.sin_family = AF_INET};
    if (inet_pton(AF_INET, argv[optind], &server.sin_addr) != 1) {
        fprintf(stderr, "udpclient: %s: not an IPv4 address\n", argv[optind]);
        return 2;
    }
    server.sin_port = htons((uint16_t)parse_number("PORT", argv[optind + 1], 1, 65535));

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&server, sizeof(server)) < 0) {
        perror("udpclient: socket");
        return 1;
    }
    if (wait_for_server(fd, (size_t)bytes, (double)ready) < 0) {
        fprintf(stderr, "udpclient: no echo from %s:%s within %ld s\n", argv[optind],
                argv[optind + 1], ready);
        return 1;
    }
    /* Late probe echoes are ignored: they carry PROBE_SEQUENCE, never outstanding. */

    /* slot_sequence[i] is the request outstanding in slot i; slot_sent[i] when it left. */
    static uint64_t slot_sequence[MAX_WINDOW];
    static double slot_sent[MAX_WINDOW];
    uint64_t next_sequence = 1;
    long replies = 0, lost = 0;
    double start = now_seconds(), end = start + (double)seconds, now = start;
    for (long i = 0; i < window; i++) {
        slot_sequence[i] = next_sequence++;
        slot_sent[i] = start;
        send_request(fd, slot_sequence[i], (size_t)bytes);
    }
    while (replies < max_replies && now < end) {
        if (wait_readable(fd, 20)) {
            uint64_t sequence;
            while ((sequence = read_reply(fd, (size_t)bytes)) != 0) {
                /* Slots hold consecutive windows of sequence numbers: find this one's slot. */
                long slot = (long)((sequence - 1) % (uint64_t)window);
                if (sequence == PROBE_SEQUENCE || slot_sequence[slot] != sequence)
                    continue;
                replies++;
                slot_sequence[slot] = sequence + (uint64_t)window;
                slot_sent[slot] = now_seconds();
                send_request(fd, slot_sequence[slot], (size_t)bytes);
                if (replies >= max_replies)
                    break;
            }
        }
        now = now_seconds();
        for (long i = 0; i < window; i++) {
            if (now - slot_sent[i] > LOSS_TIMEOUT_MS / 1000.0) {
                lost++;
                slot_sequence[i] += (uint64_t)window;
                slot_sent[i] = now;
                send_request(fd, slot_sequence[i], (size_t)bytes);
            }
        }
    }
    double elapsed = now_seconds() - start;
    printf("udpclient: replies=%ld seconds=%.3f rate=%.1f lost=%ld\n", replies, elapsed,
           (double)replies / elapsed, lost);
    return 0;
}

/* Checks eventfd: counter and semaphore reads, flags, limits, overflow, blocking rules. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static long read_u64(int fd, uint64_t *value)
{
    return read(fd, value, sizeof(*value));
}

static long write_u64(int fd, uint64_t value)
{
    return write(fd, &value, sizeof(value));
}

static void check_counter(void)
{
    int fd = eventfd(5, EFD_NONBLOCK);
    uint64_t value = 0;
    check(fd >= 0, "eventfd(5, EFD_NONBLOCK) opens");
    check(read_u64(fd, &value) == 8 && value == 5, "a read takes the initial value 5");
    check(read_u64(fd, &value) == -1 && errno == EAGAIN, "an empty non-blocking read is EAGAIN");
    check(write_u64(fd, 3) == 8 && write_u64(fd, 4) == 8, "writes of 3 and 4 succeed");
    check(read_u64(fd, &value) == 8 && value == 7, "a read takes their sum 7");
    check(eventfd_write(fd, 9) == 0, "eventfd_write works");
    eventfd_t got = 0;
    check(eventfd_read(fd, &got) == 0 && got == 9, "eventfd_read works");
    uint32_t small = 1;
    check(write(fd, &small, sizeof(small)) == -1 && errno == EINVAL, "a 4-byte write is EINVAL");
    check(read(fd, &small, sizeof(small)) == -1 && errno == EINVAL, "a 4-byte read is EINVAL");
    check(write_u64(fd, UINT64_MAX) == -1 && errno == EINVAL, "writing 2^64-1 is EINVAL");
    struct stat st;
    check(fstat(fd, &st) == 0, "fstat succeeds");
    close(fd);
}

static void check_semaphore(void)
{
    int fd = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK);
    uint64_t value = 0;
    int ones = 0;
    for (int i = 0; i < 3; i++)
        ones += read_u64(fd, &value) == 8 && value == 1;
    check(ones == 3, "EFD_SEMAPHORE: three reads of a counter of 3 each return 1");
    check(read_u64(fd, &value) == -1 && errno == EAGAIN, "EFD_SEMAPHORE: then EAGAIN");
    close(fd);
}

static void check_overflow(void)
{
    int fd = eventfd(0, EFD_NONBLOCK);
    uint64_t value = 0;
    check(write_u64(fd, 0xfffffffffffffffeull) == 8, "the counter takes 2^64-2");
    check(write_u64(fd, 1) == -1 && errno == EAGAIN, "one more is EAGAIN (would overflow)");
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT};
    check(poll(&p, 1, 0) == 1 && p.revents == POLLIN, "a full counter is readable, not writable");
    check(read_u64(fd, &value) == 8 && value == 0xfffffffffffffffeull, "a read empties it");
    p.revents = 0;
    check(poll(&p, 1, 0) == 1 && p.revents == POLLOUT, "an empty counter is writable only");
    close(fd);
}

static void check_flags(void)
{
    errno = 0;
    check(eventfd(0, 0x10) == -1 && errno == EINVAL, "an unknown flag is EINVAL");
    int fd = eventfd(0, EFD_CLOEXEC);
    check(fcntl(fd, F_GETFD) == FD_CLOEXEC, "EFD_CLOEXEC sets FD_CLOEXEC");
    check((fcntl(fd, F_GETFL) & (O_NONBLOCK | O_ACCMODE)) == O_RDWR,
          "without EFD_NONBLOCK: blocking, read-write");
    check(fcntl(fd, F_SETFL, O_NONBLOCK) == 0, "F_SETFL O_NONBLOCK");
    uint64_t value;
    check(read_u64(fd, &value) == -1 && errno == EAGAIN, "then an empty read is EAGAIN");
    fcntl(fd, F_SETFL, 0);
    write_u64(fd, 2);
    check(read_u64(fd, &value) == 8 && value == 2, "a blocking read of a non-zero counter returns");
    close(fd);
}

int main(void)
{
    check_counter();
    check_semaphore();
    check_overflow();
    check_flags();
    return checks_finish("events_eventfd");
}

/* The boot configuration: parsing the image's default kernel command line and the boot-time one. */
#ifndef ATOLL_CMDLINE_H
#define ATOLL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CMDLINE_MAX_ARGS        128
#define CMDLINE_MAX_ENV         128
#define CMDLINE_MAX_VIRTIO_MMIO 24
#define CMDLINE_MAX_NET_KEYS    64

#define CMDLINE_DEFAULT_STACK (256u * 1024)
#define CMDLINE_MIN_STACK     (16u * 1024)
#define CMDLINE_MAX_STACK     (1024u * 1024 * 1024)

struct boot_config {
    int argc;
    const char
        *argv[CMDLINE_MAX_ARGS]; /* app arguments only (argv[1..]); the kernel adds argv[0] */
    int envc;
    const char *envp[CMDLINE_MAX_ENV]; /* "NAME=VALUE" strings, unique NAMEs, in first-seen order */
    uint64_t stack_size; /* default 256 KiB; SIZE accepts K/M/G, rounded up to 4 KiB */
    bool bootstat, strace, quiet;
    bool netstat; /* print the network counters at exit */
    /* The network keys as written, "net0=10.0.0.2/24", "net0.mtu=", "gw=", "route=", in order:
     * their values are checked and applied by the network member (kernel/net/netconfig.c), so
     * that images without networking carry none of that code. */
    int net_key_count;
    const char *net_keys[CMDLINE_MAX_NET_KEYS];
    int virtio_mmio_count; /* virtio_mmio.device=SIZE@ADDR:IRQ, as QEMU's microvm appends them */
    const char *virtio_mmio[CMDLINE_MAX_VIRTIO_MMIO];
    char storage[16384]; /* every string above points into here */
};

/*
 * Fills cfg from two command lines (either may be NULL or empty): the image's default first,
 * then the boot-time one, whose settings override it. Syntax: tokens separated by blanks,
 * double quotes group (and are removed), a backslash takes the next character literally.
 * Tokens before an unquoted `--` are kernel keys (KEY=VALUE or FLAG); tokens after it are the
 * app's arguments. A `--` in the boot-time line replaces the image's app arguments entirely.
 * env.NAME=VALUE settings merge by NAME (the later value wins, the first position is kept).
 *
 * Returns 0, -EINVAL for a malformed line or -E2BIG when a limit is exceeded (arguments,
 * variables or string storage); on error err holds one line such as
 * "boot cmdline: stack=12Q: expected a size like 256K or 4M".
 */
int boot_config_parse(struct boot_config *cfg, const char *image_default, const char *boot_time,
                      char *err, size_t errlen);

#endif

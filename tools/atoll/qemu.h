/* The QEMU side of `atoll run`: accelerator choice and the argument vector. */
#ifndef ATOLL_TOOL_QEMU_H
#define ATOLL_TOOL_QEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strvec.h"

#define QEMU_DEFAULT_BINARY "qemu-system-x86_64"

enum accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };

struct qemu_config {
    const char *machine; /* "microvm", "pc" or "q35" */
    bool kvm;
    uint64_t memory; /* bytes; passed rounded up to whole MiB */
    const char *image;
    const char *cmdline;     /* NULL or "" for none */
    const char *initrd;      /* NULL for none */
    const char *status_path; /* where the guest's ATOLL-STATUS line lands */
    bool virtio_devices;     /* NICs follow: microvm must not name them on the command line */
};

/* Parses "microvm", "pc", "q35"; false for anything else. */
bool qemu_machine_valid(const char *machine);
/* Parses "auto", "kvm", "tcg". */
bool qemu_parse_accel(const char *text, enum accel *accel);

/* True when /dev/kvm opens read-write and answers KVM_GET_API_VERSION with 12; otherwise false
 * with the reason in `why`. */
bool kvm_usable(char *why, size_t whylen);

/* Escapes a value for a QEMU "key=value,..." option: commas are doubled. */
char *qemu_option_escape(const char *value);

/* Appends the whole QEMU command (binary first) to `argv`. */
void qemu_build_argv(struct strvec *argv, const char *qemu, const struct qemu_config *cfg);

#endif

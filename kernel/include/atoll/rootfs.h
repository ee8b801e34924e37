/* The read-only root file system (a newc cpio archive) and the program's initial stack. */
#ifndef ATOLL_ROOTFS_H
#define ATOLL_ROOTFS_H

#include "atoll/cpio.h"
#include "atoll/klib.h"

struct boot_config;

extern struct cpio_archive rootfs;
int rootfs_init(const void *base, size_t len);

/* program_stack.c: argc, argv, envp and auxv laid out as Linux does at process start. */
uint64_t program_stack_build(uint64_t top, const char *argv0, const struct boot_config *cfg);

#endif

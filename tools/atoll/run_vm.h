/* `atoll run --runtime vm`: a Debian Linux guest that runs the program's static Linux binary. */
#ifndef ATOLL_TOOL_RUN_VM_H
#define ATOLL_TOOL_RUN_VM_H

#include <stdbool.h>
#include <stdint.h>

/* The least guest memory with which Debian's kernel boots hello (88 MiB), plus room for the
 * program: below 88 MiB the kernel runs out of memory before it starts /init. */
#define VM_DEFAULT_MEMORY (96ull << 20)

struct vm_boot {
    char *kernel;       /* $ATOLL_VM_DIR/vmlinux (PVH ELF), else $ATOLL_VM_DIR/vmlinuz */
    char *initrd;       /* the base initramfs plus the program (and a run-time rootfs) */
    char *linux_params; /* the Linux kernel's own parameters, ending with the `--` separator */
    char *binary;       /* the program's static Linux binary */
    char *staging;      /* files written for this boot, removed by vm_boot_free */
    char *initrd_to_remove;
};

/* Finds the vm runtime ($ATOLL_VM_DIR, else `vm` beside the folder of the atoll binary: the
 * build tree's build/vm) and the Linux binary of `image` (NAME.img -> NAME.linux, or a Linux
 * binary itself), and writes the initramfs of this boot into `tmp_dir`, with `rootfs_cpio`
 * (a newc archive or NULL) added. With `tmp_dir` NULL (a dry run) nothing is written. `tcg`
 * adds the parameters Linux needs to keep time under TCG. Returns 0, or -1 after an error
 * message. */
int vm_prepare(const char *image, const char *tmp_dir, const char *rootfs_cpio, bool tcg,
               struct vm_boot *vm);

/* The whole kernel command line: Linux's parameters, then Atoll's own command line. */
char *vm_cmdline(const struct vm_boot *vm, const char *atoll_cmdline);

/* Removes what vm_prepare wrote and frees the strings. */
void vm_boot_free(struct vm_boot *vm);

#endif

/* `atoll run --runtime vm`: the kernel, initramfs and command line of a Linux guest boot. */
#include "run_vm.h"
#include "cpio_write.h"
#include "elfsym.h"
#include "util.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Linux's own parameters: the console on the 16550 UART, no kernel chatter between the
 * program's lines (only emergencies), a panic ends QEMU (-no-reboot) at once, no BIOS disk probe.
 * Everything after `--` is Atoll's command line, which the guest's /init parses. */
#define LINUX_PARAMS "console=ttyS0 loglevel=1 panic=-1 edd=off"

/* The file offset of the `len` bytes at virtual address `addr` of an ELF image's loaded
 * segments; false when they are not all in one segment's file bytes. */
static bool elf_file_offset(const char *data, size_t size, uint64_t addr, uint64_t len,
                            uint64_t *offset)
{
    if (size < sizeof(Elf64_Ehdr))
        return false;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)data;
    if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > size ||
        (size - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
        return false;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(data + eh->e_phoff);
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || addr < ph[i].p_vaddr ||
            addr - ph[i].p_vaddr >= ph[i].p_filesz || len > ph[i].p_filesz - (addr - ph[i].p_vaddr))
            continue;
        uint64_t off = ph[i].p_offset + (addr - ph[i].p_vaddr);
        if (off > size || len > size - off)
            return false;
        *offset = off;
        return true;
    }
    return false;
}

/* The file bytes of a NUL-terminated string at virtual address `addr` of an ELF image. */
static char *elf_string_at(const char *data, size_t size, uint64_t addr)
{
    uint64_t off;
    if (!elf_file_offset(data, size, addr, 1, &off))
        return NULL;
    return xstrndup(data + off, strnlen(data + off, size - off));
}

/* The program's name, default command line and embedded rootfs archive, from the .dbg beside an
 * image (symbols atoll_app_name, atoll_app_cmdline, __atoll_rootfs_start/_end); NULL each when
 * unknown or empty. */
static void read_image_meta(const char *image, char **name, char **cmdline, char **rootfs,
                            size_t *rootfs_size)
{
    *name = *cmdline = *rootfs = NULL;
    *rootfs_size = 0;
    if (!str_ends_with(image, ".img"))
        return;
    char *dbg_path = path_with_ext(image, ".img", ".dbg");
    struct elf_file *dbg = NULL;
    char err[256];
    size_t size = 0;
    char *data = path_is_file(dbg_path) ? read_whole_file(dbg_path, &size) : NULL;
    if (data && elf_open(dbg_path, &dbg, err, sizeof(err)) == 0) {
        uint64_t addr;
        if (elf_symbol_value(dbg, "atoll_app_name", &addr))
            *name = elf_string_at(data, size, addr);
        if (elf_symbol_value(dbg, "atoll_app_cmdline", &addr))
            *cmdline = elf_string_at(data, size, addr);
        uint64_t start, end, off;
        if (elf_symbol_value(dbg, "__atoll_rootfs_start", &start) &&
            elf_symbol_value(dbg, "__atoll_rootfs_end", &end) && end > start &&
            elf_file_offset(data, size, start, end - start, &off)) {
            *rootfs = xmalloc(end - start);
            memcpy(*rootfs, data + off, end - start);
            *rootfs_size = end - start;
        }
    }
    elf_close(dbg);
    free(data);
    free(dbg_path);
}

/* Under TCG the guest's TSC runs at the host's rate, and microvm has neither HPET nor ACPI PM
 * timer for Linux to calibrate it against: Linux then hangs in its PIT calibration or falls back
 * to jiffies. Measure the host's TSC over 10 ms and tell Linux. */
static unsigned long host_tsc_khz(void)
{
#if defined(__x86_64__)
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t c0 = __builtin_ia32_rdtsc();
    double ns;
    do {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
    } while (ns < 10e6);
    uint64_t c1 = __builtin_ia32_rdtsc();
    return (unsigned long)((double)(c1 - c0) / ns * 1e6);
#else
    return 0;
#endif
}

static char *vm_dir(void)
{
    const char *env = getenv("ATOLL_VM_DIR");
    if (env && *env)
        return xstrdup(env);
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return xstrdup("build/vm");
    exe[n] = '\0';
    char *tools = path_dirname(exe), *build = path_dirname(tools);
    char *dir = path_join(build, "vm");
    free(tools);
    free(build);
    return dir;
}

static int copy_file(FILE *out, const char *path, char *err, size_t errlen)
{
    FILE *in = fopen(path, "rb");
    if (!in) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        if (fwrite(buf, 1, n, out) != n) {
            snprintf(err, errlen, "writing the initramfs: %s", strerror(errno));
            fclose(in);
            return -1;
        }
    }
    bool failed = ferror(in);
    fclose(in);
    if (failed)
        snprintf(err, errlen, "%s: read error", path);
    return failed ? -1 : 0;
}

/* Linux unpacks concatenated archives, but each must start 4-byte aligned (zeros are skipped). */
static void pad4(FILE *out)
{
    long pos = ftell(out);
    while (pos >= 0 && pos % 4) {
        fputc(0, out);
        pos++;
    }
}

static int write_text(const char *path, const char *text, char *err, size_t errlen)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The initramfs of one boot: the base archive, then atoll/{app,name,cmdline}, then the run-time
 * rootfs when there is one, else the image's embedded rootfs (as in the unikernel, where --rootfs
 * replaces the embedded archive). Linux unpacks concatenated archives in turn. */
static int write_initrd(struct vm_boot *vm, const char *base, const char *name,
                        const char *default_cmdline, const char *embedded, size_t embedded_size,
                        const char *rootfs_cpio, char *err, size_t errlen)
{
    char *atoll = path_join(vm->staging, "atoll");
    char *app = path_join(atoll, "app"), *name_path = path_join(atoll, "name");
    char *cmdline_path = path_join(atoll, "cmdline");
    int rc = -1;
    FILE *out = NULL;
    if (mkdir_parents(atoll) != 0) {
        snprintf(err, errlen, "%s: %s", atoll, strerror(errno));
        goto done;
    }
    FILE *app_out = fopen(app, "wb");
    if (!app_out) {
        snprintf(err, errlen, "%s: %s", app, strerror(errno));
        goto done;
    }
    int copied = copy_file(app_out, vm->binary, err, errlen);
    if (fclose(app_out) != 0 || copied != 0 || chmod(app, 0755) != 0) {
        if (copied == 0)
            snprintf(err, errlen, "%s: %s", app, strerror(errno));
        goto done;
    }
    if (write_text(name_path, name, err, errlen) != 0)
        goto done;
    if (default_cmdline && *default_cmdline &&
        write_text(cmdline_path, default_cmdline, err, errlen) != 0)
        goto done;
    out = fopen(vm->initrd, "wb");
    if (!out) {
        snprintf(err, errlen, "%s: %s", vm->initrd, strerror(errno));
        goto done;
    }
    vm->initrd_to_remove = xstrdup(vm->initrd);
    uint64_t size;
    if (copy_file(out, base, err, errlen) != 0)
        goto done;
    pad4(out);
    if (cpio_write_tree(vm->staging, out, &size, err, errlen) != 0)
        goto done;
    pad4(out);
    if (!rootfs_cpio && embedded_size &&
        fwrite(embedded, 1, embedded_size, out) != embedded_size) {
        snprintf(err, errlen, "%s: %s", vm->initrd, strerror(errno));
        goto done;
    }
    pad4(out);
    if (rootfs_cpio && copy_file(out, rootfs_cpio, err, errlen) != 0)
        goto done;
    rc = 0;
done:
    if (out && fclose(out) != 0 && rc == 0) {
        snprintf(err, errlen, "%s: %s", vm->initrd, strerror(errno));
        rc = -1;
    }
    unlink(app);
    unlink(name_path);
    unlink(cmdline_path);
    rmdir(atoll);
    free(atoll);
    free(app);
    free(name_path);
    free(cmdline_path);
    return rc;
}

int vm_prepare(const char *image, const char *tmp_dir, const char *rootfs_cpio, bool tcg,
               struct vm_boot *vm)
{
    memset(vm, 0, sizeof(*vm));
    char *dir = vm_dir();
    char *base = path_join(dir, "initramfs.cpio.gz");
    /* The unpacked PVH kernel boots seconds faster under TCG; the packed one always works. */
    vm->kernel = path_join(dir, "vmlinux");
    if (!path_is_file(vm->kernel)) {
        free(vm->kernel);
        vm->kernel = path_join(dir, "vmlinuz");
    }
    vm->binary =
        str_ends_with(image, ".img") ? path_with_ext(image, ".img", ".linux") : xstrdup(image);
    char *name = NULL, *default_cmdline = NULL, *embedded = NULL;
    size_t embedded_size = 0;
    int rc = -1;
    if (!path_is_file(vm->kernel) || !path_is_file(base)) {
        msg_error("--runtime vm: %s or %s missing: run `make vm` (needs the Debian packages "
                  "linux-image-amd64 and busybox-static), or set ATOLL_VM_DIR",
                  vm->kernel, base);
        goto out;
    }
    if (!path_is_file(vm->binary)) {
        msg_error("--runtime vm: %s missing: the vm runtime runs the Linux binary beside the "
                  "image (atoll build --target all)",
                  vm->binary);
        goto out;
    }
    read_image_meta(image, &name, &default_cmdline, &embedded, &embedded_size);
    if (!name || !*name) {
        free(name);
        char *file = path_basename(vm->binary);
        name = path_with_ext(file, ".linux", "");
        free(file);
    }
    vm->linux_params =
        tcg ? xasprintf("%s tsc_early_khz=%lu tsc=reliable --", LINUX_PARAMS, host_tsc_khz())
            : xasprintf("%s --", LINUX_PARAMS);
    const char *extra = getenv("ATOLL_VM_KERNEL_ARGS");
    if (extra && *extra) {
        char *with =
            xasprintf("%.*s %s --", (int)(strlen(vm->linux_params) - 3), vm->linux_params, extra);
        free(vm->linux_params);
        vm->linux_params = with;
    }
    if (!tmp_dir) {
        vm->initrd = xasprintf("<%s + %s>", base, vm->binary);
        rc = 0;
        goto out;
    }
    vm->staging = path_join(tmp_dir, "vm-files");
    vm->initrd = path_join(tmp_dir, "vm-initramfs");
    char err[1024];
    rc = write_initrd(vm, base, name, default_cmdline, embedded, embedded_size, rootfs_cpio, err,
                      sizeof(err));
    if (rc != 0)
        msg_error("--runtime vm: %s", err);
out:
    free(name);
    free(default_cmdline);
    free(embedded);
    free(base);
    free(dir);
    return rc;
}

char *vm_cmdline(const struct vm_boot *vm, const char *atoll_cmdline)
{
    return xasprintf("%s %s", vm->linux_params, atoll_cmdline ? atoll_cmdline : "");
}

void vm_boot_free(struct vm_boot *vm)
{
    if (vm->initrd_to_remove)
        unlink(vm->initrd_to_remove);
    if (vm->staging)
        rmdir(vm->staging);
    free(vm->kernel);
    free(vm->initrd);
    free(vm->linux_params);
    free(vm->binary);
    free(vm->staging);
    free(vm->initrd_to_remove);
    memset(vm, 0, sizeof(*vm));
}

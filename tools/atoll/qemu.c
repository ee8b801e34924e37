/* The QEMU side of `atoll run`: accelerator choice and the argument vector. */
#include "qemu.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* From <linux/kvm.h>, spelled out so that the tool needs no kernel headers. */
#define KVM_GET_API_VERSION _IO(0xAE, 0x00)
#define KVM_API_VERSION     12

bool qemu_machine_valid(const char *machine)
{
    return !strcmp(machine, "microvm") || !strcmp(machine, "pc") || !strcmp(machine, "q35");
}

bool qemu_parse_accel(const char *text, enum accel *accel)
{
    if (!strcmp(text, "auto"))
        *accel = ACCEL_AUTO;
    else if (!strcmp(text, "kvm"))
        *accel = ACCEL_KVM;
    else if (!strcmp(text, "tcg"))
        *accel = ACCEL_TCG;
    else
        return false;
    return true;
}

/* A /dev/kvm served by the PVM module (no kvm_intel or kvm_amd loaded) runs only guests built for
 * PVM: an ordinary ring-0 kernel stops at its first SSE instruction with "KVM internal error". */
static bool kvm_is_pvm(void)
{
    return access("/sys/module/kvm_pvm", F_OK) == 0 && access("/sys/module/kvm_intel", F_OK) != 0 &&
           access("/sys/module/kvm_amd", F_OK) != 0;
}

bool kvm_usable(char *why, size_t whylen)
{
    if (kvm_is_pvm()) {
        snprintf(why, whylen,
                 "/dev/kvm is served by the PVM module (kvm_pvm), which runs only PVM guests");
        return false;
    }
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, whylen, "/dev/kvm: %s", strerror(errno));
        return false;
    }
    int version = ioctl(fd, KVM_GET_API_VERSION, 0);
    int saved = errno;
    close(fd);
    if (version != KVM_API_VERSION) {
        if (version < 0)
            snprintf(why, whylen, "/dev/kvm: KVM_GET_API_VERSION: %s", strerror(saved));
        else
            snprintf(why, whylen, "/dev/kvm: KVM API version %d, not %d", version, KVM_API_VERSION);
        return false;
    }
    return true;
}

char *qemu_option_escape(const char *value)
{
    size_t len = strlen(value), commas = 0;
    for (const char *p = value; *p; p++)
        commas += *p == ',';
    char *out = xmalloc(len + commas + 1), *o = out;
    for (const char *p = value; *p; p++) {
        *o++ = *p;
        if (*p == ',')
            *o++ = ',';
    }
    *o = '\0';
    return out;
}

void qemu_build_argv(struct strvec *argv, const char *qemu, const struct qemu_config *cfg)
{
    strvec_push(argv, qemu);
    strvec_push(argv, "-M");
    /* With virtio devices QEMU would append virtio_mmio.device=... to the command line, after
     * any `--`, where the program would get them as arguments: the kernel probes instead. */
    if (!strcmp(cfg->machine, "microvm"))
        strvec_push(argv, cfg->virtio_devices
                              ? "microvm,x-option-roms=off,rtc=on,auto-kernel-cmdline=off"
                              : "microvm,x-option-roms=off,rtc=on");
    else
        strvec_push(argv, cfg->machine);
    strvec_push(argv, "-accel");
    strvec_push(argv, cfg->kvm ? "kvm" : "tcg");
    strvec_push(argv, "-cpu");
    /* Nested KVM (a VM inside Firecracker, for one) refuses QEMU's write of the host's
     * IA32_ARCH_CAPABILITIES MSR and QEMU aborts; the kernel never reads that MSR, so hide it. */
    strvec_push(argv, cfg->kvm ? "host,-arch-capabilities" : "max");
    strvec_push(argv, "-m");
    /* A bare number would mean MiB to QEMU; always say the unit. */
    strvec_pushf(argv, "%lluM", (unsigned long long)(round_up(cfg->memory, 1 << 20) >> 20));
    strvec_push(argv, "-nodefaults");
    strvec_push(argv, "-no-user-config");
    strvec_push(argv, "-display");
    strvec_push(argv, "none");
    strvec_push(argv, "-no-reboot");
    strvec_push(argv, "-kernel");
    strvec_push(argv, cfg->image);
    if (cfg->cmdline && *cfg->cmdline) {
        strvec_push(argv, "-append");
        strvec_push(argv, cfg->cmdline);
    }
    if (cfg->initrd) {
        strvec_push(argv, "-initrd");
        strvec_push(argv, cfg->initrd);
    }
    strvec_push(argv, "-device");
    strvec_push(argv, "isa-debug-exit,iobase=0xf4,iosize=4");
    char *status = qemu_option_escape(cfg->status_path);
    strvec_push(argv, "-chardev");
    strvec_pushf(argv, "file,id=atollstatus,path=%s", status);
    free(status);
    strvec_push(argv, "-device");
    strvec_push(argv, "isa-debugcon,iobase=0x4f0,chardev=atollstatus");
    strvec_push(argv, "-chardev");
    strvec_push(argv, "stdio,id=con,signal=off");
    strvec_push(argv, "-serial");
    strvec_push(argv, "chardev:con");
}

/* The /init of the `vm` runtime: boots a program's static Linux binary as Atoll boots its image. */
#include "atoll/cmdline.h"
#include "atoll/netconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <net/if.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* What the runner (or whoever builds the initramfs) puts beside the binary. */
#define APP_BINARY    "/atoll/app"
#define APP_NAME_FILE "/atoll/name"
#define APP_CMDLINE   "/atoll/cmdline" /* the image's default command line, when it has one */
#define MODULE_LIST   "/etc/atoll-modules"

/* The same ports as Atoll's kernel: the status record, then the exit device. */
#define STATUS_PORT     0x4f0
#define DEBUG_EXIT_PORT 0xf4

#define STATUS_CONFIG_ERROR 2 /* a malformed boot command line, as in the unikernel */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(line))
        n = sizeof(line) - 1;
    (void)!write(STDERR_FILENO, "atoll-vm: ", 10);
    (void)!write(STDERR_FILENO, line, (size_t)n);
    (void)!write(STDERR_FILENO, "\n", 1);
}

/* Reads a small file whole, without its trailing newline; NULL when it does not exist. */
static char *read_small_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    ssize_t n;
    while (buf && (n = read(fd, buf + len, cap - len)) > 0) {
        len += (size_t)n;
        if (len == cap) {
            cap *= 2;
            char *bigger = realloc(buf, cap + 1);
            if (!bigger) {
                free(buf);
                buf = NULL;
            }
            buf = bigger;
        }
    }
    close(fd);
    if (!buf)
        return NULL;
    while (len && buf[len - 1] == '\n')
        len--;
    buf[len] = '\0';
    return buf;
}

/* The kernel starts init without descriptors when the archive has no /dev/console (it is built
 * without root rights, so it cannot hold device nodes): open the console from devtmpfs. */
static void mount_and_open_console(void)
{
    mkdir("/proc", 0755);
    mkdir("/sys", 0755);
    mkdir("/dev", 0755);
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, NULL);
    if (fcntl(STDOUT_FILENO, F_GETFD) < 0) {
        int fd = open("/dev/console", O_RDWR | O_NOCTTY);
        if (fd >= 0) {
            for (int target = 0; target < 3; target++)
                if (fd != target)
                    dup2(fd, target);
            if (fd > 2)
                close(fd);
        }
    }
}

/* Loads the modules listed one path a line, dependencies first (the builder ordered them). */
static void load_modules(void)
{
    char *list = read_small_file(MODULE_LIST);
    if (!list)
        return;
    for (char *path = strtok(list, "\n"); path; path = strtok(NULL, "\n")) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST))
            say("%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    free(list);
}

/* The Atoll part of /proc/cmdline: everything after the first `--`, which the runner puts after
 * the Linux kernel's own parameters. Returns "" when there is none. */
static const char *atoll_cmdline(const char *proc_cmdline)
{
    for (const char *p = proc_cmdline; (p = strstr(p, "--")) != NULL; p += 2) {
        bool starts = p == proc_cmdline || p[-1] == ' ';
        bool ends = p[2] == '\0' || p[2] == ' ';
        if (starts && ends)
            return p[2] ? p + 3 : p + 2;
    }
    return "";
}

static void interface_up(int sock, const char *name)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if (ioctl(sock, SIOCGIFFLAGS, &ifr) != 0)
        return;
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(sock, SIOCSIFFLAGS, &ifr) != 0)
        say("%s: cannot bring it up: %s", name, strerror(errno));
}

/* Runs /bin/busybox with `args` (NULL-terminated, without argv[0]); returns its exit status. */
static int busybox(const char *const *args)
{
    const char *argv[16] = {"busybox"};
    int n = 1;
    for (; args[n - 1] && n < 15; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    pid_t child = fork();
    if (child == 0) {
        /* Failures are reported in one line by the caller, as the unikernel does. */
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, STDERR_FILENO);
        execv("/bin/busybox", (char *const *)argv);
        _exit(127);
    }
    int wstatus;
    if (child < 0 || waitpid(child, &wstatus, 0) != child)
        return -1;
    return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
}

static void format_ipv4(uint32_t addr, char *out, size_t outlen)
{
    snprintf(out, outlen, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff,
             addr & 0xff);
}

static int add_route(const struct net_config_route *r)
{
    char dst[40], gw[16];
    format_ipv4(r->dst, dst, sizeof(dst));
    snprintf(dst + strlen(dst), sizeof(dst) - strlen(dst), "/%u", r->prefix);
    format_ipv4(r->gw, gw, sizeof(gw));
    const char *args[] = {"ip", "route", "add", r->prefix ? dst : "default", "via", gw, NULL};
    return busybox(args);
}

/* The network keys (netN=ADDR/PREFIX, netN.mtu=, gw=, route=), checked by the network stack's
 * own parser so that the vm accepts and refuses exactly what an image does, then applied with
 * busybox's ip: netN is the Nth virtio NIC, which Linux names ethN. Returns 0, or -1 after one
 * line naming the key, as the unikernel stops its boot. */
static int configure_interfaces(const struct boot_config *cfg)
{
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock >= 0) {
        interface_up(sock, "lo");
        close(sock);
    }
    static struct net_config net;
    char err[256];
    if (net_config_parse(&net, cfg->net_keys, cfg->net_key_count, err, sizeof(err)) < 0) {
        fprintf(stderr, "atoll: %s\n", err);
        return -1;
    }
    for (unsigned i = 0; i < NET_MAX_IF; i++) {
        const struct net_config_if *nif = &net.ifs[i];
        if (!nif->addr_key && !nif->mtu_key)
            continue;
        char dev[16], addr[40], mtu[8];
        snprintf(dev, sizeof(dev), "eth%u", i);
        snprintf(mtu, sizeof(mtu), "%u", nif->mtu);
        format_ipv4(nif->addr, addr, sizeof(addr));
        snprintf(addr + strlen(addr), sizeof(addr) - strlen(addr), "/%u", nif->prefix);
        const char *up[] = {"ip", "link", "set", dev, "up", NULL};
        const char *set_mtu[] = {"ip", "link", "set", dev, "mtu", mtu, NULL};
        const char *add[] = {"ip", "addr", "add", addr, "dev", dev, NULL};
        const char *key = nif->addr_key ? nif->addr_key : nif->mtu_key;
        if (busybox(up) != 0 || (nif->mtu_key && busybox(set_mtu) != 0) ||
            (nif->addr_key && busybox(add) != 0)) {
            fprintf(stderr, "atoll: %s: cannot configure net%u (%s)\n", key, i, dev);
            return -1;
        }
    }
    for (unsigned i = 0; i < net.nroutes; i++) {
        if (add_route(&net.routes[i]) != 0) {
            fprintf(stderr, "atoll: %s: cannot add the route\n", net.routes[i].key);
            return -1;
        }
    }
    if (net.gateway.key && add_route(&net.gateway) != 0) {
        fprintf(stderr, "atoll: %s: cannot add the default route\n", net.gateway.key);
        return -1;
    }
    return 0;
}

static _Noreturn void run_program(const struct boot_config *cfg, const char *name)
{
    char *argv[CMDLINE_MAX_ARGS + 2];
    char *envp[CMDLINE_MAX_ENV + 1];
    int argc = 0;
    argv[argc++] = (char *)name;
    for (int i = 0; i < cfg->argc; i++)
        argv[argc++] = (char *)cfg->argv[i];
    argv[argc] = NULL;
    for (int i = 0; i < cfg->envc; i++)
        envp[i] = (char *)cfg->envp[i];
    envp[cfg->envc] = NULL;
    /* The unikernel's stdin gives end-of-file; its main stack is stack=SIZE. */
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0 && null != STDIN_FILENO) {
        dup2(null, STDIN_FILENO);
        close(null);
    }
    struct rlimit stack = {.rlim_cur = cfg->stack_size, .rlim_max = RLIM_INFINITY};
    setrlimit(RLIMIT_STACK, &stack);
    execve(APP_BINARY, argv, envp);
    say("%s: %s", APP_BINARY, strerror(errno));
    _exit(127);
}

/* Runs the program and returns its status as a shell reports it; *crashed for signals that
 * Atoll reports as crashes (a CPU exception, abort()). */
static int run_and_wait(const struct boot_config *cfg, const char *name, bool *crashed)
{
    *crashed = false;
    pid_t child = fork();
    if (child < 0) {
        say("fork: %s", strerror(errno));
        return 125;
    }
    if (child == 0)
        run_program(cfg, name);
    int wstatus;
    for (;;) {
        /* As process 1 every orphan is ours too: reap them until the program itself ends. */
        pid_t done = waitpid(-1, &wstatus, 0);
        if (done == child)
            break;
        if (done < 0 && errno != EINTR) {
            say("waitpid: %s", strerror(errno));
            return 125;
        }
    }
    if (WIFEXITED(wstatus))
        return WEXITSTATUS(wstatus);
    int sig = WTERMSIG(wstatus);
    *crashed = sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
               sig == SIGABRT || sig == SIGTRAP || sig == SIGSYS;
    return 128 + sig;
}

/* Writes the status record and leaves through isa-debug-exit; powers off when QEMU has none. */
static _Noreturn void finish(int code, bool crashed)
{
    tcdrain(STDOUT_FILENO); /* the last lines must leave the UART before QEMU stops */
    char line[64];
    int n = snprintf(line, sizeof(line), "ATOLL-STATUS %s %d\n", crashed ? "crash" : "exit", code);
    if (ioperm(STATUS_PORT, 1, 1) == 0 && ioperm(DEBUG_EXIT_PORT, 4, 1) == 0) {
        for (int i = 0; i < n; i++)
            outb((unsigned char)line[i], STATUS_PORT);
        outl((unsigned)code, DEBUG_EXIT_PORT);
    }
    sync();
    reboot(RB_POWER_OFF);
    for (;;)
        pause();
}

int main(void)
{
    mount_and_open_console();
    struct timespec start;
    clock_gettime(CLOCK_BOOTTIME, &start);
    char *proc_cmdline = read_small_file("/proc/cmdline");
    char *image_cmdline = read_small_file(APP_CMDLINE);
    static struct boot_config cfg;
    char err[256];
    if (boot_config_parse(&cfg, image_cmdline, atoll_cmdline(proc_cmdline ? proc_cmdline : ""), err,
                          sizeof(err)) < 0) {
        fprintf(stderr, "atoll: %s\n", err);
        finish(STATUS_CONFIG_ERROR, false);
    }
    if (cfg.strace)
        say("strace is not available in the vm runtime: ignored");
    load_modules();
    if (configure_interfaces(&cfg) != 0)
        finish(STATUS_CONFIG_ERROR, false);
    char *name = read_small_file(APP_NAME_FILE);
    if (!name || !*name)
        name = "app";
    if (cfg.bootstat) {
        struct timespec now;
        clock_gettime(CLOCK_BOOTTIME, &now);
        fprintf(stderr, "atoll-vm: bootstat kernel_to_init_us=%.1f init_to_main_us=%.1f\n",
                start.tv_sec * 1e6 + start.tv_nsec / 1e3,
                (now.tv_sec - start.tv_sec) * 1e6 + (now.tv_nsec - start.tv_nsec) / 1e3);
    }
    bool crashed;
    int code = run_and_wait(&cfg, name, &crashed);
    finish(code, crashed);
}

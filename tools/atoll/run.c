/* `atoll run`: boots an image in QEMU, streams its console and returns the guest's exit status. */
#include "cmdline.h"
#include "commands.h"
#include "console.h"
#include "cpio_write.h"
#include "elfsym.h"
#include "guest_status.h"
#include "help.h"
#include "netopt.h"
#include "options.h"
#include "qemu.h"
#include "quote.h"
#include "run_vm.h"
#include "strvec.h"
#include "supervise.h"
#include "symbolize.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1ull << 20)
/* Below this QEMU's microvm does not even boot an empty PVH kernel. */
#define MIN_GUEST_MEMORY   (2 * MIB)
#define FLOOR_GUEST_MEMORY (4 * MIB)
/* Room above the image for page tables, stacks and the heap of a small program. */
#define GUEST_MEMORY_SLACK (3 * MIB)

struct run_options {
    const char *image;
    uint64_t memory; /* 0: computed */
    const char *machine;
    enum accel accel;
    struct strvec env; /* "KEY=VALUE" */
    const char *rootfs;
    struct strvec appends;
    double timeout;
    const char *qemu;
    bool dry_run;
    bool vm_runtime; /* --runtime vm: a Linux guest runs NAME.linux */
    bool app_args_given;
    struct strvec app_args;
    struct net_spec nets[NET_MAX_NICS]; /* net0, net1, ... in order */
    unsigned nnets;
    const char *netns; /* run QEMU inside this network namespace */
};

/* Parses the command line; returns -1 to go on, else the status to exit with. Bad arguments are
 * runner errors (125), as the status contract says, so that no guest status can be mistaken. */
static int parse_run_options(int argc, char **argv, struct run_options *opts)
{
    const char *accel_env = getenv("ATOLL_ACCEL");
    if (accel_env && *accel_env && !qemu_parse_accel(accel_env, &opts->accel)) {
        msg_error("ATOLL_ACCEL=%s: expected auto, kvm or tcg", accel_env);
        return EXIT_RUNNER;
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = NULL;
        int m;
        if (!strcmp(arg, "--")) {
            opts->app_args_given = true;
            for (i++; i < argc; i++)
                strvec_push(&opts->app_args, argv[i]);
            break;
        }
        if (opt_flag(argv, i, "--help", "-h")) {
            help_run(stdout);
            return 0;
        }
        if ((m = opt_with_value(argc, argv, &i, "--runtime", NULL, &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_RUNNER;
            if (strcmp(value, "unikernel") != 0 && strcmp(value, "vm") != 0) {
                msg_error("--runtime %s: expected unikernel or vm", value);
                return EXIT_RUNNER;
            }
            opts->vm_runtime = !strcmp(value, "vm");
            continue;
        }
        if (opt_flag(argv, i, "--dry-run", NULL)) {
            opts->dry_run = true;
            continue;
        }
        if ((m = opt_with_value(argc, argv, &i, "--mem", NULL, &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_RUNNER;
            if (parse_size(value, &opts->memory) != 0) {
                msg_error("--mem %s: expected a size such as 64M, 512K or 1G", value);
                return EXIT_RUNNER;
            }
            if (opts->memory < MIN_GUEST_MEMORY) {
                msg_error("--mem %s: QEMU needs at least 2M to boot", value);
                return EXIT_RUNNER;
            }
        } else if ((m = opt_with_value(argc, argv, &i, "--machine", NULL, &value)) !=
                   OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_RUNNER;
            if (!qemu_machine_valid(value)) {
                msg_error("--machine %s: expected microvm, pc or q35", value);
                return EXIT_RUNNER;
            }
            opts->machine = value;
        } else if ((m = opt_with_value(argc, argv, &i, "--accel", NULL, &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_RUNNER;
            if (!qemu_parse_accel(value, &opts->accel)) {
                msg_error("--accel %s: expected auto, kvm or tcg", value);
                return EXIT_RUNNER;
            }
        } else if ((m = opt_with_value(argc, argv, &i, "--env", "-e", &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_RUNNER;
            const char *eq = strchr(value, '=');
            if (!eq || eq == value || strcspn(value, " \t\n\"\\") < (size_t)(eq - value)) {
                msg_error("-e %s: expected KEY=VALUE with a KEY free of spaces, quotes and "
                          "backslashes",
                          value);
                return EXIT_RUNNER;
            }
            strvec_push(&opts->env, value);
        } else if ((m = opt_with_value(argc, argv, &i, "--rootfs", NULL, &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_RUNNER;
            opts->rootfs = value;
        } else if ((m = opt_with_value(argc, argv, &i, "--append", NULL, &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_RUNNER;
            strvec_push(&opts->appends, value);
        } else if ((m = opt_with_value(argc, argv, &i, "--timeout", NULL, &value)) !=
                   OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_RUNNER;
            char *end;
            errno = 0;
            opts->timeout = strtod(value, &end);
            if (errno || end == value || *end || !isfinite(opts->timeout) || opts->timeout <= 0) {
                msg_error("--timeout %s: expected a number of seconds above 0", value);
                return EXIT_RUNNER;
            }
        } else if ((m = opt_with_value(argc, argv, &i, "--net", NULL, &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_RUNNER;
            char err[512];
            if (opts->nnets >= NET_MAX_NICS) {
                msg_error("--net %s: at most %d NICs", value, NET_MAX_NICS);
                return EXIT_RUNNER;
            }
            if (net_spec_parse(value, &opts->nets[opts->nnets], err, sizeof(err)) != 0) {
                msg_error("--net %s", err);
                return EXIT_RUNNER;
            }
            opts->nnets++;
        } else if ((m = opt_with_value(argc, argv, &i, "--netns", NULL, &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_RUNNER;
            opts->netns = value;
        } else if ((m = opt_with_value(argc, argv, &i, "--qemu", NULL, &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_RUNNER;
            opts->qemu = value;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            opt_unknown(arg);
            return EXIT_RUNNER;
        } else if (opts->image) {
            msg_error("unexpected argument '%s': one IMAGE only; program arguments go after "
                      "-- (see atoll run --help)",
                      arg);
            return EXIT_RUNNER;
        } else {
            opts->image = arg;
        }
    }
    if (!opts->image) {
        msg_error("missing IMAGE (see atoll run --help)");
        return EXIT_RUNNER;
    }
    return -1;
}

/* The smallest memory that fits: the image, a run-time rootfs, room to run, the note's advice. */
static uint64_t default_memory(const struct elf_file *image, uint64_t rootfs_size)
{
    uint64_t need = elf_load_end(image);
    need = need > UINT64_MAX - rootfs_size ? UINT64_MAX : need + rootfs_size;
    need = need > UINT64_MAX - GUEST_MEMORY_SLACK ? UINT64_MAX : need + GUEST_MEMORY_SLACK;
    need = round_up(need, MIB);
    uint64_t recommended = 0;
    if (elf_atoll_note(image, &recommended) && recommended > need)
        need = recommended;
    return need < FLOOR_GUEST_MEMORY ? FLOOR_GUEST_MEMORY : need;
}

/* Checks --rootfs; a folder is packed into `cpio_path` (or only measured when it is NULL). */
static int prepare_rootfs(const char *rootfs, const char *cpio_path, uint64_t *size,
                          const char **initrd)
{
    struct stat st;
    if (stat(rootfs, &st) != 0) {
        msg_error("--rootfs %s: %s", rootfs, strerror(errno));
        return -1;
    }
    char err[1024];
    if (S_ISDIR(st.st_mode)) {
        int rc;
        if (cpio_path) {
            rc = cpio_write_tree_to_path(rootfs, cpio_path, size, err, sizeof(err));
            *initrd = cpio_path;
        } else {
            FILE *sink = fopen("/dev/null", "wb");
            rc = sink ? cpio_write_tree(rootfs, sink, size, err, sizeof(err)) : -1;
            if (!sink)
                snprintf(err, sizeof(err), "/dev/null: %s", strerror(errno));
            else
                fclose(sink);
            *initrd = "<cpio archive of --rootfs>";
        }
        if (rc != 0)
            msg_error("--rootfs: %s", err);
        return rc;
    }
    FILE *in = fopen(rootfs, "rb");
    char magic[6];
    bool is_cpio =
        in && S_ISREG(st.st_mode) && fread(magic, 1, 6, in) == 6 && memcmp(magic, "070701", 6) == 0;
    if (in)
        fclose(in);
    if (!is_cpio) {
        msg_error("--rootfs %s: neither a folder nor a newc cpio archive", rootfs);
        return -1;
    }
    *size = (uint64_t)st.st_size;
    *initrd = rootfs;
    return 0;
}

static void write_stdout(void *ctx, const char *data, size_t len)
{
    bool *broken = ctx;
    while (len > 0 && !*broken) {
        ssize_t n = write(STDOUT_FILENO, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *broken = true; /* nobody reads our stdout any more; keep the guest running */
            return;
        }
        data += n;
        len -= (size_t)n;
    }
}

static void describe_wait_status(int wait_status, char *out, size_t outlen)
{
    if (WIFEXITED(wait_status))
        snprintf(out, outlen, "exit status %d", WEXITSTATUS(wait_status));
    else if (WIFSIGNALED(wait_status))
        snprintf(out, outlen, "signal %d (%s)", WTERMSIG(wait_status),
                 strsignal(WTERMSIG(wait_status)));
    else
        snprintf(out, outlen, "wait status 0x%x", wait_status);
}

/* Runs QEMU with a console that symbolizes crash reports from the .dbg beside the image. */
static int boot(const struct run_options *opts, char *const qemu_argv[], const char *status_path)
{
    char *dbg_path = path_with_ext(opts->image, ".img", ".dbg");
    struct elf_file *dbg = NULL;
    struct elf_annotator annotator;
    struct symbolizer sym;
    symbolizer_init(&sym, NULL, NULL);
    if (path_is_file(dbg_path)) {
        char err[1024];
        if (elf_open(dbg_path, &dbg, err, sizeof(err)) == 0) {
            elf_annotator_init(&annotator, dbg);
            symbolizer_init(&sym, elf_annotate, &annotator);
        } else {
            msg_warning("crash reports stay unsymbolized: %s", err);
        }
    }
    bool stdout_broken = false;
    struct console_filter con;
    console_filter_init(&con, &sym, write_stdout, &stdout_broken);
    struct supervise_result result;
    supervise_qemu(qemu_argv, opts->timeout, &con, &result);
    console_filter_free(&con);
    elf_close(dbg);
    free(dbg_path);

    char *status_text = read_whole_file(status_path, NULL);
    struct guest_status status;
    bool have_status = status_text && guest_status_parse(status_text, &status);
    free(status_text);
    char how[128];
    switch (result.end) {
    case SUPERVISE_START_FAILED:
        return EXIT_RUNNER;
    case SUPERVISE_TIMED_OUT:
        msg_error("timed out after %g s; QEMU stopped", opts->timeout);
        return EXIT_TIMEOUT;
    case SUPERVISE_INTERRUPTED:
        msg_error("stopped by signal %d (%s); QEMU stopped", result.signal,
                  strsignal(result.signal));
        return 128 + result.signal;
    case SUPERVISE_EXITED:
        break;
    }
    if (have_status)
        return status.code;
    describe_wait_status(result.wait_status, how, sizeof(how));
    msg_error("QEMU ended (%s) without a status line from the guest: it did not exit through "
              "Atoll (triple fault? not an Atoll image?)",
              how);
    return EXIT_RUNNER;
}

static int run_image(struct run_options *opts)
{
    if (!opts->machine)
        opts->machine = "microvm";
    struct stat st;
    if (stat(opts->image, &st) != 0) {
        msg_error("%s: %s", opts->image, strerror(errno));
        return EXIT_RUNNER;
    }
    char err[1024];
    struct elf_file *image;
    if (!S_ISREG(st.st_mode)) {
        msg_error("%s: not a regular file", opts->image);
        return EXIT_RUNNER;
    }
    if (elf_open(opts->image, &image, err, sizeof(err)) != 0) {
        msg_error("%s", err);
        return EXIT_RUNNER;
    }

    const char *qemu_name = opts->qemu ? opts->qemu : getenv("ATOLL_QEMU");
    if (!qemu_name || !*qemu_name)
        qemu_name = QEMU_DEFAULT_BINARY;
    char *qemu = find_executable(qemu_name);
    if (!qemu && !opts->dry_run) {
        msg_error("%s not found: apt-get install qemu-system-x86 (or pass --qemu PATH)", qemu_name);
        elf_close(image);
        return EXIT_RUNNER;
    }

    bool kvm = false;
    char why[256] = "";
    if (opts->accel == ACCEL_AUTO)
        kvm = kvm_usable(why, sizeof(why));
    else if (opts->accel == ACCEL_KVM && !(kvm = kvm_usable(why, sizeof(why)))) {
        msg_error("--accel kvm: %s (use --accel tcg)", why);
        elf_close(image);
        free(qemu);
        return EXIT_RUNNER;
    }

    char *tmp_dir = NULL, *status_path, *cpio_path = NULL;
    if (opts->dry_run) {
        const char *tmp = getenv("TMPDIR");
        status_path = xasprintf("%s/atoll-run-XXXXXX/status", tmp && *tmp ? tmp : "/tmp");
    } else {
        const char *tmp = getenv("TMPDIR");
        tmp_dir = xasprintf("%s/atoll-run-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(tmp_dir)) {
            msg_error("cannot create a temporary folder %s: %s", tmp_dir, strerror(errno));
            free(tmp_dir);
            free(qemu);
            elf_close(image);
            return EXIT_RUNNER;
        }
        status_path = path_join(tmp_dir, "status");
        cpio_path = path_join(tmp_dir, "rootfs.cpio");
    }

    int rc = EXIT_RUNNER;
    uint64_t rootfs_size = 0;
    if (opts->netns && !opts->dry_run && netns_check(opts->netns, err, sizeof(err)) != 0) {
        msg_error("%s", err);
        goto out;
    }
    const char *initrd = NULL;
    if (opts->rootfs && prepare_rootfs(opts->rootfs, cpio_path, &rootfs_size, &initrd) != 0)
        goto out;
    /* Each NIC's rings and 2 KiB buffers take about half a MiB of guest memory. */
    uint64_t memory =
        opts->memory ? opts->memory : default_memory(image, rootfs_size) + opts->nnets * MIB;

    /* The NICs' keys come first: the user's own --append values then override them. */
    struct strvec kernel_keys = STRVEC_INIT;
    net_kernel_keys(opts->nets, opts->nnets, &opts->appends, &kernel_keys);
    for (size_t i = 0; i < opts->appends.len; i++)
        strvec_push(&kernel_keys, opts->appends.items[i]);
    char *cmdline =
        cmdline_compose(&opts->env, &kernel_keys, opts->app_args_given, &opts->app_args);
    strvec_free(&kernel_keys);
    struct vm_boot vm = {0};
    if (opts->vm_runtime) {
        if (vm_prepare(opts->image, tmp_dir, initrd, !kvm, &vm) != 0) {
            free(cmdline);
            vm_boot_free(&vm);
            goto out;
        }
        char *linux_cmdline = vm_cmdline(&vm, cmdline);
        free(cmdline);
        cmdline = linux_cmdline;
        initrd = vm.initrd;
        if (!opts->memory)
            memory = round_up(VM_DEFAULT_MEMORY + rootfs_size, MIB) + opts->nnets * MIB;
    }
    struct qemu_config cfg = {
        .machine = opts->machine,
        .kvm = kvm,
        .memory = memory,
        .image = opts->vm_runtime ? vm.kernel : opts->image,
        .cmdline = cmdline,
        .initrd = initrd,
        .status_path = status_path,
        .virtio_devices = opts->nnets > 0,
    };
    struct strvec qemu_argv = STRVEC_INIT;
    if (opts->netns) {
        /* ip netns exec enters the namespace and execs QEMU: the pid stays QEMU's own. */
        char *ip = find_executable("ip");
        strvec_push(&qemu_argv, ip ? ip : "ip");
        free(ip);
        strvec_push(&qemu_argv, "netns");
        strvec_push(&qemu_argv, "exec");
        strvec_push(&qemu_argv, opts->netns);
    }
    qemu_build_argv(&qemu_argv, qemu ? qemu : qemu_name, &cfg);
    if (opts->nnets > 0)
        net_qemu_globals(opts->machine, &qemu_argv);
    for (unsigned n = 0; n < opts->nnets; n++)
        net_spec_qemu_args(&opts->nets[n], n, opts->machine, &qemu_argv);
    if (opts->dry_run) {
        shell_print_command(stdout, qemu_argv.items);
        rc = fflush(stdout) == 0 ? 0 : EXIT_RUNNER;
    } else {
        rc = boot(opts, qemu_argv.items, status_path);
    }
    strvec_free(&qemu_argv);
    free(cmdline);
    vm_boot_free(&vm);
out:
    if (tmp_dir) {
        unlink(status_path);
        unlink(cpio_path);
        rmdir(tmp_dir);
    }
    free(tmp_dir);
    free(status_path);
    free(cpio_path);
    free(qemu);
    elf_close(image);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    atoll_prog = "atoll run";
    struct run_options opts = {.accel = ACCEL_AUTO};
    int rc = parse_run_options(argc, argv, &opts);
    if (rc < 0)
        rc = run_image(&opts);
    strvec_free(&opts.env);
    strvec_free(&opts.appends);
    strvec_free(&opts.app_args);
    for (unsigned n = 0; n < opts.nnets; n++)
        net_spec_free(&opts.nets[n]);
    return rc;
}

/* `atoll build`: compiles a C program once and links it into an image and a Linux binary. */
#include "commands.h"
#include "cpio_write.h"
#include "forbidden.h"
#include "help.h"
#include "meta.h"
#include "options.h"
#include "proc.h"
#include "sources.h"
#include "strvec.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MUSL_LIB_DIR      "/usr/lib/x86_64-linux-musl"
#define EXIT_BUILD_FAILED 1

enum { TARGET_UNIKERNEL = 1, TARGET_LINUX = 2 };

struct build_options {
    const char *path;
    const char *output;
    int targets;
    const char *rootfs;
    const char *cmdline;
    uint64_t memory;
    const char *name;
    bool strict;
    bool verbose;
};

/* Everything one build works with, derived from the options. */
struct build_plan {
    const struct build_options *opts;
    char *app_dir; /* -I folder: PATH itself, or the folder of the one .c file */
    char *name;    /* argv[0] and default image name */
    char *image;   /* .img */
    char *dbg;     /* .dbg beside it */
    char *linux_bin;
    char *obj_dir;
    char *kernel_lib;
    char *kernel_lds;
    struct strvec sources; /* paths as given to the compiler */
    struct strvec labels;  /* the same, relative to the app folder, for messages */
    struct strvec objects;
};

static int parse_build_options(int argc, char **argv, struct build_options *opts)
{
    opts->targets = TARGET_UNIKERNEL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = NULL;
        int m;
        if (opt_flag(argv, i, "--help", "-h")) {
            help_build(stdout);
            return 0;
        }
        if (opt_flag(argv, i, "--verbose", "-v")) {
            opts->verbose = true;
        } else if (opt_flag(argv, i, "--strict", NULL)) {
            opts->strict = true;
        } else if ((m = opt_with_value(argc, argv, &i, "--output", "-o", &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_USAGE;
            opts->output = value;
        } else if ((m = opt_with_value(argc, argv, &i, "--target", NULL, &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_USAGE;
            if (!strcmp(value, "unikernel"))
                opts->targets = TARGET_UNIKERNEL;
            else if (!strcmp(value, "linux"))
                opts->targets = TARGET_LINUX;
            else if (!strcmp(value, "all"))
                opts->targets = TARGET_UNIKERNEL | TARGET_LINUX;
            else {
                msg_error("--target %s: expected unikernel, linux or all", value);
                return EXIT_USAGE;
            }
        } else if ((m = opt_with_value(argc, argv, &i, "--rootfs", NULL, &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_USAGE;
            opts->rootfs = value;
        } else if ((m = opt_with_value(argc, argv, &i, "--cmdline", NULL, &value)) !=
                   OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_USAGE;
            opts->cmdline = value;
        } else if ((m = opt_with_value(argc, argv, &i, "--mem", NULL, &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_USAGE;
            if (parse_size(value, &opts->memory) != 0) {
                msg_error("--mem %s: expected a size such as 64M, 512K or 1G", value);
                return EXIT_USAGE;
            }
        } else if ((m = opt_with_value(argc, argv, &i, "--name", NULL, &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_USAGE;
            if (!*value || strchr(value, '/')) {
                msg_error("--name '%s': expected a plain name without '/'", value);
                return EXIT_USAGE;
            }
            opts->name = value;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            opt_unknown(arg);
            return EXIT_USAGE;
        } else if (opts->path) {
            msg_error("unexpected argument '%s': one PATH only (see atoll build --help)", arg);
            return EXIT_USAGE;
        } else {
            opts->path = arg;
        }
    }
    if (!opts->path) {
        msg_error("missing PATH, a folder of C files or one .c file (see atoll build --help)");
        return EXIT_USAGE;
    }
    return -1;
}

/* The folder holding the kernel library: $ATOLL_KERNEL_DIR, else ../kernel beside atoll. */
static char *kernel_dir(void)
{
    const char *env = getenv("ATOLL_KERNEL_DIR");
    if (env && *env)
        return xstrdup(env);
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (len <= 0)
        return xstrdup("build/kernel");
    exe[len] = '\0';
    char *tools_dir = path_dirname(exe);
    char *dir = path_join(tools_dir, "../kernel");
    free(tools_dir);
    char resolved[PATH_MAX];
    if (realpath(dir, resolved)) {
        free(dir);
        return xstrdup(resolved);
    }
    return dir;
}

/* Checks that musl, the compiler, binutils and (for images) the kernel library are there. */
static int check_toolchain(struct build_plan *plan)
{
    char *musl_gcc = find_executable("musl-gcc");
    if (!musl_gcc) {
        msg_error("musl-gcc not found: apt-get install musl-tools");
        return -1;
    }
    free(musl_gcc);
    static const char *const tools[] = {"gcc", "ld", "objcopy"};
    for (size_t i = 0; i < 3; i++) {
        char *found = find_executable(tools[i]);
        if (!found) {
            msg_error("%s not found: apt-get install gcc binutils", tools[i]);
            return -1;
        }
        free(found);
    }
    if (!(plan->opts->targets & TARGET_UNIKERNEL))
        return 0;
    static const char *const crt[] = {"crt1.o", "crti.o", "crtn.o", "libc.a"};
    for (size_t i = 0; i < 4; i++) {
        char *path = path_join(MUSL_LIB_DIR, crt[i]);
        bool present = path_is_file(path);
        if (!present)
            msg_error("%s not found: apt-get install musl-dev", path);
        free(path);
        if (!present)
            return -1;
    }
    char *dir = kernel_dir();
    plan->kernel_lib = path_join(dir, "libatoll.a");
    plan->kernel_lds = path_join(dir, "image.ld");
    free(dir);
    const char *missing = !path_is_file(plan->kernel_lib)   ? plan->kernel_lib
                          : !path_is_file(plan->kernel_lds) ? plan->kernel_lds
                                                            : NULL;
    if (missing) {
        msg_error("%s not found: run make in the Atoll tree first (or set ATOLL_KERNEL_DIR)",
                  missing);
        return -1;
    }
    return 0;
}

/* Works out the app folder, name, sources and output paths. */
static int plan_build(const struct build_options *opts, struct build_plan *plan)
{
    plan->opts = opts;
    struct stat st;
    if (stat(opts->path, &st) != 0) {
        msg_error("%s: %s", opts->path, strerror(errno));
        return -1;
    }
    char *default_name;
    if (S_ISDIR(st.st_mode)) {
        plan->app_dir = xstrdup(opts->path);
        char resolved[PATH_MAX];
        default_name = path_basename(realpath(opts->path, resolved) ? resolved : opts->path);
        char err[1024];
        struct strvec rel = STRVEC_INIT;
        if (sources_find(opts->path, &rel, err, sizeof(err)) != 0) {
            msg_error("%s", err);
            return -1;
        }
        for (size_t i = 0; i < rel.len; i++) {
            strvec_push_owned(&plan->sources, path_join(opts->path, rel.items[i]));
            strvec_push(&plan->labels, rel.items[i]);
        }
        strvec_free(&rel);
        if (plan->sources.len == 0) {
            msg_error("%s: no .c files in this folder", opts->path);
            free(default_name);
            return -1;
        }
    } else if (S_ISREG(st.st_mode) && str_ends_with(opts->path, ".c")) {
        plan->app_dir = path_dirname(opts->path);
        char *base = path_basename(opts->path);
        default_name = xstrndup(base, strlen(base) - 2);
        strvec_push(&plan->sources, opts->path);
        strvec_push_owned(&plan->labels, base);
    } else {
        msg_error("%s: neither a folder nor a .c file", opts->path);
        return -1;
    }
    plan->name = xstrdup(opts->name ? opts->name : default_name);
    free(default_name);
    if (!*plan->name || !strcmp(plan->name, "/")) {
        msg_error("%s: cannot derive a program name; pass --name NAME", opts->path);
        return -1;
    }
    plan->image = opts->output ? xstrdup(opts->output) : xasprintf("%s.img", plan->name);
    plan->dbg = path_with_ext(plan->image, ".img", ".dbg");
    plan->linux_bin = path_with_ext(plan->image, ".img", ".linux");
    char *out_dir = path_dirname(plan->image);
    char *obj_leaf = xasprintf(".obj-%s", plan->name);
    plan->obj_dir = path_join(out_dir, obj_leaf);
    free(obj_leaf);
    free(out_dir);
    return 0;
}

/* Creates the image's folder and the object folder inside it. */
static int make_output_dirs(const struct build_plan *plan)
{
    int rc = mkdir_parents(plan->obj_dir);
    if (rc != 0)
        msg_error("%s: %s", plan->obj_dir, strerror(-rc));
    return rc == 0 ? 0 : -1;
}

static int compile_all(struct build_plan *plan)
{
    for (size_t i = 0; i < plan->sources.len; i++) {
        const char *label = plan->labels.items[i];
        char *stem = xstrndup(label, strlen(label) - 2);
        char *object = xasprintf("%s/%s.o", plan->obj_dir, stem);
        free(stem);
        char *object_dir = path_dirname(object);
        int made = mkdir_parents(object_dir);
        if (made != 0)
            msg_error("%s: %s", object_dir, strerror(-made));
        free(object_dir);
        strvec_push_owned(&plan->objects, object);
        if (made != 0)
            return -1;
        char *include = xasprintf("-I%s", plan->app_dir);
        char *argv[] = {"musl-gcc", "-std=gnu11", "-O2", "-g", "-fno-pie",
                        "-fno-omit-frame-pointer",
                        /* lets the image link drop what the program never calls */
                        "-ffunction-sections", "-fdata-sections", include, "-c",
                        plan->sources.items[i], "-o", object, NULL};
        int status = proc_run(argv, plan->opts->verbose);
        free(include);
        if (status != 0) {
            msg_error("compiling %s failed", label);
            return -1;
        }
    }
    return 0;
}

static int link_linux(struct build_plan *plan)
{
    struct strvec argv = STRVEC_INIT;
    strvec_push(&argv, "musl-gcc");
    strvec_push(&argv, "-static");
    strvec_push(&argv, "-no-pie");
    strvec_push(&argv, "-o");
    strvec_push(&argv, plan->linux_bin);
    for (size_t i = 0; i < plan->objects.len; i++)
        strvec_push(&argv, plan->objects.items[i]);
    int status = proc_run(argv.items, plan->opts->verbose);
    strvec_free(&argv);
    if (status != 0) {
        msg_error("linking %s failed", plan->linux_bin);
        return -1;
    }
    return 0;
}

/* The image's default command line: --cmdline, else PATH/cmdline with newlines as spaces. */
static char *default_cmdline(const struct build_plan *plan)
{
    if (plan->opts->cmdline)
        return xstrdup(plan->opts->cmdline);
    if (!path_is_dir(plan->opts->path))
        return xstrdup("");
    char *file = path_join(plan->opts->path, "cmdline");
    char *text = path_is_file(file) ? read_whole_file(file, NULL) : NULL;
    free(file);
    if (!text)
        return xstrdup("");
    for (char *p = text; *p; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    }
    size_t len = strlen(text);
    while (len > 0 && text[len - 1] == ' ')
        text[--len] = '\0';
    return text;
}

/* Writes and assembles atoll_meta.S, packing the rootfs first when there is one. */
static int build_meta(struct build_plan *plan, char **meta_object)
{
    const char *rootfs = plan->opts->rootfs;
    char *default_rootfs = NULL;
    if (!rootfs && path_is_dir(plan->opts->path)) {
        default_rootfs = path_join(plan->opts->path, "rootfs");
        if (path_is_dir(default_rootfs))
            rootfs = default_rootfs;
    }
    char *cpio_abs = NULL;
    int rc = 0;
    if (rootfs) {
        char resolved[PATH_MAX], err[1024];
        if (!realpath(plan->obj_dir, resolved)) {
            msg_error("%s: %s", plan->obj_dir, strerror(errno));
            rc = -1;
        } else {
            cpio_abs = path_join(resolved, "rootfs.cpio");
            if (plan->opts->verbose)
                fprintf(stderr, "# pack %s into %s\n", rootfs, cpio_abs);
            if (cpio_write_tree_to_path(rootfs, cpio_abs, NULL, err, sizeof(err)) != 0) {
                msg_error("--rootfs: %s", err);
                rc = -1;
            }
        }
    }
    char *cmdline = default_cmdline(plan);
    struct meta_config cfg = {
        .app_name = plan->name,
        .cmdline = cmdline,
        .rootfs_cpio = cpio_abs,
        .memory = plan->opts->memory,
    };
    char *source = path_join(plan->obj_dir, "atoll_meta.S");
    *meta_object = path_join(plan->obj_dir, "atoll_meta.o");
    if (rc == 0) {
        char *text = meta_assembly(&cfg);
        FILE *out = fopen(source, "w");
        if (!out || fputs(text, out) == EOF || fclose(out) != 0) {
            msg_error("%s: %s", source, strerror(errno));
            rc = -1;
        }
        free(text);
    }
    if (rc == 0) {
        char *argv[] = {"gcc", "-c", source, "-o", *meta_object, NULL};
        if (proc_run(argv, plan->opts->verbose) != 0) {
            msg_error("assembling %s failed", source);
            rc = -1;
        }
    }
    free(source);
    free(cmdline);
    free(cpio_abs);
    free(default_rootfs);
    return rc;
}

static int link_image(struct build_plan *plan, const char *meta_object)
{
    char *gcc_argv[] = {"gcc", "-print-libgcc-file-name", NULL};
    char *libgcc = proc_output(gcc_argv, plan->opts->verbose);
    if (!libgcc) {
        msg_error("gcc -print-libgcc-file-name failed");
        return -1;
    }
    struct strvec argv = STRVEC_INIT;
    const char *head[] = {"ld", "-static", "-nostdlib", "-no-pie", "-z", "max-page-size=4096", "-z",
                          "noexecstack",
                          /* unreferenced functions of musl, the kernel and the program stay out */
                          "--gc-sections", "-T", plan->kernel_lds, "-o", plan->dbg,
                          MUSL_LIB_DIR "/crt1.o", MUSL_LIB_DIR "/crti.o"};
    for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
        strvec_push(&argv, head[i]);
    for (size_t i = 0; i < plan->objects.len; i++)
        strvec_push(&argv, plan->objects.items[i]);
    strvec_push(&argv, meta_object);
    strvec_push(&argv, "--start-group");
    strvec_push(&argv, plan->kernel_lib);
    strvec_push(&argv, MUSL_LIB_DIR "/libc.a");
    strvec_push_owned(&argv, libgcc);
    strvec_push(&argv, "--end-group");
    strvec_push(&argv, MUSL_LIB_DIR "/crtn.o");
    int status = proc_run(argv.items, plan->opts->verbose);
    strvec_free(&argv);
    if (status != 0) {
        msg_error("linking %s failed", plan->dbg);
        return -1;
    }
    char *strip[] = {"objcopy", "--strip-all", plan->dbg, plan->image, NULL};
    if (proc_run(strip, plan->opts->verbose) != 0) {
        msg_error("objcopy %s %s failed", plan->dbg, plan->image);
        return -1;
    }
    return 0;
}

/* Warns about (or with --strict refuses) calls that would need a second process. */
static int check_forbidden_calls(struct build_plan *plan)
{
    struct forbidden_report report;
    char err[1024];
    if (forbidden_scan(&plan->objects, &plan->labels, plan->dbg, &report, err, sizeof(err)) != 0) {
        msg_error("%s", err);
        return -1;
    }
    for (size_t i = 0; i < report.len; i++) {
        const struct forbidden_use *use = &report.uses[i];
        char *who = use->source ? xasprintf("%s calls", use->source)
                                : xstrdup("the program links (through the C library)");
        const char *fmt = "%s %s(): Atoll runs one program per image, so %s fails with ENOSYS "
                          "at run time%s";
        if (plan->opts->strict)
            msg_error(fmt, who, use->function, use->function, " (--strict)");
        else
            msg_warning(fmt, who, use->function, use->function, "");
        free(who);
    }
    bool refuse = plan->opts->strict && report.len > 0;
    forbidden_report_free(&report);
    if (refuse) {
        unlink(plan->image);
        unlink(plan->dbg);
        return -1;
    }
    return 0;
}

static void free_plan(struct build_plan *plan)
{
    free(plan->app_dir);
    free(plan->name);
    free(plan->image);
    free(plan->dbg);
    free(plan->linux_bin);
    free(plan->obj_dir);
    free(plan->kernel_lib);
    free(plan->kernel_lds);
    strvec_free(&plan->sources);
    strvec_free(&plan->labels);
    strvec_free(&plan->objects);
}

static int build(const struct build_options *opts)
{
    struct build_plan plan = {.opts = opts};
    int rc = plan_build(opts, &plan);
    if (rc == 0)
        rc = check_toolchain(&plan);
    if (rc == 0)
        rc = make_output_dirs(&plan);
    if (rc == 0)
        rc = compile_all(&plan);
    if (rc == 0 && (opts->targets & TARGET_LINUX))
        rc = link_linux(&plan);
    if (rc == 0 && (opts->targets & TARGET_UNIKERNEL)) {
        char *meta_object = NULL;
        rc = build_meta(&plan, &meta_object);
        if (rc == 0)
            rc = link_image(&plan, meta_object);
        if (rc == 0)
            rc = check_forbidden_calls(&plan);
        free(meta_object);
    }
    if (rc == 0) {
        struct stat st;
        if ((opts->targets & TARGET_UNIKERNEL) && stat(plan.image, &st) == 0)
            printf("atoll build: %s (%lld KiB), symbols in %s\n", plan.image,
                   (long long)(st.st_size + 1023) / 1024, plan.dbg);
        if (opts->targets & TARGET_LINUX)
            printf("atoll build: %s\n", plan.linux_bin);
    }
    free_plan(&plan);
    return rc == 0 ? 0 : EXIT_BUILD_FAILED;
}

int cmd_build(int argc, char **argv)
{
    atoll_prog = "atoll build";
    struct build_options opts = {0};
    int rc = parse_build_options(argc, argv, &opts);
    return rc >= 0 ? rc : build(&opts);
}

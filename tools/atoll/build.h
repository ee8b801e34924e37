/* What one `atoll build` works with, and its compile and link steps (build_steps.c). */
#ifndef ATOLL_TOOL_BUILD_H
#define ATOLL_TOOL_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "strvec.h"

/* Debian's musl-dev: crt1.o, crti.o, crtn.o and libc.a. */
#define MUSL_LIB_DIR "/usr/lib/x86_64-linux-musl"

enum { TARGET_UNIKERNEL = 1, TARGET_LINUX = 2 };

/* The options of `atoll build` as parsed; TARGET_* bits in `targets`. */
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
    struct strvec include_dirs; /* the extra folders of PATH/sources, also -I folders */
};

/* Each step prints its own one-line error and returns -1 on failure, 0 on success. */
int build_compile_all(struct build_plan *plan);
int build_link_linux(struct build_plan *plan);
/* Packs the rootfs, writes atoll_meta.S and assembles it into *meta_object (a new string). */
int build_meta(struct build_plan *plan, char **meta_object);
/* Links the image; `undefs` (may be NULL) names optional kernel members to pull in with ld -u. */
int build_link_image(struct build_plan *plan, const char *meta_object, const struct strvec *undefs);

#endif

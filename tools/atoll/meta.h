/* Generation of atoll_meta.S: the app's name, default command line, rootfs and memory note. */
#ifndef ATOLL_TOOL_META_H
#define ATOLL_TOOL_META_H

#include <stdint.h>

struct meta_config {
    const char *app_name;    /* argv[0] */
    const char *cmdline;     /* default kernel command line; "" for none */
    const char *rootfs_cpio; /* absolute path of a newc archive, or NULL */
    uint64_t memory;         /* recommended guest memory in bytes; 0 for none */
};

/* Returns the assembly text (a new string) that defines atoll_app_name, atoll_app_cmdline,
 * __atoll_rootfs_start/_end and the "Atoll" note, as the image contract fixes them. */
char *meta_assembly(const struct meta_config *cfg);

#endif

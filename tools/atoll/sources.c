/* Finding the C files of a program: every *.c under its folder, minus rootfs/, build/, hidden. */
#include "sources.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int scan(const char *root, const char *rel, struct strvec *out, char *err, size_t errlen)
{
    char *path = *rel ? path_join(root, rel) : xstrdup(root);
    DIR *dir = opendir(path);
    if (!dir) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(dir)) != NULL) {
        const char *name = de->d_name;
        if (name[0] == '.')
            continue;
        if (!*rel && (!strcmp(name, "rootfs") || !strcmp(name, "build")))
            continue;
        char *child_rel = *rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
        char *child_path = path_join(root, child_rel);
        struct stat st;
        if (lstat(child_path, &st) == 0 && S_ISDIR(st.st_mode)) {
            rc = scan(root, child_rel, out, err, errlen);
        } else if (str_ends_with(name, ".c") && stat(child_path, &st) == 0 && S_ISREG(st.st_mode)) {
            strvec_push(out, child_rel);
        }
        free(child_path);
        free(child_rel);
    }
    closedir(dir);
    free(path);
    return rc;
}

int sources_find(const char *root, struct strvec *out, char *err, size_t errlen)
{
    size_t first = out->len;
    if (scan(root, "", out, err, errlen) != 0)
        return -1;
    if (out->len - first > 1) {
        struct strvec tail = {out->items + first, out->len - first, 0};
        strvec_sort(&tail);
    }
    return 0;
}

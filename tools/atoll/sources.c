/* Finding the C files of a program: every *.c under its folder, minus rootfs/, build/, hidden,
 * plus those of the extra folders its `sources` file names. */
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

int sources_extra_dirs(const char *app_dir, struct strvec *dirs, struct strvec *as_written,
                       char *err, size_t errlen)
{
    char *file = path_join(app_dir, "sources");
    if (!path_is_file(file)) {
        free(file);
        return 0;
    }
    char *text = read_whole_file(file, NULL);
    if (!text) {
        snprintf(err, errlen, "%s: %s", file, strerror(errno));
        free(file);
        return -1;
    }
    int rc = 0;
    unsigned line_no = 0;
    for (char *line = text; rc == 0 && line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        line_no++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        while (*line == ' ' || *line == '\t')
            line++;
        size_t len = strlen(line);
        while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len) {
            char *dir = path_join(app_dir, line);
            if (!path_is_dir(dir)) {
                snprintf(err, errlen, "%s:%u: %s is not a folder (paths are relative to %s)", file,
                         line_no, line, app_dir);
                free(dir);
                rc = -1;
            } else {
                strvec_push_owned(dirs, dir);
                strvec_push(as_written, line);
            }
        }
        line = next;
    }
    free(text);
    free(file);
    return rc;
}

char *sources_extra_label(const char *dir_as_written, const char *rel)
{
    const char *d = dir_as_written;
    for (;;) {
        if (!strncmp(d, "../", 3))
            d += 3;
        else if (!strncmp(d, "./", 2))
            d += 2;
        else if (*d == '/')
            d++;
        else
            break;
    }
    size_t len = strlen(d);
    while (len && d[len - 1] == '/')
        len--;
    if (!len || !strcmp(d, ".."))
        return xasprintf("extra/%s", rel);
    return xasprintf("%.*s/%s", (int)len, d, rel);
}

/* Helpers shared by the atoll tool: messages, memory, strings, sizes and paths. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *atoll_prog = "atoll";

static void vmessage(const char *kind, const char *fmt, va_list ap)
{
    fflush(stdout);
    fprintf(stderr, "%s: %s", atoll_prog, kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void msg_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("", fmt, ap);
    va_end(ap);
}

void msg_warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("warning: ", fmt, ap);
    va_end(ap);
}

static void out_of_memory(void)
{
    fprintf(stderr, "%s: out of memory\n", atoll_prog);
    exit(EXIT_RUNNER);
}

void *xmalloc(size_t size)
{
    void *ptr = malloc(size ? size : 1);
    if (!ptr)
        out_of_memory();
    return ptr;
}

void *xrealloc(void *ptr, size_t size)
{
    ptr = realloc(ptr, size ? size : 1);
    if (!ptr)
        out_of_memory();
    return ptr;
}

char *xstrdup(const char *text)
{
    return xstrndup(text, strlen(text));
}

char *xstrndup(const char *text, size_t len)
{
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    return copy;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0)
        out_of_memory();
    char *text = xmalloc((size_t)len + 1);
    va_start(ap, fmt);
    vsnprintf(text, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return text;
}

bool str_ends_with(const char *text, const char *suffix)
{
    size_t tl = strlen(text), sl = strlen(suffix);
    return tl >= sl && memcmp(text + tl - sl, suffix, sl) == 0;
}

bool str_starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

int parse_size(const char *text, uint64_t *bytes)
{
    if (!text || *text < '0' || *text > '9')
        return -EINVAL;
    uint64_t value = 0;
    const char *p = text;
    for (; *p >= '0' && *p <= '9'; p++) {
        unsigned digit = (unsigned)(*p - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return -ERANGE;
        value = value * 10 + digit;
    }
    unsigned shift = 0;
    switch (*p) {
    case '\0':
        break;
    case 'k':
    case 'K':
        shift = 10;
        break;
    case 'm':
    case 'M':
        shift = 20;
        break;
    case 'g':
    case 'G':
        shift = 30;
        break;
    default:
        return -EINVAL;
    }
    if (shift) {
        p++;
        /* Accept the spellings people write: 64M, 64MB, 64MiB. */
        if (strcmp(p, "") != 0 && strcmp(p, "B") != 0 && strcmp(p, "iB") != 0)
            return -EINVAL;
        if (value > (UINT64_MAX >> shift))
            return -ERANGE;
        value <<= shift;
    }
    *bytes = value;
    return 0;
}

uint64_t round_up(uint64_t value, uint64_t unit)
{
    if (value > UINT64_MAX - (unit - 1))
        return UINT64_MAX & ~(unit - 1);
    return (value + unit - 1) & ~(unit - 1);
}

char *path_dirname(const char *path)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    while (len > 0 && path[len - 1] != '/')
        len--;
    if (len == 0)
        return xstrdup(".");
    while (len > 1 && path[len - 1] == '/')
        len--;
    return xstrndup(path, len);
}

char *path_basename(const char *path)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && path[start - 1] != '/')
        start--;
    if (start == len && len > 0)
        return xstrdup("/"); /* the root folder */
    return xstrndup(path + start, len - start);
}

char *path_join(const char *dir, const char *name)
{
    if (name[0] == '/' || dir[0] == '\0')
        return xstrdup(name);
    if (str_ends_with(dir, "/"))
        return xasprintf("%s%s", dir, name);
    return xasprintf("%s/%s", dir, name);
}

char *path_with_ext(const char *path, const char *old_ext, const char *new_ext)
{
    if (str_ends_with(path, old_ext)) {
        size_t stem = strlen(path) - strlen(old_ext);
        return xasprintf("%.*s%s", (int)stem, path, new_ext);
    }
    return xasprintf("%s%s", path, new_ext);
}

bool path_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool path_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int mkdir_parents(const char *path)
{
    char *copy = xstrdup(path);
    int rc = 0;
    for (char *p = copy + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
            rc = -errno;
            break;
        }
        *p = saved;
        if (saved == '\0')
            break;
    }
    if (rc == 0 && !path_is_dir(path))
        rc = -ENOTDIR;
    free(copy);
    return rc;
}

char *find_executable(const char *name)
{
    if (strchr(name, '/'))
        return access(name, X_OK) == 0 && path_is_file(name) ? xstrdup(name) : NULL;
    const char *search = getenv("PATH");
    if (!search || !*search)
        search = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = search;;) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *dir = len ? xstrndup(p, len) : xstrdup(".");
        char *candidate = path_join(dir, name);
        free(dir);
        if (access(candidate, X_OK) == 0 && path_is_file(candidate))
            return candidate;
        free(candidate);
        if (!end)
            return NULL;
        p = end + 1;
    }
}

char *read_whole_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t cap = 4096, used = 0;
    char *data = xmalloc(cap);
    for (;;) {
        if (used + 1 >= cap)
            data = xrealloc(data, cap *= 2);
        ssize_t got = read(fd, data + used, cap - used - 1);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            int saved = errno;
            free(data);
            close(fd);
            errno = saved;
            return NULL;
        }
        if (got == 0)
            break;
        used += (size_t)got;
    }
    close(fd);
    data[used] = '\0';
    if (len)
        *len = used;
    return data;
}

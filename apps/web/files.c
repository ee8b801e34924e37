/* The web root's files, opened and described once: the root is read-only, so nothing goes stale. */
#define _GNU_SOURCE
#include "files.h"
#include "words.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path.h"
#include "server.h"

#define BUCKETS 1024

static struct file_entry *buckets[BUCKETS];
static size_t entries;
static char root_path[1024];

static const struct {
    const char *ext;
    const char *type;
} types[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"txt", "text/plain; charset=utf-8"},
    {"xml", "application/xml"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
    {"woff2", "font/woff2"},
    {"bin", "application/octet-stream"},
};

const char *files_content_type(const char *path, size_t len)
{
    size_t i = len;
    while (i > 0 && path[i - 1] != '.' && path[i - 1] != '/')
        i--;
    if (i == 0 || path[i - 1] != '.')
        return "application/octet-stream";
    const char *ext = path + i;
    size_t ext_len = len - i;
    for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
        if (strlen(types[t].ext) != ext_len)
            continue;
        bool same = true;
        for (size_t k = 0; k < ext_len && same; k++) {
            char ch = ext[k];
            if (ch >= 'A' && ch <= 'Z')
                ch = (char)(ch + 32);
            same = ch == types[t].ext[k];
        }
        if (same)
            return types[t].type;
    }
    return "application/octet-stream";
}

int files_init(const char *root)
{
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        n--;
    if (n >= sizeof(root_path))
        return -ENAMETOOLONG;
    memcpy(root_path, root, n);
    root_path[n] = '\0';
    if (n == 1 && root[0] == '/')
        root_path[0] = '\0'; /* paths are appended, and already start with '/' */
    struct stat st;
    if (stat(root[0] ? root : ".", &st) != 0)
        return -errno;
    if (!S_ISDIR(st.st_mode))
        return -ENOTDIR;
    return 0;
}

/* FNV-1a style, eight bytes a step (the last step may overlap the one before): a path is hashed
 * on every request. */
static uint32_t hash_path(const char *p, size_t len)
{
    uint64_t h = 14695981039346656037ull ^ len;
    if (len < 8) {
        for (size_t i = 0; i < len; i++)
            h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    } else {
        for (size_t i = 0; i + 8 < len; i += 8)
            h = (h ^ load64(p + i)) * 1099511628211ull;
        h = (h ^ load64(p + len - 8)) * 1099511628211ull;
    }
    return (uint32_t)(h ^ (h >> 32));
}

/* memcmp(a, b, len) == 0, a word at a time (the C library's compares byte by byte). */
static bool same_bytes(const char *a, const char *b, size_t len)
{
    if (len < 8) {
        for (size_t i = 0; i < len; i++)
            if (a[i] != b[i])
                return false;
        return true;
    }
    for (size_t i = 0; i + 8 < len; i += 8)
        if (load64(a + i) != load64(b + i))
            return false;
    return load64(a + len - 8) == load64(b + len - 8);
}

static int read_all(int fd, char *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, buf + done, len - done, (off_t)done);
        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

/* FNV-1a over the contents: the validator of a file whose time says nothing (every file of an
 * image's rootfs has time 0, so size alone would let a browser keep a stale copy across builds). */
static int content_hash(struct file_entry *e, uint64_t *out)
{
    uint64_t h = 14695981039346656037ull;
    char buf[4096];
    for (uint64_t done = 0; done < e->size;) {
        size_t want = e->size - done < sizeof(buf) ? (size_t)(e->size - done) : sizeof(buf);
        const char *p = e->data ? e->data + done : buf;
        if (!e->data) {
            ssize_t n = pread(e->fd, buf, want, (off_t)done);
            if (n <= 0)
                return -1;
            want = (size_t)n;
        }
        for (size_t i = 0; i < want; i++)
            h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
        done += want;
    }
    *out = h;
    return 0;
}

static struct file_entry *load(const char *path, size_t len, uint32_t hash)
{
    char full[sizeof(root_path) + WEB_PATH_MAX];
    int n = snprintf(full, sizeof(full), "%s%.*s", root_path, (int)len, path);
    if (n < 0 || (size_t)n >= sizeof(full)) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))) {
        close(fd);
        errno = ENOENT;
        return NULL;
    }
    struct file_entry *e = calloc(1, sizeof(*e));
    if (!e || !(e->path = malloc(len + 1))) {
        free(e);
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    memcpy(e->path, path, len);
    e->path[len] = '\0';
    e->path_len = len;
    e->hash = hash;
    e->fd = -1;
    e->is_dir = S_ISDIR(st.st_mode);
    if (e->is_dir) {
        close(fd);
        return e;
    }
    e->fd = fd;
    e->size = (uint64_t)st.st_size;
    e->mtime = (int64_t)st.st_mtime;
    if (e->size <= FILES_INLINE_MAX && (e->data = malloc(e->size ? e->size : 1)) != NULL &&
        read_all(fd, e->data, e->size) != 0) {
        free(e->data);
        e->data = NULL;
    }
    uint64_t h;
    if (e->mtime > 0) {
        e->etag_len = (size_t)snprintf(e->etag, sizeof(e->etag), "\"%llx-%llx\"",
                                       (unsigned long long)e->mtime, (unsigned long long)e->size);
        http_date_format(e->mtime, e->last_modified);
    } else if (content_hash(e, &h) == 0) {
        e->etag_len = (size_t)snprintf(e->etag, sizeof(e->etag), "\"h%016llx-%llx\"",
                                       (unsigned long long)h, (unsigned long long)e->size);
    } else {
        e->etag_len =
            (size_t)snprintf(e->etag, sizeof(e->etag), "\"0-%llx\"", (unsigned long long)e->size);
    }
    e->content_type = files_content_type(path, len);
    char fields[512], modified[64] = "";
    if (e->last_modified[0])
        snprintf(modified, sizeof(modified), "Last-Modified: %s\r\n", e->last_modified);
    int f = snprintf(
        fields, sizeof(fields),
        "Content-Type: %s\r\nContent-Length: %llu\r\n%sETag: %s\r\nAccept-Ranges: bytes\r\n",
        e->content_type, (unsigned long long)e->size, modified, e->etag);
    e->fields = malloc((size_t)f);
    if (!e->fields) {
        close(fd);
        free(e->data);
        free(e->path);
        free(e);
        errno = ENOMEM;
        return NULL;
    }
    memcpy(e->fields, fields, (size_t)f);
    e->fields_len = (size_t)f;
    return e;
}

struct file_entry *files_lookup(const char *path, size_t len)
{
    uint32_t h = hash_path(path, len);
    for (struct file_entry *e = buckets[h % BUCKETS]; e; e = e->next)
        if (e->hash == h && e->path_len == len && same_bytes(e->path, path, len))
            return e;
    if (entries >= FILES_MAX) {
        errno = EMFILE;
        return NULL;
    }
    struct file_entry *e = load(path, len, h);
    if (!e)
        return NULL;
    e->next = buckets[h % BUCKETS];
    buckets[h % BUCKETS] = e;
    entries++;
    return e;
}

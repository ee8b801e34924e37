/* The web root's files, opened and described once: the root is read-only, so nothing goes stale. */
#ifndef WEB_FILES_H
#define WEB_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Files up to this size are kept in memory and written with writev; larger ones use sendfile. */
#define FILES_INLINE_MAX (32 * 1024)
#define FILES_MAX        4096

struct file_entry {
    struct file_entry *next; /* hash chain */
    uint32_t hash;
    bool is_dir;
    int fd;
    uint64_t size;
    int64_t mtime;
    char *data; /* the contents when size <= FILES_INLINE_MAX */
    char etag[48];
    size_t etag_len;
    char last_modified[32]; /* empty when the time is unknown (0, as in an image's rootfs) */
    const char *content_type;
    char *fields; /* Content-Type, Content-Length, Last-Modified, ETag, Accept-Ranges */
    size_t fields_len;
    char *path;
    size_t path_len;
};

/* Opens the root; returns 0 or -errno. */
int files_init(const char *root);

/* The entry for a normalised path ("/a/b", no trailing slash except "/"), or NULL when it does
 * not exist or is neither a file nor a folder (errno says why; EMFILE when the table is full). */
struct file_entry *files_lookup(const char *path, size_t len);

const char *files_content_type(const char *path, size_t len);

#endif

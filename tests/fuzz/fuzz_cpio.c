/* libFuzzer harness: cpio_open on arbitrary bytes, then every lookup and listing it allows. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atoll/cpio.h"
#include "atoll/errno.h"

static const uint8_t *archive_start, *archive_end;

static void check_inside(const void *p, size_t n)
{
    if (n == 0)
        return;
    assert((const uint8_t *)p >= archive_start && (const uint8_t *)p + n <= archive_end);
}

/* Lists dir, looks every child up by its full path, and descends into directories. */
static void walk(const struct cpio_archive *a, const char *dir, int depth, int *budget)
{
    size_t cookie = 0;
    struct cpio_entry e;
    int rc;
    while (--*budget > 0 && (rc = cpio_readdir(a, dir, &cookie, &e)) == 1) {
        assert(e.namelen > 0 && e.namelen <= 4096);
        assert(memchr(e.name, '/', e.namelen) == NULL);
        check_inside(e.name, e.namelen);
        check_inside(e.data, e.size);
        char path[8192];
        int n = snprintf(path, sizeof(path), "%s%s%.*s", dir, dir[1] ? "/" : "", (int)e.namelen,
                         e.name);
        if (n < 0 || (size_t)n >= sizeof(path))
            continue;
        struct cpio_entry found;
        assert(cpio_find(a, path, &found) == 0);
        assert(found.mode == e.mode && found.size == e.size && found.data == e.data);
        if ((e.mode & CPIO_S_IFMT) == CPIO_S_IFDIR && depth < 8)
            walk(a, path, depth + 1, budget);
        else if (depth < 8) {
            size_t c2 = 0;
            struct cpio_entry child;
            assert(cpio_readdir(a, path, &c2, &child) == -ENOTDIR);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size heap copy, so that any read past the end is caught. */
    uint8_t *copy = malloc(size ? size : 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    archive_start = copy;
    archive_end = copy + size;

    struct cpio_archive a;
    if (cpio_open(&a, copy, size) == 0) {
        struct cpio_entry e;
        assert(cpio_find(&a, "/", &e) == 0);
        assert((e.mode & CPIO_S_IFMT) == CPIO_S_IFDIR || a.nentries > 0);
        int budget = 2000;
        if ((e.mode & CPIO_S_IFMT) == CPIO_S_IFDIR)
            walk(&a, "/", 0, &budget);
        (void)cpio_find(&a, "/etc/hosts", &e);
        (void)cpio_find(&a, "/a", &e);
    }
    free(copy);
    return 0;
}

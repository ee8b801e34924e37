/* Unit tests of the newc cpio reader: lookups, implied directories, listing, malformed archives. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "atoll/cpio.h"

#define DIR_MODE  (CPIO_S_IFDIR | 0755)
#define FILE_MODE (CPIO_S_IFREG | 0644)
#define LINK_MODE (CPIO_S_IFLNK | 0777)
#define IMPLIED   (CPIO_S_IFDIR | 0555)

/* Builds archives the way GNU cpio -H newc writes them. */
struct builder {
    uint8_t buf[16384];
    size_t len;
    const char *magic;
    uint32_t next_ino;
};

static void builder_init(struct builder *b)
{
    memset(b, 0, sizeof(*b));
    b->magic = "070701";
    b->next_ino = 100;
}

static void pad4(struct builder *b)
{
    while (b->len % 4 != 0)
        b->buf[b->len++] = 0;
}

/* Appends one entry; returns the offset of its header. */
static size_t add(struct builder *b, const char *name, uint32_t mode, const char *data)
{
    size_t at = b->len;
    size_t size = data ? strlen(data) : 0;
    uint32_t sum = 0;
    for (size_t i = 0; i < size; i++)
        sum += (uint8_t)data[i];
    bool with_sum = strcmp(b->magic, "070702") == 0;
    int n =
        snprintf((char *)b->buf + b->len, sizeof(b->buf) - b->len,
                 "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", b->magic, b->next_ino++,
                 mode, 0, 0, (mode & CPIO_S_IFMT) == CPIO_S_IFDIR ? 2 : 1, 1700000000,
                 (unsigned)size, 0, 0, 0, 0, (unsigned)strlen(name) + 1, with_sum ? sum : 0);
    assert_int_equal(n, 110);
    b->len += 110;
    memcpy(b->buf + b->len, name, strlen(name) + 1);
    b->len += strlen(name) + 1;
    pad4(b);
    if (size) {
        memcpy(b->buf + b->len, data, size);
        b->len += size;
        pad4(b);
    }
    return at;
}

static size_t add_trailer(struct builder *b)
{
    uint32_t saved = b->next_ino;
    b->next_ino = 0;
    size_t at = add(b, "TRAILER!!!", 0, NULL);
    b->next_ino = saved;
    return at;
}

/* Overwrites header field i (0 = ino ... 11 = namesize, 12 = check) of the entry at off. */
static void set_field(struct builder *b, size_t off, int i, const char *eight)
{
    memcpy(b->buf + off + 6 + 8 * i, eight, 8);
}

/* Opens a heap copy of exactly len bytes, so that AddressSanitizer sees any overread. */
static int open_exact(const uint8_t *data, size_t len, struct cpio_archive *a, uint8_t **copy)
{
    *copy = malloc(len ? len : 1);
    assert_non_null(*copy);
    memcpy(*copy, data, len);
    return cpio_open(a, *copy, len);
}

static int open_builder(struct builder *b, struct cpio_archive *a, uint8_t **copy)
{
    return open_exact(b->buf, b->len, a, copy);
}

static void expect_entry(const struct cpio_archive *a, const char *path, uint32_t mode,
                         const char *data)
{
    struct cpio_entry e;
    int rc = cpio_find(a, path, &e);
    if (rc != 0)
        fail_msg("cpio_find(\"%s\") = %d", path, rc);
    if (e.mode != mode)
        fail_msg("cpio_find(\"%s\"): mode 0%o, want 0%o", path, e.mode, mode);
    assert_int_equal(e.namelen, strlen(path));
    assert_memory_equal(e.name, path, e.namelen);
    if (data == NULL) {
        assert_int_equal(e.size, 0);
    } else {
        assert_int_equal(e.size, strlen(data));
        assert_memory_equal(e.data, data, e.size);
    }
}

static void expect_missing(const struct cpio_archive *a, const char *path)
{
    struct cpio_entry e;
    int rc = cpio_find(a, path, &e);
    if (rc != -ENOENT)
        fail_msg("cpio_find(\"%s\") = %d, want -ENOENT", path, rc);
}

/* Lists dir and compares "name:mode" items, in order, with want (NULL-terminated). */
static void expect_listing(const struct cpio_archive *a, const char *dir, const char *const *want)
{
    size_t cookie = 0;
    struct cpio_entry e;
    size_t i = 0;
    int rc;
    while ((rc = cpio_readdir(a, dir, &cookie, &e)) == 1) {
        char item[300];
        snprintf(item, sizeof(item), "%.*s:%o", (int)e.namelen, e.name, e.mode);
        if (want[i] == NULL)
            fail_msg("readdir(\"%s\"): unexpected extra entry %s", dir, item);
        if (strcmp(item, want[i]) != 0)
            fail_msg("readdir(\"%s\") entry %zu: %s, want %s", dir, i, item, want[i]);
        i++;
    }
    assert_int_equal(rc, 0);
    if (want[i] != NULL)
        fail_msg("readdir(\"%s\"): missing %s", dir, want[i]);
    /* The end is sticky. */
    assert_int_equal(cpio_readdir(a, dir, &cookie, &e), 0);
}

static void test_empty_archive(void **state)
{
    (void)state;
    struct cpio_archive a;
    assert_int_equal(cpio_open(&a, NULL, 0), 0);
    assert_int_equal(a.nentries, 0);
    expect_entry(&a, "/", IMPLIED, NULL);
    expect_missing(&a, "/x");
    expect_listing(&a, "/", (const char *[]){NULL});

    struct builder b;
    builder_init(&b);
    add_trailer(&b);
    uint8_t *copy;
    assert_int_equal(open_builder(&b, &a, &copy), 0);
    assert_int_equal(a.nentries, 0);
    expect_entry(&a, "/", IMPLIED, NULL);
    free(copy);
}

static void test_find_files_dirs_and_links(void **state)
{
    (void)state;
    struct builder b;
    builder_init(&b);
    add(&b, ".", DIR_MODE, NULL);
    add(&b, "etc", DIR_MODE, NULL);
    add(&b, "etc/hosts", FILE_MODE, "127.0.0.1 localhost\n");
    add(&b, "www/index.html", FILE_MODE, "<h1>hi</h1>");
    add(&b, "link", LINK_MODE, "etc/hosts");
    add(&b, "empty", FILE_MODE, NULL);
    add_trailer(&b);
    struct cpio_archive a;
    uint8_t *copy;
    assert_int_equal(open_builder(&b, &a, &copy), 0);
    assert_int_equal(a.nentries, 6);

    expect_entry(&a, "/", DIR_MODE, NULL);
    expect_entry(&a, "/etc", DIR_MODE, NULL);
    expect_entry(&a, "/etc/hosts", FILE_MODE, "127.0.0.1 localhost\n");
    expect_entry(&a, "/www", IMPLIED, NULL);
    expect_entry(&a, "/www/index.html", FILE_MODE, "<h1>hi</h1>");
    expect_entry(&a, "/link", LINK_MODE, "etc/hosts");
    expect_entry(&a, "/empty", FILE_MODE, NULL);
    expect_missing(&a, "/etc/host");
    expect_missing(&a, "/etc/hostsx");
    expect_missing(&a, "/et");
    expect_missing(&a, "/www/index.html/x");
    expect_missing(&a, "/TRAILER!!!");

    struct cpio_entry e;
    assert_int_equal(cpio_find(&a, "/etc/hosts", &e), 0);
    assert_int_equal(e.ino, 102);
    assert_int_equal(e.mtime, 1700000000);
    assert_int_equal(e.nlink, 1);
    /* Data points into the archive itself. */
    assert_true(e.data >= copy && e.data + e.size <= copy + b.len);
    assert_int_equal(cpio_find(&a, "/www", &e), 0);
    assert_null(e.data);
    assert_int_equal(e.nlink, 2);
    free(copy);
}

static void test_name_forms_are_normalized(void **state)
{
    (void)state;
    struct builder b;
    builder_init(&b);
    add(&b, "./a", FILE_MODE, "A");
    add(&b, "/b", FILE_MODE, "B");
    add(&b, "c", FILE_MODE, "C");
    add(&b, "./d/", DIR_MODE, NULL);
    add(&b, "e//f/./g", FILE_MODE, "G");
    add(&b, "./", CPIO_S_IFDIR | 0700, NULL);
    add_trailer(&b);
    struct cpio_archive a;
    uint8_t *copy;
    assert_int_equal(open_builder(&b, &a, &copy), 0);
    expect_entry(&a, "/a", FILE_MODE, "A");
    expect_entry(&a, "/b", FILE_MODE, "B");
    expect_entry(&a, "/c", FILE_MODE, "C");
    expect_entry(&a, "/d", DIR_MODE, NULL);
    expect_entry(&a, "/e", IMPLIED, NULL);
    expect_entry(&a, "/e/f", IMPLIED, NULL);
    expect_entry(&a, "/e/f/g", FILE_MODE, "G");
    expect_entry(&a, "/", CPIO_S_IFDIR | 0700, NULL);
    expect_listing(
        &a, "/", (const char *[]){"a:100644", "b:100644", "c:100644", "d:40755", "e:40555", NULL});
    free(copy);
}

static void test_last_entry_wins(void **state)
{
    (void)state;
    struct builder b;
    builder_init(&b);
    add(&b, "x", FILE_MODE, "one");
    add(&b, "d/inner", FILE_MODE, "in");
    add(&b, "./x", FILE_MODE, "two");
    add(&b, "d", CPIO_S_IFDIR | 0700, NULL);
    add(&b, "/x", LINK_MODE, "three");
    add_trailer(&b);
    struct cpio_archive a;
    uint8_t *copy;
    assert_int_equal(open_builder(&b, &a, &copy), 0);
    expect_entry(&a, "/x", LINK_MODE, "three");
    /* d is first implied by d/inner, then has its own entry: the entry wins. */
    expect_entry(&a, "/d", CPIO_S_IFDIR | 0700, NULL);
    expect_listing(&a, "/", (const char *[]){"x:120777", "d:40700", NULL});
    free(copy);
}

static void test_readdir(void **state)
{
    (void)state;
    struct builder b;
    builder_init(&b);
    add(&b, ".", DIR_MODE, NULL);
    add(&b, "etc", DIR_MODE, NULL);
    add(&b, "etc/hosts", FILE_MODE, "h");
    add(&b, "www/index.html", FILE_MODE, "i");
    add(&b, "www/css/site.css", FILE_MODE, "c");
    add(&b, "link", LINK_MODE, "etc");
    add(&b, "./etc/passwd", FILE_MODE, "p");
    add(&b, "www/css/more.css", FILE_MODE, "m");
    add_trailer(&b);
    struct cpio_archive a;
    uint8_t *copy;
    assert_int_equal(open_builder(&b, &a, &copy), 0);

    expect_listing(&a, "/", (const char *[]){"etc:40755", "www:40555", "link:120777", NULL});
    expect_listing(&a, "/etc", (const char *[]){"hosts:100644", "passwd:100644", NULL});
    expect_listing(&a, "/www", (const char *[]){"index.html:100644", "css:40555", NULL});
    expect_listing(&a, "/www/css", (const char *[]){"site.css:100644", "more.css:100644", NULL});

    size_t cookie = 0;
    struct cpio_entry e;
    assert_int_equal(cpio_readdir(&a, "/etc/hosts", &cookie, &e), -ENOTDIR);
    assert_int_equal(cpio_readdir(&a, "/link", &cookie, &e), -ENOTDIR);
    assert_int_equal(cpio_readdir(&a, "/nope", &cookie, &e), -ENOENT);
    assert_int_equal(cpio_readdir(&a, "/etc/hosts/x", &cookie, &e), -ENOENT);

    /* Entries carry their data; names are base names pointing into the archive. */
    cookie = 0;
    assert_int_equal(cpio_readdir(&a, "/etc", &cookie, &e), 1);
    assert_int_equal(e.size, 1);
    assert_memory_equal(e.data, "h", 1);
    assert_true((const uint8_t *)e.name > copy && (const uint8_t *)e.name < copy + b.len);
    free(copy);
}

static void test_checksummed_archives(void **state)
{
    (void)state;
    struct builder b;
    builder_init(&b);
    b.magic = "070702";
    size_t at = add(&b, "f", FILE_MODE, "checksummed data");
    add_trailer(&b);
    struct cpio_archive a;
    uint8_t *copy;
    assert_int_equal(open_builder(&b, &a, &copy), 0);
    expect_entry(&a, "/f", FILE_MODE, "checksummed data");
    free(copy);

    set_field(&b, at, 12, "00000001");
    assert_int_equal(open_builder(&b, &a, &copy), -EINVAL);
    free(copy);

    /* Only regular files carry a checksum: a symlink's target is not summed. */
    builder_init(&b);
    b.magic = "070702";
    at = add(&b, "l", LINK_MODE, "target");
    set_field(&b, at, 12, "00000000");
    add_trailer(&b);
    assert_int_equal(open_builder(&b, &a, &copy), 0);
    expect_entry(&a, "/l", LINK_MODE, "target");
    free(copy);
}

/* A two-entry archive used by the malformed cases; offsets of its parts are returned. */
static void build_small(struct builder *b, size_t *second, size_t *trailer)
{
    builder_init(b);
    add(b, "dir", DIR_MODE, NULL);
    *second = add(b, "dir/file.txt", FILE_MODE, "some file contents\n");
    *trailer = add_trailer(b);
}

static void test_every_truncation_is_rejected(void **state)
{
    (void)state;
    struct builder b;
    size_t second, trailer;
    build_small(&b, &second, &trailer);
    size_t trailer_name_end = trailer + 110 + sizeof("TRAILER!!!");
    struct cpio_archive a;
    for (size_t len = 1; len <= b.len; len++) {
        uint8_t *copy;
        int rc = open_exact(b.buf, len, &a, &copy);
        /* Once the trailer's name is complete, the archive is whole. */
        int want = len >= trailer_name_end ? 0 : -EINVAL;
        if (rc != want)
            fail_msg("archive cut to %zu of %zu bytes: %d, want %d", len, b.len, rc, want);
        free(copy);
    }
}

static void test_bad_magic_and_hex(void **state)
{
    (void)state;
    struct builder b;
    size_t second, trailer;
    struct cpio_archive a;
    uint8_t *copy;

    build_small(&b, &second, &trailer);
    memcpy(b.buf + second, "070707", 6); /* the old portable format */
    assert_int_equal(open_builder(&b, &a, &copy), -EINVAL);
    free(copy);

    for (int field = 0; field < 13; field++) {
        for (int pos = 0; pos < 8; pos += 7) {
            const char *bad[] = {"g", " ", "-", "x", "\0"};
            for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
                build_small(&b, &second, &trailer);
                b.buf[second + 6 + 8 * field + pos] = (uint8_t)bad[k][0];
                int rc = open_builder(&b, &a, &copy);
                if (rc != -EINVAL)
                    fail_msg("field %d char %d = '%c': %d", field, pos, bad[k][0], rc);
                free(copy);
            }
        }
    }
    /* Lower-case hex digits are fine. */
    build_small(&b, &second, &trailer);
    set_field(&b, second, 0, "0000abcd");
    assert_int_equal(open_builder(&b, &a, &copy), 0);
    free(copy);
}

static void test_bad_names(void **state)
{
    (void)state;
    struct builder b;
    size_t second, trailer;
    struct cpio_archive a;
    uint8_t *copy;
    const char *bad_sizes[] = {"00000000", "0000000C", "FFFFFFFF", "7FFFFFFF", "00004000"};
    for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
        build_small(&b, &second, &trailer);
        set_field(&b, second, 11, bad_sizes[i]); /* "dir/file.txt" needs 0000000D */
        int rc = open_builder(&b, &a, &copy);
        if (rc != -EINVAL)
            fail_msg("namesize %s: %d", bad_sizes[i], rc);
        free(copy);
    }
    /* A NUL inside the name. */
    build_small(&b, &second, &trailer);
    b.buf[second + 110 + 3] = '\0';
    assert_int_equal(open_builder(&b, &a, &copy), -EINVAL);
    free(copy);
    /* ".." components could escape the root: refused. */
    const char *dotdot[] = {"..", "../x", "a/../b", "./a/..", "/.."};
    for (size_t i = 0; i < sizeof(dotdot) / sizeof(dotdot[0]); i++) {
        builder_init(&b);
        add(&b, dotdot[i], FILE_MODE, "x");
        add_trailer(&b);
        int rc = open_builder(&b, &a, &copy);
        if (rc != -EINVAL)
            fail_msg("name %s: %d", dotdot[i], rc);
        free(copy);
    }
    /* but "..." and "..x" are ordinary names. */
    builder_init(&b);
    add(&b, "...", FILE_MODE, "x");
    add(&b, "..x", FILE_MODE, "y");
    add_trailer(&b);
    assert_int_equal(open_builder(&b, &a, &copy), 0);
    expect_entry(&a, "/...", FILE_MODE, "x");
    expect_entry(&a, "/..x", FILE_MODE, "y");
    free(copy);
}

static void test_bad_sizes(void **state)
{
    (void)state;
    struct builder b;
    size_t second, trailer;
    struct cpio_archive a;
    uint8_t *copy;
    const char *bad_sizes[] = {"FFFFFFFF", "80000000", "00001000"};
    for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
        build_small(&b, &second, &trailer);
        set_field(&b, second, 6, bad_sizes[i]);
        int rc = open_builder(&b, &a, &copy);
        if (rc != -EINVAL)
            fail_msg("filesize %s: %d", bad_sizes[i], rc);
        free(copy);
    }
    /* A smaller size puts the next header where there is none. */
    build_small(&b, &second, &trailer);
    set_field(&b, second, 6, "0000000F");
    assert_int_equal(open_builder(&b, &a, &copy), -EINVAL);
    free(copy);
}

static void test_missing_trailer_and_trailing_bytes(void **state)
{
    (void)state;
    struct builder b;
    size_t second, trailer;
    struct cpio_archive a;
    uint8_t *copy;

    build_small(&b, &second, &trailer);
    assert_int_equal(open_exact(b.buf, trailer, &a, &copy), -EINVAL); /* cut before it */
    free(copy);

    build_small(&b, &second, &trailer);
    memcpy(b.buf + trailer + 110, "TRAILER!!?", 10);
    assert_int_equal(open_builder(&b, &a, &copy), -EINVAL);
    free(copy);

    /* Writers pad to 512 bytes after the trailer; whatever is there is ignored. */
    build_small(&b, &second, &trailer);
    memset(b.buf + b.len, 0xff, 700);
    b.len += 700;
    assert_int_equal(open_builder(&b, &a, &copy), 0);
    assert_int_equal(a.nentries, 2);
    free(copy);

    assert_int_equal(cpio_open(&a, NULL, 10), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_archive),
        cmocka_unit_test(test_find_files_dirs_and_links),
        cmocka_unit_test(test_name_forms_are_normalized),
        cmocka_unit_test(test_last_entry_wins),
        cmocka_unit_test(test_readdir),
        cmocka_unit_test(test_checksummed_archives),
        cmocka_unit_test(test_every_truncation_is_rejected),
        cmocka_unit_test(test_bad_magic_and_hex),
        cmocka_unit_test(test_bad_names),
        cmocka_unit_test(test_bad_sizes),
        cmocka_unit_test(test_missing_trailer_and_trailing_bytes),
    };
    return cmocka_run_group_tests_name("cpio", tests, NULL, NULL);
}

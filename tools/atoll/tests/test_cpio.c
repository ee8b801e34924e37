/* Unit tests of the newc cpio writer: a generated folder is packed and read back field by field. */
#include "test_util.h"

#include <errno.h>

#include "cpio_write.h"
#include "util.h"

struct cpio_header {
    uint32_t ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor,
        namesize, check;
};

static uint32_t hex_field(const char *p)
{
    char text[9];
    memcpy(text, p, 8);
    text[8] = '\0';
    for (int i = 0; i < 8; i++)
        assert_true(strchr("0123456789ABCDEF", text[i]) != NULL);
    return (uint32_t)strtoul(text, NULL, 16);
}

/* Parses the entry at *offset, checks its padding, and moves *offset past it. */
static void read_entry(const char *archive, size_t size, size_t *offset, struct cpio_header *h,
                       const char **name, const char **data)
{
    assert_true(*offset % 4 == 0);
    assert_true(*offset + 110 <= size);
    const char *p = archive + *offset;
    assert_memory_equal(p, "070701", 6);
    uint32_t *fields = &h->ino;
    for (int i = 0; i < 13; i++)
        fields[i] = hex_field(p + 6 + 8 * i);
    *name = p + 110;
    assert_true(*offset + 110 + h->namesize <= size);
    assert_int_equal((*name)[h->namesize - 1], '\0');
    assert_int_equal(strlen(*name) + 1, h->namesize);
    size_t data_at = round_up(*offset + 110 + h->namesize, 4);
    for (size_t i = *offset + 110 + h->namesize; i < data_at; i++)
        assert_int_equal(archive[i], '\0');
    *data = archive + data_at;
    size_t next = round_up(data_at + h->filesize, 4);
    assert_true(next <= size);
    for (size_t i = data_at + h->filesize; i < next; i++)
        assert_int_equal(archive[i], '\0');
    *offset = next;
}

static void expect_common(const struct cpio_header *h, uint32_t ino)
{
    assert_int_equal(h->ino, ino);
    assert_int_equal(h->uid, 0);
    assert_int_equal(h->gid, 0);
    assert_int_equal(h->mtime, 0);
    assert_int_equal(h->devmajor, 0);
    assert_int_equal(h->devminor, 0);
    assert_int_equal(h->rdevmajor, 0);
    assert_int_equal(h->rdevminor, 0);
    assert_int_equal(h->check, 0);
}

static char *make_tree(void)
{
    char *root = test_make_tmpdir("atoll-cpio");
    char path[4096];
    snprintf(path, sizeof(path), "%s/etc", root);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(chmod(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/etc/hosts", root);
    test_write_file(path, "127.0.0.1 localhost\n", 20, 0644);
    snprintf(path, sizeof(path), "%s/www", root);
    assert_int_equal(mkdir(path, 0750), 0);
    assert_int_equal(chmod(path, 0750), 0);
    snprintf(path, sizeof(path), "%s/www/index.html", root);
    test_write_file(path, "<h1>hi</h1>", 11, 0600);
    snprintf(path, sizeof(path), "%s/www/empty", root);
    test_write_file(path, "", 0, 0644);
    snprintf(path, sizeof(path), "%s/www-old", root);
    test_write_file(path, "abc", 3, 0755);
    snprintf(path, sizeof(path), "%s/.hidden", root);
    test_write_file(path, "h", 1, 0400);
    snprintf(path, sizeof(path), "%s/www/home", root);
    assert_int_equal(symlink("index.html", path), 0);
    return root;
}

static char *pack(const char *root, size_t *size)
{
    char *out_path = path_join(root, "../out.cpio");
    char err[512] = "";
    uint64_t written = 0;
    int rc = cpio_write_tree_to_path(root, out_path, &written, err, sizeof(err));
    if (rc != 0)
        fail_msg("cpio_write_tree failed: %s", err);
    char *archive = read_whole_file(out_path, size);
    assert_non_null(archive);
    assert_int_equal(written, *size);
    unlink(out_path);
    free(out_path);
    return archive;
}

static void test_round_trip(void **state)
{
    (void)state;
    char *root = make_tree();
    size_t size;
    char *archive = pack(root, &size);
    /* Byte order puts '-' (0x2d) before '/' (0x2f), and every folder before what it holds. */
    static const struct {
        const char *name;
        uint32_t mode;
        uint32_t nlink;
        const char *data;
    } want[] = {
        {".hidden", 0100400, 1, "h"},
        {"etc", 040755, 2, ""},
        {"etc/hosts", 0100644, 1, "127.0.0.1 localhost\n"},
        {"www", 040750, 2, ""},
        {"www-old", 0100755, 1, "abc"},
        {"www/empty", 0100644, 1, ""},
        {"www/home", 0120777, 1, "index.html"},
        {"www/index.html", 0100600, 1, "<h1>hi</h1>"},
    };
    size_t offset = 0;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        struct cpio_header h;
        const char *name, *data;
        read_entry(archive, size, &offset, &h, &name, &data);
        expect_common(&h, (uint32_t)(i + 1));
        assert_string_equal(name, want[i].name);
        assert_int_equal(h.mode, want[i].mode);
        assert_int_equal(h.nlink, want[i].nlink);
        assert_int_equal(h.filesize, strlen(want[i].data));
        assert_memory_equal(data, want[i].data, h.filesize);
    }
    struct cpio_header h;
    const char *name, *data;
    read_entry(archive, size, &offset, &h, &name, &data);
    expect_common(&h, 0);
    assert_string_equal(name, "TRAILER!!!");
    assert_int_equal(h.mode, 0);
    assert_int_equal(h.filesize, 0);
    assert_int_equal(offset, size);
    free(archive);
    test_remove_tree(root);
    free(root);
}

static void test_deterministic(void **state)
{
    (void)state;
    char *root = make_tree();
    size_t size1, size2;
    char *first = pack(root, &size1);
    /* New times must not change the archive. */
    char path[4096];
    snprintf(path, sizeof(path), "touch -d '2001-02-03 04:05' '%s/etc/hosts' '%s/www'", root, root);
    assert_int_equal(system(path), 0);
    char *second = pack(root, &size2);
    assert_int_equal(size1, size2);
    assert_memory_equal(first, second, size1);
    free(first);
    free(second);
    test_remove_tree(root);
    free(root);
}

static void test_empty_folder(void **state)
{
    (void)state;
    char *root = test_make_tmpdir("atoll-cpio-empty");
    size_t size;
    char *archive = pack(root, &size);
    size_t offset = 0;
    struct cpio_header h;
    const char *name, *data;
    read_entry(archive, size, &offset, &h, &name, &data);
    assert_string_equal(name, "TRAILER!!!");
    assert_int_equal(offset, size);
    free(archive);
    test_remove_tree(root);
    free(root);
}

static void test_refuses_fifo(void **state)
{
    (void)state;
    char *root = test_make_tmpdir("atoll-cpio-fifo");
    char path[4096];
    snprintf(path, sizeof(path), "%s/pipe", root);
    assert_int_equal(mkfifo(path, 0644), 0);
    char *out_path = path_join(root, "../fifo.cpio");
    char err[512] = "";
    assert_int_equal(cpio_write_tree_to_path(root, out_path, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "pipe is a FIFO"));
    assert_non_null(strstr(err, "only regular files, directories and symlinks"));
    assert_int_equal(access(out_path, F_OK), -1); /* no half-written archive stays behind */
    free(out_path);
    test_remove_tree(root);
    free(root);
}

static void test_missing_folder(void **state)
{
    (void)state;
    char err[512] = "";
    FILE *sink = fopen("/dev/null", "wb");
    assert_non_null(sink);
    assert_int_equal(cpio_write_tree("/nonexistent/atoll", sink, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/atoll is not a folder"));
    fclose(sink);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),     cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_empty_folder),   cmocka_unit_test(test_refuses_fifo),
        cmocka_unit_test(test_missing_folder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

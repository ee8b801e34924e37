/* Helpers shared by the atoll tool's unit tests: cmocka headers, temporary folders, file writing.
 */
#ifndef ATOLL_TOOL_TEST_UTIL_H
#define ATOLL_TOOL_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

/* A fresh folder under $ATOLL_TEST_TMP (or /tmp); the caller frees the name. */
static inline char *test_make_tmpdir(const char *tag)
{
    const char *base = getenv("ATOLL_TEST_TMP");
    char *path = malloc(4096);
    assert_non_null(path);
    snprintf(path, 4096, "%s/%s-XXXXXX", base && *base ? base : "/tmp", tag);
    assert_non_null(mkdtemp(path));
    char *abs = realpath(path, NULL);
    assert_non_null(abs);
    free(path);
    return abs;
}

static inline void test_write_file(const char *path, const char *data, size_t len, mode_t mode)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static inline void test_remove_tree(const char *path)
{
    char *cmd = malloc(strlen(path) + 32);
    assert_non_null(cmd);
    sprintf(cmd, "rm -rf '%s'", path);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

#endif

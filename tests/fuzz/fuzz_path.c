/* libFuzzer harness: path_resolve on arbitrary (cwd, path) pairs, checking its output's shape. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "atoll/errno.h"
#include "atoll/path.h"

/* The result must be "/" or "/c1/c2..." with no empty, "." or ".." component. */
static void check_normalized(const char *p)
{
    assert(p[0] == '/');
    if (p[1] == '\0')
        return;
    const char *c = p;
    while (*c == '/') {
        const char *start = ++c;
        while (*c != '\0' && *c != '/')
            c++;
        size_t n = (size_t)(c - start);
        assert(n > 0 && n <= PATH_COMPONENT_MAX);
        assert(!(n == 1 && start[0] == '.'));
        assert(!(n == 2 && start[0] == '.' && start[1] == '.'));
    }
    assert(*c == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t outsz = data[0] < 200 ? data[0] : 4096;
    data++;
    size--;
    char *buf = malloc(size + 3);
    if (buf == NULL)
        return 0;
    /* cwd is "/" + the bytes before the first NUL; path is the rest. */
    buf[0] = '/';
    memcpy(buf + 1, data, size);
    buf[size + 1] = '\0';
    buf[size + 2] = '\0';
    const char *cwd = buf;
    const char *path = buf + strlen(buf) + 1;

    /* An exact-size output buffer, so that writing past outsz is caught. */
    char *out = malloc(outsz ? outsz : 1);
    if (out == NULL) {
        free(buf);
        return 0;
    }
    int rc = path_resolve(cwd, path, out, outsz);
    if (path[0] == '\0') {
        assert(rc == -ENOENT);
    } else if (rc == 0) {
        assert(strlen(out) < outsz);
        check_normalized(out);
        /* Resolving a normalized path changes nothing, from any cwd. */
        char again[4096];
        assert(path_resolve("/elsewhere", out, again, sizeof(again)) == 0);
        assert(strcmp(again, out) == 0);
    } else {
        assert(rc == -ENAMETOOLONG);
    }
    free(out);
    free(buf);
    return 0;
}

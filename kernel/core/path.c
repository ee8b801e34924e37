/* Lexical path resolution: joins cwd and path, folds "." and "..", drops redundant slashes. */
#include "atoll/path.h"
#include "atoll/errno.h"
#include "atoll/klib.h"

/* Appends the components of s to out (currently len bytes, always "" or "/a/b"). */
static int append_components(const char *s, char *out, size_t outsz, size_t *len)
{
    while (*s != '\0') {
        while (*s == '/')
            s++;
        const char *start = s;
        while (*s != '\0' && *s != '/')
            s++;
        size_t n = (size_t)(s - start);
        if (n == 0 || (n == 1 && start[0] == '.'))
            continue;
        if (n == 2 && start[0] == '.' && start[1] == '.') {
            /* Drop the last component; at the root there is none to drop. */
            while (*len > 0 && out[*len - 1] != '/')
                (*len)--;
            if (*len > 0)
                (*len)--;
            continue;
        }
        if (n > PATH_COMPONENT_MAX)
            return -ENAMETOOLONG;
        /* "/" + component, and room for the final NUL. */
        if (*len + 1 + n + 1 > outsz)
            return -ENAMETOOLONG;
        out[(*len)++] = '/';
        memcpy(out + *len, start, n);
        *len += n;
    }
    return 0;
}

int path_resolve(const char *cwd, const char *path, char *out, size_t outsz)
{
    if (path == NULL || path[0] == '\0')
        return -ENOENT;
    if (outsz < 2)
        return -ENAMETOOLONG;
    size_t len = 0;
    int rc;
    if (path[0] != '/' && cwd != NULL && (rc = append_components(cwd, out, outsz, &len)) < 0)
        return rc;
    if ((rc = append_components(path, out, outsz, &len)) < 0)
        return rc;
    if (len == 0)
        out[len++] = '/';
    out[len] = '\0';
    return 0;
}

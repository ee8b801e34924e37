/* Path name resolution: turning a (cwd, path) pair into one absolute normalized path. */
#ifndef ATOLL_PATH_H
#define ATOLL_PATH_H

#include <stddef.h>

#define PATH_COMPONENT_MAX 255

/*
 * Writes to out (outsz bytes, NUL included) the absolute normalized form of path: "/" or
 * "/a/b", with no "." or ".." components and no duplicate or trailing slashes; ".." at the
 * root stays at the root. A relative path is resolved against cwd, which is absolute (a NULL
 * cwd means "/"). Purely lexical: symbolic links are not followed. out must not overlap the
 * inputs.
 * Returns 0, -ENOENT for an empty (or NULL) path, or -ENAMETOOLONG when the result does not
 * fit in outsz or a component is longer than PATH_COMPONENT_MAX bytes.
 */
int path_resolve(const char *cwd, const char *path, char *out, size_t outsz);

#endif

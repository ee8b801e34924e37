/* A growable, NULL-terminated vector of owned strings: argument vectors and file lists. */
#ifndef ATOLL_TOOL_STRVEC_H
#define ATOLL_TOOL_STRVEC_H

#include <stddef.h>

struct strvec {
    char **items; /* always NULL-terminated once anything was pushed */
    size_t len;
    size_t cap;
};

#define STRVEC_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* Appends a copy of `text`. */
void strvec_push(struct strvec *vec, const char *text);
/* Appends `text` itself; the vector frees it. */
void strvec_push_owned(struct strvec *vec, char *text);
void strvec_pushf(struct strvec *vec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sorts by strcmp (byte order), which makes file lists deterministic. */
void strvec_sort(struct strvec *vec);
void strvec_free(struct strvec *vec);

#endif

/* A growable, NULL-terminated vector of owned strings: argument vectors and file lists. */
#include "strvec.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strvec_push_owned(struct strvec *vec, char *text)
{
    if (vec->len + 2 > vec->cap) {
        vec->cap = vec->cap ? vec->cap * 2 : 16;
        vec->items = xrealloc(vec->items, vec->cap * sizeof(*vec->items));
    }
    vec->items[vec->len++] = text;
    vec->items[vec->len] = NULL;
}

void strvec_push(struct strvec *vec, const char *text)
{
    strvec_push_owned(vec, xstrdup(text));
}

void strvec_pushf(struct strvec *vec, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *text = xmalloc((size_t)(len < 0 ? 0 : len) + 1);
    va_start(ap, fmt);
    vsnprintf(text, (size_t)(len < 0 ? 0 : len) + 1, fmt, ap);
    va_end(ap);
    strvec_push_owned(vec, text);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void strvec_sort(struct strvec *vec)
{
    if (vec->len > 1)
        qsort(vec->items, vec->len, sizeof(*vec->items), compare_strings);
}

void strvec_free(struct strvec *vec)
{
    for (size_t i = 0; i < vec->len; i++)
        free(vec->items[i]);
    free(vec->items);
    vec->items = NULL;
    vec->len = vec->cap = 0;
}

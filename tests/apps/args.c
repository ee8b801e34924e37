/* Prints its arguments and its TEST_* environment (sorted), so a test can compare what the program
 * got. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv)
{
    printf("argv[0]=%s\n", argv[0]);
    printf("argc=%d\n", argc);
    /* Brackets show leading/trailing spaces and empty arguments. */
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=[%s]\n", i, argv[i]);

    /* Only TEST_* variables: the rest of the environment differs between a host shell and a guest.
     */
    size_t count = 0;
    for (char **env = environ; *env; env++)
        count++;
    const char **selected = calloc(count + 1, sizeof(*selected));
    if (!selected)
        return 1;
    size_t nselected = 0;
    for (char **env = environ; *env; env++)
        if (strncmp(*env, "TEST_", 5) == 0)
            selected[nselected++] = *env;
    qsort(selected, nselected, sizeof(*selected), compare_strings);
    for (size_t i = 0; i < nselected; i++)
        printf("env %s\n", selected[i]);
    printf("envc=%zu\n", nselected);
    free(selected);
    return 0;
}

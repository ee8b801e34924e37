/* Tiny check helpers shared by the test programs: one "ok:"/"FAIL:" line per check, a summary, a
 * status. */
#ifndef ATOLL_TEST_CHECK_H
#define ATOLL_TEST_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int checks_run;
static int checks_failed;

/* Prints one line naming what was checked; the e2e tests look for these lines. */
__attribute__((format(printf, 2, 3))) static bool check(bool ok, const char *what, ...)
{
    va_list args;
    va_start(args, what);
    printf("%s: ", ok ? "ok" : "FAIL");
    vprintf(what, args);
    printf("\n");
    va_end(args);
    checks_run++;
    if (!ok)
        checks_failed++;
    return ok;
}

/* Ends the program's checks: prints a summary line and returns the exit status for main. */
static int checks_finish(const char *program)
{
    if (checks_failed)
        printf("%s: %d of %d checks FAILED\n", program, checks_failed, checks_run);
    else
        printf("%s: all %d checks passed\n", program, checks_run);
    fflush(stdout);
    return checks_failed ? 1 : 0;
}

#endif

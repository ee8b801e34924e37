/* Hello demo: greets, then shows what the system under it provides (args, env, time, memory,
 * files). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

/* Small enough that the whole program still runs in a 4 MiB guest, and quickly under TCG. */
#define BIG_BLOCK_BYTES (256 * 1024)
#define SMALL_BLOCKS    64
#define SLEEP_NS        1000000L

static const char *const shown_env[] = {"GREETING", "HOME", "PATH", "TERM", "LANG"};

static double seconds_between(const struct timespec *from, const struct timespec *to)
{
    return (double)(to->tv_sec - from->tv_sec) + (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

static void show_args_and_env(int argc, char **argv)
{
    printf("argc: %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]: \"%s\"\n", i, argv[i]);
    for (size_t i = 0; i < sizeof(shown_env) / sizeof(shown_env[0]); i++) {
        const char *value = getenv(shown_env[i]);
        printf("env %s: %s\n", shown_env[i], value ? value : "(unset)");
    }
}

static int show_system(void)
{
    struct utsname uts;
    if (uname(&uts) != 0) {
        perror("uname");
        return -1;
    }
    printf("system: %s %s (%s)\n", uts.sysname, uts.release, uts.machine);
    return 0;
}

static int show_time(void)
{
    struct timespec now;
    if (clock_gettime(CLOCK_REALTIME, &now) != 0) {
        perror("clock_gettime");
        return -1;
    }
    struct tm utc;
    char text[64];
    gmtime_r(&now.tv_sec, &utc);
    strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &utc);
    printf("time: %s.%03ld UTC\n", text, now.tv_nsec / 1000000);
    return 0;
}

/* A sleep must never come back early; how late it comes back tells how precise the timers are. */
static int show_sleep(void)
{
    struct timespec before, after, request = {0, SLEEP_NS};
    clock_gettime(CLOCK_MONOTONIC, &before);
    if (nanosleep(&request, NULL) != 0) {
        perror("nanosleep");
        return -1;
    }
    clock_gettime(CLOCK_MONOTONIC, &after);
    double slept_ms = seconds_between(&before, &after) * 1e3;
    printf("slept: %.3f ms (asked for %.3f ms)\n", slept_ms, SLEEP_NS / 1e6);
    if (slept_ms < SLEEP_NS / 1e6) {
        fprintf(stderr, "hello: nanosleep returned early\n");
        return -1;
    }
    return 0;
}

static int show_memory(void)
{
    char *small[SMALL_BLOCKS];
    for (int i = 0; i < SMALL_BLOCKS; i++) {
        small[i] = malloc((size_t)(i + 1) * 16);
        if (!small[i]) {
            fprintf(stderr, "hello: malloc of a small block failed\n");
            return -1;
        }
        memset(small[i], i, (size_t)(i + 1) * 16);
    }
    unsigned char *big = malloc(BIG_BLOCK_BYTES);
    if (!big) {
        fprintf(stderr, "hello: malloc of %d bytes failed\n", BIG_BLOCK_BYTES);
        return -1;
    }
    for (size_t i = 0; i < BIG_BLOCK_BYTES; i++)
        big[i] = (unsigned char)(i * 7);
    unsigned long sum = 0;
    for (size_t i = 0; i < BIG_BLOCK_BYTES; i++)
        sum += big[i];
    free(big);
    for (int i = 0; i < SMALL_BLOCKS; i++)
        free(small[i]);
    printf("memory: %d small blocks and one %d KiB block allocated, checked (sum %lu), freed\n",
           SMALL_BLOCKS, BIG_BLOCK_BYTES / 1024, sum);
    return 0;
}

static void show_motd(void)
{
    FILE *motd = fopen("/etc/motd", "r");
    if (!motd) {
        printf("motd: none\n");
        return;
    }
    char line[256];
    while (fgets(line, sizeof(line), motd))
        printf("motd: %s", line);
    fclose(motd);
}

int main(int argc, char **argv)
{
    const char *greeting = getenv("GREETING");
    printf("%s, %s!\n", greeting ? greeting : "Hello", argc > 1 ? argv[1] : "world");
    show_args_and_env(argc, argv);
    if (show_system() != 0 || show_time() != 0 || show_sleep() != 0 || show_memory() != 0)
        return 1;
    show_motd();
    printf("goodbye\n");
    return 0;
}

/* Unit tests of the boot configuration parser: keys, quoting, overrides, limits, messages. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "atoll/cmdline.h"

static struct boot_config cfg;
static char err[256];

#define KNOWN_KEYS                                                                                 \
    "env.NAME=VALUE, stack=SIZE, bootstat, strace, quiet, netstat, netN=ADDR/PREFIX, "             \
    "netN.mtu=BYTES, gw=ADDR, route=DST/PREFIX,GW"

static int parse(const char *image, const char *boot)
{
    memset(err, 'Z', sizeof(err));
    err[sizeof(err) - 1] = '\0';
    return boot_config_parse(&cfg, image, boot, err, sizeof(err));
}

/* Parses and requires success; shows the message if not. */
static void parse_ok(const char *image, const char *boot)
{
    int rc = parse(image, boot);
    if (rc != 0)
        fail_msg("parse(\"%s\", \"%s\") = %d: %s", image ? image : "(null)", boot ? boot : "(null)",
                 rc, err);
    assert_string_equal(err, "");
}

static void expect_error(const char *image, const char *boot, int want_rc, const char *want_err)
{
    int rc = parse(image, boot);
    assert_int_equal(rc, want_rc);
    assert_string_equal(err, want_err);
}

static void expect_args(int argc, const char *const *argv)
{
    assert_int_equal(cfg.argc, argc);
    for (int i = 0; i < argc; i++)
        assert_string_equal(cfg.argv[i], argv[i]);
}

static void expect_env(int envc, const char *const *envp)
{
    assert_int_equal(cfg.envc, envc);
    for (int i = 0; i < envc; i++)
        assert_string_equal(cfg.envp[i], envp[i]);
}

static void test_defaults_for_null_and_empty(void **state)
{
    (void)state;
    const char *lines[] = {NULL, "", "   ", "\t\n "};
    for (size_t i = 0; i < 4; i++) {
        for (size_t j = 0; j < 4; j++) {
            parse_ok(lines[i], lines[j]);
            assert_int_equal(cfg.argc, 0);
            assert_int_equal(cfg.envc, 0);
            assert_int_equal(cfg.stack_size, 256 * 1024);
            assert_false(cfg.bootstat);
            assert_false(cfg.strace);
            assert_false(cfg.quiet);
        }
    }
}

static void test_error_buffer_may_be_null_or_small(void **state)
{
    (void)state;
    assert_int_equal(boot_config_parse(&cfg, NULL, "nope", NULL, 0), -EINVAL);
    char small[8];
    assert_int_equal(boot_config_parse(&cfg, NULL, "nope", small, sizeof(small)), -EINVAL);
    assert_string_equal(small, "boot cm");
}

static void test_flags(void **state)
{
    (void)state;
    parse_ok("bootstat strace quiet", NULL);
    assert_true(cfg.bootstat);
    assert_true(cfg.strace);
    assert_true(cfg.quiet);

    parse_ok("quiet strace=1", "quiet=0 bootstat=1");
    assert_false(cfg.quiet);
    assert_true(cfg.strace);
    assert_true(cfg.bootstat);

    parse_ok("quiet=0", "quiet");
    assert_true(cfg.quiet);

    expect_error(NULL, "quiet=yes", -EINVAL,
                 "boot cmdline: quiet=yes: flag 'quiet' takes no value other than =0 or =1");
    expect_error("strace=", NULL, -EINVAL,
                 "image cmdline: strace=: flag 'strace' takes no value other than =0 or =1");
}

static void test_stack_sizes(void **state)
{
    (void)state;
    struct {
        const char *line;
        uint64_t size;
    } good[] = {
        {"stack=256K", 256 * 1024},       {"stack=1M", 1024 * 1024},
        {"stack=4m", 4 * 1024 * 1024},    {"stack=64k", 64 * 1024},
        {"stack=1G", 1024 * 1024 * 1024}, {"stack=16K", 16 * 1024},
        {"stack=16384", 16384},           {"stack=16385", 20480}, /* rounded up to 4 KiB */
        {"stack=100000", 102400},                                 /* likewise */
        {"stack=1073741824", 1073741824},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        parse_ok(NULL, good[i].line);
        assert_int_equal(cfg.stack_size, good[i].size);
    }

    parse_ok("stack=1M", "stack=64K");
    assert_int_equal(cfg.stack_size, 64 * 1024);
    parse_ok("stack=1M", "quiet");
    assert_int_equal(cfg.stack_size, 1024 * 1024);

    expect_error(NULL, "stack=12Q", -EINVAL,
                 "boot cmdline: stack=12Q: expected a size like 256K or 4M");
    const char *malformed[] = {"stack=",
                               "stack=K",
                               "stack=-1M",
                               "stack=1MB",
                               "stack=1.5M",
                               "stack= 1M",
                               "stack=0x100000",
                               "stack=99999999999999999999",
                               "stack=99999999999999999G"};
    for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
        char want[128];
        snprintf(want, sizeof(want), "boot cmdline: %s: expected a size like 256K or 4M",
                 malformed[i]);
        /* "stack= 1M" splits into two tokens; the first is the malformed one. */
        if (strcmp(malformed[i], "stack= 1M") == 0)
            strcpy(want, "boot cmdline: stack=: expected a size like 256K or 4M");
        expect_error(NULL, malformed[i], -EINVAL, want);
    }
    expect_error(NULL, "stack=8K", -EINVAL,
                 "boot cmdline: stack=8K: stack size must be between 16K and 1G");
    expect_error(NULL, "stack=0", -EINVAL,
                 "boot cmdline: stack=0: stack size must be between 16K and 1G");
    expect_error("stack=2G", NULL, -EINVAL,
                 "image cmdline: stack=2G: stack size must be between 16K and 1G");
    expect_error(NULL, "stack=1073741825", -EINVAL,
                 "boot cmdline: stack=1073741825: stack size must be between 16K and 1G");
    expect_error(NULL, "stack", -EINVAL, "boot cmdline: stack: expected stack=SIZE, e.g. stack=1M");
}

static void test_environment(void **state)
{
    (void)state;
    parse_ok("env.HOME=/ env.TERM=dumb", NULL);
    expect_env(2, (const char *[]){"HOME=/", "TERM=dumb"});

    /* Later values win by name; first-seen order stays. */
    parse_ok("env.A=1 env.B=2 env.A=3", "env.C=4 env.B=5");
    expect_env(3, (const char *[]){"A=3", "B=5", "C=4"});

    parse_ok(NULL, "env.EMPTY= env.EQ=a=b=c env.SP=\"two words\" env.Q=\\\"x\\\"");
    expect_env(4, (const char *[]){"EMPTY=", "EQ=a=b=c", "SP=two words", "Q=\"x\""});

    /* A name that is a prefix of another is a different name. */
    parse_ok("env.AB=1 env.A=2 env.ABC=3 env.A=4", NULL);
    expect_env(3, (const char *[]){"AB=1", "A=4", "ABC=3"});

    /* The whole token may be quoted. */
    parse_ok("\"env.MSG=hello world\"", NULL);
    expect_env(1, (const char *[]){"MSG=hello world"});

    expect_error(NULL, "env.=x", -EINVAL, "boot cmdline: env.=x: empty environment variable name");
    expect_error(NULL, "env.", -EINVAL, "boot cmdline: env.: expected env.NAME=VALUE");
    expect_error("env.FOO", NULL, -EINVAL, "image cmdline: env.FOO: expected env.NAME=VALUE");
    /* An escaped '=' does not split, so it ends up inside the name. */
    expect_error(NULL, "env.A\\=B=C", -EINVAL,
                 "boot cmdline: env.A=B=C: environment variable name contains '='");
}

static void test_environment_limit(void **state)
{
    (void)state;
    char line[8192];
    size_t n = 0;
    for (int i = 0; i < CMDLINE_MAX_ENV; i++)
        n += (size_t)snprintf(line + n, sizeof(line) - n, "env.V%d=%d ", i, i);
    parse_ok(line, NULL);
    assert_int_equal(cfg.envc, CMDLINE_MAX_ENV);
    assert_string_equal(cfg.envp[127], "V127=127");

    /* Overriding existing names needs no new slot. */
    parse_ok(line, "env.V0=again env.V127=again");
    assert_int_equal(cfg.envc, CMDLINE_MAX_ENV);
    assert_string_equal(cfg.envp[0], "V0=again");

    expect_error(line, "env.ONE_MORE=1", -E2BIG,
                 "boot cmdline: env.ONE_MORE=1: too many environment variables (at most 128)");
}

static void test_app_arguments(void **state)
{
    (void)state;
    parse_ok("quiet -- -v --port 53", NULL);
    assert_true(cfg.quiet);
    expect_args(3, (const char *[]){"-v", "--port", "53"});

    /* A boot line without "--" keeps the image's arguments. */
    parse_ok("-- a b", "strace");
    expect_args(2, (const char *[]){"a", "b"});
    assert_true(cfg.strace);

    /* A boot line with "--" replaces them all, even with nothing after it. */
    parse_ok("-- a b", "-- c");
    expect_args(1, (const char *[]){"c"});
    parse_ok("-- a b", "bootstat --");
    expect_args(0, NULL);

    /* Only the first "--" separates; later ones are arguments. */
    parse_ok(NULL, "-- x -- y");
    expect_args(3, (const char *[]){"x", "--", "y"});

    /* Key-like words after "--" are the app's. */
    parse_ok(NULL, "-- quiet stack=1 env.X=1");
    assert_false(cfg.quiet);
    assert_int_equal(cfg.envc, 0);
    expect_args(3, (const char *[]){"quiet", "stack=1", "env.X=1"});
}

static void test_quoting_and_escapes(void **state)
{
    (void)state;
    parse_ok(NULL, "-- \"hello world\" a\\ b \"x\\\"y\" \"\" '' it\\'s pre\"fix mid\"dle \\\\");
    expect_args(
        8, (const char *[]){"hello world", "a b", "x\"y", "", "''", "it's", "prefix middle", "\\"});
    parse_ok(NULL, "-- \\\\ \"a\\\\b\" \\-\\-");
    expect_args(3, (const char *[]){"\\", "a\\b", "--"});

    /* Blanks of every kind separate, and repeated ones count once. */
    parse_ok(NULL, "--\ta\n\nb \r c\v\fd");
    expect_args(4, (const char *[]){"a", "b", "c", "d"});

    /* A quoted or escaped "--" is not the separator. */
    expect_error(NULL, "\"--\" x", -EINVAL,
                 "boot cmdline: unknown key '--' (known: " KNOWN_KEYS ")");
    expect_error(NULL, "\\-- x", -EINVAL, "boot cmdline: unknown key '--' (known: " KNOWN_KEYS ")");

    expect_error(NULL, "-- \"open", -EINVAL,
                 "boot cmdline: unterminated quote in the command line");
    expect_error("env.A=\"x y", NULL, -EINVAL,
                 "image cmdline: unterminated quote in the command line");
    expect_error(NULL, "-- a\\", -EINVAL,
                 "boot cmdline: trailing backslash at the end of the command line");
    /* Control characters in a token do not break the one-line message. */
    expect_error(NULL, "bad\\\nkey\\\t", -EINVAL,
                 "boot cmdline: unknown key 'bad?key?' (known: " KNOWN_KEYS ")");
    expect_error("quiet \\", "", -EINVAL,
                 "image cmdline: trailing backslash at the end of the command line");
}

static void test_unknown_keys(void **state)
{
    (void)state;
    expect_error(NULL, "foo", -EINVAL, "boot cmdline: unknown key 'foo' (known: " KNOWN_KEYS ")");
    expect_error("quiet foo=bar", NULL, -EINVAL,
                 "image cmdline: unknown key 'foo' (known: " KNOWN_KEYS ")");
    /* Keys match whole: no prefixes, no case folding. */
    expect_error(NULL, "quie", -EINVAL, "boot cmdline: unknown key 'quie' (known: " KNOWN_KEYS ")");
    expect_error(NULL, "QUIET", -EINVAL,
                 "boot cmdline: unknown key 'QUIET' (known: " KNOWN_KEYS ")");
    expect_error(NULL, "stacks=1M", -EINVAL,
                 "boot cmdline: unknown key 'stacks' (known: " KNOWN_KEYS ")");
    expect_error(NULL, "env=1", -EINVAL, "boot cmdline: unknown key 'env' (known: " KNOWN_KEYS ")");
    expect_error(NULL, "\"\"", -EINVAL, "boot cmdline: unknown key '' (known: " KNOWN_KEYS ")");
}

static void test_argument_limit(void **state)
{
    (void)state;
    char line[2048] = "--";
    for (int i = 0; i < CMDLINE_MAX_ARGS; i++)
        strcat(line, " a");
    parse_ok(NULL, line);
    assert_int_equal(cfg.argc, CMDLINE_MAX_ARGS);

    strcat(line, " b");
    expect_error(NULL, line, -E2BIG, "boot cmdline: too many app arguments (at most 128)");
    expect_error(line, NULL, -E2BIG, "image cmdline: too many app arguments (at most 128)");
    /* Replaced image arguments do not count against the boot line's. */
    char boot[2048];
    snprintf(boot, sizeof(boot), "%.*s", (int)(strlen(line) - 2), line);
    parse_ok(boot, boot);
    assert_int_equal(cfg.argc, CMDLINE_MAX_ARGS);
}

static void test_storage_limit(void **state)
{
    (void)state;
    size_t big = sizeof(cfg.storage) + 100;
    char *line = malloc(big + 8);
    assert_non_null(line);
    strcpy(line, "-- ");
    memset(line + 3, 'x', big);
    line[3 + big] = '\0';
    expect_error(NULL, line, -E2BIG,
                 "boot cmdline: command line too long (more than 16384 bytes of strings)");

    /* An argument that fills the storage exactly (with its NUL) still fits. */
    memset(line + 3, 'y', sizeof(cfg.storage) - 1);
    line[3 + sizeof(cfg.storage) - 1] = '\0';
    parse_ok(NULL, line);
    assert_int_equal(cfg.argc, 1);
    assert_int_equal(strlen(cfg.argv[0]), sizeof(cfg.storage) - 1);
    free(line);

    /* Kernel flags and sizes give their storage back: many of them still fit. */
    size_t reps = 4000;
    char *flags = malloc(reps * 16 + 1);
    assert_non_null(flags);
    flags[0] = '\0';
    size_t n = 0;
    for (size_t i = 0; i < reps; i++)
        n += (size_t)sprintf(flags + n, "quiet stack=1M ");
    parse_ok(flags, flags);
    assert_true(cfg.quiet);
    free(flags);
}

static void test_strings_point_into_storage(void **state)
{
    (void)state;
    parse_ok("env.A=1 -- one", "env.B=2");
    const char *lo = cfg.storage, *hi = cfg.storage + sizeof(cfg.storage);
    for (int i = 0; i < cfg.argc; i++)
        assert_true(cfg.argv[i] >= lo && cfg.argv[i] < hi);
    for (int i = 0; i < cfg.envc; i++)
        assert_true(cfg.envp[i] >= lo && cfg.envp[i] < hi);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_for_null_and_empty),
        cmocka_unit_test(test_error_buffer_may_be_null_or_small),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_stack_sizes),
        cmocka_unit_test(test_environment),
        cmocka_unit_test(test_environment_limit),
        cmocka_unit_test(test_app_arguments),
        cmocka_unit_test(test_quoting_and_escapes),
        cmocka_unit_test(test_unknown_keys),
        cmocka_unit_test(test_argument_limit),
        cmocka_unit_test(test_storage_limit),
        cmocka_unit_test(test_strings_point_into_storage),
    };
    return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}

/* Unit tests of kernel command-line quoting, shell quoting and the QEMU argument vector. */
#include "test_util.h"

#include "cmdline.h"
#include "qemu.h"
#include "quote.h"
#include "strvec.h"

static void expect_new_string(char *got, const char *want)
{
    assert_string_equal(got, want);
    free(got);
}

static void test_cmdline_quote(void **state)
{
    (void)state;
    expect_new_string(cmdline_quote("plain"), "\"plain\"");
    expect_new_string(cmdline_quote(""), "\"\"");
    expect_new_string(cmdline_quote("two words"), "\"two words\"");
    expect_new_string(cmdline_quote("say \"hi\""), "\"say \\\"hi\\\"\"");
    expect_new_string(cmdline_quote("back\\slash"), "\"back\\\\slash\"");
    expect_new_string(cmdline_quote("--"), "\"--\"");
}

static void test_cmdline_quote_if_needed(void **state)
{
    (void)state;
    expect_new_string(cmdline_quote_if_needed("env.A=b"), "env.A=b");
    expect_new_string(cmdline_quote_if_needed("env.A=b c"), "\"env.A=b c\"");
    expect_new_string(cmdline_quote_if_needed("env.A=\"q\""), "\"env.A=\\\"q\\\"\"");
    expect_new_string(cmdline_quote_if_needed(""), "\"\"");
}

/* Undoes the kernel's quoting rules: double quotes group, backslash escapes the next char. */
static char *unquote(const char *token)
{
    char *out = malloc(strlen(token) + 1), *o = out;
    bool quoted = false;
    for (const char *p = token; *p; p++) {
        if (*p == '\\' && p[1])
            *o++ = *++p;
        else if (*p == '"')
            quoted = !quoted;
        else
            *o++ = *p;
    }
    assert_false(quoted);
    *o = '\0';
    return out;
}

static void test_cmdline_round_trip(void **state)
{
    (void)state;
    const char *args[] = {"a", "with space", "\"", "\\", "\\\"", "tab\there", "'single'", "end\\"};
    for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
        char *quoted = cmdline_quote(args[i]);
        char *back = unquote(quoted);
        assert_string_equal(back, args[i]);
        free(back);
        free(quoted);
    }
}

static void test_shell_quote(void **state)
{
    (void)state;
    expect_new_string(shell_quote("qemu-system-x86_64"), "qemu-system-x86_64");
    expect_new_string(shell_quote("file,id=x,path=/tmp/a"), "file,id=x,path=/tmp/a");
    expect_new_string(shell_quote("env.A=\"b c\" -- \"x\""), "'env.A=\"b c\" -- \"x\"'");
    expect_new_string(shell_quote("it's"), "'it'\\''s'");
    expect_new_string(shell_quote(""), "''");
    expect_new_string(shell_quote("a$b"), "'a$b'");
}

static bool argv_has_pair(char **argv, const char *key, const char *value)
{
    for (size_t i = 0; argv[i] && argv[i + 1]; i++) {
        if (!strcmp(argv[i], key) && !strcmp(argv[i + 1], value))
            return true;
    }
    return false;
}

static bool argv_has(char **argv, const char *word)
{
    for (size_t i = 0; argv[i]; i++) {
        if (!strcmp(argv[i], word))
            return true;
    }
    return false;
}

static void test_qemu_argv(void **state)
{
    (void)state;
    struct qemu_config cfg = {
        .machine = "microvm",
        .kvm = false,
        .memory = (5ull << 20) + 1,
        .image = "out/hello.img",
        .cmdline = "env.A=b -- \"x\"",
        .initrd = NULL,
        .status_path = "/tmp/a,b/status",
    };
    struct strvec argv = STRVEC_INIT;
    qemu_build_argv(&argv, "/usr/bin/qemu-system-x86_64", &cfg);
    assert_string_equal(argv.items[0], "/usr/bin/qemu-system-x86_64");
    assert_true(argv_has_pair(argv.items, "-M", "microvm,x-option-roms=off,rtc=on"));
    assert_true(argv_has_pair(argv.items, "-accel", "tcg"));
    assert_true(argv_has_pair(argv.items, "-cpu", "max"));
    assert_true(argv_has_pair(argv.items, "-m", "6M"));
    assert_true(argv_has_pair(argv.items, "-kernel", "out/hello.img"));
    assert_true(argv_has_pair(argv.items, "-append", "env.A=b -- \"x\""));
    assert_true(argv_has_pair(argv.items, "-device", "isa-debug-exit,iobase=0xf4,iosize=4"));
    assert_true(argv_has_pair(argv.items, "-chardev", "file,id=atollstatus,path=/tmp/a,,b/status"));
    assert_true(
        argv_has_pair(argv.items, "-device", "isa-debugcon,iobase=0x4f0,chardev=atollstatus"));
    assert_true(argv_has_pair(argv.items, "-chardev", "stdio,id=con,signal=off"));
    assert_true(argv_has_pair(argv.items, "-serial", "chardev:con"));
    assert_true(argv_has(argv.items, "-nodefaults"));
    assert_true(argv_has(argv.items, "-no-user-config"));
    assert_true(argv_has_pair(argv.items, "-display", "none"));
    assert_true(argv_has(argv.items, "-no-reboot"));
    assert_false(argv_has(argv.items, "-initrd"));
    strvec_free(&argv);

    cfg.machine = "q35";
    cfg.kvm = true;
    cfg.cmdline = "";
    cfg.initrd = "root.cpio";
    cfg.memory = 64ull << 20;
    qemu_build_argv(&argv, "qemu", &cfg);
    assert_true(argv_has_pair(argv.items, "-M", "q35"));
    assert_true(argv_has_pair(argv.items, "-accel", "kvm"));
    assert_true(argv_has_pair(argv.items, "-cpu", "host,-arch-capabilities"));
    assert_true(argv_has_pair(argv.items, "-m", "64M"));
    assert_true(argv_has_pair(argv.items, "-initrd", "root.cpio"));
    assert_false(argv_has(argv.items, "-append"));
    strvec_free(&argv);
}

static void test_machine_and_accel(void **state)
{
    (void)state;
    assert_true(qemu_machine_valid("microvm"));
    assert_true(qemu_machine_valid("pc"));
    assert_true(qemu_machine_valid("q35"));
    assert_false(qemu_machine_valid("virt"));
    assert_false(qemu_machine_valid(""));
    enum accel accel;
    assert_true(qemu_parse_accel("kvm", &accel));
    assert_int_equal(accel, ACCEL_KVM);
    assert_true(qemu_parse_accel("tcg", &accel));
    assert_int_equal(accel, ACCEL_TCG);
    assert_true(qemu_parse_accel("auto", &accel));
    assert_int_equal(accel, ACCEL_AUTO);
    assert_false(qemu_parse_accel("hvf", &accel));
}

static void test_cmdline_compose(void **state)
{
    (void)state;
    struct strvec env = STRVEC_INIT, appends = STRVEC_INIT, args = STRVEC_INIT;
    char *line = cmdline_compose(&env, &appends, false, &args);
    assert_string_equal(line, "");
    free(line);

    strvec_push(&env, "GREETING=hello world");
    strvec_push(&env, "A=1");
    strvec_push(&appends, "bootstat strace");
    strvec_push(&appends, "");
    line = cmdline_compose(&env, &appends, false, &args);
    assert_string_equal(line, "\"env.GREETING=hello world\" env.A=1 bootstat strace");
    free(line);

    line = cmdline_compose(&env, &appends, true, &args);
    assert_string_equal(line, "\"env.GREETING=hello world\" env.A=1 bootstat strace --");
    free(line);

    strvec_push(&args, "one");
    strvec_push(&args, "two words");
    strvec_push(&args, "q\"b\\");
    struct strvec none = STRVEC_INIT;
    line = cmdline_compose(&none, &none, true, &args);
    assert_string_equal(line, "-- \"one\" \"two words\" \"q\\\"b\\\\\"");
    free(line);
    strvec_free(&env);
    strvec_free(&appends);
    strvec_free(&args);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cmdline_quote),      cmocka_unit_test(test_cmdline_quote_if_needed),
        cmocka_unit_test(test_cmdline_round_trip), cmocka_unit_test(test_shell_quote),
        cmocka_unit_test(test_qemu_argv),          cmocka_unit_test(test_machine_and_accel),
        cmocka_unit_test(test_cmdline_compose),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

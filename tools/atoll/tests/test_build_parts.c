/* Unit tests of the pieces of `atoll build`: source discovery, atoll_meta.S, the fork check. */
#include "test_util.h"

#include "elfsym.h"
#include "forbidden.h"
#include "meta.h"
#include "sources.h"
#include "strvec.h"
#include "util.h"

static void touch(const char *root, const char *rel)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    char *dir = path_dirname(path);
    assert_int_equal(mkdir_parents(dir), 0);
    free(dir);
    test_write_file(path, "int x;\n", 7, 0644);
}

static void test_sources_find(void **state)
{
    (void)state;
    char *root = test_make_tmpdir("atoll-sources");
    const char *files[] = {"main.c",    "util.c",        "net/tcp.c",    "net/udp.c",
                           "readme.md", "rootfs/x.c",    "build/y.c",    ".git/z.c",
                           "net/.w.c",  "lib/build/k.c", "lib/header.h", "net/rootfs/r.c"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        touch(root, files[i]);
    char link[4096];
    snprintf(link, sizeof(link), "%s/linked", root);
    assert_int_equal(symlink("net", link), 0); /* a symlinked folder is not followed */
    struct strvec found = STRVEC_INIT;
    char err[512];
    assert_int_equal(sources_find(root, &found, err, sizeof(err)), 0);
    /* Only the top-level rootfs/ and build/ are skipped; hidden names everywhere. */
    const char *want[] = {"lib/build/k.c", "main.c",    "net/rootfs/r.c",
                          "net/tcp.c",     "net/udp.c", "util.c"};
    assert_int_equal(found.len, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < found.len; i++)
        assert_string_equal(found.items[i], want[i]);
    strvec_free(&found);
    assert_int_equal(sources_find("/nonexistent/atoll", &found, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/atoll"));
    test_remove_tree(root);
    free(root);
}

static void test_sources_extra(void **state)
{
    (void)state;
    char *root = test_make_tmpdir("atoll-sources-extra");
    touch(root, "lib/netfn/arp.c");
    touch(root, "apps/router/main.c");
    char *app = path_join(root, "apps/router");
    char *list = path_join(app, "sources");
    const char *text = "# shared frame code\n\n  ../../lib/netfn   # the library\n";
    test_write_file(list, text, strlen(text), 0644);
    struct strvec dirs = STRVEC_INIT, written = STRVEC_INIT;
    char err[512];
    assert_int_equal(sources_extra_dirs(app, &dirs, &written, err, sizeof(err)), 0);
    assert_int_equal(dirs.len, 1);
    assert_string_equal(written.items[0], "../../lib/netfn");
    char *label = sources_extra_label(written.items[0], "arp.c");
    assert_string_equal(label, "lib/netfn/arp.c");
    free(label);
    strvec_free(&dirs);
    strvec_free(&written);
    /* A missing folder names the file and the line. */
    text = "../../lib/netfn\n../nowhere\n";
    test_write_file(list, text, strlen(text), 0644);
    assert_int_equal(sources_extra_dirs(app, &dirs, &written, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "sources:2: ../nowhere is not a folder"));
    strvec_free(&dirs);
    strvec_free(&written);
    /* No sources file: nothing added. */
    assert_int_equal(sources_extra_dirs(root, &dirs, &written, err, sizeof(err)), 0);
    assert_int_equal(dirs.len, 0);
    free(list);
    free(app);
    test_remove_tree(root);
    free(root);
}

/* Assembles `text` with gcc and opens the object. */
static struct elf_file *assemble(const char *dir, const char *text)
{
    char source[4096], object[4096], cmd[9000];
    snprintf(source, sizeof(source), "%s/atoll_meta.S", dir);
    snprintf(object, sizeof(object), "%s/atoll_meta.o", dir);
    test_write_file(source, text, strlen(text), 0644);
    snprintf(cmd, sizeof(cmd), "gcc -c '%s' -o '%s'", source, object);
    assert_int_equal(system(cmd), 0);
    struct elf_file *elf;
    char err[512];
    if (elf_open(object, &elf, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    return elf;
}

static void test_meta_assembles(void **state)
{
    (void)state;
    char *dir = test_make_tmpdir("atoll-meta");
    /* A rootfs path with the characters an assembler string must escape. */
    char rootfs[4096];
    snprintf(rootfs, sizeof(rootfs), "%s/odd \"name\\ here.cpio", dir);
    test_write_file(rootfs, "0123456789", 10, 0644);
    struct meta_config cfg = {
        .app_name = "he\"llo",
        .cmdline = "env.A=\"b c\" -- x\\y",
        .rootfs_cpio = rootfs,
        .memory = 48ull << 20,
    };
    char *text = meta_assembly(&cfg);
    /* Strings are byte lists: 'h' 'e' '"' ... */
    assert_non_null(strstr(text, ".byte 104,101,34,108,108,111,0\n"));
    struct elf_file *elf = assemble(dir, text);
    free(text);
    uint64_t memory = 0, value, start, end;
    assert_true(elf_atoll_note(elf, &memory));
    assert_int_equal(memory, 48ull << 20);
    assert_true(elf_symbol_value(elf, "atoll_app_name", &value));
    assert_true(elf_symbol_value(elf, "atoll_app_cmdline", &value));
    assert_int_equal(value, strlen("he\"llo") + 1);
    assert_true(elf_symbol_value(elf, "__atoll_rootfs_start", &start));
    assert_true(elf_symbol_value(elf, "__atoll_rootfs_end", &end));
    assert_int_equal(end - start, 10);
    assert_true(elf_section_range(elf, ".atoll.rootfs", &start, &end));
    assert_int_equal(end - start, 10);
    elf_close(elf);
    test_remove_tree(dir);
    free(dir);
}

static void test_meta_without_rootfs(void **state)
{
    (void)state;
    char *dir = test_make_tmpdir("atoll-meta-empty");
    struct meta_config cfg = {.app_name = "x", .cmdline = "", .rootfs_cpio = NULL, .memory = 0};
    char *text = meta_assembly(&cfg);
    assert_null(strstr(text, ".incbin"));
    struct elf_file *elf = assemble(dir, text);
    free(text);
    uint64_t memory = 1, start, end;
    assert_true(elf_atoll_note(elf, &memory));
    assert_int_equal(memory, 0);
    assert_true(elf_symbol_value(elf, "__atoll_rootfs_start", &start));
    assert_true(elf_symbol_value(elf, "__atoll_rootfs_end", &end));
    assert_int_equal(start, end);
    elf_close(elf);
    test_remove_tree(dir);
    free(dir);
}

static char *compile(const char *dir, const char *name, const char *code)
{
    char source[4096], cmd[9000];
    snprintf(source, sizeof(source), "%s/%s.c", dir, name);
    test_write_file(source, code, strlen(code), 0644);
    char *object = xasprintf("%s/%s.o", dir, name);
    snprintf(cmd, sizeof(cmd), "gcc -w -c '%s' -o '%s'", source, object);
    assert_int_equal(system(cmd), 0);
    return object;
}

static void test_forbidden_direct_calls(void **state)
{
    (void)state;
    char *dir = test_make_tmpdir("atoll-forbidden");
    struct strvec objects = STRVEC_INIT, sources = STRVEC_INIT;
    strvec_push_owned(&objects, compile(dir, "a",
                                        "int fork(void); int system(const char *);\n"
                                        "int f(void) { return fork() + system(\"x\"); }\n"));
    strvec_push(&sources, "a.c");
    strvec_push_owned(&objects, compile(dir, "b",
                                        "int printf(const char *, ...);\n"
                                        "int g(void) { return printf(\"hi\"); }\n"));
    strvec_push(&sources, "sub/b.c");
    strvec_push_owned(&objects, compile(dir, "c",
                                        "int execvp(const char *, char *const *);\n"
                                        "int h(void) { return execvp(\"x\", 0); }\n"));
    strvec_push(&sources, "sub/c.c");
    struct forbidden_report report;
    char err[512];
    /* With direct calls, the linked file is not even looked at. */
    assert_int_equal(
        forbidden_scan(&objects, &sources, "/nonexistent.dbg", &report, err, sizeof(err)), 0);
    assert_int_equal(report.len, 3);
    bool fork_seen = false, system_seen = false, execvp_seen = false;
    for (size_t i = 0; i < report.len; i++) {
        const struct forbidden_use *use = &report.uses[i];
        if (!strcmp(use->function, "fork"))
            fork_seen = !strcmp(use->source, "a.c");
        if (!strcmp(use->function, "system"))
            system_seen = !strcmp(use->source, "a.c");
        if (!strcmp(use->function, "execvp"))
            execvp_seen = !strcmp(use->source, "sub/c.c");
    }
    assert_true(fork_seen && system_seen && execvp_seen);
    forbidden_report_free(&report);
    strvec_free(&objects);
    strvec_free(&sources);
    test_remove_tree(dir);
    free(dir);
}

static void test_forbidden_through_libc(void **state)
{
    (void)state;
    char *dir = test_make_tmpdir("atoll-forbidden-libc");
    struct strvec objects = STRVEC_INIT, sources = STRVEC_INIT;
    strvec_push_owned(&objects, compile(dir, "app", "int wordexp_like(void) { return 0; }\n"));
    strvec_push(&sources, "app.c");
    /* The "linked" file defines fork, as when the C library pulled it in. */
    char *linked =
        compile(dir, "linked", "int fork(void) { return -1; }\nint main(void) { return 0; }\n");
    struct forbidden_report report;
    char err[512];
    assert_int_equal(forbidden_scan(&objects, &sources, linked, &report, err, sizeof(err)), 0);
    assert_int_equal(report.len, 1);
    assert_string_equal(report.uses[0].function, "fork");
    assert_null(report.uses[0].source);
    forbidden_report_free(&report);
    /* Nothing forbidden anywhere: nothing reported. */
    strvec_free(&objects);
    strvec_free(&sources);
    strvec_push_owned(&objects, compile(dir, "clean", "int k(void) { return 1; }\n"));
    strvec_push(&sources, "clean.c");
    assert_int_equal(
        forbidden_scan(&objects, &sources, objects.items[0], &report, err, sizeof(err)), 0);
    assert_int_equal(report.len, 0);
    forbidden_report_free(&report);
    assert_true(forbidden_function("posix_spawnp"));
    assert_true(forbidden_function("execle"));
    assert_false(forbidden_function("posix_spawnattr_init"));
    assert_false(forbidden_function("forkpty_helper"));
    free(linked);
    strvec_free(&objects);
    strvec_free(&sources);
    test_remove_tree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sources_find),
        cmocka_unit_test(test_sources_extra),
        cmocka_unit_test(test_meta_assembles),
        cmocka_unit_test(test_meta_without_rootfs),
        cmocka_unit_test(test_forbidden_direct_calls),
        cmocka_unit_test(test_forbidden_through_libc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

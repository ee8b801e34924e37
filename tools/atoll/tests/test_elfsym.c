/* Unit tests of ELF reading: symbol lookup in a fixture linked at test time, notes, bad files. */
#include "test_util.h"

#include "elfsym.h"
#include "util.h"

static struct elf_file *fixture;
static char *fixture_bytes;
static size_t fixture_size;

static int open_fixture(void **state)
{
    (void)state;
    const char *path = getenv("ATOLL_TEST_FIXTURE");
    if (!path) {
        fprintf(stderr, "ATOLL_TEST_FIXTURE is not set (run through make unit-tools)\n");
        return -1;
    }
    char err[512];
    if (elf_open(path, &fixture, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    fixture_bytes = read_whole_file(path, &fixture_size);
    return fixture_bytes ? 0 : -1;
}

static int close_fixture(void **state)
{
    (void)state;
    elf_close(fixture);
    free(fixture_bytes);
    return 0;
}

static uint64_t symbol(const char *name)
{
    uint64_t value = 0;
    assert_true(elf_symbol_value(fixture, name, &value));
    return value;
}

static void expect_at(uint64_t addr, const char *want_name, uint64_t want_offset)
{
    const char *name = NULL;
    uint64_t offset = 0;
    if (!elf_symbol_at(fixture, addr, &name, &offset))
        fail_msg("no symbol at 0x%llx, expected %s", (unsigned long long)addr, want_name);
    assert_string_equal(name, want_name);
    assert_int_equal(offset, want_offset);
}

static void expect_none(uint64_t addr)
{
    const char *name = NULL;
    uint64_t offset = 0;
    if (elf_symbol_at(fixture, addr, &name, &offset))
        fail_msg("0x%llx resolved to %s+0x%llx, expected nothing", (unsigned long long)addr, name,
                 (unsigned long long)offset);
}

static void test_inside_functions(void **state)
{
    (void)state;
    uint64_t start = symbol("fixture_start");
    assert_int_equal(start, 0x401000);
    expect_at(start, "fixture_start", 0);
    expect_at(start + 15, "fixture_start", 15);
    uint64_t alpha = symbol("alpha");
    assert_int_equal(alpha, start + 32);
    /* The region markers sit at alpha's address too; the sized function wins. */
    expect_at(alpha, "alpha", 0);
    expect_at(alpha + 0x1f, "alpha", 0x1f);
    uint64_t beta = symbol("beta");
    expect_at(beta + 7, "beta", 7);
    expect_at(symbol("gamma") + 3, "gamma", 3);
}

static void test_between_functions(void **state)
{
    (void)state;
    expect_none(symbol("fixture_start") + 16);
    expect_none(symbol("fixture_start") + 31);
    expect_none(symbol("alpha") + 32);
    expect_none(symbol("alpha") + 63);
}

static void test_unsized_labels(void **state)
{
    (void)state;
    uint64_t label = symbol("asm_label");
    assert_int_equal(label, symbol("beta") + 8);
    expect_at(label, "asm_label", 0);
    expect_at(label + 23, "asm_label", 23);
    expect_at(label + 24, "gamma", 0);
    uint64_t tail = symbol("tail_label");
    expect_at(tail + 7, "tail_label", 7);
    expect_none(tail + 8); /* past the end of .text */
}

static void test_outside(void **state)
{
    (void)state;
    expect_none(0);
    expect_none(0x1000);
    expect_none(symbol("fixture_start") - 1);
    expect_none(symbol("fixture_data")); /* data is not code */
    expect_none(UINT64_MAX);
}

static void test_sections_and_load_end(void **state)
{
    (void)state;
    uint64_t start, end;
    assert_true(elf_section_range(fixture, ".text", &start, &end));
    assert_int_equal(start, 0x401000);
    assert_int_equal(end, symbol("tail_label") + 8);
    assert_false(elf_section_range(fixture, ".nothing", &start, &end));
    /* The default linker script defines _end at the end of .bss, the end of the last segment. */
    assert_int_equal(elf_load_end(fixture), symbol("_end"));
    assert_false(elf_symbol_value(fixture, "no_such_symbol", &start));
}

static void test_atoll_note(void **state)
{
    (void)state;
    uint64_t memory = 0;
    assert_true(elf_atoll_note(fixture, &memory));
    assert_int_equal(memory, 64ull << 20);
}

static void count_symbol(void *ctx, const char *name, bool defined)
{
    int *found = ctx;
    if (!strcmp(name, "gamma") && defined)
        found[0]++;
    if (!strcmp(name, "beta") && defined)
        found[1]++;
}

static void test_for_each_symbol(void **state)
{
    (void)state;
    int found[2] = {0, 0};
    elf_for_each_symbol(fixture, count_symbol, found);
    assert_int_equal(found[0], 1);
    assert_int_equal(found[1], 1);
}

static void expect_open_error(const void *data, size_t size, const char *want)
{
    struct elf_file *elf = NULL;
    char err[512] = "";
    assert_int_equal(elf_open_memory(data, size, "bad.img", &elf, err, sizeof(err)), -1);
    assert_null(elf);
    if (!strstr(err, want))
        fail_msg("error '%s' does not say '%s'", err, want);
    assert_true(str_starts_with(err, "bad.img: "));
}

static void test_bad_files(void **state)
{
    (void)state;
    expect_open_error("", 0, "not an ELF file");
    expect_open_error("#!/bin/sh\necho hi\n", 18, "not an ELF file");
    char elf32[64] = {0x7f, 'E', 'L', 'F', 1, 1, 1};
    expect_open_error(elf32, sizeof(elf32), "not a 64-bit little-endian ELF file");
    expect_open_error(fixture_bytes, 100, "truncated");
    expect_open_error(fixture_bytes, fixture_size - 1, "truncated");
    char err[512];
    struct elf_file *elf = NULL;
    assert_int_equal(elf_open("/nonexistent/x.img", &elf, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "No such file"));
}

/* Corrupted copies must give an error or answers, never a crash (the sanitizers watch). */
static void test_corrupted_copies(void **state)
{
    (void)state;
    unsigned seed = 12345;
    char *copy = malloc(fixture_size);
    assert_non_null(copy);
    for (int round = 0; round < 2000; round++) {
        memcpy(copy, fixture_bytes, fixture_size);
        int flips = 1 + round % 8;
        for (int i = 0; i < flips; i++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % fixture_size;
            seed = seed * 1103515245u + 12345u;
            copy[at] = (char)(seed >> 16);
        }
        struct elf_file *elf = NULL;
        char err[512];
        if (elf_open_memory(copy, fixture_size, "fuzz", &elf, err, sizeof(err)) != 0)
            continue;
        const char *name;
        uint64_t offset, value, memory;
        for (uint64_t addr = 0x401000; addr < 0x401100; addr += 7)
            (void)elf_symbol_at(elf, addr, &name, &offset);
        (void)elf_symbol_value(elf, "gamma", &value);
        (void)elf_atoll_note(elf, &memory);
        (void)elf_load_end(elf);
        (void)elf_section_range(elf, ".text", &value, &offset);
        elf_close(elf);
    }
    free(copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inside_functions),      cmocka_unit_test(test_between_functions),
        cmocka_unit_test(test_unsized_labels),        cmocka_unit_test(test_outside),
        cmocka_unit_test(test_sections_and_load_end), cmocka_unit_test(test_atoll_note),
        cmocka_unit_test(test_for_each_symbol),       cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_corrupted_copies),
    };
    return cmocka_run_group_tests(tests, open_fixture, close_fixture);
}

/* Unit tests of crash-report symbolization: line rewriting, the console stream, ELF annotation. */
#include "test_util.h"

#include "console.h"
#include "elfsym.h"
#include "symbolize.h"

/* Knows two addresses, like a tiny symbol table. */
static bool fake_lookup(void *ctx, uint64_t addr, char *out, size_t outlen)
{
    int *calls = ctx;
    (*calls)++;
    if (addr == 0x401234)
        snprintf(out, outlen, "<main+0x34> [app]");
    else if (addr == 0x100010)
        snprintf(out, outlen, "<panic+0x10> [kernel]");
    else
        return false;
    return true;
}

static char *rewrite(struct symbolizer *sym, const char *line)
{
    size_t len;
    char *out = symbolize_line(sym, line, strlen(line), &len);
    assert_int_equal(strlen(out), len);
    return out;
}

static void expect_rewrite(struct symbolizer *sym, const char *line, const char *want)
{
    char *out = rewrite(sym, line);
    assert_string_equal(out, want);
    free(out);
}

static void test_outside_report_untouched(void **state)
{
    (void)state;
    int calls = 0;
    struct symbolizer sym;
    symbolizer_init(&sym, fake_lookup, &calls);
    expect_rewrite(&sym, "pc=0x0000000000401234", "pc=0x0000000000401234");
    expect_rewrite(&sym, "hello world", "hello world");
    assert_int_equal(calls, 0);
    assert_false(sym.in_report);
}

static void test_report_tokens(void **state)
{
    (void)state;
    int calls = 0;
    struct symbolizer sym;
    symbolizer_init(&sym, fake_lookup, &calls);
    expect_rewrite(&sym, "atoll: crash: page fault at pc=0x0000000000401234 addr=0x0",
                   "atoll: crash: page fault at pc=0x0000000000401234 <main+0x34> [app] addr=0x0");
    assert_true(sym.in_report);
    expect_rewrite(&sym, "  #0 pc=0x0000000000401234",
                   "  #0 pc=0x0000000000401234 <main+0x34> [app]");
    expect_rewrite(&sym, "  #1 pc=0x0000000000100010 pc=0x0000000000401234",
                   "  #1 pc=0x0000000000100010 <panic+0x10> [kernel] pc=0x0000000000401234 "
                   "<main+0x34> [app]");
    /* Unknown addresses stay as they are. */
    expect_rewrite(&sym, "  #2 pc=0x00000000deadbeef", "  #2 pc=0x00000000deadbeef");
    /* A carriage return ends a token too. */
    expect_rewrite(&sym, "pc=0x0000000000401234\r", "pc=0x0000000000401234 <main+0x34> [app]\r");
    expect_rewrite(&sym, "atoll: end of crash report", "atoll: end of crash report");
    assert_false(sym.in_report);
    expect_rewrite(&sym, "pc=0x0000000000401234", "pc=0x0000000000401234");
}

static void test_not_tokens(void **state)
{
    (void)state;
    int calls = 0;
    struct symbolizer sym;
    symbolizer_init(&sym, fake_lookup, &calls);
    expect_rewrite(&sym, "atoll: crash: x", "atoll: crash: x");
    const char *unchanged[] = {
        "pc=0x401234",            /* too few digits */
        "pc=0x00000000004012345", /* too many */
        "xpc=0x0000000000401234", /* not a token start */
        "pc=0x0000000000401234g", /* not a token end */
        "pc=0x000000000040123z",  /* not hex */
        "pc=0x",                  /* cut short */
        "sp=0x0000000000401234",  /* another register */
    };
    for (size_t i = 0; i < sizeof(unchanged) / sizeof(unchanged[0]); i++)
        expect_rewrite(&sym, unchanged[i], unchanged[i]);
    expect_rewrite(&sym, "[pc=0x0000000000401234]", "[pc=0x0000000000401234 <main+0x34> [app]]");
    expect_rewrite(&sym, "atoll: end of crash report\r", "atoll: end of crash report\r");
    assert_false(sym.in_report);
}

static void test_without_symbols(void **state)
{
    (void)state;
    struct symbolizer sym;
    symbolizer_init(&sym, NULL, NULL);
    expect_rewrite(&sym, "atoll: crash: pc=0x0000000000401234",
                   "atoll: crash: pc=0x0000000000401234");
    assert_true(sym.in_report);
}

struct sink {
    char data[4096];
    size_t len;
    int writes;
};

static void sink_write(void *ctx, const char *data, size_t len)
{
    struct sink *sink = ctx;
    assert_true(sink->len + len < sizeof(sink->data));
    memcpy(sink->data + sink->len, data, len);
    sink->len += len;
    sink->data[sink->len] = '\0';
    sink->writes++;
}

static void feed(struct console_filter *con, const char *text)
{
    console_filter_feed(con, text, strlen(text));
}

static void test_console_stream(void **state)
{
    (void)state;
    int calls = 0;
    struct symbolizer sym;
    symbolizer_init(&sym, fake_lookup, &calls);
    struct sink sink = {.len = 0};
    struct console_filter con;
    console_filter_init(&con, &sym, sink_write, &sink);

    /* An ordinary partial line (a prompt) passes at once. */
    feed(&con, "Name? ");
    assert_string_equal(sink.data, "Name? ");
    feed(&con, "ok\nnext");
    assert_string_equal(sink.data, "Name? ok\nnext");

    /* A line that may start a crash report waits for its end, even split in odd places. */
    feed(&con, "\natoll: cr");
    assert_string_equal(sink.data, "Name? ok\nnext\n");
    feed(&con, "ash: fault pc=0x00000000004");
    assert_string_equal(sink.data, "Name? ok\nnext\n");
    feed(&con, "01234\n  #0 pc=0x00000000001000");
    feed(&con, "10\natoll: end of crash report\nbye");
    assert_string_equal(sink.data, "Name? ok\nnext\n"
                                   "atoll: crash: fault pc=0x0000000000401234 <main+0x34> [app]\n"
                                   "  #0 pc=0x0000000000100010 <panic+0x10> [kernel]\n"
                                   "atoll: end of crash report\n"
                                   "bye");
    console_filter_finish(&con);
    console_filter_free(&con);
}

static void test_console_finish_flushes(void **state)
{
    (void)state;
    struct symbolizer sym;
    symbolizer_init(&sym, NULL, NULL);
    struct sink sink = {.len = 0};
    struct console_filter con;
    console_filter_init(&con, &sym, sink_write, &sink);
    feed(&con, "atoll");
    assert_int_equal(sink.len, 0);
    console_filter_finish(&con);
    assert_string_equal(sink.data, "atoll");
    console_filter_free(&con);
}

static void test_elf_annotation(void **state)
{
    (void)state;
    const char *path = getenv("ATOLL_TEST_FIXTURE");
    assert_non_null(path);
    struct elf_file *elf;
    char err[512];
    assert_int_equal(elf_open(path, &elf, err, sizeof(err)), 0);
    struct elf_annotator annotator;
    elf_annotator_init(&annotator, elf);
    uint64_t start, alpha, gamma;
    assert_true(elf_symbol_value(elf, "fixture_start", &start));
    assert_true(elf_symbol_value(elf, "alpha", &alpha));
    assert_true(elf_symbol_value(elf, "gamma", &gamma));
    char out[256];
    assert_true(elf_annotate(&annotator, start + 4, out, sizeof(out)));
    assert_string_equal(out, "<fixture_start+0x4> [kernel]");
    assert_true(elf_annotate(&annotator, alpha + 0x10, out, sizeof(out)));
    assert_string_equal(out, "<alpha+0x10> [libc]");
    assert_true(elf_annotate(&annotator, gamma, out, sizeof(out)));
    assert_string_equal(out, "<gamma+0x0> [app]");
    /* In a gap of the kernel's text: no symbol, but the region is known. */
    assert_true(elf_annotate(&annotator, start + 20, out, sizeof(out)));
    assert_string_equal(out, "<?> [kernel]");
    assert_false(elf_annotate(&annotator, 0x10, out, sizeof(out)));

    struct symbolizer sym;
    symbolizer_init(&sym, elf_annotate, &annotator);
    char line[128];
    snprintf(line, sizeof(line), "atoll: crash: #UD pc=0x%016llx", (unsigned long long)gamma + 2);
    char *rewritten = rewrite(&sym, line);
    char want[256];
    snprintf(want, sizeof(want), "%s <gamma+0x2> [app]", line);
    assert_string_equal(rewritten, want);
    free(rewritten);
    elf_close(elf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outside_report_untouched),
        cmocka_unit_test(test_report_tokens),
        cmocka_unit_test(test_not_tokens),
        cmocka_unit_test(test_without_symbols),
        cmocka_unit_test(test_console_stream),
        cmocka_unit_test(test_console_finish_flushes),
        cmocka_unit_test(test_elf_annotation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

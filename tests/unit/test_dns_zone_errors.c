/* Unit tests of the dns master-file parser's errors: one test per message, file:line checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dns_test_zone.h"

struct error_case {
    const char *name;
    const char *zone;
    const char *expected; /* DIR stands for the scratch folder */
};

#define SOA  "@ 3600 IN SOA ns.x. h.x. 1 2 3 4 5\n"
#define S64  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define S256 S64 S64 S64 S64

static const struct error_case cases[] = {
    {"close_without_open", "$ORIGIN x.\n" SOA "a A 1.2.3.4 )\n",
     "DIR/z.zone:3: ')' without a matching '('"},
    {"open_never_closed", "$ORIGIN x.\n" SOA "a TXT ( \"a\"\n\"b\"\n",
     "DIR/z.zone:3: '(' is never closed (a ')' is missing)"},
    {"unterminated_quote", "$ORIGIN x.\n" SOA "a TXT \"abc\n",
     "DIR/z.zone:3: unterminated quoted string (a '\"' is missing before the end of the line)"},
    {"unknown_directive", "$ORIGIN x.\n$FOO bar\n",
     "DIR/z.zone:2: unknown directive $FOO (only $ORIGIN, $TTL, $INCLUDE)"},
    {"origin_arguments", "$ORIGIN\n", "DIR/z.zone:1: $ORIGIN needs exactly one name"},
    {"origin_relative", "$ORIGIN x\n",
     "DIR/z.zone:1: $ORIGIN needs an absolute name (ending with a dot)"},
    {"ttl_directive", "$ORIGIN x.\n$TTL forever\n",
     "DIR/z.zone:2: $TTL needs one TTL (seconds up to 2147483647, or units like 1h)"},
    {"include_outside", "$ORIGIN x.\n" SOA "$INCLUDE ../etc/passwd\n",
     "DIR/z.zone:3: $INCLUDE file must be inside the zone folder (no absolute path, no '..')"},
    {"include_absolute", "$ORIGIN x.\n" SOA "$INCLUDE /etc/passwd\n",
     "DIR/z.zone:3: $INCLUDE file must be inside the zone folder (no absolute path, no '..')"},
    {"include_arguments", "$ORIGIN x.\n" SOA "$INCLUDE a b c\n",
     "DIR/z.zone:3: $INCLUDE needs a file name and at most an origin"},
    {"include_missing", "$ORIGIN x.\n" SOA "$INCLUDE missing.inc\n",
     "DIR/z.zone:3: $INCLUDE missing.inc: cannot open it"},
    {"include_loop", "$ORIGIN x.\n" SOA "$INCLUDE z.zone\n",
     "DIR/z.zone:3: $INCLUDE nested more than 8 deep"},
    {"bad_owner_label", "$ORIGIN x.\n" SOA "a..b A 1.2.3.4\n",
     "DIR/z.zone:3: bad name 'a..b': empty label in name (two dots in a row or a leading dot)"},
    {"long_label",
     "$ORIGIN x.\n" SOA
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa A 1.2.3.4\n",
     "DIR/z.zone:3: bad name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa': "
     "label "
     "longer than 63 bytes"},
    {"escape_range", "$ORIGIN x.\n" SOA "a\\300 A 1.2.3.4\n",
     "DIR/z.zone:3: bad name 'a\\300': escape \\DDD above 255"},
    {"escape_digits", "$ORIGIN x.\n" SOA "a\\30 A 1.2.3.4\n",
     "DIR/z.zone:3: bad name 'a\\30': escape \\DDD needs exactly three decimal digits"},
    {"at_without_origin", "@ 3600 IN A 1.2.3.4\n",
     "DIR/z.zone:1: bad name '@': '@' used before any $ORIGIN (add $ORIGIN or use absolute names)"},
    {"relative_without_origin", "a 3600 IN A 1.2.3.4\n",
     "DIR/z.zone:1: bad name 'a': relative name before any $ORIGIN (add $ORIGIN or end the name "
     "with a dot)"},
    {"no_owner", "$ORIGIN x.\n  3600 IN A 1.2.3.4\n",
     "DIR/z.zone:2: record without an owner name (the first record must name one)"},
    {"bad_ttl", "$ORIGIN x.\n" SOA "a 1h30 A 1.2.3.4\n",
     "DIR/z.zone:3: bad TTL '1h30' (seconds up to 2147483647, or units like 1h30m)"},
    {"ttl_too_big", "$ORIGIN x.\n" SOA "a 2147483648 A 1.2.3.4\n",
     "DIR/z.zone:3: bad TTL '2147483648' (seconds up to 2147483647, or units like 1h30m)"},
    {"class_chaos", "$ORIGIN x.\n" SOA "a 60 CH A 1.2.3.4\n",
     "DIR/z.zone:3: class CH is not supported (only IN)"},
    {"no_type", "$ORIGIN x.\n" SOA "a 60 IN\n", "DIR/z.zone:3: record without a type"},
    {"unknown_type", "$ORIGIN x.\n" SOA "a 60 IN FOO 1\n",
     "DIR/z.zone:3: unknown type 'FOO' (use TYPEnnn and \\# for others)"},
    {"meta_type", "$ORIGIN x.\n" SOA "a 60 IN TYPE255 \\# 0\n",
     "DIR/z.zone:3: type TYPE255 cannot appear in a zone"},
    {"no_ttl", "$ORIGIN x.\n@ IN SOA ns.x. h.x. 1 2 3 4 5\n",
     "DIR/z.zone:2: record without a TTL (add a $TTL line or a TTL)"},
    {"origin_unknown", "a.x. 60 IN A 1.2.3.4\n",
     "DIR/z.zone:1: the zone's origin is unknown: start with $ORIGIN or with the SOA record"},
    {"outside_zone", "$ORIGIN x.\n" SOA "a.y. A 1.2.3.4\n",
     "DIR/z.zone:3: a.y. is outside the zone x."},
    {"missing_field", "$ORIGIN x.\n" SOA "a MX 10\n",
     "DIR/z.zone:3: MX record: missing rdata field: MX exchange name"},
    {"not_a_number", "$ORIGIN x.\n" SOA "a MX 70000 b\n",
     "DIR/z.zone:3: MX record: MX preference '70000' is not a number from 0 to 65535"},
    {"bad_target", "$ORIGIN x.\n" SOA "a CNAME b..c\n",
     "DIR/z.zone:3: CNAME record: bad target name 'b..c': empty label in name (two dots in a row "
     "or a leading dot)"},
    {"bad_ipv4", "$ORIGIN x.\n" SOA "a A 1.2.3\n",
     "DIR/z.zone:3: A record: '1.2.3' is not an IPv4 address"},
    {"bad_ipv6", "$ORIGIN x.\n" SOA "a AAAA 1::2::3\n",
     "DIR/z.zone:3: AAAA record: '1::2::3' is not an IPv6 address"},
    {"string_escape", "$ORIGIN x.\n" SOA "a TXT \"\\999\"\n",
     "DIR/z.zone:3: TXT record: bad character string '\\999': escape \\DDD above 255"},
    {"string_long", "$ORIGIN x.\n" SOA "a TXT " S256 "\n",
     "DIR/z.zone:3: TXT record: bad character string '" S256
     "': character string longer than 255 bytes"},
    {"txt_empty", "$ORIGIN x.\n" SOA "a TXT\n",
     "DIR/z.zone:3: TXT record: missing rdata field: TXT needs at least one character string"},
    {"generic_length", "$ORIGIN x.\n" SOA "a TYPE65400 \\# x 00\n",
     "DIR/z.zone:3: TYPE65400 record: \\# length 'x' is not a number from 0 to 65535"},
    {"generic_hex", "$ORIGIN x.\n" SOA "a TYPE65400 \\# 1 zz\n",
     "DIR/z.zone:3: TYPE65400 record: \\# data 'zz' is not hexadecimal"},
    {"generic_long", "$ORIGIN x.\n" SOA "a TYPE65400 \\# 1 0011\n",
     "DIR/z.zone:3: TYPE65400 record: \\# data is longer than its length 1"},
    {"generic_short", "$ORIGIN x.\n" SOA "a TYPE65400 \\# 2 00\n",
     "DIR/z.zone:3: TYPE65400 record: \\# data has 2 hex digits where its length 2 needs 4"},
    {"generic_invalid", "$ORIGIN x.\n" SOA "a A \\# 3 000000\n",
     "DIR/z.zone:3: A record: \\# data is not valid rdata for its type"},
    {"unknown_type_text", "$ORIGIN x.\n" SOA "a TYPE65400 hello\n",
     "DIR/z.zone:3: TYPE65400 record: type 65400 needs its rdata in RFC 3597 form: \\# LENGTH HEX"},
    {"caa_tag", "$ORIGIN x.\n" SOA "a CAA 0 is-sue \"x\"\n",
     "DIR/z.zone:3: CAA record: CAA tag 'is-sue' must be 1 to 15 letters or digits"},
    {"caa_value", "$ORIGIN x.\n" SOA "a CAA 0 issue \"\\300\"\n",
     "DIR/z.zone:3: CAA record: bad CAA value: escape \\DDD above 255"},
    {"extra_field", "$ORIGIN x.\n" SOA "a A 1.2.3.4 5.6.7.8\n",
     "DIR/z.zone:3: A record: unexpected field '5.6.7.8' after the rdata"},
    {"cname_and_data", "$ORIGIN x.\n" SOA "a CNAME b\na A 1.2.3.4\n",
     "DIR/z.zone:4: CNAME and other data at the same name (RFC 1034 3.6.2)"},
    {"two_cnames", "$ORIGIN x.\n" SOA "a CNAME b\na CNAME c\n",
     "DIR/z.zone:4: more than one CNAME record at one name"},
    {"cname_at_apex", "$ORIGIN x.\n" SOA "@ CNAME b\n", "DIR/z.zone:3: CNAME at the zone origin"},
    {"soa_below", "$ORIGIN x.\n" SOA "a SOA ns.x. h.x. 1 2 3 4 5\n",
     "DIR/z.zone:3: SOA record below the zone origin"},
    {"two_soas", "$ORIGIN x.\n" SOA "@ SOA ns2.x. h.x. 1 2 3 4 5\n",
     "DIR/z.zone:3: more than one SOA record at the zone origin"},
    {"lone_backslash", "$ORIGIN x.\n" SOA "a\\\n",
     "DIR/z.zone:3: bad name 'a\\': name ends with a lone backslash"},
    {"empty_owner", "$ORIGIN x.\n" SOA "\"\" A 1.2.3.4\n", "DIR/z.zone:3: bad name '': empty name"},
    {"no_soa", "$ORIGIN x.\n$TTL 60\na A 1.2.3.4\n", "zone x.: no SOA record at the zone origin"},
    {"empty_file", "; nothing\n", "DIR/z.zone:1: no records: a zone needs at least its SOA record"},
    {"name_too_long",
     "$ORIGIN xy.\n" SOA "a1234567890123456789012345678901234567890123456789012345678901."
     "b1234567890123456789012345678901234567890123456789012345678901."
     "c1234567890123456789012345678901234567890123456789012345678901."
     "d1234567890123456789012345678901234567890123456789012345678901 A 1.2.3.4\n",
     "DIR/z.zone:3: bad name 'a1234567890123456789012345678901234567890123456789012345678901."
     "b1234567890123456789012345678901234567890123456789012345678901."
     "c1234567890123456789012345678901234567890123456789012345678901."
     "d1234567890123456789012345678901234567890123456789012345678901': name longer than 255 bytes "
     "once the origin is appended"},
};

static void test_error(void **state)
{
    const struct error_case *c = *state;
    struct db db;
    char err[4096] = "";
    memset(&db, 0, sizeof(db));
    int r = load_zone_text(&db, c->zone, err, sizeof(err));
    if (r == 0 || strcmp(without_dir(err), c->expected) != 0)
        print_error("case %s:\n  expected: %s\n  got:      %s\n", c->name, c->expected,
                    r == 0 ? "(loaded without an error)" : without_dir(err));
    assert_int_equal(r, -1);
    assert_string_equal(without_dir(err), c->expected);
    db_free(&db);
}

static void test_missing_file(void **state)
{
    (void)state;
    struct db db;
    char err[512];
    memset(&db, 0, sizeof(db));
    assert_int_equal(zone_load(&db, "/nonexistent/z.zone", err, sizeof(err)), -1);
    assert_string_equal(err, "/nonexistent/z.zone: cannot read it: No such file or directory");
    db_free(&db);
}

static void test_twice(void **state)
{
    (void)state;
    struct db db;
    char err[4096];
    memset(&db, 0, sizeof(db));
    const char *path = scratch_file("twice.zone", "$ORIGIN x.\n" SOA);
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", path);
    assert_int_equal(zone_load(&db, copy, err, sizeof(err)), 0);
    assert_int_equal(zone_load(&db, copy, err, sizeof(err)), -1);
    assert_string_equal(without_dir(err),
                        "DIR/twice.zone:1: zone x. is loaded twice (or more than 256 zones)");
    db_free(&db);
}

/* A TXT record of COUNT strings of LENGTH bytes, on one line. */
static char *many_strings(int count, int length)
{
    size_t cap = 64 + (size_t)count * ((size_t)length + 3);
    char *text = malloc(cap);
    size_t n = (size_t)snprintf(text, cap, "$ORIGIN x.\n" SOA "a TXT");
    for (int i = 0; i < count; i++) {
        text[n++] = ' ';
        memset(text + n, 'z', (size_t)length);
        n += (size_t)length;
    }
    text[n++] = '\n';
    text[n] = 0;
    return text;
}

static void test_too_many_fields(void **state)
{
    (void)state;
    struct db db;
    char err[4096];
    memset(&db, 0, sizeof(db));
    char *text = many_strings(520, 1);
    assert_int_equal(load_zone_text(&db, text, err, sizeof(err)), -1);
    assert_string_equal(without_dir(err), "DIR/z.zone:3: entry has more than 512 fields");
    free(text);
    db_free(&db);
}

static void test_rdata_too_long(void **state)
{
    (void)state;
    struct db db;
    char err[4096];
    memset(&db, 0, sizeof(db));
    char *text = many_strings(300, 255);
    assert_int_equal(load_zone_text(&db, text, err, sizeof(err)), -1);
    assert_string_equal(without_dir(err),
                        "DIR/z.zone:3: TXT record: rdata longer than 65535 bytes");
    free(text);
    db_free(&db);
}

int main(void)
{
    enum { N = sizeof(cases) / sizeof(cases[0]) };
    struct CMUnitTest tests[N + 4];
    for (size_t i = 0; i < N; i++)
        tests[i] = (struct CMUnitTest){cases[i].name, test_error, NULL, NULL, (void *)&cases[i]};
    tests[N] = (struct CMUnitTest)cmocka_unit_test(test_missing_file);
    tests[N + 1] = (struct CMUnitTest)cmocka_unit_test(test_twice);
    tests[N + 2] = (struct CMUnitTest)cmocka_unit_test(test_too_many_fields);
    tests[N + 3] = (struct CMUnitTest)cmocka_unit_test(test_rdata_too_long);
    int failed = _cmocka_run_group_tests("dns_zone_errors", tests, N + 4, NULL, NULL);
    scratch_remove();
    return failed;
}

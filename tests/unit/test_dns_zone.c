/* Unit tests of the dns master-file parser: every construct of RFC 1035 5 and each record type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dns_test_zone.h"

static struct db db;
static char err[4096];

/* The RRset of TYPE at NAME (presentation form, absolute), or NULL. */
static const struct rrset *rrset_at(const char *name, uint16_t type)
{
    uint8_t wire[DNS_NAME_MAX];
    const char *why;
    size_t len = name_from_text(name, strlen(name), NULL, wire, &why);
    assert_true(len > 0);
    int zone = db_find_zone(&db, wire, len);
    if (zone < 0)
        return NULL;
    int node = db_find_node(&db, zone, wire, len, name_hash(wire, len));
    return node < 0 ? NULL : db_find_rrset(&db, node, type);
}

static void assert_rdata(const struct rrset *set, uint32_t index, const void *bytes, size_t len)
{
    assert_non_null(set);
    assert_true(index < set->count);
    assert_int_equal(db.rdatas[set->first_rdata + index].length, len);
    assert_memory_equal(db_rdata(&db, set->first_rdata + index), bytes, len);
}

static const char main_zone[] =
    "; a comment line\n"
    "$ORIGIN example.\n"
    "$TTL 1h\n"
    "@ IN SOA ns hostmaster.example. ( 2026 ; serial\n"
    "        2h 15m   ; refresh, retry\n"
    "        2w 5M )  ; expire, minimum\n"
    "  IN NS ns             ; blank owner: the previous owner (the apex)\n"
    "  NS ns.other.test.\n"
    "ns 300 IN A 192.0.2.1  ; TTL before class\n"
    "ns IN 400 AAAA 2001:db8::1 ; class before TTL\n"
    "www A 192.0.2.80       ; neither TTL nor class\n"
    "WWW.Example. A 192.0.2.80 ; the same record again, spelled otherwise: one record\n"
    "alias CNAME www\n"
    "mx MX 10 mail.example.\n"
    "srv SRV 1 2 3 www\n"
    "txt TXT \"two words\" plain \"q\\\"uote\" \"\\065\\066\" \"\"\n"
    "caa CAA 128 issue \"ca.test; x=1\"\n"
    "ptr PTR www\n"
    "unk TYPE65400 \\# 3 ABCDEF\n"
    "raw TYPE1 \\# 4 C0000263\n"
    "gns NS \\# 5 03616263 00\n"
    "sp\\032ace A 192.0.2.5\n"
    "dot\\.ted A 192.0.2.6\n"
    "\\100x A 192.0.2.7\n"
    "$ORIGIN sub.example.\n"
    "deep.down A 192.0.2.9\n"
    "@ 60 A 192.0.2.10\n"
    "$INCLUDE part.inc\n"
    "$INCLUDE part2.inc other.example.\n"
    "after A 192.0.2.13 ; the origin is back to sub.example. after the includes\n";

static int setup(void **state)
{
    (void)state;
    scratch_file("part.inc", "inc A 192.0.2.11\n$ORIGIN example.\ninc2 A 192.0.2.12\n");
    scratch_file("part2.inc", "p2 A 192.0.2.14\n");
    scratch_file("rev.zone", "$TTL 60\n2.0.192.in-addr.arpa. SOA ns.example. h.example. 1 2 3 4 5\n"
                             "80 PTR www.example.\n");
    const char *path = scratch_file("main.zone", main_zone);
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", path);
    memset(&db, 0, sizeof(db));
    if (zone_load(&db, copy, err, sizeof(err)) < 0) {
        print_error("%s\n", err);
        return -1;
    }
    snprintf(copy, sizeof(copy), "%s/rev.zone", scratch_dir);
    if (zone_load(&db, copy, err, sizeof(err)) < 0 || db_finish(&db, err, sizeof(err)) < 0) {
        print_error("%s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    db_free(&db);
    return 0;
}

static void test_soa_over_lines_with_units(void **state)
{
    (void)state;
    static const uint8_t soa[] = "\002ns\007example\000\012hostmaster\007example\000"
                                 "\000\000\007\352\000\000\034\040\000\000\003\204"
                                 "\000\022\165\000\000\000\001\054";
    const struct rrset *set = rrset_at("example.", T_SOA);
    assert_rdata(set, 0, soa, sizeof(soa) - 1);
    assert_int_equal(set->ttl, 3600);
    assert_int_equal(db.zones[0].neg_ttl, 300);
}

static void test_blank_owner_and_absolute_names(void **state)
{
    (void)state;
    const struct rrset *set = rrset_at("example.", T_NS);
    assert_non_null(set);
    assert_int_equal(set->count, 2);
    /* Records are kept in canonical order of their rdata. */
    assert_rdata(set, 0, "\002ns\005other\004test", 15);
    assert_rdata(set, 1, "\002ns\007example", 12);
}

static void test_ttl_and_class_in_either_order(void **state)
{
    (void)state;
    assert_int_equal(rrset_at("ns.example.", T_A)->ttl, 300);
    assert_int_equal(rrset_at("ns.example.", T_AAAA)->ttl, 400);
    assert_int_equal(rrset_at("www.example.", T_A)->ttl, 3600);
    assert_rdata(rrset_at("ns.example.", T_AAAA), 0, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01",
                 16);
}

static void test_duplicates_and_case_fold(void **state)
{
    (void)state;
    const struct rrset *set = rrset_at("www.example.", T_A);
    assert_int_equal(set->count, 1);
    assert_rdata(set, 0, "\xc0\x00\x02\x50", 4);
}

static void test_types(void **state)
{
    (void)state;
    assert_rdata(rrset_at("alias.example.", T_CNAME), 0, "\003www\007example", 13);
    assert_rdata(rrset_at("mx.example.", T_MX), 0, "\000\012\004mail\007example", 16);
    assert_rdata(rrset_at("srv.example.", T_SRV), 0, "\0\1\0\2\0\3\003www\007example", 19);
    assert_rdata(rrset_at("ptr.example.", T_PTR), 0, "\003www\007example", 13);
    assert_rdata(rrset_at("caa.example.", T_CAA), 0, "\x80\005issueca.test; x=1", 19);
    assert_rdata(rrset_at("unk.example.", 65400), 0, "\xab\xcd\xef", 3);
    assert_rdata(rrset_at("raw.example.", T_A), 0, "\xc0\x00\x02\x63", 4);
    assert_rdata(rrset_at("gns.example.", T_NS), 0, "\003abc", 5);
}

static void test_txt_strings_and_escapes(void **state)
{
    (void)state;
    assert_rdata(rrset_at("txt.example.", T_TXT), 0, "\011two words\005plain\006q\"uote\002AB\000",
                 27);
}

static void test_escaped_names(void **state)
{
    (void)state;
    assert_non_null(rrset_at("sp\\032ace.example.", T_A));
    assert_non_null(rrset_at("dot\\.ted.example.", T_A));
    assert_non_null(rrset_at("dx.example.", T_A)); /* \100 is 'd' */
    assert_null(rrset_at("ted.example.", T_A));
}

static void test_origin_changes_and_includes(void **state)
{
    (void)state;
    assert_non_null(rrset_at("deep.down.sub.example.", T_A));
    assert_int_equal(rrset_at("sub.example.", T_A)->ttl, 60);
    assert_non_null(rrset_at("inc.sub.example.", T_A));
    assert_non_null(rrset_at("inc2.example.", T_A));
    assert_non_null(rrset_at("p2.other.example.", T_A));
    assert_non_null(rrset_at("after.sub.example.", T_A));
}

static void test_empty_non_terminals_are_nodes(void **state)
{
    (void)state;
    uint8_t wire[DNS_NAME_MAX];
    const char *why;
    size_t len = name_from_text("down.sub.example.", 17, NULL, wire, &why);
    int node = db_find_node(&db, 0, wire, len, name_hash(wire, len));
    assert_true(node >= 0);
    assert_int_equal(db.nodes[node].rrset_count, 0);
}

static void test_reverse_zone(void **state)
{
    (void)state;
    assert_int_equal(db.zone_count, 2);
    assert_string_equal(db.zones[1].origin_text, "2.0.192.in-addr.arpa.");
    assert_rdata(rrset_at("80.2.0.192.in-addr.arpa.", T_PTR), 0, "\003www\007example", 13);
    assert_int_equal(db.zones[1].neg_ttl, 5);
}

static void test_names_text_round_trip(void **state)
{
    (void)state;
    uint8_t wire[DNS_NAME_MAX];
    char text[1100];
    const char *why;
    size_t len = name_from_text("A\\.b\\032c.D", 11, (const uint8_t *)"\001x", wire, &why);
    assert_int_equal(len, 11);
    name_to_text(wire, text, sizeof(text));
    assert_string_equal(text, "a\\.b\\032c.d.x.");
    assert_int_equal(name_label_count(wire), 3);
    assert_true(name_is_below_or_equal(wire, (const uint8_t *)"\001x"));
    assert_false(name_is_below_or_equal((const uint8_t *)"\002xx", (const uint8_t *)"\001x"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_soa_over_lines_with_units),
        cmocka_unit_test(test_blank_owner_and_absolute_names),
        cmocka_unit_test(test_ttl_and_class_in_either_order),
        cmocka_unit_test(test_duplicates_and_case_fold),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_txt_strings_and_escapes),
        cmocka_unit_test(test_escaped_names),
        cmocka_unit_test(test_origin_changes_and_includes),
        cmocka_unit_test(test_empty_non_terminals_are_nodes),
        cmocka_unit_test(test_reverse_zone),
        cmocka_unit_test(test_names_text_round_trip),
    };
    int failed = cmocka_run_group_tests(tests, setup, teardown);
    scratch_remove();
    return failed;
}

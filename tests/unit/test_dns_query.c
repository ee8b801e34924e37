/* Unit tests of the dns message parser and builder: answers, errors, EDNS, TC, hostile input. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../apps/dns/query.h"
#include "dns_test_zone.h"

static struct db db;
static struct dns_stats stats;
static struct dns_server_config cfg;
static uint8_t out[65536];

static const char zone_text[] = "$ORIGIN example.\n$TTL 600\n"
                                "@ SOA ns hostmaster 1 2 3 4 120\n"
                                "@ NS ns\n@ MX 10 mail\n"
                                "ns A 192.0.2.1\nmail A 192.0.2.2\nmail AAAA 2001:db8::2\n"
                                "www A 192.0.2.80\n"
                                "a CNAME b\nb CNAME www\n"
                                "*.wild TXT \"wild\"\n"
                                "deep.ent A 192.0.2.3\n"
                                "sub NS ns.sub\nns.sub A 192.0.2.53\n"
                                "big TXT " /* 8 strings of 100 bytes: more than 512 bytes */
                                "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" "
                                "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" "
                                "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" "
                                "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" "
                                "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" "
                                "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n"
                                "big TXT "
                                "\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
                                "bbbbbbbbbbbbbbbbbbbbbbbbbbbb\"\n";

struct query {
    uint8_t bytes[1024];
    size_t len;
};

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

/* A query for NAME (text, case kept) and TYPE; EDNS < 0 means no OPT record. */
static struct query make_query(const char *name, uint16_t type, int edns)
{
    struct query q;
    memset(&q, 0, sizeof(q));
    put16(q.bytes, 0x1234);
    q.bytes[2] = 0x01; /* RD */
    put16(q.bytes + 4, 1);
    size_t at = 12;
    const char *label = name;
    while (*label) {
        const char *dot = strchr(label, '.');
        size_t n = dot ? (size_t)(dot - label) : strlen(label);
        q.bytes[at++] = (uint8_t)n;
        memcpy(q.bytes + at, label, n);
        at += n;
        label += n + (dot != NULL);
    }
    q.bytes[at++] = 0;
    put16(q.bytes + at, type);
    put16(q.bytes + at + 2, C_IN);
    at += 4;
    if (edns >= 0) {
        put16(q.bytes + 10, 1);
        q.bytes[at] = 0;
        put16(q.bytes + at + 1, T_OPT);
        put16(q.bytes + at + 3, (uint16_t)edns);
        memset(q.bytes + at + 5, 0, 6);
        at += 11;
    }
    q.len = at;
    return q;
}

static size_t ask(const struct query *q, int tcp)
{
    return dns_answer(&cfg, &stats, q->bytes, q->len, out, tcp);
}

struct response {
    uint16_t flags, counts[4];
    int rcode;
    size_t question_end;
    size_t first_rr; /* offset of the first record after the question */
};

/* Checks that every name and record of the response decodes within its length. */
static struct response parse(size_t len)
{
    struct response r;
    uint8_t name[DNS_NAME_MAX];
    assert_true(len >= 12);
    r.flags = get16(out + 2);
    for (int i = 0; i < 4; i++)
        r.counts[i] = get16(out + 4 + 2 * i);
    r.rcode = out[3] & 0xF;
    size_t pos = 12;
    for (int i = 0; i < r.counts[0]; i++) {
        assert_true(name_read(out, len, &pos, name, 0) > 0);
        pos += 4;
    }
    r.question_end = pos;
    r.first_rr = pos;
    for (int i = 0; i < r.counts[1] + r.counts[2] + r.counts[3]; i++) {
        assert_true(name_read(out, len, &pos, name, 0) > 0);
        assert_true(pos + 10 <= len);
        if (get16(out + pos) == T_OPT)
            r.rcode |= out[pos + 4] << 4;
        pos += 10 + get16(out + pos + 8);
    }
    assert_int_equal(pos, len);
    return r;
}

static int setup(void **state)
{
    (void)state;
    memset(&db, 0, sizeof(db));
    if (load_zone_text(&db, zone_text, (char *)out, sizeof(out)) < 0) {
        print_error("%s\n", (char *)out);
        return -1;
    }
    cfg.db = &db;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    db_free(&db);
    scratch_remove();
    return 0;
}

static void test_exact_answer_echoes_case(void **state)
{
    (void)state;
    struct query q = make_query("WwW.ExAmple", T_A, -1);
    size_t len = ask(&q, 0);
    struct response r = parse(len);
    assert_int_equal(r.rcode, RCODE_NOERROR);
    assert_int_equal(r.flags & 0x8400, 0x8400); /* QR, AA */
    assert_int_equal(r.flags & 0x0100, 0x0100); /* RD copied */
    assert_int_equal(r.counts[1], 1);
    assert_memory_equal(out + 12, q.bytes + 12, q.len - 12); /* the question as sent */
    /* The owner is a pointer to the question's name, so the case comes back as asked. */
    assert_int_equal(get16(out + r.first_rr), 0xC00C);
    assert_memory_equal(out + len - 4, "\xc0\x00\x02\x50", 4);
}

static void test_nxdomain_and_nodata_carry_the_soa(void **state)
{
    (void)state;
    struct query q = make_query("nothing.example", T_A, -1);
    struct response r = parse(ask(&q, 0));
    assert_int_equal(r.rcode, RCODE_NXDOMAIN);
    assert_int_equal(r.counts[1], 0);
    assert_int_equal(r.counts[2], 1);
    /* RFC 2308: the TTL is the SOA's minimum (120), below the SOA's own 600. */
    assert_int_equal(get16(out + r.first_rr + 2 + 6), 120);
    q = make_query("www.example", T_MX, -1);
    r = parse(ask(&q, 0));
    assert_int_equal(r.rcode, RCODE_NOERROR);
    assert_int_equal(r.counts[1], 0);
    assert_int_equal(r.counts[2], 1);
}

static void test_empty_non_terminal_is_nodata(void **state)
{
    (void)state;
    struct query q = make_query("ent.example", T_A, -1);
    struct response r = parse(ask(&q, 0));
    assert_int_equal(r.rcode, RCODE_NOERROR);
    assert_int_equal(r.counts[2], 1);
}

static void test_wildcard_and_cname_chain(void **state)
{
    (void)state;
    struct query q = make_query("x.y.wild.example", T_TXT, -1);
    struct response r = parse(ask(&q, 0));
    assert_int_equal(r.rcode, RCODE_NOERROR);
    assert_int_equal(r.counts[1], 1);
    assert_int_equal(get16(out + r.first_rr), 0xC00C);
    q = make_query("a.example", T_A, -1);
    r = parse(ask(&q, 0));
    assert_int_equal(r.counts[1], 3); /* a CNAME b, b CNAME www, www A */
}

static void test_referral_with_glue(void **state)
{
    (void)state;
    struct query q = make_query("host.sub.example", T_A, -1);
    struct response r = parse(ask(&q, 0));
    assert_int_equal(r.rcode, RCODE_NOERROR);
    assert_int_equal(r.flags & 0x0400, 0); /* AA clear */
    assert_int_equal(r.counts[1], 0);
    assert_int_equal(r.counts[2], 1);
    assert_int_equal(r.counts[3], 1);
}

static void test_additional_for_mx(void **state)
{
    (void)state;
    struct query q = make_query("example", T_MX, 1232);
    struct response r = parse(ask(&q, 0));
    assert_int_equal(r.counts[1], 1);
    assert_int_equal(r.counts[3], 3); /* mail A, mail AAAA, OPT */
}

static void test_refused_and_notimp(void **state)
{
    (void)state;
    struct query q = make_query("www.example.org", T_A, -1);
    struct response r = parse(ask(&q, 0));
    assert_int_equal(r.rcode, RCODE_REFUSED);
    assert_int_equal(r.flags & 0x0400, 0);
    q = make_query("www.example", T_A, -1);
    q.bytes[2] |= 2 << 3; /* opcode STATUS */
    size_t len = ask(&q, 0);
    r = parse(len);
    assert_int_equal(r.rcode, RCODE_NOTIMP);
    assert_int_equal(len, 12);
}

static void test_any_gives_one_rrset(void **state)
{
    (void)state;
    struct query q = make_query("example", T_ANY, -1);
    struct response r = parse(ask(&q, 0));
    assert_int_equal(r.rcode, RCODE_NOERROR);
    assert_int_equal(r.counts[1], 1); /* RFC 8482: the NS RRset (lowest type) alone */
}

static void test_edns(void **state)
{
    (void)state;
    struct query q = make_query("www.example", T_A, 4096);
    q.bytes[q.len - 4] = 0x80; /* DO */
    size_t len = ask(&q, 0);
    struct response r = parse(len);
    assert_int_equal(r.counts[3], 1);
    assert_int_equal(get16(out + len - 11 + 1), T_OPT);
    assert_int_equal(get16(out + len - 11 + 3), DNS_EDNS_SIZE);
    assert_int_equal(out[len - 11 + 7], 0x80); /* DO echoed */
    q.bytes[q.len - 5] = 1;                    /* version 1 */
    r = parse(ask(&q, 0));
    assert_int_equal(r.rcode, RCODE_BADVERS);
    assert_int_equal(r.counts[1], 0);
}

static void test_edns_options(void **state)
{
    (void)state;
    struct query q = make_query("www.example", T_A, 1232);
    /* An unknown option (code 65001, 2 bytes) is ignored. */
    put16(q.bytes + q.len - 2, 6);
    memcpy(q.bytes + q.len, "\xfd\xe9\x00\x02\xab\xcd", 6);
    q.len += 6;
    struct response r = parse(ask(&q, 0));
    assert_int_equal(r.rcode, RCODE_NOERROR);
    assert_int_equal(r.counts[1], 1);
    /* An option longer than the record is malformed. */
    q.bytes[q.len - 3] = 9;
    size_t len = ask(&q, 0);
    r = parse(len);
    assert_int_equal(r.rcode, RCODE_FORMERR);
    assert_true(len <= q.len);
    /* Two OPT records are malformed (RFC 6891 6.1.1). */
    q = make_query("www.example", T_A, 1232);
    memcpy(q.bytes + q.len, q.bytes + q.len - 11, 11);
    q.len += 11;
    put16(q.bytes + 10, 2);
    r = parse(ask(&q, 0));
    assert_int_equal(r.rcode, RCODE_FORMERR);
}

static void test_truncation_over_udp_full_over_tcp(void **state)
{
    (void)state;
    struct query q = make_query("big.example", T_TXT, -1);
    size_t len = ask(&q, 0);
    struct response r = parse(len);
    assert_int_equal(r.flags & 0x0200, 0x0200); /* TC */
    assert_int_equal(r.counts[1], 0);
    assert_true(len <= 512);
    len = ask(&q, 1);
    r = parse(len);
    assert_int_equal(r.flags & 0x0200, 0);
    assert_int_equal(r.counts[1], 2);
    assert_true(len > 512);
    /* With EDNS 1232 it fits over UDP. */
    q = make_query("big.example", T_TXT, 1232);
    r = parse(ask(&q, 0));
    assert_int_equal(r.flags & 0x0200, 0);
    assert_int_equal(r.counts[1], 2);
}

static void test_no_reply_to_responses_or_short_headers(void **state)
{
    (void)state;
    struct query q = make_query("www.example", T_A, -1);
    q.bytes[2] |= 0x80; /* QR */
    assert_int_equal(ask(&q, 0), 0);
    q = make_query("www.example", T_A, -1);
    for (size_t n = 0; n < 12; n++)
        assert_int_equal(dns_answer(&cfg, &stats, q.bytes, n, out, 0), 0);
}

/* Every malformed query gets a FORMERR no larger than itself. */
static void expect_small_formerr(const struct query *q)
{
    size_t len = ask(q, 0);
    struct response r = parse(len);
    assert_int_equal(r.rcode, RCODE_FORMERR);
    assert_true(len <= q->len);
}

static void test_hostile_names(void **state)
{
    (void)state;
    struct query q;
    memset(&q, 0, sizeof(q));
    put16(q.bytes + 4, 1);
    /* A pointer to itself, a pointer forward, a loop of two pointers. */
    memcpy(q.bytes + 12, "\xc0\x0c\x00\x01\x00\x01", 6);
    q.len = 18;
    expect_small_formerr(&q);
    memcpy(q.bytes + 12, "\xc0\x10\x00\x01\x00\x01\x00", 7);
    q.len = 19;
    expect_small_formerr(&q);
    memcpy(q.bytes + 12,
           "\x01"
           "a"
           "\xc0\x0e\x00\x01\x00\x01",
           8);
    q.len = 20;
    expect_small_formerr(&q);
    /* A pointer back into the header: decodable, but no name precedes the question. */
    memcpy(q.bytes + 12,
           "\x01"
           "a"
           "\xc0\x02\x00\x01\x00\x01",
           8);
    q.len = 20;
    expect_small_formerr(&q);
    assert_int_equal(ask(&q, 0), 12);
    /* A label of 64 bytes (0x40 is not a length), a label running past the end. */
    q.bytes[12] = 64;
    memset(q.bytes + 13, 'a', 64);
    q.bytes[77] = 0;
    q.len = 82;
    expect_small_formerr(&q);
    q.bytes[12] = 63;
    q.len = 40;
    expect_small_formerr(&q);
    /* A name over 255 bytes: five labels of 63. */
    for (int i = 0; i < 5; i++) {
        q.bytes[12 + 64 * i] = 63;
        memset(q.bytes + 13 + 64 * i, 'b', 63);
    }
    q.bytes[12 + 320] = 0;
    q.len = 12 + 321 + 4;
    expect_small_formerr(&q);
}

static void test_counts_that_lie(void **state)
{
    (void)state;
    struct query q = make_query("www.example", T_A, -1);
    put16(q.bytes + 4, 2); /* two questions */
    size_t len = ask(&q, 0);
    assert_int_equal(parse(len).rcode, RCODE_FORMERR);
    assert_int_equal(len, 12);
    put16(q.bytes + 4, 0);
    assert_int_equal(parse(ask(&q, 0)).rcode, RCODE_FORMERR);
    q = make_query("www.example", T_A, -1);
    put16(q.bytes + 10, 5); /* five additional records that are not there */
    expect_small_formerr(&q);
    q = make_query("www.example", T_A, -1);
    put16(q.bytes + 6, 1); /* an answer record in a query */
    expect_small_formerr(&q);
    q = make_query("www.example", T_A, -1);
    q.len -= 2; /* the question's class is cut off */
    len = ask(&q, 0);
    assert_int_equal(parse(len).rcode, RCODE_FORMERR);
    assert_true(len <= q.len);
}

static void test_garbage_after_the_message_is_ignored(void **state)
{
    (void)state;
    struct query q = make_query("www.example", T_A, -1);
    memset(q.bytes + q.len, 0xff, 100);
    q.len += 100;
    struct response r = parse(ask(&q, 0));
    assert_int_equal(r.rcode, RCODE_NOERROR);
    assert_int_equal(r.counts[1], 1);
}

static void test_stats_query_only_when_enabled(void **state)
{
    (void)state;
    struct query q = make_query("stats.atoll", T_TXT, -1);
    put16(q.bytes + q.len - 2, C_CH);
    assert_int_equal(parse(ask(&q, 0)).rcode, RCODE_REFUSED);
    cfg.stats_query = 1;
    struct response r = parse(ask(&q, 0));
    cfg.stats_query = 0;
    assert_int_equal(r.rcode, RCODE_NOERROR);
    assert_int_equal(r.counts[1], 1);
    assert_non_null(memmem(out, sizeof(out), "queries=", 8));
}

static void test_cached_response_takes_the_new_query_id_flags_and_case(void **state)
{
    (void)state;
    struct query q = make_query("mail.example", T_A, -1);
    size_t first = ask(&q, 0);
    uint8_t copy[512];
    memcpy(copy, out, first);
    q = make_query("MAIL.Example", T_A, -1);
    put16(q.bytes, 0x4321);
    q.bytes[2] = 0;    /* RD clear */
    q.bytes[3] = 0x10; /* CD set */
    size_t again = ask(&q, 0);
    assert_int_equal(again, first);
    assert_int_equal(get16(out), 0x4321);
    assert_int_equal(out[2] & 1, 0);
    assert_int_equal(out[3] & 0x10, 0x10);
    assert_memory_equal(out + 12, q.bytes + 12, q.len - 12 - 4);
    /* Everything after the question is the same as the first time. */
    assert_memory_equal(out + q.len, copy + q.len, first - q.len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_answer_echoes_case),
        cmocka_unit_test(test_nxdomain_and_nodata_carry_the_soa),
        cmocka_unit_test(test_empty_non_terminal_is_nodata),
        cmocka_unit_test(test_wildcard_and_cname_chain),
        cmocka_unit_test(test_referral_with_glue),
        cmocka_unit_test(test_additional_for_mx),
        cmocka_unit_test(test_refused_and_notimp),
        cmocka_unit_test(test_any_gives_one_rrset),
        cmocka_unit_test(test_edns),
        cmocka_unit_test(test_edns_options),
        cmocka_unit_test(test_truncation_over_udp_full_over_tcp),
        cmocka_unit_test(test_no_reply_to_responses_or_short_headers),
        cmocka_unit_test(test_hostile_names),
        cmocka_unit_test(test_counts_that_lie),
        cmocka_unit_test(test_garbage_after_the_message_is_ignored),
        cmocka_unit_test(test_stats_query_only_when_enabled),
        cmocka_unit_test(test_cached_response_takes_the_new_query_id_flags_and_case),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

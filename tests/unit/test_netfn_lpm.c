/* Unit tests of lib/netfn's longest-prefix match against a brute-force reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../../lib/netfn/lpm.h"
#include "../../lib/netfn/wire.h"

static struct lpm table;

struct ref_route {
    uint32_t prefix;
    unsigned plen;
    uint16_t value;
};

/* The reference: the longest of the prefixes holding addr, the latest added among equals. */
static uint16_t brute_force(const struct ref_route *r, unsigned n, uint32_t addr)
{
    int best_len = -1;
    uint16_t best = LPM_NONE;
    for (unsigned i = 0; i < n; i++) {
        if (((addr ^ r[i].prefix) & prefix_mask(r[i].plen)) == 0 && (int)r[i].plen >= best_len) {
            best_len = (int)r[i].plen;
            best = r[i].value;
        }
    }
    return best;
}

static uint32_t rnd32(void)
{
    return (uint32_t)rand() << 16 ^ (uint32_t)rand();
}

static void test_known_table(void **state)
{
    (void)state;
    lpm_init(&table);
    assert_int_equal(lpm_lookup(&table, 0x0a000001), LPM_NONE);
    assert_int_equal(lpm_add(&table, 0x0a000000, 8, 1), 0);
    assert_int_equal(lpm_add(&table, 0x0a010000, 16, 2), 0);
    assert_int_equal(lpm_add(&table, 0x0a010200, 24, 3), 0);
    assert_int_equal(lpm_add(&table, 0x0a010203, 32, 4), 0);
    assert_int_equal(lpm_add(&table, 0, 0, 5), 0); /* default added last does not hide others */
    assert_int_equal(lpm_add(&table, 0x0a018000, 17, 6), 0);
    assert_int_equal(lpm_lookup(&table, 0x0a010203), 4);
    assert_int_equal(lpm_lookup(&table, 0x0a010204), 3);
    assert_int_equal(lpm_lookup(&table, 0x0a010304), 2);
    assert_int_equal(lpm_lookup(&table, 0x0a01ff04), 6);
    assert_int_equal(lpm_lookup(&table, 0x0a020304), 1);
    assert_int_equal(lpm_lookup(&table, 0x0b020304), 5);
    /* Host bits of a prefix are ignored; a bad length or value is refused. */
    assert_int_equal(lpm_add(&table, 0xc0a801ff, 24, 7), 0);
    assert_int_equal(lpm_lookup(&table, 0xc0a80101), 7);
    assert_int_equal(lpm_add(&table, 0, 33, 1), -1);
    assert_int_equal(lpm_add(&table, 0, 8, LPM_NONE), -1);
}

static void test_random_tables_match_brute_force(void **state)
{
    (void)state;
    static struct ref_route routes[200];
    srand(7);
    for (int round = 0; round < 40; round++) {
        lpm_init(&table);
        unsigned n = 1 + (unsigned)(rand() % 200);
        unsigned added = 0;
        for (unsigned i = 0; i < n; i++) {
            /* Clustered prefixes so that they nest: a few /8s, many lengths inside them. */
            uint32_t base = (uint32_t)(rand() % 4 + 10) << 24;
            unsigned plen = (unsigned)(rand() % 33);
            uint32_t prefix = (base | (rnd32() & 0x00ffffff)) & prefix_mask(plen);
            if (lpm_add(&table, prefix, plen, (uint16_t)i) != 0)
                break; /* node pool full: the reference stops here too */
            routes[added++] = (struct ref_route){prefix, plen, (uint16_t)i};
        }
        for (int probe = 0; probe < 4000; probe++) {
            uint32_t addr;
            if (probe % 2 && added) { /* near a known prefix */
                const struct ref_route *r = &routes[(unsigned)rand() % added];
                addr = r->prefix | (rnd32() & ~prefix_mask(r->plen));
            } else {
                addr = (uint32_t)(rand() % 5 + 9) << 24 | (rnd32() & 0x00ffffff);
            }
            assert_int_equal(lpm_lookup(&table, addr), brute_force(routes, added, addr));
        }
    }
}

static void test_pool_exhaustion_is_reported(void **state)
{
    (void)state;
    lpm_init(&table);
    int failed = 0;
    for (uint32_t i = 0; i < 1000 && !failed; i++)
        failed = lpm_add(&table, i << 12, 32, 1) != 0;
    assert_true(failed);
    assert_int_equal(lpm_lookup(&table, 0), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_table),
        cmocka_unit_test(test_random_tables_match_brute_force),
        cmocka_unit_test(test_pool_exhaustion_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of the RFC 6675 SACK scoreboard and the RFC 6582 NewReno recovery point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "atoll/errno.h"
#include "../../kernel/net/tcp_sack.h"

#define SMSS 1000u

/* A board with SACKed ranges given as pairs, for snd_una .. snd_nxt. */
static void board_with(struct tcp_sack_board *b, uint32_t una, uint32_t nxt,
                       const struct tcp_range *r, unsigned n)
{
    tcp_sack_init(b);
    tcp_sack_update(b, una, nxt, r, n, NULL);
}

static void test_update_ignores_invalid_blocks_rfc6675_s2_rfc2883(void **state)
{
    (void)state;
    struct tcp_sack_board b;
    tcp_sack_init(&b);
    const struct tcp_range blocks[4] = {
        {2000, 3000},  /* valid */
        {9000, 11000}, /* beyond snd_nxt: ignored */
        {500, 900},    /* below snd_una: ignored */
        {5000, 5000},  /* empty: ignored */
    };
    bool dsack = true;
    assert_int_equal(tcp_sack_update(&b, 1000, 10000, blocks, 4, &dsack), 1000);
    assert_false(dsack);
    assert_int_equal(tcp_ranges_count(&b.sacked), 1);
    /* The same block again adds nothing; a straddling one is clipped at snd_una. */
    const struct tcp_range again[2] = {{2000, 3000}, {1500, 2200}};
    assert_int_equal(tcp_sack_update(&b, 1800, 10000, again, 2, NULL), 200);
    assert_int_equal(b.sacked.r[0].start, 1800);
    /* RFC 2883 §4: a first block below the cumulative ack, or inside the second, is a D-SACK. */
    const struct tcp_range d1[2] = {{1000, 1500}, {2000, 3000}};
    assert_int_equal(tcp_sack_update(&b, 1800, 10000, d1, 2, &dsack), 0);
    assert_true(dsack);
    const struct tcp_range d2[2] = {{2100, 2200}, {1800, 3000}};
    assert_int_equal(tcp_sack_update(&b, 1800, 10000, d2, 2, &dsack), 0);
    assert_true(dsack);
    /* The cumulative ack passing SACKed data forgets it. */
    assert_int_equal(tcp_sack_update(&b, 3000, 10000, NULL, 0, &dsack), 0);
    assert_false(dsack);
    assert_int_equal(tcp_ranges_count(&b.sacked), 0);
}

static void test_is_lost_rfc6675_s4(void **state)
{
    (void)state;
    struct tcp_sack_board b;
    const struct tcp_range two[2] = {{3000, 4000}, {5000, 6000}};
    board_with(&b, 1000, 10000, two, 2);
    /* Two discontiguous ranges, 2000 bytes = (DupThresh - 1) * SMSS: not yet lost. */
    assert_false(tcp_sack_is_lost(&b, 1000, SMSS));
    const struct tcp_range third = {7000, 7001};
    tcp_sack_update(&b, 1000, 10000, &third, 1, NULL);
    assert_true(tcp_sack_is_lost(&b, 1000, SMSS)); /* DupThresh discontiguous ranges */
    assert_false(tcp_sack_is_lost(&b, 4500, SMSS));
    /* One range of more than 2 * SMSS bytes. */
    const struct tcp_range big = {3000, 5001};
    board_with(&b, 1000, 10000, &big, 1);
    assert_true(tcp_sack_is_lost(&b, 2999, SMSS));
    assert_false(tcp_sack_is_lost(&b, 3001, SMSS)); /* 1999 bytes above 3001 */
}

/* The board used by the pipe and NextSeg tests: holes [0,3000) [4000,5000) [6000,7000), SACKed
 * [3000,4000) [5000,6000) [7000,8000), and [8000,10000) sent and not SACKed. */
static const struct tcp_range example[3] = {{3000, 4000}, {5000, 6000}, {7000, 8000}};

static void test_set_pipe_rfc6675_s4(void **state)
{
    (void)state;
    struct tcp_sack_board b;
    board_with(&b, 0, 10000, example, 3);
    /* [0,3000) is lost (3 ranges above); the other holes and the tail are in the network. */
    assert_int_equal(tcp_sack_pipe(&b, 0, 10000, SMSS), 1000 + 1000 + 2000);
    tcp_sack_enter_recovery(&b, 0, 10000);
    tcp_sack_sent(&b, TCP_NEXTSEG_LOST, (struct tcp_range){0, 1000});
    /* A retransmitted byte counts again (S1 <= HighRxt). */
    assert_int_equal(tcp_sack_pipe(&b, 0, 10000, SMSS), 5000);
}

static void test_next_seg_rules_1_to_4_rfc6675_s4(void **state)
{
    (void)state;
    struct tcp_sack_board b;
    board_with(&b, 0, 10000, example, 3);
    tcp_sack_enter_recovery(&b, 0, 10000);
    struct tcp_range r;
    /* Rule 1: the lost hole, one SMSS at a time, from HighRxt. */
    for (uint32_t s = 0; s < 3000; s += SMSS) {
        assert_int_equal(tcp_sack_next_seg(&b, 0, 10000, SMSS, 5000, &r), TCP_NEXTSEG_LOST);
        assert_int_equal(r.start, s);
        assert_int_equal(r.end, s + SMSS);
        tcp_sack_sent(&b, TCP_NEXTSEG_LOST, r);
    }
    /* Rule 2 before rule 3: new data while the window allows it (at most SMSS). */
    assert_int_equal(tcp_sack_next_seg(&b, 0, 10000, SMSS, 300, &r), TCP_NEXTSEG_NEW);
    assert_int_equal(r.start, 10000);
    assert_int_equal(r.end, 10300);
    /* Rule 3: no new data: holes below the highest SACK that are not (yet) deemed lost. */
    assert_int_equal(tcp_sack_next_seg(&b, 0, 10000, SMSS, 0, &r), TCP_NEXTSEG_HOLE);
    assert_int_equal(r.start, 4000);
    tcp_sack_sent(&b, TCP_NEXTSEG_HOLE, r);
    assert_int_equal(tcp_sack_next_seg(&b, 0, 10000, SMSS, 0, &r), TCP_NEXTSEG_HOLE);
    assert_int_equal(r.start, 6000);
    tcp_sack_sent(&b, TCP_NEXTSEG_HOLE, r);
    /* Rule 4: one rescue retransmission, holding the highest un-SACKed byte; HighRxt unchanged. */
    assert_int_equal(tcp_sack_next_seg(&b, 0, 10000, SMSS, 0, &r), TCP_NEXTSEG_RESCUE);
    assert_int_equal(r.start, 9000);
    assert_int_equal(r.end, 10000);
    tcp_sack_sent(&b, TCP_NEXTSEG_RESCUE, r);
    assert_int_equal(b.high_rxt, 7000);
    assert_int_equal(b.rescue_rxt, 10000);
    assert_int_equal(tcp_sack_next_seg(&b, 0, 10000, SMSS, 0, &r), TCP_NEXTSEG_NONE);
}

static void test_next_seg_rule_1_prefers_lost_data_over_new_data_rfc6675_s4(void **state)
{
    (void)state;
    struct tcp_sack_board b;
    board_with(&b, 0, 10000, example, 3);
    tcp_sack_enter_recovery(&b, 0, 10000);
    struct tcp_range r;
    assert_int_equal(tcp_sack_next_seg(&b, 0, 10000, SMSS, 100000, &r), TCP_NEXTSEG_LOST);
    assert_int_equal(r.start, 0);
    /* A hole shorter than SMSS gives a short segment. */
    const struct tcp_range more = {500, 3000};
    tcp_sack_update(&b, 0, 10000, &more, 1, NULL);
    assert_int_equal(tcp_sack_next_seg(&b, 0, 10000, SMSS, 0, &r), TCP_NEXTSEG_LOST);
    assert_int_equal(r.start, 0);
    assert_int_equal(r.end, 500);
}

static void test_entry_and_exit_rfc6675_s5(void **state)
{
    (void)state;
    struct tcp_sack_board b;
    tcp_sack_init(&b);
    assert_false(tcp_sack_should_enter(&b, 0, 2, SMSS));
    assert_true(tcp_sack_should_enter(&b, 0, 3, SMSS)); /* DupThresh duplicate ACKs */
    board_with(&b, 0, 10000, example, 3);
    assert_true(tcp_sack_should_enter(&b, 0, 1, SMSS)); /* IsLost(HighACK + 1) */
    tcp_sack_enter_recovery(&b, 0, 10000);
    assert_int_equal(b.recovery_point, 10000);
    assert_false(tcp_sack_should_enter(&b, 0, 3, SMSS));
    assert_false(tcp_sack_recovery_done(&b, 9999));
    assert_true(tcp_sack_recovery_done(&b, 10000));
    assert_false(b.in_recovery);
    assert_false(tcp_sack_recovery_done(&b, 10000));
}

static void test_rto_clears_the_scoreboard_rfc2018_s8_rfc6675_s5_1(void **state)
{
    (void)state;
    struct tcp_sack_board b;
    board_with(&b, 0, 10000, example, 3);
    tcp_sack_enter_recovery(&b, 0, 10000);
    tcp_sack_on_rto(&b, 12000);
    assert_false(b.in_recovery);
    assert_int_equal(tcp_ranges_count(&b.sacked), 0);
    /* No new recovery for duplicate ACKs of data sent before the timeout. */
    assert_false(tcp_sack_should_enter(&b, 11000, 3, SMSS));
    assert_true(tcp_sack_should_enter(&b, 12000, 3, SMSS));
}

/* A window of 20 segments with 4 holes, delivered in order over a FIFO link; the receiver's
 * out-of-order map (tcp_ranges) produces the SACK blocks, the sender follows RFC 6675 with a
 * fixed cwnd. All holes must be repaired in one recovery, each retransmitted exactly once, and
 * nothing that arrived retransmitted. */
static void test_recovery_of_multiple_holes_in_one_window_rfc6675_s5(void **state)
{
    (void)state;
    enum { SEGS = 40, FIRST_FLIGHT = 20, CWND = 10 * SMSS };
    const uint32_t iss = 0xfffff000u; /* the sequence space wraps during the transfer */
    static const bool lose_first_copy[SEGS] = {[2] = true, [5] = true, [9] = true, [14] = true};
    unsigned sent[SEGS] = {0};
    struct tcp_range link[256];
    unsigned head = 0, tail = 0;
    uint32_t snd_una = iss, snd_nxt = iss, rcv_nxt = iss;
    const uint32_t end = iss + SEGS * SMSS;
    struct tcp_sack_board b;
    tcp_sack_init(&b);
    struct tcp_ranges ooo;
    tcp_ranges_init(&ooo);
    unsigned dupacks = 0, recoveries = 0;

#define SEND(r)                                                                                    \
    do {                                                                                           \
        unsigned idx_ = ((r).start - iss) / SMSS;                                                  \
        if (!(lose_first_copy[idx_] && sent[idx_] == 0))                                           \
            link[tail++ % 256] = (r);                                                              \
        sent[idx_]++;                                                                              \
    } while (0)

    for (unsigned i = 0; i < FIRST_FLIGHT; i++) {
        struct tcp_range r = {snd_nxt, snd_nxt + SMSS};
        SEND(r);
        snd_nxt += SMSS;
    }
    unsigned steps = 0;
    while (head != tail) {
        assert_true(++steps < 1000);
        struct tcp_range seg = link[head++ % 256];
        /* Receiver: queue, advance, ACK with up to 3 SACK blocks (timestamps take the rest). */
        if (seq_gt(seg.end, rcv_nxt))
            assert_int_equal(tcp_ranges_add(&ooo, seq_max(seg.start, rcv_nxt), seg.end), 0);
        rcv_nxt = tcp_ranges_advance(&ooo, rcv_nxt);
        struct tcp_range blocks[3];
        unsigned nb = tcp_ranges_sack_blocks(&ooo, blocks, 3);
        /* Sender. */
        uint32_t ack = rcv_nxt;
        bool advanced = seq_gt(ack, snd_una);
        if (advanced)
            snd_una = ack;
        uint32_t newly = tcp_sack_update(&b, snd_una, snd_nxt, blocks, nb, NULL);
        dupacks = advanced ? 0 : dupacks + (newly > 0);
        if (b.in_recovery)
            tcp_sack_recovery_done(&b, snd_una);
        else if (tcp_sack_should_enter(&b, snd_una, dupacks, SMSS)) {
            tcp_sack_enter_recovery(&b, snd_una, snd_nxt);
            recoveries++;
        }
        for (;;) {
            uint32_t unsent = seq_lt(snd_nxt, end) ? end - snd_nxt : 0;
            struct tcp_range r;
            enum tcp_nextseg rule;
            if (b.in_recovery) {
                if (tcp_sack_pipe(&b, snd_una, snd_nxt, SMSS) + SMSS > CWND)
                    break;
                rule = tcp_sack_next_seg(&b, snd_una, snd_nxt, SMSS, unsent, &r);
            } else {
                if (snd_nxt - snd_una + SMSS > CWND || !unsent)
                    break;
                rule = TCP_NEXTSEG_NEW;
                r = (struct tcp_range){snd_nxt, snd_nxt + SMSS};
            }
            if (rule == TCP_NEXTSEG_NONE)
                break;
            SEND(r);
            if (rule == TCP_NEXTSEG_NEW)
                snd_nxt = r.end;
            tcp_sack_sent(&b, rule, r);
        }
    }
#undef SEND
    assert_int_equal(snd_una, end);
    assert_int_equal(rcv_nxt, end);
    assert_int_equal(recoveries, 1);
    for (unsigned i = 0; i < SEGS; i++)
        assert_int_equal(sent[i], lose_first_copy[i] ? 2 : 1);
}

static void test_newreno_recover_rfc6582_s3_2(void **state)
{
    (void)state;
    struct tcp_newreno nr;
    tcp_newreno_init(&nr, 1000);
    /* Step 2: the cumulative ack covers more than recover (the ISS): fast retransmit. */
    assert_true(tcp_newreno_enter(&nr, 5000, 20000));
    assert_int_equal(nr.recover, 20000);
    assert_false(tcp_newreno_enter(&nr, 5000, 20000)); /* already in recovery */
    /* Step 5: partial ACKs; step 3: the full ACK. */
    assert_int_equal(tcp_newreno_on_ack(&nr, 8000), TCP_NEWRENO_PARTIAL);
    assert_int_equal(tcp_newreno_on_ack(&nr, 19999), TCP_NEWRENO_PARTIAL);
    assert_int_equal(tcp_newreno_on_ack(&nr, 20000), TCP_NEWRENO_FULL);
    assert_int_equal(tcp_newreno_on_ack(&nr, 21000), TCP_NEWRENO_NOT_IN_RECOVERY);
    /* Duplicate ACKs that do not cover more than recover do not start a new recovery. */
    assert_false(tcp_newreno_enter(&nr, 20000, 30000));
    assert_true(tcp_newreno_enter(&nr, 20001, 30000));
    /* After a timeout, data sent before it cannot trigger fast retransmit. */
    tcp_newreno_on_rto(&nr, 40000);
    assert_false(nr.in_recovery);
    assert_false(tcp_newreno_enter(&nr, 35000, 40000));
    assert_true(tcp_newreno_enter(&nr, 40001, 50000));
}

static void test_newreno_across_the_wrap(void **state)
{
    (void)state;
    struct tcp_newreno nr;
    tcp_newreno_init(&nr, 0xffffff00u);
    assert_true(tcp_newreno_enter(&nr, 0xffffff80u, 0x200));
    assert_int_equal(tcp_newreno_on_ack(&nr, 0x10), TCP_NEWRENO_PARTIAL);
    assert_int_equal(tcp_newreno_on_ack(&nr, 0x200), TCP_NEWRENO_FULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_ignores_invalid_blocks_rfc6675_s2_rfc2883),
        cmocka_unit_test(test_is_lost_rfc6675_s4),
        cmocka_unit_test(test_set_pipe_rfc6675_s4),
        cmocka_unit_test(test_next_seg_rules_1_to_4_rfc6675_s4),
        cmocka_unit_test(test_next_seg_rule_1_prefers_lost_data_over_new_data_rfc6675_s4),
        cmocka_unit_test(test_entry_and_exit_rfc6675_s5),
        cmocka_unit_test(test_rto_clears_the_scoreboard_rfc2018_s8_rfc6675_s5_1),
        cmocka_unit_test(test_recovery_of_multiple_holes_in_one_window_rfc6675_s5),
        cmocka_unit_test(test_newreno_recover_rfc6582_s3_2),
        cmocka_unit_test(test_newreno_across_the_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests of the firewall's rule parser and checker: every construct, and each error message
 * with its line and column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../apps/firewall/parse_util.h"
#include "../../apps/firewall/rules.h"

static struct fw_ruleset rs;
static struct nf_engine eng;
static struct fw_diags diags;

#define HEADER                                                                                     \
    "interface outside address 192.168.100.1/24 device eth0\n"                                     \
    "interface inside address 10.1.0.1/24\n"
#define CHAINS_IO "chain input policy drop {\n}\nchain output policy accept {\n}\n"

/* Parses and checks like fw_load; returns the error count. */
static unsigned parse(const char *text)
{
    memset(&rs, 0, sizeof(rs));
    memset(&diags, 0, sizeof(diags));
    nf_engine_init(&eng);
    unsigned errors = fw_parse("t.rules", text, &rs, &eng, &diags);
    if (!errors) {
        fw_finish("t.rules", &rs, &diags);
        fw_check_shadowed(&rs, &diags);
    }
    return diags.errors;
}

/* The one error of `text` is at line:col and its message holds `words`. */
static void expect_error(const char *text, unsigned line, unsigned col, const char *words)
{
    unsigned errors = parse(text);
    if (errors != 1 || diags.items[0].line != line || diags.items[0].col != col ||
        !strstr(diags.items[0].message, words)) {
        for (unsigned i = 0; i < diags.count; i++)
            print_message("got %u:%u: %s\n", diags.items[i].line, diags.items[i].col,
                          diags.items[i].message);
        fail_msg("expected one error at %u:%u with `%s`", line, col, words);
    }
    assert_string_equal(diags.items[0].file, "t.rules");
}

static void test_every_construct(void **state)
{
    (void)state;
    const char *text = HEADER "route 10.0.0.0/24 via 10.1.0.2\n"
                              "default via 192.168.100.254\n"
                              "set servers = { 10.0.0.100, 10.0.0.80-10.0.0.89, 10.0.1.0/24 }\n"
                              "set ports = { 53, 8000-8080 }\n"
                              "# a comment line\n"
                              "chain input policy drop {\n"
                              "    ct established,related accept   # trailing comment\n"
                              "    in inside proto icmp type echo-request accept\n"
                              "}\n"
                              "chain forward policy drop {\n"
                              "    ct invalid log drop\n"
                              "    in outside src !192.168.100.0/24 reject\n"
                              "    in outside out inside dst $servers proto tcp dport $ports "
                              "sport 1024-65535 flags syn,!ack ct new accept\n"
                              "    in outside dst $servers proto udp dport 53 accept\n"
                              "    log\n"
                              "}\n"
                              "chain output policy accept {\n"
                              "    out outside proto tcp flags rst drop\n"
                              "}\n";
    assert_int_equal(parse(text), 0);
    assert_int_equal(diags.count, 0);
    assert_int_equal(eng.nifaces, 2);
    assert_string_equal(eng.ifaces[0].device, "eth0");
    assert_int_equal(eng.nroutes, 2);
    assert_int_equal(rs.nsets, 2);
    assert_int_equal(rs.sets[0].ranges.count, 3);
    assert_true(rs.sets[1].is_ports);
    assert_int_equal(rs.chains[HOOK_INPUT].count, 2);
    assert_int_equal(rs.chains[HOOK_FORWARD].count, 5);
    assert_int_equal(rs.chains[HOOK_FORWARD].policy, FW_DROP);
    assert_int_equal(rs.chains[HOOK_OUTPUT].policy, FW_ACCEPT);
    const struct fw_rule *r = &rs.rules[rs.chains[HOOK_INPUT].first];
    assert_int_equal(r->ct_mask, CT_ESTABLISHED | CT_RELATED);
    assert_int_equal(r[1].icmp_type, 8);
    assert_int_equal(r[1].in_if, 1);
    r = &rs.rules[rs.chains[HOOK_FORWARD].first];
    assert_true(r[0].log);
    assert_int_equal(r[0].action, FW_DROP);
    assert_true(r[1].src.negate);
    assert_int_equal(r[1].action, FW_REJECT);
    assert_int_equal(r[2].proto, 6);
    assert_int_equal(r[2].out_if, 1);
    assert_int_equal(r[2].flags_set, TCPF_SYN);
    assert_int_equal(r[2].flags_clear, TCPF_ACK);
    assert_int_equal(r[2].sport.count, 1);
    assert_int_equal(rs.ranges[r[2].sport.first].lo, 1024);
    assert_int_equal(r[2].line, 15);
    assert_int_equal(r[4].action, FW_CONTINUE);
    assert_int_equal(rs.rules[rs.chains[HOOK_OUTPUT].first].flags_set, TCPF_RST);
}

static void test_shipped_policy_parses(void **state)
{
    (void)state;
    FILE *f = fopen("apps/firewall/rootfs/etc/firewall/poc.rules", "r");
    assert_non_null(f);
    static char text[8192];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    assert_int_equal(parse(text), 0);
    assert_int_equal(diags.count, 0);
}

static void test_errors_have_line_and_column(void **state)
{
    (void)state;
    expect_error("bridge eth0\n", 1, 1, "unknown statement");
    expect_error("\n  interface outside address 1.2.3.300/24\n", 2, 29, "bad address");
    expect_error("interface outside address 10.0.0.1/24 colour red\n", 1, 39,
                 "unknown interface option");
    expect_error("interface outside\n", 1, 11, "interface without an address");
    expect_error(HEADER "interface inside address 10.2.0.1/24\n", 3, 11, "interface defined twice");
    expect_error("route 10.0.0.1/24 via 10.1.0.2\n", 1, 7, "host bits set");
    expect_error("default through 10.1.0.2\n", 1, 9, "expected `via GATEWAY`");
    expect_error("default via 10.1.0\n", 1, 13, "bad gateway address");
    expect_error("set s = { 10.0.0.1, 53 }\n", 1, 21, "mixes ports and addresses");
    expect_error("set s = { 10.0.0.9-10.0.0.1 }\n", 1, 11, "bad address range");
    expect_error("set s = { 70000 }\n", 1, 11, "bad port");
    expect_error("set s = { }\n", 1, 11, "empty set");
    expect_error("set s = { 1.2.3.4\n", 1, 11, "missing `}`");
    expect_error("set s { 1.2.3.4 }\n", 1, 7, "expected `= {`");
    expect_error("set s = { 1.2.3.4 }\nset s = { 53 }\n", 2, 5, "defined twice");
    expect_error("set s = { 1.2.3.4 } x\n", 1, 21, "unexpected `x`");
    expect_error("chain prerouting policy drop {\n", 1, 7, "unknown chain");
    expect_error("chain input {\n", 1, 13, "needs an explicit policy");
    expect_error("chain input policy maybe {\n", 1, 13, "needs an explicit policy");
    expect_error("chain input policy drop\n", 1, 20, "expected `{`");
    expect_error(CHAINS_IO "chain input policy drop {\n}\n", 5, 7, "defined twice");
    expect_error("chain input policy drop {\nchain output policy drop {\n}\n", 2, 1,
                 "chain inside a chain");
    expect_error("}\n", 1, 1, "without an open chain");
    expect_error("chain input policy drop {\n accept\n", 2, 1, "is not closed");
    expect_error("interface a address 10.0.0.1/24 @\n", 1, 33, "unexpected character");
}

static void test_rule_errors_have_line_and_column(void **state)
{
    (void)state;
    const char *start = HEADER "chain input policy drop {\n}\nchain output policy accept {\n}\n"
                               "chain forward policy drop {\n";
    char text[1024];
#define RULE(r) (snprintf(text, sizeof(text), "%s%s\n}\n", start, r), text)
    expect_error(RULE("    in dmz accept"), 8, 8, "unknown interface `dmz`");
    expect_error(RULE("    proto sctp accept"), 8, 11, "unknown protocol");
    expect_error(RULE("    dst $nowhere accept"), 8, 9, "unknown set `nowhere`");
    expect_error(RULE("    dport 53 accept"), 8, 5, "without a TCP or UDP protocol");
    expect_error(RULE("    proto tcp dport 99999 accept"), 8, 21, "bad port");
    expect_error(RULE("    type echo-request accept"), 8, 5, "`type` without `proto icmp`");
    expect_error(RULE("    proto icmp type ping accept"), 8, 21, "unknown ICMP type");
    expect_error(RULE("    flags syn accept"), 8, 5, "`flags` without `proto tcp`");
    expect_error(RULE("    proto tcp flags syn,push accept"), 8, 25, "unknown TCP flag `push`");
    expect_error(RULE("    proto tcp flags syn,!syn accept"), 8, 15, "both set and clear");
    expect_error(RULE("    ct new,closing accept"), 8, 12, "unknown connection state");
    expect_error(RULE("    src 10.0.0.1 src 10.0.0.2 accept"), 8, 18, "given twice");
    expect_error(RULE("    in outside"), 8, 8, "rule without an action");
    expect_error(RULE("    accept drop"), 8, 12, "after the action");
    expect_error(RULE("    src 10.0.0.0/33 accept"), 8, 9, "bad address");
    expect_error(RULE("    frob accept"), 8, 5, "unknown word `frob`");
    expect_error(RULE("    proto"), 8, 5, "needs tcp, udp or icmp");
    /* A set of the wrong kind. */
    snprintf(text, sizeof(text), "%sset p = { 80 }\n%s    dst $p accept\n}\n", HEADER,
             "chain input policy drop {\n}\nchain output policy accept {\n}\n"
             "chain forward policy drop {\n");
    expect_error(text, 9, 9, "set `p` holds ports");
    /* Interfaces the chain cannot have. */
    snprintf(text, sizeof(text), "%schain input policy drop {\n out inside accept\n}\n", HEADER);
    expect_error(text, 4, 2, "the input chain has no `out` interface");
#undef RULE
}

static void test_whole_set_checks(void **state)
{
    (void)state;
    /* Missing chains: no default is assumed. */
    assert_int_equal(parse(HEADER "chain input policy drop {\n}\n"), 2);
    assert_non_null(strstr(diags.items[0].message, "chain forward is missing"));
    assert_non_null(strstr(diags.items[1].message, "chain output is missing"));
    /* An unused set is a warning, not an error. */
    assert_int_equal(parse(HEADER "set s = { 53 }\n" CHAINS_IO "chain forward policy drop {\n}\n"),
                     0);
    assert_int_equal(diags.count, 1);
    assert_true(diags.items[0].warning);
    assert_int_equal(diags.items[0].col, 5);
}

static void test_unreachable_rules_are_reported(void **state)
{
    (void)state;
    const char *text = HEADER CHAINS_IO "set web = { 10.0.0.80, 10.0.0.81 }\n"
                                        "chain forward policy drop {\n"
                                        "    in outside proto tcp accept\n"
                                        "    in outside proto tcp dport 80 dst $web drop\n"
                                        "    dst 10.0.0.0/24 drop\n"
                                        "    dst 10.0.0.64/26 proto udp accept\n"
                                        "    log\n"
                                        "    ct established accept\n"
                                        "    ct established,related accept\n"
                                        "    src !10.0.0.0/16 drop\n"
                                        "    src !10.0.0.0/8 drop\n"
                                        "}\n";
    assert_int_equal(parse(text), 3);
    assert_int_equal(diags.items[0].line, 10); /* dport 80 behind "proto tcp" */
    assert_int_equal(diags.items[0].col, 5);
    assert_non_null(strstr(diags.items[0].message, "the rule on line 9"));
    assert_non_null(strstr(diags.items[0].hint, "move it above line 9"));
    assert_int_equal(diags.items[1].line, 12); /* the /26 behind the /24 */
    assert_int_equal(diags.items[2].line, 17); /* outside 10/8 is inside outside 10/16 */
}

static void test_tokenizer_limits(void **state)
{
    (void)state;
    char line[400];
    memset(line, 'a', sizeof(line));
    line[sizeof(line) - 1] = '\0';
    struct token toks[MAX_TOKENS], bad;
    assert_int_equal(tokenize(line, strlen(line), toks, &bad), -2);
    assert_int_equal(tokenize("a b # c d", 9, toks, &bad), 2);
    assert_int_equal(tokenize("x{y}", 4, toks, &bad), 4);
    assert_int_equal(toks[1].col, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_construct),
        cmocka_unit_test(test_shipped_policy_parses),
        cmocka_unit_test(test_errors_have_line_and_column),
        cmocka_unit_test(test_rule_errors_have_line_and_column),
        cmocka_unit_test(test_whole_set_checks),
        cmocka_unit_test(test_unreachable_rules_are_reported),
        cmocka_unit_test(test_tokenizer_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

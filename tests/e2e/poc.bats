#!/usr/bin/env bats
# The white paper's topology with the firewall and the router as unikernels under QEMU (TCG) in network
# namespaces (two QEMU guests at once). See tests/e2e/netfn/.

load helpers
load netfn/poc_checks

setup_file() {
    require_built_tools
    [[ -x $E2E_BUILD/router/router.img && -x $E2E_BUILD/firewall/firewall.img ]] ||
        skip "run make all first"
    poc_setup_file unikernel
}

teardown_file() { poc_teardown_file; }

@test "poc unikernel: dig through firewall and router (UDP and TCP)" { poc_dig; }
@test "poc unikernel: curl gets the web page" { poc_curl; }
@test "poc unikernel: ping from outside dropped, inside answered" { poc_ping; }
@test "poc unikernel: nmap from outside finds only 53 and 80 open" { poc_nmap; }
@test "poc unikernel: TTL expiry and traceroute show firewall and router hops" { poc_traceroute; }
@test "poc unikernel: hostile frames do not cross" { poc_hostile; }

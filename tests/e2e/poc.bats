#!/usr/bin/env bats
# The white paper's topology with the firewall and the router as unikernels under QEMU (TCG) in network
# namespaces, with Atoll's dns and web unikernels in the DMZ. See tests/e2e/netfn/.

load helpers
load netfn/poc_checks

setup_file() {
    require_built_tools
    local app
    for app in router firewall dns web; do
        [[ -x $E2E_BUILD/$app/$app.img ]] || skip "run make all first"
    done
    # The DMZ: dns.img and web.img under QEMU too (four guests at once).
    export TOPO_DNS=unikernel TOPO_WEB=unikernel
    poc_setup_file unikernel
}

teardown_file() { poc_teardown_file; }

@test "poc unikernel: dig through firewall and router (UDP and TCP)" { poc_dig; }
@test "poc unikernel: curl gets the web page" { poc_curl; }
@test "poc unikernel: ping from outside dropped, inside answered" { poc_ping; }
@test "poc unikernel: nmap from outside finds only 53 and 80 open" { poc_nmap; }
@test "poc unikernel: TTL expiry and traceroute show firewall and router hops" { poc_traceroute; }
@test "poc unikernel: hostile frames do not cross" { poc_hostile; }

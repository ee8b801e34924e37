#!/usr/bin/env bats
# The white paper's topology with the firewall and the router as static Linux binaries in network
# namespaces, and Atoll's dns and web apps as static Linux binaries in the DMZ (fast: the checks
# themselves, without QEMU or podman). See tests/e2e/netfn/.

load helpers
load netfn/poc_checks

setup_file() {
    require_built_tools
    local app
    for app in router firewall dns web; do
        [[ -x $E2E_BUILD/$app/$app.linux ]] || skip "run make all first"
    done
    export TOPO_DNS=linux TOPO_WEB=linux # dns.linux and web.linux in the DMZ
    poc_setup_file linux
}

teardown_file() { poc_teardown_file; }

@test "poc linux: dig through firewall and router (UDP and TCP)" { poc_dig; }
@test "poc linux: curl gets the web page" { poc_curl; }
@test "poc linux: ping from outside dropped, inside answered" { poc_ping; }
@test "poc linux: nmap from outside finds only 53 and 80 open" { poc_nmap; }
@test "poc linux: TTL expiry and traceroute show firewall and router hops" { poc_traceroute; }
@test "poc linux: hostile frames do not cross" { poc_hostile; }

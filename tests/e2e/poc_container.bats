#!/usr/bin/env bats
# The white paper's topology with the firewall and the router as podman containers (FROM scratch) in network
# namespaces (--network ns:...). See tests/e2e/netfn/.

load helpers
load netfn/poc_checks

setup_file() {
    require_built_tools
    [[ -x $E2E_BUILD/router/router.linux && -x $E2E_BUILD/firewall/firewall.linux ]] ||
        skip "run make all first"
    command -v podman >/dev/null || skip "needs podman"
    build_container router
    build_container firewall
    poc_setup_file container
}

teardown_file() { poc_teardown_file; }

@test "poc container: dig through firewall and router (UDP and TCP)" { poc_dig; }
@test "poc container: curl gets the web page" { poc_curl; }
@test "poc container: ping from outside dropped, inside answered" { poc_ping; }
@test "poc container: nmap from outside finds only 53 and 80 open" { poc_nmap; }
@test "poc container: TTL expiry and traceroute show firewall and router hops" { poc_traceroute; }
@test "poc container: hostile frames do not cross" { poc_hostile; }

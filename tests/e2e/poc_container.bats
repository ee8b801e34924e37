#!/usr/bin/env bats
# The white paper's topology with the firewall and the router as podman containers (FROM scratch) in network
# namespaces (--network ns:...), with the dns and web apps' containers in the DMZ. See tests/e2e/netfn/.

load helpers
load netfn/poc_checks

setup_file() {
    require_built_tools
    local app
    for app in router firewall dns web; do
        [[ -x $E2E_BUILD/$app/$app.linux ]] || skip "run make all first"
    done
    command -v podman >/dev/null || skip "needs podman"
    for app in router firewall dns web; do build_container "$app"; done
    export TOPO_DNS=container TOPO_WEB=container # the dns and web containers in the DMZ
    poc_setup_file container
}

teardown_file() { poc_teardown_file; }

@test "poc container: dig through firewall and router (UDP and TCP)" { poc_dig; }
@test "poc container: curl gets the web page" { poc_curl; }
@test "poc container: ping from outside dropped, inside answered" { poc_ping; }
@test "poc container: nmap from outside finds only 53 and 80 open" { poc_nmap; }
@test "poc container: TTL expiry and traceroute show firewall and router hops" { poc_traceroute; }
@test "poc container: hostile frames do not cross" { poc_hostile; }

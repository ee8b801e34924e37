#!/usr/bin/env bats
# The white paper's topology with Linux VMs as firewall and router (`make vm-nft`, docs/vm.md):
# Linux's own forwarding with bench/forward-nft.rules in a guest on the same QEMU (TCG), the
# benchmark's peer. Its checks show the rules mean what the PoC policy means, with Atoll's dns and
# web apps as static binaries in the DMZ. See tests/e2e/netfn/.

load helpers
load netfn/poc_checks

setup_file() {
    require_built_tools
    local app
    for app in dns web; do
        [[ -x $E2E_BUILD/$app/$app.linux ]] || skip "run make all first"
    done
    [[ -f $E2E_BUILD/vm/nft.cpio.gz && -x $E2E_BUILD/vm/nft-forward ]] || skip "run make vm vm-nft first"
    export TOPO_DNS=linux TOPO_WEB=linux
    poc_setup_file vm
}

teardown_file() { poc_teardown_file; }

@test "vm nftables: dig through firewall and router (UDP and TCP)" { poc_dig; }
@test "vm nftables: curl gets the web page" { poc_curl; }
@test "vm nftables: ping from outside dropped, inside answered" { poc_ping; }
@test "vm nftables: nmap from outside finds only 53 and 80 open" { poc_nmap; }
@test "vm nftables: TTL expiry and traceroute show firewall and router hops" { poc_traceroute; }

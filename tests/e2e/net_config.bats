#!/usr/bin/env bats
# The network boot keys (netN=, netN.mtu=, gw=, route=, netstat) on QEMU user networking: what
# `atoll run --net` passes, the netstat report at exit, and the one-line boot errors (status 2).

load helpers

setup_file() {
    require_built_tools
    build_app net_nics tests/apps/net_nics.c
}

@test "--net user configures net0 as 10.0.2.15/24 via 10.0.2.2; netstat counts its gratuitous ARP" {
    run "$ATOLL" run "$(image_of net_nics)" --dry-run --net user
    assert_status 0
    assert_output_contains "-append 'net0=10.0.2.15/24 gw=10.0.2.2'"
    boot microvm net_nics --net user --append netstat
    assert_status 0
    # The only ARP request of a configured NIC that has sent nothing is its announcement.
    assert_line "atoll: netstat arp_requests_sent=1"
    assert_output_matches '^atoll: netstat eth_tx=[0-9]+$'
    assert_output_matches '^atoll: netstat drops_total=[0-9]+$'
}

@test "without the netstat key no counters are printed" {
    boot microvm net_nics --net user --append "net0.mtu=1400 gw=10.0.2.2 net0=10.0.2.15/24"
    assert_status 0
    refute_output_contains "netstat"
}

@test "malformed network keys stop the boot with one line naming the key (status 2)" {
    local -a cases=(
        "net0=10.0.0/24|atoll: net0=10.0.0/24: expected ADDR/PREFIX such as 10.0.0.2/24"
        "net0.mtu=20|atoll: net0.mtu=20: the MTU must be between 68 and 9000 bytes"
        "net0.mtu=1600|atoll: net0.mtu=1600: above the device's MTU of 1500 bytes"
        "gw=10.0.9.1|atoll: gw=10.0.9.1: the gateway is not in the subnet of any configured interface"
        "route=10.9.0.1/16,10.0.2.2|atoll: route=10.9.0.1/16,10.0.2.2: the destination has bits set beyond its /16"
        "net1=10.0.3.2/24|atoll: net1=10.0.3.2/24: there is no NIC net1 (this instance has 1)"
        "net9=10.0.3.2/24|atoll: boot cmdline: net9=10.0.3.2/24: expected netN=ADDR/PREFIX or netN.mtu=BYTES with N 0..7"
        "netstat=2|atoll: boot cmdline: netstat=2: flag 'netstat' takes no value other than =0 or =1"
    )
    local c
    for c in "${cases[@]}"; do
        boot microvm net_nics --net user --append "${c%%|*}"
        assert_status 2
        [[ ${lines[-1]} == "${c#*|}" ]] # one line, the last one
        refute_output_contains "argc="
    done
}

#!/usr/bin/env bats
# A NIC on a tap interface inside a network namespace the test creates (`atoll run --netns NS
# --net tap=NAME`): the namespace's Linux answers the kernel's ARP probe. Nothing is added to the
# host's own namespace. Needs root, ip(8) and /dev/net/tun; skipped otherwise.

load helpers

setup_file() {
    require_built_tools
    build_app net_nics tests/apps/net_nics.c
}

setup() {
    if [[ $(id -u) -ne 0 || ! -c /dev/net/tun ]] || ! command -v ip >/dev/null; then
        skip "needs root, ip(8) and /dev/net/tun"
    fi
    NS="atoll-e2e-tap-$BATS_ROOT_PID-$BATS_TEST_NUMBER"
    ip netns add "$NS"
    # The guest probes 10.0.2.2 (QEMU user networking's gateway): here the namespace owns it.
    ip -n "$NS" tuntap add dev tap0 mode tap
    ip -n "$NS" tuntap add dev tap1 mode tap
    ip -n "$NS" addr add 10.0.2.2/24 dev tap0
    ip -n "$NS" link set tap0 up
    ip -n "$NS" link set tap1 up
    TAP0_MAC="$(tap_mac tap0)"
    TAP1_MAC="$(tap_mac tap1)"
}

tap_mac() {
    ip -n "$NS" -o link show "$1" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2
}

teardown() {
    if [[ -n ${NS:-} ]]; then
        ip netns del "$NS" 2>/dev/null || true
    fi
}

@test "--netns with --net tap: frames reach a Linux namespace and its answers come back" {
    for machine in microvm q35; do
        boot "$machine" net_nics --netns "$NS" --net tap=tap0,mac=52:54:00:00:0a:01 \
            --net tap=tap1 -e NET_NICS_SLEEP_MS=300
        assert_status 0
        # A tap backend offers checksum offload and TSO (vnet headers) both ways; the NIC accepts
        # them, and receive checksums (GUEST_CSUM) but no receive TSO.
        assert_output_matches '^atoll: net0: virtio-net \(.*\) mac 52:54:00:00:0a:01 mtu 1500 csum tso rxcsum$'
        assert_output_matches '^atoll: net1: virtio-net '
        assert_output_matches "^atoll: net0: link up \\(arp reply from $TAP0_MAC after [0-9]+ us\\)$"
        # Linux answers for any of its addresses on every link: net1 hears tap1 (NIC order).
        assert_output_matches "^atoll: net1: link up \\(arp reply from $TAP1_MAC after [0-9]+ us\\)$"
    done
}

@test "--netns names a namespace that does not exist: status 125 before QEMU starts" {
    run "$ATOLL" run "$(image_of net_nics)" --netns "$NS-missing" --net user
    assert_status 125
    assert_output_contains "no such network namespace"
}

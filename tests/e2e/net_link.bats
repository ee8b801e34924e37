#!/usr/bin/env bats
# NICs wired to another program without any host interface: `atoll run --net dgram=OWN:PEER`
# (QEMU's -netdev dgram over Unix datagram sockets) and `--net stream=connect:PATH` (-netdev
# stream over a Unix stream socket). tests/e2e/link_peer.py plays the far end, answering ARP and
# ping for 10.0.2.2, for the unikernel and for the vm runtime. No namespace, tap or bridge is
# involved, so no root is needed.

load helpers

setup_file() {
    require_built_tools
    build_app net_nics tests/apps/net_nics.c
}

PEER_MAC=02:00:00:d6:00:02

# start_peer dgram|stream: the far end, until the test ends; NIC is the --net spec for QEMU.
start_peer() {
    SOCKS="$BATS_TEST_TMPDIR"
    if [[ $1 == dgram ]]; then
        NIC="dgram=$SOCKS/qemu.sock:$SOCKS/peer.sock"
        set -- dgram "$SOCKS/peer.sock" "$SOCKS/qemu.sock"
    else
        NIC="stream=connect:$SOCKS/link.sock"
        set -- stream "$SOCKS/link.sock"
    fi
    /usr/bin/python3 "$BATS_TEST_DIRNAME/link_peer.py" "$@" 10.0.2.2 "$PEER_MAC" "$E2E_TIMEOUT" \
        >"$SOCKS/peer.log" 2>&1 &
    PEER_PID=$!
    local deadline=$((SECONDS + 20))
    until grep -q listening "$SOCKS/peer.log"; do
        ((SECONDS < deadline)) || {
            cat "$SOCKS/peer.log" >&2
            return 1
        }
        sleep 0.05
    done
}

teardown() {
    [[ -z ${PEER_PID:-} ]] || kill "$PEER_PID" 2>/dev/null || true
}

# The unikernel's link probe (ARP for 10.0.2.2) is answered by the far end.
unikernel_reaches_peer() {
    start_peer "$1"
    boot microvm net_nics --net "$NIC,ip=10.0.2.15/24" -e NET_NICS_SLEEP_MS=300
    assert_status 0
    assert_output_matches "^atoll: net0: link up \\(arp reply from $PEER_MAC after [0-9]+ us\\)$"
    grep -q "arp request from" "$SOCKS/peer.log"
}

# A Linux guest pings the far end.
vm_pings_peer() {
    start_peer "$1"
    run "$ATOLL" run --runtime vm --timeout "$E2E_TIMEOUT" /bin/busybox \
        --net "$NIC,ip=10.0.2.15/24" -- ping -c 2 -W 10 10.0.2.2
    strip_carriage_returns
    echo "$output"
    cat "$SOCKS/peer.log"
    assert_status 0
    assert_output_matches '2 packets transmitted, 2 packets received'
    grep -q "echo request from 10.0.2.15" "$SOCKS/peer.log"
}

@test "--net dgram: the unikernel's frames reach the far end and its answers come back" {
    unikernel_reaches_peer dgram
}

@test "--net dgram: a Linux guest (vm runtime) on the same link pings the far end" {
    vm_pings_peer dgram
}

@test "--net stream: the unikernel's frames reach the far end and its answers come back" {
    unikernel_reaches_peer stream
}

@test "--net stream: a Linux guest (vm runtime) on the same link pings the far end" {
    vm_pings_peer stream
}

@test "--net dgram and stream: bad socket paths are refused before QEMU starts" {
    run "$ATOLL" run "$(image_of net_nics)" --net dgram=a.sock:/tmp/b.sock
    assert_status 125
    assert_output_contains "'a.sock' is not absolute"
    run "$ATOLL" run "$(image_of net_nics)" --net dgram=/tmp/a.sock:/tmp/a.sock
    assert_status 125
    assert_output_contains "the same path"
    run "$ATOLL" run "$(image_of net_nics)" --net stream=/tmp/a.sock
    assert_status 125
    assert_output_contains "expected stream=listen:PATH or stream=connect:PATH"
}

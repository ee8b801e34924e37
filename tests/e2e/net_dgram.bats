#!/usr/bin/env bats
# A NIC wired to another program without any host interface (`atoll run --net dgram=OWN:PEER`,
# QEMU's -netdev dgram over Unix datagram sockets): tests/e2e/dgram_peer.py plays the far end,
# answering ARP and ping for 10.0.2.2, for the unikernel and for the vm runtime. No namespace,
# tap or bridge is involved, so no root is needed.

load helpers

setup_file() {
    require_built_tools
    build_app net_nics tests/apps/net_nics.c
}

PEER_MAC=02:00:00:d6:00:02

setup() {
    SOCKS="$BATS_TEST_TMPDIR"
    # The far end lives until the test ends; the test stops it.
    /usr/bin/python3 "$BATS_TEST_DIRNAME/dgram_peer.py" "$SOCKS/peer.sock" "$SOCKS/qemu.sock" \
        10.0.2.2 "$PEER_MAC" "$E2E_TIMEOUT" >"$SOCKS/peer.log" 2>&1 &
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

@test "--net dgram: the unikernel's frames reach the far end and its answers come back" {
    boot microvm net_nics --net "dgram=$SOCKS/qemu.sock:$SOCKS/peer.sock,ip=10.0.2.15/24" \
        -e NET_NICS_SLEEP_MS=300
    assert_status 0
    assert_output_matches "^atoll: net0: link up \\(arp reply from $PEER_MAC after [0-9]+ us\\)$"
    grep -q "arp request from" "$SOCKS/peer.log"
}

@test "--net dgram: a Linux guest (vm runtime) on the same link pings the far end" {
    run "$ATOLL" run --runtime vm --timeout "$E2E_TIMEOUT" /bin/busybox \
        --net "dgram=$SOCKS/qemu.sock:$SOCKS/peer.sock,ip=10.0.2.15/24" -- \
        ping -c 2 -W 10 10.0.2.2
    strip_carriage_returns
    echo "$output"
    cat "$SOCKS/peer.log"
    assert_status 0
    assert_output_matches '2 packets transmitted, 2 packets received'
    grep -q "echo request from 10.0.2.15" "$SOCKS/peer.log"
}

@test "--net dgram: a relative or repeated socket path is refused before QEMU starts" {
    run "$ATOLL" run "$(image_of net_nics)" --net dgram=a.sock:/tmp/b.sock
    assert_status 125
    assert_output_contains "'a.sock' is not absolute"
    run "$ATOLL" run "$(image_of net_nics)" --net dgram=/tmp/a.sock:/tmp/a.sock
    assert_status 125
    assert_output_contains "the same path"
}

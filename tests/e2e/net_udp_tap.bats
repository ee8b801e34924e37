#!/usr/bin/env bats
# udpecho as a unikernel on a tap inside a network namespace the test creates: a Linux client in
# the namespace sends 10,000 datagrams of random sizes 0..65,507 bytes (most of them fragmented
# both ways over the 1500-byte MTU) and checks every echo; the same client then checks the same
# app as a Linux binary inside the namespace. Nothing touches the host's own namespace. Needs root,
# ip(8) and /dev/net/tun; skipped otherwise.

load helpers

INSTANCE_IP=10.0.4.2
PEER_IP=10.0.4.1
TAP_DATAGRAMS="${TAP_DATAGRAMS:-10000}"

setup_file() {
    require_built_tools
}

setup() {
    tap_namespace_setup udptap
}

teardown() {
    tap_namespace_teardown
}

# echo_check HOST: the client in the namespace; polls the server until it answers, then sends.
echo_check() {
    run ip netns exec "$NS" python3 "$E2E_ROOT/tests/e2e/udp_echo_client.py" "$1" 7 \
        "$TAP_DATAGRAMS" --ready "$E2E_TIMEOUT"
    echo "$output"
    assert_status 0
    assert_output_matches "^udp_echo_client: $TAP_DATAGRAMS datagrams, [0-9]+ bytes echoed identically"
}

@test "udpecho in the image echoes 10,000 random-size datagrams over a tap (microvm)" {
    "$ATOLL" run "$(image_of udpecho)" --timeout 300 --netns "$NS" \
        --net "tap=tap0,ip=$INSTANCE_IP/24,gw=$PEER_IP" --append netstat \
        >"$BATS_TEST_TMPDIR/server.log" 2>&1 &
    SERVER_PID=$!
    echo_check "$INSTANCE_IP"
    cat "$BATS_TEST_TMPDIR/server.log"
}

@test "the udpecho Linux binary echoes the same datagrams inside the namespace" {
    ip netns exec "$NS" "$E2E_OUT/udpecho/udpecho.linux" -p 7 >"$BATS_TEST_TMPDIR/server.log" 2>&1 &
    SERVER_PID=$!
    echo_check 127.0.0.1
}

#!/usr/bin/env bats
# UDP sockets: the socket semantics program passes in the image as on Linux, and the udpecho
# server echoes random-size datagrams (fragmented both ways) through a QEMU user-networking
# forward, as its Linux binary does on the host.

load helpers

ECHO_DATAGRAMS="${ECHO_DATAGRAMS:-300}"

setup_file() {
    require_built_tools
    build_app udp_sockets tests/apps/udp_sockets.c
    build_app udpecho apps/udpecho
}

teardown() {
    # Only the server this test started, by its process id.
    if [[ -n ${SERVER_PID:-} ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
}

check_lines() {
    grep -E '^(ok|FAIL): |^udp_sockets: ' <<<"$output" || true
}

# A UDP port on 127.0.0.1 that nothing uses right now.
free_udp_port() {
    python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# echo_through MACHINE: boots udpecho with a forward of a free loopback port to its port 7 and
# runs the client against it.
echo_through() {
    local machine=$1 port
    port="$(free_udp_port)"
    "$ATOLL" run "$(image_of udpecho)" --machine "$machine" --timeout "$E2E_TIMEOUT" \
        --net "user,fwd=udp:127.0.0.1:$port-:7" >"$BATS_TEST_TMPDIR/server.log" 2>&1 &
    SERVER_PID=$!
    run python3 "$E2E_ROOT/tests/e2e/udp_echo_client.py" 127.0.0.1 "$port" "$ECHO_DATAGRAMS" \
        --ready "$E2E_TIMEOUT"
    echo "$output"
    cat "$BATS_TEST_TMPDIR/server.log"
    assert_status 0
    assert_output_matches "^udp_echo_client: $ECHO_DATAGRAMS datagrams, [0-9]+ bytes echoed identically"
}

@test "udp_sockets passes in the image with a user-networking NIC on microvm and pc" {
    local machine
    for machine in $E2E_MACHINES; do
        # The argument adds the checks of delivery to the NIC's own address (10.0.2.15).
        boot "$machine" udp_sockets --net user -- 10.0.2.2
        assert_checks_passed udp_sockets
        assert_line "ok: it arrives at once, from and to 10.0.2.15"
    done
}

@test "udp_sockets prints the same checks on Linux and in the image" {
    run "$E2E_OUT/udp_sockets/udp_sockets.linux"
    echo "$output"
    assert_checks_passed udp_sockets
    local linux_lines
    linux_lines="$(check_lines)"
    boot microvm udp_sockets --append quiet
    assert_status 0
    if [[ "$(check_lines)" != "$linux_lines" ]]; then
        diff <(check_lines) <(echo "$linux_lines") >&2 || true
        return 1
    fi
}

@test "udpecho in the image echoes random-size datagrams through a forwarded port (microvm)" {
    echo_through microvm
    grep -q '^udpecho: listening on udp port 7$' "$BATS_TEST_TMPDIR/server.log"
}

@test "udpecho in the image echoes random-size datagrams through a forwarded port (pc)" {
    echo_through pc
}

@test "the udpecho Linux binary echoes the same datagrams on the host" {
    local port
    port="$(free_udp_port)"
    "$E2E_OUT/udpecho/udpecho.linux" -p "$port" >"$BATS_TEST_TMPDIR/server.log" 2>&1 &
    SERVER_PID=$!
    run python3 "$E2E_ROOT/tests/e2e/udp_echo_client.py" 127.0.0.1 "$port" "$ECHO_DATAGRAMS" \
        --ready 10
    echo "$output"
    assert_status 0
    assert_output_matches "^udp_echo_client: $ECHO_DATAGRAMS datagrams, [0-9]+ bytes echoed identically"
}

@test "udpecho refuses a bad port with one line and status 2" {
    run "$E2E_OUT/udpecho/udpecho.linux" -p 70000
    assert_status 2
    assert_output_contains "udpecho: -p 70000: not a port number"
    boot microvm udpecho --append quiet -- -p 0
    assert_status 2
    assert_output_contains "udpecho: -p 0: not a port number"
}

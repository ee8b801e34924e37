#!/usr/bin/env bats
# apps/dns, the authoritative DNS server: zone checks, the Linux binary against Knot (differential
# test, 10,000 queries over UDP and TCP), hostile datagrams, signals, the unikernel on a tap in a
# test namespace (dig, kdig and a differential sample under TCG) and the container under podman.
# Knot, the servers and the clients run as this test's own processes on 127.0.0.x ports or inside
# namespaces it creates; nothing touches the host's own namespace.

load helpers

ZONES_DIR="$E2E_ROOT/apps/dns/rootfs/zones"
DIFF_ZONE="$E2E_ROOT/tests/e2e/dns/zones/diff.test.zone"
PYTHON=/usr/bin/python3
INSTANCE_IP=10.0.53.2
PEER_IP=10.0.53.1
DIFF_QUERIES="${DNS_DIFF_QUERIES:-10000}"
GUEST_DIFF_QUERIES="${DNS_GUEST_DIFF_QUERIES:-1000}"

setup_file() {
    require_built_tools
    build_app dns apps/dns
}

setup() {
    DNS_LINUX="$E2E_OUT/dns/dns.linux"
    SERVER_PID=
    NS=
    CONTAINER=
}

teardown() {
    if [[ -n ${SERVER_PID:-} ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    [[ -z ${CONTAINER:-} ]] || container_stop "$CONTAINER"
    [[ -z ${NS:-} ]] || ip netns del "$NS" 2>/dev/null || true
}

needs_namespaces() {
    if [[ $(id -u) -ne 0 || ! -c /dev/net/tun ]] || ! command -v ip >/dev/null; then
        skip "needs root, ip(8) and /dev/net/tun"
    fi
}

# free_port: a UDP and TCP port free on 127.0.0.1.
free_port() {
    "$PYTHON" -c 'import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
t = socket.socket(); t.bind(("127.0.0.1", u.getsockname()[1])); print(u.getsockname()[1])'
}

# wait_answer [ip netns exec NS] HOST PORT: polls with dig until the server answers www.poc.test.
wait_answer() {
    local prefix=()
    if [[ $1 == ip ]]; then
        prefix=("$1" "$2" "$3" "$4")
        shift 4
    fi
    local deadline=$((SECONDS + E2E_TIMEOUT))
    while ((SECONDS < deadline)); do
        if "${prefix[@]}" dig +short +time=1 +tries=1 -p "$2" "@$1" www.poc.test A 2>/dev/null |
            grep -qx 10.0.0.80; then
            return 0
        fi
    done
    echo "no answer from $1:$2 within ${E2E_TIMEOUT}s" >&2
    return 1
}

start_linux_server() {
    PORT="$(free_port)"
    "$DNS_LINUX" -a 127.0.0.1 -p "$PORT" "$@" >"$BATS_TEST_TMPDIR/server.log" 2>&1 &
    SERVER_PID=$!
    wait_answer 127.0.0.1 "$PORT"
}

@test "dns --check accepts the shipped zones" {
    run "$DNS_LINUX" --check "$ZONES_DIR/poc.test.zone" "$ZONES_DIR/10.0.0.rev.zone" "$DIFF_ZONE"
    echo "$output"
    assert_status 0
    assert_line "dns: $ZONES_DIR/poc.test.zone: zone poc.test. is valid"
    assert_line "dns: $ZONES_DIR/10.0.0.rev.zone: zone 0.0.10.in-addr.arpa. is valid"
}

@test "dns refuses a bad zone with file:line and does not serve" {
    printf '$ORIGIN bad.\n$TTL 60\n@ SOA ns h 1 2 3 4 5\nwww A 10.0.0.300\n' >"$BATS_TEST_TMPDIR/bad.zone"
    run "$DNS_LINUX" --check "$BATS_TEST_TMPDIR/bad.zone"
    echo "$output"
    assert_status 1
    assert_line "$BATS_TEST_TMPDIR/bad.zone:4: A record: '10.0.0.300' is not an IPv4 address"
    run "$DNS_LINUX" -a 127.0.0.1 -p "$(free_port)" "$BATS_TEST_TMPDIR/bad.zone"
    assert_status 1
    assert_output_contains "not serving"
}

@test "dns (Linux) agrees with Knot on $DIFF_QUERIES generated queries over UDP and TCP" {
    run "$PYTHON" "$E2E_ROOT/tests/e2e/dns/differential.py" --dns "$DNS_LINUX" \
        --count "$DIFF_QUERIES" "$ZONES_DIR/poc.test.zone" "$ZONES_DIR/10.0.0.rev.zone" "$DIFF_ZONE"
    echo "$output"
    assert_status 0
    assert_output_matches "^differential: $DIFF_QUERIES queries \([0-9]+ udp, [0-9]+ tcp\) against knot: .* 0 unexplained$"
}

@test "dns (Linux) survives hostile datagrams without amplifying them" {
    start_linux_server "$ZONES_DIR/poc.test.zone"
    run "$PYTHON" "$E2E_ROOT/tests/e2e/dns/hostile.py" 127.0.0.1 "$PORT"
    echo "$output"
    assert_status 0
    assert_output_matches "^hostile: [0-9]+ hostile datagrams, [0-9]+ small replies, 0 failures"
}

@test "dns (Linux) answers kdig over TCP, several queries on one connection" {
    start_linux_server "$ZONES_DIR/poc.test.zone" "$ZONES_DIR/10.0.0.rev.zone"
    run kdig +tcp +keepopen -p "$PORT" @127.0.0.1 www.poc.test A 80.0.0.10.in-addr.arpa PTR \
        big.poc.test TXT
    echo "$output"
    assert_status 0
    assert_output_matches "^www\.poc\.test\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]+10\.0\.0\.80$"
    assert_output_matches "PTR[[:space:]]+www\.poc\.test\.$"
    assert_output_matches "status: NXDOMAIN"
}

@test "dns (Linux) answers pipelined TCP queries, makes room past the connection limit, closes idle ones" {
    start_linux_server -t 2 "$ZONES_DIR/poc.test.zone"
    run "$PYTHON" "$E2E_ROOT/tests/e2e/dns/tcp_check.py" 127.0.0.1 "$PORT" 2
    echo "$output"
    assert_status 0
    assert_output_matches "^tcp_check: 32 pipelined queries answered on one connection, a split query answered, the oldest connections closed for new ones, idle connection closed after [0-9.]+ s$"
}

@test "dns (Linux) prints its counters on SIGUSR1 and exits 0 on SIGTERM" {
    start_linux_server "$ZONES_DIR/poc.test.zone"
    dig +short -p "$PORT" @127.0.0.1 nothing.poc.test A >/dev/null
    kill -USR1 "$SERVER_PID"
    local deadline=$((SECONDS + 10))
    until grep -q '^dns: queries=' "$BATS_TEST_TMPDIR/server.log" || ((SECONDS > deadline)); do
        :
    done
    grep -E '^dns: queries=[0-9]+ .* nxdomain=1 ' "$BATS_TEST_TMPDIR/server.log"
    kill -TERM "$SERVER_PID"
    run wait "$SERVER_PID"
    SERVER_PID=
    assert_status 0
}

@test "dns in the image answers dig and kdig on a tap, and agrees with Knot (microvm, TCG)" {
    tap_namespace_setup dns
    "$ATOLL" run "$(image_of dns)" --timeout 300 --netns "$NS" \
        --net "tap=tap0,ip=$INSTANCE_IP/24,gw=$PEER_IP" -- -s /zones/poc.test.zone \
        /zones/10.0.0.rev.zone >"$BATS_TEST_TMPDIR/server.log" 2>&1 &
    SERVER_PID=$!
    wait_answer ip netns exec "$NS" "$INSTANCE_IP" 53
    run ip netns exec "$NS" dig +norec "@$INSTANCE_IP" 80.0.0.10.in-addr.arpa PTR
    echo "$output"
    assert_output_contains "status: NOERROR"
    assert_output_matches "PTR[[:space:]]+www\.poc\.test\.$"
    run ip netns exec "$NS" kdig +notcp "@$INSTANCE_IP" ns.poc.test A
    echo "$output"
    assert_output_matches "^ns\.poc\.test\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]+10\.0\.0\.100$"
    run ip netns exec "$NS" dig +short "@$INSTANCE_IP" stats.atoll TXT CH
    echo "$output"
    assert_output_contains '"queries='
    # TCP, served by Atoll's own stack: no fallback line, and kdig gets the answer over TCP.
    if grep -q 'no TCP here' "$BATS_TEST_TMPDIR/server.log"; then
        echo "the image fell back to UDP only: Atoll's TCP did not serve the dns server" >&2
        return 1
    fi
    run ip netns exec "$NS" kdig +tcp "@$INSTANCE_IP" www.poc.test A
    assert_output_matches "^www\.poc\.test\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]+10\.0\.0\.80$"
    run ip netns exec "$NS" "$PYTHON" "$E2E_ROOT/tests/e2e/dns/differential.py" \
        --target "$INSTANCE_IP:53" --count "$GUEST_DIFF_QUERIES" \
        "$ZONES_DIR/poc.test.zone" "$ZONES_DIR/10.0.0.rev.zone"
    echo "$output"
    assert_status 0
    assert_output_matches "^differential: $GUEST_DIFF_QUERIES queries .* 0 unexplained$"
}

@test "dns in its container answers dig inside a test namespace (podman)" {
    needs_namespaces
    command -v podman >/dev/null || skip "needs podman"
    build_container dns
    NS="atoll-e2e-dnsct-$BATS_ROOT_PID"
    ip netns add "$NS"
    ip -n "$NS" link set lo up
    CONTAINER="$(container_run "$NS" dns)"
    wait_answer ip netns exec "$NS" 127.0.0.1 53
    run ip netns exec "$NS" dig +norec @127.0.0.1 nothing.poc.test A
    echo "$output"
    assert_output_contains "status: NXDOMAIN"
    assert_output_contains "flags: qr aa;"
    run ip netns exec "$NS" kdig +tcp @127.0.0.1 -x 10.0.0.100
    echo "$output"
    assert_output_matches "PTR[[:space:]]+ns\.poc\.test\.$"
}

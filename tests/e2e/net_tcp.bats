#!/usr/bin/env bats
# TCP against Linux peers. The test programs (tests/apps/tcp_*.c) run as unikernels on a tap and,
# as their Linux binaries, in a namespace of their own, against the same peers
# (tests/e2e/tcp/*.py), so the suite checks Atoll against Linux's behaviour.
#
# Topology, all inside namespaces the test creates (nothing touches the host's namespace):
#   peer namespace P: pv0 10.0.7.1 -- veth -- hub H: pvh
#   subject namespace S: sv0 10.0.7.2 -- veth -- hub H: svh      (the Linux binary)
#   hub H: tap0 (QEMU's NIC, the unikernel is 10.0.7.2)
# A clean link bridges the hub's ports (br0); a lossy one replaces the bridge by
# tests/e2e/tcp/impair.py (5% loss, 1% duplication, 10% reordered, 20 ms delay each way; the
# kernel here has no netem).
#
# Sizes: CI moves TCP_BULK_MB (100) MiB each way on the clean link and TCP_LOSSY_MB (4) through
# the lossy one, opens TCP_CONNS (1,000) concurrent connections and runs TCP_CYCLES (2,000)
# sequential cycles. ATOLL_FULL=1 uses the issue's sizes: 100 MiB, 100 MiB, 1,000 and 10,000.
# Needs root, ip(8), /dev/net/tun; hping3 for the SYN flood.

load helpers

PEER_IP=10.0.7.1
SUBJECT_IP=10.0.7.2
if [[ ${ATOLL_FULL:-0} == 1 ]]; then
    BULK_MB=100 LOSSY_MB=100 CONNS=1000 CYCLES=10000
else
    BULK_MB="${TCP_BULK_MB:-100}" LOSSY_MB="${TCP_LOSSY_MB:-4}"
    CONNS="${TCP_CONNS:-1000}" CYCLES="${TCP_CYCLES:-2000}"
fi
EXIT_ANSWER_BYTES="${TCP_EXIT_ANSWER_BYTES:-12000}" # fits the send ring: send() returns at once
# The longest a guest may run; every wait below polls with a deadline under it.
GUEST_TIMEOUT="${TCP_GUEST_TIMEOUT:-600}"
# The SYN flood: a real client must complete its connections within this many seconds.
FLOOD_CONNECT_LIMIT=10

setup_file() {
    require_built_tools
    build_app tcp_sockets tests/apps/tcp_sockets.c
    build_app tcp_bulk tests/apps/tcp_bulk.c
    build_app tcp_echo tests/apps/tcp_echo.c
    build_app tcp_client tests/apps/tcp_client.c
}

setup() {
    if [[ $(id -u) -ne 0 || ! -c /dev/net/tun ]] || ! command -v ip >/dev/null; then
        skip "needs root, ip(8) and /dev/net/tun"
    fi
    local id="$BATS_ROOT_PID-$BATS_TEST_NUMBER"
    H="atoll-tcp-h-$id" P="atoll-tcp-p-$id" S="atoll-tcp-s-$id"
    PIDS=()
    local ns
    for ns in "$H" "$P" "$S"; do
        ip netns add "$ns"
        ip -n "$ns" link set lo up
    done
    ip -n "$H" link add br0 type bridge
    ip -n "$H" link add pvh type veth peer name pv0 netns "$P"
    ip -n "$H" link add svh type veth peer name sv0 netns "$S"
    ip -n "$H" tuntap add dev tap0 mode tap
    ip -n "$P" addr add "$PEER_IP/24" dev pv0
    ip -n "$S" addr add "$SUBJECT_IP/24" dev sv0
    ip -n "$P" link set pv0 up
    ip -n "$S" link set sv0 up
    for dev in br0 pvh svh tap0; do
        ip -n "$H" link set "$dev" up
    done
    # Frames the lossy link forwards must be whole: no checksum or segmentation offload.
    ip netns exec "$P" python3 "$E2E_ROOT/tests/e2e/tcp/impair.py" --no-offload pv0
    ip netns exec "$S" python3 "$E2E_ROOT/tests/e2e/tcp/impair.py" --no-offload sv0
    ip netns exec "$H" python3 "$E2E_ROOT/tests/e2e/tcp/impair.py" --no-offload pvh svh
}

teardown() {
    local pid
    # Only the processes this test started, by their ids.
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    local ns
    for ns in "${H:-}" "${P:-}" "${S:-}"; do
        [[ -n $ns ]] || continue
        # Whatever still runs inside the test's own namespaces (a peer started through a shell
        # function is a child of the recorded subshell, not the recorded process itself).
        ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
}

# link clean|lossy SUBJECT_PORT: joins the peer's port and the subject's (tap0 or svh).
link() {
    if [[ $1 == clean ]]; then
        # The peer's stack leaves its checksums to the link, as Linux does by default: they
        # reach a tap's guest partial (receive checksum offload).
        ip netns exec "$P" python3 "$E2E_ROOT/tests/e2e/tcp/impair.py" --csum-offload pv0
        ip -n "$H" link set pvh master br0
        ip -n "$H" link set "$2" master br0
    else
        ip netns exec "$H" python3 "$E2E_ROOT/tests/e2e/tcp/impair.py" pvh "$2" --loss 0.05 \
            --dup 0.01 --reorder 0.1 --delay-ms 20 --seed "$BATS_TEST_NUMBER" \
            >"$BATS_TEST_TMPDIR/impair.log" 2>&1 &
        PIDS+=($!)
    fi
}

# subject unikernel|linux LINK APP [ARGS...]: starts APP in the background, on a link of its own;
# its output goes to $BATS_TEST_TMPDIR/subject.log and its process id to SUBJECT_PID.
subject() {
    local kind=$1 quality=$2 app=$3
    shift 3
    if [[ $kind == unikernel ]]; then
        link "$quality" tap0
        "$ATOLL" run "$(image_of "$app")" --netns "$H" --mem "${SUBJECT_MEM:-64M}" \
            --net "tap=tap0,ip=$SUBJECT_IP/24,gw=$PEER_IP" --timeout "$GUEST_TIMEOUT" \
            --append netstat ${SUBJECT_ROOTFS:+--rootfs "$SUBJECT_ROOTFS"} -- "$@" \
            >"$BATS_TEST_TMPDIR/subject.log" 2>&1 &
    else
        link "$quality" svh
        ip netns exec "$S" timeout "$GUEST_TIMEOUT" "$E2E_OUT/$app/$app.linux" "$@" \
            >"$BATS_TEST_TMPDIR/subject.log" 2>&1 &
    fi
    SUBJECT_PID=$!
    PIDS+=("$SUBJECT_PID")
}

# Waits for the subject to exit; sets status and output (its log).
subject_done() {
    local rc=0
    wait "$SUBJECT_PID" || rc=$?
    run cat "$BATS_TEST_TMPDIR/subject.log"
    strip_carriage_returns
    status=$rc
    echo "# subject exit status $status; its output:"
    echo "$output" | grep -v '^ok: ' | head -60
}

# peer SCRIPT [ARGS...]: a peer script in the peer namespace (1,000 connections need the
# descriptors).
peer() {
    ip netns exec "$P" bash -c 'ulimit -n 4096 && exec python3 "$@"' peer \
        "$E2E_ROOT/tests/e2e/tcp/$1" "${@:2}"
}

# peer_server SCRIPT [ARGS...]: starts a peer server in the background (its output in
# $BATS_TEST_TMPDIR/peer.log) and polls, bounded, until it says it listens.
peer_server() {
    ip netns exec "$P" bash -c 'ulimit -n 4096 && exec python3 "$@"' peer \
        "$E2E_ROOT/tests/e2e/tcp/$1" "${@:2}" >"$BATS_TEST_TMPDIR/peer.log" 2>&1 &
    PIDS+=($!)
    local deadline=$((SECONDS + 20))
    until grep -q 'listening on tcp port' "$BATS_TEST_TMPDIR/peer.log"; do
        if ((SECONDS >= deadline)); then
            cat "$BATS_TEST_TMPDIR/peer.log" >&2
            return 1
        fi
        sleep 0.05 # polling the peer's log, bounded by the deadline
    done
}

# digest_of TEXT VERB BYTES: the sha256 of the line "...: VERB BYTES bytes sha256 X" in TEXT.
digest_of() {
    sed -nE "s/^[a-z_]+: $2 $3 bytes (of [^ ]+ )?sha256 ([0-9a-f]{64})$/\\2/p" <<<"$1" | head -1
}

# bulk KIND LINK MB: the subject serves two connections, the peer gets MB MiB, then puts MB MiB.
bulk() {
    local bytes=$(($3 * 1048576)) got put
    subject "$1" "$2" tcp_bulk serve 5001 2
    run peer bulk_peer.py get "$SUBJECT_IP" 5001 "$bytes" --ready 60
    echo "$output"
    assert_status 0
    got="$output"
    run peer bulk_peer.py put "$SUBJECT_IP" 5001 "$bytes" --ready 60
    echo "$output"
    assert_status 0
    put="$output"
    subject_done
    assert_status 0
    local sent received
    sent="$(digest_of "$output" sent "$bytes")"
    received="$(digest_of "$got" received "$bytes")"
    [[ -n $sent && $sent == "$received" ]] || {
        echo "subject sent sha256 '$sent', the peer received '$received'" >&2
        return 1
    }
    sent="$(digest_of "$put" sent "$bytes")"
    received="$(digest_of "$output" received "$bytes")"
    [[ -n $sent && $sent == "$received" ]] || {
        echo "the peer sent sha256 '$sent', the subject received '$received'" >&2
        return 1
    }
    grep -q '^bulk_peer: the peer received the same bytes' <<<"$put"
}

check_lines() {
    grep -E '^(ok|FAIL): |^tcp_(sockets|client): ' <<<"$output" || true
}

@test "tcp_sockets passes in the image over loopback, with the same checks as on Linux" {
    run "$E2E_OUT/tcp_sockets/tcp_sockets.linux"
    echo "$output" | grep -v '^ok: '
    assert_checks_passed tcp_sockets
    local linux_lines
    linux_lines="$(check_lines)"
    local machine
    for machine in $E2E_MACHINES; do
        boot "$machine" tcp_sockets --append netstat
        assert_checks_passed tcp_sockets
        if [[ "$(check_lines)" != "$linux_lines" ]]; then
            diff <(check_lines) <(echo "$linux_lines") >&2 || true
            return 1
        fi
    done
}

@test "sending on a reset connection with SIGPIPE's default action ends the program (141), as on Linux" {
    run "$E2E_OUT/tcp_sockets/tcp_sockets.linux" sigpipe
    assert_status 141
    boot microvm tcp_sockets -- sigpipe
    assert_status 141
    assert_output_contains "program killed by signal 13"
    refute_output_contains "still alive"
}

@test "bulk transfer both ways on a clean link, SHA-256 equal at both ends: unikernel" {
    bulk unikernel clean "$BULK_MB"
    # QEMU's tap offers checksum offload and TSO: the NIC took them and TCP sent large segments.
    # It offers receive checksums too: segments from the peer's stack came with their checksum
    # left undone or verified by the host, and were not summed again.
    assert_output_matches '^atoll: net0: virtio-net \(.*\) mac [0-9a-f:]+ mtu 1500 csum tso rxcsum$'
    assert_output_matches '^atoll: netstat tcp_tx_tso=[1-9][0-9]*$'
    assert_output_matches '^atoll: netstat rx_csum_offload=[1-9][0-9]*$'
}

@test "bulk transfer both ways on a clean link, SHA-256 equal at both ends: Linux binary" {
    bulk linux clean "$BULK_MB"
}

# answer_then_exit KIND [ENDING]: the subject writes an answer, closes without SO_LINGER (ENDING
# nolinger, the default) or not at all (noclose), and returns from main at once. The peer (a small receive buffer) reads nothing until the subject said it sent
# everything, so most of the answer is still queued in the subject when it exits; the peer must
# still get every byte (Linux keeps the orphan going; the unikernel waits for it at exit,
# bounded). Without that the peer would wait for the rest: bounded here.
answer_then_exit() {
    local bytes=$EXIT_ANSWER_BYTES received sent
    subject "$1" clean tcp_bulk serve 5003 1 "${2:-nolinger}"
    run timeout 60 ip netns exec "$P" python3 "$E2E_ROOT/tests/e2e/tcp/bulk_peer.py" get \
        "$SUBJECT_IP" 5003 "$bytes" --ready 60 --rcvbuf 2048 \
        --read-after "$BATS_TEST_TMPDIR/subject.log" "tcp_bulk: sent $bytes bytes"
    echo "$output"
    assert_status 0
    received="$(digest_of "$output" received "$bytes")"
    subject_done
    assert_status 0
    sent="$(digest_of "$output" sent "$bytes")"
    [[ -n $sent && $sent == "$received" ]] || {
        echo "subject sent sha256 '$sent', the peer received '$received'" >&2
        return 1
    }
}

@test "an answer written just before close() and exit reaches the peer in full: unikernel" {
    answer_then_exit unikernel
}

@test "an answer written just before close() and exit reaches the peer in full: Linux binary" {
    answer_then_exit linux
}

# Without close(): the exit closes the connection (FIN after the data), as Linux does for an
# ending process; the peer reads to the end of the stream (bounded: a missing FIN fails).
@test "an answer left open at exit reaches the peer in full, then the end of the stream: unikernel" {
    answer_then_exit unikernel noclose
}

@test "an answer left open at exit reaches the peer in full, then the end of the stream: Linux binary" {
    answer_then_exit linux noclose
}

@test "bulk transfer both ways through loss, duplication, reordering and delay: unikernel" {
    bulk unikernel lossy "$LOSSY_MB"
    cat "$BATS_TEST_TMPDIR/impair.log"
}

@test "bulk transfer both ways through loss, duplication, reordering and delay: Linux binary" {
    bulk linux lossy "$LOSSY_MB"
}

# client_of_linux KIND: the subject gets, puts, and sendfile()s a rootfs file to a Linux server.
client_of_linux() {
    local dir="$BATS_TEST_TMPDIR/rootfs" path
    mkdir -p "$dir/data"
    head -c 3000000 /dev/urandom >"$dir/data/blob"
    local file_sha
    file_sha="$(sha256sum "$dir/data/blob" | cut -d' ' -f1)"
    peer_server bulk_peer.py serve 5002 3
    if [[ $1 == unikernel ]]; then
        path=/data/blob
        SUBJECT_ROOTFS="$dir"
    else
        path="$dir/data/blob"
    fi
    local bytes=$((4 * 1048576))
    # One program run per transfer: get, put, then sendfile of the file.
    local mode arg
    for mode in get put file; do
        arg=$bytes
        [[ $mode == file ]] && arg=$path
        subject "$1" clean tcp_bulk "$mode" "$PEER_IP" 5002 "$arg"
        subject_done
        assert_status 0
        [[ $mode != get ]] && assert_line "tcp_bulk: the peer received the same bytes"
        # The peer bridge is set up once; later runs find the ports already joined.
    done
    run cat "$BATS_TEST_TMPDIR/peer.log"
    echo "$output"
    assert_output_contains "bulk_peer: sent $bytes bytes"
    assert_line "bulk_peer: received 3000000 bytes sha256 $file_sha"
}

@test "the unikernel as a client of a Linux server: get, put, and sendfile from a rootfs file" {
    client_of_linux unikernel
}

@test "the Linux binary as a client of the same Linux server" {
    client_of_linux linux
}

# echo_load KIND: N concurrent connections to the subject's echo server, each verified.
echo_load() {
    SUBJECT_MEM=256M subject "$1" clean tcp_echo -p 7 -n $((CONNS + 1))
    run peer echo_peer.py "$SUBJECT_IP" 7 concurrent "$CONNS" --size 2000 --ready 60 --timeout 300
    echo "$output"
    assert_status 0
    subject_done
    assert_status 0
    assert_line "tcp_echo: $((CONNS + 1)) connections served, $((CONNS * 2000)) bytes echoed"
}

@test "concurrent connections to an echo server, each verified: unikernel" {
    echo_load unikernel
}

@test "concurrent connections to an echo server, each verified: Linux binary" {
    echo_load linux
}

@test "sequential connect/transfer/close cycles leak neither sockets nor memory: unikernel" {
    subject unikernel clean tcp_echo -p 7 -m -n $((CYCLES + 1))
    run peer echo_peer.py "$SUBJECT_IP" 7 cycles "$CYCLES" --size 1000 --ready 60 --timeout 500
    echo "$output"
    assert_status 0
    subject_done
    assert_status 0
    local first last
    first="$(sed -nE 's/^tcp_echo: free memory after ([0-9]+) connections: ([0-9]+) KiB$/\2/p' <<<"$output" | head -1)"
    last="$(sed -nE 's/^tcp_echo: free memory after ([0-9]+) connections: ([0-9]+) KiB$/\2/p' <<<"$output" | tail -1)"
    echo "# free memory after the first tenth: $first KiB, at the end: $last KiB"
    [[ -n $first && -n $last ]]
    # Nothing held per connection survives it: the end is not below the first tenth's level.
    ((last >= first))
}

@test "a SYN flood against the unikernel: a real client still connects within $FLOOD_CONNECT_LIMIT s" {
    command -v hping3 >/dev/null || skip "needs hping3"
    # Connections: 2 before the flood (a readiness probe and a cycle), 4 during it.
    subject unikernel clean tcp_echo -p 7 -n 6
    run peer echo_peer.py "$SUBJECT_IP" 7 cycles 1 --ready 60
    assert_status 0
    # Spoofed sources, as fast as hping3 can, bounded in time.
    ip netns exec "$P" timeout 8 hping3 -S -p 7 --flood --rand-source "$SUBJECT_IP" \
        >"$BATS_TEST_TMPDIR/flood.log" 2>&1 &
    PIDS+=($!)
    local start=$SECONDS
    run peer echo_peer.py "$SUBJECT_IP" 7 cycles 4 --ready 0 --timeout "$FLOOD_CONNECT_LIMIT"
    echo "$output"
    assert_status 0
    echo "# 4 connections during the flood took $((SECONDS - start)) s"
    ((SECONDS - start <= FLOOD_CONNECT_LIMIT))
    subject_done
    assert_status 0
    assert_output_matches '^atoll: netstat tcp_syn_rx=[0-9]+$'
}

# half_close_and_resets KIND: tcp_client against scenario_peer.py.
half_close_and_resets() {
    peer_server scenario_peer.py
    subject "$1" clean tcp_client "$PEER_IP"
    subject_done
    assert_checks_passed tcp_client
    CLIENT_LINES="$(check_lines)"
    local deadline=$((SECONDS + 20))
    until grep -q 'SO_LINGER 0: the client' "$BATS_TEST_TMPDIR/peer.log" &&
        grep -q 'unread data: the client' "$BATS_TEST_TMPDIR/peer.log"; do
        ((SECONDS < deadline)) || break
        sleep 0.1 # polling the peer's log, bounded by the deadline
    done
    run cat "$BATS_TEST_TMPDIR/peer.log"
    echo "$output"
    assert_line "scenario_peer: half-close by the client: read 1000 bytes, answered, closing"
    assert_line "scenario_peer: half-close by the peer: received 'after-eof' after its own FIN"
    assert_line "scenario_peer: unread data: the client's close gave ECONNRESET"
    assert_line "scenario_peer: SO_LINGER 0: the client's close gave ECONNRESET"
}

@test "half-close and resets against a Linux server, as the Linux binary sees them" {
    half_close_and_resets linux
    local linux_lines=$CLIENT_LINES
    teardown
    setup
    half_close_and_resets unikernel
    if [[ $CLIENT_LINES != "$linux_lines" ]]; then
        diff <(echo "$CLIENT_LINES") <(echo "$linux_lines") >&2 || true
        return 1
    fi
}

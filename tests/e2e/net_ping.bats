#!/usr/bin/env bats
# An instance on a tap inside a network namespace the test creates (10.0.3.2/24 through
# `--net tap=tap0,ip=...,gw=...`; the namespace is 10.0.3.1): 1,000 pings of sizes 0..8000 bytes
# (fragmented both ways), ARP both ways, ICMP port unreachable, the netstat counters at exit, and
# hostile frames from scapy while a good client keeps pinging. Nothing touches the host's own
# namespace. Needs root, ip(8), ping(8), /dev/net/tun and python3-scapy; skipped otherwise.

load helpers

INSTANCE_IP=10.0.3.2
INSTANCE_MAC=52:54:00:00:0b:01
PEER_IP=10.0.3.1

setup_file() {
    require_built_tools
    build_app net_wait tests/apps/net_wait.c
}

setup() {
    command -v ping >/dev/null || skip "needs ping(8)"
    tap_namespace_setup ping
    LOG="$BATS_TEST_TMPDIR/instance.log"
    INSTANCE_PID=
}

teardown() {
    if [[ -n ${INSTANCE_PID:-} ]]; then
        # A test failed with the instance running: ask it to quit, so that a failing test shows
        # its counters, and stop it at a deadline otherwise.
        send_quit 2>/dev/null || true
        local deadline=$((SECONDS + 10))
        while kill -0 "$INSTANCE_PID" 2>/dev/null && ((SECONDS < deadline)); do
            sleep 0.05
        done
        kill "$INSTANCE_PID" 2>/dev/null || true
        wait "$INSTANCE_PID" 2>/dev/null || true
        echo "# the instance's console:"
        cat "$LOG"
    fi
    if [[ -n ${NS:-} ]]; then
        ip netns del "$NS" 2>/dev/null || true
    fi
}

in_ns() {
    ip netns exec "$NS" "$@"
}

# wait_for FILE TEXT SECONDS: polls until FILE contains TEXT; fails at the deadline.
wait_for() {
    local deadline=$((SECONDS + $3))
    until grep -q -- "$2" "$1" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            echo "no '$2' in $1 after $3 s:" >&2
            cat "$1" >&2
            return 1
        fi
        sleep 0.05
    done
}

# Boots net_wait in the background on tap0; returns once the program is ready.
start_instance() {
    "$ATOLL" run "$(image_of net_wait)" --timeout "$E2E_TIMEOUT" --netns "$NS" \
        --net "tap=tap0,ip=$INSTANCE_IP/24,gw=$PEER_IP,mac=$INSTANCE_MAC" --append netstat "$@" \
        >"$LOG" 2>&1 &
    INSTANCE_PID=$!
    wait_for "$LOG" "net_wait: ready" 30
}

# Ends the program with a "quit" datagram; sets $status and $output (the console) as boot does.
send_quit() {
    in_ns python3 -c 'import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"quit", (sys.argv[1], 7777))' \
        "$INSTANCE_IP"
}

stop_instance() {
    send_quit
    status=0
    wait "$INSTANCE_PID" || status=$?
    INSTANCE_PID=
    output="$(tr -d '\r' <"$LOG")"
    mapfile -t lines <<<"$output"
    echo "$output"
    echo "# status $status"
}

# counter NAME: the value netstat printed for NAME (0 when it printed none: it prints non-zero ones).
counter() {
    local value
    value="$(sed -n "s/^atoll: netstat $1=\\([0-9]*\\)\$/\\1/p" <<<"$output")"
    echo "${value:-0}"
}

# ping_all SIZE COUNT: COUNT echoes of SIZE bytes from the namespace, every one answered. -w, not
# -W: with -W ping waits only about two round trips for the last replies once some came back, and
# under TCG a reply may well be later than that; -w waits for all of them up to its deadline.
ping_all() {
    local result
    result="$(in_ns ping -n -q -c "$2" -i 0.002 -w 20 -s "$1" "$INSTANCE_IP" 2>&1)" || {
        echo "ping -s $1: $result" >&2
        return 1
    }
    grep -q " $2 received, 0% packet loss" <<<"$result" || {
        echo "ping -s $1: $result" >&2
        return 1
    }
}

@test "ping of sizes 0..8000 all answered; ARP both ways; port unreachable; netstat accounts" {
    # Listens for the program's datagram, which it can only send after resolving our MAC.
    in_ns python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 9999))
print("bound", flush=True)
s.settimeout(30)
print("got", s.recvfrom(64)[0].decode(), flush=True)' "$PEER_IP" >"$BATS_TEST_TMPDIR/peer.log" &
    local peer_pid=$!
    wait_for "$BATS_TEST_TMPDIR/peer.log" bound 10
    start_instance -e "NET_WAIT_PEER=$PEER_IP:9999"
    wait "$peer_pid"
    grep -qx "got hello" "$BATS_TEST_TMPDIR/peer.log"

    # 1,000 echoes: 50 each of sizes around every fragment boundary of a 1500-byte MTU, the
    # extremes, and random ones.
    local sizes=(0 1 7 8 56 1471 1472 1473 1480 2952 2953 4000 5000 7999 8000) size pings=0
    for size in "${sizes[@]}" $((RANDOM % 8001)) $((RANDOM % 8001)) $((RANDOM % 8001)) \
        $((RANDOM % 8001)) $((RANDOM % 8001)); do
        ping_all "$size" 50
        pings=$((pings + 50))
    done
    [[ $pings -eq 1000 ]]

    # Linux learned the instance's MAC (from its ARP); forget it, and the instance must answer.
    in_ns ip neigh show "$INSTANCE_IP" dev tap0 | grep -q "lladdr $INSTANCE_MAC"
    in_ns ip neigh flush dev tap0
    ping_all 56 3
    pings=$((pings + 3))
    in_ns ip neigh show "$INSTANCE_IP" dev tap0 | grep -q "lladdr $INSTANCE_MAC"

    # A closed UDP port: the instance answers ICMP port unreachable, which Linux reports as
    # ECONNREFUSED on the connected socket.
    in_ns python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect((sys.argv[1], 9))
s.settimeout(10)
s.send(b"anyone?")
try:
    s.recv(16)
    sys.exit("an answer from a closed port")
except ConnectionRefusedError:
    print("refused")' "$INSTANCE_IP"

    stop_instance
    assert_status 0
    assert_line "net_wait: quit"
    [[ $(counter icmp_echo_replies) -eq $pings ]]
    [[ $(counter arp_replies_sent) -ge 1 ]]   # it answered Linux's request
    [[ $(counter arp_requests_sent) -ge 2 ]]  # its announcement, then Linux's MAC
    [[ $(counter udp_no_port) -eq 1 ]]
    [[ $(counter icmp_unreach_sent) -eq 1 ]]
    # Every echo request larger than one frame came in fragments and went out in fragments.
    [[ $(counter frag_reassembled) -ge 50 ]]
    [[ $(counter frag_tx) -ge 50 ]]
    [[ $(counter ip_bad_checksum) -eq 0 && $(counter frag_overlap) -eq 0 ]]
}

@test "hostile frames are dropped and counted while a good client's pings are all answered" {
    if ! /usr/bin/python3 -c 'import scapy' 2>/dev/null; then
        skip "needs python3-scapy"
    fi
    # The namespace may send the 1600-byte frames; the good client's pings stay small.
    ip -n "$NS" link set tap0 mtu 2000
    start_instance
    in_ns ping -n -q -c 100 -i 0.02 -w 20 -s 56 "$INSTANCE_IP" >"$BATS_TEST_TMPDIR/ping.log" 2>&1 &
    local ping_pid=$!
    in_ns "$E2E_ROOT/tests/e2e/net_hostile.py" tap0 "$INSTANCE_MAC" "$INSTANCE_IP" "$PEER_IP" 5 \
        >"$BATS_TEST_TMPDIR/expect" 2>&1 || {
        cat "$BATS_TEST_TMPDIR/expect" >&2
        return 1
    }
    wait "$ping_pid" || { cat "$BATS_TEST_TMPDIR/ping.log"; return 1; }
    grep -q " 100 received, 0% packet loss" "$BATS_TEST_TMPDIR/ping.log"
    # Still answering afterwards, a fragmented one too (in frames the instance's MTU allows).
    ip -n "$NS" link set tap0 mtu 1500
    ping_all 4000 3

    stop_instance
    assert_status 0
    local name want got total=0
    while read -r _ name want; do
        got="$(counter "$name")"
        echo "# $name: sent $want, counted $got"
        if [[ $name == frag_evicted ]]; then
            ((got >= want)) # at least: each datagram past the 4 slots evicts one
        else
            ((got == want))
        fi
        total=$((total + want))
    done <"$BATS_TEST_TMPDIR/expect"
    [[ $(counter drops_total) -ge $total ]]
    [[ $(counter icmp_echo_replies) -eq 103 ]]
}

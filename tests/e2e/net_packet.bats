#!/usr/bin/env bats
# AF_PACKET sockets and the interface ioctls: net_ifreq checks SIOCGIF* and packet-socket
# semantics on QEMU user networking; packet_bridge joins two network namespaces the test creates
# (one tap each) and Linux pings across it. Nothing is added to the host's own namespace. The
# bridge test needs root, ip(8), busybox and /dev/net/tun; it is skipped otherwise.

load helpers

setup_file() {
    require_built_tools
    build_app net_ifreq tests/apps/net_ifreq.c
    build_app packet_bridge tests/apps/packet_bridge.c
}

teardown() {
    if [[ -n ${RUNNER:-} ]]; then
        kill "$RUNNER" 2>/dev/null || true
        wait "$RUNNER" 2>/dev/null || true
    fi
    if [[ -n ${NS_A:-} ]]; then
        ip netns del "$NS_A" 2>/dev/null || true
        ip netns del "$NS_B" 2>/dev/null || true
    fi
}

@test "SIOCGIF* ioctls and packet sockets report what the instance was booted with" {
    for machine in microvm q35; do
        boot "$machine" net_ifreq --net user,mac=52:54:00:00:0b:01 --net user,mac=52:54:00:00:0b:02 \
            --append "net0=10.0.2.15/24 net0.mtu=1400" \
            -- 52:54:00:00:0b:01 52:54:00:00:0b:02 10.0.2.15 255.255.255.0 1400
        assert_status 0
        assert_output_matches '^net_ifreq: all [0-9]+ checks passed$'
        refute_output_contains "FAIL:"
    done
}

# Namespace A runs QEMU with tap0 (net0) and tap1 (net1); once QEMU holds both, tap1 moves to
# namespace B. A (10.99.0.1) and B (10.99.0.2) share one subnet whose only path is the bridge.
bridge_setup() {
    if [[ $(id -u) -ne 0 || ! -c /dev/net/tun ]] || ! command -v ip >/dev/null ||
        ! command -v busybox >/dev/null; then
        skip "needs root, ip(8), busybox and /dev/net/tun"
    fi
    NS_A="atoll-e2e-pkt-a-$BATS_ROOT_PID-$BATS_TEST_NUMBER"
    NS_B="atoll-e2e-pkt-b-$BATS_ROOT_PID-$BATS_TEST_NUMBER"
    ip netns add "$NS_A"
    ip netns add "$NS_B"
    # No IPv6: its router solicitations would keep the bridge from ever being idle.
    for ns in "$NS_A" "$NS_B"; do
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
            net.ipv6.conf.default.disable_ipv6=1
    done
    ip -n "$NS_A" tuntap add dev tap0 mode tap
    ip -n "$NS_A" tuntap add dev tap1 mode tap
    ip -n "$NS_A" link set tap0 up
    ip -n "$NS_A" link set tap1 up
}

# wait_for_line FILE TEXT SECONDS: polls FILE until it holds TEXT, with a deadline.
wait_for_line() {
    local deadline=$((SECONDS + $3))
    while ! grep -q -- "$2" "$1" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            echo "no '$2' in $1 after $3 s:" >&2
            cat "$1" >&2
            return 1
        fi
        sleep 0.1
    done
}

ping_across_bridge() {
    local machine=$1
    shift
    local log="$BATS_TEST_TMPDIR/bridge-$machine.log"
    "$ATOLL" run "$(image_of packet_bridge)" --machine "$machine" --timeout "$E2E_TIMEOUT" \
        --netns "$NS_A" --net tap=tap0 --net tap=tap1 -- "$@" --idle-exit 1500 >"$log" 2>&1 &
    RUNNER=$!
    wait_for_line "$log" "packet_bridge: net0 (ifindex 1) <-> net1 (ifindex 2)" 30
    ip -n "$NS_A" link set tap1 netns "$NS_B"
    ip -n "$NS_A" addr add 10.99.0.1/24 dev tap0
    ip -n "$NS_B" addr add 10.99.0.2/24 dev tap1
    ip -n "$NS_B" link set tap1 up
    run ip netns exec "$NS_A" busybox ping -c 3 -w 20 10.99.0.2
    echo "$output"
    local ping_status=$status ping_output=$output
    # The bridge ends by itself 1.5 s after the last frame.
    local runner_status=0
    wait "$RUNNER" || runner_status=$?
    RUNNER=
    cat "$log"
    if [[ $ping_status -ne 0 || $ping_output != *"3 packets received"* ]]; then
        echo "ping across the bridge failed (status $ping_status)" >&2
        return 1
    fi
    if [[ $runner_status -ne 0 ]]; then
        echo "the bridge ended with status $runner_status" >&2
        return 1
    fi
    # ARP and ICMP crossed both ways (a late ARP refresh may add frames).
    if ! grep -Eq '^packet_bridge: net0->net1 [1-9][0-9]* frames, net1->net0 [1-9][0-9]* frames' \
        "$log"; then
        echo "the bridge did not report frames crossing both ways" >&2
        return 1
    fi
}

@test "packet_bridge (poll) joins two namespaces: ping crosses it on microvm" {
    bridge_setup
    ping_across_bridge microvm
}

@test "packet_bridge (epoll) joins two namespaces: ping crosses it on q35" {
    bridge_setup
    ping_across_bridge q35 --epoll
}

#!/usr/bin/env bats
# What a TCP round trip costs the unikernel in exits to QEMU (microvm, TCG, virtio-mmio over a tap
# in a namespace the test creates): tcp_echo answers bench/tcprr's 64-byte requests, one
# outstanding, while QEMU's own trace events count the device accesses. Counts, not rates: they do
# not depend on the host's load. Needs root, ip(8), /dev/net/tun, gcc and a QEMU with the trace
# "log" backend (Debian's); skipped otherwise.

load helpers

INSTANCE_IP=10.0.7.2
PEER_IP=10.0.7.1

setup_file() {
    require_built_tools
    build_app tcp_echo tests/apps/tcp_echo.c
    mkdir -p "$E2E_OUT/tcprr"
    if [[ ! -x $E2E_OUT/tcprr/tcprr || $E2E_ROOT/bench/tcprr.c -nt $E2E_OUT/tcprr/tcprr ]]; then
        gcc -std=gnu11 -O2 -o "$E2E_OUT/tcprr/tcprr" "$E2E_ROOT/bench/tcprr.c"
    fi
}

setup() {
    if ! qemu-system-x86_64 -trace help 2>/dev/null | grep -qx virtio_queue_notify; then
        skip "this QEMU has no trace events"
    fi
    tap_namespace_setup tcpexits
}

teardown() {
    tap_namespace_teardown
}

@test "a TCP round trip costs one transmit notification, one interrupt acknowledged without a status read, and no timer re-arm (microvm, TCG)" {
    local trace="$BATS_TEST_TMPDIR/trace.log" wrapper="$BATS_TEST_TMPDIR/qemu"
    printf '%s\n' virtio_queue_notify virtio_mmio_read virtio_mmio_write_offset apic_mem_writel \
        >"$BATS_TEST_TMPDIR/events"
    printf '#!/bin/sh\nexec qemu-system-x86_64 -trace events=%s -D %s "$@"\n' \
        "$BATS_TEST_TMPDIR/events" "$trace" >"$wrapper"
    chmod +x "$wrapper"
    "$ATOLL" run "$(image_of tcp_echo)" --qemu "$wrapper" --machine microvm --timeout 120 \
        --netns "$NS" --net "tap=tap0,ip=$INSTANCE_IP/24" -- -p 7 >"$BATS_TEST_TMPDIR/server.log" 2>&1 &
    SERVER_PID=$!
    run ip netns exec "$NS" "$E2E_OUT/tcprr/tcprr" "$INSTANCE_IP" 7 -s 3 -r "$E2E_TIMEOUT"
    echo "$output"
    assert_status 0
    local trips notifies interrupts device_reads timer_writes
    trips=$(sed -nE 's/.* round_trips=([0-9]+) .*/\1/p' <<<"$output")
    # The counts include the boot and the handshakes: a few dozen, against thousands of trips.
    ((trips >= 500))
    notifies=$(grep -c 'virtio_queue_notify' "$trace" || true)
    interrupts=$(grep -c 'virtio_mmio_write offset 0x64 ' "$trace" || true)
    device_reads=$(grep -c 'virtio_mmio_read' "$trace" || true)
    timer_writes=$(grep -cE 'apic_mem_writel 0x(380|3e0|320) ' "$trace" || true)
    echo "round trips $trips: transmit notifications $notifies, interrupts $interrupts," \
        "device register reads $device_reads, LAPIC timer writes $timer_writes"
    # One notification for the reply (not a second one before the device ran), one interrupt for
    # the request, acknowledged without reading the device's status (register reads are the
    # boot's only), and the retransmission deadline, which only moves later, never re-armed.
    ((notifies * 10 <= trips * 12))
    ((interrupts * 10 <= trips * 12))
    ((interrupts * 10 >= trips * 5))
    ((device_reads * 10 <= trips))
    ((timer_writes * 10 <= trips))
}

#!/usr/bin/env bats
# NIC discovery: virtio-net over MMIO (microvm) and PCI (pc, q35), modern and legacy, attached
# with `atoll run --net`; the kernel names each NIC with its transport, MAC and MTU.

load helpers

setup_file() {
    require_built_tools
    build_app net_nics tests/apps/net_nics.c
}

NIC_LINE='^atoll: net%s: virtio-net \((mmio 0x[0-9a-f]+|pci [0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\) mac %s mtu 1500%s$'

# assert_nic N MAC [legacy]: the kernel named NIC N with that MAC (a modern device unless told).
assert_nic() {
    local suffix=""
    [[ ${3:-} == legacy ]] && suffix=" legacy"
    # shellcheck disable=SC2059 # the pattern is the format
    assert_output_matches "$(printf "$NIC_LINE" "$1" "$2" "$suffix")"
}

# A QEMU that adds global device properties: the runner itself never asks for these.
qemu_with() {
    local wrapper="$BATS_TEST_TMPDIR/qemu-with"
    printf '#!/bin/sh\nexec qemu-system-x86_64 "$@" %s\n' "$*" >"$wrapper"
    chmod +x "$wrapper"
    echo "$wrapper"
}

@test "one user-networking NIC is found on microvm, pc and q35; program arguments stay intact" {
    for machine in microvm pc q35; do
        boot "$machine" net_nics --net user -- one "two words"
        assert_status 0
        assert_nic 0 52:54:00:12:34:56
        refute_output_contains "atoll: net1:"
        assert_line "argc=3"
        assert_line "argv[1]=[one]"
        assert_line "argv[2]=[two words]"
        refute_output_contains "virtio_mmio"
    done
}

@test "two NICs come up as net0 and net1 in --net order, with a given MAC" {
    for machine in microvm q35; do
        boot "$machine" net_nics --net user,fwd=udp:127.0.0.1:0-:53 --net user,mac=52:54:00:ab:cd:02 \
            2>/dev/null || true
        # A host port 0 is refused by the runner before QEMU starts.
        assert_status 125
        boot "$machine" net_nics --net user,fwd=udp:127.0.0.1:15353-:53 \
            --net user,mac=52:54:00:ab:cd:02
        assert_status 0
        assert_nic 0 52:54:00:12:34:56
        assert_nic 1 52:54:00:ab:cd:02
    done
}

@test "four NICs on one instance" {
    boot microvm net_nics --net user --net user --net user --net user,mac=02:00:00:00:00:04
    assert_status 0
    for n in 0 1 2; do
        assert_output_matches "^atoll: net$n: virtio-net "
    done
    assert_nic 3 02:00:00:00:00:04
}

@test "legacy (virtio 0.9) devices on PCI and MMIO" {
    boot pc net_nics --qemu "$(qemu_with -global virtio-net-pci.disable-modern=on)" \
        --net user,mac=52:54:00:00:00:07
    assert_status 0
    assert_nic 0 52:54:00:00:00:07 legacy
    boot microvm net_nics --qemu "$(qemu_with -global virtio-mmio.force-legacy=true)" --net user
    assert_status 0
    assert_nic 0 52:54:00:12:34:56 legacy
}

@test "--net refuses forwards to non-loopback addresses and malformed settings" {
    run "$ATOLL" run "$(image_of net_nics)" --net user,fwd=tcp:0.0.0.0:8080-:80
    assert_status 125
    assert_output_contains "not a loopback address"
    run "$ATOLL" run "$(image_of net_nics)" --net user,mac=zz
    assert_status 125
    assert_output_contains "mac=zz"
    run "$ATOLL" run "$(image_of net_nics)" --net user --netns atoll-e2e-no-such-ns
    assert_status 125
    assert_output_contains "no such network namespace"
}

@test "frames go out and come back: QEMU's user-network gateway answers each NIC's ARP probe" {
    for machine in microvm pc q35; do
        boot "$machine" net_nics --net user --net user,mac=52:54:00:ab:cd:02 -e NET_NICS_SLEEP_MS=200
        assert_status 0
        assert_output_matches '^atoll: net0: link up \(arp reply from 52:55:0a:00:02:02 after [0-9]+ us\)$'
        assert_output_matches '^atoll: net1: link up \(arp reply from 52:55:0a:00:02:02 after [0-9]+ us\)$'
        assert_line "slept 200 ms"
    done
}

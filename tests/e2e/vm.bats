#!/usr/bin/env bats
# The vm runtime: the program's Linux binary in a Debian Linux guest behaves like its image.
# A Debian kernel takes 3-4 s to boot under TCG (8 s without the unpacked vmlinux): few boots.

load helpers

setup_file() {
    require_built_tools
    for path in "$E2E_BUILD/vm/vmlinuz" "$E2E_BUILD/vm/initramfs.cpio.gz"; do
        if [[ ! -f $path ]]; then
            echo "e2e: missing $path: run 'make vm'" >&2
            return 1
        fi
    done
    export ATOLL_VM_DIR="$E2E_BUILD/vm"
    build_app args tests/apps/args.c
    build_app exit_status tests/apps/exit_status.c
    build_app crash_null tests/apps/crash_null.c
    build_app hello apps/hello
}

# Boots an image quietly and keeps only the program's lines (not the kernel's "atoll:" notices).
boot_quietly() {
    local machine=$1 app=$2
    shift 2
    boot "$machine" "$app" --append quiet "$@"
    output="$(grep -v '^atoll: ' <<<"$output" || true)"
}

assert_same_output() {
    if [[ $1 != "$2" ]]; then
        echo "the unikernel and the vm printed different things:" >&2
        diff <(echo "$1") <(echo "$2") >&2 || true
        return 1
    fi
}

@test "args: the vm gives the program the same arguments, environment and argv[0]" {
    local args=(plain "with space" 'dq"uote' 'back\slash' "")
    boot_quietly microvm args -e TEST_A=1 -e "TEST_B=two words" -- "${args[@]}"
    assert_status 0
    local unikernel_output=$output
    boot_quietly microvm args --runtime vm -e TEST_A=1 -e "TEST_B=two words" -- "${args[@]}"
    assert_status 0
    assert_line "argv[0]=args"
    assert_same_output "$unikernel_output" "$output"
}

@test "exit_status: the vm returns the program's status on pc, as the unikernel does" {
    boot pc exit_status --runtime vm -- 42
    assert_status 42
    assert_line "exiting with status 42"
    [[ ${#lines[@]} -eq 1 ]] || {
        echo "expected the program's line only" >&2
        return 1
    }
}

@test "a fault ends the vm with 139 and a malformed command line with 2, as in the unikernel" {
    boot microvm crash_null --runtime vm
    assert_status 139
    boot microvm args --runtime vm --append stack=12Q
    assert_status 2
    assert_line "atoll: boot cmdline: stack=12Q: expected a size like 256K or 4M"
}

@test "--net user: the vm configures eth0 from the same net0= and gw= keys as the unikernel" {
    # busybox (static) stands in for a program: its `ip` shows what the guest configured.
    run "$ATOLL" run --runtime vm --timeout "$E2E_TIMEOUT" /bin/busybox --net user -- \
        sh -c 'ip -4 -o addr && ip route'
    strip_carriage_returns
    echo "$output"
    assert_status 0
    assert_output_matches '^[0-9]+: eth0 +inet 10\.0\.2\.15/24 '
    assert_output_matches '^default via 10\.0\.2\.2 dev eth0'
}

@test "rootfs: the image's embedded files reach the vm, and --rootfs files replace them" {
    boot_quietly microvm hello --runtime vm
    assert_status 0
    assert_line "motd: Welcome to Atoll: this file lives in the image's read-only rootfs."
    local over="$BATS_TEST_TMPDIR/over"
    mkdir -p "$over/etc"
    echo "replaced at run time" >"$over/etc/motd"
    boot_quietly microvm hello --runtime vm --rootfs "$over"
    assert_status 0
    assert_line "motd: replaced at run time"
}

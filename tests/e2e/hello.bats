#!/usr/bin/env bats
# The hello demo: boots on every machine type, honours arguments, environment, kernel keys, 4 MiB.

load helpers

setup_file() {
    require_built_tools
    # Built exactly as the top Makefile builds apps: the folder's rootfs/ comes along by convention.
    build_app hello apps/hello
}

assert_hello_ran() {
    assert_status 0
    assert_line "Hello, world!"
    assert_output_matches '^system: [^ ]+ [^ ]+ \(x86_64\)$'
    assert_output_matches '^time: [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\.[0-9]{3} UTC$'
    assert_output_matches '^slept: [0-9.]+ ms \(asked for 1\.000 ms\)$'
    assert_output_matches '^memory: 64 small blocks and one 256 KiB block allocated, checked'
    assert_line "goodbye"
}

@test "hello boots and runs to the end on microvm, pc and q35" {
    for machine in microvm pc q35; do
        boot "$machine" hello
        assert_hello_ran
        assert_line "argv[0]: \"hello\""
        assert_line "motd: Welcome to Atoll: this file lives in the image's read-only rootfs."
    done
}

@test "hello with KVM (--accel kvm, only where /dev/kvm is usable)" {
    local reason
    reason="$(kvm_unusable_reason)"
    [[ -z $reason ]] || skip "KVM is not usable here: $reason"
    for machine in $E2E_MACHINES; do
        # $ATOLL_ACCEL=tcg would force TCG, so this one test runs without it.
        echo "# atoll run hello --machine $machine --accel kvm (ATOLL_ACCEL unset)"
        run env -u ATOLL_ACCEL "$ATOLL" run "$(image_of hello)" --machine "$machine" --accel kvm \
            --timeout "$E2E_TIMEOUT"
        strip_carriage_returns
        echo "$output"
        assert_hello_ran
        run env -u ATOLL_ACCEL "$ATOLL" run "$(image_of hello)" --machine "$machine" --accel kvm \
            --dry-run
        echo "$output"
        assert_status 0
        assert_output_contains "kvm"
    done
}

@test "hello takes its arguments after -- and its environment from -e" {
    for machine in $E2E_MACHINES; do
        boot "$machine" hello -e GREETING=Howdy -e "HOME=/home/with space" -- Atoll "two words"
        assert_status 0
        assert_line "Howdy, Atoll!"
        assert_line "argc: 3"
        assert_line "argv[1]: \"Atoll\""
        assert_line "argv[2]: \"two words\""
        assert_line "env GREETING: Howdy"
        assert_line "env HOME: /home/with space"
    done
}

@test "hello runs in a 4 MiB guest" {
    for machine in $E2E_MACHINES; do
        boot "$machine" hello --mem 4M
        assert_hello_ran
    done
}

@test "kernel key bootstat prints the boot time to main" {
    for machine in $E2E_MACHINES; do
        boot "$machine" hello --append bootstat
        assert_hello_ran
        assert_output_matches '^atoll: bootstat entry_to_main_us=[0-9]+(\.[0-9]+)? tsc_hz=[0-9]+( |$)'
    done
}

@test "kernel key quiet silences the kernel; strace logs syscalls" {
    for machine in $E2E_MACHINES; do
        boot "$machine" hello --append quiet
        assert_hello_ran
        if grep -q '^atoll:' <<<"$output"; then
            echo "the kernel printed although quiet" >&2
            return 1
        fi
        boot "$machine" hello --append strace
        assert_hello_ran
        # exit_group never returns, so the calls that do return are the ones to look for.
        assert_output_matches '^atoll: .*nanosleep'
        assert_output_matches '^atoll: .*clock_gettime'
    done
}

@test "an unknown kernel key stops the boot with an error naming it" {
    for machine in $E2E_MACHINES; do
        boot "$machine" hello --append "no_such_key=1"
        [[ $status -ne 0 && $status -ne 124 ]]
        assert_output_contains "no_such_key"
        refute_output_contains "Hello, world!"
    done
}

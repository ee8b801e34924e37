#!/usr/bin/env bats
# The event syscalls (poll, select, epoll, eventfd, timerfd): their test programs pass in the
# image on every machine and print the same lines as their Linux binaries; only images that use
# them link the events member.

load helpers

EVENT_PROGRAMS="events_poll events_epoll events_eventfd events_timerfd"
# A regular file the programs poll: inside the image's rootfs, and the same file on the host.
ROOTFS_FILE=/etc/greeting.txt

setup_file() {
    require_built_tools
    local program
    for program in $EVENT_PROGRAMS; do
        build_app "$program" "tests/apps/$program.c" --rootfs "$E2E_ROOT/tests/apps/fs/rootfs"
    done
    build_app hello apps/hello
}

# The check lines of $output (ok/FAIL and the summary), without anything the kernel prints.
check_lines() {
    grep -E '^(ok|FAIL): |^events_[a-z]+: ' <<<"$output" || true
}

@test "event programs pass in the image on every machine" {
    local program machine
    for program in $EVENT_PROGRAMS; do
        for machine in $E2E_MACHINES; do
            boot "$machine" "$program" -- "$ROOTFS_FILE"
            assert_checks_passed "$program"
        done
    done
}

@test "event programs print the same checks on Linux and in the image" {
    local program linux_lines
    for program in $EVENT_PROGRAMS; do
        run "$E2E_OUT/$program/$program.linux" "$E2E_ROOT/tests/apps/fs/rootfs$ROOTFS_FILE"
        echo "$output"
        assert_checks_passed "$program"
        linux_lines="$(check_lines)"
        boot microvm "$program" --append quiet -- "$ROOTFS_FILE"
        assert_status 0
        if [[ "$(check_lines)" != "$linux_lines" ]]; then
            echo "$program: the image and the Linux binary printed different checks:" >&2
            diff <(check_lines) <(echo "$linux_lines") >&2 || true
            return 1
        fi
    done
}

@test "images that use event syscalls link the events member; hello does not and stays small" {
    local program
    for program in $EVENT_PROGRAMS; do
        nm "$E2E_OUT/$program/$program.dbg" | grep -q ' atoll_events_syscalls$'
    done
    run nm "$E2E_OUT/hello/hello.dbg"
    refute_output_contains atoll_events_syscalls
    local size
    size=$(stat -c %s "$(image_of hello)")
    echo "hello image: $size bytes"
    [[ $size -le $((96 * 1024)) ]]
}

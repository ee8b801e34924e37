#!/usr/bin/env bats
# The same object code linked as a static Linux binary behaves like the image: output and status.

load helpers

setup_file() {
    require_built_tools
    build_app args tests/apps/args.c
    build_app exit_status tests/apps/exit_status.c
    build_app malloc_stress tests/apps/malloc_stress.c --mem 32M
    build_app enosys tests/apps/enosys.c
    build_app crash_null tests/apps/crash_null.c
    build_app crash_text tests/apps/crash_text.c
    build_app stack_overflow tests/apps/stack_overflow.c
    build_app abort tests/apps/abort.c
}

linux_binary_of() {
    echo "$E2E_OUT/$1/$1.linux"
}

# run_linux APP [ENV=VALUE...] -- [ARGS]: runs the Linux binary with only the given environment.
run_linux() {
    local app=$1
    shift
    local env_vars=()
    while [[ $# -gt 0 && $1 != -- ]]; do
        env_vars+=("$1")
        shift
    done
    [[ $# -gt 0 ]] && shift
    run env -i "${env_vars[@]}" "$(linux_binary_of "$app")" "$@"
    strip_carriage_returns
}

# The image's output when the kernel keeps quiet, minus any "atoll:" line it still prints (such as
# the one-time notice of an unimplemented syscall), so that only the program speaks.
run_image_quietly() {
    local machine=$1 app=$2
    shift 2
    boot "$machine" "$app" --append quiet "$@"
    output="$(grep -v '^atoll: ' <<<"$output" || true)"
}

assert_same_output() {
    local image_output=$1 linux_output=$2
    if [[ $image_output != "$linux_output" ]]; then
        echo "the image and the Linux binary printed different things:" >&2
        diff <(echo "$image_output") <(echo "$linux_output") >&2 || true
        return 1
    fi
}

@test "args: the image and the Linux binary print the same arguments and environment" {
    local args=(plain "with space" 'dq"uote' 'back\slash' "")
    run_linux args TEST_A=1 "TEST_B=two words" -- "${args[@]}"
    assert_status 0
    # argv[0] is the program's path on Linux and its name in the image.
    local linux_output="${output#*$'\n'}"
    for machine in $E2E_MACHINES; do
        run_image_quietly "$machine" args -e TEST_A=1 -e "TEST_B=two words" -- "${args[@]}"
        assert_status 0
        assert_same_output "${output#*$'\n'}" "$linux_output"
    done
}

@test "exit_status: the same status and output on Linux and in the image" {
    for code in 0 7 255; do
        run_linux exit_status -- "$code"
        assert_status "$code"
        local linux_output=$output
        for machine in $E2E_MACHINES; do
            run_image_quietly "$machine" exit_status -- "$code"
            assert_status "$code"
            assert_same_output "$output" "$linux_output"
        done
    done
}

@test "malloc_stress and enosys print the same lines on Linux and in the image" {
    local app linux_output
    for app in malloc_stress enosys; do
        run_linux "$app" --
        assert_status 0
        linux_output=$output
        for machine in $E2E_MACHINES; do
            run_image_quietly "$machine" "$app"
            assert_status 0
            assert_same_output "$output" "$linux_output"
        done
    done
}

@test "faults end both with the status a shell reports for the signal" {
    local app expected
    for app in crash_null:139 crash_text:139 stack_overflow:139 abort:134; do
        expected=${app#*:}
        app=${app%:*}
        run_linux "$app" --
        assert_status "$expected"
        for machine in $E2E_MACHINES; do
            run_image_quietly "$machine" "$app"
            assert_status "$expected"
        done
    done
}

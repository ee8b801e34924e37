#!/usr/bin/env bats
# The atoll tool's own behaviour: help, clear one-line errors (status 125), --timeout (status 124).

load helpers

setup_file() {
    require_built_tools
    build_app hang tests/apps/hang.c
}

# The runner's own failure: status 125, nothing on stdout, exactly one non-empty line on stderr.
assert_one_line_error() {
    assert_status 125
    if [[ -n $output ]]; then
        echo "expected nothing on stdout, got: $output" >&2
        return 1
    fi
    if [[ ${#stderr_lines[@]} -ne 1 || -z ${stderr_lines[0]} ]]; then
        echo "expected one line on stderr, got ${#stderr_lines[@]}: $stderr" >&2
        return 1
    fi
}

@test "atoll run --help exits 0 and documents --mem" {
    run --separate-stderr "$ATOLL" run --help
    echo "$output"
    assert_status 0
    assert_output_contains "--mem"
    assert_output_contains "--timeout"
}

@test "a missing image: status 125 and a one-line error naming it" {
    run --separate-stderr "$ATOLL" run "$BATS_TEST_TMPDIR/no-such.img"
    echo "$stderr"
    assert_one_line_error
    [[ ${stderr_lines[0]} == *no-such.img* ]]
}

@test "a file that is not an image: status 125 and a one-line error" {
    echo "not an ELF file" >"$BATS_TEST_TMPDIR/bogus.img"
    run --separate-stderr "$ATOLL" run "$BATS_TEST_TMPDIR/bogus.img"
    echo "$stderr"
    assert_one_line_error
}

@test "bad options: status 125 and a one-line error" {
    local bad
    for bad in "--machine nosuch" "--accel nosuch" "--mem lots" "--timeout never" "--no-such-option"; do
        # shellcheck disable=SC2086 # each entry is an option and its value
        run --separate-stderr "$ATOLL" run "$(image_of hang)" $bad
        echo "# atoll run hang.img $bad -> $status: $stderr"
        assert_one_line_error
    done
}

@test "--timeout stops a guest that never exits: status 124" {
    for machine in $E2E_MACHINES; do
        E2E_TIMEOUT=2 boot "$machine" hang
        assert_status 124
        assert_line "sleeping forever"
    done
}

@test "atoll build of a missing source fails with a one-line error" {
    run --separate-stderr "$ATOLL" build "$BATS_TEST_TMPDIR/missing.c" -o "$BATS_TEST_TMPDIR/x.img"
    echo "$stderr"
    [[ $status -ne 0 ]]
    [[ ${#stderr_lines[@]} -eq 1 && ${stderr_lines[0]} == *missing.c* ]]
    [[ ! -e $BATS_TEST_TMPDIR/x.img ]]
}

@test "atoll build of a program that does not compile fails and names the file" {
    printf 'int main(void) { return syntax error; }\n' >"$BATS_TEST_TMPDIR/broken.c"
    run --separate-stderr "$ATOLL" build "$BATS_TEST_TMPDIR/broken.c" -o "$BATS_TEST_TMPDIR/b.img"
    echo "$stderr"
    [[ $status -ne 0 ]]
    [[ $stderr == *broken.c* ]]
    [[ ! -e $BATS_TEST_TMPDIR/b.img ]]
}

@test "atoll build takes the recommended memory from PATH/mem; --mem wins; atoll run uses it" {
    mkdir -p "$BATS_TEST_TMPDIR/app"
    printf 'int main(void) { return 0; }\n' >"$BATS_TEST_TMPDIR/app/main.c"
    printf '# what 1,000 connections need\n  48M  # a comment\n\n' >"$BATS_TEST_TMPDIR/app/mem"
    "$ATOLL" build "$BATS_TEST_TMPDIR/app" -o "$BATS_TEST_TMPDIR/m.img"
    run "$ATOLL" run "$BATS_TEST_TMPDIR/m.img" --dry-run
    assert_status 0
    [[ $output == *" -m 48M "* ]]
    "$ATOLL" build "$BATS_TEST_TMPDIR/app" -o "$BATS_TEST_TMPDIR/m2.img" --mem 20M
    run "$ATOLL" run "$BATS_TEST_TMPDIR/m2.img" --dry-run
    [[ $output == *" -m 20M "* ]]
}

@test "atoll build of a folder whose mem file is not one size fails and names file and line" {
    mkdir -p "$BATS_TEST_TMPDIR/app"
    printf 'int main(void) { return 0; }\n' >"$BATS_TEST_TMPDIR/app/main.c"
    for bad in 'lots' '48M 64M' '48M\n64M' '0'; do
        printf "# memory\n$bad\n" >"$BATS_TEST_TMPDIR/app/mem"
        run --separate-stderr "$ATOLL" build "$BATS_TEST_TMPDIR/app" -o "$BATS_TEST_TMPDIR/b.img"
        echo "$bad: $stderr"
        [[ $status -ne 0 ]]
        [[ $stderr == *"app/mem:"[23]": expected one memory size"* ]]
        [[ ! -e $BATS_TEST_TMPDIR/b.img ]]
    done
}

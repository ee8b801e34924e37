#!/usr/bin/env bats
# Faults in the app: the kernel prints a symbolized crash report and the runner returns 139 or 134.

load helpers

setup_file() {
    require_built_tools
    build_app crash_null tests/apps/crash_null.c
    build_app crash_text tests/apps/crash_text.c
    build_app stack_overflow tests/apps/stack_overflow.c
    build_app abort tests/apps/abort.c
}

# A report starts and ends with its markers and names at least one frame of the app's function.
assert_crash_report_names() {
    local function=$1 report
    report="$(crash_report)"
    if [[ -z $report ]]; then
        echo "no crash report between 'atoll: crash:' and 'atoll: end of crash report'" >&2
        return 1
    fi
    assert_line "atoll: end of crash report"
    if ! grep -Eq "pc=0x[0-9a-f]{16} <$function\+0x[0-9a-f]+> \[app\]" <<<"$report"; then
        echo "expected a symbolized frame '<$function+0x...> [app]' in the crash report" >&2
        return 1
    fi
}

@test "a NULL write is reported as a page fault at 0x0 in crash_null, status 139" {
    for machine in $E2E_MACHINES; do
        boot "$machine" crash_null
        assert_status 139
        assert_line "writing to NULL"
        refute_output_contains "still alive"
        assert_crash_report_names crash_null
        grep -qi "page fault" <<<"$(crash_report)" || {
            echo "the report does not say 'page fault'" >&2
            return 1
        }
        # The faulting address, however the report spells it (0x0 or 0x0000000000000000).
        grep -Eqi '(addr|address|cr2)[=: ]+0x0+([^0-9a-f]|$)' <<<"$(crash_report)" || {
            echo "the report does not give the faulting address 0x0" >&2
            return 1
        }
    done
}

@test "a write to the program's own text is a protection fault, status 139" {
    for machine in $E2E_MACHINES; do
        boot "$machine" crash_text
        assert_status 139
        refute_output_contains "still alive"
        assert_crash_report_names crash_text
        grep -qi "write" <<<"$(crash_report)" || {
            echo "the report does not say it was a write" >&2
            return 1
        }
        grep -Eqi "protection|read-only|present" <<<"$(crash_report)" || {
            echo "the report does not say the page was protected" >&2
            return 1
        }
    done
}

@test "unbounded recursion hits the stack guard page, status 139" {
    for machine in $E2E_MACHINES; do
        boot "$machine" stack_overflow
        assert_status 139
        assert_line "recursing without bound"
        refute_output_contains "still alive"
        assert_output_matches "^atoll: crash:"
        grep -Eqi "guard page|stack overflow" <<<"$(crash_report)" || {
            echo "the report does not mention the guard page or a stack overflow" >&2
            return 1
        }
    done
}

@test "abort() ends the guest with status 134" {
    for machine in $E2E_MACHINES; do
        boot "$machine" abort
        assert_status 134
        assert_line "calling abort"
    done
}

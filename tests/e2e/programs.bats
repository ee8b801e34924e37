#!/usr/bin/env bats
# The test programs of tests/apps: arguments, environment, exit status, files, memory, time, ids.

load helpers

setup_file() {
    require_built_tools
    build_app args tests/apps/args.c
    build_app args_defaults tests/apps/args.c \
        --cmdline 'env.TEST_IMAGE=yes env.TEST_OVERRIDE=image -- one "two words"'
    build_app exit_status tests/apps/exit_status.c
    build_app fs tests/apps/fs --rootfs "$E2E_ROOT/tests/apps/fs/rootfs"
    build_app fs_no_rootfs tests/apps/fs/fs.c
    build_app malloc_stress tests/apps/malloc_stress.c --mem 32M
    build_app mem_exhaust tests/apps/mem_exhaust.c --mem 8M
    build_app time tests/apps/time.c
    build_app random tests/apps/random.c
    build_app uname tests/apps/uname.c
    build_app ids tests/apps/ids.c
    build_app enosys tests/apps/enosys.c
    build_app fork tests/apps/fork.c
}

@test "arguments with spaces, quotes, backslashes and empty ones reach main unchanged" {
    for machine in $E2E_MACHINES; do
        boot "$machine" args -- plain "with space" 'dq"uote' 'back\slash' "" "  padded  "
        assert_status 0
        assert_line "argv[0]=args"
        assert_line "argc=7"
        assert_line "argv[1]=[plain]"
        assert_line "argv[2]=[with space]"
        assert_line 'argv[3]=[dq"uote]'
        assert_line 'argv[4]=[back\slash]'
        assert_line "argv[5]=[]"
        assert_line "argv[6]=[  padded  ]"
        assert_line "envc=0"
    done
}

@test "-e and env.NAME= set the environment; later values win" {
    for machine in $E2E_MACHINES; do
        boot "$machine" args -e TEST_A=1 -e "TEST_B=two words" -e TEST_A=3 --append env.TEST_C=c
        assert_status 0
        assert_line "argc=1"
        assert_line "env TEST_A=3"
        assert_line "env TEST_B=two words"
        assert_line "env TEST_C=c"
        assert_line "envc=3"
    done
}

@test "the image's default command line gives default arguments and environment" {
    for machine in $E2E_MACHINES; do
        boot "$machine" args_defaults
        assert_status 0
        assert_line "argc=3"
        assert_line "argv[1]=[one]"
        assert_line "argv[2]=[two words]"
        assert_line "env TEST_IMAGE=yes"
        assert_line "env TEST_OVERRIDE=image"

        # Boot-time keys override the image's; without -- the default arguments stay.
        boot "$machine" args_defaults -e TEST_OVERRIDE=boot
        assert_status 0
        assert_line "argc=3"
        assert_line "env TEST_IMAGE=yes"
        assert_line "env TEST_OVERRIDE=boot"
        assert_line "envc=2"

        # A boot-time -- replaces the default arguments entirely.
        boot "$machine" args_defaults -- replaced
        assert_status 0
        assert_line "argc=2"
        assert_line "argv[1]=[replaced]"
    done
}

@test "the exit status of main reaches the runner" {
    for machine in $E2E_MACHINES; do
        for code in 0 1 3 42 255; do
            boot "$machine" exit_status -- "$code"
            assert_status "$code"
            assert_line "exiting with status $code"
        done
    done
}

@test "files: read, pread, readv, lseek, fstat, stat, statx, readdir, mmap, errors, paths" {
    for machine in $E2E_MACHINES; do
        boot "$machine" fs
        assert_checks_passed fs
        assert_line "ok: open missing: ENOENT"
        assert_line "ok: open /etc/../etc//greeting.txt"
        assert_line "ok: readdir /dir: 3 of 3 entries, . and .., nothing else"
        assert_line "ok: mapped bytes equal the bytes read"
    done
}

@test "files: a rootfs folder given at run time (--rootfs) serves the same checks" {
    for machine in $E2E_MACHINES; do
        boot "$machine" fs_no_rootfs --rootfs "$E2E_ROOT/tests/apps/fs/rootfs"
        assert_checks_passed fs
    done
}

@test "malloc: many sizes, realloc growth, large mmap blocks, all freed and checked" {
    for machine in $E2E_MACHINES; do
        boot "$machine" malloc_stress
        assert_checks_passed malloc_stress
    done
}

@test "out of memory: mmap, mprotect and malloc fail with ENOMEM, never crash; all comes back" {
    for machine in $E2E_MACHINES; do
        boot "$machine" mem_exhaust
        assert_checks_passed mem_exhaust
    done
}

@test "time: monotonic clock, nanosleep never short, gettimeofday" {
    for machine in $E2E_MACHINES; do
        boot "$machine" time
        assert_checks_passed time
    done
}

@test "getrandom: bytes are non-zero and differ between calls" {
    for machine in $E2E_MACHINES; do
        boot "$machine" random
        assert_checks_passed random
        assert_line "ok: two getrandom calls differ"
    done
}

@test "uname names the system and the machine" {
    for machine in $E2E_MACHINES; do
        boot "$machine" uname
        assert_checks_passed uname
        assert_line "machine=x86_64"
    done
}

@test "getpid, getppid, getuid and friends" {
    for machine in $E2E_MACHINES; do
        boot "$machine" ids
        assert_checks_passed ids
    done
}

@test "an unknown syscall fails with ENOSYS, is logged once, and the program goes on" {
    for machine in $E2E_MACHINES; do
        boot "$machine" enosys
        assert_checks_passed enosys
        assert_line "still running after the unknown syscall"
        # The program calls it three times; the kernel names the number in exactly one line.
        local logged
        logged="$(grep -v -e '^ok: ' -e '^FAIL: ' <<<"$output" | grep -ci 'syscall.*\b400\b' || true)"
        if [[ $logged -ne 1 ]]; then
            echo "expected one kernel line naming syscall 400, found $logged" >&2
            return 1
        fi
    done
}

@test "fork fails with ENOSYS and the program goes on" {
    for machine in $E2E_MACHINES; do
        boot "$machine" fork
        assert_checks_passed fork
        assert_line "still running after fork"
    done
}

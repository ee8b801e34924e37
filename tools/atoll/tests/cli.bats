#!/usr/bin/env bats
# The atoll tool end to end: `atoll run` against the floor kernel and a fake QEMU, `atoll build`
# against the kernel library when it has been built. Run with `make e2e-tools`.

bats_require_minimum_version 1.5.0

TOOL_TESTS="$(cd "$(dirname "$BATS_TEST_FILENAME")" && pwd)"
ROOT="$(cd "$TOOL_TESTS/../../.." && pwd)"
ATOLL="${ATOLL:-$ROOT/build/tools/atoll}"
FLOOR_IMG="${FLOOR_IMG:-$ROOT/build/bench/floor.img}"
FAKE_QEMU="$TOOL_TESTS/fake-qemu.sh"
KERNEL_DIR="${ATOLL_KERNEL_DIR:-$(dirname "$ATOLL")/../kernel}"

setup() {
    export TMPDIR="$BATS_TEST_TMPDIR/tmp"
    mkdir -p "$TMPDIR"
}

# Waits up to 10 s for a file to appear (polling, not sleeping a fixed time).
wait_for_file() {
    local deadline=$((SECONDS + 10))
    while [[ ! -s $1 ]]; do
        ((SECONDS < deadline)) || return 1
        sleep 0.05
    done
}

require_kernel() {
    [[ -f $KERNEL_DIR/libatoll.a && -f $KERNEL_DIR/image.ld ]] ||
        skip "the kernel library is not built (make kernel)"
}

@test "the floor kernel exits 0 and prints nothing on microvm, pc and q35 (TCG)" {
    for machine in microvm pc q35; do
        run --separate-stderr "$ATOLL" run "$FLOOR_IMG" --machine "$machine" --accel tcg --timeout 60
        echo "# $machine: status $status, stdout '$output', stderr '$stderr'"
        [[ $status -eq 0 ]]
        [[ -z $output ]]
        [[ -z $stderr ]]
    done
}

@test "the run leaves no temporary files behind" {
    run "$ATOLL" run "$FLOOR_IMG" --accel tcg --rootfs "$TOOL_TESTS" --timeout 60
    [[ $status -eq 0 ]]
    [[ -z "$(ls -A "$TMPDIR")" ]]
}

@test "--dry-run prints the QEMU command of the contract, shell-quoted" {
    run --separate-stderr env ATOLL_ACCEL= "$ATOLL" run "$FLOOR_IMG" --dry-run --accel tcg \
        --machine pc --mem 16M -e "GREETING=hello world" --append bootstat -- a "b c" 'd"e'
    echo "$output"
    [[ $status -eq 0 ]]
    [[ $output == *"-M pc -accel tcg -cpu max -m 16M -nodefaults -no-user-config -display none -no-reboot"* ]]
    [[ $output == *"-kernel $FLOOR_IMG"* ]]
    [[ $output == *"-append '\"env.GREETING=hello world\" bootstat -- \"a\" \"b c\" \"d\\\"e\"'"* ]]
    [[ $output == *"-device isa-debug-exit,iobase=0xf4,iosize=4"* ]]
    [[ $output == *"-chardev file,id=atollstatus,path=$TMPDIR/atoll-run-XXXXXX/status"* ]]
    [[ $output == *"-device isa-debugcon,iobase=0x4f0,chardev=atollstatus"* ]]
    [[ $output == *"-chardev stdio,id=con,signal=off -serial chardev:con" ]]
    # Nothing was created for a dry run.
    [[ -z "$(ls -A "$TMPDIR")" ]]
}

@test "--dry-run: microvm options, default memory, ATOLL_ACCEL=tcg" {
    run env ATOLL_ACCEL=tcg "$ATOLL" run "$FLOOR_IMG" --dry-run
    echo "$output"
    [[ $status -eq 0 ]]
    [[ $output == *"-M microvm,x-option-roms=off,rtc=on -accel tcg -cpu max -m 5M "* ]]
    [[ $output != *"-append"* ]]
}

@test "--runtime vm: Linux's kernel, its parameters before Atoll's command line, 96M" {
    local dir="$BATS_TEST_TMPDIR/vm"
    mkdir -p "$dir"
    : >"$dir/vmlinuz"
    : >"$dir/initramfs.cpio.gz"
    cp "$FLOOR_IMG" "$BATS_TEST_TMPDIR/prog.linux"
    run env ATOLL_VM_DIR="$dir" "$ATOLL" run --runtime vm "$BATS_TEST_TMPDIR/prog.linux" \
        --dry-run --accel tcg -e A=1 -- x
    echo "$output"
    [[ $status -eq 0 ]]
    [[ $output == *" -m 96M "* ]]
    [[ $output == *" -kernel $dir/vmlinuz "* ]]
    [[ $output =~ "-append 'console=ttyS0 loglevel=1 panic=-1 edd=off tsc_early_khz="[0-9]+" tsc=reliable -- env.A=1 -- \"x\"'" ]]
    # Without the runtime's files: one line saying how to build them.
    run --separate-stderr env ATOLL_VM_DIR="$BATS_TEST_TMPDIR/none" "$ATOLL" run --runtime vm \
        "$BATS_TEST_TMPDIR/prog.linux" --dry-run
    [[ $status -eq 125 ]]
    [[ $stderr == *"run \`make vm\`"* ]]
    run "$ATOLL" run --runtime container "$FLOOR_IMG"
    [[ $status -eq 125 ]]
    [[ $output == *"--runtime container: expected unikernel or vm"* ]]
}

@test "the default memory grows with a --rootfs archive" {
    local big="$BATS_TEST_TMPDIR/big"
    mkdir -p "$big"
    head -c $((6 * 1024 * 1024)) /dev/zero >"$big/blob"
    run "$ATOLL" run "$FLOOR_IMG" --dry-run --accel tcg --rootfs "$big"
    echo "$output"
    [[ $status -eq 0 ]]
    # 1 MiB + a little (image) + 6 MiB and 512 bytes (archive) + 3 MiB, rounded up.
    [[ $output == *" -m 11M "* ]]
    [[ $output == *" -initrd "* ]]
}

@test "the guest's status comes from the status file, not QEMU's own exit status" {
    for code in 0 1 42 255; do
        run --separate-stderr env FAKE_STATUS=$code "$ATOLL" run "$FLOOR_IMG" --qemu "$FAKE_QEMU" \
            --accel tcg
        echo "# $code -> $status: $output / $stderr"
        [[ $status -eq $code ]]
        [[ $output == "guest says hi" ]]
    done
}

@test "crash reports are symbolized from the .dbg beside the image" {
    cp "$FLOOR_IMG" "$BATS_TEST_TMPDIR/x.img"
    cp "$FLOOR_IMG" "$BATS_TEST_TMPDIR/x.dbg"
    run --separate-stderr env FAKE_QEMU_MODE=crash FAKE_PC=0x0000000000100004 \
        "$ATOLL" run "$BATS_TEST_TMPDIR/x.img" --qemu "$FAKE_QEMU" --accel tcg
    echo "$output"
    [[ $status -eq 139 ]]
    [[ ${lines[0]} == "before" ]]
    [[ ${lines[1]} == "atoll: crash: test fault pc=0x0000000000100004 <floor_entry+0x4> [app]" ]]
    [[ ${lines[2]} == "  #0 pc=0x0000000000100004 <floor_entry+0x4> [app]" ]]
    [[ ${lines[3]} == "atoll: end of crash report" ]]
    # Outside a report addresses stay as they are.
    [[ ${lines[4]} == "after pc=0x0000000000100004" ]]
}

@test "the last line of console output comes through without a newline" {
    run env FAKE_QEMU_MODE=partial "$ATOLL" run "$FLOOR_IMG" --qemu "$FAKE_QEMU" --accel tcg
    [[ $status -eq 0 ]]
    [[ $output == "no newline at the end" ]]
}

@test "QEMU ending without a status line: status 125 and a message with QEMU's status" {
    run --separate-stderr env FAKE_QEMU_MODE=nostatus "$ATOLL" run "$FLOOR_IMG" --qemu "$FAKE_QEMU" \
        --accel tcg
    echo "$stderr"
    [[ $status -eq 125 ]]
    [[ $stderr == *"QEMU ended (exit status 0) without a status line"* ]]
}

@test "--timeout kills QEMU and returns 124" {
    run --separate-stderr env FAKE_QEMU_MODE=hang FAKE_QEMU_PIDFILE="$BATS_TEST_TMPDIR/pid" \
        "$ATOLL" run "$FLOOR_IMG" --qemu "$FAKE_QEMU" --accel tcg --timeout 0.5
    echo "$output / $stderr"
    [[ $status -eq 124 ]]
    [[ $output == "hanging" ]]
    [[ $stderr == *"timed out after 0.5 s"* ]]
    ! kill -0 "$(<"$BATS_TEST_TMPDIR/pid")" 2>/dev/null
    [[ -z "$(ls -A "$TMPDIR")" ]]
}

@test "SIGTERM to atoll stops QEMU, removes the temporary files and returns 143" {
    local pidfile="$BATS_TEST_TMPDIR/pid"
    FAKE_QEMU_MODE=hang FAKE_QEMU_PIDFILE="$pidfile" \
        "$ATOLL" run "$FLOOR_IMG" --qemu "$FAKE_QEMU" --accel tcg >"$BATS_TEST_TMPDIR/out" 2>&1 &
    local atoll_pid=$!
    wait_for_file "$pidfile"
    kill -TERM "$atoll_pid"
    local rc=0
    wait "$atoll_pid" || rc=$?
    cat "$BATS_TEST_TMPDIR/out"
    [[ $rc -eq 143 ]]
    ! kill -0 "$(<"$pidfile")" 2>/dev/null
    [[ -z "$(ls -A "$TMPDIR")" ]]
}

@test "runner errors: one line on stderr and status 125" {
    local cases=(
        "$BATS_TEST_TMPDIR/none.img"
        "$FLOOR_IMG --qemu /nonexistent/qemu"
        "$FLOOR_IMG --rootfs /nonexistent/rootfs"
        "$FLOOR_IMG --rootfs $FAKE_QEMU"
        "$FLOOR_IMG --mem 1M"
        "$FLOOR_IMG -e =x"
        "$FLOOR_IMG --timeout 0"
        "$FLOOR_IMG --bogus"
        "$FLOOR_IMG $FLOOR_IMG"
        "--mem"
        ""
    )
    local args
    for args in "${cases[@]}"; do
        # shellcheck disable=SC2086 # each case is a list of words
        run --separate-stderr "$ATOLL" run $args
        echo "# atoll run $args -> $status: $stderr"
        [[ $status -eq 125 ]]
        [[ -z $output ]]
        [[ ${#stderr_lines[@]} -eq 1 && ${stderr_lines[0]} == "atoll run: "* ]]
    done
    run --separate-stderr "$ATOLL" run "$FLOOR_IMG" --qemu /nonexistent/qemu
    [[ $stderr == *"apt-get install qemu-system-x86"* ]]
}

@test "help, version and unknown commands" {
    run "$ATOLL" --help
    [[ $status -eq 0 && $output == *"env.NAME=VALUE"* && $output == *"ATOLL-STATUS exit N"* ]]
    run "$ATOLL" help run
    [[ $status -eq 0 && $output == *"--dry-run"* && $output == *"139"* && $output == *"stack=SIZE"* ]]
    run "$ATOLL" run --help
    [[ $status -eq 0 && $output == *"isa-debug-exit"* ]]
    run "$ATOLL" build --help
    [[ $status -eq 0 && $output == *"--rootfs DIR"* && $output == *"quiet"* ]]
    run "$ATOLL" --version
    [[ $status -eq 0 && $output == "atoll "[0-9]* ]]
    run --separate-stderr "$ATOLL" frobnicate
    [[ $status -eq 2 && ${#stderr_lines[@]} -eq 1 ]]
    run --separate-stderr "$ATOLL" --frobnicate
    [[ $status -eq 2 && ${#stderr_lines[@]} -eq 1 ]]
    run --separate-stderr "$ATOLL" build --frobnicate x.c
    [[ $status -eq 2 && ${#stderr_lines[@]} -eq 1 && $stderr == *"unknown option '--frobnicate'"* ]]
}

@test "build: a folder's sources, skipping rootfs/, build/ and hidden folders; rootfs, cmdline, mem" {
    require_kernel
    local app="$BATS_TEST_TMPDIR/demo"
    mkdir -p "$app/lib" "$app/build" "$app/.git" "$app/rootfs/etc"
    printf '#include "lib/greet.h"\nint main(void) { return greet(); }\n' >"$app/main.c"
    printf 'int greet(void);\n' >"$app/lib/greet.h"
    printf 'int greet(void) { return 3; }\n' >"$app/lib/greet.c"
    for bad in build rootfs .git; do
        printf 'this does not compile\n' >"$app/$bad/bad.c"
    done
    printf 'hello\n' >"$app/rootfs/etc/motd"
    printf 'env.A=1\n-- x\n' >"$app/cmdline"
    run --separate-stderr "$ATOLL" build "$app" -o "$BATS_TEST_TMPDIR/out/demo.img" --mem 48M \
        --target all -v
    echo "$output"
    echo "$stderr"
    [[ $status -eq 0 ]]
    [[ -f $BATS_TEST_TMPDIR/out/demo.img && -f $BATS_TEST_TMPDIR/out/demo.dbg ]]
    [[ -x $BATS_TEST_TMPDIR/out/demo.linux ]]
    [[ $stderr == *"musl-gcc -std=gnu11 -O2 -g -fno-pie -fno-omit-frame-pointer "*" -I$app -c $app/lib/greet.c -o $BATS_TEST_TMPDIR/out/.obj-demo/lib/greet.o"* ]]
    [[ $stderr != *"bad.c"* ]]
    [[ $stderr == *"musl-gcc -static -no-pie -o $BATS_TEST_TMPDIR/out/demo.linux"* ]]
    [[ $stderr == *"objcopy --strip-all $BATS_TEST_TMPDIR/out/demo.dbg $BATS_TEST_TMPDIR/out/demo.img"* ]]
    run "$BATS_TEST_TMPDIR/out/demo.linux"
    [[ $status -eq 3 ]]
    # The note recommends 48 MiB; the image's meta holds name and cmdline; the rootfs is in.
    run readelf -n "$BATS_TEST_TMPDIR/out/demo.img"
    [[ $output == *"Atoll"* ]]
    run "$ATOLL" run "$BATS_TEST_TMPDIR/out/demo.img" --dry-run --accel tcg
    [[ $output == *" -m 48M "* ]]
    run grep -c "070701" "$BATS_TEST_TMPDIR/out/demo.img"
    [[ $output -ge 1 ]]
    run strings "$BATS_TEST_TMPDIR/out/demo.img"
    [[ $output == *"etc/motd"* ]]
    run "$ATOLL" run "$BATS_TEST_TMPDIR/out/demo.img" --accel tcg --timeout 60
    echo "$output"
    [[ $status -eq 3 ]]
}

@test "build: extra source folders named in PATH/sources are compiled and searched for headers" {
    local top="$BATS_TEST_TMPDIR/tree"
    mkdir -p "$top/apps/two" "$top/lib/shared"
    printf '#include "shared.h"\nint main(void) { return shared_value(); }\n' >"$top/apps/two/main.c"
    printf 'int shared_value(void);\n' >"$top/lib/shared/shared.h"
    printf 'int shared_value(void) { return 5; }\n' >"$top/lib/shared/shared.c"
    printf '# code shared with other programs\n../../lib/shared\n' >"$top/apps/two/sources"
    run --separate-stderr "$ATOLL" build "$top/apps/two" -o "$BATS_TEST_TMPDIR/out/two.img" \
        --target linux -v
    echo "$stderr"
    [[ $status -eq 0 ]]
    [[ $stderr == *"-I$top/apps/two/../../lib/shared -c $top/apps/two/../../lib/shared/shared.c -o $BATS_TEST_TMPDIR/out/.obj-two/lib/shared/shared.o"* ]]
    run "$BATS_TEST_TMPDIR/out/two.linux"
    [[ $status -eq 5 ]]
    printf '../missing\n' >"$top/apps/two/sources"
    run --separate-stderr "$ATOLL" build "$top/apps/two" -o "$BATS_TEST_TMPDIR/out/two.img" \
        --target linux
    [[ $status -eq 1 ]]
    [[ $stderr == *"apps/two/sources:1: ../missing is not a folder"* ]]
}

@test "build: fork() is a warning naming the file, an error with --strict" {
    require_kernel
    run --separate-stderr "$ATOLL" build "$ROOT/tests/apps/fork.c" -o "$BATS_TEST_TMPDIR/fork.img" \
        -I "$ROOT/tests/apps" 2>/dev/null
    # -I is not an atoll option: status 2 and nothing built.
    [[ $status -eq 2 ]]
    local app="$BATS_TEST_TMPDIR/forker"
    mkdir -p "$app"
    printf '#include <unistd.h>\nint main(void) { return fork() < 0 ? 0 : 1; }\n' >"$app/forker.c"
    run --separate-stderr "$ATOLL" build "$app" -o "$BATS_TEST_TMPDIR/forker.img"
    echo "$stderr"
    [[ $status -eq 0 ]]
    [[ $stderr == *"atoll build: warning: forker.c calls fork(): Atoll runs one program per image, so fork fails with ENOSYS at run time"* ]]
    [[ -f $BATS_TEST_TMPDIR/forker.img ]]
    run --separate-stderr "$ATOLL" build "$app" -o "$BATS_TEST_TMPDIR/strict.img" --strict
    echo "$stderr"
    [[ $status -eq 1 ]]
    [[ $stderr == *"forker.c calls fork()"* ]]
    [[ ! -e $BATS_TEST_TMPDIR/strict.img ]]
}

@test "build: compile errors show the compiler's messages, then one line naming the file" {
    require_kernel
    printf 'int main(void) { return nope; }\n' >"$BATS_TEST_TMPDIR/broken.c"
    run --separate-stderr "$ATOLL" build "$BATS_TEST_TMPDIR/broken.c" -o "$BATS_TEST_TMPDIR/b.img"
    echo "$stderr"
    [[ $status -eq 1 ]]
    [[ $stderr == *"error: "*"nope"*" undeclared"* ]]
    [[ ${stderr_lines[-1]} == "atoll build: compiling broken.c failed" ]]
}

@test "build: missing kernel library says to run make" {
    printf 'int main(void) { return 0; }\n' >"$BATS_TEST_TMPDIR/ok.c"
    run --separate-stderr env ATOLL_KERNEL_DIR="$BATS_TEST_TMPDIR/nokernel" "$ATOLL" build \
        "$BATS_TEST_TMPDIR/ok.c" -o "$BATS_TEST_TMPDIR/ok.img"
    echo "$stderr"
    [[ $status -eq 1 ]]
    [[ ${#stderr_lines[@]} -eq 1 && $stderr == *"libatoll.a not found: run make"* ]]
    # --target linux needs no kernel.
    run env ATOLL_KERNEL_DIR="$BATS_TEST_TMPDIR/nokernel" "$ATOLL" build "$BATS_TEST_TMPDIR/ok.c" \
        -o "$BATS_TEST_TMPDIR/ok.img" --target linux
    [[ $status -eq 0 && -x $BATS_TEST_TMPDIR/ok.linux && ! -e $BATS_TEST_TMPDIR/ok.img ]]
}

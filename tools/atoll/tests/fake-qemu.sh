#!/bin/bash
# A stand-in for qemu-system-x86_64 in the atoll tool's tests: it finds the status file in its
# arguments and behaves as $FAKE_QEMU_MODE says, so the runner's side can be checked exactly.
set -u
status_file=""
for arg in "$@"; do
    case $arg in
    file,id=atollstatus,path=*) status_file=${arg#file,id=atollstatus,path=} ;;
    esac
done
status_file=${status_file//,,/,}
[[ -n ${FAKE_QEMU_ARGS:-} ]] && printf '%s\n' "$@" >"$FAKE_QEMU_ARGS"

case ${FAKE_QEMU_MODE:-exit} in
exit) # a guest that prints and exits with $FAKE_STATUS
    printf 'guest says hi\n'
    printf 'ATOLL-STATUS exit %s\n' "${FAKE_STATUS:-0}" >"$status_file"
    exit $(((${FAKE_STATUS:-0} << 1 | 1) & 255))
    ;;
crash) # a crash report whose addresses the runner symbolizes
    printf 'before\natoll: crash: test fault pc=%s\n  #0 pc=%s\natoll: end of crash report\n' \
        "$FAKE_PC" "$FAKE_PC"
    printf 'after pc=%s\n' "$FAKE_PC"
    printf 'ATOLL-STATUS crash 139\n' >"$status_file"
    exit 1
    ;;
partial) # output without a final newline must still come through
    printf 'no newline at the end'
    printf 'ATOLL-STATUS exit 0\n' >"$status_file"
    exit 1
    ;;
nostatus) # QEMU ends without the guest saying anything (a triple fault with -no-reboot)
    exit 0
    ;;
hang) # a guest that never ends; the test waits for the pid file before it signals atoll
    printf 'hanging\n'
    echo $$ >"$FAKE_QEMU_PIDFILE"
    exec tail -f /dev/null
    ;;
esac

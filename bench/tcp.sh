#!/usr/bin/env bash
# TCP benchmark: bulk throughput and request/response rate of the same programs
# (tests/apps/tcp_bulk.c, tests/apps/tcp_echo.c) as unikernels, as their Linux binaries in the
# Linux VM on the same QEMU and NIC, and directly in a network namespace; prints a table and
# writes bench/results/tcp-*.csv.
#
#   bench/tcp.sh [--quick] [--seconds N] [--megabytes M] [--machine microvm|pc|q35]
#
# Needs root, ip(8), /dev/net/tun, `make all` and `make vm`. KVM when /dev/kvm is usable, else TCG;
# $ATOLL_ACCEL=kvm|tcg picks it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD="${BUILD:-build}"
ATOLL="$BUILD/tools/atoll"
OUT="$BUILD/bench/tcp"
RR_CLIENT="$BUILD/bench/tcprr"
RESULTS_DIR="bench/results"
GUEST_ADDR=10.78.0.2
TAP_ADDR=10.78.0.1
BULK_PORT=5001
ECHO_PORT=7
# Seconds a server may take to accept its first connection (the Linux VM boots in ~5 s on TCG).
READY_LIMIT=60
RR_GOAL=3     # request/response: unikernel >= 3x the Linux VM
BULK_GOAL=0.8 # bulk: within 20% of the Linux VM or better
WINDOW_CONNS=32

seconds=10
megabytes=64
machine=microvm
while [[ $# -gt 0 ]]; do
    case $1 in
    --quick)
        seconds=3
        megabytes=16
        ;;
    --seconds)
        seconds=${2:?--seconds needs a number}
        shift
        ;;
    --megabytes)
        megabytes=${2:?--megabytes needs a number}
        shift
        ;;
    --machine)
        machine=${2:?--machine needs a name}
        shift
        ;;
    -h | --help)
        sed -n '2,10s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    *)
        echo "tcp.sh: unknown option $1 (try --help)" >&2
        exit 2
        ;;
    esac
    shift
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || {
    echo "tcp.sh: --seconds wants a positive number, not '$seconds'" >&2
    exit 2
}
[[ $megabytes =~ ^[1-9][0-9]*$ ]] || {
    echo "tcp.sh: --megabytes wants a positive number, not '$megabytes'" >&2
    exit 2
}
case $machine in
microvm | pc | q35) ;;
*)
    echo "tcp.sh: --machine must be microvm, pc or q35, not '$machine'" >&2
    exit 2
    ;;
esac
if [[ $(id -u) -ne 0 || ! -c /dev/net/tun ]] || ! command -v ip >/dev/null; then
    echo "tcp.sh: needs root, ip(8) and /dev/net/tun" >&2
    exit 2
fi
[[ -x $ATOLL && -e $BUILD/kernel/libatoll.a ]] || {
    echo "tcp.sh: $ATOLL is missing: run 'make all' first" >&2
    exit 2
}
[[ -e $BUILD/vm/vmlinux || -e $BUILD/vm/vmlinuz ]] || {
    echo "tcp.sh: the Linux VM is missing: run 'make vm' first" >&2
    exit 2
}

# The programs, built by the same command a user runs (image and Linux binary).
mkdir -p "$OUT" "$(dirname "$RR_CLIENT")"
for app in tcp_bulk tcp_echo; do
    if [[ ! -e $OUT/$app.img || tests/apps/$app.c -nt $OUT/$app.img ||
        $BUILD/kernel/libatoll.a -nt $OUT/$app.img ]]; then
        "$ATOLL" build "tests/apps/$app.c" -o "$OUT/$app.img" --target all >/dev/null
    fi
done
if [[ ! -x $RR_CLIENT || bench/tcprr.c -nt $RR_CLIENT ]]; then
    gcc -std=gnu11 -Wall -Wextra -Werror -O2 -o "$RR_CLIENT" bench/tcprr.c
fi
BULK_CLIENT="$OUT/tcp_bulk.linux"

# shellcheck source=bench/accel.sh
source bench/accel.sh
bench_accel tcp.sh "$OUT/tcp_echo.img"

# The namespace holds the tap (the instance's NIC), the clients and the host baseline; nothing is
# added to the host's own namespace. Everything goes at exit, also on errors and Ctrl-C.
NS="atoll-bench-tcp-$$"
SERVER_PID=
LOG_DIR="$(mktemp -d)"
stop_server() {
    if [[ -n $SERVER_PID ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}
cleanup() {
    stop_server
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$LOG_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" tuntap add dev tap0 mode tap
ip -n "$NS" addr add "$TAP_ADDR/24" dev tap0
ip -n "$NS" link set tap0 up

# start_server RUNTIME APP ARGS...: sets SERVER_PID and SERVER_ADDR.
start_server() {
    local runtime=$1 app=$2 limit=$((READY_LIMIT + 4 * seconds + 120))
    shift 2
    case $runtime in
    unikernel | vm)
        "$ATOLL" run --runtime "$runtime" "$OUT/$app.img" --machine "$machine" --netns "$NS" \
            --mem 128M --net "tap=tap0,ip=$GUEST_ADDR/24" --timeout "$limit" -- "$@" \
            >"$LOG_DIR/$runtime-$app.log" 2>&1 &
        SERVER_ADDR=$GUEST_ADDR
        ;;
    host)
        ip netns exec "$NS" timeout "$limit" "$OUT/$app.linux" "$@" \
            >"$LOG_DIR/$runtime-$app.log" 2>&1 &
        SERVER_ADDR=127.0.0.1
        ;;
    esac
    SERVER_PID=$!
}

# bulk MODE: MB/s of one transfer of --megabytes (rawget: the server sends; rawput: it receives).
bulk() {
    local output
    output="$(TCP_BULK_READY=$READY_LIMIT ip netns exec "$NS" timeout $((READY_LIMIT + 300)) \
        "$BULK_CLIENT" "$1" "$SERVER_ADDR" "$BULK_PORT" $((megabytes * 1048576)))" || return 0
    sed -nE 's/^tcp_bulk: (received|sent) [0-9]+ bytes in [0-9.]+ s: ([0-9.]+) MB\/s$/\2/p' \
        <<<"$output"
}

# shellcheck source=bench/cputicks.sh
source bench/cputicks.sh

# rr CONNECTIONS: "RATE CPU_US": round trips per second of 64-byte requests, one outstanding per
# connection, and the server's CPU time per round trip (for QEMU: all its threads, the vCPU and the
# I/O thread), which the other load on the host disturbs less than the rate. A first second, not
# counted, waits for the server and warms it up.
rr() {
    local output ticks0 ticks1 trips
    ip netns exec "$NS" "$RR_CLIENT" "$SERVER_ADDR" "$ECHO_PORT" -c "$1" -s 1 -r "$READY_LIMIT" \
        >/dev/null || return 0
    ticks0=$(tree_ticks "$SERVER_PID")
    output="$(ip netns exec "$NS" "$RR_CLIENT" "$SERVER_ADDR" "$ECHO_PORT" -c "$1" -s "$seconds" \
        -r "$READY_LIMIT")" || return 0
    ticks1=$(tree_ticks "$SERVER_PID")
    trips=$(sed -E 's/.* round_trips=([0-9]+) .*/\1/' <<<"$output")
    ((trips > 0)) || return 0
    echo "$(sed -E 's/.* rate=([0-9.]+)$/\1/' <<<"$output") $(cpu_us_per $((ticks1 - ticks0)) "$trips")"
}

mkdir -p "$RESULTS_DIR"
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
csv="$RESULTS_DIR/tcp-$stamp.csv"
echo "date,accelerator,machine,runtime,metric,value,unit,seconds,megabytes,goal,goal_met" >"$csv"
declare -A metric_name=(
    [get]="bulk, server sends $megabytes MiB"
    [put]="bulk, server receives $megabytes MiB"
    [rr]="request/response, 1 connection, 64 B"
    [window]="request/response, $WINDOW_CONNS connections, 64 B"
    [rr_cpu]="server CPU per request, 1 connection"
    [window_cpu]="server CPU per request, $WINDOW_CONNS connections"
)
declare -A unit=([get]=MB/s [put]=MB/s [rr]=req/s [window]=req/s [rr_cpu]=us [window_cpu]=us)

printf '%-44s %-15s %-9s %-4s %16s  %-8s %s\n' metric runtime machine accel value goal met
record() {
    local runtime=$1 metric=$2 value=$3 unit=$4 goal=$5 met=$6 where=$machine
    [[ $runtime == host ]] && where=namespace
    printf '%-44s %-15s %-9s %-4s %16s  %-8s %s\n' "$metric" "$runtime" "$where" "$ACCEL_NAME" \
        "$value $unit" "$goal" "$met"
    echo "$stamp,$ACCEL_NAME,$where,$runtime,\"$metric\",$value,$unit,$seconds,$megabytes,\"$goal\",$met" \
        >>"$csv"
}

declare -A value
for runtime in unikernel vm host; do
    start_server "$runtime" tcp_bulk serve "$BULK_PORT" 2
    for kind in get put; do
        value[$runtime.$kind]="$(bulk "raw$kind")"
        record "$runtime" "${metric_name[$kind]}" "${value[$runtime.$kind]:--}" "${unit[$kind]}" - -
    done
    stop_server
    start_server "$runtime" tcp_echo -p "$ECHO_PORT"
    read -r value[$runtime.rr] value[$runtime.rr_cpu] <<<"$(rr 1)" || true
    read -r value[$runtime.window] value[$runtime.window_cpu] <<<"$(rr "$WINDOW_CONNS")" || true
    for kind in rr rr_cpu window window_cpu; do
        record "$runtime" "${metric_name[$kind]}" "${value[$runtime.$kind]:--}" "${unit[$kind]}" - -
    done
    stop_server
    for kind in get put rr window; do
        if [[ -z ${value[$runtime.$kind]} ]]; then
            echo "tcp.sh: $runtime: a measurement failed; the server's output:" >&2
            cat "$LOG_DIR/$runtime"-*.log | sed 's/^/  /' >&2
            break
        fi
    done
done

ratio() {
    [[ -n $1 && -n $2 ]] || {
        echo -
        return
    }
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}
for kind in get put rr window; do
    goal=$BULK_GOAL
    [[ $kind == rr || $kind == window ]] && goal=$RR_GOAL
    r="$(ratio "${value[unikernel.$kind]}" "${value[vm.$kind]}")"
    met=-
    [[ $r != - ]] && met="$(awk -v r="$r" -v g="$goal" 'BEGIN { print (r >= g ? "yes" : "no") }')"
    record unikernel/vm "${metric_name[$kind]}" "$r" x ">= ${goal}x" "$met"
    record unikernel/host "${metric_name[$kind]}" "$(ratio "${value[unikernel.$kind]}" "${value[host.$kind]}")" x - -
done
for kind in rr_cpu window_cpu; do # lower is better: the Linux VM's CPU per request over ours
    record vm/unikernel "${metric_name[$kind]}" "$(ratio "${value[vm.$kind]}" "${value[unikernel.$kind]}")" x - -
done
echo "CSV: $csv"

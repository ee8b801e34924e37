#!/usr/bin/env bash
# UDP echo benchmark: udpecho as a unikernel, as udpecho.linux in the Linux VM on the same QEMU and
# NIC, and directly in a network namespace; prints a table, writes bench/results/udp-*.csv.
#
#   bench/udp.sh [--quick] [--seconds N] [--window W] [--machine microvm|pc|q35]
#
# Needs root, ip(8), /dev/net/tun, `make all` and `make vm`. KVM when /dev/kvm is usable, else TCG;
# $ATOLL_ACCEL=kvm|tcg picks it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD="${BUILD:-build}"
ATOLL="$BUILD/tools/atoll"
IMAGE="$BUILD/udpecho/udpecho.img"
LINUX_BINARY="$BUILD/udpecho/udpecho.linux"
CLIENT="$BUILD/bench/udpclient"
RESULTS_DIR="bench/results"
PORT=7
GUEST_ADDR=10.77.0.2
TAP_ADDR=10.77.0.1
# Seconds a server may take to answer its first datagram (the Linux VM boots in ~5 s under TCG).
READY_LIMIT=60
# Most replies one measurement counts: it stops at this count or after --seconds, whichever first.
MAX_REPLIES=2000000
GOAL_RATIO=3

seconds=10
window=32
machine=microvm
while [[ $# -gt 0 ]]; do
    case $1 in
    --quick) seconds=3 ;;
    --seconds)
        seconds=${2:?--seconds needs a number}
        shift
        ;;
    --window)
        window=${2:?--window needs a number}
        shift
        ;;
    --machine)
        machine=${2:?--machine needs a name}
        shift
        ;;
    -h | --help)
        sed -n '2,8s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    *)
        echo "udp.sh: unknown option $1 (try --help)" >&2
        exit 2
        ;;
    esac
    shift
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || {
    echo "udp.sh: --seconds wants a positive number, not '$seconds'" >&2
    exit 2
}
[[ $window =~ ^[1-9][0-9]*$ && $window -le 1024 ]] || {
    echo "udp.sh: --window wants a number from 1 to 1024, not '$window'" >&2
    exit 2
}
case $machine in
microvm | pc | q35) ;;
*)
    echo "udp.sh: --machine must be microvm, pc or q35, not '$machine'" >&2
    exit 2
    ;;
esac

if [[ $(id -u) -ne 0 || ! -c /dev/net/tun ]] || ! command -v ip >/dev/null; then
    echo "udp.sh: needs root, ip(8) and /dev/net/tun" >&2
    exit 2
fi
for needed in "$ATOLL" "$IMAGE" "$LINUX_BINARY"; do
    [[ -e $needed ]] || {
        echo "udp.sh: $needed is missing: run 'make all' first" >&2
        exit 2
    }
done
[[ -e $BUILD/vm/vmlinux || -e $BUILD/vm/vmlinuz ]] || {
    echo "udp.sh: the Linux VM is missing: run 'make vm' first" >&2
    exit 2
}
mkdir -p "$(dirname "$CLIENT")"
if [[ ! -x $CLIENT || bench/udpclient.c -nt $CLIENT ]]; then
    gcc -std=gnu11 -Wall -Wextra -Werror -O2 -o "$CLIENT" bench/udpclient.c
fi

# shellcheck source=bench/accel.sh
source bench/accel.sh
bench_accel udp.sh "$IMAGE"

# The namespace holds the tap (the instance's NIC), the client and the host baseline; nothing is
# added to the host's own namespace. Everything goes at exit, also on errors and Ctrl-C.
NS="atoll-bench-udp-$$"
SERVER_PID=
LOG_DIR="$(mktemp -d)"
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

# Only the server this script started, by its process id.
stop_server() {
    if [[ -n $SERVER_PID ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}

# start_server RUNTIME: starts udpecho in the background; sets SERVER_PID and SERVER_ADDR.
start_server() {
    local runtime=$1 limit=$((READY_LIMIT + 3 * seconds + 30))
    case $runtime in
    unikernel | vm)
        "$ATOLL" run --runtime "$runtime" "$IMAGE" --machine "$machine" --netns "$NS" \
            --net "tap=tap0,ip=$GUEST_ADDR/24" --timeout "$limit" -- -p "$PORT" \
            >"$LOG_DIR/$runtime.log" 2>&1 &
        SERVER_ADDR=$GUEST_ADDR
        ;;
    host)
        ip netns exec "$NS" timeout "$limit" "$LINUX_BINARY" -p "$PORT" \
            >"$LOG_DIR/$runtime.log" 2>&1 &
        SERVER_ADDR=127.0.0.1
        ;;
    esac
    SERVER_PID=$!
}

# measure WINDOW: runs the client in the namespace; prints "RATE LOST", or nothing on failure.
measure() {
    local output
    output="$(ip netns exec "$NS" "$CLIENT" "$SERVER_ADDR" "$PORT" -w "$1" -s "$seconds" \
        -n "$MAX_REPLIES" -b 64 -r "$READY_LIMIT")" || return 0
    sed -E 's/.* rate=([0-9.]+) lost=([0-9]+)$/\1 \2/' <<<"$output"
}

mkdir -p "$RESULTS_DIR"
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
csv="$RESULTS_DIR/udp-$stamp.csv"
echo "date,accelerator,machine,runtime,metric,value,unit,seconds,lost,goal,goal_met" >"$csv"
rr_metric="request/response, 1 outstanding, 64 B"
window_metric="throughput, $window outstanding, 64 B"

printf '%-40s %-15s %-9s %-4s %16s %7s  %-6s %s\n' metric runtime machine accel value lost goal met
# record RUNTIME METRIC VALUE UNIT LOST GOAL MET: one table row and one CSV row.
record() {
    local runtime=$1 metric=$2 value=$3 unit=$4 lost=$5 goal=$6 met=$7 where=$machine
    [[ $runtime == host ]] && where=namespace
    printf '%-40s %-15s %-9s %-4s %16s %7s  %-6s %s\n' "$metric" "$runtime" "$where" \
        "$ACCEL_NAME" "$value $unit" "$lost" "$goal" "$met"
    echo "$stamp,$ACCEL_NAME,$where,$runtime,\"$metric\",$value,$unit,$seconds,$lost,\"$goal\",$met" \
        >>"$csv"
}

declare -A rate
for runtime in unikernel vm host; do
    start_server "$runtime"
    for kind in rr window; do
        if [[ $kind == rr ]]; then depth=1 metric=$rr_metric; else depth=$window metric=$window_metric; fi
        result="$(measure "$depth")"
        if [[ -z $result ]]; then
            echo "udp.sh: $runtime: no echo within $READY_LIMIT s; its output:" >&2
            sed 's/^/  /' "$LOG_DIR/$runtime.log" >&2
            rate[$runtime.$kind]=
            record "$runtime" "$metric" "-" "" "-" "-" "-"
            continue
        fi
        read -r value lost <<<"$result"
        rate[$runtime.$kind]=$value
        record "$runtime" "$metric" "$value" "req/s" "$lost" "-" "-"
    done
    stop_server
done

# ratio A B: A's rate over B's, two decimals, or "-" when either is missing.
ratio() {
    [[ -n $1 && -n $2 ]] || {
        echo -
        return
    }
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}
for kind in rr window; do
    if [[ $kind == rr ]]; then metric=$rr_metric; else metric=$window_metric; fi
    value="$(ratio "${rate[unikernel.$kind]}" "${rate[vm.$kind]}")"
    met=-
    [[ $value != - ]] && met="$(awk -v r="$value" -v g="$GOAL_RATIO" 'BEGIN { print (r >= g ? "yes" : "no") }')"
    record unikernel/vm "$metric" "$value" x - ">= ${GOAL_RATIO}x" "$met"
    value="$(ratio "${rate[unikernel.$kind]}" "${rate[host.$kind]}")"
    record unikernel/host "$metric" "$value" x - - -
done
echo "CSV: $csv"

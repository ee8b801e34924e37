#!/usr/bin/env bash
# Instructions the TCP stack spends per byte (bulk transfer each way) and per request (64-byte
# request/response), counted by valgrind's callgrind on the host build of the stack driving a
# scripted peer over the simulated link: deterministic, no virtualisation. Prints a table and
# writes bench/results/tcp-callgrind-<date>.csv.
#
#   bench/tcp_callgrind.sh [--quick] [--bytes N] [--requests N]
#
# Only the stack's entry points are counted (net_rx, net_poll, tcp_send, tcp_recv, minus the
# simulated NIC's frame capture), not the peer that crafts and parses segments. References in the
# same run: for bytes, one memcpy and one Internet checksum pass over the same bytes (the floor of
# a copying stack); for requests, the same 64-byte exchange over UDP through the same stack.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD="${BUILD:-build}"
RESULTS_DIR="bench/results"
DRIVER="$BUILD/bench/tcp_callgrind"

bytes=$((16 * 1024 * 1024))
requests=20000
while [[ $# -gt 0 ]]; do
    case $1 in
    --quick)
        bytes=$((2 * 1024 * 1024))
        requests=2000
        ;;
    --bytes)
        bytes=${2:?--bytes needs a number}
        shift
        ;;
    --requests)
        requests=${2:?--requests needs a number}
        shift
        ;;
    -h | --help)
        sed -n '2,11s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    *)
        echo "tcp_callgrind.sh: unknown option $1 (try --help)" >&2
        exit 2
        ;;
    esac
    shift
done
for n in "$bytes" "$requests"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || {
        echo "tcp_callgrind.sh: sizes must be positive numbers, not '$n'" >&2
        exit 2
    }
done
command -v valgrind >/dev/null || {
    echo "tcp_callgrind.sh: needs valgrind (scripts/install-deps.sh installs it)" >&2
    exit 1
}

# The stack as the unit tests build it, optimised as the kernel is (-O2 rather than -Os, since
# gcc's host -Os differs; no sanitizers, which would dominate the counts).
# (tests/unit/unit.mk's NET_STACK_SRCS: kernel/net without the kernel-only socket files).
stack_srcs=()
for f in kernel/net/*.c; do
    case ${f##*/} in
    socket*.c | udp_socket.c | packet*.c | ifreq.c | tcp_socket*.c) ;;
    *) stack_srcs+=("$f") ;;
    esac
done
mkdir -p "$(dirname "$DRIVER")" "$RESULTS_DIR"
gcc -DATOLL_HOST -Ikernel/include -std=gnu11 -O2 -g -fno-omit-frame-pointer -Wall -Wextra \
    -o "$DRIVER" bench/tcp_callgrind.c "${stack_srcs[@]}" kernel/lib/format.c -lcmocka

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Runs one workload under callgrind; prints the instructions counted.
count() {
    local mode=$1 amount=$2 toggles=()
    if [[ $mode == floor ]]; then
        toggles=(--toggle-collect=floor_pass)
    else
        toggles=(--toggle-collect=net_rx --toggle-collect=net_poll --toggle-collect=tcp_send
            --toggle-collect=tcp_recv --toggle-collect=udp_peek --toggle-collect=udp_copy_at
            --toggle-collect=udp_pop --toggle-collect=udp_sendv --toggle-collect=sim_tx)
    fi
    timeout 1200 valgrind --tool=callgrind --collect-atstart=no "${toggles[@]}" \
        --callgrind-out-file="$tmp/$mode.out" "$DRIVER" "$mode" "$amount" \
        >"$tmp/$mode.log" 2>&1 || {
        echo "tcp_callgrind.sh: $mode failed:" >&2
        tail -n 20 "$tmp/$mode.log" >&2
        exit 1
    }
    awk '/^(summary|totals):/ {print $2; exit}' "$tmp/$mode.out"
}

echo "tcp_callgrind: host build of the stack under valgrind callgrind (no virtualisation)"
floor=$(count floor "$bytes")
send=$(count bulk-send "$bytes")
recv=$(count bulk-recv "$bytes")
rr=$(count rr "$requests")
udp_rr=$(count udp-rr "$requests")

per() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
floor_pb=$(per "$floor" "$bytes")
send_pb=$(per "$send" "$bytes")
recv_pb=$(per "$recv" "$bytes")
rr_pr=$(per "$rr" "$requests")
udp_pr=$(per "$udp_rr" "$requests")

date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
csv="$RESULTS_DIR/tcp-callgrind-$(date -u +%Y%m%d-%H%M%S).csv"
{
    echo "date,virtualisation,workload,amount,unit,instructions,per_unit,ratio_to_reference"
    echo "$date,none (host callgrind),floor copy+checksum,$bytes,byte,$floor,$floor_pb,1.00"
    echo "$date,none (host callgrind),bulk send,$bytes,byte,$send,$send_pb,$(per "$send_pb" "$floor_pb")"
    echo "$date,none (host callgrind),bulk receive,$bytes,byte,$recv,$recv_pb,$(per "$recv_pb" "$floor_pb")"
    echo "$date,none (host callgrind),UDP request/response 64 B,$requests,request,$udp_rr,$udp_pr,1.00"
    echo "$date,none (host callgrind),request/response 64 B,$requests,request,$rr,$rr_pr,$(per "$rr_pr" "$udp_pr")"
} >"$csv"

printf '%-26s %14s %12s %10s\n' workload instructions per-unit "x ref"
printf '%-26s %14s %12s %10s\n' "floor: copy + checksum" "$floor" "$floor_pb/B" 1.00
printf '%-26s %14s %12s %10s\n' "bulk send ($bytes B)" "$send" "$send_pb/B" "$(per "$send_pb" "$floor_pb")"
printf '%-26s %14s %12s %10s\n' "bulk receive ($bytes B)" "$recv" "$recv_pb/B" "$(per "$recv_pb" "$floor_pb")"
printf '%-26s %14s %12s %10s\n' "UDP req/resp ($requests)" "$udp_rr" "$udp_pr/req" 1.00
printf '%-26s %14s %12s %10s\n' "TCP req/resp ($requests)" "$rr" "$rr_pr/req" "$(per "$rr_pr" "$udp_pr")"
echo "CSV: $csv"

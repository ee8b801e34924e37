#!/usr/bin/env bash
# Boot benchmark: hello's image size, guest time to main, boot-to-exit wall time against an empty
# kernel's floor, and the least memory hello runs in. Prints a table; writes bench/results/boot-*.csv.
#
#   bench/boot.sh [--quick] [--runs N] [--machines "microvm pc"]
#
# The accelerator is KVM when /dev/kvm is usable, else TCG; $ATOLL_ACCEL=kvm|tcg picks it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD="${BUILD:-build}"
ATOLL="$BUILD/tools/atoll"
HELLO="$BUILD/hello/hello.img"
FLOOR="$BUILD/bench/floor.img"
RESULTS_DIR="bench/results"

runs=20
machines="microvm pc"
while [[ $# -gt 0 ]]; do
    case $1 in
    --quick) runs=5 ;;
    --runs)
        runs=${2:?--runs needs a number}
        shift
        ;;
    --machines)
        machines=${2:?--machines needs a list}
        shift
        ;;
    -h | --help)
        sed -n '2,7s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    *)
        echo "boot.sh: unknown option $1 (try --help)" >&2
        exit 2
        ;;
    esac
    shift
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || {
    echo "boot.sh: --runs wants a positive number, not '$runs'" >&2
    exit 2
}

for needed in "$ATOLL" "$HELLO"; do
    [[ -e $needed ]] || {
        echo "boot.sh: $needed is missing: run 'make all' first" >&2
        exit 2
    }
done

kvm_usable() {
    [[ -r /dev/kvm && -w /dev/kvm ]] &&
        python3 -c 'import fcntl, os; fcntl.ioctl(os.open("/dev/kvm", os.O_RDWR), 0xAE01, 0)' \
            2>/dev/null
}

case ${ATOLL_ACCEL:-auto} in
kvm | tcg) accel=$ATOLL_ACCEL ;;
auto) if kvm_usable; then accel=kvm; else accel=tcg; fi ;;
*)
    echo "boot.sh: ATOLL_ACCEL must be kvm, tcg or auto, not '$ATOLL_ACCEL'" >&2
    exit 2
    ;;
esac
ACCEL_NAME=${accel^^}
export ATOLL_ACCEL=$accel

mkdir -p "$RESULTS_DIR"
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
csv="$RESULTS_DIR/boot-$stamp.csv"
echo "date,accelerator,machine,metric,value,unit,runs,goal,goal_met" >"$csv"

printf '%-34s %-8s %-5s %14s  %-14s %s\n' metric machine accel value goal met
# record MACHINE METRIC VALUE UNIT RUNS GOAL_TEXT MET: one table row and one CSV row.
record() {
    local machine=$1 metric=$2 value=$3 unit=$4 count=$5 goal=$6 met=$7
    printf '%-34s %-8s %-5s %14s  %-14s %s\n' "$metric" "$machine" "$ACCEL_NAME" "$value $unit" \
        "$goal" "$met"
    echo "$stamp,$ACCEL_NAME,$machine,$metric,$value,$unit,$count,\"$goal\",$met" >>"$csv"
}

median() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# yes/no for "value <= limit" (floating point).
at_most() {
    awk -v v="$1" -v limit="$2" 'BEGIN { print (v != "nan" && v + 0 <= limit + 0) ? "yes" : "no" }'
}

now_us() {
    local t=$EPOCHREALTIME
    echo "${t/./}"
}

# The QEMU command line the runner would use, so that QEMU can be timed without the runner.
qemu_command() {
    local image=$1 machine=$2
    shift 2
    "$ATOLL" run "$image" --machine "$machine" --accel "$accel" --dry-run "$@"
}

# time_runs COUNT COMMAND...: runs COMMAND COUNT times (output discarded); prints each wall time
# in milliseconds, one a line. Exit statuses are ignored here: the guest's status is checked apart.
time_runs() {
    local count=$1 i start end
    shift
    for ((i = 0; i < count; i++)); do
        start=$(now_us)
        "$@" >/dev/null 2>&1 || true
        end=$(now_us)
        awk -v d="$((end - start))" 'BEGIN { printf "%.3f\n", d / 1000 }'
    done
}

run_shell_command() {
    bash -c "$1"
}

size=$(stat -c %s "$HELLO")
record all "hello image size (stripped)" "$size" bytes 1 "<= 98304" "$(at_most "$size" 98304)"

for machine in $machines; do
    # Guest time from the first instruction to main, as the kernel measures it with the TSC.
    samples=()
    for ((i = 0; i < runs; i++)); do
        output=$("$ATOLL" run "$HELLO" --machine "$machine" --accel "$accel" --timeout 60 \
            --append bootstat 2>&1 || true)
        [[ $output =~ atoll:\ bootstat\ entry_to_main_us=([0-9.]+) ]] &&
            samples+=("${BASH_REMATCH[1]}")
    done
    if [[ ${#samples[@]} -eq 0 ]]; then
        echo "boot.sh: hello printed no 'atoll: bootstat' line on $machine" >&2
        to_main=nan
    else
        to_main=$(printf '%s\n' "${samples[@]}" | median)
    fi
    record "$machine" "guest entry to main (median)" "$to_main" us "${#samples[@]}" "< 1000" \
        "$(at_most "$to_main" 999.999)"

    # Wall time from starting QEMU to its exit: QEMU alone, and the whole `atoll run`.
    hello_cmd=$(qemu_command "$HELLO" "$machine")
    hello_qemu=$(time_runs "$runs" run_shell_command "$hello_cmd" | median)
    hello_atoll=$(time_runs "$runs" "$ATOLL" run "$HELLO" --machine "$machine" --accel "$accel" \
        --timeout 60 | median)
    if [[ -e $FLOOR ]]; then
        floor_cmd=$(qemu_command "$FLOOR" "$machine")
        floor_qemu=$(time_runs "$runs" run_shell_command "$floor_cmd" | median)
        ratio=$(awk -v a="$hello_qemu" -v b="$floor_qemu" 'BEGIN { printf "%.3f", a / b }')
        record "$machine" "floor boot-to-exit, QEMU (median)" "$floor_qemu" ms "$runs" "-" "-"
    else
        echo "boot.sh: $FLOOR is missing, so there is no floor to compare with" >&2
        ratio=nan
    fi
    record "$machine" "hello boot-to-exit, QEMU (median)" "$hello_qemu" ms "$runs" "-" "-"
    record "$machine" "hello / floor boot-to-exit" "$ratio" x "$runs" "<= 1.2" \
        "$(at_most "$ratio" 1.2)"
    record "$machine" "hello via atoll run (median)" "$hello_atoll" ms "$runs" "-" "-"

    # The least memory hello still runs to the end in, trying 2 MiB upwards.
    least=nan
    for mib in 2 3 4 5 6 8 12 16; do
        if output=$("$ATOLL" run "$HELLO" --machine "$machine" --accel "$accel" --timeout 20 \
            --mem "${mib}M" 2>&1) && [[ ${output//$'\r'/} == *$'\ngoodbye'* ]]; then
            least=$mib
            break
        fi
    done
    record "$machine" "least memory hello runs in" "$least" MiB 1 "<= 4" "$(at_most "$least" 4)"
done

echo "results: $csv"

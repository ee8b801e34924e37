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
EMPTY="$BUILD/bench/empty.img"
RESULTS_DIR="bench/results"
# No single boot may take longer than this (seconds); a boot that does is a failure, not a figure.
RUN_LIMIT=20

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

# The floor image belongs to the tools' build rules; make it when it is missing.
[[ -e $FLOOR ]] || make --no-print-directory -s BUILD="$BUILD" floor >&2 || true

for needed in "$ATOLL" "$HELLO"; do
    [[ -e $needed ]] || {
        echo "boot.sh: $needed is missing: run 'make all' first" >&2
        exit 2
    }
done

# shellcheck source=bench/accel.sh
source bench/accel.sh
bench_accel boot.sh "$HELLO"

mkdir -p "$RESULTS_DIR"
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
csv="$RESULTS_DIR/boot-$stamp.csv"
echo "date,accelerator,machine,metric,value,unit,runs,goal,goal_met" >"$csv"

printf '%-46s %-8s %-5s %14s  %-14s %s\n' metric machine accel value goal met
# record MACHINE METRIC VALUE UNIT RUNS GOAL_TEXT MET: one table row and one CSV row.
record() {
    local machine=$1 metric=$2 value=$3 unit=$4 count=$5 goal=$6 met=$7
    printf '%-46s %-8s %-5s %14s  %-14s %s\n' "$metric" "$machine" "$ACCEL_NAME" "$value $unit" \
        "$goal" "$met"
    echo "$stamp,$ACCEL_NAME,$machine,\"$metric\",$value,$unit,$count,\"$goal\",$met" >>"$csv"
}

median() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.3f\n", m }'
}

# yes/no for "value <= limit" (floating point).
at_most() {
    awk -v v="$1" -v limit="$2" 'BEGIN { print (v != "nan" && v + 0 <= limit + 0) ? "yes" : "no" }'
}

now_us() {
    local t=$EPOCHREALTIME
    echo "${t/./}"
}

bench_tmp="$(mktemp -d)"
trap 'rm -rf "$bench_tmp"' EXIT

# The QEMU command line the runner would use, so that QEMU can be timed without the runner.
# A dry run names a status file in a folder it does not create; the folder is made here.
qemu_command() {
    local image=$1 machine=$2 command
    shift 2
    command=$(TMPDIR="$bench_tmp" "$ATOLL" run "$image" --machine "$machine" --accel "$accel" \
        --dry-run "$@")
    if [[ $command =~ path=([^\ ,\']+)/status ]]; then
        mkdir -p "${BASH_REMATCH[1]}"
    fi
    echo "$command"
}

# timed COMMAND...: runs COMMAND $runs times (output discarded, each bounded by $RUN_LIMIT
# seconds) and prints "MEDIAN_MS COUNT", COUNT being the runs that ended in time. Exit statuses
# are not judged here: hello_runs checks that hello works first.
timed() {
    local i start end rc times=()
    for ((i = 0; i < runs; i++)); do
        start=$(now_us)
        rc=0
        timeout "$RUN_LIMIT" "$@" </dev/null >/dev/null 2>&1 || rc=$?
        end=$(now_us)
        [[ $rc -eq 124 ]] || times+=("$(awk -v d="$((end - start))" 'BEGIN { printf "%.3f", d / 1000 }')")
    done
    if [[ ${#times[@]} -eq 0 ]]; then
        echo "nan 0"
    else
        echo "$(printf '%s\n' "${times[@]}" | median) ${#times[@]}"
    fi
}

# hello_runs MACHINE [atoll run options]: true when hello runs to its last line with status 0.
hello_runs() {
    local machine=$1 output
    shift
    output=$("$ATOLL" run "$HELLO" --machine "$machine" --accel "$accel" --timeout "$RUN_LIMIT" \
        "$@" 2>&1) && [[ ${output//$'\r'/} == *$'\ngoodbye'* ]]
}

# The empty program (main returns 0) measures what the kernel itself adds to the floor.
if [[ ! -e $EMPTY || bench/empty/empty.c -nt $EMPTY || $BUILD/kernel/libatoll.a -nt $EMPTY ]]; then
    "$ATOLL" build bench/empty/empty.c -o "$EMPTY" >/dev/null
fi

size=$(stat -c %s "$HELLO")
record all "hello image size (stripped)" "$size" bytes 1 "<= 98304" "$(at_most "$size" 98304)"

for machine in $machines; do
    if ! hello_runs "$machine"; then
        echo "boot.sh: hello does not run on $machine under $ACCEL_NAME; no figures for it" >&2
        record "$machine" "hello runs" no - 1 yes no
        continue
    fi

    # Guest time from the first instruction to main, as the kernel measures it with the TSC.
    samples=()
    for ((i = 0; i < runs; i++)); do
        output=$("$ATOLL" run "$HELLO" --machine "$machine" --accel "$accel" \
            --timeout "$RUN_LIMIT" --append bootstat 2>&1 || true)
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
    read -r hello_qemu hello_qemu_runs < <(timed bash -c "$(qemu_command "$HELLO" "$machine")")
    read -r hello_atoll hello_atoll_runs < <(timed "$ATOLL" run "$HELLO" --machine "$machine" \
        --accel "$accel" --timeout "$RUN_LIMIT")
    record "$machine" "hello boot-to-exit via QEMU (median)" "$hello_qemu" ms "$hello_qemu_runs" - -
    if [[ -e $FLOOR ]]; then
        read -r floor_qemu floor_qemu_runs < <(timed bash -c "$(qemu_command "$FLOOR" "$machine")")
        ratio=$(awk -v a="$hello_qemu" -v b="$floor_qemu" \
            'BEGIN { if (a == "nan" || b == "nan" || b == 0) print "nan"; else printf "%.3f", a / b }')
        record "$machine" "floor boot-to-exit via QEMU (median)" "$floor_qemu" ms "$floor_qemu_runs" - -
    else
        echo "boot.sh: $FLOOR is missing, so there is no floor to compare with" >&2
        ratio=nan
    fi
    record "$machine" "hello / floor boot-to-exit" "$ratio" x "$runs" "<= 1.2" \
        "$(at_most "$ratio" 1.2)"
    if [[ -e $FLOOR ]]; then
        read -r empty_qemu empty_qemu_runs < <(timed bash -c "$(qemu_command "$EMPTY" "$machine")")
        record "$machine" "empty program boot-to-exit via QEMU (median)" "$empty_qemu" ms \
            "$empty_qemu_runs" - -
        ratio=$(awk -v a="$empty_qemu" -v b="$floor_qemu" \
            'BEGIN { if (a == "nan" || b == "nan" || b == 0) print "nan"; else printf "%.3f", a / b }')
        record "$machine" "empty program / floor boot-to-exit" "$ratio" x "$runs" "<= 1.2" \
            "$(at_most "$ratio" 1.2)"
    fi
    record "$machine" "hello via atoll run (median)" "$hello_atoll" ms "$hello_atoll_runs" - -

    # The least memory hello still runs to the end in, trying 2 MiB upwards.
    least=nan
    for mib in 2 3 4 5 6 8 12 16; do
        if hello_runs "$machine" --mem "${mib}M"; then
            least=$mib
            break
        fi
    done
    record "$machine" "least memory hello runs in" "$least" MiB 1 "<= 4" "$(at_most "$least" 4)"
done

echo "results: $csv"

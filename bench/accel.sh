# shellcheck shell=bash
# Sourced by the benchmarks: the accelerator they run under, as `atoll run` itself would pick it
# (ATOLL_ACCEL=kvm|tcg|auto), so every result names the one really used.
# bench_accel SCRIPT IMAGE: sets accel (kvm|tcg) and ACCEL_NAME, and exports ATOLL_ACCEL.
bench_accel() {
    local script=$1 image=$2
    case ${ATOLL_ACCEL:-auto} in
    kvm | tcg) accel=$ATOLL_ACCEL ;;
    auto)
        accel=$(ATOLL_ACCEL=auto "$ATOLL" run --dry-run "$image" | grep -o -- '-accel [a-z]*' |
            cut -d' ' -f2)
        [[ $accel == kvm || $accel == tcg ]] || {
            echo "$script: cannot tell which accelerator atoll run picks for $image" >&2
            exit 2
        }
        ;;
    *)
        echo "$script: ATOLL_ACCEL must be kvm, tcg or auto, not '$ATOLL_ACCEL'" >&2
        exit 2
        ;;
    esac
    # shellcheck disable=SC2034 # read by the sourcing script
    ACCEL_NAME=${accel^^}
    export ATOLL_ACCEL=$accel
}

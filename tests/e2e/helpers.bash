# Shared by every e2e test: where the tools are, building a test program once, booting it, asserting.
# shellcheck shell=bash
# shellcheck disable=SC2154 # status, output, lines and stderr are set by bats' run

bats_require_minimum_version 1.5.0

E2E_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
E2E_BUILD="${BUILD:-build}"
[[ $E2E_BUILD == /* ]] || E2E_BUILD="$E2E_ROOT/$E2E_BUILD"
ATOLL="${ATOLL:-$E2E_BUILD/tools/atoll}"
[[ $ATOLL == /* ]] || ATOLL="$E2E_ROOT/$ATOLL"
KERNEL_LIB="$E2E_BUILD/kernel/libatoll.a"
KERNEL_LDS="$E2E_BUILD/kernel/image.ld"
E2E_OUT="$E2E_BUILD/tests/e2e"
# Every boot is bounded by the runner itself; nothing here waits by sleeping.
E2E_TIMEOUT="${E2E_TIMEOUT:-60}"
E2E_MACHINES="${E2E_MACHINES:-microvm pc}"

# CI machines often lack KVM, so tests run under TCG unless the caller asks otherwise.
export ATOLL_ACCEL="${ATOLL_ACCEL:-tcg}"

# Fails the calling setup_file with a clear message when `make all` has not been run.
require_built_tools() {
    local missing=()
    for path in "$ATOLL" "$KERNEL_LIB" "$KERNEL_LDS"; do
        [[ -e $path ]] || missing+=("$path")
    done
    if [[ ${#missing[@]} -ne 0 ]]; then
        echo "e2e: missing ${missing[*]}: run 'make all' first" >&2
        return 1
    fi
}

# True when anything the image is made from is newer than the image.
inputs_newer_than() {
    local image=$1 source=$2
    [[ -n "$(find "$E2E_ROOT/$source" "$E2E_ROOT/tests/apps/check.h" "$ATOLL" "$KERNEL_LIB" \
        "$KERNEL_LDS" -newer "$image" -print -quit 2>/dev/null)" ]]
}

# build_app NAME SOURCE [atoll build options]: builds $E2E_OUT/NAME/NAME.{img,dbg,linux} once and
# reuses them while neither the sources, the tool, the kernel nor the options changed.
build_app() {
    local name=$1 source=$2
    shift 2
    local dir="$E2E_OUT/$name"
    local image="$dir/$name.img"
    local recipe
    recipe="$(printf '%q ' "$source" "$@")"
    if [[ -f $image && -f $dir/recipe && "$(<"$dir/recipe")" == "$recipe" ]] &&
        ! inputs_newer_than "$image" "$source"; then
        return 0
    fi
    mkdir -p "$dir"
    rm -f "$dir/recipe"
    local log
    if ! log="$("$ATOLL" build "$E2E_ROOT/$source" -o "$image" --target all "$@" 2>&1)"; then
        echo "e2e: atoll build $source $* failed:" >&2
        echo "$log" >&2
        return 1
    fi
    printf '%s' "$recipe" >"$dir/recipe"
}

image_of() {
    echo "$E2E_OUT/$1/$1.img"
}

# Replaces bats' $output with itself minus carriage returns (the guest's console may send CRLF).
strip_carriage_returns() {
    output="${output//$'\r'/}"
    mapfile -t lines <<<"$output"
}

# boot MACHINE APP [atoll run options] [-- APP ARGS]: boots APP's image; sets $status and $output.
# The command and its output are echoed so that a failing test shows them.
boot() {
    local machine=$1 app=$2
    shift 2
    echo "# atoll run $app --machine $machine --timeout $E2E_TIMEOUT $*"
    run "$ATOLL" run "$(image_of "$app")" --machine "$machine" --timeout "$E2E_TIMEOUT" "$@"
    strip_carriage_returns
    echo "$output"
    echo "# status $status"
}

assert_status() {
    if [[ $status -ne $1 ]]; then
        echo "expected status $1, got $status" >&2
        return 1
    fi
}

# assert_line TEXT: some line of $output is exactly TEXT.
assert_line() {
    local line
    for line in "${lines[@]}"; do
        [[ $line == "$1" ]] && return 0
    done
    echo "expected a line '$1' in the output" >&2
    return 1
}

assert_output_contains() {
    if [[ $output != *"$1"* ]]; then
        echo "expected the output to contain '$1'" >&2
        return 1
    fi
}

refute_output_contains() {
    if [[ $output == *"$1"* ]]; then
        echo "expected the output not to contain '$1'" >&2
        return 1
    fi
}

# assert_output_matches ERE [grep options]: some line of $output matches the extended regex.
assert_output_matches() {
    if ! grep -Eq "${@:2}" -- "$1" <<<"$output"; then
        echo "expected a line matching /$1/ in the output" >&2
        return 1
    fi
}

# A test program passed when it exited 0, printed its summary and no check failed.
assert_checks_passed() {
    local program=$1
    assert_status 0
    assert_output_matches "^$program: all [0-9]+ checks passed$"
    if grep -q '^FAIL: ' <<<"$output"; then
        echo "a check failed" >&2
        return 1
    fi
}

# Lines between the kernel's crash report markers (empty when there is no report).
crash_report() {
    sed -n '/^atoll: crash:/,/^atoll: end of crash report$/p' <<<"$output"
}

# Prints why KVM cannot be used here, or nothing when it can.
kvm_unusable_reason() {
    if [[ ! -e /dev/kvm ]]; then
        echo "/dev/kvm does not exist"
    elif [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
        echo "/dev/kvm is not readable and writable by $(id -un)"
    elif [[ -d /sys/module/kvm_pvm && ! -d /sys/module/kvm_intel && ! -d /sys/module/kvm_amd ]]; then
        # PVM runs only guests built for it, not ordinary x86 kernels.
        echo "/dev/kvm is served by the PVM module (kvm_pvm), not hardware virtualization"
    elif command -v python3 >/dev/null &&
        ! python3 -c 'import fcntl, os; fcntl.ioctl(os.open("/dev/kvm", os.O_RDWR), 0xAE01, 0)' \
            2>/dev/null; then
        echo "/dev/kvm refuses to create a VM (KVM_CREATE_VM failed)"
    fi
}

# The only way podman runs on these machines: runc, cgroupfs, explicit ulimits.
PODMAN_RUN_FLAGS=(--runtime runc --cgroup-manager cgroupfs --ulimit nofile=4096:4096
    --ulimit nproc=1024:1024)

# build_container NAME: builds localhost/atoll-NAME:latest from the app's static binary and rootfs
# (scripts/container-build.sh), once per test file.
build_container() {
    local name=$1
    "$E2E_ROOT/scripts/container-build.sh" "$name" "$E2E_BUILD" >/dev/null
}

# container_run NETNS NAME [ARGS...]: starts the app's container detached inside the network
# namespace NETNS (made by the test with `ip netns add`) and prints its id. "-" for NETNS gives
# the container no network at all.
container_run() {
    local netns=$1 name=$2
    shift 2
    local network=(--network none)
    [[ $netns == - ]] || network=(--network "ns:/run/netns/$netns")
    podman run -d "${PODMAN_RUN_FLAGS[@]}" "${network[@]}" --name "atoll-$name-$$-$RANDOM" \
        "localhost/atoll-$name:latest" "$@"
}

# container_stop ID: stops (SIGTERM, then SIGKILL after 5 s) and removes a container.
container_stop() {
    podman rm -f -t 5 "$1" >/dev/null 2>&1 || true
}

# tap_namespace_setup TAG: for a test setup(); skips the test without root, ip(8) or /dev/net/tun,
# else creates the namespace $NS (named after TAG and the test) holding tap0 with $PEER_IP/24 for
# an instance, and clears SERVER_PID.
tap_namespace_setup() {
    if [[ $(id -u) -ne 0 || ! -c /dev/net/tun ]] || ! command -v ip >/dev/null; then
        skip "needs root, ip(8) and /dev/net/tun"
    fi
    NS="atoll-e2e-$1-$BATS_ROOT_PID-$BATS_TEST_NUMBER"
    ip netns add "$NS"
    ip -n "$NS" link set lo up
    ip -n "$NS" tuntap add dev tap0 mode tap
    ip -n "$NS" addr add "$PEER_IP/24" dev tap0
    ip -n "$NS" link set tap0 up
    SERVER_PID=
}

# tap_namespace_teardown [LOG]: for a test teardown(); stops $SERVER_PID (printing LOG, the
# instance's output, when given) and deletes $NS.
tap_namespace_teardown() {
    if [[ -n ${SERVER_PID:-} ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        if [[ -n ${1:-} ]]; then
            echo "# instance log:"
            cat "$1" 2>/dev/null || true
        fi
    fi
    [[ -z ${NS:-} ]] || ip netns del "$NS" 2>/dev/null || true
}

#!/usr/bin/env bash
# Forwarding through the white paper's firewall and router (tests/e2e/netfn/topology.bash):
# frames per second that cross (64-byte and 1,514-byte frames, sent as fast as bench/fwdbench.c
# can) and the time one frame takes from the client's link to the DNS server's link, for
#   kernel     Linux's own forwarding in two namespaces with nftables rules of the same meaning
#   linux      apps/firewall and apps/router as static Linux binaries in those namespaces
#   container  the same binaries as podman containers
#   unikernel  the same programs as Atoll images under QEMU (TCG here: no usable KVM)
#   vm         Linux VMs on the same QEMU forwarding themselves, the firewall's with the same
#              nftables rules as `kernel` (build/vm/nft-forward over build/vm/nft.cpio.gz)
#   vm-apps    the same binaries as `linux` in Linux VMs on the same QEMU (`atoll run --runtime vm`)
#
#   bench/forward.sh [--seconds N] [--count N] [--links stream|dgram|bridge]
#                    [--modes "kernel linux container unikernel vm vm-apps"]
#
# --links (QEMU modes): `stream` (the default) wires the firewall's QEMU to the router's with a
# Unix stream socket (`atoll run --net stream=`), `dgram` with Unix datagram sockets (`--net
# dgram=`), and both make the router's DMZ tap the receiving host's own link; `bridge` puts both
# links on Linux bridges, as the e2e tests do. Links are harness: their cost is the host's, paid
# alike by the unikernel and the Linux VM rows.
#
# Needs root, `make all`, nft, podman (container); builds `make vm vm-nft` for the VM rows.
# Writes bench/results/forward-DATE.csv and prints the unikernel / vm ratios.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD=${BUILD:-build}
[[ $BUILD == /* ]] || BUILD="$root/$BUILD"
seconds=5
count=200
modes="kernel linux container unikernel vm vm-apps"
links=stream
while (($#)); do
    case $1 in
    --links) links=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    *) echo "usage: bench/forward.sh [--seconds N] [--count N] [--links stream|dgram|bridge] [--modes LIST]" >&2; exit 2 ;;
    esac
done
case $links in
stream | dgram) export TOPO_LINK=$links TOPO_DMZ_DIRECT=1 ;;
bridge) export TOPO_LINK=bridge; unset TOPO_DMZ_DIRECT ;;
*) echo "forward.sh: --links stream, dgram or bridge" >&2; exit 2 ;;
esac
[[ $(id -u) -eq 0 ]] || { echo "forward.sh: needs root (namespaces)" >&2; exit 1; }

mkdir -p "$BUILD/bench" "$root/bench/results"
gcc -O2 -Wall -Wextra -pthread -o "$BUILD/bench/fwdbench" "$root/bench/fwdbench.c"
accel="${ATOLL_ACCEL:-tcg}"
export ATOLL_ACCEL=$accel
csv="$root/bench/results/forward-$(date -u +%Y%m%dT%H%M%S).csv"
echo "date,accelerator,mode,metric,value,unit,links" >"$csv"
PODMAN_RUN_FLAGS=(--runtime runc --cgroup-manager cgroupfs --ulimit nofile=4096:4096
    --ulimit nproc=1024:1024)
export BUILD
# shellcheck source=../tests/e2e/netfn/topology.bash
source "$root/tests/e2e/netfn/topology.bash"
TOPO_NO_SERVERS=1

state=""
cleanup() { [[ -z $state ]] || topo_destroy "$state"; }
trap cleanup EXIT

record() { echo "$(date -u +%F),$accel,$1,$2,$3,$4,$links" >>"$csv"; }

# shellcheck source=bench/cputicks.sh
source "$root/bench/cputicks.sh"

# CPU time of the processes the topology started and their descendants: for QEMU modes, the QEMU
# processes. CPU time per forwarded frame does not count the time a process waits for a core, so
# it stays steady on a shared machine where rates do not.
topo_ticks() {
    local -a pids=()
    [[ -f $state/pids ]] && mapfile -t pids <"$state/pids"
    tree_ticks "${pids[@]}"
}

for mode in $modes; do
    [[ $mode != vm* ]] || make -C "$root" BUILD="$BUILD" vm vm-nft >/dev/null
    if [[ $mode == container ]]; then
        "$root/scripts/container-build.sh" router "$BUILD" >/dev/null
        "$root/scripts/container-build.sh" firewall "$BUILD" >/dev/null
    fi
    state=$(mktemp -d /tmp/atoll-forward.XXXXXX)
    topo_create "b$$" "$state"
    if ! topo_start "$mode" "$state"; then
        echo "forward.sh: $mode did not start" >&2
        cat "$state"/*.log >&2 || true
        topo_destroy "$state"
        state=""
        continue
    fi
    # The DNS host only counts what arrives: its IP stack would answer every frame with an ICMP
    # port unreachable (a route lookup per frame, paid by whoever delivers it, and up to 1,000
    # replies a second back through the forwarders). The frames are dropped at the link's
    # ingress hook, after the benchmark's packet socket has seen them.
    ip netns exec "$(topo_ns S)" nft -f - <<'EOF'
table netdev atoll_bench {
    chain sink {
        type filter hook ingress device "s0" priority 0; policy accept;
        ip daddr 10.0.0.100 udp dport 53 drop
    }
}
EOF
    client_if=c0
    [[ $mode == unikernel || $mode == vm* ]] && client_if=tap0
    ip netns exec "$(topo_ns C)" ping -c 1 -W 5 192.168.100.1 >/dev/null 2>&1 || true
    fw_mac=$(ip -n "$(topo_ns C)" neigh show 192.168.100.1 | awk '{print $5}')
    run_bench() {
        "$BUILD/bench/fwdbench" "$1" "$(topo_ns C)" "$client_if" "$(topo_ns S)" s0 "$fw_mac" "$2" "$3"
    }
    # A first frame warms ARP along the path.
    run_bench latency 60 3 >/dev/null
    for size in 60 1514; do
        ticks0=$(topo_ticks)
        out=$(run_bench rate "$size" "$seconds")
        ticks1=$(topo_ticks)
        pps=$(sed -n 's/.*rx_pps \([0-9]*\).*/\1/p' <<<"$out")
        received=$(sed -n 's/.*received \([0-9]*\).*/\1/p' <<<"$out")
        cpu_us=$(((ticks1 - ticks0) * 1000000 / $(getconf CLK_TCK) / (received > 0 ? received : 1)))
        printf '%-10s %5d-byte frames: %s cpu_us_per_frame %s\n' "$mode" "$((size + 4))" "$out" "$cpu_us"
        record "$mode" "rate_$((size + 4))B" "$pps" pps
        record "$mode" "cpu_per_frame_$((size + 4))B" "$cpu_us" us
    done
    out=$(run_bench latency 60 "$count")
    printf '%-10s latency: %s\n' "$mode" "$out"
    record "$mode" latency_median "$(sed -n 's/.*median_us \([0-9]*\).*/\1/p' <<<"$out")" us
    record "$mode" latency_p90 "$(sed -n 's/.*p90_us \([0-9]*\).*/\1/p' <<<"$out")" us
    topo_destroy "$state"
    state=""
done
echo "accelerator: $accel; links: $links; CSV: $csv"
# The issue's goal: the unikernel against a Linux VM doing nftables forwarding on the same QEMU.
for metric in rate_64B rate_1518B; do
    awk -F, -v m="$metric" '$4 == m && $3 == "unikernel" { u = $5 } $4 == m && $3 == "vm" { v = $5 }
        END { if (u && v) printf "unikernel / vm (nftables), %s: %.1fx\n", m, u / v }' "$csv"
done
column -s, -t "$csv"

#!/usr/bin/env bash
# DNS benchmark (dnsperf, bench/dns-queries.txt): Atoll's dns Linux binary beside NSD and Knot on
# loopback, one thread each; then dns as a unikernel beside dns.linux in the Linux VM (vm runtime)
# on the same QEMU, reached through a tap in a namespace. Prints a table, writes
# bench/results/dns-*.csv.
#
#   bench/dns.sh [--quick] [--seconds N] [--clients C] [--outstanding Q] [--machine microvm|pc]
#                [--no-vm] [--no-loopback]
#
# Needs dnsperf, nsd, knot; root, ip(8) and /dev/net/tun for the QEMU part; `make all` and
# `make vm`. Every point runs N seconds (default 30; --quick: 5). --no-loopback runs the QEMU part
# alone. CPU per query is the server's own CPU time (for QEMU: the whole QEMU process, vCPU and
# I/O threads) over the queries answered: on a shared machine a steadier figure than q/s.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD="${BUILD:-build}"
ATOLL="$BUILD/tools/atoll"
IMAGE="$BUILD/dns/dns.img"
LINUX_BINARY="$BUILD/dns/dns.linux"
QUERIES=bench/dns-queries.txt
ZONES=(apps/dns/rootfs/zones/poc.test.zone apps/dns/rootfs/zones/10.0.0.rev.zone)
RESULTS_DIR="bench/results"
GUEST_ADDR=10.77.53.2
TAP_ADDR=10.77.53.1
READY_LIMIT=90
# A rate every server here sustains: the "below saturation" point, where nothing may be lost.
STEADY_RATE=5000
WHITE_PAPER_RATE=850

seconds=30
clients=8
outstanding=100
machine=microvm
with_vm=1
with_loopback=1
while [[ $# -gt 0 ]]; do
    case $1 in
    --quick) seconds=5 ;;
    --seconds)
        seconds=${2:?--seconds needs a number}
        shift
        ;;
    --clients)
        clients=${2:?--clients needs a number}
        shift
        ;;
    --outstanding)
        outstanding=${2:?--outstanding needs a number}
        shift
        ;;
    --machine)
        machine=${2:?--machine needs a name}
        shift
        ;;
    --no-vm) with_vm=0 ;;
    --no-loopback) with_loopback=0 ;;
    -h | --help)
        sed -n '2,14s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    *)
        echo "dns.sh: unknown option $1 (try --help)" >&2
        exit 2
        ;;
    esac
    shift
done
for n in "$seconds" "$clients" "$outstanding"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || {
        echo "dns.sh: --seconds, --clients and --outstanding want positive numbers, not '$n'" >&2
        exit 2
    }
done
for tool in dnsperf nsd knotd; do
    command -v "$tool" >/dev/null || {
        echo "dns.sh: $tool is missing (scripts/install-deps.sh installs it)" >&2
        exit 2
    }
done
for needed in "$LINUX_BINARY" "$IMAGE" "$QUERIES"; do
    [[ -e $needed ]] || {
        echo "dns.sh: $needed is missing: run 'make all' first" >&2
        exit 2
    }
done
if ((with_vm)); then
    if [[ $(id -u) -ne 0 || ! -c /dev/net/tun ]] || ! command -v ip >/dev/null; then
        echo "dns.sh: the QEMU part needs root, ip(8) and /dev/net/tun (or use --no-vm)" >&2
        exit 2
    fi
    [[ -e $BUILD/vm/vmlinux || -e $BUILD/vm/vmlinuz ]] || {
        echo "dns.sh: the Linux VM is missing: run 'make vm' first (or use --no-vm)" >&2
        exit 2
    }
    # shellcheck source=bench/accel.sh
    source bench/accel.sh
    bench_accel dns.sh "$IMAGE"
fi

WORK="$(mktemp -d)"
NS="atoll-bench-dns-$$"
SERVER_PID=
cleanup() {
    stop_server
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Only the server this script started, by its process id.
stop_server() {
    if [[ -n $SERVER_PID ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}

free_port() {
    /usr/bin/python3 -c 'import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
t = socket.socket(); t.bind(("127.0.0.1", u.getsockname()[1])); print(u.getsockname()[1])'
}

# wait_ready [ip netns exec NS] HOST PORT: polls with dig until an answer comes.
wait_ready() {
    local prefix=()
    [[ $1 == ip ]] && prefix=("$1" "$2" "$3" "$4") && shift 4
    local deadline=$((SECONDS + READY_LIMIT))
    while ((SECONDS < deadline)); do
        "${prefix[@]}" dig +short +time=1 +tries=1 -p "$2" "@$1" www.poc.test A 2>/dev/null |
            grep -qx 10.0.0.80 && return 0
    done
    echo "dns.sh: $1:$2 never answered" >&2
    return 1
}

write_configs() {
    local port=$1
    cat >"$WORK/nsd.conf" <<CONF
server:
    ip-address: 127.0.0.1@$port
    server-count: 1
    username: ""
    chroot: ""
    database: ""
    zonelistfile: "$WORK/zone.list"
    pidfile: "$WORK/nsd.pid"
    xfrdfile: "$WORK/xfrd.state"
    xfrdir: "$WORK"
    hide-version: yes
    rrl-ratelimit: 0
remote-control:
    control-enable: no
CONF
    cat >"$WORK/knot.conf" <<CONF
server:
    listen: 127.0.0.1@$port
    rundir: $WORK
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
$( ((EUID == 0)) && echo "    user: root:root")
database:
    storage: $WORK
log:
  - target: stderr
    any: error
template:
  - id: default
    semantic-checks: off
    zonefile-sync: -1
    journal-content: none
zone:
CONF
    for zone in "${ZONES[@]}"; do
        local origin
        origin=$(awk '/^\$ORIGIN/ { print $2; exit } /SOA/ { print $1; exit }' "$zone")
        printf 'zone:\n    name: %s\n    zonefile: %s\n' "$origin" "$PWD/$zone" >>"$WORK/nsd.conf"
        printf '  - domain: %s\n    file: %s\n' "$origin" "$PWD/$zone" >>"$WORK/knot.conf"
    done
}

# start_loopback NAME PORT: one of the three servers on 127.0.0.1:PORT, one thread.
start_loopback() {
    local name=$1 port=$2
    case $name in
    atoll-dns) "$LINUX_BINARY" -a 127.0.0.1 -p "$port" "${ZONES[@]}" >"$WORK/$name.log" 2>&1 & ;;
    nsd) nsd -d -c "$WORK/nsd.conf" >"$WORK/$name.log" 2>&1 & ;;
    knot) knotd -c "$WORK/knot.conf" >"$WORK/$name.log" 2>&1 & ;;
    esac
    SERVER_PID=$!
    wait_ready 127.0.0.1 "$port"
}

# cpu_ticks PID: CPU time (user + system, in clock ticks) of PID and all its descendants (NSD
# serves from a grandchild process).
cpu_ticks() {
    local total=0 child
    # utime and stime are fields 14 and 15, counted after the "(comm)" that may hold spaces.
    [[ -r /proc/$1/stat ]] && total=$(sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }')
    for child in $(pgrep -P "$1" || true); do
        total=$((total + $(cpu_ticks "$child")))
    done
    echo "$total"
}

# cpu_per_query TICKS ANSWERED: microseconds of CPU per answered query.
cpu_per_query() {
    awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN { printf "%.2f", (n > 0 ? t * 1e6 / hz / n : 0) }'
}

# perf [ip netns exec NS] HOST PORT [dnsperf options]: prints "QPS LOST SENT LATENCY_MS".
perf() {
    local prefix=()
    [[ $1 == ip ]] && prefix=("$1" "$2" "$3" "$4") && shift 4
    local host=$1 port=$2
    shift 2
    "${prefix[@]}" dnsperf -s "$host" -p "$port" -d "$QUERIES" -l "$seconds" -c "$clients" \
        -q "$outstanding" -T 1 "$@" 2>&1 | awk '
        /Queries sent:/ { sent = $3 }
        /Queries lost:/ { lost = $3 }
        /Queries per second:/ { qps = $4 }
        /Average Latency/ { lat = $4 * 1000 }
        END { printf "%.0f %d %d %.3f\n", qps, lost, sent, lat }'
}

mkdir -p "$RESULTS_DIR"
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
csv="$RESULTS_DIR/dns-$stamp.csv"
echo "date,where,server,load,qps,lost,sent,latency_ms,cpu_us_per_query,seconds" >"$csv"
printf '%-26s %-12s %-22s %10s %7s %9s %10s %9s\n' where server load "q/s" lost sent \
    "lat. ms" "CPU us/q"
# record WHERE SERVER LOAD QPS LOST SENT LATENCY [CPU_US_PER_QUERY]
record() {
    printf '%-26s %-12s %-22s %10s %7s %9s %10s %9s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "${8:--}"
    echo "$stamp,\"$1\",$2,\"$3\",$4,$5,$6,$7,${8:-},$seconds" >>"$csv"
}

declare -A qps cpu
port="$(free_port)"
write_configs "$port"
((with_loopback)) || qps=([atoll-dns]=0 [nsd]=0 [knot]=0)
for server in atoll-dns nsd knot; do
    ((with_loopback)) || break
    start_loopback "$server" "$port"
    before=$(cpu_ticks "$SERVER_PID")
    read -r q lost sent lat <<<"$(perf 127.0.0.1 "$port")"
    after=$(cpu_ticks "$SERVER_PID")
    # The server's own CPU time per answered query: on a shared machine a steadier figure than q/s.
    cpu[$server]=$(cpu_per_query $((after - before)) $((sent - lost)))
    qps[$server]=$q
    record "loopback (host)" "$server" "saturating, $clients x $outstanding" "$q" "$lost" "$sent" \
        "$lat" "${cpu[$server]}"
    read -r q lost sent lat <<<"$(perf 127.0.0.1 "$port" -Q "$STEADY_RATE")"
    record "loopback (host)" "$server" "steady $STEADY_RATE q/s" "$q" "$lost" "$sent" "$lat"
    stop_server
done

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}
best_peer=${qps[nsd]}
best_name=nsd
if ((qps[knot] > best_peer)); then
    best_peer=${qps[knot]}
    best_name=knot
fi
if ((with_loopback)); then
    echo "ratio atoll-dns / $best_name (the faster peer): $(ratio "${qps[atoll-dns]}" "$best_peer") (goal >= 1.0)"
    echo "ratio,loopback,atoll-dns/$best_name,,$(ratio "${qps[atoll-dns]}" "$best_peer"),,,,,$seconds" >>"$csv"
    echo "CPU per query: atoll-dns ${cpu[atoll-dns]} us, nsd ${cpu[nsd]} us, knot ${cpu[knot]} us"
fi

if ((with_vm)); then
    ip netns add "$NS"
    ip -n "$NS" link set lo up
    ip -n "$NS" tuntap add dev tap0 mode tap
    ip -n "$NS" addr add "$TAP_ADDR/24" dev tap0
    ip -n "$NS" link set tap0 up
    limit=$((READY_LIMIT + 2 * seconds + 60))
    for runtime in unikernel vm; do
        "$ATOLL" run --runtime "$runtime" "$IMAGE" --machine "$machine" --netns "$NS" \
            --net "tap=tap0,ip=$GUEST_ADDR/24,gw=$TAP_ADDR" --timeout "$limit" \
            >"$WORK/$runtime.log" 2>&1 &
        SERVER_PID=$!
        if ! wait_ready ip netns exec "$NS" "$GUEST_ADDR" 53; then
            sed 's/^/  /' "$WORK/$runtime.log" >&2
            stop_server
            continue
        fi
        before=$(cpu_ticks "$SERVER_PID")
        read -r q lost sent lat <<<"$(perf ip netns exec "$NS" "$GUEST_ADDR" 53)"
        after=$(cpu_ticks "$SERVER_PID")
        qps[$runtime]=$q
        record "QEMU $machine ($ACCEL_NAME)" "$runtime" "saturating, $clients x $outstanding" "$q" \
            "$lost" "$sent" "$lat" "$(cpu_per_query $((after - before)) $((sent - lost)))"
        read -r q lost sent lat <<<"$(perf ip netns exec "$NS" "$GUEST_ADDR" 53 -Q 1000)"
        record "QEMU $machine ($ACCEL_NAME)" "$runtime" "steady 1000 q/s" "$q" "$lost" "$sent" "$lat"
        stop_server
    done
    echo "ratio unikernel / Linux VM on the same QEMU ($ACCEL_NAME): $(ratio "${qps[unikernel]:-0}" "${qps[vm]:-0}") (goal >= 3)"
    echo "ratio unikernel / the white paper's $WHITE_PAPER_RATE q/s: $(ratio "${qps[unikernel]:-0}" "$WHITE_PAPER_RATE") (goal >= 50)"
    echo "ratio,QEMU $ACCEL_NAME,unikernel/vm,,$(ratio "${qps[unikernel]:-0}" "${qps[vm]:-0}"),,,,,$seconds" >>"$csv"
fi
echo "query file: $QUERIES ($(wc -l <"$QUERIES") queries, from bench/dns-queries.py)"
echo "CSV: $csv"

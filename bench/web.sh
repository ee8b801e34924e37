#!/usr/bin/env bash
# Web benchmark: apps/web as a Linux binary beside nginx (one worker, sendfile on, access_log off)
# on the loopback of a network namespace; then web.linux in the Linux VM (vm runtime) and the web
# unikernel on the same QEMU. Prints a table, writes bench/results/web-*.csv.
#
#   bench/web.sh [--quick] [--seconds N] [--connections C] [--rates R1,R2,...]
#
# Per file (a 612-byte page, a 100 KiB file) and server: wrk at full speed over C kept-alive
# connections (default 100, the white paper's), then wrk paced by bench/web-rate.lua at each rate (default 5000,20000
# requests/s) with latency percentiles. 30 s a point by default, 5 s with --quick. Needs root, ip(8),
# wrk, nginx, curl, /dev/net/tun, `make all` and `make vm` (`make bench-web` does both).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD="${BUILD:-build}"
ATOLL="$BUILD/tools/atoll"
WEB="$BUILD/web/web.linux"
IMAGE="$BUILD/web/web.img"
RESULTS_DIR="bench/results"
WEB_PORT=8081
NGINX_PORT=8082
GUEST_ADDR=10.78.0.2
TAP_ADDR=10.78.0.1
GOAL_NGINX=1.0

seconds=30
connections=100
rates=5000,20000
while [[ $# -gt 0 ]]; do
    case $1 in
    --quick) seconds=5 ;;
    --seconds)
        seconds=${2:?--seconds needs a number}
        shift
        ;;
    --connections)
        connections=${2:?--connections needs a number}
        shift
        ;;
    --rates)
        rates=${2:?--rates needs a list such as 5000,20000}
        shift
        ;;
    -h | --help)
        sed -n '2,12s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    *)
        echo "web.sh: unknown option $1 (try --help)" >&2
        exit 2
        ;;
    esac
    shift
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "web.sh: --seconds wants a positive number" >&2; exit 2; }
[[ $connections =~ ^[1-9][0-9]*$ ]] || { echo "web.sh: --connections wants a positive number" >&2; exit 2; }
[[ $rates =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { echo "web.sh: --rates wants numbers such as 5000,20000" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "web.sh: needs root (it makes a network namespace)" >&2; exit 1; }
for tool in wrk nginx ip curl; do
    command -v "$tool" >/dev/null || { echo "web.sh: $tool not found (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
[[ -x $WEB ]] || { echo "web.sh: $WEB missing: run make all" >&2; exit 1; }

NS="atoll-bench-web-$$"
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up

# The files: the size of nginx's own welcome page, and a 100 KiB file (served with sendfile by both).
mkdir -p "$WORK/root" "$WORK/nginx"
chmod 755 "$WORK" # nginx workers run as nobody
head -c 612 /dev/zero | tr '\0' 'x' >"$WORK/root/index.html"
head -c 102400 /dev/urandom >"$WORK/root/100k.bin"
sed -e "s|@ROOT@|$WORK/root|; s|@PORT@|$NGINX_PORT|; s|@DIR@|$WORK/nginx|g" bench/web-nginx.conf >"$WORK/nginx/nginx.conf"

wait_http() { # URL: polls until the server answers
    local deadline=$((SECONDS + ${2:-30}))
    until ip netns exec "$NS" curl -s -o /dev/null --max-time 2 "$1"; do
        ((SECONDS < deadline)) || { echo "web.sh: $1 never answered" >&2; return 1; }
    done
}

ip netns exec "$NS" "$WEB" -a 127.0.0.1 -p "$WEB_PORT" -r "$WORK/root" 2>"$WORK/web.log" &
PIDS+=($!)
ip netns exec "$NS" nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" 2>"$WORK/nginx.log" &
PIDS+=($!)

# shellcheck source=bench/cputicks.sh
source bench/cputicks.sh

# wrk_point LABEL FILE MODE RATE URL [wrk args]: one measurement; appends a CSV row.
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS_DIR"
CSV="$RESULTS_DIR/web-$stamp.csv"
echo "server,where,file,mode,offered_rps,connections,seconds,req_per_s,p50_ms,p90_ms,p99_ms,errors,cpu_us_per_req" >"$CSV"
to_ms() { # wrk prints 812.00us, 1.20ms or 1.05s
    awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
# $CPU_PID, when set: the server's process (atoll run), whose CPU per request (QEMU's threads
# included) is reported beside the rate.
point() {
    local server=$1 where=$2 file=$3 mode=$4 offered=$5 conns=$6 url=$7
    shift 7
    local out ticks0 ticks1 cpu=-
    [[ -n ${CPU_PID:-} ]] && ticks0=$(tree_ticks "$CPU_PID")
    out="$(ip netns exec "$NS" wrk -t1 -c"$conns" -d"${seconds}s" --latency "$@" "$url" 2>&1)"
    if [[ -n ${CPU_PID:-} ]]; then
        ticks1=$(tree_ticks "$CPU_PID")
        cpu=$(cpu_us_per $((ticks1 - ticks0)) "$(awk '/requests in/ { print $1 }' <<<"$out")")
    fi
    local rps p50 p90 p99 errors
    rps="$(awk '/^Requests\/sec:/ { printf "%d", $2 }' <<<"$out")"
    p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
    p90="$(to_ms "$(awk '$1 == "90%" { print $2 }' <<<"$out")")"
    p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
    errors="$(awk '/Socket errors/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } /Non-2xx/ { n += $5 } END { print n + 0 }' <<<"$out")"
    echo "$server,$where,$file,$mode,$offered,$conns,$seconds,$rps,$p50,$p90,$p99,$errors,$cpu" >>"$CSV"
    printf '%-9s %-9s %-9s %-10s %8s %9s %9s %9s %9s %7s %8s\n' "$server" "$where" "$file" "$mode" \
        "$offered" "$rps" "$p50" "$p90" "$p99" "$errors" "$cpu"
}

echo "web.sh: wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}'), $(nginx -v 2>&1 | sed 's/.*: //'), $seconds s a point, loopback (no virtualisation), CPU: $(nproc) cores"
printf '%-9s %-9s %-9s %-10s %8s %9s %9s %9s %9s %7s %8s\n' server where file mode offered req/s p50_ms p90_ms \
    p99_ms errors cpu_us
wait_http "http://127.0.0.1:$WEB_PORT/index.html"
wait_http "http://127.0.0.1:$NGINX_PORT/index.html"
IFS=, read -r -a rate_list <<<"$rates"
for file in index.html 100k.bin; do
    label=$([[ $file == index.html ]] && echo 612B || echo 100KiB)
    for server in web nginx; do
        port=$([[ $server == web ]] && echo $WEB_PORT || echo $NGINX_PORT)
        point "$server" loopback "$label" max - "$connections" "http://127.0.0.1:$port/$file"
        for rate in "${rate_list[@]}"; do
            # 1 ms pause after each response, about 2 ms a cycle with wrk's millisecond timers:
            # rate/500 connections offer about the rate (the achieved rate is what is reported)
            conns=$(((rate + 499) / 500))
            WEB_BENCH_DELAY_MS=1 point "$server" loopback "$label" paced "$rate" "$conns" \
                "http://127.0.0.1:$port/$file" -s bench/web-rate.lua
        done
    done
done

echo
echo "web/nginx at full speed (goal >= $GOAL_NGINX):"
awk -F, '$4 == "max" { r[$1 "," $3] = $8 } END {
    for (f in r) { split(f, k, ","); if (k[1] == "web") printf "  %-7s web %d req/s, nginx %d req/s: %.2fx\n", k[2], r[f], r["nginx," k[2]], r[f] / r["nginx," k[2]] } }' "$CSV"

# The unikernel beside web.linux in the Linux VM (the vm runtime) on the same QEMU, machine and NIC,
# both given the same two files as their rootfs (--rootfs) and serving it with -r /.
qemu_point() {
    local where=$1
    local runtime=()
    [[ $where == vm ]] && runtime=(--runtime vm)
    "$ATOLL" run "${runtime[@]}" "$IMAGE" --machine microvm --rootfs "$WORK/root" --netns "$NS" \
        --net "tap=tap0,ip=$GUEST_ADDR/24" --timeout $((seconds * 6 + 300)) -- -p 80 -r / \
        >"$WORK/$where.log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    local deadline=$((SECONDS + 180))
    until ip netns exec "$NS" curl -s -o /dev/null --max-time 2 "http://$GUEST_ADDR/index.html"; do
        if ! kill -0 "$pid" 2>/dev/null || ((SECONDS >= deadline)); then
            sed 's/^/  /' "$WORK/$where.log" >&2
            return 1
        fi
    done
    CPU_PID=$pid point web "$where-$ACCEL_NAME" 612B max - "$connections" \
        "http://$GUEST_ADDR/index.html"
    WEB_BENCH_DELAY_MS=1 CPU_PID=$pid point web "$where-$ACCEL_NAME" 612B paced 1000 2 \
        "http://$GUEST_ADDR/index.html" -s bench/web-rate.lua
    CPU_PID=$pid point web "$where-$ACCEL_NAME" 100KiB max - "$connections" \
        "http://$GUEST_ADDR/100k.bin"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

echo
if [[ ! -f $IMAGE ]]; then
    echo "unikernel and vm: $IMAGE missing: run make all"
else
    # shellcheck source=bench/accel.sh
    source bench/accel.sh
    bench_accel web.sh "$IMAGE"
    ip -n "$NS" tuntap add dev tap0 mode tap
    ip -n "$NS" addr add "$TAP_ADDR/24" dev tap0
    ip -n "$NS" link set tap0 up
    echo "on QEMU (microvm, $ACCEL_NAME, virtio-net over a tap in the namespace):"
    if [[ -e $BUILD/vm/vmlinux || -e $BUILD/vm/vmlinuz ]]; then
        qemu_point vm
    else
        echo "vm: $BUILD/vm missing: run make vm (make bench-web does)"
    fi
    qemu_point unikernel || { echo "web.sh: the unikernel never answered" >&2; exit 1; }
    awk -F, -v a="unikernel-$ACCEL_NAME" -v b="vm-$ACCEL_NAME" '$4 == "max" && ($2 == a || $2 == b) {
        r[$2 "," $3] = $8 } END { for (f in r) { split(f, k, ","); if (k[1] == a && r[b "," k[2]])
        printf "  %-7s unikernel/vm: %.2fx (goal >= 3)\n", k[2], r[f] / r[b "," k[2]] } }' "$CSV"
fi
echo
echo "web.sh: results in $CSV"

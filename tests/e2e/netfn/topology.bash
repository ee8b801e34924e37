# The white paper's topology in network namespaces, for tests/e2e/poc.bats and bench/forward.sh:
#
#   client 192.168.100.10 ── [eth0 firewall eth1] ── link 10.1.0.0/24 ── [eth0 router eth1] ── DMZ
#                                 .100.1   10.1.0.1                    10.1.0.2   10.0.0.1     │
#                                                                     dns 10.0.0.100, web 10.0.0.80
#
# Namespaces (suffix $TOPO_ID): C client, F firewall, L link (a bridge), R router, B DMZ (a
# bridge), S dns server, W web server. Nothing touches the host's own namespace.
#
# The firewall and the router run as one of:
#   linux      the static .linux binaries inside F and R, on veths named eth0 and eth1
#   container  the same binaries as podman containers in F and R (--network ns:...)
#   unikernel  the .img under QEMU (TCG) in F and R with tap0 and tap1; once QEMU holds them,
#              each tap moves to its neighbour (client, link bridge, DMZ bridge)
#   vm-apps    the same, with `atoll run --runtime vm`: the .linux binaries in a Linux guest
#   vm         Linux guests on the same QEMU forwarding themselves, the firewall's with nftables
#              rules of the PoC policy's meaning (bench/forward-nft.rules): build/vm/nft-forward
#              over build/vm/nft.cpio.gz (`make vm vm-nft`), with the same taps as the unikernel
# F and R have no address on their links: Linux's own IP stack stays off them (IPv6 disabled,
# no IPv4 address), so only the network function answers there.
#
# The DMZ servers are Atoll's dns and web apps, as TOPO_DNS and TOPO_WEB say (topo_servers).
# shellcheck shell=bash

TOPO_PY=/usr/bin/python3
TOPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOPO_ROOT="$(cd "$TOPO_DIR/../../.." && pwd)"
TOPO_BUILD="${BUILD:-build}"
[[ $TOPO_BUILD == /* ]] || TOPO_BUILD="$TOPO_ROOT/$TOPO_BUILD"
TOPO_ATOLL="${ATOLL:-$TOPO_BUILD/tools/atoll}"
# What was started is written down under $TOPO_STATE (set by topo_create) so that a later
# process (bats' teardown_file) can stop it.
topo_track() { echo "$2" >>"$TOPO_STATE/$1"; }

topo_ns() { echo "atoll-nf-$1-$TOPO_ID"; }

# topo_wait_for FILE TEXT SECONDS: polls FILE until it holds TEXT.
topo_wait_for() {
    local deadline=$((SECONDS + $3))
    until grep -q -- "$2" "$1" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            echo "topology: no '$2' in $1 after $3 s" >&2
            cat "$1" >&2 2>/dev/null
            return 1
        fi
        sleep 0.1
    done
}

topo_quiet_ns() {
    ip netns add "$1"
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1
    ip -n "$1" link set lo up
}

# topo_bridge_plain NS: the bridges here only switch frames. With br_netfilter loaded, Linux
# hands every bridged frame to the iptables, ip6tables and arptables hooks of the bridge's
# namespace (net.bridge.bridge-nf-call-*, 1 by default and per namespace): harness cost that
# belongs to no system under test, so it is switched off in the topology's own namespaces only.
topo_bridge_plain() {
    [[ -d /proc/sys/net/bridge ]] || return 0
    ip netns exec "$1" sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
        net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
}

# topo_bridge_port NS DEV: enslaves DEV (already in NS) to NS's br0 and sets it up.
topo_bridge_port() {
    ip -n "$1" link set "$2" master br0
    ip -n "$1" link set "$2" up
}

# topo_create ID STATEDIR: the namespaces, bridges and hosts; the network functions' links come later.
topo_create() {
    TOPO_ID=$1
    TOPO_STATE=$2
    mkdir -p "$TOPO_STATE"
    echo "$TOPO_ID" >"$TOPO_STATE/id"
    local n
    for n in C F L R B S W; do topo_quiet_ns "$(topo_ns $n)"; done
    for n in L B; do
        ip -n "$(topo_ns $n)" link add br0 type bridge
        ip -n "$(topo_ns $n)" link set br0 up
        topo_bridge_plain "$(topo_ns $n)"
    done
    # DMZ hosts on the DMZ bridge.
    ip link add s0 netns "$(topo_ns S)" type veth peer name s0 netns "$(topo_ns B)"
    ip link add w0 netns "$(topo_ns W)" type veth peer name w0 netns "$(topo_ns B)"
    topo_bridge_port "$(topo_ns B)" s0
    topo_bridge_port "$(topo_ns B)" w0
    ip -n "$(topo_ns S)" addr add 10.0.0.100/24 dev s0
    ip -n "$(topo_ns S)" link set s0 up
    ip -n "$(topo_ns S)" route add default via 10.0.0.1
    ip -n "$(topo_ns W)" addr add 10.0.0.80/24 dev w0
    ip -n "$(topo_ns W)" link set w0 up
    ip -n "$(topo_ns W)" route add default via 10.0.0.1
}

# topo_client_addr DEV: addresses the client's link.
topo_client_addr() {
    ip -n "$(topo_ns C)" addr add 192.168.100.10/24 dev "$1"
    ip -n "$(topo_ns C)" link set "$1" up
    ip -n "$(topo_ns C)" route add default via 192.168.100.1
}

# Veths eth0/eth1 in F and R, their peers at the client and on the bridges.
topo_veth_links() {
    local F R
    F=$(topo_ns F) R=$(topo_ns R)
    ip link add eth0 netns "$F" type veth peer name c0 netns "$(topo_ns C)"
    ip link add eth1 netns "$F" type veth peer name f1 netns "$(topo_ns L)"
    ip link add eth0 netns "$R" type veth peer name r0 netns "$(topo_ns L)"
    ip link add eth1 netns "$R" type veth peer name r1 netns "$(topo_ns B)"
    for ns in "$F" "$R"; do
        ip -n "$ns" link set eth0 up
        ip -n "$ns" link set eth1 up
    done
    topo_bridge_port "$(topo_ns L)" f1
    topo_bridge_port "$(topo_ns L)" r0
    topo_bridge_port "$(topo_ns B)" r1
    topo_client_addr c0
}

# topo_image_server NS DEV ADDR IMAGE MAC LOG PROBE: boots an Atoll image as a DMZ host: its tap,
# made in NS, joins the DMZ bridge once QEMU holds it, and the namespace's own veth DEV gives up
# ADDR for PROBE, a Linux host on the DMZ from which the checks ping the inside.
topo_image_server() {
    local ns deadline
    ns=$(topo_ns "$1")
    ip -n "$ns" addr flush dev "$2"
    ip -n "$ns" addr add "$7/24" dev "$2"
    ip -n "$ns" route add default via 10.0.0.1
    ip -n "$ns" tuntap add dev tap0 mode tap
    ip -n "$ns" link set tap0 up
    "$TOPO_ATOLL" run "$4" --netns "$ns" --net "tap=tap0,ip=$3/24,gw=10.0.0.1,mac=$5" \
        --timeout "${TOPO_TIMEOUT:-600}" >"$6" 2>&1 &
    topo_track pids $!
    deadline=$((SECONDS + 90))
    while ip -n "$ns" link show tap0 | grep -q NO-CARRIER; do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
    ip -n "$ns" link set tap0 netns "$(topo_ns B)"
    ip -n "$(topo_ns B)" link set tap0 name "t$1"
    topo_bridge_port "$(topo_ns B)" "t$1"
}

# topo_container_server NS APP LOG: the app's container (make container-APP) inside NS.
topo_container_server() {
    local id
    id=$(podman run -d "${PODMAN_RUN_FLAGS[@]}" --network "ns:/run/netns/$(topo_ns "$1")" \
        --name "atoll-nf-$2-$TOPO_ID" "localhost/atoll-$2:latest") || return 1
    topo_track containers "$id"
    podman logs -f "$id" >"$3" 2>&1 &
    topo_track pids $!
}

# The DMZ servers are Atoll's own apps (apps/dns with its poc.test zone, apps/web with its page
# and /api/status), run as TOPO_DNS and TOPO_WEB say: `linux` (the static binaries in S and W,
# the default), `container` (make container-dns container-web), `unikernel` (dns.img and web.img
# under QEMU, each with a tap on the DMZ bridge) or `test`: Linux test servers
# (tests/e2e/netfn/dns_responder.py, which answers every A question with 10.0.0.80, and python3's
# http.server with the page "atoll poc web page"), for where an app cannot run yet.
topo_servers() {
    local log=$1 zones="$TOPO_ROOT/apps/dns/rootfs/zones"
    case ${TOPO_DNS:-linux} in
    linux)
        ip netns exec "$(topo_ns S)" "$TOPO_BUILD/dns/dns.linux" "$zones/poc.test.zone" \
            "$zones/10.0.0.rev.zone" >"$log/dns.log" 2>&1 &
        topo_track pids $!
        ;;
    container) topo_container_server S dns "$log/dns.log" || return 1 ;;
    unikernel)
        topo_image_server S s0 10.0.0.100 "$TOPO_BUILD/dns/dns.img" 52:54:00:0d:00:64 \
            "$log/dns.log" 10.0.0.10 || return 1
        ;;
    test)
        ip netns exec "$(topo_ns S)" "$TOPO_PY" "$TOPO_DIR/dns_responder.py" 10.0.0.100 \
            10.0.0.80 >"$log/dns.log" 2>&1 &
        topo_track pids $!
        ;;
    esac
    if [[ ${TOPO_DNS:-linux} == test ]]; then
        topo_wait_for "$log/dns.log" "listening" 20 || return 1
    else
        topo_wait_for "$log/dns.log" "zones loaded" 90 || return 1
    fi
    case ${TOPO_WEB:-linux} in
    linux)
        ip netns exec "$(topo_ns W)" "$TOPO_BUILD/web/web.linux" -p 80 \
            -r "$TOPO_ROOT/apps/web/rootfs/www" >"$log/web.log" 2>&1 &
        topo_track pids $!
        ;;
    container) topo_container_server W web "$log/web.log" || return 1 ;;
    unikernel)
        topo_image_server W w0 10.0.0.80 "$TOPO_BUILD/web/web.img" 52:54:00:0d:00:50 \
            "$log/web.log" 10.0.0.11 || return 1
        ;;
    test)
        mkdir -p "$log/www"
        echo "atoll poc web page" >"$log/www/index.html"
        ip netns exec "$(topo_ns W)" "$TOPO_PY" -m http.server 80 --bind 10.0.0.80 \
            --directory "$log/www" >"$log/web.log" 2>&1 &
        topo_track pids $!
        local deadline=$((SECONDS + 20))
        until ip netns exec "$(topo_ns W)" ss -ltn | grep -q '10.0.0.80:80'; do
            ((SECONDS < deadline)) || return 1
            sleep 0.1
        done
        return 0
        ;;
    esac
    topo_wait_for "$log/web.log" "web: serving" 90
}

# Linux's own forwarding in F and R with nftables rules of the PoC policy's meaning
# (bench/forward-nft.rules): the peer the network functions are measured against.
topo_kernel_forwarding() {
    local F R
    F=$(topo_ns F) R=$(topo_ns R)
    topo_veth_links
    ip -n "$F" addr add 192.168.100.1/24 dev eth0
    ip -n "$F" addr add 10.1.0.1/24 dev eth1
    ip -n "$F" route add 10.0.0.0/24 via 10.1.0.2
    ip -n "$R" addr add 10.1.0.2/24 dev eth0
    ip -n "$R" addr add 10.0.0.1/24 dev eth1
    ip -n "$R" route add default via 10.1.0.1
    ip netns exec "$F" sysctl -qw net.ipv4.ip_forward=1
    ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1
    ip netns exec "$F" nft -f "$TOPO_ROOT/bench/forward-nft.rules"
}

# The link between the firewall's QEMU and the router's: TOPO_LINK=bridge (the default) gives each
# a tap (F's tap1, R's tap0) on the bridge in L. TOPO_LINK=stream or dgram wires the two QEMUs
# straight to each other (`atoll run --net stream=` or `dgram=`: Unix sockets under $TOPO_STATE,
# no tap, no bridge); stream, where one read takes many frames, is the cheaper of the two. Sets
# TOPO_FW_LINK and TOPO_RT_LINK, the --net specs without their settings.
topo_link_nets() {
    case ${TOPO_LINK:-bridge} in
    stream)
        TOPO_FW_LINK="stream=listen:$TOPO_STATE/link.sock"
        TOPO_RT_LINK="stream=connect:$TOPO_STATE/link.sock"
        ;;
    dgram)
        TOPO_FW_LINK="dgram=$TOPO_STATE/fw-link.sock:$TOPO_STATE/rt-link.sock"
        TOPO_RT_LINK="dgram=$TOPO_STATE/rt-link.sock:$TOPO_STATE/fw-link.sock"
        ;;
    *)
        TOPO_FW_LINK=tap=tap1
        TOPO_RT_LINK=tap=tap0
        ;;
    esac
}

# The router's end of a stream link connects once: waits for the firewall's QEMU to listen.
topo_link_wait() {
    [[ ${TOPO_LINK:-bridge} == stream ]] || return 0
    local deadline=$((SECONDS + 60))
    until [[ -S $TOPO_STATE/link.sock ]]; do
        if ((SECONDS >= deadline)); then
            echo "topology: the firewall's QEMU does not listen on $TOPO_STATE/link.sock" >&2
            return 1
        fi
        sleep 0.05
    done
}

# topo_nf_tap NS NAME: a tap in NS for a QEMU instance of the firewall or the router.
topo_nf_tap() {
    ip -n "$1" tuntap add dev "$2" mode tap
    ip -n "$1" link set "$2" up
}

# The taps in F and R for the QEMU instances of the firewall and the router.
topo_nf_taps() {
    topo_link_nets
    topo_nf_tap "$(topo_ns F)" tap0
    topo_nf_tap "$(topo_ns R)" tap1
    if [[ ${TOPO_LINK:-bridge} == bridge ]]; then
        topo_nf_tap "$(topo_ns F)" tap1
        topo_nf_tap "$(topo_ns R)" tap0
    elif [[ $TOPO_LINK == dgram ]]; then
        # A Unix datagram socket queues 10 datagrams by default (net.unix.max_dgram_qlen, per
        # namespace, read when QEMU makes its socket): a tap queues 500 frames, and a link
        # shallower than that drops every burst that meets a descheduled QEMU.
        local ns
        for ns in "$(topo_ns F)" "$(topo_ns R)"; do
            ip netns exec "$ns" sysctl -qw net.unix.max_dgram_qlen=512
        done
    fi
}

# QEMU holds the taps: each moves to the neighbour it stands for. With TOPO_DMZ_DIRECT=1 (for
# benchmarks, which start no DMZ servers) the router's DMZ tap becomes the DNS host's own link
# instead of a port of the DMZ bridge, as the client's tap is the client's: no bridge on the path.
topo_nf_taps_move() {
    local F R
    F=$(topo_ns F) R=$(topo_ns R)
    ip -n "$F" link set tap0 netns "$(topo_ns C)"
    if [[ ${TOPO_LINK:-bridge} == bridge ]]; then
        ip -n "$F" link set tap1 netns "$(topo_ns L)"
        ip -n "$R" link set tap0 netns "$(topo_ns L)"
        topo_bridge_port "$(topo_ns L)" tap1
        topo_bridge_port "$(topo_ns L)" tap0
    fi
    if [[ -n ${TOPO_DMZ_DIRECT:-} ]]; then
        local S
        S=$(topo_ns S)
        ip -n "$S" link del s0
        ip -n "$R" link set tap1 netns "$S"
        ip -n "$S" link set tap1 name s0
        ip -n "$S" addr add 10.0.0.100/24 dev s0
        ip -n "$S" link set s0 up
        ip -n "$S" route add default via 10.0.0.1
    else
        ip -n "$R" link set tap1 netns "$(topo_ns B)"
        topo_bridge_port "$(topo_ns B)" tap1
    fi
    topo_client_addr tap0
}

# topo_nft_vms LOGDIR: Linux guests as firewall (nftables, bench/forward-nft.rules) and router
# (plain forwarding), addressed like topo_kernel_forwarding's namespaces.
topo_nft_vms() {
    local log=$1 rootfs=$1/nft-root
    [[ -f $TOPO_BUILD/vm/nft.cpio.gz ]] || {
        echo "topology: $TOPO_BUILD/vm/nft.cpio.gz missing: make vm vm-nft" >&2
        return 1
    }
    mkdir -p "$rootfs/etc"
    (cd "$rootfs" && gzip -dc "$TOPO_BUILD/vm/nft.cpio.gz" | cpio --quiet -idm) || return 1
    cp "$TOPO_ROOT/bench/forward-nft.rules" "$rootfs/etc/nftables.rules"
    topo_nf_taps
    # The guest's memory: the runner's default plus room for the unpacked archive.
    "$TOPO_ATOLL" run "$TOPO_BUILD/vm/nft-forward" --runtime vm --rootfs "$rootfs" \
        --mem 192M --netns "$(topo_ns F)" \
        --net tap=tap0,ip=192.168.100.1/24,mac=52:54:00:0f:00:00 \
        --net "$TOPO_FW_LINK,ip=10.1.0.1/24,mac=52:54:00:0f:00:01" \
        --append route=10.0.0.0/24,10.1.0.2 \
        --timeout "${TOPO_TIMEOUT:-600}" -- /etc/nftables.rules >"$log/firewall.log" 2>&1 &
    topo_track pids $!
    topo_link_wait || return 1
    "$TOPO_ATOLL" run "$TOPO_BUILD/vm/nft-forward" --runtime vm --rootfs "$rootfs" \
        --mem 192M --netns "$(topo_ns R)" \
        --net "$TOPO_RT_LINK,ip=10.1.0.2/24,gw=10.1.0.1,mac=52:54:00:0e:00:00" \
        --net tap=tap1,ip=10.0.0.1/24,mac=52:54:00:0e:00:01 \
        --timeout "${TOPO_TIMEOUT:-600}" >"$log/router.log" 2>&1 &
    topo_track pids $!
    topo_wait_for "$log/firewall.log" "nft-forward: forwarding" 120 || return 1
    topo_wait_for "$log/router.log" "nft-forward: forwarding" 120 || return 1
    topo_nf_taps_move
}

# topo_start MODE LOGDIR: starts servers, firewall and router; returns once both forward.
# TOPO_NO_SERVERS=1 leaves the DMZ servers out (benchmarks send them nothing to answer).
topo_start() {
    local mode=$1 log=$2
    [[ -n ${TOPO_NO_SERVERS:-} ]] || topo_servers "$log" || return 1
    local F R
    F=$(topo_ns F) R=$(topo_ns R)
    case $mode in
    kernel)
        topo_kernel_forwarding
        topo_wait_bridges
        return
        ;;
    linux)
        topo_veth_links
        ip netns exec "$F" "$TOPO_BUILD/firewall/firewall.linux" \
            --rules "$TOPO_ROOT/apps/firewall/rootfs/etc/firewall" >"$log/firewall.log" 2>&1 &
        topo_track pids $!
        echo "kill -USR1 $!" >"$log/firewall.counters"
        ip netns exec "$R" "$TOPO_BUILD/router/router.linux" \
            --config "$TOPO_ROOT/apps/router/rootfs/etc/router.conf" >"$log/router.log" 2>&1 &
        topo_track pids $!
        ;;
    container)
        topo_veth_links
        local id
        id=$(podman run -d "${PODMAN_RUN_FLAGS[@]}" --cap-add NET_RAW --network "ns:/run/netns/$F" \
            --name "atoll-nf-fw-$TOPO_ID" localhost/atoll-firewall:latest) || return 1
        topo_track containers "$id"
        echo "podman kill -s USR1 $id" >"$log/firewall.counters"
        podman logs -f "$id" >"$log/firewall.log" 2>&1 &
        topo_track pids $!
        id=$(podman run -d "${PODMAN_RUN_FLAGS[@]}" --cap-add NET_RAW --network "ns:/run/netns/$R" \
            --name "atoll-nf-rt-$TOPO_ID" localhost/atoll-router:latest) || return 1
        topo_track containers "$id"
        podman logs -f "$id" >"$log/router.log" 2>&1 &
        topo_track pids $!
        ;;
    vm)
        topo_nft_vms "$log" || return 1
        topo_wait_bridges
        return
        ;;
    unikernel | vm-apps)
        local ns runtime=() fw_args=()
        [[ $mode == vm-apps ]] && runtime=(--runtime vm)
        # No signals reach an instance from outside: it prints its counters every N seconds
        # (TOPO_FW_STATS_EVERY, TOPO_RT_STATS_EVERY).
        [[ -z ${TOPO_FW_STATS_EVERY:-} ]] || fw_args=(-- --stats-every "$TOPO_FW_STATS_EVERY")
        local rt_args=()
        [[ -z ${TOPO_RT_STATS_EVERY:-} ]] || rt_args=(-- --stats-every "$TOPO_RT_STATS_EVERY")
        echo ":" >"$log/firewall.counters"
        topo_nf_taps
        "$TOPO_ATOLL" run "$TOPO_BUILD/firewall/firewall.img" "${runtime[@]}" --netns "$F" \
            --net tap=tap0,mac=52:54:00:0f:00:00 --net "$TOPO_FW_LINK,mac=52:54:00:0f:00:01" \
            --timeout "${TOPO_TIMEOUT:-600}" "${fw_args[@]}" >"$log/firewall.log" 2>&1 &
        topo_track pids $!
        topo_link_wait || return 1
        "$TOPO_ATOLL" run "$TOPO_BUILD/router/router.img" "${runtime[@]}" --netns "$R" \
            --net "$TOPO_RT_LINK,mac=52:54:00:0e:00:00" --net tap=tap1,mac=52:54:00:0e:00:01 \
            --timeout "${TOPO_TIMEOUT:-600}" "${rt_args[@]}" >"$log/router.log" 2>&1 &
        topo_track pids $!
        topo_wait_for "$log/firewall.log" "firewall: filtering" 90 || return 1
        topo_wait_for "$log/router.log" "router: forwarding" 90 || return 1
        topo_nf_taps_move
        ;;
    esac
    topo_wait_for "$log/firewall.log" "firewall: filtering" 90 || return 1
    topo_wait_for "$log/router.log" "router: forwarding" 90 || return 1
    topo_wait_bridges
}

# A bridge port forwards only once Linux's link watch has seen its carrier (up to a second
# after it comes up): polls until every port of both bridges forwards.
topo_wait_bridges() {
    local deadline=$((SECONDS + 20)) n
    for n in L B; do
        while bridge -n "$(topo_ns $n)" link show | grep -v "state forwarding" | grep -q .; do
            if ((SECONDS >= deadline)); then
                bridge -n "$(topo_ns $n)" link show >&2
                return 1
            fi
            sleep 0.05
        done
    done
    # The client's own link too.
    while ! ip -n "$(topo_ns C)" link show | grep -q "LOWER_UP"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.05
    done
}

# topo_firewall_counters LOGDIR: has the firewall print its counters (SIGUSR1 to the binary or
# the container; an instance prints them every TOPO_FW_STATS_EVERY seconds) and waits for a block
# printed after the call.
topo_firewall_counters() {
    local log=$1 before deadline=$((SECONDS + 30))
    before=$(grep -c '^untrackable ' "$log/firewall.log" || true)
    bash -c "$(cat "$log/firewall.counters")" >/dev/null
    until (($(grep -c '^untrackable ' "$log/firewall.log" || true) > before)); do
        ((SECONDS < deadline)) || return 1
        sleep 0.1
    done
}

# topo_destroy STATEDIR: stops everything started and deletes the namespaces.
topo_destroy() {
    local state=$1 id pid n
    [[ -d $state ]] || return 0
    if [[ -f $state/containers ]]; then
        while read -r id; do podman rm -f -t 2 "$id" >/dev/null 2>&1 || true; done <"$state/containers"
    fi
    if [[ -f $state/pids ]]; then
        while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$state/pids"
        while read -r pid; do
            local deadline=$((SECONDS + 10))
            while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
        done <"$state/pids"
    fi
    rm -f "$state/pids" "$state/containers"
    [[ -f $state/id ]] || return 0
    TOPO_ID=$(cat "$state/id")
    for n in C F L R B S W; do ip netns del "$(topo_ns $n)" 2>/dev/null || true; done
}

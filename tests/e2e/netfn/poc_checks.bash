# The checks of the white paper's topology, shared by poc.bats (unikernels under QEMU TCG),
# poc_container.bats (podman) and poc_linux.bats (the static binaries in namespaces). The DMZ
# servers are Atoll's dns and web apps in the same form (TOPO_DNS, TOPO_WEB: topology.bash).
# shellcheck shell=bash
# shellcheck disable=SC2154 # status and output are set by bats' run

source "$(dirname "${BASH_SOURCE[0]}")/topology.bash"

POC_STATE="${BATS_FILE_TMPDIR:-/tmp}/poc"

poc_setup_file() {
    local mode=$1
    if [[ $(id -u) -ne 0 || ! -c /dev/net/tun ]]; then
        skip "needs root and /dev/net/tun"
    fi
    topo_create "$BATS_ROOT_PID${mode:0:1}" "$POC_STATE" # one topology per file, even in parallel
    export TOPO_FW_STATS_EVERY=2
    if ! topo_start "$mode" "$POC_STATE"; then
        cat "$POC_STATE"/*.log >&2
        topo_destroy "$POC_STATE"
        return 1
    fi
}

poc_teardown_file() {
    topo_destroy "$POC_STATE"
    echo "# firewall log:" >&3
    sed 's/^/#   /' "$POC_STATE/firewall.log" | tail -5 >&3 || true
}

in_ns() {
    local ns
    ns=$(topo_ns "$1")
    shift
    ip netns exec "$ns" "$@"
}

# The answers of apps/dns's poc.test zone (apps/dns/rootfs/zones/poc.test.zone).
poc_dig() {
    TOPO_ID=$(cat "$POC_STATE/id")
    # The first query may wait for ARP on three links: a few tries with short timeouts.
    run in_ns C dig +short +time=3 +tries=3 @10.0.0.100 www.poc.test
    echo "$output"
    [[ $status -eq 0 && $output == "10.0.0.80" ]]
    run in_ns C dig +short +time=3 +tries=2 @10.0.0.100 ns.poc.test
    echo "$output"
    [[ $status -eq 0 && $output == "10.0.0.100" ]]
    run in_ns C dig +time=3 +tries=2 @10.0.0.100 web.poc.test
    echo "$output"
    [[ $status -eq 0 && $output == *"status: NOERROR"* && $output == *"flags: qr aa"* ]]
    grep -Eq '^web\.poc\.test\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]+10\.0\.0\.80$' <<<"$output"
    run in_ns C dig +short +time=3 +tries=2 @10.0.0.100 nothing.poc.test
    echo "$output"
    [[ $status -eq 0 && -z $output ]] # NXDOMAIN: no answer
    run in_ns C dig +tcp +short +time=5 +tries=2 @10.0.0.100 www.poc.test
    echo "$output"
    [[ $status -eq 0 && $output == "10.0.0.80" ]]
}

# poc_page_ok: the web server's front page (apps/web/rootfs/www/index.html, or the test server's).
poc_page_ok() {
    run in_ns C curl -s -m 20 --retry 2 http://10.0.0.80/
    echo "$output"
    if [[ ${TOPO_WEB:-linux} == test ]]; then
        [[ $status -eq 0 && $output == "atoll poc web page" ]]
    else
        [[ $status -eq 0 && $output == *"<title>Atoll web</title>"* ]]
        diff <(echo "$output") "$TOPO_ROOT/apps/web/rootfs/www/index.html"
    fi
}

poc_curl() {
    TOPO_ID=$(cat "$POC_STATE/id")
    poc_page_ok
    [[ ${TOPO_WEB:-linux} != test ]] || return 0
    # The REST API names the runtime the app runs in. The web app takes /run/.containerenv or
    # /.dockerenv for a container: a web.linux on a host that is itself a container says so.
    local runtime=${TOPO_WEB:-linux}
    [[ $runtime != linux || ! (-e /run/.containerenv || -e /.dockerenv) ]] || runtime=container
    run in_ns C curl -s -m 20 -D - http://10.0.0.80/api/status
    echo "$output"
    [[ $status -eq 0 && $output == *"HTTP/1.1 200"* && $output == *"application/json"* ]]
    [[ $output == *"\"runtime\":\"$runtime\""* && $output == *"\"requests\":"* ]]
}

poc_ping() {
    TOPO_ID=$(cat "$POC_STATE/id")
    # From outside: dropped by the firewall.
    run in_ns C ping -n -c 2 -W 2 10.0.0.80
    echo "$output"
    [[ $output == *" 0 received"* ]]
    # Inside (from the DMZ hosts, or the Linux probes beside unikernel ones): the router, through
    # it the firewall's inside address, and the DNS server answer.
    run in_ns S ping -n -c 2 -W 5 10.0.0.1
    echo "$output"
    [[ $output == *" 2 received"* ]]
    run in_ns S ping -n -c 2 -W 5 10.1.0.1
    echo "$output"
    [[ $output == *" 2 received"* ]]
    run in_ns W ping -n -c 1 -W 5 10.0.0.100
    [[ $output == *" 1 received"* ]]
}

poc_nmap() {
    TOPO_ID=$(cat "$POC_STATE/id")
    run in_ns C nmap -n -Pn -sS -p 22,25,53,80,443,8080 --max-retries 2 --host-timeout 90s \
        10.0.0.100 10.0.0.80
    echo "$output"
    [[ $status -eq 0 ]]
    local open
    open=$(echo "$output" | awk '/^Nmap scan report/ {host=$NF} / open / {print host, $1}' | sort |
        tr '\n' ' ')
    echo "open: $open"
    [[ $open == "10.0.0.100 53/tcp 10.0.0.80 80/tcp " ]]
}

poc_traceroute() {
    TOPO_ID=$(cat "$POC_STATE/id")
    run in_ns C ping -n -c 1 -W 5 -t 1 10.0.0.100
    echo "$output"
    [[ $output == *"From 192.168.100.1 "*"Time to live exceeded"* ]]
    # Two probes a hop: one lost probe under load still shows the hop.
    run in_ns C traceroute -n -T -p 80 -w 3 -q 2 -m 4 10.0.0.80
    echo "$output"
    grep -Eq '^ *1 .*192\.168\.100\.1 ' <<<"$output"
    grep -Eq '^ *2 .*10\.1\.0\.2 ' <<<"$output"
    grep -Eq '^ *3 .*10\.0\.0\.80 ' <<<"$output"
}

# Sends hostile.py's frames with a capture on the web server's and the DNS server's links;
# only the control frame may arrive.
poc_hostile() {
    TOPO_ID=$(cat "$POC_STATE/id")
    local fw_mac dev cap="$BATS_TEST_TMPDIR/hostile"
    dev=$(in_ns C ip -o link show | awk -F': ' '$2 ~ /^(c0|tap0)/ {sub(/@.*/, "", $2); print $2}')
    in_ns C ping -n -c 1 -W 5 192.168.100.1 >/dev/null || true # resolves the firewall's MAC
    fw_mac=$(in_ns C ip neigh show 192.168.100.1 | awk '{print $5}')
    [[ -n $fw_mac && -n $dev ]]
    # tcpdump itself (not a subshell) in the background, so that kill reaches it.
    ip netns exec "$(topo_ns B)" tcpdump -n -v -l -i br0 'ip[4:2] >= 40001 and ip[4:2] <= 40100' \
        >"$cap.txt" 2>"$cap.err" &
    local tcpdump=$!
    topo_wait_for "$cap.err" "listening on" 20
    run in_ns C /usr/bin/python3 "$TOPO_DIR/hostile.py" "$dev" "$fw_mac"
    echo "$output"
    [[ $status -eq 0 ]]
    local deadline=$((SECONDS + 20))
    until grep -q "id 40100" "$cap.txt" || ((SECONDS >= deadline)); do sleep 0.1; done
    kill "$tcpdump" 2>/dev/null || true
    wait "$tcpdump" 2>/dev/null || true
    cat "$cap.txt"
    grep -q "id 40100" "$cap.txt"
    run grep -E "id 4000[1-7]," "$cap.txt"
    [[ $status -ne 0 ]] # none of the hostile frames crossed
    # ... and each was dropped and counted where it should be.
    topo_firewall_counters "$POC_STATE"
    local counters
    counters=$(tac "$POC_STATE/firewall.log" | tr -d '\r')
    last() { grep -m1 -oE "^$1[0-9]+" <<<"$counters" | awk '{print $NF}'; }
    echo "ip_checksum $(last 'drop ip_checksum ') ip_malformed $(last 'drop ip_malformed ')" \
        "untrackable $(last 'untrackable ') invalid $(last 'ct_state invalid packets ')"
    (($(last 'drop ip_checksum ') >= 1))
    (($(last 'drop ip_malformed ') >= 1))
    (($(last 'untrackable ') >= 1))
    (($(last 'ct_state invalid packets ') >= 2))
    (($(last 'rule [^ ]*poc.rules:21 chain forward drop packets ') >= 1)) # spoofed source
    (($(last 'rule [^ ]*poc.rules:22 chain forward drop packets ') >= 1)) # echo from outside
    # Still forwarding.
    poc_page_ok
}

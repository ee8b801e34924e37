#!/usr/bin/env bash
# The white paper's proof of concept, live: firewall, router, DNS and web server as Atoll
# unikernels under QEMU in network namespaces, queried from a client namespace, then torn down.
#
#   scripts/demo-poc.sh [unikernel|container|linux]     (root; `make demo-poc` builds first)
#
#   client 192.168.100.10 ── firewall ── router ── DMZ: dns 10.0.0.100, web 10.0.0.80
#
# Everything lives in namespaces named atoll-nf-*-demoPID; nothing touches the host's own.
set -euo pipefail

mode=${1:-unikernel}
case $mode in
unikernel | container | linux) ;;
*)
    echo "demo-poc: unknown mode '$mode': use unikernel, container or linux" >&2
    exit 2
    ;;
esac
if [[ $(id -u) -ne 0 ]]; then
    echo "demo-poc: needs root (network namespaces, taps)" >&2
    exit 1
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BUILD="${BUILD:-$root/build}"
# shellcheck source=tests/e2e/netfn/topology.bash
source "$root/tests/e2e/netfn/topology.bash"

state="$(mktemp -d /tmp/atoll-demo-poc.XXXXXX)"
cleanup() {
    topo_destroy "$state"
    rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export TOPO_DNS=$mode TOPO_WEB=$mode
[[ $mode != container ]] || for app in firewall router dns web; do
    "$root/scripts/container-build.sh" "$app" "$BUILD" >/dev/null
done
echo "demo-poc: starting firewall, router, dns and web ($mode) in namespaces..."
topo_create "demo$$" "$state"
if ! topo_start "$mode" "$state"; then
    cat "$state"/*.log >&2
    exit 1
fi
client() { ip netns exec "$(topo_ns C)" "$@"; }

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
step "dig @10.0.0.100 www.poc.test            # DNS through firewall and router"
client dig +short +time=3 +tries=5 @10.0.0.100 www.poc.test
step "dig +tcp @10.0.0.100 ns.poc.test"
client dig +tcp +short +time=5 +tries=2 @10.0.0.100 ns.poc.test
step "curl http://www.poc.test/api/status      # the web server's REST API"
client curl -s -m 20 --resolve www.poc.test:80:10.0.0.80 http://www.poc.test/api/status
echo
step "curl -o /dev/null http://www.poc.test/    # the page"
client curl -s -m 20 -o /dev/null -w 'HTTP %{http_code}, %{size_download} bytes in %{time_total} s\n' \
    --resolve www.poc.test:80:10.0.0.80 http://www.poc.test/
step "ping -c 2 -W 1 10.0.0.80                  # ICMP echo from outside: dropped by the firewall"
if client ping -c 2 -W 1 10.0.0.80; then
    echo "demo-poc: ping crossed the firewall: the PoC policy should have dropped it" >&2
    exit 1
fi
echo
echo "demo-poc: done; stopping everything (logs were in $state)"

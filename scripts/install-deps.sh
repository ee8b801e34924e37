#!/usr/bin/env bash
# Installs the Debian packages that building and testing Atoll need, only those that are missing.
set -euo pipefail

packages=(
    build-essential   # gcc, make, the host libc headers
    binutils          # ld, objcopy, addr2line
    musl-tools        # musl-gcc
    musl-dev          # musl's crt files and libc.a, linked into every image
    qemu-system-x86   # boots the images
    bats              # end-to-end tests
    libcmocka-dev     # host unit tests
    clang             # libFuzzer harnesses
    libclang-rt-14-dev # libFuzzer runtime and sanitizers for clang 14
    llvm              # llvm-symbolizer for sanitizer reports
    clang-format      # `make format-check`: the tree follows .clang-format
    cpio              # rootfs archives
    python3           # small helpers in tests and benchmarks
    linux-image-amd64 # the vm runtime: Debian's kernel and its virtio-net modules
    busybox-static    # the vm runtime: the tools inside its initramfs
    kmod              # the vm runtime: modprobe orders the modules it copies
    iputils-ping      # network e2e tests: ping from a test namespace
    python3-scapy     # network e2e tests: hostile frames
    podman            # container runtime: apps as containers (FROM scratch images)
    runc              # the OCI runtime podman is started with (--runtime runc)
    chromium          # web e2e tests: the page rendered headless, driven over the DevTools pipe
    wrk               # bench/web.sh: HTTP load generator (keep-alive, paced with a Lua script)
    nginx             # bench/web.sh: the peer the web server is measured against
    dnsutils          # router/firewall e2e: dig through the PoC topology
    nmap              # router/firewall e2e: port scan from outside
    traceroute        # router/firewall e2e: the router's hop
    tcpdump           # router/firewall e2e: captures behind the firewall
    curl              # router/firewall e2e: the web page through the PoC topology; web e2e: every status code
    nftables          # bench/forward.sh: Linux's own forwarding with the same rules
    knot              # apps/dns: the differential test's reference server, and bench/dns.sh
    nsd               # apps/dns: bench/dns.sh's other peer (differential test: --peer nsd)
    dnsutils          # apps/dns e2e tests: dig
    knot-dnsutils     # apps/dns e2e tests: kdig (TCP, several queries on one connection)
    dnsperf           # bench/dns.sh
    hping3            # TCP e2e tests: the SYN flood against the unikernel
    iproute2          # TCP e2e tests: namespaces, veths, bridge, tap (ip); the benchmarks too
)

is_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == "installed" ]]
}

missing=()
for package in "${packages[@]}"; do
    is_installed "$package" || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "install-deps: missing packages (${missing[*]}) and neither root nor sudo; install them as root" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

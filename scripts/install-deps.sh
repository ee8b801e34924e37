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

#!/usr/bin/env bash
# Builds the `vm` runtime from Debian's packages: the kernel, a busybox initramfs, per-app archives.
#
#   tools/vm/build-vm.sh OUTDIR INIT [APP.linux...]
#
# OUTDIR/vmlinuz               copy of Debian's /boot/vmlinuz-VERSION (linux-image-amd64)
# OUTDIR/vmlinux               the same, unpacked: a PVH ELF that QEMU boots without decompressing
# OUTDIR/initramfs.cpio.gz     busybox-static, the virtio-net modules and INIT as /init
# OUTDIR/initramfs-APP.cpio.gz the same with APP.linux as /atoll/app (bootable with plain QEMU)
# With APPs given, an existing base archive is kept as it is.
#
# $ATOLL_VM_KERNEL picks a kernel version (default: the newest one with modules installed).
# Needs cpio, gzip, kmod's modprobe; no root rights (the init opens the console from devtmpfs).
set -euo pipefail

die() {
    echo "build-vm: $*" >&2
    exit 1
}
# shellcheck source=tools/vm/kmodules.sh
source "$(dirname "${BASH_SOURCE[0]}")/kmodules.sh"

[[ $# -ge 2 ]] || die "usage: build-vm.sh OUTDIR INIT [APP.linux...]"
out=$1 init=$2
shift 2
[[ -x $init ]] || die "$init: not an executable init"

busybox=/bin/busybox
[[ -x $busybox ]] || die "$busybox missing: apt-get install busybox-static"

version=${ATOLL_VM_KERNEL:-$(newest_kernel)}
[[ -n $version && -r /boot/vmlinuz-$version ]] ||
    die "no readable /boot/vmlinuz-* with modules: apt-get install linux-image-amd64"
command -v modprobe >/dev/null || [[ -x /sbin/modprobe ]] || die "modprobe missing: apt-get install kmod"
modprobe=$(command -v modprobe || echo /sbin/modprobe)

mkdir -p "$out"
stage=$(mktemp -d "${TMPDIR:-/tmp}/atoll-vm-XXXXXX")
trap 'rm -rf "$stage"' EXIT

# The kernel, copied only when it changed so that make sees a stable time stamp.
cmp -s "/boot/vmlinuz-$version" "$out/vmlinuz" || cp "/boot/vmlinuz-$version" "$out/vmlinuz"

# The same kernel unpacked: an ELF with the PVH entry note, which QEMU boots directly. Under TCG
# this skips the real-mode setup and the decompressor, which take longer than the kernel's own boot.
# Optional: without it (no xz, another compression) the runner boots vmlinuz.
extract_vmlinux() {
    local offset
    offset=$(grep -abo -m1 $'\xfd7zXZ\x00' "$1" | head -1 | cut -d: -f1) || return 1
    [[ -n $offset ]] && command -v xz >/dev/null || return 1
    # xz stops reading at the end of its stream: tail's broken pipe is expected.
    { tail -c +$((offset + 1)) "$1" || true; } | xz -dc --single-stream >"$2.tmp" 2>/dev/null ||
        return 1
    readelf -n "$2.tmp" 2>/dev/null | grep -q 'Xen.*0x00000012\|Unknown note type: (0x00000012)' || return 1
    mv "$2.tmp" "$2"
}
if [[ ! -f $out/vmlinux || $out/vmlinuz -nt $out/vmlinux ]]; then
    rm -f "$out/vmlinux"
    LC_ALL=C extract_vmlinux "$out/vmlinuz" "$out/vmlinux" ||
        { rm -f "$out/vmlinux.tmp"; echo "build-vm: no PVH vmlinux from $out/vmlinuz: QEMU boots it the slow way" >&2; }
fi

root=$stage/root
mkdir -p "$root"/{bin,dev,proc,sys,etc,atoll,tmp}
cp "$busybox" "$root/bin/busybox"
for applet in sh ip ifconfig route ping cat ls mount; do
    ln -s busybox "$root/bin/$applet"
done
cp "$init" "$root/init"

# virtio-net and its transports, with their dependencies in load order; built-in ones are skipped.
install_modules etc/atoll-modules virtio_pci virtio_mmio virtio_net
[[ -s $root/etc/atoll-modules ]] ||
    grep -q 'virtio_net' "/lib/modules/$version/modules.builtin" ||
    die "virtio_net is neither a module nor built into kernel $version"

pack() { # pack DIR ARCHIVE: a deterministic gzip'ed newc archive of DIR
    find "$1" -exec touch -h -d @0 {} +
    (cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
        cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9n >"$2.$$.tmp"
    mv "$2.$$.tmp" "$2"
}
# With apps given only their archives are written (make builds the base archive first, alone).
[[ $# -gt 0 && -f $out/initramfs.cpio.gz ]] || pack "$root" "$out/initramfs.cpio.gz"

for app in "$@"; do
    [[ -f $app ]] || die "$app: no such file"
    name=$(basename "$app" .linux)
    rm -f "$root/atoll/"*
    cp "$app" "$root/atoll/app"
    printf '%s\n' "$name" >"$root/atoll/name"
    pack "$root" "$out/initramfs-$name.cpio.gz"
done
echo "build-vm: kernel $version: $out/vmlinuz ($(stat -c %s "$out/vmlinuz") bytes)," \
    "$out/initramfs.cpio.gz ($(stat -c %s "$out/initramfs.cpio.gz") bytes)"

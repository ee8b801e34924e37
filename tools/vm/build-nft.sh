#!/usr/bin/env bash
# Builds the vm runtime's optional nftables archive: Debian's nft, its libraries, the netfilter modules.
#
#   tools/vm/build-nft.sh OUTDIR BOOT_SCRIPT
#
# OUTDIR/nft.cpio.gz  /usr/sbin/nft with every shared library ldd names and the dynamic loader,
#                     the Debian kernel's nf_tables modules with their dependencies (unpacked, in
#                     load order, listed in /etc/atoll-nft-modules) and BOOT_SCRIPT as
#                     /bin/nft-forward.sh. Unpacked over the base initramfs (docs/vm.md), it lets the
#                     guest forward with Linux's own nftables instead of running an Atoll program.
# Reproducible like the base archive (sorted names, owner 0, time stamps 0, gzip -n).
# $ATOLL_VM_KERNEL picks the kernel version as in build-vm.sh. Needs nftables, kmod, cpio.
set -euo pipefail

die() {
    echo "build-nft: $*" >&2
    exit 1
}
# shellcheck source=tools/vm/kmodules.sh
source "$(dirname "${BASH_SOURCE[0]}")/kmodules.sh"

[[ $# -eq 2 ]] || die "usage: build-nft.sh OUTDIR BOOT_SCRIPT"
out=$1 boot=$2
[[ -f $boot ]] || die "$boot: no such boot script"
nft=$(command -v nft || echo /usr/sbin/nft)
[[ -x $nft ]] || die "nft missing: apt-get install nftables"
modprobe=$(command -v modprobe || echo /sbin/modprobe)
[[ -x $modprobe ]] || die "modprobe missing: apt-get install kmod"

version=${ATOLL_VM_KERNEL:-$(newest_kernel)}
[[ -n $version && -d /lib/modules/$version ]] || die "no kernel modules: apt-get install linux-image-amd64"

mkdir -p "$out"
stage=$(mktemp -d "${TMPDIR:-/tmp}/atoll-nft-XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/root
mkdir -p "$root/usr/sbin" "$root/bin" "$root/etc"

# The binary and what the dynamic loader maps for it, at the paths ldd gives (symbolic links
# resolved: the guest needs only the files under the names the loader looks for).
cp -L "$nft" "$root/usr/sbin/nft"
ldd "$nft" | awk '/=> \// { print $3 } /^[ \t]*\/[^ ]*ld-linux/ { print $1 }' | sort -u |
    while read -r lib; do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
[[ -n $(find "$root" -name 'ld-linux*' -print -quit) ]] || die "ldd named no dynamic loader for $nft"

# The modules that the rules in use need, with their dependencies in load order: nf_tables and
# conntrack (ct state), reject (reject), log (log, with its syslog backend), NAT chains.
modules="nf_tables nf_conntrack nf_defrag_ipv4 nf_defrag_ipv6 nft_ct nf_reject_ipv4 nf_reject_ipv6
nft_reject nft_reject_inet nft_reject_ipv4 nft_log nf_log_syslog nf_nat nft_chain_nat"
# shellcheck disable=SC2086 # one word per module
install_modules etc/atoll-nft-modules $modules
grep -q '/nf_tables\.ko$' "$root/etc/atoll-nft-modules" ||
    grep -q 'nf_tables' "/lib/modules/$version/modules.builtin" ||
    die "nf_tables is neither a module nor built into kernel $version"

cp "$boot" "$root/bin/nft-forward.sh"
chmod 0755 "$root/bin/nft-forward.sh" "$root/usr/sbin/nft"

find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
    cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9n >"$out/nft.cpio.gz.$$.tmp"
mv "$out/nft.cpio.gz.$$.tmp" "$out/nft.cpio.gz"
echo "build-nft: kernel $version: $out/nft.cpio.gz ($(stat -c %s "$out/nft.cpio.gz") bytes," \
    "$(wc -l <"$root/etc/atoll-nft-modules") modules)"

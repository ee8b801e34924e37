#!/bin/sh
# The vm runtime's Linux forwarder: loads nf_tables, turns on IPv4 forwarding, applies the rules, waits.
#
#   atoll run build/vm/nft-forward --runtime vm --rootfs DIR --net ... -- [RULES]
#
# DIR holds build/vm/nft.cpio.gz unpacked (and the rule file), where this script is
# /bin/nft-forward.sh, started by build/vm/nft-forward (tools/vm/nft_forward.c); the init has already addressed the
# NICs from the netN/route/gw keys. RULES (a path inside the guest) is given to `nft -f`; without
# it the guest forwards everything. Prints `nft-forward: forwarding` once the rules are in place.
bb=/bin/busybox
while read -r module; do
    $bb insmod "$module" 2>/dev/null || $bb grep -q "^$($bb basename "$module" .ko) " /proc/modules ||
        echo "nft-forward: cannot load $module" >&2
done </etc/atoll-nft-modules
echo 1 >/proc/sys/net/ipv4/ip_forward
if [ -n "$1" ]; then
    LD_LIBRARY_PATH=/lib/x86_64-linux-gnu /usr/sbin/nft -f "$1" || {
        echo "nft-forward: nft -f $1 failed" >&2
        exit 1
    }
fi
echo "nft-forward: forwarding${1:+ with $1}"
# Stays until QEMU is stopped; `--timeout` on the runner bounds it.
exec $bb sleep 2147483647

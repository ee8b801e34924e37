# Kernel helpers shared by build-vm.sh and build-nft.sh (sourced; they define die, and set
# $version, $modprobe and $root as used here).
# shellcheck shell=bash

# newest_kernel: the newest kernel version in /boot that has its modules installed ("" if none).
newest_kernel() {
    local kernel candidate found=""
    # shellcheck disable=SC2045 # ls -v orders the versions
    for kernel in $(ls -v /boot/vmlinuz-* 2>/dev/null); do
        candidate=${kernel#/boot/vmlinuz-}
        [[ -d /lib/modules/$candidate ]] && found=$candidate
    done
    echo "$found"
}

# install_modules LIST MODULE...: copies the MODULEs of kernel $version with their dependencies,
# in load order, under $root, unpacked (finit_module wants the plain object), and lists their
# paths in $root/LIST; built-in modules are skipped.
install_modules() {
    local list=$root/$1 path dest
    shift
    : >"$list"
    for module in "$@"; do
        "$modprobe" -S "$version" --show-depends "$module" 2>/dev/null |
            awk '$1 == "insmod" { print $2 }'
    done | awk '!seen[$0]++' | while read -r path; do
        dest=${path%.ko*}.ko
        mkdir -p "$root$(dirname "$path")"
        case $path in
        *.ko) cp "$path" "$root$dest" ;;
        *.ko.xz) xz -dc "$path" >"$root$dest" ;;
        *.ko.zst) zstd -qdc "$path" >"$root$dest" ;;
        *.ko.gz) gzip -dc "$path" >"$root$dest" ;;
        *) die "$path: unexpected module file" ;;
        esac
        echo "$dest" >>"$list"
    done
}

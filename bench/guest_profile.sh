#!/usr/bin/env bash
# Guest instruction profile of an Atoll image under TCG, per function (bench/guest_profile.c, a
# QEMU plugin counting the instructions of every translated block):
#
#   bench/guest_profile.sh qemu RAW            builds the plugin and prints the path of a QEMU
#                                               wrapper that loads it; give it to `atoll run
#                                               --qemu`; RAW is written when QEMU exits
#   bench/guest_profile.sh report RAW DBG [PER [TOP]]
#                                               guest instructions per function from RAW, named
#                                               with the image's symbols (NAME.dbg), divided by
#                                               PER (e.g. the requests served; default 1)
#
# Example (docs/tcp.md, "Per-request cost"): boot tcp_echo with `-n 2` under the wrapper, run
# bench/tcprr against it, then report with PER = the round trips.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD=${BUILD:-$root/build}
usage() {
    echo "usage: bench/guest_profile.sh qemu RAW | report RAW DBG [PER [TOP]]" >&2
    exit 2
}
case ${1:-} in
qemu)
    [[ $# -eq 2 ]] || usage
    raw="$(realpath -m "$2")"
    mkdir -p "$BUILD/bench"
    plugin="$BUILD/bench/guest_profile.so"
    gcc -shared -fPIC -fvisibility=hidden -O2 -Wall -Wextra -Werror -o "$plugin" \
        "$root/bench/guest_profile.c"
    wrapper="$BUILD/bench/qemu-guest-profile"
    printf '#!/bin/sh\nexec %s -plugin %s,out=%s "$@"\n' "${ATOLL_QEMU:-qemu-system-x86_64}" \
        "$plugin" "$raw" >"$wrapper"
    chmod +x "$wrapper"
    echo "$wrapper"
    ;;
report)
    [[ $# -ge 3 && $# -le 5 ]] || usage
    [[ -r $2 ]] || { echo "guest_profile.sh: $2: no profile (did QEMU exit normally?)" >&2; exit 1; }
    [[ -r $3 ]] || { echo "guest_profile.sh: $3: no symbols (build/NAME/NAME.dbg)" >&2; exit 1; }
    nm -n "$3" | /usr/bin/python3 -c '
import bisect, collections, sys
raw, per, top = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
syms = []
for line in sys.stdin:
    p = line.split()
    if len(p) == 3 and p[1] in "tTwW":
        syms.append((int(p[0], 16), p[2]))
keys = [a for a, _ in syms]
per_fn = collections.Counter()
blocks_fn = collections.Counter()
for line in open(raw):
    a, n, c = line.split()
    a = int(a, 16)
    i = bisect.bisect_right(keys, a) - 1
    name = syms[i][1] if i >= 0 else hex(a)
    per_fn[name] += int(n) * int(c)
    blocks_fn[name] += int(c)
total = sum(per_fn.values())
blocks = sum(blocks_fn.values())
# Each executed block is a jump between translated blocks; returns and other indirect jumps
# also look their target up (helper_lookup_tb_ptr): blocks show what instructions do not.
print(f"guest instructions: {total} in all, {total / per:.0f} per unit (PER={per:g}); "
      f"translated blocks executed: {blocks / per:.0f} per unit")
print("{:>12} {:>6} {:>8}  function".format("insns", "share", "blocks"))
for name, n in per_fn.most_common(top):
    print(f"{n / per:12.0f} {100 * n / max(total, 1):5.1f}% {blocks_fn[name] / per:8.0f}  {name}")
' "$2" "${4:-1}" "${5:-25}"
    ;;
*) usage ;;
esac

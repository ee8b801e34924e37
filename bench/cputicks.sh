#!/usr/bin/env bash
# tree_ticks PID...: CPU clock ticks (user + system) of the PIDs and all their descendants, e.g.
# QEMU and its threads under `atoll run`: CPU per request from two readings, less disturbed by the
# other load on the host than a rate. Sourced by bench/tcp.sh, bench/web.sh and bench/forward.sh.
tree_ticks() {
    local total=0 pid stat rest
    local -a queue=("$@") fields
    while ((${#queue[@]})); do
        pid=${queue[0]}
        queue=("${queue[@]:1}")
        if stat=$(cat "/proc/$pid/stat" 2>/dev/null); then
            rest=${stat##*) }
            read -r -a fields <<<"$rest"
            total=$((total + fields[11] + fields[12]))
            mapfile -t -O "${#queue[@]}" queue < <(pgrep -P "$pid" || true)
        fi
    done
    echo "$total"
}

# cpu_us_per TICKS COUNT: microseconds of CPU per item.
cpu_us_per() {
    awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "-" }'
}

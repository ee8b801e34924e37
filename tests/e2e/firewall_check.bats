#!/usr/bin/env bats
# `firewall --check` and `router --check` on the host: the shipped configs pass, bad ones give
# file:line:col (file:line for the router) with a hint, status 1, and a firewall with a bad rule
# set never starts.

load helpers

setup_file() {
    require_built_tools
    [[ -x $E2E_BUILD/firewall/firewall.linux && -x $E2E_BUILD/router/router.linux ]] ||
        skip "run make all first"
}

@test "firewall --check: the shipped PoC policy is valid" {
    run "$E2E_BUILD/firewall/firewall.linux" --check "$E2E_ROOT/apps/firewall/rootfs/etc/firewall"
    echo "$output"
    [[ $status -eq 0 ]]
    [[ $output == *": 10 rules, 3 sets, 2 interfaces: ok" ]]
}

@test "firewall --check: unknown names and unreachable rules, file:line:col with hints, status 1" {
    local f="$BATS_TEST_TMPDIR/bad.rules"
    cat >"$f" <<'RULES'
interface outside address 192.168.100.1/24 device eth0
interface inside address 10.1.0.1/24 device eth1
chain input policy drop {
}
chain forward policy drop {
    in outside proto tcp accept
    in outside proto tcp dport 80 accept
    in dmz accept
    dst $servers accept
}
RULES
    run "$E2E_BUILD/firewall/firewall.linux" --check "$f"
    echo "$output"
    [[ $status -eq 1 ]]
    [[ $output == *"$f:8:8: error: unknown interface \`dmz\`"* ]]
    [[ $output == *"$f:9:9: error: unknown set \`servers\`"* ]]
    [[ $output == *"hint: "* ]]
    # With the names fixed, the shadowed rule and the missing chain are reported.
    sed -i '8,9d' "$f"
    run "$E2E_BUILD/firewall/firewall.linux" --check "$f"
    echo "$output"
    [[ $status -eq 1 ]]
    [[ $output == *"$f:7:5: error: unreachable rule in chain forward: the rule on line 6 takes all its packets"* ]]
    [[ $output == *"hint: move it above line 6 or remove it"* ]]
    [[ $output == *"error: chain output is missing"* ]]
    # And it does not start with it either.
    run "$E2E_BUILD/firewall/firewall.linux" --rules "$f"
    [[ $status -eq 1 ]]
    [[ $output == *"unreachable rule"* ]]
}

@test "router --check: the shipped config is valid; errors name file and line" {
    run "$E2E_BUILD/router/router.linux" --check --config "$E2E_ROOT/apps/router/rootfs/etc/router.conf"
    echo "$output"
    [[ $status -eq 0 && $output == *"2 interfaces, 4 routes"* ]]
    local f="$BATS_TEST_TMPDIR/router.conf"
    printf 'interface eth0 address 10.1.0.2/24\n\ninterface eth1 address 10.0.0.1/33\n' >"$f"
    run "$E2E_BUILD/router/router.linux" --check --config "$f"
    echo "$output"
    [[ $status -eq 1 ]]
    [[ $output == "router: $f:3: 10.0.0.1/33: bad address (write it as A.B.C.D/LEN with LEN from 1 to 30)" ]]
    printf 'interface eth0 address 10.1.0.2/24\ninterface eth1 address 10.0.0.1/24\ndefault via 172.16.0.1\n' >"$f"
    run "$E2E_BUILD/router/router.linux" --check --config "$f"
    echo "$output"
    [[ $status -eq 1 && $output == *"172.16.0.1 is on no interface's subnet"* ]]
}

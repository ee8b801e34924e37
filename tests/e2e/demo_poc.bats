#!/usr/bin/env bats
# `make demo-poc` (scripts/demo-poc.sh): the white paper's topology with four unikernels answers
# the client, drops its ping, and leaves no namespace behind.

load helpers

setup_file() {
    require_built_tools
}

@test "demo-poc: dns, web, firewall and router unikernels answer the client, then vanish" {
    run "$E2E_ROOT/scripts/demo-poc.sh" unikernel
    echo "$output"
    assert_status 0
    assert_line "10.0.0.80"
    assert_line "10.0.0.100"
    assert_output_contains '"runtime":"unikernel"'
    assert_output_matches '^HTTP 200, [0-9]+ bytes'
    assert_output_contains "2 packets transmitted, 0 received"
    local demo_pid
    demo_pid="$(sed -n 's/.*atoll-demo-poc\.\([A-Za-z0-9]*\).*/\1/p' <<<"$output" | head -1)"
    [[ -n $demo_pid ]]
    [[ ! -d /tmp/atoll-demo-poc.$demo_pid ]]
    if ip netns list | grep -q 'atoll-nf-.*-demo'; then
        ip netns list >&2
        echo "the demo left namespaces behind" >&2
        return 1
    fi
}

@test "demo-poc: an unknown mode is one line and status 2" {
    run "$E2E_ROOT/scripts/demo-poc.sh" bogus
    assert_status 2
    assert_output_contains "unknown mode 'bogus'"
}

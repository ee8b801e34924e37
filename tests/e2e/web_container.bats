#!/usr/bin/env bats
# apps/web's container image (FROM scratch: the static binary and the web root) under podman, in a
# network namespace the test creates: curl gets the page and uses the API. Needs root, ip, podman.

load helpers

setup_file() {
    require_built_tools
    [[ -x $E2E_BUILD/web/web.linux ]] || { echo "e2e: $E2E_BUILD/web/web.linux missing: run make all" >&2; return 1; }
    build_container web
}

setup() {
    if [[ $(id -u) -ne 0 ]] || ! command -v ip >/dev/null; then
        skip "needs root and ip(8) for a network namespace"
    fi
    NS="atoll-e2e-webct-$BATS_ROOT_PID-$BATS_TEST_NUMBER"
    ip netns add "$NS"
    ip -n "$NS" link set lo up
    CONTAINER=
}

teardown() {
    if [[ -n ${CONTAINER:-} ]]; then
        podman logs "$CONTAINER" 2>&1 | sed 's/^/# container: /'
        container_stop "$CONTAINER"
    fi
    [[ -z ${NS:-} ]] || ip netns del "$NS" 2>/dev/null || true
}

@test "web container: the image holds only the binary and the web root" {
    run podman image inspect --format '{{.Config.Entrypoint}}' localhost/atoll-web:latest
    assert_status 0
    assert_output_contains "[/web -p 80 -r /www]"
    [[ -s $E2E_BUILD/web/web.oci.tar ]]
}

@test "web container: serves the page and the API to curl on port 80" {
    CONTAINER="$(container_run "$NS" web)"
    local deadline=$((SECONDS + 60))
    until ip netns exec "$NS" curl -s -o /dev/null --max-time 2 http://127.0.0.1/; do
        ((SECONDS < deadline)) || { echo "the container never answered" >&2; return 1; }
    done
    run ip netns exec "$NS" curl -s -D - http://127.0.0.1/
    assert_output_contains "HTTP/1.1 200 OK"
    assert_output_contains "Server: atoll-web"
    assert_output_contains '<script src="/app.js"></script>'
    # the page's files are byte for byte the app's web root
    ip netns exec "$NS" curl -s http://127.0.0.1/app.js | cmp - "$E2E_ROOT/apps/web/rootfs/www/app.js"
    run ip netns exec "$NS" curl -s http://127.0.0.1/api/status
    echo "$output"
    assert_output_contains '"runtime":"container"'
    run ip netns exec "$NS" curl -s -i -X POST -H 'Content-Type: application/json' \
        -d '{"text":"from the container test"}' http://127.0.0.1/api/notes
    assert_output_contains "HTTP/1.1 201 Created"
    assert_output_contains "Location: /api/notes/1"
    run ip netns exec "$NS" curl -s http://127.0.0.1/api/notes
    assert_output_contains '"text":"from the container test"'
}

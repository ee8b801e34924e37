#!/usr/bin/env bats
# apps/web as a unikernel under QEMU (TCG) on a tap inside a network namespace the test creates:
# curl in the namespace gets the page and uses the API; the protocol checks of web.bats run against
# it too. Needs root, ip(8) and /dev/net/tun.

load helpers

INSTANCE_IP=10.0.6.2
PEER_IP=10.0.6.1

setup_file() {
    require_built_tools
    build_app web apps/web
    # The app's rootfs plus a 100 KiB file, which is served with sendfile rather than from memory.
    ROOTFS="$BATS_FILE_TMPDIR/rootfs"
    cp -r "$E2E_ROOT/apps/web/rootfs" "$ROOTFS"
    head -c 102400 /dev/urandom >"$ROOTFS/www/big.bin"
    mkdir -p "$ROOTFS/www/sub"
    echo "the sub folder's index" >"$ROOTFS/www/sub/index.html"
    export ROOTFS
}

setup() {
    tap_namespace_setup webuk
}

teardown() {
    tap_namespace_teardown "$BATS_TEST_TMPDIR/server.log"
}

# wait_for_web: polls the instance with curl until it answers (TCG boots take seconds).
wait_for_web() {
    local deadline=$((SECONDS + 120))
    until ip netns exec "$NS" curl -s -o /dev/null --max-time 3 "http://$INSTANCE_IP/"; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "the instance exited" >&2
            return 1
        fi
        ((SECONDS < deadline)) || { echo "the instance never answered" >&2; return 1; }
    done
}

@test "web unikernel: serves the page and the API to curl over a tap (TCG)" {
    "$ATOLL" run "$(image_of web)" --timeout 300 --rootfs "$ROOTFS" --netns "$NS" \
        --net "tap=tap0,ip=$INSTANCE_IP/24,gw=$PEER_IP" -- -p 80 -r /www -s e2e-web -t 2 \
        >"$BATS_TEST_TMPDIR/server.log" 2>&1 &
    SERVER_PID=$!
    wait_for_web
    run ip netns exec "$NS" curl -s -D - "http://$INSTANCE_IP/"
    assert_output_contains "HTTP/1.1 200 OK"
    assert_output_contains '<script src="/app.js"></script>'
    ip netns exec "$NS" curl -s "http://$INSTANCE_IP/app.js" | cmp - "$E2E_ROOT/apps/web/rootfs/www/app.js"
    ip netns exec "$NS" curl -s "http://$INSTANCE_IP/big.bin" | cmp - "$ROOTFS/www/big.bin"
    run ip netns exec "$NS" curl -s "http://$INSTANCE_IP/api/status"
    echo "$output"
    assert_output_contains '"runtime":"unikernel"'
    run ip netns exec "$NS" curl -s -i -X POST -H 'Content-Type: application/json' \
        -d '{"text":"from the unikernel test"}' "http://$INSTANCE_IP/api/notes"
    assert_output_contains "HTTP/1.1 201 Created"
    run ip netns exec "$NS" curl -s "http://$INSTANCE_IP/api/notes"
    assert_output_contains '"text":"from the unikernel test"'
    # every status and header rule, as for the Linux binary (the image's files carry no time)
    run ip netns exec "$NS" /usr/bin/python3 "$E2E_ROOT/tests/e2e/web/http_checks.py" "$INSTANCE_IP" 80 \
        "$ROOTFS/www" 2 untimed
    echo "$output"
    assert_status 0
    assert_output_contains "18 checks, 0 failed"
    # 1,000 requests over 100 kept-alive connections open at once (the white paper's load), every
    # body checked, in the image's default memory
    run ip netns exec "$NS" /usr/bin/python3 "$E2E_ROOT/tests/e2e/web/abuse.py" load "$INSTANCE_IP" 80 \
        "$ROOTFS/www" 100 10
    echo "$output"
    assert_status 0
}

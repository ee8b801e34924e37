#!/usr/bin/env bats
# apps/web's Linux binary in the vm runtime (a Debian kernel under QEMU, TCG) on a tap inside a
# network namespace the test creates: curl in the namespace gets the page and uses the API, and
# the binary knows it runs in a VM. Needs root, ip(8), /dev/net/tun and `make vm`.

load helpers

INSTANCE_IP=10.0.7.2
PEER_IP=10.0.7.1

setup_file() {
    require_built_tools
    build_app web apps/web
    # The app's rootfs plus a 100 KiB file, which is served with sendfile rather than from memory.
    ROOTFS="$BATS_FILE_TMPDIR/rootfs"
    cp -r "$E2E_ROOT/apps/web/rootfs" "$ROOTFS"
    head -c 102400 /dev/urandom >"$ROOTFS/www/big.bin"
    export ROOTFS
}

setup() {
    tap_namespace_setup webvm
}

teardown() {
    tap_namespace_teardown "$BATS_TEST_TMPDIR/server.log"
}

@test "web vm: web.linux in the Linux VM serves the page and the API to curl over a tap (TCG)" {
    "$ATOLL" run --runtime vm "$(image_of web)" --timeout 300 --rootfs "$ROOTFS" --netns "$NS" \
        --net "tap=tap0,ip=$INSTANCE_IP/24,gw=$PEER_IP" >"$BATS_TEST_TMPDIR/server.log" 2>&1 &
    SERVER_PID=$!
    local deadline=$((SECONDS + 180))
    until ip netns exec "$NS" curl -s -o /dev/null --max-time 3 "http://$INSTANCE_IP/"; do
        kill -0 "$SERVER_PID" 2>/dev/null || { echo "the VM exited" >&2; return 1; }
        ((SECONDS < deadline)) || { echo "the VM never answered" >&2; return 1; }
    done
    run ip netns exec "$NS" curl -s -D - "http://$INSTANCE_IP/"
    assert_output_contains "HTTP/1.1 200 OK"
    assert_output_contains '<script src="/app.js"></script>'
    ip netns exec "$NS" curl -s "http://$INSTANCE_IP/app.js" | cmp - "$E2E_ROOT/apps/web/rootfs/www/app.js"
    ip netns exec "$NS" curl -s "http://$INSTANCE_IP/big.bin" | cmp - "$ROOTFS/www/big.bin"
    run ip netns exec "$NS" curl -s "http://$INSTANCE_IP/api/status"
    echo "$output"
    assert_output_contains '"runtime":"vm"'
    run ip netns exec "$NS" curl -s -i -X POST -H 'Content-Type: application/json' \
        -d '{"text":"from the vm test"}' "http://$INSTANCE_IP/api/notes"
    assert_output_contains "HTTP/1.1 201 Created"
    run ip netns exec "$NS" curl -s "http://$INSTANCE_IP/api/notes"
    assert_output_contains '"text":"from the vm test"'
}

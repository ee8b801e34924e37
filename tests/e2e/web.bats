#!/usr/bin/env bats
# apps/web as a Linux binary inside a network namespace the test creates: curl, python's
# http.client and raw sockets for every status and header rule, headless Chromium for the page,
# slowloris, 10,000 kept-alive requests, smuggling attempts, overload shedding. Needs root and ip(8).

load helpers

WEB_PORT=8080
HEADER_TIMEOUT=2

setup_file() {
    require_built_tools
    build_app web apps/web
    # A web root with what the checks need beside the app's own page: a folder and a 100 KiB file.
    WEB_ROOT="$BATS_FILE_TMPDIR/www"
    cp -r "$E2E_ROOT/apps/web/rootfs/www" "$WEB_ROOT"
    mkdir -p "$WEB_ROOT/sub"
    echo "the sub folder's index" >"$WEB_ROOT/sub/index.html"
    head -c 102400 /dev/urandom >"$WEB_ROOT/big.bin"
    export WEB_ROOT
}

setup() {
    if [[ $(id -u) -ne 0 ]] || ! command -v ip >/dev/null; then
        skip "needs root and ip(8) for a network namespace"
    fi
    NS="atoll-e2e-web-$BATS_ROOT_PID-$BATS_TEST_NUMBER"
    ip netns add "$NS"
    ip -n "$NS" link set lo up
    SERVER_PID=
}

teardown() {
    if [[ -n ${SERVER_PID:-} ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        echo "# server log:"
        cat "$BATS_TEST_TMPDIR/server.log" 2>/dev/null || true
    fi
    if [[ -n ${NS:-} ]]; then
        ip netns del "$NS" 2>/dev/null || true
    fi
}

in_ns() {
    ip netns exec "$NS" "$@"
}

# start_web [ARGS...]: starts the Linux binary in the namespace and waits until it answers.
start_web() {
    # ip netns exec execs the server, so $! is the server itself
    ip netns exec "$NS" "$E2E_OUT/web/web.linux" -p "$WEB_PORT" -r "$WEB_ROOT" -s e2e-web -t "$HEADER_TIMEOUT" "$@" \
        >"$BATS_TEST_TMPDIR/server.log" 2>&1 &
    SERVER_PID=$!
    local deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)); do
        if in_ns curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$WEB_PORT/"; then
            return 0
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "web exited:" >&2
            cat "$BATS_TEST_TMPDIR/server.log" >&2
            return 1
        fi
    done
    echo "web did not answer within 30 s" >&2
    return 1
}

# status_of CURL_ARGS...: prints the status code curl got.
status_of() {
    in_ns curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"
}

@test "web: --help documents the command line" {
    run "$E2E_OUT/web/web.linux" --help
    assert_status 0
    assert_output_contains "usage: web [-a ADDR] [-p PORT] [-r ROOT]"
    assert_output_contains "-l FILE"
    run "$E2E_OUT/web/web.linux" -p 0
    assert_status 2
    assert_output_contains "-p 0: expected a number from 1 to 65535"
    run "$E2E_OUT/web/web.linux" -r /nonexistent
    assert_status 2
    assert_output_contains "-r /nonexistent"
}

@test "web: curl gets every status code" {
    start_web
    local u="http://127.0.0.1:$WEB_PORT"
    [[ $(status_of "$u/") == 200 ]]
    [[ $(status_of -X POST -H 'Content-Type: application/json' -d '{"text":"c"}' "$u/api/notes") == 201 ]]
    [[ $(status_of -X DELETE "$u/api/notes/1") == 204 ]]
    [[ $(status_of -r 0-9 "$u/big.bin") == 206 ]]
    [[ $(status_of "$u/sub") == 301 ]]
    local etag
    etag="$(in_ns curl -s -D - -o /dev/null "$u/index.html" | sed -n 's/^ETag: //Ip' | tr -d '\r')"
    [[ $(status_of -H "If-None-Match: $etag" "$u/index.html") == 304 ]]
    [[ $(status_of --path-as-is "$u/../etc/passwd") == 400 ]]
    [[ $(status_of "$u/missing") == 404 ]]
    [[ $(status_of -X POST -d x "$u/index.html") == 405 ]]
    [[ $(status_of -X POST -H 'Content-Type: application/json' -d '{"id":2,"text":"a"}' "$u/api/notes") == 201 ]]
    [[ $(status_of -X POST -H 'Content-Type: application/json' -d '{"id":2,"text":"a"}' "$u/api/notes") == 409 ]]
    [[ $(status_of -X POST -H 'Transfer-Encoding:' -H 'Content-Length:' "$u/api/notes") == 411 ]]
    [[ $(status_of -X POST -H 'Content-Type: application/json' --data-binary "@$WEB_ROOT/big.bin" "$u/api/notes") == 413 ]]
    [[ $(status_of "$u/$(head -c 9000 /dev/zero | tr '\0' a)") == 414 ]]
    [[ $(status_of -X POST -H 'Content-Type: text/plain' -d x "$u/api/notes") == 415 ]]
    [[ $(status_of -r 999999- "$u/big.bin") == 416 ]]
    [[ $(status_of -H "X-Big: $(head -c 17000 /dev/zero | tr '\0' a)" "$u/") == 431 ]]
    [[ $(status_of -X PATCH "$u/") == 501 ]]
    # curl speaks HTTP/1.1 or 1.0 only; the 400 and 408 and 505 cases are in the raw checks below
    [[ $(status_of -X POST -H 'Content-Type: application/json' -d '{"text":' "$u/api/notes") == 400 ]]
    run in_ns curl -s -X POST -H 'Content-Type: application/json' -d '{"text": x}' "$u/api/notes"
    assert_output_contains 'bad JSON at byte 9'
    run in_ns curl -s -0 -D - -o /dev/null "$u/"
    assert_output_contains "HTTP/1.1 200 OK"
    assert_output_contains "Connection: close"
}

@test "web: http.client and raw sockets check every status and header rule" {
    start_web
    run in_ns /usr/bin/python3 "$E2E_ROOT/tests/e2e/web/http_checks.py" 127.0.0.1 "$WEB_PORT" "$WEB_ROOT" \
        "$HEADER_TIMEOUT"
    echo "$output"
    assert_status 0
    assert_output_contains "18 checks, 0 failed"
}

@test "web: slowloris connections are cut at the header timeout while a good client is served" {
    start_web
    run in_ns /usr/bin/python3 "$E2E_ROOT/tests/e2e/web/abuse.py" slowloris 127.0.0.1 "$WEB_PORT" \
        "$WEB_ROOT" "$HEADER_TIMEOUT"
    echo "$output"
    assert_status 0
    assert_output_contains "1 checks, 0 failed"
}

@test "web: 10,000 requests over 100 kept-alive connections, every body checked" {
    start_web
    run in_ns /usr/bin/python3 "$E2E_ROOT/tests/e2e/web/abuse.py" load 127.0.0.1 "$WEB_PORT" "$WEB_ROOT"
    echo "$output"
    assert_status 0
    assert_output_contains "10000 requests in"
    # the server counted them too
    run in_ns curl -s "http://127.0.0.1:$WEB_PORT/api/status"
    [[ $(/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])' <<<"$output") -ge 10000 ]]
}

@test "web: at the connection limit, newcomers are shed and the connections held are served" {
    start_web -c 8
    run in_ns /usr/bin/python3 - "$WEB_PORT" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
held = []
for _ in range(8):  # eight half-sent requests: none of them idle, so none can be evicted
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"GET /index.html HTTP/1.1\r\nHost: t\r\n")
    held.append(s)
extra = socket.create_connection(("127.0.0.1", port), timeout=5)
extra.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
try:
    data = extra.recv(100)
except ConnectionResetError:
    data = b""
print("newcomer got %r" % data[:20])
assert data == b"", "the ninth connection was served"
for s in held:
    s.sendall(b"\r\n")
    assert s.recv(100).startswith(b"HTTP/1.1 200"), "a held connection was not served"
print("held connections all served")
PY
    echo "$output"
    assert_status 0
    assert_output_contains "held connections all served"
}

@test "web: the access log is off by default and one line per request with -l" {
    start_web -l "$BATS_TEST_TMPDIR/access.log"
    in_ns curl -s -o /dev/null -A e2e-agent "http://127.0.0.1:$WEB_PORT/style.css"
    in_ns curl -s -o /dev/null "http://127.0.0.1:$WEB_PORT/missing"
    run cat "$BATS_TEST_TMPDIR/access.log"
    echo "$output"
    assert_output_matches '^127\.0\.0\.1 - - \[.* GMT\] "GET /style.css HTTP/1.1" 200 [0-9]+ "e2e-agent"$'
    assert_output_matches '"GET /missing HTTP/1.1" 404 '
    run grep -c GET "$BATS_TEST_TMPDIR/server.log"
    [[ $output == 0 ]]
}

@test "web: headless Chromium renders the status and creates a note through the API" {
    command -v chromium >/dev/null || { echo "chromium is not installed (scripts/install-deps.sh)" >&2; return 1; }
    start_web
    run in_ns /usr/bin/python3 "$E2E_ROOT/tests/e2e/web/browser.py" "http://127.0.0.1:$WEB_PORT/"
    echo "$output"
    assert_status 0
    assert_output_contains "ok   page shows status"
    assert_output_contains "ok   the server holds the note the page created"
}

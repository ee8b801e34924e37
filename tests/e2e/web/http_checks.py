"""Every status and header rule of apps/web, checked with http.client and raw sockets.

usage: http_checks.py HOST PORT ROOT HEADER_TIMEOUT_S [untimed]
ROOT is the web root the server was started with (the checks compare bodies with its files); it
must hold index.html, sub/index.html and big.bin (100 KiB). "untimed" says the server's files carry
no time (an image's rootfs): then there must be no Last-Modified and the ETag is a content hash.
"""
import email.utils
import http.client
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from client import CheckFailed, Conn, check, exchange, run  # noqa: E402

HOST, PORT, ROOT, HEADER_TIMEOUT = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
UNTIMED = len(sys.argv) > 5 and sys.argv[5] == "untimed"


def file_bytes(name):
    with open(os.path.join(ROOT, name), "rb") as f:
        return f.read()


def request(method, path, body=None, headers=None, conn=None):
    own = conn is None
    conn = conn or http.client.HTTPConnection(HOST, PORT, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    if own:
        conn.close()
    return response, data


def get_200_headers(host, port):
    r, body = request("GET", "/")
    check(r.status == 200, "GET / status %d" % r.status)
    check(body == file_bytes("index.html"), "GET / body differs from index.html")
    check(r.getheader("Content-Type") == "text/html; charset=utf-8", "Content-Type %s" % r.getheader("Content-Type"))
    check(r.getheader("Content-Length") == str(len(body)), "Content-Length")
    check(r.getheader("Server") == "e2e-web", "Server %s" % r.getheader("Server"))
    date = email.utils.parsedate_to_datetime(r.getheader("Date"))
    check(abs(date.timestamp() - time.time()) < 120, "Date far from now")
    check(r.getheader("ETag", "").startswith('"'), "ETag %s" % r.getheader("ETag"))
    if UNTIMED:
        check(r.getheader("Last-Modified") is None, "Last-Modified for a file without a time")
        check(r.getheader("ETag").startswith('"h'), "ETag %s is not a content hash" % r.getheader("ETag"))
    else:
        mtime = os.stat(os.path.join(ROOT, "index.html")).st_mtime
        check(email.utils.parsedate_to_datetime(r.getheader("Last-Modified")).timestamp() == int(mtime),
              "Last-Modified")
    check(r.getheader("Accept-Ranges") == "bytes", "Accept-Ranges")


def content_types(host, port):
    for path, want in (("/app.js", "text/javascript; charset=utf-8"), ("/style.css", "text/css; charset=utf-8"),
                       ("/big.bin", "application/octet-stream"), ("/index.html", "text/html; charset=utf-8")):
        r, body = request("GET", path)
        check(r.status == 200 and r.getheader("Content-Type") == want, "%s: %s" % (path, r.getheader("Content-Type")))
        check(body == file_bytes(path[1:]), "%s body differs" % path)


def head_has_no_body(host, port):
    sock = Conn(host, port)
    sock.sendall(b"HEAD /big.bin HTTP/1.1\r\nHost: t\r\n\r\nGET /index.html HTTP/1.1\r\nHost: t\r\n\r\n")
    status, headers, _ = sock.read_response(head_only=True)
    check(status == 200 and headers["content-length"] == str(100 * 1024), "HEAD status/length")
    # the next response must start right after the head: no body bytes in between
    status, headers, body = sock.read_response()
    check(status == 200 and body == file_bytes("index.html"), "the response after HEAD: %d" % status)
    sock.close()


def conditional_304(host, port):
    r, _ = request("GET", "/index.html")
    etag, last_modified = r.getheader("ETag"), r.getheader("Last-Modified")
    r, body = request("GET", "/index.html", headers={"If-None-Match": etag})
    check(r.status == 304 and body == b"" and r.getheader("ETag") == etag, "If-None-Match: %d" % r.status)
    r, _ = request("GET", "/index.html", headers={"If-None-Match": '"other", W/' + etag})
    check(r.status == 304, "If-None-Match list with a weak tag: %d" % r.status)
    r, _ = request("GET", "/index.html", headers={"If-None-Match": '"other"'})
    check(r.status == 200, "If-None-Match mismatch: %d" % r.status)
    if UNTIMED:  # without a time, If-Modified-Since cannot match
        r, _ = request("GET", "/index.html", headers={"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})
        check(r.status == 200, "If-Modified-Since on a file without a time: %d" % r.status)
        return
    r, _ = request("GET", "/index.html", headers={"If-Modified-Since": last_modified})
    check(r.status == 304, "If-Modified-Since same date: %d" % r.status)
    r, _ = request("GET", "/index.html", headers={"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})
    check(r.status == 200, "If-Modified-Since older: %d" % r.status)
    r, _ = request("GET", "/index.html", headers={"If-None-Match": '"x"', "If-Modified-Since": last_modified})
    check(r.status == 200, "If-None-Match takes precedence over If-Modified-Since: %d" % r.status)


def ranges_206_416(host, port):
    big = file_bytes("big.bin")
    r, body = request("GET", "/big.bin", headers={"Range": "bytes=10-19"})
    check(r.status == 206 and body == big[10:20], "bytes=10-19: %d" % r.status)
    check(r.getheader("Content-Range") == "bytes 10-19/%d" % len(big), "Content-Range %s" % r.getheader("Content-Range"))
    r, body = request("GET", "/big.bin", headers={"Range": "bytes=-100"})
    check(r.status == 206 and body == big[-100:], "suffix range: %d" % r.status)
    r, body = request("GET", "/big.bin", headers={"Range": "bytes=100000-"})
    check(r.status == 206 and body == big[100000:], "open range: %d" % r.status)
    r, body = request("GET", "/index.html", headers={"Range": "bytes=0-4"})
    check(r.status == 206 and body == file_bytes("index.html")[:5], "in-memory range: %d" % r.status)
    r, body = request("GET", "/big.bin", headers={"Range": "bytes=999999-"})
    check(r.status == 416 and r.getheader("Content-Range") == "bytes */%d" % len(big), "unsatisfiable: %d" % r.status)
    r, body = request("GET", "/big.bin", headers={"Range": "bytes=5-1"})
    check(r.status == 200 and body == big, "invalid range is ignored: %d" % r.status)
    r, body = request("GET", "/big.bin", headers={"Range": "bytes=0-1", "If-Range": '"stale"'})
    check(r.status == 200, "If-Range mismatch serves the whole file: %d" % r.status)


def folders_and_redirects(host, port):
    r, body = request("GET", "/sub")
    check(r.status == 301 and r.getheader("Location") == "/sub/", "folder without slash: %d %s" % (r.status, r.getheader("Location")))
    r, body = request("GET", "/sub?x=1")
    check(r.status == 301 and r.getheader("Location") == "/sub/?x=1", "redirect keeps the query: %s" % r.getheader("Location"))
    r, body = request("GET", "/sub/")
    check(r.status == 200 and body == file_bytes("sub/index.html"), "folder index: %d" % r.status)
    r, body = request("GET", "/sub/./../sub/index.html")
    check(r.status == 200 and body == file_bytes("sub/index.html"), "dot segments: %d" % r.status)


def not_found_404(host, port):
    for path in ("/nope", "/index.html/", "/sub/missing.txt", "/api/nothing"):
        r, body = request("GET", path)
        check(r.status == 404 and body, "%s: %d" % (path, r.status))
    r, _ = request("GET", "/api/nothing")
    check(r.getheader("Content-Type") == "application/json", "API errors are JSON")


def traversal_400(host, port):
    for target in (b"/../etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd", b"/sub/..%2f..%2fetc/passwd", b"/a%00.html",
                   b"/..\\..\\etc\\passwd", b"/%c0%ae%c0%ae/etc/passwd", b"/%zz"):
        status, headers, _ = exchange(host, port, b"GET " + target + b" HTTP/1.1\r\nHost: t\r\n\r\n")
        check(status == 400, "%r: %d" % (target, status))


def method_405_allow(host, port):
    for method, path in (("POST", "/index.html"), ("DELETE", "/"), ("PUT", "/api/status"), ("DELETE", "/api/notes")):
        r, _ = request(method, path, body=b"{}", headers={"Content-Type": "application/json"})
        check(r.status == 405 and r.getheader("Allow"), "%s %s: %d allow=%s" % (method, path, r.status, r.getheader("Allow")))
    r, _ = request("OPTIONS", "/index.html")
    check(r.status == 204 and r.getheader("Allow") == "GET, HEAD, OPTIONS", "OPTIONS file: %s" % r.getheader("Allow"))
    r, _ = request("OPTIONS", "/api/notes/1")
    check(r.status == 204 and "DELETE" in r.getheader("Allow"), "OPTIONS note: %s" % r.getheader("Allow"))
    status, headers, _ = exchange(host, port, b"OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n")
    check(status == 204 and "PUT" in headers.get("allow", ""), "OPTIONS *: %d" % status)


def timeout_408(host, port):
    sock = Conn(host, port)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n")  # never finished
    start = time.monotonic()
    status, headers, _ = sock.read_response()
    took = time.monotonic() - start
    check(status == 408 and headers.get("connection") == "close", "half request: %d" % status)
    check(took < HEADER_TIMEOUT + 3, "408 after %.1f s" % took)
    check(sock.closed_by_peer(), "connection left open after 408")


def refused(raw, want):
    def one(host, port):
        sock = Conn(host, port)
        sock.sendall(raw)
        status, headers, body = sock.read_response()
        check(status == want, "status %d, want %d" % (status, want))
        check(headers.get("connection") == "close", "no Connection: close")
        check(body, "no body")
        check(sock.closed_by_peer(), "connection left open")
        sock.close()
    return one


def every_error_status(host, port):
    cases = [
        (b"GET / HTTP/1.1\r\n\r\n", 400),
        (b"POST /api/notes HTTP/1.1\r\nHost: t\r\n\r\n", 411),
        (b"POST /api/notes HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999\r\n\r\n", 413),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: t\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\nHost: t\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(80)) + b"\r\n", 431),
        (b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + b"v" * 17000 + b"\r\n\r\n", 431),
        (b"PATCH / HTTP/1.1\r\nHost: t\r\n\r\n", 501),
        (b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        (b"GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505),
    ]
    for raw, want in cases:
        try:
            refused(raw, want)(host, port)
        except CheckFailed as e:
            raise CheckFailed("%r...: %s" % (raw[:40], e))


def smuggling_400(host, port):
    cases = [
        b"POST /api/notes HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"POST /api/notes HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde",
        b"POST /api/notes HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        b"POST /api/notes HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n",
        b"GET / HTTP/1.1\nHost: t\n\n",
        b"GET / HTTP/1.1\r\nHost: t\r\nHost: u\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost : t\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: t\rX: y\r\n\r\n",
        b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ]
    for raw in cases:
        try:
            refused(raw + b"GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n", 400)(host, port)
        except CheckFailed as e:
            raise CheckFailed("%r: %s" % (raw, e))


def keep_alive_rules(host, port):
    sock = Conn(host, port)
    sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
    status, headers, _ = sock.read_response()
    check(status == 200 and headers.get("connection") == "close" and sock.closed_by_peer(), "HTTP/1.0 closes")
    sock = Conn(host, port)
    for _ in range(3):
        sock.sendall(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        status, headers, _ = sock.read_response()
        check(status == 200 and headers.get("connection") == "keep-alive", "HTTP/1.0 keep-alive")
    sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    status, headers, _ = sock.read_response()
    check(headers.get("connection") == "close" and sock.closed_by_peer(), "Connection: close")
    conn = http.client.HTTPConnection(host, port, timeout=10)
    for _ in range(5):
        r, body = request("GET", "/index.html", conn=conn)
        check(r.status == 200 and not r.will_close, "1.1 persistent")
    conn.close()


def pipelining(host, port):
    sock = Conn(host, port)
    paths = ["/index.html", "/big.bin", "/nope", "/api/status", "/style.css"] * 4
    sock.sendall(b"".join(b"GET %s HTTP/1.1\r\nHost: t\r\n\r\n" % p.encode() for p in paths))
    for p in paths:
        status, headers, body = sock.read_response()
        if p in ("/index.html", "/big.bin", "/style.css"):
            check(status == 200 and body == file_bytes(p[1:]), "pipelined %s: %d" % (p, status))
        elif p == "/nope":
            check(status == 404, "pipelined 404")
        else:
            check(status == 200 and json.loads(body)["requests"] > 0, "pipelined status")
    sock.close()


def chunked_and_continue(host, port):
    body = b'{"text":"sent in chunks"}'
    raw = (b"POST /api/notes HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
           + b"".join(b"%x;ext\r\n%s\r\n" % (len(body[i:i + 7]), body[i:i + 7]) for i in range(0, len(body), 7))
           + b"0\r\nX-Trailer: t\r\n\r\n")
    status, headers, data = exchange(host, port, raw)
    check(status == 201 and json.loads(data)["text"] == "sent in chunks", "chunked POST: %d %r" % (status, data))
    sock = Conn(host, port)
    body = b'{"text":"after 100-continue"}'
    sock.sendall(b"POST /api/notes HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(body))
    status, _, _ = sock.read_response()
    check(status == 100, "interim response %d" % status)
    sock.sendall(body)
    status, headers, data = sock.read_response()
    check(status == 201, "POST after 100: %d" % status)
    sock.close()


def api_status(host, port):
    r, body = request("GET", "/api/status")
    s = json.loads(body)
    check(r.status == 200 and r.getheader("Content-Type") == "application/json", "status %d" % r.status)
    for key in ("uptime_s", "requests", "connections", "runtime", "build"):
        check(key in s, "status lacks %s" % key)
    check(s["runtime"] in ("linux", "container", "vm", "unikernel"), "runtime %s" % s["runtime"])
    check(s["connections"] >= 1 and s["requests"] >= 1, "counters %r" % s)
    r, body = request("HEAD", "/api/status")
    check(r.status == 200 and body == b"" and int(r.getheader("Content-Length")) > 0, "HEAD status")


def api_notes_crud(host, port):
    js = {"Content-Type": "application/json"}
    r, body = request("POST", "/api/notes", body=json.dumps({"text": "first \u00e9 \"quoted\" <b>"}), headers=js)
    check(r.status == 201, "create: %d %r" % (r.status, body))
    note = json.loads(body)
    check(r.getheader("Location") == "/api/notes/%d" % note["id"], "Location %s" % r.getheader("Location"))
    check(note["text"] == "first \u00e9 \"quoted\" <b>", "text round trip %r" % note["text"])
    path = r.getheader("Location")
    r, body = request("GET", path)
    check(r.status == 200 and json.loads(body)["id"] == note["id"], "read: %d" % r.status)
    r, body = request("PUT", path, body=json.dumps({"text": "changed"}), headers=js)
    check(r.status == 200 and json.loads(body)["text"] == "changed", "update: %d" % r.status)
    r, body = request("GET", "/api/notes")
    check(r.status == 200 and any(n["id"] == note["id"] and n["text"] == "changed" for n in json.loads(body)), "list")
    r, body = request("POST", "/api/notes", body=json.dumps({"id": note["id"], "text": "dup"}), headers=js)
    check(r.status == 409, "duplicate id: %d" % r.status)
    r, body = request("PUT", path, body=json.dumps({"id": note["id"] + 1, "text": "x"}), headers=js)
    check(r.status == 409, "id mismatch: %d" % r.status)
    r, body = request("DELETE", path)
    check(r.status == 204 and body == b"", "delete: %d" % r.status)
    r, body = request("GET", path)
    check(r.status == 404, "read deleted: %d" % r.status)
    r, body = request("DELETE", path)
    check(r.status == 404, "delete twice: %d" % r.status)
    r, body = request("PUT", "/api/notes/4242", body=json.dumps({"text": "made by PUT"}), headers=js)
    check(r.status == 201 and r.getheader("Location") == "/api/notes/4242", "PUT creates: %d" % r.status)
    request("DELETE", "/api/notes/4242")


def api_errors(host, port):
    r, body = request("POST", "/api/notes", body=b'{"text":"x"}', headers={"Content-Type": "text/plain"})
    check(r.status == 415, "non-JSON type: %d" % r.status)
    r, body = request("POST", "/api/notes", body=b'{"text": "x",}', headers={"Content-Type": "application/json"})
    err = json.loads(body)["error"]
    check(r.status == 400 and "byte 13" in err, "bad JSON: %d %s" % (r.status, err))
    r, body = request("POST", "/api/notes", body=b'{"txt": "x"}', headers={"Content-Type": "application/json"})
    check(r.status == 400, "missing text: %d" % r.status)
    r, body = request("POST", "/api/notes", body=json.dumps({"text": "x" * 600}), headers={"Content-Type": "application/json"})
    check(r.status == 413, "text too long: %d" % r.status)
    r, body = request("GET", "/api/notes/abc")
    check(r.status == 404, "bad id: %d" % r.status)


if __name__ == "__main__":
    run([get_200_headers, content_types, head_has_no_body, conditional_304, ranges_206_416, folders_and_redirects,
         not_found_404, traversal_400, method_405_allow, every_error_status, smuggling_400, keep_alive_rules,
         pipelining, chunked_and_continue, api_status, api_notes_crud, api_errors, timeout_408], HOST, PORT)

"""Abuse of apps/web: slowloris beside a good client, and 10,000 requests over 100 kept-alive connections.

usage: abuse.py slowloris HOST PORT ROOT HEADER_TIMEOUT_S
       abuse.py load HOST PORT ROOT [CONNECTIONS [REQUESTS_PER_CONNECTION]]   (default 100 100)
"""
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from client import Conn, check, run  # noqa: E402

MODE, HOST, PORT, ROOT = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]


def file_bytes(name):
    with open(os.path.join(ROOT, name), "rb") as f:
        return f.read()


def slowloris(host, port):
    """200 connections trickle a header byte by byte; a good client must still be served quickly,
    and every trickling connection must be cut (408) once the header timeout passes."""
    header_timeout = float(sys.argv[5])
    partial = b"GET / HTTP/1.1\r\nHost: t\r\nX-Slow: "
    slow = []
    for _ in range(200):
        s = socket.create_connection((host, port), timeout=10)
        s.sendall(partial[:5])
        slow.append(s)
    stop = threading.Event()

    def trickle():
        i = 0
        while not stop.is_set():
            for s in slow:
                try:
                    s.send(b"a")
                except OSError:
                    pass
            i += 1
            stop.wait(0.1)

    t = threading.Thread(target=trickle)
    t.start()
    try:
        good = Conn(host, port)
        index = file_bytes("index.html")
        worst = 0.0
        end = time.monotonic() + header_timeout + 1
        served = 0
        while time.monotonic() < end:
            start = time.monotonic()
            good.sendall(b"GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n")
            status, _, body = good.read_response()
            worst = max(worst, time.monotonic() - start)
            check(status == 200 and body == index, "good client got %d" % status)
            served += 1
        good.close()
        print("     good client: %d requests, slowest %.3f s, beside 200 slowloris connections" % (served, worst))
        check(worst < 1.0, "good client waited %.2f s" % worst)
    finally:
        stop.set()
        t.join()
    # Every slow connection must be answered 408 and closed, although it kept sending.
    cut = 0
    deadline = time.monotonic() + header_timeout + 5
    for s in slow:
        s.settimeout(max(0.1, deadline - time.monotonic()))
        data = b""
        try:
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        if data.startswith(b"HTTP/1.1 408"):
            cut += 1
        s.close()
    check(cut == len(slow), "%d of %d slowloris connections got 408" % (cut, len(slow)))


def load(host, port):
    """10,000 requests over 100 kept-alive connections (by default), every body checked."""
    conns = int(sys.argv[5]) if len(sys.argv) > 5 else 100
    per_conn = int(sys.argv[6]) if len(sys.argv) > 6 else 100
    names = [n for n in ("index.html", "app.js", "big.bin", "style.css") if os.path.exists(os.path.join(ROOT, n))]
    expected = {"/" + n: file_bytes(n) for n in names}
    paths = list(expected) + ["/api/status"]
    errors = []
    counts = [0] * conns

    def worker(n):
        try:
            conn = Conn(host, port, timeout=60)
            for i in range(per_conn):
                path = paths[(n + i) % len(paths)]
                conn.sendall(b"GET %s HTTP/1.1\r\nHost: t\r\n\r\n" % path.encode())
                status, _, body = conn.read_response()
                if status != 200:
                    raise AssertionError("%s: %d" % (path, status))
                if path == "/api/status":
                    json.loads(body)
                elif body != expected[path]:
                    raise AssertionError("%s: body differs" % path)
                counts[n] += 1
            conn.close()
        except Exception as e:
            errors.append("connection %d: %s" % (n, e))

    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - start
    print("     %d requests in %.1f s over %d connections" % (sum(counts), took, conns))
    check(not errors, "; ".join(errors[:5]))
    check(sum(counts) == conns * per_conn, "%d requests verified" % sum(counts))


if __name__ == "__main__":
    run([slowloris] if MODE == "slowloris" else [load], HOST, PORT)

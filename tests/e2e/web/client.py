"""Shared helpers of the web e2e checks: raw HTTP exchanges over TCP with deadlines."""
import socket
import sys
import time


class CheckFailed(Exception):
    pass


def check(condition, what):
    if not condition:
        raise CheckFailed(what)


class Conn:
    """One TCP connection and the bytes received on it but not yet parsed."""

    def __init__(self, host, port, timeout=10):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def sendall(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise CheckFailed("connection closed before a full response: %r" % self.buf[:200])
        self.buf += chunk

    def read_response(self, head_only=False):
        """One response: (status, {lower-name: value}, body). The body is read by Content-Length."""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = 0 if head_only or status in (204, 304) or status < 200 else int(headers.get("content-length", "0"))
        while len(self.buf) < length:
            self._fill()
        body, self.buf = self.buf[:length], self.buf[length:]
        return status, headers, body

    def closed_by_peer(self, deadline_s=5):
        """True when the server closes the connection (EOF or reset) within the deadline."""
        self.sock.settimeout(0.2)
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            try:
                if self.sock.recv(4096) == b"":
                    return True
            except socket.timeout:
                continue
            except ConnectionResetError:
                return True
        return False

    def close(self):
        self.sock.close()


def exchange(host, port, raw, head_only=False):
    """Sends raw bytes on a new connection and reads one response."""
    conn = Conn(host, port)
    try:
        conn.sendall(raw)
        return conn.read_response(head_only)
    finally:
        conn.close()


def run(checks, host, port):
    failed = 0
    for fn in checks:
        start = time.monotonic()
        try:
            fn(host, port)
            print("ok   %s (%.1f s)" % (fn.__name__, time.monotonic() - start))
        except Exception as e:  # report every failure, not only the first
            failed += 1
            print("FAIL %s: %s" % (fn.__name__, e))
    print("%d checks, %d failed" % (len(checks), failed))
    sys.exit(1 if failed else 0)

#!/usr/bin/env python3
"""Linux-side server of tests/apps/tcp_client.c: one port per half-close or reset scenario, each
logging what it saw as one line (the test reads them).

  scenario_peer.py [--base PORT]     ports BASE+1 .. BASE+5 (default 6000); BASE+9 stays closed
"""
import argparse
import socket
import struct
import sys
import threading


LOG_LOCK = threading.Lock()


def log(msg):
    # One write per line under a lock: print() writes the text and the newline separately, so
    # lines of the scenario threads could interleave mid-line.
    with LOG_LOCK:
        sys.stdout.write(f"scenario_peer: {msg}\n")
        sys.stdout.flush()


def recv_all(c):
    data = bytearray()
    while True:
        chunk = c.recv(65536)
        if not chunk:
            return bytes(data)
        data += chunk


def error_of(c):
    """How the client's close reached us: 'ECONNRESET' or 'EOF'."""
    try:
        while c.recv(65536):
            pass
        return "EOF"
    except ConnectionResetError:
        return "ECONNRESET"


def echo_after_eof(c):
    data = recv_all(c)
    c.sendall(f"got {len(data)}\n".encode())
    log(f"half-close by the client: read {len(data)} bytes, answered, closing")


def peer_half_close(c):
    c.sendall(b"hello\n")
    c.shutdown(socket.SHUT_WR)
    data = recv_all(c)
    log(f"half-close by the peer: received {data.decode(errors='replace')!r} after its own FIN")


def reset_after_line(c):
    line = bytearray()
    while not line.endswith(b"\n"):
        chunk = c.recv(1)
        if not chunk:
            break
        line += chunk
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    log("reset: read a line, closing with SO_LINGER 0")


def unread_close(c):
    try:
        c.sendall(b"u" * 65536)
        how = error_of(c)
    except ConnectionResetError:  # the reset came while we were still sending
        how = "ECONNRESET"
    log(f"unread data: the client's close gave {how}")


def linger_zero(c):
    log(f"SO_LINGER 0: the client's close gave {error_of(c)}")


SCENARIOS = [echo_after_eof, peer_half_close, reset_after_line, unread_close, linger_zero]


def listen(port):
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("0.0.0.0", port))
    l.listen(8)
    return l


def serve(l, scenario):
    while True:
        c, _ = l.accept()
        try:
            scenario(c)
        except OSError as e:
            log(f"{scenario.__name__}: {e}")
        finally:
            c.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base", type=int, default=6000)
    a = p.parse_args()
    for i, scenario in enumerate(SCENARIOS, start=1):
        l = listen(a.base + i)
        threading.Thread(target=serve, args=(l, scenario), daemon=True).start()
    log(f"listening on tcp ports {a.base + 1}-{a.base + len(SCENARIOS)}")
    threading.Event().wait()


if __name__ == "__main__":
    sys.exit(main())

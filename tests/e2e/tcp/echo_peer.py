#!/usr/bin/env python3
"""Linux-side client of an echo server (tests/apps/tcp_echo.c): N concurrent connections or M
sequential connect/transfer/close cycles, every echoed byte checked.

  echo_peer.py HOST PORT concurrent N [--size BYTES] [--ready SECONDS] [--timeout SECONDS]
  echo_peer.py HOST PORT cycles M [--size BYTES] [--ready SECONDS] [--timeout SECONDS]

Prints one summary line and exits 0 when every connection got its bytes back, 1 otherwise.
"""
import argparse
import os
import selectors
import socket
import sys
import time


def wait_ready(host, port, seconds):
    """Polls until the server accepts a connection (it may still be booting)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection((host, port), timeout=2):
                return True
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)


def concurrent(host, port, count, size, timeout):
    sel = selectors.DefaultSelector()
    conns = {}
    for i in range(count):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex((host, port))
        payload = os.urandom(size)
        conns[s] = {"out": payload, "sent": 0, "want": payload, "got": bytearray(), "i": i}
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
    deadline = time.monotonic() + timeout
    done = failed = 0
    while conns and time.monotonic() < deadline:
        for key, ev in sel.select(timeout=1):
            s = key.fileobj
            c = conns[s]
            try:
                if ev & selectors.EVENT_WRITE and c["sent"] < len(c["out"]):
                    c["sent"] += s.send(c["out"][c["sent"]:])
                    if c["sent"] == len(c["out"]):
                        sel.modify(s, selectors.EVENT_READ)
                if ev & selectors.EVENT_READ:
                    data = s.recv(65536)
                    if not data:
                        raise ConnectionError("closed early")
                    c["got"] += data
            except (BlockingIOError, InterruptedError):
                continue
            except OSError as e:
                print(f"echo_peer: connection {c['i']}: {e}", file=sys.stderr)
                failed += 1
                sel.unregister(s)
                s.close()
                del conns[s]
                continue
            if len(c["got"]) >= len(c["want"]):
                if bytes(c["got"]) == c["want"]:
                    done += 1
                else:
                    print(f"echo_peer: connection {c['i']}: wrong bytes", file=sys.stderr)
                    failed += 1
                sel.unregister(s)
                s.close()
                del conns[s]
    failed += len(conns)
    print(f"echo_peer: {done} of {count} concurrent connections echoed {size} bytes each "
          f"identically, {failed} failed")
    return failed == 0


def cycles(host, port, count, size, timeout):
    deadline = time.monotonic() + timeout
    done = 0
    for i in range(count):
        if time.monotonic() > deadline:
            break
        payload = os.urandom(size)
        try:
            with socket.create_connection((host, port), timeout=10) as s:
                s.sendall(payload)
                got = bytearray()
                while len(got) < size:
                    data = s.recv(65536)
                    if not data:
                        break
                    got += data
                s.shutdown(socket.SHUT_WR)
                if bytes(got) != payload or s.recv(1) != b"":
                    print(f"echo_peer: cycle {i}: wrong echo", file=sys.stderr)
                    break
        except OSError as e:
            print(f"echo_peer: cycle {i}: {e}", file=sys.stderr)
            break
        done += 1
    print(f"echo_peer: {done} of {count} sequential connect/transfer/close cycles echoed "
          f"{size} bytes identically")
    return done == count


def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("mode", choices=["concurrent", "cycles"])
    p.add_argument("count", type=int)
    p.add_argument("--size", type=int, default=1000)
    p.add_argument("--ready", type=float, default=60)
    p.add_argument("--timeout", type=float, default=300)
    a = p.parse_args()
    # --ready 0: the server is known to be up (a flood may be in progress): no probe connection,
    # the run's own connections (each with its own connect timeout) are what is measured.
    if a.ready > 0 and not wait_ready(a.host, a.port, a.ready):
        print(f"echo_peer: nothing accepts on {a.host}:{a.port} after {a.ready} s")
        return 1
    run = concurrent if a.mode == "concurrent" else cycles
    return 0 if run(a.host, a.port, a.count, a.size, a.timeout) else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Linux-side peer of tests/apps/tcp_bulk.c, speaking its protocol (one command line per
connection: "SEND N", "RECV", "FILE PATH") and printing the same lines, so a test compares the
SHA-256 each end computed.

  bulk_peer.py serve PORT CONNECTIONS         answers SEND and RECV
  bulk_peer.py get|put HOST PORT BYTES [--ready SECONDS]
      get options: --rcvbuf BYTES (a small receive buffer, set before connecting) and
      --read-after FILE TEXT (read nothing until FILE contains TEXT, polled for 60 s): the
      subject then has its answer queued, unsent, when it closes and exits.
"""
import argparse
import hashlib
import random
import socket
import sys
import time

CHUNK = 65536


def send_random(s, count, seed):
    rng = random.Random(seed)
    sha = hashlib.sha256()
    while count:
        n = min(count, CHUNK)
        data = rng.randbytes(n)
        sha.update(data)
        s.sendall(data)
        count -= n
    return sha.hexdigest()


def receive_all(s):
    sha = hashlib.sha256()
    count = 0
    while True:
        data = s.recv(CHUNK)
        if not data:
            return count, sha.hexdigest()
        sha.update(data)
        count += len(data)


def read_line(s):
    line = bytearray()
    while not line.endswith(b"\n"):
        c = s.recv(1)
        if not c:
            raise ConnectionError("end of stream before the line ended")
        line += c
    return line[:-1].decode()


def serve(port, connections):
    with socket.socket() as l:
        l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        l.bind(("0.0.0.0", port))
        l.listen(16)
        print(f"bulk_peer: listening on tcp port {port}", flush=True)
        for i in range(connections):
            c, _ = l.accept()
            with c:
                cmd = read_line(c)
                if cmd.startswith("SEND "):
                    count = int(cmd.split()[1])
                    print(f"bulk_peer: sent {count} bytes sha256 {send_random(c, count, i)}",
                          flush=True)
                elif cmd == "RECV":
                    count, digest = receive_all(c)
                    print(f"bulk_peer: received {count} bytes sha256 {digest}", flush=True)
                    c.sendall(f"{count} {digest}\n".encode())
                else:
                    print(f"bulk_peer: error: unknown command {cmd!r}", flush=True)
                    return 1
    return 0


def connect(host, port, ready, rcvbuf=0):
    deadline = time.monotonic() + ready
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if rcvbuf:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            s.settimeout(600)
            s.connect((host, port))
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def wait_for_text(path, text, limit=60):
    deadline = time.monotonic() + limit
    while True:
        try:
            with open(path, errors="replace") as f:
                if text in f.read():
                    return
        except FileNotFoundError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} never contained {text!r}")
        time.sleep(0.05)


def client(mode, host, port, count, ready, rcvbuf=0, read_after=None):
    start = time.monotonic()
    with connect(host, port, ready, rcvbuf) as s:
        if mode == "get":
            s.sendall(f"SEND {count}\n".encode())
            if read_after:
                wait_for_text(*read_after)
            got, digest = receive_all(s)
            print(f"bulk_peer: received {got} bytes sha256 {digest}")
            ok = got == count
        else:
            s.sendall(b"RECV\n")
            digest = send_random(s, count, 0)
            s.shutdown(socket.SHUT_WR)
            print(f"bulk_peer: sent {count} bytes sha256 {digest}")
            answer = read_line(s)
            ok = answer == f"{count} {digest}"
            print(f"bulk_peer: the peer {'received the same' if ok else 'received different'}"
                  f" bytes ({answer})")
    secs = time.monotonic() - start
    print(f"bulk_peer: {count} bytes in {secs:.3f} s: {count / secs / 1e6:.2f} MB/s")
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["serve", "get", "put"])
    p.add_argument("args", nargs="+")
    p.add_argument("--ready", type=float, default=60)
    p.add_argument("--rcvbuf", type=int, default=0)
    p.add_argument("--read-after", nargs=2, metavar=("FILE", "TEXT"))
    a = p.parse_args()
    if a.mode == "serve":
        return serve(int(a.args[0]), int(a.args[1]))
    host, port, count = a.args
    return client(a.mode, host, int(port), int(count), a.ready, a.rcvbuf, a.read_after)


if __name__ == "__main__":
    sys.exit(main())

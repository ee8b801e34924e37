#!/usr/bin/env python3
"""Sends datagrams of random sizes to a UDP echo server and checks that each comes back unchanged.

usage: udp_echo_client.py HOST PORT COUNT [SEED]

Waits (polling, up to --ready seconds) until the server answers a probe, then sends COUNT
datagrams of random sizes 0..65507 one at a time; a datagram unanswered after 2 s is sent again
(UDP may lose it), at most 3 times. Prints one summary line; exits 0 when every echo matched.
"""
import argparse
import random
import socket
import sys
import time

MAX_PAYLOAD = 65507


def exchange(sock, addr, payload, tries, wait):
    """Sends payload until an echo of it arrives; returns (echo or None, sends used)."""
    for attempt in range(1, tries + 1):
        sock.sendto(payload, addr)
        deadline = time.monotonic() + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(left)
            try:
                data, peer = sock.recvfrom(MAX_PAYLOAD + 1)
            except socket.timeout:
                break
            if data == payload:
                return data, attempt
            # A late echo of an earlier datagram: ignore it and keep waiting.
    return None, tries


def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("count", type=int)
    p.add_argument("seed", type=int, nargs="?", default=1)
    p.add_argument("--ready", type=float, default=60.0, help="seconds to wait for the server")
    args = p.parse_args()
    addr = (args.host, args.port)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)

    ready_deadline = time.monotonic() + args.ready
    while True:
        echo, _ = exchange(sock, addr, b"probe", 1, 0.5)
        if echo is not None:
            break
        if time.monotonic() > ready_deadline:
            print(f"udp_echo_client: no echo from {args.host}:{args.port} in {args.ready:.0f} s")
            return 1

    rng = random.Random(args.seed)
    sizes = [0, 1, 1472, 1473, MAX_PAYLOAD] + [rng.randint(0, MAX_PAYLOAD) for _ in range(args.count)]
    sizes = sizes[: max(args.count, 1)] if args.count < 5 else sizes[: args.count]
    resent = 0
    total = 0
    start = time.monotonic()
    for i, size in enumerate(sizes):
        payload = rng.randbytes(size)
        echo, used = exchange(sock, addr, payload, 3, 2.0)
        if echo is None:
            print(f"udp_echo_client: datagram {i} of {size} bytes: no identical echo after 3 sends")
            return 1
        resent += used - 1
        total += size
    elapsed = time.monotonic() - start
    print(
        f"udp_echo_client: {len(sizes)} datagrams, {total} bytes echoed identically "
        f"({resent} resent) in {elapsed:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

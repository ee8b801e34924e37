#!/usr/bin/python3
"""DNS over TCP (RFC 7766) against a running dns: pipelined queries on one connection all get
their answers, a query split over several writes is answered, past the connection limit the
connections idle longest make room for new ones, and an idle connection is closed by the server.

  tcp_check.py HOST PORT IDLE_LIMIT_SECONDS
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dnswire  # noqa: E402


def read_message(sock):
    header = b""
    while len(header) < 2:
        chunk = sock.recv(2 - len(header))
        if not chunk:
            raise ConnectionError("closed")
        header += chunk
    length = struct.unpack("!H", header)[0]
    data = b""
    while len(data) < length:
        chunk = sock.recv(length - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def main():
    server = (sys.argv[1], int(sys.argv[2]))
    idle_limit = float(sys.argv[3])
    sock = socket.create_connection(server, timeout=10)
    names = ["www.poc.test.", "web.poc.test.", "ns.poc.test.", "nothing.poc.test.",
             "alias3.poc.test.", "x.dyn.poc.test.", "a.sub.poc.test.", "poc.test."] * 4
    burst = b""
    for i, name in enumerate(names):
        q = dnswire.build_query(1000 + i, name, 1)
        burst += struct.pack("!H", len(q)) + q
    sock.sendall(burst)  # all of them pipelined in one write
    seen = set()
    for _ in names:
        seen.add(dnswire.decode(read_message(sock))["id"])
    if seen != {1000 + i for i in range(len(names))}:
        print("tcp_check: pipelined answers missing: %s" % sorted(seen))
        return 1
    q = dnswire.build_query(7, "txt.poc.test.", 16)
    framed = struct.pack("!H", len(q)) + q
    for piece in (framed[:1], framed[1:9], framed[9:]):  # one query over three writes
        sock.sendall(piece)
    answer = dnswire.decode(read_message(sock))
    if answer["id"] != 7 or len(answer["answer"]) != 2:
        print("tcp_check: split query answered wrongly: %s" % answer)
        return 1
    # More connections than the limit (128), all silent: the ones idle longest make room, and a
    # new client is still answered.
    held = [socket.create_connection(server, timeout=10) for _ in range(150)]
    fresh = socket.create_connection(server, timeout=10)
    q = dnswire.build_query(8, "www.poc.test.", 1)
    fresh.sendall(struct.pack("!H", len(q)) + q)
    if dnswire.decode(read_message(fresh))["id"] != 8:
        print("tcp_check: no answer on a new connection while 150 others are held")
        return 1
    evicted = 0
    for old in [sock] + held[:20]:
        old.settimeout(idle_limit + 10)
        try:
            evicted += old.recv(1) == b""
        except ConnectionResetError:
            evicted += 1
    for h in held:
        h.close()
    sock.close()
    if evicted != 21:
        print("tcp_check: only %d of the 21 oldest connections were closed for newer ones" % evicted)
        return 1
    sock = fresh
    start = time.monotonic()
    sock.settimeout(idle_limit + 10)
    try:
        data = sock.recv(1)
    except socket.timeout:
        print("tcp_check: the idle connection is still open after %.0f s" % (idle_limit + 10))
        return 1
    waited = time.monotonic() - start
    if data:
        print("tcp_check: unexpected bytes on an idle connection")
        return 1
    print("tcp_check: %d pipelined queries answered on one connection, a split query answered, "
          "the oldest connections closed for new ones, idle connection closed after %.1f s"
          % (len(names), waited))
    return 0


if __name__ == "__main__":
    sys.exit(main())

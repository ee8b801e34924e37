#!/usr/bin/python3
"""Hostile datagrams against a running dns: each must get no reply or a reply no larger than
itself; a valid query sent after them must still be answered (the server answers one socket in
order, so every reply to the hostile ones has arrived before the valid one's).

  hostile.py HOST PORT
"""
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dnswire  # noqa: E402


def header(qid, flags=0, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def cases():
    q = b"\x03www\x03poc\x04test\x00\x00\x01\x00\x01"
    yield "empty datagram", b""
    yield "truncated header", b"\x12\x34\x00"
    yield "header only", header(1)
    yield "a response (QR=1)", header(2, flags=0x8000) + q
    yield "QR=1 with a lying count", header(3, flags=0x8000, an=50) + q
    yield "no question", header(4, qd=0)
    yield "two questions", header(5, qd=2) + q + q
    yield "pointer to itself", header(6) + b"\xc0\x0c\x00\x01\x00\x01"
    yield "forward pointer", header(7) + b"\xc0\x0e\x00\x00\x01\x00\x01"
    yield "pointer loop", header(8) + b"\x01a\xc0\x0e\x00\x01\x00\x01"
    yield "label of 64 bytes", header(9) + b"\x40" + b"a" * 64 + b"\x00\x00\x01\x00\x01"
    yield "name over 255 bytes", header(10) + (b"\x3f" + b"b" * 63) * 5 + b"\x00\x00\x01\x00\x01"
    yield "label past the end", header(11) + b"\x3fabc"
    yield "question cut short", header(12) + q[:-2]
    yield "additional count that lies", header(13, ar=40) + q
    yield "answer in a query", header(14, an=1) + q + b"\x00\x00\x01\x00\x01\x00\x00\x00\x00\x00\x00"
    yield "OPT option too long", header(15, ar=1) + q + b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x08\x00\x0a\x00\x40"
    yield "two OPT records", header(16, ar=2) + q + (b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00") * 2
    yield "opcode UPDATE", header(17, flags=5 << 11) + q
    yield "garbage after the message", header(18) + q + os.urandom(400)
    # Random bytes under an id of their own, so that a reply cannot pass for another's.
    yield "random bytes", struct.pack("!H", 19) + os.urandom(298)


def main():
    server = (sys.argv[1], int(sys.argv[2]))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(20)
    sizes = {}
    for name, data in cases():
        sock.sendto(data, server)
        if len(data) >= 2:
            sizes.setdefault(struct.unpack("!H", data[:2])[0], []).append((name, len(data)))
    valid = dnswire.build_query(0xBEEF, "www.poc.test.", 1)
    sock.sendto(valid, server)
    failures = 0
    replies = 0
    while True:
        reply = sock.recv(65535)
        qid = struct.unpack("!H", reply[:2])[0]
        if qid == 0xBEEF:
            answer = dnswire.decode(reply)
            if answer["rcode"] != 0 or not answer["answer"]:
                print("hostile: the valid query after the hostile ones got %s" % answer)
                failures += 1
            break
        replies += 1
        candidates = sizes.get(qid, [])
        if not any(len(reply) <= size for _, size in candidates):
            print("hostile: a reply of %d bytes to %s" % (len(reply), candidates or qid))
            failures += 1
    count = sum(1 for _ in cases())
    print("hostile: %d hostile datagrams, %d small replies, %d failures; the server still answers"
          % (count, replies, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""A tiny authoritative DNS server for tests: answers every A question with one address, over
UDP and TCP on the address given. Stops on SIGTERM.

    dns_responder.py LISTEN_ADDR ANSWER_ADDR
"""
import socket
import struct
import sys
import threading


def answer(query, addr):
    if len(query) < 12:
        return None
    ident, _flags, qdcount = struct.unpack("!HHH", query[:6])
    if qdcount != 1:
        return None
    end = 12
    while end < len(query) and query[end] != 0:
        end += query[end] + 1
    end += 5  # root label, type, class
    if end > len(query):
        return None
    question = query[12:end]
    header = struct.pack("!HHHHHH", ident, 0x8400, 1, 1, 0, 0)
    record = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(addr)
    return header + question + record


def serve_udp(s, addr):
    while True:
        data, peer = s.recvfrom(4096)
        reply = answer(data, addr)
        if reply:
            s.sendto(reply, peer)


def serve_tcp(s, addr):
    while True:
        conn, _ = s.accept()
        conn.settimeout(5)
        try:
            head = conn.recv(2)
            if len(head) == 2:
                (length,) = struct.unpack("!H", head)
                data = b""
                while len(data) < length:
                    chunk = conn.recv(length - len(data))
                    if not chunk:
                        break
                    data += chunk
                reply = answer(data, addr)
                if reply:
                    conn.sendall(struct.pack("!H", len(reply)) + reply)
        except OSError:
            pass
        conn.close()


def main():
    listen, addr = sys.argv[1], sys.argv[2]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((listen, 53))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((listen, 53))
    tcp.listen(16)
    threading.Thread(target=serve_tcp, args=(tcp, addr), daemon=True).start()
    print("dns_responder: listening on %s:53" % listen, flush=True)
    serve_udp(udp, addr)


if __name__ == "__main__":
    main()

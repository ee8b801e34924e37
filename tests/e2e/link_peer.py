#!/usr/bin/env python3
"""The far end of an `atoll run --net dgram=OWN:PEER` or `--net stream=connect:PATH` link, for
tests: answers ARP requests and ICMP echo requests for ADDR with MAC, and prints one line per
request it answered. Stops after SECONDS.

    link_peer.py dgram PEER_SOCKET QEMU_SOCKET ADDR MAC SECONDS   binds PEER_SOCKET (datagrams)
    link_peer.py stream PATH ADDR MAC SECONDS                      listens on PATH; QEMU connects

A stream carries each frame after its length (4 bytes, big-endian), as QEMU's -netdev stream does.
"""
import os
import socket
import struct
import sys
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def arp_reply(frame, addr, mac):
    """The reply to an ARP request for addr, or None."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x06" or frame[20:22] != b"\x00\x01":
        return None
    if frame[38:42] != addr:
        return None
    asker_mac, asker_ip = frame[22:28], frame[28:32]
    arp = b"\x00\x01\x08\x00\x06\x04\x00\x02" + mac + addr + asker_mac + asker_ip
    return asker_mac + mac + b"\x08\x06" + arp, "arp request from " + socket.inet_ntoa(asker_ip)


def echo_reply(frame, addr, mac):
    """The reply to an ICMP echo request to addr, or None."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    if ip[9] != 1 or ip[16:20] != addr or total > len(ip) or ip[ihl] != 8:
        return None
    icmp = bytearray(ip[ihl:total])
    icmp[0] = 0
    icmp[2:4] = b"\0\0"
    icmp[2:4] = struct.pack("!H", checksum(bytes(icmp)))
    header = bytearray(ip[:20])
    header[8] = 64
    header[10:12] = b"\0\0"
    header[12:16], header[16:20] = addr, ip[12:16]
    header[0] = 0x45
    header[2:4] = struct.pack("!H", 20 + len(icmp))
    header[10:12] = struct.pack("!H", checksum(bytes(header)))
    reply = frame[6:12] + mac + b"\x08\x00" + bytes(header) + bytes(icmp)
    return reply, "echo request from " + socket.inet_ntoa(ip[12:16])


class DatagramLink:
    def __init__(self, own, qemu):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(own)
        self.qemu = qemu

    def frames(self, deadline):
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                yield self.sock.recv(65536)
            except socket.timeout:
                return

    def send(self, frame):
        self.sock.sendto(frame, self.qemu)


class StreamLink:
    def __init__(self, path):
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(1)
        self.conn = None

    def frames(self, deadline):
        self.listener.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            self.conn, _ = self.listener.accept()
        except socket.timeout:
            return
        data = b""
        while time.monotonic() < deadline:
            while len(data) >= 4 and len(data) >= 4 + struct.unpack("!I", data[:4])[0]:
                length = struct.unpack("!I", data[:4])[0]
                yield data[4 : 4 + length]
                data = data[4 + length :]
            self.conn.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                more = self.conn.recv(65536)
            except socket.timeout:
                return
            if not more:
                return
            data += more

    def send(self, frame):
        self.conn.sendall(struct.pack("!I", len(frame)) + frame)


def main():
    if sys.argv[1] == "dgram":
        own, qemu, addr_text, mac_text, seconds = sys.argv[2:7]
        if os.path.exists(own):
            os.unlink(own)
        link = DatagramLink(own, qemu)
    else:
        path, addr_text, mac_text, seconds = sys.argv[2:6]
        if os.path.exists(path):
            os.unlink(path)
        link = StreamLink(path)
    addr = socket.inet_aton(addr_text)
    mac = bytes.fromhex(mac_text.replace(":", ""))
    print("listening", flush=True)
    for frame in link.frames(time.monotonic() + float(seconds)):
        answer = arp_reply(frame, addr, mac) or echo_reply(frame, addr, mac)
        if answer:
            try:
                link.send(answer[0])
            except OSError as err:
                print("send: %s" % err, flush=True)
                continue
            print(answer[1], flush=True)


if __name__ == "__main__":
    main()

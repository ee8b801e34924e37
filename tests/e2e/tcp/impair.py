#!/usr/bin/env python3
"""A lossy link between two interfaces of one network namespace, for tests where the kernel has no
netem: every Ethernet frame arriving on one is sent out of the other (AF_PACKET), after a delay,
with loss, duplication and reordering drawn from a seeded generator.

  impair.py IF_A IF_B [--loss P] [--dup P] [--reorder P] [--delay-ms MS] [--seed N]
  impair.py --no-offload IF...   turn off checksum offload and segmentation offloads (veths), so
                                 frames seen on the other end are complete
  impair.py --csum-offload IF... turn transmit checksum offload back on (a clean link, as Linux
                                 sets one up: checksums travel partial to a tap's guest)

--reorder P sends that fraction of frames with half the delay, so they overtake earlier ones.
Runs until killed; prints its counters on SIGTERM.

Frames are read with their virtio-net header (PACKET_VNET_HDR), and what a sender left to the
hardware is done here, as a host's stack would before a link without offloads: a partial checksum
is completed, and a TCP/IPv4 TSO frame (a guest on a tap with checksum offload and TSO) is cut into
its segments, each then lost, duplicated or delayed on its own.
"""
import argparse
import fcntl
import heapq
import random
import select
import signal
import socket
import struct
import sys
import time
import array

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SIOCETHTOOL = 0x8946
# Legacy ethtool set commands: TX checksum, scatter-gather, TSO, GSO, GRO.
ETHTOOL_STXCSUM = 0x17
ETHTOOL_OFFLOADS = (ETHTOOL_STXCSUM, 0x19, 0x1F, 0x24, 0x2C)
SOL_PACKET = 263
PACKET_VNET_HDR = 15
# struct virtio_net_hdr: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset
VNET_HDR = struct.Struct("<BBHHHH")
VNET_NEEDS_CSUM = 1
VNET_GSO_TCPV4 = 1
NO_VNET_HDR = bytes(VNET_HDR.size)


def csum(data):
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def segment_tcp4(frame, mss):
    """The segments a TSO frame stands for: headers copied, lengths, IDs, sequence numbers and
    checksums per segment, FIN and PSH on the last one only."""
    ip0 = 14
    ihl = (frame[ip0] & 0xF) * 4
    tcp0 = ip0 + ihl
    hl = tcp0 + (frame[tcp0 + 12] >> 4) * 4
    ip_id = struct.unpack_from("!H", frame, ip0 + 4)[0]
    seq = struct.unpack_from("!I", frame, tcp0 + 4)[0]
    flags = frame[tcp0 + 13]
    addrs = frame[ip0 + 12 : ip0 + 20]
    payload = frame[hl:]
    out = []
    for i, off in enumerate(range(0, len(payload), mss)):
        piece = payload[off : off + mss]
        f = bytearray(frame[:hl]) + piece
        struct.pack_into("!HH", f, ip0 + 2, hl - ip0 + len(piece), (ip_id + i) & 0xFFFF)
        struct.pack_into("!H", f, ip0 + 10, 0)
        struct.pack_into("!H", f, ip0 + 10, csum(bytes(f[ip0:tcp0])))
        struct.pack_into("!I", f, tcp0 + 4, (seq + off) & 0xFFFFFFFF)
        f[tcp0 + 13] = flags if off + mss >= len(payload) else flags & ~0x09
        struct.pack_into("!H", f, tcp0 + 16, 0)
        l4 = bytes(f[tcp0:])
        pseudo = addrs + struct.pack("!BBH", 0, 6, len(l4))
        struct.pack_into("!H", f, tcp0 + 16, csum(pseudo + l4))
        out.append(bytes(f))
    return out


def complete(packet):
    """The complete frames one read from a PACKET_VNET_HDR socket stands for."""
    flags, gso_type, _, gso_size, start, offset = VNET_HDR.unpack_from(packet)
    frame = packet[VNET_HDR.size :]
    if gso_type == VNET_GSO_TCPV4 and gso_size and len(frame) > 34:
        return segment_tcp4(frame, gso_size)
    if flags & VNET_NEEDS_CSUM and start + offset + 2 <= len(frame):
        # The field holds the pseudo-header sum: the sum from csum_start on completes it.
        f = bytearray(frame)
        struct.pack_into("!H", f, start + offset, csum(frame[start:]))
        return [bytes(f)]
    return [frame]


def set_offloads(names, cmds, on):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for name in names:
        for cmd in cmds:
            value = array.array("B", struct.pack("II", cmd, 1 if on else 0))
            addr, _ = value.buffer_info()
            ifr = struct.pack("16sP", name.encode(), addr)
            try:
                fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifr)
            except OSError as e:
                print(f"impair: {name}: ethtool command {cmd:#x}: {e}", file=sys.stderr)


def open_port(name):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
    s.bind((name, 0))
    s.setblocking(False)
    return s


def main():
    p = argparse.ArgumentParser()
    p.add_argument("ifs", nargs="+")
    p.add_argument("--no-offload", action="store_true")
    p.add_argument("--csum-offload", action="store_true")
    p.add_argument("--loss", type=float, default=0.0)
    p.add_argument("--dup", type=float, default=0.0)
    p.add_argument("--reorder", type=float, default=0.0)
    p.add_argument("--delay-ms", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    if a.no_offload or a.csum_offload:
        if a.no_offload:
            set_offloads(a.ifs, ETHTOOL_OFFLOADS, False)
        else:
            set_offloads(a.ifs, (ETHTOOL_STXCSUM,), True)
        return 0
    if len(a.ifs) != 2:
        p.error("two interfaces")
    rng = random.Random(a.seed)
    ports = [open_port(n) for n in a.ifs]
    other = {ports[0].fileno(): ports[1], ports[1].fileno(): ports[0]}
    by_fd = {s.fileno(): s for s in ports}
    delay = a.delay_ms / 1000.0
    queue = []
    seq = 0
    counts = {"forwarded": 0, "lost": 0, "duplicated": 0, "reordered": 0}

    def stop(*_):
        print("impair: " + " ".join(f"{k}={v}" for k, v in counts.items()), flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("impair: forwarding " + " <-> ".join(a.ifs), flush=True)
    while True:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            try:
                out.send(NO_VNET_HDR + frame)
                counts["forwarded"] += 1
            except OSError:
                pass
        timeout = max(0.0, queue[0][0] - now) if queue else 1.0
        ready, _, _ = select.select(ports, [], [], timeout)
        now = time.monotonic()
        for s in ready:
            for _ in range(256):
                try:
                    packet, addr = s.recvfrom(VNET_HDR.size + 65536 + 256)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                for frame in complete(packet):
                    if rng.random() < a.loss:
                        counts["lost"] += 1
                        continue
                    copies = 2 if rng.random() < a.dup else 1
                    counts["duplicated"] += copies - 1
                    for _ in range(copies):
                        d = delay
                        if a.reorder and rng.random() < a.reorder:
                            d = delay / 2
                            counts["reordered"] += 1
                        out = other[s.fileno()]
                        if d <= 0:
                            try:
                                out.send(NO_VNET_HDR + frame)
                                counts["forwarded"] += 1
                            except OSError:
                                pass
                        else:
                            seq += 1
                            heapq.heappush(queue, (now + d, seq, out, frame))

if __name__ == "__main__":
    sys.exit(main())

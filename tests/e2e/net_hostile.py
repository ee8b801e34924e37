#!/usr/bin/python3
"""Sends hostile frames to an Atoll instance from inside a test namespace, then prints one line
`expect COUNTER N` per drop counter those frames must move (N frames each).

Usage: net_hostile.py IFACE INSTANCE_MAC INSTANCE_IP PEER_IP COUNT
IFACE is the namespace's tap (its MTU must allow 1600-byte frames, for the oversized ones)."""
import sys

from scapy.all import ARP, ICMP, IP, UDP, Ether, Raw, conf, sendp  # noqa: E402

iface, mac, ip, peer, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
conf.verb = 0
eth = Ether(dst=mac, type=0x0800)
expect = {}


def send(counter, frames):
    """Sends each frame COUNT times; each one must move `counter` by one."""
    frames = frames if isinstance(frames, list) else [frames]
    for _ in range(count):
        sendp(frames, iface=iface)
    expect[counter] = expect.get(counter, 0) + count * len(frames)


def good_ip(**fields):
    return IP(src=peer, dst=ip, **fields)


# (Frames shorter than an Ethernet header cannot be sent: QEMU pads every frame to 60 bytes.)
send("eth_too_long", eth / good_ip() / UDP(dport=9) / Raw(b"x" * (1600 - 42)))
# Truncated IP header, and a total length beyond the frame.
send("ip_truncated", [Raw(bytes(eth / good_ip() / ICMP())[:14 + 12]),
                      eth / good_ip(len=400) / ICMP() / Raw(b"y" * 32)])
send("ip_bad_version", eth / good_ip(version=6) / ICMP())
send("ip_bad_ihl", eth / good_ip(ihl=4) / ICMP())
send("ip_bad_checksum", eth / good_ip(chksum=0x1234) / ICMP())
send("icmp_bad_checksum", eth / good_ip() / ICMP(chksum=0x1234) / Raw(b"z" * 16))
send("udp_truncated", eth / good_ip(proto=17) / Raw(b"abcdefg"))
send("udp_bad_checksum", eth / good_ip() / UDP(sport=1000, dport=7, chksum=0x1234) / Raw(b"abc"))

# Overlapping fragments: the second of each pair overlaps the first and drops the datagram; a
# fresh id per round starts a new datagram.
for n in range(count):
    sendp([eth / good_ip(id=0x4000 + n, flags="MF", frag=0, proto=17) / Raw(b"a" * 16),
           eth / good_ip(id=0x4000 + n, flags="MF", frag=1, proto=17) / Raw(b"b" * 16)],
          iface=iface)
expect["frag_overlap"] = count
# A fragment that would end beyond 65535 bytes.
send("frag_too_big", eth / good_ip(id=0x5000, flags="MF", frag=8189, proto=17) / Raw(b"c" * 16))
# Endless fragments: first fragments of datagrams that never complete, more than the 4 slots, and
# a bomb of fragments of one large datagram missing its end. Each new datagram past the 4th
# evicts the oldest.
bomb = [eth / good_ip(id=0x6000, flags="MF", frag=k * 125, proto=17) / Raw(b"d" * 1000)
        for k in range(60)]
sendp(bomb, iface=iface)
endless = [eth / good_ip(id=0x7000 + k, flags="MF", frag=0, proto=17) / Raw(b"e" * 16)
           for k in range(4 + count)]
sendp(endless, iface=iface)
expect["frag_evicted"] = count + 1  # the bomb's and count of the endless ones (at least)
# Someone else claims the instance's address.
send("arp_spoof", Ether(dst="ff:ff:ff:ff:ff:ff") /
     ARP(op=2, psrc=ip, pdst=ip, hwdst="ff:ff:ff:ff:ff:ff"))

for counter, n in expect.items():
    print(f"expect {counter} {n}")

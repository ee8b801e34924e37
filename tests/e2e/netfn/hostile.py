#!/usr/bin/python3
"""Frames that must not cross the firewall, sent from the client with scapy. Each carries its own
IP id (40001...) so that a capture behind the router can tell which, if any, got through; a last
legitimate SYN to the web server (id 40100) shows that the capture sees what does cross.

    hostile.py IFACE FIREWALL_MAC
"""
import random
import socket
import sys

from scapy.all import IP, TCP, UDP, Ether, Raw, conf, sendp

conf.verb = 0
iface, fw_mac = sys.argv[1], sys.argv[2]
CLIENT, WEB, DNS = "192.168.100.10", "10.0.0.80", "10.0.0.100"


def frame(pkt):
    return Ether(dst=fw_mac) / pkt


def main():
    # A real connection to the web server, held open, gives a tracked 4-tuple.
    conn = socket.create_connection((WEB, 80), timeout=20)
    lport = conn.getsockname()[1]
    out_of_window = random.randrange(1 << 31, 1 << 32)
    frames = [
        # 40001: a SYN-ACK nobody asked for
        frame(IP(src=CLIENT, dst=WEB, id=40001) / TCP(sport=40001, dport=80, flags="SA")),
        # 40002: a segment of the open connection, far outside its window
        frame(IP(src=CLIENT, dst=WEB, id=40002)
              / TCP(sport=lport, dport=80, flags="A", seq=out_of_window,
                    ack=random.randrange(1 << 32)) / Raw(b"OUTOFWINDOW")),
        # 40003: a bad IPv4 header checksum
        frame(IP(src=CLIENT, dst=DNS, id=40003, chksum=0x1234) / UDP(sport=40003, dport=53)),
        # 40004: a first fragment too short to hold the TCP ports and flags
        frame(IP(src=CLIENT, dst=WEB, id=40004, flags="MF", proto=6) / Raw(b"\x9c\x44")),
        # 40005: an inside address arriving from outside
        frame(IP(src="10.0.0.66", dst=WEB, id=40005) / TCP(sport=40005, dport=80, flags="S")),
        # 40006: a header claiming more bytes than the frame holds
        frame(IP(src=CLIENT, dst=DNS, id=40006, len=400) / UDP(sport=40006, dport=53)),
        # 40007: an ICMP echo from outside
        frame(IP(src=CLIENT, dst=WEB, id=40007, proto=1) / Raw(b"\x08\x00\xf7\xff\x00\x00\x00\x00")),
    ]
    for f in frames:
        sendp(f, iface=iface)
    sendp(frame(IP(src=CLIENT, dst=WEB, id=40100) / TCP(sport=40100, dport=80, flags="S")),
          iface=iface)
    conn.close()
    print("hostile: sent %d frames and the control" % len(frames))


if __name__ == "__main__":
    main()

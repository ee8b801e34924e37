"""DNS wire format for the tests: building queries and decoding responses (stdlib only)."""
import socket
import struct

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "HINFO": 13, "PTR": 12, "MX": 15, "TXT": 16,
         "AAAA": 28, "SRV": 33, "NAPTR": 35, "OPT": 41, "DS": 43, "ANY": 255, "CAA": 257}
# Types whose rdata holds names that may be compressed (RFC 3597 4) or not (SRV).
NAME_LAYOUT = {2: (0, 1), 5: (0, 1), 12: (0, 1), 15: (2, 1), 6: (0, 2), 33: (6, 1)}


def encode_name(name):
    out = b""
    for label in [l for l in name.rstrip(".").split(".") if l]:
        raw = label.encode("latin-1")
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def build_query(qid, name, qtype, qclass=1, rd=False, cd=False, edns=None, do=False, version=0,
                opcode=0):
    flags = (opcode << 11) | (0x100 if rd else 0) | (0x10 if cd else 0)
    arcount = 1 if edns is not None else 0
    msg = struct.pack("!HHHHHH", qid, flags, 1, 0, 0, arcount)
    msg += encode_name(name) + struct.pack("!HH", qtype, qclass)
    if edns is not None:
        msg += b"\0" + struct.pack("!HHBBHH", 41, edns, 0, version, 0x8000 if do else 0, 0)
    return msg


def read_name(msg, pos, depth=0):
    labels = []
    jumped_end = None
    hops = 0
    while True:
        n = msg[pos]
        if n & 0xC0 == 0xC0:
            if hops > 64:
                raise ValueError("pointer loop")
            hops += 1
            target = ((n & 0x3F) << 8) | msg[pos + 1]
            if jumped_end is None:
                jumped_end = pos + 2
            pos = target
            continue
        if n == 0:
            pos += 1
            break
        labels.append(msg[pos + 1:pos + 1 + n].decode("latin-1"))
        pos += 1 + n
    return ".".join(labels) + ".", (jumped_end if jumped_end is not None else pos)


def decode_rdata(msg, rtype, start, length):
    if rtype in NAME_LAYOUT:
        fixed, names = NAME_LAYOUT[rtype]
        parts = [msg[start:start + fixed].hex()]
        pos = start + fixed
        for _ in range(names):
            name, pos = read_name(msg, pos)
            parts.append(name.lower())
        parts.append(msg[pos:start + length].hex())
        return " ".join(p for p in parts if p)
    return msg[start:start + length].hex()


def decode(msg):
    """Returns a dict: id, flags, rcode, question, answer, authority, additional, opt."""
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
    pos = 12
    question = []
    for _ in range(qd):
        name, pos = read_name(msg, pos)
        qtype, qclass = struct.unpack("!HH", msg[pos:pos + 4])
        pos += 4
        question.append((name, qtype, qclass))
    sections = []
    opt = None
    for count in (an, ns, ar):
        records = []
        for _ in range(count):
            name, pos = read_name(msg, pos)
            rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", msg[pos:pos + 10])
            pos += 10
            if rtype == 41:
                opt = {"size": rclass, "ext_rcode": ttl >> 24, "version": (ttl >> 16) & 0xFF,
                       "do": bool(ttl & 0x8000), "options": msg[pos:pos + rdlen].hex()}
            else:
                records.append((name, rtype, rclass, ttl, decode_rdata(msg, rtype, pos, rdlen)))
            pos += rdlen
        sections.append(records)
    rcode = (flags & 0xF) | ((opt["ext_rcode"] << 4) if opt else 0)
    return {"id": qid, "flags": flags & 0xFFF0 & ~0x7800, "opcode": (flags >> 11) & 0xF,
            "rcode": rcode, "question": question, "answer": sections[0],
            "authority": sections[1], "additional": sections[2], "opt": opt, "size": len(msg)}


def udp_exchange(server, query, timeout=2.0):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(query, server)
        return s.recv(65535)


class TcpChannel:
    """One TCP connection carrying many queries (RFC 7766 6.2.1)."""

    def __init__(self, server, timeout=5.0):
        self.server = server
        self.timeout = timeout
        self.sock = None

    def _connect(self):
        self.sock = socket.create_connection(self.server, timeout=self.timeout)

    def _recv_exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def exchange(self, query):
        for attempt in range(2):
            try:
                if self.sock is None:
                    self._connect()
                self.sock.sendall(struct.pack("!H", len(query)) + query)
                length = struct.unpack("!H", self._recv_exact(2))[0]
                return self._recv_exact(length)
            except (ConnectionError, OSError):
                self.close()
                if attempt:
                    raise

    def close(self):
        if self.sock:
            self.sock.close()
        self.sock = None

#!/usr/bin/python3
"""Differential test: the same generated queries to Atoll's dns and to Knot (or NSD) serving the
same zones, compared section by section. Every difference must be fixed or match an entry of the
allow-list below (documented with its RFC reason in docs/dns.md).

  differential.py --dns build/dns/dns.linux [--peer knot|nsd] [--count N] [--seed S] ZONEFILE...
  differential.py --target 10.0.5.2:53 [--udp-only] ...   compare a running server (the unikernel)

The peer and the local dns run as this script's own processes on 127.0.0.x ports.
"""
import argparse
import collections
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dnswire  # noqa: E402

QTYPES = ["A", "NS", "CNAME", "SOA", "PTR", "MX", "TXT", "AAAA", "SRV", "CAA", "ANY", "DS",
          "HINFO", "NAPTR", 65400, 4242]
EDNS_CHOICES = [None, None, 512, 1232, 1232, 4096, 700, 65535]

# The allow-list: (name, predicate(query, ours, peer), reason). Keep docs/dns.md in step.
ALLOWED = [
    ("badvers-question",
     lambda q, a, b: q["version"] > 0 and a["rcode"] == b["rcode"] == 16,
     "RFC 6891 6.1.3: a BADVERS response carries the OPT; whether the question is echoed is "
     "not specified (Knot omits it, Atoll echoes it)"),
    ("cd-bit",
     lambda q, a, b: q["cd"] and (a["flags"] ^ b["flags"]) == 0x10 and a["rcode"] == b["rcode"]
     and a["answer"] == b["answer"] and a["authority"] == b["authority"]
     and a["additional"] == b["additional"],
     "RFC 4035 3.1.6: the CD bit is copied from the query to the response (Knot clears it)"),
    ("name-case-outside-answer",
     lambda q, a, b: case_folded(a) == case_folded(b),
     "RFC 4343: names compare case-insensitively; outside the answer section, a compressed "
     "owner may point to the question's spelling or to a lowercase copy of the same name"),
]


def case_folded(r):
    """The response with every name outside the question and answer in lowercase, CD ignored."""
    folded = dict(r)
    del folded["size"]
    folded["flags"] = r["flags"] & ~0x10
    for section in ("authority", "additional"):
        folded[section] = sorted((rec[0].lower(),) + tuple(rec[1:]) for rec in r[section])
    return folded


def zone_names(path):
    """Owner names of a master file (enough of the syntax for the test zones)."""
    origin, names, last = None, set(), None
    with open(path) as f:
        depth = 0
        for line in f:
            text = line.split(";")[0].rstrip("\n")
            if depth == 0 and text.strip():
                if text.startswith("$ORIGIN"):
                    origin = text.split()[1]
                elif text.startswith("$"):
                    pass
                elif not text[0].isspace():
                    owner = text.split()[0]
                    if owner == "@":
                        owner = origin
                    elif not owner.endswith("."):
                        owner = owner + "." + origin
                    if origin is None:
                        origin = owner
                    names.add(owner)
            depth += text.count("(") - text.count(")")
    return origin, sorted(names)


def random_case(name, rng):
    return "".join(c.upper() if rng.random() < 0.5 else c for c in name)


def generate(zones, count, seed):
    rng = random.Random(seed)
    origins = [o for o, _ in zones]
    names = [n for _, ns in zones for n in ns]
    queries = []
    for i in range(count):
        kind = rng.random()
        base = rng.choice(names)
        if kind < 0.45:
            name = base
        elif kind < 0.6:
            name = "x%d.%s" % (rng.randrange(100), base)  # below a name: NXDOMAIN or wildcard
        elif kind < 0.7:
            name = "%s.%s" % (rng.choice(["*", "a.b", "zz", "deep"]), rng.choice(origins))
        elif kind < 0.78:
            name = "nx%d.%s" % (rng.randrange(1000), rng.choice(origins))
        elif kind < 0.82:
            name = rng.choice(["example.com.", ".", "test.", "other.invalid.", "arpa."])
        elif kind < 0.88:
            # An empty non-terminal: a suffix of a deeper name.
            labels = base.split(".")
            name = ".".join(labels[rng.randrange(len(labels) - 1):]) or "."
        else:
            name = "h%d.x.w.diff.test." % rng.randrange(50)
        if rng.random() < 0.3:
            name = random_case(name, rng)
        qtype = rng.choice(QTYPES)
        qtype = dnswire.TYPES[qtype] if isinstance(qtype, str) else qtype
        edns = rng.choice(EDNS_CHOICES)
        query = {"id": i & 0xFFFF, "name": name, "qtype": qtype, "edns": edns,
                 "do": edns is not None and rng.random() < 0.3,
                 "version": 1 if edns is not None and rng.random() < 0.02 else 0,
                 "rd": rng.random() < 0.5, "cd": rng.random() < 0.1,
                 "tcp": rng.random() < 0.3}
        queries.append(query)
    return queries


def normalise(response):
    r = dict(response)
    for section in ("answer", "authority", "additional"):
        r[section] = sorted(r[section])
    return r


def differences(a, b):
    out = []
    for key in ("rcode", "flags", "opcode", "question", "answer", "authority", "additional"):
        if a[key] != b[key]:
            out.append(key)
    ao, bo = a["opt"], b["opt"]
    if (ao is None) != (bo is None):
        out.append("opt")
    elif ao and (ao["size"], ao["version"], ao["do"]) != (bo["size"], bo["version"], bo["do"]):
        out.append("opt")
    return out


def free_port(host):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u, \
            socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
        u.bind((host, 0))
        port = u.getsockname()[1]
        t.bind((host, port))
        return port


def wait_ready(server, deadline):
    query = dnswire.build_query(1, "ready.invalid.", 1)
    while time.time() < deadline:
        try:
            dnswire.udp_exchange(server, query, timeout=0.5)
            return True
        except OSError:
            time.sleep(0.1)
    return False


def start_knot(work, host, port, zones):
    conf = os.path.join(work, "knot.conf")
    with open(conf, "w") as f:
        f.write("server:\n    listen: %s@%d\n    rundir: %s\n    udp-workers: 1\n"
                "    tcp-workers: 1\n    background-workers: 1\n" % (host, port, work))
        if os.getuid() == 0:
            f.write("    user: root:root\n")
        f.write("database:\n    storage: %s\nlog:\n  - target: stderr\n    any: error\n"
                "template:\n  - id: default\n    semantic-checks: off\n    zonefile-sync: -1\n"
                "    journal-content: none\nzone:\n" % work)
        for origin, path in zones:
            f.write("  - domain: %s\n    file: %s\n" % (origin, os.path.abspath(path)))
    return subprocess.Popen(["knotd", "-c", conf], stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(work, "knot.log"), "w"))


def start_nsd(work, host, port, zones):
    conf = os.path.join(work, "nsd.conf")
    with open(conf, "w") as f:
        f.write('server:\n    ip-address: %s@%d\n    server-count: 1\n    username: ""\n'
                '    chroot: ""\n    database: ""\n    zonelistfile: "%s/zone.list"\n'
                '    pidfile: "%s/nsd.pid"\n    xfrdfile: "%s/xfrd.state"\n    xfrdir: "%s"\n'
                '    hide-version: yes\n    minimal-responses: no\n    rrl-ratelimit: 0\n'
                # $INCLUDE names are relative to the zone's folder, as for Atoll's dns.
                '    zonesdir: "%s"\n'
                "remote-control:\n    control-enable: no\n" % ((host, port) + (work,) * 4 + (
                    os.path.dirname(os.path.abspath(zones[0][1])),)))
        for origin, path in zones:
            f.write("zone:\n    name: %s\n    zonefile: %s\n" % (origin, os.path.abspath(path)))
    return subprocess.Popen(["nsd", "-d", "-c", conf], stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(work, "nsd.log"), "w"))


def exchange(server, channel, query):
    wire = dnswire.build_query(query["id"], query["name"], query["qtype"], rd=query["rd"],
                               cd=query["cd"], edns=query["edns"], do=query["do"],
                               version=query["version"])
    for attempt in range(3):
        try:
            if query["tcp"]:
                return dnswire.decode(channel.exchange(wire))
            return dnswire.decode(dnswire.udp_exchange(server, wire, timeout=1.0 + attempt))
        except socket.timeout:
            continue
    raise RuntimeError("no answer from %s:%d to %s" % (server[0], server[1], query))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("zones", nargs="+")
    ap.add_argument("--dns", help="the dns Linux binary to start")
    ap.add_argument("--target", help="HOST:PORT of a dns already running")
    ap.add_argument("--peer", choices=["knot", "nsd"], default="knot")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--udp-only", action="store_true", help="no TCP (a kernel without TCP)")
    ap.add_argument("--show", type=int, default=5, help="differences to print in full")
    args = ap.parse_args()
    zones = [zone_names(z) for z in args.zones]
    work = tempfile.mkdtemp(prefix="dns-diff-")
    procs = []
    try:
        host = "127.0.0.%d" % (10 + os.getpid() % 200)
        peer_port = free_port(host)
        start = start_knot if args.peer == "knot" else start_nsd
        procs.append(start(work, host, peer_port, [(o, z) for (o, _), z in zip(zones, args.zones)]))
        peer = (host, peer_port)
        if args.target:
            h, p = args.target.rsplit(":", 1)
            ours = (h, int(p))
        else:
            port = free_port(host)
            procs.append(subprocess.Popen([args.dns, "-a", host, "-p", str(port)] + args.zones,
                                          stdout=subprocess.DEVNULL))
            ours = (host, port)
        deadline = time.time() + 60
        for server in (peer, ours):
            if not wait_ready(server, deadline):
                print("differential: %s:%d never answered" % server)
                return 2
        queries = generate(zones, args.count, args.seed)
        if args.udp_only:
            for q in queries:
                q["tcp"] = False
        channels = {peer: dnswire.TcpChannel(peer), ours: dnswire.TcpChannel(ours)}
        allowed = collections.Counter()
        unexplained = []
        counts = collections.Counter()
        for q in queries:
            a = normalise(exchange(ours, channels[ours], q))
            b = normalise(exchange(peer, channels[peer], q))
            counts["tcp" if q["tcp"] else "udp"] += 1
            counts["rcode%d" % a["rcode"]] += 1
            if a["flags"] & 0x200:
                counts["tc"] += 1
            diff = differences(a, b)
            if not diff:
                continue
            for name, predicate, _ in ALLOWED:
                if predicate(q, a, b):
                    allowed[name] += 1
                    break
            else:
                unexplained.append((q, diff, a, b))
        for c in channels.values():
            c.close()
        print("differential: %d queries (%d udp, %d tcp) against %s: %d identical, %d allowed "
              "differences, %d unexplained" % (
                  len(queries), counts["udp"], counts["tcp"], args.peer,
                  len(queries) - sum(allowed.values()) - len(unexplained), sum(allowed.values()),
                  len(unexplained)))
        print("differential: rcodes %s, truncated %d" % (
            ", ".join("%s=%d" % (k[5:], v) for k, v in sorted(counts.items())
                      if k.startswith("rcode")), counts["tc"]))
        for name, n in sorted(allowed.items()):
            print("differential: allowed %s: %d" % (name, n))
        by_kind = collections.Counter(tuple(d) for _, d, _, _ in unexplained)
        for kind, n in by_kind.most_common():
            print("differential: unexplained %s: %d" % ("+".join(kind), n))
        for q, diff, a, b in unexplained[:args.show]:
            print("--- query %s\n    differs in %s" % (q, diff))
            for key in diff:
                print("    ours %s: %s\n    peer %s: %s" % (key, a.get(key), key, b.get(key)))
        return 1 if unexplained else 0
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

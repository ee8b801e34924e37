#!/usr/bin/python3
"""Writes the dnsperf query file for bench/dns.sh from the shipped zones (deterministic):
every owner name with each common type (answers, NODATA, CNAME chains, referrals), plus names
that do not exist (NXDOMAIN) and names a wildcard answers, in a fixed shuffled order.

  bench/dns-queries.py apps/dns/rootfs/zones/poc.test.zone ... > bench/dns-queries.txt
"""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e",
                                "dns"))
from differential import zone_names  # noqa: E402

TYPES = ["A", "A", "A", "AAAA", "MX", "TXT", "NS", "SOA", "PTR", "SRV"]


def main():
    rng = random.Random(53)
    lines = []
    for path in sys.argv[1:]:
        origin, names = zone_names(path)
        for name in names:
            if "*" in name:
                for i in range(4):
                    lines.append("%s %s" % (name.replace("*", "host%d" % i), "A"))
                continue
            for qtype in TYPES:
                lines.append("%s %s" % (name, qtype))
        for i in range(len(names)):
            lines.append("nx%d.%s A" % (i, origin))
    rng.shuffle(lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes the seed corpus of fuzz_route_nl (corpus/route_nl/): netlink
messages in the kernel's layout — a default route, a multipath route, a
policy rule, a NATed conntrack entry — and one cut short. Constants are the
kernel's uapi values (linux/rtnetlink.h, fib_rules.h, netfilter/nfnetlink*.h)."""
import os
import struct
import sys

NLA_F_NESTED = 0x8000


def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)


def msg(mtype, body, flags=0x2, seq=1):
    return struct.pack("=IHHII", 16 + len(body), mtype, flags, seq, 0) + body


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def route():
    rtm = struct.pack("=BBBBBBBBI", 2, 0, 0, 0, 254, 165, 0, 1, 0)
    return msg(24, rtm + attr(15, struct.pack("=I", 254)) + attr(5, ip4("10.1.0.1")) +
               attr(4, struct.pack("=I", 3)) + attr(6, struct.pack("=I", 10)))


def multipath():
    nh = b""
    for gw, oif in (("10.1.0.1", 3), ("10.2.0.1", 4)):
        a = attr(5, ip4(gw))
        nh += struct.pack("=HBBi", 8 + len(a), 0, 0, oif) + a
    rtm = struct.pack("=BBBBBBBBI", 2, 0, 0, 0, 254, 3, 0, 1, 0)
    return msg(24, rtm + attr(9, nh))


def rule():
    frh = struct.pack("=BBBBBBBBI", 2, 0, 32, 0, 0, 0, 0, 1, 0)
    return msg(32, frh + attr(2, ip4("10.1.0.2")) + attr(6, struct.pack("=I", 1000)) +
               attr(15, struct.pack("=I", 101)) + attr(21, b"\xa5") + attr(17, b"eth1\0"))


def tuple_(t, src, dst, sport, dport):
    ip = attr(1, ip4(src)) + attr(2, ip4(dst))
    proto = attr(1, b"\x06") + attr(2, struct.pack(">H", sport)) + attr(3, struct.pack(">H", dport))
    return attr(t | NLA_F_NESTED, attr(1 | NLA_F_NESTED, ip) + attr(2 | NLA_F_NESTED, proto))


def ct_entry():
    nfg = struct.pack("=BBH", 2, 0, 0)
    body = (tuple_(1, "192.168.50.2", "198.51.100.1", 40000, 80) +
            tuple_(2, "198.51.100.1", "10.0.0.1", 80, 40000) +
            attr(3, struct.pack(">I", 0x10 | 0x8)) + attr(12, struct.pack(">I", 77)))
    return msg(0x100, nfg + body)


def main(out):
    os.makedirs(out, exist_ok=True)
    cut = route()
    seeds = {
        "route": route(), "multipath": multipath(), "rule": rule(), "ct_entry": ct_entry(),
        "stream": route() + rule() + ct_entry(),
        # nlmsg_len not a multiple of 4 and the last attribute cut (issue 13's shape)
        "cut": struct.pack("=I", len(cut) - 3) + cut[4:-3],
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                             "corpus", "route_nl"))

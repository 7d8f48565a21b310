#!/usr/bin/python3
"""impaird — delay, jitter and loss for one ISP namespace of the lab, without netem.

The kernel here has no netem, so the ISP namespace queues its FORWARD traffic to user space
(`iptables -j NFQUEUE --queue-num N --queue-bypass`, installed by impair.sh only while an
impairment is set) and this program gives every packet its verdict: NF_DROP for a lost
packet, NF_ACCEPT for the others once their delay has passed (a timer heap). It speaks the
nfnetlink_queue protocol over a raw NETLINK_NETFILTER socket: standard library only.

Semantics (all values are for the ROUND TRIP, so they read like the replay vocabulary):
  delay MS    mean added round-trip time; split evenly over the two directions
              (delaydir=both, default) or put on one direction (delaydir=up|down)
  jitter MS   standard deviation of the added round-trip time (normal distribution); each
              direction gets jitter/sqrt(2) so the round trip has `jitter`; a packet's delay
              is never below 0, and packets are not reordered within a direction
              (reorder=1 allows it: then each packet's delay is independent)
  loss PCT    loss probability, applied once per round trip: on the downstream direction
              (inet -> router, lossdir=down, default), or up, or both (which doubles it)
  burst N     Gilbert-Elliott loss with mean burst length N (N <= 1: independent losses);
              the long-run loss rate stays `loss`
Parameters come from a key=value file (--conf), re-read on SIGHUP; after applying them the
daemon writes --state (JSON with the conf's `gen`, the parameters and packet counters), so
impair.sh knows when a change has taken effect. Counters (packets, drops, mean added
delay per direction) count from the last change and are refreshed every second.
"""
import argparse
import json
import math
import os
import random
import select
import signal
import socket
import struct
import sys
import time
from heapq import heappop, heappush

NETLINK_NETFILTER = 12
SOL_NETLINK = 270
NETLINK_NO_ENOBUFS = 5
SO_RCVBUFFORCE = 33
NLMSG_ERROR = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_VERDICT = 1
NFQNL_MSG_CONFIG = 2
NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2
NFQA_IFINDEX_INDEV = 5
NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_CFG_QUEUE_MAXLEN = 3
NFQA_CFG_MASK = 4
NFQA_CFG_FLAGS = 5
NFQA_CFG_F_GSO = 1 << 2
NFQNL_CFG_CMD_BIND = 1
NFQNL_CFG_CMD_UNBIND = 2
NFQNL_COPY_PACKET = 2
NF_DROP = 0
NF_ACCEPT = 1

UP, DOWN = 0, 1          # router -> inet, inet -> router
DIRS = ("up", "down")


def nla(atype, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, atype) + payload + b"\0" * (-length % 4)


class NfQueue:
    """One bound nfnetlink_queue instance."""

    def __init__(self, num, copy_range=128, maxlen=20000):
        self.num = num
        self.seq = 0
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        self.sock.bind((0, 0))
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_NO_ENOBUFS, 1)
        self.config(nla(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_BIND, 0, 0)))
        self.config(nla(NFQA_CFG_PARAMS, struct.pack("!IB", copy_range, NFQNL_COPY_PACKET))
                    + nla(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", maxlen))
                    + nla(NFQA_CFG_MASK, struct.pack("!I", NFQA_CFG_F_GSO))
                    + nla(NFQA_CFG_FLAGS, struct.pack("!I", NFQA_CFG_F_GSO)))
        self.sock.setblocking(False)
        self.verdict_hdr = struct.pack("=HH", (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_VERDICT,
                                       NLM_F_REQUEST)

    def message(self, mtype, payload, flags=NLM_F_REQUEST):
        self.seq += 1
        body = struct.pack("!BBH", socket.AF_UNSPEC, 0, self.num) + payload
        return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | mtype,
                           flags, self.seq, 0) + body

    def config(self, attrs):
        """Send a config message and wait for the kernel's acknowledgement."""
        self.sock.send(self.message(NFQNL_MSG_CONFIG, attrs, NLM_F_REQUEST | NLM_F_ACK))
        while True:
            data = self.sock.recv(65536)
            off = 0
            while off + 16 <= len(data):
                mlen, mtype, _fl, mseq, _pid = struct.unpack_from("=IHHII", data, off)
                if mtype == NLMSG_ERROR and mseq == self.seq:
                    (err,) = struct.unpack_from("=i", data, off + 16)
                    if err:
                        raise OSError(-err, "nfqueue config: " + os.strerror(-err))
                    return
                off += (mlen + 3) & ~3

    def verdict(self, packet_id, verdict):
        """One verdict message (bytes); several can be sent in one write."""
        self.seq += 1
        return (struct.pack("=I", 32) + self.verdict_hdr
                + struct.pack("=II", self.seq, 0)
                + struct.pack("!BBH", socket.AF_UNSPEC, 0, self.num)
                + struct.pack("=HH", 12, NFQA_VERDICT_HDR) + struct.pack("!II", verdict, packet_id))

    def send(self, buf):
        view = memoryview(buf)
        while view:
            chunk = view[:32 * 2000]
            try:
                self.sock.send(chunk)
            except BlockingIOError:
                select.select([], [self.sock], [], 0.01)
                continue
            view = view[len(chunk):]

    def packets(self, limit=512):
        """Yield (packet_id, indev) for the packets waiting on the socket."""
        packet_type = (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET
        for _ in range(limit):
            try:
                data = self.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            off = 0
            while off + 20 <= len(data):
                mlen, mtype = struct.unpack_from("=IH", data, off)
                if mlen < 16:
                    break
                if mtype == packet_type:
                    pid, indev = None, 0
                    p, end = off + 20, off + mlen
                    while p + 4 <= end:
                        alen, atype = struct.unpack_from("=HH", data, p)
                        if alen < 4:
                            break
                        atype &= 0x3FFF
                        if atype == NFQA_PACKET_HDR:
                            (pid,) = struct.unpack_from("!I", data, p + 4)
                        elif atype == NFQA_IFINDEX_INDEV:
                            (indev,) = struct.unpack_from("!I", data, p + 4)
                        p += (alen + 3) & ~3
                    if pid is not None:
                        yield pid, indev
                off += (mlen + 3) & ~3

    def close(self):
        try:
            self.sock.setblocking(True)
            self.config(nla(NFQA_CFG_CMD, struct.pack("!BBH", NFQNL_CFG_CMD_UNBIND, 0, 0)))
        except OSError:
            pass
        self.sock.close()


DEFAULTS = {"gen": 0, "delay": 0.0, "jitter": 0.0, "loss": 0.0, "burst": 0.0,
            "lossdir": "down", "delaydir": "both", "reorder": 0, "seed": None}


def read_conf(path):
    params = dict(DEFAULTS)
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return params
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, val = (s.strip() for s in line.split("=", 1))
        if key not in DEFAULTS:
            continue
        if key in ("lossdir", "delaydir"):
            if val in ("up", "down", "both"):
                params[key] = val
        elif key in ("gen", "reorder", "seed"):
            params[key] = int(val) if val not in ("", "none") else DEFAULTS[key]
        else:
            params[key] = max(0.0, float(val))
    return params


class Impairment:
    def __init__(self, params):
        self.bad = [False, False]           # Gilbert-Elliott state per direction
        self.last_release = [0.0, 0.0]      # FIFO per direction
        self.set(params)

    def set(self, p):
        self.p = p
        if p["seed"] is not None:
            random.seed(p["seed"])
        split = {"both": (0.5, 0.5), "up": (1.0, 0.0), "down": (0.0, 1.0)}[p["delaydir"]]
        # mean and standard deviation of the one-way delay, in seconds
        self.mean = [p["delay"] / 1000.0 * s for s in split]
        self.sigma = [p["jitter"] / 1000.0 * math.sqrt(s) for s in split]
        prob = min(p["loss"], 100.0) / 100.0
        self.loss_dirs = {"down": (DOWN,), "up": (UP,), "both": (UP, DOWN)}[p["lossdir"]]
        self.loss = prob
        if p["burst"] > 1 and 0 < prob < 1:
            self.r = 1.0 / p["burst"]                       # bad -> good
            self.pgb = min(1.0, prob * self.r / (1 - prob))  # good -> bad
        else:
            self.r = None
        self.active = bool(prob > 0 or any(self.mean) or any(self.sigma))

    def lost(self, d):
        if self.loss <= 0 or d not in self.loss_dirs:
            return False
        if self.loss >= 1:
            return True
        if self.r is None:
            return random.random() < self.loss
        if self.bad[d]:
            if random.random() < self.r:
                self.bad[d] = False
        elif random.random() < self.pgb:
            self.bad[d] = True
        return self.bad[d]

    def release_time(self, d, now):
        delay = self.mean[d]
        if self.sigma[d] > 0:
            delay = max(0.0, random.gauss(delay, self.sigma[d]))
        t = now + delay
        if not self.p["reorder"]:
            if t < self.last_release[d]:
                t = self.last_release[d]
            self.last_release[d] = t
        return t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--queue", type=int, required=True)
    ap.add_argument("--conf", required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--pidfile")
    ap.add_argument("--up-if", default="cpe",
                    help="interface facing the router: packets entering here go upstream")
    args = ap.parse_args()

    up_ifindex = socket.if_nametoindex(args.up_if)
    try:  # wake up on time: 1 us timer slack instead of the default 50 us
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(29, 1000, 0, 0, 0)  # PR_SET_TIMERSLACK
    except (OSError, AttributeError):
        pass
    imp = Impairment(read_conf(args.conf))
    q = NfQueue(args.queue)
    if args.pidfile:
        with open(args.pidfile + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(args.pidfile + ".tmp", args.pidfile)

    flags = {"hup": False, "stop": False}
    rsig, wsig = socket.socketpair()
    rsig.setblocking(False)
    wsig.setblocking(False)
    signal.set_wakeup_fd(wsig.fileno())
    signal.signal(signal.SIGHUP, lambda *_: flags.__setitem__("hup", True))
    signal.signal(signal.SIGTERM, lambda *_: flags.__setitem__("stop", True))
    signal.signal(signal.SIGINT, lambda *_: flags.__setitem__("stop", True))

    stats = {d: {"packets": 0, "dropped": 0, "delay_ms_sum": 0.0} for d in DIRS}
    heap = []
    seq = 0
    started = time.monotonic()

    def write_state():
        summary = {d: {"packets": s["packets"], "dropped": s["dropped"],
                       "mean_delay_ms": round(s["delay_ms_sum"] / max(1, s["packets"] - s["dropped"]), 3)}
                   for d, s in stats.items()}
        state = {"gen": imp.p["gen"], "pid": os.getpid(), "queue": args.queue,
                 "params": {k: v for k, v in imp.p.items() if k != "gen"},
                 "pending": len(heap), "uptime_s": round(time.monotonic() - started, 3),
                 "stats": summary,
                 "summary": " ".join("%s %d pkts %d lost %.2f ms" % (d, s["packets"], s["dropped"], s["mean_delay_ms"])
                                     for d, s in summary.items())}
        tmp = args.state + ".tmp"
        with open(tmp, "w") as f:
            json.dump(state, f)
            f.write("\n")
        os.rename(tmp, args.state)

    def log(msg):
        print("%s impaird[q%d]: %s" % (time.strftime("%H:%M:%S"), args.queue, msg),
              file=sys.stderr, flush=True)

    write_state()
    log("bound, up-if %s (%d), params %s" % (args.up_if, up_ifindex, imp.p))
    next_state = time.monotonic() + 1.0
    dirty = False
    while not flags["stop"]:
        now = time.monotonic()
        timeout = next_state - now
        if heap:
            timeout = min(timeout, heap[0][0] - now)
        try:
            ready, _, _ = select.select([q.sock, rsig], [], [], max(0.0, timeout))
        except InterruptedError:
            ready = []
        if rsig in ready:
            try:
                while rsig.recv(64):
                    pass
            except BlockingIOError:
                pass
        if flags["hup"]:
            flags["hup"] = False
            try:
                imp.set(read_conf(args.conf))
                log("params %s" % imp.p)
                for st in stats.values():       # counters describe the current setting
                    st.update(packets=0, dropped=0, delay_ms_sum=0.0)
            except (OSError, ValueError) as e:
                log("bad conf, keeping old params: %s" % e)
            write_state()
        out = []
        if q.sock in ready:
            now = time.monotonic()
            for pid, indev in q.packets():
                d = UP if indev == up_ifindex else DOWN
                st = stats[DIRS[d]]
                st["packets"] += 1
                dirty = True
                if imp.lost(d):
                    st["dropped"] += 1
                    out.append(q.verdict(pid, NF_DROP))
                    continue
                t = imp.release_time(d, now) if imp.active else now
                st["delay_ms_sum"] += (t - now) * 1000.0
                seq += 1
                heappush(heap, (t, seq, pid))
        now = time.monotonic()
        while heap and heap[0][0] <= now:
            out.append(q.verdict(heappop(heap)[2], NF_ACCEPT))
        if out:
            q.send(b"".join(out))
        if now >= next_state:
            next_state = now + 1.0
            if dirty:
                write_state()
                dirty = False
    # let everything still held go through, then unbind
    if heap:
        q.send(b"".join(q.verdict(pid, NF_ACCEPT) for _, _, pid in heap))
        heap.clear()
    q.close()
    log("stopped")


if __name__ == "__main__":
    main()

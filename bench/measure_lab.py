#!/usr/bin/python3
"""Measurement benchmarks on the real daemon in the lab (root). Prints JSON:
- blackhole_to_down: blackhole of the active member -> `down` event, ms
- carrier_cut_to_event: ISP-side carrier cut -> `no carrier` event, ms
- cpu_us_per_probe, rss_kb: 4 members x 3 targets at default settings
- metered_standby_bytes_per_day: measured probe traffic of a metered standby
With --detect, only the detection matrix instead: for every backend (netlink,
none = observe) and number of targets on the blackholed member, a fresh daemon
per trial (wan, sl, lte; wan active) and, from the blackhole of wan's ISP:
- down_ms: wan's `down` state event
- decision_ms: the decision that moved traffic off wan
- route_ms: the default route moved (netlink only)
- state_after_decision: trials in which the decision came before `down`
usage: bench/measure_lab.py [--trials N] [--cpu-seconds N] [--build DIR]
       bench/measure_lab.py --detect [--trials N] [--targets 1,2,3]
                            [--backends netlink,none] [--delay MS] [--build DIR]"""
import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PREFIX = f"ml{os.getpid() % 100000}"
ENV = dict(os.environ, LAB_PREFIX=PREFIX)
V4 = ["198.51.100.1", "198.51.100.2", "203.0.113.1"]


def sh(*a):
    return subprocess.run(a, check=True, capture_output=True, text=True, env=ENV)


def ns(name):
    return f"{PREFIX}-{name}"


def member(name, dev, prio, metered=False):
    t = "".join(f"\tlist target '{x}'\n" for x in V4)
    return (f"config member '{name}'\n\toption device '{dev}'\n\toption priority '{prio}'\n"
            + ("\toption metered '1'\n" if metered else "") + t)


class Daemon:
    def __init__(self, build, tmp, conf, header=True):
        self.build, self.sock = build, os.path.join(tmp, "s.sock")
        path = os.path.join(tmp, "a.conf")
        head = "config autonomy 'main'\n\toption backend 'none'\n" if header else ""
        open(path, "w").write(head + conf.replace(
            "config autonomy 'main'\n",
            f"config autonomy 'main'\n\toption state_dir '{tmp}/state'\n"))
        self.log = open(os.path.join(tmp, "d.log"), "w")
        self.p = subprocess.Popen(["ip", "netns", "exec", ns("router"),
                                   os.path.join(build, "autonomyd"), "-f", "-c", path,
                                   "-s", self.sock, "-p", os.path.join(tmp, "p.pid")],
                                  stdout=self.log, stderr=self.log)
        self.events, self.stop = [], threading.Event()
        for _ in range(100):
            if os.path.exists(self.sock):
                break
            time.sleep(0.05)

    def start_follow(self):
        """Subscribes to monitor events (after the CPU phase: a monitor client
        makes the daemon build a member snapshot every second)."""
        threading.Thread(target=self.follow, daemon=True).start()
        time.sleep(0.5)

    def follow(self):
        s = socket.socket(socket.AF_UNIX)
        s.connect(self.sock)
        s.sendall(b'{"cmd":"monitor","args":{"continuous":true}}\n')
        buf = b""
        s.settimeout(0.2)
        while not self.stop.is_set():
            try:
                c = s.recv(65536)
            except socket.timeout:
                continue
            if not c:
                return
            buf += c
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                self.events.append(json.loads(line))

    def members(self):
        r = subprocess.run([os.path.join(self.build, "autonomyctl"), "-s", self.sock,
                            "--json", "members"], capture_output=True, text=True)
        return {m["name"]: m for m in json.loads(r.stdout)}

    def health(self):
        r = subprocess.run([os.path.join(self.build, "autonomyctl"), "-s", self.sock,
                            "--json", "health"], capture_output=True, text=True)
        return json.loads(r.stdout)

    def wait_event(self, since, pred, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            for e in self.events[since:]:
                if pred(e):
                    return e
            time.sleep(0.005)
        return None

    def wait_state(self, name, state, active=None, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            m = self.members()[name]
            if m["state"] == state and (active is None or m["active"] == active):
                return True
            time.sleep(0.1)
        return False

    def close(self):
        self.stop.set()
        self.p.terminate()
        self.p.wait()


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def summary(v):
    return {"n": len(v), "median_ms": round(statistics.median(v), 1),
            "p95_ms": round(pct(v, 95), 1), "max_ms": round(max(v), 1)}


def trial(d, name, act, undo, pred):
    n = len(d.events)
    time.sleep(random.uniform(0.5, 1.5))
    t0 = time.time()
    act()
    e = d.wait_event(n, pred)
    undo()
    return None if e is None else (e["ts"] - t0) * 1000


def blackhole_trials(d, trials):
    isp = ns("isp-wan")
    r = json.loads(sh("ip", "-n", isp, "-j", "route", "show", "default").stdout)[0]
    gw, dev = r["gateway"], r["dev"]
    out = []
    for _ in range(trials):
        if not d.wait_state("wan", "up", active=True):
            break
        dt = trial(d, "wan",
                   lambda: sh("ip", "-n", isp, "route", "replace", "blackhole", "default"),
                   lambda: sh("ip", "-n", isp, "route", "replace", "default", "via", gw, "dev", dev),
                   lambda e: e.get("member") == "wan" and e.get("text", "").startswith("wan: down"))
        if dt is not None:
            out.append(dt)
    return out


def cut_trials(d, trials):
    isp = ns("isp-sl")
    out = []
    for _ in range(trials):
        if not d.wait_state("sl", "up"):
            break
        dt = trial(d, "sl", lambda: sh("ip", "-n", isp, "link", "set", "cpe", "down"),
                   lambda: sh("ip", "-n", isp, "link", "set", "cpe", "up"),
                   lambda e: e.get("member") == "sl" and "no carrier" in e.get("text", ""))
        if dt is not None:
            out.append(dt)
    return out


def cpu_sample(pid):
    """(on-CPU ns from schedstat: precise; user ticks, system ticks)."""
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    ns = int(open(f"/proc/{pid}/schedstat").read().split()[0])
    return ns, int(f[11]), int(f[12])


def cpu_run(d, seconds):
    pid = d.health()["pid"]
    m0 = d.members()
    (n0, u0, s0), t0 = cpu_sample(pid), time.time()
    time.sleep(seconds)
    (n1, u1, s1), t1 = cpu_sample(pid), time.time()
    m1 = d.members()
    sent = max(1, sum(m1[k]["probes"]["sent"] - m0[k]["probes"]["sent"] for k in m1))
    tick_us = 1e6 / os.sysconf("SC_CLK_TCK")
    cpu_us = (n1 - n0) / 1e3
    # In the lab the kernel forwards each probe through three namespaces in
    # the sender's own softirq context, so system time includes the simulated
    # network's work; user time is the daemon's own.
    return {"seconds": round(t1 - t0, 1), "probes": sent,
            "probes_per_s": round(sent / (t1 - t0), 2),
            "cpu_us_per_probe": round(cpu_us / sent, 1),
            "user_us_per_probe": round((u1 - u0) * tick_us / sent, 1),
            "sys_us_per_probe": round((s1 - s0) * tick_us / sent, 1),
            "cpu_pct": round(100 * cpu_us / 1e6 / (t1 - t0), 3)}


def detect_conf(backend, n_targets):
    wan = "".join(f"\tlist target '{x}'\n" for x in V4[:n_targets])
    return (f"config autonomy 'main'\n\toption backend '{backend}'\n"
            f"config member 'wan'\n\toption device 'wan'\n\toption priority '1'\n{wan}"
            f"config member 'sl'\n\toption device 'sl'\n\toption priority '2'\n"
            f"\tlist target '{V4[0]}'\n"
            f"config member 'lte'\n\toption device 'lte'\n\toption priority '3'\n"
            f"\tlist target '{V4[1]}'\n")


def detect_trial(build, backend, n_targets, blackhole, undo):
    """One fresh daemon; times from the blackhole (s), or None."""
    tmp = tempfile.mkdtemp(prefix="measure-detect-")
    d = Daemon(build, tmp, detect_conf(backend, n_targets), header=False)
    try:
        if not d.wait_state("wan", "up", active=True, timeout=15) or \
           not d.wait_state("sl", "up", timeout=15):
            return None
        d.start_follow()
        n = len(d.events)
        time.sleep(random.uniform(0.5, 1.5))
        t0 = time.time()
        blackhole()
        down = d.wait_event(n, lambda e: e.get("member") == "wan" and
                            e.get("text", "").startswith("wan: down"))
        dec = d.wait_event(n, lambda e: e.get("event") in ("switch", "restore") and
                           e.get("text", "").startswith(("switch: wan ->", "restore: wan ->")), 3)
        route = d.wait_event(n, lambda e: e.get("event") == "route" and
                             e.get("text", "").startswith("default route via"),
                             3 if backend == "netlink" else 0)
        undo()
        rel = (lambda e: None if e is None else (e["ts"] - t0) * 1000)
        # Events are recorded in the order the daemon emitted them: the index
        # tells which came first when both carry the same millisecond.
        order = (lambda e: d.events.index(e) if e is not None else None)
        return {"down": rel(down), "decision": rel(dec), "route": rel(route),
                "late_state": down is None and dec is not None or
                (down is not None and dec is not None and order(dec) < order(down))}
    finally:
        d.close()


def detect_matrix(a):
    isp = ns("isp-wan")
    r = json.loads(sh("ip", "-n", isp, "-j", "route", "show", "default").stdout)[0]
    gw, dev = r["gateway"], r["dev"]
    if a.delay:
        sh(os.path.join(ROOT, "lab/impair.sh"), "wan", "delay", str(a.delay))
    bh = (lambda: sh("ip", "-n", isp, "route", "replace", "blackhole", "default"))
    undo = (lambda: sh("ip", "-n", isp, "route", "replace", "default", "via", gw, "dev", dev))
    out = {"path_delay_ms": a.delay, "cases": []}
    for backend in a.backends.split(","):
        for k in [int(x) for x in a.targets.split(",")]:
            res = [t for t in (detect_trial(a.build, backend, k, bh, undo)
                               for _ in range(a.trials)) if t]
            case = {"backend": backend, "targets": k, "trials": len(res)}
            for key in ("down", "decision", "route"):
                v = [t[key] for t in res if t[key] is not None]
                case[key + "_ms"] = summary(v) if v else None
            case["state_after_decision"] = sum(1 for t in res if t["late_state"])
            out["cases"].append(case)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--cpu-seconds", type=int, default=120)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--detect", action="store_true")
    ap.add_argument("--targets", default="1,2,3")
    ap.add_argument("--backends", default="netlink,none")
    ap.add_argument("--delay", type=int, default=30,
                    help="RTT added to wan's path for --detect (ms)")
    a = ap.parse_args()
    sh(os.path.join(ROOT, "lab/lab.sh"), "up")
    if a.detect:
        try:
            print(json.dumps(detect_matrix(a), indent=1))
        finally:
            subprocess.run([os.path.join(ROOT, "lab/lab.sh"), "down"], env=ENV,
                           capture_output=True)
        return 0
    tmp = tempfile.mkdtemp(prefix="measure-lab-")
    conf = (member("wan", "wan", 1) + member("sl", "sl", 2) + member("lte", "lte", 3, True)
            + member("wan_b", "wan", 4))
    d = Daemon(a.build, tmp, conf)
    try:
        res = {"config": "4 members x 3 ICMP targets, default polling"}
        d.wait_state("wan", "up", active=True)
        res["cpu"] = cpu_run(d, a.cpu_seconds)
        h = d.health()
        res["rss_kb"], res["peak_rss_kb"] = h["rss_kb"], h["peak_rss_kb"]
        lte = d.members()["lte"]["probes"]
        res["metered_standby"] = {"role": lte["role"], "interval_ms": lte["interval_ms"],
                                  "bytes_per_day_expected": lte["bytes_per_day"],
                                  "bytes_per_day_measured": lte["bytes_per_day_measured"]}
        d.start_follow()
        bh = blackhole_trials(d, a.trials)
        res["blackhole_to_down"] = summary(bh) if bh else None
        cut = cut_trials(d, a.trials)
        res["carrier_cut_to_event"] = summary(cut) if cut else None
        print(json.dumps(res, indent=1))
    finally:
        d.close()
        subprocess.run([os.path.join(ROOT, "lab/lab.sh"), "down"], env=ENV, capture_output=True)


if __name__ == "__main__":
    sys.exit(main())

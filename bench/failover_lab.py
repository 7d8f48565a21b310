#!/usr/bin/python3
"""Failover on real kernel routing in the lab (root). For each trial a fresh
autonomyd owns the router's routes (so the fail-back hold of earlier trials
does not carry over); prints JSON:
- blackhole_to_route: blackhole of the active uplink -> default route moved, ms
- carrier_cut_to_route: carrier cut -> route moved, ms, from the cut and from
  the daemon's own link event
- route_change: the route backend's own time per switch (from its events)
usage: bench/failover_lab.py [--trials N] [--build DIR]"""
import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
PREFIX = f"fl{os.getpid() % 100000}"
ENV = dict(os.environ, LAB_PREFIX=PREFIX, LAB_RULES="0")
os.environ.update(ENV)
import harness  # noqa: E402  (Daemon, Monitor, wait_for)


def sh(*a):
    return subprocess.run(a, check=True, capture_output=True, text=True, env=ENV)


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def summary(v):
    if not v:
        return None
    return {"n": len(v), "median_ms": round(statistics.median(v), 2),
            "p95_ms": round(pct(v, 95), 2), "p99_ms": round(pct(v, 99), 2),
            "max_ms": round(max(v), 2)}


def trial(tmp, build, action, undo):
    harness.AUTONOMYD = os.path.join(build, "autonomyd")
    harness.AUTONOMYCTL = os.path.join(build, "autonomyctl")
    d = harness.Daemon(tmp, open(os.path.join(ROOT, "examples", "lab.conf")).read(),
                       netns=PREFIX + "-router").start()
    mon = harness.Monitor(d)
    try:
        up = harness.wait_for(lambda: all(m["state"] == "up" for m in
                                          d.ctl("members", json_out=True).data), 10)
        if not up:
            return None
        time.sleep(random.uniform(0.5, 1.5))
        n = mon.mark()
        t0 = time.time()
        action()
        route = mon.wait(lambda e: e.get("event") == "route" and
                         e.get("text", "").startswith("default route via"), 5, n)
        link = mon.matching(lambda e: e.get("event") in ("link", "state") and
                            "no carrier" in e.get("text", ""), n)
        undo()
        if not route:
            return None
        took = re.search(r"in ([0-9.]+) ms", route["text"])
        return {"from_action_ms": (route["ts"] - t0) * 1000,
                "from_link_event_ms": (route["ts"] - link[0]["ts"]) * 1000 if link else None,
                "route_change_ms": float(took.group(1)) if took else None}
    finally:
        mon.close()
        d.stop()


def wan_blackhole():
    """(blackhole, undo) of the lab's wan ISP, both families: the uplink's
    IPv6 targets must die too."""
    isp = PREFIX + "-isp-wan"
    r = json.loads(sh("ip", "-n", isp, "-j", "route", "show", "default").stdout)[0]
    gw, dev = r["gateway"], r["dev"]
    r6 = json.loads(sh("ip", "-n", isp, "-6", "-j", "route", "show", "default").stdout)[0]
    gw6 = r6["gateway"]

    def blackhole():
        sh("ip", "-n", isp, "route", "replace", "blackhole", "default")
        sh("ip", "-n", isp, "-6", "route", "replace", "blackhole", "default")

    def unblackhole():
        sh("ip", "-n", isp, "route", "replace", "default", "via", gw, "dev", dev)
        sh("ip", "-n", isp, "-6", "route", "replace", "default", "via", gw6, "dev", dev)
    return blackhole, unblackhole


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--only-blackhole", action="store_true")
    a = ap.parse_args()
    sh(os.path.join(ROOT, "lab/lab.sh"), "up")
    isp = PREFIX + "-isp-wan"
    blackhole, unblackhole = wan_blackhole()
    bh, cut, cut_ev, change = [], [], [], []
    try:
        for _ in range(a.trials):
            t = trial(tempfile.mkdtemp(), a.build, blackhole, unblackhole)
            if t:
                bh.append(t["from_action_ms"])
                change.append(t["route_change_ms"])
        for _ in range(a.trials if not a.only_blackhole else 0):
            t = trial(tempfile.mkdtemp(), a.build,
                      lambda: sh("ip", "-n", isp, "link", "set", "cpe", "down"),
                      lambda: sh("ip", "-n", isp, "link", "set", "cpe", "up"))
            if t:
                cut.append(t["from_action_ms"])
                if t["from_link_event_ms"] is not None:
                    cut_ev.append(t["from_link_event_ms"])
                change.append(t["route_change_ms"])
        print(json.dumps({"blackhole_to_route": summary(bh),
                          "carrier_cut_to_route": summary(cut),
                          "carrier_event_to_route": summary(cut_ev),
                          "route_change": summary([c for c in change if c is not None])},
                         indent=1))
    finally:
        subprocess.run([os.path.join(ROOT, "lab/lab.sh"), "down"], env=ENV, capture_output=True)


if __name__ == "__main__":
    sys.exit(main())

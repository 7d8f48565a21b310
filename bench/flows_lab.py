#!/usr/bin/python3
"""Sticky flows in the lab (root; real kernel routing, nftables, the dish
emulator). Prints JSON:
- switches: for each kind of switch (manual one-shot, fail-back, quality,
  predicted outage, blackhole, carrier cut) a fresh autonomyd (the dish
  first, the wired line second, LTE last), SESSIONS long-lived LAN sessions
  (half IPv4, half IPv6) on the member left, and: the connections the
  decision kept and flushed (`decisions`), the sessions that survived and
  their longest gap, the sessions reset and how soon after the route change
  they were, and how soon a new connection got through the new uplink;
- pps: small UDP packets from the LAN through the router (conntrack and NAT
  as on a router) to the internet namespace, which counts and drops them,
  with the flow-marking table present and absent, in alternating rounds;
  one flow (an established connection), and a new flow per packet (each
  packet is marked as a new flow): packets per second, and the CPU time per
  packet of the whole forwarding path (bench/flood.c says why that is the
  steadier figure on a shared machine); the marking's cost in ns per packet.
usage: bench/flows_lab.py [--sessions N] [--rounds N] [--seconds S] [--only switches|pps]
       [--build DIR]"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
PREFIX = f"fb{os.getpid() % 100000}"
ENV = dict(os.environ, LAB_PREFIX=PREFIX, LAB_RULES="0")
os.environ.update(ENV)
import harness  # noqa: E402  (Daemon, Monitor, wait_for)

ROUTER, LAN, INET = PREFIX + "-router", PREFIX + "-lan", PREFIX + "-inet"
V4, V6 = "198.51.100.1", "2001:db8:ffff::1"
CONF = open(os.path.join(ROOT, "examples", "demo.conf")).read().replace(
    "option failback_hold '10'", "option failback_hold '5'\n\toption switch_sustain '5'")


def sh(*a, check=True):
    return subprocess.run(a, check=check, capture_output=True, text=True, env=ENV)


def lab(*a, check=True):
    return sh(os.path.join(ROOT, "lab", a[0]), *a[1:], check=check)


def default_dev():
    out = sh("ip", "-n", ROUTER, "route", "show", "default").stdout.split()
    return out[out.index("dev") + 1] if "dev" in out else None


class Client:
    """lab/peers/lan_session.py in the LAN namespace."""

    def __init__(self, host, url):
        self.p = subprocess.Popen(["ip", "netns", "exec", LAN, "/usr/bin/python3",
                                   os.path.join(ROOT, "lab", "peers", "lan_session.py"),
                                   host, "--reconnect", url],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.p.stdout.readline().strip() != "ready":
            raise RuntimeError(f"client to {host} not ready")

    def result(self, after):
        out, _ = self.p.communicate(f"after {after}\n", timeout=30)
        return json.loads(out.strip().splitlines()[-1])


def sessions(n):
    return [Client(V4, f"http://{V4}/ip") if i % 2 == 0 else Client(V6, f"http://[{V6}]/ip")
            for i in range(n)]


class Run:
    """A fresh daemon for one switch; wait on its events."""

    def __init__(self, build, conf=CONF):
        harness.AUTONOMYD = os.path.join(build, "autonomyd")
        harness.AUTONOMYCTL = os.path.join(build, "autonomyctl")
        self.d = harness.Daemon(tempfile.mkdtemp(prefix="flows-lab-"), conf, netns=ROUTER).start()
        self.mon = harness.Monitor(self.d)

    def ready(self, active):
        ok = harness.wait_for(lambda: default_dev() == active, 15) and harness.wait_for(
            lambda: all(m["state"] == "up" for m in self.d.ctl("members", json_out=True).data), 20)
        return ok and harness.wait_for(
            lambda: self.d.ctl("status", json_out=True).data["route"]["flows"]["verified"], 5)

    def route(self, since, to, timeout=60):
        return self.mon.wait(lambda e: e.get("event") == "route" and
                             e.get("text", "").startswith("default route via " + to), timeout, since)

    def flows(self, to):
        def find():
            for d in self.d.ctl("decisions", json_out=True).data:
                if d.get("to") == to and d.get("flows") and d["flows"]["kept"] is not None:
                    return d["flows"]
            return None
        return harness.wait_for(find, 5)

    def close(self):
        self.mon.close()
        self.d.stop()


def outcome(kind, clients, route, flows):
    res = [c.result(after=10) for c in clients]
    kept = [r for r in res if not r["error"]]
    reset = [r for r in res if r["error"]]
    rst = [r["error_at"] - route["ts"] for r in reset if r.get("error_at")]
    rec = [r["reconnect_at"] - route["ts"] for r in reset if r.get("reconnect_at")]
    return {"kind": kind, "sessions": len(res), "survived": len(kept), "reset": len(reset),
            "max_gap_s": round(max((r["max_gap"] for r in kept), default=0), 3),
            "reset_after_route_s": round(max(rst), 3) if rst else None,
            "reconnected_after_route_s": round(max(rec), 3) if rec else None,
            "kept": flows["kept"] if flows else None,
            "flushed": flows["flushed"] if flows else None}


def switch_kind(build, kind, n):
    clients = []
    slow = kind == "quality"
    if slow:    # the dish is slow from the start: a quality switch, sustained long
        lab("impair.sh", "sl", "delay", "350")      # enough for the sessions to start
    r = Run(build, CONF.replace("switch_sustain '5'", "switch_sustain '20'") if slow else CONF)
    try:
        if not r.ready("sl"):
            return {"kind": kind, "error": "not ready"}
        if kind == "failback":
            m = r.mon.mark()
            r.d.ctl("failover", "--interface", "lte", check_rc=0)
            r.route(m, "lte")
        m = r.mon.mark()
        clients[:] = sessions(n)
        started = time.time()
        to = {"manual": "lte", "failback": "sat"}.get(kind, "wan")
        if kind == "manual":
            r.d.ctl("failover", "--interface", "lte", check_rc=0)
        elif kind == "predicted":
            lab("dish.sh", "ctl", json.dumps({"cmd": "patch", "status": {"software_update_stats": {
                "software_update_state": "REBOOT_REQUIRED",
                "reboot_scheduled_utc_time": int(time.time() + 15)}}}))
        elif kind == "blackhole":
            lab("impair.sh", "sl", "blackhole")
        elif kind == "carrier":
            lab("impair.sh", "sl", "cut")
        route = r.route(m, to)
        if not route or route["ts"] < started:
            return {"kind": kind, "error": "no switch" if not route else "switched too early"}
        return outcome(kind, clients, route, r.flows(to))
    finally:
        for c in clients:
            if c.p.poll() is None:
                c.p.kill()
                c.p.communicate()
        r.close()
        lab("impair.sh", "sl", "restore")
        lab("dish.sh", "ctl", json.dumps({"cmd": "patch", "status": {"software_update_stats": {
            "software_update_state": "IDLE", "reboot_scheduled_utc_time": None}}}), check=False)


# ---- pps -------------------------------------------------------------------------

SINK = """table inet flood_sink {
    chain pre {
        type filter hook prerouting priority -300; policy accept;
        udp dport 20000-59999 counter drop
    }
}"""


def sink_count():
    j = json.loads(sh("ip", "netns", "exec", INET, "nft", "-j", "list", "table", "inet",
                      "flood_sink").stdout)
    for o in j["nftables"]:
        for e in o.get("rule", {}).get("expr", []):
            if "counter" in e:
                return e["counter"]["packets"]
    return 0


def flood(binary, host, seconds, ports):
    """(pps that reached the internet namespace, CPU ns per packet sent)."""
    before = sink_count()       # (a rule's own counter is not reset by `nft reset`)
    out = json.loads(sh("ip", "netns", "exec", LAN, "taskset", "-c", "0", binary, host, "20000",
                        str(seconds), "64", str(ports)).stdout)
    return (sink_count() - before) / out["seconds"], out["cpu_ns_per_packet"]


def pps(build, rounds, seconds):
    binary = os.path.join(tempfile.mkdtemp(prefix="flood-"), "flood")
    sh(os.environ.get("CC", "gcc"), "-O2", "-Wall", "-Wextra", "-Werror", "-o", binary,
       os.path.join(HERE, "flood.c"))
    # The table as the daemon builds it: start it, let it build, kill it
    # (a crash leaves the table); then toggle the table between rounds.
    r = Run(build)
    try:
        if not r.ready("sl"):
            return {"error": "not ready"}
    finally:
        r.mon.close()
        r.d.stop(signal.SIGKILL)
    table = sh("ip", "netns", "exec", ROUTER, "nft", "list", "table", "inet", "autonomy").stdout
    subprocess.run(["ip", "netns", "exec", INET, "nft", "-f", "-"], input=SINK, text=True,
                   check=True)
    out = {"packet_bytes": 64, "seconds_per_run": seconds, "rounds": rounds,
           "load_average": os.getloadavg()[0]}
    for name, ports in (("one_flow", 1), ("new_flow_per_packet", 40000)):
        got = {"with": [], "without": []}
        cpu = {"with": [], "without": []}
        flood(binary, V4, 1, ports)             # warm up
        for i in range(rounds):
            # pairs close in time, in alternating order: the machine's own
            # drift (other work, frequency) cancels in each pair
            for mode in (("with", "without") if i % 2 == 0 else ("without", "with")):
                present = "autonomy" in sh("ip", "netns", "exec", ROUTER, "nft", "list",
                                           "tables").stdout
                if mode == "with" and not present:
                    subprocess.run(["ip", "netns", "exec", ROUTER, "nft", "-f", "-"], input=table,
                                   text=True, check=True)
                if mode == "without" and present:
                    sh("ip", "netns", "exec", ROUTER, "nft", "delete", "table", "inet", "autonomy")
                sh("ip", "netns", "exec", ROUTER, "conntrack", "-F", check=False)
                p, c = flood(binary, V4, seconds, ports)
                got[mode].append(p)
                cpu[mode].append(c)
        w, wo = statistics.median(got["with"]), statistics.median(got["without"])
        pairs = [1e9 / a - 1e9 / b for a, b in zip(got["with"], got["without"])]
        out[name] = {"pps_with_marking": round(w), "pps_without": round(wo),
                     "runs_with": [round(x) for x in got["with"]],
                     "runs_without": [round(x) for x in got["without"]],
                     "pps_change_pct_of_medians": round(100 * (w - wo) / wo, 2),
                     "cost_ns_per_packet_from_pps_pairs": round(statistics.median(pairs), 1),
                     "cpu_ns_per_packet_with": round(statistics.median(cpu["with"]), 1),
                     "cpu_ns_per_packet_without": round(statistics.median(cpu["without"]), 1),
                     "cost_ns_per_packet_from_cpu": round(statistics.median(
                         [a - b for a, b in zip(cpu["with"], cpu["without"])]), 1),
                     "cpu_runs_with": cpu["with"], "cpu_runs_without": cpu["without"]}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--only", choices=("switches", "pps"))
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    a = ap.parse_args()
    lab("lab.sh", "up")
    res = {}
    try:
        if a.only != "pps":
            lab("dish.sh", "start")
            res["switches"] = [switch_kind(a.build, k, a.sessions) for k in (
                "manual", "failback", "quality", "predicted", "blackhole", "carrier")]
        if a.only != "switches":
            res["pps"] = pps(a.build, a.rounds, a.seconds)
        print(json.dumps(res, indent=1))
    finally:
        lab("dish.sh", "stop", check=False)
        lab("lab.sh", "down", check=False)


if __name__ == "__main__":
    sys.exit(main())

"""Parity of the daemon and the replay (issue 12, part 3): the daemon runs a
lab scenario while recording what its engine sees (`--record`: probes, link
events, the dish's telemetry); `autonomyd --replay` plays the recording back
through the same engine and policy; the two decision sequences — type, from,
to and the kind of reason — must be the same.

The lab: three uplinks (wan wired, sat with the gRPC dish emulator, lte), the
daemon in the router namespace in observe mode (decisions only; routing is
tested elsewhere). The scenario exercises each way traffic moves: probes
lost (a blackhole), the fail-back after its hold, a carrier cut, a predicted
outage (the dish announces a reboot) and the operator's one-shot failover. Every step waits for the daemon's own decision (events,
generous deadlines), never a fixed sleep, so a busy machine only makes it
slower."""
import json
import os
import re
import subprocess
import time
import unittest

import harness
from harness import TempDirCase, wait_for

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PREFIX = f"pa{os.getpid() % 100000}"
ENV = dict(os.environ, LAB_PREFIX=PREFIX)
ROUTER = PREFIX + "-router"

CONF = """
config autonomy 'main'
	option backend 'none'
	option failback_hold '5'

config autonomy 'starlink'
	option health_check_interval '2'
	option obstruction_check_interval '5'
	option api_timeout_ms '800'
	option reboot_lead '6'

config member 'sat'
	option device 'sl'
	option class 'starlink'
	option priority '1'
	list target '198.51.100.2'
	list target '203.0.113.1'

config member 'wan'
	option device 'wan'
	option class 'lan'
	option priority '2'
	list target '198.51.100.1'
	list target '203.0.113.1'

config member 'lte'
	option device 'lte'
	option class 'cellular'
	option priority '3'
	option metered '1'
	list target '198.51.100.1'
"""


def lab(*args, check=True):
    return subprocess.run([os.path.join(ROOT, "lab", args[0])] + list(args[1:]),
                          env=ENV, check=check, capture_output=True, text=True)


def dish(cmd):
    return json.loads(lab("dish.sh", "ctl", json.dumps(cmd)).stdout)


def reason_kind(r):
    """What made the engine decide, without the figures that vary."""
    if r.startswith("initial:"):
        return "initial"
    if r.startswith("operator:"):
        return "operator"
    for key, kind in (("pinned by operator", "pinned"), ("all members down", "all-down"),
                      ("outage predicted", "predicted"),
                      ("excluded unless last resort", "excluded"),
                      (" healthy for ", "failback"), ("must stay", "quality-hold"),
                      ("degraded: score", "quality-hold")):
        if key in r:
            return kind
    if re.match(r"^[^:]+: score \d+ \(.*\) for \d+ s; ", r):
        return "quality"
    why = r.split(": ", 1)[1] if ": " in r else r
    if "probes lost" in why or "failed or lost" in why:
        return "down-lost"
    if "no reply for" in why:
        return "down-timeout"
    if re.search(r"no carrier|link down|admin down|missing|gone|disabled|not associated|"
                 r"not registered", why):
        return "down-link"
    if why.startswith("score "):
        return "down-score"
    return "down-other"


def live_sequence(decisions):
    """`decisions` (newest first) as (type, from, to, reason kind, time)."""
    out = []
    for d in reversed(decisions):
        out.append((d["type"], d["from"] or "", d["to"] or "", reason_kind(d["reason"]),
                    d["time_ts"], d["reason"]))
    return out


def replay_sequence(lines, wall0):
    out = []
    for l in lines:
        e = l.get("event")
        if e == "active":
            out.append(("switch", "", l["member"], reason_kind(l["reason"]),
                        wall0 + l["t"], l["reason"]))
        elif e == "switch":
            out.append((l["type"], l["from"], l["to"], reason_kind(l["reason"]),
                        wall0 + l["t"], l["reason"]))
        elif e in ("hold", "manual", "restore"):
            out.append((e, l["member"], l["member"], reason_kind(l["reason"]),
                        wall0 + l["t"], l["reason"]))
    return out


class Parity(TempDirCase):
    @classmethod
    def setUpClass(cls):
        lab("lab.sh", "up")

    @classmethod
    def tearDownClass(cls):
        lab("dish.sh", "stop", check=False)
        lab("lab.sh", "down", check=False)

    def setUp(self):
        super().setUp()
        lab("dish.sh", "stop", check=False)
        lab("dish.sh", "start", "--", "--boot-s", "4")

    def tearDown(self):
        lab("dish.sh", "stop", check=False)
        for u in ("wan", "sl", "lte"):
            lab("impair.sh", u, "restore", check=False)
        super().tearDown()

    def decided(self, pred, since, timeout):
        """Waits for a decision (newer than `since` of them) matching pred."""
        def look():
            dec = self.d.ctl("decisions", "--limit", "64", json_out=True).data
            new = list(reversed(dec))[since:]
            return next((x for x in new if pred(x)), None)
        got = wait_for(look, timeout, 0.2)
        self.assertTrue(got, (self.d.ctl("decisions", json_out=True).data[:6],
                              self.d.read_log()[-3000:]))
        return got

    def count(self):
        return len(self.d.ctl("decisions", "--limit", "64", json_out=True).data)

    def state(self, name):
        return {m["name"]: m for m in self.d.ctl("members", json_out=True).data}[name]["state"]

    def scenario(self):
        def moved(to, *kinds):
            return lambda x: (x["to"] == to and x["type"] != "hold" and
                              (not kinds or reason_kind(x["reason"]) in kinds))
        # initial: the dish, once every member has answered
        self.assertTrue(wait_for(lambda: all(self.state(m) == "up"
                                             for m in ("sat", "wan", "lte")), 20))
        self.decided(lambda x: x["to"] == "sat", 0, 10)
        # 1. the dish's path goes black: probes lost, traffic to wan
        n = self.count()
        lab("impair.sh", "sl", "blackhole")
        self.decided(moved("wan"), n, 10)
        lab("impair.sh", "sl", "restore")
        # 2. back on the dish after its hold
        n = self.count()
        self.decided(moved("sat", "failback"), n, 60)
        # 3. the dish's carrier is cut: at once to wan; back after the hold
        n = self.count()
        lab("impair.sh", "sl", "cut")
        self.decided(moved("wan", "down-link"), n, 10)
        lab("impair.sh", "sl", "restore")
        n = self.count()
        self.decided(moved("sat", "failback"), n, 60)
        # 4. the dish announces a reboot: traffic leaves before it
        n = self.count()
        at = int(time.time()) + 12
        dish({"cmd": "patch", "status": {"software_update_stats": {
            "software_update_state": "REBOOT_REQUIRED", "reboot_scheduled_utc_time": at}}})
        self.decided(moved("wan", "predicted"), n, 20)
        # 5. the operator sends traffic to lte once; the rules bring it back
        n = self.count()
        self.d.ctl("failover", "--interface", "lte", check_rc=0)
        self.decided(lambda x: x["type"] == "manual" and x["to"] == "lte", n, 10)
        self.decided(lambda x: x["to"] == "wan" and x["type"] != "manual", n, 60)

    def test_replay_decides_as_the_daemon_did(self):
        trace = os.path.join(self.tmp, "recorded.jsonl")
        self.d = self.daemon(CONF, netns=ROUTER, extra=("--dry-run", "--record", trace)).start()
        self.scenario()
        live = live_sequence(self.d.ctl("decisions", "--limit", "64", json_out=True).data)
        self.assertEqual(self.d.stop(), 0)
        if os.environ.get("PARITY_KEEP"):       # for a look at a failure
            subprocess.run(["cp", trace, self.d.config, os.environ["PARITY_KEEP"]])
        size = os.path.getsize(trace)
        with open(trace) as f:
            head = json.loads(f.readline())
            wall = next(json.loads(l)["wall"] for l in f if '"wall"' in l)
        self.assertIn("recorded", head)
        self.assertEqual([m["name"] for m in head["members"]], ["sat", "wan", "lte"])
        r = subprocess.run([harness.AUTONOMYD, "--replay", trace, "-c", self.d.config],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        replayed = replay_sequence(lines, wall)
        summary = lines[-1]["summary"]
        strip = lambda seq: [x[:4] for x in seq]
        report = "\n".join(f"  live   {a}\n  replay {b}" for a, b in
                           zip(live + [None] * len(replayed), replayed + [None] * len(live))
                           if a or b)
        print(f"recorded {size} bytes over {head['duration_s']:.0f} s; "
              f"{len(live)} decisions live, {len(replayed)} replayed "
              f"({summary['events']} events)")
        self.assertEqual(strip(live), strip(replayed), "decision sequences differ:\n" + report)
        # Times: the replay decides at the instant the recorded input came
        # (a hold that matures, at its exact time; the daemon's timer a
        # little later); seconds apart would mean different inputs.
        worst = max(abs(a[4] - b[4]) for a, b in zip(live, replayed))
        same_text = sum(a[5] == b[5] for a, b in zip(live, replayed))
        print(f"largest time difference {worst:.2f} s; {same_text} of {len(live)} "
              f"reasons identical word for word")
        self.assertLessEqual(worst, 2.0, report)


if __name__ == "__main__":
    harness.main()

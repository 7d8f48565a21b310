#!/usr/bin/python3
"""Alerts in the lab (root), against the real servers of
tests/integration/alert_peers.py (HTTPS in the shapes of Slack, PagerDuty,
ntfy, Pushover and a webhook; SMTP with STARTTLS and AUTH) and the hook.
Prints JSON:
- failover_to_alert: per endpoint, ms from the daemon's switch (the switch
  event's own time, carried in the alert) and from the blackhole of the
  active uplink to the alert's arrival at the server; p50/p95 over --trials
- flapping: the wired uplink blackholed and restored --cycles times in a
  row; events about it vs alert messages composed and received, and the
  digest's words
The defaults of examples/autonomy.conf but the timers the lab shortens
(group_window 500 ms as shipped; failback_hold 5 s so trials are quick).
usage: bench/alerts_lab.py [--build DIR] [--trials N] [--cycles N]"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def summary(v):
    if not v:
        return None
    return {"n": len(v), "p50_ms": round(statistics.median(v), 1),
            "p95_ms": round(pct(v, 95), 1), "max_ms": round(max(v), 1)}


ENDPOINTS = {"hooks.slack.com": "slack", "events.pagerduty.com": "pagerduty", "ntfy.sh": "ntfy",
             "api.pushover.net": "pushover", "hooks.example.net": "webhook"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--cycles", type=int, default=9)
    args = ap.parse_args()
    sys.argv[1:] = [os.path.abspath(args.build)]
    import harness
    import test_alerts as ta
    harness.AUTONOMYD = os.path.join(os.path.abspath(args.build), "autonomyd")
    harness.AUTONOMYCTL = os.path.join(os.path.abspath(args.build), "autonomyctl")
    d = tempfile.mkdtemp(prefix="autonomy-alerts-bench-")
    os.chmod(d, 0o755)
    ta.make_certs(d)
    with open(os.path.join(d, "hook.py"), "w") as f:
        f.write("#!/usr/bin/python3\nimport sys, json, time\n"
                f"open('{d}/hook.jsonl', 'a').write(json.dumps(dict(json.load(sys.stdin), "
                "t=time.time())) + '\\n')\n")
    os.chmod(os.path.join(d, "hook.py"), 0o755)
    ta.lab("lab.sh", "up")
    os.makedirs(ta.NETNS_ETC, exist_ok=True)
    with open(os.path.join(ta.NETNS_ETC, "resolv.conf"), "w") as f:
        f.write("nameserver 198.51.100.1\n")
    peers = ta.Peers(d)
    peers.start()
    out = {}
    try:
        out["failover_to_alert"] = failover(ta, harness, d, peers, args.trials)
        peers.reset()
        out["flapping"] = flapping(ta, harness, d, peers, args.cycles)
    finally:
        peers.stop()
        ta.lab("lab.sh", "down", check=False)
        import shutil
        shutil.rmtree(ta.NETNS_ETC, ignore_errors=True)
        shutil.rmtree(d, ignore_errors=True)
    print(json.dumps(out, indent=1))


def start(ta, harness, d, **over):
    text = ta.conf(d, **over).replace("option failback_hold '15'", "option failback_hold '5'")
    text = text.replace("option group_window '300ms'", "option group_window '500ms'")
    # inside the bench's directory, which goes when the bench ends
    dm = harness.Daemon(tempfile.mkdtemp(prefix="daemon-", dir=d), text,
                        netns=ta.ROUTER).start()

    def members():
        r = dm.ctl("members", json_out=True)
        return {m["name"]: m for m in r.data} if r.returncode == 0 else {}
    assert harness.wait_for(lambda: all(m["state"] == "up" for m in members().values())
                            and len(members()) == 3, 30)
    return dm, members


def back_to_wan(harness, dm, members):
    """Each trial starts on wan. The engine's fail-back hold doubles with
    every outage within its flap window (docs/decision-engine.md), so after a
    few trials wan would wait minutes: once it is up, the operator's pin moves
    traffic back and `--auto` hands it to the rules again."""
    assert harness.wait_for(lambda: members()["wan"]["state"] == "up", 60), "wan not up"
    if not members()["wan"].get("active"):
        dm.ctl("failover", "--interface", "wan", "--force", check_rc=0)
        dm.ctl("failover", "--auto", check_rc=0)
    assert harness.wait_for(lambda: members()["wan"].get("active"), 10), "wan not back"
    time.sleep(1)       # the pin's decisions are not part of the next trial


def failover(ta, harness, d, peers, trials):
    # each trial an outage of its own: no flap digest (flap_threshold 0)
    dm, members = start(ta, harness, d, alerts={"retry_min": "1", "retry_max": "60",
                                                "flap_threshold": "0",
                                                "connect_timeout": "10", "send_timeout": "30"})
    from_switch = {e: [] for e in list(ENDPOINTS.values()) + ["email", "hook"]}
    from_blackhole = {e: [] for e in from_switch}
    try:
        for k in range(trials):
            back_to_wan(harness, dm, members)
            peers.reset()
            if os.path.exists(d + "/hook.jsonl"):
                os.unlink(d + "/hook.jsonl")
            t0 = time.time()
            ta.lab("impair.sh", "wan", "blackhole")

            def got():
                reqs = [r for r in peers.requests() if "wan down" in ta.title_of(r)]
                mails = [m for m in peers.mails() if "wan down" in m["data"]]
                hooks = [json.loads(l) for l in open(d + "/hook.jsonl")] \
                    if os.path.exists(d + "/hook.jsonl") else []
                seen = {ENDPOINTS[r["host"].split(":")[0]]: r["t"] for r in reqs}
                if mails:
                    seen["email"] = mails[0]["t"]
                if hooks:
                    seen["hook"] = hooks[0]["t"]
                return seen if len(seen) == len(from_switch) else None
            seen = harness.wait_for(got, 60, 0.02)
            assert seen, f"trial {k}: {[(r['host'], ta.title_of(r)) for r in peers.requests()]}"
            wh = [r for r in peers.requests("hooks.example.net") if "wan down" in ta.title_of(r)][0]
            events = json.loads(wh["body"])["alert"]["events"]
            t_switch = [e["ts"] for e in events if e["event"] == "switch"][0]
            for e, t in seen.items():
                from_switch[e].append((t - t_switch) * 1000)
                from_blackhole[e].append((t - t0) * 1000)
            ta.lab("impair.sh", "wan", "unblackhole")
            assert harness.wait_for(lambda: [r for r in peers.requests("hooks.slack.com")
                                             if "recovered" in ta.title_of(r)], 60)
    finally:
        dm.stop()
    return {"trials": trials,
            "from_switch": {e: summary(v) for e, v in from_switch.items()},
            "from_blackhole": {e: summary(v) for e, v in from_blackhole.items()},
            "note": "group_window 500 ms (default) is part of both; from_blackhole includes "
                    "detection (< 1 s)"}


def flapping(ta, harness, d, peers, cycles):
    dm, members = start(ta, harness, d, alerts={"flap_threshold": "4", "flap_window": "120"})
    try:
        peers.reset()
        t0 = time.time()
        for _ in range(cycles):
            ta.lab("impair.sh", "wan", "blackhole")
            assert harness.wait_for(lambda: members()["wan"]["state"] == "down", 20)
            time.sleep(1)
            ta.lab("impair.sh", "wan", "unblackhole")
            assert harness.wait_for(lambda: members()["wan"]["state"] == "up", 20)
            time.sleep(1)
        flap_s = time.time() - t0
        # the digest at the window's end, then a quiet window settles it
        harness.wait_for(lambda: [r for r in peers.requests("hooks.slack.com")
                                  if "stable again" in ta.title_of(r)], 300, 0.5)
        pol = dm.ctl("notifications", json_out=True).data["delivery"]["policy"]
        slack = [ta.title_of(r) for r in peers.requests("hooks.slack.com")
                 if r.get("status") == 200]
        hist = dm.ctl("notifications", "--history", "--limit", "0", json_out=True).data
    finally:
        dm.stop()
    return {"cycles": cycles, "seconds": round(flap_s, 1),
            "events_seen": pol["events"], "events_relevant": pol["relevant"],
            "messages_composed": pol["messages"],
            "folded_into_digest": pol["folded_into_flap_digest"],
            "slack_messages_received": len(slack), "slack_titles": slack,
            "notification_events_stored": hist.get("count")}


if __name__ == "__main__":
    main()

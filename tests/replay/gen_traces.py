#!/usr/bin/python3
"""Writes the replay trace library (format: shared/spec/replay.md).

    gen_traces.py [--out DIR]          the committed library (tests/replay/traces/)
    gen_traces.py --long --out DIR     30-day traces, generated at test/bench time
    gen_traces.py --only NAME --out DIR

Deterministic: every trace has its own fixed random seed, so re-running this
script reproduces the committed files byte for byte. Standard library only.
"""
import argparse
import json
import os
import random
import sys

DAY = 86400
WALL0 = 1764300000 - 3600      # Unix time at virtual 0 for traces with telemetry

STARLINK = {"name": "starlink", "class": "starlink", "priority": 1}
LTE = {"name": "lte", "class": "cellular", "priority": 2, "metered": True}
WIFI = {"name": "wifi", "class": "wifi", "priority": 3}
THREE = [STARLINK, LTE, WIFI]
TWO = [STARLINK, LTE]


class Trace:
    def __init__(self, duration_s, members, comment):
        self.header = {"format": "autonomy-trace/1", "duration_s": duration_s,
                       "members": members, "comment": comment}
        self.lines = []

    def at(self, t, member=None, **keys):
        line = {"t": round(t, 3)}
        if member:
            line["member"] = member
        line.update(keys)
        self.lines.append(line)

    def text(self):
        self.lines.sort(key=lambda l: l["t"])    # stable: same-t lines keep their order
        out = [json.dumps(self.header, separators=(",", ":"))]
        out += [json.dumps(l, separators=(",", ":")) for l in self.lines]
        return "\n".join(out) + "\n"


def outage(tr, member, start, length, how="blackhole"):
    """A hard outage: the path drops everything (carrier up) or the carrier goes."""
    if how == "blackhole":
        tr.at(start, member, path={"loss": 1})
        tr.at(start + length, member, path={"loss": 0})
    else:
        tr.at(start, member, carrier=False)
        tr.at(start + length, member, carrier=True)


def clean_failover():
    tr = Trace(3600, TWO, "starlink loses carrier for 10 min; lte is good throughout")
    outage(tr, "starlink", 900, 600, "carrier")
    return tr


def blackhole():
    tr = Trace(3600, THREE, "starlink drops every packet with carrier up: 1 min, then 10 min")
    outage(tr, "starlink", 600, 60)
    outage(tr, "starlink", 1800, 600)
    return tr


def carrier_loss():
    tr = Trace(3600, THREE, "carrier losses: starlink 20 s, lte (standby) 30 s, starlink 5 min")
    outage(tr, "starlink", 600, 20, "carrier")
    outage(tr, "lte", 1500, 30, "carrier")
    outage(tr, "starlink", 2400, 300, "carrier")
    return tr


def steady_loss(p, hours=6, days=None):
    dur = days * DAY if days else hours * 3600
    span = "%d days" % days if days else "%d h" % hours
    tr = Trace(dur, THREE, "starlink has %d %% random loss from t=300 for %s; lte and wifi "
               "are clean: at most one switch, no oscillation" % (round(p * 100), span))
    tr.at(300, "starlink", path={"loss": p})
    return tr


def bursty(seed=11):
    rnd = random.Random(seed)
    tr = Trace(7200, THREE, "starlink: loss bursts of 1-6 s at 60-100 % every 1-4 min")
    t = 300.0
    while t < 7000:
        t += rnd.uniform(60, 240)
        tr.at(t, "starlink", path={"loss": round(rnd.uniform(0.6, 1.0), 2)})
        t += rnd.uniform(1, 6)
        tr.at(t, "starlink", path={"loss": 0})
    return tr


def latency_creep():
    tr = Trace(5400, THREE, "starlink RTT creeps from 40 ms to 1200 ms over 40 min, stays "
               "10 min, recovers in 5 min")
    rtt = [40 + (1200 - 40) * k / 80 for k in range(81)]            # every 30 s
    for k, r in enumerate(rtt):
        tr.at(600 + 30 * k, "starlink", path={"rtt_ms": round(r), "jitter_ms": round(2 + r / 20)})
    for k in range(11):                                              # back down
        r = 1200 - (1200 - 40) * k / 10
        tr.at(3600 + 30 * k, "starlink", path={"rtt_ms": round(r), "jitter_ms": round(2 + r / 20)})
    return tr


def flapping():
    tr = Trace(9000, THREE, "starlink carrier flaps 2 min up / 2 min down from t=600 to "
               "t=4200, then stays up: at most one switch per 10 min")
    t = 600
    while t < 4200:
        outage(tr, "starlink", t, 120, "carrier")
        t += 240
    return tr


def all_down():
    tr = Trace(3600, THREE, "every member down at t=600 (blackhole, carrier, blackhole); lte "
               "back at 900, starlink at 1500, wifi at 1800")
    tr.at(600, "starlink", path={"loss": 1})
    tr.at(600, "lte", carrier=False)
    tr.at(600, "wifi", path={"loss": 1})
    tr.at(900, "lte", carrier=True)
    tr.at(1500, "starlink", path={"loss": 0})
    tr.at(1800, "wifi", path={"loss": 0})
    return tr


def micro_outages(seed=7):
    rnd = random.Random(seed)
    tr = Trace(3600, THREE, "starlink: 300 ms blackholes every 40-120 s; none should cause "
               "a switch")
    t = 120.0
    while t < 3500:
        t += rnd.uniform(40, 120)
        outage(tr, "starlink", t, 0.3)
    return tr


def reboot_announced():
    tr = Trace(3600, THREE, "the dish announces a reboot 10 min ahead (wall clock given); "
               "90 s outage at the announced time")
    tr.at(0, wall=WALL0)
    tr.at(0, "starlink", starlink={"pop_ping_drop_rate": 0.0, "pop_ping_latency_ms": 38,
                                   "software_update_stats": {"software_update_state": "IDLE"}})
    tr.at(1200, "starlink", starlink={"software_update_stats": {
        "software_update_state": "REBOOT_REQUIRED", "reboot_scheduled_utc_time": WALL0 + 1800}})
    tr.at(1800, "starlink", path={"loss": 1}, starlink={"outage": {"cause": "BOOTING"}})
    tr.at(1890, "starlink", path={"loss": 0}, starlink={
        "outage": None, "software_update_stats": {"software_update_state": "IDLE",
                                                  "reboot_scheduled_utc_time": None}})
    return tr


def obstruction(seed=5):
    rnd = random.Random(seed)
    tr = Trace(3600, THREE, "obstruction builds up (telemetry) before each of three short "
               "outages; cellular and wifi telemetry change too")
    tr.at(0, wall=WALL0)
    tr.at(0, "lte", cellular={"rsrp_dbm": -95, "rsrq_db": -11, "sinr_db": 8,
                              "technology": "lte", "roaming": False, "registered": True})
    tr.at(0, "wifi", wifi={"signal_dbm": -61, "noise_dbm": -95, "bitrate_mbps": 144,
                           "associated": True})
    for start in (900, 1900, 2900):
        for k, frac in enumerate((0.01, 0.03, 0.06)):
            tr.at(start - 90 + 30 * k, "starlink", starlink={
                "obstruction_stats": {"currently_obstructed": k == 2,
                                      "fraction_obstructed": frac},
                "pop_ping_drop_rate": round(0.01 * k, 3)})
        length = rnd.uniform(8, 25)
        tr.at(start, "starlink", path={"loss": 1}, starlink={"outage": {"cause": "OBSTRUCTED"}})
        tr.at(start + length, "starlink", path={"loss": 0}, starlink={
            "outage": None, "obstruction_stats": {"currently_obstructed": False},
            "pop_ping_drop_rate": 0.0})
        tr.at(start + 60, "wifi", wifi={"signal_dbm": -61 - rnd.randint(0, 6)})
    return tr


def month_mixed(seed=30):
    """30 days, 3 members: the speed benchmark and a long-run sanity check."""
    rnd = random.Random(seed)
    tr = Trace(30 * DAY, THREE, "30 days: obstruction outages, a weekly reboot, blips, "
               "evening congestion on starlink; lte carrier drops")
    tr.at(0, wall=WALL0)
    for day in range(30):
        base = day * DAY
        for _ in range(rnd.randint(3, 8)):                      # obstructions
            outage(tr, "starlink", base + rnd.uniform(0, DAY - 120), rnd.uniform(2, 40))
        for _ in range(rnd.randint(5, 20)):                     # blips
            outage(tr, "starlink", base + rnd.uniform(0, DAY - 5), 0.3)
        ev = base + 19 * 3600                                   # evening congestion
        tr.at(ev, "starlink", path={"rtt_ms": 90, "jitter_ms": 25, "loss": 0.02})
        tr.at(ev + 3 * 3600, "starlink", path={"rtt_ms": 30, "jitter_ms": 2, "loss": 0})
        if rnd.random() < 0.3:
            outage(tr, "lte", base + rnd.uniform(0, DAY - 600), rnd.uniform(10, 300), "carrier")
        if day % 7 == 3:                                        # weekly reboot
            outage(tr, "starlink", base + 3 * 3600, 90)
    return tr


LIBRARY = {
    "clean_failover": clean_failover, "blackhole": blackhole, "carrier_loss": carrier_loss,
    "loss10": lambda: steady_loss(0.10), "loss20": lambda: steady_loss(0.20),
    "bursty": bursty, "latency_creep": latency_creep, "flapping": flapping,
    "all_down": all_down, "micro_outages": micro_outages,
    "reboot_announced": reboot_announced, "obstruction": obstruction,
}
LONG = {
    "loss10_30d": lambda: steady_loss(0.10, days=30),
    "loss20_30d": lambda: steady_loss(0.20, days=30),
    "month_mixed": month_mixed,
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(here, "traces"))
    ap.add_argument("--long", action="store_true", help="the 30-day traces")
    ap.add_argument("--only", help="one trace by name")
    a = ap.parse_args()
    table = dict(LIBRARY, **LONG)
    names = [a.only] if a.only else sorted(LONG if a.long else LIBRARY)
    os.makedirs(a.out, exist_ok=True)
    for n in names:
        if n not in table:
            sys.exit("gen_traces: unknown trace %s" % n)
        with open(os.path.join(a.out, n + ".jsonl"), "w") as f:
            f.write(table[n]().text())
    print("wrote %d traces to %s" % (len(names), a.out))


if __name__ == "__main__":
    main()

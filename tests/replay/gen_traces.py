#!/usr/bin/python3
"""Writes the replay trace library (format: docs/replay-format.md).

    gen_traces.py [--out DIR]          the committed library (tests/replay/traces/)
    gen_traces.py --long --out DIR     30-day traces, generated at test/bench time
    gen_traces.py --noisy --out DIR    24-hour traces with noisy telemetry, likewise
    gen_traces.py --only NAME --out DIR

Deterministic: every trace has its own fixed random seed, so re-running this
script reproduces the committed files byte for byte. Standard library only.
"""
import argparse
import json
import math
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


# ---- link telemetry: Starlink precursors, cellular and Wi-Fi ------------------------

SL_OK = {"pop_ping_drop_rate": 0.0, "pop_ping_latency_ms": 32, "disablement_code": "OKAY",
         "software_update_stats": {"software_update_state": "IDLE"},
         "obstruction_stats": {"fraction_obstructed": 0.02, "currently_obstructed": False}}


def sl_reboot(tr, rnd, t_announce, lead, length):
    """A software-update reboot announced `lead` s ahead with its time."""
    at = t_announce + lead
    tr.at(t_announce, "starlink", starlink={"software_update_stats": {
        "software_update_state": "REBOOT_REQUIRED", "reboot_scheduled_utc_time": WALL0 + round(at)}})
    start = at + rnd.uniform(-2, 4)          # the dish reboots about on time
    tr.at(start, "starlink", path={"loss": 1}, starlink={"outage": {"cause": "BOOTING"}})
    tr.at(start + length, "starlink", path={"loss": 0}, starlink={
        "outage": None, "software_update_stats": {"software_update_state": "IDLE",
                                                  "reboot_scheduled_utc_time": None}})


def sl_obstruction(tr, rnd, start, warn, length):
    """An obstruction outage the dish sees coming: the sky fraction rises,
    then it reports itself obstructed with a few drops for `warn` s."""
    tr.at(start - warn - 60, "starlink", starlink={"obstruction_stats": {
        "fraction_obstructed": round(rnd.uniform(0.03, 0.05), 3)}})
    tr.at(start - warn, "starlink", path={"loss": round(rnd.uniform(0.02, 0.08), 3)}, starlink={
        "obstruction_stats": {"currently_obstructed": True,
                              "fraction_obstructed": round(rnd.uniform(0.06, 0.09), 3)},
        "pop_ping_drop_rate": round(rnd.uniform(0.03, 0.12), 3)})
    tr.at(start, "starlink", path={"loss": 1}, starlink={"outage": {"cause": "OBSTRUCTED"}})
    tr.at(start + length, "starlink", path={"loss": 0}, starlink={
        "outage": None, "pop_ping_drop_rate": 0.0,
        "obstruction_stats": {"currently_obstructed": False, "fraction_obstructed": 0.03}})


def starlink_precursors(seed=21):
    """Twelve hours of outages the dish announces, each at least 40 min from
    the next (so the fail-back hold of one does not cover the next): three
    scheduled reboots, a stow, a thermal shutdown after throttling,
    obstructions building up."""
    rnd = random.Random(seed)
    tr = Trace(12 * 3600, THREE, "starlink announces its outages: 3 scheduled reboots, a stow, "
               "a thermal shutdown after throttling, 8 obstructions with precursors")
    tr.at(0, wall=WALL0)
    tr.at(0, "starlink", starlink=SL_OK)
    slots = [1800 + 3000 * k + rnd.uniform(0, 600) for k in range(14)]
    kinds = ["reboot", "obs", "obs", "stow", "obs", "reboot", "obs", "thermal", "obs", "obs",
             "reboot", "obs", "obs", "obs"]
    n_obs = 0
    for t, kind in zip(slots, kinds):
        if kind == "reboot":
            lead = rnd.uniform(300, 1200)
            sl_reboot(tr, rnd, t - lead, lead, rnd.uniform(60, 120))
        elif kind == "stow":
            tr.at(t - 30, "starlink", starlink={"stow_requested": True})
            tr.at(t, "starlink", path={"loss": 1}, starlink={"outage": {"cause": "STOWED"}})
            tr.at(t + 300, "starlink", path={"loss": 0},
                  starlink={"stow_requested": False, "outage": None})
        elif kind == "thermal":
            tr.at(t - 600, "starlink", starlink={"alerts": {"thermal_throttle": True}})
            tr.at(t - 15, "starlink", starlink={"alerts": {"thermal_shutdown": True}})
            tr.at(t, "starlink", path={"loss": 1}, starlink={"outage": {"cause": "THERMAL_SHUTDOWN"}})
            tr.at(t + 180, "starlink", path={"loss": 0}, starlink={
                "outage": None, "alerts": {"thermal_shutdown": False, "thermal_throttle": False}})
        elif n_obs < 8:
            n_obs += 1
            sl_obstruction(tr, rnd, t, rnd.uniform(8, 30), rnd.uniform(5, 25))
    return tr


def starlink_quiet(seed=22):
    """Six hours without announcements: sudden outages and blips the dish did
    not see coming, a brief obstruction flicker without drops, a little steady
    drop rate. Telemetry must not move traffic here."""
    rnd = random.Random(seed)
    tr = Trace(6 * 3600, THREE, "starlink outages without precursors; telemetry stays quiet: "
               "no pre-emptive switch is justified")
    tr.at(0, wall=WALL0)
    tr.at(0, "starlink", starlink=SL_OK)
    t = 600
    while t < 6 * 3600 - 900:
        t += rnd.uniform(600, 1500)
        if rnd.random() < 0.5:
            outage(tr, "starlink", t, rnd.uniform(3, 40))
        else:
            outage(tr, "starlink", t, 0.3)
    for t in (4000, 15000):                  # flickers: obstructed, no drops, no outage
        tr.at(t, "starlink", starlink={"obstruction_stats": {"currently_obstructed": True}})
        tr.at(t + 6, "starlink", starlink={"obstruction_stats": {"currently_obstructed": False}})
    tr.at(9000, "starlink", starlink={"pop_ping_drop_rate": 0.005})
    tr.at(9600, "starlink", starlink={"pop_ping_drop_rate": 0.0})
    return tr


def obstruction_learning(seed=23):
    """An RV parked under trees: an obstruction outage every 18-25 minutes with
    weak precursors (obstructed, no drops, 10-20 s ahead) — not enough to move
    on, until the place has a pattern (3 in 2 h): then `obstructed` alone
    moves traffic early. After 3 h it drives to an open field: the same weak
    sign there moves nothing."""
    rnd = random.Random(seed)
    tr = Trace(4 * 3600, THREE, "parked under trees for 3 h: obstruction outages recur with weak "
               "precursors; then an open field where they do not")
    tr.at(0, wall=WALL0)
    tr.at(0, "starlink", starlink=SL_OK, gps={"lat": 44.0521, "lon": -71.1290})
    t = 600
    while t < 10400:
        warn, length = rnd.uniform(10, 20), rnd.uniform(4, 15)
        tr.at(t - warn, "starlink", starlink={"obstruction_stats": {"currently_obstructed": True}})
        tr.at(t, "starlink", path={"loss": 1}, starlink={"outage": {"cause": "OBSTRUCTED"}})
        tr.at(t + length, "starlink", path={"loss": 0}, starlink={
            "outage": None, "obstruction_stats": {"currently_obstructed": False}})
        t += rnd.uniform(1100, 1500)
    tr.at(10900, "starlink", gps={"lat": 44.2810, "lon": -71.6880, "speed_mps": 0})
    for t in (11500, 12500, 13500):         # open sky: a flicker, no outage
        tr.at(t, "starlink", starlink={"obstruction_stats": {"currently_obstructed": True}})
        tr.at(t + 5, "starlink", starlink={"obstruction_stats": {"currently_obstructed": False}})
    return tr


LTE1 = {"name": "lte", "class": "cellular", "priority": 1}
WIFI2 = {"name": "wifi", "class": "wifi", "priority": 2}


def cellular_fade():
    """LTE carries traffic; its signal fades over four minutes before the
    link starts losing packets: traffic should move before the loss."""
    tr = Trace(3600, [LTE1, WIFI2], "lte RSRP fades -88 -> -118 dBm over 4 min from t=900, then "
               "loss 30 % and an outage; wifi is good")
    tr.at(0, "lte", cellular={"rsrp_dbm": -88, "rsrq_db": -9, "sinr_db": 14,
                              "technology": "lte", "registered": True, "roaming": False})
    tr.at(0, "wifi", wifi={"signal_dbm": -58, "bitrate_mbps": 150, "associated": True})
    for k in range(17):
        tr.at(900 + 15 * k, "lte", cellular={"rsrp_dbm": -88 - 30 * k / 16,
                                              "sinr_db": round(14 - 16 * k / 16, 1)})
    tr.at(1150, "lte", path={"loss": 0.3})
    tr.at(1200, "lte", path={"loss": 1}, cellular={"registered": False})
    tr.at(1500, "lte", path={"loss": 0}, cellular={"registered": True, "rsrp_dbm": -90,
                                                     "sinr_db": 13})
    return tr


def wifi_fade():
    """Wi-Fi carries traffic (a marina hotspot); the boat drifts away: signal
    falls, then the radio disassociates. LTE is good."""
    tr = Trace(3600, [{"name": "wifi", "class": "wifi", "priority": 1},
                      {"name": "lte", "class": "cellular", "priority": 2}],
               "wifi signal -60 -> -86 dBm over 2 min from t=900, loss from 1040, "
               "disassociated at 1080 for 10 min")
    tr.at(0, "wifi", wifi={"signal_dbm": -60, "bitrate_mbps": 120, "associated": True})
    tr.at(0, "lte", cellular={"rsrp_dbm": -90, "sinr_db": 12, "technology": "lte",
                              "registered": True, "roaming": False})
    for k in range(13):
        tr.at(900 + 10 * k, "wifi", wifi={"signal_dbm": -60 - 2 * k})
    tr.at(1040, "wifi", path={"loss": 0.4})
    tr.at(1080, "wifi", path={"loss": 1}, wifi={"associated": False})
    tr.at(1680, "wifi", path={"loss": 0}, wifi={"associated": True, "signal_dbm": -60})
    return tr


def roaming(prefer):
    """Starlink is down for half an hour; lte (preferred over wifi) is roaming."""
    tr = Trace(3600, THREE, "starlink down 900-2700; lte roaming throughout (%s)" %
               ("prefer_roaming on: a penalty" if prefer else "default: last resort only"))
    tr.at(0, "lte", cellular={"rsrp_dbm": -85, "sinr_db": 15, "technology": "lte",
                              "registered": True, "roaming": True, "operator": "vodafone.de"})
    tr.at(0, "wifi", wifi={"signal_dbm": -60, "bitrate_mbps": 100, "associated": True})
    outage(tr, "starlink", 900, 1800, "carrier")
    return tr


def data_cap():
    """Starlink is out for long stretches; lte's monthly allowance runs out:
    near its cap it becomes a last resort and wifi carries the traffic."""
    tr = Trace(7200, [STARLINK, dict(LTE, data_limit_mb=20000), WIFI],
               "starlink down 600-6600; lte near its 20 GB cap from t=2400")
    tr.at(0, "lte", usage_mb=12000, cellular={"rsrp_dbm": -85, "sinr_db": 15,
                                              "technology": "lte", "registered": True})
    tr.at(0, "wifi", wifi={"signal_dbm": -64, "bitrate_mbps": 80, "associated": True})
    outage(tr, "starlink", 600, 6000, "carrier")
    for k, mb in enumerate((15000, 18000, 19100, 19500, 19800)):
        tr.at(1200 + 600 * k, "lte", usage_mb=mb)
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


def month_four(seed=40):
    """30 days, 4 members with telemetry: the history store's month (flash
    writes, size, query times; `analytics` finds the nightly obstruction at
    the RV's spot and lte's use against its cap)."""
    rnd = random.Random(seed)
    lte = dict(LTE, priority=3, data_limit_mb=20000)
    four = [STARLINK, {"name": "wan", "class": "lan", "priority": 2}, lte,
            dict(WIFI, priority=4)]
    tr = Trace(30 * DAY, four, "30 days: starlink obstructed around 03:00 on most nights, "
               "a weekly reboot, evening congestion; the wired line out twice; lte data "
               "against a 20 GB cap")
    tr.at(0, wall=WALL0)
    tr.at(0, "starlink", starlink=SL_OK, gps={"lat": 44.0521, "lon": -71.1290})
    tr.at(0, "lte", usage_mb=0, cellular={"rsrp_dbm": -92, "rsrq_db": -11, "sinr_db": 9,
                                           "technology": "lte", "registered": True})
    tr.at(0, "wifi", wifi={"signal_dbm": -62, "bitrate_mbps": 120, "associated": True})
    night = 3 * 3600 + 3600 - WALL0 % DAY       # 03:00 UTC of the first day
    for day in range(30):
        base = day * DAY
        if rnd.random() < 0.7:                  # the tree at the RV's spot
            sl_obstruction(tr, rnd, base + night + rnd.uniform(-1200, 1200),
                           rnd.uniform(8, 20), rnd.uniform(20, 90))
        for _ in range(rnd.randint(2, 6)):      # blips
            outage(tr, "starlink", base + rnd.uniform(0, DAY - 5), 0.3)
        ev = base + 19 * 3600 - WALL0 % DAY      # evening congestion, 19-22 UTC
        if ev < 0:
            ev += DAY
        tr.at(ev, "starlink", path={"rtt_ms": 95, "jitter_ms": 20, "loss": 0.01})
        tr.at(ev + 3 * 3600, "starlink", path={"rtt_ms": 32, "jitter_ms": 2, "loss": 0})
        if day % 7 == 4:                        # software update
            sl_reboot(tr, rnd, base + 9 * 3600, 1800, 80)
        tr.at(base + 43200, "lte", usage_mb=round(day * 310 + rnd.uniform(0, 40)),
              cellular={"rsrp_dbm": -88 - rnd.randint(0, 14), "sinr_db": rnd.randint(3, 15)})
        tr.at(base + 50000, "wifi", wifi={"signal_dbm": -58 - rnd.randint(0, 12)})
    for start in (9 * DAY + 14 * 3600, 22 * DAY + 2 * 3600):   # the wired line
        outage(tr, "wan", start, rnd.uniform(900, 1500), "carrier")
        outage(tr, "starlink", start + 300, 240)               # while the dish is out too
    return tr


# ---- noisy but healthy telemetry (docs/noise-model.md) ------------------------------
#
# Every figure is a sum of independent parts, each an Ornstein-Uhlenbeck process (AR(1)
# when sampled: x' = a x + s sqrt(1 - a^2) N(0,1), a = exp(-dt / tau)): a slow wander over
# half an hour, a medium one over about a minute, per-report measurement noise, and for
# the modem rare steps of several dB. docs/noise-model.md says where each number comes
# from. Lines are written at the daemon's polling interval, half an interval off the
# polls, so each poll reads a fresh value.

class OU:
    def __init__(self, rnd, sigma, tau_s):
        self.rnd, self.sigma, self.tau = rnd, sigma, tau_s
        self.x = rnd.gauss(0, sigma)

    def step(self, dt):
        a = math.exp(-dt / self.tau)
        self.x = a * self.x + self.sigma * math.sqrt(1 - a * a) * self.rnd.gauss(0, 1)
        return self.x


class Wander:
    """One telemetry figure: mean + slow + medium wander + white noise + steps."""
    def __init__(self, rnd, mean, slow, medium, white, steps_per_day=0.0, step_db=(3, 6),
                 step_cap=6.0, resolution=1.0):
        self.rnd, self.mean, self.white, self.res = rnd, mean, white, resolution
        self.parts = [OU(rnd, s, tau) for s, tau in (slow, medium) if s > 0]
        self.steps, self.step_db, self.cap, self.offset = steps_per_day, step_db, step_cap, 0.0

    def step(self, dt):
        if self.steps and self.rnd.random() < self.steps * dt / DAY:
            jump = self.rnd.choice((-1, 1)) * self.rnd.uniform(*self.step_db)
            self.offset = max(-self.cap, min(self.cap, self.offset + jump))
        v = self.mean + self.offset + sum(p.step(dt) for p in self.parts)
        v += self.rnd.gauss(0, self.white)
        return round(round(v / self.res) * self.res, 1)


# Parameters (sigma dB, tau s) of each figure; docs/noise-model.md derives them.
RSRP_NOISE = dict(slow=(2.0, 1800), medium=(2.0, 60), white=1.0, steps_per_day=2.0)
SINR_NOISE = dict(slow=(2.0, 1800), medium=(3.0, 30), white=1.5, resolution=0.5)
WIFI_NOISE = dict(slow=(4.0, 1800), medium=(3.0, 60), white=2.0)
CELL_STEP, WIFI_STEP = 15.0, 10.0      # the daemon's default polling intervals


def noisy_cellular(tr, rnd, member, t0, t1, rsrp=-93.0, sinr=12.0):
    """A healthy modem's RSRP and SINR wandering around their means."""
    r = Wander(rnd, rsrp, **RSRP_NOISE)
    q = Wander(rnd, sinr, **SINR_NOISE)
    tr.at(t0, member, cellular={"rsrp_dbm": r.step(CELL_STEP), "sinr_db": q.step(CELL_STEP),
                                "rsrq_db": -10, "technology": "lte", "registered": True,
                                "roaming": False})
    t = t0 + CELL_STEP / 2
    while t < t1:
        tr.at(t, member, cellular={"rsrp_dbm": r.step(CELL_STEP), "sinr_db": q.step(CELL_STEP)})
        t += CELL_STEP


def noisy_wifi(tr, rnd, member, t0, t1, signal=-62.0):
    """A healthy client radio's signal wandering around its mean."""
    w = Wander(rnd, signal, **WIFI_NOISE)
    tr.at(t0, member, wifi={"signal_dbm": w.step(WIFI_STEP), "noise_dbm": -95,
                            "bitrate_mbps": 130, "associated": True})
    t = t0 + WIFI_STEP / 2
    while t < t1:
        tr.at(t, member, wifi={"signal_dbm": w.step(WIFI_STEP)})
        t += WIFI_STEP


def noisy_dish(tr, rnd, member, t0, t1, base_drop=0.0):
    """A healthy dish as the captured get_history shows one (docs/noise-model.md): at 57 %
    of the 15-s satellite slot boundaries, 2 s (3 s one time in four) of drops of 1/15 to
    6/15; now and then a light run of 1/15 drops for 10-20 s without an outage; the dish
    calling itself obstructed for 2-6 s a few times an hour; the obstructed fraction
    creeping up a point now and then as the map fills in. base_drop: a steady drop rate
    underneath (a lossy link)."""
    tr.at(t0, member, starlink=dict(SL_OK, pop_ping_drop_rate=base_drop))
    phase = rnd.uniform(0, 15)
    t = t0 + phase
    busy_until = t0
    while t < t1 - 5:
        if t >= busy_until and rnd.random() < 0.57:
            k = rnd.choices((1, 2, 3, 4, 5, 6), (57, 19, 8, 7, 5, 4))[0]
            tr.at(t, member, starlink={"pop_ping_drop_rate": round(base_drop + k / 15, 3)})
            tr.at(t + rnd.choice((2, 2, 2, 3)), member,
                  starlink={"pop_ping_drop_rate": base_drop})
        t += 15
        if rnd.random() < 15 / 3600:         # a light run, about one an hour
            start, length = t + 5, rnd.uniform(10, 20)
            tr.at(start, member, starlink={"pop_ping_drop_rate": round(base_drop + 1 / 15, 3)})
            tr.at(start + length, member, starlink={"pop_ping_drop_rate": base_drop})
            busy_until = start + length + 1
    t = t0 + rnd.uniform(300, 900)
    while t < t1 - 10:
        tr.at(t, member, starlink={"obstruction_stats": {"currently_obstructed": True}})
        tr.at(t + rnd.uniform(2, 6), member,
              starlink={"obstruction_stats": {"currently_obstructed": False}})
        t += rnd.expovariate(4 / 3600)
    t, frac = t0 + rnd.uniform(3600, 7200), 0.02
    while t < t1 - 120:                      # the map fills in: +1-2 points
        frac = min(0.12, frac + rnd.uniform(0.01, 0.02))
        tr.at(t, member, starlink={"obstruction_stats": {"fraction_obstructed": round(frac, 3)}})
        t += rnd.expovariate(2 / DAY)


def noisy_loss(p, seed):
    """The held-out shape: the dish has steady loss (traffic leaves it once), the modem
    and the radio that take over are healthy but their figures wander."""
    rnd = random.Random(seed)
    tr = Trace(DAY, THREE, "starlink %d %% random loss from t=300 for 24 h (its dish says so, "
               "and flickers obstructed); lte RSRP wanders around -93 dBm, wifi around -62: "
               "one switch, no oscillation" % round(p * 100))
    tr.at(0, wall=WALL0)
    tr.at(300, "starlink", path={"loss": p})
    noisy_dish(tr, rnd, "starlink", 0, DAY, base_drop=p)
    noisy_cellular(tr, rnd, "lte", 0, DAY)
    noisy_wifi(tr, rnd, "wifi", 0, DAY)
    return tr


def noisy_healthy(seed=41):
    """Everything healthy and every figure noisy; the dish carries traffic."""
    rnd = random.Random(seed)
    tr = Trace(DAY, THREE, "24 h, all healthy: dish drop blips every 15 s and obstructed "
               "flickers, lte and wifi signals wander: no switch")
    tr.at(0, wall=WALL0)
    tr.at(0, "starlink", path={"loss": 0.014})     # the capture's mean drop rate
    noisy_dish(tr, rnd, "starlink", 0, DAY)
    noisy_cellular(tr, rnd, "lte", 0, DAY)
    noisy_wifi(tr, rnd, "wifi", 0, DAY)
    return tr


def noisy_lte_primary(seed=42):
    """The modem carries traffic at a fair, not strong level (-100 dBm), wandering."""
    rnd = random.Random(seed)
    tr = Trace(DAY, [LTE1, WIFI2], "24 h: lte (priority 1) RSRP wanders around -100 dBm, "
               "SINR around 10 dB; wifi wanders around -62: at most one switch")
    tr.at(0, wall=WALL0)
    noisy_cellular(tr, rnd, "lte", 0, DAY, rsrp=-100.0, sinr=10.0)
    noisy_wifi(tr, rnd, "wifi", 0, DAY)
    return tr


def noisy_wifi_primary(seed=43):
    """A marina hotspot carries traffic at -62 dBm, wandering; the modem is the backup."""
    rnd = random.Random(seed)
    tr = Trace(DAY, [{"name": "wifi", "class": "wifi", "priority": 1},
                     {"name": "lte", "class": "cellular", "priority": 2}],
               "24 h: wifi (priority 1) signal wanders around -62 dBm; lte around -93: at "
               "most one switch")
    tr.at(0, wall=WALL0)
    noisy_wifi(tr, rnd, "wifi", 0, DAY, signal=-62.0)
    noisy_cellular(tr, rnd, "lte", 0, DAY)
    return tr


def cellular_fade_noisy(seed=44):
    """cellular_fade with the noise of a real modem on top: the fade must still be seen."""
    rnd = random.Random(seed)
    tr = Trace(3600, [LTE1, WIFI2], "lte RSRP fades -88 -> -118 dBm over 4 min from t=900 "
               "under realistic noise, then loss and an outage; wifi good but noisy")
    r, q = Wander(rnd, 0, **RSRP_NOISE), Wander(rnd, 0, **SINR_NOISE)
    tr.at(0, "lte", cellular={"rsrp_dbm": -88, "rsrq_db": -9, "sinr_db": 14,
                              "technology": "lte", "registered": True, "roaming": False})
    noisy_wifi(tr, rnd, "wifi", 0, 3600, signal=-58.0)
    t = CELL_STEP / 2
    while t < 1200:
        k = min(1.0, max(0.0, (t - 900) / 240))
        tr.at(t, "lte", cellular={"rsrp_dbm": round(-88 - 30 * k + r.step(CELL_STEP)),
                                   "sinr_db": round(14 - 16 * k + q.step(CELL_STEP), 1)})
        t += CELL_STEP
    tr.at(1150, "lte", path={"loss": 0.3})
    tr.at(1200, "lte", path={"loss": 1}, cellular={"registered": False})
    tr.at(1500, "lte", path={"loss": 0}, cellular={"registered": True, "rsrp_dbm": -90,
                                                     "sinr_db": 13})
    return tr


def wifi_fade_noisy(seed=45):
    """wifi_fade with a real radio's noise on top."""
    rnd = random.Random(seed)
    tr = Trace(3600, [{"name": "wifi", "class": "wifi", "priority": 1},
                      {"name": "lte", "class": "cellular", "priority": 2}],
               "wifi signal -60 -> -86 dBm over 2 min from t=900 under realistic noise, loss "
               "from 1040, disassociated at 1080 for 10 min; lte good but noisy")
    w = Wander(rnd, 0, **WIFI_NOISE)
    tr.at(0, "wifi", wifi={"signal_dbm": -60, "bitrate_mbps": 120, "associated": True})
    noisy_cellular(tr, rnd, "lte", 0, 3600, rsrp=-90.0)
    t = WIFI_STEP / 2
    while t < 1080:
        k = min(1.0, max(0.0, (t - 900) / 120))
        tr.at(t, "wifi", wifi={"signal_dbm": round(-60 - 26 * k + w.step(WIFI_STEP))})
        t += WIFI_STEP
    tr.at(1040, "wifi", path={"loss": 0.4})
    tr.at(1080, "wifi", path={"loss": 1}, wifi={"associated": False})
    tr.at(1680, "wifi", path={"loss": 0}, wifi={"associated": True, "signal_dbm": -60})
    return tr


LIBRARY = {
    "clean_failover": clean_failover, "blackhole": blackhole, "carrier_loss": carrier_loss,
    "loss10": lambda: steady_loss(0.10), "loss20": lambda: steady_loss(0.20),
    "bursty": bursty, "latency_creep": latency_creep, "flapping": flapping,
    "all_down": all_down, "micro_outages": micro_outages,
    "reboot_announced": reboot_announced, "obstruction": obstruction,
    "starlink_precursors": starlink_precursors, "starlink_quiet": starlink_quiet,
    "obstruction_learning": obstruction_learning, "cellular_fade": cellular_fade,
    "wifi_fade": wifi_fade, "roaming": lambda: roaming(False),
    "roaming_preferred": lambda: roaming(True), "data_cap": data_cap,
    "cellular_fade_noisy": cellular_fade_noisy, "wifi_fade_noisy": wifi_fade_noisy,
}
# 24-hour traces with noisy telemetry (issue 12): generated at test time (--noisy), as
# they are a few MB each.
NOISY = {
    "noisy_loss10": lambda: noisy_loss(0.10, 39), "noisy_loss20": lambda: noisy_loss(0.20, 40),
    "noisy_healthy": noisy_healthy, "noisy_lte_primary": noisy_lte_primary,
    "noisy_wifi_primary": noisy_wifi_primary,
}
LONG = {
    "loss10_30d": lambda: steady_loss(0.10, days=30),
    "loss20_30d": lambda: steady_loss(0.20, days=30),
    "month_mixed": month_mixed,
    "month_four": month_four,
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(here, "traces"))
    ap.add_argument("--long", action="store_true", help="the 30-day traces")
    ap.add_argument("--noisy", action="store_true", help="the 24-hour noisy-telemetry traces")
    ap.add_argument("--only", help="one trace by name")
    a = ap.parse_args()
    table = dict(LIBRARY, **LONG, **NOISY)
    names = [a.only] if a.only else sorted(LONG if a.long else NOISY if a.noisy else LIBRARY)
    os.makedirs(a.out, exist_ok=True)
    for n in names:
        if n not in table:
            sys.exit("gen_traces: unknown trace %s" % n)
        with open(os.path.join(a.out, n + ".jsonl"), "w") as f:
            f.write(table[n]().text())
    print("wrote %d traces to %s" % (len(names), a.out))


if __name__ == "__main__":
    main()

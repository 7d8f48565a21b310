#!/usr/bin/python3
"""Scores a replay run: the figures of docs/replay-format.md "How a run is scored".

    score.py TRACE OUTPUT                  prints one JSON document
    score.py TRACE OUTPUT --check EXPECT --name NAME
                                           also checks the figures against
                                           EXPECT[NAME] ({"max": {...}, "min": {...}},
                                           dotted keys), prints ok/FAIL lines and
                                           exits 1 on any failure

OUTPUT is the replay's JSON Lines ("-" for stdin). Only `active` and `switch`
events move traffic. Definitions (from the trace, per member):
  down      carrier false or path loss >= 0.5
  degraded  not down, and loss >= 0.05 or rtt_ms >= 500
  good      otherwise
A flap is a return X->Y->X within 60 s with X mostly up, or a round trip that starts
with a pre-emptive move (reason "outage predicted") X->Y that no outage of X followed,
fails back Y->X and leaves X again within 10 min.
Standard library only.
"""
import argparse
import bisect
import json
import sys

FLAP_S = 60.0
ROUND_TRIP_S = 600.0         # a fail-back after a pre-emptive move, undone this soon
MOVE_JUSTIFY_S = 60.0
ANNOUNCE_WINDOW_S = 600.0    # a condition announces an outage starting this soon after it
REBOOT_SLACK_S = 120.0       # an outage this close to a scheduled reboot time is that reboot


def merge(state, patch):
    """RFC 7386 merge patch, as the replay applies telemetry."""
    if patch is None:
        return None
    if not isinstance(patch, dict):
        return patch
    out = dict(state) if isinstance(state, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge(out.get(k), v)
    return out


class Member:
    def __init__(self, d):
        self.name = d["name"]
        self.priority = d.get("priority", 1)
        self.times = [0.0]                 # change times
        self.levels = ["good"]             # level from each time on
        self.carrier, self.loss, self.rtt = True, 0.0, 30.0
        self.tel = {}
        self.announcements = []            # (t, kind, at_virtual or None)

    def level_now(self):
        if not self.carrier or self.loss >= 0.5:
            return "down"
        if self.loss >= 0.05 or self.rtt >= 500:
            return "degraded"
        return "good"

    def set_level(self, t):
        lv = self.level_now()
        if self.times[-1] == t:
            self.levels[-1] = lv
            if len(self.levels) > 1 and self.levels[-2] == lv:
                self.times.pop()
                self.levels.pop()
        elif self.levels[-1] != lv:
            self.times.append(t)
            self.levels.append(lv)

    def level(self, t):
        return self.levels[bisect.bisect_right(self.times, t) - 1]

    def down_spells(self, end):
        out = []
        for i, lv in enumerate(self.levels):
            if lv == "down":
                stop = self.times[i + 1] if i + 1 < len(self.times) else end
                out.append((self.times[i], stop))
        return out

    def down_time(self, a, b):
        return sum(max(0.0, min(b, e) - max(a, s)) for s, e in self.down_spells(b))


def announcements(m, t, before, after, wall_at_t0):
    """What a starlink telemetry change announces: a scheduled reboot (with
    its time), an obstruction building, an alert raised."""
    b, a = before.get("starlink") or {}, after.get("starlink") or {}
    bsu, asu = b.get("software_update_stats") or {}, a.get("software_update_stats") or {}
    r = asu.get("reboot_scheduled_utc_time")
    if isinstance(r, (int, float)) and r != bsu.get("reboot_scheduled_utc_time"):
        at = r - wall_at_t0 if wall_at_t0 is not None else None
        m.announcements.append((t, "reboot", at))
    bo, ao = b.get("obstruction_stats") or {}, a.get("obstruction_stats") or {}
    if ao.get("currently_obstructed") is True and bo.get("currently_obstructed") is not True:
        m.announcements.append((t, "obstruction", None))
    ba, aa = b.get("alerts") or {}, a.get("alerts") or {}
    for k, v in aa.items():
        if v is True and ba.get(k) is not True:
            m.announcements.append((t, "alert:" + k, None))


def load_trace(path):
    with open(path) as f:
        lines = [l for l in f.read().split("\n") if l.strip()]
    head = json.loads(lines[0])
    members = [Member(d) for d in head["members"]]
    by_name = {m.name: m for m in members}
    wall_at_t0 = None
    for raw in lines[1:]:
        c = json.loads(raw)
        t = float(c["t"])
        if "wall" in c:
            wall_at_t0 = c["wall"] - t
        m = by_name.get(c.get("member"))
        if not m:
            continue
        p = c.get("path") or {}
        m.loss = p.get("loss", m.loss)
        m.rtt = p.get("rtt_ms", m.rtt)
        m.carrier = c.get("carrier", m.carrier)
        before = dict(m.tel)
        for k in ("starlink", "cellular", "wifi", "gps"):
            if k in c:
                m.tel[k] = merge(m.tel.get(k), c[k])
        announcements(m, t, before, m.tel, wall_at_t0)
        m.set_level(t)
    return float(head["duration_s"]), members


def preemptive(e):
    """A move away from a member because its outage was predicted."""
    return bool(e.get("precursor")) or "outage predicted" in (e.get("reason") or "")


def load_output(f):
    moves, summary = [], None           # moves: (t, from or None, to)
    pre = set()                         # times of pre-emptive moves
    for raw in f:
        if not raw.strip():
            continue
        e = json.loads(raw)
        if "summary" in e:
            summary = e["summary"]
        elif e.get("event") == "active":
            moves.append((float(e["t"]), None, e["member"]))
        elif e.get("event") == "switch":
            moves.append((float(e["t"]), e["from"], e["to"]))
            if preemptive(e):
                pre.add(float(e["t"]))
    return moves, summary, pre


class Run:
    def __init__(self, duration, members, moves, pre=()):
        self.duration, self.members, self.moves, self.pre = duration, members, moves, set(pre)
        self.by_name = {m.name: m for m in members}
        self.move_t = [t for t, _, _ in moves]

    def active(self, t):
        i = bisect.bisect_right(self.move_t, t) - 1
        return self.moves[i][2] if i >= 0 else None

    def intervals(self):
        pts = {0.0, self.duration}
        for m in self.members:
            pts.update(x for x in m.times if x < self.duration)
        pts.update(t for t in self.move_t if t < self.duration)
        pts = sorted(pts)
        for a, b in zip(pts, pts[1:]):
            yield a, b, self.active(a), {m.name: m.level(a) for m in self.members}

    def switches(self):
        return [(t, f, to) for t, f, to in self.moves if f is not None]


def downtime_and_detection(run):
    avoid_down = avoid_degr = 0.0
    delays, missed, spell = [], 0, None
    prev_active = None
    for a, b, act, lv in run.intervals():
        others = [lv[n] for n in lv if n != act]
        down = act is None or lv[act] == "down"
        cond = down and any(o != "down" for o in others)
        if cond:
            avoid_down += b - a
        elif act is not None and lv[act] == "degraded" and any(o == "good" for o in others):
            avoid_degr += b - a
        if cond and spell is None:
            spell = a
        elif not cond and spell is not None:
            moved = act != prev_active and act is not None and lv[act] != "down"
            if moved:
                delays.append(a - spell)
            else:
                missed += 1
            spell = None
        prev_active = act
    if spell is not None:
        missed += 1
    return avoid_down, avoid_degr, delays, missed


def pct(v, q):
    if not v:
        return None
    s = sorted(v)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def quick_returns(run):
    """Indexes i of switches X->Y (i) and Y->X (i + 1) within FLAP_S, X mostly up."""
    sw, out = run.switches(), set()
    for i, ((t1, f1, to1), (t2, f2, to2)) in enumerate(zip(sw, sw[1:])):
        if to2 == f1 and f2 == to1 and t2 - t1 <= FLAP_S:
            if run.by_name[f1].down_time(t1, t2) < (t2 - t1) / 2:
                out.add(i)
    return out


def round_trips(run, skip=()):
    """A pre-emptive move X->Y that no outage of X followed before the fail-back Y->X,
    and traffic leaving X again within ROUND_TRIP_S of that fail-back: a prediction
    that sent traffic on a round trip for nothing (not counted again when the first
    two are a quick return)."""
    sw, n = run.switches(), 0
    for i in range(len(sw) - 2):
        (t1, f1, to1), (t2, f2, to2), (t3, f3, _) = sw[i], sw[i + 1], sw[i + 2]
        if (t1 in run.pre and f2 == to1 and to2 == f1 and f3 == f1 and
                t3 - t2 <= ROUND_TRIP_S and i not in skip and
                run.by_name[f1].down_time(t1, t2) == 0):
            n += 1
    return n


def flaps(run):
    quick = quick_returns(run)
    return len(quick) + round_trips(run, quick)


def max_in_window(times, w):
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] < t - w:
            j += 1
        best = max(best, i - j + 1)
    return best


def announced_outages(run):
    """(member, outage start, outage end, announcement) for announced outages."""
    out = []
    for m in run.members:
        for s, e in m.down_spells(run.duration):
            for t, kind, at in m.announcements:
                if t > s:
                    continue
                if kind == "reboot":
                    ok = at is not None and abs(at - s) <= REBOOT_SLACK_S
                else:
                    ok = s - t <= ANNOUNCE_WINDOW_S
                if ok:
                    out.append((m, s, e, (t, kind, at)))
                    break
    return out


def lead_times(run):
    leads, ridden = [], 0
    for m, s, e, (ta, kind, at) in announced_outages(run):
        if run.active(ta - 1e-6) != m.name:
            continue                     # traffic was elsewhere when it was announced
        if run.active(s - 1e-6) != m.name:
            away = [t for t, f, to in run.switches() if f == m.name and ta <= t <= s]
            if away:
                leads.append(s - away[-1])
            continue
        away = [t for t, f, to in run.switches() if f == m.name and s <= t <= e]
        if away:
            leads.append(-(away[0] - s))
        else:
            ridden += 1
    return leads, ridden


def precision(run):
    moves = justified = from_degraded = 0
    reboots = [(m, s, a) for m, s, e, a in announced_outages(run) if a[1] == "reboot"]
    for t, f, to in run.switches():
        src, dst = run.by_name[f], run.by_name[to]
        lv = src.level(t)
        if lv == "down" or dst.priority < src.priority:
            continue                     # a failover, or a move back to a preferred member
        moves += 1
        from_degraded += lv == "degraded"
        ok = any(t < s <= t + MOVE_JUSTIFY_S for s, _ in src.down_spells(run.duration))
        for m, s, (ta, _, _) in reboots:
            if ok or m is not src or not (ta <= t < s):
                continue
            stay = [t] + [x for x in run.move_t if t <= x <= s]
            ok = all(run.active(x) != f for x in stay)
        justified += ok
    return moves, justified, from_degraded


def r3(x):
    return None if x is None else round(x, 3)


def score(trace_path, out_f):
    duration, members = load_trace(trace_path)
    moves, summary, pre = load_output(out_f)
    run = Run(duration, members, moves, pre)
    avoid_down, avoid_degr, delays, missed = downtime_and_detection(run)
    leads, ridden = lead_times(run)
    mv, just, degr = precision(run)
    sw = run.switches()
    return {
        "duration_s": duration,
        "avoidable_downtime_s": r3(avoid_down),
        "avoidable_degradation_s": r3(avoid_degr),
        "switches": len(sw),
        "flaps": flaps(run),
        "round_trips": round_trips(run),
        "max_switches_per_10min": max_in_window([t for t, _, _ in sw], 600.0),
        "detection": {
            "spells": len(delays) + missed, "detected": len(delays), "missed": missed,
            "delay_median_s": r3(pct(delays, 0.5)), "delay_p95_s": r3(pct(delays, 0.95)),
            "delay_max_s": r3(max(delays) if delays else None),
            "delays_s": [r3(x) for x in delays],
        },
        "lead_time": {
            "announced_outages": len(leads) + ridden, "moved_before": sum(l > 0 for l in leads),
            "ridden_out": ridden, "leads_s": [r3(l) for l in leads],
            "median_s": r3(pct(leads, 0.5)),
        },
        "precision": {
            "moves": mv, "justified": just, "from_degraded": degr,
            "precision": r3(just / mv) if mv else None,
        },
        "policy": (summary or {}).get("policy"),
        "wall_ms": (summary or {}).get("wall_ms"),
    }


def lookup(d, dotted):
    for k in dotted.split("."):
        d = d.get(k) if isinstance(d, dict) else None
    return d


def check(fig, exp, name):
    failed = 0
    for kind, op in (("max", lambda v, x: v <= x), ("min", lambda v, x: v >= x)):
        for key, want in sorted((exp.get(kind) or {}).items()):
            v = lookup(fig, key)
            ok = v is not None and op(v, want)
            failed += not ok
            print("%s %s: %s %s %s (got %s)" % ("ok  " if ok else "FAIL", name, key,
                                               "<=" if kind == "max" else ">=", want, v))
    return failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trace")
    ap.add_argument("output")
    ap.add_argument("--check")
    ap.add_argument("--name")
    a = ap.parse_args()
    f = sys.stdin if a.output == "-" else open(a.output)
    fig = score(a.trace, f)
    if not a.check:
        json.dump(fig, sys.stdout, indent=1, sort_keys=True)
        print()
        return 0
    with open(a.check) as e:
        exp = json.load(e).get(a.name)
    if exp is None:
        print("FAIL %s: no expectations in %s" % (a.name, a.check))
        return 1
    return 1 if check(fig, exp, a.name) else 0


if __name__ == "__main__":
    sys.exit(main())

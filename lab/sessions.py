#!/usr/bin/python3
"""Tells what happened to the LAN's long-lived sessions during a run: reads
the event lines of lab/peers/lan_session.py --keep and the daemon's
decisions (autonomyctl --json decisions) and members (for the uplinks'
addresses), and prints, per session, the uplink it took, the switches it
lived through, and the switch that ended it, if one did.

usage: sessions.py SESSION_LOG... --decisions FILE --members FILE
Exit status 0; the last line says whether a session lived through a
fail-back (a `restore` decision) while being on another uplink, and whether
the sessions on a member left for a failure or a predicted outage were
reset and reconnected."""
import json
import sys
import time


def load_json(path):
    with open(path) as f:
        return json.load(f)


def addr_names(members):
    """'10.1.0.2' -> 'wan' from the members' link addresses."""
    out = {}
    for m in members:
        for a in ((m.get("link") or {}).get("addresses") or []):
            out[a.split("/")[0]] = m["name"]
    return out


def hms(t):
    return time.strftime("%H:%M:%S", time.localtime(t))


def moves(decisions):
    """Decisions that moved traffic, oldest first, with their wall time."""
    out = [d for d in decisions if d.get("from") and d.get("to") and d["type"] != "hold"]
    return sorted(out, key=lambda d: d["time_ts"])


def describe(d):
    return f"{d['type']} {d['from']} -> {d['to']} at {hms(d['time_ts'])}"


def story(sess, names, mv):
    """One session: where it went and what ended it."""
    via = names.get(sess.get("via") or "", sess.get("via") or "?")
    start, end = sess["up_t"], sess.get("end_t", float("inf"))
    # decisions are stamped to the second: a switch in the session's first
    # second may be the one it started after
    lived = [d for d in mv if start < d["time_ts"] + 1 and d["time_ts"] < end - 1 and
             d["from"] == via]
    text = f"session {sess['session']} via {via} from {hms(start)}"
    if lived:
        text += "; lived through " + ", ".join(describe(d) for d in lived)
        text += f" (longest gap {sess.get('max_gap_s', 0):.2f} s)"
    if sess.get("reset_t"):
        cause = [d for d in mv if d["from"] == via and d["time_ts"] <= sess["reset_t"] + 1]
        text += f"; reset at {hms(sess['reset_t'])}"
        if cause:
            text += f" after {describe(cause[-1])} ({cause[-1]['reason'].split(';')[0]})"
    return text, via, lived


def main():
    a = sys.argv[1:]
    decisions = load_json(a[a.index("--decisions") + 1])
    names = addr_names(load_json(a[a.index("--members") + 1]))
    logs = [p for i, p in enumerate(a) if not p.startswith("--") and
            (i == 0 or a[i - 1] not in ("--decisions", "--members"))]
    mv = moves(decisions)
    survived_failback = reconnected = False
    for path in logs:
        sessions = {}
        for line in open(path):
            e = json.loads(line)
            s = sessions.setdefault(e["session"], {"session": e["session"], "name": e["name"]})
            if e["event"] == "up":
                s.update(up_t=e["t"], via=e.get("via"))
            else:
                s.update(end_t=e["t"], max_gap_s=e.get("max_gap_s", 0))
                if e["event"] == "reset":
                    s["reset_t"] = e["t"]
        for s in sorted(sessions.values(), key=lambda x: x["session"]):
            if "up_t" not in s:
                continue
            text, via, lived = story(s, names, mv)
            print(f"  {s['name']:<13} {text}")
            survived_failback |= any(d["type"] == "restore" for d in lived)
            nxt = sessions.get(s["session"] + 1)
            reconnected |= bool(s.get("reset_t") and nxt and nxt.get("up_t"))
    print(f"  => a session lived through a fail-back: {'yes' if survived_failback else 'no'}; "
          f"sessions of a member left as failing were reset and reconnected at once: "
          f"{'yes' if reconnected else 'no'}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Reads gps_drive's JSON lines for run-gps.sh.

  gps_check.py fixes FILE [FROM_LINE]      valid fixes after line FROM_LINE
  gps_check.py match FILE CHK              every valid fix that has a time
      must be the .chk TPV of that time (lat, lon, MSL altitude, eph, speed):
      prints how many matched; exit 1 on a mismatch or none
  gps_check.py fix_t FILE N                t_ms of the Nth valid fix
  gps_check.py get FILE KEY                KEY of the last state/end line
  gps_check.py lines FILE                  number of lines so far
A line that is not JSON (a partial last line) is skipped.
"""
import json
import sys


def records(path, start=0):
    out = []
    with open(path) as f:
        for i, line in enumerate(f):
            if i < start:
                continue
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def chk_by_time(path):
    import calendar
    import time
    by = {}
    with open(path) as f:
        for line in f:
            if not line.startswith("{"):
                continue
            o = json.loads(line)
            if o.get("class") == "TPV" and "time" in o:
                t = calendar.timegm(time.strptime(o["time"][:19], "%Y-%m-%dT%H:%M:%S"))
                by[t] = o
    return by


def close(a, b, tol):
    return a is not None and b is not None and abs(a - b) <= tol


def match(path, chk):
    by = chk_by_time(chk)
    n = sats = 0
    for r in records(path):
        if r.get("ev") != "fix" or not r["valid"] or not r["time"]:
            continue
        o = by.get(r["time"])
        if o is None:
            print("fix at %d: no .chk TPV of that time" % r["time"])
            return 1
        want = [("lat", o["lat"], 1e-9), ("lon", o["lon"], 1e-9),
                ("alt", o["altMSL"], 1e-6), ("acc", o["eph"], 1e-6)]
        for key, val, tol in want:
            if not close(r[key], val, tol):
                print("fix at %d: %s %r, .chk says %r" % (r["time"], key, r[key], val))
                return 1
        # satellites come from SKY: none before a connection's first one
        if r["mode"] != o["mode"] or r["sats"] not in (-1, 7, 8):
            print("fix at %d: mode %r sats %r" % (r["time"], r["mode"], r["sats"]))
            return 1
        n += 1
        sats += r["sats"] > 0
    print("%d (%d with satellites)" % (n, sats))
    return 0 if n and sats else 1


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "fixes":
        start = int(sys.argv[3]) if len(sys.argv) > 3 else 0
        print(sum(1 for r in records(path, start) if r.get("ev") == "fix" and r["valid"]))
    elif cmd == "fix_t":
        f = [r for r in records(path) if r.get("ev") == "fix" and r["valid"]]
        n = int(sys.argv[3])
        print(f[n - 1]["t_ms"] if len(f) >= n else "")
    elif cmd == "match":
        return match(path, sys.argv[3])
    elif cmd == "get":
        st = [r for r in records(path) if r.get("ev") in ("state", "end")]
        print(st[-1].get(sys.argv[3], "") if st else "")
    elif cmd == "lines":
        with open(path) as f:
            print(sum(1 for _ in f))
    else:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

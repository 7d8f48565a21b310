#!/usr/bin/python3
"""Play a timed impairment script against the lab (lab/README.md, "Scenarios").

    scenario.py [--prefix P] [--speed X] [--map MEMBER=UPLINK,...] [--restore]
                [--dry-run] [--keep-going] FILE

FILE is JSON Lines, one step per line ('#' lines and blank lines are skipped):
    {"t":2.0, "uplink":"sl", "impair":{"delay":50, "loss":10}}
    {"t":5,   "uplink":"sl", "action":"blackhole"}
    {"t":7,   "uplink":"lte", "carrier":false}
    {"t":8,   "uplink":"wan", "path":{"rtt_ms":120, "jitter_ms":15, "loss":0.02}}
    {"t":9,   "uplink":"all", "action":"restore", "note":"all good again"}
    {"t":10,  "dish":{"cmd":"patch","status":{"obstruction_stats":{"currently_obstructed":true}}}}
    {"t":11,  "dish":{"cmd":"reboot"}, "reboot_in_s":25}
Keys of a step:
  t        seconds from the start (float, non-decreasing), on the monotonic clock
  uplink   wan | sl | lte | all   (or "member", mapped through --map / a trace header)
  action   cut | uncut | blackhole | unblackhole | clear | restore | route-default | mark
  carrier  false = cut, true = uncut (the replay trace's vocabulary)
  impair   any of delay, jitter (ms, round trip), loss (%), burst, rate (kbit/s),
           lossdir, delaydir, reorder, seed: as impair.sh; keys not given keep their value
  path     the replay trace's vocabulary: rtt_ms (applied as added delay: the lab's own
           RTT is ~0.1 ms), jitter_ms, loss (0..1; 1 = everything lost, carrier up)
  dish     a control command for the dish emulator (lab/dish.sh ctl; tests/dish/README.md):
           {"cmd":"patch","status":{...}}, {"cmd":"mode","mode":"hang"}, {"cmd":"reboot"}
  reboot_in_s  N: the dish announces a software-update reboot N s from now (a status
           patch with software_update_stats.reboot_scheduled_utc_time = now + N)
  note     free text, echoed in the output
One step may combine them; they are applied in the order action, carrier, path, impair,
dish.
A replay trace (first line {"format":"autonomy-trace/1", "members":[...]}) plays as well:
members map to uplinks by class (starlink -> sl, cellular -> lte, others -> wan) unless
--map says otherwise, each member starts with the trace's default path (rtt 30 ms,
jitter 2 ms), and telemetry keys (starlink, cellular, wifi, gps, wall) are reported as
ignored, except `starlink` objects, which become status patches of the dish emulator
when one runs (lab/dish.sh start), with reboot times moved to the run's wall clock
(by the trace's `wall` lines). Its duration_s is waited out at the end.

Prints one JSON line per step applied, with the planned time "t", the actual start "at"
(seconds since the scenario started, monotonic), "took_ms", the wall clock "wall" and the
commands run. Exits 0 when every step applied, 1 otherwise, 2 for a malformed file.
"""
import argparse
import json
import os
import shlex
import signal
import subprocess
import sys
import time

LAB_DIR = os.path.dirname(os.path.abspath(__file__))
IMPAIR = os.path.join(LAB_DIR, "impair.sh")
LABSH = os.path.join(LAB_DIR, "lab.sh")
DISHSH = os.path.join(LAB_DIR, "dish.sh")
UPLINKS = ("wan", "sl", "lte")
ACTIONS = ("cut", "uncut", "blackhole", "unblackhole", "clear", "restore", "route-default", "mark")
IMPAIR_KEYS = ("delay", "jitter", "loss", "burst", "rate", "lossdir", "delaydir", "reorder", "seed")
TELEMETRY_KEYS = ("cellular", "wifi", "gps", "wall")
CLASS_UPLINK = {"starlink": "sl", "cellular": "lte"}
TRACE_DEFAULT_PATH = {"rtt_ms": 30, "jitter_ms": 2, "loss": 0}


class BadScenario(Exception):
    pass


def fmt(v):
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def path_args(path, where):
    args = []
    for key, val in path.items():
        if key == "rtt_ms":
            args += ["delay", fmt(float(val))]
        elif key == "jitter_ms":
            args += ["jitter", fmt(float(val))]
        elif key == "loss":
            if not 0 <= float(val) <= 1:
                raise BadScenario("%s: path.loss is a probability 0..1" % where)
            args += ["loss", fmt(round(float(val) * 100, 4))]
        else:
            raise BadScenario("%s: unknown path key %r" % (where, key))
    return args


def step_commands(step, uplink, where):
    """The commands (argv lists) one step runs, in order."""
    cmds = []
    action = step.get("action")
    if action is not None:
        if action not in ACTIONS:
            raise BadScenario("%s: unknown action %r" % (where, action))
        if action == "route-default":
            cmds.append([LABSH, "route-default", uplink])
        elif action != "mark":
            cmds.append([IMPAIR, uplink, action])
    if "carrier" in step:
        if not isinstance(step["carrier"], bool):
            raise BadScenario("%s: carrier is true or false" % where)
        cmds.append([IMPAIR, uplink, "uncut" if step["carrier"] else "cut"])
    args = []
    if "path" in step:
        if not isinstance(step["path"], dict):
            raise BadScenario("%s: path is an object" % where)
        args += path_args(step["path"], where)
    if "impair" in step:
        if not isinstance(step["impair"], dict):
            raise BadScenario("%s: impair is an object" % where)
        for key, val in step["impair"].items():
            if key not in IMPAIR_KEYS:
                raise BadScenario("%s: unknown impair key %r" % (where, key))
            args += [key, fmt(val)]
    if args:
        cmds.append([IMPAIR, uplink] + args)
    return cmds


def dish_steps(obj, members, wall0, where):
    """The dish emulator commands of one step, as functions of the run's
    start (wall clock), so that times move with the run."""
    out = []
    if "dish" in obj:
        if not isinstance(obj["dish"], dict) or "cmd" not in obj["dish"]:
            raise BadScenario("%s: dish is a control command object with a cmd" % where)
        out.append(lambda start, c=obj["dish"]: c)
    if "reboot_in_s" in obj:
        n = obj["reboot_in_s"]
        if isinstance(n, bool) or not isinstance(n, (int, float)) or n <= 0:
            raise BadScenario("%s: reboot_in_s is a number of seconds > 0" % where)
        out.append(lambda start, n=n: {"cmd": "patch", "status": {"software_update_stats": {
            "software_update_state": "REBOOT_REQUIRED",
            "reboot_scheduled_utc_time": int(time.time() + n)}}})
    st = obj.get("starlink")
    if isinstance(st, dict) and (members is None or
                                 (members or {}).get(obj.get("member")) == "sl"):
        def patch(start, st=st):
            st = json.loads(json.dumps(st))
            su = st.get("software_update_stats")
            r = su.get("reboot_scheduled_utc_time") if isinstance(su, dict) else None
            if isinstance(r, (int, float)) and wall0 is not None:
                su["reboot_scheduled_utc_time"] = int(r - wall0 + start)
            return {"cmd": "patch", "status": st}
        out.append(patch)
    return out


def parse(path, mapping):
    """Return (steps, end_t); steps are dicts with t, uplink, cmds, note, ignored."""
    steps, members, end_t, last_t = [], None, None, 0.0
    wall0 = [None]                      # a trace's wall clock at its t = 0
    with open(path) as f:
        lines = f.read().splitlines()
    for n, line in enumerate(lines, 1):
        where = "%s:%d" % (path, n)
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise BadScenario("%s: not JSON: %s" % (where, e))
        if not isinstance(obj, dict):
            raise BadScenario("%s: a step is a JSON object" % where)
        if "format" in obj and not steps and members is None:
            if not str(obj["format"]).startswith("autonomy-trace/"):
                raise BadScenario("%s: unknown format %r" % (where, obj["format"]))
            members = {}
            for m in obj.get("members", []):
                name = m["name"]
                members[name] = mapping.get(name) or (name if name in UPLINKS else
                                                      CLASS_UPLINK.get(m.get("class"), "wan"))
            used = list(members.values())
            dup = {u for u in used if used.count(u) > 1}
            if dup:
                raise BadScenario("%s: members share uplink(s) %s: use --map" % (where, ",".join(sorted(dup))))
            for name, up in members.items():
                steps.append({"t": 0.0, "uplink": up, "member": name, "note": "trace default path",
                              "cmds": [[IMPAIR, up] + path_args(TRACE_DEFAULT_PATH, where)],
                              "dish": [], "ignored": []})
            if "duration_s" in obj:
                end_t = float(obj["duration_s"])
            continue
        if "t" not in obj or isinstance(obj["t"], bool) or not isinstance(obj["t"], (int, float)):
            raise BadScenario("%s: every step needs a numeric t" % where)
        t = float(obj["t"])
        if t < last_t:
            raise BadScenario("%s: t=%g goes back in time (previous %g)" % (where, t, last_t))
        last_t = t
        member = obj.get("member")
        uplink = obj.get("uplink")
        if uplink is None and member is not None:
            uplink = mapping.get(member) or (members or {}).get(member) or (member if member in UPLINKS else None)
            if uplink is None:
                raise BadScenario("%s: member %r maps to no uplink (use --map)" % (where, member))
        if "wall" in obj:
            wall0[0] = float(obj["wall"]) - t
        dish = dish_steps(obj, members, wall0[0], where)
        ignored = sorted(k for k in obj if k in TELEMETRY_KEYS)
        known = {"t", "uplink", "member", "action", "carrier", "impair", "path", "note",
                 "dish", "reboot_in_s", "starlink"}
        ignored += sorted(k for k in obj if k not in known and k not in TELEMETRY_KEYS)
        if uplink is None or dish:
            if uplink is None and any(k in obj for k in ("action", "carrier", "impair", "path")) and obj.get("action") != "mark":
                raise BadScenario("%s: step without uplink" % where)
            cmds = []
        if uplink is not None:
            if uplink not in UPLINKS + ("all",):
                raise BadScenario("%s: unknown uplink %r" % (where, uplink))
            if uplink == "all" and (obj.get("action") == "route-default"):
                raise BadScenario("%s: route-default needs one uplink" % where)
            cmds = step_commands(obj, uplink, where)
        steps.append({"t": t, "uplink": uplink, "member": member, "note": obj.get("note"),
                      "cmds": cmds, "dish": dish, "ignored": ignored})
    return steps, end_t


def main():
    ap = argparse.ArgumentParser(description="Play a timed impairment scenario against the lab.",
                                 epilog="File format: see the top of this file or lab/README.md.")
    ap.add_argument("file")
    ap.add_argument("--prefix", help="LAB_PREFIX of the lab to drive (default: environment or 'al')")
    ap.add_argument("--speed", type=float, default=1.0, help="play X times faster (default 1)")
    ap.add_argument("--map", default="", help="member=uplink pairs, comma-separated")
    ap.add_argument("--restore", action="store_true", help="restore all uplinks at the end")
    ap.add_argument("--dry-run", action="store_true", help="validate and print the plan only")
    ap.add_argument("--keep-going", action="store_true", help="do not stop at a failed step")
    args = ap.parse_args()
    if args.prefix:
        os.environ["LAB_PREFIX"] = args.prefix
    if args.speed <= 0:
        ap.error("--speed must be > 0")
    mapping = {}
    for pair in filter(None, args.map.split(",")):
        m, _, u = pair.partition("=")
        if u not in UPLINKS:
            ap.error("--map %s: uplink must be one of %s" % (pair, ", ".join(UPLINKS)))
        mapping[m] = u
    try:
        steps, end_t = parse(args.file, mapping)
    except (BadScenario, OSError) as e:
        print("scenario: %s" % e, file=sys.stderr)
        return 2

    def out(rec):
        print(json.dumps(rec), flush=True)

    if args.dry_run:
        for s in steps:
            out({"t": s["t"], "uplink": s["uplink"], "run": [shlex.join([os.path.basename(c[0])] + c[1:]) for c in s["cmds"]] +
                 ["dish.sh ctl " + json.dumps(fn(time.time())) for fn in s["dish"]],
                 **({"note": s["note"]} if s["note"] else {}),
                 **({"ignored": s["ignored"]} if s["ignored"] else {})})
        return 0

    # start the impairment daemons of the uplinks involved, so that steps are on time
    used = {s["uplink"] for s in steps if s["cmds"] and s["uplink"]}
    for up in sorted(UPLINKS if "all" in used else used):
        p = subprocess.run([IMPAIR, up, "start"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if p.returncode:
            print("scenario: %s" % p.stdout.strip(), file=sys.stderr)
            return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    failed = 0
    t0 = time.monotonic()
    wall_start = time.time()
    try:
        for s in steps:
            due = t0 + s["t"] / args.speed
            while True:
                left = due - time.monotonic()
                if left <= 0:
                    break
                time.sleep(min(left, 0.5))
            at = time.monotonic() - t0
            rec = {"t": s["t"], "at": round(at, 4), "wall": round(time.time(), 3)}
            if s["uplink"]:
                rec["uplink"] = s["uplink"]
            if s.get("member"):
                rec["member"] = s["member"]
            ok = True
            ran = []
            for c in s["cmds"]:
                p = subprocess.run(c, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                ran.append(shlex.join([os.path.basename(c[0])] + c[1:]))
                if p.returncode:
                    ok = False
                    rec["error"] = p.stdout.strip() or "exit %d" % p.returncode
                    break
            for fn in s["dish"] if ok else ():
                c = [DISHSH, "ctl", json.dumps(fn(wall_start))]
                p = subprocess.run(c, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                ran.append("dish.sh ctl " + c[2])
                if p.returncode or '"ok":false' in p.stdout.replace(" ", ""):
                    ok = False
                    rec["error"] = p.stdout.strip() or "exit %d" % p.returncode
                    break
            rec["took_ms"] = round((time.monotonic() - t0 - at) * 1000, 1)
            rec["run"] = ran
            if s["note"]:
                rec["note"] = s["note"]
            if s["ignored"]:
                rec["ignored"] = s["ignored"]
            rec["ok"] = ok
            out(rec)
            if not ok:
                failed += 1
                if not args.keep_going:
                    break
        if end_t is not None and not failed:
            due = t0 + end_t / args.speed
            while time.monotonic() < due:
                time.sleep(min(due - time.monotonic(), 0.5))
            out({"t": end_t, "at": round(time.monotonic() - t0, 4), "event": "end"})
    except KeyboardInterrupt:
        failed += 1
        out({"event": "interrupted", "at": round(time.monotonic() - t0, 4)})
    finally:
        if args.restore:
            p = subprocess.run([IMPAIR, "all", "restore"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            out({"event": "restored", "at": round(time.monotonic() - t0, 4), "ok": p.returncode == 0})
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

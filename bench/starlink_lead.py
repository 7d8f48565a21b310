#!/usr/bin/python3
"""Lead time and precision of autonomy's Starlink predictions, on the replay
traces whose outages the dish announces (a scheduled reboot, a stow, a
thermal shutdown, obstructions building up, obstructions recurring at a
place) and on one without announcements, over several seeds. Prints one
JSON document.

    bench/starlink_lead.py [--build DIR | --bin PROG] [--seeds N] [--config FILE]

Targets (issue "Starlink"): traffic moved >= 1 s before >= 80 % of the
announced outages, and >= 80 % of the pre-emptive switches justified by an
outage that followed (tests/replay/score.py: "lead time", "precision"); no
pre-emptive switch on the trace without announcements.
Standard library only; needs a build (default: build/).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "replay"))
import score  # noqa: E402

TRACES = ["reboot_announced", "obstruction", "starlink_precursors", "obstruction_learning"]
QUIET = "starlink_quiet"


def run(prog, trace, seed, config):
    path = os.path.join(ROOT, "tests", "replay", "traces", trace + ".jsonl")
    argv = [prog, "--replay", path, "--seed", str(seed)] + (["-c", config] if config else [])
    with tempfile.TemporaryFile("w+") as out:
        subprocess.run(argv, stdout=out, check=True)
        out.seek(0)
        return score.score(path, out)


def pct(v, q):
    s = sorted(v)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] if s else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--bin")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--config")
    a = ap.parse_args()
    prog = a.bin or os.path.join(a.build, "autonomyd")
    per, leads = {}, []
    announced = moved = moves = justified = 0
    for t in TRACES:
        row = {"announced": 0, "moved_1s_before": 0, "preemptive_moves": 0, "justified": 0,
               "avoidable_downtime_s": 0.0}
        for seed in range(1, a.seeds + 1):
            f = run(prog, t, seed, a.config)
            lt, pr = f["lead_time"], f["precision"]
            ls = [x for x in lt["leads_s"] if x is not None]
            row["announced"] += lt["announced_outages"]
            row["moved_1s_before"] += sum(x >= 1 for x in ls)
            row["preemptive_moves"] += pr["moves"]
            row["justified"] += pr["justified"]
            row["avoidable_downtime_s"] += f["avoidable_downtime_s"]
            leads += [x for x in ls if x > 0]
        row["avoidable_downtime_s"] = round(row["avoidable_downtime_s"] / a.seeds, 3)
        per[t] = row
        announced += row["announced"]
        moved += row["moved_1s_before"]
        moves += row["preemptive_moves"]
        justified += row["justified"]
    quiet = [run(prog, QUIET, seed, a.config)["precision"]["moves"]
             for seed in range(1, a.seeds + 1)]
    doc = {
        "seeds": a.seeds,
        "traces": per,
        "announced_outages": announced,
        "moved_1s_before": moved,
        "moved_1s_before_share": round(moved / announced, 3) if announced else None,
        "lead_s": {"median": pct(leads, 0.5), "p10": pct(leads, 0.1), "max": pct(leads, 1.0)},
        "preemptive_moves": moves,
        "justified": justified,
        "precision": round(justified / moves, 3) if moves else None,
        "quiet_trace_preemptive_moves": sum(quiet),
        "targets_met": bool(announced and moved / announced >= 0.8 and
                            (not moves or justified / moves >= 0.8) and sum(quiet) == 0),
    }
    json.dump(doc, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

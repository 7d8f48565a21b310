#!/usr/bin/python3
"""Switches and flaps per 24 h on healthy links whose telemetry wanders as
real figures do (tests/replay/gen_traces.py "noisy", docs/noise-model.md):
each noisy trace class regenerated with several noise seeds, replayed, and
scored by tests/replay/score.py. With --before PROG, the same traces through
another build (the code before issue 12's part 2) for comparison. Prints one
JSON document.

    bench/predict_noise.py [--build DIR | --bin PROG] [--before PROG]
                           [--noise-seeds N] [-j N]

Target (issue 12): at most one switch per 24 h and no flap on every trace.
Standard library only; needs a build (default: build/).
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "replay"))
import gen_traces  # noqa: E402
import score  # noqa: E402

# class -> trace for a noise seed (the committed library uses the first seed)
CLASSES = {
    "noisy_loss10": lambda s: gen_traces.noisy_loss(0.10, s),
    "noisy_loss20": lambda s: gen_traces.noisy_loss(0.20, s),
    "noisy_healthy": gen_traces.noisy_healthy,
    "noisy_lte_primary": gen_traces.noisy_lte_primary,
    "noisy_wifi_primary": gen_traces.noisy_wifi_primary,
}
FIRST_SEED = {"noisy_loss10": 39, "noisy_loss20": 40, "noisy_healthy": 41,
              "noisy_lte_primary": 42, "noisy_wifi_primary": 43}


def replay(prog, path):
    with tempfile.TemporaryFile("w+") as out:
        subprocess.run([prog, "--replay", path, "--seed", "1"], stdout=out, check=True)
        out.seek(0)
        pre = sum(1 for x in out if '"event":"switch"' in x and score.preemptive(json.loads(x)))
        out.seek(0)
        f = score.score(path, out)
    days = f["duration_s"] / 86400
    return {"switches_per_day": round(f["switches"] / days, 2), "flaps": f["flaps"],
            "round_trips": f["round_trips"], "preemptive_moves": pre,
            "avoidable_downtime_s": f["avoidable_downtime_s"]}


def summary(runs):
    sw = sorted(r["switches_per_day"] for r in runs)
    return {"switches_per_day": sw, "mean": round(sum(sw) / len(sw), 2), "max": max(sw),
            "flaps": sum(r["flaps"] for r in runs),
            "preemptive_moves": sum(r["preemptive_moves"] for r in runs),
            "avoidable_downtime_s": round(sum(r["avoidable_downtime_s"] for r in runs), 3),
            "met": all(r["switches_per_day"] <= 1 and r["flaps"] == 0 for r in runs)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--bin")
    ap.add_argument("--before")
    ap.add_argument("--noise-seeds", type=int, default=5)
    ap.add_argument("-j", type=int, default=2)
    a = ap.parse_args()
    progs = {"after": a.bin or os.path.join(a.build, "autonomyd")}
    if a.before:
        progs["before"] = a.before
    tmp = tempfile.mkdtemp(prefix="predict-noise-")
    jobs = []
    for cls, make in CLASSES.items():
        for k in range(a.noise_seeds):
            seed = FIRST_SEED[cls] + 100 * k
            path = os.path.join(tmp, "%s-%d.jsonl" % (cls, seed))
            with open(path, "w") as f:
                f.write(make(seed).text())
            jobs += [(cls, seed, which, prog, path) for which, prog in progs.items()]
    res = {}
    with concurrent.futures.ThreadPoolExecutor(a.j) as ex:
        futs = {ex.submit(replay, prog, path): (cls, which) for cls, _, which, prog, path in jobs}
        for fu in concurrent.futures.as_completed(futs):
            cls, which = futs[fu]
            res.setdefault(cls, {}).setdefault(which, []).append(fu.result())
    for _, _, _, _, path in jobs:
        if os.path.exists(path):
            os.unlink(path)
    os.rmdir(tmp)
    doc = {"noise_seeds": a.noise_seeds, "traces": {
        cls: {which: summary(runs) for which, runs in sorted(v.items())}
        for cls, v in sorted(res.items())}}
    doc["targets_met"] = all(v["after"]["met"] for v in doc["traces"].values())
    json.dump(doc, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Runs every replay trace through every policy (autonomy, mwan3, mwan3-10s,
pfsense) on the same simulated network and seed, scores each run with
tests/replay/score.py and prints one JSON comparison: per trace and policy
the avoidable downtime, avoidable degradation, switches, flaps and detection
delay, totals per policy, and the targets (docs/replay.md).

    bench/replay_compare.py [--build DIR | --bin PROG] [--long] [--seed N]
                            [--traces DIR] [--policies a,b] [-j N]

--long adds the 30-day traces (generated into a temporary directory).
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
import score  # noqa: E402  (tests/replay/score.py)

POLICIES = ["autonomy", "mwan3", "mwan3-10s", "pfsense"]
BASELINES = ["mwan3", "mwan3-10s", "pfsense"]
STEADY_LOSS = ("loss10", "loss20", "loss10_30d", "loss20_30d")


def run_one(prog, trace, policy, seed):
    with tempfile.TemporaryFile("w+") as out:
        rc = subprocess.run([prog, "--replay", trace, "--seed", str(seed), "--policy", policy],
                            stdout=out, stderr=subprocess.PIPE, text=True)
        if rc.returncode != 0:
            raise RuntimeError("%s %s: exit %d: %s" % (trace, policy, rc.returncode,
                                                       rc.stderr.strip()))
        out.seek(0)
        fig = score.score(trace, out)
    d = fig["detection"]
    days = fig.get("duration_s", 0)
    return {
        "avoidable_downtime_s": fig["avoidable_downtime_s"],
        "avoidable_degradation_s": fig["avoidable_degradation_s"],
        "switches": fig["switches"], "flaps": fig["flaps"],
        "max_switches_per_10min": fig["max_switches_per_10min"],
        "detection_delay_median_s": d["delay_median_s"],
        "detection_delay_p95_s": d["delay_p95_s"],
        "missed_spells": d["missed"], "delays_s": d["delays_s"],
        "wall_ms": fig["wall_ms"], "_days": days,
    }


def totals(results, policy):
    runs = [r[policy] for r in results.values() if policy in r]
    delays = sorted(x for r in runs for x in r["delays_s"])
    return {
        "avoidable_downtime_s": round(sum(r["avoidable_downtime_s"] for r in runs), 3),
        "avoidable_degradation_s": round(sum(r["avoidable_degradation_s"] for r in runs), 3),
        "switches": sum(r["switches"] for r in runs),
        "flaps": sum(r["flaps"] for r in runs),
        "missed_spells": sum(r["missed_spells"] for r in runs),
        "detection_delay_median_s": score.r3(score.pct(delays, 0.5)),
        "detection_delay_p95_s": score.r3(score.pct(delays, 0.95)),
        "wall_ms": sum(r["wall_ms"] or 0 for r in runs),
    }


def targets(results, tot):
    base = [p for p in BASELINES if p in tot]
    if "autonomy" not in tot or not base:
        return {}
    best = min(base, key=lambda p: tot[p]["avoidable_downtime_s"])
    a = tot["autonomy"]
    ratio = (tot[best]["avoidable_downtime_s"] / a["avoidable_downtime_s"]
             if a["avoidable_downtime_s"] > 0 else None)
    out = {
        "better_baseline": best,
        "downtime_ratio": score.r3(ratio),
        "downtime_10x_less": ratio is None or ratio >= 10,
        "no_more_switches": a["switches"] <= tot[best]["switches"],
    }
    for name in STEADY_LOSS:
        r = results.get(name, {}).get("autonomy")
        if r:
            out[name + "_at_most_one_switch_no_flap"] = r["switches"] <= 1 and r["flaps"] == 0
            for p in BASELINES:
                if p in results[name]:
                    out[name + "_" + p + "_switches_per_day"] = round(
                        results[name][p]["switches"] / (results[name][p]["_days"] / 86400), 1)
    return out


def find_prog(a):
    if a.bin:
        return a.bin
    helper = os.path.join(ROOT, "tests", "replay", "replay_bin.sh")
    return subprocess.check_output([helper, a.build], text=True).strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--bin")
    ap.add_argument("--traces", default=os.path.join(ROOT, "tests", "replay", "traces"))
    ap.add_argument("--long", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--policies", default=",".join(POLICIES))
    ap.add_argument("-j", type=int, default=os.cpu_count() or 2)
    a = ap.parse_args()
    prog = find_prog(a)
    traces = {f[:-6]: os.path.join(a.traces, f) for f in sorted(os.listdir(a.traces))
              if f.endswith(".jsonl")}
    tmp = None
    if a.long:
        tmp = tempfile.mkdtemp(prefix="replay-long.")
        subprocess.check_call([sys.executable, os.path.join(ROOT, "tests", "replay",
                                                            "gen_traces.py"),
                               "--long", "--out", tmp], stdout=subprocess.DEVNULL)
        traces.update({f[:-6]: os.path.join(tmp, f) for f in sorted(os.listdir(tmp))})
    policies = a.policies.split(",")
    results = {n: {} for n in traces}
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.j) as ex:
        jobs = {ex.submit(run_one, prog, t, p, a.seed): (n, p)
                for n, t in traces.items() for p in policies}
        for j in concurrent.futures.as_completed(jobs):
            n, p = jobs[j]
            results[n][p] = j.result()
    tot = {p: totals(results, p) for p in policies}
    tgt = targets(results, tot)
    for r in results.values():
        for v in r.values():
            v.pop("delays_s")
            v.pop("_days")
    doc = {"seed": a.seed, "program": prog, "traces": results, "totals": tot, "targets": tgt}
    json.dump(doc, sys.stdout, indent=1)
    print()
    if tmp:
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        os.rmdir(tmp)


if __name__ == "__main__":
    main()

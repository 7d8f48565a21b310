#!/usr/bin/python3
"""Lead time and precision of every predictor (precursor kind), on the replay
library: the Starlink traces with announced outages and the one without,
the cellular and Wi-Fi fades (noise-free, and with a real modem's or radio's
noise on top under several noise seeds), and the 24-hour noisy-but-healthy
traces, where any pre-emptive move is a false alarm. Prints one JSON
document.

    bench/predict_lead.py [--build DIR | --bin PROG] [--seeds N] [--noise-seeds N] [-j N]

Per kind (the replay names it on each pre-emptive move, "precursor"):
  moves / justified / precision   a pre-emptive move away from a member is
        justified when that member is down at some time within the kind's
        horizon after it (the engine's: cellular_fade 300 s, wifi_fade 180 s,
        obstruction 120 s, planned 300 s, outage 30 s: the dish reporting an
        outage is right when the probes see one);
  outages / moved_1s_before / lead_s   outages a precursor could see coming:
        for Starlink the announced ones (tests/replay/score.py), for the fade
        traces the outage that ends each fade; lead = outage start minus the
        last pre-emptive move away from that member before it.
Targets (issue 12): >= 1 s lead on >= 80 % of announced outages, precision
>= 80 %. Standard library only; needs a build (default: build/).
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

LIB = os.path.join(ROOT, "tests", "replay", "traces")
STARLINK = ["reboot_announced", "obstruction", "starlink_precursors", "obstruction_learning",
            "starlink_quiet"]
FADES = {"cellular_fade": ("lte", "cellular_fade_noisy"), "wifi_fade": ("wifi", "wifi_fade_noisy")}
HORIZON = {"cellular_fade": 300, "wifi_fade": 180, "obstruction": 120, "planned": 300,
           "outage": 30}


def kind_of(e):
    k = e.get("precursor")
    if k:
        return k
    return "other" if "outage predicted" in (e.get("reason") or "") else None


def run(prog, path, seed, fade_member):
    with tempfile.TemporaryFile("w+") as out:
        subprocess.run([prog, "--replay", path, "--seed", str(seed)], stdout=out, check=True)
        out.seek(0)
        lines = [json.loads(x) for x in out if x.strip()]
        out.seek(0)
        fig = score.score(path, out)
    duration, members = score.load_trace(path)
    by = {m.name: m for m in members}
    pre = [(float(e["t"]), e["from"], kind_of(e)) for e in lines
           if e.get("event") == "switch" and kind_of(e)]
    res = {"moves": [], "leads": []}
    for t, frm, k in pre:
        spells = by[frm].down_spells(duration)
        ok = any(s <= t + HORIZON.get(k, 120) and e > t for s, e in spells)
        res["moves"].append((k, ok))
    if fade_member:                     # the outage that ends the fade
        s = next((s for s, _ in by[fade_member].down_spells(duration)), None)
        away = [t for t, f, _ in pre if f == fade_member and s is not None and t < s]
        res["leads"].append((s - away[-1]) if away else None)
    else:
        lt = fig["lead_time"]
        res["leads"] = [x for x in lt["leads_s"]] + [None] * lt["ridden_out"]
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--bin")
    ap.add_argument("--seeds", type=int, default=10, help="replay seeds per library trace")
    ap.add_argument("--noise-seeds", type=int, default=10, help="noise seeds per fade")
    ap.add_argument("-j", type=int, default=2)
    a = ap.parse_args()
    prog = a.bin or os.path.join(a.build, "autonomyd")
    tmp = tempfile.mkdtemp(prefix="predict-lead-")
    jobs = []                            # (group, path, seed, fade member)
    for t in STARLINK:
        jobs += [("starlink", os.path.join(LIB, t + ".jsonl"), s, None)
                 for s in range(1, a.seeds + 1)]
    for kind, (member, noisy) in FADES.items():
        jobs += [(kind, os.path.join(LIB, kind + ".jsonl"), s, member)
                 for s in range(1, a.seeds + 1)]
        for k in range(a.noise_seeds):
            path = os.path.join(tmp, "%s-%d.jsonl" % (noisy, k))
            with open(path, "w") as f:
                f.write(getattr(gen_traces, noisy)(1000 + k).text())
            jobs.append((kind, path, 1, member))
    for name, make in sorted(gen_traces.NOISY.items()):
        path = os.path.join(tmp, name + ".jsonl")
        with open(path, "w") as f:
            f.write(make().text())
        jobs.append(("noisy", path, 1, None))
    kinds, outages = {}, {}
    with concurrent.futures.ThreadPoolExecutor(a.j) as ex:
        futs = {ex.submit(run, prog, p, s, m): g for g, p, s, m in jobs}
        for fu in concurrent.futures.as_completed(futs):
            g, r = futs[fu], fu.result()
            for k, ok in r["moves"]:
                d = kinds.setdefault(k, {"moves": 0, "justified": 0})
                d["moves"] += 1
                d["justified"] += ok
            if g != "noisy":
                outages.setdefault(g, []).extend(r["leads"])
    for name in os.listdir(tmp):
        os.unlink(os.path.join(tmp, name))
    os.rmdir(tmp)
    for d in kinds.values():
        d["precision"] = round(d["justified"] / d["moves"], 3)
    lead = {}
    for g, v in sorted(outages.items()):
        got = [x for x in v if x is not None and x > 0]
        lead[g] = {"outages": len(v), "moved_1s_before": sum(x >= 1 for x in got),
                   "share": round(sum(x >= 1 for x in got) / len(v), 3) if v else None,
                   "lead_s": {"median": score.pct(got, 0.5), "p10": score.pct(got, 0.1)}}
    moves = sum(d["moves"] for d in kinds.values())
    just = sum(d["justified"] for d in kinds.values())
    doc = {"seeds": a.seeds, "noise_seeds": a.noise_seeds, "precision_by_kind": kinds,
           "lead_by_predictor": lead,
           "precision": round(just / moves, 3) if moves else None,
           "targets_met": bool(all(x["share"] >= 0.8 for x in lead.values() if x["share"] is not None)
                               and (not moves or just / moves >= 0.8))}
    json.dump(doc, sys.stdout, indent=1, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

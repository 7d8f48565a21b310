#!/usr/bin/python3
"""False `down` reports per hour under random loss, on the real daemon in the
lab. Each lossy uplink is the only member of its own autonomyd, so it stays
the active (most often probed) member for the whole run.

usage: bench/false_down.py [--seconds N] [--build DIR]   (root)
Prints one JSON object."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CASES = [("sl", 20), ("lte", 10)]


def sh(*a, **kw):
    return subprocess.run(a, check=True, capture_output=True, text=True, **kw)


def member_conf(dev):
    return (f"config autonomy 'main'\n\toption backend 'none'\n"
            f"config member '{dev}'\n\toption device '{dev}'\n"
            f"\tlist target '198.51.100.1'\n\tlist target '198.51.100.2'\n"
            f"\tlist target '203.0.113.1'\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=3600)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = ap.parse_args()
    prefix = f"fd{os.getpid() % 100000}"
    env = dict(os.environ, LAB_PREFIX=prefix)
    tmp = tempfile.mkdtemp(prefix="false-down-")
    sh(os.path.join(ROOT, "lab/lab.sh"), "up", env=env)
    procs = []
    try:
        for dev, loss in CASES:
            sh(os.path.join(ROOT, "lab/impair.sh"), dev, "loss", str(loss), env=env)
            conf = os.path.join(tmp, dev + ".conf")
            open(conf, "w").write(member_conf(dev))
            log = open(os.path.join(tmp, dev + ".log"), "w")
            procs.append(subprocess.Popen(
                ["ip", "netns", "exec", prefix + "-router",
                 os.path.join(args.build, "autonomyd"), "-f", "-c", conf,
                 "-s", os.path.join(tmp, dev + ".sock"), "-p", os.path.join(tmp, dev + ".pid")],
                stdout=log, stderr=log))
        time.sleep(args.seconds)
        result = {"seconds": args.seconds, "cases": []}
        for dev, loss in CASES:
            r = sh(os.path.join(args.build, "autonomyctl"), "-s",
                   os.path.join(tmp, dev + ".sock"), "--json", "members")
            m = json.loads(r.stdout)[0]
            log = open(os.path.join(tmp, dev + ".log")).read()
            downs = log.count(f"{dev}: down")
            hours = args.seconds / 3600
            result["cases"].append({
                "member": dev, "loss_pct_set": loss,
                "loss_pct_measured": m["loss_pct"], "probes_sent": m["probes"]["sent"],
                "bursts": m["probes"]["bursts"], "false_downs": downs,
                "false_downs_per_hour": round(downs / hours, 3),
                "final_state": m["state"], "final_score": m["health_score"],
            })
        print(json.dumps(result, indent=1))
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        subprocess.run([os.path.join(ROOT, "lab/lab.sh"), "down"], env=env,
                       capture_output=True)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Probing and failover while history reports run (root). The blackhole
trials of bench/failover_lab.py — a fresh autonomyd owning the lab router's
routes, the wan ISP blackholed, time until the default route moved — run
twice: idle, and while `autonomyctl report --period monthly --format html`
runs back to back over a replayed month (the query runs in autonomyctl, not
in the daemon; what it can still take from the daemon is CPU). Prints JSON.
usage: bench/history_lab.py [--trials N] [--build DIR] [--store MONTH.db]"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import failover_lab as fl  # noqa: E402  (the lab, trial(), summary())


def month_store(build, tmp):
    subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests/replay/gen_traces.py"),
                    "--only", "month_four", "--out", tmp], check=True, capture_output=True)
    store = os.path.join(tmp, "month.db")
    subprocess.run([os.path.join(build, "autonomyd"), "--replay",
                    os.path.join(tmp, "month_four.jsonl"), "--store", store],
                   check=True, capture_output=True)
    return store


class Reports(threading.Thread):
    """Monthly HTML reports back to back until stopped."""

    def __init__(self, build, store):
        super().__init__(daemon=True)
        self.argv = [os.path.join(build, "autonomyctl"), "--store", store, "report",
                     "--period", "monthly", "--format", "html"]
        self.stop, self.times = threading.Event(), []

    def run(self):
        while not self.stop.is_set():
            t0 = time.monotonic()
            subprocess.run(self.argv, stdout=subprocess.DEVNULL, check=True)
            self.times.append((time.monotonic() - t0) * 1000)


def trials(n, build, bh, unbh):
    out = []
    for _ in range(n):
        t = fl.trial(tempfile.mkdtemp(), build, bh, unbh)
        if t:
            out.append(t["from_action_ms"])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--store", help="a month of history (default: replayed now)")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="history-lab-")
    store = a.store or month_store(a.build, tmp)
    fl.sh(os.path.join(ROOT, "lab/lab.sh"), "up")
    try:
        bh, unbh = fl.wan_blackhole()
        idle = trials(a.trials, a.build, bh, unbh)
        rep = Reports(a.build, store)
        rep.start()
        loaded = trials(a.trials, a.build, bh, unbh)
        rep.stop.set()
        rep.join()
        print(json.dumps({
            "blackhole_to_route_idle": fl.summary(idle),
            "blackhole_to_route_during_reports": fl.summary(loaded),
            "reports_during_trials": len(rep.times),
            "report_monthly_html_ms": fl.summary(rep.times),
        }, indent=1))
    finally:
        subprocess.run([os.path.join(ROOT, "lab/lab.sh"), "down"], env=fl.ENV,
                       capture_output=True)


if __name__ == "__main__":
    sys.exit(main())

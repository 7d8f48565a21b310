#!/usr/bin/python3
"""Flash writes of the OpenWrt layout: a daemon with state_dir (flash) and run_dir
(RAM), two metered members with data caps, data usage checked every 10 s and
persist_interval 30 s, runs for DURATION seconds (default 95) in a network
namespace. Prints JSON: bytes and files written to state_dir (the daemon's own
count, and the files' sizes on disk), to run_dir, and the bytes per day they
extrapolate to at the package defaults (persist_interval 1 h), next to what
writing every check to flash would cost.
Needs root (network namespaces). usage: flash_writes.py BUILD_DIR [DURATION]"""
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
sys.argv[1:2] = [os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")]
import harness  # noqa: E402

DURATION = float(sys.argv[2]) if len(sys.argv) > 2 else 95.0
PERSIST_S, CHECK_S = 30, 10

CONFIG = """
config autonomy 'main'
	option backend 'none'
	option state_dir '%(state)s'
	option run_dir '%(run)s'
	option persist_interval '%(persist)ds'

config autonomy 'cellular'
	option data_usage_check_interval '%(check)ds'

config member 'lte'
	option device 'up0'
	option data_limit_mb '20000'
	list target '10.77.0.1'

config member 'lte2'
	option device 'lo'
	option data_limit_mb '5000'
	list target '10.77.0.1'
"""


def main():
    tmp = tempfile.mkdtemp(prefix="autonomy-flash-")
    state, run = os.path.join(tmp, "flash"), os.path.join(tmp, "ram")
    with harness.Netns("fw") as ns:
        d = harness.Daemon(tmp, CONFIG % {"state": state, "run": run, "persist": PERSIST_S,
                                          "check": CHECK_S}, netns=ns.ns)
        d.start()
        t0 = time.monotonic()
        time.sleep(DURATION)
        h = d.ctl("health", json_out=True).data["subsystems"]["state"]
        up = time.monotonic() - t0
        d.stop()
        after = d.read_log()
    size = lambda p: sum(os.path.getsize(os.path.join(p, f)) for f in os.listdir(p)
                         if not f.endswith(".tmp")) if os.path.isdir(p) else 0
    copies = max(1, h["state_files_written"])
    per_copy = h["state_bytes_written"] / copies
    day = 86400.0
    out = {
        "duration_s": round(up, 1),
        "persist_interval_s": PERSIST_S,
        "usage_check_interval_s": CHECK_S,
        "state_files_written": h["state_files_written"],
        "state_bytes_written": h["state_bytes_written"],
        "bytes_per_copy": round(per_copy),
        "state_dir_bytes_on_disk": size(state),
        "run_dir_bytes_on_disk": size(run),
        # at the package defaults: one copy an hour per file
        "flash_bytes_per_day_at_1h": round(per_copy * day / 3600),
        "flash_files_per_day_at_1h": round(day / 3600),
        # what writing every 5-minute usage check to flash would be
        "flash_bytes_per_day_every_check_5min": round(per_copy * day / 300),
        "sanitizer_report": "runtime error" in after or "AddressSanitizer" in after,
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

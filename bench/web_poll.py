#!/usr/bin/python3
"""What the web page's live view costs the router: a poll is what the
standalone page sends every second while it is visible — `members`, and
`status` with every 5th (JSON-RPC through uhttpd → rpcd → the autonomyctl
exec plugin → the daemon) — against the real
stack of the browser tests (tests/web/stack.py: lab, dish emulator,
autonomyd, OpenWrt's ubusd/rpcd/uhttpd). Prints JSON: the poll's latency
(p50, p95, max), the reply's size, and the CPU it takes in uhttpd, rpcd with
its plugin children, ubusd and autonomyd (per poll, and as % of one core at
the page's one poll per second).

    bench/web_poll.py [BUILD_DIR] [POLLS]      (root; default build, 300)
"""
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "web"))
import stack  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid, children=False):
    """utime + stime (+ the reaped children's) of a process, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    t = int(fields[11]) + int(fields[12])
    if children:
        t += int(fields[13]) + int(fields[14])
    return t / TICK


def post(url, body):
    req = urllib.request.Request(url + "ubus", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=20) as r:
        return r.read()


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
    polls = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    work = tempfile.mkdtemp(prefix="autonomy-bench-web-")
    run = stack.Run(build, work)
    try:
        info = run.start()
        if "skip" in info:
            print(json.dumps({"skipped": info["skip"]}))
            return 0
        login = json.loads(post(info["url"], {"jsonrpc": "2.0", "id": 1, "method": "call",
                                              "params": ["0" * 32, "session", "login",
                                                         {"username": "viewer",
                                                          "password": info["users"]["viewer"]}]}))
        sid = login["result"][1]["ubus_rpc_session"]
        def call(i, method):
            return {"jsonrpc": "2.0", "id": i, "method": "call",
                    "params": [sid, "autonomy", method, {}]}
        batches = ([call(1, "members"), call(2, "status")], [call(1, "members")])
        pids = {"uhttpd": (run.stack.procs["uhttpd"].pid, False),
                "rpcd+plugin": (run.stack.procs["rpcd"].pid, True),
                "ubusd": (run.stack.procs["ubusd"].pid, False),
                "autonomyd": (run.daemon.pid, False)}
        post(info["url"], batches[0])                # warm up
        before = {k: cpu_s(p, c) for k, (p, c) in pids.items()}
        lat, size = [], 0
        t0 = time.monotonic()
        for i in range(polls):
            t = time.monotonic()
            body = post(info["url"], batches[0 if i % 5 == 0 else 1])
            lat.append((time.monotonic() - t) * 1000)
            size += len(body)
            replies = json.loads(body)
            assert all(r["result"][0] == 0 for r in replies), replies
        wall = time.monotonic() - t0
        cpu = {k: cpu_s(p, c) - before[k] for k, (p, c) in pids.items()}
        lat.sort()
        total = sum(cpu.values())
        print(json.dumps({
            "bench": "web_poll", "polls": polls, "members": 3,
            "poll_ms": {"p50": round(lat[len(lat) // 2], 2),
                        "p95": round(lat[int(len(lat) * 0.95)], 2), "max": round(lat[-1], 2)},
            "reply_bytes_per_poll": size // polls,
            "cpu_ms_per_poll": {k: round(1000 * v / polls, 2) for k, v in cpu.items()},
            "cpu_ms_per_poll_total": round(1000 * total / polls, 2),
            "cpu_pct_at_1_poll_per_s": round(100 * total / polls, 2),
            "wall_s": round(wall, 1)}, indent=1))
        return 0
    finally:
        run.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

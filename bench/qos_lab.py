#!/usr/bin/python3
"""The traffic shaper on the real daemon and kernel in the lab (root).
Prints JSON.

The wired uplink is limited to 10 Mbit/s in its ISP (tbf, 100 ms queue,
standing in for a modem's buffer). A LAN client saturates it with 4 TCP
uploads; an EF-marked ping (TOS 0xb8) and an unmarked one measure what
voice and ordinary traffic see. Phases:
  shaping off          bandwidth.traffic_shaping '0'
  shaping, QoS off     one queue at 9 Mbit/s (qos.enabled '0')
  shaping, QoS on      four priority queues at 9 Mbit/s
  adaptive             the link drops to 5 Mbit/s under the 9 Mbit/s shaper:
                       reaction time, rate reached, EF latency afterwards
For each: EF/unmarked RTT (p50/p95/max ms), upload throughput (Mbit/s), the
daemon's CPU (ms per second) and the machine's softirq time (ms per second,
where the qdiscs run; machine-wide, so it includes everything else that
ran).
usage: bench/qos_lab.py [--build DIR] [--seconds N]"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PREFIX = f"qb{os.getpid() % 100000}"
ENV = dict(os.environ, LAB_PREFIX=PREFIX, LAB_RULES="0")
LOAD = os.path.join(ROOT, "tests", "integration", "qos_load.py")
TARGET = "198.51.100.1"

CONF = """config autonomy 'main'
	option backend 'netlink'
	option state_dir '{tmp}/state'
config autonomy 'bandwidth'
	option traffic_shaping '{shaping}'
config autonomy 'qos'
	option enabled '{qos}'
	option latency_optimization '{adaptive}'
config member 'wan'
	option device 'wan'
	option class 'lan'
	option priority '1'
	option upload_mbps '9'
	list target '198.51.100.1'
	list target '203.0.113.1'
config member 'sat'
	option device 'sl'
	option class 'starlink'
	option priority '2'
	option upload_mbps '9'
	list target '198.51.100.2'
"""


def lab(*args):
    subprocess.run([os.path.join(ROOT, "lab", args[0])] + list(args[1:]), env=ENV,
                   check=True, capture_output=True, text=True)


def lan(*argv):
    return subprocess.Popen(["ip", "netns", "exec", PREFIX + "-lan", "/usr/bin/python3", LOAD] +
                            [str(a) for a in argv], stdout=subprocess.PIPE, text=True)


def summary(rtts):
    r = sorted(rtts)
    if not r:
        return None
    return {"n": len(r), "p50": round(statistics.median(r), 2),
            "p95": round(r[max(0, int(len(r) * 0.95) - 1)], 2), "max": round(r[-1], 2)}


def softirq_ms():
    """Machine-wide softirq time so far (ms), from /proc/stat."""
    f = open("/proc/stat").readline().split()
    return int(f[7]) * 1000 / os.sysconf("SC_CLK_TCK")


class Daemon:
    def __init__(self, build, tmp):
        self.build, self.tmp = build, tmp
        self.conf = os.path.join(tmp, "a.conf")
        self.sock = os.path.join(tmp, "s.sock")

    def write(self, **kw):
        open(self.conf, "w").write(CONF.format(tmp=self.tmp, **kw))

    def start(self):
        self.log = open(os.path.join(self.tmp, "d.log"), "w")
        self.p = subprocess.Popen(["ip", "netns", "exec", PREFIX + "-router",
                                   os.path.join(self.build, "autonomyd"), "-f", "-c", self.conf,
                                   "-s", self.sock, "-p", os.path.join(self.tmp, "p.pid")],
                                  stdout=self.log, stderr=self.log)
        for _ in range(200):
            if os.path.exists(self.sock):
                break
            time.sleep(0.05)
        time.sleep(2)

    def ctl(self, *args):
        out = subprocess.run([os.path.join(self.build, "autonomyctl"), "-s", self.sock,
                              "--json"] + list(args), capture_output=True, text=True)
        return json.loads(out.stdout) if out.stdout else None

    def cpu_ms(self):
        return self.ctl("health")["cpu_total_s"] * 1000

    def stop(self):
        self.p.terminate()
        self.p.wait(10)


def measure(d, seconds):
    """EF and unmarked pings while 4 uploads saturate the uplink."""
    push = lan("push", TARGET, seconds, 4)
    time.sleep(2)
    cpu0, irq0, t0 = d.cpu_ms(), softirq_ms(), time.monotonic()
    count = int((seconds - 4) / 0.2)
    ef = lan("ping", TARGET, count, 0.2, "0xb8")
    be = lan("ping", TARGET, max(5, count // 2), 0.4, "0")
    ef_out, be_out = ef.communicate()[0], be.communicate()[0]
    dt = time.monotonic() - t0
    cpu1, irq1 = d.cpu_ms(), softirq_ms()
    up = json.loads(push.communicate()[0])
    return {"ef_ms": summary(json.loads(ef_out)["rtt_ms"]),
            "unmarked_ms": summary(json.loads(be_out)["rtt_ms"]),
            "upload_mbps": up["mbps"],
            "daemon_cpu_ms_per_s": round((cpu1 - cpu0) / dt, 2),
            "softirq_ms_per_s": round((irq1 - irq0) / dt, 1)}


def adaptive(d):
    for _ in range(50):         # a baseline from probes on the idle link first
        if d.ctl("status")["shaper"]["adaptive"]["baseline_ms"]:
            break
        time.sleep(0.2)
    lab("impair.sh", "wan", "rate", "5000")
    push = lan("push", TARGET, 30, 4)
    t0, took = time.monotonic(), None
    while time.monotonic() - t0 < 20:
        if d.ctl("status")["shaper"]["rate_mbps"] < 5.5:
            took = round(time.monotonic() - t0, 1)
            break
        time.sleep(0.2)
    time.sleep(max(0, 10 - (time.monotonic() - t0)))
    ef = json.loads(lan("ping", TARGET, 80, 0.2, "0xb8").communicate()[0])["rtt_ms"]
    push.communicate()
    sh = d.ctl("status")["shaper"]
    lab("impair.sh", "wan", "rate", "10000")
    return {"link_mbps": 5, "limit_mbps": 9, "reaction_s": took,
            "rate_mbps_end": sh["rate_mbps"], "cuts": sh["adaptive"]["cuts"],
            "raises": sh["adaptive"]["raises"],
            "ef_ms_after_10s": summary(ef)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--seconds", type=int, default=14)
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("qos_lab.py: needs root (network namespaces)")
    tmp = tempfile.mkdtemp(prefix="qos-bench-")
    out = {"lab_uplink_mbps": 10, "shaper_mbps": 9, "upload_flows": 4}
    lab("lab.sh", "up")
    d = Daemon(os.path.abspath(a.build), tmp)
    try:
        lab("impair.sh", "wan", "rate", "10000")
        d.write(shaping=0, qos=1, adaptive=0)
        d.start()
        idle = json.loads(lan("ping", TARGET, 30, 0.1, "0xb8").communicate()[0])["rtt_ms"]
        out["ef_idle_ms"] = summary(idle[1:])      # the first one resolves ARP
        out["shaping_off"] = measure(d, a.seconds)
        d.write(shaping=1, qos=0, adaptive=0)
        d.ctl("reload")
        out["shaping_qos_off"] = measure(d, a.seconds)
        d.write(shaping=1, qos=1, adaptive=0)
        d.ctl("reload")
        out["shaping_qos_on"] = measure(d, a.seconds)
        d.write(shaping=1, qos=1, adaptive=1)
        d.ctl("reload")
        out["adaptive"] = adaptive(d)
        st = d.ctl("status")["shaper"]
        out["applies"], out["rate_changes"] = st["applies"], st["rate_changes"]
    finally:
        d.stop()
        subprocess.run([os.path.join(ROOT, "lab", "lab.sh"), "down"], env=ENV,
                       capture_output=True)
        subprocess.run(["rm", "-rf", tmp])
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

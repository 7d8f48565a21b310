#!/usr/bin/python3
"""Cost of the exporters, printed as JSON: a /metrics scrape with 4 members
(CPU µs of the daemon per scrape, from /proc/PID/stat around 200 scrapes,
and bytes), the same for a full SNMP walk through snmpd (the subagent
child's CPU), and MQTT messages and bytes per hour at the defaults
(interval 300 s, keepalive 120 s) from the broker's own counters.

usage: bench/export_cost.py [BUILD_DIR]   (root; needs prometheus' promtool
not, but snmpd, snmpwalk, mosquitto: run tests/integration/run-export.sh once)"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
TCK = os.sysconf("SC_CLK_TCK")
ENV = dict(os.environ, MIBS="", MIBDIRS="/nonexistent")


def cpu_us(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) * 1e6 / TCK


def children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def main():
    tmp = tempfile.mkdtemp(prefix="autonomy-bench-export-")
    members = "".join(f"""
config member 'm{i}'
	option device 'lo'
	list target '192.0.2.{i + 1}'
""" for i in range(4))
    open(f"{tmp}/snmpd.conf", "w").write(f"master agentx\nagentXSocket {tmp}/ax.sock\n"
                                         "agentaddress udp:127.0.0.1:16199\n"
                                         "rocommunity public 127.0.0.1\n")
    open(f"{tmp}/mosq.conf", "w").write("listener 18899 127.0.0.1\nallow_anonymous true\n"
                                        "persistence false\nsys_interval 1\n")
    procs = [subprocess.Popen(["snmpd", "-f", "-Lo", "-C", "-c", f"{tmp}/snmpd.conf",
                               f"--persistentDir={tmp}/snmp"], env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
             subprocess.Popen(["mosquitto", "-c", f"{tmp}/mosq.conf"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    time.sleep(1)
    open(f"{tmp}/c.conf", "w").write(f"""config autonomy 'main'
	option backend 'none'
	option state_dir '{tmp}/state'
config autonomy 'gps'
	option enabled '0'
config autonomy 'prometheus'
	option enabled '1'
	option listen '127.0.0.1:19699'
config autonomy 'snmp'
	option enabled '1'
	option agentx_socket '{tmp}/ax.sock'
config autonomy 'mqtt'
	option enabled '1'
	option broker '127.0.0.1'
	option port '18899'
{members}""")
    d = subprocess.Popen([f"{BUILD}/autonomyd", "-f", "-c", f"{tmp}/c.conf", "-s",
                          f"{tmp}/s.sock", "-p", f"{tmp}/pid"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    procs.append(d)
    time.sleep(3)
    res = {}
    try:
        url = "http://127.0.0.1:19699/metrics"
        body = urllib.request.urlopen(url).read()
        n, c0 = 200, cpu_us(d.pid)
        for _ in range(n):
            urllib.request.urlopen(url).read()
        # the daemon's probing and timers meanwhile, measured without scrapes
        busy = (cpu_us(d.pid) - c0) / n
        t0 = time.monotonic()
        c1 = cpu_us(d.pid)
        time.sleep(2)
        idle_per_s = (cpu_us(d.pid) - c1) / (time.monotonic() - t0)
        res["scrape"] = {"members": 4, "bytes": len(body),
                         "samples": sum(1 for l in body.splitlines() if not l.startswith(b"#")),
                         "cpu_us_per_scrape_incl_background": round(busy, 1),
                         "daemon_idle_cpu_us_per_s": round(idle_per_s, 1)}
        kids = children(d.pid)
        walk = ["snmpwalk", "-v2c", "-c", "public", "-On", "127.0.0.1:16199", ".1.3.6.1.4.1.12345.1"]
        out = subprocess.run(walk, env=ENV, capture_output=True, text=True).stdout
        k0, dc0, t0 = sum(cpu_us(k) for k in kids), cpu_us(d.pid), time.monotonic()
        for _ in range(20):
            subprocess.run(walk, env=ENV, capture_output=True)
        res["snmp_walk"] = {"objects": len(out.splitlines()),
                            "subagent_cpu_us_per_walk": round((sum(cpu_us(k) for k in kids) - k0) / 20, 1),
                            "daemon_cpu_us_per_walk": round((cpu_us(d.pid) - dc0) / 20, 1),
                            "wall_ms_per_walk": round((time.monotonic() - t0) * 1000 / 20, 1)}
        # MQTT at the defaults: what one refresh costs, times 12 an hour, plus
        # the keep-alive pings (2 bytes each way every 120 s).
        health = json.loads(subprocess.run([f"{BUILD}/autonomyctl", "-s", f"{tmp}/s.sock",
                                            "--json", "health"], capture_output=True,
                                           text=True).stdout)
        mq = health["subsystems"]["export"]["mqtt"]
        res["scrape"]["render_us"] = health["subsystems"]["export"]["prometheus"]["last_render_us"]
        per_msg = mq["payload_bytes"] / max(1, mq["published"])
        refresh_msgs = 1 + 4                    # status + 4 members
        res["mqtt_per_hour_at_defaults"] = {
            "messages": refresh_msgs * 12 + 2 * 30,
            "payload_and_topic_bytes": round(refresh_msgs * 12 * per_msg),
            "mqtt_bytes_incl_headers": round(refresh_msgs * 12 * (per_msg + 4) + 30 * 4),
            "note": "without events; each event adds one message on …/events and a refresh"}
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
            p.wait(10)
        subprocess.run(["rm", "-rf", tmp])
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()

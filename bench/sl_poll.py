#!/usr/bin/python3
"""Cost of polling the Starlink dish: the real client (sl_client over
sl_grpc, via tests/integration/sl_drive) against the gRPC dish emulator on
loopback. Prints one JSON object.

    bench/sl_poll.py [--build DIR] [--minutes N] [--cpu-seconds S]

- cpu_us_per_call: CPU time (getrusage user+sys of the driver process) per
  get_status and per get_history, from isolated runs that make only that call
  every 50 ms for S seconds, minus an idle run of the same length (the
  driver's own 50 ms lag timer). It includes everything the daemon would pay:
  syscalls, nghttp2, the gRPC framing, protobuf-c unpacking and conversion.
- bytes_per_call: on the wire per call of each kind (HTTP/2 frames of the
  call's stream — HEADERS, DATA, trailers — both ways; TCP payload), from a
  steady run at the default intervals for N minutes.
- per_hour: steady-state traffic to and from the dish per hour at the default
  intervals (status 30 s, history 60 s, location 300 s, diagnostics 10 min,
  device info 1 h), computed from the per-call bytes plus the connection-level
  frames (SETTINGS, WINDOW_UPDATE, PING) measured in the steady run; and the
  measured TCP bytes of that run scaled to an hour (it over-weights the
  start-up calls: every kind is asked once at start).
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = "/usr/bin/python3"
DEFAULTS = {"get_status": 30, "get_history": 60, "get_location": 300,
            "get_diagnostics": 600, "get_device_info": 3600}


def build_driver(build, out):
    libs = subprocess.run(["pkg-config", "--libs", "libevent_core", "libnghttp2",
                           "libprotobuf-c", "json-c", "openssl", "libmnl"],
                          check=True, capture_output=True, text=True).stdout.split()
    subprocess.run(["gcc", "-std=gnu11", "-O2", "-g", "-D_GNU_SOURCE", "-I", ROOT + "/src",
                    "-I", build + "/proto", ROOT + "/tests/integration/sl_drive.c",
                    build + "/libautonomy.a", *libs, "-lm", "-o", out], check=True)


def drive(drv, port, seconds, *args):
    cmd = [drv, "-H", "127.0.0.1", "-p", str(port), "-q", "-D", str(seconds), "-t", "2000",
           *args]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL).stdout
    return json.loads(out.strip().splitlines()[-1])


OFF = ["-s", "0", "-y", "0", "-l", "0", "-g", "0", "-i", "0"]


def only(kind_flag, ms):
    args = list(OFF)
    args[args.index(kind_flag) + 1] = str(ms)
    return args


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--minutes", type=float, default=2.0)
    ap.add_argument("--cpu-seconds", type=float, default=15.0)
    ap.add_argument("--port", type=int, default=32100)
    a = ap.parse_args()
    tmp = "/tmp/sl_poll.%d" % os.getpid()
    os.makedirs(tmp, exist_ok=True)
    drv = os.path.join(tmp, "sl_drive")
    build_driver(os.path.abspath(a.build), drv)
    emu = subprocess.Popen([PY, ROOT + "/tests/dish/dish_emulator.py", "--host", "127.0.0.1",
                            "--port", str(a.port)], stdout=subprocess.PIPE, text=True)
    try:
        if not emu.stdout.readline().startswith("listening"):
            sys.exit("emulator did not start")
        res = {"method": "getrusage user+sys of the driver, isolated runs of one call "
                         "kind every 50 ms minus an idle run; plain build (-O2 driver, "
                         "library as built)", "build": os.path.abspath(a.build)}
        idle = drive(drv, a.port, a.cpu_seconds, *OFF)
        cpu = {}
        for kind, flag in (("get_status", "-s"), ("get_history", "-y")):
            s = drive(drv, a.port, a.cpu_seconds, *only(flag, 50))
            n = s["calls"][kind]["ok"]
            cpu[kind] = round((s["cpu_us"] - idle["cpu_us"]) / max(n, 1), 1)
            cpu[kind + "_calls"] = n
            cpu[kind + "_latency_us_last"] = s["calls"][kind]["last_latency_us"]
        res["cpu_us_per_call"] = cpu
        res["idle_cpu_us_per_s"] = round(idle["cpu_us"] / a.cpu_seconds, 1)

        secs = a.minutes * 60
        t0 = time.monotonic()
        s = drive(drv, a.port, secs, "-s", "30000", "-y", "60000", "-l", "300000",
                  "-g", "600000", "-i", "3600000")
        el = time.monotonic() - t0
        per_call, stream_total = {}, 0
        for kind, c in s["calls"].items():
            n = max(c["count"], 1)
            per_call[kind] = {"calls": c["count"], "out": round(c["bytes_out"] / n),
                              "in": round(c["bytes_in"] / n)}
            stream_total += c["bytes_out"] + c["bytes_in"]
        g = s["grpc"]
        conn_overhead = g["bytes_out"] + g["bytes_in"] - stream_total
        hour = sum((per_call[k]["out"] + per_call[k]["in"]) * 3600 / iv
                   for k, iv in DEFAULTS.items() if k in per_call)
        # connection frames: a preface/SETTINGS once, then WINDOW_UPDATEs and
        # PING acks that grow with the data; scale by the data share
        hour_conn = conn_overhead * (hour / max(stream_total, 1))
        res["steady_run"] = {"seconds": round(el, 1), "calls": {k: v["calls"]
                             for k, v in per_call.items()}, "tcp_bytes_out": g["bytes_out"],
                             "tcp_bytes_in": g["bytes_in"], "connects": g["connects"],
                             "errors": g["errors"], "connection_frames_bytes": conn_overhead}
        res["bytes_per_call"] = per_call
        res["per_hour"] = {
            "bytes_from_intervals": round(hour + hour_conn),
            "kib_from_intervals": round((hour + hour_conn) / 1024, 1),
            "share": {k: round((per_call[k]["out"] + per_call[k]["in"]) * 3600 / iv / hour, 3)
                      for k, iv in DEFAULTS.items() if k in per_call},
            "bytes_measured_scaled": round((g["bytes_out"] + g["bytes_in"]) * 3600 / el),
        }
        print(json.dumps(res, indent=1))
    finally:
        emu.terminate()
        emu.wait(5)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Load and latency helpers for the QoS test and bench, run inside a lab
namespace (standard library only).

  qos_load.py push HOST SECONDS [FLOWS]  bulk TCP upload (FLOWS parallel
                                         connections) into the inet's discard
                                         service (port 9); prints
                                         {"bytes","seconds","mbps"}
  qos_load.py ping HOST COUNT INTERVAL TOS
                                         ICMP echo marked with TOS (e.g.
                                         0xb8 = EF) through iputils ping;
                                         prints {"sent","received","rtt_ms":[...]}
"""
import json
import re
import socket
import subprocess
import sys
import threading
import time


def one_flow(host, end, out, i):
    chunk = b"\0" * 65536
    sent = 0
    try:
        s = socket.create_connection((host, 9), timeout=5)
        s.settimeout(5)
        while time.monotonic() < end:
            sent += s.send(chunk)
        s.close()
    except OSError:
        pass
    out[i] = sent


def push(host, seconds, flows=1):
    out = [0] * flows
    t0 = time.monotonic()
    end = t0 + seconds
    ths = [threading.Thread(target=one_flow, args=(host, end, out, i)) for i in range(flows)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    took = time.monotonic() - t0
    sent = sum(out)
    print(json.dumps({"bytes": sent, "seconds": round(took, 3),
                      "mbps": round(sent * 8 / took / 1e6, 3)}))


def ping(host, count, interval, tos):
    r = subprocess.run(["ping", "-n", "-Q", tos, "-c", str(count), "-i", str(interval),
                        "-W", "2", host], capture_output=True, text=True)
    rtts = [float(x) for x in re.findall(r"time=([0-9.]+) ms", r.stdout)]
    print(json.dumps({"sent": count, "received": len(rtts), "rtt_ms": rtts}))


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "push":
        push(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 9)
    elif len(sys.argv) == 6 and sys.argv[1] == "ping":
        ping(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

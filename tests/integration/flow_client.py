"""A LAN client for the sticky-flow tests and benchmarks, run inside the
lab's LAN namespace: one long-lived TCP session to the inet echo service
(port 7) with a little traffic every 50 ms, the way an SSH session or a call
keeps talking. It records when each echo came back, so the test measures
gaps from its own timestamps instead of sleeping.

usage: flow_client.py HOST [--reconnect URL] [--period S]
Prints `ready` once the session answers, then runs until told on stdin:
`stop` (or stdin closing) reports at once, `after N` once N more echoes came
back (or 10 s passed without that); it prints one JSON object:
  replies, max_gap (s, between echoes), gap_at (when the longest began),
  error / error_at (the session died: reset, closed), and with --reconnect,
  after an error, the first successful GET of URL: reconnect_at, seen_as
  (the body: the inet server's /ip shows the client address it saw)."""
import json
import select
import socket
import sys
import time
import urllib.request


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=0.5) as r:
            return r.read().decode().strip()
    except OSError:
        return None


def main():
    host = sys.argv[1]
    args = sys.argv[2:]
    url = args[args.index("--reconnect") + 1] if "--reconnect" in args else None
    period = float(args[args.index("--period") + 1]) if "--period" in args else 0.05
    s = socket.create_connection((host, 7), timeout=2)
    s.settimeout(0.02)
    res = {"replies": 0, "max_gap": 0.0, "gap_at": None, "error": None, "error_at": None}
    last = None
    buf = b""
    next_send = time.time()
    stop = False
    target = deadline = None
    stdin_open = True
    while not stop:
        now = time.time()
        if res["error"] is None and now >= next_send:
            try:
                s.sendall(b"ping\n")
            except OSError as e:
                res["error"], res["error_at"] = repr(e), now
            next_send = now + period
        if res["error"] is None:
            try:
                chunk = s.recv(4096)
                if not chunk:
                    res["error"], res["error_at"] = "closed", time.time()
                buf += chunk
            except socket.timeout:
                pass
            except OSError as e:
                res["error"], res["error_at"] = repr(e), time.time()
            while b"\n" in buf:
                buf = buf.split(b"\n", 1)[1]
                t = time.time()
                if last is None:
                    print("ready", flush=True)
                elif t - last > res["max_gap"]:
                    res["max_gap"], res["gap_at"] = t - last, last
                last = t
                res["replies"] += 1
        elif url and "reconnect_at" not in res:
            seen = fetch(url)
            if seen:
                res["reconnect_at"], res["seen_as"] = time.time(), seen
        r, _, _ = select.select([sys.stdin] if stdin_open else [], [], [],
                                0 if res["error"] is None else 0.05)
        if r:
            line = sys.stdin.readline()
            cmd = line.split()
            if cmd[:1] == ["after"]:
                target, deadline = res["replies"] + int(cmd[1]), time.time() + 10
            elif line or target is None:
                stop = True     # `stop`, or stdin closed with nothing pending
            stdin_open = bool(line)
        if target is not None:
            stop = stop or res["replies"] >= target or time.time() > deadline or \
                (res["error"] is not None and (not url or "reconnect_at" in res))
    if res["error"] is None and last is not None and time.time() - last > res["max_gap"]:
        res["max_gap"], res["gap_at"] = time.time() - last, last    # silent at the end
    res["max_gap"] = round(res["max_gap"], 3)
    print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()

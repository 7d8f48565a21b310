#!/usr/bin/python3
"""Long-lived TCP sessions of a LAN client, run inside the lab's LAN
namespace: each talks to the inet echo service (port 7) with a little
traffic every PERIOD, the way an SSH session or a call keeps talking, and
records when every echo came back, so tests and the demo measure gaps from
their own timestamps instead of sleeping. Standard library only.

One session (tests, benchmarks):
  lan_session.py HOST [--reconnect URL] [--period S]
  Prints `ready` once the session answers, then runs until told on stdin:
  `stop` (or stdin closing) reports at once, `after N` once N more echoes
  came back (or 10 s passed without that). It prints one JSON object:
  replies, max_gap (s, between echoes), gap_at (when the longest began),
  error / error_at (the session died: reset, closed), and with --reconnect,
  after an error, the first successful GET of URL: reconnect_at, seen_as
  (the inet server's /ip answers with the client address it saw, which
  names the uplink).

Sessions that reconnect (the demo):
  lan_session.py HOST --keep NAME --via URL [--period S]
  Opens a session, and a new one at once whenever one dies, until SIGTERM
  or SIGINT. One JSON line per event on stdout: {"t", "name", "session",
  "event": "up" (with "via": the address /ip shows for a new connection
  then, i.e. the uplink the session took) | "reset" (with "error",
  "lived_s", "max_gap_s")}, and at the end {"event": "end", ...} for the
  session still up."""
import json
import select
import signal
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


class Session:
    """One echo session; step() sends when due and reads what came back."""

    def __init__(self, host, period):
        self.s = socket.create_connection((host, 7), timeout=2)
        self.s.settimeout(0.02)
        self.period, self.next_send, self.buf = period, time.time(), b""
        self.replies, self.last, self.max_gap, self.gap_at = 0, None, 0.0, None
        self.error = self.error_at = None
        self.started = time.time()

    def step(self):
        now = time.time()
        if now >= self.next_send:
            try:
                self.s.sendall(b"ping\n")
            except OSError as e:
                return self.fail(repr(e))
            self.next_send = now + self.period
        try:
            chunk = self.s.recv(4096)
            if not chunk:
                return self.fail("closed")
            self.buf += chunk
        except socket.timeout:
            pass
        except OSError as e:
            return self.fail(repr(e))
        while b"\n" in self.buf:
            self.buf = self.buf.split(b"\n", 1)[1]
            t = time.time()
            if self.last is not None and t - self.last > self.max_gap:
                self.max_gap, self.gap_at = t - self.last, self.last
            self.last = t
            self.replies += 1

    def fail(self, why):
        self.error, self.error_at = why, time.time()
        self.s.close()

    def final_gap(self):
        """The longest gap, counting a silence that lasts until now."""
        if self.error is None and self.last is not None and time.time() - self.last > self.max_gap:
            self.max_gap, self.gap_at = time.time() - self.last, self.last
        return self.max_gap


def one(host, url, period):
    s = Session(host, period)
    while s.replies == 0 and s.error is None:
        s.step()
    if s.error is None:
        print("ready", flush=True)
    res = {}
    stop, target, deadline, stdin_open = s.error is not None, None, None, True
    while not stop:
        if s.error is None:
            s.step()
        elif url and "reconnect_at" not in res:
            seen = fetch(url)
            if seen:
                res["reconnect_at"], res["seen_as"] = time.time(), seen
        r, _, _ = select.select([sys.stdin] if stdin_open else [], [], [],
                                0 if s.error is None else 0.05)
        if r:
            line = sys.stdin.readline()
            cmd = line.split()
            if cmd[:1] == ["after"]:
                target, deadline = s.replies + int(cmd[1]), time.time() + 10
            elif line or target is None:
                stop = True     # `stop`, or stdin closed with nothing pending
            stdin_open = bool(line)
        if target is not None:
            stop = stop or s.replies >= target or time.time() > deadline or \
                (s.error is not None and (not url or "reconnect_at" in res))
    res.update({"replies": s.replies, "max_gap": round(s.final_gap(), 3), "gap_at": s.gap_at,
                "error": s.error, "error_at": s.error_at})
    print(json.dumps(res), flush=True)


def emit(**kw):
    print(json.dumps(dict(t=round(time.time(), 3), **kw)), flush=True)


def keep(host, name, url, period):
    stopping = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.append(1))
    n, s = 0, None
    while not stopping:
        if s is None:
            try:
                s = Session(host, period)
            except OSError:
                time.sleep(0.1)
                continue
            n += 1
            emit(name=name, session=n, event="up", via=fetch(url))
        s.step()
        if s.error is not None:
            emit(name=name, session=n, event="reset", error=s.error,
                 lived_s=round(s.error_at - s.started, 1), max_gap_s=round(s.max_gap, 3))
            s = None
        else:
            time.sleep(0.01)
    if s is not None:
        emit(name=name, session=n, event="end", lived_s=round(time.time() - s.started, 1),
             max_gap_s=round(s.final_gap(), 3))


def main():
    a = sys.argv[1:]
    opt = (lambda k, d=None: a[a.index(k) + 1] if k in a else d)
    period = float(opt("--period", 0.05))
    if "--keep" in a:
        keep(a[0], opt("--keep"), opt("--via"), period)
    else:
        one(a[0], opt("--reconnect"), period)


if __name__ == "__main__":
    main()

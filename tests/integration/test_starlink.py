#!/usr/bin/python3
"""The dish client (sl_client over sl_grpc, through tests/integration/sl_drive)
against the gRPC dish emulator (tests/dish/dish_emulator.py).

    test_starlink.py --drive PATH loopback
    test_starlink.py --drive PATH lab --prefix P      (lab already up, root)

loopback: emulator on 127.0.0.1:32xxx. lab: emulator in ${P}-isp-sl on
192.168.100.1:9200 (started with lab/dish.sh), the driver in ${P}-router bound
to device sl. Prints PASS/FAIL lines and "N passed, N failed" last.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EMU = os.path.join(ROOT, "tests", "dish", "dish_emulator.py")
DISH_SH = os.path.join(ROOT, "lab", "dish.sh")
PY = "/usr/bin/python3"

RESULTS = {"pass": 0, "fail": 0}


def check(what, ok, detail=""):
    RESULTS["pass" if ok else "fail"] += 1
    print("%s: %s%s" % ("PASS" if ok else "FAIL", what, (" -- " + detail) if detail else ""),
          flush=True)
    return ok


# ---- the emulator ------------------------------------------------------------

class LoopbackDish:
    """The emulator as our own child on loopback."""
    host = "127.0.0.1"
    ifname = None

    def __init__(self, tmp, port):
        self.port = port
        self.ctl_path = os.path.join(tmp, "dish.sock")
        self.log = os.path.join(tmp, "dish.log")
        self.p = None

    def start(self, *extra):
        logf = open(self.log, "a")
        self.p = subprocess.Popen([PY, EMU, "--host", self.host, "--port", str(self.port),
                                   "--control", self.ctl_path, *extra],
                                  stdout=subprocess.PIPE, stderr=logf, text=True)
        line = self.p.stdout.readline()
        if not line.startswith("listening"):
            with open(self.log) as f:
                tail = f.read()[-1500:]
            raise RuntimeError("emulator did not start: %r: %s" % (line, tail))
        threading.Thread(target=self._drain, args=(self.p,), daemon=True).start()

    @staticmethod
    def _drain(p):
        for _ in p.stdout:
            pass

    def kill(self):
        if self.p and self.p.poll() is None:
            self.p.kill()
            self.p.wait()

    def stop(self):
        if self.p and self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        return self.p.returncode if self.p else None

    def ctl(self, **cmd):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(5)
        s.connect(self.ctl_path)
        s.sendall((json.dumps(cmd) + "\n").encode())
        reply = json.loads(s.makefile().readline())
        s.close()
        if not reply.get("ok"):
            raise RuntimeError("control %s: %s" % (cmd, reply))
        return reply

    def driver_prefix(self):
        return []


class LabDish(LoopbackDish):
    """The emulator inside the lab's Starlink ISP namespace, via lab/dish.sh."""
    host = "192.168.100.1"
    ifname = "sl"

    def __init__(self, tmp, prefix):
        super().__init__(tmp, 9200)
        self.prefix = prefix
        self.env = dict(os.environ, LAB_PREFIX=prefix)
        self.ctl_path = os.path.join(tmp, "dish.sock")

    def start(self, *extra):
        cmd = [DISH_SH, "start", "--control", self.ctl_path]
        if extra:
            cmd += ["--", *extra]
        r = subprocess.run(cmd, env=self.env, stderr=subprocess.PIPE, text=True)
        if r.returncode:
            raise RuntimeError("dish.sh start: " + r.stderr[-1500:])

    def pid(self):
        run = self.env.get("LAB_RUN", "/run/autonomy-lab/" + self.prefix)
        with open(os.path.join(run, "dish.pid")) as f:
            return int(f.read())

    def kill(self):
        try:
            os.kill(self.pid(), signal.SIGKILL)
        except (OSError, ValueError):
            pass
        subprocess.run([DISH_SH, "stop"], env=self.env, check=False)

    def stop(self):
        subprocess.run([DISH_SH, "stop"], env=self.env, check=False)
        return 0

    def driver_prefix(self):
        return ["ip", "netns", "exec", self.prefix + "-router"]


# ---- the driver --------------------------------------------------------------

class Driver:
    def __init__(self, dish, drive, *args, ifname=None, duration=60):
        ifn = ifname if ifname is not None else dish.ifname
        cmd = dish.driver_prefix() + [drive, "-H", dish.host, "-p", str(dish.port),
                                      "-D", str(duration), *args]
        if ifn:
            cmd += ["-I", ifn]
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.events = []        # (arrival monotonic, event)
        self.cv = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                ev = {"ev": "bad", "line": line}
            with self.cv:
                self.events.append((time.monotonic(), ev))
                self.cv.notify_all()

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def wait_for(self, pred, timeout, since=0.0):
        """The first event after `since` (monotonic) matching pred, or None."""
        end = time.monotonic() + timeout
        with self.cv:
            while True:
                for t, ev in self.events:
                    if t >= since and pred(ev):
                        return t, ev
                left = end - time.monotonic()
                if left <= 0 or self.p.poll() is not None:
                    return None
                self.cv.wait(left)

    def select(self, pred, since=0.0, until=float("inf")):
        with self.cv:
            return [ev for t, ev in self.events if since <= t <= until and pred(ev)]

    def finish(self):
        """Stops the driver; returns its summary."""
        if self.p.poll() is None:
            try:
                self.send("quit")
            except BrokenPipeError:
                pass
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        err = self.p.stderr.read()
        if self.p.returncode != 0 or err.strip():
            print("driver exit %s: %s" % (self.p.returncode, err[-2000:]))
        s = self.select(lambda e: e.get("ev") == "summary")
        return s[-1] if s else {}


def is_reply(call, **want):
    def pred(e):
        if e.get("ev") != "reply" or e.get("call") != call:
            return False
        return all(e.get(k) == v for k, v in want.items())
    return pred


def recovers(dish, d, what, timeout=3):
    """Back to normal: the next status must be an answer."""
    dish.ctl(cmd="mode", mode="normal")
    t = time.monotonic()
    r = d.wait_for(is_reply("get_status"), timeout, since=t)
    check(what, r is not None)
    return (r[0] - t) * 1000 if r else None


def is_error(call=None, status=None):
    def pred(e):
        return (e.get("ev") == "error" and (call is None or e.get("call") == call)
                and (status is None or e.get("status") == status))
    return pred


# ---- tests --------------------------------------------------------------------

FAST = ["-s", "500", "-y", "1000", "-l", "0", "-g", "0", "-i", "0", "-t", "1000"]


def t_basic(dish, drive):
    d = Driver(dish, drive, "-s", "1000", "-y", "1000", "-l", "1000", "-g", "1000",
               "-i", "1000")
    got = {c: d.wait_for(is_reply(c), 5) for c in
           ("get_status", "get_history", "get_device_info", "get_location", "get_diagnostics")}
    s = d.finish()
    check("all five calls answered", all(got.values()),
          ", ".join(c for c, v in got.items() if not v))
    st = got["get_status"][1] if got["get_status"] else {}
    check("status from the capture (id, uptime, obstruction)",
          st.get("id") == "ut01000000-00000000-0085fd5f" and st.get("uptime_s", 0) >= 6328
          and abs(st.get("obstructed", 0) - 0.13378) < 1e-4 and st.get("outage") is None, str(st))
    h = got["get_history"][1] if got["get_history"] else {}
    check("history ring live (current >= 13547, 900 samples)",
          h.get("current", 0) >= 13547 and h.get("ring") == 900 and h.get("n") == 900, str(h))
    loc = got["get_location"][1] if got["get_location"] else {}
    check("location (source GPS)", loc.get("source") == 4, str(loc))
    check("no errors, one connection", s.get("grpc", {}).get("errors") == 0
          and s.get("grpc", {}).get("connects") == 1, str(s.get("grpc")))
    return s


def t_tracking(dish, drive):
    d = Driver(dish, drive, *FAST)
    d.wait_for(is_reply("get_status"), 5)
    t = time.monotonic()
    dish.ctl(cmd="patch", status={"pop_ping_drop_rate": 0.5, "pop_ping_latency_ms": 81.5})
    r = d.wait_for(is_reply("get_status", drop=0.5), 6, since=t)
    # One poll is 500 ms; a busy CI machine may delay a poll or two, while a
    # change not seen at all (or only at a slow interval) still fails.
    check("status change seen within a few polls (500 ms each)", r is not None and r[0] - t < 2.5,
          "%.0f ms" % ((r[0] - t) * 1000) if r else "never")
    t = time.monotonic()
    dish.ctl(cmd="patch", status={"outage": {"cause": "OBSTRUCTED"}, "pop_ping_drop_rate": 1})
    r = d.wait_for(is_reply("get_status", outage="OBSTRUCTED"), 3, since=t)
    check("outage OBSTRUCTED reported", r is not None)
    time.sleep(1.2)
    t = time.monotonic()
    dish.ctl(cmd="patch", status={"outage": None, "pop_ping_drop_rate": 0,
                                  "pop_ping_latency_ms": 30})
    r = d.wait_for(is_reply("get_status", outage=None, drop=0.0), 3, since=t)
    h = d.wait_for(is_reply("get_history", last_outage="OBSTRUCTED"), 3, since=t)
    check("outage over: status connected, history lists the OBSTRUCTED outage",
          r is not None and h is not None, str(h))
    d.finish()


def t_unknown_fields(dish, drive):
    dish.ctl(cmd="mode", mode="unknown_fields")
    d = Driver(dish, drive, "-s", "500", "-y", "500", "-l", "500", "-g", "500", "-i", "500")
    ok = all(d.wait_for(is_reply(c), 5) for c in
             ("get_status", "get_history", "get_device_info", "get_location", "get_diagnostics"))
    time.sleep(1)
    s = d.finish()
    dish.ctl(cmd="mode", mode="normal")
    st = d.select(is_reply("get_status"))
    check("unknown fields (top level and nested) ignored: every call decodes",
          ok and s.get("grpc", {}).get("errors") == 0 and st
          and st[-1].get("id") == "ut01000000-00000000-0085fd5f", str(s.get("grpc")))


def t_grpc_error(dish, drive):
    d = Driver(dish, drive, *FAST)
    d.wait_for(is_reply("get_status"), 5)
    t = time.monotonic()
    dish.ctl(cmd="mode", mode="error UNAVAILABLE dish busy: 50% load")
    r = d.wait_for(is_error("get_status", 14), 3, since=t)
    check("gRPC error code and (percent-encoded) message surface",
          r is not None and r[1].get("message") == "dish busy: 50% load", str(r and r[1]))
    recovers(dish, d, "answers again after the error")
    d.finish()


def t_location_denied(dish, drive):
    dish.ctl(cmd="mode", mode="deny_location")
    dish.ctl(cmd="mode", mode="unimplemented get_diagnostics")
    d = Driver(dish, drive, "-s", "500", "-y", "0", "-i", "0", "-l", "200", "-g", "200")
    d.wait_for(lambda e: e.get("ev") == "location_denied", 5)
    time.sleep(2)
    s = d.finish()
    dish.ctl(cmd="mode", mode="normal")
    den = d.select(lambda e: e.get("ev") == "location_denied")
    lerr = d.select(is_error("get_location"))
    check("PermissionDenied on location reported once, no error line",
          len(den) == 1 and not lerr and s.get("location_denied") is True,
          "denied %d, errors %d" % (len(den), len(lerr)))
    derr = d.select(is_error("get_diagnostics"))
    check("Unimplemented diagnostics reported once, then paused",
          len(derr) == 1 and derr[0].get("status") == 12 and s.get("diag_unimplemented") is True
          and s["calls"]["get_diagnostics"]["count"] == 1, str(derr))
    check("location asked once (then hourly)", s["calls"]["get_location"]["count"] == 1,
          str(s["calls"].get("get_location")))


def t_hang(dish, drive):
    d = Driver(dish, drive, *FAST, "-b", "300", "-B", "1000")
    d.wait_for(is_reply("get_status"), 5)
    t = time.monotonic()
    dish.ctl(cmd="mode", mode="hang")
    r = d.wait_for(is_error("get_status", -1), 8, since=t)
    check("hanging dish: deadline (1000 ms) fires", r is not None and r[0] - t < 4.5,
          "%.0f ms" % ((r[0] - t) * 1000) if r else "never")
    time.sleep(3)
    t_normal = time.monotonic()
    dish.ctl(cmd="mode", mode="normal")
    r2 = d.wait_for(is_reply("get_status"), 5, since=t_normal)
    check("answers again after the hang", r2 is not None,
          "%.0f ms after normal" % ((r2[0] - t_normal) * 1000) if r2 else "never")
    time.sleep(0.5)
    s = d.finish()
    lag = d.select(lambda e: e.get("ev") == "lag", since=t, until=t_normal)
    # A loop blocked on the dish would lag by the hang (seconds); 250 ms is
    # what a busy 2-core machine may add to a 50 ms timer.
    ticks_ok = len(lag) >= 3 and all(e["max_ms"] < 250 for e in lag)
    check("loop keeps serving during the hang (50 ms timer, lag < 250 ms)", ticks_ok,
          "lag max %s" % [e["max_ms"] for e in lag])
    g = s.get("grpc", {})
    check("silent connection closed and reconnected (connects > 1)",
          g.get("connects", 0) > 1 and g.get("deadlines", 0) >= 1, str(g))
    return (r2[0] - t_normal) * 1000 if r2 else None


def t_stall(dish, drive):
    """The gRPC handler never answers but HTTP/2 stays alive (the server
    acknowledges what we send): a deadline, and the connection is kept."""
    d = Driver(dish, drive, *FAST)
    d.wait_for(is_reply("get_status"), 5)
    t = time.monotonic()
    dish.ctl(cmd="mode", mode="stall")
    # ours (-1) or the server's own from our grpc-timeout header (4): they race
    r = d.wait_for(lambda e: is_error("get_status")(e) and e["status"] in (-1, 4), 4, since=t)
    check("stalled handler: deadline", r is not None, str(r and r[1]))
    recovers(dish, d, "answers again after the stall")
    s = d.finish()
    check("stall: connection kept (no reconnect while HTTP/2 answers)",
          s.get("grpc", {}).get("connects") == 1, str(s.get("grpc")))


def t_reset(dish, drive):
    d = Driver(dish, drive, *FAST)
    d.wait_for(is_reply("get_status"), 5)
    t = time.monotonic()
    dish.ctl(cmd="mode", mode="reset")
    r = d.wait_for(is_error("get_status", -3), 3, since=t)
    check("connection reset mid-call: status reset", r is not None and "reset" in
          r[1].get("message", ""), str(r and r[1]))
    recovers(dish, d, "answers again after resets", 5)
    d.finish()


def t_restart(dish, drive):
    d = Driver(dish, drive, *FAST)
    d.wait_for(is_reply("get_status"), 5)
    t = time.monotonic()
    dish.kill()
    r = d.wait_for(is_error("get_status"), 3, since=t)
    check("killed emulator: error reported", r is not None, str(r and r[1]))
    time.sleep(2)
    dish.start()
    t_up = time.monotonic()     # it listens again
    r2 = d.wait_for(is_reply("get_status"), 70, since=t_up)
    took = (r2[0] - t_up) * 1000 if r2 else None
    check("reconnects after the emulator is restarted", r2 is not None,
          "first answer %.0f ms after it listens again (down %.1f s; backoff 1 s doubling)"
          % (took, t_up - t) if r2 else "never")
    s = d.finish()
    g = s.get("grpc", {})
    check("backoff counted connect failures", g.get("connect_failures", 0) >= 1, str(g))
    return took


def t_fast_and_actions(dish, drive):
    d = Driver(dish, drive, "-s", "5000", "-f", "300", "-y", "0", "-l", "0", "-g", "0",
               "-i", "0", "-t", "1000")
    d.wait_for(is_reply("get_status"), 5)
    t = time.monotonic()
    d.send("fast on")
    time.sleep(1.6)
    n = len(d.select(is_reply("get_status"), since=t))
    # ~5 at 300 ms; the 5 s interval would give 0 or 1 (a busy machine may
    # delay a poll or two, never add one).
    check("fast mode: status every 300 ms while suspect", 3 <= n <= 7, "%d in 1.6 s" % n)
    d.send("fast off")
    time.sleep(0.4)
    t = time.monotonic()
    time.sleep(1.5)
    n = len(d.select(is_reply("get_status"), since=t))
    check("fast off: back to the 5 s interval", n == 0, "%d in 1.5 s" % n)
    d.send("action stow")
    r = d.wait_for(lambda e: e.get("ev") == "action" and e.get("call") == "stow", 3)
    check("stow action answered", r is not None and r[1].get("status") == 0, str(r and r[1]))
    d.send("fast on")
    r = d.wait_for(is_reply("get_status", outage="STOWED"), 5)
    check("stowed: stow_requested, outage STOWED after 2 s", r is not None and r[1]["stow"])
    d.send("action unstow")
    t = time.monotonic()
    r = d.wait_for(is_reply("get_status", outage=None, stow=False), 3, since=t)
    check("unstow: connected again", r is not None)
    d.send("action reboot")
    t = time.monotonic()
    r = d.wait_for(is_reply("get_status", outage="BOOTING"), 3, since=t)
    check("reboot: outage BOOTING, uptime reset", r is not None and r[1]["uptime_s"] < 5,
          str(r and r[1]))
    d.finish()


def t_wrong_device(dish, drive):
    """Bound to the wired uplink, the dish (only behind sl) is unreachable:
    proof that the client's socket follows the device, not the main table."""
    d = Driver(dish, drive, *FAST, ifname="wan")
    r = d.wait_for(is_error("get_status"), 4)
    s = d.finish()
    check("bound to wan the dish is unreachable (SO_BINDTODEVICE holds)",
          r is not None and not d.select(is_reply("get_status")), str(s.get("grpc")))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--drive", required=True)
    ap.add_argument("--port", type=int, default=32050)
    ap.add_argument("where", choices=("loopback", "lab"))
    ap.add_argument("--prefix", default="h2sl")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="sl_test.")
    dish = LoopbackDish(tmp, a.port) if a.where == "loopback" else LabDish(tmp, a.prefix)
    figures = {}
    try:
        dish.start()
        tests = [t_basic, t_tracking, t_unknown_fields, t_grpc_error, t_location_denied,
                 t_stall, t_reset, t_fast_and_actions, t_hang, t_restart]
        if a.where == "lab":
            tests.append(t_wrong_device)
        for t in tests:
            print("--- %s (%s)" % (t.__name__[2:], a.where), flush=True)
            try:
                v = t(dish, a.drive)
                if t in (t_hang, t_restart):
                    figures[t.__name__[2:] + "_recover_ms"] = v
            except Exception as e:  # a broken step fails its test, the rest still run
                check(t.__name__[2:] + " ran", False, repr(e))
                try:
                    dish.ctl(cmd="mode", mode="normal")
                except Exception:
                    pass
            if t is t_fast_and_actions:     # the dish was rebooted: fresh state
                dish.stop()
                dish.start()
        rc = dish.stop()
        check("emulator exits cleanly on SIGTERM", rc in (0, None), "rc %s" % rc)
    finally:
        dish.kill()
        print(json.dumps({"figures": figures}))
    print("%d passed, %d failed" % (RESULTS["pass"], RESULTS["fail"]))
    sys.exit(1 if RESULTS["fail"] else 0)


if __name__ == "__main__":
    main()

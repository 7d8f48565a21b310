"""starwatch with the real daemon in the lab's router namespace: a SIGSTOPped
daemon is restored within hang_timeout + 10 s, a killed one is restarted,
repeated deaths end in a hold-down with an emergency (syslog, its log, a
webhook POST), and while autonomyd is down starwatch keeps a working default
route (installs one through a member that answers, moves it when that member
dies) and removes it once autonomyd is back. Short intervals: check 1 s,
hang 5 s. Every wait is event-driven with a generous deadline."""
import json
import os
import re
import signal
import subprocess
import sys
import time
import unittest

import harness
from harness import AUTONOMYCTL, AUTONOMYD, wait_for

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
STARWATCH = os.path.join(harness.BUILD, "starwatch")
PREFIX = f"sw{os.getpid() % 100000}"
ENV = dict(os.environ, LAB_PREFIX=PREFIX, LAB_RULES="0")
ROUTER = PREFIX + "-router"
HANG_S = 5
TIMINGS = {}
ASAN_OPTIONS = os.environ.get("ASAN_OPTIONS", "")

HOOK_SERVER = r"""
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(sys.argv[2], "ab") as f:
            f.write(body + b"\n")
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def lab(*args, check=True):
    return subprocess.run([os.path.join(ROOT, "lab", args[0])] + list(args[1:]),
                          env=ENV, check=check, capture_output=True, text=True)


def rexec(*argv, check=False):
    return subprocess.run(["ip", "netns", "exec", ROUTER] + list(argv), check=check,
                          capture_output=True, text=True, timeout=60)


def alive(pid):
    """Running, not a zombie (a daemonised process is reparented to whatever
    PID 1 is here, which may not reap it)."""
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def default_routes():
    """The router's IPv4 default routes in main as (dev, proto, via)."""
    out = subprocess.run(["ip", "-n", ROUTER, "-4", "route", "show", "default"],
                         capture_output=True, text=True).stdout
    routes = []
    for line in out.splitlines():
        w = line.split()
        dev = w[w.index("dev") + 1] if "dev" in w else None
        proto = w[w.index("proto") + 1] if "proto" in w else "boot"
        via = w[w.index("via") + 1] if "via" in w else None
        routes.append((dev, proto, via))
    return routes



def read_json(path):
    """The JSON document at path, or None while it is being replaced."""
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


class Starwatch(harness.TempDirCase):
    @classmethod
    def setUpClass(cls):
        lab("lab.sh", "up")

    @classmethod
    def tearDownClass(cls):
        lab("lab.sh", "down", check=False)
        if TIMINGS:
            print("starwatch timings: " + json.dumps(TIMINGS, sort_keys=True))

    def setUp(self):
        super().setUp()
        self.sock = os.path.join(self.tmp, "run", "autonomy.sock")
        self.pidfile = os.path.join(self.tmp, "autonomy.pid")
        self.swlog = os.path.join(self.tmp, "starwatch.log")
        self.status = os.path.join(self.tmp, "run", "starwatch.json")
        self.hooks = os.path.join(self.tmp, "hooks.jsonl")
        self.asan = os.path.join(self.tmp, "asan")
        # Sanitizer reports of the daemonised processes land in files.
        os.environ["ASAN_OPTIONS"] = "log_path=" + self.asan + ":" + ASAN_OPTIONS
        self.sw = self.hook = None
        self.port = 20000 + os.getpid() % 20000

    def tearDown(self):
        if self.sw and self.sw.poll() is None:
            self.sw.send_signal(signal.SIGTERM)
            try:
                self.sw.wait(10)
            except subprocess.TimeoutExpired:
                self.sw.kill()
                self.sw.wait()
        if self.hook:
            self.hook.kill()
            self.hook.wait()
        pid = self.daemon_pid()
        if pid and alive(pid):
            os.kill(pid, signal.SIGKILL)
        for u in ("wan", "sl", "lte"):
            lab("impair.sh", u, "restore", check=False)
        reports = [f for f in os.listdir(self.tmp) if f.startswith("asan")]
        for f in reports:
            text = open(os.path.join(self.tmp, f), errors="replace").read()
            if "Sanitizer" in text or "runtime error:" in text:
                self.fail("sanitizer report:\n" + text[-3000:])
        super().tearDown()

    def config(self, **sw):
        opts = {"check_interval": "1", "hang_timeout": str(HANG_S), "max_restarts": "5",
                "restart_window": "300", "log_file": self.swlog,
                "pid_file": os.path.join(self.tmp, "starwatch.pid"),
                "state_file": os.path.join(self.tmp, "starwatch.state"),
                "failsafe_route": "1"}
        opts.update(sw)
        text = open(os.path.join(ROOT, "examples", "lab.conf")).read()
        text = text.replace("config autonomy 'main'\n", "config autonomy 'main'\n"
                            f"\toption control_socket '{self.sock}'\n"
                            f"\toption pid_file '{self.pidfile}'\n"
                            f"\toption state_dir '{os.path.join(self.tmp, 'state')}'\n", 1)
        text += "\nconfig autonomy 'starwatch'\n" + "".join(
            f"\toption {k} '{v}'\n" for k, v in opts.items())
        self.conf = os.path.join(self.tmp, "autonomy.conf")
        with open(self.conf, "w") as f:
            f.write(text)

    def daemon_pid(self):
        try:
            return int(open(self.pidfile).read().strip())
        except (OSError, ValueError):
            return None

    def ping(self):
        r = subprocess.run([AUTONOMYCTL, "-s", self.sock, "--json", "ping"],
                           capture_output=True, text=True, timeout=20)
        return json.loads(r.stdout) if r.returncode == 0 else None

    def start_daemon(self):
        r = rexec(AUTONOMYD, "-c", self.conf)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(wait_for(self.ping, 10))

    def start_starwatch(self):
        log = open(os.path.join(self.tmp, "starwatch.stderr"), "ab")
        self.sw = subprocess.Popen(["ip", "netns", "exec", ROUTER, STARWATCH, "-f", "-c",
                                    self.conf], stdout=log, stderr=log)
        self.assertTrue(wait_for(lambda: self.sw_status().get("daemon") == "ok", 20),
                        self.log())

    def sw_status(self):
        try:
            return json.load(open(self.status))
        except (OSError, ValueError):
            return {}

    def log(self):
        try:
            return open(self.swlog).read()
        except OSError:
            return ""

    def restored(self, old_pid):
        """A different daemon process answers with its loop ticking."""
        p = self.ping()
        return p and p["pid"] != old_pid and self.daemon_pid() == p["pid"]

    def test_sigstop_restored_within_hang_timeout_plus_10s(self):
        self.config()
        self.start_daemon()
        self.start_starwatch()
        old = self.daemon_pid()
        t0 = time.monotonic()
        os.kill(old, signal.SIGSTOP)
        ok = wait_for(lambda: self.restored(old), HANG_S + 10, step=0.1)
        took = time.monotonic() - t0
        self.assertTrue(ok, self.log())
        self.assertLessEqual(took, HANG_S + 10)
        TIMINGS["sigstop_restored_s"] = round(took, 2)
        self.assertFalse(alive(old), "the hung process was not ended")
        self.assertIn("did not answer for", self.log())
        self.assertTrue(wait_for(lambda: self.sw_status().get("daemon") == "ok", 10))
        st = self.sw_status()
        self.assertEqual(st["restarts"], 1)
        self.assertEqual(st["step"], "restart_daemon")
        # health shows starwatch's view
        h = json.loads(subprocess.run([AUTONOMYCTL, "-s", self.sock, "--json", "health"],
                                      capture_output=True, text=True).stdout)
        self.assertTrue(h["starwatch"]["running"])
        self.assertEqual(h["starwatch"]["restarts"], 1)
        self.assertFalse(h["starwatch"]["held_down"])

    def test_killed_daemon_restarted(self):
        self.config()
        self.start_daemon()
        self.start_starwatch()
        old = self.daemon_pid()
        t0 = time.monotonic()
        os.kill(old, signal.SIGKILL)
        ok = wait_for(lambda: self.restored(old), 15, step=0.1)
        took = time.monotonic() - t0
        self.assertTrue(ok, self.log())
        TIMINGS["sigkill_restarted_s"] = round(took, 2)
        self.assertIn("died", self.log())
        # A clean stop is the operator's: left alone. (Once starwatch has seen
        # the new daemon: a start that ends before that counts as failed.)
        self.assertTrue(wait_for(lambda: self.sw_status().get("daemon") == "ok", 10))
        new = self.daemon_pid()
        os.kill(new, signal.SIGTERM)
        self.assertTrue(wait_for(lambda: not os.path.exists(self.pidfile), 10))
        self.assertTrue(wait_for(lambda: self.sw_status().get("daemon") == "stopped", 10))
        time.sleep(3)
        self.assertIsNone(self.ping())
        self.assertIn("left alone", self.log())

    def test_hold_down_then_failsafe_route(self):
        self.hook = subprocess.Popen(["ip", "netns", "exec", ROUTER, "/usr/bin/python3", "-c",
                                      HOOK_SERVER, str(self.port), self.hooks])
        self.config(max_restarts="3", alert_url=f"http://127.0.0.1:{self.port}/hook")
        self.start_daemon()
        self.start_starwatch()
        self.assertTrue(wait_for(lambda: ("wan", "165", "10.1.0.1") in default_routes(), 10))
        for i in range(3):
            old = self.daemon_pid()
            os.kill(old, signal.SIGKILL)
            self.assertTrue(wait_for(lambda: self.restored(old), 30, step=0.1),
                            f"restart {i + 1}: " + self.log())
        os.kill(self.daemon_pid(), signal.SIGKILL)
        self.assertTrue(wait_for(lambda: self.sw_status().get("held_down"), 15), self.log())
        self.assertIn("EMERGENCY", self.log())
        self.assertTrue(wait_for(lambda: os.path.exists(self.hooks) and
                                 os.path.getsize(self.hooks) > 0, 20), "no webhook POST")
        hook = json.loads(open(self.hooks).readline())
        self.assertEqual((hook["level"], hook["event"]), ("emergency", "held_down"))
        self.assertIn("held down after 3 restart(s)", hook["message"])
        time.sleep(3)   # held down: no more restarts
        self.assertIsNone(self.ping())
        self.assertEqual(self.sw_status()["restarts"], 3)
        # The CLI, with the daemon down, shows starwatch's view.
        r = subprocess.run([AUTONOMYCTL, "-s", self.sock, "health"], capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 3)
        self.assertIn("HELD DOWN", r.stdout)

        # No default route at all: starwatch installs one via the first member.
        subprocess.run(["ip", "-n", ROUTER, "route", "flush", "exact", "0.0.0.0/0"],
                       check=True)
        t0 = time.monotonic()
        self.assertTrue(wait_for(lambda: ("wan", "166", "10.1.0.1") in default_routes(), 20),
                        (default_routes(), self.log()))
        TIMINGS["failsafe_installed_s"] = round(time.monotonic() - t0, 2)
        self.assertEqual(len(default_routes()), 1)
        # installed as a trial first, active once a ping through it answered
        self.assertTrue(wait_for(lambda: self.sw_status().get("failsafe_active"), 10))
        # That member dies: the route moves to one that answers.
        lab("impair.sh", "wan", "blackhole")
        t0 = time.monotonic()
        self.assertTrue(wait_for(lambda: ("sl", "166", "10.2.0.1") in default_routes(), 30),
                        (default_routes(), self.log()))
        TIMINGS["failsafe_moved_s"] = round(time.monotonic() - t0, 2)
        self.assertEqual(rexec("ping", "-c", "1", "-W", "2", "198.51.100.1").returncode, 0)
        self.assertTrue(wait_for(lambda: (self.sw_status().get("failsafe_member"),
                                          self.sw_status().get("failsafe_device")) ==
                                 ("sat", "sl"), 10), self.sw_status())

        # autonomyd is back: starwatch's route goes, autonomyd's own remains.
        self.start_daemon()
        self.assertTrue(wait_for(lambda: self.sw_status().get("daemon") == "ok", 15))
        self.assertTrue(wait_for(lambda: all(p != "166" for _, p, _ in default_routes())
                                 and default_routes(), 30), (default_routes(), self.log()))
        self.assertTrue(wait_for(lambda: not self.sw_status().get("failsafe_active"), 10))
        self.assertFalse(self.sw_status()["held_down"])
        self.assertEqual(default_routes()[0][1], "165")


class Escalation(Starwatch):
    """The ladder's I/O: interfaces bounced over rtnetlink, the reboot step
    recorded in the state file before its command runs, the per-day limit
    read back by the next run. Its own lab: bouncing the uplinks flushes
    their routes."""

    def test_ladder_restart_interface_then_reboot(self):
        marker = os.path.join(self.tmp, "rebooted")
        state = os.path.join(self.tmp, "starwatch.state")
        self.config(max_restarts="1", escalation="restart_daemon restart_interface reboot",
                    max_reboots_per_day="1", reboot_command=f"/usr/bin/touch {marker}")
        self.start_daemon()
        self.start_starwatch()
        steps = []
        for want in ("restart_daemon", "restart_interface"):
            old = self.daemon_pid()
            os.kill(old, signal.SIGKILL)
            self.assertTrue(wait_for(lambda: self.restored(old), 30, step=0.1), self.log())
            self.assertTrue(wait_for(lambda: self.sw_status().get("daemon") == "ok", 15))
            steps.append(self.sw_status()["step"])
        self.assertEqual(steps, ["restart_daemon", "restart_interface"])
        for dev in ("wan", "sl", "lte"):
            self.assertIn(f"restart_interface: {dev} set down and up", self.log())
        os.kill(self.daemon_pid(), signal.SIGKILL)
        self.assertTrue(wait_for(lambda: os.path.exists(marker), 20), self.log())
        rec = json.load(open(state))
        self.assertEqual(rec["version"], 1)
        self.assertEqual(len(rec["reboots"]), 1)
        self.assertLess(abs(rec["reboots"][0] - time.time()), 60)
        # "the machine rebooted" but the daemon stays dead: the ladder is used
        # up, held down
        self.assertTrue(wait_for(lambda: self.sw_status().get("held_down"), 20), self.log())
        self.assertIn("rebooting the router (1 of at most 1 today)", self.log())
        # A new run (as after the reboot) reads the record: no second reboot today.
        self.sw.send_signal(signal.SIGTERM)
        self.sw.wait(10)
        os.unlink(marker)
        self.start_daemon()
        self.start_starwatch()
        os.kill(self.daemon_pid(), signal.SIGKILL)
        old = self.daemon_pid()
        self.assertTrue(wait_for(lambda: self.restored(old), 30, step=0.1), self.log())
        self.assertTrue(wait_for(lambda: self.sw_status().get("daemon") == "ok", 15))
        os.kill(self.daemon_pid(), signal.SIGKILL)
        old = self.daemon_pid()
        self.assertTrue(wait_for(lambda: self.restored(old), 30, step=0.1), self.log())
        self.assertTrue(wait_for(lambda: self.sw_status().get("daemon") == "ok", 15))
        os.kill(self.daemon_pid(), signal.SIGKILL)
        self.assertTrue(wait_for(lambda: self.sw_status().get("held_down"), 20), self.log())
        self.assertFalse(os.path.exists(marker))

    # the other tests of the base class run once, there
    test_sigstop_restored_within_hang_timeout_plus_10s = None
    test_killed_daemon_restarted = None
    test_hold_down_then_failsafe_route = None


class Programs(harness.TempDirCase):
    def test_version_check_and_ldd(self):
        r = subprocess.run([STARWATCH, "-V"], capture_output=True, text=True)
        self.assertRegex(r.stdout, r"^starwatch \d+\.\d+\.\d+")
        conf = os.path.join(self.tmp, "c")
        open(conf, "w").write("config autonomy 'starwatch'\n\toption hang_timeout '3'\n")
        r = subprocess.run([STARWATCH, "-n", "-c", conf], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn("check_interval (10) must not be greater than hang_timeout (3)", r.stderr)
        open(conf, "w").write("config autonomy 'starwatch'\n\toption enabled '0'\n")
        r = subprocess.run([STARWATCH, "-f", "-c", conf], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertIn("disabled", r.stderr)
        # libc and json-c only (the sanitizer runtimes of an ASan build aside)
        libs = re.findall(r"^\s*(\S+)", subprocess.run(["ldd", STARWATCH], capture_output=True,
                                                     text=True).stdout, re.M)
        extra = [l for l in libs if not re.match(r"(linux-vdso|/lib64/ld-linux|ld-linux|libc\.|"
                                                 r"libjson-c\.|libasan|libubsan|libm\.|"
                                                 r"libgcc_s|libstdc\+\+|libdl\.|librt\.|"
                                                 r"libpthread\.)", l)]
        self.assertEqual(extra, [])
        self.assertNotIn("libevent", " ".join(libs))

    def test_single_instance_and_reload(self):
        conf = os.path.join(self.tmp, "c")
        log = os.path.join(self.tmp, "sw.log")
        text = ("config autonomy 'main'\n\toption backend 'none'\n"
                f"\toption control_socket '{self.tmp}/run/a.sock'\n"
                f"\toption pid_file '{self.tmp}/a.pid'\n"
                "config autonomy 'starwatch'\n\toption check_interval '1'\n"
                f"\toption log_file '{log}'\n\toption pid_file '{self.tmp}/sw.pid'\n"
                f"\toption state_file '{self.tmp}/sw.state'\n")
        open(conf, "w").write(text)
        sw = subprocess.Popen([STARWATCH, "-f", "-c", conf], stderr=subprocess.DEVNULL)
        try:
            status = os.path.join(self.tmp, "run", "starwatch.json")
            self.assertTrue(wait_for(lambda: os.path.exists(status), 10))
            self.assertEqual(json.load(open(status))["daemon"], "stopped")
            r = subprocess.run([STARWATCH, "-f", "-c", conf], capture_output=True, text=True,
                               timeout=20)
            self.assertEqual(r.returncode, 1)
            self.assertIn("already running", r.stderr)
            open(conf, "w").write(text + "\toption max_restarts 'many'\n")
            sw.send_signal(signal.SIGHUP)
            self.assertTrue(wait_for(lambda: "keeping the running config" in
                                     open(log).read(), 10))
            open(conf, "w").write(text + "\toption check_interval '2'\n")
            sw.send_signal(signal.SIGHUP)
            # A reload rewrites the status file: read it when it is there.
            self.assertTrue(wait_for(lambda: (read_json(status) or {}).get(
                "check_interval_s") == 2, 10))
            open(conf, "w").write(text + "\toption enabled '0'\n")
            sw.send_signal(signal.SIGHUP)
            self.assertEqual(sw.wait(10), 0)
            self.assertFalse(os.path.exists(status))
            self.assertFalse(os.path.exists(os.path.join(self.tmp, "sw.pid")))
        finally:
            if sw.poll() is None:
                sw.kill()
                sw.wait()


if __name__ == "__main__":
    harness.main()

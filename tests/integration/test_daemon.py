"""autonomyd + autonomyctl + rpcd plugin, end to end, on real sockets,
real signals and real link state in network namespaces."""
import json
import os
import signal
import socket
import subprocess
import time
import unittest

import harness
from harness import AUTONOMYCTL, AUTONOMYD, Netns, TempDirCase, read_lines, wait_for

CONFIG = """
config autonomy 'main'
	option enabled '1'
	option backend 'none'
	option log_level 'info'

config autonomy 'email'
	option enabled '0'
	option password 'hunter2-secret'

config autonomy 'network_security'
	option traffic_monitoring '1'

config member 'uplink'
	option device 'up0'
	option class 'lan'
	option priority '1'

config member 'ghost'
	option device 'nosuchdev9'
	option class 'cellular'
	option priority '2'
	option metered '1'
"""

PLANNED = "accepted, no effect yet (not implemented in this version)"

STATUS_KEYS = {"version", "uptime_s", "backend", "active_member", "members",
               "last_switch", "config_file"}
MEMBER_KEYS = {"name", "interface", "device", "class", "priority", "carrier", "state",
               "active", "health_score", "latency_ms", "jitter_ms", "loss_pct"}
HEALTH_KEYS = {"pid", "uptime_s", "rss_kb", "cpu_pct", "loop_lag_ms", "config_ok",
               "last_reload", "subsystems"}


class CheckConfig(TempDirCase):
    def test_version(self):
        r = subprocess.run([AUTONOMYD, "-V"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^autonomyd \d+\.\d+\.\d+")

    def test_check_ok_and_bad(self):
        good = os.path.join(self.tmp, "good")
        bad = os.path.join(self.tmp, "bad")
        open(good, "w").write(CONFIG)
        open(bad, "w").write(CONFIG + "\nconfig autonomy 'polling'\n"
                             "\toption base_interval_ms 'fast'\n")
        r = subprocess.run([AUTONOMYD, "-n", "-c", good], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("OK (2 members", r.stdout)
        r = subprocess.run([AUTONOMYD, "-n", "-c", bad], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        line = len((CONFIG + "\n").splitlines()) + 2
        self.assertIn(f"{bad}:{line}: polling.base_interval_ms", r.stderr)

    def test_planned_options_warn(self):
        """Options that do nothing yet say so when set, and only when set."""
        path = os.path.join(self.tmp, "planned")
        open(path, "w").write(CONFIG)
        line = CONFIG.splitlines().index("\toption traffic_monitoring '1'") + 1
        want = f"{path}:{line}: network_security.traffic_monitoring: {PLANNED}"
        r = subprocess.run([AUTONOMYD, "-n", "-c", path], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("warning: " + want, r.stderr)
        self.assertIn("OK (2 members, 1 warnings)", r.stdout)
        r = subprocess.run([AUTONOMYCTL, "-s", os.path.join(self.tmp, "none.sock"), "--json",
                            "config", "validate", path], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([w["message"] for w in json.loads(r.stdout)["warnings"]], [want])
        # Absent is not set: no warning.
        open(path, "w").write(CONFIG.replace("\toption traffic_monitoring '1'\n", ""))
        r = subprocess.run([AUTONOMYD, "-n", "-c", path], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("no effect", r.stderr)
        self.assertIn("OK (2 members, 0 warnings)", r.stdout)

    def test_bad_flag_is_usage_error(self):
        r = subprocess.run([AUTONOMYD, "-Z"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)

    def test_start_refused_with_broken_config(self):
        d = self.daemon("config autonomy 'main'\n\toption backend 'teleport'\n")
        d.start(wait=False)
        self.assertEqual(d.proc.wait(10), 1)
        self.assertIn("backend", d.read_log())
        self.assertFalse(os.path.exists(d.pidfile))

    def test_validate_without_daemon(self):
        good = os.path.join(self.tmp, "good")
        open(good, "w").write(CONFIG + "\nconfig autonomy 'polling'\n\toption base_intervl_ms '900'\n")
        sock = os.path.join(self.tmp, "none.sock")
        r = subprocess.run([AUTONOMYCTL, "-s", sock, "config", "validate", good],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("did you mean 'base_interval_ms'", r.stdout)
        # the typo, and network_security.traffic_monitoring: accepted, no effect yet
        self.assertIn("OK (2 members, 2 warnings)", r.stdout)
        open(good, "a").write("config member 'x'\n\toption priority 'high'\n")
        r = subprocess.run([AUTONOMYCTL, "-s", sock, "--json", "config", "validate", good],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        err = json.loads(r.stdout)["error"]
        self.assertEqual(err["code"], "config_invalid")
        self.assertTrue(any("x.priority" in d["message"] or "priority" in d["message"]
                            for d in err["details"]))

    def test_not_running_exit_3(self):
        sock = os.path.join(self.tmp, "none.sock")
        for cmd in (["status"], ["members"], ["--json", "health"], ["reload"]):
            r = subprocess.run([AUTONOMYCTL, "-s", sock] + cmd, capture_output=True, text=True)
            self.assertEqual(r.returncode, 3, cmd)
            self.assertIn("not running", r.stderr)
            self.assertIn("hint:", r.stderr)

    def test_usage_errors_exit_2(self):
        for argv in (["frobnicate"], [], ["status", "--bogus"], ["config"]):
            r = subprocess.run([AUTONOMYCTL] + argv, capture_output=True, text=True)
            self.assertEqual(r.returncode, 2, argv)

    def test_help(self):
        r = subprocess.run([AUTONOMYCTL, "help"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        for c in ("status", "members", "health", "config show", "config validate", "reload"):
            self.assertIn(c, r.stdout)
        r = subprocess.run([AUTONOMYCTL, "help", "config", "show"], capture_output=True, text=True)
        self.assertIn("--reveal", r.stdout)


class Running(TempDirCase):
    def setUp(self):
        super().setUp()
        self.ns = Netns("r")
        self.ns.__enter__()
        # Runs even when setUp fails below, so the next test's namespace
        # name is free again.
        self.addCleanup(self.ns.__exit__, None, None, None)
        self.d = self.daemon(CONFIG, netns=self.ns.ns).start()

    def test_status(self):
        r = self.d.ctl("status", json_out=True, check_rc=0)
        self.assertTrue(STATUS_KEYS <= set(r.data), set(r.data))
        self.assertEqual(r.data["members"], 2)
        self.assertEqual(r.data["config_file"], self.d.config)
        self.assertIsNone(r.data["last_switch"])
        t = self.d.ctl("status", check_rc=0).stdout
        self.assertIn("members      2", t)
        self.assertIn(self.d.config, t)

    def test_members(self):
        r = self.d.ctl("members", json_out=True, check_rc=0)
        self.assertEqual([m["name"] for m in r.data], ["uplink", "ghost"])
        for m in r.data:
            self.assertTrue(MEMBER_KEYS <= set(m), set(m))
        up, ghost = r.data
        self.assertEqual(up["device"], "up0")
        self.assertIs(up["carrier"], True)
        self.assertIn("10.77.0.2/30", up["link"]["addresses"])
        self.assertIsNone(ghost["carrier"])
        self.assertEqual(ghost["state"], "down")
        self.assertIs(ghost["metered"], True)
        t = self.d.ctl("members", check_rc=0).stdout.splitlines()
        self.assertTrue(t[0].startswith("NAME"))
        self.assertRegex(t[1], r"^uplink\s+up0\s+lan\s+1\s+up\s")
        self.assertRegex(t[2], r"^ghost\s+nosuchdev9\s+cellular\s+2\s+absent\s+down")

    def test_carrier_follows_kernel(self):
        self.ns.set_peer(False)
        carrier = lambda: self.d.ctl("members", json_out=True).data[0]["carrier"]
        self.assertTrue(wait_for(lambda: carrier() is False, 3))
        self.assertEqual(self.d.ctl("members", json_out=True).data[0]["state"], "down")
        self.ns.set_peer(True)
        self.assertTrue(wait_for(lambda: carrier() is True, 3))

    def test_health(self):
        r = self.d.ctl("health", json_out=True, check_rc=0)
        self.assertTrue(HEALTH_KEYS <= set(r.data), set(r.data))
        self.assertEqual(r.data["pid"], self.d.proc.pid)  # `ip netns exec` execs in place
        self.assertGreater(r.data["rss_kb"], 0)
        self.assertTrue(r.data["config_ok"])
        self.assertIn("linkmon", r.data["subsystems"])
        t = self.d.ctl("health", check_rc=0).stdout
        self.assertIn("KiB resident", t)
        self.assertIn("loop lag", t)

    def test_config_show_masks_secrets(self):
        r = self.d.ctl("config", "show", json_out=True, check_rc=0)
        pw = r.data["sections"]["email"]["password"]
        self.assertNotIn("hunter2", pw)
        self.assertTrue(pw.startswith("hu"))
        self.assertIn("polling", r.data["sections"])  # defaults filled in
        self.assertEqual(r.data["members"][0]["name"], "uplink")
        r = self.d.ctl("config", "show", "--reveal", json_out=True, check_rc=0)
        self.assertEqual(r.data["sections"]["email"]["password"], "hunter2-secret")
        t = self.d.ctl("config", "show", check_rc=0).stdout
        self.assertIn("config autonomy 'polling'", t)
        self.assertIn("config member 'ghost'", t)
        self.assertNotIn("hunter2", t)
        # Options without effect yet are marked, in the table and in JSON.
        self.assertIn("\toption password 'hu******'\n", t)            # the alerts use it
        self.assertIn("\toption traffic_monitoring '1'\t# " + PLANNED + "\n", t)
        self.assertIn("\toption api_encryption '1'\n", t)
        self.assertIn("\toption api_authentication '1'\n", t)
        self.assertIn("\toption dry_run '0'\n", t)
        j = self.d.ctl("config", "show", json_out=True, check_rc=0).data
        self.assertEqual(j["planned"]["network_security"], ["traffic_monitoring"])
        self.assertNotIn("security", j["planned"])
        self.assertEqual(j["planned"]["member"], ["weight"])
        self.assertNotIn("main", j["planned"])
        # The table form is UCI that validates again (the marks are comments).
        p = os.path.join(self.tmp, "shown.conf")
        open(p, "w").write(t)
        self.d.ctl("config", "validate", p, check_rc=0)

    def test_config_validate_default_is_daemons_file(self):
        r = self.d.ctl("config", "validate", json_out=True, check_rc=0)
        self.assertEqual(r.data["file"], self.d.config)

    def test_reload_good_then_broken(self):
        self.d.write_config(CONFIG.replace("option priority '2'", "option priority '5'"))
        r = self.d.ctl("reload", json_out=True, check_rc=0)
        self.assertTrue(r.data["reloaded"])
        self.assertIn(f"network_security.traffic_monitoring: {PLANNED}",
                      " ".join(w["message"] for w in r.data["warnings"]))
        self.assertIn("network_security.traffic_monitoring: " + PLANNED, self.d.read_log())
        self.assertEqual(self.d.ctl("members", json_out=True).data[1]["priority"], 5)
        # Broken: the old config stays, the error is reported everywhere.
        self.d.write_config(CONFIG.replace("option priority '2'", "option priority 'two'"))
        r = self.d.ctl("reload", check_rc=1)
        self.assertIn("still running on the previous config", r.stderr)
        self.assertIn("priority", r.stderr)
        self.assertEqual(self.d.ctl("members", json_out=True).data[1]["priority"], 5)
        h = self.d.ctl("health", json_out=True).data
        self.assertFalse(h["config_ok"])
        self.assertFalse(h["last_reload"]["ok"])
        # SIGHUP with a repaired file recovers.
        self.d.write_config(CONFIG)
        os.kill(self.daemon_pid(), signal.SIGHUP)
        self.assertTrue(wait_for(lambda: self.d.ctl("health", json_out=True).data["config_ok"]))
        self.assertEqual(self.d.ctl("members", json_out=True).data[1]["priority"], 2)

    def daemon_pid(self):
        return self.d.ctl("health", json_out=True).data["pid"]

    def test_second_daemon_refused(self):
        other = os.path.join(self.tmp, "other.sock")
        r = subprocess.run(["ip", "netns", "exec", self.ns.ns, AUTONOMYD, "-f", "-c",
                            self.d.config, "-s", other, "-p", self.d.pidfile],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 1)
        self.assertIn("already running (pid", r.stderr)
        r = subprocess.run([AUTONOMYD, "-f", "-c", self.d.config, "-s", self.d.sock, "-p",
                            os.path.join(self.tmp, "other.pid")],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 1)
        self.assertIn("answers on", r.stderr)
        self.assertTrue(self.d.answers())

    def test_garbage_and_pipelining(self):
        s = self.d.request(b"garbage\n{\"cmd\":\"status\"}\n[1]\n{\"cmd\":\"nope\"}\n\n"
                           b"{\"cmd\":\"members\",\"args\":{\"x\":1}}\n{\"cmd\":\"health\"}\n")
        replies = read_lines(s, 6)
        s.close()
        codes = [r.get("error", {}).get("code") if not r["ok"] else "ok" for r in replies]
        self.assertEqual(codes, ["bad_json", "ok", "bad_request", "unknown_command",
                                 "bad_args", "ok"])

    def test_oversized_request(self):
        s = self.d.request(b"{\"cmd\":\"status\",\"pad\":\"" + b"x" * 70000)
        replies = read_lines(s, 1)
        self.assertEqual(replies[0]["error"]["code"], "too_large")
        s.settimeout(5)
        try:  # closed by the daemon: EOF, or a reset since our excess bytes were unread
            self.assertEqual(s.recv(10), b"")
        except ConnectionResetError:
            pass
        s.close()
        self.assertEqual(self.d.ctl("status", check_rc=0).returncode, 0)

    def test_binary_junk_and_half_close(self):
        s = self.d.request(bytes(range(256)) * 20 + b"\n")
        s.shutdown(socket.SHUT_WR)
        replies = read_lines(s, 1)
        self.assertEqual(replies[0]["error"]["code"], "bad_json")
        s.close()
        self.d.ctl("status", check_rc=0)

    def test_too_many_clients(self):
        conns = []
        for _ in range(40):
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.connect(self.d.sock)
            conns.append(c)
        # The 8 beyond the limit are told so; wait for the replies rather
        # than for a fixed time (a busy machine answers late, not never).
        import select
        busy, pending, end = 0, list(conns), time.monotonic() + 15
        while busy < 8 and time.monotonic() < end:
            ready = select.select(pending, [], [], 0.5)[0]
            for c in ready:
                pending.remove(c)
                if b"busy" in c.recv(4096):
                    busy += 1
        self.assertGreaterEqual(busy, 8)
        for c in conns:
            c.close()
        self.assertTrue(wait_for(lambda: self.d.ctl("status").returncode == 0))

    def test_sigterm_cleans_up(self):
        self.assertTrue(os.path.exists(self.d.pidfile))
        self.assertEqual(self.d.stop(), 0)
        self.assertFalse(os.path.exists(self.d.pidfile))
        self.assertFalse(os.path.exists(self.d.sock))

    def test_rpcd_plugin(self):
        plugin = os.path.join(self.tmp, "autonomy")
        os.symlink(AUTONOMYCTL, plugin)
        env = dict(os.environ, AUTONOMY_SOCKET=self.d.sock)

        def rpcd(*argv, stdin=""):
            # rpcd: argv list / call METHOD, JSON on stdin without newline,
            # stderr discarded, exit status ignored.
            r = subprocess.run([plugin] + list(argv), input=stdin, capture_output=True,
                               text=True, env=env, timeout=20)
            return json.loads(r.stdout)

        methods = rpcd("list")
        for m in ("status", "members", "health", "config_show", "config_validate", "reload"):
            self.assertIsInstance(methods[m], dict)
        self.assertEqual(methods["config_show"], {})
        self.assertEqual(methods["config_reveal"], {})
        self.assertEqual(methods["config_validate"], {"file": "", "text": ""})
        st = rpcd("call", "status", stdin="{}")
        cli = self.d.ctl("status", json_out=True).data
        self.assertEqual(set(st), set(cli))
        self.assertEqual(st["config_file"], cli["config_file"])
        mem = rpcd("call", "members", stdin='{"ubus_rpc_session":"' + "0" * 32 + '"}')
        self.assertEqual([m["name"] for m in mem["members"]], ["uplink", "ghost"])
        self.assertEqual(rpcd("call", "health", stdin="")["config_ok"], True)
        self.assertEqual(rpcd("call", "status", stdin="{bad json")["error"]["code"], "bad_json")
        self.assertEqual(rpcd("call", "status", stdin="[1,2]")["error"]["code"], "bad_json")
        self.assertEqual(rpcd("call", "frob", stdin="{}")["error"]["code"], "unknown_command")
        self.assertEqual(rpcd("call", "status", stdin='{"x":1}')["error"]["code"], "bad_args")
        self.assertEqual(rpcd("call", "config_validate", stdin="{}")["file"], self.d.config)
        self.assertIn("hu", rpcd("call", "config_show", stdin="{}")["sections"]["email"]["password"])
        self.d.stop()
        self.assertEqual(rpcd("call", "status", stdin="{}")["error"]["code"], "not_running")


class Daemonized(TempDirCase):
    def test_background_mode(self):
        d = self.daemon(CONFIG)
        r = subprocess.run([AUTONOMYD, "-c", d.config, "-s", d.sock, "-p", d.pidfile],
                           capture_output=True, text=True, timeout=15)
        self.assertEqual(r.returncode, 0, r.stderr)
        # The parent returns only once the daemon serves.
        self.assertTrue(d.answers())
        pid = int(open(d.pidfile).read())
        self.assertEqual(d.ctl("health", json_out=True).data["pid"], pid)
        os.kill(pid, signal.SIGTERM)
        self.assertTrue(wait_for(lambda: not os.path.exists(d.pidfile), 10))
        self.assertFalse(os.path.exists(d.sock))

    def test_stale_pidfile_and_socket_taken_over(self):
        d = self.daemon(CONFIG)
        os.makedirs(os.path.dirname(d.sock), exist_ok=True)
        open(d.pidfile, "w").write("999999\n")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(d.sock)  # a socket file nobody listens on
        s.close()
        d.start()
        self.assertEqual(d.ctl("status").returncode, 0)
        st = os.stat(d.sock)
        self.assertEqual(st.st_mode & 0o777, 0o660)


if __name__ == "__main__":
    harness.main()

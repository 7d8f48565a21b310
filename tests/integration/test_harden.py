"""Issue 13, the security review: every finding as a test that failed on the
code before the fix, least privilege and authorisation by peer credentials.
The real daemon, the CLI and the rpcd plugin (autonomyctl run as
`autonomy`), real FIFOs and symlinks, another user (nobody, through
setpriv), fake servers, and the gRPC dish emulator for the pipelining test.
The daemon runs in the host namespace with backend 'none' (it changes no
routes) except where a test needs a link."""
import json
import os
import signal
import socket
import stat
import subprocess
import tempfile
import time
import unittest

import harness
from harness import AUTONOMYCTL, AUTONOMYD, Netns, TempDirCase, read_lines, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
EMU = os.path.join(ROOT, "tests", "dish", "dish_emulator.py")
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534"]

CONFIG = """
config autonomy 'main'
	option backend 'none'
	option log_level 'info'

config autonomy 'email'
	option password 'hunter2-secret'

config autonomy 'slack'
	option webhook_url 'https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX'

config member 'ghost'
	option device 'nosuchdev9'
	option class 'lan'
	option priority '1'
"""


def main_opts(*lines):
    """CONFIG with extra options in main."""
    return CONFIG.replace("\toption log_level 'info'\n",
                          "\toption log_level 'info'\n" + "".join(f"\t{l}\n" for l in lines))


def raw(sock_path, data, n=1, timeout=10):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    s.sendall(data)
    try:
        return read_lines(s, n, timeout)
    finally:
        s.close()


class Base(TempDirCase):
    def setUp(self):
        super().setUp()
        self.plugin = os.path.join(self.tmp, "autonomy")
        os.symlink(AUTONOMYCTL, self.plugin)

    def rpcd(self, sock, method, stdin="{}", timeout=20):
        """The rpcd exec plugin as rpcd runs it (as root)."""
        r = subprocess.run([self.plugin, "call", method], input=stdin, capture_output=True,
                           text=True, env=dict(os.environ, AUTONOMY_SOCKET=sock),
                           timeout=timeout)
        return json.loads(r.stdout)

    def open_to_nobody(self):
        """The temp dir is 0700 (mkdtemp): let another user reach the socket."""
        os.chmod(self.tmp, 0o755)

    def ctl_as(self, d, user_argv, *args, timeout=20):
        return subprocess.run(user_argv + [AUTONOMYCTL, "-s", d.sock] + list(args),
                              capture_output=True, text=True, timeout=timeout)


# ---- finding 1: secrets ------------------------------------------------------------

class Secrets(Base):
    def test_config_show_never_reveals(self):
        d = self.daemon(CONFIG).start()
        out = json.dumps(self.rpcd(d.sock, "config_show", '{"reveal":true}'))
        self.assertNotIn("hunter2-secret", out)
        self.assertNotIn("XXXXSECRETXXXX", out)
        r = raw(d.sock, b'{"cmd":"config_show","args":{"reveal":true}}\n')[0]
        self.assertNotIn("hunter2-secret", json.dumps(r))
        shown = self.rpcd(d.sock, "config_show")["sections"]
        self.assertTrue(shown["email"]["password"].startswith("hu"))
        self.assertNotIn("hunter2-secret", shown["email"]["password"])

    def test_reveal_is_its_own_privileged_method(self):
        d = self.daemon(CONFIG).start()
        self.assertEqual(self.rpcd(d.sock, "config_reveal")["sections"]["email"]["password"],
                         "hunter2-secret")
        r = d.ctl("config", "show", "--reveal", json_out=True, check_rc=0)
        self.assertEqual(r.data["sections"]["slack"]["webhook_url"],
                         "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX")
        # The human form is UCI, like `config show`.
        t = d.ctl("config", "show", "--reveal", check_rc=0).stdout
        self.assertIn("\toption password 'hunter2-secret'", t)
        self.assertIn("config member 'ghost'", t)

    def test_acl_puts_reveal_and_actions_in_write_only(self):
        share = os.path.join(ROOT, "openwrt", "files", "usr", "share")
        with open(os.path.join(share, "rpcd", "acl.d", "autonomy.json")) as f:
            acl = json.load(f)
        with open(os.path.join(share, "autonomy", "acl-unauthenticated.json")) as f:
            anon = set(json.load(f)["unauthenticated"]["read"]["ubus"]["autonomy"])
        read = set(acl["autonomy-read"]["read"]["ubus"]["autonomy"])
        write = set(acl["autonomy-write"]["write"]["ubus"]["autonomy"])
        methods = json.loads(subprocess.run([self.plugin, "list"], capture_output=True,
                                            text=True).stdout)
        privileged = {"config_reveal", "failover", "reload", "starlink_reboot",
                      "starlink_stow", "starlink_unstow"}
        self.assertEqual(read & privileged, set())
        self.assertEqual(anon & privileged, set())
        self.assertLessEqual(anon, read)
        self.assertLessEqual(privileged, write)
        # Every method is in exactly one group.
        self.assertEqual(read | write, set(methods))
        self.assertEqual(read & write, set())


# ---- finding 2: config_validate ------------------------------------------------------

class Validate(Base):
    def test_rpcd_reads_no_file_of_the_callers_choosing(self):
        d = self.daemon(CONFIG).start()
        fifo = os.path.join(self.tmp, "fifo")
        os.mkfifo(fifo)
        uci_shaped = os.path.join(self.tmp, "secret.conf")
        with open(uci_shaped, "w") as f:
            f.write("config x 'y'\n\toption key 'root-only-value'\n")
        os.chmod(uci_shaped, 0o600)
        for path in ("/etc/shadow", "/nonexistent/x", fifo, "/dev/zero", uci_shaped):
            t0 = time.monotonic()
            r = self.rpcd(d.sock, "config_validate", json.dumps({"file": path}))
            self.assertEqual(r["error"]["code"], "bad_args", (path, r))
            self.assertLess(time.monotonic() - t0, 10)
            self.assertNotIn("root-only-value", json.dumps(r))
        # The daemon's own file, or a config given inline.
        self.assertEqual(self.rpcd(d.sock, "config_validate")["file"], d.config)
        ok = self.rpcd(d.sock, "config_validate", json.dumps({"text": CONFIG}))
        self.assertTrue(ok["valid"])
        bad = self.rpcd(d.sock, "config_validate",
                        json.dumps({"text": "config autonomy 'main'\n\toption backend 'x'\n"}))
        self.assertEqual(bad["error"]["code"], "config_invalid")

    def test_daemon_never_blocks_on_a_fifo(self):
        d = self.daemon(CONFIG).start()
        fifo = os.path.join(self.tmp, "fifo")
        os.mkfifo(fifo)
        try:
            s = d.request(json.dumps({"cmd": "config_validate",
                                      "args": {"file": fifo}}).encode() + b"\n")
            r = read_lines(s, 1, timeout=10)[0]
            s.close()
            self.assertEqual(r["error"]["code"], "config_invalid")
            self.assertIn("not a regular file", json.dumps(r))
            d.ctl("status", check_rc=0)
        finally:
            # The old daemon sat in open(): a writer lets it go.
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass

    def test_size_capped(self):
        d = self.daemon(CONFIG).start()
        big = os.path.join(self.tmp, "big.conf")
        with open(big, "w") as f:
            f.write("# x\n" * (600 * 1024))
        r = raw(d.sock, json.dumps({"cmd": "config_validate",
                                    "args": {"file": big}}).encode() + b"\n")[0]
        self.assertEqual(r["error"]["code"], "config_invalid")
        self.assertIn("larger than 1048576 bytes", json.dumps(r))

    def test_other_files_need_privilege(self):
        self.open_to_nobody()
        d = self.daemon(main_opts("option socket_group '65534'")).start()
        other = os.path.join(self.tmp, "other.conf")
        with open(other, "w") as f:
            f.write(CONFIG)
        os.chmod(other, 0o600)
        req = json.dumps({"cmd": "config_validate", "args": {"file": other}})
        r = subprocess.run(NOBODY + ["--clear-groups", "/usr/bin/python3", "-c",
                           "import socket,sys; s=socket.socket(socket.AF_UNIX);"
                           "s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode()+b'\\n');"
                           "print(s.makefile().readline())", d.sock, req],
                           capture_output=True, text=True, timeout=20)
        self.assertEqual(json.loads(r.stdout)["error"]["code"], "permission_denied", r.stderr)
        self.assertTrue(raw(d.sock, req.encode() + b"\n")[0]["ok"])   # root may


# ---- findings 3 and 5: state files ----------------------------------------------------

class StateFiles(Base):
    def state(self):
        p = os.path.join(self.tmp, "state")
        os.makedirs(p, exist_ok=True)
        return p

    def test_any_content_is_survived_and_set_aside(self):
        st = self.state()
        bad = {
            "locations.json": '{"format":null}',
            "usage.json": '{"format":"autonomy-usage","version":1,"members":[{}]}',
            "precursors.json": '{"format":"autonomy-precursors/1","members":{},"members":1}',
        }
        for name, text in bad.items():
            with open(os.path.join(st, name), "w") as f:
                f.write(text)
        with open(os.path.join(st, "history.db"), "wb") as f:
            f.write(b"SQLite format 3\0" + b"\xff" * 4080)
        d = self.daemon(CONFIG).start()
        d.ctl("status", check_rc=0)
        for name, text in bad.items():
            with open(os.path.join(st, name + ".bad")) as f:
                self.assertEqual(f.read(), text)
        aside = [n for n in os.listdir(st) if n.startswith("history.db.bad-")]
        self.assertEqual(len(aside), 1, os.listdir(st))
        log = d.read_log()
        for name in bad:
            self.assertIn(name + ".bad", log)
        self.assertEqual(d.stop(), 0)

    def test_fifo_in_state_dir_does_not_hang_start(self):
        st = self.state()
        names = ("locations.json", "usage.json", "precursors.json", "history.db")
        for name in names:
            os.mkfifo(os.path.join(st, name))
        d = self.daemon(CONFIG)
        try:
            d.start()
            d.ctl("status", check_rc=0)
            for name in names[:3]:
                self.assertTrue(stat.S_ISFIFO(os.lstat(os.path.join(st, name + ".bad")).st_mode))
            aside = [n for n in os.listdir(st) if n.startswith("history.db.bad-")]
            self.assertEqual(len(aside), 1, os.listdir(st))
            self.assertTrue(stat.S_ISFIFO(os.lstat(os.path.join(st, aside[0])).st_mode))
            self.assertTrue(stat.S_ISREG(os.lstat(os.path.join(st, "history.db")).st_mode))
            self.assertEqual(d.stop(), 0)
            self.assertTrue(stat.S_ISREG(os.lstat(os.path.join(st, "usage.json")).st_mode))
        finally:
            for name in os.listdir(st):
                try:
                    os.close(os.open(os.path.join(st, name), os.O_WRONLY | os.O_NONBLOCK))
                except OSError:
                    pass


# ---- finding 4: writes ------------------------------------------------------------------

class Writes(Base):
    def test_pid_file_must_be_a_pid_file(self):
        victim = os.path.join(self.tmp, "victim.conf")
        with open(victim, "w") as f:
            f.write(CONFIG)
        d = self.daemon(CONFIG, extra=())
        d.pidfile = victim
        d.start(wait=False)
        self.assertEqual(d.proc.wait(20), 1)
        self.assertIn("not a pid file", d.read_log())
        with open(victim) as f:
            self.assertEqual(f.read(), CONFIG)
        # A symlink there is not followed either.
        link = os.path.join(self.tmp, "link.pid")
        os.symlink(victim, link)
        d2 = self.daemon(CONFIG)
        d2.pidfile = link
        d2.sock = os.path.join(self.tmp, "run2", "s.sock")
        d2.start(wait=False)
        self.assertEqual(d2.proc.wait(20), 1)
        with open(victim) as f:
            self.assertEqual(f.read(), CONFIG)

    def test_state_writes_follow_no_planted_symlink(self):
        st = os.path.join(self.tmp, "state")
        victim = os.path.join(self.tmp, "victim")
        with open(victim, "w") as f:
            f.write("precious\n")
        # A member on lo: its counters move, so the usage file is written
        # again at exit, after the symlinks are planted.
        d = self.daemon(CONFIG + "\nconfig member 'loop'\n\toption device 'lo'\n"
                        "\toption class 'lan'\n\tlist target '192.0.2.9'\n").start()
        pid = d.proc.pid
        for name in ("usage.json", "locations.json"):
            os.symlink(victim, os.path.join(st, f"{name}.tmp.{pid}"))
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for _ in range(20):
            u.sendto(b"x" * 1000, ("127.0.0.1", 9))
        u.close()
        self.assertEqual(d.stop(), 0)
        with open(victim) as f:
            self.assertEqual(f.read(), "precious\n")
        self.assertTrue(stat.S_ISREG(os.lstat(os.path.join(st, "usage.json")).st_mode))

    def test_directories_others_can_write_are_refused(self):
        for what in ("state", "run", "pid"):
            sub = os.path.join(self.tmp, what + "-ww")
            os.mkdir(sub)
            os.chmod(sub, 0o777)
            d = self.daemon(main_opts(f"option state_dir '{sub}'") if what == "state"
                            else CONFIG)
            if what == "run":
                d.sock = os.path.join(sub, "autonomy.sock")
            if what == "pid":
                d.pidfile = os.path.join(sub, "autonomy.pid")
            d.start(wait=False)
            self.assertEqual(d.proc.wait(20), 1, what)
            self.assertIn("writable by others", d.read_log(), what)
            self.assertFalse(os.path.exists(os.path.join(sub, "autonomy.sock")), what)


# ---- finding 6: the control socket's path -------------------------------------------------

FAKE_SERVER = r"""
import socket, sys, time
path, got = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(8)
print("ready", flush=True)
s.settimeout(1)
end = time.monotonic() + float(sys.argv[3])
while time.monotonic() < end:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    c.settimeout(1)
    try:
        data = c.recv(65536)
    except socket.timeout:
        data = b""
    with open(got, "a") as f:
        f.write("%d\n" % len(data))      # one line per connection: bytes received
    c.close()
"""


class SocketPath(Base):
    def test_a_file_at_the_socket_path_is_not_deleted(self):
        victim = os.path.join(self.tmp, "notes.txt")
        with open(victim, "w") as f:
            f.write("keep me\n")
        d = self.daemon(CONFIG)
        d.sock = victim
        d.start(wait=False)
        self.assertEqual(d.proc.wait(20), 1)
        self.assertIn("not a socket", d.read_log())
        with open(victim) as f:
            self.assertEqual(f.read(), "keep me\n")

    def test_a_socket_of_another_user_gets_no_request(self):
        self.open_to_nobody()
        ww = os.path.join(self.tmp, "ww")
        os.mkdir(ww)
        os.chmod(ww, 0o1777)
        path, got = os.path.join(ww, "autonomy.sock"), os.path.join(ww, "got")
        fake = subprocess.Popen(NOBODY + ["--clear-groups", "/usr/bin/python3", "-c",
                                FAKE_SERVER, path, got, "30"],
                                stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(fake.stdout.readline().strip(), "ready")
            r = self.rpcd(path, "starlink_reboot", '{"confirm":true}')
            self.assertEqual(r["error"]["code"], "untrusted_socket", r)
            self.assertIn("uid 65534", r["error"]["message"])
            c = subprocess.run([AUTONOMYCTL, "-s", path, "reload"], capture_output=True,
                               text=True, timeout=20)
            self.assertEqual(c.returncode, 1, c.stderr)
            self.assertIn("not root", c.stderr)
            # Both clients connected (to read the server's credentials) and
            # sent nothing: the server logs every connection it served.
            def served():
                try:
                    return open(got).read().split()
                except OSError:
                    return None
            self.assertTrue(wait_for(lambda: served() and len(served()) == 2, 15), served())
            self.assertEqual(served(), ["0", "0"], "the fake server received a request")
        finally:
            fake.kill()
            fake.wait()


# ---- finding 7: strict JSON ---------------------------------------------------------------

class StrictJson(Base):
    def test_lenient_forms_are_refused(self):
        d = self.daemon(CONFIG).start()
        lines = [
            b'{"cmd":"status","cmd":"reload"}',
            b'{"cmd":"status\\u0000x"}',
            b"{'cmd':'status'}",
            b'{"cmd":"status"} // c',
            b'{"cmd":"failover","args":{"interface":"\xff\xfe"}}',
            b'{"cmd":"decisions","args":{"limit":1,"limit":2}}',
        ]
        replies = raw(d.sock, b"\n".join(lines) + b"\n", n=len(lines))
        self.assertEqual([r["error"]["code"] for r in replies], ["bad_json"] * len(lines))
        # Nothing ran: no reload happened.
        last = d.ctl("health", json_out=True).data["last_reload"]
        self.assertIsNone((last or {}).get("time"), last)


# ---- findings 8 and 10: the CLI and its slots ----------------------------------------------

SILENT_SERVER = r"""
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(1)
keep = []
if sys.argv[2] == "accept":
    s.settimeout(0.2)
print("ready", flush=True)
end = time.monotonic() + 60
while time.monotonic() < end:
    if sys.argv[2] == "accept":
        try:
            keep.append(s.accept()[0])     # and never answer
        except socket.timeout:
            pass
    else:
        time.sleep(0.2)                    # never accept
"""


class Clients(Base):
    def test_oversized_request_is_not_daemon_not_running(self):
        d = self.daemon(CONFIG).start()
        r = d.ctl("failover", "--interface", "x" * 70000)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("larger", r.stderr)
        self.assertNotIn("not running", r.stderr)

    def test_relative_config_after_daemonising(self):
        d = self.daemon(CONFIG)
        r = subprocess.run([AUTONOMYD, "-c", "autonomy.conf", "-s", "run/autonomy.sock",
                            "-p", "autonomy.pid"], cwd=self.tmp, capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        pid = int(open(d.pidfile).read())
        try:
            d.write_config(CONFIG.replace("option priority '1'", "option priority '4'"))
            r = d.ctl("reload", json_out=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(d.ctl("members", json_out=True).data[0]["priority"], 4)
        finally:
            os.kill(pid, signal.SIGTERM)
            wait_for(lambda: not os.path.exists(d.pidfile), 10)

    def test_followers_never_lock_out_queries(self):
        d = self.daemon(CONFIG).start()
        conns, busy, streams = [], 0, 0
        try:
            for _ in range(40):
                s = socket.socket(socket.AF_UNIX)
                s.connect(d.sock)
                s.sendall(b'{"cmd":"monitor","args":{"continuous":true}}\n')
                r = read_lines(s, 1, 10)[0]
                if r["ok"]:
                    streams += 1
                    conns.append(s)
                else:
                    self.assertEqual(r["error"]["code"], "busy")
                    busy += 1
                    s.close()
            self.assertEqual(streams, 16)
            self.assertEqual(busy, 24)
            d.ctl("status", check_rc=0)
            self.assertIn("uptime_s", self.rpcd(d.sock, "status"))
        finally:
            for s in conns:
                s.close()

    def silent(self, mode):
        path = os.path.join(self.tmp, mode + ".sock")
        p = subprocess.Popen(["/usr/bin/python3", "-c", SILENT_SERVER, path, mode],
                             stdout=subprocess.PIPE, text=True)
        self.addCleanup(lambda: (p.kill(), p.wait()))
        self.assertEqual(p.stdout.readline().strip(), "ready")
        return path

    def test_every_request_has_a_deadline(self):
        for mode in ("accept", "backlog"):
            path = self.silent(mode)
            if mode == "backlog":   # a daemon that stopped accepting: the queue fills
                for _ in range(4):
                    s = socket.socket(socket.AF_UNIX)
                    s.setblocking(False)
                    try:
                        s.connect(path)
                    except OSError:
                        pass
                    self.addCleanup(s.close)
            for args, limit in ((["members"], 5.0), (["--timeout", "700", "status"], 0.7),
                                (["monitor", "--continuous"], 5.0)):
                t0 = time.monotonic()
                r = subprocess.run([AUTONOMYCTL, "-s", path] + args, capture_output=True,
                                   text=True, timeout=30)
                took = time.monotonic() - t0
                self.assertEqual(r.returncode, 3, (mode, args, r.stderr))
                self.assertIn("did not", r.stderr)
                self.assertGreaterEqual(took, limit * 0.9, (mode, args))
                self.assertLess(took, limit + 10, (mode, args))


# ---- finding 9: no re-entrant dispatch -----------------------------------------------------

DISH_CONFIG = """
config autonomy 'main'
	option backend 'none'

config autonomy 'starlink'
	option api_host '10.77.0.1'
	option api_port '9200'
	option api_timeout_ms '20000'
	option health_check_interval '{interval}'

config member 'sat'
	option device 'up0'
	option class 'starlink'
	option priority '1'
	list target '10.77.0.1'
"""


class Pipelining(Base):
    """A reply that is sent late (a dish action) must not run the requests
    queued behind it from where it is sent: here from inside another
    client's reload (members_sync restarts the dish client, which answers
    the waiting action with an error), where a queued reload of its own
    freed the config and members the first reload was walking."""

    def test_reload_pipelined_behind_a_deferred_dish_action(self):
        with Netns("h9") as ns:
            harness.sh("ip", "-n", ns.peer_ns, "addr", "add", "10.77.0.1/30", "dev", ns.peer)
            ctl = os.path.join(self.tmp, "dish.sock")
            emu = subprocess.Popen(["ip", "netns", "exec", ns.peer_ns, "/usr/bin/python3", EMU,
                                    "--host", "10.77.0.1", "--port", "9200", "--control", ctl],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            self.addCleanup(lambda: (emu.kill(), emu.wait()))
            self.assertTrue(emu.stdout.readline().startswith("listening"))
            d = self.daemon(DISH_CONFIG.format(interval=3), netns=ns.ns).start()
            self.assertTrue(wait_for(lambda: d.ctl("starlink", json_out=True)
                                     .data[0]["starlink"]["reachable"], 30),
                            d.read_log()[-2000:])
            # The dish holds its answers: the reboot stays deferred.
            self.assertTrue(raw(ctl, b'{"cmd":"mode","mode":"stall"}\n')[0]["ok"])
            a = d.request(b'{"cmd":"starlink_reboot","args":{"confirm":true}}\n'
                          b'{"cmd":"reload"}\n{"cmd":"status"}\n')
            self.assertTrue(wait_for(lambda: "operator asked the dish to reboot"
                                     in d.read_log(), 10))
            # Another client reloads a config that restarts the dish client.
            d.write_config(DISH_CONFIG.format(interval=4))
            b = raw(d.sock, b'{"cmd":"reload"}\n', timeout=30)[0]
            self.assertTrue(b["ok"], b)
            replies = read_lines(a, 3, timeout=30)
            a.close()
            self.assertEqual(len(replies), 3, replies)
            self.assertEqual(replies[0]["error"]["code"], "failed", replies[0])
            self.assertIn("restarted before it answered", replies[0]["error"]["message"])
            self.assertTrue(replies[1]["ok"] and replies[1]["data"]["reloaded"], replies[1])
            self.assertTrue(replies[2]["ok"] and "uptime_s" in replies[2]["data"], replies[2])
            raw(ctl, b'{"cmd":"mode","mode":"normal"}\n')
            d.ctl("starlink", check_rc=0)
            self.assertEqual(d.stop(), 0)


# ---- least privilege and authorisation ------------------------------------------------------

def caps(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


class Privileges(Base):
    def test_only_net_admin_and_net_raw_are_kept(self):
        d = self.daemon(CONFIG).start()
        h = d.ctl("health", json_out=True, check_rc=0).data["privileges"]
        self.assertEqual(h["capabilities"], ["cap_net_admin", "cap_net_raw"])
        self.assertEqual(h["bounding"], ["cap_net_admin", "cap_net_raw"])
        self.assertTrue(h["no_new_privs"])
        st = caps(d.proc.pid)
        want = "%016x" % ((1 << 12) | (1 << 13))
        self.assertEqual(st["CapEff"], want)
        self.assertEqual(st["CapPrm"], want)
        self.assertEqual(st["CapBnd"], want)
        self.assertEqual(int(st["CapInh"], 16), 0)
        self.assertEqual(int(st["CapAmb"], 16), 0)
        self.assertEqual(st["NoNewPrivs"], "1")
        self.assertIn("cap_net_admin cap_net_raw", d.ctl("health", check_rc=0).stdout)

    def test_a_listener_below_1024_keeps_net_bind_service(self):
        """The Prometheus listener on port 981: CAP_NET_BIND_SERVICE stays
        (a reload may bind it again), and the endpoint answers."""
        d = self.daemon(CONFIG + "\nconfig autonomy 'prometheus'\n\toption enabled '1'\n"
                        "\toption listen '127.0.0.1:981'\n").start()
        h = d.ctl("health", json_out=True, check_rc=0).data["privileges"]
        self.assertEqual(h["capabilities"],
                         ["cap_net_bind_service", "cap_net_admin", "cap_net_raw"])
        r = subprocess.run(["curl", "-s", "-m", "10", "http://127.0.0.1:981/metrics"],
                           capture_output=True, text=True, timeout=20)
        self.assertIn("autonomy_", r.stdout)
        d.write_config(CONFIG + "\nconfig autonomy 'prometheus'\n\toption enabled '1'\n"
                       "\toption listen '127.0.0.1:982'\n")
        d.ctl("reload", check_rc=0)
        self.assertTrue(wait_for(lambda: "autonomy_" in subprocess.run(
            ["curl", "-s", "-m", "5", "http://127.0.0.1:982/metrics"], capture_output=True,
            text=True, timeout=20).stdout, 15), d.read_log()[-2000:])

    def test_started_with_the_service_managers_set(self):
        """procd/systemd start it with docs/security.md's set (chown for the
        socket's group, setpcap to finish the drop): it ends with the same."""
        with open(os.path.join(ROOT, "openwrt", "files", "usr", "share", "autonomy",
                               "capabilities.json")) as f:
            procd = json.load(f)
        start = [c.lower().replace("cap_", "") for c in procd["bounding"]]
        self.assertEqual(sorted(start), ["chown", "net_admin", "net_raw", "setpcap"])
        for key in ("effective", "permitted", "inheritable"):
            self.assertEqual(procd[key], procd["bounding"], key)
        self.assertEqual(procd["ambient"], [])
        with open(os.path.join(ROOT, "contrib", "systemd", "autonomyd.service")) as f:
            unit = f.read()
        self.assertIn("CapabilityBoundingSet=" + " ".join(procd["bounding"]), unit)
        self.assertIn("NoNewPrivileges=yes", unit)
        caps = ",".join("+" + c for c in start)
        d = self.daemon(main_opts("option socket_group '65534'"),
                        wrap=["setpriv", "--bounding-set", "-all," + caps,
                              "--inh-caps", "-all," + caps])
        d.start()
        h = d.ctl("health", json_out=True, check_rc=0).data["privileges"]
        self.assertEqual(h["capabilities"], ["cap_net_admin", "cap_net_raw"])
        self.assertEqual(h["bounding"], ["cap_net_admin", "cap_net_raw"])
        self.assertIsNone(h["note"])
        self.assertEqual(os.stat(d.sock).st_gid, 65534)     # chown at start worked


class Authorisation(Base):
    def test_queries_for_the_socket_group_actions_for_root_or_admin_group(self):
        self.open_to_nobody()
        d = self.daemon(main_opts("option socket_group '65534'")).start()
        st = os.stat(d.sock)
        self.assertEqual((st.st_gid, stat.S_IMODE(st.st_mode)), (65534, 0o660))
        nobody = NOBODY + ["--clear-groups"]
        self.assertEqual(self.ctl_as(d, nobody, "status").returncode, 0)
        shown = self.ctl_as(d, nobody, "config", "show")
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertNotIn("hunter2-secret", shown.stdout)
        # The history store is root's: decisions come from the daemon, the
        # other history commands say why they cannot read it.
        r = self.ctl_as(d, nobody, "--json", "decisions")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIsInstance(json.loads(r.stdout), list)
        r = self.ctl_as(d, nobody, "metrics")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("not readable by you", r.stderr)
        for args in (["reload"], ["failover", "--interface", "ghost"],
                     ["config", "show", "--reveal"]):
            r = self.ctl_as(d, nobody, *args)
            self.assertEqual(r.returncode, 1, (args, r.stderr))
            self.assertIn("needs root", r.stderr)
            self.assertNotIn("hunter2-secret", r.stdout)
        self.assertIn("refused for uid 65534", d.read_log())
        # Someone else entirely cannot even connect.
        other = ["setpriv", "--reuid=65533", "--regid=65533", "--clear-groups"]
        self.assertEqual(self.ctl_as(d, other, "status").returncode, 3)

    def test_admin_group_may_act_and_is_recorded(self):
        self.open_to_nobody()
        d = self.daemon(main_opts("option socket_group '65534'",
                                  "option admin_group '4242'")).start()
        admin = NOBODY + ["--groups=4242"]
        r = self.ctl_as(d, admin, "config", "show", "--reveal")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("hunter2-secret", r.stdout)
        r = self.ctl_as(d, admin, "failover", "--interface", "ghost", "--force")
        self.assertEqual(r.returncode, 0, r.stderr)
        # `decisions` reads the history store: the reason keeps who asked.
        def manual():
            got = d.ctl("decisions", json_out=True, check_rc=0).data
            return [x for x in got if x["type"] == "manual"]
        self.assertTrue(harness.wait_for(manual, 10), d.read_log()[-2000:])
        self.assertRegex(manual()[0]["reason"], r"\(by uid 65534 \(nobody\) pid \d+\)$")
        self.assertRegex(d.read_log(), r"ctl: failover by uid 65534 \(nobody\) pid \d+")
        self.assertEqual(self.ctl_as(d, admin, "reload").returncode, 0)
        self.assertRegex(d.read_log(), r"reloaded: .*\(by uid 65534 \(nobody\) pid \d+\)")
        # Root acts too; the engine's own decisions carry no "by".
        r = d.ctl("failover", "--auto", json_out=True, check_rc=0)
        self.assertRegex(r.data["decision"]["by"], r"^uid 0 \(root\)")


if __name__ == "__main__":
    harness.main()

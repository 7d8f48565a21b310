"""autonomy as an OpenWrt citizen, against OpenWrt's real ubus stack (ubusd,
rpcd, uhttpd, the uci CLI; tests/lib/openwrt_stack.py builds them from the
vendored sources): every ubus method through rpcd's exec plugin and the
installed ACL, the guide's curl through uhttpd, rpcd sessions and ACL groups,
the unauthenticated ACL following security.api_authentication, the package's
shell scripts (hotplug.d, uci-defaults, the ACL sync) run for real, systemd's
notify protocol, and the refusal to route beside mwan3."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from harness import (AUTONOMYCTL, AUTONOMYD, BUILD, Netns, TempDirCase, main,  # noqa: E402
                     sh, wait_for)
import openwrt_stack  # noqa: E402

REPO = openwrt_stack.REPO
FILES = os.path.join(REPO, "openwrt", "files")
ACL = os.path.join(FILES, "usr", "share", "rpcd", "acl.d", "autonomy.json")
SCRIPTS = ["etc/init.d/autonomy", "etc/init.d/starwatch", "etc/hotplug.d/iface/50-autonomy",
           "etc/uci-defaults/90-autonomy", "usr/libexec/autonomy/rpcd-acl-sync"]
ACTIONS = {"failover", "reload", "starlink_reboot", "starlink_stow", "starlink_unstow",
           "config_reveal", "config_backup", "cleanup", "telemetry_cleanup",
           "notifications_test", "config_optimize", "optimize", "security_key_create",
           "security_key_revoke"}
PREFIX = None

CONFIG = """
config autonomy 'main'
	option backend 'none'
	option control_socket '%(sock)s'

config autonomy 'security'
	option api_authentication '%(auth)s'

config autonomy 'email'
	option password 'hunter2-secret'

config member 'loop'
	option device 'up0'
	option class 'lan'
	list target '10.77.0.1'
"""


def setUpModule():
    global PREFIX
    PREFIX = openwrt_stack.build()
    if PREFIX is None:
        raise unittest.SkipTest("OpenWrt's sources not found (tests/lib/openwrt_src.sh: "
                                "$AUTONOMY_OPENWRT_SRC or shared/vendor/openwrt beside the "
                                "repository): the real ubus stack cannot be built")


def ubus_methods():
    """What the plugin offers rpcd (its `list`), by name."""
    plugin = os.path.join(BUILD, "autonomy")
    if not os.path.lexists(plugin):
        os.symlink(AUTONOMYCTL, plugin)
    return json.loads(subprocess.run([plugin, "list"], capture_output=True, text=True,
                                     check=True).stdout)


class StackCase(TempDirCase):
    auth = "1"

    def setUp(self):
        super().setUp()
        self.uci_dir = os.path.join(self.tmp, "uci")
        os.makedirs(self.uci_dir)
        self.sock = os.path.join(self.tmp, "run", "autonomy.sock")
        self.ns = Netns("st")
        self.ns.__enter__()
        self.addCleanup(self.ns.__exit__, None, None, None)
        self.d = self.daemon(CONFIG % {"sock": self.sock, "auth": self.auth}, extra=["--dry-run"],
                             netns=self.ns.ns)
        os.symlink(self.d.config, os.path.join(self.uci_dir, "autonomy"))
        self.d.start()
        users = [{"username": "reader", "password": "rpw", "read": ["autonomy-read"]},
                 {"username": "writer", "password": "wpw", "read": ["autonomy-read"],
                  "write": ["autonomy-write"]}]
        self.st = openwrt_stack.Stack(PREFIX, os.path.join(self.tmp, "stack"),
                                      plugins={"autonomy": AUTONOMYCTL}, acl_files=[ACL],
                                      users=users, env={"AUTONOMY_SOCKET": self.sock})
        os.makedirs(self.st.work)
        self.addCleanup(self.st.stop)
        self.st.start()

    def tearDown(self):
        self.st.stop()
        super().tearDown()

    def call(self, method, args=None):
        r = self.st.ubus("call", "autonomy", method, json.dumps(args or {}))
        self.assertEqual(r.returncode, 0, f"ubus call {method}: {r.stderr}")
        return json.loads(r.stdout)

    def sync_acl(self):
        env = dict(self.st.env(), UCI_CONFDIR=self.uci_dir, AUTONOMY_ACL_DIR=self.st.acl_dir,
                   AUTONOMY_SHARE=os.path.join(FILES, "usr", "share", "autonomy"),
                   RPCD_PID=str(self.st.rpcd_pid()),
                   PATH=os.path.dirname(self.st.bin("uci")) + ":" + os.environ["PATH"])
        r = subprocess.run(["sh", os.path.join(FILES, "usr/libexec/autonomy/rpcd-acl-sync")],
                           env=env, capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)
        if r.stdout.strip() == "changed":
            self.st.reload_rpcd(signalled=True)
        return r.stdout.strip()


def denied(reply):
    return reply.get("error", {}).get("code") == -32002


def ok(reply):
    return "result" in reply and reply["result"][0] == 0


class Ubus(StackCase):
    def test_every_method_through_rpcd(self):
        out = self.st.ubus("-v", "list", "autonomy").stdout
        methods = ubus_methods()
        for m in methods:
            self.assertIn('"%s"' % m, out)
        self.assertNotIn('"hotplug"', out)
        self.assertNotIn('"config_import_mwan3"', out)
        args = {"decisions": {"limit": 3}, "failover": {"interface": "loop"},
                "cleanup": {"all": True}, "security_key_revoke": {"id": "nosuchkey"},
                "starlink_reboot": {"confirm": True}, "starlink_stow": {"confirm": True},
                "starlink_unstow": {"confirm": True}}
        for m in methods:
            with self.subTest(method=m):
                reply = self.call(m, args.get(m))
                self.assertIsInstance(reply, dict)
                if m.startswith("starlink_") or m in ("notifications_test",
                                                      "security_key_revoke"):
                    # no dish member, no alert channel, no such key here: an error
                    # object, as rpcd needs
                    self.assertIn("code", reply["error"])
                else:
                    self.assertNotIn("error", reply, reply)
        # the same object as the CLI's --json
        st = self.call("status")
        cli = json.loads(subprocess.run([AUTONOMYCTL, "-s", self.sock, "--json", "status"],
                                        capture_output=True, text=True).stdout)
        self.assertEqual(set(st), set(cli))
        self.assertEqual(self.call("members")["members"][0]["name"], "loop")

    def test_acl_covers_every_method_once(self):
        with open(ACL) as f:
            acl = json.load(f)
        read = set(acl["autonomy-read"]["read"]["ubus"]["autonomy"])
        write = set(acl["autonomy-write"]["write"]["ubus"]["autonomy"])
        methods = set(ubus_methods())
        self.assertEqual(read | write, methods)
        self.assertFalse(read & write)
        self.assertEqual(write, methods & ACTIONS)

    def test_guides_curl_null_session_denied(self):
        body = ('{"jsonrpc":"2.0","id":1,"method":"call","params":'
                '["00000000000000000000000000000000","autonomy","status",{}]}')
        r = subprocess.run(["curl", "-s", "-X", "POST", "http://127.0.0.1:%d/ubus" % self.st.port,
                            "-d", body], capture_output=True, text=True, timeout=20)
        self.assertTrue(denied(json.loads(r.stdout)), r.stdout)

    def test_sessions(self):
        ro, rw = self.st.login("reader", "rpw"), self.st.login("writer", "wpw")
        for m in ("status", "members", "health", "monitor", "decisions", "config_show",
                  "config_validate", "config_audit", "cellular", "wifi"):
            self.assertTrue(ok(self.st.rpc(ro, "autonomy", m)), m)
        # the reader cannot move traffic, reload, act on the dish or reveal secrets
        for m, a in (("failover", {"interface": "loop"}), ("reload", {}),
                     ("starlink_reboot", {"confirm": True}), ("starlink_stow", {"confirm": True}),
                     ("starlink_unstow", {"confirm": True}), ("config_reveal", {}),
                     ("config_backup", {})):
            self.assertTrue(denied(self.st.rpc(ro, "autonomy", m, a)), m)
        shown = self.st.rpc(ro, "autonomy", "config_show", {"reveal": True})
        if "config_reveal" in ubus_methods():
            self.assertNotIn("hunter2-secret", json.dumps(shown))
        # the writer can
        r = self.st.rpc(rw, "autonomy", "failover", {"interface": "loop"})
        self.assertTrue(ok(r), r)
        self.assertTrue(ok(self.st.rpc(rw, "autonomy", "reload")))
        if "config_reveal" in ubus_methods():
            r = self.st.rpc(rw, "autonomy", "config_reveal")
            self.assertIn("hunter2-secret", json.dumps(r))
        # a made-up session is nobody
        self.assertTrue(denied(self.st.rpc("1" * 32, "autonomy", "status")))


class Unauthenticated(StackCase):
    auth = "0"

    def test_api_authentication_off_grants_status_members_health(self):
        null = openwrt_stack.NULL_SESSION
        self.assertTrue(denied(self.st.rpc(null, "autonomy", "status")))
        self.assertEqual(self.sync_acl(), "changed")
        self.assertEqual(self.sync_acl(), "")           # idempotent
        r = wait_for(lambda: ok(self.st.rpc(null, "autonomy", "status")), 5)
        self.assertTrue(r)
        r = self.st.rpc(null, "autonomy", "status")
        self.assertIn("active_member", r["result"][1])
        for m in ("members", "health"):
            self.assertTrue(ok(self.st.rpc(null, "autonomy", m)), m)
        for m in ("config_show", "decisions", "failover", "reload"):
            self.assertTrue(denied(self.st.rpc(null, "autonomy", m)), m)
        # back on: the null session is denied again
        r = self.st.uci("set", "autonomy.security.api_authentication=1", confdir=self.uci_dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.st.uci("commit", "autonomy", confdir=self.uci_dir).returncode, 0)
        self.assertEqual(self.sync_acl(), "changed")
        self.assertTrue(wait_for(lambda: denied(self.st.rpc(null, "autonomy", "status")), 5))


class Scripts(TempDirCase):
    def test_shellcheck_and_busybox_ash(self):
        for s in SCRIPTS:
            p = os.path.join(FILES, s)
            with self.subTest(script=s):
                r = subprocess.run(["shellcheck", "-s", "sh", p], capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stdout)
                r = subprocess.run(["busybox", "ash", "-n", p], capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertTrue(os.access(p, os.X_OK))

    def test_default_config_validates(self):
        r = subprocess.run([AUTONOMYD, "-n", "-c", os.path.join(FILES, "etc/config/autonomy")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_uci_defaults_idempotent(self):
        prefix = openwrt_stack.build()
        confdir = os.path.join(self.tmp, "config")
        os.makedirs(confdir)
        with open(os.path.join(confdir, "autonomy"), "w") as f:
            f.write("config autonomy 'main'\n\toption state_dir '/var/lib/autonomy'\n\n"
                    "config member 'wan'\n\toption interface 'wan'\n")
        env = dict(os.environ, UCI_CONFDIR=confdir, LD_LIBRARY_PATH=os.path.join(prefix, "lib"),
                   PATH=os.path.join(prefix, "bin") + ":" + os.environ["PATH"])
        script = os.path.join(FILES, "etc/uci-defaults/90-autonomy")
        r = subprocess.run(["busybox", "ash", script], env=env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(confdir, "autonomy")) as f:
            once = f.read()
        self.assertIn("option state_dir '/etc/autonomy'", once)
        self.assertIn("option run_dir '/var/run/autonomy'", once)
        self.assertIn("option api_authentication '1'", once)
        st = os.stat(os.path.join(confdir, "autonomy"))
        r = subprocess.run(["busybox", "ash", script], env=env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(confdir, "autonomy")) as f:
            self.assertEqual(f.read(), once)
        self.assertEqual(os.stat(os.path.join(confdir, "autonomy")).st_mtime_ns, st.st_mtime_ns)
        r = subprocess.run([AUTONOMYD, "-n", "-c", os.path.join(confdir, "autonomy")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)


HOTPLUG_CONFIG = """
config autonomy 'main'
	option backend 'none'
	option control_socket '%(sock)s'

config member 'uplink'
	option interface 'wan'
	list target '10.77.0.1'
"""


class Hotplug(TempDirCase):
    def run_hotplug(self, action, iface, device=None):
        prefix = openwrt_stack.build()
        env = dict(os.environ, UCI_CONFDIR=self.uci_dir, ACTION=action, INTERFACE=iface,
                   LD_LIBRARY_PATH=os.path.join(prefix, "lib"),
                   PATH=":".join([os.path.join(prefix, "bin"), BUILD, os.environ["PATH"]]))
        env.pop("DEVICE", None)
        if device:
            env["DEVICE"] = device
        r = subprocess.run(["busybox", "ash", os.path.join(FILES, "etc/hotplug.d/iface/50-autonomy")],
                           env=env, capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0, r.stderr)

    def member(self):
        return self.d.ctl("members", json_out=True, check_rc=0).data[0]

    def test_ifup_ifdown_reach_the_daemon(self):
        with Netns("hp") as ns:
            self.uci_dir = os.path.join(self.tmp, "uci")
            os.makedirs(self.uci_dir)
            sock = os.path.join(self.tmp, "run", "autonomy.sock")
            self.d = self.daemon(HOTPLUG_CONFIG % {"sock": sock}, netns=ns.ns)
            os.symlink(self.d.config, os.path.join(self.uci_dir, "autonomy"))
            self.d.start()
            # no netifd here: the interface name stands for a device that is not there
            self.assertEqual(self.member()["state"], "down")
            self.run_hotplug("ifup", "wan", ns.dev)
            m = wait_for(lambda: self.member()["device"] == ns.dev and self.member(), 5)
            self.assertTrue(m, self.member())
            self.assertTrue(m["carrier"])
            h = self.d.ctl("health", json_out=True, check_rc=0).data
            wan = h["subsystems"]["netifd"]["interfaces"][0]
            self.assertEqual((wan["interface"], wan["device"], wan["up"], wan["source"]),
                             ("wan", ns.dev, True, "hotplug"))
            # the member answers to its name, its interface, its device and class
            for name in ("uplink", "wan", ns.dev):
                r = self.d.ctl("failover", "--interface", name, json_out=True)
                self.assertNotIn("no member", r.stdout + r.stderr, name)
            # ifdown: down at once, whatever the carrier says
            t0 = time.monotonic()
            self.run_hotplug("ifdown", "wan", ns.dev)
            ok = wait_for(lambda: self.member()["state"] == "down", 5)
            self.assertTrue(ok, self.member())
            self.assertLess(time.monotonic() - t0, 5)
            self.assertIn("netifd", json.dumps(self.d.ctl("monitor", json_out=True).data))
            # an interface autonomy does not use, and an action it ignores
            self.run_hotplug("ifup", "lan", "br-lan")
            self.run_hotplug("iflink", "wan", ns.dev)
            self.run_hotplug("ifup", "wan", ns.dev)
            up = lambda: self.d.ctl("health", json_out=True).data[  # noqa: E731
                "subsystems"]["netifd"]["interfaces"][0]["up"]
            self.assertTrue(wait_for(up, 3))


class SystemdNotify(TempDirCase):
    def test_ready_watchdog_reload_stopping(self):
        path = os.path.join(self.tmp, "notify.sock")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        srv.bind(path)
        srv.settimeout(10)
        d = self.daemon("config autonomy 'main'\n\toption backend 'none'\n", extra=["--dry-run"])
        os.environ["NOTIFY_SOCKET"], os.environ["WATCHDOG_USEC"] = path, "1000000"
        try:
            d.start(wait=False)
        finally:
            del os.environ["NOTIFY_SOCKET"], os.environ["WATCHDOG_USEC"]

        def expect(state):
            while True:
                msg = srv.recv(4096).decode()
                if msg == state:
                    return time.monotonic()
                self.assertIn(msg, ("WATCHDOG=1", "READY=1"), msg)

        expect("READY=1")
        self.assertTrue(d.answers())
        t1 = expect("WATCHDOG=1")
        t2 = expect("WATCHDOG=1")
        self.assertLess(t2 - t1, 2.5)           # every WATCHDOG_USEC / 2 (0.5 s), busy machine
        d.proc.send_signal(signal.SIGHUP)
        expect("RELOADING=1")
        expect("READY=1")
        d.proc.send_signal(signal.SIGTERM)
        expect("STOPPING=1")
        srv.close()

    def test_unit_verifies(self):
        unit = os.path.join(BUILD, "systemd", "autonomyd.service")
        self.assertTrue(os.path.exists(unit), "cmake did not configure the unit")
        with open(unit) as f:
            text = f.read()
        for line in ("Type=notify", "WatchdogSec=", "AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW",
                     "CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW", "ExecReload=/bin/kill -HUP"):
            self.assertIn(line, text)
        if shutil.which("systemd-analyze"):
            r = subprocess.run(["systemd-analyze", "verify", "--man=no", unit],
                               capture_output=True, text=True)
            # verify also complains that the binary path does not exist here
            bad = [ln for ln in r.stderr.splitlines() if "autonomyd" not in ln
                   and "Failed to prepare filename" not in ln and ln.strip()]
            self.assertFalse([b for b in bad if "Unknown" in b or "not valid" in b], r.stderr)


class Mwan3Coexistence(TempDirCase):
    """mwan3's own rules (the shapes mwan3.sh installs) make the netlink backend
    step back; removing them and reloading brings it back."""
    RULES = [["pref", "2001", "fwmark", "0x100/0x3f00", "lookup", "1"],
             ["pref", "3001", "fwmark", "0x100/0x3f00", "unreachable"],
             ["pref", "2253", "fwmark", "0x3f00/0x3f00", "blackhole"]]

    def test_refuses_netlink_beside_mwan3(self):
        with Netns("mw") as ns:
            for r in self.RULES:
                sh("ip", "-n", ns.ns, "rule", "add", *r)
            d = self.daemon("config autonomy 'main'\n\toption backend 'auto'\n\n"
                            "config member 'up'\n\toption device 'up0'\n", netns=ns.ns)
            d.start()
            st = d.ctl("status", json_out=True, check_rc=0).data
            self.assertEqual(st["backend"], "none")
            self.assertIn("mwan3", st["backend_refused"])
            self.assertIn("3 policy rules", st["backend_refused"])
            # nothing of ours in the kernel
            self.assertNotIn("proto 165", sh("ip", "-n", ns.ns, "rule").stdout)
            for r in self.RULES:
                sh("ip", "-n", ns.ns, "rule", "del", *r)
            d.ctl("reload", check_rc=0)
            st = d.ctl("status", json_out=True, check_rc=0).data
            self.assertEqual(st["backend"], "netlink")
            self.assertIsNone(st["backend_refused"])

    def test_other_marks_are_not_mwan3(self):
        with Netns("nm") as ns:
            sh("ip", "-n", ns.ns, "rule", "add", "pref", "2001", "fwmark", "0x1", "lookup", "100")
            sh("ip", "-n", ns.ns, "rule", "add", "pref", "500", "fwmark", "0x10/0xff", "lookup", "5")
            d = self.daemon("config autonomy 'main'\n\toption backend 'auto'\n\n"
                            "config member 'up'\n\toption device 'up0'\n", netns=ns.ns)
            d.start()
            self.assertEqual(d.ctl("status", json_out=True, check_rc=0).data["backend"], "netlink")


if __name__ == "__main__":
    main()

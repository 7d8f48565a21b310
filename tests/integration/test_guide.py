"""The operations guide end to end: every distinct `autonomyctl` invocation
the guide shows (taken from its text, not a hand-made list; 33), run through
/bin/sh exactly as written, against autonomyd in the namespace lab that has
history (an outage and a switch back, a manual pin) and the guide's member
names (the dish's netifd interface is `starlink`).

Each command must exit 0 and print what it is for (a check per command, not
just "no crash"). The one environment given is AUTONOMY_SOCKET (what the
installed layout gives by default) and the guide scripts' variables
($INTERFACE, $interface). Commands whose subsystem is on a branch that has
not landed are listed in PENDING with the branch; they still run, and the
test fails if one of them starts working without being moved out (or stops
failing cleanly). The guide's four maintenance scripts run as written too
(class Scripts). A table of the outcome is printed at the end."""
import json
import os
import re
import signal
import subprocess
import time
import unittest

import harness
import labcase
from harness import wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
GUIDE = os.path.join(ROOT, "..", "shared", "seed", "operations-guide.md")
GUIDE_COPY = os.path.join(ROOT, "tests", "data", "guide", "operations-guide.md")

LAB = labcase.Lab("gd")
OUT = os.path.join(os.environ.get("TEST_OUTPUT_DIR", "/tmp/autonomy-test-output"), "guide")

# Invocations whose feature is on a branch not yet merged: name -> branch.
PENDING = {}


def guide_text():
    for p in (GUIDE_COPY, GUIDE):
        if os.path.exists(p):
            return open(p).read()
    raise unittest.SkipTest("the operations guide is not in tests/data")


def invocations(text):
    """Every distinct `autonomyctl ...` the guide shows, in the order it
    first shows them; a command ends at a pipe, redirection, quote, `;`,
    `&` or the line's end. `/usr/sbin/autonomyctl \\` is a file name in a
    tar list, not an invocation."""
    seen = []
    for m in re.finditer(r"autonomyctl[^'|>&;\n]*", text):
        cmd = m.group(0).strip()
        if cmd.endswith("\\") or cmd in seen:
            continue
        seen.append(cmd)
    return seen


def conf(tmp):
    return f"""
config autonomy 'main'
	option backend 'netlink'
	option log_level 'info'
	option failback_hold '5'
	option state_dir '{tmp}/state'
	option run_dir '{tmp}/run'
	option backup_dir '{tmp}/backups'

config autonomy 'performance'
	option gc_interval '10'

config member 'wan'
	option device 'wan'
	option class 'lan'
	option priority '1'
	list target '198.51.100.1'
	list target '203.0.113.1'

config member 'sat'
	option device 'sl'
	option interface 'starlink'
	option class 'starlink'
	option priority '2'
	list target '198.51.100.2'
	list target 'tcp:203.0.113.1:80'

config member 'lte'
	option device 'lte'
	option interface 'cellular'
	option class 'cellular'
	option priority '3'
	option metered '1'
	list target 'dns:198.51.100.1'
"""


def j(out):
    return json.loads(out)


def has(*words):
    """Every word (a regex) in the output."""
    return lambda out: all(re.search(w, out, re.M) for w in words)


# What each invocation must print (its output as the operator sees it).
CHECKS = {
    "status": has(r"active", r"wan|sat|lte"),
    "members": has(r"\bwan\b", r"\bsat\b", r"\blte\b"),
    "notifications": has(r"\S"),
    "health": has(r"(?m)^\s*linkmon\s+ok", r"(?m)^\s*control\s+ok", r"history"),
    "metrics --period daily": has(r"wan", r"(?i)availab|latency|loss"),
    "decisions --limit 10": has(r"wan", r"sat|lte"),
    "config backup": has(r"(?i)backup|wrote|saved", r"autonomy"),
    "notifications --history": has(r"\S"),
    "report --period weekly --format json": lambda o: isinstance(j(o), dict) and len(o) > 200,
    "decisions --period weekly --analysis": has(r"(?i)failover", r"wan"),
    "metrics --period weekly --trends": has(r"wan", r"vs the period before"),
    "config validate": has(r"(?i)valid|ok|no error"),
    "config audit": has(r"(?i)finding|warning|ok|critical|info"),
    "telemetry cleanup": has(r"(?i)delet|freed|removed|kept|nothing"),
    "config verify-backup": has(r"(?i)checksum|verified|ok", r"(?i)diff|same|identical|change"),
    "report --period monthly --format html": has(r"(?i)<!doctype html|<html", r"</html>"),
    "analytics --period monthly": has(r"wan"),
    "security audit": has(r"(?i)critical|warning|info|ok", r"(?i)socket|config"),
    "optimize": has(r"probes an hour", r"targets: CPU 10 %", r"too little history|nothing to "
                    r"change|applied after backup"),
    "config optimize": has(r"main\.failback_hold: '5' -> '\d+'", r"evidence: .*flaps",
                           r"add --apply"),
    "cleanup --all": has(r"(?i)delet|freed|removed|kept|nothing"),
    "monitor --continuous": has(r"\S"),
    "telemetry export": lambda o: isinstance(j(o), dict),
    "telemetry cleanup --older-than 30d": has(r"(?i)delet|freed|removed|kept|nothing"),
    "optimize --aggressive": has(r"probes an hour", r"targets: CPU 5 %"),
    "optimize --report": has(r"now \(\d+ minutes measured\): CPU [\d.]+ % mean",
                             r"history sync \d+ bytes a day"),
    "failover --interface $INTERFACE --force": has(r"lte|cellular"),
    "failover --interface $interface --test": has(r"lte|cellular", r"(?i)pass|ok|repl|reach"),
    "failover --interface starlink": has(r"sat|starlink"),
    "decisions --analysis --security": has(r"(?i)security", r"(?i)manual"),
    "security report": has(r"(?i)security", r"(?i)finding|critical|warning|info"),
    "metrics": has(r"wan"),
    "metrics --performance": has(r"(?i)cpu|memory|rss|loop"),
}

FLAPS = 4

# Commands that change what later ones see run last, in this order.
LAST = ["telemetry cleanup", "telemetry cleanup --older-than 30d", "cleanup --all"]


# The guide's maintenance scripts (its `cat > /usr/local/bin/X << 'EOF'`
# bodies), run by cron on the router; each runs here in the installed layout.
SCRIPTS = ("autonomy-backup.sh", "autonomy-optimize.sh", "autonomy-security.sh",
           "autonomy-disaster-backup.sh")
AUTH_FAILED = 2     # "authentication failed" lines in the layout's /var/log/messages
DATE = r"(\d{8}_\d{6})"


def guide_scripts(text):
    return dict(re.findall(r"cat > /usr/local/bin/([\w.-]+) << 'EOF'\n(.*?\nEOF)\n", text, re.S))


class Scripts:
    """Each script exactly as the guide writes it, run with /bin/sh in a
    private mount namespace whose root is the installed layout (guide_root.py):
    /usr/sbin/autonomy{d,ctl} the build under test, /etc/config/autonomy the
    lab daemon's config, /etc/init.d/autonomy the package's, /var/lib/autonomy
    its state_dir; /usr/local/bin, /backup and /var/log are temp dirs here so
    the results can be read after. PATH is OpenWrt's; AUTONOMY_SOCKET finds
    the lab daemon as in the other guide tests."""

    def run_script(self, name):
        body = guide_scripts(guide_text())[name][:-len("EOF")]
        base = os.path.join(self.tmp, "scripts", name[:-3])
        dirs = {k: os.path.join(base, k) for k in ("bin", "backup", "log", "root")}
        for d in dirs.values():
            os.makedirs(d)
        with open(os.path.join(dirs["bin"], name), "w") as f:
            f.write(body)
        os.chmod(os.path.join(dirs["bin"], name), 0o755)
        with open(os.path.join(dirs["log"], "messages"), "w") as f:
            for i in range(AUTH_FAILED):
                f.write(f"Dec  7 0{i}:00:00 router dropbear[9{i}]: authentication failed "
                        "for 'root' from 192.0.2.7\n")
            f.write("Dec  7 02:00:00 router netifd: Interface 'wan' is now up\n")
        binds = [("--bind", dirs["bin"], "/usr/local/bin"),
                 ("--ro-bind", self.d.config, "/etc/config/autonomy"),
                 ("--ro-bind", os.path.join(ROOT, "openwrt/files/etc/init.d/autonomy"),
                  "/etc/init.d/autonomy"),
                 ("--ro-bind", harness.AUTONOMYD, "/usr/sbin/autonomyd"),
                 ("--ro-bind", harness.AUTONOMYCTL, "/usr/sbin/autonomyctl"),
                 ("--ro-bind", os.path.join(self.tmp, "state"), "/var/lib/autonomy"),
                 ("--bind", dirs["backup"], "/backup"),
                 ("--bind", dirs["log"], "/var/log")]
        argv = ["unshare", "--mount", "--propagation", "private", "/usr/bin/python3",
                os.path.join(HERE, "guide_root.py"), dirs["root"]]
        for flag, src, dst in binds:
            argv += [flag, f"{src}:{dst}"]
        argv += ["--", "/bin/sh", "/usr/local/bin/" + name]
        env = dict(self.env, PATH="/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=180)
        os.makedirs(OUT, exist_ok=True)
        with open(os.path.join(OUT, "script_" + name + ".txt"), "w") as f:
            f.write(f"$ {name}\n{r.stdout}{r.stderr}(exit {r.returncode})\n")
        self.table.append((name, "works" if r.returncode == 0 else "FAILS", ""))
        self.assertEqual(r.returncode, 0, f"{name}: rc {r.returncode}\n{r.stdout}{r.stderr}")
        # every autonomyctl in it answered (the script itself goes on after a failure)
        self.assertNotIn("autonomyctl:", r.stderr, r.stderr)
        return r, dirs

    def history_export(self, path):
        with open(path) as f:
            doc = json.load(f)
        self.assertEqual(doc.get("format"), "autonomy-history/1", path)
        self.assertTrue(doc["samples"] and doc["decisions"], f"{path} has no history")
        return doc

    def test_98_script_backup(self):
        r, dirs = self.run_script("autonomy-backup.sh")
        out = os.path.join(dirs["backup"], "autonomy")
        files = sorted(os.listdir(out))
        self.assertEqual(len(files), 2, files)
        conf, tel = files
        self.assertRegex(conf, "^autonomy_" + DATE + r"\.conf$")
        self.assertEqual(tel, "telemetry_" + conf[len("autonomy_"):-len(".conf")] + ".json")
        self.assertEqual(open(os.path.join(out, conf)).read(), open(self.d.config).read())
        self.history_export(os.path.join(out, tel))

    def test_98_script_optimize(self):
        r, dirs = self.run_script("autonomy-optimize.sh")
        # config optimize, telemetry cleanup, optimize --aggressive, on stdout
        self.assertTrue(CHECKS["config optimize"](r.stdout), r.stdout)
        self.assertTrue(CHECKS["telemetry cleanup --older-than 30d"](r.stdout), r.stdout)
        self.assertTrue(CHECKS["optimize --aggressive"](r.stdout), r.stdout)
        log = open(os.path.join(dirs["log"], "autonomy-optimization.log")).read()
        self.assertTrue(CHECKS["optimize --report"](log), log)
        self.assertRegex(log, r"targets: CPU \d+ %, memory \d+ MB")

    def test_98_script_security(self):
        r, dirs = self.run_script("autonomy-security.sh")
        self.assertTrue(CHECKS["security audit"](r.stdout), r.stdout)
        self.assertRegex(r.stdout, r"(?m)^\s*%d$" % AUTH_FAILED)
        self.assertTrue(CHECKS["decisions --analysis --security"](r.stdout), r.stdout)
        log = open(os.path.join(dirs["log"], "autonomy-security.log")).read()
        self.assertTrue(CHECKS["security report"](log), log)
        self.assertRegex(log, r"security audit of \S+: \d+ critical")

    def test_98_script_disaster_backup(self):
        import tarfile
        r, dirs = self.run_script("autonomy-disaster-backup.sh")
        out = os.path.join(dirs["backup"], "autonomy", "disaster")
        full = [f for f in os.listdir(out) if f.endswith(".tar.gz")]
        self.assertEqual(len(full), 1, os.listdir(out))
        date = re.fullmatch("autonomy-full-" + DATE + r"\.tar\.gz", full[0]).group(1)
        self.assertEqual(sorted(os.listdir(out)), sorted(
            f % date for f in ("autonomy-full-%s.tar.gz", "autonomy-config-%s.conf",
                               "telemetry-%s.json", "status-%s.json", "members-%s.json",
                               "recover-%s.sh")))
        with tarfile.open(os.path.join(out, full[0])) as t:
            names = t.getnames()
            for p in ("etc/config/autonomy", "etc/init.d/autonomy", "usr/sbin/autonomyd",
                      "usr/sbin/autonomyctl", "var/lib/autonomy"):
                self.assertIn(p, names)
            self.assertTrue(any(n.startswith("var/lib/autonomy/") for n in names), names)
            self.assertEqual(t.extractfile("etc/config/autonomy").read().decode(),
                             open(self.d.config).read())
            self.assertEqual(t.getmember("usr/sbin/autonomyd").size,
                             os.path.getsize(harness.AUTONOMYD))
        p = lambda f: os.path.join(out, f % date)
        self.assertEqual(open(p("autonomy-config-%s.conf")).read(), open(self.d.config).read())
        self.history_export(p("telemetry-%s.json"))
        # what the guide saves as .json is JSON: the daemon's status and members
        status = json.load(open(p("status-%s.json")))
        self.assertIn(status.get("active_member"), ("wan", "sat", "lte"), status)
        self.assertEqual(status.get("members"), 3, status)
        members = json.load(open(p("members-%s.json")))
        self.assertEqual(sorted(m["name"] for m in members), ["lte", "sat", "wan"])
        # any other file keeps the table (the guide's diagnostics append it to a .txt)
        with open(os.path.join(self.tmp, "status.txt"), "w") as f:
            subprocess.run([harness.AUTONOMYCTL, "status"], stdout=f, env=self.env, timeout=30,
                           check=True)
        self.assertRegex(open(os.path.join(self.tmp, "status.txt")).read(), r"^autonomy \S+, up ")
        self.assertTrue(os.access(p("recover-%s.sh"), os.X_OK))
        rec = subprocess.run(["/bin/sh", p("recover-%s.sh")], capture_output=True, text=True,
                             timeout=30)
        self.assertEqual(rec.returncode, 0, rec.stderr)
        self.assertIn("Disaster recovery script", rec.stdout)

    def test_00_the_guide_shows_4_scripts(self):
        scripts = guide_scripts(guide_text())
        for name in SCRIPTS:
            self.assertIn(name, scripts)
            self.assertTrue(scripts[name].startswith("#!/bin/sh\n"), name)


class Guide(Scripts, unittest.TestCase):
    table = []

    @classmethod
    def setUpClass(cls):
        cls.cmds = invocations(guide_text())
        import tempfile
        cls.tmp = tempfile.mkdtemp(prefix="autonomy-guide-")
        LAB.run("lab.sh", "up")
        cls.d = harness.Daemon(cls.tmp, conf(cls.tmp), netns=LAB.router).start()
        cls.env = dict(os.environ, AUTONOMY_SOCKET=cls.d.sock, INTERFACE="cellular",
                       interface="cellular", TZ="UTC",
                       PATH=harness.BUILD + ":" + os.environ.get("PATH", ""))
        cls.history()

    @classmethod
    def history(cls):
        """Members up, wan fails and comes back (a switch, a restore, an
        outage in the store), then the store is flushed."""
        def state(m):
            r = cls.d.ctl("members", json_out=True)
            return {x["name"]: x["state"] for x in r.data}.get(m) if r.returncode == 0 else None
        for m in ("wan", "sat", "lte"):
            assert wait_for(lambda: state(m) == "up", 20), (m, cls.d.read_log()[-2000:])
        # wan flaps: it fails soon after each fail-back (config optimize's
        # evidence for a longer failback_hold).
        for i in range(FLAPS):
            LAB.run("impair.sh", "wan", "blackhole")
            assert wait_for(lambda: LAB.default_dev() == "sl", 10), cls.d.read_log()[-2000:]
            LAB.run("impair.sh", "wan", "restore")
            if i + 1 < FLAPS:   # the last fail-back comes later, on its own
                # flap prevention doubles the hold after each flap (9, 18, 35 s)
                assert wait_for(lambda: LAB.default_dev() == "wan", 90, 0.2), \
                    cls.d.read_log()[-2000:]
        # Minute rows (samples, the daemon's own figures) come with the
        # next whole minute; the history commands need one.
        def perf():
            r = cls.d.ctl("metrics", "--performance", json_out=True)
            return r.returncode == 0 and r.data.get("performance", {}).get("minutes")
        assert wait_for(perf, 130, 1), cls.d.ctl("metrics", "--performance").stdout

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        LAB.run("lab.sh", "down", check=False)
        width = max(len(c) for c, _, _ in cls.table) if cls.table else 10
        print("\nguide invocations:")
        for cmd, verdict, note in cls.table:
            print(f"  {cmd:<{width}}  {verdict:<8} {note}")
        log = cls.d.read_log()
        if "ERROR: AddressSanitizer" in log or "runtime error:" in log:
            raise AssertionError("sanitizer report in the daemon log:\n" + log[-4000:])
        if not os.environ.get("KEEP_TMP"):
            import shutil
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_cmd(self, cmd):
        if cmd == "autonomyctl monitor --continuous":
            # Streams until stopped: a few seconds, as an operator would watch.
            p = subprocess.Popen(["/bin/sh", "-c", cmd], env=self.env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 start_new_session=True)
            time.sleep(3)
            alive = p.poll() is None
            os.killpg(p.pid, signal.SIGTERM)
            out, err = p.communicate(timeout=10)
            return (0 if alive else p.returncode or 1), out, err
        r = subprocess.run(["/bin/sh", "-c", cmd], env=self.env, capture_output=True,
                           text=True, timeout=120)
        return r.returncode, r.stdout, r.stderr

    def check(self, cmd):
        key = cmd[len("autonomyctl "):]
        rc, out, err = self.run_cmd(cmd)
        os.makedirs(OUT, exist_ok=True)
        with open(os.path.join(OUT, re.sub(r"\W+", "_", key).strip("_") + ".txt"), "w") as f:
            f.write(f"$ {cmd}\n{out}{err}(exit {rc})\n")
        ok = rc == 0 and key in CHECKS and bool(CHECKS[key](out))
        if key in PENDING:
            verdict = "pending"
            note = f"on branch {PENDING[key]}: rc {rc} {err.strip()[:60]}"
            self.table.append((cmd, verdict, note))
            self.assertFalse(ok, f"{cmd} works now: take it out of PENDING")
            return
        self.table.append((cmd, "works" if ok else "FAILS",
                           "" if ok else f"rc {rc}: {(err or out).strip()[:70]}"))
        self.assertEqual(rc, 0, f"{cmd}: rc {rc}\nstdout: {out[-1500:]}\nstderr: {err[-1500:]}")
        self.assertIn(key, CHECKS, f"no check for {cmd}")
        self.assertTrue(CHECKS[key](out), f"{cmd}: output lacks what it is for:\n{out[-2000:]}")

    def test_99_config_optimize_apply(self):
        """--apply: a backup, the recommended value in the file (its comments
        kept), the daemon reloaded with it."""
        before = open(self.d.config).read()
        r = subprocess.run(["/bin/sh", "-c", "autonomyctl config optimize --apply"],
                           env=self.env, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        m = re.search(r"main\.failback_hold: '5' -> '(\d+)'", r.stdout)
        self.assertIsNotNone(m, r.stdout)
        self.assertIn("daemon reloaded", r.stdout)
        backup = re.search(r"applied after backup (\S+);", r.stdout).group(1)
        self.assertEqual(open(backup).read(), before)
        after = open(self.d.config).read()
        self.assertIn(f"\toption failback_hold '{m.group(1)}'\n", after)
        self.assertEqual(after.count("failback_hold"), 1)
        show = self.d.ctl("config", "show", json_out=True).data
        self.assertEqual(show["sections"]["main"]["failback_hold"], int(m.group(1)))

    def test_00_the_guide_shows_33(self):
        self.assertEqual(len(self.cmds), 33, self.cmds)
        self.assertEqual(sorted(c[len("autonomyctl "):] for c in self.cmds), sorted(CHECKS))


def _order(cmds):
    keep = [c for c in cmds if c[len("autonomyctl "):] not in LAST]
    return keep + [c for k in LAST for c in cmds if c == "autonomyctl " + k]


def _add_tests():
    try:
        cmds = _order(invocations(guide_text()))
    except unittest.SkipTest:
        return
    for i, cmd in enumerate(cmds, 1):
        name = "test_%02d_%s" % (i, re.sub(r"\W+", "_", cmd[len("autonomyctl "):]).strip("_"))
        setattr(Guide, name, lambda self, c=cmd: self.check(c))


_add_tests()

if __name__ == "__main__":
    harness.main()

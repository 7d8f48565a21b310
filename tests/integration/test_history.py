"""The history store end to end.

Replayed: ten days of the month_four trace written by `autonomyd --replay
--store`; every history command of the operations guide answers from it as
the guide writes it (tables within 100 columns, --json everywhere, ubus
through the rpcd plugin), with figures that agree with the replay's own
output; the HTML report renders in a real headless Chromium with its charts
and without a single network request (a screenshot is kept); retention as
of a later date thins and deletes what it must.

CrashLoop: the writer and the durable copy's sync killed (SIGKILL) at 50
random moments; both files pass PRAGMA integrity_check every time and the
durable copy is never more than one batch behind.

Daemon: autonomyd in a namespace with two uplinks; the preferred one is
blackholed and comes back; the history (decisions with their cause, the
outage, notifications, metrics) survives a restart, a SIGKILL and a lost
working store (a reboot: restored from state_dir); a damaged durable file
is moved aside with an event; cleanup and telemetry cleanup say what they
freed."""
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

import harness
from harness import TempDirCase, del_netns, sh, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.environ.get("TEST_OUTPUT_DIR", "/tmp/autonomy-test-output")
DAY = 86400


def ctl(*args, store=None, env=None, check=0, sock=None):
    argv = [harness.AUTONOMYCTL] + (["--store", store] if store else []) + \
        (["-s", sock] if sock else []) + list(args)
    e = dict(os.environ, TZ="UTC", **(env or {}))
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=e)
    if check is not None and r.returncode != check:
        raise AssertionError(f"{argv}: rc {r.returncode}\n{r.stdout[-2000:]}\n{r.stderr}")
    return r


def jctl(*args, **kw):
    return json.loads(ctl("--json", *args, **kw).stdout)


def month_cut(tmp, days):
    """month_four cut to its first `days` days (thinning starts on day 8)."""
    subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests/replay/gen_traces.py"),
                    "--only", "month_four", "--out", tmp], check=True, capture_output=True)
    lines = open(os.path.join(tmp, "month_four.jsonl")).read().split("\n")
    head = json.loads(lines[0])
    head["duration_s"] = days * DAY
    keep = [l for l in lines[1:] if l and json.loads(l)["t"] < days * DAY]
    path = os.path.join(tmp, f"month_four_{days}d.jsonl")
    with open(path, "w") as f:
        f.write("\n".join([json.dumps(head)] + keep) + "\n")
    return path


def fast_replayer():
    """The plain build replays ten days several times faster than the
    sanitized one; the store it writes is what is under test (the writer
    runs sanitized in the kill loop and in the daemon)."""
    plain = os.path.join(ROOT, "build", "autonomyd")
    if plain != harness.AUTONOMYD and os.access(plain, os.X_OK) and \
            b"--store-durable" in open(plain, "rb").read():
        return plain
    return harness.AUTONOMYD


class Replayed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="autonomy-hist-")
        cls.trace = month_cut(cls.tmp, 10)
        cls.store = os.path.join(cls.tmp, "history.db")
        r = subprocess.run([fast_replayer(), "--replay", cls.trace, "--store", cls.store],
                           capture_output=True, text=True, timeout=900)
        assert r.returncode == 0, r.stderr
        cls.lines = [json.loads(l) for l in r.stdout.splitlines()]
        cls.summary = cls.lines[-1]["summary"]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_summary_counts_the_store(self):
        st = self.summary["store"]
        self.assertTrue(st["ok"])
        db = sqlite3.connect(self.store)
        rows = sum(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in
                   ("samples", "samples_hourly", "sys", "events", "decisions", "outages",
                    "usage"))
        self.assertEqual(rows, st["rows"])
        # Thinned: only the last 7 days are minutes, the rest hours.
        mins = db.execute("SELECT min(k >> 6) * 60 FROM samples").fetchone()[0]
        hours = db.execute("SELECT count(*) FROM samples_hourly").fetchone()[0]
        newest = db.execute("SELECT max(k >> 6) * 60 FROM samples").fetchone()[0]
        self.assertGreater(hours, 0)
        self.assertLessEqual(newest - mins, 7 * DAY + 3600)

    def test_decisions_agree_with_the_replay(self):
        """Every move the replay printed is a decision in the store."""
        moves = [l for l in self.lines if l.get("event") == "switch"]
        a = jctl("decisions", "--analysis", store=self.store)
        self.assertEqual(a["failovers"] + a["restores"], len(moves))
        causes = sum(a["by_cause"].values())
        self.assertEqual(causes, len(moves))
        lst = jctl("decisions", "--limit", "0", store=self.store)
        self.assertEqual(len([d for d in lst if d["type"] in ("switch", "restore")
                              and d["from"]]), len(moves))
        last = [l for l in self.lines if "event" in l and l["event"] in
                ("switch", "hold", "restore", "manual")][-1]
        self.assertEqual(lst[0]["reason"], last["reason"])

    def test_guide_invocations(self):
        """The guide's commands as it writes them, human output in 100 columns."""
        guide = [
            ["metrics", "--period", "daily"], ["decisions", "--limit", "10"],
            ["decisions", "--period", "weekly", "--analysis"],
            ["metrics", "--period", "weekly", "--trends"],
            ["analytics", "--period", "monthly"], ["notifications"],
            ["notifications", "--history"], ["metrics", "--performance"], ["metrics"],
            ["decisions", "--analysis", "--security"], ["report", "--period", "weekly"],
        ]
        for argv in guide:
            r = ctl(*argv, store=self.store)
            self.assertTrue(r.stdout.strip(), argv)
            for line in r.stdout.splitlines():
                self.assertLessEqual(len(line), 100, f"{argv}: {line}")
        sec = ctl("decisions", "--analysis", "--security", store=self.store).stdout
        self.assertIn("security analysis:", sec)
        self.assertIn("manual actions: 0", sec)
        rep = ctl("report", "--period", "weekly", "--format", "json", store=self.store).stdout
        doc = json.loads(rep)
        for k in ("report", "summary", "members", "analysis", "analytics", "series", "usage",
                  "notifications"):
            self.assertIn(k, doc)
        self.assertEqual(doc["report"]["period"]["seconds"], 7 * DAY)

    def test_metrics_figures(self):
        m = jctl("metrics", "--period", "weekly", "--trends", "--performance", store=self.store)
        by = {x["name"]: x for x in m["members"]}
        self.assertEqual(set(by), {"starlink", "wan", "lte", "wifi"})
        sl = by["starlink"]
        self.assertLess(sl["availability_pct"], 100)
        self.assertGreater(sl["availability_pct"], 95)
        self.assertAlmostEqual(sl["coverage_pct"], 100, delta=0.5)
        self.assertGreater(sl["telemetry"]["dish_obstructed_pct"], 0)
        self.assertIsNotNone(by["lte"]["telemetry"]["modem_signal_dbm"])
        self.assertIsNotNone(by["wifi"]["telemetry"]["wifi_signal_dbm"])
        self.assertEqual(by["lte"]["data"]["cap_mb"], 20000)
        self.assertIn("previous", sl["trend"])
        a = jctl("decisions", "--period", "weekly", "--analysis", store=self.store)
        self.assertEqual(m["failovers"], sum(x["failovers"] for x in m["members"]))
        self.assertEqual(sl["outages"], [x for x in a["members"] if x["name"] == "starlink"][0]
                         ["outages"])

    def test_analytics_finds_the_nightly_obstruction(self):
        a = jctl("analytics", "--period", "monthly", store=self.store)
        rec = [r for r in a["recurring_outages"] if r["member"] == "starlink"]
        self.assertTrue(rec, a["recurring_outages"])
        self.assertIn(rec[0]["from_hour"], (2, 3))     # the trace's 03:00 +- 20 min
        self.assertGreaterEqual(rec[0]["days"], 3)
        self.assertTrue(rec[0]["place"])
        kinds = {s["kind"] for s in a["suggestions"]}
        self.assertIn("recurring_outage", kinds)
        self.assertIn("latency_by_hour", kinds)          # the evening congestion

    def test_export(self):
        doc = json.loads(ctl("telemetry", "export", store=self.store).stdout)
        db = sqlite3.connect(self.store)
        n = db.execute("SELECT (SELECT count(*) FROM samples) + "
                       "(SELECT count(*) FROM samples_hourly)").fetchone()[0]
        self.assertEqual(len(doc["samples"]), n)
        self.assertEqual(len(doc["decisions"]),
                         db.execute("SELECT count(*) FROM decisions").fetchone()[0])
        csv = ctl("telemetry", "export", "--format", "csv", "--period", "daily",
                  store=self.store).stdout.splitlines()
        self.assertTrue(csv[0].startswith("time,ts,span_s,member,sent,lost,loss_pct"))
        # A day of minutes for 4 members (the first may fall just outside).
        self.assertIn(len(csv) - 1, (4 * 1439, 4 * 1440))
        bad = ctl("telemetry", "export", "--table", "samples", store=self.store, check=2)
        self.assertIn("--format csv", bad.stderr)
        ctl("metrics", "--period", "yearly", store=self.store, check=2)

    def test_rpcd_plugin(self):
        link = os.path.join(self.tmp, "autonomy")
        if not os.path.exists(link):
            os.symlink(harness.AUTONOMYCTL, link)
        env = dict(os.environ, AUTONOMY_STORE=self.store, TZ="UTC",
                   AUTONOMY_SOCKET=os.path.join(self.tmp, "none.sock"))
        lst = json.loads(subprocess.run([link, "list"], capture_output=True, text=True,
                                        env=env).stdout)
        for m in ("metrics", "report", "analytics", "notifications", "telemetry_export",
                  "telemetry_cleanup", "cleanup", "decisions"):
            self.assertIn(m, lst)

        def call(method, args):
            r = subprocess.run([link, "call", method], input=json.dumps(args),
                               capture_output=True, text=True, env=env, timeout=60)
            return json.loads(r.stdout)
        self.assertEqual(call("metrics", {"period": "weekly"})["period"]["name"], "weekly")
        html = call("report", {"period": "weekly", "format": "html"})
        self.assertTrue(html["html"].startswith("<!DOCTYPE html>"))
        self.assertIn("decisions", call("decisions", {"limit": 3}))
        self.assertEqual(call("metrics", {"period": 7})["error"]["code"], "bad_args")
        self.assertEqual(call("telemetry_export", {"period": "daily"})["format"],
                         "autonomy-history/1")

    def chromium(self):
        chromium = shutil.which("chromium")
        if not chromium:
            subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                            "chromium"], capture_output=True,
                           env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
            chromium = shutil.which("chromium")
        if not chromium:
            self.skipTest("chromium is not installable here (apt-get install chromium failed)")
        profile = tempfile.mkdtemp(prefix="chromium-", dir=self.tmp)
        return [chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--user-data-dir=" + profile,
                "--window-size=1000,3200"]

    def page_requests(self, base, page, extra=()):
        """URLs the page itself asked for: Chromium's net log marks the
        browser's own background requests with 'not an origin' as initiator."""
        netlog = os.path.join(self.tmp, "netlog.json")
        r = subprocess.run(base + ["--log-net-log=" + netlog,
                                   "--net-log-capture-mode=Everything"] + list(extra) +
                           ["file://" + page], capture_output=True, text=True, timeout=120)
        log = json.load(open(netlog))
        start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        return r, {e["params"]["url"] for e in log["events"] if e["type"] == start and
                   "url" in e.get("params", {}) and
                   e["params"].get("initiator") != "not an origin"}

    def test_html_in_chromium(self):
        page = os.path.join(self.tmp, "monthly_report.html")
        with open(page, "w") as f:
            f.write(ctl("report", "--period", "monthly", "--format", "html",
                        store=self.store).stdout)
        base = self.chromium()
        os.makedirs(OUT, exist_ok=True)
        shot = os.path.join(OUT, "history-report.png")
        r, fetched = self.page_requests(base, page, ["--screenshot=" + shot])
        self.assertTrue(os.path.getsize(shot) > 20000, r.stderr[-2000:])
        print(f"\nscreenshot of the monthly report: {shot}")
        self.assertEqual(fetched, set(), "the report made network requests")
        dom = subprocess.run(base + ["--dump-dom", "file://" + page], capture_output=True,
                             text=True, timeout=120).stdout
        for part in ('id="timeline"', 'id="latency"', 'id="loss"', 'id="failovers"',
                     'id="data"', "<svg", 'class="st-up"', 'class="line"', 'class="bar"'):
            self.assertIn(part, dom)
        # The check sees a page that does fetch something.
        leaky = os.path.join(self.tmp, "leaky.html")
        with open(leaky, "w") as f:
            f.write('<html><body><img src="http://192.0.2.1/x.png"></body></html>')
        _, fetched = self.page_requests(base, leaky, ["--dump-dom"])
        self.assertEqual(fetched, {"http://192.0.2.1/x.png"})

    def test_retention_as_of_later(self):
        work = os.path.join(self.tmp, "retention.db")
        shutil.copy(self.store, work)
        end = sqlite3.connect(work).execute("SELECT max(k >> 6) * 60 FROM samples").fetchone()[0]

        def sync(now):
            r = subprocess.run([harness.AUTONOMYD, "--store-sync", "--work", work, "--now",
                                str(now), "--telemetry-days", "30", "--log-days", "7"],
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            return json.loads(r.stdout)
        res = sync(end + 5 * DAY)
        db = sqlite3.connect(work)
        self.assertGreater(res["work"]["thinned_hours"], 0)
        oldest_min = db.execute("SELECT min(k >> 6) * 60 FROM samples").fetchone()[0]
        self.assertGreaterEqual(oldest_min, end + 5 * DAY - 7 * DAY - 3600)
        oldest_ev = db.execute("SELECT min(ts) / 1000 FROM events").fetchone()[0]
        self.assertGreaterEqual(oldest_ev, end + 5 * DAY - 7 * DAY)
        self.assertGreater(db.execute("SELECT count(*) FROM samples_hourly").fetchone()[0], 0)
        db.close()
        res = sync(end + 41 * DAY)
        db = sqlite3.connect(work)
        for t in ("samples", "samples_hourly", "decisions", "outages", "events", "usage"):
            self.assertEqual(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0], 0, t)
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")

    def test_bad_files(self):
        text = os.path.join(self.tmp, "not-a-store")
        with open(text, "w") as f:
            f.write("config autonomy 'main'\n")
        r = ctl("metrics", store=text, check=1)
        self.assertIn("not a SQLite database", r.stderr)
        ctl("metrics", store=os.path.join(self.tmp, "missing.db"), check=1)


class CrashLoop(unittest.TestCase):
    KILLS = 50

    def test_kill_loop(self):
        tmp = tempfile.mkdtemp(prefix="autonomy-crash-")
        try:
            trace = month_cut(tmp, 2)
            work, durable = os.path.join(tmp, "w.db"), os.path.join(tmp, "d.db")
            rnd = random.Random(os.getpid())
            argv = [harness.AUTONOMYD, "--replay", trace, "--store", work,
                    "--store-durable", durable]
            for i in range(self.KILLS):
                p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                time.sleep(rnd.uniform(0.05, 1.5))
                p.send_signal(signal.SIGKILL)
                err = p.communicate()[1].decode(errors="replace")
                self.assertNotIn("autonomyd:", err, f"kill {i}")
                self.check(work, durable, i)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def check(self, work, durable, i):
        for f in (work, durable):
            if not os.path.exists(f):
                continue
            db = sqlite3.connect(f)
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok",
                             f"{f} after kill {i}")
            db.close()
        if not os.path.exists(durable) or not os.path.exists(work):
            return

        def newest(f):
            db = sqlite3.connect(f)
            try:
                return db.execute("SELECT max(k >> 6) * 60 FROM samples").fetchone()[0]
            except sqlite3.OperationalError:
                return None     # killed between creating the file and its schema
            finally:
                db.close()      # a reader left open would lock the next run out
        w, d = newest(work), newest(durable)
        # The replay starts over each time (same keys): the durable copy may
        # be behind the working one by the batch being synced when killed
        # and the one after it, never more (gc_interval 300 s of trace time).
        if w is not None and d is not None:
            self.assertGreaterEqual(d, w - 2 * 300 - 60, f"kill {i}: durable behind")


NS = f"hst{os.getpid() % 100000}"


def conf(state, run, gc="10", extra=""):
    return f"""
config autonomy 'main'
	option backend 'none'
	option state_dir '{state}'
	option run_dir '{run}'
	option failback_hold '5'

config autonomy 'performance'
	option gc_interval '{gc}'

config member 'wan'
	option device 'up0'
	option priority '1'
	list target '10.77.0.1'

config member 'lte'
	option device 'up1'
	option priority '2'
	option metered '1'
	list target '10.77.1.1'
{extra}"""


class Daemon(TempDirCase):
    @classmethod
    def setUpClass(cls):
        peer = NS + "p"
        sh("ip", "netns", "add", NS)
        sh("ip", "netns", "add", peer)
        for i in (0, 1):
            sh("ip", "link", "add", f"up{i}", "netns", NS, "type", "veth", "peer", "name",
               f"pe{i}", "netns", peer)
            sh("ip", "-n", NS, "addr", "add", f"10.77.{i}.2/30", "dev", f"up{i}")
            sh("ip", "-n", NS, "link", "set", f"up{i}", "up")
            sh("ip", "-n", peer, "addr", "add", f"10.77.{i}.1/30", "dev", f"pe{i}")
            sh("ip", "-n", peer, "link", "set", f"pe{i}", "up")
        sh("ip", "-n", NS, "link", "set", "lo", "up")

    @classmethod
    def tearDownClass(cls):
        del_netns(NS, NS + "p")

    def blackhole(self, on):
        """wan's peer stops answering, its carrier stays up."""
        sh("ip", "-n", NS + "p", "addr", "del" if on else "add", "10.77.0.1/30", "dev", "pe0")

    def wait_minute_rows(self, d, n=1):
        db = os.path.join(self.tmp, "run", "history.db")

        def rows():
            if not os.path.exists(db):
                return 0
            c = sqlite3.connect(db)
            try:
                return c.execute("SELECT count(*) FROM samples").fetchone()[0]
            finally:
                c.close()
        self.assertTrue(wait_for(lambda: rows() >= n, 130, 1),
                        "no minute rows: " + d.read_log()[-2000:])

    def test_without_run_dir(self):
        """No run_dir: one store, in state_dir, maintained by the same child."""
        state = os.path.join(self.tmp, "state")
        d = self.daemon(conf(state, ""), netns=NS).start()
        st = jctl("status", sock=d.sock)["history"]
        self.assertEqual(st["working"], os.path.join(state, "history.db"))
        self.assertIsNone(st["durable"])
        self.assertTrue(wait_for(lambda: jctl("health", sock=d.sock)["subsystems"]["history"]
                                 ["syncs"] >= 1, 30), d.read_log()[-2000:])
        h = jctl("health", sock=d.sock)["subsystems"]["history"]
        self.assertTrue(h["last_sync"]["ok"], h)
        self.assertEqual(h["flash_bytes"], 0)      # nothing copied
        dec = jctl("decisions", sock=d.sock)
        self.assertEqual(dec[-1]["cause"], "initial")

    def test_scenario(self):
        state, run = os.path.join(self.tmp, "state"), os.path.join(self.tmp, "run")
        d = self.daemon(conf(state, run), netns=NS).start()
        sock = d.sock
        self.assertTrue(wait_for(lambda: jctl("status", sock=sock)["active_member"] == "wan", 10))
        st = jctl("status", sock=sock)["history"]
        self.assertEqual(st["durable"], os.path.join(state, "history.db"))
        self.blackhole(True)
        self.assertTrue(wait_for(lambda: jctl("status", sock=sock)["active_member"] == "lte",
                                 15))
        time.sleep(3)
        self.blackhole(False)
        self.assertTrue(wait_for(lambda: jctl("status", sock=sock)["active_member"] == "wan",
                                 60), d.read_log()[-3000:])
        self.wait_minute_rows(d, 2)
        # Restarted: everything is still there.
        d.stop()
        d.start()
        dec = jctl("decisions", "--limit", "0", sock=sock)
        moves = [x for x in dec if x["type"] in ("switch", "restore") and x["from"]]
        self.assertEqual([(x["type"], x["cause"], x["from"], x["to"]) for x in moves],
                         [("restore", "failback", "lte", "wan"), ("switch", "down", "wan", "lte")])
        notes = jctl("notifications", sock=sock)
        texts = [n["text"] for n in notes["notifications"]]
        self.assertTrue(any(t.startswith("wan: down") for t in texts), texts)
        self.assertTrue(any(t.startswith("switch: wan -> lte") for t in texts), texts)
        m = jctl("metrics", "--performance", sock=sock)
        wan = [x for x in m["members"] if x["name"] == "wan"][0]
        self.assertEqual(wan["failovers"], 1)
        self.assertEqual(wan["outages"], 1)
        self.assertGreater(wan["outage_s"], 0.5)
        self.assertLess(wan["outage_s"], 60)
        self.assertGreater(m["performance"]["minutes"], 0)
        a = jctl("decisions", "--period", "daily", "--analysis", sock=sock)
        self.assertEqual(a["by_cause"], {"down": 1, "failback": 1})
        h = jctl("health", sock=sock)["subsystems"]["history"]
        self.assertTrue(h["enabled"])
        # SIGKILL: the working store (RAM) keeps what was written.
        n = len(jctl("decisions", "--limit", "0", sock=sock))
        d.stop(signal.SIGKILL)
        d.start()
        self.assertGreaterEqual(len(jctl("decisions", "--limit", "0", sock=sock)), n)
        # A reboot empties run_dir: restored from the durable copy.
        d.stop()
        for f in os.listdir(run):
            if f.startswith("history.db"):
                os.unlink(os.path.join(run, f))
        d.start()
        ev = jctl("monitor", sock=sock)["events"]
        self.assertTrue(any(e["event"] == "store" and e["fields"]["what"] == "restored"
                            for e in ev), ev)
        moves2 = [x for x in jctl("decisions", "--limit", "0", sock=sock)
                  if x["type"] in ("switch", "restore") and x["from"]]
        self.assertEqual(len(moves2), 2)
        # Cleanup commands say what they did.
        c = jctl("telemetry", "cleanup", "--older-than", "30d", sock=sock)
        self.assertIn("work", c)
        self.assertIn("durable", c)
        c = jctl("cleanup", "--all", sock=sock)
        self.assertTrue(c["vacuumed"])
        self.assertGreaterEqual(c["freed_bytes"], 0)
        r = ctl("cleanup", "--all", sock=sock)
        self.assertIn("freed", r.stdout)
        ctl("cleanup", sock=sock, check=2)
        ctl("telemetry", "cleanup", "--older-than", "soon", sock=sock, check=2)
        # A damaged durable copy is moved aside, with an event, at the next start.
        d.stop()
        durable = os.path.join(state, "history.db")
        with open(durable, "r+b") as f:
            f.write(b"garbage, not a database" * 10)
        for f in os.listdir(run):
            if f.startswith("history.db"):
                os.unlink(os.path.join(run, f))
        d.start()
        ev = jctl("monitor", sock=sock)["events"]
        aside = [e for e in ev if e["event"] == "store" and e["fields"]["what"] == "moved aside"]
        self.assertTrue(aside, ev)
        self.assertEqual(aside[0]["severity"], "warning")
        self.assertTrue([f for f in os.listdir(state) if f.startswith("history.db.bad-")])
        # Stored once the loop is done with it, like every event.
        self.assertTrue(wait_for(lambda: any(n["event"] == "store" for n in jctl(
            "notifications", sock=sock)["notifications"]), 10, 0.2))


if __name__ == "__main__":
    harness.main()

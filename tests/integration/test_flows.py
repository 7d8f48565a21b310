"""Sticky flows on real kernel routing and real nftables in the lab: a LAN
client's long-lived TCP sessions (IPv4 and IPv6) keep their uplink through a
one-shot manual switch, a fail-back and a quality switch; they are reset
within 1 s of the route change when their uplink is blackholed, and a new
connection goes out through the new uplink within 1 s; the daemon's table
is gone after a clean exit and adopted after a crash.

Times come from the client's own timestamps and the daemon's event stream
(both wall clock on this host); the test waits on events, never on sleeps."""
import json
import os
import signal
import subprocess

import harness
import labcase
from harness import wait_for

ROOT = labcase.ROOT
LAB = labcase.Lab("fw")
ROUTER, LAN = LAB.router, LAB.lan
CONF = open(os.path.join(ROOT, "examples", "lab.conf")).read().replace(
    "option failback_hold '15'",
    "option failback_hold '5'\n\toption switch_sustain '5'")
V4, V6 = "198.51.100.1", "2001:db8:ffff::1"
BOUND = 1.0     # the bound for gaps, resets and reconnects (s)
lab, default_dev, lan_source = LAB.run, LAB.default_dev, LAB.lan_source


def nft(*args):
    return subprocess.run(["ip", "netns", "exec", ROUTER, "nft"] + list(args),
                          capture_output=True, text=True)


class Client:
    """lab/peers/lan_session.py in the LAN namespace: one echo session."""

    def __init__(self, host, reconnect=None):
        argv = ["ip", "netns", "exec", LAN, "/usr/bin/python3",
                os.path.join(ROOT, "lab", "peers", "lan_session.py"), host]
        if reconnect:
            argv += ["--reconnect", reconnect]
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        line = self.p.stdout.readline().strip()
        if line != "ready":
            self.kill()
            raise AssertionError(f"client to {host} not ready: {line!r}")

    def result(self, after=None):
        """The session's record, at once or once `after` more echoes came."""
        try:
            out, _ = self.p.communicate(f"after {after}\n" if after else "stop\n", timeout=20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            out, _ = self.p.communicate()
        lines = out.strip().splitlines()
        return json.loads(lines[-1]) if lines else {"error": "no result", "max_gap": 99}

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.communicate()


class Flows(labcase.LabCase):
    LAB, CONF = LAB, CONF

    def setUp(self):
        self.clients = []
        super().setUp()
        self.assertTrue(wait_for(lambda: self.flows_status().get("verified"), 5),
                        self.flows_status())

    def tearDown(self):
        for c in self.clients:
            c.kill()
        super().tearDown()

    def client(self, host, reconnect=None):
        c = Client(host, reconnect)
        self.clients.append(c)
        return c

    def flows_status(self):
        return self.d.ctl("status", json_out=True).data["route"]["flows"]

    def route_event(self, since, to, timeout=90):
        """The daemon's 'default route via <to>' event after index since."""
        return self.mon.wait(lambda e: e.get("event") == "route" and
                             e.get("text", "").startswith("default route via " + to),
                             timeout, since)

    def decision_flows(self, to):
        """flows of the newest decision that moved traffic to `to`, once counted."""
        def find():
            for d in self.d.ctl("decisions", json_out=True).data:
                if d.get("to") == to and d.get("flows"):
                    return d["flows"] if d["flows"]["kept"] is not None else None
            return None
        return wait_for(find, 5)

    def assert_kept(self, res, what):
        self.assertIsNone(res.get("error"), (what, res))
        self.assertLess(res["max_gap"], BOUND, (what, res))

    def test_manual_switch_keeps_v4_and_v6_sessions(self):
        a, b = self.client(V4), self.client(V6)
        n = self.mon.mark()
        self.d.ctl("failover", "--interface", "lte", check_rc=0)
        self.assertIsNotNone(self.route_event(n, "lte"))
        self.assertEqual((default_dev(), default_dev("-6")), ("lte", "lte"))
        # New connections follow the switch; the sessions stay on wan.
        self.assertEqual(lan_source(f"http://{V4}/ip"), "10.3.0.2")
        self.assertEqual(lan_source(f"http://[{V6}]/ip"), "2001:db8:3::2")
        for c, what in ((a, "v4 session"), (b, "v6 session")):
            self.assert_kept(c.result(after=20), what)
        f = self.decision_flows("lte")
        self.assertIsNotNone(f)
        self.assertTrue(f["sticky"])
        self.assertIsNone(f["flushed"])
        self.assertGreaterEqual(f["kept"], 2, f)
        st = self.d.ctl("status", json_out=True).data
        self.assertTrue(st["route"]["flows"]["sticky"])
        self.assertIn("flows", self.d.ctl("decisions").stdout)

    def test_failback_keeps_session(self):
        n = self.mon.mark()
        self.d.ctl("failover", "--interface", "lte", check_rc=0)
        self.assertIsNotNone(self.route_event(n, "lte"))
        a, b = self.client(V4), self.client(V6)   # these start on lte
        n = self.mon.mark()
        back = self.route_event(n, "wan")         # fail-back after the 5 s hold
        self.assertIsNotNone(back, self.d.ctl("decisions", json_out=True).data[:3])
        for c, what in ((a, "v4 session"), (b, "v6 session")):
            self.assert_kept(c.result(after=20), what)
        f = self.decision_flows("wan")
        self.assertGreaterEqual(f["kept"], 2, f)

    def test_quality_switch_keeps_session(self):
        # wan is slow from the start (the daemon learns its RTT, so its
        # probes are not lost): sat beats it on quality, not on a failure.
        self.mon.close()
        self.assertEqual(self.d.stop(), 0)
        lab("impair.sh", "wan", "delay", "350")
        self.d.start()
        self.mon = harness.Monitor(self.d)
        self.assertTrue(wait_for(lambda: default_dev() == "wan", 5))
        a = self.client(V4)
        n = self.mon.mark()
        sw = self.route_event(n, "sat", 120)
        self.assertIsNotNone(sw, self.d.ctl("members", json_out=True).data)
        dec = self.d.ctl("decisions", json_out=True).data
        self.assertEqual((dec[0]["type"], dec[0]["from"], dec[0]["to"]), ("switch", "wan", "sat"))
        self.assertNotIn("down", dec[0]["reason"])
        res = a.result(after=10)
        self.assertIsNone(res["error"], res)
        # echoes take 300 ms on the delayed path: no gap beyond the bound
        self.assertLess(res["max_gap"], BOUND, res)
        self.assertGreaterEqual(self.decision_flows("sat")["kept"], 1)

    def test_blackhole_resets_and_reconnects_within_1s(self):
        a = self.client(V4, reconnect=f"http://{V4}/ip")
        b = self.client(V6, reconnect=f"http://[{V6}]/ip")
        n = self.mon.mark()
        lab("impair.sh", "wan", "blackhole")
        route = self.route_event(n, "sat", 10)
        self.assertIsNotNone(route)
        for c, seen in ((a, "10.2.0.2"), (b, "2001:db8:2::2")):
            res = c.result(after=1)
            self.assertIsNotNone(res["error_at"], res)
            self.assertLess(res["error_at"] - route["ts"], BOUND, (res, route))
            self.assertEqual(res.get("seen_as"), seen, res)
            self.assertLess(res["reconnect_at"] - route["ts"], BOUND, (res, route))
        f = self.decision_flows("sat")
        self.assertGreaterEqual(f["flushed"], 2, f)
        self.assertIn("connections of wan flushed", route["text"])

    def test_idle_member_failing_flushes_its_sessions(self):
        a = self.client(V4, reconnect=f"http://{V4}/ip")
        n = self.mon.mark()
        self.d.ctl("failover", "--interface", "lte", check_rc=0)
        self.assertIsNotNone(self.route_event(n, "lte"))
        lab("impair.sh", "wan", "blackhole")      # wan carries `a`, not traffic
        down = self.mon.wait(lambda e: e.get("member") == "wan" and
                             e.get("text", "").startswith("wan: down"), 10, n)
        self.assertIsNotNone(down)
        res = a.result(after=1)
        self.assertLess(res["error_at"] - down["ts"], BOUND, (res, down))
        self.assertEqual(res.get("seen_as"), "10.3.0.2", res)
        self.assertIsNotNone(self.mon.wait(
            lambda e: "connections kept on it flushed" in e.get("text", ""), 5, n))

    def test_table_removed_on_exit_adopted_after_crash(self):
        self.assertIn("table inet autonomy", nft("list", "tables").stdout)
        n = self.mon.mark()
        self.d.ctl("failover", "--interface", "lte", check_rc=0)
        self.assertIsNotNone(self.route_event(n, "lte"))
        on_lte = self.client(V4)
        self.d.ctl("failover", "--interface", "wan", "--force", check_rc=0)
        self.assertTrue(wait_for(lambda: default_dev() == "wan", 5))
        on_wan = self.client(V4)
        # A crash leaves the table; the next start adopts it as it is, and
        # the session pinned to lte (not active) goes on.
        before = nft("-a", "list", "table", "inet", "autonomy").stdout
        self.mon.close()
        self.d.stop(signal.SIGKILL)
        self.assertEqual(nft("-a", "list", "table", "inet", "autonomy").stdout, before)
        self.d.start()
        self.mon = harness.Monitor(self.d)
        self.assertTrue(wait_for(lambda: self.flows_status().get("verified"), 5))
        self.assertEqual(self.flows_status()["rebuilt"], 0)
        self.assertEqual(nft("-a", "list", "table", "inet", "autonomy").stdout, before)
        self.assert_kept(on_lte.result(after=20), "session on lte across a crash")
        on_lte = self.client(V4)    # (on wan now; pinned to it)
        # A clean exit removes the table, and nothing else; the routes stay
        # (the router is online) and so do sessions on the active uplink.
        self.mon.close()
        self.assertEqual(self.d.stop(), 0)
        tables = nft("list", "tables").stdout
        self.assertNotIn("autonomy", tables)
        self.assertIn("table inet lab_nat", tables)
        self.assertEqual(default_dev(), "wan")
        self.assert_kept(on_wan.result(after=20), "session on the active uplink, daemon stopped")
        self.assert_kept(on_lte.result(after=20), "second session on wan, daemon stopped")
        self.d.start()
        self.mon = harness.Monitor(self.d)
        self.assertTrue(wait_for(lambda: self.flows_status().get("verified"), 5))


if __name__ == "__main__":
    harness.main()

"""The daemon reading link telemetry end to end, through the real parsing
path: a cellular member whose modem tool is tests/integration/fake_tools/mmcli
(it prints the recorded captures of tests/data/cellular, or hangs, fails,
prints garbage), a Wi-Fi member whose iwinfo is wifi_fake_tool.py (the
iwinfo captures), data usage from the kernel's counters against a cap,
persisted across a restart, and the position from a real gpsd fed the NMEA
capture. Devices are veths in a namespace named like the real ones."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import harness
from harness import TempDirCase, sh, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(ROOT, "tests", "data")
NS = f"tel{os.getpid() % 100000}"
PEER = NS + "p"
GPSD_PORT, NMEA_PORT = 36101, 36102
BIN = ""    # the fake tools' directory (setUpClass), with their fake.env


def conf(extra=""):
    return f"""
config autonomy 'main'
	option backend 'none'

config autonomy 'cellular'
	option signal_check_interval '2'
	option data_usage_check_interval '10'
	option mmcli '{BIN}/mmcli'

config autonomy 'wifi'
	option rssi_check_interval '2'

config autonomy 'gps'
	option gpsd_port '{GPSD_PORT}'

config member 'lte'
	option device 'wwan0'
	option class 'cellular'
	option priority '2'
	option data_limit_mb '2'
	list target '10.90.0.1'

config member 'wlan'
	option device 'wlan1'
	option class 'wifi'
	option priority '3'
	list target '10.91.0.1'
{extra}"""


class Telemetry(TempDirCase):
    @classmethod
    def setUpClass(cls):
        sh("ip", "netns", "add", NS)
        sh("ip", "netns", "add", PEER)
        for dev, peer, net in (("wwan0", "pw0", "10.90.0"), ("wlan1", "pl1", "10.91.0")):
            sh("ip", "link", "add", dev, "netns", NS, "type", "veth", "peer", "name", peer,
               "netns", PEER)
            sh("ip", "-n", NS, "addr", "add", net + ".2/24", "dev", dev)
            sh("ip", "-n", PEER, "addr", "add", net + ".1/24", "dev", peer)
            sh("ip", "-n", NS, "link", "set", dev, "up")
            sh("ip", "-n", PEER, "link", "set", peer, "up")
        sh("ip", "-n", NS, "link", "set", "lo", "up")
        sh("ip", "netns", "exec", NS, "sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647")
        cls.fake = tempfile.mkdtemp(prefix="tel-fake-")
        cls.bin = os.path.join(cls.fake, "bin")
        os.mkdir(cls.bin)
        global BIN
        BIN = cls.bin
        for tool in ("iwinfo",):
            os.symlink(os.path.join(HERE, "wifi_fake_tool.py"), os.path.join(cls.bin, tool))
        os.symlink(os.path.join(HERE, "fake_tools", "mmcli"), os.path.join(cls.bin, "mmcli"))
        os.environ.update(PATH=cls.bin + ":" + os.environ.get("PATH", "/usr/bin:/bin"))
        # The daemon gives its tools a minimal environment: their settings
        # travel in fake.env beside them (fake_env.py).
        with open(os.path.join(cls.bin, "fake.env"), "w") as f:
            f.write("FAKE_DATA=%s\nFAKE_DIR=%s\nWIFI_FAKE_DATA=%s\n"
                    % (os.path.join(DATA, "cellular"), cls.fake, DATA))

    @classmethod
    def tearDownClass(cls):
        for ns in (NS, PEER):
            for pid in sh("ip", "netns", "pids", ns, check=False).stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            sh("ip", "netns", "del", ns, check=False)
        subprocess.run(["rm", "-rf", cls.fake])

    def setUp(self):
        super().setUp()
        for f in os.listdir(self.fake):
            if f.endswith(".mode"):
                os.unlink(os.path.join(self.fake, f))

    def member(self, d, name):
        return {m["name"]: m for m in d.ctl("members", json_out=True).data}[name]

    def test_cellular_through_mmcli(self):
        d = self.daemon(conf(), netns=NS).start()
        self.assertTrue(wait_for(lambda: (self.member(d, "lte").get("cellular") or {})
                                 .get("registration"), 10), self.member(d, "lte"))
        c = self.member(d, "lte")["cellular"]
        self.assertEqual(c["source"], "mmcli")
        self.assertEqual(c["state"], "connected")          # the Quectel EG25 capture
        self.assertEqual(c["registration"], "home")
        self.assertEqual(c["operator_code"], "23002")
        self.assertEqual(c["technology"], "lte")
        self.assertEqual(c["rsrp_dbm"], -92)                # the openwisp LTE signal capture
        self.assertEqual(c["sinr_db"], 19.2)
        out = d.ctl("cellular").stdout
        self.assertIn("RSRP -92.0 dBm", out)
        self.assertIn("O2.CZ", out)

    def test_modem_tool_hangs_fails_or_prints_garbage(self):
        d = self.daemon(conf(), netns=NS).start()
        self.assertTrue(wait_for(lambda: (self.member(d, "lte").get("cellular") or {})
                                 .get("registration"), 10))
        seen = set()
        for mode, expect in (("hang", "timed out"), ("fail", "exit"), ("garbage", "")):
            with open(os.path.join(self.fake, "mmcli.mode"), "w") as f:
                f.write(mode)
            t0 = time.time()

            def noticed():
                e = self.member(d, "lte")["cellular"].get("error") or ""
                return e and e not in seen and expect in e.lower() and e
            self.assertTrue(wait_for(noticed, 20), (mode, self.member(d, "lte")["cellular"]))
            seen.add(self.member(d, "lte")["cellular"]["error"])
            # the loop never waits for the tool
            t1 = time.time()
            d.ctl("status", json_out=True)
            self.assertLess(time.time() - t1, 0.5, mode)
            print(f"{mode}: noticed in {time.time() - t0:.1f} s: "
                  f"{self.member(d, 'lte')['cellular']['error']}")
        os.unlink(os.path.join(self.fake, "mmcli.mode"))
        self.assertTrue(wait_for(lambda: not self.member(d, "lte")["cellular"].get("error"), 30))
        self.assertEqual(d.proc.poll(), None)

    def test_wifi_through_iwinfo(self):
        d = self.daemon(conf(), netns=NS).start()
        self.assertTrue(wait_for(lambda: (self.member(d, "wlan").get("wifi") or {})
                                 .get("source") == "iwinfo", 15), self.member(d, "wlan"))
        w = self.member(d, "wlan")["wifi"]
        self.assertEqual(w["signal_dbm"], -46)              # iwinfo-wlan1-info capture
        self.assertEqual(w["ssid"], "dd-wrt")
        self.assertIn("dd-wrt", d.ctl("wifi").stdout)

    def test_data_usage_cap_alerts_and_survives_restart(self):
        d = self.daemon(conf(), netns=NS).start()
        mon = harness.Monitor(d)
        # ~3 MB through wwan0: over the 2 MB cap
        sh("ip", "netns", "exec", NS, "ping", "-q", "-f", "-s", "1400", "-c", "1200",
           "-I", "wwan0", "10.90.0.1")
        self.assertTrue(wait_for(lambda: (self.member(d, "lte")["data_usage"] or {})
                                 .get("used_pct", 0) > 100, 25), self.member(d, "lte"))
        u = self.member(d, "lte")["data_usage"]
        self.assertTrue(u["last_resort"])
        self.assertIn("data cap", self.member(d, "lte")["telemetry"]["excluded"])
        alerts = [e["text"] for e in mon.matching(lambda e: e.get("event") == "alert")]
        for pct in ("50 %", "80 %", "95 %", "100 %"):
            self.assertTrue(any(pct in a for a in alerts), (pct, alerts))
        self.assertEqual(len(alerts), 4)
        mon.close()
        used = u["total_bytes"]
        d.stop()
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "state", "usage.json")))
        d2 = self.daemon(conf(), netns=NS).start()
        self.assertTrue(wait_for(lambda: self.member(d2, "lte")["data_usage"], 5))
        self.assertGreaterEqual(self.member(d2, "lte")["data_usage"]["total_bytes"], used)
        self.assertTrue(wait_for(lambda: self.member(d2, "lte")["telemetry"]["excluded"], 15))
        # the cycle: starts at local midnight of the reset day
        self.assertTrue(u["cycle_start"].endswith(":00Z") or u["cycle_start"])
        self.assertIsNotNone(u["next_reset_ts"])

    def test_position_from_gpsd(self):
        log = os.path.join(self.tmp, "nmea.log")
        nmea = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "nmea_server.py"),
                                 os.path.join(DATA, "gps", "nmea.globalsat-bu353s4.sirf4.gpsd-testlog.log"),
                                 str(NMEA_PORT), "--interval", "0.2"],
                                stdout=open(log, "w"), stderr=subprocess.STDOUT)
        gpsd = None
        try:
            self.assertTrue(wait_for(lambda: "epochs on port" in open(log).read(), 5))
            gpsd = subprocess.Popen(["gpsd", "-N", "-n", "-b", "-S", str(GPSD_PORT), "-F",
                                     os.path.join(self.tmp, "gpsd.sock"),
                                     f"tcp://127.0.0.1:{NMEA_PORT}"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            d = self.daemon(conf(), extra=()).start()       # gpsd is on the host's loopback
            self.assertTrue(wait_for(lambda: (d.ctl("status", json_out=True).data["position"]
                                              or {}).get("source") == "gpsd", 20))
            p = d.ctl("status", json_out=True).data["position"]
            self.assertAlmostEqual(p["lat"], -37.7848, places=2)    # the capture: Hamilton, NZ
            self.assertAlmostEqual(p["lon"], 175.3149, places=2)
            self.assertIn("position", d.ctl("status").stdout)
            h = d.ctl("health", json_out=True).data["subsystems"]["gps"]
            self.assertEqual(h["state"], "watching")
        finally:
            for p in (gpsd, nmea):
                if p:
                    p.kill()
                    p.wait()


if __name__ == "__main__":
    harness.main()

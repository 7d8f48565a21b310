"""The exporters against the real tools, in the lab: the daemon in the
router namespace with Prometheus, SNMP and MQTT on, and there, in the same
namespace, Debian's prometheus server scraping it (promtool lints the
scrape), snmpd as AgentX master on a private socket and UDP port, and a
mosquitto broker (plain and TLS with a test CA made with the openssl CLI).
A blackhole on the wired uplink moves traffic; the failover shows in the
metrics, in Prometheus' answers to the guide's two expressions, in the SNMP
walk and on MQTT. Then the peers misbehave: snmpd stopped and restarted,
the broker down and back; the daemon's loop never waits for them."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import harness
from harness import TempDirCase, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
PREFIX = f"ex{os.getpid() % 100000}"
ENV = dict(os.environ, LAB_PREFIX=PREFIX, LAB_RULES="0")
ROUTER = PREFIX + "-router"
BASE = ".1.3.6.1.4.1.12345.1"
SNMP_PORT, PROM_PORT = 16100, 19090
MQTT_TOPIC = "autonomy/lab"
SNMPENV = dict(os.environ, MIBS="", MIBDIRS="/nonexistent")


def lab(*args, check=True):
    return subprocess.run([os.path.join(ROOT, "lab", args[0])] + list(args[1:]),
                          env=ENV, check=check, capture_output=True, text=True)


def ns(*argv, check=False, timeout=20, env=None, input=None):
    return subprocess.run(["ip", "netns", "exec", ROUTER] + list(argv), capture_output=True,
                          text=True, check=check, timeout=timeout, env=env, input=input)


def ns_popen(argv, log, env=None):
    return subprocess.Popen(["ip", "netns", "exec", ROUTER] + argv, stdout=log,
                            stderr=subprocess.STDOUT, env=env)


# Polling the metrics endpoint: twice a second, within the listeners'
# default per-source rate limit (security.rate_limit_per_second 5) that
# Prometheus' own scrapes from the same address share.
POLL = 0.5


def scrape():
    r = ns("curl", "-s", "-m", "5", "http://127.0.0.1:9612/metrics")
    return r.stdout if r.returncode == 0 else ""


def sample(text, name, **labels):
    """The value of one sample of the exposition, or None."""
    for line in text.splitlines():
        m = re.match(r"^([a-z_0-9]+)(\{.*\})? (\S+)$", line)
        if not m or m.group(1) != name:
            continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        if all(got.get(k) == v for k, v in labels.items()):
            return float(m.group(3))
    return None


def prom_query(expr):
    r = ns("curl", "-s", "-m", "5", f"http://127.0.0.1:{PROM_PORT}/api/v1/query",
           "--data-urlencode", "query=" + expr)
    return json.loads(r.stdout) if r.returncode == 0 and r.stdout else {}


def snmpwalk():
    r = ns("snmpwalk", "-v2c", "-c", "public", "-On", "-t", "2", "-r", "1",
           f"127.0.0.1:{SNMP_PORT}", BASE, env=SNMPENV)
    out = {}
    for line in r.stdout.splitlines():
        m = re.match(r"^(\S+) = (\w+): ?(.*)$", line)
        if m:
            out[m.group(1)] = m.group(3).strip('"')
    return out


def member_rows(walk):
    """{name: {column: value}} from the member table of a walk."""
    names = {oid.rsplit(".", 1)[1]: v for oid, v in walk.items()
             if oid.startswith(BASE + ".2.1.2.")}
    rows = {}
    for oid, v in walk.items():
        m = re.match(re.escape(BASE) + r"\.2\.1\.(\d+)\.(\d+)$", oid)
        if m and m.group(2) in names:
            rows.setdefault(names[m.group(2)], {})[int(m.group(1))] = v
    return rows


def make_ca(d):
    """A test CA and a server certificate for 127.0.0.1 and localhost."""
    def ossl(*a):
        subprocess.run(["openssl"] + list(a), cwd=d, check=True, capture_output=True)
    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
         "/CN=autonomy test CA", "-keyout", "ca.key", "-out", "ca.crt")
    ossl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout",
         "server.key", "-out", "server.csr")
    with open(os.path.join(d, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    ossl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
         "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "server.crt")
    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
         "/CN=another CA", "-keyout", "other.key", "-out", "other.crt")


def conf(tmp, mqtt):
    text = open(os.path.join(ROOT, "examples", "lab.conf")).read().replace(
        "option metered '1'", "option metered '1'\n\toption data_limit_mb '1000'")
    return text + f"""
config autonomy 'cellular'
	option mmcli '{tmp}/bin/mmcli'
	option signal_check_interval '2'

config autonomy 'prometheus'
	option enabled '1'
	option textfile '{tmp}/autonomy.prom'
	option textfile_interval '1'

config autonomy 'snmp'
	option enabled '1'
	option agentx_socket '{tmp}/agentx.sock'

config autonomy 'mqtt'
	option enabled '1'
	option topic_prefix '{MQTT_TOPIC}'
{mqtt}
"""


class Export(TempDirCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="autonomy-export-")
        cls.procs = {}
        lab("lab.sh", "up")
        lab("dish.sh", "start")
        subprocess.run(["ip", "-n", ROUTER, "link", "set", "lo", "up"], check=True)
        make_ca(cls.dir)
        # The daemon gives its tools a minimal environment: the fake mmcli's
        # settings travel in fake.env beside it (fake_env.py).
        os.mkdir(os.path.join(cls.dir, "bin"))
        os.symlink(os.path.join(HERE, "fake_tools", "mmcli"), os.path.join(cls.dir, "bin", "mmcli"))
        with open(os.path.join(cls.dir, "bin", "fake.env"), "w") as f:
            f.write("FAKE_DATA=%s\nFAKE_DIR=%s\n"
                    % (os.path.join(ROOT, "tests", "data", "cellular"), cls.dir))
        with open(os.path.join(cls.dir, "mosquitto.conf"), "w") as f:
            f.write(f"""per_listener_settings false
user root
allow_anonymous true
persistence false
listener 1883 127.0.0.1
listener 8883 127.0.0.1
cafile {cls.dir}/ca.crt
certfile {cls.dir}/server.crt
keyfile {cls.dir}/server.key
""")
        with open(os.path.join(cls.dir, "snmpd.conf"), "w") as f:
            f.write(f"""master agentx
agentXSocket {cls.dir}/agentx.sock
agentaddress udp:127.0.0.1:{SNMP_PORT}
rocommunity public 127.0.0.1
""")
        with open(os.path.join(cls.dir, "prometheus.yml"), "w") as f:
            f.write("""global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: autonomy
    static_configs:
      - targets: ['127.0.0.1:9612']
""")
        cls.start_broker()
        cls.start_snmpd()
        cls.start("prometheus", ["prometheus", "--config.file=" + cls.dir + "/prometheus.yml",
                                 "--storage.tsdb.path=" + cls.dir + "/tsdb",
                                 f"--web.listen-address=127.0.0.1:{PROM_PORT}",
                                 "--log.level=warn"])
        cls.subf = open(os.path.join(cls.dir, "sub.log"), "w")
        cls.sub = ns_popen(["mosquitto_sub", "-h", "127.0.0.1", "-v", "-t", MQTT_TOPIC + "/#"],
                           cls.subf)

    @classmethod
    def start(cls, name, argv, env=None):
        log = open(os.path.join(cls.dir, name + ".log"), "ab")
        cls.procs[name] = ns_popen(argv, log, env)

    @classmethod
    def start_broker(cls):
        cls.start("mosquitto", ["mosquitto", "-c", cls.dir + "/mosquitto.conf"])
        assert wait_for(lambda: ns("mosquitto_sub", "-h", "127.0.0.1", "-t", "x", "-W", "1",
                                   "-C", "1").returncode in (0, 27), 10), "mosquitto did not start"

    @classmethod
    def start_snmpd(cls):
        cls.start("snmpd", ["snmpd", "-f", "-Lo", "-C", "-c", cls.dir + "/snmpd.conf",
                            "--persistentDir=" + cls.dir + "/snmp"], SNMPENV)
        assert wait_for(lambda: os.path.exists(cls.dir + "/agentx.sock"), 10)

    @classmethod
    def stop(cls, name, sig=signal.SIGTERM):
        p = cls.procs.pop(name, None)
        if p and p.poll() is None:
            p.send_signal(sig)
            p.wait(10)

    @classmethod
    def tearDownClass(cls):
        for name in list(cls.procs):
            cls.stop(name, signal.SIGKILL)
        cls.sub.kill()
        lab("lab.sh", "down", check=False)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.d = self.daemon(conf(self.dir, "\toption broker '127.0.0.1'\n"),
                             netns=ROUTER).start()
        for m in ("wan", "sat", "lte"):
            self.assertTrue(wait_for(lambda: self.member(m)["state"] == "up", 15), m)

    def tearDown(self):
        lab("impair.sh", "wan", "restore")
        super().tearDown()

    def member(self, name):
        return {m["name"]: m for m in self.d.ctl("members", json_out=True).data}[name]

    def export(self):
        return self.d.ctl("health", json_out=True).data["subsystems"]["export"]

    def lag_max_ms(self):
        return self.d.ctl("health", json_out=True).data["loop_lag_max_ms"]

    def retained(self, topic):
        r = ns("mosquitto_sub", "-h", "127.0.0.1", "-t", f"{MQTT_TOPIC}/{topic}", "-C", "1",
               "-W", "3")
        return r.stdout.strip()

    def test_failover_everywhere(self):
        # The scrape: promtool's lint finds nothing, the guide's names are there.
        text = wait_for(lambda: (t := scrape()) and "autonomy_starlink_obstruction_ratio" in t
                        and "autonomy_cellular_rsrp_dbm" in t and t, 15, step=POLL)
        self.assertTrue(text, scrape())
        lint = ns("promtool", "check", "metrics", input=text)
        self.assertEqual((lint.returncode, lint.stdout + lint.stderr), (0, ""))
        lint = subprocess.run(["promtool", "check", "metrics"], capture_output=True, text=True,
                              stdin=open(self.dir + "/autonomy.prom"))
        self.assertEqual((lint.returncode, lint.stdout + lint.stderr), (0, ""))
        self.assertIsNotNone(sample(text, "autonomy_interface_health_score", interface="wan"))
        self.assertEqual(sample(text, "autonomy_failover_events_total", **{
            "from": "wan", "to": "sat", "reason_kind": "down"}), 0)
        # Prometheus has the series before the failover (so rate() sees it).
        self.assertTrue(wait_for(lambda: len(prom_query("autonomy_interface_health_score")
                                             .get("data", {}).get("result", [])) == 3, 20))
        lab("impair.sh", "wan", "blackhole")
        self.assertTrue(wait_for(lambda: sample(scrape(), "autonomy_failover_events_total", **{
            "from": "wan", "to": "sat", "reason_kind": "down"}) == 1, 10, step=POLL), scrape())
        text = scrape()
        self.assertEqual(sample(text, "autonomy_interface_state", interface="wan",
                                state="down"), 1)
        self.assertEqual(sample(text, "autonomy_active_interface", interface="sat"), 1)

        def rate_seen():
            res = prom_query("rate(autonomy_failover_events_total[1h])")["data"]["result"]
            return [r for r in res if r["metric"]["from"] == "wan" and
                    float(r["value"][1]) > 0]
        self.assertTrue(wait_for(rate_seen, 15))
        hs = prom_query("autonomy_interface_health_score")["data"]["result"]
        self.assertEqual({r["metric"]["interface"] for r in hs}, {"wan", "sat", "lte"})

        # SNMP: the next walk shows the change.
        walk = wait_for(lambda: (w := snmpwalk()) and member_rows(w).get("wan", {}).get(3) == "3"
                        and w, 10)
        self.assertTrue(walk, snmpwalk())
        self.assertEqual(walk[BASE + ".1.1.0"], "sat")
        self.assertEqual(int(walk[BASE + ".1.2.0"]), 1)
        rows = member_rows(walk)
        self.assertEqual(set(rows), {"wan", "sat", "lte"})
        self.assertEqual((rows["sat"][7], rows["wan"][7]), ("1", "2"))

        # MQTT: the events as they happened, the retained state after them.
        events = wait_for(lambda: [json.loads(l.split(" ", 1)[1]) for l in
                                   open(self.dir + "/sub.log")
                                   if l.startswith(MQTT_TOPIC + "/events ")], 5)
        self.assertTrue(any(e.get("event") == "switch" and e.get("member") == "sat"
                            for e in events), events)
        st = json.loads(self.retained("status"))
        self.assertEqual(st["active_member"], "sat")
        self.assertEqual(json.loads(self.retained("members/wan"))["state"], "down")
        self.assertEqual(self.retained("availability"), "online")

    def test_dashboard_expressions(self):
        dash = json.load(open(os.path.join(ROOT, "contrib", "grafana", "autonomy.json")))
        exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
        titles = [p["title"] for p in dash["panels"]]
        self.assertIn("Interface Health", titles)
        self.assertIn("rate(autonomy_failover_events_total[1h])", exprs)
        self.assertIn("autonomy_interface_health_score", exprs)
        text = wait_for(lambda: (t := scrape()) and "autonomy_starlink_obstruction_ratio" in t
                        and "autonomy_cellular_rsrp_dbm" in t and t, 15, step=POLL)
        known = set(re.findall(r"^# TYPE (\S+)", text, re.M)) | {"autonomy_wifi_signal_dbm",
                                                                  "autonomy_wifi_noise_dbm"}
        for e in exprs:
            for name in re.findall(r"autonomy_[a-z0-9_]+", e):
                self.assertIn(name, known, e)   # only metrics the daemon serves
            r = prom_query(e)
            self.assertEqual(r.get("status"), "success", (e, r))

    def test_mib_translates(self):
        # Debian's main archive has no SNMPv2-SMI/TC/CONF (snmp-mibs-downloader is
        # non-free): three minimal modules of our own stand in for them, defining
        # only what AUTONOMY-MIB imports, so snmptranslate checks our file.
        base = os.path.join(self.tmp, "mibs")
        os.mkdir(base)
        for name, body in (("SNMPv2-SMI", "enterprises OBJECT IDENTIFIER ::= { iso 3 6 1 4 1 }"),
                           ("SNMPv2-TC", 'DisplayString ::= TEXTUAL-CONVENTION DISPLAY-HINT '
                            '"255a" STATUS current DESCRIPTION "text" SYNTAX OCTET STRING '
                            '(SIZE (0..255))'), ("SNMPv2-CONF", "")):
            with open(os.path.join(base, name), "w") as f:
                f.write(f"{name} DEFINITIONS ::= BEGIN\n{body}\nEND\n")
        mibdirs = os.path.join(ROOT, "contrib") + ":" + base
        want = {"autonomyActiveMember": BASE + ".1.1", "autonomyFailoversTotal": BASE + ".1.2",
                "autonomyUptime": BASE + ".1.3", "autonomyMemberCount": BASE + ".1.4",
                "autonomyVersion": BASE + ".1.5", "autonomyMemberName": BASE + ".2.1.2",
                "autonomyMemberState": BASE + ".2.1.3", "autonomyMemberScore": BASE + ".2.1.4",
                "autonomyMemberLatency": BASE + ".2.1.5", "autonomyMemberLoss": BASE + ".2.1.6",
                "autonomyMemberActive": BASE + ".2.1.7", "autonomyMemberDevice": BASE + ".2.1.8"}
        for name, oid in want.items():
            r = subprocess.run(["snmptranslate", "-M", mibdirs, "-m", "AUTONOMY-MIB", "-On",
                                "AUTONOMY-MIB::" + name], capture_output=True, text=True,
                               env=SNMPENV)
            self.assertEqual((r.stdout.strip(), r.stderr), (oid, ""), name)
        walk = wait_for(snmpwalk, 10)
        served = {re.sub(r"\.\d+$", "", o) for o in walk}
        self.assertEqual(served, set(want.values()))

    def test_peers_misbehave(self):
        # snmpd stopped (alive, not answering): the loop does not wait for it.
        self.assertTrue(wait_for(lambda: snmpwalk(), 10))
        self.procs["snmpd"].send_signal(signal.SIGSTOP)
        self.stop("mosquitto", signal.SIGKILL)
        t0 = time.monotonic()
        lab("impair.sh", "wan", "blackhole")
        self.assertTrue(wait_for(lambda: self.member("sat")["active"], 5))
        moved = time.monotonic() - t0
        time.sleep(8)           # a ping of the subagent and a broker retry pass
        self.assertLess(moved, 3)
        self.assertLess(self.lag_max_ms(), 500, self.export())
        self.assertEqual(self.export()["mqtt"]["state"], "waiting")
        self.assertGreater(self.export()["mqtt"]["queued_events"], 0)
        # Both come back; the subagent re-registers, the client reconnects
        # and delivers what happened meanwhile.
        self.procs["snmpd"].send_signal(signal.SIGCONT)
        self.stop("snmpd", signal.SIGKILL)
        self.start_snmpd()
        self.start_broker()
        self.assertTrue(wait_for(lambda: member_rows(snmpwalk()).get("wan", {}).get(3) == "3",
                                 20), self.export())
        self.assertTrue(wait_for(lambda: self.export()["mqtt"]["state"] == "connected", 20),
                        self.export())
        self.assertEqual(self.export()["mqtt"]["queued_events"], 0)
        self.assertEqual(self.retained("availability"), "online")
        self.assertEqual(json.loads(self.retained("members/wan"))["state"], "down")

    def test_mqtt_tls(self):
        # A name (resolved by a child) and the test CA: connected, verified.
        self.d.write_config(conf(self.dir, f"""\toption broker 'localhost'
	option tls '1'
	option ca_file '{self.dir}/ca.crt'
	option topic_prefix '{MQTT_TOPIC}/tls'
"""))
        self.d.ctl("reload", check_rc=0)
        self.assertTrue(wait_for(lambda: self.export()["mqtt"]["state"] == "connected", 15),
                        self.export())
        self.assertEqual(self.export()["mqtt"]["port"], 8883)
        r = ns("mosquitto_sub", "-h", "localhost", "-p", "8883", "--cafile",
               self.dir + "/ca.crt", "-t", MQTT_TOPIC + "/tls/availability", "-C", "1", "-W", "3")
        self.assertEqual(r.stdout.strip(), "online", r.stderr)
        # A CA that did not sign the broker's certificate: refused.
        self.d.write_config(conf(self.dir, f"""\toption broker '127.0.0.1'
	option tls '1'
	option ca_file '{self.dir}/other.crt'
"""))
        self.d.ctl("reload", check_rc=0)
        time.sleep(3)
        mq = self.export()["mqtt"]
        self.assertNotEqual(mq["state"], "connected", mq)
        self.assertEqual(mq["connects"], 0, mq)


if __name__ == "__main__":
    harness.main()

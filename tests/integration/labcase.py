"""The lab for tests of the daemon on real kernel routing: the daemon owns
the router's routes (LAB_RULES=0), one lab per test class, a fresh daemon
per test that has taken wan with every member up before the test starts."""
import os
import subprocess

import harness
from harness import TempDirCase, wait_for

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Lab:
    """A lab instance with a name of its own (tag + pid)."""

    def __init__(self, tag):
        self.prefix = f"{tag}{os.getpid() % 100000}"
        self.env = dict(os.environ, LAB_PREFIX=self.prefix, LAB_RULES="0")
        self.router, self.lan = self.prefix + "-router", self.prefix + "-lan"

    def run(self, *args, check=True):
        """lab/SCRIPT ARGS... (lab.sh, impair.sh, dish.sh) on this lab."""
        return subprocess.run([os.path.join(ROOT, "lab", args[0])] + list(args[1:]),
                              env=self.env, check=check, capture_output=True, text=True)

    def default_dev(self, family="-4"):
        out = subprocess.run(["ip", "-n", self.router, family, "route", "show", "default"],
                             capture_output=True, text=True).stdout.split()
        return out[out.index("dev") + 1] if "dev" in out else None

    def lan_source(self, url="http://198.51.100.1/ip"):
        """The LAN client's address as the internet sees it (NATed per uplink)."""
        r = subprocess.run(["ip", "netns", "exec", self.lan, "curl", "-s", "-g", "-m", "1", url],
                           capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None


class LabCase(TempDirCase):
    LAB = None      # a Lab, set by the subclass
    CONF = None     # the daemon's config text

    @classmethod
    def setUpClass(cls):
        cls.LAB.run("lab.sh", "up")

    @classmethod
    def tearDownClass(cls):
        cls.LAB.run("lab.sh", "down", check=False)

    def setUp(self):
        super().setUp()
        self.d = self.daemon(self.CONF, netns=self.LAB.router).start()
        self.mon = harness.Monitor(self.d)
        self.assertTrue(wait_for(lambda: self.LAB.default_dev() == "wan", 5))
        for m in ("wan", "sat", "lte"):
            self.assertTrue(wait_for(lambda: self.member(m)["state"] == "up", 10), m)

    def tearDown(self):
        self.mon.close()
        for u in ("wan", "sl", "lte"):
            self.LAB.run("impair.sh", u, "restore")
        super().tearDown()

    def member(self, name):
        return {m["name"]: m for m in self.d.ctl("members", json_out=True).data}[name]

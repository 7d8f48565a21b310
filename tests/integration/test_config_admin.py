"""config backup / verify-backup / audit as the operations guide types them,
against a running daemon (whose config they work on), and through the rpcd
plugin. No namespaces needed."""
import json
import os
import stat
import subprocess
import unittest

import harness
from harness import TempDirCase

CONF = """config autonomy 'main'
	option backend 'none'
	option log_level 'info'
	option backup_keep '2'

config autonomy 'email'
	option password 'hunter2-secret'

config member 'uplink'
	option device 'lo'
	list target '192.0.2.1'
"""


class ConfigAdmin(TempDirCase):
    def setUp(self):
        super().setUp()
        self.d = self.daemon(CONF).start()
        os.chmod(self.d.config, 0o600)
        # the guide's commands carry no -s: the socket comes from the environment
        self.env = dict(os.environ, AUTONOMY_SOCKET=self.d.sock)
        self.state = os.path.join(self.tmp, "state")

    def guide(self, line, rc=0):
        r = subprocess.run([harness.AUTONOMYCTL] + line.split()[1:], capture_output=True,
                           text=True, env=self.env, timeout=20)
        self.assertEqual(r.returncode, rc, (line, r.stdout, r.stderr))
        return r.stdout

    def test_backup_diff_verify_audit(self):
        out = self.guide("autonomyctl config backup")
        backup = self.d.config + ".backup"
        self.assertIn(backup, out)
        # the guide's next line
        self.assertEqual(subprocess.run(["diff", self.d.config, backup]).returncode, 0)
        self.assertEqual(stat.S_IMODE(os.stat(backup).st_mode), 0o600)
        copies = sorted(os.listdir(os.path.join(self.state, "backups")))
        self.assertEqual(len(copies), 2, copies)            # a copy and its .meta
        out = self.guide("autonomyctl config verify-backup")
        self.assertIn("checksum ok", out)
        self.assertIn("backup ok", out)

        # the live config moves on: the backup is still good, the change shown
        with open(self.d.config, "a") as f:
            f.write("\nconfig autonomy 'polling'\n\toption min_interval_ms '1200'\n")
        out = self.guide("autonomyctl config verify-backup")
        self.assertIn("added    polling", out)
        out = self.guide("autonomyctl config audit")
        self.assertIn("detection", out)
        self.assertIn("drift_backup", out)
        audit = json.loads(self.guide("autonomyctl --json config audit"))
        self.assertGreaterEqual(audit["counts"]["warning"], 2, audit)  # detection, one target
        self.assertNotIn("hunter2", json.dumps(audit))

        # keep 2: after three more backups, two copies are left
        for _ in range(3):
            self.guide("autonomyctl config backup")
        copies = [c for c in os.listdir(os.path.join(self.state, "backups"))
                  if c.endswith(".conf")]
        self.assertEqual(len(copies), 2, copies)

        # a damaged copy fails verification (exit 1)
        newest = sorted(copies)[-1]
        path = os.path.join(self.state, "backups", newest)
        with open(path, "a") as f:
            f.write("# tampered\n")
        out = self.guide("autonomyctl config verify-backup", rc=1)
        self.assertIn("checksum mismatch", out)

    def test_without_daemon_and_over_ubus(self):
        self.d.stop()
        out = self.guide("autonomyctl -c %s config backup" % self.d.config)
        self.assertIn(self.d.config + ".backup", out)
        self.guide("autonomyctl -c %s config verify-backup" % self.d.config)
        plugin = os.path.join(self.tmp, "autonomy")
        os.symlink(harness.AUTONOMYCTL, plugin)
        self.d.start()

        def rpcd(*argv, stdin="{}"):
            r = subprocess.run([plugin] + list(argv), input=stdin, capture_output=True,
                               text=True, env=self.env, timeout=20)
            return json.loads(r.stdout)

        methods = rpcd("list")
        self.assertEqual(methods["config_backup"], {"to": ""})
        self.assertIn("config_audit", methods)
        self.assertEqual(rpcd("call", "config_audit")["config"], self.d.config)
        self.assertTrue(rpcd("call", "config_verify_backup")["ok"])
        # no file names over ubus: rpcd runs the plugin as root
        r = rpcd("call", "config_backup", stdin='{"to":"/tmp/x"}')
        self.assertEqual(r["error"]["code"], "bad_args")
        r = rpcd("call", "config_verify_backup", stdin='{"file":"/etc/shadow"}')
        self.assertEqual(r["error"]["code"], "bad_args")
        self.assertIn("copy", rpcd("call", "config_backup"))


if __name__ == "__main__":
    harness.main()

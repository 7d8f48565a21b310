#!/usr/bin/python3
"""The real stack for the browser tests: the lab (lab/lab.sh, its own
LAB_PREFIX) with the dish emulator behind `sl`, autonomyd with the netlink
backend in the router namespace, and OpenWrt's ubusd + rpcd (autonomyctl as
its exec plugin, the package's and the LuCI app's ACLs, two logins) +
uhttpd serving /ubus and a document root laid out as a router's /www: the
LuCI app's files (assembled as luci.mk installs them) and the standalone
page from `cmake --install --component web`.

    stack.py BUILD_DIR WORK_DIR

Prints one JSON line when everything answers ({"url": ..., ...}, or
{"skip": reason} when the OpenWrt sources are absent), then keeps it all
running until stdin closes or SIGTERM, and tears it down (also on failure).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
sys.path.insert(0, HERE)
import openwrt_stack  # noqa: E402
import luci_tree  # noqa: E402

USERS = [
    {"username": "admin", "password": "admin-pw", "read": ["autonomy-read"],
     "write": ["autonomy-write"]},
    {"username": "viewer", "password": "viewer-pw", "read": ["autonomy-read"]},
]
ACL = os.path.join(ROOT, "openwrt", "files", "usr", "share", "rpcd", "acl.d", "autonomy.json")
# examples/lab.conf with holds short enough for a test
CONF_EXTRA = "\toption failback_hold '20'\n\toption switch_sustain '30'\n"
# the dish's status every 2 s: the page shows a stow within the test's wait
DISH_CONF = "\nconfig autonomy 'starlink'\n\toption health_check_interval '2'\n"


def log(msg):
    print("stack: " + msg, file=sys.stderr, flush=True)


class Run:
    def __init__(self, build, work):
        self.build, self.work = os.path.abspath(build), os.path.abspath(work)
        self.prefix = "wb%d" % (os.getpid() % 100000)
        self.env = dict(os.environ, LAB_PREFIX=self.prefix, LAB_RULES="0",
                        LAB_RUN=os.path.join(self.work, "lab"))
        self.daemon = self.stack = None
        self.lab_up = False

    def lab(self, *args, check=True):
        r = subprocess.run([os.path.join(ROOT, "lab", args[0])] + list(args[1:]), env=self.env,
                           capture_output=True, text=True, timeout=60)
        if check and r.returncode != 0:
            raise RuntimeError("%s: %s%s" % (" ".join(args), r.stdout[-2000:], r.stderr[-2000:]))
        return r

    def docroot(self):
        """/www as on a router with the LuCI app and the standalone page."""
        www_root = os.path.join(self.work, "pkg")
        luci_tree.assemble(www_root)
        dest = os.path.join(self.work, "install")
        r = subprocess.run(["cmake", "--install", self.build, "--component", "web",
                            "--prefix", "/"], env=dict(os.environ, DESTDIR=dest),
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("cmake --install --component web: " + r.stderr)
        page = os.path.join(dest, "share", "autonomy", "www")
        shutil.copytree(page, os.path.join(www_root, "www", "autonomy"))
        return www_root

    def start(self):
        prefix = openwrt_stack.build(log=log)
        if prefix is None:
            return {"skip": "OpenWrt's sources not found (tests/lib/openwrt_src.sh: "
                            "$AUTONOMY_OPENWRT_SRC or shared/vendor/openwrt beside the "
                            "repository): the real ubus stack cannot be built"}
        pkg = self.docroot()
        t0 = time.monotonic()
        self.lab("lab.sh", "up")
        self.lab_up = True
        self.lab("dish.sh", "start")
        sock = os.path.join(self.work, "run", "autonomy.sock")
        conf = os.path.join(self.work, "autonomy.conf")
        with open(os.path.join(ROOT, "examples", "lab.conf")) as f:
            text = f.read().replace("config autonomy 'main'\n", "config autonomy 'main'\n" +
                                    CONF_EXTRA + "\toption state_dir '%s'\n" %
                                    os.path.join(self.work, "state"), 1) + DISH_CONF
        with open(conf, "w") as f:
            f.write(text)
        os.makedirs(os.path.dirname(sock), exist_ok=True)
        dlog = open(os.path.join(self.work, "daemon.log"), "ab")
        self.daemon = subprocess.Popen(
            ["ip", "netns", "exec", self.prefix + "-router", os.path.join(self.build, "autonomyd"),
             "-f", "-c", conf, "-s", sock, "-p", os.path.join(self.work, "autonomy.pid")],
            stdout=dlog, stderr=dlog)
        self.stack = openwrt_stack.Stack(
            prefix, os.path.join(self.work, "stack"),
            plugins={"autonomy": os.path.join(self.build, "autonomyctl")},
            acl_files=[ACL, os.path.join(pkg, "usr/share/rpcd/acl.d/luci-app-autonomy.json")],
            users=USERS, env={"AUTONOMY_SOCKET": sock}, docroot=os.path.join(pkg, "www"))
        os.makedirs(self.stack.work, exist_ok=True)
        self.wait_daemon(sock)
        self.stack.start()
        log("lab, dish, daemon and stack up in %.1f s" % (time.monotonic() - t0))
        return {"url": "http://127.0.0.1:%d/" % self.stack.port, "port": self.stack.port,
                "lab_prefix": self.prefix, "lab_run": self.env["LAB_RUN"], "socket": sock,
                "config": conf,
                "logs": [os.path.join(self.work, "daemon.log"),
                         os.path.join(self.stack.work, "rpcd.log")],
                "autonomyctl": os.path.join(self.build, "autonomyctl"),
                "users": {u["username"]: u["password"] for u in USERS}}

    def wait_daemon(self, sock):
        """Up when every member has been measured (the page then shows scores)."""
        ctl = os.path.join(self.build, "autonomyctl")
        end = time.monotonic() + 30
        while time.monotonic() < end:
            if self.daemon.poll() is not None:
                raise RuntimeError("autonomyd exited: see daemon.log")
            r = subprocess.run([ctl, "-s", sock, "--json", "members"], capture_output=True,
                               text=True)
            if r.returncode == 0:
                members = json.loads(r.stdout)
                if members and all(m["state"] == "up" for m in members):
                    return
            time.sleep(0.2)
        raise RuntimeError("members not up within 30 s")

    def stop(self):
        if self.stack:
            self.stack.stop()
        if self.daemon and self.daemon.poll() is None:
            self.daemon.terminate()
            try:
                self.daemon.wait(10)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        if self.lab_up:
            self.lab("lab.sh", "down", check=False)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    os.makedirs(sys.argv[2], exist_ok=True)
    run = Run(sys.argv[1], sys.argv[2])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        info = run.start()
        print(json.dumps(info), flush=True)
        if "skip" not in info:
            sys.stdin.read()            # until the test closes our stdin
    except Exception as e:  # noqa: BLE001 - reported to the test as its first line
        print(json.dumps({"error": str(e)}), flush=True)
        return 1
    finally:
        run.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""openwrt_stack: OpenWrt's real ubus stack (ubusd, rpcd, uhttpd, the uci CLI)
for tests, built from OpenWrt's sources (not part of this repository).

    from openwrt_stack import sources, build, Stack
    prefix = build()                      # None when the sources are absent
    with Stack(prefix, workdir, plugins={"autonomy": ".../autonomyctl"},
               acl_files=["openwrt/files/usr/share/rpcd/acl.d/autonomy.json"],
               users=[{"username": "ro", "password": "pw", "read": ["autonomy-read"]}],
               env={"AUTONOMY_SOCKET": sock}, docroot=None) as st:
        st.ubus("call", "autonomy", "status")      # the ubus CLI, as root
        sid = st.login("ro", "pw")                 # rpcd session through uhttpd
        st.rpc(sid, "autonomy", "status", {})      # JSON-RPC POST /ubus

Where the sources are: tests/lib/openwrt_src.sh, the one lookup every test
shares ($AUTONOMY_OPENWRT_SRC, else shared/vendor/openwrt beside the
repository); absent, the tests that need them skip. The stack is built once (~30 s) into a cache:
$AUTONOMY_CACHE/openwrt-host, else build-openwrt/host in the repository
(gitignored); a finished cache is kept.

rpcd finds exec plugins and ACL files in PREFIX/libexec/rpcd and
PREFIX/share/rpcd/acl.d and its login users in /etc/config/rpcd, all fixed
at build time. Each Stack runs rpcd in a private mount namespace (unshare -m)
with those three directories bind-mounted from its own work folder, so
stacks never share plugins, ACLs or users and nothing outside the work
folder changes (/etc/config is created empty on a host that lacks it, as
the mount point). ubusd and uhttpd listen on the work folder's socket and a
free loopback port. Everything started is stopped by pid in stop().
As OpenWrt ships it, an ACL grants the null session ("unauthenticated")
session login/access, so logins work.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NULL_SESSION = "0" * 32

# OpenWrt's own rpcd ACL for logging in (what the rpcd package installs as
# unauthenticated.json): without it nobody can log in.
LOGIN_ACL = {"unauthenticated": {
    "description": "Access controls for unauthenticated requests",
    "read": {"ubus": {"session": ["access", "login"]}}}}


def sources():
    """The folder with build.sh and the tarballs, or None when there is none.
    A wrong $AUTONOMY_OPENWRT_SRC is an error, not a skip: it raises."""
    r = subprocess.run([os.path.join(REPO, "tests", "lib", "openwrt_src.sh")],
                       capture_output=True, text=True)
    if r.returncode == 77:
        return None
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip())
    return r.stdout.strip()


def cache_prefix():
    base = os.environ.get("AUTONOMY_CACHE")
    return os.path.join(base, "openwrt-host") if base else \
        os.path.join(REPO, "build-openwrt", "host")


def build(log=print):
    """Builds (once) and returns the prefix, or None without sources."""
    src = sources()
    if not src:
        return None
    prefix = cache_prefix()
    if not os.path.exists(os.path.join(prefix, ".built")):
        t0 = time.monotonic()
        r = subprocess.run(["bash", os.path.join(src, "build.sh"), prefix],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("building the OpenWrt stack failed:\n" + r.stdout[-3000:]
                               + r.stderr[-3000:])
        log(f"openwrt stack built into {prefix} in {time.monotonic() - t0:.0f} s")
    return prefix


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def md5crypt(password):
    """A $1$ hash for /etc/config/rpcd (rpcd checks it with crypt(3))."""
    return subprocess.run(["openssl", "passwd", "-1", password], check=True,
                          capture_output=True, text=True).stdout.strip()


class Stack:
    def __init__(self, prefix, workdir, plugins=None, acl_files=(), users=(), env=None,
                 uhttpd=True, docroot=None):
        self.prefix, self.work = prefix, workdir
        self.plugins, self.acl_files, self.users = plugins or {}, list(acl_files), list(users)
        self.env_extra = dict(env or {})
        self.want_uhttpd = uhttpd
        # what uhttpd serves besides /ubus (a page, LuCI's static files)
        self.docroot = docroot or os.path.join(workdir, "www")
        self.sock = os.path.join(workdir, "ubus.sock")
        self.acl_dir = os.path.join(workdir, "acl.d")
        self.plugin_dir = os.path.join(workdir, "plugins")
        self.config_dir = os.path.join(workdir, "etc-config")
        self.procs = {}
        self.port = None

    # -- environment ----------------------------------------------------------
    def env(self):
        e = dict(os.environ)
        e["LD_LIBRARY_PATH"] = os.path.join(self.prefix, "lib")
        e.update(self.env_extra)
        return e

    def bin(self, name):
        for d in ("bin", "sbin"):
            p = os.path.join(self.prefix, d, name)
            if os.path.exists(p):
                return p
        raise FileNotFoundError(name)

    def _layout(self):
        for d in (self.acl_dir, self.plugin_dir, self.config_dir):
            os.makedirs(d, exist_ok=True)
        with open(os.path.join(self.acl_dir, "unauthenticated.json"), "w") as f:
            json.dump(LOGIN_ACL, f)
        for path in self.acl_files:
            shutil.copy(path, self.acl_dir)
        for name, target in self.plugins.items():
            link = os.path.join(self.plugin_dir, name)
            if os.path.lexists(link):
                os.unlink(link)
            os.symlink(os.path.abspath(target), link)
        self.write_users()
        # bind-mount targets inside the prefix and on the host
        os.makedirs(os.path.join(self.prefix, "libexec", "rpcd"), exist_ok=True)
        os.makedirs(os.path.join(self.prefix, "share", "rpcd", "acl.d"), exist_ok=True)
        os.makedirs("/etc/config", exist_ok=True)

    def write_users(self):
        lines = ["config rpcd\n\toption socket '%s'\n\toption timeout '30'\n" % self.sock]
        for u in self.users:
            lines.append("config login\n\toption username '%s'\n\toption password '%s'\n"
                         % (u["username"], md5crypt(u["password"])))
            for perm in ("read", "write"):
                for grp in u.get(perm, ()):
                    lines.append("\tlist %s '%s'\n" % (perm, grp))
        with open(os.path.join(self.config_dir, "rpcd"), "w") as f:
            f.write("\n".join(lines))

    # -- processes ------------------------------------------------------------
    def _spawn(self, name, argv):
        log = open(os.path.join(self.work, name + ".log"), "ab")
        self.procs[name] = subprocess.Popen(argv, stdout=log, stderr=log, env=self.env(),
                                            start_new_session=True)

    def _wait(self, pred, what, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if pred():
                return
            for n, p in self.procs.items():
                if p.poll() is not None:
                    raise RuntimeError(f"{n} exited: {self.log(n)[-2000:]}")
            time.sleep(0.05)
        raise RuntimeError(f"{what} not ready in {timeout} s")

    def log(self, name):
        try:
            with open(os.path.join(self.work, name + ".log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def start(self):
        self._layout()
        self._spawn("ubusd", [self.bin("ubusd"), "-s", self.sock])
        self._wait(lambda: os.path.exists(self.sock), "ubusd")
        mounts = " && ".join(
            "mount --bind %s %s" % (a, b) for a, b in (
                (self.config_dir, "/etc/config"),
                (self.acl_dir, os.path.join(self.prefix, "share", "rpcd", "acl.d")),
                (self.plugin_dir, os.path.join(self.prefix, "libexec", "rpcd"))))
        self._spawn("rpcd", ["unshare", "-m", "--propagation", "private", "sh", "-c",
                             mounts + ' && exec "$0" -s "$1"', self.bin("rpcd"), self.sock])
        self._wait(lambda: self.ubus_ok("list", "session"), "rpcd")
        for name in self.plugins:
            self._wait(lambda: self.ubus_ok("list", name), f"rpcd plugin {name}")
        if self.want_uhttpd:
            self.port = free_port()
            os.makedirs(self.docroot, exist_ok=True)
            self._spawn("uhttpd", [self.bin("uhttpd"), "-f", "-p", "127.0.0.1:%d" % self.port,
                                   "-h", self.docroot, "-u", "/ubus", "-U", self.sock])
            self._wait(self.http_ok, "uhttpd")
        return self

    def reload_rpcd(self, signalled=False):
        """SIGHUP: rpcd re-executes itself (new ACLs, plugins, users). With
        signalled=True someone else sent it (a script given rpcd_pid()): only
        wait. A second SIGHUP during the re-exec would kill rpcd."""
        if not signalled:
            self.procs["rpcd"].send_signal(signal.SIGHUP)
        time.sleep(0.3)
        self._wait(lambda: self.ubus_ok("list", "session"), "rpcd after SIGHUP")
        for name in self.plugins:
            self._wait(lambda: self.ubus_ok("list", name), f"rpcd plugin {name}")

    def rpcd_pid(self):
        return self.procs["rpcd"].pid

    def stop(self):
        for name in ("uhttpd", "rpcd", "ubusd"):
            p = self.procs.pop(name, None)
            if p and p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()

    def __enter__(self):
        try:
            return self.start()
        except Exception:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()

    # -- clients --------------------------------------------------------------
    def ubus(self, *args, timeout=20):
        """The ubus CLI (as root: ubusd grants it everything)."""
        return subprocess.run([self.bin("ubus"), "-s", self.sock] + list(args), env=self.env(),
                              capture_output=True, text=True, timeout=timeout)

    def ubus_ok(self, *args):
        return self.ubus(*args).returncode == 0

    def uci(self, *args, confdir):
        return subprocess.run([self.bin("uci"), "-c", confdir] + list(args), env=self.env(),
                              capture_output=True, text=True, timeout=10)

    def http_ok(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), 0.2).close()
            return True
        except OSError:
            return False

    def post(self, body, timeout=20):
        """POST /ubus with a raw body; returns the decoded JSON reply."""
        req = urllib.request.Request("http://127.0.0.1:%d/ubus" % self.port,
                                     data=body.encode() if isinstance(body, str) else body,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as e:
            return json.loads(e.read() or b"null")

    def rpc(self, sid, obj, method, args=None, rid=1):
        """A JSON-RPC 'call' as LuCI sends it; the reply's result or error."""
        return self.post(json.dumps({"jsonrpc": "2.0", "id": rid, "method": "call",
                                     "params": [sid, obj, method, args or {}]}))

    def login(self, username, password):
        r = self.rpc(NULL_SESSION, "session", "login",
                     {"username": username, "password": password})
        res = r.get("result")
        if not res or res[0] != 0:
            raise AssertionError(f"login of {username} failed: {r}")
        return res[1]["ubus_rpc_session"]

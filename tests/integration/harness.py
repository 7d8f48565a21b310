"""Shared helpers for integration tests: temp dirs, daemon processes,
network namespaces, and a unittest runner that ends with 'N passed, N failed'."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "../../build")
AUTONOMYD = os.path.join(BUILD, "autonomyd")
AUTONOMYCTL = os.path.join(BUILD, "autonomyctl")


def wait_for(pred, timeout=5.0, step=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def sh(*argv, check=True):
    return subprocess.run(argv, check=check, capture_output=True, text=True)


class Netns:
    """A namespace pair joined by a veth: the daemon's side sees dev `dev`,
    the peer side `peer` can cut its carrier."""

    def __init__(self, tag):
        self.ns = f"ait{os.getpid()}{tag}"
        self.peer_ns = self.ns + "p"
        self.dev, self.peer = "up0", "pe0"

    def __enter__(self):
        sh("ip", "netns", "add", self.ns)
        sh("ip", "netns", "add", self.peer_ns)
        sh("ip", "link", "add", self.dev, "netns", self.ns, "type", "veth",
           "peer", "name", self.peer, "netns", self.peer_ns)
        sh("ip", "-n", self.ns, "link", "set", "lo", "up")
        sh("ip", "-n", self.ns, "addr", "add", "10.77.0.2/30", "dev", self.dev)
        sh("ip", "-n", self.ns, "link", "set", self.dev, "up")
        sh("ip", "-n", self.peer_ns, "link", "set", self.peer, "up")
        return self

    def set_peer(self, up):
        sh("ip", "-n", self.peer_ns, "link", "set", self.peer, "up" if up else "down")

    def __exit__(self, *exc):
        del_netns(self.ns, self.peer_ns)


def del_netns(*names):
    """Kills what runs in the namespaces `names`, then deletes them."""
    for ns in names:
        for pid in sh("ip", "netns", "pids", ns, check=False).stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
        sh("ip", "netns", "del", ns, check=False)


class Daemon:
    """autonomyd in the foreground (-f) with its own socket and pid file."""

    def __init__(self, tmp, config_text, netns=None, extra=()):
        self.tmp = tmp
        self.config = os.path.join(tmp, "autonomy.conf")
        self.sock = os.path.join(tmp, "run", "autonomy.sock")
        self.pidfile = os.path.join(tmp, "autonomy.pid")
        self.log = os.path.join(tmp, "daemon.log")
        self.netns = netns
        self.extra = list(extra)
        self.proc = None
        self.write_config(config_text)

    def write_config(self, text):
        # Each daemon keeps its state (data usage, learnt places) in its own
        # directory, unless the test says where.
        if "state_dir" not in text:
            opt = "\toption state_dir '%s'\n" % os.path.join(self.tmp, "state")
            head = "config autonomy 'main'\n"
            text = text.replace(head, head + opt, 1) if head in text else \
                text + "\n" + head + opt
        with open(self.config + ".new", "w") as f:
            f.write(text)
        os.replace(self.config + ".new", self.config)

    def argv(self):
        a = [AUTONOMYD, "-f", "-c", self.config, "-s", self.sock, "-p", self.pidfile]
        a += self.extra
        if self.netns:
            a = ["ip", "netns", "exec", self.netns] + a
        return a

    def start(self, wait=True):
        self.logf = open(self.log, "ab")
        self.proc = subprocess.Popen(self.argv(), stdout=self.logf, stderr=self.logf)
        if wait and not wait_for(lambda: self.answers() or self.proc.poll() is not None):
            raise AssertionError("daemon did not come up: " + self.read_log())
        if wait and self.proc.poll() is not None:
            raise AssertionError("daemon exited: " + self.read_log())
        return self

    def answers(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(self.sock)
            return True
        except OSError:
            return False
        finally:
            s.close()

    def read_log(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            stack = subprocess.run(["gdb", "-p", str(self.proc.pid), "-batch", "-ex", "bt"],
                                   capture_output=True, text=True).stdout
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("daemon did not exit on signal; stack:\n" + stack[-3000:]
                                 + "\nlog:\n" + self.read_log()[-3000:])

    def ctl(self, *args, json_out=False, input=None, check_rc=None):
        argv = [AUTONOMYCTL, "-s", self.sock] + (["--json"] if json_out else []) + list(args)
        r = subprocess.run(argv, capture_output=True, text=True, input=input, timeout=20)
        if check_rc is not None and r.returncode != check_rc:
            raise AssertionError(f"{argv}: rc {r.returncode} != {check_rc}\n"
                                 f"stdout: {r.stdout}\nstderr: {r.stderr}")
        if json_out and r.stdout:
            r.data = json.loads(r.stdout)
        return r

    def request(self, raw, conn=None):
        """Sends raw bytes on a fresh (or given) connection, returns replies."""
        s = conn or socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if conn is None:
            s.connect(self.sock)
        s.sendall(raw)
        return s


def read_lines(s, n, timeout=5.0):
    s.settimeout(timeout)
    buf = b""
    while buf.count(b"\n") < n:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return [json.loads(l) for l in buf.split(b"\n") if l.strip()]


class Monitor:
    """Follows `monitor --continuous` of a daemon in a thread: every event with
    its arrival time, for asserting what happened and when."""

    def __init__(self, daemon):
        import threading
        self.events, self.stop = [], threading.Event()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(daemon.sock)
        self.sock.sendall(b'{"cmd":"monitor","args":{"continuous":true}}\n')
        self.sock.settimeout(0.2)
        self.th = threading.Thread(target=self.follow, daemon=True)
        self.th.start()
        wait_for(lambda: self.events, 3)

    def follow(self):
        buf = b""
        while not self.stop.is_set():
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                self.events.append((time.time(), json.loads(line)))

    def mark(self):
        return len(self.events)

    def wait(self, pred, timeout, since=0):
        """The first event after index `since` matching pred, or None."""
        end = time.time() + timeout
        while time.time() < end:
            for _, e in self.events[since:]:
                if pred(e):
                    return e
            time.sleep(0.01)
        return None

    def matching(self, pred, since=0):
        return [e for _, e in self.events[since:] if pred(e)]

    def close(self):
        self.stop.set()
        self.th.join()
        self.sock.close()


class TempDirCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="autonomy-it-")
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            try:
                d.stop(signal.SIGKILL if d.proc and d.proc.poll() is None else signal.SIGTERM)
            except AssertionError:
                pass
            if d.proc:
                log = d.read_log()
                if "ERROR: AddressSanitizer" in log or "runtime error:" in log:
                    self.fail("sanitizer report in daemon log:\n" + log)
        if not os.environ.get("KEEP_TMP"):
            shutil.rmtree(self.tmp, ignore_errors=True)

    def daemon(self, config_text, **kw):
        d = Daemon(self.tmp, config_text, **kw)
        self.daemons.append(d)
        return d


def main():
    sys.argv[1:] = []
    mod = sys.modules["__main__"]
    only = os.environ.get("TESTS")     # e.g. TESTS=Routing.test_x,Running.test_y
    loader = unittest.defaultTestLoader
    suite = (loader.loadTestsFromNames(only.split(","), mod) if only
             else loader.loadTestsFromModule(mod))
    res = unittest.TextTestRunner(verbosity=2).run(suite)
    bad = len(res.failures) + len(res.errors)
    print(f"{res.testsRun - bad} passed, {bad} failed")
    sys.exit(0 if bad == 0 else 1)

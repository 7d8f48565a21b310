"""The emulated dish's TCP front: accepts connections on HOST:PORT and relays
their bytes to the gRPC server behind it (a Unix socket), two threads per
connection. It is where the transport-level misbehaviour lives, which a gRPC
handler cannot produce:

  hang   bytes are read but held: nothing reaches the server, nothing comes
         back (not even HTTP/2 SETTINGS on a new connection) until the mode
         ends; then the held bytes flow on, in order
  reset  the next bytes from a client abort its connection with a TCP RST
         (SO_LINGER 0): a call in flight ends with "connection reset"

It also counts TCP payload bytes both ways, and with a dump directory writes
each connection's bytes to conn-N.c2s / conn-N.s2c (fuzz seeds, debugging).
"""
import os
import socket
import struct
import threading


class Relay:
    def __init__(self, state, host, port, inner_path, dump_dir=None):
        self.state = state
        self.dump_dir = dump_dir
        self.inner = inner_path
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.lsock = socket.socket(fam, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind((host, port))
        self.lsock.listen(16)
        self.port = self.lsock.getsockname()[1]
        self.lock = threading.Lock()
        self.conns = set()
        self.bytes_in = 0               # from clients
        self.bytes_out = 0              # to clients
        self.accepted = 0
        self.resets = 0
        self.stopping = False

    def start(self):
        threading.Thread(target=self._accept_loop, daemon=True).start()

    def stop(self):
        self.stopping = True
        try:
            self.lsock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.lsock.close()
        with self.lock:
            conns = list(self.conns)
        for c in conns:
            c.close()

    def counters(self):
        with self.lock:
            return {"bytes_in": self.bytes_in, "bytes_out": self.bytes_out,
                    "connections": self.accepted, "open": len(self.conns),
                    "resets": self.resets}

    def _accept_loop(self):
        while not self.stopping:
            try:
                cs, _ = self.lsock.accept()
            except OSError:
                return
            cs.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            ss = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                ss.connect(self.inner)
            except OSError:
                cs.close()
                ss.close()
                continue
            with self.lock:
                self.accepted += 1
                n = self.accepted
            c = _Conn(self, cs, ss, n)
            with self.lock:
                self.conns.add(c)
            c.start()

    def _count(self, n, to_client):
        with self.lock:
            if to_client:
                self.bytes_out += n
            else:
                self.bytes_in += n


class _Conn:
    def __init__(self, relay, cs, ss, n):
        self.relay = relay
        self.dumps = {}
        if relay.dump_dir:
            for d in ("c2s", "s2c"):
                self.dumps[d] = open(os.path.join(relay.dump_dir, "conn-%d.%s" % (n, d)), "wb",
                                     buffering=0)
        self.cs = cs
        self.ss = ss
        self.closed = False
        self.lock = threading.Lock()

    def start(self):
        threading.Thread(target=self._pump, args=(self.cs, self.ss, False), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.ss, self.cs, True), daemon=True).start()

    def _hold_while_hanging(self):
        st = self.relay.state
        with st.mode_changed:
            while st.modes.get("hang") is not None and not self.closed:
                st.mode_changed.wait(0.5)

    def _pump(self, src, dst, to_client):
        st = self.relay.state
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            if not to_client:
                self.relay._count(len(data), False)
                if st.mode("reset") is not None:
                    self.reset()
                    return
            self._hold_while_hanging()
            if self.closed:
                break
            try:
                dst.sendall(data)
            except OSError:
                break
            if to_client:
                self.relay._count(len(data), True)
            f = self.dumps.get("s2c" if to_client else "c2s")
            if f:
                try:
                    f.write(data)
                except ValueError:      # closed by the other pump
                    pass
        self.close()

    def reset(self):
        with self.lock:
            if self.closed:
                return
            self.closed = True
        self.cs.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.cs.close()         # linger 0: the kernel answers with RST
        self._close_inner()
        self._close_dumps()
        with self.relay.lock:
            self.relay.resets += 1
            self.relay.conns.discard(self)

    def _close_dumps(self):
        for f in self.dumps.values():
            f.close()

    def _close_inner(self):
        try:
            self.ss.shutdown(socket.SHUT_RDWR)      # wakes the other pump
        except OSError:
            pass
        self.ss.close()

    def close(self):
        with self.lock:
            if self.closed:
                return
            self.closed = True
        for s in (self.cs, self.ss):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self._close_dumps()
        with self.relay.lock:
            self.relay.conns.discard(self)
        st = self.relay.state
        with st.mode_changed:
            st.mode_changed.notify_all()

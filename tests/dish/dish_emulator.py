#!/usr/bin/python3
"""A Starlink dish emulator: a real gRPC server (Debian's python3-grpcio and
python3-protobuf) speaking SpaceX.API.Device.Device/Handle as the dish does,
from the project's own src/starlink/proto/dish.proto (compiled with protoc into a
temporary directory at start; nothing generated is kept).

    dish_emulator.py [--host 192.168.100.1] [--port 9200] [--scenario FILE]
                     [--control PATH] [--boot-s 20] [--stow-delay-s 2]
                     [--data DIR] [--proto FILE] [--dump DIR] [--check]

Prints "listening HOST:PORT" on stdout when it serves; SIGTERM/SIGINT stop it
cleanly. See tests/dish/README.md for the scenario format, the modes and the
control socket.
"""
import argparse
import json
import os
import signal
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from concurrent import futures

import grpc

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from dish_state import CALLS, DishState, code_of  # noqa: E402
from dish_relay import Relay  # noqa: E402

SERVICE = "SpaceX.API.Device.Device"
DENIED = "Failed to get location: Disabled due to policy"  # as the dish says it


def compile_proto(proto, tmp):
    subprocess.run(["protoc", "-I", os.path.dirname(proto), "--python_out", tmp, proto],
                   check=True)
    sys.path.insert(0, tmp)
    import dish_pb2
    return dish_pb2


# ---- unknown fields (what newer firmware sends on top of our .proto) ----------

def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(num, wt, payload):
    tag = _varint(num << 3 | wt)
    if wt == 2:
        return tag + _varint(len(payload)) + payload
    return tag + payload


# field numbers no version of our .proto uses, one of each wire type, and a
# nested message inside a length-delimited one
UNKNOWN_TOP = (_field(50, 0, _varint(1234567)) + _field(51, 5, b"\x00\x00\x80\x3f") +
               _field(4000, 2, _field(1, 2, b"new-firmware") + _field(2, 0, _varint(7))))
UNKNOWN_INNER = (_field(1099, 0, _varint(42)) + _field(3001, 1, b"\x00" * 8) +
                 _field(3002, 2, _field(1, 5, b"\x00\x00\x20\x41") + _field(9, 2, b"x" * 40)))

# Response oneof field numbers (they differ from the request's)
RESPONSE_FIELD = {"get_status": 2004, "get_history": 2006, "get_device_info": 1004,
                  "get_location": 1017, "get_diagnostics": 6001, "reboot": 1001,
                  "dish_stow": 2002}
RESPONSE_ATTR = {"get_status": "dish_get_status", "get_history": "dish_get_history",
                 "get_device_info": "get_device_info", "get_location": "get_location",
                 "get_diagnostics": "dish_get_diagnostics", "reboot": "reboot",
                 "dish_stow": "dish_stow"}


class Dish:
    def __init__(self, pb, state):
        self.pb = pb
        self.state = state

    def body(self, kind, req):
        st = self.state
        if kind == "get_status":
            return st.status_msg()
        if kind == "get_history":
            return st.history_msg()
        if kind == "get_device_info":
            return st.device_info_msg()
        if kind == "get_location":
            return st.location_msg()
        if kind == "get_diagnostics":
            return st.diagnostics_msg()
        if kind == "reboot":
            # the real dish answers, then goes down: do the same
            threading.Timer(0.2, st.reboot).start()
            return self.pb.RebootResponse()
        if kind == "dish_stow":
            st.stow(req.dish_stow.unstow)
            return self.pb.DishStowResponse()
        raise KeyError(kind)

    def handle(self, raw, ctx):
        st = self.state
        req = self.pb.Request.FromString(raw)
        kind = req.WhichOneof("request")
        st.count(kind or "unknown")
        slow = st.mode("slow")
        if slow:
            time.sleep(int(slow) / 1000.0)
        with st.mode_changed:
            while st.modes.get("stall") is not None and ctx.is_active():
                st.mode_changed.wait(0.2)
        err = st.mode("error")
        if err is not None:
            w = err.split(None, 1)
            ctx.abort(code_of(w[0]), w[1] if len(w) > 1 else "")
        if kind is None or kind not in CALLS:
            ctx.abort(grpc.StatusCode.UNIMPLEMENTED, "Unimplemented request")
        if kind in (st.mode("unimplemented") or "").split():
            ctx.abort(grpc.StatusCode.UNIMPLEMENTED, "Unimplemented: %s" % kind)
        if kind == "get_location" and st.mode("deny_location") is not None:
            ctx.abort(grpc.StatusCode.PERMISSION_DENIED, DENIED)
        inner = self.body(kind, req).SerializeToString()
        top = self.pb.Response(id=req.id, api_version=st.api_version).SerializeToString()
        if st.mode("unknown_fields") is not None:
            inner += UNKNOWN_INNER
            top += UNKNOWN_TOP
        return top + _field(RESPONSE_FIELD[kind], 2, inner)


# ---- control socket ------------------------------------------------------------

class Control(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def control_handler(emu):
    class H(socketserver.StreamRequestHandler):
        def handle(self):
            for line in self.rfile:
                line = line.strip()
                if not line:
                    continue
                try:
                    reply = emu.command(json.loads(line))
                except (ValueError, TypeError, KeyError) as e:
                    reply = {"ok": False, "error": str(e)}
                self.wfile.write((json.dumps(reply) + "\n").encode())
                self.wfile.flush()
    return H


class Emulator:
    def __init__(self, args, pb):
        self.args = args
        self.pb = pb
        self.state = DishState(pb, args.data, args.boot_s, args.stow_delay_s)
        self.dish = Dish(pb, self.state)
        self.stop = threading.Event()
        self.t0 = time.monotonic()

    def command(self, req):
        if not isinstance(req, dict):
            raise ValueError("a command is a JSON object")
        cmd = req.get("cmd")
        st = self.state
        if cmd == "patch":
            st.patch(req.get("status"), req.get("location"), req.get("device_info"),
                     req.get("diagnostics"))
            return {"ok": True}
        if cmd == "mode":
            st.set_mode(str(req.get("mode", "")), bool(req.get("off", False)))
            return {"ok": True, "modes": st.modes}
        if cmd == "state":
            return {"ok": True, **st.snapshot()}
        if cmd == "counters":
            with st.lock:
                calls = dict(st.calls)
            return {"ok": True, "calls": calls, **self.relay.counters(),
                    "uptime_s": st.uptime()}
        if cmd == "reboot":
            st.reboot()
            return {"ok": True}
        if cmd in ("stow", "unstow"):
            st.stow(cmd == "unstow")
            return {"ok": True}
        raise ValueError("unknown cmd %r (patch, mode, state, counters, reboot, stow, unstow)"
                         % cmd)

    def apply_step(self, step):
        st = self.state
        st.patch(step.get("status"), step.get("location"), step.get("device_info"),
                 step.get("diagnostics"))
        modes = step.get("mode")
        for m in ([modes] if isinstance(modes, str) else modes or []):
            st.set_mode(m)
        if step.get("reboot"):
            st.reboot()
        if "stow" in step:
            st.stow(not step["stow"])

    def play(self, steps):
        for step in steps:
            at = self.t0 + float(step.get("t", 0))
            if self.stop.wait(max(0.0, at - time.monotonic())):
                return
            try:
                self.apply_step(step)
                print(json.dumps({"t": step.get("t", 0), "applied": True,
                                  "note": step.get("note", "")}), flush=True)
            except ValueError as e:
                print(json.dumps({"t": step.get("t", 0), "line": step["_line"], "applied": False,
                                  "error": str(e)}), flush=True)

    def ticker(self):
        n = 0
        while not self.stop.wait(max(0.0, self.t0 + n + 1 - time.monotonic())):
            n += 1
            self.state.tick()

    def serve(self, tmp):
        inner = os.path.join(tmp, "grpc.sock")
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, {
            "Handle": grpc.unary_unary_rpc_method_handler(self.dish.handle)}),))
        server.add_insecure_port("unix:" + inner)
        server.start()
        self.relay = Relay(self.state, self.args.host, self.args.port, inner, self.args.dump)
        ctl = None
        if self.args.control:
            if os.path.exists(self.args.control):
                os.unlink(self.args.control)
            ctl = Control(self.args.control, control_handler(self))
            threading.Thread(target=ctl.serve_forever, daemon=True).start()
        self.relay.start()
        threading.Thread(target=self.ticker, daemon=True).start()
        if self.args.steps:
            threading.Thread(target=self.play, args=(self.args.steps,), daemon=True).start()
        print("listening %s:%d" % (self.args.host, self.relay.port), flush=True)
        self.stop.wait()
        self.relay.stop()
        server.stop(0).wait(2)
        if ctl:
            ctl.shutdown()
            ctl.server_close()
            try:
                os.unlink(self.args.control)
            except OSError:
                pass


STEP_KEYS = {"t", "status", "location", "device_info", "diagnostics", "mode", "reboot",
             "stow", "note"}


def load_scenario(path):
    steps, last = [], 0.0
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                step = json.loads(line)
            except ValueError as e:
                sys.exit("%s:%d: %s" % (path, no, e))
            if not isinstance(step, dict) or float(step.get("t", 0)) < last:
                sys.exit("%s:%d: a step is an object whose t does not decrease" % (path, no))
            bad = set(step) - STEP_KEYS
            if bad:
                sys.exit("%s:%d: unknown key(s) %s (%s)" % (path, no, ", ".join(sorted(bad)),
                                                           ", ".join(sorted(STEP_KEYS))))
            step["_line"] = no
            last = float(step.get("t", 0))
            steps.append(step)
    return steps


def main():
    ap = argparse.ArgumentParser(description="Starlink dish gRPC emulator")
    ap.add_argument("--host", default="192.168.100.1")
    ap.add_argument("--port", type=int, default=9200)
    ap.add_argument("--scenario", help="JSON Lines timed script")
    ap.add_argument("--control", help="Unix socket for JSON-line commands")
    ap.add_argument("--boot-s", type=float, default=20.0, help="BOOTING outage after reboot")
    ap.add_argument("--stow-delay-s", type=float, default=2.0)
    ap.add_argument("--data", default=os.path.join(ROOT, "tests", "data", "starlink"))
    ap.add_argument("--proto", default=os.path.join(ROOT, "src", "starlink", "proto", "dish.proto"))
    ap.add_argument("--dump", help="write each connection's bytes into this directory")
    ap.add_argument("--check", action="store_true",
                    help="validate the scenario (every patch applies) and exit")
    args = ap.parse_args()
    args.steps = load_scenario(args.scenario) if args.scenario else []
    with tempfile.TemporaryDirectory(prefix="dish-emu.") as tmp:
        pb = compile_proto(os.path.abspath(args.proto), tmp)
        emu = Emulator(args, pb)
        if args.check:
            for s in args.steps:
                try:
                    emu.apply_step(s)
                except ValueError as e:
                    sys.exit("%s:%d: %s" % (args.scenario, s["_line"], e))
            print("ok: %d steps" % len(args.steps))
            return
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: emu.stop.set())
        emu.serve(tmp)


if __name__ == "__main__":
    main()

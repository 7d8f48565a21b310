"""The emulated dish's state: what get_status, get_history, get_device_info,
get_location and get_diagnostics answer, and how reboot and stow change it.

The base state is loaded from real captures in tests/data/starlink/ and
changed at run time by RFC 7386 merge patches (scenario lines, control
socket). Everything is kept as proto-field-named (snake_case) dicts and turned
into messages when a call is answered, so a patch can touch any field the
.proto knows. Thread-safe: one lock around everything.
"""
import copy
import json
import os
import re
import threading
import time

import grpc
from google.protobuf import json_format

# GPS epoch (1980-01-06) in Unix seconds, and GPS time's lead over UTC.
GPS_EPOCH_UNIX = 315964800
GPS_LEAP_S = 18

# The location captures were masked by their posters ("lat": xxx); these
# stated values stand in for the masked numbers (a point in Maine, where the
# nuwins status capture was made).
MASKED_LAT = 44.9
MASKED_LON = -68.7
MASKED_ALT = 30.0

# How many outages the history keeps (the capture holds 683).
OUTAGES_MAX = 1000


def gps_ns_now():
    return int((time.time() - GPS_EPOCH_UNIX + GPS_LEAP_S) * 1e9)


def merge_patch(target, patch):
    """RFC 7386: objects merge recursively, null removes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    for k, v in patch.items():
        if v is None:
            target.pop(k, None)
        else:
            target[k] = merge_patch(target.get(k), v)
    return target


def unmask(text):
    """Masked capture text -> JSON: the poster's xxx placeholders become numbers."""
    subs = {"lat": MASKED_LAT, "lon": MASKED_LON, "latitude": MASKED_LAT,
            "longitude": MASKED_LON, "altitudeMeters": MASKED_ALT}

    def rep(m):
        return '"%s": %r' % (m.group(1), subs.get(m.group(1), 0.0))
    return re.sub(r'"(\w+)":\s*x+\b', rep, text)


def load_capture(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return json.loads(unmask(text))


def to_dict(msg):
    return json_format.MessageToDict(msg, preserving_proto_field_name=True)


class DishState:
    def __init__(self, pb, data_dir, boot_s=20.0, stow_delay_s=2.0):
        self.pb = pb
        self.lock = threading.RLock()
        self.boot_s = boot_s
        self.stow_delay_s = stow_delay_s
        self._load(data_dir)
        self.modes = {}                 # name -> argument ("" when none)
        self.mode_changed = threading.Condition(self.lock)
        self.calls = {}
        self.booted_mono = time.monotonic()
        self.boot_until = 0.0           # monotonic end of a reboot's BOOTING outage
        self.stowed_since = None        # monotonic time of the stow request
        self.cur_outage = None          # the outage in progress {cause, start_timestamp_ns}

    # ---- loading -----------------------------------------------------------
    def _load(self, d):
        pb = self.pb
        st = load_capture(os.path.join(d, "get_status.rev4_prod1.2024-06.nuwins.emit-defaults.json"))
        m = json_format.ParseDict(st["dishGetStatus"], pb.DishGetStatusResponse(),
                                  ignore_unknown_fields=True)
        self.status = to_dict(m)
        self.api_version = int(st.get("apiVersion", 17))
        self.base_uptime = int(self.status.get("device_state", {}).get("uptime_s", 0))
        self.status.pop("outage", None)

        di = load_capture(os.path.join(d, "get_device_info.rev3_proto2.2023-07.idp.json"))
        # get_device_info and get_status must describe one dish: the status
        # capture's device_info wins over the (other dish's) device_info capture
        info = merge_patch(di["getDeviceInfo"]["deviceInfo"], st["dishGetStatus"]["deviceInfo"])
        self.device_info = to_dict(json_format.ParseDict(info, pb.DeviceInfo(),
                                                         ignore_unknown_fields=True))
        self.status.pop("device_info", None)

        loc = load_capture(os.path.join(d, "get_location.2025-06.lat-lon-masked-by-poster.txt"))
        self.location = to_dict(json_format.ParseDict(loc["getLocation"], pb.GetLocationResponse(),
                                                      ignore_unknown_fields=True))

        dg = load_capture(os.path.join(d, "get_diagnostics.2024-12.masked-by-poster.txt"))
        self.diagnostics = to_dict(json_format.ParseDict(
            dg["dishGetDiagnostics"], pb.DishGetDiagnosticsResponse(), ignore_unknown_fields=True))

        h = load_capture(os.path.join(d, "get_history.rev4_prod1.2024-06.nuwins.emit-defaults.json"))
        hm = json_format.ParseDict(h["dishGetHistory"], pb.DishGetHistoryResponse(),
                                   ignore_unknown_fields=True)
        self.ring_n = len(hm.pop_ping_drop_rate) or 900
        self.current = hm.current
        self.ring = {k: list(getattr(hm, k)) + [0.0] * (self.ring_n - len(getattr(hm, k)))
                     for k in ("pop_ping_drop_rate", "pop_ping_latency_ms",
                               "downlink_throughput_bps", "uplink_throughput_bps")}
        self.outages = [to_dict(o) for o in hm.outages]

    # ---- time-driven changes ----------------------------------------------
    def uptime(self):
        return self.base_uptime + int(time.monotonic() - self.booted_mono)

    def effective_outage(self):
        """The outage the dish reports now: a reboot's BOOTING, a stow's
        STOWED, or the scenario's; None when connected."""
        now = time.monotonic()
        if now < self.boot_until:
            return {"cause": "BOOTING"}
        if self.stowed_since is not None and now - self.stowed_since >= self.stow_delay_s:
            return {"cause": "STOWED"}
        return self.status.get("outage")

    def track_outage(self):
        """Appends an outage to the history when one ends (called every
        second and after every patch)."""
        with self.lock:
            o = self.effective_outage()
            cause = o.get("cause", "UNKNOWN") if o is not None else None
            cur = self.cur_outage
            if cur is not None and cur["cause"] != cause:
                dur = gps_ns_now() - int(cur["start_timestamp_ns"])
                self.outages.append({"cause": cur["cause"],
                                     "start_timestamp_ns": cur["start_timestamp_ns"],
                                     "duration_ns": str(max(dur, 0))})
                del self.outages[:-OUTAGES_MAX]
                self.cur_outage = cur = None
            if cur is None and cause is not None:
                start = o.get("start_timestamp_ns") or str(gps_ns_now())
                self.cur_outage = {"cause": cause, "start_timestamp_ns": str(start)}

    def tick(self):
        """One history sample (the dish's 1 Hz ring), from the current status."""
        with self.lock:
            self.track_outage()
            i = self.current % self.ring_n
            st = self.status
            down = self.cur_outage is not None
            self.ring["pop_ping_drop_rate"][i] = 1.0 if down else float(st.get("pop_ping_drop_rate", 0))
            self.ring["pop_ping_latency_ms"][i] = float(st.get("pop_ping_latency_ms", 0))
            self.ring["downlink_throughput_bps"][i] = float(st.get("downlink_throughput_bps", 0))
            self.ring["uplink_throughput_bps"][i] = float(st.get("uplink_throughput_bps", 0))
            self.current += 1

    # ---- changes -------------------------------------------------------------
    def patch(self, status=None, location=None, device_info=None, diagnostics=None):
        """Applies merge patches; raises ValueError (nothing changed) when the
        result is not a valid message."""
        with self.lock:
            new = {}
            for name, cur, p, cls in (
                    ("status", self.status, status, self.pb.DishGetStatusResponse),
                    ("location", self.location, location, self.pb.GetLocationResponse),
                    ("device_info", self.device_info, device_info, self.pb.DeviceInfo),
                    ("diagnostics", self.diagnostics, diagnostics,
                     self.pb.DishGetDiagnosticsResponse)):
                if p is None:
                    continue
                if not isinstance(p, dict):
                    raise ValueError("%s: a patch is an object" % name)
                d = merge_patch(copy.deepcopy(cur), p)
                try:
                    json_format.ParseDict(d, cls())
                except json_format.ParseError as e:
                    raise ValueError("%s: %s" % (name, e)) from None
                new[name] = d
            for name, d in new.items():
                setattr(self, name, d)
            self.track_outage()

    def reboot(self):
        with self.lock:
            self.booted_mono = time.monotonic()
            self.base_uptime = 0
            self.boot_until = self.booted_mono + self.boot_s
            self.current = 0
            for k in self.ring:
                self.ring[k] = [0.0] * self.ring_n
            self.outages = []
            self.stowed_since = None
            self.status["stow_requested"] = False
            bc = int(self.device_info.get("bootcount", 0)) + 1
            self.device_info["bootcount"] = bc
            self.track_outage()

    def stow(self, unstow):
        with self.lock:
            if unstow:
                self.stowed_since = None
                self.status.pop("stow_requested", None)
            elif self.stowed_since is None:
                self.stowed_since = time.monotonic()
                self.status["stow_requested"] = True
            self.track_outage()

    def set_mode(self, spec, off=False):
        """'normal' clears every mode; otherwise 'name [arg...]' is added (or
        removed with off). Raises ValueError for an unknown mode."""
        words = spec.split(None, 1)
        if not words:
            raise ValueError("empty mode")
        name, arg = words[0], (words[1] if len(words) > 1 else "")
        if name not in MODES:
            raise ValueError("unknown mode %r (%s)" % (name, ", ".join(sorted(MODES))))
        MODES[name](arg)        # validates the argument
        with self.lock:
            if name == "normal":
                self.modes.clear()
            elif off:
                self.modes.pop(name, None)
            elif name == "unimplemented":
                calls = set(self.modes.get(name, "").split()) | set(arg.split())
                self.modes[name] = " ".join(sorted(calls))
            else:
                self.modes[name] = arg
            self.mode_changed.notify_all()

    def mode(self, name):
        with self.lock:
            return self.modes.get(name)

    def count(self, kind):
        with self.lock:
            self.calls[kind] = self.calls.get(kind, 0) + 1

    # ---- answers -------------------------------------------------------------
    def status_msg(self):
        with self.lock:
            d = copy.deepcopy(self.status)
            d["device_info"] = dict(self.device_info)
            d.setdefault("device_state", {})["uptime_s"] = str(self.uptime())
            o = self.effective_outage()
            if o is not None:
                o = dict(o)
                if self.cur_outage is not None:
                    o.setdefault("start_timestamp_ns", self.cur_outage["start_timestamp_ns"])
                d["outage"] = o
            else:
                d.pop("outage", None)
        return json_format.ParseDict(d, self.pb.DishGetStatusResponse())

    def history_msg(self):
        with self.lock:
            h = self.pb.DishGetHistoryResponse(current=self.current)
            for k, v in self.ring.items():
                getattr(h, k).extend(v)
            for o in self.outages:
                json_format.ParseDict(o, h.outages.add())
        return h

    def device_info_msg(self):
        with self.lock:
            return json_format.ParseDict({"device_info": self.device_info},
                                         self.pb.GetDeviceInfoResponse())

    def location_msg(self):
        with self.lock:
            return json_format.ParseDict(self.location, self.pb.GetLocationResponse())

    def diagnostics_msg(self):
        with self.lock:
            d = copy.deepcopy(self.diagnostics)
            for k in ("id", "hardware_version", "software_version", "utc_offset_s"):
                if k in self.device_info:
                    d[k] = self.device_info[k]
            d["stowed"] = self.effective_outage() == {"cause": "STOWED"}
        return json_format.ParseDict(d, self.pb.DishGetDiagnosticsResponse())

    def snapshot(self):
        with self.lock:
            return {"status": to_dict(self.status_msg()), "location": copy.deepcopy(self.location),
                    "device_info": copy.deepcopy(self.device_info),
                    "modes": dict(self.modes),
                    "history": {"current": self.current, "ring": self.ring_n,
                                "outages": len(self.outages)},
                    "stowed": self.stowed_since is not None,
                    "booting": time.monotonic() < self.boot_until}


def code_of(word):
    """A gRPC status code by number (14) or name (UNAVAILABLE, Unavailable)."""
    w = word.upper().replace("_", "")
    for c in grpc.StatusCode:
        if word == str(c.value[0]) or w == c.name.replace("_", ""):
            if c == grpc.StatusCode.OK:
                break
            return c
    raise ValueError("bad gRPC code %r" % word)


def _no_arg(a):
    if a:
        raise ValueError("takes no argument")


def _ms(a):
    if not a.isdigit():
        raise ValueError("slow takes milliseconds")


def _error(a):
    w = a.split(None, 1)
    if not w:
        raise ValueError("error takes CODE [MESSAGE]")
    code_of(w[0])


def _calls(a):
    if not a.split():
        raise ValueError("unimplemented takes call names")
    for c in a.split():
        if c not in CALLS:
            raise ValueError("unknown call %r (%s)" % (c, ", ".join(CALLS)))


CALLS = ("get_status", "get_history", "get_device_info", "get_location",
         "get_diagnostics", "reboot", "dish_stow")
MODES = {"normal": _no_arg, "hang": _no_arg, "stall": _no_arg, "reset": _no_arg,
         "error": _error, "deny_location": _no_arg, "unimplemented": _calls,
         "unknown_fields": _no_arg, "slow": _ms}

#!/usr/bin/python3
"""make_bin.py: binary Starlink Response fixtures from the real captures.

How the files here were made (run it again to regenerate them all):

    /usr/bin/python3 tests/data/starlink/make_bin.py

1. `protoc --python_out` compiles src/starlink/proto/dish.proto (the same .proto
   the C code is generated from) into a temporary directory.
2. Each JSON capture here (`get_*`: grpcurl output of a real dish, see
   tests/data/SOURCES.md) is read with Debian's python3-protobuf
   (`json_format.ParseDict(..., ignore_unknown_fields=True)`, the library the
   dish emulator uses) into a Response and serialized: `<name>.bin`. Fields
   our .proto does not have are dropped by ParseDict, as the C decoder skips
   them on the wire.
3. Synthetic edge cases are derived from those captures (each says how) and
   written as `.bin`, with the JSON they came from where there is one.
4. Expected request bytes (python protobuf's serialization of each Request
   the daemon sends) go to requests.txt: `call id hex`.
5. Seed corpora for the fuzz targets: every .bin framed with the 5-byte gRPC
   prefix in tests/fuzz/corpus/sl_reply/, JSON captures and trace objects in
   tests/fuzz/corpus/sl_json/.

Decisions, stated once:
* get_status.rev1_pre_production.2021: old firmware. `snr` (removed field
  1001) and `state` (removed 1006) are not in our .proto and are dropped;
  `alerts: []` is a list where the message DishAlerts is now: an empty list
  carries no alert, so it is removed before ParseDict (which would refuse
  it). Everything else maps (deviceInfo, uptime, obstruction fraction and
  validS, throughput, latency). The C JSON reader counts that `alerts` as one
  key of the wrong type and ignores it: the same result.
* dish_get_config: not a call autonomy makes; skipped.
* get_diagnostics.2024-12 and get_location.2025-06: the poster masked some
  numbers with `xxxx`. They are replaced with stated values (MASKED below,
  exactly representable in binary so that tests compare them exactly); the
  resulting JSON is written next to the .bin (`*.json`).
* get_location.error-permission-denied: a gRPC trailer (grpc-status 7 with a
  grpc-message), not a message: the transport handles it; no .bin.
"""
import copy
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
CAPTURES = HERE         # the get_* captures; everything else here is made below
PROTO_DIR = os.path.join(ROOT, "src", "starlink", "proto")
CORPUS_PB = os.path.join(ROOT, "tests", "fuzz", "corpus", "sl_reply")
CORPUS_JSON = os.path.join(ROOT, "tests", "fuzz", "corpus", "sl_json")
TRACES = os.path.join(ROOT, "tests", "replay", "traces")

# capture file -> fixture name
CAPTURED = {
    "get_status.rev1_pre_production.2021.btn.json": "status.rev1_2021",
    "get_status.rev3_proto2.2023-07.idp.json": "status.rev3_2023",
    "get_status.rev4_prod1.2024-06.nuwins.emit-defaults.json": "status.rev4_2024",
    "get_history.rev4_prod1.2024-06.nuwins.emit-defaults.json": "history.rev4_2024",
    "get_device_info.rev3_proto2.2023-07.idp.json": "device_info.rev3_2023",
}

# masked capture -> (fixture name, {masked key: stated value})
MASKED = {
    "get_diagnostics.2024-12.masked-by-poster.txt": ("diagnostics.2024-12", {
        "latitude": 12.5, "longitude": -34.25, "altitudeMeters": 56.75}),
    "get_location.2025-06.lat-lon-masked-by-poster.txt": ("location.2025-06", {
        "lat": 12.5, "lon": -34.25}),
}

# Synthetic: a reboot the dish announced (time from tests/replay's
# reboot_announced trace), an outage, the NaN interval on a Gen3 dish.
REBOOT_AT = "1764298200"
OUTAGE = {"cause": "OBSTRUCTED", "startTimestampNs": "1399258788500715800",
          "durationNs": "2000000000", "didSwitch": True}


def compile_proto(tmp):
    subprocess.run(["protoc", "--python_out=" + tmp, "-I" + PROTO_DIR,
                    os.path.join(PROTO_DIR, "dish.proto")], check=True)
    sys.path.insert(0, tmp)
    import dish_pb2  # noqa: E402  (generated just above)
    return dish_pb2


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(num, wire):
    return varint(num << 3 | wire)


def ld(num, payload):
    return key(num, 2) + varint(len(payload)) + payload


def unmask(text, values):
    for k, v in values.items():
        text, n = re.subn(r'("%s":\s*)x+' % k, r"\g<1>%r" % v, text)
        assert n == 1, "masked key %s found %d times" % (k, n)
    assert not re.search(r":\s*x+\s*[,}\n]", text), "a masked value is left"
    return text


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def write_json(name, obj):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def to_pb(pb, obj):
    from google.protobuf import json_format
    m = pb.Response()
    json_format.ParseDict(obj, m, ignore_unknown_fields=True)
    return m


def captured(pb, bins):
    for src, name in CAPTURED.items():
        with open(os.path.join(CAPTURES, src)) as f:
            obj = json.load(f)
        status = obj.get("dishGetStatus", {})
        if status.get("alerts") == []:      # rev1 2021: see the header
            del status["alerts"]
        bins[name] = to_pb(pb, obj).SerializeToString()
    for src, (name, values) in MASKED.items():
        with open(os.path.join(CAPTURES, src)) as f:
            obj = json.loads(unmask(f.read(), values))
        write_json(name + ".json", obj)
        bins[name] = to_pb(pb, obj).SerializeToString()


def status_variant(name, edit):
    """rev4 get_status with edit(status) applied; JSON and .bin."""
    with open(os.path.join(CAPTURES, "get_status.rev4_prod1.2024-06.nuwins.emit-defaults.json")) as f:
        obj = json.load(f)
    edit(obj["dishGetStatus"])
    write_json(name + ".json", obj)
    return obj


def synthetic(pb, bins):
    from google.protobuf import message
    def nan(st):
        st["obstructionStats"]["avgProlongedObstructionIntervalS"] = "NaN"
        st["obstructionStats"]["avgProlongedObstructionValid"] = False

    def outage(st):
        st["outage"] = copy.deepcopy(OUTAGE)
        st["popPingDropRate"] = 1
        st["obstructionStats"]["currentlyObstructed"] = True

    def outage_empty(st):
        st["outage"] = {}

    def reboot(st):
        st["softwareUpdateState"] = "REBOOT_REQUIRED"
        st["softwareUpdateStats"] = {"softwareUpdateState": "REBOOT_REQUIRED",
                                     "softwareUpdateProgress": 1,
                                     "updateRequiresReboot": True,
                                     "rebootScheduledUtcTime": REBOOT_AT}
        st["swupdateRebootReady"] = True

    for name, edit in (("status.nan_interval", nan), ("status.outage", outage),
                       ("status.outage_empty", outage_empty),
                       ("status.reboot_scheduled", reboot)):
        bins[name] = to_pb(pb, status_variant(name, edit)).SerializeToString()

    # New firmware: fields our .proto does not know, of every wire type, at
    # the top level and inside dish_get_status, before and after known ones.
    rev4 = pb.Response.FromString(bins["status.rev4_2024"])
    inner = rev4.dish_get_status.SerializeToString()
    inner = (key(1020, 0) + varint(1)                       # varint (an enum)
             + inner
             + ld(1033, key(1, 0) + varint(613) + key(2, 0) + varint(70))   # sub-message
             + key(1099, 5) + bytes.fromhex("0000c03f")      # 32-bit (1.5f)
             + key(1100, 1) + bytes.fromhex("000000000000f83f"))  # 64-bit (1.5)
    top = pb.Response()
    top.CopyFrom(rev4)
    top.ClearField("dish_get_status")
    data = (key(9, 0) + varint(150) + top.SerializeToString() + ld(2004, inner)
            + ld(4000, b"\x08\x01\x12\x03abc") + key(20, 1) + bytes(8))
    check = pb.Response.FromString(data)
    check.DiscardUnknownFields()
    assert check == rev4, "unknown fields changed a known one"
    bins["status.unknown_fields"] = data

    # Cut inside dish_get_status (its length runs past the end).
    full = bins["status.rev4_2024"]
    cut = full[:len(full) // 2]
    try:
        pb.Response.FromString(cut)
        raise AssertionError("the truncated message parsed")
    except message.DecodeError:
        pass
    bins["status.truncated"] = cut
    bins["empty"] = pb.Response().SerializeToString()
    assert bins["empty"] == b""


REQUEST_IDS = (0, 1, 300, 2**64 - 1)


def requests(pb):
    def req(call, rid):
        r = pb.Request(id=rid)
        if call == "dish_stow":
            r.dish_stow.SetInParent()
        elif call == "dish_unstow":
            r.dish_stow.unstow = True
        elif call == "get_location":
            r.get_location.source = pb.AUTO
            r.get_location.SetInParent()
        else:
            getattr(r, call).SetInParent()
        return r.SerializeToString()

    # names as sl_call_name() spells them
    calls = ("get_status", "get_history", "get_device_info", "get_location", "get_diagnostics",
             "reboot", "dish_stow", "dish_unstow")
    lines = ["# call id hex: python protobuf's serialization of each Request (make_bin.py)"]
    for c in calls:
        for rid in REQUEST_IDS:
            lines.append("%s %d %s" % (c, rid, req(c, rid).hex()))
    assert req("get_status", 0) == bytes.fromhex("e23e00")      # starlink-api.md
    with open(os.path.join(HERE, "requests.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


def frame(data):
    return b"\x00" + len(data).to_bytes(4, "big") + data


def corpora(bins):
    os.makedirs(CORPUS_PB, exist_ok=True)
    os.makedirs(CORPUS_JSON, exist_ok=True)
    for name, data in bins.items():
        with open(os.path.join(CORPUS_PB, name + ".framed"), "wb") as f:
            f.write(frame(data))
    seeds = {}
    for src in sorted(os.listdir(CAPTURES)):
        if src.startswith("get_") and (src.endswith(".json") or src.endswith(".txt")):
            if src.startswith("get_history"):
                continue        # 163 KB: a trimmed copy below keeps the fuzzer fast
            with open(os.path.join(CAPTURES, src)) as f:
                seeds[src] = f.read()
    for name in os.listdir(HERE):
        if name.endswith(".json") and not name.startswith("get_"):    # captures: above
            with open(os.path.join(HERE, name)) as f:
                seeds[name] = f.read()
    with open(os.path.join(CAPTURES, "get_history.rev4_prod1.2024-06.nuwins.emit-defaults.json")) as f:
        hist = json.load(f)
    h = hist["dishGetHistory"]
    for k, v in h.items():
        if isinstance(v, list):
            h[k] = v[:24] if k != "outages" else v[-6:]
    seeds["history.rev4_2024.first24.json"] = json.dumps(hist)
    for tr in ("reboot_announced.jsonl", "obstruction.jsonl"):
        with open(os.path.join(TRACES, tr)) as f:
            for i, line in enumerate(f):
                obj = json.loads(line)
                if "starlink" in obj:
                    seeds["trace.%s.%d.json" % (tr[:-6], i)] = json.dumps(obj["starlink"])
    for name, text in seeds.items():
        with open(os.path.join(CORPUS_JSON, name), "w") as f:
            f.write(text)


def main():
    bins = {}
    with tempfile.TemporaryDirectory() as tmp:
        pb = compile_proto(tmp)
        captured(pb, bins)
        synthetic(pb, bins)
        requests(pb)
    for name, data in bins.items():
        write(name + ".bin", data)
    corpora(bins)
    print("wrote %d .bin files, requests.txt and the fuzz corpora" % len(bins))


if __name__ == "__main__":
    main()

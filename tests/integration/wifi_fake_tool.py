#!/usr/bin/python3
"""Stands in for `iwinfo` or `iw` (by the name it is run as) in
run-wifi.sh: prints the real captures in tests/data for the commands
and interfaces they were taken from, and errors the way the real tools do
otherwise. WIFI_FAKE_<TOOL> picks a behaviour: ok (default), hang, fail,
garbage. WIFI_FAKE_LOG: a file that gets one line of argv per run."""
import os
import sys
import time


sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from fake_env import ENV  # noqa: E402  (settings beside the tool, see fake_env.py)

DATA = ENV.get("WIFI_FAKE_DATA", "")
TOOL = os.path.basename(sys.argv[0])
ARGS = sys.argv[1:]


def cat(*names):
    for n in names:
        with open(os.path.join(DATA, n), "rb") as f:
            sys.stdout.buffer.write(f.read())
    sys.stdout.flush()


def iwinfo():
    # cli.c: `iwinfo IF info assoclist` runs both commands in turn
    if ARGS[:1] == ["wlan1"] and ARGS[1:] == ["info", "assoclist"]:
        cat("openwrt/iwinfo-wlan1-info.mt76x2e.txt", "openwrt/iwinfo-wlan0-assoclist.mwlwifi.txt")
        return 0
    if ARGS[:1] == ["wlan1"] and ARGS[1:] == ["info"]:
        cat("openwrt/iwinfo-wlan1-info.mt76x2e.txt")
        return 0
    sys.stderr.write("No such wireless device: %s\n" % (ARGS[0] if ARGS else ""))
    return 1


IW = {
    ("dev", "wlp0s20f3", "link"): ["wifi/iw-dev-link.intel-5ghz-vht.txt"],
    ("dev", "wlp0s20f3", "scan", "dump"): ["wifi/iw-scan.jc-iw-scan1.txt"],
    ("dev", "wlp0s20f3", "scan"): ["wifi/iw-scan.jc-iw-scan0.txt"],
}


def iw():
    key = tuple(ARGS)
    if key in IW:
        cat(*IW[key])
        return 0
    if ARGS[:2] == ["dev", "wlp0s20f3"] and ARGS[2:4] == ["station", "get"]:
        # The station capture is of another device (mt76, 10:6f:3f:0e:31:8f);
        # asked for our AP, the real iw would fail like this.
        sys.stderr.write("command failed: No such file or directory (-2)\n")
        return 254
    sys.stderr.write("command failed: No such device (-19)\n")
    return 237


def main():
    log = ENV.get("WIFI_FAKE_LOG")
    if log:
        with open(log, "a") as f:
            f.write("%s %s\n" % (TOOL, " ".join(ARGS)))
    mode = ENV.get("WIFI_FAKE_" + TOOL.upper(), "ok")
    if mode == "hang":
        with open(ENV["WIFI_FAKE_PIDFILE"], "w") as f:
            f.write("%d\n" % os.getpid())
        time.sleep(60)
        return 0
    if mode == "fail":
        sys.stderr.write("%s: driver error: Operation not supported\n" % TOOL)
        return 1
    if mode == "garbage":
        sys.stdout.write("\x01\x02 Segmentation fault?\n<html>hello</html>\n%%%%\n")
        return 0
    return iwinfo() if TOOL == "iwinfo" else iw()


sys.exit(main())

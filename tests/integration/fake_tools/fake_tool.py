#!/usr/bin/python3
"""Fake mmcli / uqmi / qmicli / gsmctl for tests/integration/run-cellular.sh.

One script, linked under each tool's name; it prints a recorded capture
from tests/data/cellular/ chosen by its argv, so the source's real
parsing path sees real bytes. Behaviour per tool comes from files in
$FAKE_DIR (so a test can set it per scenario):

  <tool>.mode    ok (default) | hang | fail | garbage | empty |
                 okfor:N  (ok for the first N calls of this tool, then fail)
  <tool>.failarg a call with this argument fails (exit 1, stderr), others work
  mmcli.modem    the mmcli -m -J capture (default the Quectel EG25 one)
  mmcli.signal   real (default) | setup: all "--" until --signal-setup ran
  mmcli.command  nodebug (default: ModemManager refuses, as outside debug
                 mode) | debug (the RM500Q +QENG reply)
  gsmctl.vendor  quectel (default) | sierra | simcom | fibocom | none

Every call is appended to $FAKE_DIR/calls.log as "tool arg arg..." and its
pid to $FAKE_DIR/pids. The modem list (mmcli -L -J) has no capture; it is
ModemManager's documented {"modem-list": [paths]}. gsmctl's own framing of
an AT reply has no capture either: the reply's lines are printed as the
modem sends them, then OK (or ERROR for a command the modem refuses).
"""
import os
import re
import sys
import time


sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), ".."))
from fake_env import ENV  # noqa: E402  (settings beside the tool, see fake_env.py)

DATA = ENV.get("FAKE_DATA", "")
DIR = ENV.get("FAKE_DIR", "/tmp")
TOOL = os.path.basename(sys.argv[0])
ARGS = sys.argv[1:]


def setting(name, default):
    try:
        with open(os.path.join(DIR, name)) as f:
            return f.read().strip() or default
    except OSError:
        return default


def capture(name):
    with open(os.path.join(DATA, name), "rb") as f:
        return f.read()


def out(data):
    if isinstance(data, str):
        data = data.encode()
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def fail(msg, code=3):
    sys.stderr.write(msg + "\n")
    sys.exit(code)


def count_call():
    n = int(setting(TOOL + ".count", "0")) + 1
    with open(os.path.join(DIR, TOOL + ".count"), "w") as f:
        f.write(str(n))
    return n


def apply_mode():
    mode = setting(TOOL + ".mode", "ok")
    n = count_call()
    if mode.startswith("okfor:"):
        mode = "ok" if n <= int(mode.split(":", 1)[1]) else "fail"
    if setting(TOOL + ".failarg", "\0") in ARGS:
        fail("Failed to connect to service", 1)
    if mode == "hang":
        time.sleep(600)
    elif mode == "fail":
        fail("error: couldn't find the ModemManager process in the bus"
             if TOOL == "mmcli" else "Failed to connect to service")
    elif mode == "garbage":
        out(b"\x00\x1b[31m\xff\xfe<html>Bad Gateway</html>\n")
        sys.exit(0)
    elif mode == "empty":
        sys.exit(0)


def at_lines(name, *prefixes):
    """The lines of an AT capture that start with one of the prefixes."""
    text = capture(name).decode("utf-8", "replace").splitlines()
    return [l for l in text if l.startswith(prefixes)]


def mmcli():
    joined = " ".join(ARGS)
    if "-L" in ARGS:
        out('{"modem-list":["/org/freedesktop/ModemManager1/Modem/0"]}\n')
    elif "--signal-setup" in joined:
        open(os.path.join(DIR, "signal-setup.done"), "w").close()
    elif "--signal-get" in ARGS:
        text = capture("mmcli-signal-get-J.lte.openwisp.pretty.json").decode()
        if (setting("mmcli.signal", "real") == "setup"
                and not os.path.exists(os.path.join(DIR, "signal-setup.done"))):
            text = re.sub(r'"-?[0-9]+\.[0-9]+"', '"--"', text)
        out(text)
    elif any(a.startswith("--command=") for a in ARGS):
        if setting("mmcli.command", "nodebug") != "debug":
            fail("error: couldn't send command: 'GDBus.Error:org.freedesktop.ModemManager1."
                 "Error.Core.Unauthorized: Cannot send AT command to modem: operation only "
                 "allowed in debug mode'", 1)
        out(capture("at-qeng-servingcell.quectel-rm500q.mmcli-command.txt"))
    elif "-b" in ARGS:
        out(capture("mmcli-b.sierra-em7565.txt"))
    elif "-m" in ARGS and "-J" in ARGS:
        out(capture(setting("mmcli.modem", "mmcli-m-J.quectel-eg25.connected.pretty.json")))
    else:
        fail("error: no actions specified", 1)


def uqmi():
    if "--get-signal-info" in ARGS:
        out(capture("uqmi-get-signal-info.lte.json"))
    elif "--get-serving-system" in ARGS:
        out(capture("uqmi-get-serving-system.json"))
    else:
        fail("Invalid argument", 1)


def qmicli():
    if "--nas-get-signal-info" in ARGS:
        out(capture("qmicli-nas-get-signal-info.quectel-rm500q.txt"))
    else:
        fail("error: no actions specified", 1)


# Which capture answers which AT command, per vendor ("" = the whole file).
RG500Q = "at-qnwinfo-qcainfo-qeng-qspn.quectel-rg500q-ea.txt"
FIBOCOM = "at-xlec-rsrp-rsrq-xmci.fibocom-l850gl.txt"
VENDOR_AT = {
    "quectel": {'AT+QENG="servingcell"': (RG500Q, "+QENG"),
                "AT+QNWINFO": (RG500Q, "+QNWINFO")},
    "sierra": {"AT!GSTATUS?": ("at-gstatus.sierra-em7455.txt", "")},
    "simcom": {"AT+CPSI?": ("at-cpsi-cmgrmi.simcom-sim7906.txt", "+CPSI")},
    "fibocom": {"AT+XLEC?": (FIBOCOM, "+XLEC"), "AT+RSRP?": (FIBOCOM, "+RSRP"),
                "AT+RSRQ?": (FIBOCOM, "+RSRQ")},
}
EC200A = "at-cpin-csq-creg-cops.quectel-ec200a.txt"
GENERIC_AT = {"AT+CSQ": (EC200A, "+CSQ"), "AT+COPS?": (EC200A, "+COPS: 0,0"),
              "AT+CREG?": (EC200A, "+CREG")}


def gsmctl():
    if len(ARGS) != 2 or ARGS[0] != "-A":
        fail("Usage: gsmctl -A <AT command>", 1)
    table = dict(GENERIC_AT)
    table.update(VENDOR_AT.get(setting("gsmctl.vendor", "quectel"), {}))
    if ARGS[1] not in table:
        out("ERROR\n")          # the modem refuses what it does not know
        return
    name, prefix = table[ARGS[1]]
    if prefix:
        lines = at_lines(name, prefix)
    else:
        lines = capture(name).decode("utf-8", "replace").splitlines()
    out("\n".join(lines) + "\n\nOK\n")


def main():
    with open(os.path.join(DIR, "calls.log"), "a") as f:
        f.write(" ".join([TOOL] + ARGS) + "\n")
    with open(os.path.join(DIR, "pids"), "a") as f:
        f.write("%d\n" % os.getpid())
    apply_mode()
    {"mmcli": mmcli, "uqmi": uqmi, "qmicli": qmicli, "gsmctl": gsmctl}[TOOL]()


if __name__ == "__main__":
    main()

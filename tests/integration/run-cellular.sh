#!/bin/bash
# The cellular source end to end: tests/integration/cell_drive runs
# src/cellular/cell_src on a libevent loop against the fake tools of
# fake_tools/ (which print the real captures of tests/data/cellular/),
# through the real spawn (src/core/proc.c) and parsing path. Asserts:
#   - detection order: mmcli first; uqmi when mmcli is missing (with a
#     qmi_device); qmicli when uqmi is missing too; gsmctl alone (RutOS);
#     no qmi_device: uqmi/qmicli are skipped; a configured path wins;
#   - the figures of each path, merged from several commands per cycle;
#   - remembered refusals: mmcli --command outside debug mode and the modem
#     list are asked once; --signal-setup is sent once when signal-get has
#     nothing; +CEREG? refused -> +CREG?; an unknown vendor's AT commands are
#     tried once each until one answers;
#   - failures: a hanging tool is killed at its timeout (+ margin), which ends
#     its tool's cycle, while the loop keeps ticking; a non-zero exit,
#     garbage, no output: each named in the info; a failed secondary
#     command keeps the other commands' figures;
#   - re-detection after 3 cycles with every command failing;
#   - cell_src_free during a cycle: the child is killed, no callback.
#
# usage: run-cellular.sh [BUILD_DIR]   links BUILD_DIR/libautonomy.a (ASan
#        when the library has it). Needs no root. Prints "N passed, N failed".
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" 2>/dev/null && pwd || echo "${1:-$ROOT/build}")
. "$ROOT/tests/integration/kinds.sh"
need_kinds "$BUILD" cellular
TMP=$(mktemp -d "/tmp/cell_test.XXXXXX")
DRIVE="$TMP/cell_drive"
PY=/usr/bin/python3
PASS=0
FAIL=0
export FAKE_DATA="$ROOT/tests/data/cellular"

cleanup() {
	# any fake still alive is a failure already reported; do not leave it
	if [ -f "$TMP/all-pids" ]; then
		while read -r p; do kill -9 "$p" 2>/dev/null; done <"$TMP/all-pids"
	fi
	[ -n "${CELL_KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { PASS=$((PASS + 1)); echo "PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }

# ---- build -------------------------------------------------------------------
LIB="$BUILD/libautonomy.a"
if [ ! -f "$LIB" ]; then
	bad "no $LIB (build first)"
	echo "$PASS passed, $FAIL failed"
	exit 1
fi
SAN=()
# shellcheck disable=SC2054  # -fsanitize=a,b is one argument
nm "$LIB" 2>/dev/null | grep -q __asan_init && SAN=(-fsanitize=address,undefined)
# shellcheck disable=SC2046
if ! gcc -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter \
	-D_GNU_SOURCE -I"$ROOT/src" "${SAN[@]}" "$HERE/cell_drive.c" "$LIB" \
	$(pkg-config --libs libevent_core json-c) -lm -o "$DRIVE"; then
	bad "build cell_drive"
	echo "$PASS passed, $FAIL failed"
	exit 1
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# ---- scenarios ------------------------------------------------------------------
# scenario NAME TOOL...: a fresh state dir and a bin dir holding only TOOLs
scenario() {
	SC="$TMP/$1"
	shift
	mkdir -p "$SC/bin" "$SC/state"
	for t in "$@"; do ln -s "$HERE/fake_tools/$t" "$SC/bin/$t"; done
	export FAKE_DIR="$SC/state"
}

set_fake() { printf '%s\n' "$2" >"$FAKE_DIR/$1"; }

# drive ARGS...: the driver with only the scenario's tools on PATH (the
# fakes start /usr/bin/python3 by its full path); output in $SC/out
drive() {
	/usr/bin/timeout 60 /usr/bin/env PATH="$SC/bin" "$DRIVE" "$@" >"$SC/out" 2>"$SC/err"
	local rc=$?
	[ -f "$FAKE_DIR/pids" ] && cat "$FAKE_DIR/pids" >>"$TMP/all-pids"
	if [ $rc -ne 0 ]; then
		echo "cell_drive exited $rc:"
		tail -20 "$SC/err"
	fi
	return $rc
}

# q EXPR: a Python expression over L (the callback lines, L[0] the first),
# E (the end line), C (the calls, one string each) and calls(prefix)
q() {
	"$PY" -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
L = [r for r in rows if "n" in r]
E = next((r for r in rows if r.get("end")), {})
F = next((r for r in rows if r.get("freed")), None)
try:
    C = [l.rstrip("\n") for l in open(sys.argv[2])]
except OSError:
    C = []
def calls(prefix):
    return sum(1 for c in C if c.startswith(prefix))
print(eval(sys.argv[3]))' "$SC/out" "$FAKE_DIR/calls.log" "$1"
}

check() { # description, expression
	local v
	v=$(q "$2" 2>&1)
	if [ "$v" = True ]; then ok "$1"; else bad "$1 ($2 -> $v)"; tail -5 "$SC/out"; fi
}

# every fake this scenario started has exited (none left behind)
no_leftovers() {
	local p alive=""
	touch "$FAKE_DIR/pids"
	while read -r p; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done <"$FAKE_DIR/pids"
	if [ -z "$alive" ]; then ok "$1: no child left"; else bad "$1: children left:$alive"; fi
}

# 1. ModemManager present (and everything else): mmcli wins ----------------------
scenario mm mmcli uqmi qmicli gsmctl
if drive -n 2 -i 50 -q /dev/cdc-wdm0; then
	check "mmcli: chosen first" 'L[0]["tool"] == "mmcli" and L[0]["src_tool"] == "mmcli"'
	check "mmcli: modem JSON figures" 'L[0]["state"] == "connected" and L[0]["reg"] == "home" and L[0]["roaming"] == 0 and L[0]["operator"] == "O2.CZ O2-CZ" and L[0]["code"] == "23002" and L[0]["signal_pct"] == 60 and L[0]["tech"] == "lte"'
	check "mmcli: signal-get figures" 'L[0]["rsrp"] == -92 and L[0]["rsrq"] == -9 and L[0]["rssi"] == -64 and L[0]["sinr"] == 19.2'
	check "mmcli: bearer bytes while connected" 'L[0]["rx_bytes"] == 81514 and calls("mmcli -b 0") == 2'
	check "mmcli: --command refused outside debug mode is normal, asked once" 'L[0]["ok"] and L[1]["ok"] and L[0]["failed"] == 0 and L[0]["error"] == "" and calls("mmcli -m 0 --command=") == 1'
	check "mmcli: modem listed once, then its index kept" 'calls("mmcli -L") == 1 and calls("mmcli -m 0 -J") == 2'
	check "mmcli: cycle 1 ran 5 commands, cycle 2 ran 3" 'L[0]["commands"] == 5 and L[1]["commands"] == 3'
	check "mmcli: the other tools were never run" 'calls("uqmi") == 0 and calls("gsmctl") == 0 and calls("qmicli") == 0'
fi

# 2. AT through ModemManager in debug mode; a configured modem index --------------
scenario mmdebug mmcli
set_fake mmcli.command debug
if drive -n 1 -M 0; then
	check "mmcli --command: QENG merged (NSA, NR figures)" 'L[0]["tech"] == "5g-nsa" and L[0]["nr_rsrp"] == -75 and L[0]["nr_sinr"] == 18 and L[0]["band"] == 3 and L[0]["pci"] == 1'
	check "mmcli --command: mmcli's own figures kept" 'L[0]["state"] == "connected" and L[0]["code"] == "23002"'
	check "mmcli: configured index, no list" 'calls("mmcli -L") == 0 and calls("mmcli -m 0 -J") == 1'
fi

# 3. extended signal not set up: --signal-setup once -------------------------------
scenario setup mmcli
set_fake mmcli.signal setup
set_fake mmcli.modem mmcli-m-J.quectel-bg96.searching.pretty.json
if drive -n 3 -i 50; then
	check "signal-setup: sent once, figures from the next cycle" 'calls("mmcli -m 0 --signal-setup=5") == 1 and L[0]["rsrp"] is None and L[1]["rsrp"] == -92 and L[2]["rsrp"] == -92'
	check "signal-setup: no bearer or AT for a searching modem" 'calls("mmcli -b") == 0 and L[0]["state"] == "searching"'
	check "signal-setup: Quectel identified, AT refused once" 'calls("mmcli -m 0 --command") == 1'
fi

# 4. no ModemManager, a qmi_device: uqmi ---------------------------------------
scenario uqmi uqmi qmicli gsmctl
if drive -n 1 -q /dev/cdc-wdm0; then
	check "uqmi: chosen when mmcli is missing" 'L[0]["tool"] == "uqmi" and L[0]["ok"]'
	check "uqmi: signal (snr 250 = 25.0 dB) and serving system" 'L[0]["rsrp"] == -90 and L[0]["rsrq"] == -10 and L[0]["rssi"] == -67 and L[0]["sinr"] == 25.0 and L[0]["code"] == "20815" and L[0]["reg"] == "home" and L[0]["state"] == "registered"'
	check "uqmi: its device passed" 'calls("uqmi -d /dev/cdc-wdm0 --get-signal-info") == 1 and calls("uqmi -d /dev/cdc-wdm0 --get-serving-system") == 1'
fi

# 5. uqmi failing on one command: the other's figures are kept --------------------
scenario uqmipart uqmi
set_fake uqmi.failarg --get-signal-info
if drive -n 1 -q /dev/cdc-wdm0; then
	check "uqmi: a failed command is named, the rest kept" 'L[0]["tool"] == "uqmi" and L[0]["ok"] and L[0]["failed"] == 1 and "--get-signal-info: exit 1: Failed to connect to service" in L[0]["error"] and L[0]["code"] == "20815" and L[0]["rsrp"] is None'
fi

# 6. only qmicli -----------------------------------------------------------------
scenario qmicli qmicli gsmctl
if drive -n 1 -q /dev/cdc-wdm1; then
	check "qmicli: chosen when mmcli and uqmi are missing" 'L[0]["tool"] == "qmicli" and L[0]["ok"] and calls("qmicli -d /dev/cdc-wdm1 -p --nas-get-signal-info") == 1'
	check "qmicli: LTE and 5G figures" 'L[0]["tech"] == "5g-nsa" and L[0]["rsrp"] == -70 and L[0]["sinr"] == 30 and L[0]["nr_rsrp"] == -75 and L[0]["nr_sinr"] == 18.5'
fi

# 7. RutOS: gsmctl, Quectel found by trying ------------------------------------
scenario rutos gsmctl uqmi qmicli
if drive -n 2 -i 50; then
	check "gsmctl: chosen; uqmi/qmicli skipped without a qmi_device" 'L[0]["tool"] == "gsmctl" and calls("uqmi") == 0 and calls("qmicli") == 0'
	check "gsmctl: one AT command per call" 'calls("gsmctl -A AT+CSQ") == 2 and calls("gsmctl -A AT+COPS?") == 2'
	check "gsmctl: +CEREG? refused once, then +CREG?" 'calls("gsmctl -A AT+CEREG?") == 1 and calls("gsmctl -A AT+CREG?") == 2 and L[0]["ok"] and L[1]["ok"] and L[0]["failed"] == 0 and L[0]["error"] == ""'
	check "gsmctl: generic figures" 'L[0]["csq"] == 17 and L[0]["reg"] == "home" and L[0]["operator"] == "NOS" and calls("gsmctl -A AT+CREG?") == 2'
	check "gsmctl: Quectel commands merged (cell from +QENG)" 'L[0]["tac"] == "4AA3" and L[0]["code"] == "51503" and L[0]["tech"] == "5g-nsa" and L[0]["nr_rsrp"] == -76 and L[0]["band"] == 1 and L[0]["rsrp"] == -89 and calls("gsmctl -A AT+QNWINFO") == 2'
fi

# 8. gsmctl with a Sierra modem: QENG refused once, !GSTATUS? remembered -----------
scenario sierra gsmctl
set_fake gsmctl.vendor sierra
if drive -n 2 -i 50; then
	check "gsmctl/sierra: vendor found by trying, refusals remembered" 'calls("gsmctl -A AT+QENG") == 1 and calls("gsmctl -A AT!GSTATUS?") == 2 and calls("gsmctl -A AT+CPSI?") == 0'
	check "gsmctl/sierra: !GSTATUS figures (better branch)" 'L[1]["rsrp"] == -112 and L[1]["sinr"] == -6.4 and L[1]["band"] == 3 and L[1]["tac"] == "D5AC" and L[0]["ok"]'
fi

# 9. gsmctl with an unknown modem: every vendor tried once, never again ----------
scenario novendor gsmctl
set_fake gsmctl.vendor none
if drive -n 2 -i 50; then
	check "gsmctl/unknown vendor: each vendor command once" 'calls("gsmctl -A AT+QENG") == 1 and calls("gsmctl -A AT!GSTATUS?") == 1 and calls("gsmctl -A AT+CPSI?") == 1 and calls("gsmctl -A AT+XLEC?") == 1 and L[1]["commands"] == 3 and L[1]["ok"] and L[0]["failed"] == 0 and L[1]["csq"] == 17'
fi

# 10. a configured path wins over PATH ------------------------------------------
scenario configured gsmctl
mkdir -p "$SC/elsewhere"
ln -s "$HERE/fake_tools/mmcli" "$SC/elsewhere/mmcli"
if drive -n 1 -P "mmcli=$SC/elsewhere/mmcli"; then
	check "configured mmcli path used (not on PATH)" 'L[0]["tool"] == "mmcli" and calls("mmcli -m 0 -J") == 1 and calls("gsmctl") == 0'
fi
scenario badpath gsmctl
if drive -n 1 -P "mmcli=$SC/nonexistent/mmcli"; then
	check "a configured path that cannot run: next tool" 'L[0]["tool"] == "gsmctl"'
fi

# 11. a hanging tool: killed at its timeout, the loop keeps running ---------------
scenario hang mmcli
set_fake mmcli.mode hang
if drive -n 1 -t 400; then
	check "hang: timed out, named" '"mmcli -L -J: timed out after 400 ms" in L[0]["error"] and L[0]["tool"] == "none" and not L[0]["ok"]'
	check "hang: cycle ended within timeout + 300 ms" '390 <= L[0]["took_ms"] < 700'
	check "hang: the loop ticked meanwhile (50 ms heartbeat)" 'L[0]["ticks"] >= 6'
	check "hang: no child running after" 'E["children"] == 0'
	no_leftovers "hang"
fi
scenario hangall mmcli gsmctl
set_fake mmcli.mode hang
set_fake gsmctl.mode hang
if drive -n 1 -t 300 -M 0; then
	check "hang: each tool timed out in turn, both named" '"mmcli: mmcli -m 0 -J: timed out after 300 ms" in L[0]["error"] and "gsmctl: gsmctl -A AT+CSQ: timed out" in L[0]["error"] and 590 <= L[0]["took_ms"] < 1200'
	no_leftovers "hang (two tools)"
fi

scenario hanguqmi uqmi
set_fake uqmi.mode hang
if drive -n 1 -t 300 -q /dev/cdc-wdm0; then
	check "hang: a timeout ends the tool's cycle (one timeout, not one per command)" 'calls("uqmi") == 1 and L[0]["commands"] == 1 and 290 <= L[0]["took_ms"] < 700'
	no_leftovers "hang (uqmi)"
fi

# 12. non-zero exit, garbage, nothing ---------------------------------------------
scenario exitfail mmcli
set_fake mmcli.mode fail
if drive -n 1; then
	check "exit non-zero: named with its stderr" '"mmcli -L -J: exit 3: error: couldn" in L[0]["error"] and L[0]["tool"] == "none"'
fi
scenario garbage mmcli
set_fake mmcli.mode garbage
if drive -n 1 -M 0; then
	check "garbage: unrecognised output" '"mmcli -m 0 -J: unrecognised output" in L[0]["error"]'
fi
scenario empty gsmctl
set_fake gsmctl.mode empty
if drive -n 1; then
	check "no output: printed nothing" '"gsmctl -A AT+CSQ: printed nothing" in L[0]["error"]'
fi
scenario nothing
if drive -n 1; then
	check "no tool at all: each named" 'L[0]["error"].startswith("no tool works: mmcli: not found; uqmi: not found; qmicli: not found; gsmctl: not found") and L[0]["commands"] == 0 and L[0]["src_tool"] == ""'
fi

# 13. re-detection after 3 failed cycles --------------------------------------
scenario redetect mmcli gsmctl
set_fake mmcli.mode okfor:4     # -L, -m, --signal-get, -b in cycle 1; then everything fails
if drive -n 6 -i 50; then
	check "re-detect: mmcli, 3 failed mmcli cycles, then gsmctl" '[r["tool"] for r in L] == ["mmcli", "mmcli", "mmcli", "mmcli", "gsmctl", "gsmctl"]'
	check "re-detect: the failed cycles say why" 'not any(r["ok"] for r in L[1:4]) and all(r["failed"] == r["commands"] for r in L[1:4]) and all("exit 3" in r["error"] for r in L[1:4]) and L[4]["ok"]'
	check "re-detect: the tool is dropped after the third failure" 'L[3]["src_tool"] == "" and L[4]["src_tool"] == "gsmctl"'
	check "re-detect: the index was listed again" 'calls("mmcli -L") >= 2'
fi

# 14. cell_src_free while a child hangs ------------------------------------------
scenario freeing mmcli
set_fake mmcli.mode hang
if drive -n 1 -t 5000 -F 300; then
	check "free mid-cycle: no callback" 'F is not None and L == [] and E["children"] == 0'
	no_leftovers "free mid-cycle"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

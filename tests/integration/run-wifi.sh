#!/bin/bash
# shellcheck disable=SC2054,SC2016  # -fsanitize=a,b; bash -c with its own $1
# The Wi-Fi source (src/wifi/wifi_src.c) against this kernel, fake tools and
# a /proc/net/wireless-format file, through tests/integration/wifi_drive in
# a network namespace whose dummy interfaces carry the names of the real
# captures (wlan1: iwinfo, wlp0s20f3: iw, wlp5s0: procfs):
#   - nl80211: this kernel has no cfg80211, so the family lookup says ENOENT
#     and the source falls back (with cfg80211 it says "not a wireless
#     interface" for a dummy device, and falls back the same way);
#   - iwinfo (tests/integration/wifi_fake_tool.py printing the captures)
#     wins when present; without it iw (`link`, then `station get BSSID`);
#     a hanging tool is killed at the timeout and leaves no process, a
#     failing or garbage-printing one is passed over; then procfs;
#   - the source found is kept (no further tries of the earlier ones);
#   - scans: iw's cache (`scan dump`), `iw dev IF scan` only when allowed,
#     "scanning not available" without iw; no interface -> a clear error.
# usage: run-wifi.sh [BUILD_DIR]   (BUILD_DIR/libautonomy.a is linked)
# Needs root (network namespace). Prints "N passed, N failed" last.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DATA=$ROOT/tests/data
BUILD=${1:-$ROOT/build}
. "$ROOT/tests/integration/kinds.sh"
need_kinds "$BUILD" wifi
NS="h4xwifi$$"
TMP=$(mktemp -d /tmp/wifi_test.XXXXXX)
DRIVE="$TMP/wifi_drive"
PASS=0
FAIL=0

if [ "$(id -u)" != 0 ]; then
	echo "skip: needs root (network namespace)"
	echo "0 passed, 0 failed"
	exit 77
fi

cleanup() {
	[ -f "$TMP/hang.pid" ] && kill -9 "$(cat "$TMP/hang.pid")" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { PASS=$((PASS + 1)); echo "PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
check() { # description, then a command that must succeed
	local what=$1; shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

# ---- build ------------------------------------------------------------------
build() {
	local lib=$BUILD/libautonomy.a san=() libs
	[ -f "$lib" ] || { echo "no $lib (build first)"; return 1; }
	nm "$lib" 2>/dev/null | grep -q __asan_init && san=(-fsanitize=address,undefined)
	libs=$(pkg-config --libs libevent_core json-c libmnl) || return 1
	# shellcheck disable=SC2086
	gcc -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter \
		-D_GNU_SOURCE -I"$ROOT/src" "${san[@]}" "$HERE/wifi_drive.c" "$lib" $libs -lm -o "$DRIVE"
}
if ! build; then
	bad "build wifi_drive"
	echo "$PASS passed, $FAIL failed"
	exit 1
fi

# ---- the namespace and the fakes ---------------------------------------------
ip netns add "$NS" || { bad "netns"; echo "$PASS passed, $FAIL failed"; exit 1; }
# veth, not dummy: this kernel has no dummy module (and loads none)
i=0
for dev in wlan1 wlp0s20f3 wlp5s0; do
	ip -n "$NS" link add "$dev" type veth peer name "h4p$i" || bad "create $dev"
	i=$((i + 1))
done
mkdir -p "$TMP/bin"
ln -s "$HERE/wifi_fake_tool.py" "$TMP/bin/iwinfo"
ln -s "$HERE/wifi_fake_tool.py" "$TMP/bin/iw"
cp "$DATA/wifi/proc-net-wireless.wlp5s0.netdata-6333.txt" "$TMP/wireless"
export WIFI_FAKE_DATA="$DATA" WIFI_FAKE_LOG="$TMP/log" WIFI_FAKE_PIDFILE="$TMP/hang.pid"
NOTOOL=$TMP/none/tool

# drive ARGS...: the JSON lines into $OUT
drive() {
	: >"$TMP/log"
	OUT=$(ip netns exec "$NS" env ASAN_OPTIONS=detect_leaks=1 "$DRIVE" -p "$TMP/wireless" "$@" 2>"$TMP/err")
	local rc=$?
	[ -s "$TMP/err" ] && sed 's/^/  stderr: /' "$TMP/err"
	return $rc
}
# j N EXPR: evaluate a Python expression on line N (1-based) of $OUT as `d`
j() {
	/usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1].splitlines()[int(sys.argv[2])-1]); print(eval(sys.argv[3]))' \
		"$OUT" "$1" "$2" 2>/dev/null
}
is() { # N EXPR: the expression is True
	[ "$(j "$1" "$2")" = True ] || { echo "  got: $(echo "$OUT" | sed -n "${1}p")"; return 1; }
}
calls() { grep -c "^$1 " "$TMP/log"; }

if [ -d /sys/module/cfg80211 ]; then NL_ERR="not a wireless"; else NL_ERR="not available (no cfg80211)"; fi

# ---- nl80211 on this kernel -----------------------------------------------------
drive -i wlan1 -s nl80211
check "nl80211 alone: the kernel's answer, clearly ($NL_ERR)" \
	is 1 "not d['ok'] and d['source']=='none' and '$NL_ERR' in d['error'] and d['took_ms'] < 500"

# ---- iwinfo first when nl80211 is absent -------------------------------------------
drive -i wlan1 -I "$TMP/bin/iwinfo" -w "$TMP/bin/iw" -n 3
check "falls back to iwinfo" is 1 "d['ok'] and d['source']=='iwinfo' and d['ifname']=='wlan1'"
check "iwinfo figures (mt76x2e capture)" \
	is 1 "d['ssid']=='dd-wrt' and d['bssid']=='40:31:3c:d7:46:c4' and d['channel']==48 and d['freq']==5240 and d['signal']==-46 and d['noise'] is None and d['tx']==432.7 and d['quality']==64 and d['quality_max']==70"
check "Mode Master: association unknown" is 1 "d['associated'] is None"
check "one iwinfo run per poll: 'info assoclist'" \
	test "$(calls iwinfo)" = 3 -a "$(grep -c '^iwinfo wlan1 info assoclist$' "$TMP/log")" = 3
check "iw never asked once iwinfo works" test "$(calls iw)" = 0

# ---- iw when iwinfo is missing, hangs, fails or prints garbage -----------------------
drive -i wlp0s20f3 -I "$NOTOOL" -w "$TMP/bin/iw" -n 2
check "no iwinfo: iw" is 1 "d['ok'] and d['source']=='iw'"
check "iw link figures (intel capture)" \
	is 1 "d['associated'] is True and d['ssid']=='HOME5' and d['freq']==5280 and d['channel']==56 and d['signal']==-44 and d['tx']==866.7 and d['rx']==702.0 and d['rx_bytes']==2254846655 and d['bssid']=='64:d1:54:68:93:ae'"
check "then 'station get' for the AP; its failure keeps the link's sample" \
	grep -q '^iw dev wlp0s20f3 station get 64:d1:54:68:93:ae$' "$TMP/log"
check "kept: second poll is iw again" is 2 "d['ok'] and d['source']=='iw'"

WIFI_FAKE_IWINFO=hang drive -i wlp0s20f3 -I "$TMP/bin/iwinfo" -w "$TMP/bin/iw" -t 300
check "hanging iwinfo: killed at the timeout, iw answers" \
	is 1 "d['ok'] and d['source']=='iw' and 300 <= d['took_ms'] < 3000"
sleep 0.2
check "the hanging iwinfo ran and is gone" \
	bash -c '[ -s "$1" ] && ! kill -0 "$(cat "$1")" 2>/dev/null' _ "$TMP/hang.pid"

WIFI_FAKE_IWINFO=hang drive -i wlp0s20f3 -I "$TMP/bin/iwinfo" -s iwinfo -t 300
check "iwinfo alone, hanging: the timeout is the error" \
	is 1 "not d['ok'] and 'iwinfo: no answer in' in d['error']"

WIFI_FAKE_IWINFO=fail WIFI_FAKE_IW=garbage drive -i wlp5s0 -I "$TMP/bin/iwinfo" -w "$TMP/bin/iw"
check "failing iwinfo, garbage iw: /proc/net/wireless" is 1 "d['ok'] and d['source']=='proc'"
check "procfs figures (netdata capture)" \
	is 1 "d['signal']==-42 and d['quality']==68 and d['noise'] is None and not d['relative'] and d['beacon_missed']==0"

WIFI_FAKE_IWINFO=fail WIFI_FAKE_IW=garbage drive -i wlan1 -I "$TMP/bin/iwinfo" -w "$TMP/bin/iw"
check "nothing works: every source's reason" \
	is 1 "not d['ok'] and d['source']=='none' and 'iwinfo: exit 1: iwinfo: driver error' in d['error'] and 'iw: unrecognised output' in d['error'] and 'proc: no row for wlan1' in d['error']"

drive -i wlan9 -I "$TMP/bin/iwinfo" -w "$TMP/bin/iw"
check "no interface: said at once, nothing run" \
	is 1 "not d['ok'] and d['error']=='no interface wlan9'"
check "no tool was run for a missing interface" [ ! -s "$TMP/log" ]

# ---- scans --------------------------------------------------------------------------------
drive -i wlp0s20f3 -I "$NOTOOL" -w "$TMP/bin/iw" -n 0 -S 1
check "scan from iw's cache (jc scan1 capture)" \
	is 1 "d['ok'] and d['source']=='iw' and d['n']==26 and d['associated']=='ac:22:05:e6:ff:24' and d['strongest']=='UPCCDB29F5' and d['channel']==36 and d['neighbours']==0 and d['suggest']==36"
check "no off-channel scan unless allowed: 'scan dump' only" \
	test "$(grep -c '^iw dev wlp0s20f3 scan dump$' "$TMP/log")" = 1 -a "$(calls iw)" = 1

drive -i wlp0s20f3 -I "$NOTOOL" -w "$TMP/bin/iw" -n 0 -S 1 -T
check "allowed: 'iw dev IF scan' (jc scan0 capture)" \
	is 1 "d['ok'] and d['source']=='iw' and d['n']==2 and d['associated'] is None"
check "the trigger ran" grep -q '^iw dev wlp0s20f3 scan$' "$TMP/log"

drive -i wlp0s20f3 -I "$NOTOOL" -w "$NOTOOL" -n 0 -S 1
check "no nl80211, no iw: scanning not available" \
	is 1 "not d['ok'] and d['source']=='none' and d['error'].startswith('scanning not available') and 'iw: not installed' in d['error']"

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]

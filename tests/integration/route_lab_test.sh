#!/bin/bash
# shellcheck disable=SC2054  # -fsanitize=a,b
# The route backend against a real kernel: the lab (lab/lab.sh, LAB_RULES=0
# so the backend owns tables and rules) with uplinks wan, sl and lte.
# tests/integration/route_drive runs the backend in the router namespace,
# fed by linkmon as the daemon feeds it, and answers commands with JSON.
# Checks, in order:
#   none     the observe backend changes nothing (routes, rules, conntrack
#            compared before/after) yet reports what it would do;
#   switch   activate wan: default routes v4+v6 via wan, the LAN reaches the
#            internet NATed to wan's address; then sl;
#   flows    activate sl with the flush: the LAN's TCP flow NATed to wan's
#            address is deleted from conntrack (the client sees a reset at
#            once) while a flow pinned to lte keeps its entry and runs on;
#   tables   with sl active, traffic bound to wan (device, source address,
#            fwmark) still leaves through wan (ISP-side packet counters);
#   repair   admin-down/up of wan deletes its IPv4 routes silently: the
#            backend reinstalls them (and the IPv6 ones once the address is
#            back); time to repair printed;
#   enobufs  a tiny event buffer + 3000 routes of churn while the loop
#            stalls, one of our routes deleted meanwhile: ENOBUFS counted,
#            resync run, the route back;
#   adopt    a second instance adopts the state without touching the default
#            route (`ip monitor route` sees nothing);
#   restore  shutdown with ROUTE_RESTORE removes rules and member tables and
#            keeps the default route (nothing else would carry traffic).
#
# usage: route_lab_test.sh [BUILD_DIR]   links BUILD_DIR/libautonomy.a when
#        present, else compiles the sources (ASan+UBSan unless
#        ROUTE_SANITIZE=0). Needs root. Prints "N passed, N failed" last.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export LAB_PREFIX="rt$$" LAB_RULES=0
P=$LAB_PREFIX
TMP=$(mktemp -d "/tmp/route_lab.XXXXXX")
DRIVE="$TMP/route_drive"
PY=/usr/bin/python3
PASS=0
FAIL=0
DPID=""
MONPID=""
MEMBERS=(wan=wan,table=101,mark=0x100/0xff00,gw6=2001:db8:1::1
	sl=sl,table=102,mark=0x200/0xff00,gw6=2001:db8:2::1
	lte=lte,table=103,mark=0x300/0xff00)

if [ "$(id -u)" != 0 ]; then
	echo "skip: needs root (network namespaces)"
	echo "0 passed, 0 failed"
	exit 77
fi

cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null
	[ -n "$MONPID" ] && kill "$MONPID" 2>/dev/null
	"$ROOT/lab/lab.sh" down >/dev/null 2>&1
	[ -n "${ROUTE_KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { PASS=$((PASS + 1)); echo "PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
check() { # description, then a command that must succeed
	local what=$1; shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}
finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
	exit $?
}

R() { ip netns exec "$P-router" "$@"; }
LAN() { ip netns exec "$P-lan" "$@"; }
# jv EXPR: evaluates a Python expression over the JSON object o read from stdin
jv() { "$PY" -c "import json,sys; o=json.loads(sys.stdin.read()); print($1)"; }

# ---- build -------------------------------------------------------------------
build() {
	local cflags=(-std=gnu11 -O1 -g -Wall -Wextra -Werror -Wshadow -Wformat=2
		-Wno-unused-parameter -D_GNU_SOURCE -I"$ROOT/src")
	local libs
	libs=$(pkg-config --cflags --libs libevent_core libmnl libnftnl json-c openssl) || return 1
	local lib=${1:-}/libautonomy.a
	# a library built before src/route/ existed lacks it: compile then
	if [ -n "${1:-}" ] && [ -f "$lib" ] && nm "$lib" 2>/dev/null | grep -q ' T route_new$'; then
		local san=()
		nm "$lib" 2>/dev/null | grep -q __asan_init && san=(-fsanitize=address,undefined)
		# shellcheck disable=SC2086
		gcc "${cflags[@]}" "${san[@]}" "$HERE/route_drive.c" "$lib" $libs -lm -o "$DRIVE"
	else
		local san=(-fsanitize=address,undefined -fno-omit-frame-pointer)
		[ "${ROUTE_SANITIZE:-1}" = 0 ] && san=()
		# shellcheck disable=SC2086
		gcc "${cflags[@]}" "${san[@]}" "$ROOT"/src/route/*.c "$ROOT/src/link/linkmon.c" \
			"$ROOT/src/core/log.c" "$ROOT/src/core/clock.c" "$HERE/route_drive.c" \
			$libs -o "$DRIVE"
	fi
}
if ! build "${1:-}"; then
	bad "build route_drive"
	finish
fi

# ---- the driver ----------------------------------------------------------------
# One instance at a time: commands go in through a FIFO on fd 8, answers
# (one JSON line with "cmd" each, in order) and events accumulate in
# $TMP/out.N. The answer to wait for is found by counting, so that this
# works from $(...) subshells too.
DN=0
drv_start() { # backend, then member specs
	DN=$((DN + 1))
	mkfifo "$TMP/in.$DN"
	R "$DRIVE" -b "$@" <"$TMP/in.$DN" >"$TMP/out.$DN" 2>"$TMP/err.$DN" &
	DPID=$!
	exec 8>"$TMP/in.$DN"
	drv_wait 1
}
drv_count() { grep -c '"cmd"' "$TMP/out.$DN" 2>/dev/null; }
drv_send() { echo "$*" >&8; }
# Waits for answer number N and prints it.
drv_wait() {
	local i
	for ((i = 0; i < 1000; i++)); do
		if [ "$(drv_count)" -ge "$1" ]; then
			grep '"cmd"' "$TMP/out.$DN" | sed -n "${1}p"
			return 0
		fi
		sleep 0.01
	done
	echo '{"cmd":"timeout","rc":-99}'
	return 1
}
drv() {
	local n
	n=$(drv_count)
	drv_send "$@"
	drv_wait $((n + 1))
}
drv_stop() {
	drv "quit ${1:-keep}" >/dev/null
	exec 8>&-
	wait "$DPID" 2>/dev/null
	DPID=""
}
status() { drv status | jv "json.dumps(o['status'])"; }

snapshot() {
	{
		R ip route show table all
		R ip -6 route show table all
		R ip rule show
		R ip -6 rule show
	} | grep -v -e 'fe80::' -e 'expires'
}

# Waits up to 3 s for CMD's output to contain TEXT; prints the ms it took.
wait_for() { # text, cmd...
	local text=$1; shift
	local t0=${EPOCHREALTIME/./} i
	for ((i = 0; i < 300; i++)); do
		if "$@" 2>/dev/null | grep -q -- "$text"; then
			echo $(((${EPOCHREALTIME/./} - t0) / 1000))
			return 0
		fi
		sleep 0.01
	done
	return 1
}

# ---- the lab ---------------------------------------------------------------------
if ! "$ROOT/lab/lab.sh" up >"$TMP/lab.log" 2>&1; then
	bad "lab up: $(tail -3 "$TMP/lab.log")"
	finish
fi
R sysctl -q -w net.netfilter.nf_conntrack_timestamp=1 >/dev/null 2>&1
# lte's IPv6 gateway is not configured: it is learnt from this route
R ip -6 route add default via 2001:db8:3::1 dev lte table 250 proto static metric 500

# ---- 7: none changes nothing ----------------------------------------------------------
test_none() {
	"$ROOT/lab/lab.sh" route-default wan
	LAN curl -s -m 2 -o /dev/null http://198.51.100.1/ip
	local before after ct_before ct_after line st
	before=$(snapshot)
	ct_before=$(R grep -c 'dst=10.1.0.2 ' /proc/net/nf_conntrack)
	drv_start none "${MEMBERS[@]}" >/dev/null
	drv "activate wan" >/dev/null
	line=$(drv "activate sl flush")
	st=$(status)
	drv "verify" >/dev/null
	drv_stop restore
	after=$(snapshot)
	ct_after=$(R grep -c 'dst=10.1.0.2 ' /proc/net/nf_conntrack)
	check "none: routes and rules unchanged" [ "$before" = "$after" ]
	check "none: conntrack untouched ($ct_before entries NATed to wan)" \
		[ "$ct_before" -ge 1 -a "$ct_before" = "$ct_after" ]
	check "none: reports a dry run with changes" \
		[ "$(jv 'o["result"]["dry_run"] and o["result"]["changes"] > 10' <<<"$line")" = True ]
	check "none: would flush the wan entries, deleted none" \
		[ "$(jv 'o["result"]["ct_matched"] >= 1 and o["result"]["ct_deleted"] == 0' <<<"$line")" = True ]
	check "none: status lists what it would do" \
		[ "$(jv 'any("via 10.2.0.1 dev sl table main" in x for x in o["pending"])' <<<"$st")" = True ]
	"$ROOT/lab/lab.sh" route-default none
}
test_none

# ---- 1: activate wan, then sl ------------------------------------------------------------
drv_start netlink "${MEMBERS[@]}" >/dev/null
test_switch() {
	local line
	line=$(drv "activate wan")
	check "activate wan: verified" [ "$(jv 'o["rc"] == 0 and o["result"]["verified"]' <<<"$line")" = True ]
	echo "  activate wan: $(jv 'o["result"]["took_us"]' <<<"$line") us, $(jv 'o["result"]["changes"]' <<<"$line") changes"
	check "default v4 via 10.1.0.1 dev wan" bash -c "ip netns exec $P-router ip route show default | grep -q 'default via 10.1.0.1 dev wan proto 165'"
	check "default v6 via 2001:db8:1::1 dev wan" bash -c "ip netns exec $P-router ip -6 route show default | grep -q 'default via 2001:db8:1::1 dev wan proto 165'"
	check "LAN v4 NATed to wan" [ "$(LAN curl -s -m 2 http://198.51.100.1/ip)" = 10.1.0.2 ]
	check "LAN v6 NATed to wan" [ "$(LAN curl -s -m 2 'http://[2001:db8:ffff::1]/ip')" = 2001:db8:1::2 ]
	local st
	st=$(status)
	check "lte's IPv6 gateway learnt from someone's route (table 250)" \
		[ "$(jv '[m["gw6"] for m in o["members"] if m["name"] == "lte"][0] == {"via": "2001:db8:3::1", "source": "route", "table": 250, "protocol": 4}' <<<"$st")" = True ]
	check "wan's IPv4 gateway learnt as the /30 peer" \
		[ "$(jv 'o["members"][0]["gw4"]["source"]' <<<"$st")" = peer ]
	CT_OK=$(jv 'o["conntrack"]["available"]' <<<"$st")
	if [ "$CT_OK" = True ]; then
		ok "conntrack available ($(jv 'o["conntrack"]["entries"]' <<<"$st") entries)"
	else
		echo "SKIP: conntrack flush: $(jv 'o["conntrack"]["error"]' <<<"$st") (status warns: $(jv 'o["warnings"]' <<<"$st"))"
	fi
}
CT_OK=False
test_switch

# ---- 2: flows: flush the old uplink's NAT entries only -------------------------------------
cat >"$TMP/flow.py" <<'EOF'
import socket, sys, time
host, dur = sys.argv[1], float(sys.argv[2])
s = socket.create_connection((host, 7), timeout=3)
print("connected", flush=True)
t0, n = time.monotonic(), 0
try:
    while time.monotonic() - t0 < dur:
        s.sendall(b"ping\n")
        if not s.recv(100):
            raise EOFError("eof")
        n += 1
        time.sleep(0.05)
    print("done", n, flush=True)
except Exception as e:
    print("error", type(e).__name__, round(time.monotonic() - t0, 3), n, flush=True)
EOF
# Without ctnetlink only the switch itself is checked; the status said why.
test_switch_no_ct() {
	local line
	line=$(drv "activate sl flush")
	check "activate sl: verified" [ "$(jv 'o["rc"] == 0 and o["result"]["verified"]' <<<"$line")" = True ]
	check "activate sl: the flush failure is reported" \
		[ "$(jv 'o["result"]["ct_deleted"] <= 0 and o["result"]["error"] != ""' <<<"$line")" = True ]
}

test_flows() {
	if [ "$CT_OK" != True ]; then
		test_switch_no_ct
		return
	fi
	# a flow pinned to lte by a rule of the test's own (not ours: it stays)
	R ip rule add pref 900 to 198.51.100.2 lookup 103
	LAN "$PY" "$TMP/flow.py" 198.51.100.1 20 >"$TMP/flowA" 2>&1 &
	local pa=$!
	LAN "$PY" "$TMP/flow.py" 198.51.100.2 5 >"$TMP/flowB" 2>&1 &
	local pb=$!
	sleep 2
	local a_before b_before line
	a_before=$(R grep 'dport=7 ' /proc/net/nf_conntrack | grep -c 'dst=198.51.100.1 .*dst=10.1.0.2 ')
	b_before=$(R grep 'dport=7 ' /proc/net/nf_conntrack | grep -c 'dst=198.51.100.2 .*dst=10.3.0.2 ')
	check "flows: A NATed to wan, B NATed to lte" [ "$a_before" = 1 -a "$b_before" = 1 ]
	line=$(drv "activate sl flush")
	echo "  activate sl: $(jv 'o["result"]["took_us"]' <<<"$line") us; conntrack: $(jv 'o["result"]["ct_deleted"]' <<<"$line") deleted in $(jv 'o["result"]["ct_took_us"]' <<<"$line") us"
	check "activate sl: verified, conntrack entries deleted" \
		[ "$(jv 'o["rc"] == 0 and o["result"]["verified"] and o["result"]["ct_deleted"] >= 1' <<<"$line")" = True ]
	check "default v4 moved to sl" bash -c "ip netns exec $P-router ip route show default | grep -q 'default via 10.2.0.1 dev sl'"
	check "default v6 moved to sl" bash -c "ip netns exec $P-router ip -6 route show default | grep -q 'default via 2001:db8:2::1 dev sl'"
	check "no entry NATed to wan's address is left for flow A" \
		[ "$(R grep 'dport=7 ' /proc/net/nf_conntrack | grep -c 'dst=198.51.100.1 .*dst=10.1.0.2 ')" = 0 ]
	wait "$pa"
	local a
	a=$(tail -1 "$TMP/flowA")
	echo "  flow A: $a (started 2 s before the switch)"
	check "flow A was reset at once (not left hanging)" \
		bash -c "[[ '$a' == 'error Connection'* || '$a' == 'error BrokenPipe'* || '$a' == 'error EOFError'* ]]"
	local b_entry
	b_entry=$(R grep 'dport=7 ' /proc/net/nf_conntrack | grep 'dst=198.51.100.2 .*dst=10.3.0.2 ')
	check "flow B's entry kept (created before the switch: delta-time >= 2)" \
		bash -c "[[ '$b_entry' =~ delta-time=([0-9]+) ]] && [ \${BASH_REMATCH[1]} -ge 2 ]"
	wait "$pb"
	check "flow B ran on untouched: $(tail -1 "$TMP/flowB")" grep -q '^done' "$TMP/flowB"
	check "LAN v4 now NATed to sl" [ "$(LAN curl -s -m 2 http://198.51.100.1/ip)" = 10.2.0.2 ]
	R ip rule del pref 900 to 198.51.100.2 lookup 103
}
test_flows

# ---- 3: member tables keep bound traffic on its uplink --------------------------------------
rx() { ip -n "$P-isp-$1" -s -j link show cpe | jv 'o[0]["stats64"]["rx"]["packets"]'; }
test_tables() {
	local n0 n1
	n0=$(rx wan)
	check "sl active: ping -I wan (device)" R ping -q -c 2 -i 0.2 -W 1 -I wan 198.51.100.1
	check "sl active: ping -I 10.1.0.2 (source)" R ping -q -c 2 -i 0.2 -W 1 -I 10.1.0.2 198.51.100.1
	check "sl active: ping -m 256 (fwmark 0x100 of wan)" R ping -q -c 2 -i 0.2 -W 1 -m 256 198.51.100.1
	check "sl active: ping -6 -I wan" R ping -q -6 -c 2 -i 0.2 -W 1 -I wan 2001:db8:ffff::1
	check "sl active: ping -I lte" R ping -q -c 2 -i 0.2 -W 1 -I lte 198.51.100.1
	n1=$(rx wan)
	check "the wan-bound pings left through wan ($((n1 - n0)) packets at isp-wan)" [ $((n1 - n0)) -ge 8 ]
}
test_tables

# ---- 4: admin-down/up: reinstall --------------------------------------------------------------
test_repair() {
	drv "activate wan" >/dev/null
	R ip link set wan down
	check "admin-down deleted wan's IPv4 default" bash -c "! ip netns exec $P-router ip route show default | grep -q wan"
	local line ms ms6
	line=$(drv "activate wan")
	check "activate on a down device fails clearly" \
		[ "$(jv 'o["rc"] == -1 and "down" in o["result"]["error"]' <<<"$line")" = True ]
	R ip link set wan up
	if ms=$(wait_for 'default via 10.1.0.1 dev wan' R ip route show default); then
		ok "IPv4 default via wan reinstalled after up (${ms} ms)"
	else
		bad "IPv4 default via wan reinstalled after up"
	fi
	check "table 101 default reinstalled" bash -c "ip netns exec $P-router ip route show table 101 | grep -q 'default via 10.1.0.1 dev wan'"
	# the lab's router does not keep IPv6 addresses over a down: netifd would add it back
	R ip -6 addr add 2001:db8:1::2/64 dev wan nodad
	if ms6=$(wait_for 'default via 2001:db8:1::1 dev wan' R ip -6 route show default); then
		ok "IPv6 default via wan back once the address is (${ms6} ms)"
	else
		bad "IPv6 default via wan back once the address is"
	fi
	check "status: repairs counted, nothing pending" \
		[ "$(status | jv 'o["counts"]["repairs"] >= 1 and o["pending"] == []')" = True ]
	check "LAN v4 via wan again" [ "$(LAN curl -s -m 2 http://198.51.100.1/ip)" = 10.1.0.2 ]
}
test_repair

# ---- 5: ENOBUFS → resync -----------------------------------------------------------------------
test_enobufs() {
	drv "rcvbuf 1024" >/dev/null
	local n
	n=$(drv_count)
	drv_send "stall 1500"
	sleep 0.2
	{
		for i in $(seq 1 3000); do
			echo "route add 172.$((16 + i / 250)).$((i % 250)).0/24 dev lo table 200"
		done
		echo "route del default table 102"
	} >"$TMP/churn"
	R ip -batch "$TMP/churn"
	drv_wait $((n + 1)) >/dev/null  # the stall's answer
	drv "wait 500" >/dev/null
	local st
	st=$(status)
	echo "  enobufs=$(jv 'o["counts"]["enobufs"]' <<<"$st") resyncs=$(jv 'o["counts"]["resyncs"]' <<<"$st") events=$(jv 'o["counts"]["events"]' <<<"$st")"
	check "ENOBUFS seen and a resync run" [ "$(jv 'o["counts"]["enobufs"] >= 1 and o["counts"]["resyncs"] >= 1' <<<"$st")" = True ]
	check "the route deleted during the overrun is back" bash -c "ip netns exec $P-router ip route show table 102 | grep -q 'default via 10.2.0.1 dev sl'"
	drv "rcvbuf 2097152" >/dev/null
	R ip route flush table 200
	check "verify: in sync" [ "$(drv verify | jv 'o["differences"]')" = 0 ]
}
test_enobufs

# ---- 6: restart adoption without a blip ----------------------------------------------------------
test_adopt() {
	drv_stop keep
	R ip monitor route >"$TMP/monitor" 2>&1 &
	MONPID=$!
	sleep 0.3
	drv_start netlink "${MEMBERS[@]}" >/dev/null
	local st line
	st=$(status)
	check "second instance adopted wan" \
		[ "$(jv 'o["adopted"] and o["active"] == "wan" and o["counts"]["changes"] == 0' <<<"$st")" = True ]
	line=$(drv "activate wan")
	check "activate wan again: nothing sent" \
		[ "$(jv 'o["rc"] == 0 and o["result"]["changes"] == 0 and o["result"]["verified"]' <<<"$line")" = True ]
	sleep 0.3
	kill "$MONPID" 2>/dev/null
	wait "$MONPID" 2>/dev/null
	MONPID=""
	check "ip monitor: no default route deleted or added" bash -c "! grep -E '^(Deleted )?default' '$TMP/monitor'"
}
test_adopt

# ---- 8: shutdown with restore ---------------------------------------------------------------------
test_restore() {
	drv_stop restore
	check "restore: no rule of ours left" bash -c "! ip netns exec $P-router ip rule show | grep -q 'proto 165'"
	check "restore: member tables emptied" bash -c "[ -z \"\$(ip netns exec $P-router ip route show table 101)\" ]"
	check "restore: default route kept (nothing else would carry traffic)" \
		bash -c "ip netns exec $P-router ip route show default | grep -q 'via 10.1.0.1 dev wan proto 165'"
}
test_restore

for f in "$TMP"/err.*; do
	if grep -q -E 'AddressSanitizer|runtime error|LeakSanitizer' "$f"; then
		bad "sanitizer report in $f: $(grep -m1 -E 'AddressSanitizer|runtime error|LeakSanitizer' "$f")"
	fi
done
finish

#!/bin/bash
# linkmon against a real kernel, in network namespaces.
#
# Router namespace A holds veth0 and veth1; their peers dn0 and dn1 live in
# namespace B (the "ISP"). linkmon_watch runs in A and prints one line per
# event with a monotonic timestamp; this script changes things and checks
# each event appears. Carrier loss is caused the way an uplink loses it: the
# far end goes down. Its latency is measured against the same clock
# (linkmon_watch --exec stamps the start and end of the `ip` command).
#
# Why two pairs: the kernel's linkwatch delivers a carrier change at once
# only if it is "urgent", and for a device whose iflink equals its own
# ifindex (every physical NIC; a veth whose peer in another namespace got
# the same index) carrier-off is not: it waits for linkwatch's
# one-run-per-second limit, up to ~1 s. veth0 is pinned to that case (same
# index both ends), veth1 to the urgent one (different indices).
#
# Needs root. LINKMON_WATCH=path uses a prebuilt driver; otherwise it is
# built from the tree. Prints "N passed, N failed" last; exit 0 / 1
# (77: skipped, not root).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
P="lmt$$"
NSA="${P}a"
NSB="${P}b"
TMP=$(mktemp -d "/tmp/${P}.XXXXXX")
OUT="$TMP/watch.out"
OUT2="$TMP/watch2.out"
WPID=""
WPID2=""
PASS=0
FAIL=0
SAMPLES=${LINKMON_SAMPLES:-5}

if [ "$(id -u)" != 0 ]; then
	echo "skip: needs root (network namespaces)"
	echo "0 passed, 0 failed"
	exit 77
fi

cleanup() {
	for pid in $WPID $WPID2; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	# Only processes living in our own namespaces.
	for ns in "$NSA" "$NSB"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { PASS=$((PASS + 1)); echo "PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }

# ---- build ------------------------------------------------------------------
WATCH=${LINKMON_WATCH:-}
if [ -z "$WATCH" ]; then
	WATCH="$TMP/linkmon_watch"
	# shellcheck disable=SC2046
	if ! gcc -std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -I"$ROOT/src" \
		"$ROOT/src/link/linkmon.c" "$ROOT/src/core/log.c" "$ROOT/src/core/clock.c" \
		"$ROOT/src/core/nlwalk.c" \
		"$HERE/linkmon_watch.c" $(pkg-config --cflags --libs libmnl libevent_core) \
		-o "$WATCH"; then
		bad "build linkmon_watch"
		echo "$PASS passed, $FAIL failed"
		exit 1
	fi
fi

# ---- helpers ------------------------------------------------------------------
now_ns() { date +%s%N; }
nlines() { wc -l <"${1:-$OUT}"; }

# wait_line FILE FROM_LINE REGEX [TIMEOUT_S]: first line after FROM_LINE
# matching REGEX, printed; non-zero on timeout.
wait_line() {
	local file=$1 from=$2 re=$3 t=${4:-5} line
	local deadline=$(($(now_ns) + t * 1000000000))
	while :; do
		line=$(tail -n +"$((from + 1))" "$file" | grep -E -m1 -- "$re") && {
			echo "$line"
			return 0
		}
		[ "$(now_ns)" -gt "$deadline" ] && return 1
		sleep 0.005
	done
}

# expect DESC REGEX [FROM_LINE]: the watcher prints a matching line.
expect() {
	local desc=$1 re=$2 from=${3:-$MARK}
	if wait_line "$OUT" "$from" "$re" 5 >/dev/null; then
		ok "$desc"
	else
		bad "$desc (no line matching '$re')"
		tail -n +"$((from + 1))" "$OUT" | sed 's/^/    | /' | tail -20
	fi
}

mark() { MARK=$(nlines); }

# stamp CMD...: runs CMD; sets T0/T1 (monotonic µs at its start and end).
stamp() {
	local line
	line=$("$WATCH" --exec "$@") || return 1
	read -r _ T0 T1 _ <<<"$line"
}

start_watcher() { # OUTFILE [ARGS...] → pid in LAST_PID
	local out=$1
	shift
	ip netns exec "$NSA" "$WATCH" "$@" >"$out" 2>"$out.err" &
	LAST_PID=$!
	wait_line "$out" 0 '^READY$' 5 >/dev/null
}

# ---- topology -------------------------------------------------------------------
ip netns add "$NSA" && ip netns add "$NSB" || { bad "netns add"; exit 1; }
ip -n "$NSA" link set lo up
ip link add veth0 index 5 netns "$NSA" type veth peer name dn0 index 5 netns "$NSB" &&
	ip link add veth1 index 6 netns "$NSA" type veth peer name dn1 index 16 netns "$NSB" ||
	{ bad "veth"; exit 1; }
for d in veth0 veth1; do ip -n "$NSA" link set "$d" up; done
for d in dn0 dn1; do ip -n "$NSB" link set "$d" up; done

start_watcher "$OUT" && WPID=$LAST_PID || { bad "watcher start"; cat "$OUT.err"; exit 1; }
ok "watcher started"
mark
# The initial table holds veth0; wait until it is seen with carrier.
if grep -qE '^STATE veth0 .*carrier=1' "$OUT" ||
	wait_line "$OUT" 0 'CHANGE veth0 carrier=1' 5 >/dev/null; then
	ok "initial table has veth0 with carrier"
else
	bad "initial table has veth0 with carrier"
fi

# ---- carrier loss / back, with latency ------------------------------------------
fmt() { # "a:b" samples → µs after ip start (µs after ip exit)
	local x out=""
	for x in "$@"; do out+=" ${x%%:*}(${x##*:})"; done
	echo "$out"
}

# measure PEER DEV: SAMPLES rounds of peer down / up; prints latencies.
measure() {
	local peer=$1 dev=$2 i line ts loss=() back=()
	for i in $(seq 1 "$SAMPLES"); do
		mark
		stamp ip -n "$NSB" link set "$peer" down
		if line=$(wait_line "$OUT" "$MARK" "^[0-9]+ CHANGE $dev carrier=0" 5); then
			ts=${line%% *}
			loss+=("$((ts - T0)):$((ts - T1))")
		else
			bad "$dev: carrier loss event (sample $i)"
			continue
		fi
		mark
		stamp ip -n "$NSB" link set "$peer" up
		if line=$(wait_line "$OUT" "$MARK" "^[0-9]+ CHANGE $dev carrier=1" 5); then
			ts=${line%% *}
			back+=("$((ts - T0)):$((ts - T1))")
			# Operstate follows carrier; wait for UP before the next round.
			wait_line "$OUT" "$MARK" "CHANGE $dev carrier=1 oper=6" 5 >/dev/null
		else
			bad "$dev: carrier back event (sample $i)"
		fi
		sleep 0.2
	done
	[ "${#loss[@]}" = "$SAMPLES" ] && ok "$dev: carrier loss seen $SAMPLES/$SAMPLES times"
	[ "${#back[@]}" = "$SAMPLES" ] && ok "$dev: carrier back seen $SAMPLES/$SAMPLES times"
	echo "$dev carrier-loss latency us, from ip start (from ip exit):$(fmt "${loss[@]}")"
	echo "$dev carrier-back latency us, from ip start (from ip exit):$(fmt "${back[@]}")"
}
echo "veth0: ifindex == peer's (like a physical NIC: non-urgent linkwatch)"
measure dn0 veth0
echo "veth1: ifindex != peer's (urgent linkwatch)"
measure dn1 veth1

# A plain down on the peer reports LOWERLAYERDOWN or DOWN, never UP.
mark
ip -n "$NSB" link set dn0 down
expect "carrier loss: oper not up" 'CHANGE veth0 carrier=0 oper=[23] admin=1'
ip -n "$NSB" link set dn0 up
expect "carrier back: oper up" 'CHANGE veth0 carrier=1 oper=6 admin=1'

# ---- addresses --------------------------------------------------------------------
mark
ip -n "$NSA" addr add 192.0.2.1/24 dev veth0
expect "IPv4 address added" '^[0-9]+ ADDR veth0 .*\+192\.0\.2\.1/24'
mark
ip -n "$NSA" addr del 192.0.2.1/24 dev veth0
expect "IPv4 address removed" '^[0-9]+ ADDR veth0 .*-192\.0\.2\.1/24'
mark
ip -n "$NSA" addr add 2001:db8::1/64 dev veth0 nodad
expect "IPv6 address added" '^[0-9]+ ADDR veth0 .*\+2001:db8::1/64'
mark
ip -n "$NSA" addr del 2001:db8::1/64 dev veth0
expect "IPv6 address removed" '^[0-9]+ ADDR veth0 .*-2001:db8::1/64'
# With DAD the address is announced tentative, then again when usable.
mark
ip -n "$NSA" addr add 2001:db8::2/64 dev veth0
expect "IPv6 address with DAD added" '^[0-9]+ ADDR veth0 .*\+2001:db8::2/64'
ip -n "$NSA" addr del 2001:db8::2/64 dev veth0

# ---- admin down / up of our own side ----------------------------------------------
mark
ip -n "$NSA" link set veth0 down
expect "admin down" '^[0-9]+ CHANGE veth0 carrier=0 oper=2 admin=0'
mark
ip -n "$NSA" link set veth0 up
expect "admin up" '^[0-9]+ CHANGE veth0 carrier=1 oper=6 admin=1'

# ---- rename -----------------------------------------------------------------------
mark
ip -n "$NSA" link set veth0 down
ip -n "$NSA" link set veth0 name wan0
expect "rename: old name deleted" '^[0-9]+ DEL veth0 '
expect "rename: new name appears" '^[0-9]+ NEW wan0 idx='
ip -n "$NSA" link set wan0 up
expect "renamed link comes up" '^[0-9]+ CHANGE wan0 carrier=1 oper=6 admin=1'

# ---- lost events: ENOBUFS and resync ------------------------------------------------
# A second watcher with the smallest receive buffer, stalled while things
# change: the kernel drops events for it, and it must resync to the truth.
if start_watcher "$OUT2" --rcvbuf 1; then
	WPID2=$LAST_PID
	from=$(nlines "$OUT2")
	kill -USR1 "$WPID2"
	wait_line "$OUT2" "$from" '^STALL$' 5 >/dev/null
	for _ in $(seq 1 10); do
		ip -n "$NSB" link set dn0 down
		ip -n "$NSB" link set dn0 up
	done
	ip -n "$NSA" addr add 198.51.100.7/24 dev wan0
	ip -n "$NSB" link set dn0 down
	wait_line "$OUT2" "$from" '^UNSTALL$' 5 >/dev/null
	if wait_line "$OUT2" "$from" 'ADDR wan0 .*\+198\.51\.100\.7/24' 5 >/dev/null; then
		ok "address added during the stall reported"
	else
		bad "address added during the stall reported"
	fi
	sleep 0.3
	from=$(nlines "$OUT2")
	kill -USR2 "$WPID2"
	if line=$(wait_line "$OUT2" "$from" '^STATS ' 5); then
		echo "stalled watcher: $line"
		resyncs=$(sed -n 's/.*resyncs=\([0-9]*\).*/\1/p' <<<"$line")
		if [ "${resyncs:-0}" -ge 1 ]; then ok "ENOBUFS caused a resync"; else bad "ENOBUFS caused a resync"; fi
	else
		bad "stats from stalled watcher"
	fi
	if wait_line "$OUT2" "$from" '^STATE wan0 .*carrier=0 oper=[23] admin=1' 10 >/dev/null; then
		ok "after resync: wan0 without carrier, as in the kernel"
	else
		bad "after resync: wan0 without carrier, as in the kernel"
		tail -n +"$((from + 1))" "$OUT2" | sed 's/^/    | /'
	fi
	# The first watcher (large buffer) lost nothing and saw the same end.
	expect "unstalled watcher saw the last carrier loss" 'CHANGE wan0 carrier=0'
	ip -n "$NSB" link set dn0 up
else
	bad "second watcher start"
fi

# ---- delete ---------------------------------------------------------------------
mark
ip -n "$NSA" link del wan0
expect "delete" '^[0-9]+ DEL wan0 idx='

# ---- churn: resyncs racing device creation/deletion -------------------------------
# Devices come and go while resyncs run (their dumps may be interrupted:
# NLM_F_DUMP_INTR); afterwards the table must equal the kernel's.
(
	for i in $(seq 1 40); do
		ip -n "$NSA" link add "c$i" type veth peer name "d$i"
		ip -n "$NSA" link set "c$i" up
		[ $((i % 3)) = 0 ] || ip -n "$NSA" link del "c$i"
	done
) &
CHURN=$!
for _ in $(seq 1 40); do
	kill -HUP "$WPID"
	sleep 0.02
done
wait "$CHURN"
kill -HUP "$WPID"
# The churn's last events and the resync may still be on their way: ask for
# the table until it equals the kernel's, with a generous deadline (a busy
# machine is slow, not wrong), instead of after a fixed pause.
want=$(ip -n "$NSA" -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort | tr '\n' ' ')
have="" settled=0
for _ in $(seq 1 50); do
	mark
	kill -USR2 "$WPID"
	wait_line "$OUT" "$MARK" '^STATE_END$' 5 >/dev/null || break
	have=$(tail -n +"$((MARK + 1))" "$OUT" | sed -n 's/^STATE \([^ ]*\) .*/\1/p' | sort | tr '\n' ' ')
	[ "$have" = "$want" ] && { settled=1; break; }
	sleep 0.2
done
if [ "$settled" = 1 ]; then
	ok "after churn and resyncs the table equals the kernel's ($(wc -w <<<"$want") links)"
else
	bad "after churn: table [$have] != kernel [$want]"
fi

# ---- the end: no parse errors on real kernel messages -------------------------------
mark
kill -USR2 "$WPID"
if line=$(wait_line "$OUT" "$MARK" '^STATS ' 5); then
	echo "watcher: $line"
	if grep -q 'errors=0 ' <<<"$line"; then ok "no errors"; else bad "errors on real messages"; fi
	if grep -q 'enobufs=0' <<<"$line"; then ok "large buffer: no ENOBUFS"; else bad "large buffer overran"; fi
else
	bad "stats"
fi
if [ -s "$OUT.err" ]; then
	echo "watcher stderr:"
	sed 's/^/    | /' "$OUT.err"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]

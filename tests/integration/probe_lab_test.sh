#!/bin/bash
# shellcheck disable=SC2046,SC2054  # $(member X) splits on purpose; -fsanitize=a,b
# The probe engine against a real kernel: the lab (lab/lab.sh) with uplinks
# wan, sl and lte, each through its own ISP namespace to the "internet".
# tests/integration/probe_drive runs one prober per uplink in the router
# namespace and prints one JSON line per outcome; this script asserts:
#   - ICMP v4+v6, TCP, DNS, HTTP and HTTPS probes get replies through each
#     uplink, all three probers in one process; also to each gateway's
#     link-local address, with raw sockets instead of ping sockets, and with
#     a fwmark on every packet;
#   - `impair.sh sl delay 50` adds 50 ms +-10 % to the ICMP RTT on sl only;
#   - `impair.sh sl blackhole`: every probe on sl is lost, wan keeps answering;
#   - probes bound to an uplink never leave through another: with wan cut and
#     the router's default route on sl, every probe on wan fails, and nft
#     counters in the ISP namespaces show wan's probes only ever at isp-wan;
#   - a reply delayed 400 ms with a 200 ms loss timeout is LOST, then LATE;
#   - ICMP port unreachable ends a DNS probe at once; send errors are
#     reported (no such device, no source address); TCP and HTTP probes
#     leave no TIME_WAIT behind.
# Extra peers (tests/integration/probe_peers.py, in the inet namespace):
# DNS on port 5353 answering from the queried address, HTTPS on 443.
#
# usage: probe_lab_test.sh [BUILD_DIR]   BUILD_DIR/libautonomy.a is linked
#        when present, else the sources are compiled (with ASan+UBSan unless
#        PROBE_SANITIZE=0). Needs root. Prints "N passed, N failed" last.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export LAB_PREFIX="pt$$"
TMP=$(mktemp -d "/tmp/probe_lab.XXXXXX")
DRIVE="$TMP/probe_drive"
PY=/usr/bin/python3
PASS=0
FAIL=0

if [ "$(id -u)" != 0 ]; then
	echo "skip: needs root (network namespaces)"
	echo "0 passed, 0 failed"
	exit 77
fi

cleanup() {
	"$ROOT/lab/lab.sh" down >/dev/null 2>&1
	[ -n "${PROBE_KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { PASS=$((PASS + 1)); echo "PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
check() { # description, then a command that must succeed
	local what=$1; shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

# ---- build ---------------------------------------------------------------
build() {
	local cflags=(-std=gnu11 -O1 -g -Wall -Wextra -Werror -Wshadow -Wformat=2
		-Wno-unused-parameter -D_GNU_SOURCE -I"$ROOT/src")
	local libs
	libs=$(pkg-config --libs libevent_core openssl) || return 1
	local lib=${1:-}/libautonomy.a
	if [ -n "${1:-}" ] && [ -f "$lib" ]; then
		local san=()
		nm "$lib" 2>/dev/null | grep -q __asan_init && san=(-fsanitize=address,undefined)
		# shellcheck disable=SC2086
		gcc "${cflags[@]}" "${san[@]}" "$HERE/probe_drive.c" "$lib" $libs -o "$DRIVE"
	else
		local san=(-fsanitize=address,undefined -fno-omit-frame-pointer)
		[ "${PROBE_SANITIZE:-1}" = 0 ] && san=()
		# shellcheck disable=SC2086
		gcc "${cflags[@]}" "${san[@]}" "$ROOT"/src/probe/*.c "$ROOT/src/core/log.c" \
			"$ROOT/src/core/clock.c" "$HERE/probe_drive.c" $libs -o "$DRIVE"
	fi
}
if ! build "${1:-}"; then
	bad "build probe_drive"
	echo "$PASS passed, $FAIL failed"
	exit 1
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# ---- lab and peers -------------------------------------------------------
if ! "$ROOT/lab/lab.sh" up >"$TMP/lab.log" 2>&1; then
	cat "$TMP/lab.log"
	bad "lab up"
	echo "$PASS passed, $FAIL failed"
	exit 1
fi
NS_R="$LAB_PREFIX-router"
NS_I="$LAB_PREFIX-inet"
declare -A SRC4=([wan]=10.1.0.2 [sl]=10.2.0.2 [lte]=10.3.0.2)
declare -A SRC6=([wan]=2001:db8:1::2 [sl]=2001:db8:2::2 [lte]=2001:db8:3::2)

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-keyout "$TMP/key.pem" -out "$TMP/cert.pem" -subj /CN=probe.lab \
	-addext "subjectAltName=DNS:probe.lab,IP:198.51.100.1" >/dev/null 2>&1
ip netns exec "$NS_I" setsid "$PY" "$HERE/probe_peers.py" "$TMP/peers.ready" "$TMP/cert.pem" \
	"$TMP/key.pem" 198.51.100.1 198.51.100.2 203.0.113.1 2001:db8:ffff::1 2001:db8:ffff::2 \
	>"$TMP/peers.log" 2>&1 </dev/null &
for _ in $(seq 300); do [ -s "$TMP/peers.ready" ] && break; sleep 0.01; done
[ -s "$TMP/peers.ready" ] || { cat "$TMP/peers.log"; bad "peers started"; }

impair() { "$ROOT/lab/impair.sh" "$@" >/dev/null; }

# member args for an uplink: -m DEV -4 SRC4 -6 SRC6
member() { echo "-m $1 -4 ${SRC4[$1]} -6 ${SRC6[$1]}"; }

# drive OUT ARGS...: run the driver in the router namespace
drive() {
	local out=$1; shift
	ip netns exec "$NS_R" "$DRIVE" "$@" >"$out" 2>"$out.err"
	local rc=$?
	[ $rc -eq 0 ] || { echo "probe_drive exited $rc:"; tail -20 "$out.err"; }
	return $rc
}

# q FILE EXPR: a Python expression over R (outcome lines) and S (summary)
q() {
	"$PY" -c '
import json, sys, statistics as st
R = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
S = next((r for r in R if r.get("summary")), {"members": []})
R = [r for r in R if not r.get("summary")]
M = {m["dev"]: m for m in S["members"]}
def n(dev=None, target=None, outcome=None, kind=None):
    return sum(1 for r in R if (dev is None or r["dev"] == dev) and
               (target is None or r["target"] == target) and
               (outcome is None or r["outcome"] == outcome) and
               (kind is None or r["kind"] == kind))
def rtts(dev, target, outcome="reply"):
    return [r["rtt_us"] for r in R if r["dev"] == dev and r["target"] == target and r["outcome"] == outcome]
print(eval(sys.argv[2]))' "$1" "$2"
}

is_true() { [ "$(q "$1" "$2")" = True ]; }

# ---- 1. every kind through every uplink, three probers in one loop -------
# written canonically, so each is also the label the driver prints
TARGETS=(icmp:198.51.100.1 icmp:2001:db8:ffff::1 tcp:198.51.100.1:80 "tcp:[2001:db8:ffff::2]:7"
	dns:198.51.100.1:5353 "dns:[2001:db8:ffff::2]:5353/example.com"
	"http://198.51.100.1/generate_204,status=204" "http://[2001:db8:ffff::1]/"
	https://198.51.100.1/ "https://[2001:db8:ffff::2]/generate_204,status=204,host=probe.lab")
targs=()
for t in "${TARGETS[@]}"; do targs+=(-t "$t"); done
args=()
for u in wan sl lte; do
	# shellcheck disable=SC2207
	args+=($(member $u) "${targs[@]}")
done
ROUNDS=3
if drive "$TMP/all.out" -T 1000 -i 300 -c $ROUNDS -w 1100 "${args[@]}"; then
	for u in wan sl lte; do
		for t in "${TARGETS[@]}"; do
			got=$(q "$TMP/all.out" "n('$u', '$t', 'reply')")
			if [ "$got" = $ROUNDS ]; then ok "$u: $t: $got/$ROUNDS replies"
			else bad "$u: $t: $got/$ROUNDS replies ($(q "$TMP/all.out" "[(r['outcome'], r['errstr']) for r in R if r['dev']=='$u' and r['target']=='$t']"))"; fi
		done
	done
	check "HTTPS status 204 seen with host=" is_true "$TMP/all.out" \
		"n(outcome='reply', kind='https') == 3 * 2 * $ROUNDS and all(r['status'] in (200, 204) for r in R if r['kind'] == 'https')"
	check "no connection left open after the run" is_true "$TMP/all.out" \
		"all(M[u]['sockets'] <= 4 for u in M)"
else
	bad "driver run with every kind"
fi
# per-kind bytes, from single-kind runs
drive "$TMP/bytes.out" -T 500 -i 20 -c 5 -w 600 $(member wan) -t 198.51.100.1 &&
	check "ICMPv4 probe = 44 bytes out, 44 in" is_true "$TMP/bytes.out" \
		"M['wan']['bytes_sent'] == 5 * 44 and M['wan']['bytes_received'] == 5 * 44"
drive "$TMP/bytes6.out" -T 500 -i 20 -c 5 -w 600 $(member wan) -t 2001:db8:ffff::1 &&
	check "ICMPv6 probe = 64 bytes out, 64 in" is_true "$TMP/bytes6.out" \
		"M['wan']['bytes_sent'] == 5 * 64 and M['wan']['bytes_received'] == 5 * 64"
check "TCP and HTTP probes leave no TIME_WAIT sockets" \
	test "$(ip netns exec "$NS_R" ss -Htan state time-wait | wc -l)" = 0

# the ISP gateway's link-local address: reachable only on that uplink's link
ll_args=()
for u in wan sl lte; do
	ll=$(ip -n "$LAB_PREFIX-isp-$u" -6 -o addr show dev cpe scope link | awk '{print $4}' | cut -d/ -f1)
	# shellcheck disable=SC2207
	ll_args+=($(member $u) -t "icmp:$ll")
done
drive "$TMP/ll.out" -T 500 -i 100 -c 2 -w 600 "${ll_args[@]}" &&
	check "ICMPv6 to each gateway's link-local address (6/6)" is_true "$TMP/ll.out" \
		"n(outcome='reply') == 6"

# ---- 1b. raw-socket fallback, fwmark ---------------------------------------
# Without ping_group_range permission ping sockets fail with EACCES and the
# prober uses raw sockets: each is bound to its device, so it hears only that
# uplink's echo replies (nothing to ignore), and matches them itself.
ip netns exec "$NS_R" sysctl -q -w net.ipv4.ping_group_range="1 0"
if drive "$TMP/raw.out" -T 1000 -i 100 -c 3 -w 1100 \
	$(member wan) -t icmp:198.51.100.1 -t icmp:2001:db8:ffff::1 \
	$(member sl) -t icmp:198.51.100.1 -t icmp:2001:db8:ffff::1 \
	$(member lte) -t icmp:198.51.100.1 -t icmp:2001:db8:ffff::1; then
	check "raw sockets: ICMP v4+v6 replies on each uplink (18/18)" is_true "$TMP/raw.out" \
		"n(outcome='reply') == 18"
	check "raw sockets: no foreign reply reached a member's socket" is_true "$TMP/raw.out" \
		"all(M[u]['ignored'] == 0 for u in M)"
else
	bad "driver run with raw sockets"
fi
ip netns exec "$NS_R" sysctl -q -w net.ipv4.ping_group_range="0 2147483647"

ip netns exec "$NS_R" nft -f - <<'EOF'
table inet probe_mark {
	counter marked { }
	chain out {
		type filter hook output priority 0; policy accept;
		meta mark 0x4242 counter name marked
	}
}
EOF
if drive "$TMP/mark.out" -T 1000 -i 100 -c 2 -w 1100 $(member wan) -M 0x4242 -t icmp:198.51.100.1 \
	-t icmp:2001:db8:ffff::1 -t tcp:198.51.100.1:80 -t dns:198.51.100.1:5353; then
	marked=$(ip netns exec "$NS_R" nft -j list counter inet probe_mark marked |
		"$PY" -c 'import json,sys; d=json.load(sys.stdin); print([x["counter"]["packets"] for x in d["nftables"] if "counter" in x][0])')
	check "fwmark: probe packets carry the member's mark ($marked marked, >= 10)" \
		test "$marked" -ge 10
	check "fwmark: 8/8 replies" is_true "$TMP/mark.out" "n(outcome='reply') == 8"
else
	bad "driver run with a fwmark"
fi
ip netns exec "$NS_R" nft delete table inet probe_mark

# ---- 2. delay 50 ms on sl ------------------------------------------------
rtt_run() { # OUT: 20 ICMP probes on sl and wan, v4 and v6
	drive "$1" -T 1000 -i 50 -c 20 -w 1100 $(member sl) -t 198.51.100.1 -t 2001:db8:ffff::1 \
		$(member wan) -t 198.51.100.1
}
if rtt_run "$TMP/base.out"; then
	impair sl delay 50
	if rtt_run "$TMP/delay.out"; then
		for t in icmp:198.51.100.1 icmp:2001:db8:ffff::1; do
			b=$(q "$TMP/base.out" "st.median(rtts('sl', '$t'))")
			d=$(q "$TMP/delay.out" "st.median(rtts('sl', '$t'))")
			diff=$("$PY" -c "print(round(($d - $b) / 1000, 2))")
			check "sl $t: delay 50 ms adds $diff ms (median of 20; 45..55)" \
				"$PY" -c "import sys; sys.exit(not 45 <= $diff <= 55)"
		done
		check "sl: 20/20 replies under delay" is_true "$TMP/delay.out" \
			"n('sl', 'icmp:198.51.100.1', 'reply') == 20"
		check "wan unaffected by sl's delay (median < 5 ms)" is_true "$TMP/delay.out" \
			"st.median(rtts('wan', 'icmp:198.51.100.1')) < 5000"
	else
		bad "driver run under delay"
	fi
	impair sl clear
fi

# ---- 3. blackhole on sl ---------------------------------------------------
impair sl blackhole
if drive "$TMP/bh.out" -T 300 -i 100 -c 5 -w 400 $(member sl) -t 198.51.100.1 -t 2001:db8:ffff::1 \
	-t tcp:198.51.100.1:80 -t dns:198.51.100.1:5353 $(member wan) -t 198.51.100.1 -t tcp:198.51.100.1:80; then
	check "blackhole: every probe on sl lost (20/20)" is_true "$TMP/bh.out" \
		"n('sl', outcome='lost') == 20 and n('sl', outcome='reply') == 0"
	check "blackhole: wan keeps answering (10/10)" is_true "$TMP/bh.out" \
		"n('wan', outcome='reply') == 10"
	check "blackhole: losses reported at the 300 ms timeout, not later" is_true "$TMP/bh.out" \
		"all(r['t_ms'] < 100 * 4 + 300 + 150 for r in R if r['outcome'] == 'lost')"
else
	bad "driver run under blackhole"
fi
impair sl restore

# ---- 4. a probe on one uplink never leaves through another ----------------
# Count packets from wan's addresses in every ISP namespace (nft), with the
# router's default route on sl: an unbound socket would now leave via sl.
count_rules() {
	local ns
	for u in wan sl lte; do
		ns="$LAB_PREFIX-isp-$u"
		ip netns exec "$ns" nft -f - <<-EOF
			table inet probe_count {
				counter from_wan { }
				chain pre {
					type filter hook prerouting priority -300; policy accept;
					ip saddr ${SRC4[wan]} counter name from_wan
					ip6 saddr ${SRC6[wan]} counter name from_wan
				}
			}
		EOF
	done
}
count_of() { # UPLINK: packets from wan's addresses seen at that ISP
	ip netns exec "$LAB_PREFIX-isp-$1" nft -j list counter inet probe_count from_wan |
		"$PY" -c 'import json,sys; d=json.load(sys.stdin); print([x["counter"]["packets"] for x in d["nftables"] if "counter" in x][0])'
}
reset_counts() {
	for u in wan sl lte; do ip netns exec "$LAB_PREFIX-isp-$u" nft reset counter inet probe_count from_wan >/dev/null; done
}
SEP_TARGETS=(-t 198.51.100.1 -t 2001:db8:ffff::1 -t tcp:198.51.100.1:80 -t dns:198.51.100.1:5353
	-t http://198.51.100.1/ -t https://198.51.100.1/)
if count_rules; then
	"$ROOT/lab/lab.sh" route-default sl
	# first with wan up: wan's probes reach isp-wan and nothing else
	drive "$TMP/sep0.out" -T 500 -i 100 -c 4 -w 600 $(member wan) "${SEP_TARGETS[@]}"
	w=$(count_of wan) s=$(count_of sl) l=$(count_of lte)
	check "wan up: 24/24 replies on wan" is_true "$TMP/sep0.out" "n('wan', outcome='reply') == 24"
	check "wan up: wan's probes seen at isp-wan ($w packets) only (isp-sl $s, isp-lte $l)" \
		test "$w" -ge 24 -a "$s" = 0 -a "$l" = 0
	reset_counts
	impair wan cut
	sleep 0.2
	drive "$TMP/sep1.out" -T 500 -i 100 -c 4 -w 600 $(member wan) "${SEP_TARGETS[@]}"
	w=$(count_of wan) s=$(count_of sl) l=$(count_of lte)
	check "wan cut (default route via sl): no probe on wan succeeds" is_true "$TMP/sep1.out" \
		"n('wan', outcome='reply') == 0 and n('wan') == 24"
	# the kernel took every probe for wan (they die in its neighbour queue);
	# on a busy machine the run outlasts the neighbour's resolution (~3 s)
	# and later sends are refused with EHOSTUNREACH: still never elsewhere
	check "wan cut: every probe went to wan's neighbour queue (or found it failed)" \
		is_true "$TMP/sep1.out" "M['wan']['sent'] + M['wan']['send_errors'] == 24 and all(r['outcome'] != 'send_err' or r['err'] == 113 for r in R if r['dev'] == 'wan')"
	check "wan cut: nothing from wan's addresses at any ISP (wan $w, sl $s, lte $l)" \
		test "$w" = 0 -a "$s" = 0 -a "$l" = 0
	impair wan restore
	"$ROOT/lab/lab.sh" route-default none
else
	bad "nft counters in the ISP namespaces"
fi

# ---- 5. late replies ------------------------------------------------------
impair sl delay 400
if drive "$TMP/late.out" -T 200 -L 1000 -i 250 -c 4 -w 1300 $(member sl) -t 198.51.100.1 \
	-t 2001:db8:ffff::1 -t dns:198.51.100.1:5353; then
	check "delay 400 / timeout 200: 12 LOST, then 12 LATE" is_true "$TMP/late.out" \
		"n('sl', outcome='lost') == 12 and n('sl', outcome='late') == 12 and n('sl', outcome='reply') == 0"
	check "each LATE follows its LOST, with an RTT of 400..480 ms" is_true "$TMP/late.out" \
		"all(400000 <= r['rtt_us'] < 480000 for r in R if r['outcome'] == 'late') and all([x['outcome'] for x in R if x['target'] == t][0] == 'lost' for t in set(r['target'] for r in R))"
	check "late: stats agree (lost 12, late 12, replies 0)" is_true "$TMP/late.out" \
		"(M['sl']['lost'], M['sl']['late'], M['sl']['replies']) == (12, 12, 0)"
else
	bad "driver run with late replies"
fi
impair sl restore

# ---- 6. errors --------------------------------------------------------------
if drive "$TMP/err.out" -T 2000 -i 100 -c 2 -w 2100 $(member lte) -t dns:198.51.100.1:5354 \
	-t "dns:[2001:db8:ffff::1]:5354" -m nosuchdev0 -4 10.1.0.2 -t 198.51.100.1 \
	-m wan -t 198.51.100.1; then
	check "ICMP port unreachable ends DNS probes at once (ECONNREFUSED, < 500 ms)" is_true "$TMP/err.out" \
		"n('lte', outcome='lost') == 4 and all(r['err'] == 111 and r['t_ms'] < 700 for r in R if r['dev'] == 'lte') and M['lte']['icmp_errors'] == 4"
	check "no such device: SEND_ERR ENODEV" is_true "$TMP/err.out" \
		"n('nosuchdev0', outcome='send_err') == 2 and all(r['err'] == 19 for r in R if r['dev'] == 'nosuchdev0')"
	check "no source address: SEND_ERR EADDRNOTAVAIL" is_true "$TMP/err.out" \
		"n('wan', outcome='send_err') == 2 and all(r['err'] == 99 for r in R if r['dev'] == 'wan')"
else
	bad "driver run with errors"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

#!/usr/bin/env bash
# lab/selftest.sh — build the lab, check it and measure its impairments, tear it down.
# Prints one line per check (and the measured figures), then "N passed, N failed";
# exits non-zero if anything failed. Uses its own prefix (LAB_PREFIX, default "alst") so
# that it never touches a lab someone is using. Takes ~30-40 s.
set -euo pipefail
export LAB_PREFIX=${LAB_PREFIX:-alst}
_here=${BASH_SOURCE[0]%/*}; [[ $_here == "${BASH_SOURCE[0]}" ]] && _here=.
# shellcheck source=lab/lib.sh
source "$_here/lib.sh"

LAB=$LAB_DIR/lab.sh
IMP=$LAB_DIR/impair.sh
PASS=0 FAIL=0
TMP=$(mktemp -d /tmp/lab-selftest.XXXXXX)
T_START=$EPOCHREALTIME

ok()   { PASS=$((PASS + 1)); echo "ok   - $*"; }
bad()  { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
fig()  { echo "       $*"; }
# check DESCRIPTION CMD...: pass when CMD succeeds
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
# impair.sh; a failure is counted, not fatal
imp()  { "$IMP" "$@" || bad "impair.sh $*"; }
R()    { ip netns exec "$NS_ROUTER" "$@"; }
LANX() { ip netns exec "$NS_LAN" "$@"; }
ms_since() { echo $(( (${EPOCHREALTIME/./} - ${1/./}) / 1000 )); }
# float helpers (awk): within VALUE LO HI
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }

cleanup() {
    "$LAB" down >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

# ping statistics of a ping output file: "loss_pct avg mdev"
ping_stats() {
    awk '/packet loss/ { for (i = 1; i <= NF; i++) if ($i ~ /%$/) { loss = $i; sub("%", "", loss) } }
         /^rtt/ { split($4, a, "/"); avg = a[2]; mdev = a[4] }
         END { printf "%s %s %s\n", loss == "" ? 100 : loss, avg == "" ? 0 : avg, mdev == "" ? 0 : mdev }' "$1"
}
# lost-burst statistics from a non-quiet ping output: "lost bursts mean_burst_len"
burst_stats() {
    awk -v n="$2" '/icmp_seq=/ { match($0, /icmp_seq=[0-9]+/); got[substr($0, RSTART + 9, RLENGTH - 9) + 0] = 1 }
        END { run = 0; for (i = 1; i <= n; i++) { if (!(i in got)) { lost++; run++ } else if (run) { b++; run = 0 } }
              if (run) b++; printf "%d %d %.2f\n", lost, b, b ? lost / b : 0 }' "$1"
}

[[ $EUID -eq 0 ]] || { echo "selftest: must run as root"; echo "0 passed, 1 failed"; exit 1; }
command -v ping >/dev/null || { echo "selftest: ping missing (lab.sh deps)"; echo "0 passed, 1 failed"; exit 1; }

echo "# lab selftest, prefix $P"

# ------------------------------------------------------------------ build
t=$EPOCHREALTIME
if "$LAB" up 2>"$TMP/up.err"; then ok "lab up ($(ms_since "$t") ms)"; else bad "lab up: $(cat "$TMP/up.err")"; echo "$PASS passed, $FAIL failed"; exit 1; fi
t=$EPOCHREALTIME
if "$LAB" up 2>/dev/null; then ok "lab up again: tears down, rebuilds ($(ms_since "$t") ms)"; else bad "lab up again"; fi
t=$EPOCHREALTIME
"$LAB" up 2>/dev/null || bad "lab up a third time"
BUILD_MS=$(ms_since "$t")
n=$(ip netns pids "$NS_INET" | wc -l)
check "inet services run once after repeated up (pids: $n)" test "$n" -eq 1
for ns in "${LAB_NAMESPACES[@]}"; do ns_exists "$ns" || bad "namespace $ns missing"; done
check "router has no default route" test -z "$(ip -n "$NS_ROUTER" route show default; ip -n "$NS_ROUTER" -6 route show default)"
check "router sysctls: rp_filter 0, ping_group_range, forwarding" \
    test "$(R sysctl -n net.ipv4.conf.all.rp_filter net.ipv4.conf.wan.rp_filter net.ipv4.ping_group_range net.ipv4.ip_forward net.ipv6.conf.all.forwarding | tr -s '\t\n' '  ')" = "0 0 0 2147483647 1 1 "

# ------------------------------------------------------------------ reachability
reach_all() {   # every uplink, every target, v4 and v6, by device and by source address
    local u t fails=""
    for u in "${UPLINKS[@]}"; do
        for t in "${TARGETS4[@]}" "${TARGETS6[@]}"; do
            R ping -c 1 -W 1 -I "$u" "$t" >/dev/null 2>&1 || fails+=" $u->$t"
        done
        R ping -c 1 -W 1 -I "${R4[$u]}" "${TARGETS4[0]}" >/dev/null 2>&1 || fails+=" ${R4[$u]}->${TARGETS4[0]}"
        R ping -c 1 -W 1 -I "${R6[$u]}" "${TARGETS6[0]}" >/dev/null 2>&1 || fails+=" ${R6[$u]}->${TARGETS6[0]}"
    done
    [[ -z $fails ]] || { echo "       unreachable:$fails"; return 1; }
}
check "each uplink reaches every target (ping -I dev and -I src, v4+v6)" reach_all
check "Starlink dish address $DISH4 reachable through sl" R ping -c 1 -W 1 "$DISH4" >/dev/null
services() {
    local out
    out=$(R curl -s -m 2 --interface wan -o /dev/null -w '%{http_code}' http://198.51.100.1/generate_204) && [[ $out == 204 ]] || { echo "       http 204: '$out'"; return 1; }
    out=$(R curl -s -m 2 --interface sl http://203.0.113.1/ip) && [[ $out == 10.2.0.2 ]] || { echo "       http /ip v4: '$out'"; return 1; }
    out=$(R curl -s -m 2 --interface lte "http://[2001:db8:ffff::2]/ip") && [[ $out == 2001:db8:3::2 ]] || { echo "       http /ip v6: '$out'"; return 1; }
    out=$(R "$PY" - <<'EOF'
import socket, struct
def bound(fam, typ):
    s = socket.socket(fam, typ); s.settimeout(2)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"lte"); return s
s = bound(socket.AF_INET, socket.SOCK_STREAM); s.connect(("198.51.100.2", 7)); s.sendall(b"ping"); e = s.recv(4)
q = struct.pack("!6H", 0x1234, 0x0100, 1, 0, 0, 0) + b"\x07example\x03com\x00" + struct.pack("!HH", 1, 1)
u = bound(socket.AF_INET6, socket.SOCK_DGRAM); u.sendto(q, ("2001:db8:ffff::1", 53)); r = u.recv(512)
print(e.decode(), socket.inet_ntoa(r[-4:]) if struct.unpack("!H", r[6:8])[0] == 1 else "no-answer")
EOF
) && [[ $out == "ping 198.51.100.1" ]] || { echo "       echo/dns: '$out'"; return 1; }
}
check "inet services answer: HTTP 204, /ip (v4+v6), TCP echo, DNS over v6 (bound to devices)" services

# ------------------------------------------------------------------ delay / jitter
R ping -q -c 50 -i 0.01 -I sl "${TARGETS4[0]}" >"$TMP/base" 2>&1 || true
read -r _ BASE _ < <(ping_stats "$TMP/base")
imp sl delay 50
R ping -q -c 50 -i 0.01 -I sl "${TARGETS4[0]}" >"$TMP/d50" 2>&1 || true
read -r _ D50 D50MDEV < <(ping_stats "$TMP/d50")
R ping -6 -q -c 30 -i 0.01 -I sl "${TARGETS6[0]}" >"$TMP/d50v6" 2>&1 || true
read -r _ D50V6 _ < <(ping_stats "$TMP/d50v6")
INC=$(awk -v a="$D50" -v b="$BASE" 'BEGIN { printf "%.2f", a - b }')
INC6=$(awk -v a="$D50V6" -v b="$BASE" 'BEGIN { printf "%.2f", a - b }')
check "delay 50: mean RTT +$INC ms v4 (+$INC6 v6) over base $BASE ms (45..55)" \
    eval 'within "$INC" 45 55 && within "$INC6" 45 55'
fig "delay 50 on sl: avg $D50 ms, mdev $D50MDEV ms (50 pings); v6 avg $D50V6 ms"
imp sl jitter 10
R ping -q -c 100 -i 0.03 -I sl "${TARGETS4[1]}" >"$TMP/j10" 2>&1 || true
read -r _ J_AVG J_MDEV < <(ping_stats "$TMP/j10")
check "jitter 10 (delay 50): RTT std dev $J_MDEV ms (6..14), mean $J_AVG ms (44..57)" \
    eval 'within "$J_MDEV" 6 14 && within "$J_AVG" 44 57'
imp sl clear

# ------------------------------------------------------------------ loss (independent and bursty, in parallel)
N_LOSS=2000
imp wan loss 10
imp lte loss 10 burst 5
R ping -c $N_LOSS -i 0.003 -W 1 -I wan "${TARGETS4[0]}" >"$TMP/l10" 2>&1 &
p1=$!
R ping -c $N_LOSS -i 0.003 -W 1 -I lte "${TARGETS4[2]}" >"$TMP/l10b5" 2>&1 &
p2=$!
wait $p1 $p2 || true
read -r LOSS _ _ < <(ping_stats "$TMP/l10")
read -r L_LOST L_BURSTS L_MEANB < <(burst_stats "$TMP/l10" $N_LOSS)
read -r BLOSS _ _ < <(ping_stats "$TMP/l10b5")
read -r B_LOST B_BURSTS B_MEANB < <(burst_stats "$TMP/l10b5" $N_LOSS)
check "loss 10: $LOSS % ping loss over $N_LOSS pings at 3 ms (7..13)" within "$LOSS" 7 13
fig "loss 10: $L_LOST lost in $L_BURSTS bursts, mean burst $L_MEANB (independent: ~1.1 expected)"
check "loss 10 burst 5: $BLOSS % loss (3..20), mean burst length $B_MEANB (2.5..10)" \
    eval 'within "$BLOSS" 3 20 && within "$B_MEANB" 2.5 10'
fig "loss 10 burst 5: $B_LOST lost in $B_BURSTS bursts"
imp wan clear
imp lte clear

# ------------------------------------------------------------------ rate
imp sl rate 8000
SPEED=$(R curl -s -m 10 --interface sl -o /dev/null -w '%{speed_download}' http://198.51.100.1/bytes/2000000 || echo 0)
MBIT=$(awk -v s="$SPEED" 'BEGIN { printf "%.2f", s * 8 / 1e6 }')
check "rate 8000 kbit: download $MBIT Mbit/s (6.4..8.4)" within "$MBIT" 6.4 8.4
imp sl clear
SPEED=$(R curl -s -m 10 --interface sl -o /dev/null -w '%{speed_download}' http://198.51.100.1/bytes/50000000 || echo 0)
fig "sl without impairment: $(awk -v s="$SPEED" 'BEGIN { printf "%.0f", s * 8 / 1e6 }') Mbit/s (50 MB HTTP download)"

# ------------------------------------------------------------------ cut / blackhole / restore
t=$EPOCHREALTIME
imp sl cut
seen=0
for ((i = 0; i < 200; i++)); do
    if ip -n "$NS_ROUTER" link show sl | grep -q NO-CARRIER; then seen=1; break; fi
    sleep 0.01
done
CUT_MS=$(ms_since "$t")
check "cut sl: router sees NO-CARRIER on sl after $CUT_MS ms" test $seen -eq 1
check "cut sl: no traffic through sl" eval '! R ping -c 2 -i 0.01 -W 1 -I sl "${TARGETS4[0]}" >/dev/null 2>&1'
check "cut sl: wan and lte unaffected" eval 'R ping -c 1 -W 1 -I wan "${TARGETS4[0]}" >/dev/null && R ping -c 1 -W 1 -I lte "${TARGETS4[0]}" >/dev/null'

imp lte blackhole
R ping -q -c 20 -i 0.01 -W 1 -I lte "${TARGETS4[0]}" >"$TMP/bh" 2>&1 || true
R ping -6 -q -c 10 -i 0.01 -W 1 -I lte "${TARGETS6[0]}" >"$TMP/bh6" 2>&1 || true
read -r BH _ _ < <(ping_stats "$TMP/bh")
read -r BH6 _ _ < <(ping_stats "$TMP/bh6")
# shellcheck disable=SC2034  # used in eval
LTE_LINK=$(ip -n "$NS_ROUTER" -o link show lte)
check "blackhole lte: $BH % loss v4, $BH6 % v6, carrier up" \
    eval '[[ $BH == 100 && $BH6 == 100 && $LTE_LINK == *LOWER_UP* && $LTE_LINK != *NO-CARRIER* ]]'
check "blackhole lte: the ISP gateway still answers" R ping -c 1 -W 1 -I lte "${G4[lte]}" >/dev/null

t=$EPOCHREALTIME
imp all restore
back=0
for ((i = 0; i < 300; i++)); do
    if R ping -c 1 -W 0.2 -I sl "${TARGETS4[0]}" >/dev/null 2>&1; then back=1; break; fi
done
REST_MS=$(ms_since "$t")
check "restore: sl carries traffic again after $REST_MS ms" test $back -eq 1
check "restore: every uplink reaches every target again" reach_all
clean_isps() {
    local u
    for u in "${UPLINKS[@]}"; do
        ! ip netns exec "${ISPNS[$u]}" iptables -S FORWARD | grep -q NFQUEUE || return 1
        ! ip netns exec "${ISPNS[$u]}" ip6tables -S FORWARD | grep -q NFQUEUE || return 1
        ! ip -n "${ISPNS[$u]}" route show default | grep -q blackhole || return 1
        ! tc -n "${ISPNS[$u]}" qdisc show dev cpe | grep -q tbf || return 1
    done
}
check "restore: no impairment left (no NFQUEUE rule, no tbf, no blackhole)" clean_isps

# ------------------------------------------------------------------ LAN behind NAT
check "LAN client has no way out before a default route is set" \
    eval '! LANX ping -c 1 -W 1 "${TARGETS4[0]}" >/dev/null 2>&1'
"$LAB" route-default wan
lan_via() {   # UPLINK: LAN reaches targets v4+v6 and the inet side sees the uplink's address
    local u=$1 a4 a6
    LANX ping -c 1 -W 1 "${TARGETS4[0]}" >/dev/null && LANX ping -c 1 -W 1 "${TARGETS6[1]}" >/dev/null || return 1
    a4=$(LANX curl -s -m 2 http://198.51.100.1/ip) a6=$(LANX curl -s -m 2 "http://[2001:db8:ffff::1]/ip")
    [[ $a4 == "${R4[$u]}" && $a6 == "${R6[$u]}" ]] || { echo "       seen as '$a4' '$a6'"; return 1; }
}
check "LAN via wan: ping v4+v6, NATed to ${R4[wan]} / ${R6[wan]}" lan_via wan
"$LAB" route-default sl
check "LAN via sl after route-default sl: NATed to ${R4[sl]} / ${R6[sl]}" lan_via sl
"$LAB" route-default none
check "route-default none removes the default routes" test -z "$(ip -n "$NS_ROUTER" route show default)"

# ------------------------------------------------------------------ scenario runner
cat >"$TMP/sc.jsonl" <<'EOF'
{"t":0,"uplink":"wan","impair":{"delay":20}}
{"t":0.5,"uplink":"wan","path":{"rtt_ms":30,"loss":0.5}}
{"t":1.0,"uplink":"all","action":"restore","note":"done"}
EOF
if "$PY" "$LAB_DIR/scenario.py" "$TMP/sc.jsonl" >"$TMP/sc.out" 2>&1; then
    SC=$("$PY" -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
late = max(r["at"] - r["t"] for r in recs) * 1000
print(len(recs), all(r["ok"] for r in recs), "%.1f" % late)' "$TMP/sc.out")
    # shellcheck disable=SC2034  # used in eval
    read -r SC_N SC_OK SC_LATE <<<"$SC"
    check "scenario.py: 3 steps applied, each started within 100 ms of its time (worst $SC_LATE ms)" \
        eval '[[ $SC_N == 3 && $SC_OK == True ]] && within "$SC_LATE" 0 100'
else
    bad "scenario.py failed: $(tail -3 "$TMP/sc.out")"
fi
check "scenario.py rejects a malformed file (exit 2)" eval \
    'echo "{\"t\":1,\"uplink\":\"nope\"}" >"$TMP/bad.jsonl"; "$PY" "$LAB_DIR/scenario.py" "$TMP/bad.jsonl" >/dev/null 2>&1; [[ $? == 2 ]]'

# ------------------------------------------------------------------ teardown
t=$EPOCHREALTIME
"$LAB" down
DOWN_MS=$(ms_since "$t")
gone() {
    local ns
    for ns in "${LAB_NAMESPACES[@]}"; do ns_exists "$ns" && return 1; done
    [[ ! -d $RUN ]]
}
check "lab down removes every namespace and the run directory ($DOWN_MS ms)" gone
check "lab down again is a no-op" "$LAB" down
# a half-built lab: two namespaces and a process in one of them, no run directory
ip netns add "$NS_ROUTER"; ip netns add "${ISPNS[sl]}"
ip netns exec "${ISPNS[sl]}" sleep 300 &
SLEEPER=$!
sleep 0.1
"$LAB" down
check "lab down cleans a half-built lab and kills its processes" \
    eval 'gone && ! kill -0 $SLEEPER 2>/dev/null'
wait $SLEEPER 2>/dev/null || true

echo "# figures: build ${BUILD_MS} ms, teardown ${DOWN_MS} ms, base RTT ${BASE} ms, delay 50 -> +${INC} ms," \
    "jitter 10 -> mdev ${J_MDEV} ms, loss 10 -> ${LOSS} %, burst 5 -> ${BLOSS} % in bursts of ${B_MEANB}," \
    "rate 8000 -> ${MBIT} Mbit/s, cut seen in ${CUT_MS} ms, restore ${REST_MS} ms; total $(( $(ms_since "$T_START") / 1000 )) s"
echo "$PASS passed, $FAIL failed"
[[ $FAIL -eq 0 ]]

#!/bin/bash
# Route change time of the netlink backend in the lab: from route_activate()
# to the kernel read back and verified (dump → diff → one batch → acks →
# dump → diff), over N switches round-robin across wan, sl and lte (each a
# v4 + v6 default route replace in main). Also: the same switches with the
# conntrack flush of the old uplink (timed separately), and a no-op
# activation (the member already active: dumps and diff only).
#
# usage: bench/route_change.sh [N]   (default 60; root; own lab prefix)
# Prints one JSON object: p50/p95/max in microseconds.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
export LAB_PREFIX="rb$$" LAB_RULES=0
N=${1:-60}
TMP=$(mktemp -d /tmp/route_bench.XXXXXX)
PY=/usr/bin/python3

if [ "$(id -u)" != 0 ]; then
	echo '{"error":"needs root"}'
	exit 77
fi
cleanup() {
	"$ROOT/lab/lab.sh" down >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

# shellcheck disable=SC2046
gcc -std=gnu11 -O2 -D_GNU_SOURCE -I"$ROOT/src" "$ROOT"/src/route/*.c "$ROOT/src/link/linkmon.c" \
	"$ROOT/src/core/log.c" "$ROOT/src/core/clock.c" "$ROOT/src/core/nlwalk.c" \
	"$ROOT/tests/integration/route_drive.c" \
	$(pkg-config --cflags --libs libevent_core libmnl json-c) -o "$TMP/route_drive" || exit 1
"$ROOT/lab/lab.sh" up >"$TMP/lab.log" 2>&1 || { cat "$TMP/lab.log"; exit 1; }

{
	ups=(wan sl lte)
	echo "activate wan"                    # warm-up: tables and rules
	for ((i = 1; i <= N; i++)); do echo "activate ${ups[i % 3]}"; done
	for ((i = 1; i <= N / 3; i++)); do echo "activate ${ups[i % 3]} flush"; done
	for ((i = 1; i <= N / 3; i++)); do echo "activate ${ups[(N / 3) % 3]}"; done
	echo "quit keep"
} >"$TMP/cmds"

# (a pipe: the driver's loop cannot watch a regular file)
cat "$TMP/cmds" | timeout 120 ip netns exec "$LAB_PREFIX-router" "$TMP/route_drive" -q -b netlink \
	wan=wan,table=101,gw6=2001:db8:1::1 sl=sl,table=102,gw6=2001:db8:2::1 \
	lte=lte,table=103,gw6=2001:db8:3::1 >"$TMP/out" 2>"$TMP/err"

"$PY" - "$TMP/out" "$N" "$(nproc)" "$(uname -r)" <<'EOF'
import json, sys
out, n, cpus, kernel = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
acts = [json.loads(l) for l in open(out) if '"cmd":"activate"' in l]
bad = [a for a in acts if a["rc"] != 0 or not a["result"]["verified"]]
acts = acts[1:]                                   # the warm-up
switch, flush, noop = acts[:n], acts[n:n + n // 3], acts[n + n // 3 + 1:]

def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]

def stats(v):
    return {"n": len(v), "p50": pct(v, 50), "p95": pct(v, 95), "max": max(v)} if v else None

r = lambda xs, k: [x["result"][k] for x in xs]
print(json.dumps({
    "bench": "route_change",
    "unit": "us",
    "kernel": kernel, "cpus": cpus,
    "switch_took": stats(r(switch, "took_us")),
    "switch_apply": stats(r(switch, "apply_us")),
    "switch_changes": sorted(set(r(switch, "changes"))),
    "flush_switch_took": stats(r(flush, "took_us")),
    "conntrack_flush": stats(r(flush, "ct_took_us")),
    "noop_took": stats(r(noop, "took_us")),
    "noop_changes": sorted(set(r(noop, "changes"))),
    "target_us": 5000,
    "failures": len(bad),
}, indent=1))
sys.exit(1 if bad else 0)
EOF

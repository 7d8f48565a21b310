#!/bin/bash
# CPU cost per probe of the probe engine, in the lab: one process
# (tests/integration/probe_drive), three probers (wan, sl, lte) on one
# libevent loop, ICMP echo at 200 probes/s in all for BENCH_SECONDS (30),
# then each other kind alone at the same rate for BENCH_KIND_SECONDS (10).
# CPU is user+sys of the whole process (getrusage), start-up included;
# RSS is its peak. The driver wakes once per send (sends are spread over the
# interval); its cost without probes (same ticks, -n) is measured too, and
# net_cpu_us_per_probe has it subtracted: what the engine itself adds (the
# reply's wake-up, the syscalls, and, in this lab, the kernel forwarding the
# packets through the ISP and inet namespaces on our CPU time). On a VM a
# loop wake-up alone can cost tens of microseconds. Prints one JSON object:
#   {"probes":..,"rate_per_s":..,"cpu_us_per_probe":..,"net_cpu_us_per_probe":..,
#    "idle_cpu_us_per_tick":..,"user_us_per_probe":..,"sys_us_per_probe":..,
#    "rss_kb":..,"replies":..,"lost":..,"bytes_per_probe":{"sent":..,"received":..},
#    "by_kind":{"tcp":{...},"dns":{...},"http":{...},"https":{...}}}
#
# usage: bench/probe_cost.sh [BUILD_DIR]  (BUILD_DIR/libautonomy.a if it is
# not a sanitizer build; else the sources, -O2). Needs root.
# shellcheck disable=SC2054  # -fsanitize=a,b is one word
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
export LAB_PREFIX="pb$$"
TMP=$(mktemp -d "/tmp/probe_cost.XXXXXX")
DRIVE="$TMP/probe_drive"
PY=/usr/bin/python3
SECONDS_MAIN=${BENCH_SECONDS:-30}
SECONDS_KIND=${BENCH_KIND_SECONDS:-10}
RATE=200

[ "$(id -u)" = 0 ] || { echo "probe_cost: needs root (network namespaces)" >&2; exit 2; }

cleanup() {
	"$ROOT/lab/lab.sh" down >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT

log() { echo "probe_cost: $*" >&2; }

CFLAGS=(-std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter
	-D_GNU_SOURCE -I"$ROOT/src")
read -r -a LIBS <<<"$(pkg-config --libs libevent_core openssl)"
LIB=${1:-}/libautonomy.a
if [ -n "${1:-}" ] && [ -f "$LIB" ] && ! nm "$LIB" 2>/dev/null | grep -q __asan_init; then
	gcc "${CFLAGS[@]}" "$ROOT/tests/integration/probe_drive.c" "$LIB" "${LIBS[@]}" -o "$DRIVE"
else
	gcc "${CFLAGS[@]}" "$ROOT"/src/probe/*.c "$ROOT/src/core/log.c" "$ROOT/src/core/clock.c" \
		"$ROOT/tests/integration/probe_drive.c" "${LIBS[@]}" -o "$DRIVE"
fi

"$ROOT/lab/lab.sh" up >"$TMP/lab.log" 2>&1 || { cat "$TMP/lab.log" >&2; exit 1; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-keyout "$TMP/key.pem" -out "$TMP/cert.pem" -subj /CN=probe.lab >/dev/null 2>&1
ip netns exec "$LAB_PREFIX-inet" setsid "$PY" "$ROOT/tests/integration/probe_peers.py" \
	"$TMP/peers.ready" "$TMP/cert.pem" "$TMP/key.pem" 198.51.100.1 198.51.100.2 203.0.113.1 \
	>"$TMP/peers.log" 2>&1 </dev/null &
for _ in $(seq 300); do [ -s "$TMP/peers.ready" ] && break; sleep 0.01; done

# run NAME SECONDS TARGET [-n]: three members, one target each, RATE probes/s in all
run() {
	local name=$1 secs=$2 target=$3 extra=()
	local interval=$((3 * 1000 / RATE))
	[ -n "${4:-}" ] && extra=("$4")
	log "$name: $RATE probes/s for $secs s${4:+ (idle ticks only)}"
	ip netns exec "$LAB_PREFIX-router" "$DRIVE" -q "${extra[@]}" -T 1000 -i "$interval" -d "$secs" -w 1100 \
		-m wan -4 10.1.0.2 -t "$target" -m sl -4 10.2.0.2 -t "$target" \
		-m lte -4 10.3.0.2 -t "$target" >"$TMP/$name.json"
}

run idle "$SECONDS_KIND" icmp:198.51.100.1 -n
run icmp "$SECONDS_MAIN" icmp:198.51.100.1
run tcp "$SECONDS_KIND" tcp:198.51.100.1:80
run dns "$SECONDS_KIND" dns:198.51.100.1:5353
run http "$SECONDS_KIND" http://198.51.100.1/generate_204
run https "$SECONDS_KIND" https://198.51.100.1/

"$PY" - "$TMP" "$SECONDS_MAIN" "$SECONDS_KIND" <<'EOF'
import json, sys
tmp, main_s, kind_s = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])

idle = json.load(open(f"{tmp}/idle.json"))
# the idle run made as many ticks as it would have sent probes
idle_per_tick = idle["cpu_us"] / (float(sys.argv[3]) * 200)

def figures(name, secs):
    s = json.load(open(f"{tmp}/{name}.json"))
    m = s["members"]
    sent = sum(x["sent"] for x in m)
    tot = lambda k: sum(x[k] for x in m)
    n = max(sent, 1)
    return {
        "probes": sent,
        "rate_per_s": round(sent / secs, 1),
        "cpu_us_per_probe": round(s["cpu_us"] / n, 2),
        "net_cpu_us_per_probe": round(s["cpu_us"] / n - idle_per_tick, 2),
        "user_us_per_probe": round(s["user_us"] / n, 2),
        "sys_us_per_probe": round(s["sys_us"] / n, 2),
        "rss_kb": s["rss_kb"],
        "replies": tot("replies"),
        "lost": tot("lost"),
        "send_errors": tot("send_errors"),
        "bytes_per_probe": {"sent": round(tot("bytes_sent") / max(sent, 1), 1),
                            "received": round(tot("bytes_received") / max(sent, 1), 1)},
    }

out = figures("icmp", main_s)
out["idle_cpu_us_per_tick"] = round(idle_per_tick, 2)
out["kind"] = "icmp"
out["members"] = 3
out["by_kind"] = {k: figures(k, kind_s) for k in ("tcp", "dns", "http", "https")}
print(json.dumps(out))
EOF

#!/usr/bin/env bash
# Replay speed: the 30-day, 3-member trace (tests/replay/gen_traces.py
# month_mixed) through `--replay`, timed; prints one JSON document with the
# wall and CPU seconds, probes simulated and the speed-up over real time.
#   bench/replay_speed.sh [BUILD_DIR] [--policy P] [--trace NAME]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
shift || true
policy=autonomy trace=month_mixed
while [ $# -gt 0 ]; do
	case "$1" in
	--policy) policy=$2; shift 2 ;;
	--trace) trace=$2; shift 2 ;;
	*) echo "replay_speed.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prog=$("$root/tests/replay/replay_bin.sh" "$build" "$tmp")
/usr/bin/python3 "$root/tests/replay/gen_traces.py" --only "$trace" --out "$tmp" >/dev/null
/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$prog" --replay "$tmp/$trace.jsonl" \
	--policy "$policy" >"$tmp/out"
read -r wall user sys rss <"$tmp/time"
/usr/bin/python3 - "$tmp/out" "$wall" "$user" "$sys" "$rss" "$trace" "$policy" "$prog" <<'PY'
import json, sys
out, wall, user, sys_s, rss, trace, policy, prog = sys.argv[1:]
summ = json.loads(open(out).read().strip().split("\n")[-1])["summary"]
cpu = float(user) + float(sys_s)
print(json.dumps({
    "trace": trace, "policy": policy, "program": prog,
    "virtual_s": summ["virtual_s"], "virtual_days": round(summ["virtual_s"] / 86400, 2),
    "wall_s": float(wall), "cpu_s": round(cpu, 2), "max_rss_kb": int(rss),
    "probes": summ["probes"], "events": summ["events"], "switches": summ["switches"],
    "probes_per_cpu_s": round(summ["probes"] / cpu) if cpu else None,
    "speedup_x": round(summ["virtual_s"] / float(wall)) if float(wall) else None,
}, indent=1))
PY

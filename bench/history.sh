#!/usr/bin/env bash
# The history store over a replayed month (tests/replay/gen_traces.py
# month_four: 30 days, 4 members with telemetry), written the way the daemon
# writes it (working store every minute, the durable copy every
# performance.gc_interval = 300 s, fsync on each sync). Prints one JSON
# document:
#   flash: bytes written to the durable copy (database + WAL, counted by the
#          store's VFS) per day, over the month and over its last 7 days
#          (minute rows being thinned by then), fsyncs per day;
#   size: the working and durable files after 30 days;
#   cpu: the store's CPU per hour (the replay with minus without --store);
#   queries: ms of each history command over the 30 days, autonomyctl
#            process included: wall and CPU (user+sys; what it costs, whatever
#            else the machine is doing), median of 5.
#   bench/history.sh [BUILD_DIR]      (root not needed)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC
/usr/bin/python3 "$root/tests/replay/gen_traces.py" --only month_four --out "$tmp" >/dev/null
trace=$tmp/month_four.jsonl
# The last 7 days alone: a week of steady state, thinning included.
/usr/bin/python3 - "$trace" "$tmp/first23.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().split("\n")
head = json.loads(lines[0]); head["duration_s"] = 23 * 86400
keep = [l for l in lines[1:] if l and json.loads(l)["t"] < 23 * 86400]
open(sys.argv[2], "w").write("\n".join([json.dumps(head)] + keep) + "\n")
PY
run() { # out time-file args...
	local out=$1 tf=$2; shift 2
	/usr/bin/time -f '%e %U %S' -o "$tf" "$build/autonomyd" --replay "$@" >"$out"
}
run "$tmp/plain.out" "$tmp/plain.time" "$trace"
run "$tmp/store.out" "$tmp/store.time" "$trace" --store "$tmp/work.db" \
	--store-durable "$tmp/durable.db"
run "$tmp/23.out" "$tmp/23.time" "$tmp/first23.jsonl" --store "$tmp/w23.db" \
	--store-durable "$tmp/d23.db"
q() { # name args...: median of 5 runs, wall and CPU ms
	local name=$1; shift
	local walls=() cpus=()
	for _ in 1 2 3 4 5; do
		/usr/bin/time -f '%e %U %S' -o "$tmp/q.time" \
			"$build/autonomyctl" --store "$tmp/work.db" "$@" >/dev/null
		read -r wall user sys <"$tmp/q.time"
		walls+=("$(awk -v w="$wall" 'BEGIN { printf "%d", w * 1000 }')")
		cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%d", (u + s) * 1000 }')")
	done
	printf '"%s":{"wall":%s,"cpu":%s},' "$name" \
		"$(printf '%s\n' "${walls[@]}" | sort -n | sed -n 3p)" \
		"$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n 3p)"
}
queries=$(
	q metrics_daily metrics --period daily
	q metrics_monthly_trends metrics --period monthly --trends
	q metrics_performance metrics --period monthly --performance
	q decisions_limit_10 decisions --limit 10
	q decisions_weekly_analysis decisions --period weekly --analysis
	q decisions_monthly_analysis decisions --period monthly --analysis
	q report_weekly_json report --period weekly --format json
	q report_monthly_json report --period monthly --format json
	q report_monthly_html report --period monthly --format html
	q analytics_monthly analytics --period monthly
	q notifications_history notifications --history
	q export_json telemetry export
	q export_csv telemetry export --format csv
)
/usr/bin/python3 - "$tmp" "{${queries%,}}" <<'PY'
import json, os, sys
tmp, queries = sys.argv[1], json.loads(sys.argv[2])
def summ(name):
    return json.loads(open(os.path.join(tmp, name)).read().strip().split("\n")[-1])["summary"]
def cpu(name):
    wall, user, sys_s = map(float, open(os.path.join(tmp, name)).read().split())
    return user + sys_s
month, first23 = summ("store.out"), summ("23.out")
st, st23 = month["store"], first23["store"]
size = lambda f: os.path.getsize(os.path.join(tmp, f)) if os.path.exists(os.path.join(tmp, f)) else 0
hours = month["virtual_s"] / 3600
print(json.dumps({
    "trace": "month_four (30 days, 4 members)",
    "flash": {
        "bytes_per_day_30d": round(st["flash_bytes"] / 30),
        "bytes_per_day_last_7d": round((st["flash_bytes"] - st23["flash_bytes"]) / 7),
        "fsyncs_per_day": round(st["flash_syncs"] / 30),
        "syncs": st["syncs"],
    },
    "size": {
        "working_bytes": size("work.db"),
        "durable_bytes": size("durable.db") + size("durable.db-wal"),
        "rows": st["rows"],
    },
    "cpu": {
        "replay_s": round(cpu("plain.time"), 2),
        "replay_with_store_s": round(cpu("store.time"), 2),
        "store_ms_per_hour": round((cpu("store.time") - cpu("plain.time")) * 1000 / hours, 1),
    },
    "queries_ms": queries,
}, indent=1))
PY

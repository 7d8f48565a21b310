#!/usr/bin/env bash
# Replay tests: every trace of tests/replay/traces/ and the 24-hour noisy
# traces (gen_traces.py --noisy) through `--replay` (autonomy, seed 1),
# scored by tests/replay/score.py and checked against
# tests/replay/expect.json; the baseline policies on every trace; same seed
# -> same output; a bad trace -> exit 1 with FILE:LINE; the scorer's own
# self-test. Last line: "N passed, N failed".
#   run-replay.sh BUILD_DIR     (BUILD_DIR/autonomyd, or a driver linked
#                                against BUILD_DIR/libautonomy.a)
#   REPLAY_LONG=1               also the 30-day traces (minutes)
set -uo pipefail
build=$(cd "${1:-build}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
# The trace library's figures need every kind's telemetry.
. "$root/tests/integration/kinds.sh"
need_kinds "$build" starlink cellular wifi gps usage
rp=$root/tests/replay
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

if ! prog=$("$rp/replay_bin.sh" "$build" "$tmp"); then
	bad "no replay program (build $build first)"
	finish
fi
echo "replay program: $prog"

if "$py" "$rp/test_score.py" >"$tmp/score-self.log" 2>&1; then
	ok "scorer self-test: $(tail -1 "$tmp/score-self.log")"
else
	bad "scorer self-test"; grep FAIL "$tmp/score-self.log"
fi

# One trace through autonomy (seed 1); its exit status in NAME.rc.
run_trace() { # path
	local t=$1 name; name=$(basename "$t" .jsonl)
	local cfg=()
	# A trace may come with the config it is meant for (NAME.conf beside it).
	[ -f "${t%.jsonl}.conf" ] && cfg=(-c "${t%.jsonl}.conf")
	"$prog" --replay "$t" --seed 1 "${cfg[@]}" >"$tmp/$name.out" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.rc"
}

# A trace's run checked against its expectations (run_trace first).
check_run() { # path
	local t=$1 name; name=$(basename "$t" .jsonl)
	local out=$tmp/$name.out
	if [ "$(cat "$tmp/$name.rc")" != 0 ]; then
		bad "$name: replay failed: $(head -3 "$tmp/$name.err")"
		return
	fi
	if "$py" "$rp/score.py" "$t" "$out" --check "$rp/expect.json" --name "$name" \
		>"$tmp/$name.check" 2>&1; then
		ok "$name ($(grep -c '^ok' "$tmp/$name.check") figures within bounds;" \
		   "$(tail -1 "$out" | sed -E 's/.*"wall_ms":([0-9]+).*/\1/') ms)"
	else
		bad "$name"; grep -v '^ok' "$tmp/$name.check"
	fi
}

check_trace() { # path
	run_trace "$1"
	check_run "$1"
}

for t in "$rp"/traces/*.jsonl; do
	check_trace "$t"
done

# 24 hours of healthy links whose telemetry wanders as real figures do
# (docs/noise-model.md): generated here, a few MB each; 2-3 s each on a
# plain build, 20-30 s under ASan, so two at a time.
"$py" "$rp/gen_traces.py" --noisy --out "$tmp/noisy" >/dev/null
noisy=("$tmp"/noisy/*.jsonl)
for ((i = 0; i < ${#noisy[@]}; i += 2)); do
	run_trace "${noisy[i]}" &
	[ $((i + 1)) -lt ${#noisy[@]} ] && run_trace "${noisy[i + 1]}" &
	wait
done
for t in "${noisy[@]}"; do
	check_run "$t"
done

if [ "${REPLAY_LONG:-0}" = 1 ]; then
	"$py" "$rp/gen_traces.py" --long --out "$tmp/long" >/dev/null
	for t in "$tmp"/long/*.jsonl; do
		check_trace "$t"
	done
fi

# The baselines run on every trace and say who they are.
for pol in mwan3 mwan3-10s pfsense; do
	n=0 bad_runs=""
	for t in "$rp"/traces/*.jsonl; do
		if "$prog" --replay "$t" --policy "$pol" 2>/dev/null | tail -1 |
			grep -q "^{\"summary\":{\"policy\":\"$pol\""; then
			n=$((n + 1))
		else
			bad_runs="$bad_runs $(basename "$t")"
		fi
	done
	if [ -z "$bad_runs" ]; then ok "policy $pol runs on all $n traces"
	else bad "policy $pol failed on:$bad_runs"; fi
done

# Same trace, same seed: the same output (but for the wall-clock figure).
strip_wall() { sed -E 's/"wall_ms":[0-9]+/"wall_ms":0/'; }
"$prog" --replay "$rp/traces/bursty.jsonl" --seed 9 | strip_wall >"$tmp/d1"
"$prog" --replay "$rp/traces/bursty.jsonl" --seed 9 | strip_wall >"$tmp/d2"
"$prog" --replay "$rp/traces/bursty.jsonl" --seed 10 | strip_wall >"$tmp/d3"
if cmp -s "$tmp/d1" "$tmp/d2" && ! cmp -s "$tmp/d1" "$tmp/d3"; then
	ok "deterministic: same seed, same output; another seed, another run"
else
	bad "determinism"
fi

# A bad line stops the run: exit 1, FILE:LINE: message, nothing on stdout.
{ head -1 "$rp/traces/blackhole.jsonl"; echo '{"t":5,"member":"starlink","path":{"loss":2}}'; } \
	>"$tmp/bad.jsonl"
"$prog" --replay "$tmp/bad.jsonl" >"$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
if [ "$rc" -eq 1 ] && [ ! -s "$tmp/bad.out" ] &&
	grep -q "bad.jsonl:2: path.loss: must be a number from 0 to 1" "$tmp/bad.err"; then
	ok "bad trace: exit 1, $(cat "$tmp/bad.err")"
else
	bad "bad trace: exit $rc, stderr: $(cat "$tmp/bad.err")"
fi
"$prog" --replay "$rp/traces/blackhole.jsonl" --policy nope >/dev/null 2>&1
rc=$?
if [ "$rc" -eq 2 ]; then ok "usage error: exit 2"; else bad "usage error: exit $rc"; fi

finish

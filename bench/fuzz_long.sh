#!/usr/bin/env bash
# Long fuzzing as a benchmark: every libFuzzer target (tests/fuzz/fuzz_*.c),
# or the ones named, for SECONDS each on its own copy of its seed corpus,
# one after another; prints one JSON document with the executions, speed
# and findings of every target. A finding is a crash, leak, timeout or OOM
# input libFuzzer saved, or a sanitizer report in its output (the fuzz build
# aborts on UBSan). The machine is shared: run it under `nice -n 19`.
#   bench/fuzz_long.sh SECONDS [TARGET...]     e.g. 600 uci ctl_request
#   bench/fuzz_long.sh --report DIR...         the JSON of runs kept with
#                                              FUZZ_KEEP (runs split in parts)
#   FUZZ_RUNS=N    stop a target once it has executed N inputs (early finish)
#   FUZZ_MAX_LEN=N inputs of at most N bytes (libFuzzer guesses from the corpus:
#                  the radio's scan captures make it ~70 KB, 30 times slower)
#   FUZZ_KEEP=DIR  keep each target's corpus, log and findings in DIR/NAME
#   FUZZ_BUILD=DIR the fuzz build to use (default build-fuzz, rebuilt first)
#   FUZZ_SEED=DIR  start from DIR/NAME/corpus (a run kept with FUZZ_KEEP) instead
#                  of the seed corpus: a long run continued
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# report SECONDS DIR/NAME...: one JSON document over finished targets
report() {
	/usr/bin/python3 - "$@" <<'PY'
import json, os, re, sys
seconds, dirs = int(sys.argv[1]), sys.argv[2:]
out, total_exec, total_find = {}, 0, 0
for d in dirs:
    n = os.path.basename(d.rstrip("/"))
    if not os.path.exists(os.path.join(d, "rc")):
        continue        # not finished
    log = open(os.path.join(d, "log"), errors="replace").read()
    rc, start, end = open(os.path.join(d, "rc")).read().split()
    m = re.search(r"stat::number_of_executed_units:\s+(\d+)", log)
    if m:
        execs = int(m.group(1))
    else:       # stopped by a finding: the last status line
        lines = re.findall(r"^#(\d+)\s", log, re.M)
        execs = int(lines[-1]) if lines else 0
    arts = sorted(os.listdir(os.path.join(d, "findings")))
    reports = len(re.findall(r"runtime error:|ERROR: [A-Za-z]+Sanitizer|ERROR: libFuzzer", log))
    findings = len(arts) or (1 if reports or int(rc) != 0 else 0)
    secs = float(end) - float(start)
    m = re.search(r"stat::peak_rss_mb:\s+(\d+)", log)
    cov = re.findall(r"\bcov: (\d+)", log)
    out[n] = {"executions": execs, "seconds": round(secs, 1),
              "exec_per_s": round(execs / secs) if secs > 0 else None,
              "coverage": int(cov[-1]) if cov else None,
              "peak_rss_mb": int(m.group(1)) if m else None,
              "findings": findings, "artifacts": arts, "exit": int(rc)}
    total_exec += execs
    total_find += findings
print(json.dumps({"seconds_per_target": seconds or None, "targets": out,
                  "total_executions": total_exec, "total_findings": total_find}, indent=1))
PY
}

if [ "${1:-}" = --report ]; then
	shift
	dirs=()
	for k in "$@"; do for d in "$k"/*/; do dirs+=("$d"); done; done
	report 0 "${dirs[@]}"
	exit 0
fi
seconds=${1:?usage: fuzz_long.sh SECONDS [TARGET...] | --report DIR...}
shift
[[ $seconds =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || { echo "SECONDS must be > 0" >&2; exit 2; }
build=${FUZZ_BUILD:-$root/build-fuzz}
if [ -z "${FUZZ_BUILD:-}" ]; then
	"$root/scripts/build.sh" fuzz >&2
fi
work=$(mktemp -d /tmp/autonomy-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in "$build"/fuzz_*; do
		[ -x "$f" ] && targets+=("$(basename "$f" | sed 's/^fuzz_//')")
	done
fi

runs=()
[ -n "${FUZZ_RUNS:-}" ] && runs=(-runs="$FUZZ_RUNS")
[ -n "${FUZZ_MAX_LEN:-}" ] && runs+=(-max_len="$FUZZ_MAX_LEN")
for name in "${targets[@]}"; do
	bin=$build/fuzz_$name
	[ -x "$bin" ] || { echo "no fuzz target $bin" >&2; exit 2; }
	dir=$work/$name
	mkdir -p "$dir/corpus" "$dir/findings"
	seed=$root/tests/fuzz/corpus/$name
	[ -n "${FUZZ_SEED:-}" ] && seed=$FUZZ_SEED/$name/corpus
	cp -r "$seed/." "$dir/corpus/" 2>/dev/null || true
	echo "fuzz_long: $name for ${seconds}s" >&2
	start=$(date +%s.%N)
	rc=0
	"$bin" -max_total_time="$seconds" "${runs[@]}" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$dir/findings/" "$dir/corpus" \
		>"$dir/log" 2>&1 || rc=$?
	end=$(date +%s.%N)
	echo "$rc $start $end" >"$dir/rc"
	if [ -n "${FUZZ_KEEP:-}" ]; then
		mkdir -p "$FUZZ_KEEP"
		rm -rf "${FUZZ_KEEP:?}/$name"
		cp -r "$dir" "$FUZZ_KEEP/$name"
	fi
done

dirs=()
for name in "${targets[@]}"; do dirs+=("$work/$name"); done
report "$seconds" "${dirs[@]}"

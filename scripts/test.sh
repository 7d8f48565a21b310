#!/usr/bin/env bash
# The whole test suite, from a fresh clone on Debian 12 (as root for the
# network-namespace tests): dependencies, build, unit tests, the same unit
# tests under ASan+UBSan, the unit tests of a build without any telemetry
# kind, a short fuzz smoke run of every fuzz target, and the integration
# tests against the sanitized daemon.
#   FUZZ_SECONDS=N   seconds per fuzz target (default 15)
#   FUZZ_JOBS=N      fuzz targets at once (default 2)
#   SKIP_FUZZ=1      leave out the fuzz smoke run
# Each phase's tally line gives its wall time; a table of all durations (the
# build too; wall and CPU seconds) precedes the last line, which is always
# "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FUZZ_SECONDS=${FUZZ_SECONDS:-15}
passed=0 failed=0
phase_fail=()
durations=()            # "wall cpu name", in the order the phases ran
phase_t0=$SECONDS

# CPU time (user+system, in clock ticks) of this script's finished children:
# the shell's cutime+cstime (fields 16, 17 of /proc/PID/stat). CPU seconds
# compare across runs on a shared machine; wall seconds depend on the load.
cpu_ticks() {
	local st; read -r st </proc/$$/stat
	set -- ${st##*) }          # from field 3 on: cutime is ${14}, cstime ${15}
	echo $((${14} + ${15}))
}
TICKS=$(getconf CLK_TCK 2>/dev/null || echo 100)
cpu_t0=$(cpu_ticks)

timed() { # name seconds: one row of the closing table (CPU since the last row)
	local c; c=$(cpu_ticks)
	durations+=("$2 $(((c - cpu_t0) / TICKS)) $1")
	cpu_t0=$c
}

tally() { # name passed failed; the phase ran since the last tally or phase_start
	local s=$((SECONDS - phase_t0))
	passed=$((passed + $2)); failed=$((failed + $3))
	[ "$3" -eq 0 ] || phase_fail+=("$1")
	timed "$1" "$s"
	echo "== $1: $2 passed, $3 failed (${s} s)"
	phase_t0=$SECONDS
}

phase_start() { phase_t0=$SECONDS; cpu_t0=$(cpu_ticks); }

print_durations() {
	echo "== durations (s):   wall    cpu"
	local row w c n
	for row in "${durations[@]}"; do
		read -r w c n <<<"$row"
		printf '   %6d %6d  %s\n' "$w" "$c" "$n"
	done
	printf '   %6d %6d  total\n' "$SECONDS" $(($(cpu_ticks) / TICKS))
}

# Sums the closing "N passed, N failed" line of a test program's output.
run_counted() { # name cmd...
	local name=$1; shift
	local log; log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line; line=$(grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	rm -f "$log"
	if [ -z "$line" ]; then
		tally "$name" 0 1
		return
	fi
	local p f
	p=$(sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed.*/\2/' <<<"$line")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	tally "$name" "$p" "$f"
}

run_ctest() { # name builddir
	local log; log=$(mktemp)
	(cd "$2" && ctest --output-on-failure -j 2) 2>&1 | tee "$log"
	local total fails
	total=$(sed -nE 's/.*tests failed out of ([0-9]+).*/\1/p' "$log" | tail -1)
	fails=$(sed -nE 's/.*, ([0-9]+) tests failed out of.*/\1/p' "$log" | tail -1)
	rm -f "$log"
	if [ -z "$total" ]; then tally "$1" 0 1; return; fi
	tally "$1" $((total - fails)) "$fails"
}

# One target's smoke run; its verdict line in $2.verdict (0 ok, 1 failed).
fuzz_one() {
	local f=$1 out=$2 name corpus
	name=$(basename "$f"); name=${name#fuzz_}
	corpus=$(mktemp -d)
	cp -r "tests/fuzz/corpus/$name/." "$corpus/" 2>/dev/null || true
	# A sanitizer report fails the run even when the process went on
	# (the fuzz build aborts on UBSan; this also catches a report from
	# a check that cannot abort).
	if "$f" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
		-artifact_prefix="$corpus/" "$corpus" >"$corpus.log" 2>&1 &&
		! grep -qE 'runtime error:|ERROR: [A-Za-z]+Sanitizer' "$corpus.log"; then
		echo "fuzz $name: $(grep -E 'stat::number_of_executed_units' "$corpus.log" |
			awk '{print $2}') executions, no findings" >"$out"
		echo 0 >"$out.verdict"
	else
		{ echo "fuzz $name: FAILED"; tail -40 "$corpus.log"; } >"$out"
		echo 1 >"$out.verdict"
	fi
	rm -rf "$corpus" "$corpus.log"
}

# Each target is one process on one core: FUZZ_JOBS (default 2, CI's
# cores) run at once, so the smoke run takes half the wall time.
run_fuzz() {
	local dir=build-fuzz n=0 bad=0 res f r
	res=$(mktemp -d)
	for f in "$dir"/fuzz_*; do
		[ -x "$f" ] || continue
		while [ "$(jobs -rp | wc -l)" -ge "${FUZZ_JOBS:-2}" ]; do wait -n || true; done
		n=$((n + 1))
		fuzz_one "$f" "$res/$(printf %03d $n)" &
	done
	wait
	for r in "$res"/[0-9][0-9][0-9]; do
		cat "$r"
		[ "$(cat "$r.verdict" 2>/dev/null)" = 0 ] || bad=$((bad + 1))
	done
	rm -rf "$res"
	tally fuzz $((n - bad)) "$bad"
}

scripts/deps.sh || { echo "dependencies missing"; exit 1; }
timed deps "$SECONDS"
phase_start
if ! scripts/build.sh plain asan; then
	echo "0 passed, 1 failed"; exit 1
fi
timed build $((SECONDS - phase_t0))
phase_start
run_ctest unit build
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_ctest unit-asan build-asan
# Every telemetry kind left out (CMake WITH_<KIND>=OFF): the rest still
# builds, and its unit tests pass (plain build: cheap).
if scripts/build.sh nokinds; then run_ctest unit-nokinds build-nokinds; else tally unit-nokinds 0 1; fi
if [ "${SKIP_FUZZ:-0}" != 1 ]; then
	phase_start
	if scripts/build.sh fuzz; then
		timed fuzz-build $((SECONDS - phase_t0)); phase_start; run_fuzz
	else tally fuzz-build 0 1; fi
fi
for t in tests/integration/run-*.sh; do
	[ -x "$t" ] || continue
	n=$(basename "$t" .sh); n=${n#run-}
	phase_start
	run_counted "integration-$n" "$t" "$ROOT/build-asan"
done

echo
print_durations
[ ${#phase_fail[@]} -eq 0 ] || echo "failing phases: ${phase_fail[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

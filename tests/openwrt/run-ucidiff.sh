#!/usr/bin/env bash
# Our UCI parser against OpenWrt's libuci, built from the same vendored
# sources as the ubus stack (tests/lib/openwrt_stack.py):
#   1. every UCI file the project has (unit-test fixtures, the UCI fuzz
#      corpus, the real routers' configs, the package's default config, the
#      examples) parses to the same sections, options and lists in both, or
#      fails in both;
#   2. a libFuzzer run with libuci as the oracle (FUZZ_SECONDS, default 15),
#      starting from the UCI fuzz corpus: a difference is a finding.
# Ends with "N passed, N failed". usage: run-ucidiff.sh [BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/../.."
PREFIX=$(/usr/bin/python3 -c 'import sys; sys.path.insert(0, "tests/lib")
import openwrt_stack; p = openwrt_stack.build(); print(p or "")') || PREFIX=
if [ -z "$PREFIX" ]; then
	echo "ucidiff: skipped: OpenWrt's sources not found (tests/lib/openwrt_src.sh:" \
		"\$AUTONOMY_OPENWRT_SRC or shared/vendor/openwrt beside the repository)"
	echo "0 passed, 0 failed"
	exit 0
fi
OUT=$(dirname "$PREFIX")
SRCS=(tests/openwrt/ucidiff_main.c tests/openwrt/ucidiff_ours.c tests/openwrt/ucidiff_libuci.c
      src/config/uci.c src/core/fsutil.c)
FLAGS=(-D_GNU_SOURCE -Isrc -I"$PREFIX/include" -L"$PREFIX/lib" -Wl,-rpath,"$PREFIX/lib")
passed=0 failed=0

gcc -O1 -g -Wall -Wextra -Werror "${FLAGS[@]}" "${SRCS[@]}" -luci -lubox -o "$OUT/ucidiff" ||
	{ echo "ucidiff: build failed"; echo "0 passed, 1 failed"; exit 1; }
files=(tests/fuzz/corpus/uci/* tests/data/mwan3/* tests/data/uci/* openwrt/files/etc/config/autonomy
       examples/*.conf)
for f in "${files[@]}"; do
	[ -f "$f" ] || continue
	if "$OUT/ucidiff" "$f" >"$OUT/ucidiff.out"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1)); cat "$OUT/ucidiff.out"
	fi
done
echo "ucidiff: $passed files read alike by our parser and libuci, $failed differ"

if command -v clang >/dev/null; then
	corpus=$(mktemp -d)
	cp tests/fuzz/corpus/uci/* "$corpus/"
	if clang -g -O1 -fsanitize=fuzzer,address,undefined -DUCIDIFF_FUZZ "${FLAGS[@]}" \
		"${SRCS[@]}" -luci -lubox -o "$OUT/fuzz_ucidiff" 2>"$OUT/fuzz_ucidiff.log"; then
		if "$OUT/fuzz_ucidiff" -max_total_time="${FUZZ_SECONDS:-15}" -print_final_stats=1 \
			-artifact_prefix="$OUT/ucidiff-" "$corpus" >"$OUT/fuzz_ucidiff.log" 2>&1; then
			echo "ucidiff fuzz: $(grep -E 'stat::number_of_executed_units' "$OUT/fuzz_ucidiff.log" |
				awk '{print $2}') inputs, no difference from libuci"
			passed=$((passed + 1))
		else
			echo "ucidiff fuzz: FINDING"; tail -40 "$OUT/fuzz_ucidiff.log"
			ls "$OUT"/ucidiff-crash-* 2>/dev/null
			failed=$((failed + 1))
		fi
	else
		echo "ucidiff fuzz: build failed"; tail -20 "$OUT/fuzz_ucidiff.log"; failed=$((failed + 1))
	fi
	rm -rf "$corpus"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

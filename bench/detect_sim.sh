#!/bin/sh
# Builds bench/detect_sim against the engine sources and runs it; prints JSON.
# Usage: bench/detect_sim.sh [--trials N] [--hours H] [--seed S] [--burst K]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${TMPDIR:-/tmp}/autonomy-detect_sim.$$
trap 'rm -f "$out"' EXIT INT TERM
${CC:-gcc} -std=gnu11 -O2 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter \
	-D_GNU_SOURCE -I"$root/src" \
	"$root/bench/detect_sim.c" "$root/src/engine/window.c" "$root/src/engine/sched.c" \
	"$root/src/engine/detect.c" "$root/src/engine/health.c" -lm -o "$out"
"$out" "$@"

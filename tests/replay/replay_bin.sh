#!/usr/bin/env bash
# replay_bin.sh BUILD_DIR [OUT_DIR] — prints the path of a program that runs
# `--replay TRACE [--seed N] [-c CONFIG] [--policy P]`: BUILD_DIR/autonomyd
# once its main dispatches --replay to replay_main(), else a small driver
# (tests/replay/replay_driver.c) linked against BUILD_DIR/libautonomy.a
# with the same sanitizer flags, written to OUT_DIR (default: BUILD_DIR).
set -euo pipefail
build=$(cd "${1:?usage: replay_bin.sh BUILD_DIR [OUT_DIR]}" && pwd)
out=${2:-$build}
root=$(cd "$(dirname "$0")/../.." && pwd)
# replay_main's usage text is in the binary only if main links it in.
if [ -x "$build/autonomyd" ] && grep -q "usage: autonomyd --replay TRACE" "$build/autonomyd"; then
	echo "$build/autonomyd"
	exit 0
fi
lib="$build/libautonomy.a"
[ -f "$lib" ] || { echo "replay_bin.sh: $lib not found (build first)" >&2; exit 1; }
flags=()
if grep -q '^AUTONOMY_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
	# shellcheck disable=SC2054  # one compiler flag, the comma is its own
	flags=(-fsanitize=address,undefined -fno-omit-frame-pointer)
fi
drv="$out/replay_driver"
if [ ! -x "$drv" ] || [ "$drv" -ot "$lib" ]; then
	# shellcheck disable=SC2046
	${CC:-cc} -std=gnu11 -O2 "${flags[@]}" -I"$root/src" "$root/tests/replay/replay_driver.c" \
		"$lib" $(pkg-config --libs json-c libevent_core libmnl openssl libnghttp2 libprotobuf-c) -lm -o "$drv"
fi
echo "$drv"

#!/usr/bin/env bash
# The unit tests on router-like CPUs: big-endian 64-bit (s390x) and 32-bit
# (armhf), cross-built with Debian's compilers and run under qemu-user
# (scripts/cross.sh). The two run at once: one's downloads and waiting
# tests overlap the other's compiling. Prints one "N passed, N failed" line
# for both.
# usage: run-cross.sh [BUILD_DIR]   (the build dir is not used: cross builds
# live in build-cross/ARCH)
set -uo pipefail
cd "$(dirname "$0")/../.."
passed=0 failed=0 arches=(s390x armhf)
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
for arch in "${arches[@]}"; do
	(t0=$SECONDS; scripts/cross.sh "$arch" >"$logs/$arch" 2>&1
	 echo $((SECONDS - t0)) >"$logs/$arch.s") &
done
wait
for arch in "${arches[@]}"; do
	grep -vE '^\[ +(RUN|OK) +\]|: [0-9]+ passed$' "$logs/$arch"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logs/$arch" | tail -1)
	line=${line:-0 passed, 1 failed}
	p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	echo "cross $arch: $p passed, $f failed in $(cat "$logs/$arch.s") s"
	passed=$((passed + p)); failed=$((failed + f))
done
echo "cross: both in $SECONDS s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

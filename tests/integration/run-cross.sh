#!/usr/bin/env bash
# The unit tests on router-like CPUs: big-endian 64-bit (s390x) and 32-bit
# (armhf), cross-built with Debian's compilers and run under qemu-user
# (scripts/cross.sh). Prints one "N passed, N failed" line for both.
# usage: run-cross.sh [BUILD_DIR]   (the build dir is not used: cross builds
# live in build-cross/ARCH)
set -uo pipefail
cd "$(dirname "$0")/../.."
passed=0 failed=0
for arch in s390x armhf; do
	start=$(date +%s)
	log=$(mktemp)
	scripts/cross.sh "$arch" 2>&1 | tee "$log" | grep -vE '^\[ |: [0-9]+ passed$'
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	rm -f "$log"
	p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"${line:-0 passed, 1 failed}")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"${line:-0 passed, 1 failed}")
	echo "cross $arch: $p passed, $f failed in $(( $(date +%s) - start )) s"
	passed=$((passed + p)); failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

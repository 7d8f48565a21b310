#!/bin/bash
# shellcheck disable=SC2054  # -fsanitize=a,b is one word
# The dish client against the gRPC dish emulator, on loopback and in the lab.
# Builds tests/integration/sl_drive.c against BUILD_DIR/libautonomy.a (with
# ASan+UBSan when the library has them), then runs test_starlink.py:
#   loopback: emulator on 127.0.0.1;
#   lab (root): emulator in ${LAB_PREFIX}-isp-sl on 192.168.100.1:9200 via
#   lab/dish.sh, the driver in the router namespace bound to device sl.
# Checks: the five calls and their values, a changing scenario tracked within
# one poll, unknown fields ignored, gRPC errors with their message,
# PermissionDenied once, Unimplemented paused, a stalled handler (deadline,
# connection kept), connection reset mid-call,
# fast mode and the stow/unstow/reboot actions, a hanging dish (deadline, loop
# lag, reconnect), emulator killed and restarted (time to the first answer),
# and in the lab: bound to the wrong device the dish is unreachable.
#
# usage: run-starlink.sh [BUILD_DIR]     prints "N passed, N failed" last
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
. "$ROOT/tests/integration/kinds.sh"
need_kinds "$BUILD" starlink
export LAB_PREFIX="${LAB_PREFIX:-sl$$}"
TMP=$(mktemp -d /tmp/sl_run.XXXXXX)
DRIVE="$TMP/sl_drive"
PY=/usr/bin/python3
PASS=0
FAIL=0
LAB=0

cleanup() {
	((LAB)) && "$ROOT/lab/lab.sh" down >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

tally() { # the "N passed, N failed" line of a test run's output file
	local line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -1)
	if [ -z "$line" ]; then
		FAIL=$((FAIL + 1))
		echo "FAIL: $2 did not finish"
		return
	fi
	# shellcheck disable=SC2086  # split "N passed, N failed" into words
	set -- $line
	PASS=$((PASS + $1))
	FAIL=$((FAIL + $3))
}

build() {
	local lib=$BUILD/libautonomy.a san=() libs
	[ -f "$lib" ] || { echo "no $lib"; return 1; }
	nm "$lib" 2>/dev/null | grep -q __asan_init && san=(-fsanitize=address,undefined)
	libs=$(pkg-config --libs libevent_core libnghttp2 libprotobuf-c json-c openssl libmnl) || return 1
	# shellcheck disable=SC2086
	gcc -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter \
		-D_GNU_SOURCE -I"$ROOT/src" -I"$BUILD/proto" "${san[@]}" "$HERE/sl_drive.c" "$lib" \
		$libs -lm -o "$DRIVE"
}
if ! build; then
	echo "FAIL: build sl_drive"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "PASS: build sl_drive"
PASS=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

echo "=== loopback"
"$PY" "$HERE/test_starlink.py" --drive "$DRIVE" --port $((32000 + $$ % 900)) loopback \
	2>&1 | tee "$TMP/loopback.out"
tally "$TMP/loopback.out" loopback

if [ "$(id -u)" = 0 ]; then
	echo "=== lab ($LAB_PREFIX)"
	LAB=1
	if "$ROOT/lab/lab.sh" up >"$TMP/lab.log" 2>&1; then
		"$PY" "$HERE/test_starlink.py" --drive "$DRIVE" --prefix "$LAB_PREFIX" lab \
			2>&1 | tee "$TMP/lab.out"
		tally "$TMP/lab.out" lab
	else
		cat "$TMP/lab.log"
		echo "FAIL: lab up"
		FAIL=$((FAIL + 1))
	fi
else
	echo "skip: lab part needs root"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

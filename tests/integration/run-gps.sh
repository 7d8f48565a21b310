#!/usr/bin/env bash
# shellcheck disable=SC2054,SC2317  # -fsanitize=a,b is one word; cleanup runs from the trap
# gpsd_client against a real gpsd fed the BU-353-S4 NMEA capture.
#   nmea_server.py serves the capture (without its '#' lines) as a GPS
#   receiver on TCP, an epoch every 0.2 s; gpsd reads it as a tcp:// source
#   (-b: never write to the receiver); gps_drive (built here against
#   BUILD_DIR/libautonomy.a) runs gpsd_client and prints a JSON line per fix.
# Asserts:
#   1. fixes arrive, each the one gpsd's regression output (.chk) has for
#      that time: lat, lon, MSL altitude, eph, mode, satellites from SKY;
#   2. gpsd killed: the client notices and backs off; gpsd restarted: it
#      reconnects and fixes resume;
#   3. gpsd stopped (SIGSTOP: the socket stays open, nothing comes): noticed
#      as stale; SIGCONT: fixes resume;
#   4. the receiver goes quiet (gpsd goes silent without telling watchers):
#      stale; it talks again: fixes resume;
#   5. a gpsd with no device: the client stays connected (no reconnect loop,
#      no fix); a device added on gpsd's control socket: fixes arrive;
#   6. a garbage-speaking server: the client survives (clean exit, ASan
#      clean), counts errors, reports no fix, and the loop never stalls (max
#      loop lag); a server that never sends a gpsd report: stale, reconnects.
# Root not needed. Ports 35001-35005 (helper h5's range 35000-35999).
# usage: run-gps.sh [BUILD_DIR]     Last line: "N passed, N failed".
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
. "$ROOT/tests/integration/kinds.sh"
need_kinds "$BUILD" gps
DATA=$ROOT/tests/data/gps
LOG=$DATA/nmea.globalsat-bu353s4.sirf4.gpsd-testlog.log
CHK=$DATA/gpsd-json.globalsat-bu353s4.regression-output.chk
PY=/usr/bin/python3
NMEA_PORT=35001 GPSD_PORT=35002 JUNK_PORT=35003 IDLE_PORT=35004 PURE_PORT=35005
TMP=$(mktemp -d /tmp/run-gps.XXXXXX)
PASS=0 FAIL=0
PIDS=()

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -CONT "$p" 2>/dev/null     # a stopped gpsd cannot die otherwise
		kill "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	[ -n "${GPS_KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { PASS=$((PASS + 1)); echo "PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }
finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
	exit $?
}
# wait_for SECONDS CMD...: until CMD succeeds (every 0.1 s)
wait_for() {
	local end=$((SECONDS + $1)); shift
	until "$@"; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
chk() { "$PY" "$HERE/gps_check.py" "$@"; }
fixes_after() { chk fixes "$1" "$2"; }
state_is() { [ "$(chk get "$1" "$2")" = "$3" ]; }
state_ge() { [ "$(chk get "$1" "$2")" -ge "$3" ] 2>/dev/null; }
more_fixes() { [ "$(fixes_after "$1" "$2")" -ge "$3" ]; }

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# ---- build gps_drive ----------------------------------------------------------
DRIVE=$TMP/gps_drive
build_drive() {
	local lib=$BUILD/libautonomy.a san=() libs
	[ -f "$lib" ] || { echo "no $lib (build first)"; return 1; }
	nm "$lib" 2>/dev/null | grep -q __asan_init && san=(-fsanitize=address,undefined)
	libs=$(pkg-config --libs libevent_core json-c) || return 1
	# shellcheck disable=SC2086
	gcc -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter \
		-D_GNU_SOURCE -I"$ROOT/src" "${san[@]}" "$HERE/gps_drive.c" "$lib" $libs -lm \
		-o "$DRIVE"
}
if build_drive; then ok "build gps_drive"; else bad "build gps_drive"; finish; fi
command -v gpsd >/dev/null || { bad "gpsd not installed"; finish; }
for p in $NMEA_PORT $GPSD_PORT $JUNK_PORT $IDLE_PORT $PURE_PORT; do
	listening "$p" && { bad "port $p already in use"; finish; }
done

start_nmea() {
	"$PY" "$HERE/nmea_server.py" "$LOG" $NMEA_PORT --interval 0.2 >"$TMP/nmea.log" 2>&1 &
	NMEA_PID=$!
	PIDS+=("$NMEA_PID")
	wait_for 5 grep -q "epochs on port" "$TMP/nmea.log"
}
# start_gpsd PORT SOCK [SOURCE]: sets GPSD_PID
start_gpsd() {
	gpsd -N -n -b -S "$1" -F "$2" ${3:+"$3"} >>"$TMP/gpsd.log" 2>&1 &
	GPSD_PID=$!
	PIDS+=("$GPSD_PID")
	wait_for 5 listening "$1"
}
stop_pid() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# ---- 1. fixes from a real gpsd ---------------------------------------------
if start_nmea; then ok "NMEA server: $(head -1 "$TMP/nmea.log")"; else bad "NMEA server"; finish; fi
if start_gpsd $GPSD_PORT "$TMP/gpsd.sock" "tcp://127.0.0.1:$NMEA_PORT"; then
	ok "gpsd $(gpsd -V 2>&1 | awk '{print $2}') on port $GPSD_PORT"
else
	bad "gpsd did not start: $(tail -3 "$TMP/gpsd.log")"; finish
fi
OUT=$TMP/drive.jsonl
"$DRIVE" 127.0.0.1 $GPSD_PORT --stale 1500 --backoff 200 1600 >"$OUT" 2>"$TMP/drive.err" &
DRIVE_PID=$!
PIDS+=("$DRIVE_PID")

if wait_for 15 more_fixes "$OUT" 0 15; then
	ok "15 fixes from gpsd, the 15th $(chk fix_t "$OUT" 15) ms after start"
else
	bad "fixes from gpsd: $(fixes_after "$OUT" 0)"; tail -5 "$TMP/drive.err"
fi
if state_is "$OUT" version "$(gpsd -V 2>&1 | awk '{print $2}')" &&
	state_is "$OUT" device "tcp://127.0.0.1:$NMEA_PORT" && state_is "$OUT" connects 1; then
	ok "one connection; version and device from gpsd"
else
	bad "version/device/connects: $(tail -1 "$OUT")"
fi

# ---- 2. gpsd killed and restarted ------------------------------------------
stop_pid "$GPSD_PID"
if wait_for 5 state_is "$OUT" state backoff; then
	ok "gpsd killed: client backs off ($(chk get "$OUT" last_error))"
else
	bad "gpsd killed: state $(chk get "$OUT" state)"
fi
sleep 1
mark=$(chk lines "$OUT")
start_gpsd $GPSD_PORT "$TMP/gpsd.sock" "tcp://127.0.0.1:$NMEA_PORT"
if wait_for 10 more_fixes "$OUT" "$mark" 3 && state_ge "$OUT" connects 2; then
	ok "gpsd restarted: reconnected (connects $(chk get "$OUT" connects)), fixes resume"
else
	bad "after restart: connects $(chk get "$OUT" connects), fixes $(fixes_after "$OUT" "$mark")"
fi

# ---- 3, 4. silence on an open connection -----------------------------------
# silence WHAT PID STOP RESUME: signal STOP to PID, expect the client to call
# the connection stale; signal RESUME, expect fixes again
silence() {
	local what=$1 pid=$2 stale0 t0 mark
	stale0=$(chk get "$OUT" stale)
	t0=$SECONDS
	kill "-$3" "$pid"
	if wait_for 6 state_ge "$OUT" stale $((stale0 + 1)); then
		ok "$what: stale after ~$((SECONDS - t0)) s ($(chk get "$OUT" last_error))"
	else
		bad "$what: not noticed (state $(chk get "$OUT" state))"
	fi
	sleep 1         # a reconnect meets the silence too
	mark=$(chk lines "$OUT")
	kill "-$4" "$pid"
	if wait_for 12 more_fixes "$OUT" "$mark" 3; then
		ok "$what, then not: fixes resume"
	else
		bad "$what, then not: no fixes ($(chk get "$OUT" state) $(chk get "$OUT" last_error))"
	fi
}
silence "gpsd stopped (SIGSTOP)" "$GPSD_PID" STOP CONT
silence "receiver quiet (gpsd says nothing)" "$NMEA_PID" USR1 USR2
stop_pid "$DRIVE_PID"
if state_is "$OUT" ev end && ! grep -q "ERROR: AddressSanitizer\|runtime error" "$TMP/drive.err"; then
	ok "driver exited cleanly ($(chk get "$OUT" tpv) TPV, max loop lag $(chk get "$OUT" max_lag_ms) ms)"
else
	bad "driver exit"; tail -20 "$TMP/drive.err"
fi
if m=$(chk match "$OUT" "$CHK"); then
	ok "all $m fixes of the run equal gpsd's regression output for their time" \
	   "(lat, lon, MSL alt, eph, mode)"
else
	bad "fixes vs .chk: $m"
fi

# ---- 5. a gpsd with no device ------------------------------------------------
start_gpsd $IDLE_PORT "$TMP/idle.sock" || bad "idle gpsd did not start"
IDLE=$TMP/idle.jsonl
"$DRIVE" 127.0.0.1 $IDLE_PORT --stale 1000 --backoff 200 1600 >"$IDLE" 2>"$TMP/idle.err" &
DRIVE_PID=$!
PIDS+=("$DRIVE_PID")
sleep 3.5
if state_is "$IDLE" state watching && state_is "$IDLE" connects 1 &&
	state_is "$IDLE" stale 0 && state_is "$IDLE" devices 0 && [ "$(fixes_after "$IDLE" 0)" = 0 ]; then
	ok "gpsd without a device: connected for 3.5 s with 1 s stale, no reconnect, no fix"
else
	bad "idle gpsd: $(tail -1 "$IDLE")"
fi
"$PY" -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]);
s.sendall(sys.argv[2].encode() + b"\n"); sys.exit(s.recv(16) != b"OK\n")' \
	"$TMP/idle.sock" "+tcp://127.0.0.1:$NMEA_PORT" || bad "gpsd control socket refused the device"
if wait_for 10 more_fixes "$IDLE" 0 3 && state_is "$IDLE" devices 1 && state_is "$IDLE" connects 1; then
	ok "device added on gpsd's control socket: fixes on the same connection"
else
	bad "device added: $(tail -1 "$IDLE")"
fi
stop_pid "$DRIVE_PID"

# ---- 6. garbage on gpsd's port ---------------------------------------------
# junk_run NAME SECONDS SERVER-ARGS...: a garbage server and a driver against it
junk_run() {
	local name=$1 secs=$2 port=$3; shift 3
	"$PY" "$HERE/gps_garbage_server.py" "$port" "$@" >"$TMP/$name.log" 2>&1 &
	PIDS+=("$!")
	wait_for 5 grep -q "port" "$TMP/$name.log" || { bad "$name server did not start"; return 1; }
	"$DRIVE" 127.0.0.1 "$port" --stale 1000 --backoff 100 400 --duration "$secs" \
		>"$TMP/$name.jsonl" 2>"$TMP/$name.err" && state_is "$TMP/$name.jsonl" ev end &&
		! grep -q "ERROR: AddressSanitizer\|runtime error" "$TMP/$name.err"
}
JUNK=$TMP/junk.jsonl
if junk_run junk 5 $JUNK_PORT --blast 2; then
	ok "garbage blast: client ran 5 s and exited cleanly"
else
	bad "garbage blast: driver failed"; tail -20 "$TMP/junk.err"
fi
if state_ge "$JUNK" errors 50 && state_ge "$JUNK" tpv 1 && state_is "$JUNK" has_last False &&
	[ "$(fixes_after "$JUNK" 0)" = 0 ]; then
	ok "garbage blast: $(chk get "$JUNK" errors) errors, $(chk get "$JUNK" tpv) TPVs" \
	   "without a fix, no position ($(chk get "$JUNK" last_error))"
else
	bad "garbage counters: $(tail -1 "$JUNK")"
fi
lag=$(chk get "$JUNK" max_lag_ms)
# a client that blocked or spun would lag by seconds; 250 ms allows for a
# loaded test machine
if [ "$lag" -lt 250 ] 2>/dev/null; then
	ok "loop never stalled under the garbage blast (max lag $lag ms)"
else
	bad "loop lag $lag ms under garbage"
fi
PURE=$TMP/pure.jsonl
if junk_run pure 3 $PURE_PORT --blast 1 --pure && state_is "$PURE" reports 0 &&
	state_ge "$PURE" stale 1 && state_ge "$PURE" connects 2; then
	ok "not gpsd at all: no report in 3 s, stale after 1 s, reconnects" \
	   "($(chk get "$PURE" connects) connects, $(chk get "$PURE" errors) errors)"
else
	bad "not gpsd: $(tail -1 "$PURE")"; tail -5 "$TMP/pure.err"
fi

finish

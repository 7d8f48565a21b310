#!/bin/bash
# starwatch's memory and size: it watches a real autonomyd (its own temp
# dir, backend none, no root needed) with a 1 s check for a while, survives
# one kill of the daemon (restart path), and then its /proc figures are read:
# VmRSS and VmHWM (which count the shared pages of libc and json-c it maps),
# RssAnon (its own memory) and Pss (shared pages split among their users).
# For scale, the same figures of `sleep`, a program that does nothing, are
# printed. Also the binary's size (as built, and stripped) and its libraries.
#
# usage: bench/starwatch_rss.sh [BUILD_DIR] [SECONDS]   (default build/, 20)
# Prints one JSON object.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
B=${1:-$ROOT/build}
SECS=${2:-20}
TMP=$(mktemp -d /tmp/sw_rss.XXXXXX)
SW=""
cleanup() {
	[ -n "$SW" ] && kill "$SW" 2>/dev/null
	[ -f "$TMP/a.pid" ] && kill "$(cat "$TMP/a.pid")" 2>/dev/null
	[ -n "${SLEEP:-}" ] && kill "$SLEEP" 2>/dev/null
	sleep 0.3
	rm -rf "$TMP"
}
trap cleanup EXIT

cat >"$TMP/a.conf" <<EOF
config autonomy 'main'
	option backend 'none'
	option control_socket '$TMP/run/a.sock'
	option pid_file '$TMP/a.pid'
	option state_dir '$TMP/state'

config autonomy 'starwatch'
	option check_interval '1'
	option hang_timeout '5'
	option log_file '$TMP/starwatch.log'
	option pid_file '$TMP/sw.pid'
	option state_file '$TMP/sw.state'

config member 'lo'
	option device 'lo'
EOF

field() { # pid key  → kB value from /proc/PID/status
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}
pss() {
	awk '$1 == "Pss:" { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo null
}

"$B/autonomyd" -c "$TMP/a.conf" || { echo '{"error":"autonomyd did not start"}'; exit 1; }
"$B/starwatch" -f -c "$TMP/a.conf" 2>/dev/null &
SW=$!
sleep "$((SECS / 2))"
kill -9 "$(cat "$TMP/a.pid")"           # one restart on the way
sleep "$((SECS - SECS / 2))"
restarts=$(grep -c "autonomyd restarted" "$TMP/starwatch.log")
sleep 1000 &
SLEEP=$!
sleep 0.2
cp "$B/starwatch" "$TMP/sw.stripped" && strip "$TMP/sw.stripped"
libs=$(ldd "$B/starwatch" | awk '{ print $1 }' | grep -v -e vdso -e ld-linux | sort | paste -sd, -)

cat <<EOF
{"bench":"starwatch_rss","seconds":$SECS,"check_interval_s":1,"restarts_seen":$restarts,
 "starwatch":{"vmrss_kb":$(field $SW VmRSS),"vmhwm_kb":$(field $SW VmHWM),"rss_anon_kb":$(field $SW RssAnon),"rss_file_kb":$(field $SW RssFile),"pss_kb":$(pss $SW)},
 "sleep_for_scale":{"vmrss_kb":$(field $SLEEP VmRSS),"rss_anon_kb":$(field $SLEEP RssAnon),"pss_kb":$(pss $SLEEP)},
 "binary_bytes":$(stat -c %s "$B/starwatch"),"stripped_bytes":$(stat -c %s "$TMP/sw.stripped"),
 "libraries":"$libs"}
EOF

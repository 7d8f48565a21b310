#!/usr/bin/env bash
# The main job, for now: build autonomy, bring up the network-namespace lab
# (a router with three uplinks: wan, sl, lte) and run autonomyd inside the
# router in observe mode (it measures and decides, changes no routes). It
# shows status/members/health, degrades the primary uplink and shows the
# effect, then keeps running until Ctrl-C (which tears the lab down).
#   RUN_ONCE=1   stop after the walk-through
#   LAB_PREFIX   namespace prefix (default "demo")
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh plain
export LAB_PREFIX=${LAB_PREFIX:-demo}

work=$(mktemp -d /tmp/autonomy-run.XXXXXX)
sock=$work/autonomy.sock
ctl() { build/autonomyctl -s "$sock" "$@"; }
cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	lab/lab.sh down >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

lab/lab.sh up
build/autonomyd -n -c examples/lab.conf
ip netns exec "$LAB_PREFIX-router" build/autonomyd -f -c examples/lab.conf \
	-s "$sock" -p "$work/autonomy.pid" 2>"$work/daemon.log" &
pid=$!
for _ in $(seq 50); do ctl status >/dev/null 2>&1 && break; sleep 0.1; done
sleep 3

show() { for c in "$@"; do echo; echo "== autonomyctl $c"; ctl $c; done; }
show status members health
echo; echo "== lab/impair.sh wan blackhole   (the primary uplink goes silent, carrier stays up)"
lab/impair.sh wan blackhole
sleep 2
show members
echo; echo "== lab/impair.sh wan restore; lab/impair.sh sl delay 80 loss 15"
lab/impair.sh wan restore
lab/impair.sh sl delay 80 loss 15
sleep 8
show members
echo; echo "== events (autonomyctl monitor)"
ctl monitor | sed -n '/recent events/,$p'
[ "${RUN_ONCE:-0}" = 1 ] && exit 0
cat <<MSG

autonomyd keeps running in the lab (pid $pid). In another shell:
  build/autonomyctl -s $sock monitor --continuous
  LAB_PREFIX=$LAB_PREFIX lab/impair.sh wan blackhole | cut | restore | delay 50 | loss 10
Ctrl-C here stops the daemon and tears the lab down.
MSG
wait "$pid"

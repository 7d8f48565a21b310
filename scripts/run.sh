#!/usr/bin/env bash
# The main job, for now: build autonomy and run the daemon in the foreground
# in observe mode (backend 'none': it changes nothing) on this machine's own
# uplinks, then show what it sees with autonomyctl. Ctrl-C stops it.
#   RUN_ONCE=1  stop after showing status/members/health once
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh plain

work=$(mktemp -d /tmp/autonomy-run.XXXXXX)
conf=$work/autonomy
sock=$work/autonomy.sock

# The shipped example's global sections, with the backend forced to observe,
# plus one member per device that carries a default route here.
awk '/^config member/{skip=1} /^config autonomy/{skip=0} !skip' examples/autonomy.conf |
	sed "s/option backend '[a-z0-9]*'/option backend 'none'/" >"$conf"
prio=1
for dev in $( { ip -4 route show default; ip -6 route show default; } |
	      sed -nE 's/.* dev ([^ ]+).*/\1/p' | sort -u); do
	printf "\nconfig member '%s'\n\toption device '%s'\n\toption class 'auto'\n\toption priority '%d'\n" \
		"$(tr -c 'a-zA-Z0-9_\n' _ <<<"$dev")" "$dev" "$prio" >>"$conf"
	prio=$((prio + 1))
done
[ "$prio" -gt 1 ] || printf "\nconfig member 'loopback'\n\toption device 'lo'\n" >>"$conf"

echo "== config: $conf (observe mode; members from this machine's default routes)"
build/autonomyd -n -c "$conf"
build/autonomyd -f -c "$conf" -s "$sock" -p "$work/autonomy.pid" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do build/autonomyctl -s "$sock" status >/dev/null 2>&1 && break; sleep 0.1; done

for cmd in status members health; do
	echo; echo "== autonomyctl $cmd"
	build/autonomyctl -s "$sock" $cmd
done
echo; echo "== autonomyctl --json members"
build/autonomyctl -s "$sock" --json members
[ "${RUN_ONCE:-0}" = 1 ] && exit 0
echo; echo "autonomyd is running (pid $pid). Try: build/autonomyctl -s $sock members   (Ctrl-C stops)"
wait $pid

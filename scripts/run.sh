#!/usr/bin/env bash
# The main job: the live failover demo. Builds autonomy, brings up the lab (a
# router with three uplinks — wan, sl, lte — through their own ISPs to a
# shared internet, and a LAN client) with the gRPC dish emulator answering as
# the Starlink dish behind sl, runs autonomyd inside the router owning its
# default routes (examples/demo.conf: the dish first), and plays
# lab/scenarios/demo.jsonl: the dish announces a reboot and traffic leaves
# before it, an obstruction builds and traffic leaves before the outage, a
# cable is pulled. A LAN client pings and fetches through the router the whole
# time. Shows the daemon's events live, then a summary. Ctrl-C stops early.
#   DEMO_SCENARIO=FILE  another scenario (lab/scenarios/*.jsonl)
#   DEMO_CONFIG=FILE    another config (default examples/demo.conf)
#   LAB_PREFIX          namespace prefix (default "demo")
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh plain
export LAB_PREFIX=${LAB_PREFIX:-demo} LAB_RULES=0
scenario=${DEMO_SCENARIO:-lab/scenarios/demo.jsonl}
work=$(mktemp -d /tmp/autonomy-demo.XXXXXX)
sock=$work/autonomy.sock
pids=()
ctl() { build/autonomyctl -s "$sock" "$@"; }
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	lab/dish.sh stop >/dev/null 2>&1 || true
	lab/lab.sh down >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

conf=${DEMO_CONFIG:-examples/demo.conf}
rm -rf /tmp/autonomy-demo-state         # the demo's state_dir: a fresh month
lab/lab.sh up
lab/dish.sh start -- --boot-s 8
build/autonomyd -n -c "$conf"
ip netns exec "$LAB_PREFIX-router" build/autonomyd -f -c "$conf" \
	-s "$sock" -p "$work/autonomy.pid" 2>"$work/daemon.log" &
pids+=($!)
for _ in $(seq 50); do ctl status >/dev/null 2>&1 && break; sleep 0.1; done
# A month of history for the summary, replayed meanwhile (niced: the demo's
# timing comes first): autonomyd --replay --store writes what the daemon would.
/usr/bin/python3 tests/replay/gen_traces.py --only month_four --out "$work" >/dev/null
nice -n 19 build/autonomyd --replay "$work/month_four.jsonl" --store "$work/month.db" \
	>/dev/null 2>&1 &
month=$!
pids+=("$month")
sleep 3
echo; ctl status; echo; ctl members; echo; ctl starlink

# The LAN client: a ping stream, and an HTTP fetch every 0.5 s that records
# which uplink address the internet saw.
ip netns exec "$LAB_PREFIX-lan" ping -i 0.2 -W 1 198.51.100.1 >"$work/ping.log" 2>&1 &
pids+=($!)
( while :; do
	src=$(ip netns exec "$LAB_PREFIX-lan" curl -s -m 1 http://198.51.100.1/ip || echo FAIL)
	echo "$(date +%T) $src"; sleep 0.5
  done >"$work/fetch.log" ) &
pids+=($!)
# Long-lived LAN sessions (a little traffic every 0.2 s, as an SSH session
# keeps talking), reconnecting whenever one dies: clients on the dish from
# the start, and an SSH-like session opened once traffic is on the wired
# line (after the dish's predicted outage), which then sees the fail-back.
session() {
	ip netns exec "$LAB_PREFIX-lan" /usr/bin/python3 lab/peers/lan_session.py 198.51.100.1 \
		--keep "$1" --via http://198.51.100.1/ip --period 0.2 >"$work/session-$1.log" &
	pids+=($!); spids+=($!)
}
spids=()
session dish-clients
( until ip -n "$LAB_PREFIX-router" route show default | grep -q 'dev wan'; do sleep 0.2; done
  exec ip netns exec "$LAB_PREFIX-lan" /usr/bin/python3 lab/peers/lan_session.py 198.51.100.1 \
	--keep "ssh" --via http://198.51.100.1/ip --period 0.2 >"$work/session-ssh.log" ) &
pids+=($!); spids+=($!)     # (the subshell execs into the session: same pid)

echo; echo "== live: daemon events (autonomyctl monitor --continuous) and scenario steps"
ctl monitor --continuous | grep --line-buffered -v '^$' | sed -u -n '/^[0-9][0-9]:/p' &
pids+=($!)
/usr/bin/python3 lab/scenario.py "$scenario" --restore | sed -u 's/^/        scenario: /'
sleep 2

echo; echo "== summary"
ctl decisions --limit 20
echo; ctl starlink
echo; ctl decisions --period 1h --analysis
echo; ctl notifications
echo; echo "== a month of history (the replayed month: autonomyctl --store FILE analytics)"
if wait "$month"; then
	build/autonomyctl --store "$work/month.db" analytics --period monthly
	build/autonomyctl --store "$work/month.db" report --period monthly --format html \
		>/tmp/autonomy-demo-report.html && echo "monthly report: /tmp/autonomy-demo-report.html"
fi
echo
kill -INT "${pids[1]}" 2>/dev/null || true; sleep 0.3
sent=$(grep -c 'icmp_seq' "$work/ping.log" || true)
tail -3 "$work/ping.log" | grep -E 'packets|rtt' || true
echo "LAN fetches: $(grep -vc FAIL "$work/fetch.log") ok, $(grep -c FAIL "$work/fetch.log") failed;" \
	"seen from the internet as:" $(awk '{print $2}' "$work/fetch.log" | uniq | tr '\n' ' ')
# The sessions end (their last line is written on SIGTERM); then what each
# lived through: sticky flows keep a session through a voluntary switch,
# and a member left for a failure or a predicted outage has its sessions
# reset so that they reconnect at once through the new uplink.
kill -TERM "${spids[@]}" 2>/dev/null || true
sleep 0.5
ctl --json decisions --limit 64 >"$work/decisions.json"
ctl --json members >"$work/members.json"
echo "LAN sessions (lab/peers/lan_session.py):"
/usr/bin/python3 lab/sessions.py "$work/session-dish-clients.log" "$work/session-ssh.log" \
	--decisions "$work/decisions.json" --members "$work/members.json" || true
echo
ctl status

#!/usr/bin/env bash
# lab/dish.sh — the Starlink dish emulator in the lab (see lab/README.md "Dish").
#
#   dish.sh start [SCENARIO] [--control PATH] [-- EMULATOR-OPTIONS...]
#                          run tests/dish/dish_emulator.py in ${P}-isp-sl on 192.168.100.1:9200;
#                          returns once it listens (control socket: $LAB_RUN/dish.sock)
#   dish.sh stop           stop it (SIGTERM; SIGKILL after 2 s)
#   dish.sh ctl JSON       send one control command, print the reply
#                          (e.g. '{"cmd":"mode","mode":"hang"}', '{"cmd":"state"}')
#   dish.sh status         running or not, with its pid and control socket
#
# Environment as for lab.sh (LAB_PREFIX, LAB_RUN). Its log is $LAB_RUN/dish.log.
set -euo pipefail
# shellcheck source=lab/lib.sh
_here=${BASH_SOURCE[0]%/*}; [[ $_here == "${BASH_SOURCE[0]}" ]] && _here=.
source "$_here/lib.sh"

EMU="$LAB_DIR/../tests/dish/dish_emulator.py"
PIDF="$RUN/dish.pid"
CTL_DEFAULT="$RUN/dish.sock"
NS_SL=${ISPNS[sl]}

log() { echo "dish[$P]: $*" >&2; }
die() { log "$*"; exit 1; }

running() { [[ -s $PIDF ]] && kill -0 "$(cat "$PIDF")" 2>/dev/null; }

dish_start() {
    local scenario="" ctl=$CTL_DEFAULT extra=() i
    while (($#)); do
        case "$1" in
            --control) ctl=${2:?--control needs a path}; shift 2 ;;
            --) shift; extra=("$@"); break ;;
            -*) die "unknown option $1" ;;
            *) scenario=$1; shift ;;
        esac
    done
    [[ $EUID -eq 0 ]] || die "must run as root"
    ip netns pids "$NS_SL" >/dev/null 2>&1 || die "lab is not up ($NS_SL missing)"
    running && die "already running (pid $(cat "$PIDF"))"
    local args=(--host "$DISH4" --port 9200 --control "$ctl")
    [[ -n $scenario ]] && args+=(--scenario "$(realpath "$scenario")")
    mkdir -p "$RUN"
    rm -f "$RUN/dish.log"
    ip netns exec "$NS_SL" setsid "$PY" "$EMU" "${args[@]}" "${extra[@]}" \
        >"$RUN/dish.log" 2>&1 </dev/null &
    echo $! >"$PIDF"
    echo "$ctl" >"$RUN/dish.ctl"
    for ((i = 0; i < 500; i++)); do
        grep -q '^listening' "$RUN/dish.log" 2>/dev/null && { log "listening on $DISH4:9200"; return 0; }
        running || break
        sleep 0.02
    done
    die "emulator did not start: $(tail -5 "$RUN/dish.log" 2>/dev/null)"
}

dish_stop() {
    local pid i
    running || { rm -f "$PIDF"; return 0; }
    pid=$(cat "$PIDF")
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$PIDF"; return 0; }
        sleep 0.02
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$PIDF"
}

dish_ctl() {
    local ctl
    [[ $# -eq 1 ]] || die "usage: dish.sh ctl JSON"
    ctl=$(cat "$RUN/dish.ctl" 2>/dev/null || echo "$CTL_DEFAULT")
    [[ -S $ctl ]] || die "no control socket at $ctl (is the emulator running?)"
    "$PY" - "$ctl" "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
f = s.makefile()
line = f.readline()
print(line, end="")
sys.exit(0 if '"ok": true' in line else 1)
EOF
}

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

cmd=${1:-}
[[ $# -gt 0 ]] && shift
case "$cmd" in
    start) dish_start "$@" ;;
    stop) dish_stop ;;
    ctl) dish_ctl "$@" ;;
    status)
        if running; then echo "running pid $(cat "$PIDF") control $(cat "$RUN/dish.ctl")"; else echo "stopped"; exit 3; fi ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
esac

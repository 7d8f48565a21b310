#!/usr/bin/env bash
# lab/impair.sh — impair one uplink of the lab at run time (no netem needed).
#
#   impair.sh UPLINK [delay MS] [jitter MS] [loss PCT] [burst N] [rate KBIT]
#                    [lossdir down|up|both] [delaydir both|up|down] [reorder 0|1] [seed N]
#   impair.sh UPLINK cut | uncut | blackhole | unblackhole | clear | restore | show
#   UPLINK is wan, sl or lte; "all" applies a command to the three.
#
# Values are for the ROUND TRIP and hold until changed (keys not given keep their value):
#   delay   added mean RTT (split evenly over both directions)
#   jitter  standard deviation of the added RTT (normal; never < 0; no reordering)
#   loss    per-packet loss probability in %, applied once per round trip (downstream)
#   burst   mean loss-burst length (Gilbert-Elliott); 0 or 1 = independent losses
#   rate    token-bucket rate limit in kbit/s on both directions (tbf); 0 = none
#   cut / uncut            ISP-side veth down/up: the router sees NO-CARRIER
#   blackhole / unblackhole ISP default routes -> blackhole: carrier stays up, traffic dies
#   clear    delay, jitter, loss, burst and rate back to 0
#   restore  uncut + unblackhole + clear: the uplink as built
#   show     one line of state
#   start    start this uplink's impaird now (scenario.py does, so its first step is on time)
# Delay, jitter and loss are applied by impaird.py, one per ISP namespace, fed by
# `iptables -j NFQUEUE --queue-bypass` in the ISP's FORWARD chain (present only while
# an impairment is set). Returns once the daemon has applied the change.
set -euo pipefail
# shellcheck source=lab/lib.sh
_here=${BASH_SOURCE[0]%/*}; [[ $_here == "${BASH_SOURCE[0]}" ]] && _here=.
source "$_here/lib.sh"

die() { echo "impair[$P]: $*" >&2; exit 1; }
# the comment block at the top of this file
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

[[ $# -ge 1 ]] || { usage >&2; exit 2; }
case "$1" in -h|--help|help) usage; exit 0 ;; esac
UP=$1; shift
if [[ $UP == all ]]; then
    for u in "${UPLINKS[@]}"; do "$0" "$u" "$@"; done
    exit 0
fi
is_uplink "$UP" || die "unknown uplink '$UP' (wan|sl|lte|all)"
[[ $# -ge 1 ]] || { usage >&2; exit 2; }
NS=${ISPNS[$UP]}
N=${IDX[$UP]}
ns_exists "$NS" || die "lab '$P' is not up (no namespace $NS)"
[[ -d $RUN ]] || die "lab '$P' has no run directory $RUN"
CONF=$RUN/impair-$UP.conf
STATE=$RUN/impair-$UP.state
PIDF=$RUN/impaird-$UP.pid
LOG=$RUN/impaird-$UP.log
NFQ_MARK=$RUN/impair-$UP.nfqueue

exec 9>"$RUN/impair-$UP.lock"
flock 9

declare -A C=([gen]=0 [delay]=0 [jitter]=0 [loss]=0 [burst]=0 [rate]=0
              [lossdir]=down [delaydir]=both [reorder]=0 [seed]=none)
if [[ -f $CONF ]]; then
    while IFS='=' read -r k v; do
        [[ -n $k && -n ${C[$k]+x} ]] && C[$k]=$v
    done <"$CONF"
fi
OLD_RATE=${C[rate]}

is_num()  { [[ $1 =~ ^[0-9]+([.][0-9]+)?$ ]]; }
is_zero() { [[ $1 =~ ^0*([.]0*)?$ ]]; }

# alive = the pid in the pid file is an impaird (a zombie or a reused pid is not)
daemon_alive() {
    [[ -f $PIDF ]] || return 1
    local pid
    local -a argv
    read -r pid <"$PIDF" || return 1
    mapfile -d '' argv 2>/dev/null <"/proc/$pid/cmdline" || return 1
    [[ ${argv[1]:-} == */impaird.py ]]
}

start_daemon() {
    daemon_alive && return 0
    rm -f "$STATE" "$PIDF"
    # fd 9 (the lock) must not leak into the daemon
    ip netns exec "$NS" setsid "$PY" "$LAB_DIR/impaird.py" --queue "$N" --conf "$CONF" \
        --state "$STATE" --pidfile "$PIDF" --up-if cpe >>"$LOG" 2>&1 </dev/null 9>&- &
    local i
    for ((i = 0; i < 400; i++)); do
        [[ -s $STATE && -s $PIDF ]] && return 0
        sleep 0.005
    done
    die "impaird for $UP did not start: $(tail -3 "$LOG")"
}

# written in place: every writer holds the lock, and the daemon reads it only when
# started or signalled from under that lock
write_conf() {
    local k out=""
    for k in gen delay jitter loss burst rate lossdir delaydir reorder seed; do
        out+="$k=${C[$k]}"$'\n'
    done
    printf '%s' "$out" >"$CONF"
}

# tell the daemon and wait until its state file shows the new generation
push_conf() {
    local i s pid
    for _ in 1 2; do
        read -r pid <"$PIDF" && kill -HUP "$pid" 2>/dev/null || true
        for ((i = 0; i < 200; i++)); do
            read -r s <"$STATE" || true
            [[ $s =~ \"gen\":\ ([0-9]+) && ${BASH_REMATCH[1]} == "${C[gen]}" ]] && return 0
            sleep 0.005
        done
        # it may have been dying when we looked: start a new one, which reads the conf
        daemon_alive || start_daemon
    done
    die "impaird for $UP did not acknowledge generation ${C[gen]} (see $LOG)"
}

# the NFQUEUE rules exist while $NFQ_MARK does (all under the lock; the run directory
# goes with the lab, so the mark cannot outlive the rules)
nfqueue_rules() {   # add|del
    if [[ $1 == add && -e $NFQ_MARK ]] || [[ $1 == del && ! -e $NFQ_MARK ]]; then
        return 0
    fi
    ip netns exec "$NS" bash -c '
        rule=(FORWARD -j NFQUEUE --queue-num '"$N"' --queue-bypass)
        for t in iptables ip6tables; do
            if [[ $1 == add ]]; then
                $t -C "${rule[@]}" 2>/dev/null || $t -I "${rule[@]}"
            else
                while $t -C "${rule[@]}" 2>/dev/null; do $t -D "${rule[@]}"; done
            fi
        done' _ "$1"
    if [[ $1 == add ]]; then : >"$NFQ_MARK"; else rm -f "$NFQ_MARK"; fi
}

apply_rate() {
    local r=${C[rate]} dev bytes
    [[ $r == "$OLD_RATE" ]] && return 0
    for dev in cpe core; do
        if is_zero "$r"; then
            ip netns exec "$NS" tc qdisc del dev "$dev" root 2>/dev/null || true
        else
            # bucket: 15 ms worth of tokens, at least two full-size frames
            bytes=$((r * 1000 / 8 * 15 / 1000))
            ((bytes < 3100)) && bytes=3100
            ip netns exec "$NS" tc qdisc replace dev "$dev" root tbf rate "${r}kbit" \
                burst "$bytes" latency 100ms
        fi
    done
}

apply() {
    local active=0
    is_zero "${C[delay]}" && is_zero "${C[jitter]}" && is_zero "${C[loss]}" || active=1
    C[gen]=$((C[gen] + 1))
    write_conf
    if ((active)); then
        start_daemon
        push_conf
        nfqueue_rules add
    else
        nfqueue_rules del
        daemon_alive && push_conf
    fi
    apply_rate
}

show() {
    local carrier route daemon="stopped" stats="" pid s
    if ip -n "$NS" -o link show cpe | grep -qE '[<,]UP[,>]'; then carrier="up"; else carrier="cut"; fi
    if ip -n "$NS" route show default | grep -q '^blackhole'; then route=blackhole; else route=ok; fi
    if daemon_alive; then
        read -r pid <"$PIDF"; read -r s <"$STATE"
        daemon="pid $pid"
        [[ $s =~ \"summary\":\ \"([^\"]*)\" ]] && stats="since change: ${BASH_REMATCH[1]}"
    fi
    echo "$UP link=$carrier route=$route delay=${C[delay]} jitter=${C[jitter]} loss=${C[loss]}" \
        "burst=${C[burst]} rate=${C[rate]} lossdir=${C[lossdir]} delaydir=${C[delaydir]}" \
        "reorder=${C[reorder]} impaird=[$daemon${stats:+ $stats}]"
}

cut()   { ip -n "$NS" link set cpe down; }
uncut() { ip -n "$NS" link set cpe up; }
blackhole() {
    ip -n "$NS" route replace blackhole default
    ip -n "$NS" -6 route replace blackhole default
}
unblackhole() {
    ip -n "$NS" route replace default via "${TN4[$UP]}" dev core
    ip -n "$NS" -6 route replace default via "${TN6[$UP]}" dev core
}
clear_params() {
    C[delay]=0 C[jitter]=0 C[loss]=0 C[burst]=0 C[rate]=0
    C[lossdir]=down C[delaydir]=both C[reorder]=0 C[seed]=none
}

case "$1" in
    cut) cut; exit 0 ;;
    uncut) uncut; exit 0 ;;
    blackhole) blackhole; exit 0 ;;
    unblackhole) unblackhole; exit 0 ;;
    show) show; exit 0 ;;
    start) [[ -f $CONF ]] || write_conf; start_daemon; exit 0 ;;
    clear) clear_params; apply; exit 0 ;;
    restore) uncut; unblackhole; clear_params; apply; exit 0 ;;
esac

while [[ $# -gt 0 ]]; do
    key=$1 val=${2:-}
    [[ $# -ge 2 ]] || die "'$key' needs a value"
    case "$key" in
        delay|jitter|burst)
            is_num "$val" || die "$key: not a number: '$val'" ;;
        loss)
            is_num "$val" || die "loss: not a number: '$val'"
            [[ $val =~ ^0*([0-9]*)(\.([0-9]*))?$ ]]
            if ((${#BASH_REMATCH[1]} > 3)) || ((10#0${BASH_REMATCH[1]} > 100)) ||
                { ((10#0${BASH_REMATCH[1]} == 100)) && [[ ${BASH_REMATCH[3]} =~ [1-9] ]]; }; then
                die "loss: at most 100 (%)"
            fi ;;
        rate)
            [[ $val =~ ^[0-9]+$ ]] || die "rate: kbit/s as an integer: '$val'" ;;
        lossdir|delaydir)
            [[ $val =~ ^(up|down|both)$ ]] || die "$key: up, down or both" ;;
        reorder)
            [[ $val =~ ^[01]$ ]] || die "reorder: 0 or 1" ;;
        seed)
            [[ $val =~ ^([0-9]+|none)$ ]] || die "seed: an integer" ;;
        *) die "unknown parameter '$key' (see impair.sh --help)" ;;
    esac
    C[$key]=$val
    shift 2
done
apply

#!/usr/bin/env bash
# lab/lab.sh — autonomy's router lab in network namespaces (see lab/README.md).
#
#   lab.sh up                    build the lab (tears an existing one down first)
#   lab.sh down                  tear it down; idempotent, also after a half-built lab
#   lab.sh status                what exists, links, routes, impairments, processes
#   lab.sh exec NS CMD...        run CMD in a namespace: router inet lan isp-wan isp-sl isp-lte
#   lab.sh route-default UPLINK  set the router's default route (v4+v6) via wan|sl|lte; "none" removes it
#   lab.sh env                   print the lab's names and addresses as shell variables
#   lab.sh deps                  install the Debian packages the lab needs
#
# Environment: LAB_PREFIX (default "al") prefixes every namespace; LAB_RUN (default
# /run/autonomy-lab/$LAB_PREFIX) holds pid, log and impairment state files;
# LAB_RULES=0 skips the per-uplink tables and policy rules (for a daemon that owns them).
set -euo pipefail
# shellcheck source=lab/lib.sh
_here=${BASH_SOURCE[0]%/*}; [[ $_here == "${BASH_SOURCE[0]}" ]] && _here=.
source "$_here/lib.sh"

log() { echo "lab[$P]: $*" >&2; }
die() { log "$*"; exit 1; }

need_root() { [[ $EUID -eq 0 ]] || die "must run as root"; }

# ---------------------------------------------------------------- teardown
lab_down() {
    local ns pids pid any=0 i
    # 1. stop every process living in one of the lab's namespaces (never by name)
    for ns in "${LAB_NAMESPACES[@]}"; do
        ns_exists "$ns" || continue
        any=1
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        for pid in $pids; do
            [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
            kill -TERM "$pid" 2>/dev/null || true
        done
    done
    if ((any)); then
        for ((i = 1; i <= 20; i++)); do
            pids=""
            for ns in "${LAB_NAMESPACES[@]}"; do
                ns_exists "$ns" && pids+="$(ip netns pids "$ns" 2>/dev/null | grep -vx -e "$$" -e "$BASHPID" || true) "
            done
            [[ -z ${pids// /} ]] && break
            if ((i == 20)); then
                # shellcheck disable=SC2086
                kill -KILL $pids 2>/dev/null || true
            else
                sleep 0.025
            fi
        done
    fi
    # 2. delete the namespaces (their veths, routes, rules and firewall tables go with them)
    for ns in "${LAB_NAMESPACES[@]}"; do
        if ns_exists "$ns"; then
            ip netns del "$ns" 2>/dev/null || { umount "/run/netns/$ns" 2>/dev/null || true; rm -f "/run/netns/$ns"; }
        fi
    done
    rm -rf "$RUN"
}

# ---------------------------------------------------------------- build
ns_sysctl() { local ns=$1; shift; ip netns exec "$ns" sysctl -q -w "$@" >/dev/null; }

build_sysctls() {
    local dad=(net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0)
    local nofilter=(net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0)
    local fwd=(net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.forwarding=1)
    bg ns_sysctl "$NS_ROUTER" "${dad[@]}" "${nofilter[@]}" "${fwd[@]}" \
        "net.ipv4.ping_group_range=0 2147483647"
    local u
    for u in "${UPLINKS[@]}"; do
        bg ns_sysctl "${ISPNS[$u]}" "${dad[@]}" "${nofilter[@]}" "${fwd[@]}" \
            net.ipv6.conf.all.keep_addr_on_down=1 net.ipv6.conf.default.keep_addr_on_down=1
    done
    bg ns_sysctl "$NS_INET" "${dad[@]}" "${nofilter[@]}" "${fwd[@]}"
    bg ns_sysctl "$NS_LAN" "${dad[@]}"
    wait_all
}

# run a build step in the background; wait_all waits for those steps, fails if any failed
JOBS=()
bg() { "$@" & JOBS+=($!); }
wait_all() {
    local rc=0 pid
    for pid in "${JOBS[@]}"; do
        wait "$pid" || rc=1
    done
    JOBS=()
    return $rc
}

build_links() {
    local u cmds=""
    for u in "${UPLINKS[@]}"; do
        cmds+="link add $u netns $NS_ROUTER type veth peer name cpe netns ${ISPNS[$u]}"$'\n'
        cmds+="link add core netns ${ISPNS[$u]} type veth peer name isp-$u netns $NS_INET"$'\n'
    done
    cmds+="link add lan netns $NS_ROUTER type veth peer name eth0 netns $NS_LAN"$'\n'
    ip -batch - <<<"$cmds"
}

router_v4() {
    local u n c=""
    c+="link set lo up"$'\n'
    for u in "${UPLINKS[@]}"; do
        c+="addr add ${R4[$u]}/30 dev $u"$'\n'
        c+="link set $u up"$'\n'
    done
    c+="addr add $LAN4_ROUTER/24 dev lan"$'\n'
    c+="link set lan up"$'\n'
    # the Starlink dish's management address, reachable through sl without a default route
    c+="route add $DISH4/32 dev sl src ${R4[sl]}"$'\n'
    if [[ ${LAB_RULES:-1} != 0 ]]; then
        c+="rule add pref 1000 lookup main suppress_prefixlength 0"$'\n'
        for u in "${UPLINKS[@]}"; do
            n=${TBL[$u]}
            c+="route add 10.${IDX[$u]}.0.0/30 dev $u src ${R4[$u]} table $n"$'\n'
            c+="route add default via ${G4[$u]} dev $u table $n"$'\n'
            c+="rule add pref $((1000 + n - 100)) from ${R4[$u]} lookup $n"$'\n'
            c+="rule add pref $((1010 + n - 100)) oif $u lookup $n"$'\n'
        done
        c+="route add $DISH4/32 dev sl src ${R4[sl]} table ${TBL[sl]}"$'\n'
    fi
    ip -n "$NS_ROUTER" -batch - <<<"$c"
}

router_v6() {
    local u n c=""
    for u in "${UPLINKS[@]}"; do
        c+="addr add ${R6[$u]}/64 dev $u nodad"$'\n'
    done
    c+="addr add $LAN6_ROUTER/64 dev lan nodad"$'\n'
    if [[ ${LAB_RULES:-1} != 0 ]]; then
        c+="rule add pref 1000 lookup main suppress_prefixlength 0"$'\n'
        for u in "${UPLINKS[@]}"; do
            n=${TBL[$u]}
            c+="route add 2001:db8:${IDX[$u]}::/64 dev $u table $n"$'\n'
            c+="route add default via ${G6[$u]} dev $u table $n"$'\n'
            c+="rule add pref $((1000 + n - 100)) from ${R6[$u]} lookup $n"$'\n'
            c+="rule add pref $((1010 + n - 100)) oif $u lookup $n"$'\n'
        done
    fi
    ip -6 -n "$NS_ROUTER" -batch - <<<"$c"
}

router_nat() {
    # masquerade LAN traffic per uplink; the router's own traffic is never NATed, so a
    # probe sent with the wrong source address fails here as it would at a real ISP
    ip netns exec "$NS_ROUTER" nft -f - <<EOF
table inet lab_nat {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        ip saddr 192.168.50.0/24 oifname "wan" masquerade
        ip saddr 192.168.50.0/24 oifname "sl" masquerade
        ip saddr 192.168.50.0/24 oifname "lte" masquerade
        ip6 saddr fd50:50:50::/64 oifname "wan" masquerade
        ip6 saddr fd50:50:50::/64 oifname "sl" masquerade
        ip6 saddr fd50:50:50::/64 oifname "lte" masquerade
    }
}
EOF
}

isp_cfg() {
    local u=$1 ns c=""
    ns=${ISPNS[$u]}
    c+="link set lo up"$'\n'
    c+="addr add ${G4[$u]}/30 dev cpe"$'\n'
    c+="addr add ${G6[$u]}/64 dev cpe nodad"$'\n'
    c+="addr add ${TI4[$u]}/30 dev core"$'\n'
    c+="addr add ${TI6[$u]}/64 dev core nodad"$'\n'
    [[ $u == sl ]] && c+="addr add $DISH4/32 dev cpe"$'\n'
    c+="link set cpe up"$'\n'
    c+="link set core up"$'\n'
    c+="route add default via ${TN4[$u]} dev core"$'\n'
    c+="route add ::/0 via ${TN6[$u]} dev core"$'\n'
    ip -n "$ns" -batch - <<<"$c"
}

inet_cfg() {
    local u t c=""
    c+="link set lo up"$'\n'
    for t in "${TARGETS4[@]}"; do c+="addr add $t/32 dev lo"$'\n'; done
    for t in "${TARGETS6[@]}"; do c+="addr add $t/128 dev lo nodad"$'\n'; done
    for u in "${UPLINKS[@]}"; do
        c+="addr add ${TN4[$u]}/30 dev isp-$u"$'\n'
        c+="addr add ${TN6[$u]}/64 dev isp-$u nodad"$'\n'
        c+="link set isp-$u up"$'\n'
        c+="route add 10.${IDX[$u]}.0.0/30 via ${TI4[$u]} dev isp-$u"$'\n'
        c+="route add 2001:db8:${IDX[$u]}::/64 via ${TI6[$u]} dev isp-$u"$'\n'
    done
    ip -n "$NS_INET" -batch - <<<"$c"
}

lan_cfg() {
    ip -n "$NS_LAN" -batch - <<EOF
link set lo up
addr add $LAN4_CLIENT/24 dev eth0
addr add $LAN6_CLIENT/64 dev eth0 nodad
link set eth0 up
route add default via $LAN4_ROUTER dev eth0
route add ::/0 via $LAN6_ROUTER dev eth0
EOF
}

start_inet_services() {
    rm -f "$RUN/inet.ready"
    ip netns exec "$NS_INET" setsid "$PY" "$LAB_DIR/peers/inet_server.py" "$RUN/inet.ready" \
        >"$RUN/inet.log" 2>&1 </dev/null &
}

wait_inet_services() {
    local i
    for ((i = 0; i < 300; i++)); do
        [[ -s $RUN/inet.ready ]] && return 0
        sleep 0.01
    done
    die "inet services did not start (see $RUN/inet.log): $(tail -3 "$RUN/inet.log" 2>/dev/null)"
}

# The kernel reports a veth's carrier through linkwatch, which batches events: right after
# the build one end may still be operstate DOWN for up to ~1 s, and IPv6 ignores a link
# until then (the first neighbour solicitation through it got lost in ~10-30 % of builds).
# So the lab is ready only when every veth is operstate UP.
wait_operstate() {
    local i ns out notup
    for ((i = 0; i < 150; i++)); do
        notup=""
        for ns in "${LAB_NAMESPACES[@]}"; do
            out=$(ip -n "$ns" -o link show)
            while read -r _ dev rest; do
                [[ $dev == lo: ]] && continue
                [[ $rest == *"state UP"* ]] || notup+=" $ns/${dev%%@*}"
            done <<<"$out"
        done
        [[ -z $notup ]] && return 0
        sleep 0.02
    done
    die "links not up after 3 s:$notup"
}

write_env() {
    lab_env >"$RUN/lab.env"
}

lab_env() {
    local u
    echo "LAB_PREFIX=$P"
    echo "LAB_RUN=$RUN"
    echo "LAB_NS_ROUTER=$NS_ROUTER"
    echo "LAB_NS_INET=$NS_INET"
    echo "LAB_NS_LAN=$NS_LAN"
    for u in "${UPLINKS[@]}"; do
        local U=${u^^}
        echo "LAB_NS_ISP_$U=${ISPNS[$u]} LAB_${U}_KIND=${KIND[$u]}"
        echo "LAB_${U}_ADDR4=${R4[$u]} LAB_${U}_GW4=${G4[$u]}"
        echo "LAB_${U}_ADDR6=${R6[$u]} LAB_${U}_GW6=${G6[$u]} LAB_${U}_TABLE=${TBL[$u]}"
    done
    echo "LAB_TARGETS4=\"${TARGETS4[*]}\""
    echo "LAB_TARGETS6=\"${TARGETS6[*]}\""
    echo "LAB_DISH4=$DISH4"
    echo "LAB_LAN4_CLIENT=$LAN4_CLIENT LAB_LAN6_CLIENT=$LAN6_CLIENT"
}

lab_up() {
    local t0 u
    t0=$EPOCHREALTIME
    if any_exists; then
        log "already (partly) up: tearing down first"
        lab_down
    fi
    command -v ping >/dev/null || die "ping missing: run 'lab.sh deps'"
    mkdir -p "$RUN"
    # on any failure, leave nothing half-built behind
    trap 'rc=$?; if ((rc)); then log "build failed, tearing down"; lab_down; fi' EXIT
    for u in "${LAB_NAMESPACES[@]}"; do ip netns add "$u"; done
    build_sysctls
    build_links
    bg router_v4
    for u in "${UPLINKS[@]}"; do bg isp_cfg "$u"; done
    bg inet_cfg
    bg lan_cfg
    wait_all
    start_inet_services
    bg router_v6
    bg router_nat
    wait_all
    wait_operstate
    wait_inet_services
    write_env
    trap - EXIT
    local ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
    log "up in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s"
}

any_exists() {
    local ns
    for ns in "${LAB_NAMESPACES[@]}"; do ns_exists "$ns" && return 0; done
    [[ -d $RUN ]]
}

# ---------------------------------------------------------------- utilities
route_default() {
    local u=${1:-}
    ns_exists "$NS_ROUTER" || die "lab is not up"
    case "$u" in
        none|off|"")
            ip -n "$NS_ROUTER" route del default 2>/dev/null || true
            ip -n "$NS_ROUTER" -6 route del default 2>/dev/null || true
            ;;
        *)
            uplink_index "$u" >/dev/null
            ip -n "$NS_ROUTER" route replace default via "${G4[$u]}" dev "$u"
            ip -n "$NS_ROUTER" -6 route replace default via "${G6[$u]}" dev "$u"
            ;;
    esac
}

lab_status() {
    local ns u up=0
    for ns in "${LAB_NAMESPACES[@]}"; do
        if ns_exists "$ns"; then
            printf '%-16s present  pids: %s\n' "$ns" "$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')"
            up=1
        else
            printf '%-16s absent\n' "$ns"
        fi
    done
    ((up)) || return 3
    if ns_exists "$NS_ROUTER"; then
        echo "--- router links"
        ip -n "$NS_ROUTER" -br link
        echo "--- router default routes"
        ip -n "$NS_ROUTER" route show default
        ip -n "$NS_ROUTER" -6 route show default
    fi
    for u in "${UPLINKS[@]}"; do
        ns_exists "${ISPNS[$u]}" || continue
        echo "--- $("$LAB_DIR/impair.sh" "$u" show 2>&1 | tr '\n' ' ')"
    done
}

# the comment block at the top of this file
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

cmd=${1:-}
[[ $# -gt 0 ]] && shift
case "$cmd" in
    up) need_root; lab_up ;;
    down) need_root; lab_down ;;
    status) lab_status ;;
    exec)
        [[ $# -ge 2 ]] || die "usage: lab.sh exec NS CMD..."
        ns=$(ns_name "$1"); shift
        exec ip netns exec "$ns" "$@"
        ;;
    route-default) need_root; route_default "${1:-}" ;;
    env) lab_env ;;
    deps)
        need_root
        apt-get install -y --no-install-recommends iproute2 iptables nftables iputils-ping \
            python3 curl procps util-linux
        ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
esac

# shellcheck shell=bash disable=SC2034  # variables are used by the scripts that source this
# lab/lib.sh — shared names and addresses of the autonomy router lab.
# Sourced by lab.sh, impair.sh and selftest.sh (bash, set -euo pipefail).
# Everything that lives outside the lab's namespaces is named with ${LAB_PREFIX:-al}:
# the namespaces themselves and the run directory. Device names, tables, rules and
# firewall tables live inside the namespaces and so cannot collide.

P="${LAB_PREFIX:-al}"
if [[ ! $P =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,15}$ ]]; then
    echo "lab: bad LAB_PREFIX '$P' (1-16 of [A-Za-z0-9_.-])" >&2
    exit 2
fi
# the lab's directory, found without forking (scripts here run often, forks cost ~5 ms)
_src=${BASH_SOURCE[0]}
[[ $_src == */* ]] || _src=./$_src
LAB_DIR=${_src%/*}
[[ $LAB_DIR == /* ]] || LAB_DIR=$PWD/$LAB_DIR
unset _src
RUN="${LAB_RUN:-/run/autonomy-lab/$P}"
PY=/usr/bin/python3

NS_ROUTER="$P-router"
NS_INET="$P-inet"
NS_LAN="$P-lan"
UPLINKS=(wan sl lte)
# every namespace the lab may create, in teardown order
LAB_NAMESPACES=("$P-lan" "$P-router" "$P-isp-wan" "$P-isp-sl" "$P-isp-lte" "$P-inet")

# per-uplink facts: index N (subnet 10.N.0.0/30, table 100+N, NFQUEUE number N).
# Kept as arrays so that building the lab forks no subshell per address.
declare -A IDX=([wan]=1 [sl]=2 [lte]=3)
declare -A KIND=([wan]=wired [sl]=starlink [lte]=cellular)
declare -A R4 G4 R6 G6 TBL TI4 TN4 TI6 TN6 ISPNS
for _u in "${UPLINKS[@]}"; do
    _n=${IDX[$_u]}
    R4[$_u]=10.$_n.0.2;        G4[$_u]=10.$_n.0.1          # router / ISP side of the uplink
    R6[$_u]=2001:db8:$_n::2;   G6[$_u]=2001:db8:$_n::1
    TBL[$_u]=$((100 + _n))                                  # per-uplink routing table
    TI4[$_u]=10.255.$_n.2;     TN4[$_u]=10.255.$_n.1       # ISP <-> inet transit: ISP / inet
    TI6[$_u]=2001:db8:ff0$_n::2; TN6[$_u]=2001:db8:ff0$_n::1
    ISPNS[$_u]=$P-isp-$_u
done
unset _u _n

uplink_index() {
    [[ -n ${1:-} && -n ${IDX[$1]:-} ]] && { echo "${IDX[$1]}"; return 0; }
    echo "lab: unknown uplink '${1:-}' (wan|sl|lte)" >&2
    return 2
}
is_uplink()   { [[ -n ${1:-} && -n ${IDX[$1]:-} ]]; }
isp_ns()      { echo "${ISPNS[$1]}"; }
r_addr4()     { echo "${R4[$1]}"; }
gw_addr4()    { echo "${G4[$1]}"; }
r_addr6()     { echo "${R6[$1]}"; }
gw_addr6()    { echo "${G6[$1]}"; }
table_of()    { echo "${TBL[$1]}"; }

TARGETS4=(198.51.100.1 198.51.100.2 203.0.113.1)
TARGETS6=(2001:db8:ffff::1 2001:db8:ffff::2)
DISH4=192.168.100.1
LAN4_ROUTER=192.168.50.1 LAN4_CLIENT=192.168.50.2
LAN6_ROUTER=fd50:50:50::1 LAN6_CLIENT=fd50:50:50::2

# Resolve "router", "isp-sl", "sl" (= its ISP), or a full name to a namespace name.
ns_name() {
    case "$1" in
        router|inet|lan|isp-wan|isp-sl|isp-lte) echo "$P-$1" ;;
        wan|sl|lte) echo "${ISPNS[$1]}" ;;
        "$P"-*) echo "$1" ;;
        *) echo "lab: unknown namespace '$1' (router|inet|lan|isp-wan|isp-sl|isp-lte)" >&2; return 2 ;;
    esac
}
ns_exists() { [[ -e /run/netns/$1 ]]; }

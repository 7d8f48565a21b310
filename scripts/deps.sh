#!/usr/bin/env bash
# Installs what building and testing autonomy needs on Debian 12, only the
# packages that are missing. Needs root for apt-get; without root it just
# reports what is missing.
set -euo pipefail

PKGS=(
	build-essential cmake pkg-config
	libevent-dev libjson-c-dev libmnl-dev libcmocka-dev libssl-dev
	libnftnl-dev                      # sticky flows: our own nftables table
	libnghttp2-dev libprotobuf-c-dev protobuf-c-compiler   # the dish's gRPC
	libsqlite3-dev sqlite3             # the history store (sqlite3: tests check integrity)
	clang libclang-rt-14-dev          # libFuzzer + sanitizers
	iproute2 iptables nftables procps iputils-ping curl util-linux  # the lab
	python3                            # /usr/bin/python3 for test helpers and the lab
	python3-grpcio python3-protobuf protobuf-compiler   # the dish emulator (a real gRPC server)
	gpsd                               # a real gpsd for the GPS tests
	socat
	libsnmp-dev libmosquitto-dev       # exporters: WITH_SNMP, WITH_MQTT (run-export.sh installs the servers)
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]} (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

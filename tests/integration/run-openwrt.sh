#!/usr/bin/env bash
# autonomy against OpenWrt's real ubus stack (ubusd, rpcd, uhttpd, uci; built
# from the vendored sources into a cache by tests/lib/openwrt_stack.py), the
# package's shell scripts, systemd notify, mwan3 coexistence, and our UCI
# parser against the real libuci (tests/openwrt/run-ucidiff.sh).
# usage: run-openwrt.sh BUILD_DIR
set -uo pipefail
cd "$(dirname "$0")"
BUILD=$(cd "${1:-../../build}" && pwd)
need=()
for p in busybox shellcheck curl openssl util-linux; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" -eq 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" \
		>/dev/null 2>&1 || true
fi
log=$(mktemp)
/usr/bin/python3 test_openwrt.py "$BUILD" 2>&1 | tee "$log"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
rm -f "$log"
p1=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"${line:-0 passed, 1 failed}")
f1=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"${line:-0 passed, 1 failed}")
log=$(mktemp)
../openwrt/run-ucidiff.sh "$BUILD" 2>&1 | tee "$log"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
rm -f "$log"
p2=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"${line:-0 passed, 1 failed}")
f2=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"${line:-0 passed, 1 failed}")
echo "$((p1 + p2)) passed, $((f1 + f2)) failed"
[ $((f1 + f2)) -eq 0 ]

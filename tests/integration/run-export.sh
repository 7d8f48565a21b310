#!/usr/bin/env bash
# The exporters against real prometheus/promtool, snmpd and mosquitto in the
# lab (root). Installs the Debian packages it needs.
set -euo pipefail
cd "$(dirname "$0")"
need=()
for p in prometheus snmpd snmp mosquitto mosquitto-clients openssl curl; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	echo "run-export: installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
exec /usr/bin/python3 test_export.py "${1:-../../build}"

#!/usr/bin/env bash
# Alerts against real servers in the lab: HTTPS endpoints in the shapes of
# Slack, PagerDuty Events v2, ntfy, Pushover and a webhook, and an SMTP
# server with STARTTLS and AUTH (Debian's python3-aiosmtpd), installed here.
# usage: run-alerts.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")"
need=()
for p in python3-aiosmtpd openssl iproute2; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	echo "run-alerts: installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
exec /usr/bin/python3 test_alerts.py "${1:-../../build}"

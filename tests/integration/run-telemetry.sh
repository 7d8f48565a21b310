#!/usr/bin/env bash
# The daemon reading modem, radio, data usage and position (root).
set -euo pipefail
cd "$(dirname "$0")"
. ./kinds.sh
need_kinds "${1:-../../build}" cellular wifi gps usage
exec /usr/bin/python3 test_telemetry.py "${1:-../../build}"

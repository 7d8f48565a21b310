#!/usr/bin/env bash
# The daemon reading modem, radio, data usage and position (root).
set -euo pipefail
cd "$(dirname "$0")"
exec /usr/bin/python3 test_telemetry.py "${1:-../../build}"

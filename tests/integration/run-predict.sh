#!/usr/bin/env bash
# The daemon with the dish emulator in the lab: predictive failover (root).
set -euo pipefail
cd "$(dirname "$0")"
. ./kinds.sh
need_kinds "${1:-../../build}" starlink
exec /usr/bin/python3 test_predict.py "${1:-../../build}"

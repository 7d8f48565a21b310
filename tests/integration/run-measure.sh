#!/usr/bin/env bash
# The daemon measuring uplinks in the lab (root).
set -euo pipefail
cd "$(dirname "$0")"
exec /usr/bin/python3 test_measure.py "${1:-../../build}"

#!/usr/bin/env bash
# The daemon moving traffic on real kernel routing in the lab (root).
set -euo pipefail
cd "$(dirname "$0")"
exec /usr/bin/python3 test_routing.py "${1:-../../build}"

#!/usr/bin/env bash
# Sticky flows on real kernel routing and nftables in the lab (root).
set -euo pipefail
cd "$(dirname "$0")"
exec /usr/bin/python3 test_flows.py "${1:-../../build}"

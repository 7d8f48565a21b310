#!/usr/bin/env bash
# The route backend in the lab: switch, conntrack flush, member tables,
# repair after admin-down, ENOBUFS resync, adoption, restore (root).
set -euo pipefail
cd "$(dirname "$0")"
exec ./route_lab_test.sh "${1:-../../build}"

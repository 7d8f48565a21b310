#!/usr/bin/env bash
# The probe engine on every uplink of the lab (root).
set -euo pipefail
cd "$(dirname "$0")"
exec ./probe_lab_test.sh "${1:-../../build}"

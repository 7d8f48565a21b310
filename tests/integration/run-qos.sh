#!/usr/bin/env bash
# The traffic shaper on real qdiscs in the lab: EF latency under a bulk
# upload with and without it, the adaptive rate, switches, clean exit (root).
set -euo pipefail
cd "$(dirname "$0")"
command -v tc >/dev/null || apt-get install -y --no-install-recommends iproute2 >/dev/null
exec /usr/bin/python3 test_qos.py "${1:-../../build}"

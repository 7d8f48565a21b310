#!/usr/bin/env bash
# Parity of the daemon and the replay: a lab scenario recorded by the daemon
# (--record) and played back (--replay) must decide the same (root).
set -euo pipefail
cd "$(dirname "$0")"
. ./kinds.sh
need_kinds "${1:-../../build}" starlink
exec /usr/bin/python3 test_parity.py "${1:-../../build}"

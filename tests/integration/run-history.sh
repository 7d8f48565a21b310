#!/usr/bin/env bash
# Integration tests of the history store: a replayed store and every history
# command (Chromium renders the HTML report), a kill loop of the writer and
# the durable copy's sync, and the daemon's history across restarts.
# usage: run-history.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")"
exec /usr/bin/python3 test_history.py "${1:-../../build}"

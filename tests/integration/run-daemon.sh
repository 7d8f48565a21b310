#!/usr/bin/env bash
# Integration tests of autonomyd + autonomyctl + the rpcd plugin.
# usage: run-daemon.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")"
exec /usr/bin/python3 test_daemon.py "${1:-../../build}"

#!/usr/bin/env bash
# Issue 13's findings, least privilege and authorisation, end to end (root:
# another user through setpriv, a network namespace for the dish emulator).
# usage: run-harden.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")"
exec /usr/bin/python3 test_harden.py "${1:-../../build}"

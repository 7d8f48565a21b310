#!/usr/bin/env bash
# Every autonomyctl invocation of the operations guide (33, taken from its
# text), run as written against autonomyd in the namespace lab with history.
# Its four maintenance scripts (backup, optimize, security, disaster backup)
# too, from its text, in a mount namespace laid out as installed.
# usage: run-guide.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")"
exec /usr/bin/python3 test_guide.py "${1:-../../build}"

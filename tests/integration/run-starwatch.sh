#!/usr/bin/env bash
# starwatch with the real daemon in the lab's router namespace (root): hang,
# kill, hold-down with an emergency webhook, the fail-safe default route.
# usage: run-starwatch.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")"
# curl posts the emergency; ping checks the fail-safe route.
if ! command -v curl >/dev/null || ! command -v ping >/dev/null; then
	../../lab/lab.sh deps
fi
exec /usr/bin/python3 test_starwatch.py "${1:-../../build}"

#!/usr/bin/env bash
# linkmon against the real kernel in network namespaces (carrier, addresses,
# renames, ENOBUFS resync, churn).
set -euo pipefail
cd "$(dirname "$0")"
exec ./test_linkmon_netns.sh

#!/usr/bin/env bash
# The lab's own self-test: namespaces, uplinks, impairment measured.
set -euo pipefail
cd "$(dirname "$0")/../.."
LAB_PREFIX=${LAB_PREFIX:-cil$$} exec lab/selftest.sh

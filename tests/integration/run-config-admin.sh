#!/usr/bin/env bash
# config backup / verify-backup / audit as the guide types them, with a
# daemon and through the rpcd plugin.
set -euo pipefail
cd "$(dirname "$0")"
exec /usr/bin/python3 test_config_admin.py "${1:-../../build}"

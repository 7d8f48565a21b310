#!/usr/bin/env bash
# The web UI (docs/web.md): the LuCI app and the standalone page.
#  1. static: ESLint with LuCI's conventions over the LuCI app, the page and
#     these tests; the .pot has every translated string; the LuCI package
#     tree as luci.mk installs it (menu, ACLs, views and the modules they
#     require; the ubus methods the views call are the plugin's and in the
#     right ACL groups) — tests/web/test_static.py;
#  2. the browser: Debian's chromium driven by playwright-core against the
#     real stack (lab, dish emulator, autonomyd, OpenWrt's ubusd/rpcd/uhttpd)
#     — tests/web/browser.mjs; screenshots in build-web/artifacts/.
# npm packages are pinned (tests/web/package-lock.json) and installed with
# `npm ci` into build-web/node once per lock file; no browser is downloaded.
# usage: run-web.sh [BUILD_DIR]          prints "N passed, N failed" last
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
WEB=$ROOT/tests/web
NODE_DIR=$ROOT/build-web/node
ARTIFACTS=$ROOT/build-web/artifacts
t0=$(date +%s)

# the machine's Node.js (>= 20.19 for ESLint 10) and npm; Debian's chromium
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
for p in python3-grpcio python3-protobuf; do   # the dish emulator
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" -eq 0 ]; then
	echo "web: installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
		  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1; }
fi
for c in node npm /usr/bin/chromium; do
	command -v "$c" >/dev/null || { echo "web: $c is missing and could not be installed"
		echo "0 passed, 1 failed"; exit 1; }
done

# npm ci once per lock file: node_modules is kept in build-web/node (gitignored)
lock_sum=$(sha256sum "$WEB/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$NODE_DIR/.lock-sum" 2>/dev/null)" != "$lock_sum" ]; then
	mkdir -p "$NODE_DIR"
	cp "$WEB/package.json" "$WEB/package-lock.json" "$NODE_DIR/"
	if ! (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error); then
		echo "web: npm ci failed"; echo "0 passed, 1 failed"; exit 1
	fi
	echo "$lock_sum" > "$NODE_DIR/.lock-sum"
fi
ln -sfn ../../build-web/node/node_modules "$WEB/node_modules"

pass=0 fail=0
count() {   # adds a log's "N passed, N failed" line to the totals
	local line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
	line=${line:-0 passed, 1 failed}
	pass=$((pass + $(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")))
	fail=$((fail + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

/usr/bin/python3 "$WEB/test_static.py" "$BUILD" 2>&1 | tee "$log"
count "$log"
(cd "$WEB" && node browser.mjs "$BUILD" "$ARTIFACTS") 2>&1 | tee "$log"
count "$log"

echo "web: $(($(date +%s) - t0)) s; screenshots in ${ARTIFACTS#"$ROOT"/}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

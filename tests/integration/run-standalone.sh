#!/usr/bin/env bash
# run-standalone.sh: the repository stands alone. A clone on a new machine must build, test
# and run the demo with nothing beside it, so:
#   - nothing in the build, the tests, the lab, the scripts, the sources or the benchmarks
#     names the reference folder beside the repository, except tests/lib/openwrt_src.sh,
#     the one lookup of an optional extra (this file spells the pattern in pieces so that
#     the same check, run by hand or by a hook, does not find it here);
#   - every copied capture in tests/data is byte-identical to what was copied (SHA256SUMS),
#     and every file there has its row in tests/data/SOURCES.md, and every row its file;
#   - openwrt_src.sh finds the sources through $AUTONOMY_OPENWRT_SRC or beside the
#     repository, errors on a wrong $AUTONOMY_OPENWRT_SRC, and says "skip:" (77) otherwise.
# No root, no network, about a second. Last line: "N passed, N failed".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DATA=$ROOT/tests/data
HELPER=tests/lib/openwrt_src.sh
TMP=$(mktemp -d /tmp/standalone.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok: $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $1"; }

cd "$ROOT" || exit 1

# --- nothing reads outside the repository -------------------------------------------------
dirs=()
for d in CMakeLists.txt scripts lab tests src bench examples openwrt .ci; do
	[ -e "$d" ] && dirs+=("$d")
done
up='\.\.' ref=shared
refs=$(grep -rIn -e "$up/$ref" -e "/work/$ref" "${dirs[@]}" 2>/dev/null | grep -v "^$HELPER:")
if [ -z "$refs" ]; then
	ok "nothing but $HELPER looks outside the repository"
else
	bad "these read outside the repository (copy what they need into tests/data or docs):"
	echo "$refs" | head -20 | sed 's/^/    /'
fi

# --- the captures: unchanged, and each with its origin --------------------------------------
if (cd "$DATA" && sha256sum --quiet -c SHA256SUMS) >"$TMP/sums" 2>&1; then
	ok "$(wc -l <"$DATA/SHA256SUMS") captures byte-identical to what was copied"
else
	bad "captures changed since they were copied (replace a capture, never edit it):"
	sed 's/^/    /' "$TMP/sums" | head -20
fi

missing=()
while IFS= read -r f; do
	grep -qF "\`$(basename "$f")\`" "$DATA/SOURCES.md" || missing+=("$f")
done < <(cd "$DATA" && find . -mindepth 2 -type f | sed 's|^\./||' | sort)
if [ ${#missing[@]} -eq 0 ]; then
	ok "every file in tests/data has its row in SOURCES.md"
else
	bad "no row in tests/data/SOURCES.md for: ${missing[*]}"
fi

# Rows of the capture tables (## <dir>/ ...): the first cell's names must exist there.
/usr/bin/python3 - "$DATA" >"$TMP/rows" <<'PY'
import os, re, sys
data = sys.argv[1]
sec = None
for line in open(os.path.join(data, "SOURCES.md"), encoding="utf-8"):
    m = re.match(r"## (\w+)/", line)
    if m:
        sec = m.group(1)
        continue
    if sec and line.startswith("| `"):
        for name in re.findall(r"`([^`]+)`", line.split("|")[1]):
            if not os.path.isfile(os.path.join(data, sec, name)):
                print("%s/%s" % (sec, name))
PY
if [ ! -s "$TMP/rows" ]; then
	ok "every row of SOURCES.md names a file that is there"
else
	bad "SOURCES.md rows without their file: $(tr '\n' ' ' <"$TMP/rows")"
fi

# --- the one optional lookup ----------------------------------------------------------------
mkdir -p "$TMP/src" "$TMP/empty"
: >"$TMP/src/build.sh"
out=$(AUTONOMY_OPENWRT_SRC=$TMP/src "$HELPER" 2>/dev/null); rc=$?
if [ $rc -eq 0 ] && [ "$out" = "$TMP/src" ]; then
	ok "openwrt_src: \$AUTONOMY_OPENWRT_SRC is used"
else
	bad "openwrt_src with AUTONOMY_OPENWRT_SRC: rc $rc, '$out'"
fi

err=$(AUTONOMY_OPENWRT_SRC=$TMP/empty "$HELPER" 2>&1 >/dev/null); rc=$?
if [ $rc -eq 1 ] && grep -q 'AUTONOMY_OPENWRT_SRC=.*no build.sh' <<<"$err"; then
	ok "openwrt_src: a wrong \$AUTONOMY_OPENWRT_SRC is an error, not a skip"
else
	bad "openwrt_src with a wrong AUTONOMY_OPENWRT_SRC: rc $rc, '$err'"
fi

# A clone alone (nothing beside it), then one with the sources beside it.
for t in alone beside; do
	mkdir -p "$TMP/$t/repo/tests/lib"
	cp "$HELPER" "$TMP/$t/repo/$HELPER"
done
mkdir -p "$TMP/beside/shared/vendor/openwrt"
: >"$TMP/beside/shared/vendor/openwrt/build.sh"
err=$(env -u AUTONOMY_OPENWRT_SRC "$TMP/alone/repo/$HELPER" 2>&1 >/dev/null); rc=$?
if [ $rc -eq 77 ] && grep -q '^skip: .*AUTONOMY_OPENWRT_SRC' <<<"$err"; then
	ok "openwrt_src: absent -> 77 and a skip message that says what to set"
else
	bad "openwrt_src alone: rc $rc, '$err'"
fi
out=$(env -u AUTONOMY_OPENWRT_SRC "$TMP/beside/repo/$HELPER" 2>/dev/null); rc=$?
if [ $rc -eq 0 ] && [ "$out" = "$TMP/beside/shared/vendor/openwrt" ]; then
	ok "openwrt_src: found beside the repository"
else
	bad "openwrt_src beside: rc $rc, '$out'"
fi
# Sourced, as shell tests use it.
out=$(AUTONOMY_OPENWRT_SRC=$TMP/src bash -c '. "$1" && openwrt_src' _ "$HELPER" 2>/dev/null); rc=$?
if [ $rc -eq 0 ] && [ "$out" = "$TMP/src" ]; then
	ok "openwrt_src: works when sourced"
else
	bad "openwrt_src sourced: rc $rc, '$out'"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

#!/usr/bin/env bash
# openwrt_src.sh: where OpenWrt's own sources are (libubox, ubus, uci, rpcd, uhttpd and
# ucode as tarballs, with the build.sh that builds them on Debian), for the optional tests
# that run a real ubusd/rpcd/uhttpd. They are not part of this repository and are never
# copied into it; the one place that may look outside the repository is this lookup, so a
# clone on its own builds, tests and runs the demo, and only those tests are skipped.
#
# Looked up in this order:
#   $AUTONOMY_OPENWRT_SRC            a directory with build.sh in it; set but without one
#                                    is an error, not a skip (the operator asked for it)
#   shared/vendor/openwrt in the folder that holds the repository
#                                    (the reference tree beside a development checkout)
#
# Sourced (`. tests/lib/openwrt_src.sh`): defines openwrt_src, which prints the directory
# and returns 0, or explains on stderr and returns 77 (absent) or 1 (misconfigured).
# Run as a program (Python tests): the same, as its exit status.

openwrt_src() {
	local top beside
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) || return 1
	beside=$(dirname "$top")/shared/vendor/openwrt
	if [ -n "${AUTONOMY_OPENWRT_SRC:-}" ]; then
		if [ -f "$AUTONOMY_OPENWRT_SRC/build.sh" ]; then
			(cd "$AUTONOMY_OPENWRT_SRC" && pwd)
			return 0
		fi
		echo "error: AUTONOMY_OPENWRT_SRC=$AUTONOMY_OPENWRT_SRC has no build.sh" \
			"(it must name the folder with OpenWrt's source tarballs and build.sh)" >&2
		return 1
	fi
	if [ -f "$beside/build.sh" ]; then
		echo "$beside"
		return 0
	fi
	echo "skip: OpenWrt's sources (libubox, ubus, uci, rpcd, uhttpd, ucode) are not here;" \
		"set AUTONOMY_OPENWRT_SRC to a folder with them and their build.sh, or put them" \
		"in shared/vendor/openwrt beside the repository ($beside)" >&2
	return 77
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	openwrt_src
	exit $?
fi

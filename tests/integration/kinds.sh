# kinds.sh — sourced by the integration phases of telemetry kinds.
#   need_kinds BUILD_DIR KIND...   when BUILD_DIR was configured without one
#                                  of the kinds (CMake WITH_<KIND>=OFF), says
#                                  so, prints "0 passed, 0 failed" and exits 0:
#                                  a kind that is not built has nothing to test.
need_kinds() {
	local build=$1 k
	shift
	for k in "$@"; do
		if grep -q "^WITH_${k^^}:BOOL=OFF" "$build/CMakeCache.txt" 2>/dev/null; then
			echo "skipped: $k telemetry is not built in $build (WITH_${k^^}=OFF)"
			echo "0 passed, 0 failed"
			exit 0
		fi
	done
}

#!/usr/bin/env bash
# build.sh [plain|asan|fuzz|nokinds]... — configure and build into build/,
# build-asan/, build-fuzz/, build-nokinds/ (every telemetry kind left out:
# WITH_STARLINK=OFF ... WITH_USAGE=OFF). Default: plain.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
[ $# -eq 0 ] && set -- plain
for kind in "$@"; do
	case "$kind" in
	plain) dir=build; flags=() ;;
	asan)  dir=build-asan; flags=(-DAUTONOMY_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug) ;;
	fuzz)  dir=build-fuzz; flags=(-DAUTONOMY_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug) ;;
	nokinds) dir=build-nokinds; flags=(-DWITH_STARLINK=OFF -DWITH_CELLULAR=OFF -DWITH_WIFI=OFF
			-DWITH_GPS=OFF -DWITH_USAGE=OFF) ;;
	*) echo "build.sh: unknown build kind '$kind'" >&2; exit 2 ;;
	esac
	cmake -S . -B "$dir" "${flags[@]}" >/dev/null
	cmake --build "$dir" -j "$jobs" >/dev/null
	echo "build: $dir ok"
done

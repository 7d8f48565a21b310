#!/usr/bin/env bash
# cross.sh ARCH — cross-builds autonomy and its unit tests for a router-like
# CPU and runs the unit tests under qemu-user:
#   s390x  big-endian, 64-bit (the big-endian architecture Debian ships)
#   armhf  little-endian, 32-bit (time_t, long and pointers are 32 bits)
# Uses Debian's cross compilers and Debian's ARCH builds of the libraries.
# The libraries are unpacked into a sysroot (build-cross/ARCH/sysroot) from
# `apt-get download`ed packages rather than installed as ARCH packages: dpkg
# co-installs a library for two architectures only at the same version, and
# the host's may be a security update newer than what exists for ARCH.
# Ends with "N passed, N failed". Needs root the first time (apt-get).
#   CROSS_JOBS=N        parallel make jobs (default: nproc)
#   CROSS_BUILD_TYPE=T  CMake build type (default None: -O2, no debug info, asserts on;
#                       lean for CI)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ARCH=${1:-}
case "$ARCH" in
s390x) TRIPLET=s390x-linux-gnu; QEMU=qemu-s390x; CPU=s390x
	# qemu-user leaves one kind of rtnetlink attribute in the host's byte
	# order (test_linkmon says which); the live-kernel test skips on it.
	export AUTONOMY_QEMU_CROSS_ENDIAN=1 ;;
armhf) TRIPLET=arm-linux-gnueabihf; QEMU=qemu-arm; CPU=arm
	# qemu-user writes a 32-bit guest's IP_RECVERR offender 4 KiB past
	# the control buffer; the error-queue test skips on it.
	export AUTONOMY_QEMU_ERRQUEUE_BROKEN=1 ;;
*) echo "usage: scripts/cross.sh s390x|armhf" >&2; exit 2 ;;
esac
OUT=$ROOT/build-cross/$ARCH
SYSROOT=$OUT/sysroot
BUILD=$OUT/build
JOBS=${CROSS_JOBS:-$(nproc 2>/dev/null || echo 2)}
LIBS=(libevent-dev libevent-core-2.1-7 libjson-c-dev libjson-c5 libmnl-dev libmnl0
      libnftnl-dev libnftnl11 libssl-dev libssl3 libnghttp2-dev libnghttp2-14 libprotobuf-c-dev libprotobuf-c1
      libcmocka-dev libcmocka0 libsqlite3-dev libsqlite3-0)
HOSTPKGS=("gcc-$TRIPLET" "libc6-dev-$ARCH-cross" qemu-user protobuf-c-compiler cmake
          pkg-config)

fail() { echo "cross $ARCH: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

host_deps() {
	local missing=()
	for p in "${HOSTPKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || fail "missing packages: ${missing[*]} (run as root)"
	echo "cross $ARCH: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null || fail "apt-get install failed"
}

# The ARCH packages' lists: the architecture is added once (it changes
# nothing installed), then apt knows where ARCH's packages are.
arch_lists() {
	if ! dpkg --print-foreign-architectures | grep -qx "$ARCH"; then
		[ "$(id -u)" -eq 0 ] || fail "dpkg architecture $ARCH not added (run as root)"
		dpkg --add-architecture "$ARCH"
	fi
	apt-cache show "libmnl0:$ARCH" >/dev/null 2>&1 && return 0
	[ "$(id -u)" -eq 0 ] || fail "no package lists for $ARCH (run as root)"
	apt-get update -qq >/dev/null 2>&1 || true
	apt-cache show "libmnl0:$ARCH" >/dev/null 2>&1 || fail "no package lists for $ARCH"
}

sysroot() {
	# a sysroot made for another list of libraries is made again
	[ -f "$SYSROOT/.done" ] && [ "$(cat "$SYSROOT/.done")" = "${LIBS[*]}" ] && return 0
	arch_lists
	local dl; dl=$(mktemp -d)
	chmod 755 "$dl"   # apt's download user writes here
	(cd "$dl" && apt-get download -qq "${LIBS[@]/%/:$ARCH}" >/dev/null 2>&1) ||
		{ rm -rf "$dl"; fail "apt-get download of the $ARCH libraries failed"; }
	rm -rf "$SYSROOT"; mkdir -p "$SYSROOT"
	for deb in "$dl"/*.deb; do dpkg-deb -x "$deb" "$SYSROOT"; done
	rm -rf "$dl"
	echo "${LIBS[*]}" >"$SYSROOT/.done"
}

toolchain() {
	local lib=$SYSROOT/usr/lib/$TRIPLET
	cat >"$OUT/toolchain.cmake" <<EOF
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR $CPU)
set(CMAKE_C_COMPILER $TRIPLET-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/$TRIPLET $SYSROOT)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_C_FLAGS_INIT "-O2 -isystem $SYSROOT/usr/include/$TRIPLET")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,-rpath-link,$lib -Wl,-rpath,$lib")
set(CMAKE_CROSSCOMPILING_EMULATOR $QEMU;-L;/usr/$TRIPLET)
EOF
}

build() {
	export PKG_CONFIG_LIBDIR=$SYSROOT/usr/lib/$TRIPLET/pkgconfig:$SYSROOT/usr/share/pkgconfig
	export PKG_CONFIG_SYSROOT_DIR=$SYSROOT
	export PKG_CONFIG_PATH=
	# net-snmp's and libmosquitto's -dev packages pull in more than LIBS can
	# list: their exporters' pure parts (MIB, MQTT payloads) are still built
	# and tested, only the library-bound files are left out.
	cmake -S . -B "$BUILD" -DCMAKE_TOOLCHAIN_FILE="$OUT/toolchain.cmake" \
		-DCMAKE_BUILD_TYPE="${CROSS_BUILD_TYPE:-None}" -DWITH_SNMP=OFF -DWITH_MQTT=OFF \
		>"$OUT/configure.log" 2>&1 ||
		{ tail -30 "$OUT/configure.log"; fail "configure failed"; }
	cmake --build "$BUILD" -j "$JOBS" >"$OUT/build.log" 2>&1 ||
		{ grep -E 'error|Error' "$OUT/build.log" | head -40; fail "build failed"; }
}

# Each unit-test binary under qemu; cmocka prints one line per test, and the
# binary's exit status is its number of failed tests.
run_tests() {
	local passed=0 failed=0 bad=()
	local t log; log=$(mktemp)
	file "$BUILD/autonomyd" | sed "s|$BUILD/||"
	for t in "$BUILD"/test_*; do
		[ -x "$t" ] || continue
		local name; name=$(basename "$t")
		local rc=0
		(cd "$BUILD" && timeout 600 "$QEMU" -L "/usr/$TRIPLET" "$t") >"$log" 2>&1 || rc=$?
		local ok nok
		ok=$(sed -nE 's/^\[  PASSED  \] ([0-9]+) test.*/\1/p' "$log" | tail -1)
		nok=$(sed -nE 's/^\[  FAILED  \] ([0-9]+) test.*/\1/p' "$log" | tail -1)
		ok=${ok:-0} nok=${nok:-0}
		if [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then nok=1; fi
		passed=$((passed + ok)); failed=$((failed + nok))
		if [ "$rc" -ne 0 ]; then
			bad+=("$name"); echo "cross $ARCH: $name failed (exit $rc):"
			grep -vE '^\[ (RUN|      OK) ' "$log" | tail -40
		else
			echo "cross $ARCH: $name: $ok passed"
		fi
	done
	rm -f "$log"
	[ ${#bad[@]} -eq 0 ] || echo "cross $ARCH: failing: ${bad[*]}"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

mkdir -p "$OUT"
start=$(date +%s)
host_deps
sysroot
toolchain
build
echo "cross $ARCH: built in $(( $(date +%s) - start )) s"
run_tests

#!/usr/bin/env bash
# cross.sh ARCH — cross-builds autonomy and its unit tests for a router-like
# CPU and runs the unit tests under qemu-user:
#   s390x  big-endian, 64-bit (the big-endian architecture Debian ships)
#   armhf  little-endian, 32-bit (time_t, long and pointers are 32 bits)
# Uses Debian's cross compilers and Debian's ARCH builds of the libraries,
# with every feature (WITH_*) on: the point is the byte order and word size
# of all of the code.
# The sysroot (build-cross/ARCH/sysroot) holds the ARCH builds of the
# libraries scripts/deps.sh lists (`deps.sh --libs`, the one list) and,
# recursively, the libraries those depend on; the packages are
# `apt-get download`ed and unpacked rather than installed as ARCH packages:
# dpkg co-installs a library for two architectures only at the same version,
# and the host's may be a security update newer than what exists for ARCH.
# It is made again when that list changes.
# Ends with "N passed, N failed". Needs root the first time (apt-get).
#   CROSS_JOBS=N        parallel make jobs and test programs (default: nproc)
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
HOSTPKGS=("gcc-$TRIPLET" "libc6-dev-$ARCH-cross" qemu-user protobuf-c-compiler cmake
          pkg-config file)

fail() { echo "cross $ARCH: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

# apt-get and dpkg of two cross.sh running at once (run-cross.sh) take turns.
apt_locked() { # cmd...
	local fd
	exec {fd}>"$ROOT/build-cross/.apt-lock"
	flock "$fd"
	"$@"
	exec {fd}>&-
}

# An apt-get that fails is tried again: another apt-get on the machine may
# hold apt's locks (apt-get update and download do not wait for them; install
# waits up to DPkg::Lock::Timeout), or the mirror may hiccup. Waits on a lock
# for up to 10 minutes, tries three times on other errors; its errors go to
# $OUT/apt.log.
apt_retry() { # cmd...
	local try=0 waited=0
	while :; do
		"$@" >"$OUT/apt.log" 2>&1 && return 0
		if grep -q 'Could not get lock' "$OUT/apt.log" && [ "$waited" -lt 600 ]; then
			sleep 10; waited=$((waited + 10)); continue
		fi
		try=$((try + 1))
		[ "$try" -lt 3 ] || { tail -5 "$OUT/apt.log" >&2; return 1; }
		sleep $((try * 10))
	done
}

host_deps() {
	local missing=()
	for p in "${HOSTPKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || fail "missing packages: ${missing[*]} (run as root)"
	echo "cross $ARCH: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt_retry apt-get install -y -qq --no-install-recommends \
		-o DPkg::Lock::Timeout=600 "${missing[@]}" || fail "apt-get install failed"
}

# The ARCH packages' lists: the architecture is added once (it changes
# nothing installed), then apt knows where ARCH's packages are.
arch_lists() {
	if ! dpkg --print-foreign-architectures | grep -qx "$ARCH"; then
		[ "$(id -u)" -eq 0 ] || fail "dpkg architecture $ARCH not added (run as root)"
		dpkg --add-architecture "$ARCH"
	fi
	apt-cache show "libc6:$ARCH" >/dev/null 2>&1 && return 0
	[ "$(id -u)" -eq 0 ] || fail "no package lists for $ARCH (run as root)"
	apt_retry apt-get update -qq || true
	apt-cache show "libc6:$ARCH" >/dev/null 2>&1 || fail "no package lists for $ARCH"
}

# The libraries named and, recursively, the ARCH libraries they depend on
# (Depends and Pre-Depends, every alternative; recommendations are not
# needed to build or run). A dependency is followed when it is a library
# built for ARCH (Section libs or libdevel, Multi-Arch: same; "foreign" ones
# are tools that serve any architecture, like rpcsvc-proto) that the cross
# toolchain does not have already (X where X-ARCH-cross is installed: libc6,
# libc6-dev, libgcc-s1, linux-libc-dev, ...). Two apt-cache runs in all:
# each loads every package list (Debian's images keep no apt cache).
resolve() { # -dev package...
	local graph libs cross
	graph=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances "${@/%/:$ARCH}")
	cross=$(dpkg-query -W -f='${Package}\n' "*-$ARCH-cross" 2>/dev/null |
		sed -n "s/-$ARCH-cross\$//p" | tr '\n' ' ')
	# shellcheck disable=SC2046 # one word per package
	libs=$(apt-cache show --no-all-versions $(grep -E "^[^ <>]+:$ARCH\$" <<<"$graph") \
		2>/dev/null | awk -v cross=" $cross" '
		/^Package:/ { p = $2 } /^Section:/ { s = $2; sub(".*/", "", s) }
		/^Multi-Arch:/ { m = $2 }
		/^$/ { if (p != "" && (s == "libs" || s == "libdevel") && m == "same" &&
			index(cross " ", " " p " ") == 0) print p
			p = s = m = "" }' | tr '\n' ' ')
	# the walk from the roots, through those libraries only
	awk -v roots="$*" -v libs=" $libs" -v arch=":$ARCH" '
		function lib(n) { return index(libs " ", " " n " ") > 0 }
		/^[^ ]/ { cur = $0; next }
		($1 ~ /^\|?(Pre)?Depends:$/) && substr($2, length($2) - length(arch) + 1) == arch &&
			substr(cur, length(cur) - length(arch) + 1) == arch {
			from = substr(cur, 1, length(cur) - length(arch))
			to = substr($2, 1, length($2) - length(arch))
			if (lib(to)) deps[from] = deps[from] " " to
		}
		END {
			n = split(roots, todo, " ")
			for (i = 1; i <= n; i++) seen[todo[i]] = 1
			for (i = 1; i <= n; i++) {
				print todo[i]
				k = split(deps[todo[i]], d, " ")
				for (j = 1; j <= k; j++)
					if (!(d[j] in seen)) { seen[d[j]] = 1; todo[++n] = d[j] }
			}
		}' <<<"$graph" | sort
}

# Absolute symbolic links (libfoo.so -> /lib/TRIPLET/libfoo.so.1) point
# into the host's root; in the sysroot they must point into the sysroot.
sysroot_links() {
	local link target
	find "$SYSROOT" -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
		target=$(readlink "$link")
		ln -sfn "$SYSROOT$target" "$link"
	done
}

sysroot() {
	local libs
	libs=$(scripts/deps.sh --libs | sort | tr '\n' ' ')
	[ -n "$libs" ] || fail "scripts/deps.sh --libs listed no libraries"
	# a sysroot made for another list of libraries is made again
	[ -f "$SYSROOT/.done" ] && [ "$(cat "$SYSROOT/.done")" = "$libs" ] && return 0
	apt_locked arch_lists
	local pkgs
	# shellcheck disable=SC2086 # one word per package
	mapfile -t pkgs < <(resolve $libs)
	local dl; dl=$(mktemp -d)
	chmod 755 "$dl"   # apt's download user writes here
	echo "cross $ARCH: sysroot of ${#pkgs[@]} packages"
	# lists older than the mirror name versions it no longer has: updated once
	(cd "$dl" && apt_retry apt-get download -qq "${pkgs[@]/%/:$ARCH}") ||
		{ [ "$(id -u)" -eq 0 ] && apt_locked apt_retry apt-get update -qq &&
		  (cd "$dl" && apt_retry apt-get download -qq "${pkgs[@]/%/:$ARCH}"); } ||
		{ rm -rf "$dl"; fail "apt-get download of the $ARCH libraries failed: ${pkgs[*]}"; }
	rm -rf "$SYSROOT"; mkdir -p "$SYSROOT"
	for deb in "$dl"/*.deb; do dpkg-deb -x "$deb" "$SYSROOT"; done
	rm -rf "$dl"
	sysroot_links
	printf '%s\n' "${pkgs[@]}" >"$OUT/sysroot-packages"
	echo "$libs" >"$SYSROOT/.done"
}

toolchain() {
	# Bookworm's libraries live in /usr/lib/TRIPLET and /lib/TRIPLET.
	# DT_RPATH (--disable-new-dtags), not RUNPATH: the loader under qemu
	# finds the libraries' own libraries (libnetsnmp's libwrap, libcurl's
	# libldap, ...) there too; RUNPATH serves only the program's direct ones.
	local lib=$SYSROOT/usr/lib/$TRIPLET:$SYSROOT/lib/$TRIPLET
	cat >"$OUT/toolchain.cmake" <<EOF
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR $CPU)
set(CMAKE_C_COMPILER $TRIPLET-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/$TRIPLET $SYSROOT)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_C_FLAGS_INIT "-O2 -isystem $SYSROOT/usr/include/$TRIPLET")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,-rpath-link,$lib -Wl,--disable-new-dtags -Wl,-rpath,$lib")
set(CMAKE_CROSSCOMPILING_EMULATOR $QEMU;-L;/usr/$TRIPLET)
EOF
}

build() {
	# a build configured with another toolchain file or against another
	# sysroot starts again: CMake keeps the flags it was first given
	local made; made=$(cat "$OUT/toolchain.cmake" "$SYSROOT/.done")
	[ "$(cat "$BUILD/.made-with" 2>/dev/null)" = "$made" ] || rm -rf "$BUILD"
	mkdir -p "$BUILD"; echo "$made" >"$BUILD/.made-with"
	export PKG_CONFIG_LIBDIR=$SYSROOT/usr/lib/$TRIPLET/pkgconfig:$SYSROOT/usr/share/pkgconfig
	export PKG_CONFIG_SYSROOT_DIR=$SYSROOT
	export PKG_CONFIG_PATH=
	cmake -S . -B "$BUILD" -DCMAKE_TOOLCHAIN_FILE="$OUT/toolchain.cmake" \
		-DCMAKE_BUILD_TYPE="${CROSS_BUILD_TYPE:-None}" >"$OUT/configure.log" 2>&1 ||
		{ tail -30 "$OUT/configure.log"; fail "configure failed"; }
	# every WITH_* option stays on: a feature left out is code not tested here
	local off
	off=$(sed -nE 's/^(WITH_[A-Z0-9_]+):BOOL=OFF$/\1/p' "$BUILD/CMakeCache.txt" | tr '\n' ' ')
	[ -z "$off" ] || fail "features off in the cross build: $off"
	cmake --build "$BUILD" -j "$JOBS" >"$OUT/build.log" 2>&1 ||
		{ grep -E 'error|Error' "$OUT/build.log" | head -40; fail "build failed"; }
}

# One unit-test binary under qemu: its output, exit status and milliseconds
# into LOGDIR/.
run_one() { # binary logdir
	local name rc=0 t0=${EPOCHREALTIME/./}
	name=$(basename "$1")
	(cd "$BUILD" && timeout 600 "$QEMU" -L "/usr/$TRIPLET" "$1") >"$2/$name.log" 2>&1 || rc=$?
	echo "$rc" >"$2/$name.rc"
	echo $(((${EPOCHREALTIME/./} - t0) / 1000)) >"$2/$name.ms"
}

# The binaries, JOBS at a time.
run_all() { # logdir binary...
	local logs=$1 running=0 t; shift
	for t in "$@"; do
		if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
		run_one "$t" "$logs" &
		running=$((running + 1))
	done
	wait
}

# The unit-test binaries, longest first (this build's last run, else the
# host build's ctest costs): a long one started last would be the tail.
ordered_tests() {
	local t name key costs=$ROOT/build/Testing/Temporary/CTestCostData.txt
	for t in "$BUILD"/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		key=$(awk -v n="$name" '$1 == n { print $2; exit }' "$OUT/test-ms" 2>/dev/null) || :
		[ -n "$key" ] || key=$(awk -v n="$name" '$1 == n { print int($3 * 1000); exit }' \
			"$costs" 2>/dev/null) || :
		echo "${key:-0} $t"
	done | sort -k1,1nr -k2 | cut -d' ' -f2-
}

# cmocka prints one line per test, and the binary's exit status is its
# number of failed tests: "OK NOK" of one binary's run.
counts() { # logdir name
	local ok nok rc; rc=$(cat "$1/$2.rc")
	ok=$(sed -nE 's/^\[  PASSED  \] ([0-9]+) test.*/\1/p' "$1/$2.log" | tail -1)
	nok=$(sed -nE 's/^\[  FAILED  \] ([0-9]+) test.*/\1/p' "$1/$2.log" | tail -1)
	ok=${ok:-0} nok=${nok:-0}
	if [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then nok=1; fi
	echo "$ok $nok"
}

errors() { # log: what cmocka said but the tests' names
	grep -vE '^\[ +(RUN|OK) +\] ' "$1" | tail -40
}

run_tests() {
	local passed=0 failed=0 bad=() tests=() again=() t name ok nok start=$SECONDS
	local logs=$OUT/tests
	rm -rf "$logs"; mkdir -p "$logs/alone"
	file "$BUILD/autonomyd" | sed "s|$BUILD/||"
	mapfile -t tests < <(ordered_tests)
	run_all "$logs" "${tests[@]}"
	for t in "${tests[@]}"; do
		name=$(basename "$t")
		[ "$(cat "$logs/$name.rc")" -eq 0 ] || again+=("$t")
	done
	# A binary that failed while others ran runs once more alone: if only a
	# busy machine's timing failed it, it passes there (and says so, with
	# the first run's errors); a real failure fails again.
	JOBS=1 run_all "$logs/alone" "${again[@]}"
	for t in "${tests[@]}"; do
		name=$(basename "$t")
		if [ -f "$logs/alone/$name.rc" ] && [ "$(cat "$logs/alone/$name.rc")" -eq 0 ]; then
			echo "cross $ARCH: $name failed beside other tests, passed alone; the first run:"
			errors "$logs/$name.log"
			mv "$logs/alone/$name".* "$logs/"
		elif [ -f "$logs/alone/$name.rc" ]; then
			mv "$logs/alone/$name".* "$logs/"
		fi
		read -r ok nok < <(counts "$logs" "$name")
		passed=$((passed + ok)); failed=$((failed + nok))
		if [ "$(cat "$logs/$name.rc")" -ne 0 ]; then
			bad+=("$name"); echo "cross $ARCH: $name failed (exit $(cat "$logs/$name.rc")):"
			errors "$logs/$name.log"
		else
			echo "cross $ARCH: $name: $ok passed"
		fi
	done
	for t in "${tests[@]}"; do
		name=$(basename "$t"); echo "$name $(cat "$logs/$name.ms")"
	done >"$OUT/test-ms"
	# the programs load every library they link (the sysroot is complete
	# at run time, not only at link time) and start
	for t in autonomyd autonomyctl starwatch; do
		local out rc=0
		out=$(cd "$BUILD" && timeout 120 "$QEMU" -L "/usr/$TRIPLET" "./$t" -V 2>&1) || rc=$?
		if [ "$rc" -eq 0 ] && [[ "$out" == "$t "* ]]; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1)); bad+=("$t"); echo "cross $ARCH: $t -V (exit $rc): $out"
		fi
	done
	[ ${#bad[@]} -eq 0 ] || echo "cross $ARCH: failing: ${bad[*]}"
	echo "cross $ARCH: tests ran in $((SECONDS - start)) s"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

mkdir -p "$OUT"
apt_locked host_deps
sysroot
echo "cross $ARCH: sysroot ready in $SECONDS s"
toolchain
build
echo "cross $ARCH: built in $SECONDS s"
run_tests

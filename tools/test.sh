#!/bin/bash
# SPDX-License-Identifier: ISC
#
# The whole test suite, as CI runs it (.ci/run) and as the README tells
# you to run it: as root on a Debian 12 machine, from anywhere.
#
#  1. tools/deps.sh: the Debian packages;
#  2. build-asan: ASan+UBSan build, unit tests (ctest -L unit);
#  3. man pages lint-clean (mandoc -Tlint -Wwarning);
#  4. C sources clang-format clean, shell scripts shellcheck clean;
#  5. build-test: a -Werror build with test paths compiled in (config,
#     store and install prefix under /var/tmp/jitlog-test, so the suite
#     never touches a real installation), then the full ctest suite:
#     unit, PAM and the integration tests, which install this build
#     with its real setuid/setgid modes under /var/tmp/jitlog-test and
#     run it as real users.  The test install is removed afterwards.
#     Before the suite: gcc -fanalyzer (tools/analyze.sh), every fuzz
#     target for a short time (fuzz/run.sh), and the hardening of the
#     binaries as they would be installed (tools/check-hardening.sh),
#     and a smoke run of the benchmarks (bench/run.sh --smoke).
#
# Every step runs even when an earlier one failed (unless it cannot);
# the exit status is non-zero if any step failed.

# "sh tools/test.sh" works too: this line is plain sh.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
umask 022

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

TEST_ROOT=/var/tmp/jitlog-test
JOBS=$(nproc 2>/dev/null || echo 2)
failed=()

banner() {
	printf '\n==== %s\n' "$*"
}

# step NAME CMD...: run CMD, remember NAME if it fails.
step() {
	local name=$1
	shift
	banner "$name"
	if "$@"; then
		return 0
	fi
	echo "tools/test.sh: step failed: $name" >&2
	failed+=("$name")
	return 1
}

if [ "$(id -u)" = 0 ]; then
	step "deps" sh tools/deps.sh
else
	banner "not root: skipping deps.sh; integration tests will be skipped"
fi

# ---- sanitizers: unit tests under ASan+UBSan --------------------------------
asan() {
	# Warnings are errors in build-test; here they are only shown
	# (instrumentation at -O0 makes GCC's flow-based warnings guess).
	cmake -S . -B build-asan -DJITLOG_SANITIZE=ON -DJITLOG_WERROR=OFF \
	    -DCMAKE_BUILD_TYPE=Debug \
	    -DJITLOG_CONFIG_PATH=$TEST_ROOT/etc/jitlog.conf \
	    -DJITLOG_DATABASE_PATH=$TEST_ROOT/state/jitlog.db \
	    -DCMAKE_INSTALL_PREFIX=$TEST_ROOT/prefix \
	    -DJITLOG_PAM_DIR=$TEST_ROOT/prefix/lib/security &&
	    cmake --build build-asan -j "$JOBS" &&
	    (cd build-asan &&
		ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0:verify_asan_link_order=0 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		UID_WRAPPER_DISABLE_DEEPBIND=1 PAM_WRAPPER_DISABLE_DEEPBIND=1 \
		ctest -L unit --output-on-failure -j "$JOBS")
}
step "unit tests under ASan+UBSan (build-asan)" asan

# ---- man pages --------------------------------------------------------------
manlint() {
	local pages out
	pages=$(find man -maxdepth 1 -name '*.[1-8]' | sort)
	if [ -z "$pages" ]; then
		echo "no man pages in man/"
		return 1
	fi
	# shellcheck disable=SC2086
	out=$(mandoc -Tlint -Wwarning $pages 2>&1 |
	    grep -v 'referenced manual not found')
	if [ -n "$out" ]; then
		printf '%s\n' "$out"
		return 1
	fi
	echo "lint-clean:" $pages
}
step "mandoc -Tlint -Wwarning man/*" manlint

# ---- formatting -------------------------------------------------------------
format() {
	local files bad=0 f
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		files=$(git ls-files -- '*.c' '*.h')
	else
		files=$(find . -path './build*' -prune -o \
		    \( -name '*.c' -o -name '*.h' \) -print)
	fi
	for f in $files; do
		clang-format --dry-run --Werror "$f" || bad=$((bad + 1))
	done
	if [ "$bad" != 0 ]; then
		echo "$bad file(s) not clang-format clean (clang-format -i FILE)"
		return 1
	fi
	echo "clang-format clean: $(printf '%s\n' $files | wc -l) files"
}
step "clang-format --dry-run --Werror" format

# ---- shell scripts ----------------------------------------------------------
# Warnings and errors only (its notes are style).  Not checked: SC1091
# (a sourced file it was not told to follow), SC2317 (functions called
# from traps look unreachable to it) and SC2174 ("mkdir -p -m" sets the
# mode of the last directory only, which is what the scripts mean).
shlint() {
	local files f
	files=$(git ls-files -- '*.sh' 2>/dev/null ||
	    find tools tests bench -name '*.sh')
	for f in $(git ls-files -- .ci tools bench 2>/dev/null); do
		case $f in *.sh) continue ;; esac
		head -n 1 "$f" | grep -qE '^#! ?/bin/(ba)?sh' && files="$files $f"
	done
	# shellcheck disable=SC2086
	shellcheck -S warning -e SC1091,SC2317,SC2174 $files || return 1
	echo "shellcheck clean: $(printf '%s\n' $files | wc -w) files"
}
step "shellcheck -S warning" shlint

# ---- the full suite ---------------------------------------------------------
build_test() {
	cmake -S . -B build-test -DJITLOG_WERROR=ON \
	    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DJITLOG_CONFIG_PATH=$TEST_ROOT/etc/jitlog.conf \
	    -DJITLOG_DATABASE_PATH=$TEST_ROOT/state/jitlog.db \
	    -DCMAKE_INSTALL_PREFIX=$TEST_ROOT/prefix \
	    -DJITLOG_PAM_DIR=$TEST_ROOT/prefix/lib/security &&
	    cmake --build build-test -j "$JOBS"
}
# Afterwards the test build must not stay installed setuid/setgid
# (TESTING.md); the store and logs stay for a look after a failure.  (The
# install fixture starts every run with a fresh store and config.)
uninstall() {
	if [ "$(id -u)" = 0 ] && [ -d "$TEST_ROOT/prefix" ]; then
		flock -w 600 "$TEST_ROOT/.lock" rm -rf "$TEST_ROOT/prefix"
	fi
}

if ! step "build-test (-Werror, test paths)" build_test; then
	echo "tools/test.sh: FAILED: ${failed[*]}" >&2
	exit 1
fi

# ---- static analysis, fuzzing, hardening of what would be installed ---------
step "gcc -fanalyzer (tools/analyze.sh)" bash tools/analyze.sh build-analyze
fuzz_smoke() {
	CC=clang bash fuzz/run.sh build-fuzz "${JITLOG_FUZZ_SECONDS:-10}"
}
step "fuzz targets, ${JITLOG_FUZZ_SECONDS:-10} s each (fuzz/run.sh)" fuzz_smoke
hardening() {
	local d rc
	d=$(mktemp -d) || return 1
	DESTDIR=$d cmake --install build-test >/dev/null &&
	    bash tools/check-hardening.sh "$d$TEST_ROOT/prefix" \
		"$d$TEST_ROOT/prefix/lib/security/pam_jitlog.so"
	rc=$?
	rm -rf "$d"
	return $rc
}
step "hardening of the installed binaries (tools/check-hardening.sh)" hardening

# The benchmarks' smoke run (tiny sizes, about a minute): the scripts
# must keep working; it asserts nothing about time.  Before the suite,
# so that ctest's count stays the closing line.
if [ "$(id -u)" = 0 ]; then
	step "benchmarks, smoke run (bench/run.sh --smoke)" \
	    bash bench/run.sh --smoke -b build-test
fi

if [ ${#failed[@]} != 0 ]; then
	echo "tools/test.sh: failed so far: ${failed[*]}" >&2
fi
banner "ctest (build-test): the full suite"
(cd build-test && ctest --output-on-failure -j "$JOBS")
rc=$?
uninstall
if [ ${#failed[@]} != 0 ]; then
	[ "$rc" = 0 ] || failed+=("ctest")
	echo "tools/test.sh: FAILED: ${failed[*]}" >&2
	exit 1
fi
exit "$rc"

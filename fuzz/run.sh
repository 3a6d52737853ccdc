#!/bin/bash
# SPDX-License-Identifier: ISC
#
# fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]
#
# Build the libFuzzer targets with clang in BUILD_DIR (configured with
# -DJITLOG_FUZZ=ON when it is not yet) and run each fuzz_* target (or the
# ones named) for SECONDS (default 20), starting from its seed corpus in
# fuzz/corpus/<target>/ (never written: new inputs go to
# BUILD_DIR/fuzz-work/<target>/) and its dictionary fuzz/<target>.dict
# if there is one.  A crash, leak, timeout or broken property leaves the
# input in BUILD_DIR/fuzz-artifacts/ and makes the script fail; every
# target runs either way.  A relative BUILD_DIR is taken from the top of
# the source tree.
#
# CI runs "fuzz/run.sh build-fuzz 10".  To replay a saved input:
#   BUILD_DIR/fuzz/fuzz_<target> FILE
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -lt 1 ]; then
	echo "usage: fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]" >&2
	exit 2
fi
dir=$1
secs=${2:-20}
shift $(($# >= 2 ? 2 : 1))
case $dir in
/*) ;;
*) dir=$top/$dir ;;
esac
case $secs in
'' | *[!0-9]*)
	echo "fuzz/run.sh: SECONDS must be a number" >&2
	exit 2
	;;
esac

if ! grep -qs '^JITLOG_FUZZ:BOOL=ON' "$dir/CMakeCache.txt"; then
	CC=${CC:-clang} cmake -S "$top" -B "$dir" -DJITLOG_FUZZ=ON \
	    -DCMAKE_BUILD_TYPE=RelWithDebInfo || exit 1
fi
cmake --build "$dir" -j "$(nproc 2>/dev/null || echo 2)" --target fuzzers ||
	exit 1

if [ $# -eq 0 ]; then
	for f in "$dir"/fuzz/fuzz_*; do
		[ -f "$f" ] && [ -x "$f" ] && set -- "$@" "${f##*/}"
	done
fi
mkdir -p "$dir/fuzz-artifacts" "$dir/fuzz-logs"

# Sanitizers: stop at the first report; leaks are checked per input.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

failed=()
summary=()
for t in "$@"; do
	bin=$dir/fuzz/$t
	if [ ! -x "$bin" ]; then
		echo "fuzz/run.sh: no target $t in $dir/fuzz" >&2
		failed+=("$t")
		continue
	fi
	work=$dir/fuzz-work/$t
	log=$dir/fuzz-logs/$t.log
	mkdir -p "$work"
	args=(-max_total_time="$secs" -timeout=25 -rss_limit_mb=4096
	    -close_fd_mask=3 -print_final_stats=1
	    -artifact_prefix="$dir/fuzz-artifacts/$t-")
	[ -f "$top/fuzz/$t.dict" ] && args+=(-dict="$top/fuzz/$t.dict")
	seeds=()
	[ -d "$top/fuzz/corpus/$t" ] && seeds=("$top/fuzz/corpus/$t")
	printf '\n==== %s (%ss)\n' "$t" "$secs"
	"$bin" "${args[@]}" "$work" "${seeds[@]}" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ "$rc" = 0 ]; then
		echo "ok: ${execs:-?} runs, ${cov:-cov: ?}"
		summary+=("$t: ok, ${execs:-?} runs, ${cov:-cov: ?}")
	else
		# What broke, then the saved input.
		grep -E 'property broken|ERROR: |SUMMARY: |Test unit written' \
		    "$log" | head -20
		echo "FAILED (exit $rc): log in $log"
		summary+=("$t: FAILED (exit $rc)")
		failed+=("$t")
	fi
done

printf '\n==== summary\n'
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -ne 0 ]; then
	echo "fuzz/run.sh: FAILED: ${failed[*]}" >&2
	exit 1
fi

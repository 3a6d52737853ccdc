#!/bin/bash
# SPDX-License-Identifier: ISC
#
# tools/analyze.sh [BUILD_DIR]
#
# Static analysis of the C sources under lib/, jitadm/, jitlogview/ and
# pam_jitlog/ with GCC's -fanalyzer (double free, use after free, leaks,
# NULL dereference, file descriptor leaks, use of uninitialised values,
# unsafe calls in signal handlers, ...): a separate gcc build in
# BUILD_DIR (default build-analyze, relative to the top of the tree) of
# the programs and the module, with every -Wanalyzer-* diagnostic kept
# in a log.  Fails when there is a finding that is not listed in
# tools/analyze.known (findings reviewed as false positives, each with
# the reason), printing each one.  Other warnings are not its business
# (the -Werror build checks those) and do not fail it.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build-analyze}
case $dir in
/*) ;;
*) dir=$top/$dir ;;
esac
cc=${ANALYZE_CC:-gcc}
if ! "$cc" -fanalyzer -x c -c -o /dev/null /dev/null 2>/dev/null; then
	echo "analyze.sh: $cc has no -fanalyzer (GCC 10 or later needed)" >&2
	exit 2
fi

# One file at a time: GCC 12's whole-program mode (-flto) gives up early
# on this code (-Wanalyzer-too-complex) and misses even a plain leak in
# a PAM entry path, so it is not used.  -O0: the analyzer works on GIMPLE
# either way and this is quicker.  Plain output has one diagnostic per
# line: easy to pick out.
flags="-fanalyzer -fdiagnostics-plain-output"
flags="$flags -fdiagnostics-path-format=separate-events"
CC=$cc cmake -S "$top" -B "$dir" -DCMAKE_BUILD_TYPE=Debug \
    -DBUILD_TESTING=OFF -DJITLOG_WERROR=OFF -DJITLOG_SANITIZE=OFF \
    -DJITLOG_FUZZ=OFF -DCMAKE_C_FLAGS="$flags" >/dev/null || exit 2

# A clean build: the analyzer only speaks when a file is compiled.
cmake --build "$dir" --target clean >/dev/null 2>&1
log=$dir/analyze.log
targets=(jitlog_core jitadm)
[ -d "$top/jitlogview" ] && targets+=(jitlogview)
[ -d "$top/pam_jitlog" ] && targets+=(pam_jitlog)
echo "analyze.sh: $cc -fanalyzer over lib/ jitadm/ jitlogview/ pam_jitlog/" \
    "(targets: ${targets[*]}; log: $log)"
# One compiler at a time: parallel jobs interleave their diagnostics in
# the log, and a warning would be read as part of another file's "In
# function" block (a finding named after the wrong function, at random).
LC_ALL=C cmake --build "$dir" -j 1 --target "${targets[@]}" >"$log" 2>&1
rc=$?

# One line per finding: file|function|-Wanalyzer-check|message.  No line
# numbers, so that a reviewed false positive stays recognised when code
# above it moves.
findings=$(LC_ALL=C awk -v top="$top/" '
/: In function / {
	fn = $0
	sub(/.*: In function ./, "", fn)
	sub(/.:$/, "", fn)
}
/warning: .*\[-Wanalyzer-[a-z0-9-]+\]$/ {
	file = $0
	sub(/:.*/, "", file)
	if (index(file, top) == 1)
		file = substr(file, length(top) + 1)
	msg = $0
	sub(/.*warning: /, "", msg)
	opt = msg
	sub(/.*\[-W/, "-W", opt)
	sub(/\]$/, "", opt)
	sub(/ \[CWE-[0-9]+\]/, "", msg)
	sub(/ \[-Wanalyzer-[a-z0-9-]+\]$/, "", msg)
	print file "|" fn "|" opt "|" msg
}' "$log" |
    # SSA temporaries (nv_42) by the variable's name
    sed -E "s/'([A-Za-z_][A-Za-z0-9_]*)_[0-9]+'/'\1'/g" | sort -u)

# Reviewed findings (false positives, each with its reason there).
known=$(grep -v -e '^#' -e '^[[:space:]]*$' "$top/tools/analyze.known" \
    2>/dev/null | sort -u)
new=$(comm -23 <(printf '%s\n' "$findings" | sed '/^$/d') \
    <(printf '%s\n' "$known" | sed '/^$/d'))
stale=$(comm -13 <(printf '%s\n' "$findings" | sed '/^$/d') \
    <(printf '%s\n' "$known" | sed '/^$/d'))
if [ -n "$stale" ]; then
	echo "analyze.sh: reviewed entries no longer found (remove them from" \
	    "tools/analyze.known):"
	while IFS= read -r l; do printf '  %s\n' "$l"; done <<<"$stale"
fi
if [ "$rc" != 0 ]; then
	grep -E 'error' "$log" | head -20
	echo "analyze.sh: the build failed (see $log)" >&2
	exit 1
fi
if [ -n "$new" ]; then
	echo "analyze.sh: findings (the path of each is in $log):"
	while IFS= read -r l; do printf '  %s\n' "$l"; done <<<"$new"
	echo "analyze.sh: $(printf '%s\n' "$new" | wc -l) new finding(s):" \
	    "fix them, or, once reviewed as false positives, add them with" \
	    "the reason to tools/analyze.known" >&2
	exit 1
fi
echo "analyze.sh: no new findings ($(printf '%s\n' "$known" |
    sed '/^$/d' | wc -l) reviewed false positives in tools/analyze.known)"

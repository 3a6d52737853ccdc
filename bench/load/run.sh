#!/bin/bash
# SPDX-License-Identifier: ISC
#
# bench/load/run.sh: jitlog under contention -- 32 clients for 60 s
# against one store, mixing requests, approvals, denials, revokes,
# listings, PAM logins (pamtester with the installed pam_jitlog.so) and
# views (the installed setuid jitlogview), each a fresh process run as a
# real user (bench/load/load.py says what counts as a failure).  Then the
# store must pass integrity_check and audit verify, with every grant in
# the state its audit events say; p50/p99/max latency per operation are
# printed.  A p99 above 250 ms for any operation is a finding.
#
# The programs come from BUILD (-b; its config, store and install prefix
# must lie under /var/tmp/jitlog-test, as in build-test or build-bench),
# installed here with their real modes (tests/integration/lib/install.sh)
# and removed again at the end; --no-install uses what is installed.  The
# run writes its own config and a fresh store at the build's paths, so it
# holds /var/tmp/jitlog-test/.lock (as the integration tests do).
#
# Usage: bench/load/run.sh [-b BUILD] [--seconds N] [--clients N]
#            [--smoke] [--no-install] [--goal-ms MS]
#   --smoke: 5 s, 8 clients (CI: the script must not rot)
# Exit: 0 no failure and every p99 within the goal; 1 a p99 over the goal;
# 2 usage; 3 a failure, a broken store or a setup error; 77 not root.
set -u
umask 022

top=$(cd "$(dirname "$0")/../.." && pwd)
ROOT=/var/tmp/jitlog-test
BUILD='' SECS=60 CLIENTS=32 INSTALL=1 GOAL=250
usage() {
	echo "usage: bench/load/run.sh [-b BUILD] [--seconds N] [--clients N]" \
	    "[--smoke] [--no-install] [--goal-ms MS]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	-b) [ $# -ge 2 ] || usage; BUILD=$2; shift 2 ;;
	--seconds) [ $# -ge 2 ] || usage; SECS=$2; shift 2 ;;
	--clients) [ $# -ge 2 ] || usage; CLIENTS=$2; shift 2 ;;
	--goal-ms) [ $# -ge 2 ] || usage; GOAL=$2; shift 2 ;;
	--smoke) SECS=5 CLIENTS=8; shift ;;
	--no-install) INSTALL=''; shift ;;
	*) usage ;;
	esac
done
die() {
	echo "bench/load: $*" >&2
	exit 3
}
[ "$(id -u)" = 0 ] || { echo "bench/load: needs root (setuid install, users, /etc/pam.d)"; exit 77; }
for t in pamtester flock; do
	command -v "$t" >/dev/null || die "$t not found (tools/deps.sh)"
done
[ -x /usr/bin/python3 ] || die "/usr/bin/python3 not found (tools/deps.sh)"
if [ -z "$BUILD" ]; then
	for b in "$top/build-bench" "$top/build-test"; do
		[ -f "$b/CMakeCache.txt" ] && { BUILD=$b; break; }
	done
fi
[ -n "$BUILD" ] && [ -f "$BUILD/CMakeCache.txt" ] || die "no build directory (-b BUILD)"
BUILD=$(cd "$BUILD" && pwd)
cachevar() { sed -n "s/^$1:[A-Z]*=//p" "$BUILD/CMakeCache.txt" | head -n 1; }
PREFIX=$(cachevar CMAKE_INSTALL_PREFIX)
CONF=$(cachevar JITLOG_CONFIG_PATH)
DB=$(cachevar JITLOG_DATABASE_PATH)
PAMDIR=$(cachevar JITLOG_PAM_DIR)
for p in "$PREFIX" "$CONF" "$DB" "$PAMDIR"; do
	case $p in
	"$ROOT"/?*) ;;
	*) die "$BUILD: $p is not under $ROOT (configure the build as tools/test.sh or bench/run.sh do)" ;;
	esac
done

if [ -n "$INSTALL" ]; then
	echo "== installing $BUILD into $PREFIX"
	"$top/tests/integration/lib/install.sh" "$BUILD" >/dev/null ||
	    die "tests/integration/lib/install.sh $BUILD failed"
	# Never leave the build installed setuid (TESTING.md).
	trap 'rm -rf -- "$PREFIX"' EXIT
fi
for f in "$PREFIX/bin/jitadm" "$PREFIX/bin/jitlogview" "$PAMDIR/pam_jitlog.so"; do
	[ -e "$f" ] || die "$f is not installed"
done
mkdir -p "$ROOT/logs" || die "mkdir $ROOT/logs"
exec 9>>"$ROOT/.lock"
flock -w 600 9 || die "$ROOT/.lock: an integration test run holds it"

echo "== load: $CLIENTS clients, $SECS s ($BUILD)"
/usr/bin/python3 "$top/bench/load/load.py" \
    --jitadm "$PREFIX/bin/jitadm" --jitlogview "$PREFIX/bin/jitlogview" \
    --pam-module "$PAMDIR/pam_jitlog.so" --config "$CONF" --db "$DB" \
    --logroot "$ROOT/logs" --seconds "$SECS" --clients "$CLIENTS" \
    --goal-ms "$GOAL"

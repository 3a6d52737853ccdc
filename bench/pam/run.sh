#!/bin/bash
# SPDX-License-Identifier: ISC
#
# bench/pam/run.sh: what pam_jitlog costs a login, against pam_permit.
#
# 1. Seeds a store with N grants (default 1,000,000: a year of history,
#    N/20 users, 50 resources, mostly expired; bench/seed-store) plus a
#    history and one active grant for the benchmark user, jlbench.
# 2. pamtester SERVICE jlbench acct_mgmt open_session, as a fresh process
#    each time (hyperfine), with a stack of pam_jitlog alone and with a
#    stack of pam_permit alone.  Target: jitlog / permit <= 1.5 (means).
# 3. In-process (pam_decide.c): each pam_acct_mgmt timed on its own, one
#    PAM handle per round as sshd has one per connection.
#    Target: p99 < 1 ms.  open_session + close_session is shown too.
#
# The module is the build's pam_jitlog_test.so (the production code plus
# test_config=, which lets it read a config other than the compiled-in
# one); the journal mirror is on, as in production.  Needs root (pamtester
# reads /etc/pam.d), pamtester, hyperfine, jq, sqlite3 and cc.  The
# seeded store is kept in the work directory and reused when N matches.
#
# Usage: bench/pam/run.sh [-b BUILD] [-n N] [-r RUNS] [-R ROUNDS] [-w WORKDIR]
# Exit: 0 both targets met, 1 a target missed, 2 usage, 3 setup failed,
#       77 not root.
set -eu
umask 077

top=$(cd "$(dirname "$0")/../.." && pwd)
N=1000000 RUNS=300 ROUNDS=5000 BUILD=${JL_BUILD:-} W=/var/tmp/jitlog-bench
while getopts b:n:r:R:w: c; do
	case $c in
	b) BUILD=$OPTARG ;;
	n) N=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	R) ROUNDS=$OPTARG ;;
	w) W=$OPTARG ;;
	*) echo "usage: run.sh [-b BUILD] [-n N] [-r RUNS] [-R ROUNDS] [-w WORKDIR]" >&2
	   exit 2 ;;
	esac
done
die() {
	echo "bench/pam: $*" >&2
	exit 3
}
[ "$(id -u)" = 0 ] || { echo "bench/pam: needs root (pamtester reads /etc/pam.d)"; exit 77; }
for t in pamtester hyperfine jq sqlite3 cc; do
	command -v "$t" >/dev/null || die "$t not found"
done
if [ -z "$BUILD" ]; then
	for b in "$top"/build "$top"/build-*; do
		[ -f "$b/pam_jitlog/pam_jitlog_test.so" ] &&
		    [ -x "$b/tests/pam/jl_seed_store" ] && { BUILD=$b; break; }
	done
fi
[ -n "$BUILD" ] && [ -d "$BUILD" ] || die "no build directory (-b BUILD)"
BUILD=$(cd "$BUILD" && pwd)
MOD=$BUILD/pam_jitlog/pam_jitlog_test.so
SEED=$BUILD/tests/pam/jl_seed_store
[ -f "$MOD" ] && [ -x "$SEED" ] ||
    die "no build with pam_jitlog_test.so and jl_seed_store (-b BUILD)"
grep -q 'CMAKE_BUILD_TYPE:STRING=Debug' "$BUILD/CMakeCache.txt" 2>/dev/null &&
    echo "bench/pam: warning: $BUILD is a Debug build" >&2
grep -q 'JITLOG_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null &&
    die "$BUILD is a sanitizer build"

U=jlbench
SVC_J=jlbench-jitlog-$$
SVC_P=jlbench-permit-$$
SVC_D=jlbench-debian-$$
SVC_DJ=jlbench-debian-jitlog-$$
created_user=
cleanup() {
	rm -f "/etc/pam.d/$SVC_J" "/etc/pam.d/$SVC_P" "/etc/pam.d/$SVC_D" \
	    "/etc/pam.d/$SVC_DJ" "$W/pam.d/$SVC_J"
	[ -z "$created_user" ] || userdel "$U" 2>/dev/null || :
}
trap cleanup EXIT
if ! getent passwd "$U" >/dev/null; then
	useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$U" ||
	    die "useradd $U"
	created_user=1
fi

mkdir -p "$W/state" "$W/pam.d"
chmod 0700 "$W" "$W/state"
cat >"$W/jitlog.conf" <<EOF
database = "$W/state/jitlog.db";
resources = (
  { name = "payments-debug"; approvers = [ "root" ];
    paths = [ "/var/log/payments/debug.log" ]; }
);
EOF
chmod 0600 "$W/jitlog.conf"

# 1. The store (kept for the next run when N and the schema version are
# the same).
schema=$(sed -n 's/^#define JL_SCHEMA_VERSION \([0-9]*\)$/\1/p' \
    "$top/lib/store_impl.h")
have=$(sqlite3 -batch -readonly "$W/state/jitlog.db" "pragma user_version" \
    2>/dev/null) || have=
if [ "$(cat "$W/state/seeded" 2>/dev/null)" != "$N" ] || [ "$have" != "$schema" ]; then
	rm -f "$W/state/jitlog.db" "$W/state/jitlog.db-wal" \
	    "$W/state/jitlog.db-shm" "$W/state/seeded"
	echo "== seeding $N grants into $W/state/jitlog.db"
	s0=$(date +%s)
	"$top/bench/seed-store" --program "$SEED" --user "$U" --active \
	    "$W/state/jitlog.db" "$N" || die "seeding failed"
	echo "   ($(($(date +%s) - s0)) s)"
	echo "$N" >"$W/state/seeded"
else
	echo "== reusing the store of $N grants in $W/state"
	# A fresh active grant (the old one may have run out).
	"$SEED" -u "$U" -a "$W/state/jitlog.db" 0 >/dev/null ||
	    die "cannot add the active grant"
fi
q() { sqlite3 -batch -readonly "$W/state/jitlog.db" "$1"; }
echo "   grants: $(q 'select count(*) from grants')," \
    "approved rows: $(q "select count(*) from grants where status = 'approved'")," \
    "users: $(q 'select count(distinct user) from grants')," \
    "audit events: $(q 'select count(*) from audit')," \
    "size: $(du -h "$W/state/jitlog.db" | cut -f1)"

echo "== the decision alone: jl_store_grant_find_active, fresh connection each"
"$SEED" -u "$U" -L "$ROUNDS" -U $((N / 20 + 1)) "$W/state/jitlog.db" 0 |
    sed 's/^/   /' || die "lookup benchmark failed"

ARGS="test_config=$W/jitlog.conf resource=payments-debug"
printf 'account required %s %s\nsession required %s %s\n' \
    "$MOD" "$ARGS" "$MOD" "$ARGS" >"/etc/pam.d/$SVC_J"
cp "/etc/pam.d/$SVC_J" "$W/pam.d/$SVC_J"
printf 'account required pam_permit.so\nsession required pam_permit.so\n' \
    >"/etc/pam.d/$SVC_P"
# For context: the distribution's own account and session stacks (what
# sshd and su run), without and with pam_jitlog.
printf '@include common-account\n@include common-session\n' >"/etc/pam.d/$SVC_D"
printf '@include common-account\naccount required %s %s\n@include common-session\nsession required %s %s\n' \
    "$MOD" "$ARGS" "$MOD" "$ARGS" >"/etc/pam.d/$SVC_DJ"
pamtester "$SVC_J" "$U" acct_mgmt open_session close_session >"$W/check.log" 2>&1 ||
    die "pamtester $SVC_J $U fails: the benchmark would measure a refusal: $(cat "$W/check.log")"
pamtester "$SVC_J" root acct_mgmt >/dev/null 2>&1 &&
    die "pamtester $SVC_J root succeeds: root holds no grant here"

# 2. pamtester, a fresh process per login.
echo "== pamtester acct_mgmt open_session: pam_permit vs pam_jitlog ($RUNS runs each)"
hyperfine -N --style basic --warmup 30 --runs "$RUNS" \
    --export-json "$W/hyperfine.json" \
    -n pam_permit "pamtester $SVC_P $U acct_mgmt open_session" \
    -n pam_jitlog "pamtester $SVC_J $U acct_mgmt open_session" \
    -n debian "pamtester $SVC_D $U acct_mgmt open_session" \
    -n debian+pam_jitlog "pamtester $SVC_DJ $U acct_mgmt open_session"
mp=$(jq '.results[] | select(.command == "pam_permit") | .mean' "$W/hyperfine.json")
mj=$(jq '.results[] | select(.command == "pam_jitlog") | .mean' "$W/hyperfine.json")
md=$(jq '.results[] | select(.command == "debian") | .mean' "$W/hyperfine.json")
mdj=$(jq '.results[] | select(.command == "debian+pam_jitlog") | .mean' "$W/hyperfine.json")
ratio=$(jq -n "$mj / $mp * 100 | round / 100")
echo "   mean pam_permit $(jq -n "$mp * 1e6 | round") us," \
    "pam_jitlog $(jq -n "$mj * 1e6 | round") us: ratio $ratio (target <= 1.5)"
echo "   mean debian stack $(jq -n "$md * 1e6 | round") us, with pam_jitlog" \
    "$(jq -n "$mdj * 1e6 | round") us: ratio $(jq -n "$mdj / $md * 100 | round / 100")"

# 3. In process.
cc -O2 -o "$W/pam_decide" "$top/bench/pam/pam_decide.c" -lpam ||
    die "cannot build pam_decide"
echo "== in process: $ROUNDS rounds through libpam"
out=$("$W/pam_decide" "$W/pam.d" "$SVC_J" "$U" "$ROUNDS") ||
    die "pam_decide failed: $out"
printf '%s\n' "$out" | sed 's/^/   /'
p99=$(printf '%s\n' "$out" | sed -n 's/^acct_mgmt .* p99=\([0-9]*\) .*/\1/p')
echo "   acct_mgmt p99 ${p99} us (target < 1000)"

rc=0
jq -ne "$ratio <= 1.5" >/dev/null || { echo "MISSED: ratio $ratio > 1.5"; rc=1; }
[ "$p99" -lt 1000 ] || { echo "MISSED: p99 $p99 us >= 1000"; rc=1; }
[ "$rc" = 0 ] && echo "== both targets met"
exit "$rc"

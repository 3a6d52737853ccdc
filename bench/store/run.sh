#!/bin/bash
# SPDX-License-Identifier: ISC
#
# bench/store/run.sh: jitadm on a big store.  Seeds the installed store
# with N grants and EVENTS audit events (bench/seed-store: a year of
# history, N/20 users, 50 resources, mostly expired; views and sessions
# as a year of use leaves them; a valid hash chain), then times, each as
# a fresh process run by a real admin user through the setgid binary:
#
#   jitadm list --pending          goal: < 50 ms at 1M grants
#   jitadm show ID                 goal: < 50 ms (a grant with approvals,
#                                  views and sessions)
#   jitadm audit verify            goal: >= 200k events/s
#
# The seeded store is reused while N and EVENTS are the same (a marker
# file next to it); -f seeds again.  Raw hyperfine JSON goes to OUTDIR,
# and OUTDIR/store.env gets the figures as shell assignments for
# bench/run.sh's summary.
#
# Usage: bench/store/run.sh -j JITADM -d DB -a ADMIN -s SEEDER -o OUTDIR
#            [-n N] [-e EVENTS] [-r RUNS] [-f]
#   JITADM  the installed jitadm (setgid) whose compiled-in store is DB
#   ADMIN   a user the config makes an admin
#   SEEDER  jl_seed_store of the same build (bench/seed-store --program)
# Exit: 0 goals met, 1 a goal missed, 2 usage, 3 setup failed.
set -u
umask 022

top=$(cd "$(dirname "$0")/../.." && pwd)
N=1000000 EVENTS='' RUNS=10 JITADM='' DB='' ADMIN='' SEEDER='' OUT='' FORCE=''
usage() {
	echo "usage: store/run.sh -j JITADM -d DB -a ADMIN -s SEEDER -o OUTDIR" \
	    "[-n N] [-e EVENTS] [-r RUNS] [-f]" >&2
	exit 2
}
while getopts j:d:a:s:o:n:e:r:f c; do
	case $c in
	j) JITADM=$OPTARG ;;
	d) DB=$OPTARG ;;
	a) ADMIN=$OPTARG ;;
	s) SEEDER=$OPTARG ;;
	o) OUT=$OPTARG ;;
	n) N=$OPTARG ;;
	e) EVENTS=$OPTARG ;;
	r) RUNS=$OPTARG ;;
	f) FORCE=1 ;;
	*) usage ;;
	esac
done
[ -n "$JITADM" ] && [ -n "$DB" ] && [ -n "$ADMIN" ] && [ -n "$SEEDER" ] &&
    [ -n "$OUT" ] || usage
EVENTS=${EVENTS:-$((5 * N))}
die() {
	echo "bench/store: $*" >&2
	exit 3
}
for t in hyperfine jq sqlite3 setpriv; do
	command -v "$t" >/dev/null || die "$t not found"
done
mkdir -p "$OUT" || die "mkdir $OUT"
q() { sqlite3 -batch -readonly "$DB" "$1"; }
as_admin() {
	setpriv --reuid="$ADMIN" --regid="$(id -g "$ADMIN")" --init-groups \
	    --reset-env -- "$@"
}

# 1. The store: jitadm's own, seeded in place (same owner, group, mode).
marker="$DB.seeded"
schema=$(sed -n 's/^#define JL_SCHEMA_VERSION \([0-9]*\)$/\1/p' \
    "$top/lib/store_impl.h")
have=$(q "pragma user_version" 2>/dev/null) || have=
if [ -n "$FORCE" ] || [ "$(cat "$marker" 2>/dev/null)" != "$N $EVENTS" ] ||
    [ "$have" != "$schema" ]; then
	echo "== seeding $N grants, $EVENTS audit events into $DB"
	grp=$(stat -c %G "$(dirname "$DB")")
	rm -f "$marker" "$DB" "$DB-wal" "$DB-shm"
	s0=$SECONDS
	"$top/bench/seed-store" --program "$SEEDER" --events "$EVENTS" \
	    "$DB" "$N" || die "seeding failed"
	chown root:"$grp" "$DB" && chmod 0660 "$DB" || die "chown $DB"
	echo "$N $EVENTS" >"$marker"
	seed_s=$((SECONDS - s0))
	echo "   seeded in $seed_s s"
else
	echo "== reusing the seeded store $DB ($N grants, $EVENTS events)"
	seed_s=0
fi
grants=$(q 'select count(*) from grants')
events=$(q 'select count(*) from audit')
pending=$(q "select count(*) from grants where status = 'pending'")
size=$(du -m "$DB" | cut -f1)
# A grant that was used: approvals, views and sessions to show.
show_id=$(q 'select grant_id from sessions order by id desc limit 1')
[ -n "$show_id" ] || show_id=$(q 'select max(id) from grants')
echo "   $grants grants ($pending pending), $events audit events," \
    "$size MB; show $show_id"

# 2. The commands, as the admin through the setgid binary.
as_admin "$JITADM" list --pending >"$OUT/list-pending.out" 2>&1 ||
    die "jitadm list --pending fails as $ADMIN: $(head -3 "$OUT/list-pending.out")"
as_admin "$JITADM" show "$show_id" >"$OUT/show.out" 2>&1 ||
    die "jitadm show $show_id fails: $(head -3 "$OUT/show.out")"
echo "== jitadm list --pending, show $show_id ($RUNS runs each, as $ADMIN)"
tmp=$(mktemp -d) && chmod 0777 "$tmp" || die "mktemp"
trap 'rm -rf "$tmp"' EXIT
as_admin hyperfine -N --style basic --warmup 3 --runs "$RUNS" \
    --export-json "$tmp/list-show.json" \
    -n list-pending "$JITADM list --pending" \
    -n show "$JITADM show $show_id" || die "hyperfine failed"
cp "$tmp/list-show.json" "$OUT/list-show.json"
vruns=$((RUNS < 3 ? RUNS : 3))
echo "== jitadm audit verify ($vruns runs)"
as_admin hyperfine -N --style basic --warmup 1 --runs "$vruns" \
    --export-json "$tmp/verify.json" \
    -n audit-verify "$JITADM audit verify" || die "hyperfine failed"
cp "$tmp/verify.json" "$OUT/verify.json"
as_admin "$JITADM" audit verify >"$OUT/verify.out" 2>&1 ||
    die "audit verify fails: $(cat "$OUT/verify.out")"
sed 's/^/   /' "$OUT/verify.out"

mean() { jq ".results[] | select(.command == \"$2\") | .mean" "$1"; }
ms() { jq -n "$1 * 1000 * 10 | round / 10"; }
list_ms=$(ms "$(mean "$OUT/list-show.json" list-pending)")
show_ms=$(ms "$(mean "$OUT/list-show.json" show)")
vmean=$(mean "$OUT/verify.json" audit-verify)
verify_eps=$(jq -n "$events / $vmean | round")
cat >"$OUT/store.env" <<EOF
store_grants=$grants
store_events=$events
store_pending=$pending
store_mb=$size
store_seed_s=$seed_s
store_list_ms=$list_ms
store_show_ms=$show_ms
store_verify_s=$(jq -n "$vmean * 100 | round / 100")
store_verify_eps=$verify_eps
EOF
echo "   list --pending $list_ms ms, show $show_ms ms (goal < 50 ms);" \
    "audit verify $verify_eps events/s (goal >= 200000)"
rc=0
jq -ne "$list_ms < 50 and $show_ms < 50" >/dev/null || rc=1
[ "$verify_eps" -ge 200000 ] || rc=1
exit "$rc"

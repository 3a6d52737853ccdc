#!/bin/bash
# SPDX-License-Identifier: ISC
#
# Attacks on the store (SECURITY.md "The store"), against the installed
# jitadm, jitlogview and pam_jitlog.so:
#  - an unsafe store directory or file (writable by others, wrong owner
#    or group, a symlink, a hard link, a planted hot journal or WAL) is
#    refused by every program, which writes nothing anywhere;
#  - a store locked by another writer, or its writers' gate held: a
#    bounded wait (jitadm and jitlogview asleep on the gate, woken by
#    their timer, not killed by it), exit 3, nothing reported done;
#  - ENOSPC, EIO and EFBIG injected into the writes of the real jitadm
#    (strace -e inject=): a non-zero exit, nothing printed as done, the
#    state unchanged, the chain intact;
#  - 40 approvals (and 20 other writes) killed with SIGKILL at random
#    points: integrity_check ok, the chain verifies, every grant pending
#    or in the state its audit events say, an approval reported done is
#    stored;
#  - a byte-flipped store: refused, never a crash, never a partial view.
# Concurrent decisions on one grant are jitadm_race.sh's.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/attack.sh"
. "$(dirname "$0")/lib/pam.sh"

pam_setup
attack_setup
SVC=jitlog-as-$P
PAMFILE=/etc/pam.d/$SVC
cleanup_path "$PAMFILE"
printf 'account required %s resource=app-debug\n' "$PAM_JITLOG" >"$PAMFILE"
STATE=$(dirname "$JL_DB")

active "$ALICE" app-debug
view_id=$ID
req "$ALICE" app-debug --reason "pending one"
pend=$ID

# everyone_refuses WHAT: jitadm (as a user and as root), jitlogview and
# pam_jitlog refuse, store nothing, show nothing, and do not crash.
everyone_refuses() {
	local before
	before=$(store_snapshot_raw)
	expect 3 as "$ALICE" "$JITADM" list
	assert_err
	expect 3 as "$BOB" "$JITADM" approve "$pend"
	assert_eq "$OUT" "" "stdout of approve ($1)"
	expect 3 "$JITADM" approve "$pend"
	r as "$ALICE" "$JITLOGVIEW" app-debug
	not_crashed "jitlogview ($1)"
	assert_eq "$RC" 3 "jitlogview exit status ($1)"
	assert_eq "$OUT" "" "jitlogview stdout ($1)"
	r pamtester "$SVC" "$ALICE" acct_mgmt
	not_crashed "pamtester ($1)"
	assert_ne "$RC" 0 "pam_jitlog ($1)"
	assert_eq "$(store_snapshot_raw)" "$before" "store after $1"
}
# The row counts, read with the checks off (the store may be unsafe).
store_snapshot_raw() {
	local t
	for t in grants audit approvals sessions views; do
		printf '%s:' "$t"
		sqlite3 -batch -readonly "file:$JL_DB?nolock=1" \
		    "select count(*) from $t" 2>/dev/null || echo
	done
}
[ "$(sql "select count(*) from sqlite_master where name in
    ('grants', 'audit', 'approvals', 'sessions', 'views')")" = 5 ] ||
    fail "the store has not the expected tables: $(store_snapshot)"

step "an unsafe store directory or file is refused by every program"
expect 0 as "$ALICE" "$JITLOGVIEW" app-debug
chmod 2777 "$STATE"
everyone_refuses "state dir 2777"
chmod 2772 "$STATE"
everyone_refuses "state dir writable by others (2772)"
chmod 2770 "$STATE"
chown "$MALLORY" "$STATE"
everyone_refuses "state dir owned by a user"
chown root "$STATE"
chmod 0666 "$JL_DB"
everyone_refuses "store 0666"
chmod 0664 "$JL_DB"
everyone_refuses "store 0664"
chmod 0660 "$JL_DB"
chown "$MALLORY" "$JL_DB"
everyone_refuses "store owned by a user"
chown root:"$G_ENG" "$JL_DB"
everyone_refuses "store in another group"
chown root:jitlog "$JL_DB"
ln "$JL_DB" "$T/hardlink.db"
everyone_refuses "store with a second hard link"
rm -f "$T/hardlink.db"
checkpoint
mv "$JL_DB" "$STATE/real.db"
ln -s real.db "$JL_DB"
everyone_refuses "store is a symlink"
rm -f "$JL_DB"
mv "$STATE/real.db" "$JL_DB"
expect 0 as "$ALICE" "$JITLOGVIEW" app-debug

step "a planted journal, WAL or shm is refused, and its target untouched"
# Only jitlog-group processes can create files in the checked directory;
# what a mistake or an attacker with that power could leave there: links
# to a file to clobber, files others can read or write, files of another
# group.
checkpoint
echo "victim" >"$T/victim"
chown root:jitlog "$T/victim"
chmod 0660 "$T/victim"
for plant in "-journal:symlink" "-wal:symlink" "-shm:symlink" \
    "-wal:hardlink" "-shm:hardlink" "-wal:0666" "-journal:0606" \
    "-wal:group"; do
	suffix=${plant%%:*}
	case ${plant#*:} in
	symlink) ln -s "$T/victim" "$JL_DB$suffix" ;;
	hardlink) ln "$T/victim" "$JL_DB$suffix" ;;
	group) install -m 0660 -o root -g "$G_ENG" /dev/null "$JL_DB$suffix" ;;
	*) install -m "${plant#*:}" -o root -g jitlog /dev/null "$JL_DB$suffix" ;;
	esac
	everyone_refuses "planted $plant"
	assert_eq "$(cat "$T/victim")" victim "the planted link's target"
	rm -f "$JL_DB$suffix"
done
expect 0 as "$ALICE" "$JITLOGVIEW" app-debug
store_sound

# Kept busy by another process: the store's write lock (a sqlite3 shell)
# or the writers' gate.  Writers give up within their bound with exit 3
# and "store is busy" (jitadm and jitlogview asleep on the gate, woken by
# their timer, not killed by it), print nothing and change nothing.
for busy in lock gate; do
	step "the store's $busy held by another process: bounded wait, exit 3, nothing done"
	"hold_$busy"
	before=$(store_snapshot)
	t0=$(date +%s%N)
	expect 3 as "$BOB" "$JITADM" approve "$pend"
	t1=$(date +%s%N)
	assert_err
	assert_contains "$ERR" "store is busy" "approve ($busy held)"
	assert_eq "$OUT" "" "stdout of approve ($busy held)"
	[ $(((t1 - t0) / 1000000)) -lt 10000 ] ||
	    fail "approve waited $(((t1 - t0) / 1000000)) ms for the $busy"
	expect 3 as "$ALICE" "$JITADM" request app-debug --reason "$busy held"
	r as "$ALICE" "$JITLOGVIEW" app-debug
	assert_eq "$RC" 3 "jitlogview ($busy held)"
	assert_eq "$OUT" "" "jitlogview stdout ($busy held)"
	assert_contains "$ERR" "busy" "jitlogview ($busy held)"
	"release_$busy"
	assert_eq "$(store_snapshot)" "$before" "store after the $busy"
	assert_state "$pend" pending
done
expect 0 as "$ALICE" "$JITLOGVIEW" app-debug

step "ENOSPC/EIO/EFBIG injected into the writes: failure, state unchanged"
# Root approves ops-debug requests (it is an approver there), so the real
# jitadm runs under strace without losing anything.
for spec in pwrite64:error=ENOSPC pwrite64:error=ENOSPC:when=2+ \
    pwrite64:error=ENOSPC:when=5+ pwrite64:error=EIO:when=3+ \
    pwrite64:error=EFBIG fdatasync:error=EIO fdatasync:error=EIO:when=2+ \
    fsync:error=EIO ftruncate:error=EIO pread64:error=EIO:when=4+ \
    unlink:error=EIO; do
	req "$ALICE" ops-debug --reason "inject $spec"
	id=$ID
	before=$(store_snapshot)
	inject "$spec" "$JITADM" approve "$id"
	LAST="[$spec] $LAST"
	not_crashed "approve under $spec"
	if [ "$RC" = 0 ]; then
		# The fault hit nothing that matters (SQLite uses fdatasync,
		# unlinks the WAL after COMMIT): then it must really be done.
		assert_contains "$OUT" approved "stdout"
		assert_state "$id" active
		echo "  $spec: approve succeeded (the fault hit no write)"
	else
		assert_eq "$RC" 3 "exit status under $spec"
		assert_eq "$OUT" "" "stdout under $spec (nothing reported done)"
		assert_err
		assert_state "$id" pending
		assert_eq "$(store_snapshot)" "$before" "store under $spec"
	fi
	# Nothing comes back later (a WAL frame of the failed commit).
	expect 0 "$JITADM" list --all
	[ "$RC" = 0 ] || assert_state "$id" pending
	store_sound
done
for spec in pwrite64:error=ENOSPC fdatasync:error=EIO; do
	before=$(store_snapshot)
	inject "$spec" "$JITADM" request ops-debug --reason "inject $spec"
	assert_eq "$RC" 3 "request under $spec"
	assert_eq "$OUT" "" "stdout of request under $spec"
	req "$ALICE" ops-debug --reason "to deny"
	before=$(store_snapshot)
	inject "$spec" "$JITADM" deny "$ID" --comment "inject"
	assert_eq "$RC" 3 "deny under $spec"
	assert_eq "$OUT" "" "stdout of deny under $spec"
	assert_state "$ID" pending
	assert_eq "$(store_snapshot)" "$before" "store after deny under $spec"
	inject "$spec" "$JITADM" revoke "$view_id"
	assert_eq "$RC" 3 "revoke under $spec"
	assert_state "$view_id" active
done
grants_consistent
store_sound

step "40 approvals killed with SIGKILL at random points"
N=40
ids=()
for ((i = 0; i < N; i++)); do
	req "$ALICE" app-debug --reason "kill $i"
	ids+=("$ID")
done
# How long one approval takes (setpriv and all): the kills land anywhere
# in that span, from before exec to after COMMIT.
req "$ALICE" app-debug --reason "timing"
t0=$(date +%s%N)
expect 0 as "$BOB" "$JITADM" approve "$ID"
span=$((($(date +%s%N) - t0) / 1000))
[ "$span" -ge 1000 ] || span=1000
echo "  one approval: $((span / 1000)) ms"
killed=0
for id in "${ids[@]}"; do
	as_bg "$BOB" "$JITADM" approve "$id" >"$T/k.$id.out" 2>&1
	sleep "$(printf '0.%06d' $(((RANDOM * 32768 + RANDOM) % span % 1000000)))"
	kill -9 "$BGPID" 2>/dev/null
	{ wait "$BGPID"; } 2>/dev/null
	echo $? >"$T/k.$id.rc"
done
for id in "${ids[@]}"; do
	rc=$(cat "$T/k.$id.rc")
	gj "$id"
	state=$(printf '%s' "$J" | jq -r .state)
	case $rc in
	0)
		assert_eq "$state" active "grant $id (approve said done)"
		assert_contains "$(cat "$T/k.$id.out")" approved "approve $id"
		;;
	137) killed=$((killed + 1)) ;;
	*) fail "approve of $id exited $rc: $(cat "$T/k.$id.out")" ;;
	esac
	case $state in
	pending | active) ;;
	*) fail "grant $id is '$state' after a killed approval" ;;
	esac
done
echo "  killed $killed of $N approvals"
assert_eq "$(sql 'pragma integrity_check')" ok "integrity_check"
grants_consistent
store_sound
# The killed ones can be approved now; the store works for everyone.
for id in "${ids[@]}"; do
	gj "$id"
	if [ "$(printf '%s' "$J" | jq -r .state)" = pending ]; then
		expect 0 as "$BOB" "$JITADM" approve "$id"
	fi
done
expect 0 as "$ALICE" "$JITLOGVIEW" app-debug
r pamtester "$SVC" "$ALICE" acct_mgmt
assert_eq "$RC" 0 "pam_jitlog after the kills: $ERR"

step "20 more writes (request, deny, revoke, view) killed at random"
for ((i = 0; i < 20; i++)); do
	case $((i % 4)) in
	0) cmd=("$ALICE" "$JITADM" request app-debug --reason "k$i") ;;
	1)
		req "$ALICE" app-debug --reason "to deny $i"
		cmd=("$CAROL" "$JITADM" deny "$ID" --comment "k$i")
		;;
	2)
		active "$ALICE" app-debug
		cmd=("$ALICE" "$JITADM" revoke "$ID")
		;;
	3) cmd=("$ALICE" "$JITLOGVIEW" app-debug) ;;
	esac
	as_bg "${cmd[@]}" >/dev/null 2>&1
	sleep "$(printf '0.%06d' $(((RANDOM * 32768 + RANDOM) % span % 1000000)))"
	kill -9 "$BGPID" 2>/dev/null
	{ wait "$BGPID"; } 2>/dev/null
done
assert_eq "$(sql 'pragma integrity_check')" ok "integrity_check"
grants_consistent
store_sound

step "a byte-flipped store: refused, no crash, never a partial view"
checkpoint
cp -a "$JL_DB" "$T/pristine.db"
psize=$(sql 'pragma page_size')
npages=$(sql 'pragma page_count')
restore() {
	rm -f "$JL_DB-wal" "$JL_DB-shm" "$JL_DB-journal"
	cp -a "$T/pristine.db" "$JL_DB"
}
full=$(as "$ALICE" "$JITLOGVIEW" app-debug)
# try OFFSET MUST_REFUSE: flip the byte, run everyone; refusals required
# when MUST_REFUSE is 1.
try() {
	local off=$1 must=$2
	restore
	flip "$JL_DB" "$off"
	for cmd in "as $ALICE $JITADM list --json" \
	    "as $BOB $JITADM approve $pend" "$JITADM audit verify" \
	    "as $ALICE $JITADM request app-debug --reason flipped"; do
		# shellcheck disable=SC2086
		r $cmd
		not_crashed "[flip @$off] $cmd"
		[ "$must" = 1 ] && [ "$RC" = 0 ] &&
		    fail "[flip @$off] $cmd succeeded on a corrupt store"
	done
	r as "$ALICE" "$JITLOGVIEW" app-debug
	not_crashed "[flip @$off] jitlogview"
	if [ "$RC" = 0 ]; then
		[ "$must" = 1 ] && fail "[flip @$off] jitlogview showed the log"
		assert_eq "$OUT" "$full" "[flip @$off] jitlogview output"
	else
		assert_eq "$OUT" "" "[flip @$off] jitlogview stdout (exit $RC)"
	fi
	r pamtester "$SVC" "$ALICE" acct_mgmt
	not_crashed "[flip @$off] pamtester"
	[ "$must" = 1 ] && [ "$RC" = 0 ] &&
	    fail "[flip @$off] pam_jitlog admitted on a corrupt store"
	return 0
}
# The header's magic, page size and read version, page 1's b-tree type
# and the end of page 1 (the schema's SQL): every program must notice.
for off in 0 5 16 19 100 $((psize - 1)); do
	try "$off" 1
done
# The b-tree page type byte of every other page, and 30 random bytes:
# never a crash, and a view shows the whole log or nothing.
for ((p = 2; p <= npages; p++)); do
	try $(((p - 1) * psize)) 0
done
for ((i = 0; i < 30; i++)); do
	try $((RANDOM * 32768 % (psize * npages))) 0
done
restore
store_sound

#!/bin/bash
# SPDX-License-Identifier: ISC
#
# Attacks on the audit trail (SECURITY.md "Audit"), beyond
# jitadm_audit.sh (rewritten history found by "audit verify"),
# jitadm_journal.sh and audit_journal.sh (chain hashes in the journal,
# forged "logger -t jitadm" entries, verify --journal) and view_basic.sh
# (ENOSPC on the view record: nothing shown):
#  - a view is recorded before its first byte is shown: whoever reads
#    the first byte of the output finds view_open already committed, for
#    plain views and followers alike;
#  - the record cannot be written (EIO on the WAL write or on its sync,
#    ENOSPC half-way, a locked store): nothing shown, no view_open;
#  - pam_jitlog's events carry their chain hash into the journal too.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/attack.sh"

ensure_journald
journal_mark
attack_setup
active "$ALICE" app-debug
r "$JITADM" request ops-debug --reason "root views" --json
assert_eq "$RC" 0 "root's request"
rid=$(printf '%s' "$OUT" | jq .id)
expect 0 as "$BOB" "$JITADM" approve "$rid"

# opens: the view_open events in the store.
opens() {
	sql "select count(*) from audit where event = 'view_open'"
}

step "the first byte shown finds view_open committed (20 views, 5 followers)"
mkfifo "$T/out"
for ((i = 0; i < 25; i++)); do
	n0=$(opens)
	flag=
	[ "$i" -ge 20 ] && flag=-f
	# The reader takes one byte, then looks at the store (as root, in
	# its own connection), then lets the view go on (a follower is
	# ended by root: the caller cannot signal it).
	exec {rw}<>"$T/out"
	# shellcheck disable=SC2086
	as_bg "$ALICE" "$JITLOGVIEW" $flag app-debug >"$T/out" 2>/dev/null
	exec {rd}<"$T/out"
	exec {rw}>&-
	head -c 1 <&"$rd" >/dev/null
	seen=$(sqlite3 -batch -readonly -cmd '.timeout 5000' "$JL_DB" \
	    "select count(*) from audit where event = 'view_open'")
	[ -z "$flag" ] || kill -TERM "$BGPID"
	cat <&"$rd" >/dev/null
	exec {rd}<&-
	{ wait "$BGPID"; } 2>/dev/null
	[ "$seen" -gt "$n0" ] ||
	    fail "view $i: its first byte was readable before view_open (had $n0, saw $seen)"
done
assert_eq "$(sql 'select count(*) from views where closed_at = 0')" 0 \
    "views left open"

step "the view cannot be recorded: nothing shown, no view_open"
# Root views ops-debug under strace; the streamer writes with write(2),
# so the faults hit only the store's writes and syncs.
for spec in pwrite64:error=EIO pwrite64:error=ENOSPC:when=3+ \
    fdatasync:error=EIO fdatasync:error=EIO:when=2+ pwrite64:error=EFBIG; do
	n0=$(opens)
	inject "$spec" "$JITLOGVIEW" ops-debug
	LAST="[$spec] $LAST"
	not_crashed "jitlogview under $spec"
	if [ "$RC" = 0 ]; then
		# The fault came after the record (view_close): then the
		# view was recorded and shown whole.
		assert_eq "$OUT" "$OPS_TEXT" "output under $spec"
		[ "$(opens)" -gt "$n0" ] || fail "shown without view_open under $spec"
		echo "  $spec: shown (the fault hit the closing record)"
	else
		assert_eq "$OUT" "" "stdout under $spec (exit $RC)"
		assert_eq "$(opens)" "$n0" "view_open under $spec"
	fi
	store_sound
done
hold_lock
n0=$(opens)
r as "$ALICE" "$JITLOGVIEW" app-debug
release_lock
assert_eq "$RC" 3 "jitlogview on a locked store"
assert_eq "$OUT" "" "stdout on a locked store"
assert_eq "$(opens)" "$n0" "view_open on a locked store"

step "PAM events carry their chain hash to the journal"
. "$(dirname "$0")/lib/pam.sh"
pam_setup
pam_service aa resource=app-debug
expect 0 pamtester "$SVC" "$ALICE" acct_mgmt open_session close_session
r pamtester "$SVC" "$MALLORY" acct_mgmt
assert_ne "$RC" 0 "mallory's login"
audit_all
for ev in session_open session_close session_denied; do
	row=$(printf '%s' "$A" | jq -c "[.[] | select(.event == \"$ev\")] | last")
	seq=$(printf '%s' "$row" | jq -r .seq)
	hash=$(printf '%s' "$row" | jq -r .hash)
	user=$(printf '%s' "$row" | jq -r .user)
	# (The user names are this test's own: other stores on the machine
	# log the same seqs.)
	e=$(journal_wait 1 JITLOG_EVENT=$ev JITLOG_AUDIT_SEQ="$seq" \
	    JITLOG_USER="$user") ||
	    fail "no $ev entry with seq $seq in the journal"
	e=$(printf '%s\n' "$e" | head -n 1)
	jq_eq "$e" .JITLOG_AUDIT_HASH "$hash"
	jq_eq "$e" .SYSLOG_IDENTIFIER pam_jitlog
	jq_eq "$e" ._UID 0
done
# verify --journal itself is audit_journal.sh's (it needs the machine's
# journal to hold no other store's entries since --since).
store_sound

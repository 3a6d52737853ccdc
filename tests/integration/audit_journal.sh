#!/bin/bash
# SPDX-License-Identifier: ISC
#
# jitadm audit verify --journal (SECURITY.md "Audit"): each event's chain
# hash is also in its journal entry, so a history rewritten in the store
# -- even with the whole chain recomputed, so that plain "audit verify"
# passes, and with the times of the rewritten events moved -- shows
# against the journal, and so do rows deleted from the end of the chain.
# Only entries journald vouches for count (_UID 0 or _EXE a jitlog
# program): forged "logger -t jitadm" entries neither confirm nor
# contradict.  The entries of an earlier store (one initialised anew)
# contradict the new one until --since says when it began.  Root only.
. "$(dirname "$0")/lib/common.sh"

command -v python3 >/dev/null || fail "python3 not found (tools/deps.sh)"
RECHAIN=$(dirname "$0")/lib/rechain.py
ensure_journald
std_setup

# new_epoch: start on a fresh second and set SINCE to it: every entry
# logged before (by this machine's other tests) then predates SINCE.
new_epoch() {
	local s
	s=$(date +%s)
	while [ "$(date +%s)" = "$s" ]; do
		sleep 0.05
	done
	SINCE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
}

# verify ARGS: "audit verify --journal --since SINCE ARGS" through r.
verify() {
	r "$JITADM" audit verify --journal --since "$SINCE" "$@"
}

# root_grants N: N direct grants by root (trusted entries, _UID=0).
root_grants() {
	local i
	for ((i = 1; i <= $1; i++)); do
		r "$JITADM" grant app-debug --user "$ALICE" \
		    --reason "root grant $i" --json
		[ "$RC" = 0 ] || fail "jitadm grant by root failed"
		ID=$(printf '%s' "$OUT" | jq -er .id) || fail "no grant id"
	done
}

# synced: wait until the journal holds the entry of the store's last event.
synced() {
	local last
	last=$(sql 'select max(seq) from audit')
	journalctl --sync >/dev/null 2>&1
	journal_wait 1 JITLOG_AUDIT_SEQ="$last" >/dev/null ||
	    fail "the entry of seq $last did not reach the journal"
}

step "an empty store has nothing to contradict"
new_epoch
verify
[ "$RC" = 0 ] || fail "verify --journal of an empty store: exit $RC"
assert_contains "$OUT" "audit chain intact: 0 events"
assert_contains "$OUT" "journal: 0 events"
assert_contains "$OUT" "journal: consistent with the store"

step "a consistent store verifies against the journal"
journal_mark
root_grants 3
expect 0 "$JITADM" revoke "$ID"
req "$ALICE" app-debug --reason "alice asks"
expect 0 as "$BOB" "$JITADM" approve "$ID"
synced
verify
[ "$RC" = 0 ] || fail "verify --journal: exit $RC"
assert_contains "$OUT" "audit chain intact: 6 events"
assert_contains "$OUT" "journal: consistent with the store"
verify --json
[ "$RC" = 0 ] || fail "verify --journal --json: exit $RC"
J=$OUT
jq_true "$J" .intact
jq_true "$J" .journal.consistent
jq_eq "$J" .journal.events 6
# The four events of root are confirmed; those of alice and bob are
# confirmed when journald caught their jitadm's _EXE, unconfirmed else.
jq_true "$J" '.journal.confirmed >= 4'
jq_eq "$J" '.journal.confirmed + .journal.unconfirmed' 6
jq_eq "$J" .journal.missing 0
jq_eq "$J" .journal.inconsistencies 0

step "libsystemd comes from the system only: a planted one never loads"
# jitadm loads libsystemd.so.0 by its soname for this command alone
# (dlopen).  A copy planted on LD_LIBRARY_PATH, whose constructor leaves
# a mark, must not be the one loaded: jitadm is set-id, so ld.so ignores
# the variable, for root too, and a user is refused before any loading.
mkdir -p "$T/evil" || fail "mkdir $T/evil"
chmod 0777 "$T/evil"	# the mark could be left by a user's jitadm too
printf '%s\n' '#include <fcntl.h>' '#include <unistd.h>' \
    '__attribute__((constructor)) static void mark(void)' \
    "{ close(open(\"$T/evil/loaded\", O_WRONLY | O_CREAT, 0666)); }" \
    >"$T/evil/evil.c"
cc -shared -fPIC -o "$T/evil/libsystemd.so.0" "$T/evil/evil.c" ||
    fail "cannot build the planted library"
r env LD_LIBRARY_PATH="$T/evil" "$JITADM" audit verify --journal \
    --since "$SINCE"
[ "$RC" = 0 ] || fail "verify --journal with LD_LIBRARY_PATH: exit $RC"
assert_contains "$OUT" "journal: consistent with the store"
expect 1 as_env "$ERIN" env LD_LIBRARY_PATH="$T/evil" "$JITADM" audit \
    verify --journal
[ ! -e "$T/evil/loaded" ] || fail "the planted libsystemd.so.0 was loaded"

step "only root cross-checks with the journal; options"
for u in "$ERIN" "$DAVE"; do
	expect 1 as "$u" "$JITADM" audit verify --journal
	assert_err
	assert_contains "$ERR" "root only"
	assert_eq "$OUT" "" "stdout"
done
expect 0 as "$ERIN" "$JITADM" audit verify
expect 2 "$JITADM" audit --journal
expect 2 "$JITADM" audit verify --journal --journal
expect 2 "$JITADM" audit verify --since "$SINCE"
expect 2 "$JITADM" audit verify --journal --since 1d
expect 2 "$JITADM" audit verify --journal --grant 1

step "forged entries neither confirm nor contradict"
h2=$(sql 'select hash from audit where seq = 2')
bogus=$(printf 'f%.0s' $(seq 64))
exe=$(readlink -f "$JITADM")
# journald drops the _UID and _EXE a client sends; SYSLOG_IDENTIFIER it
# keeps, and it must not matter.
as "$MALLORY" logger --journald <<EOF || fail "logger failed"
MESSAGE=forged
SYSLOG_IDENTIFIER=jitadm
_UID=0
_EXE=$exe
JITLOG_EVENT=grant
JITLOG_AUDIT_SEQ=2
JITLOG_AUDIT_HASH=$bogus
EOF
as "$MALLORY" logger --journald <<EOF || fail "logger failed"
MESSAGE=forged
SYSLOG_IDENTIFIER=jitadm
JITLOG_EVENT=grant
JITLOG_AUDIT_SEQ=9
JITLOG_AUDIT_HASH=$bogus
EOF
journal_wait 2 JITLOG_AUDIT_SEQ=2 >/dev/null || fail "forged seq 2 not seen"
journal_wait 1 JITLOG_AUDIT_SEQ=9 >/dev/null || fail "forged seq 9 not seen"
assert_ne "$h2" "$bogus" "seq 2 hash"
verify
[ "$RC" = 0 ] || fail "forged entries changed the verdict: exit $RC"
assert_contains "$OUT" "1 conflicting entries from untrusted senders ignored"
assert_contains "$OUT" "journal: consistent with the store"
verify --json
jq_true "$OUT" .journal.consistent
jq_eq "$OUT" .journal.untrusted_conflicts 1
jq_eq "$OUT" .journal.deleted_from_end 0

step "history rewritten, its times moved, the chain recomputed"
# seq 2 gets another detail and a time an hour later, as if its genuine
# entry had been logged before it happened.
python3 "$RECHAIN" "$JL_DB" rewrite 2 '{"reason":"nothing to see here"}' \
    3600 || fail "rechain failed"
expect 0 "$JITADM" audit verify
assert_contains "$OUT" "audit chain intact: 6 events"
verify
[ "$RC" = 1 ] || fail "a rewritten store passed verify --journal: exit $RC"
assert_contains "$OUT" "journal: seq 2 differs: the store has"
assert_contains "$OUT" "journal: INCONSISTENT with the store"
verify --json
J=$OUT
jq_true "$J" .intact
jq_eq "$J" .journal.consistent false
jq_eq "$J" .journal.findings[0].seq 2
jq_eq "$J" .journal.findings[0].journal_hash "$h2"
jq_eq "$J" .journal.findings[0].uid 0
# Every later root event is contradicted too: the chain was recomputed.
jq_true "$J" '[.journal.findings[].seq] | contains([3]) and contains([4])'
jq_true "$J" '[.journal.findings[] | .uid == "0" or .exe != null] | all'

step "a store initialised anew: the earlier store's entries until --since"
first=$SINCE
reset_store
new_epoch
journal_mark
root_grants 4
synced
# The first store's seqs 1-4 (root's entries) contradict this one...
SINCE=$first verify
[ "$RC" = 1 ] || fail "the first store's entries did not count: exit $RC"
assert_contains "$OUT" "give --since with the time it was"
# ... until --since says when this store began.
verify --json
[ "$RC" = 0 ] || fail "verify --journal --since: exit $RC"
jq_true "$OUT" .journal.consistent
jq_true "$OUT" '.journal.older_ignored >= 4'

step "rows deleted from the end of the store"
sqlite3 -batch "$JL_DB" 'drop trigger audit_no_delete;
    delete from audit where seq > 2' || fail "cannot delete rows"
expect 0 "$JITADM" audit verify
assert_contains "$OUT" "audit chain intact: 2 events"
verify
[ "$RC" = 1 ] || fail "rows deleted from the end passed: exit $RC"
assert_contains "$OUT" "journal: seq 3 is missing from the store, which ends at seq 2"
assert_contains "$OUT" "journal: INCONSISTENT with the store"
verify --json
jq_eq "$OUT" .journal.deleted_from_end 2
jq_eq "$OUT" '[.journal.findings[].seq] | join(",")' 3,4
jq_eq "$OUT" .journal.findings[0].store_hash null

step "an event the journal never saw is a warning, not a failure"
reset_store
new_epoch
journal_mark
root_grants 1
synced
# One more event, written while no journald could take it.
python3 "$RECHAIN" "$JL_DB" append lapse || fail "append failed"
expect 0 "$JITADM" audit verify
verify
[ "$RC" = 0 ] || fail "a missing entry failed verify --journal: exit $RC"
assert_contains "$OUT" "journal: warning: missing from the journal: seq 2"
assert_contains "$OUT" "journal: consistent with the store"

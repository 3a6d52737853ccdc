#!/bin/bash
# SPDX-License-Identifier: ISC
#
# The audit trail (SPEC section 6): "audit verify" passes on an untouched
# store and fails, naming the first broken seq, when history is rewritten
# behind jitadm's back (edited, deleted or reordered rows); "audit --json"
# has the documented shape; only admins, auditors and root read audit.
. "$(dirname "$0")/lib/common.sh"

std_setup

step "some history"
req "$ALICE" app-debug --reason "audit one"
a=$ID
expect 0 as "$BOB" "$JITADM" approve "$a"
req "$ALICE" app-debug --reason "audit two"
b=$ID
expect 0 as "$BOB" "$JITADM" deny "$b" --comment "no"
expect 0 as "$ALICE" "$JITADM" revoke "$a"
req "$ALICE" db-debug --reason "audit three"
c=$ID
expect 0 as "$ALICE" "$JITADM" revoke "$c"

step "audit --json: the SPEC section 6 shape"
audit_all
jq_eq "$A" type array
jq_true "$A" 'length >= 7'
for k in seq at event grant_id actor user resource detail hash; do
	jq_true "$A" "all(.[]; has(\"$k\"))"
done
jq_true "$A" 'all(.[]; (.seq | type) == "number")'
jq_true "$A" '[.[].seq] == ([.[].seq] | sort)'
jq_true "$A" '[.[].seq] | length == (unique | length)'
jq_true "$A" 'all(.[]; .at | test("^[0-9-]{10}T[0-9:]{8}Z$"))'
jq_true "$A" 'all(.[]; .hash | test("^[0-9a-f]{64}$"))'
jq_true "$A" '[.[].hash] | length == (unique | length)'
jq_true "$A" 'all(.[]; (.detail | type) == "object")'
jq_eq "$A" "[.[] | select(.grant_id == $a) | .event] | join(\",\")" \
    "request,approve,revoke"
jq_eq "$A" "[.[] | select(.grant_id == $b) | .event] | join(\",\")" \
    "request,deny"
jq_eq "$A" "[.[] | select(.grant_id == $c) | .event] | join(\",\")" \
    "request,cancel"
jq_eq "$A" "[.[] | select(.grant_id == $a and .event == \"approve\")][0].actor" \
    "$BOB"
jq_eq "$A" "[.[] | select(.grant_id == $a and .event == \"approve\")][0].user" \
    "$ALICE"
jq_eq "$A" "[.[] | select(.grant_id == $a)][0].resource" app-debug
expect 0 "$JITADM" audit --grant "$b" --json
jq_eq "$OUT" '[.[].grant_id] | unique | join(",")' "$b"
expect 0 "$JITADM" audit --since 2000-01-01T00:00:00Z --json
jq_eq "$OUT" length "$(printf '%s' "$A" | jq length)"
expect 0 "$JITADM" audit --since 2999-01-01T00:00:00Z --json
jq_eq "$OUT" length 0
expect 0 "$JITADM" audit
assert_contains "$OUT" "$ALICE" "human audit"

step "who may read audit"
expect 0 as "$ERIN" "$JITADM" audit --json
jq_eq "$OUT" length "$(printf '%s' "$A" | jq length)"
expect 0 as "$ERIN" "$JITADM" audit verify
expect 0 as "$DAVE" "$JITADM" audit --json
for u in "$ALICE" "$BOB" "$MALLORY"; do
	expect 1 as "$u" "$JITADM" audit
	assert_err
	assert_eq "$OUT" "" "stdout of a refused audit"
	expect 1 as "$u" "$JITADM" audit --json
	assert_eq "$OUT" "" "stdout of a refused audit --json"
	expect 1 as "$u" "$JITADM" audit verify
done

step "verify passes on an untouched store"
expect 0 "$JITADM" audit verify
store_sound

AT=$(audit_table)
[ -n "$AT" ] || fail "no audit table (with seq and hash columns) in $JL_DB"
sqlite3 "$JL_DB" 'pragma wal_checkpoint(TRUNCATE)' >/dev/null ||
    fail "checkpoint"
cp -a "$JL_DB" "$T/pristine.db"

# tamper SQL: edit the store as root behind jitadm's back; triggers that
# forbid edits are dropped first (root can do that too).
tamper() {
	local trig
	trig=$(sqlite3 "$JL_DB" "select name from sqlite_master
	    where type = 'trigger' and tbl_name = '$AT'")
	for t in $trig; do
		sqlite3 "$JL_DB" "drop trigger \"$t\"" || fail "drop trigger $t"
	done
	sqlite3 "$JL_DB" "$1" || fail "tampering failed: $1"
}
restore() {
	rm -f "$JL_DB-wal" "$JL_DB-shm"
	cp -a "$T/pristine.db" "$JL_DB"
	expect 0 "$JITADM" audit verify
}
# verify_broken SEQ: verify fails with 1 and names SEQ.
verify_broken() {
	expect 1 "$JITADM" audit verify
	assert_match "$OUT $ERR" "(^|[^0-9])$1([^0-9]|\$)" "verify output (seq $1)"
	expect 1 as "$ERIN" "$JITADM" audit verify
}

step "an edited detail is found at its seq"
tamper "update \"$AT\" set detail = '{\"comment\":\"yes\"}' where seq = 3"
verify_broken 3
step "new events after the edit do not hide it"
req "$ALICE" app-debug --reason "after tampering"
verify_broken 3
restore

step "an edited actor is found"
tamper "update \"$AT\" set actor = '$CAROL' where seq = 2"
verify_broken 2
restore

step "a deleted row is found"
tamper "delete from \"$AT\" where seq = 4"
expect 1 "$JITADM" audit verify
assert_match "$OUT $ERR" '(^|[^0-9])(4|5)([^0-9]|$)' "verify output"
restore

step "a hash copied from another row is found"
tamper "update \"$AT\" set hash = (select hash from \"$AT\" where seq = 1) where seq = 2"
verify_broken 2
restore

step "the store is sound again"
store_sound

#!/bin/bash
# SPDX-License-Identifier: ISC
#
# Every jitadm event is mirrored to the systemd journal (SPEC section 6,
# SECURITY.md "Audit"): with its MESSAGE_ID, SYSLOG_IDENTIFIER=jitadm, the
# JITLOG_* fields, and the audit chain hash of its store row, so that
# history rewritten in the store shows against the journal.  journald's
# own fields (_EXE, _UID) tell the real jitadm from a forgery.  User text
# is escaped in MESSAGE.
. "$(dirname "$0")/lib/common.sh"

ensure_journald
std_setup
journal_mark
exe=$(readlink -f "$JITADM")

reason='say "hi" \ there'
step "request, approve, deny, revoke"
req "$ALICE" app-debug --reason "$reason" --duration 20m
g1=$ID
expect 0 as "$BOB" "$JITADM" approve "$g1" --comment ok
req "$ALICE" app-debug --reason "second"
g2=$ID
expect 0 as "$BOB" "$JITADM" deny "$g2" --comment "not now"
expect 0 as "$ALICE" "$JITADM" revoke "$g1" --comment "done"
audit_all

# check EVENT GRANT ACTOR: the one journal entry of that event.
declare -A msgids
exe_seen=0
check() {
	local event=$1 id=$2 actor=$3 e n seq hash f
	e=$(journal_wait 1 SYSLOG_IDENTIFIER=jitadm JITLOG_EVENT="$event" \
	    JITLOG_GRANT_ID="$id" JITLOG_USER="$ALICE") ||
	    fail "no journal entry for $event of grant $id"
	n=$(printf '%s\n' "$e" | grep -c '^{')
	assert_eq "$n" 1 "journal entries for $event of grant $id"
	for f in MESSAGE MESSAGE_ID JITLOG_USER JITLOG_ACTOR JITLOG_RESOURCE \
	    JITLOG_AUDIT_SEQ JITLOG_AUDIT_HASH _UID; do
		jq_true "$e" "has(\"$f\") and (.$f | type) == \"string\""
	done
	jq_true "$e" '.MESSAGE_ID | test("^[0-9a-f]{32}$")'
	jq_eq "$e" .SYSLOG_IDENTIFIER jitadm
	jq_eq "$e" .JITLOG_EVENT "$event"
	jq_eq "$e" .JITLOG_GRANT_ID "$id"
	jq_eq "$e" .JITLOG_USER "$ALICE"
	jq_eq "$e" .JITLOG_ACTOR "$actor"
	jq_eq "$e" .JITLOG_RESOURCE app-debug
	jq_eq "$e" ._UID "$(id -u "$actor")"
	# journald reads _EXE from /proc when the entry arrives; a process
	# that has exited by then leaves it out.  Present, it must be ours.
	jq_true "$e" "(has(\"_EXE\") | not) or ._EXE == \"$exe\""
	if printf '%s' "$e" | jq -e 'has("_EXE")' >/dev/null; then
		exe_seen=$((exe_seen + 1))
	fi
	seq=$(printf '%s' "$A" | jq -r --argjson id "$id" --arg ev "$event" \
	    '[.[] | select(.grant_id == $id and .event == $ev)][0].seq')
	hash=$(printf '%s' "$A" | jq -r --argjson id "$id" --arg ev "$event" \
	    '[.[] | select(.grant_id == $id and .event == $ev)][0].hash')
	assert_match "$seq" '^[0-9]+$' "audit seq of $event $id"
	jq_eq "$e" .JITLOG_AUDIT_SEQ "$seq"
	jq_eq "$e" .JITLOG_AUDIT_HASH "$hash"
	E=$e
	msgids[$event]=$(printf '%s' "$e" | jq -r .MESSAGE_ID)
}

step "each event in the journal, tied to its audit row"
check request "$g1" "$ALICE"
jq_eq "$E" .JITLOG_REASON "$reason"
msg=$(printf '%s' "$E" | jq -r .MESSAGE)
assert_eq "$(printf '%s\n' "$msg" | wc -l)" 1 "MESSAGE lines"
# The reason is printable text: it shows as is, or quoted with \" and \\.
case $msg in
*'say "hi" \ there'* | *'say \"hi\" \\ there'*) ;;
*) fail "MESSAGE does not show the reason: $msg" ;;
esac
check approve "$g1" "$BOB"
jq_true "$E" 'has("JITLOG_EXPIRES")'
check request "$g2" "$ALICE"
check deny "$g2" "$BOB"
check revoke "$g1" "$ALICE"
n=$(printf '%s\n' "${msgids[@]}" | sort -u | wc -l)
assert_eq "$n" 4 "distinct MESSAGE_IDs for request, approve, deny, revoke"
[ "$exe_seen" -gt 0 ] || fail "no jitadm entry carried _EXE"

step "refused actions and a forged entry are told apart"
expect 1 as "$MALLORY" "$JITADM" approve "$g2"
logger --journald <<EOF
MESSAGE=forged approval
SYSLOG_IDENTIFIER=jitadm
JITLOG_EVENT=approve
JITLOG_GRANT_ID=$g2
JITLOG_USER=$ALICE
JITLOG_ACTOR=$BOB
EOF
e=$(journal_wait 1 SYSLOG_IDENTIFIER=jitadm JITLOG_EVENT=approve \
    JITLOG_GRANT_ID="$g2" JITLOG_USER="$ALICE") || fail "the forged entry did not reach the journal"
n=$(printf '%s\n' "$e" | jq -c "select(._EXE == \"$exe\")" | grep -c '^{')
[ "$n" = 0 ] || fail "approve entries of grant $g2 from the real jitadm: $(
    printf '%s\n' "$e" | jq -c "select(._EXE == \"$exe\")")"

step "the journal agrees with the store"
expect 0 "$JITADM" audit verify

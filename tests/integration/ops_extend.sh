#!/bin/bash
# SPDX-License-Identifier: ISC
#
# jitadm extend with the installed jitadm and real users and clocks: only
# the grant's user extends it, one pending extension at a time; the
# extension is a request (notified to the approvers) linked both ways in
# show; approved before the grant ends, it starts exactly when the grant
# ends, so access goes on without a gap (the sweep's expire names it in
# continued_by, and no reminder is sent for the grant it continues);
# revoking a grant revokes and cancels its chain in one go, with an event
# each.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/ops.sh"

ensure_journald
std_setup
notify_setup
ops_config "$HOOK" 'max_duration = "1h";'

step "a grant and its extension request"
req "$ALICE" app-debug --reason "extend test" --duration 6s
gid=$ID
expect 0 as "$BOB" "$JITADM" approve "$gid"
gj "$gid"
end=$(printf '%s' "$J" | jq -r .expires_at)
expect 1 as "$BOB" "$JITADM" extend "$gid" --duration 5s --reason "mine"
assert_contains "$ERR" "only its user"
expect 1 as "$MALLORY" "$JITADM" extend "$gid" --duration 5s --reason "x"
assert_contains "$ERR" "no such grant"
expect 2 as "$ALICE" "$JITADM" extend "$gid" --reason "no duration"
expect 1 as "$ALICE" "$JITADM" extend "$gid" --duration 2h --reason "long"
assert_contains "$ERR" "max_duration"
expect 0 as "$ALICE" "$JITADM" extend "$gid" --duration 5s \
    --reason "need five more seconds" --json
xid=$(printf '%s' "$OUT" | jq -r .id)
jq_eq "$OUT" .state pending
jq_eq "$OUT" .extends "$gid"
expect 1 as "$ALICE" "$JITADM" extend "$gid" --duration 5s --reason "again"
assert_contains "$ERR" "pending extension: $xid"
n=$(notes request "$xid")
jq_eq "$n" .event extend
jq_eq "$n" '.approvers | join(",")' "%$G_LEADS"
expect 0 as "$ALICE" "$JITADM" show "$xid"
assert_contains "$OUT" "extends: $gid"
expect 0 as "$BOB" "$JITADM" show "$gid"
assert_contains "$OUT" "extended by: $xid (pending)"

step "approved before the end: it starts when the grant ends"
expect 0 as "$CAROL" "$JITADM" approve "$xid"
assert_contains "$OUT" "grant $xid approved: scheduled from $end"
gj "$xid"
jq_eq "$J" .starts_at "$end"
jq_eq "$J" .state scheduled
# The grant is continued: no reminder for it (remind_before 10m).
expect 0 "$JITADM" sweep
assert_eq "$(events "$gid" expiring)" 0 "reminders of a continued grant"
wait_until "$(epoch "$end")"
expect 0 as "$ALICE" "$JITADM" list --active --json
jq_eq "$OUT" '[.[].id] | map(tostring) | join(",")' "$xid"
expect 0 "$JITADM" sweep --json
jq_eq "$OUT" \
    "[.[] | select(.event == \"expire\" and .grant_id == $gid)][0].detail.continued_by" \
    "$xid"
assert_eq "$(status "$gid")" expired "stored status of the grant"

step "revoking a grant ends its chain"
req "$ALICE" app-debug --reason "chain" --duration 10m
g2=$ID
expect 0 as "$BOB" "$JITADM" approve "$g2"
expect 0 as "$ALICE" "$JITADM" extend "$g2" --duration 10m --reason "x2"
x2=$OUT
expect 0 as "$BOB" "$JITADM" approve "$x2"
expect 0 as "$ALICE" "$JITADM" extend "$x2" --duration 10m --reason "x3"
x3=$OUT
assert_state "$x2" scheduled
assert_state "$x3" pending
journal_mark
expect 0 as "$CAROL" "$JITADM" revoke "$g2" --comment "incident over"
assert_state "$g2" revoked
assert_state "$x2" revoked
assert_state "$x3" cancelled
gj "$x2"
jq_eq "$J" .ended_by "$CAROL"
journal_wait 1 JITLOG_EVENT=revoke "JITLOG_GRANT_ID=$x2" >/dev/null ||
    fail "revoke of the extension not in the journal"
journal_wait 1 JITLOG_EVENT=cancel "JITLOG_GRANT_ID=$x3" >/dev/null ||
    fail "cancel of the extension not in the journal"
[ "$(notes revoke "$x2" | wc -l)" = 1 ] || fail "no revoke notification"
expect 1 as "$BOB" "$JITADM" approve "$x3"
store_sound

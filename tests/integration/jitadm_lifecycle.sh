#!/bin/bash
# SPDX-License-Identifier: ISC
#
# The life of a grant through the installed setgid jitadm, run by real
# users (SPEC sections 3 and 4): request, list/show, approve, revoke
# early; the JSON shape; N-of-M approvals by distinct approvers; an
# approver shortening (never lengthening) the duration; direct grants by
# admins only; deny with a comment; revoking a pending request cancels
# it; what non-admins may see.
. "$(dirname "$0")/lib/common.sh"

std_setup

RFC3339='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'

step "alice requests app-debug (human output prints the id)"
expect 0 as "$ALICE" "$JITADM" request app-debug --reason "debug INC-1" \
    --duration 30m
human_out=$OUT
expect 0 as "$ALICE" "$JITADM" list --json
id=$(printf '%s' "$OUT" | jq -r 'max_by(.id).id')
assert_match "$id" '^[0-9]+$' "new grant id"
printf '%s\n' "$human_out" | grep -Eqw -- "$id" ||
    fail "request printed '$human_out', which does not name grant $id"
assert_state "$id" pending

step "list and show as alice"
expect 0 as "$ALICE" "$JITADM" list
assert_match "$OUT" "(^|[^0-9])$id([^0-9]|\$)" "list"
assert_contains "$OUT" pending "list"
assert_contains "$OUT" app-debug "list"
expect 0 as "$ALICE" "$JITADM" show "$id"
assert_contains "$OUT" pending "show"
assert_contains "$OUT" "debug INC-1" "show"

step "list --json: an array of grants with the SPEC section 4 fields"
expect 0 as "$ALICE" "$JITADM" list --json
L=$OUT
jq_eq "$L" 'type' array
G=$(printf '%s' "$L" | jq -c --argjson id "$id" '.[] | select(.id == $id)')
[ -n "$G" ] || fail "grant $id missing from list --json: $L"
for k in id user resource state reason ticket requested_at starts_at \
    expires_at duration_s approvals_required approvals unredacted \
    break_glass; do
	jq_true "$G" "has(\"$k\")"
done
jq_eq "$G" '.id | type' number
jq_eq "$G" .user "$ALICE"
jq_eq "$G" .resource app-debug
jq_eq "$G" .state pending
jq_eq "$G" .reason "debug INC-1"
jq_eq "$G" .ticket null
jq_eq "$G" .duration_s 1800
jq_eq "$G" .approvals_required 1
jq_eq "$G" '.approvals | length' 0
jq_eq "$G" .unredacted false
jq_eq "$G" .break_glass false
jq_eq "$G" .starts_at null
jq_eq "$G" .expires_at null
assert_match "$(printf '%s' "$G" | jq -r .requested_at)" "$RFC3339" \
    requested_at
now=$(date -u +%s)
jq_true "$G" "(.requested_at | fromdateiso8601) - $now | fabs < 120"

step "request --json prints the grant object"
req "$ALICE" app-debug --reason "second look"
jq_eq "$J" .state pending
jq_eq "$J" .user "$ALICE"
jq_eq "$J" .duration_s 3600	# default_duration
second=$ID
assert_ne "$second" "$id" "second grant id"

step "bob (approver) approves: the clock starts at approval"
expect 0 as "$BOB" "$JITADM" approve "$id" --comment "go ahead"
gj "$id"
jq_eq "$J" .state active
jq_eq "$J" '.approvals | length' 1
jq_eq "$J" '.approvals[0].by' "$BOB"
jq_eq "$J" '.approvals[0].comment' "go ahead"
assert_match "$(printf '%s' "$J" | jq -r .starts_at)" "$RFC3339" starts_at
assert_match "$(printf '%s' "$J" | jq -r .expires_at)" "$RFC3339" expires_at
jq_eq "$J" '(.expires_at | fromdateiso8601) - (.starts_at | fromdateiso8601)' 1800
now=$(date -u +%s)
jq_true "$J" "(.starts_at | fromdateiso8601) - $now | fabs < 120"
expect 0 as "$ALICE" "$JITADM" show "$id" --json
jq_eq "$OUT" .state active

step "approving an active grant again is refused"
expect 1 as "$CAROL" "$JITADM" approve "$id"
assert_err

step "alice revokes her own grant early (done)"
expect 0 as "$ALICE" "$JITADM" revoke "$id" --comment "done"
assert_state "$id" revoked
expect 1 as "$ALICE" "$JITADM" revoke "$id"
assert_err
expect 1 as "$BOB" "$JITADM" approve "$id"

step "approvals = 2: two distinct approvers"
req "$ALICE" db-debug --reason "two keys"
two=$ID
jq_eq "$J" .approvals_required 2
expect 0 as "$BOB" "$JITADM" approve "$two"
assert_state "$two" pending
expect 1 as "$BOB" "$JITADM" approve "$two"
assert_err
gj "$two"
jq_eq "$J" .state pending
jq_eq "$J" '.approvals | length' 1
expect 0 as "$CAROL" "$JITADM" approve "$two"
gj "$two"
jq_eq "$J" .state active
jq_eq "$J" '[.approvals[].by] | sort | join(",")' \
    "$(printf '%s\n' "$BOB" "$CAROL" | sort | paste -sd,)"

step "an approver shortens the duration"
req "$ALICE" app-debug --reason "short please" --duration 2h
short=$ID
expect 0 as "$BOB" "$JITADM" approve "$short" --duration 20m
gj "$short"
jq_eq "$J" .state active
jq_eq "$J" .duration_s 1200
jq_eq "$J" '(.expires_at | fromdateiso8601) - (.starts_at | fromdateiso8601)' 1200

step "an approver cannot lengthen it (beyond the request or max_duration)"
req "$ALICE" app-debug --reason "long please" --duration 30m
long=$ID
r as "$BOB" "$JITADM" approve "$long" --duration 5h
gj "$long"
if [ "$RC" = 0 ]; then
	jq_true "$J" '.duration_s <= 1800'
	jq_true "$J" '((.expires_at | fromdateiso8601) - (.starts_at | fromdateiso8601)) <= 1800'
else
	assert_match "$RC" '^[12]$' "exit status"
	jq_eq "$J" .state pending
fi
r as "$BOB" "$JITADM" approve "$long" --duration 1h
gj "$long"
jq_true "$J" '.duration_s <= 1800'

step "grant: admins only"
before=$(store_snapshot)
expect 1 as "$BOB" "$JITADM" grant app-debug --user "$ALICE" \
    --reason "bob is no admin" --duration 15m
assert_err
assert_eq "$(store_snapshot)" "$before" "store after refused grant"
expect 1 as "$DAVE" "$JITADM" grant app-debug --user "$DAVE" \
    --reason "to myself" --duration 15m
assert_eq "$(store_snapshot)" "$before" "store after self-grant"
expect 0 as "$DAVE" "$JITADM" grant app-debug --user "$ALICE" \
    --reason "incident INC-2" --duration 15m --json
jq_eq "$OUT" .user "$ALICE"
jq_eq "$OUT" .state active
jq_eq "$OUT" .duration_s 900
granted=$(printf '%s' "$OUT" | jq -r .id)
assert_state "$granted" active

step "deny needs a comment, and records it"
req "$ALICE" app-debug --reason "please"
den=$ID
expect 2 as "$BOB" "$JITADM" deny "$den"
assert_state "$den" pending
expect 0 as "$BOB" "$JITADM" deny "$den" --comment "not during the freeze"
assert_state "$den" denied
expect 1 as "$CAROL" "$JITADM" approve "$den"
assert_state "$den" denied
audit_all
ev=$(printf '%s' "$A" | jq -c --argjson id "$den" \
    '[.[] | select(.grant_id == $id and .event == "deny")]')
jq_eq "$ev" length 1
jq_eq "$ev" '.[0].actor' "$BOB"
jq_eq "$ev" '.[0].user' "$ALICE"
jq_true "$ev" '.[0].detail | tostring | contains("not during the freeze")'

step "revoking a pending request cancels it"
req "$ALICE" app-debug --reason "never mind"
can=$ID
expect 0 as "$ALICE" "$JITADM" revoke "$can"
assert_state "$can" cancelled
expect 1 as "$BOB" "$JITADM" approve "$can"
assert_state "$can" cancelled

step "approvers and admins may revoke any active grant; others may not"
expect 1 as "$MALLORY" "$JITADM" revoke "$two"
assert_state "$two" active
expect 1 as "$ERIN" "$JITADM" revoke "$two"
assert_state "$two" active
expect 0 as "$CAROL" "$JITADM" revoke "$two" --comment "enough"
assert_state "$two" revoked
expect 0 as "$DAVE" "$JITADM" revoke "$granted"
assert_state "$granted" revoked

step "who sees what"
expect_in "1" as "$MALLORY" "$JITADM" show "$second"
expect 0 as "$MALLORY" "$JITADM" list --json
jq_eq "$OUT" 'map(select(.user != "'"$MALLORY"'")) | length' 0
expect 0 as "$BOB" "$JITADM" list --pending --json
jq_true "$OUT" "any(.[]; .id == $second)"
expect 0 as "$ALICE" "$JITADM" list --all --json
jq_eq "$OUT" 'map(select(.user != "'"$ALICE"'")) | length' 0
expect 0 as "$ALICE" "$JITADM" list --pending --json
jq_true "$OUT" 'all(.[]; .state == "pending")'
expect 0 as "$ALICE" "$JITADM" resources
assert_contains "$OUT" app-debug "resources (alice)"
expect 0 as "$MALLORY" "$JITADM" resources
assert_not_contains "$OUT" app-debug "resources (mallory)"

step "the store is sound"
store_sound

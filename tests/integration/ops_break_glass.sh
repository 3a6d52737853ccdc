#!/bin/bash
# SPDX-License-Identifier: ISC
#
# Break-glass (SPEC section 3) with the installed jitadm and real users:
# refused where the resource does not allow it, over its cap, for a
# non-requester and with --start; otherwise active at once without any
# approval, capped, logged at priority alert (journald's own fields say
# it came from the installed jitadm), notified with the approvers who
# review it; the same user cannot break glass again, on any resource,
# until an approver or admin (never the user) reviews it; list
# --unreviewed and show follow the review.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/ops.sh"

ensure_journald
std_setup
notify_setup
more=$(cat <<EOF
  {
    name = "db-audit";
    paths = [ "$JL_TEST_ROOT/logs/db/audit.log" ];
    requesters = [ "%$G_ENG" ];
    approvers = [ "$CAROL" ];
    default_duration = "1h";
    max_duration = "2h";
    break_glass = { max_duration = "10m"; };
  },
  {
    name = "ops-debug";
    paths = [ "$JL_TEST_ROOT/logs/ops/debug.log" ];
    approvers = [ "$BOB" ];
    require_ticket = true;
    break_glass = true;
  }
EOF
)
ops_config "$HOOK" "" "" "$more"

step "refused where the resource does not allow it"
n=$(nevents)
expect 1 as "$ALICE" "$JITADM" request app-debug --reason "outage" \
    --break-glass
assert_err
assert_contains "$ERR" "does not allow break-glass"
step "refused over the cap, for a non-requester, with --start"
expect 1 as "$ALICE" "$JITADM" request db-audit --reason "outage" \
    --break-glass --duration 11m
assert_contains "$ERR" "break-glass max_duration 10m"
expect 1 as "$MALLORY" "$JITADM" request db-audit --reason "outage" \
    --break-glass
expect 2 as "$ALICE" "$JITADM" request db-audit --reason "outage" \
    --break-glass --start +1h
expect 1 as "$ALICE" "$JITADM" request ops-debug --reason "outage" \
    --break-glass
assert_contains "$ERR" "requires a ticket"
assert_eq "$(nevents)" "$n" "audit events after refusals"

step "active at once, capped, alert priority, notified"
journal_mark
t0=$(date +%s)
req "$ALICE" db-audit --reason "INC-9 outage" --break-glass
bg=$ID
assert_contains "$ERR" "break-glass: grant $bg is active until"
jq_eq "$J" .state active
jq_eq "$J" .break_glass true
jq_eq "$J" '.approvals | length' 0
start=$(epoch "$(printf '%s' "$J" | jq -r .starts_at)")
end=$(epoch "$(printf '%s' "$J" | jq -r .expires_at)")
assert_eq "$((end - start))" 600 "break-glass duration (the cap)"
[ "$start" -ge "$t0" ] || fail "starts before the request: $start < $t0"
out=$(journal_wait 1 JITLOG_EVENT=break_glass "JITLOG_GRANT_ID=$bg") ||
    fail "break_glass not in the journal: $out"
jq_eq "$out" .PRIORITY 1
jq_eq "$out" ._UID "$(id -u "$ALICE")"
jq_eq "$out" .SYSLOG_IDENTIFIER jitadm
jq_eq "$out" .JITLOG_USER "$ALICE"
assert_contains "$(printf '%s' "$out" | jq -r .MESSAGE)" "BREAK-GLASS"
note=$(notes break_glass "$bg")
jq_eq "$note" .user "$ALICE"
jq_eq "$note" '.approvers | join(",")' "$CAROL"
jq_eq "$note" .detail.reason "INC-9 outage"
# Run by alice: the hook ran as alice, without the jitlog group.
meta=$(note_meta break_glass "$bg")
assert_contains "$meta" "uid=$(id -u "$ALICE")" "hook account"
assert_not_contains " $(printf '%s\n' "$meta" | sed -n 's/^gids=//p') " \
    " $(getent group jitlog | cut -d: -f3) " "hook groups"
expect 0 as "$ALICE" "$JITADM" show "$bg"
assert_contains "$OUT" "review: open"

step "not again before the review, on any resource"
expect 1 as "$ALICE" "$JITADM" request db-audit --reason "again" \
    --break-glass
assert_contains "$ERR" "not reviewed"
expect 1 as "$ALICE" "$JITADM" request ops-debug --reason "again" \
    --ticket INC-9 --break-glass
assert_contains "$ERR" "not reviewed"
# Someone else may.
req "$BOB" db-audit --reason "INC-9 too" --break-glass --duration 5m
bob_bg=$ID
jq_eq "$J" .state active

step "list --unreviewed"
expect 0 as "$CAROL" "$JITADM" list --unreviewed --json
jq_eq "$OUT" '[.[].id] | sort | map(tostring) | join(",")' "$bg,$bob_bg"
expect 0 as "$ALICE" "$JITADM" list --unreviewed --json
jq_eq "$OUT" '[.[].id] | map(tostring) | join(",")' "$bg"

step "the review: not by the user, not by a stranger; by an approver, once"
expect 1 as "$ALICE" "$JITADM" review "$bg"
assert_contains "$ERR" "your own"
expect 1 as "$MALLORY" "$JITADM" review "$bg"
expect 1 as "$BOB" "$JITADM" review "$bg"
journal_mark
expect 0 as "$CAROL" "$JITADM" review "$bg" --comment "justified"
assert_eq "$OUT" "grant $bg reviewed" "review output"
expect 1 as "$DAVE" "$JITADM" review "$bg"
assert_contains "$ERR" "already reviewed"
journal_wait 1 JITLOG_EVENT=review "JITLOG_GRANT_ID=$bg" >/dev/null ||
    fail "review not in the journal"
gj "$bg"
jq_true "$J" '.reviewed_at != null'
expect 0 as "$ALICE" "$JITADM" show "$bg"
assert_contains "$OUT" "reviewed_by: $CAROL"
expect 0 as "$CAROL" "$JITADM" list --unreviewed --json
jq_eq "$OUT" '[.[].id] | map(tostring) | join(",")' "$bob_bg"
# An admin may review too.
expect 0 as "$DAVE" "$JITADM" review "$bob_bg"

step "reviewed: alice may break glass again"
req "$ALICE" ops-debug --reason "INC-10" --ticket INC-10 --break-glass
jq_eq "$J" .state active
store_sound

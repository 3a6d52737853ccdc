#!/bin/bash
# SPDX-License-Identifier: ISC
#
# jitadm report: the usage patterns auditors watch, for admins and
# auditors only (exit 1 for everybody else, nothing printed on stdout).
# A small story through the installed jitadm (and jitlogview, for a
# refused view), then the figures of "report --json" against it:
# requests, approvals and denials per resource and user, the approval
# latency, repeated requests and --repeat, a grant that ended unused, a
# break-glass grant, refused views; the human output escapes what it
# shows; options are parsed strictly.
. "$(dirname "$0")/lib/common.sh"

std_setup

step "a story: approvals, a denial, a probe, an unused grant"
req "$ALICE" app-debug --reason "INC-1 first look"
g1=$ID
expect 0 as "$BOB" "$JITADM" approve "$g1"
req "$ALICE" app-debug --reason "INC-1 again"
g2=$ID
expect 0 as "$BOB" "$JITADM" deny "$g2" --comment "use staging"
for i in 1 2 3 4; do
	req "$MALLORY" ops-debug --reason "curious $i"
done
r as "$DAVE" "$JITADM" grant db-debug --user "$ALICE" --reason "on call" \
    --json
[ "$RC" = 0 ] || fail "grant by $DAVE failed"
g3=$(printf '%s' "$OUT" | jq -er .id) || fail "grant --json printed no id"
# Given back at once: it opened and ended without a single view.
expect 0 as "$ALICE" "$JITADM" revoke "$g3"
refused_views=0
if [ -x "$JITLOGVIEW" ]; then
	r as "$MALLORY" "$JITLOGVIEW" app-debug
	[ "$RC" = 1 ] || fail "jitlogview without a grant: exit $RC"
fi
audit_all
refused_views=$(printf '%s' "$A" | jq --arg u "$MALLORY" \
    '[.[] | select(.event == "view_denied" and .user == $u)] | length')

step "auditors, admins and root get the report"
expect 0 as "$ERIN" "$JITADM" report --json
R=$OUT
jq_eq "$R" '.per_resource["app-debug"].requests' 2
jq_eq "$R" '.per_resource["app-debug"].approved' 1
jq_eq "$R" '.per_resource["app-debug"].denied' 1
jq_eq "$R" '.per_resource["ops-debug"].requests' 4
jq_eq "$R" '.per_resource["db-debug"].granted' 1
jq_eq "$R" ".per_user[\"$ALICE\"].requests" 2
jq_eq "$R" ".per_user[\"$ALICE\"].granted" 1
jq_eq "$R" ".per_user[\"$BOB\"].approvals_given" 1
jq_eq "$R" ".per_user[\"$BOB\"].denials_given" 1
jq_eq "$R" .approval_latency.count 1
jq_true "$R" '.approval_latency.p50_s >= 0 and .approval_latency.p95_s >= .approval_latency.p50_s'
jq_eq "$R" '.repeated_requests | length' 1
jq_eq "$R" .repeated_requests[0].user "$MALLORY"
jq_eq "$R" .repeated_requests[0].resource ops-debug
jq_eq "$R" .repeated_requests[0].count 4
jq_eq "$R" '[.unused_grants[].id] | join(",")' "$g3"
jq_eq "$R" .unused_grants[0].state revoked
jq_eq "$R" '.break_glass | length' 0
jq_eq "$R" ".refused.views[\"$MALLORY\"] // 0" "$refused_views"
jq_true "$R" '.window.seconds == 30 * 86400'
jq_eq "$R" .events "$(printf '%s' "$A" | jq length)"
expect 0 as "$DAVE" "$JITADM" report --json
jq_eq "$OUT" '.per_resource["app-debug"].requests' 2
expect 0 "$JITADM" report
assert_contains "$OUT" "Per resource"
assert_contains "$OUT" "Repeated requests (more than 3"
assert_contains "$OUT" "Grants approved but never used"

step "everybody else is refused, with nothing on stdout"
for u in "$ALICE" "$BOB" "$MALLORY"; do
	expect 1 as "$u" "$JITADM" report --json
	assert_err
	assert_contains "$ERR" "admins and auditors"
	assert_eq "$OUT" "" "stdout of a refused report"
done

step "--repeat and --since"
expect 0 as "$ERIN" "$JITADM" report --json --repeat 4
jq_eq "$OUT" '.repeated_requests | length' 0
jq_eq "$OUT" .repeat_threshold 4
expect 0 as "$ERIN" "$JITADM" report --json --repeat 1
jq_eq "$OUT" '.repeated_requests | length' 2
expect 0 as "$ERIN" "$JITADM" report --json --since 366d
jq_eq "$OUT" .window.seconds $((366 * 86400))
expect 0 as "$ERIN" "$JITADM" report --since=1h30m --json
jq_eq "$OUT" .window.seconds 5400
for bad in 0 -1d +1d 367d 1e3 "" 1h1h 2026-11-26T10:00:00Z; do
	expect 2 as "$ERIN" "$JITADM" report --since "$bad"
	assert_err
done
for bad in 0 -1 01 1e3 99999999999999999999 1000001 x ""; do
	expect 2 as "$ERIN" "$JITADM" report --repeat "$bad"
	assert_err
done
expect 2 as "$ERIN" "$JITADM" report --since 1d --since 2d
expect 2 as "$ERIN" "$JITADM" report extra
expect 2 as "$ERIN" "$JITADM" report --grant 1
expect 2 as "$ERIN" "$JITADM" audit --repeat 3
expect 2 as "$ERIN" "$JITADM" audit --since 1d

step "what the report shows is escaped"
# A break-glass grant whose reason holds a terminal escape: jitadm never
# stores one, so it goes into the store raw, as a hostile writer would.
evil=$(printf 'prod down \033]0;owned\007 now')
sqlite3 -batch "$JL_DB" "
    insert into grants (user, uid, resource, status, reason, requested_at,
        starts_at, expires_at, duration_s, approvals_required, break_glass)
    values ('$ALICE', $(id -u "$ALICE"), 'app-debug', 'approved',
        '$evil', strftime('%s', 'now') - 60, strftime('%s', 'now') - 60,
        strftime('%s', 'now') - 30, 30, 1, 1);
    insert into audit (seq, at, event, grant_id, actor, user, resource,
        detail, hash)
    values ((select max(seq) + 1 from audit), strftime('%s', 'now') - 60,
        'break_glass', last_insert_rowid(), '$ALICE', '$ALICE', 'app-debug',
        '{}', printf('%064d', 0));" || fail "cannot insert the raw rows"
expect 0 as "$ERIN" "$JITADM" report
assert_contains "$OUT" "Break-glass grants"
assert_contains "$OUT" 'prod down \x1b]0;owned\x07 now'
if printf '%s' "$OUT" | LC_ALL=C grep -q "$(printf '\033')"; then
	fail "the report printed a raw ESC byte"
fi
expect 0 as "$ERIN" "$JITADM" report --json
jq_eq "$OUT" '.break_glass | length' 1
jq_eq "$OUT" .break_glass[0].reason "$evil"
jq_eq "$OUT" .break_glass[0].reviewed false
jq_eq "$OUT" '.per_resource["app-debug"].break_glass' 1

#!/bin/bash
# SPDX-License-Identifier: ISC
#
# Identity is the real uid and its name together (SECURITY.md "Process
# start", policy.c is_owner): an account that takes the name of a
# deleted one must not inherit what the old account held.  On the
# installed jitlogview, pam_jitlog (pamtester) and jitadm: the old
# account's active grant opens no view and no login for the new one, and
# the new one does not see it; the grant itself is left as it was.  And
# an approver who is renamed (usermod -l: the same uid) is still one
# approver: the second of two approvals must come from somebody else.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/attack.sh"
. "$(dirname "$0")/lib/pam.sh"

pam_setup
attack_setup
GHOST=${P}ghost
mkuser "$GHOST" "$G_ENG"
pam_service id resource=app-debug

step "the account holds a grant: it views and logs in"
active "$GHOST" app-debug
gid=$ID
old_uid=$(id -u "$GHOST")
expect 0 as "$GHOST" "$JITLOGVIEW" app-debug
assert_contains "$OUT" "app line 3" "the view"
expect 0 pamtester "$SVC" "$GHOST" acct_mgmt open_session close_session

step "the account is deleted and its name given to a new one"
userdel -r -f "$GHOST" >/dev/null 2>&1 || fail "userdel $GHOST"
new_uid=$((old_uid + 7919))
while getent passwd "$new_uid" >/dev/null; do
	new_uid=$((new_uid + 1))
done
useradd -m -U -u "$new_uid" -G "$G_ENG" -s /bin/sh "$GHOST" ||
    fail "useradd $GHOST"
assert_eq "$(id -u "$GHOST")" "$new_uid" "the new account's uid"
grants_before=$(sql "select * from grants order by id")

step "the new account inherits nothing"
expect 1 as "$GHOST" "$JITLOGVIEW" app-debug
assert_eq "$OUT" "" "the new account's view"
assert_not_contains "$ERR" "app line" "stderr"
r pamtester "$SVC" "$GHOST" acct_mgmt
assert_ne "$RC" 0 "pamtester acct_mgmt, the new account"
assert_contains "$ERR" "Permission denied" "pamtester"
r pamtester "$SVC" "$GHOST" open_session
assert_ne "$RC" 0 "pamtester open_session, the new account"
expect 0 as "$GHOST" "$JITADM" list --all --json
jq_eq "$OUT" length 0
expect 1 as "$GHOST" "$JITADM" show "$gid"
assert_contains "$ERR" "no such grant" "show"
expect 1 as "$GHOST" "$JITADM" revoke "$gid"
assert_contains "$ERR" "no such grant" "revoke"

step "the old account's grant is left as it was"
gj "$gid"
jq_eq "$J" .state active
jq_eq "$J" .user "$GHOST"
assert_eq "$(sql "select uid from grants where id = $gid")" "$old_uid" \
    "the grant's uid"
assert_eq "$(sql "select count(*) from sessions where grant_id = $gid")" 1 \
    "sessions under the grant (the old account's one login)"
assert_eq "$(sql "select * from grants order by id")" "$grants_before" \
    "the grants, before and after"
# What the new account did is on record: its three refusals.
assert_eq "$(sql "select count(*) from audit where event in
    ('view_denied', 'session_denied') and actor = '$GHOST'")" 3 \
    "the new account's refusals"
store_sound

step "a renamed approver is still one approver"
req "$ALICE" db-debug --reason "two approvals"
did=$ID
expect 0 as "$BOB" "$JITADM" approve "$did"
assert_state "$did" pending
expect 1 as "$BOB" "$JITADM" approve "$did"
assert_contains "$ERR" "already approved by you" "approving twice"
RENAMED=${P}robert
usermod -l "$RENAMED" "$BOB" || fail "usermod -l $RENAMED $BOB"
# The cleanup removes the account under its new name, and its group,
# which keeps the old one.
_users+=("$RENAMED")
_groups+=("$BOB")
expect 1 as "$RENAMED" "$JITADM" approve "$did"
assert_contains "$ERR" "already approved by you" "approving again, renamed"
assert_state "$did" pending
gj "$did"
jq_eq "$J" '.approvals | length' 1
expect 0 as "$CAROL" "$JITADM" approve "$did"
assert_state "$did" active
assert_eq "$(sql "select approver || ':' || uid from approvals
    where grant_id = $did order by at, rowid")" \
    "$BOB:$(id -u "$RENAMED")
$CAROL:$(id -u "$CAROL")" "the approvals, with their uids"
store_sound

#!/bin/bash
# SPDX-License-Identifier: ISC
#
# jitadm sweep, as root, against the installed jitadm, with real users and
# short real durations: only root sweeps; nothing due, nothing printed or
# stored; a short grant gets one "expiring" reminder, then is marked
# expired with its event in the store, the journal and a notification,
# once; an escalation approver cannot approve before escalate_after nor
# before a sweep has recorded the escalation, and can after it, with an
# escalate notification naming escalate_to; a request pending past
# request_ttl lapses; --json; the installed systemd units.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/ops.sh"

ensure_journald
std_setup
notify_setup
app=$(cat <<EOF
default_duration = "3s";
max_duration = "1h";
escalate_after = "2s";
escalate_to = [ "$ERIN" ];
EOF
)
ops_config "$HOOK" "$app" 'request_ttl = "8s"; remind_before = "1h";'

step "only root sweeps"
expect 1 as "$ALICE" "$JITADM" sweep
assert_err
assert_contains "$ERR" "only for root"

step "nothing due: nothing printed, nothing stored"
n=$(nevents)
expect 0 "$JITADM" sweep
assert_eq "$OUT" "" "sweep output"
assert_eq "$(nevents)" "$n" "audit events"

step "a short grant: one reminder, then expired once"
journal_mark
req "$ALICE" app-debug --reason "sweep test" --duration 3s
gid=$ID
expect 0 as "$BOB" "$JITADM" approve "$gid"
gj "$gid"
exp=$(epoch "$(printf '%s' "$J" | jq -r .expires_at)")
expect 0 "$JITADM" sweep
assert_match "$OUT" "^expiring: grant $gid of $ALICE on app-debug expires soon" \
    "sweep output"
assert_eq "$(events "$gid" expiring)" 1 "expiring events"
[ "$(notes expiring "$gid" | wc -l)" = 1 ] || fail "no expiring notification"
expect 0 "$JITADM" sweep
assert_eq "$OUT" "" "second sweep before the end"
assert_eq "$(events "$gid" expiring)" 1 "expiring events"
wait_until "$exp"
# Shown expired at once; stored as such only by the sweep.
assert_state "$gid" expired
assert_eq "$(status "$gid")" approved "stored status before the sweep"
expect 0 "$JITADM" sweep
assert_match "$OUT" "^expire: grant $gid of $ALICE on app-debug expired" \
    "sweep output"
assert_eq "$(status "$gid")" expired "stored status"
assert_eq "$(events "$gid" expire)" 1 "expire events"
out=$(journal_wait 1 JITLOG_EVENT=expire "JITLOG_GRANT_ID=$gid") ||
    fail "expire not in the journal: $out"
jq_eq "$out" .SYSLOG_IDENTIFIER jitadm
jq_eq "$out" ._UID 0
n=$(notes expire "$gid")
[ "$(printf '%s\n' "$n" | grep -c .)" = 1 ] || fail "expire notifications: $n"
jq_eq "$n" .user "$ALICE"
jq_eq "$n" .detail.continued_by null
# Run by root: the hook ran as nobody, with PATH only, fds 0-2.
meta=$(note_meta expire "$gid")
assert_contains "$meta" "uid=$(id -u nobody)" "hook account"
assert_contains "$meta" "env=PATH=/usr/bin:/bin " "hook environment"
n=$(nevents)
expect 0 "$JITADM" sweep
assert_eq "$OUT" "" "second sweep"
assert_eq "$(nevents)" "$n" "audit events after a second sweep"

step "escalation: escalate_to approves only after a sweep recorded it"
req "$ALICE" app-debug --reason "escalation test"
eid=$ID
req_at=$(epoch "$(printf '%s' "$J" | jq -r .requested_at)")
expect 1 as "$ERIN" "$JITADM" approve "$eid"
assert_contains "$ERR" "not an approver"
wait_until $((req_at + 2))
expect 1 as "$ERIN" "$JITADM" approve "$eid"
journal_mark
expect 0 "$JITADM" sweep
assert_match "$OUT" "^escalate: request $eid of $ALICE on app-debug escalated" \
    "sweep output"
gj "$eid"
jq_eq "$J" .state pending
n=$(notes escalate "$eid")
jq_eq "$n" '.escalate_to | join(",")' "$ERIN"
jq_eq "$n" '.approvers | join(",")' "%$G_LEADS"
journal_wait 1 JITLOG_EVENT=escalate "JITLOG_GRANT_ID=$eid" >/dev/null ||
    fail "escalate not in the journal"
expect 0 "$JITADM" sweep
assert_eq "$OUT" "" "escalated once"
expect 0 as "$ERIN" "$JITADM" approve "$eid"
assert_state "$eid" active

step "a request pending past request_ttl lapses"
req "$ALICE" app-debug --reason "lapse test"
lid=$ID
req_at=$(epoch "$(printf '%s' "$J" | jq -r .requested_at)")
wait_until $((req_at + 8))
expect 1 as "$BOB" "$JITADM" approve "$lid"
assert_contains "$ERR" "lapsed"
assert_eq "$(status "$lid")" pending "stored status before the sweep"
expect 0 "$JITADM" sweep --json
jq_true "$OUT" "any(.[]; .event == \"lapse\" and .grant_id == $lid)"
assert_eq "$(status "$lid")" lapsed "stored status"
assert_eq "$(events "$lid" escalate)" 0 "a lapsed request is not escalated"
journal_wait 1 JITLOG_EVENT=lapse "JITLOG_GRANT_ID=$lid" >/dev/null ||
    fail "lapse not in the journal"

step "the systemd units are installed, not enabled"
unitdir=$JL_PREFIX/lib/systemd/system
for u in jitlog-sweep.service jitlog-sweep.timer; do
	[ -f "$unitdir/$u" ] || fail "$unitdir/$u is not installed"
	[ ! -e "/etc/systemd/system/timers.target.wants/$u" ] ||
	    fail "$u is enabled"
done
assert_contains "$(cat "$unitdir/jitlog-sweep.service")" \
    "ExecStart=$JITADM sweep" "ExecStart"
assert_contains "$(cat "$unitdir/jitlog-sweep.timer")" "OnCalendar=minutely"
expect 0 systemd-analyze verify --man=no "$unitdir/jitlog-sweep.service" \
    "$unitdir/jitlog-sweep.timer"
store_sound

#!/bin/bash
# SPDX-License-Identifier: ISC
#
# An ssh session that outlives its grant is ended by jitadm sweep: a real
# sshd on 127.0.0.1 with the installed pam_jitlog.so in its account and
# session stacks (a copy named sshd-jitlog-sweep, so that its PAM service
# is /etc/pam.d/sshd-jitlog-sweep), a user logged in with a key under a
# short grant running a long command.  While the grant holds the sweep
# leaves the session alone; once the grant has ended the session is still
# there (nothing else ends it), and the sweep ends it: the ssh client
# returns, the user's command is gone too, the session is marked
# terminated in the store, and session_terminated is in the audit trail
# and the journal.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/pam.sh"
. "$(dirname "$0")/lib/sshd.sh"
. "$(dirname "$0")/lib/ops.sh"

pam_setup
std_setup
ops_config "" 'max_duration = "1h"; terminate_sessions = true;'

sshd_setup sshd-jitlog-sweep "$ALICE"

# open_sessions GRANT: "id pid" of the sessions of GRANT still open.
open_sessions() {
	sqlite3 -batch -readonly -cmd '.timeout 5000' "$JL_DB" \
	    "select id || ' ' || pid from sessions where grant_id = $1
	    and closed_at = 0 and terminated_at = 0" 2>/dev/null
}

step "a grant of 20 seconds and a session that runs longer"
req "$ALICE" app-debug --reason "sweep ends my session" --duration 20s
gid=$ID
expect 0 as "$BOB" "$JITADM" approve "$gid"
gj "$gid"
end=$(epoch "$(printf '%s' "$J" | jq -r .expires_at)")
timeout 120 "${SSH[@]}" "$ALICE@127.0.0.1" 'echo READY; exec sleep 100' \
    >"$T/ssh.out" 2>"$T/ssh.err" &
sshpid=$!
_pids+=("$sshpid")
for ((i = 0; i < 100; i++)); do
	grep -q READY "$T/ssh.out" && [ -n "$(open_sessions "$gid")" ] && break
	sleep 0.1
done
grep -q READY "$T/ssh.out" || fail "the session did not start: $(cat "$T/ssh.err")"
sess=$(open_sessions "$gid")
[ -n "$sess" ] || fail "no open session recorded under grant $gid"
read -r sid spid <<<"$sess"

step "while the grant holds, the sweep leaves the session alone"
expect 0 "$JITADM" sweep
assert_not_contains "$OUT" session_terminated "sweep output"
kill -0 "$sshpid" 2>/dev/null || fail "the session ended early"

step "the grant ends; the session is still there"
wait_until "$end"
sleep 1
kill -0 "$sshpid" 2>/dev/null || fail "the session ended without the sweep"
assert_eq "$(open_sessions "$gid")" "$sid $spid" "open session"

step "the sweep ends it"
journal_mark
expect 0 "$JITADM" sweep
assert_contains "$OUT" "session_terminated: " "sweep output"
wait_exit "$sshpid" 150 || fail "ssh still runs after the sweep"
wait "$sshpid"
assert_ne "$?" 0 "exit status of the ended ssh session"
# The user's command went with the session (no terminal: it got no
# SIGHUP from sshd; the sweep signals what the session's process started).
for ((i = 0; i < 50; i++)); do
	pgrep -u "$ALICE" >/dev/null || break
	sleep 0.1
done
pgrep -u "$ALICE" >/dev/null &&
    fail "processes of the session survived: $(pgrep -a -u "$ALICE")"
assert_eq "$(open_sessions "$gid")" "" "open sessions after the sweep"
assert_eq "$(sqlite3 -batch -readonly -cmd '.timeout 5000' "$JL_DB" \
    "select terminated_at > 0 from sessions where id = $sid")" 1 \
    "session marked terminated"
audit_all
ev=$(printf '%s' "$A" | jq -c \
    "[.[] | select(.event == \"session_terminated\" and .grant_id == $gid)]")
jq_eq "$ev" length 1
jq_eq "$ev" '.[0].detail.session_id' "$sid"
jq_eq "$ev" '.[0].detail.pid' "$spid"
jq_eq "$ev" '.[0].detail.outcome' hup
jq_eq "$ev" '.[0].actor' root
out=$(journal_wait 1 JITLOG_EVENT=session_terminated "JITLOG_GRANT_ID=$gid") ||
    fail "session_terminated not in the journal: $out"
jq_eq "$out" .JITLOG_SERVICE "$SVC"
jq_eq "$out" .JITLOG_USER "$ALICE"
jq_eq "$out" .JITLOG_RHOST 127.0.0.1
assert_eq "$(status "$gid")" expired "the grant, expired by the same sweep"

step "a second sweep finds nothing"
n=$(nevents)
expect 0 "$JITADM" sweep
assert_eq "$OUT" "" "second sweep"
assert_eq "$(nevents)" "$n" "audit events"
store_sound

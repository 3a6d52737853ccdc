#!/bin/bash
# SPDX-License-Identifier: ISC
#
# The installed production pam_jitlog.so through pamtester, a real PAM
# application, with the test installation's root-owned config and store
# (SPEC section 7): refused without a grant (the jitadm request command
# named, session_denied recorded and journaled with RHOST), admitted with
# one (the session recorded with its pid and start time, JITLOG_GRANT_ID
# and JITLOG_EXPIRES in the PAM environment, session_open/close events),
# refused again after revoke; a grant on another resource opens nothing
# here; exempt_group; and every error fails closed with a pam_syslog
# line: unknown argument, unknown user, missing or unsafe store or
# config, and a store locked beyond the bounded wait.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/pam.sh"

pam_setup
std_setup
ensure_journald

SVC=jitlog-pt-$P
PAMFILE=/etc/pam.d/$SVC
cleanup_path "$PAMFILE"
RFC3339='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'

# stack ARGS...: the service, with pam_exec showing the PAM environment
# that pam_jitlog set (pam_exec passes it to its command).
stack() {
	cat >"$PAMFILE" <<EOF
account  required $PAM_JITLOG $*
session  required $PAM_JITLOG $*
session  optional pam_exec.so stdout /usr/bin/printenv JITLOG_GRANT_ID JITLOG_EXPIRES
EOF
}
# pt USER OPS...: pamtester with an RHOST and a TTY.
pt() {
	local u=$1
	shift
	r pamtester -v -I rhost=198.51.100.7 -I tty=/dev/pts/42 "$SVC" "$u" "$@"
}

stack resource=app-debug

step "no grant: account and session refused, naming the command to run"
journal_mark
pt "$ALICE" acct_mgmt
assert_ne "$RC" 0 "pamtester acct_mgmt"
assert_contains "$ERR" "jitadm request app-debug --reason" "conversation"
assert_contains "$ERR" "Permission denied" "pamtester"
pt "$ALICE" open_session
assert_ne "$RC" 0 "pamtester open_session"
assert_contains "$ERR" "Permission denied" "pamtester"
assert_eq "$(sql "select count(*) from sessions")" 0 "sessions recorded"
audit_all
jq_eq "$A" "[.[] | select(.event == \"session_denied\" and .user == \"$ALICE\")] | length" 2
jq_eq "$A" "[.[] | select(.event == \"session_denied\")][0].resource" app-debug
jq_eq "$A" "[.[] | select(.event == \"session_denied\")][0].detail.rhost" 198.51.100.7
out=$(journal_wait 2 JITLOG_EVENT=session_denied "JITLOG_USER=$ALICE") ||
    fail "session_denied not in the journal: $out"
jq_eq "$(printf '%s\n' "$out" | head -n 1)" .JITLOG_RHOST 198.51.100.7
jq_eq "$(printf '%s\n' "$out" | head -n 1)" .SYSLOG_IDENTIFIER pam_jitlog
jq_eq "$(printf '%s\n' "$out" | head -n 1)" .JITLOG_SERVICE "$SVC"

step "approved grant: admitted, session recorded, grant in the PAM environment"
req "$ALICE" app-debug --reason "pam test"
gid=$ID
expect 0 as "$BOB" "$JITADM" approve "$gid"
gj "$gid"
expires=$(printf '%s' "$J" | jq -r .expires_at)
journal_mark
pt "$ALICE" acct_mgmt open_session close_session
assert_eq "$RC" 0 "pamtester with a grant"
assert_match "$OUT$ERR" "(^|[^0-9])$gid($|[^0-9])" "printenv JITLOG_GRANT_ID"
assert_contains "$OUT$ERR" "$expires" "printenv JITLOG_EXPIRES"
row=$(sql "select grant_id, user, service, rhost, tty, pid > 1,
    pid_start > 0, opened_at > 0, closed_at >= opened_at from sessions")
assert_eq "$row" "$gid|$ALICE|$SVC|198.51.100.7|/dev/pts/42|1|1|1|1" "session row"
audit_all
jq_eq "$A" "[.[] | select(.event == \"session_open\")] | length" 1
jq_eq "$A" "[.[] | select(.event == \"session_open\")][0].grant_id" "$gid"
jq_eq "$A" "[.[] | select(.event == \"session_close\")][0].grant_id" "$gid"
out=$(journal_wait 1 JITLOG_EVENT=session_open "JITLOG_USER=$ALICE") ||
    fail "session_open not in the journal: $out"
jq_eq "$out" .JITLOG_GRANT_ID "$gid"
jq_eq "$out" .JITLOG_RHOST 198.51.100.7
jq_eq "$out" .JITLOG_TTY /dev/pts/42
jq_eq "$out" .JITLOG_RESOURCE app-debug
assert_match "$(printf '%s' "$out" | jq -r .JITLOG_EXPIRES)" "^$RFC3339\$" \
    "JITLOG_EXPIRES in the journal"
journal_wait 1 JITLOG_EVENT=session_close "JITLOG_USER=$ALICE" >/dev/null ||
    fail "session_close not in the journal"

step "a store locked by a writer: refused within the bounded wait"
hold_lock
t0=$(date +%s%N)
pt "$ALICE" open_session
t1=$(date +%s%N)
assert_ne "$RC" 0 "open_session with the store locked"
assert_not_contains "$ERR" "successfully" "pamtester"
[ $(((t1 - t0) / 1000000)) -lt 4000 ] ||
    fail "open_session took $(((t1 - t0) / 1000000)) ms with the store locked"
release_lock
pt "$ALICE" open_session
assert_eq "$RC" 0 "open_session once the lock is gone: $ERR"

step "a grant on another resource does not open this one"
req "$MALLORY" ops-debug --reason "other resource"
expect 0 "$JITADM" approve "$ID"
pt "$MALLORY" acct_mgmt
assert_ne "$RC" 0 "mallory with an ops-debug grant on app-debug"
assert_contains "$ERR" "Permission denied" "pamtester"
stack
pt "$MALLORY" acct_mgmt open_session
assert_eq "$RC" 0 "mallory without resource= (any resource)"
stack resource=app-debug

step "revoked: refused again"
expect 0 as "$ALICE" "$JITADM" revoke "$gid"
pt "$ALICE" acct_mgmt
assert_ne "$RC" 0 "after revoke"
assert_contains "$ERR" "Permission denied" "pamtester"

step "exempt_group: PAM_IGNORE for members, the rest of the stack decides"
cat >"$PAMFILE" <<EOF
account  required $PAM_JITLOG resource=app-debug exempt_group=$G_LEADS
account  required pam_permit.so
EOF
pt "$BOB" acct_mgmt
assert_eq "$RC" 0 "bob (leads, exempt)"
pt "$ALICE" acct_mgmt
assert_ne "$RC" 0 "alice (not exempt, revoked)"
stack resource=app-debug

step "errors fail closed, with a pam_syslog line"
journal_mark
stack resource=app-debug frobnicate
pt "$BOB" acct_mgmt
assert_ne "$RC" 0 "unknown argument"
assert_not_contains "$ERR" "successfully" "pamtester"
syslog_wait "unknown module argument" || fail "no syslog line for the argument"
stack resource=no-such-resource
pt "$BOB" acct_mgmt
assert_ne "$RC" 0 "resource= not in the config"
stack resource=app-debug
pt "nosuchuser$P" acct_mgmt
assert_ne "$RC" 0 "unknown user"
assert_contains "$ERR" "User not known" "pamtester"

# Give alice a grant again, so that every refusal below is the error's.
req "$ALICE" app-debug --reason "errors"
expect 0 as "$BOB" "$JITADM" approve "$ID"
pt "$ALICE" acct_mgmt
assert_eq "$RC" 0 "alice with a new grant"

mv "$JL_DB" "$T/db.saved"
pt "$ALICE" acct_mgmt
assert_ne "$RC" 0 "store missing"
assert_contains "$ERR" "System error" "pamtester"
mv "$T/db.saved" "$JL_DB"
syslog_wait "jitlog.db" || fail "no syslog line for the missing store"

chmod 0666 "$JL_DB"
pt "$ALICE" acct_mgmt
assert_ne "$RC" 0 "store writable by others"
chmod 0660 "$JL_DB"

chmod 0666 "$JL_CONFIG"
pt "$ALICE" acct_mgmt
assert_ne "$RC" 0 "config writable by others"
chmod 0644 "$JL_CONFIG"
chown "$ALICE" "$JL_CONFIG"
pt "$ALICE" acct_mgmt
assert_ne "$RC" 0 "config owned by the user"
chown root "$JL_CONFIG"

mv "$JL_CONFIG" "$T/conf.saved"
pt "$ALICE" acct_mgmt
assert_ne "$RC" 0 "config missing"
mv "$T/conf.saved" "$JL_CONFIG"

pt "$ALICE" acct_mgmt open_session close_session
assert_eq "$RC" 0 "alice once everything is back"
store_sound

#!/bin/bash
# SPDX-License-Identifier: ISC
#
# A real sshd on 127.0.0.1 with the installed production pam_jitlog.so in
# its account and session stacks (OpenSSH names its PAM service after its
# program, so the test runs a copy of /usr/sbin/sshd called
# sshd-jitlog-test with /etc/pam.d/sshd-jitlog-test).  A user created by
# the test logs in with a key: without a grant the command does not run;
# with one it runs and sees JITLOG_GRANT_ID and JITLOG_EXPIRES, and its
# shell holds no fd from the module (the store, its WAL, a socket); after
# revoke it does not run again; a grant on another resource opens
# nothing.  session_open (with JITLOG_RHOST), session_close and
# session_denied are in the journal.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/pam.sh"
. "$(dirname "$0")/lib/sshd.sh"

pam_setup
std_setup
sshd_setup sshd-jitlog-test "$ALICE" "$MALLORY"

# login USER: run the probe command over ssh; sets RC, OUT, ERR.
# The probe prints a marker, the grant variables and the shell's own fds.
# (ls, a child, lists the shell's fds: globbing or $(...) in the shell
# would add fds of its own.)
# shellcheck disable=SC2016 # expanded by the remote shell
PROBE='echo RAN; echo "GRANT=$JITLOG_GRANT_ID"; echo "EXPIRES=$JITLOG_EXPIRES";
ls -l /proc/$$/fd/ | awk "NF > 9 { print \"FD\", \$9, \$11 }"'
login() {
	r timeout 30 "${SSH[@]}" "$1@127.0.0.1" "$PROBE"
}

step "no grant: the command does not run"
journal_mark
login "$ALICE"
assert_ne "$RC" 0 "ssh without a grant"
assert_not_contains "$OUT" RAN "ssh output"
out=$(journal_wait 1 JITLOG_EVENT=session_denied "JITLOG_USER=$ALICE") ||
    fail "session_denied not in the journal: $out"
jq_eq "$(printf '%s\n' "$out" | head -n 1)" .JITLOG_RHOST 127.0.0.1
jq_eq "$(printf '%s\n' "$out" | head -n 1)" .JITLOG_SERVICE "$SVC"

step "with a grant: the command runs and sees its grant"
req "$ALICE" app-debug --reason "ssh test"
gid=$ID
expect 0 as "$BOB" "$JITADM" approve "$gid"
gj "$gid"
expires=$(printf '%s' "$J" | jq -r .expires_at)
journal_mark
login "$ALICE"
assert_eq "$RC" 0 "ssh with a grant: $ERR"
assert_contains "$OUT" RAN "ssh output"
assert_contains "$OUT" "GRANT=$gid" "JITLOG_GRANT_ID in the shell"
assert_contains "$OUT" "EXPIRES=$expires" "JITLOG_EXPIRES in the shell"

step "the user's shell holds no fd of the module"
fds=$(printf '%s\n' "$OUT" | grep '^FD ')
[ -n "$fds" ] || fail "the probe listed no fds: $OUT"
assert_not_contains "$fds" jitlog "shell fds"
assert_not_contains "$fds" "$(dirname "$JL_DB")" "shell fds"
# Only stdin, stdout and stderr (pipes or sockets from sshd).
extra=$(printf '%s\n' "$fds" | awk '$2 > 2')
[ -z "$extra" ] || fail "the shell inherited fds: $extra"

step "the session process is recorded and holds no fd of the store"
# sshd closes every fd above 2 before it starts the shell, so look at the
# host process itself: the one that opened the PAM session (its pid and
# start time are in the store, for sweep).
"${SSH[@]}" "$ALICE@127.0.0.1" 'sleep 60' </dev/null >/dev/null 2>&1 &
sshpid=$!
_pids+=("$sshpid")
spid=
for ((i = 0; i < 100; i++)); do
	# (sshd may be writing: wait for the lock, do not fail on it.)
	spid=$(sqlite3 -batch -readonly -cmd '.timeout 2000' "$JL_DB" \
	    "select pid || ' ' || pid_start from sessions
	    where grant_id = $gid and closed_at = 0" 2>/dev/null)
	[ -n "$spid" ] && break
	sleep 0.1
done
[ -n "$spid" ] || fail "no open session recorded"
# shellcheck disable=SC2086
set -- $spid
assert_match "$(cat "/proc/$1/comm")" '^sshd' "the session process"
assert_eq "$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20)" "$2" \
    "recorded start time of pid $1"
hfds=$(ls -l "/proc/$1/fd/")
assert_not_contains "$hfds" "$(dirname "$JL_DB")" "fds of the sshd session process"
kill "$sshpid"
wait "$sshpid" 2>/dev/null

step "session_open (with RHOST) and session_close in the journal and store"
out=$(journal_wait 1 JITLOG_EVENT=session_open "JITLOG_USER=$ALICE") ||
    fail "session_open not in the journal: $out"
out=$(printf '%s\n' "$out" | head -n 1)
jq_eq "$out" .JITLOG_RHOST 127.0.0.1
jq_eq "$out" .JITLOG_GRANT_ID "$gid"
jq_eq "$out" .JITLOG_SERVICE "$SVC"
jq_eq "$out" .SYSLOG_IDENTIFIER pam_jitlog
journal_wait 1 JITLOG_EVENT=session_close "JITLOG_USER=$ALICE" >/dev/null ||
    fail "session_close not in the journal"
for ((i = 0; i < 100; i++)); do
	row=$(sqlite3 -batch -readonly -cmd '.timeout 2000' "$JL_DB" \
	    "select grant_id, service, rhost, pid > 1, pid_start > 0,
	    closed_at > 0 from sessions where user = '$ALICE' order by id")
	[ "$row" = "$(printf '%s\n' "$gid|$SVC|127.0.0.1|1|1|1" \
	    "$gid|$SVC|127.0.0.1|1|1|1")" ] && break
	sleep 0.1
done
assert_eq "$row" "$(printf '%s\n' "$gid|$SVC|127.0.0.1|1|1|1" \
    "$gid|$SVC|127.0.0.1|1|1|1")" "two closed session rows"

step "a grant on another resource does not open this one"
req "$MALLORY" ops-debug --reason "other resource"
expect 0 "$JITADM" approve "$ID"
login "$MALLORY"
assert_ne "$RC" 0 "mallory with an ops-debug grant"
assert_not_contains "$OUT" RAN "ssh output"

step "revoked: the command does not run again"
expect 0 as "$ALICE" "$JITADM" revoke "$gid"
journal_mark
login "$ALICE"
assert_ne "$RC" 0 "ssh after revoke"
assert_not_contains "$OUT" RAN "ssh output"
journal_wait 1 JITLOG_EVENT=session_denied "JITLOG_USER=$ALICE" >/dev/null ||
    fail "session_denied after revoke not in the journal"
store_sound

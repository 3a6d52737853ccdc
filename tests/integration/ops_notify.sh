#!/bin/bash
# SPDX-License-Identifier: ISC
#
# notify_command with the installed jitadm and real users: the program
# gets the event as JSON on stdin (with the approvers for a request), runs
# as the caller (as nobody for root), with PATH only and no fd of the
# store; one that fails, one that cannot be executed and one that hangs
# never change the action or its exit status, are logged as notify_failed
# journal warnings, and the hanging one is killed with its process group
# (jitadm prints its result first and returns after the 10 s timeout).
# The shipped examples work: notify-mail.sh (with a stand-in sendmail)
# and notify-webhook.sh (curl to a local HTTP listener).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/ops.sh"

ensure_journald
std_setup
notify_setup

step "the program gets the event, as the caller, with PATH only"
ops_config "$HOOK"
req "$ALICE" app-debug --reason "notify test"
gid=$ID
n=$(notes request "$gid")
jq_eq "$n" .event request
jq_eq "$n" .user "$ALICE"
jq_eq "$n" .actor "$ALICE"
jq_eq "$n" '.approvers | join(",")' "%$G_LEADS"
jq_eq "$n" '.escalate_to | length' 0
jq_true "$n" '.seq > 0 and (.hash | length) == 64'
# The event as the audit trail has it.
audit_all
jq_eq "$A" "[.[] | select(.seq == $(printf '%s' "$n" | jq .seq))][0].hash" \
    "$(printf '%s' "$n" | jq -r .hash)"
meta=$(note_meta request "$gid")
assert_contains "$meta" "uid=$(id -u "$ALICE")" "hook account"
assert_contains "$meta" "env=PATH=/usr/bin:/bin " "hook environment"
assert_not_contains "$meta" "$(dirname "$JL_DB")" "hook fds"
assert_not_contains "$meta" "socket:" "hook fds"
expect 0 as "$BOB" "$JITADM" approve "$gid"
jq_eq "$(notes approve "$gid")" .actor "$BOB"
assert_contains "$(note_meta approve "$gid")" "uid=$(id -u "$BOB")"
expect 0 "$JITADM" revoke "$gid"
assert_contains "$(note_meta revoke "$gid")" "uid=$(id -u nobody)" \
    "root's notifications run as nobody"

step "output to a closed pipe: an error, and the program still runs"
# The reader of jitadm's stdout is gone before it starts; SIGPIPE is
# back to its default (python ignores it, and exec would pass that on).
ops_config "$HOOK" 'break_glass = true;'
r as "$ALICE" python3 -c 'import os, signal, sys
r, w = os.pipe()
os.close(r)
os.dup2(w, 1)
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$JITADM" request app-debug \
    --reason "closed pipe" --break-glass
assert_eq "$RC" 3 "exit status, output to a closed pipe"
assert_contains "$ERR" "cannot write output" "stderr"
pid=$(sql "select max(id) from grants where reason = 'closed pipe'")
[ -n "$pid" ] || fail "the break-glass grant was not stored"
assert_state "$pid" active
jq_eq "$(notes break_glass "$pid")" .actor "$ALICE"
expect 0 as "$BOB" "$JITADM" review "$pid"
ops_config "$HOOK"

step "a failing program: the action lands, a journal warning"
cat >"$T/fail.sh" <<'EOF'
#!/bin/sh
exit 1
EOF
chmod 0755 "$T/fail.sh"
ops_config "$T/fail.sh"
journal_mark
req "$ALICE" app-debug --reason "failing hook"
fid=$ID
assert_state "$fid" pending
out=$(journal_wait 1 JITLOG_EVENT=notify_failed "JITLOG_GRANT_ID=$fid") ||
    fail "notify_failed not in the journal: $out"
jq_eq "$out" .PRIORITY 4
assert_contains "$(printf '%s' "$out" | jq -r .JITLOG_REASON)" \
    "exited with status 1"
expect 0 as "$BOB" "$JITADM" approve "$fid"
assert_state "$fid" active

step "a program that cannot be executed"
chmod 0644 "$T/fail.sh"
journal_mark
req "$ALICE" app-debug --reason "not executable"
out=$(journal_wait 1 JITLOG_EVENT=notify_failed "JITLOG_GRANT_ID=$ID") ||
    fail "notify_failed not in the journal: $out"
assert_contains "$(printf '%s' "$out" | jq -r .JITLOG_REASON)" \
    "cannot execute"

step "a hanging program: output first, killed after the timeout"
cat >"$T/hang.sh" <<'EOF'
#!/bin/sh
sleep 6007 &
sleep 6007
EOF
chmod 0755 "$T/hang.sh"
ops_config "$T/hang.sh"
journal_mark
as "$ALICE" "$JITADM" request app-debug --reason "hanging hook" \
    >"$T/hang.out" 2>"$T/hang.err" &
jpid=$!
# The id is printed while the program still runs.
for ((i = 0; i < 100; i++)); do
	[ -s "$T/hang.out" ] && break
	sleep 0.1
done
hid=$(cat "$T/hang.out")
[ -n "$hid" ] || fail "no output while the hook hangs"
kill -0 "$jpid" 2>/dev/null || fail "jitadm did not wait for the hook"
pgrep -u "$ALICE" -f 'sleep 6007' >/dev/null || fail "the hook is not running"
# Bounded: the 10 s timeout (plus slack for a loaded machine).
wait_exit "$jpid" 300 || fail "jitadm still waits after 30 s"
wait "$jpid"
assert_eq "$?" 0 "exit status of jitadm with a hanging hook"
assert_state "$hid" pending
out=$(journal_wait 1 JITLOG_EVENT=notify_failed "JITLOG_GRANT_ID=$hid") ||
    fail "notify_failed not in the journal: $out"
assert_contains "$(printf '%s' "$out" | jq -r .JITLOG_REASON)" \
    "did not finish"
# The whole process group went, the background sleep too.
for ((i = 0; i < 50; i++)); do
	pgrep -u "$ALICE" -f 'sleep 6007' >/dev/null || break
	sleep 0.1
done
pgrep -u "$ALICE" -f 'sleep 6007' >/dev/null &&
    fail "the hook's processes survived: $(pgrep -a -u "$ALICE" -f 'sleep 6007')"

step "the example notify-mail.sh mails the approvers"
examples=$JL_PREFIX/share/doc/jitlog/examples
[ -x "$examples/notify-mail.sh" ] || fail "notify-mail.sh is not installed"
cat >"$T/sendmail" <<EOF
#!/bin/sh
f=$NOTES/mail.\$\$
echo "ARGS: \$*" >"\$f.tmp"
cat >>"\$f.tmp"
mv "\$f.tmp" "\$f.txt"
EOF
chmod 0755 "$T/sendmail"
sed "s#^SENDMAIL=.*#SENDMAIL=$T/sendmail#" "$examples/notify-mail.sh" \
    >"$T/mail.sh"
chmod 0755 "$T/mail.sh"
ops_config "$T/mail.sh"
req "$ALICE" app-debug --reason "mail test"
mid=$ID
mail=$(cat "$NOTES"/mail.*.txt 2>/dev/null)
assert_contains "$mail" "ARGS: -oi -f jitlog@localhost -- "
assert_contains "$mail" "$BOB@localhost"
assert_contains "$mail" "$CAROL@localhost"
assert_not_contains "$mail" "$ALICE@localhost"
assert_contains "$mail" "Subject: [jitlog] request: grant $mid of $ALICE on app-debug"

step "the example notify-webhook.sh posts the event"
[ -x "$examples/notify-webhook.sh" ] || fail "notify-webhook.sh is not installed"
cat >"$T/listen.py" <<'EOF'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        with open(sys.argv[2], "ab") as f:
            f.write(self.headers.get("Content-Type", "").encode() + b"\n")
            f.write(body + b"\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(sys.argv[1], "w") as f:
    f.write(str(s.server_address[1]))
s.serve_forever()
EOF
bg /usr/bin/python3 "$T/listen.py" "$T/port" "$T/posts"
for ((i = 0; i < 100; i++)); do
	[ -s "$T/port" ] && break
	sleep 0.1
done
[ -s "$T/port" ] || fail "the HTTP listener did not start"
sed "s#^WEBHOOK_URL=.*#WEBHOOK_URL=http://127.0.0.1:$(cat "$T/port")/hook#" \
    "$examples/notify-webhook.sh" >"$T/webhook.sh"
chmod 0755 "$T/webhook.sh"
ops_config "$T/webhook.sh"
journal_mark
req "$ALICE" app-debug --reason "webhook test"
wid=$ID
posts=$(cat "$T/posts" 2>/dev/null)
assert_contains "$posts" "application/json"
jq_eq "$(printf '%s\n' "$posts" | grep '^{')" .grant_id "$wid"
jq_eq "$(printf '%s\n' "$posts" | grep '^{')" .notify request
journal_events JITLOG_EVENT=notify_failed | grep -q . &&
    fail "the webhook notification failed"
store_sound

#!/bin/bash
# SPDX-License-Identifier: ISC
#
# jitlogview -f (SPEC section 5: like tail -F): it starts with the last 10
# lines (or -n N), shows appended lines, holds a line until its newline
# (so a secret written in two parts is still redacted), follows rotation
# by the real logrotate with "create" (rename + new file) and with
# "copytruncate", waits while the name is missing, carries on under a
# second grant when one of two is revoked, and on SIGINT/SIGTERM records
# view_close and dies of the signal.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/viewlib.sh"

command -v logrotate >/dev/null || fail "logrotate not installed"
view_setup
LOG=$LOGS/app/debug.log
seq -f 'old line %g' 1 15 | mklog "$LOG"
grant_for "$ALICE" app-debug 1h

step "-f starts with the last 10 lines, then shows appended lines"
bg_view "$T/f.out" "$T/f.err" "$ALICE" -f app-debug
wait_for_text "$T/f.out" "old line 15"
echo "appended one" >>"$LOG"
wait_for_text "$T/f.out" "appended one"
for i in 1 2 3; do
	echo "burst $i" >>"$LOG"
done
wait_for_text "$T/f.out" "burst 3"
assert_eq "$(head -n 1 "$T/f.out")" "old line 6" "first line under -f"

step "a line is held until its newline: a split secret is redacted"
printf 'password=hun' >>"$LOG"
sleep 0.3	# let the monitor forward the first half on its own
printf 'ter2 tail\n' >>"$LOG"
wait_for_text "$T/f.out" "tail"
assert_contains "$(cat "$T/f.out")" \
    "password=[REDACTED:secret-assignment] tail" "split secret"
assert_not_contains "$(cat "$T/f.out")" "hun" "split secret"

step "rotation by the real logrotate with create"
cat >"$T/create.conf" <<EOF
$LOG {
	rotate 2
	create 0640 root root
	nocompress
	missingok
}
EOF
echo "before create-rotation" >>"$LOG"
wait_for_text "$T/f.out" "before create-rotation"
expect 0 logrotate -f -s "$T/lr.state" "$T/create.conf"
[ -f "$LOG.1" ] || fail "logrotate did not rotate $LOG"
echo "into the new file" >>"$LOG"
wait_for_text "$T/f.out" "into the new file"
wait_for_text "$T/f.err" "file replaced"

step "rotation by the real logrotate with copytruncate"
cat >"$T/copy.conf" <<EOF
$LOG {
	rotate 2
	copytruncate
	nocompress
	missingok
}
EOF
echo "before copytruncate" >>"$LOG"
wait_for_text "$T/f.out" "before copytruncate"
expect 0 logrotate -f -s "$T/lr.state" "$T/copy.conf"
[ "$(stat -c %s "$LOG")" = 0 ] || fail "copytruncate did not truncate"
echo "after truncation" >>"$LOG"
wait_for_text "$T/f.out" "after truncation"
wait_for_text "$T/f.err" "file truncated"

step "the name missing for a while (rename, later create)"
mv "$LOG" "$LOG.moved"
echo "late line in the moved file" >>"$LOG.moved"
sleep 0.3	# the monitor sees the name missing and waits
mklog "$LOG" <<<"created later"
wait_for_text "$T/f.out" "created later"
assert_eq "$(grep -c 'created later' "$T/f.out")" 1 "shown once"

step "SIGINT: view_close recorded, dies of SIGINT"
kill -INT "$MON"
wait_exit "$MON" 10
assert_eq "$WRC" 130 "exit status after SIGINT"
last_event view_close
jq_eq "$EV" .detail.end interrupted
jq_true "$EV" ".detail.bytes == $(wc -c <"$T/f.out")"
jq_true "$EV" '.detail.redactions["secret-assignment"] == 1'
utf8_clean "$T/f.out"

step "-n 0 -f: only new lines; SIGTERM"
bg_view "$T/g.out" "$T/g.err" "$ALICE" -n 0 -f app-debug
streamer_of "$MON"
echo "fresh line" >>"$LOG"
wait_for_text "$T/g.out" "fresh line"
assert_eq "$(cat "$T/g.out")" "fresh line" "-n 0 -f output"
kill -TERM "$MON"
wait_exit "$MON" 10
assert_eq "$WRC" 143 "exit status after SIGTERM"
kill -0 "$STR" 2>/dev/null && fail "streamer $STR outlived the monitor"

step "two grants: revoking one carries on under the other"
first=$GID
grant_for "$ALICE" app-debug 2h
second=$GID
bg_view "$T/h.out" "$T/h.err" "$ALICE" -n 0 -f app-debug
streamer_of "$MON"
echo "under two grants" >>"$LOG"
wait_for_text "$T/h.out" "under two grants"
expect 0 as "$ALICE" "$JITADM" revoke "$second"
echo "under the first grant" >>"$LOG"
wait_for_text "$T/h.out" "under the first grant"
kill -0 "$MON" || fail "the view ended with a grant still holding"
expect 0 as "$ALICE" "$JITADM" revoke "$first"
wait_exit "$MON" 10
assert_eq "$WRC" 4 "exit status after both revoked"
assert_contains "$(cat "$T/h.err")" \
    "jitlogview: grant $first ended (revoked); output stopped" "stderr"
store_sound

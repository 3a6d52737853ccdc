#!/bin/bash
# SPDX-License-Identifier: ISC
#
# The live cut-off (SPEC section 5, SECURITY.md "Privilege separation"),
# with real short grants: when a grant expires or is revoked, output
# stops, "jitlogview: grant N ended (expired|revoked); output stopped"
# goes to stderr and the exit status is 4 -- also when the caller has
# stopped (SIGSTOP) the streamer, the only process it can signal, and
# when the reader never reads (in follow mode and in a long plain read);
# and no line written after the grant ended is ever shown.  The tests wait
# with generous bounds (a loaded CI machine); bench/viewer measures how
# fast the cut-off is.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/viewlib.sh"

view_setup
LOG=$LOGS/app/debug.log
echo "start" | mklog "$LOG"

# expires_s ID: the grant's end in seconds since the epoch.
expires_s() {
	gj "$1"
	date -d "$(printf '%s' "$J" | jq -r .expires_at)" +%s
}

# writer: append "tick <seconds.milliseconds>" lines to $LOG every 50 ms
# while the monitor $MON runs (at most 60 s).
writer() {
	local i
	for ((i = 0; i < 1200; i++)); do
		kill -0 "$MON" 2>/dev/null || return 0
		echo "tick $(date +%s.%3N)" >>"$LOG"
		sleep 0.05
	done
}

# no_tick_after FILE END: every "tick T" line in FILE has T < END.
no_tick_after() {
	local late
	late=$(awk -v end="$2" '$1 == "tick" && $2 >= end' "$1" | head -n 3)
	[ -z "$late" ] || fail "lines written after the grant ended were shown: $late"
}

step "expiry while following: exit 4, nothing written after the end shown"
grant_for "$ALICE" app-debug 6s
end=$(expires_s "$GID")
bg_view "$T/e.out" "$T/e.err" "$ALICE" -f app-debug
writer
wait_exit "$MON" 10
assert_eq "$WRC" 4 "exit status at expiry"
assert_eq "$(cat "$T/e.err")" \
    "jitlogview: grant $GID ended (expired); output stopped" "stderr"
grep -q '^tick ' "$T/e.out" || fail "nothing was shown before the expiry"
no_tick_after "$T/e.out" "$end"
last_event view_close
jq_eq "$EV" .detail.end expired
jq_eq "$EV" .grant_id "$GID"

step "expiry with the streamer stopped by the caller"
grant_for "$ALICE" app-debug 6s
bg_view "$T/s.out" "$T/s.err" "$ALICE" -f app-debug
streamer_of "$MON"
expect 0 as "$ALICE" kill -STOP "$STR"
expect_in "1 2" as "$ALICE" kill -STOP "$MON"	# not the caller's to stop
expect_in "1 2" as "$ALICE" kill -KILL "$MON"
writer
wait_exit "$MON" 10
assert_eq "$WRC" 4 "exit status at expiry, streamer stopped"
assert_contains "$(cat "$T/s.err")" "grant $GID ended (expired)" "stderr"
kill -0 "$STR" 2>/dev/null && fail "the stopped streamer survived"

step "revoke with the streamer stopped, then running: nothing after it"
grant_for "$ALICE" app-debug 1h
bg_view "$T/r.out" "$T/r.err" "$ALICE" -f app-debug
streamer_of "$MON"
echo "before the revoke" >>"$LOG"
wait_for_text "$T/r.out" "before the revoke"
expect 0 as "$ALICE" kill -STOP "$STR"
echo "while stopped, before the revoke" >>"$LOG"
expect 0 as "$BOB" "$JITADM" revoke "$GID" --comment "cut-off test"
echo "AFTER THE REVOKE" >>"$LOG"
wait_exit "$MON" 10
assert_eq "$WRC" 4 "exit status at revoke"
assert_eq "$(cat "$T/r.err")" \
    "jitlogview: grant $GID ended (revoked); output stopped" "stderr"
assert_not_contains "$(cat "$T/r.out")" "AFTER THE REVOKE" "output"
last_event view_close
jq_eq "$EV" .detail.end revoked

grant_for "$ALICE" app-debug 1h
bg_view "$T/q.out" "$T/q.err" "$ALICE" -n 0 -f app-debug
streamer_of "$MON"
echo "shown before" >>"$LOG"
wait_for_text "$T/q.out" "shown before"
expect 0 as "$BOB" "$JITADM" revoke "$GID"
for i in $(seq 1 40); do
	echo "AFTER REVOKE $i" >>"$LOG"
	sleep 0.02
done
wait_exit "$MON" 10
assert_eq "$WRC" 4 "exit status at revoke, streamer running"
assert_not_contains "$(cat "$T/q.out")" "AFTER REVOKE" "output"

# drained: what the FIFO on fd 7 holds, read without blocking: the bytes
# the streamer wrote and nobody read.
drained() {
	python3 -c 'import os
os.set_blocking(7, False)
n = 0
try:
    while True:
        b = os.read(7, 1 << 20)
        if not b:
            break
        n += len(b)
except BlockingIOError:
    pass
print(n)'
}

step "a reader that never reads: follow mode, and a long plain read"
mkfifo "$T/fifo"
exec 7<>"$T/fifo"	# a reader that exists and never reads
grant_for "$ALICE" app-debug 6s
bg_view "$T/fifo" "$T/n.err" "$ALICE" -f app-debug
head -c $((4 * 1024 * 1024)) /dev/zero | tr '\0' 'x' | fold -w 100 >>"$LOG"
wait_exit "$MON" 12
assert_eq "$WRC" 4 "exit status, reader never reads (follow)"
assert_contains "$(cat "$T/n.err")" "grant $GID ended (expired)" "stderr"
# The streamer was killed in a write that the pipe kept waiting: the
# view's record counts at least what reached the pipe.
shown=$(drained)
[ "$shown" -gt 0 ] || fail "nothing reached the pipe"
last_event view_close
jq_true "$EV" ".detail.bytes >= $shown"
big=$LOGS/raw/raw.log
head -c $((64 * 1024 * 1024)) /dev/zero | tr '\0' 'y' | fold -w 100 |
    mklog "$big"
grant_for "$ALICE" raw 6s
bg_view "$T/fifo" "$T/p.err" "$ALICE" raw
wait_exit "$MON" 12
assert_eq "$WRC" 4 "exit status, reader never reads (plain read)"
assert_contains "$(cat "$T/p.err")" "grant $GID ended (expired)" "stderr"
shown=$(drained)
[ "$shown" -gt 0 ] || fail "nothing reached the pipe"
exec 7<&-
last_event view_close
jq_true "$EV" ".detail.bytes_read < $(stat -c %s "$big")"
jq_true "$EV" ".detail.bytes >= $shown"

step "an expired grant gives no view"
grant_for "$ALICE" app-debug 2s
sleep 3
expect 1 view "$ALICE" app-debug
assert_eq "$OUT" "" "stdout after expiry"
store_sound

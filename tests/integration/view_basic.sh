#!/bin/bash
# SPDX-License-Identifier: ISC
#
# jitlogview as real users on the installed setuid binary (SPEC section
# 5): no grant, no content (exit 1, view_denied); usage errors (exit 2,
# nothing recorded); with a grant, every built-in secret kind redacted and
# the rest intact; -n; the listing without arguments; a resource with
# several files; FILE by basename and by full path; raw and unredacted
# views; the audit trail (view_open, view_close with bytes shown and
# redactions per rule, view_denied) and its journal mirror; and a store
# that cannot record the view shows nothing.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/viewlib.sh"

view_setup
ensure_journald
journal_mark

JWT=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U
mklog "$LOGS/app/debug.log" <<EOF
2026-11-26T10:00:00Z INFO checkout started, cart 42
jwt $JWT end
Authorization: Bearer abcdef123456
mail jane.doe@example.com done
aws AKIAIOSFODNN7EXAMPLE key
db postgres://payments:hunter2@db.internal:5432/pay
card 4111 1111 1111 1111 amount 12.00
loaded password=s3cr3t other
2026-11-26T10:00:09Z INFO checkout done
EOF
WANT='2026-11-26T10:00:00Z INFO checkout started, cart 42
jwt [REDACTED:jwt] end
Authorization: Bearer [REDACTED:bearer]
mail [REDACTED:email] done
aws [REDACTED:aws-access-key] key
db postgres://payments:[REDACTED:url-credentials]@db.internal:5432/pay
card [REDACTED:card-number] amount 12.00
loaded password=[REDACTED:secret-assignment] other
2026-11-26T10:00:09Z INFO checkout done'
SECRETS=("$JWT" abcdef123456 jane.doe@example.com AKIAIOSFODNN7EXAMPLE
    hunter2 "4111 1111 1111 1111" s3cr3t)

step "no grant: exit 1, nothing shown, view_denied recorded"
expect 1 view "$ALICE" app-debug
assert_eq "$OUT" "" "stdout without a grant"
assert_match "$ERR" '^jitlogview: no active grant' "stderr"
last_event view_denied
jq_eq "$EV" .actor "$ALICE"
jq_eq "$EV" .resource app-debug
jq_eq "$EV" .detail.reason "no active grant"
jq_eq "$EV" .detail.file "$LOGS/app/debug.log"	# its only file
expect 1 view "$MALLORY" app-debug debug.log
assert_eq "$OUT" "" "stdout"
last_event view_denied
jq_eq "$EV" .actor "$MALLORY"
jq_eq "$EV" .detail.file debug.log
expect 1 view "$ALICE" no-such-resource
assert_eq "$OUT" "" "stdout"
last_event view_denied
jq_eq "$EV" .detail.reason "unknown resource"

step "a pending request is not a grant"
req "$ALICE" app-debug --reason "pending only"
expect 1 view "$ALICE" app-debug
assert_eq "$OUT" "" "stdout with a pending request"

step "usage errors: exit 2, nothing recorded"
n0=$(count_events)
long=$(head -c 5000 /dev/zero | tr '\0' a)
for args in "-n" "-n -1 app-debug" "-n 1e9 app-debug" \
    "-n 99999999999999999999 app-debug" "-n 100000001 app-debug" \
    "-n 01 app-debug" "-n +5 app-debug" "-f -f app-debug" \
    "-n 1 -n 2 app-debug" "--bogus app-debug" "-x app-debug" \
    "app-debug a.log extra" "-n 5" "-f" "-- -f" "-fn5 app-debug" \
    "bad!name" "../app-debug" ".hidden" "$long" "app-debug $long"; do
	# shellcheck disable=SC2086
	expect 2 view "$ALICE" $args
	assert_eq "$OUT" "" "stdout of: $args"
	assert_match "$ERR" '^jitlogview: ' "stderr of: $args"
done
expect 2 view "$ALICE" "$(printf 'app\033]0;x\007')"
assert_not_contains "$ERR" "$(printf '\033')" "stderr (escaped)"
expect 2 view "$ALICE" app-debug "$(printf 'a\377.log')"
expect 2 view "$ALICE" app-debug "$(printf 'a\n.log')"
expect 2 view "$ALICE" app-debug ""
assert_eq "$(count_events)" "$n0" "view events after usage errors"
expect 0 view "$ALICE" --help
assert_contains "$OUT" "usage: jitlogview" "--help"

step "with a grant: the log, every built-in secret kind redacted"
grant_for "$ALICE" app-debug 1h
expect 0 view "$ALICE" app-debug
assert_eq "$OUT" "$WANT" "redacted view"
assert_eq "$ERR" "" "stderr"
for s in "${SECRETS[@]}"; do
	assert_not_contains "$OUT" "$s" "redacted view"
done
expect 0 view "$ALICE" app-debug debug.log
assert_eq "$OUT" "$WANT" "by basename"
expect 0 view "$ALICE" app-debug "$LOGS/app/debug.log"
assert_eq "$OUT" "$WANT" "by full path"
expect 0 view "$ALICE" -- app-debug
assert_eq "$OUT" "$WANT" "after --"

step "the view in the audit trail: view_open, then view_close with counts"
as "$ALICE" "$JITLOGVIEW" app-debug >"$T/view.out" 2>"$T/view.err"
view_events
OPEN=$(printf '%s' "$VE" | jq -c '[.[] | select(.event == "view_open")] | last')
CLOSE=$(printf '%s' "$VE" | jq -c '[.[] | select(.event == "view_close")] | last')
jq_eq "$OPEN" .grant_id "$GID"
jq_eq "$OPEN" .actor "$ALICE"
jq_eq "$OPEN" .user "$ALICE"
jq_eq "$OPEN" .resource app-debug
jq_eq "$OPEN" .detail.file "$LOGS/app/debug.log"
jq_eq "$OPEN" .detail.unredacted false
jq_eq "$OPEN" .detail.follow false
jq_eq "$CLOSE" .detail.view_id "$(printf '%s' "$OPEN" | jq .detail.view_id)"
jq_true "$CLOSE" "(.seq > $(printf '%s' "$OPEN" | jq .seq))"
jq_eq "$CLOSE" .grant_id "$GID"
jq_eq "$CLOSE" .detail.end eof
jq_eq "$CLOSE" .detail.bytes "$(wc -c <"$T/view.out")"
jq_eq "$CLOSE" .detail.bytes_read "$(stat -c %s "$LOGS/app/debug.log")"
for rule in jwt bearer email aws-access-key url-credentials card-number \
    secret-assignment; do
	jq_eq "$CLOSE" ".detail.redactions[\"$rule\"]" 1
done
seq_open=$(printf '%s' "$OPEN" | jq .seq)
seq_close=$(printf '%s' "$CLOSE" | jq .seq)
store_sound

step "the view events in the journal, with their chain hash"
j=$(journal_wait 1 JITLOG_EVENT=view_close JITLOG_AUDIT_SEQ="$seq_close") ||
    fail "no view_close in the journal: $j"
e=$(printf '%s\n' "$j" | head -n 1)
jq_eq "$e" .SYSLOG_IDENTIFIER jitlogview
jq_eq "$e" ._UID 0
jq_eq "$e" .JITLOG_USER "$ALICE"
jq_eq "$e" .JITLOG_GRANT_ID "$GID"
jq_eq "$e" .JITLOG_FILE "$LOGS/app/debug.log"
jq_eq "$e" .JITLOG_BYTES "$(wc -c <"$T/view.out")"
jq_eq "$e" .JITLOG_AUDIT_HASH "$(printf '%s' "$CLOSE" | jq -r .hash)"
j=$(journal_wait 1 JITLOG_EVENT=view_open JITLOG_AUDIT_SEQ="$seq_open") ||
    fail "no view_open in the journal"
j=$(journal_wait 1 JITLOG_EVENT=view_denied JITLOG_USER="$MALLORY") ||
    fail "no view_denied in the journal"

step "-n: the last N lines"
expect 0 view "$ALICE" -n 2 app-debug
assert_eq "$OUT" "$(printf '%s\n' "$WANT" | tail -n 2)" "-n 2"
expect 0 view "$ALICE" -n2 app-debug
assert_eq "$OUT" "$(printf '%s\n' "$WANT" | tail -n 2)" "-n2"
expect 0 view "$ALICE" --lines 1 app-debug
assert_eq "$OUT" "2026-11-26T10:00:09Z INFO checkout done" "--lines 1"
expect 0 view "$ALICE" -n 0 app-debug
assert_eq "$OUT" "" "-n 0"
expect 0 view "$ALICE" -n 1000 app-debug
assert_eq "$OUT" "$WANT" "-n 1000"
printf 'one\n\nthree\nno newline' >>"$LOGS/app/debug.log"
expect 0 view "$ALICE" -n 3 app-debug
assert_eq "$OUT" "$(printf '\nthree\nno newline')" "-n 3, last line open"
last_event view_open
jq_eq "$EV" .detail.lines 3

step "without arguments: the grants that hold and their files"
expect 0 view "$ALICE"
assert_match "$OUT" "^app-debug: grant $GID, active until [0-9T:-]+Z, redacted" \
    "listing"
assert_contains "$OUT" "  $LOGS/app/debug.log" "listing"
expect 0 view "$MALLORY"
assert_contains "$OUT" "no active grant" "listing without grants"

step "several files: listed, exit 2; each one by name"
mklog "$LOGS/multi/a.log" <<<"file a"
mklog "$LOGS/multi/trace-1.log" <<<"trace one"
mklog "$LOGS/multi/trace-2.log" <<<"trace two"
mklog "$LOGS/multi/.trace-3.log" <<<"hidden"
mklog "$LOGS/multi/other.log" <<<"not in the resource"
grant_for "$ALICE" multi 1h
expect 2 view "$ALICE" multi
assert_eq "$OUT" "" "stdout"
for f in a.log trace-1.log trace-2.log; do
	assert_contains "$ERR" "$LOGS/multi/$f" "list of files"
done
assert_not_contains "$ERR" other.log "list of files"
assert_not_contains "$ERR" .trace-3 "list of files"
expect 0 view "$ALICE" multi a.log
assert_eq "$OUT" "file a" "multi a.log"
expect 0 view "$ALICE" multi trace-1.log
assert_eq "$OUT" "trace one" "glob match by basename"
expect 0 view "$ALICE" multi "$LOGS/multi/trace-2.log"
assert_eq "$OUT" "trace two" "glob match by full path"
for f in other.log .trace-3.log trace-9.log "$LOGS/multi/other.log" \
    "$LOGS/app/debug.log" "../app/debug.log" "multi/a.log" \
    "$LOGS/multi/../multi/a.log" "$LOGS//multi/a.log" "/etc/shadow" \
    "trace-1.log/" "."; do
	expect 1 view "$ALICE" multi "$f"
	assert_eq "$OUT" "" "stdout for $f"
done
expect 0 view "$ALICE"
assert_contains "$OUT" "$LOGS/multi/trace-2.log" "listing with globs"

step "redact = [] shows secrets (escaped); an unredacted grant too"
mklog "$LOGS/raw/raw.log" <<<"password=s3cr3t $(printf '\033[31m')red"
grant_for "$ALICE" raw 1h
expect 0 view "$ALICE" raw
assert_eq "$OUT" 'password=s3cr3t \x1b[31mred' "raw view"
mklog "$LOGS/unred/u.log" <<<"token=abc mail bob@example.com"
grant_for "$ALICE" unred 1h
expect 0 view "$ALICE" unred
assert_eq "$OUT" 'token=[REDACTED:secret-assignment] mail [REDACTED:email]' \
    "unred resource, ordinary grant"
expect 0 as "$BOB" "$JITADM" revoke "$GID"
grant_for "$ALICE" unred 1h --unredacted
expect 0 view "$ALICE" unred
assert_eq "$OUT" 'token=abc mail bob@example.com' "unredacted grant"
last_event view_open
jq_eq "$EV" .detail.unredacted true
last_event view_close
jq_eq "$EV" .detail.redactions null

step "a store that cannot record the view: nothing shown, exit 3"
n0=$(count_events)
r strace -f -o /dev/null -u "$ALICE" -e inject=pwrite64:error=ENOSPC \
    "$JITLOGVIEW" app-debug
assert_eq "$RC" 3 "exit status with a failing store"
assert_eq "$OUT" "" "stdout with a failing store"
assert_eq "$(count_events)" "$n0" "view events with a failing store"
store_sound

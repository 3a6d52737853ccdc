#!/bin/bash
# SPDX-License-Identifier: ISC
#
# Hostile user text on its way out (SECURITY.md "Output": "the same
# escaping applies to user text (reasons, comments, names, RHOST) in
# jitadm output and in journal messages"), beyond view_hostile.sh (a
# hostile log through jitlogview, in tmux), jitadm_refusals.sh (hostile
# reasons and comments are refused) and jitadm_report.sh (the report):
#  - a PAM_RHOST and PAM_TTY full of terminal escapes, C1 and bidi
#    controls and invalid UTF-8 (what a reverse DNS name or a remote
#    client can carry) reach "jitadm audit" (human and --json) and the
#    journal: nothing raw, valid UTF-8, valid JSON;
#  - log file names matched by a resource's glob, with the same
#    characters in them, in jitlogview's listings;
#  - arguments echoed in error messages of both programs.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/attack.sh"
. "$(dirname "$0")/lib/pam.sh"

pam_setup
attack_setup
pam_service ao resource=app-debug
active "$ALICE" app-debug

# What a terminal would act on, and what is not UTF-8.
EVIL=(
	$'\e]0;PWNED-TITLE\a'		# OSC: window title
	$'\e]52;c;cHduZWQ=\a'		# OSC 52: clipboard
	$'\e[2J\e[H'			# CSI: clear screen
	$'\x9b31m\x9d0;raw-c1\x07'	# raw C1 bytes
	$'\xc2\x9b31m'			# C1 as UTF-8
	$'\xe2\x80\xaeevil\xe2\x81\xa6'	# bidi overrides and isolates
	$'zero\xe2\x80\x8bwidth\xef\xbb\xbf'	# invisible
	$'\xff\xfe\xc0\xaf\xed\xa0\x80'	# invalid UTF-8, overlong, surrogate
	$'cr\rline\nnext\ttab\x7f\x01'	# CR, LF, DEL, C0
)
# clean WHAT TEXT: no raw control (C0 but \n and \t, DEL), no C1, no bidi
# or invisible format character, and valid UTF-8.
clean() {
	printf '%s' "$2" | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' &&
	    fail "$1 holds a raw control character: $(printf '%s' "$2" | od -c | head -n 5)"
	printf '%s' "$2" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 ||
	    fail "$1 is not valid UTF-8: $(printf '%s' "$2" | od -c | head -n 5)"
	printf '%s' "$2" | LC_ALL=C.UTF-8 grep -qP \
	    '[\x{80}-\x{9f}\x{200b}-\x{200f}\x{202a}-\x{202e}\x{2066}-\x{2069}\x{feff}\x{2028}\x{2029}\x{61c}]' &&
	    fail "$1 holds a C1, bidi or invisible character: $(printf '%s' "$2" | od -c | head -n 5)"
	return 0
}

step "hostile PAM_RHOST and PAM_TTY: escaped in jitadm audit and the journal"
journal_mark
for e in "${EVIL[@]}"; do
	r pamtester -I rhost="$e" -I tty="$e" "$SVC" "$ALICE" acct_mgmt \
	    open_session close_session
	assert_eq "$RC" 0 "alice's login with RHOST $(printf '%q' "$e")"
	r pamtester -I rhost="$e" -I tty="$e" "$SVC" "$MALLORY" acct_mgmt
	assert_ne "$RC" 0 "mallory's login with RHOST $(printf '%q' "$e")"
done
n=${#EVIL[@]}
expect 0 "$JITADM" audit
clean "jitadm audit" "$OUT"
assert_contains "$OUT" "PWNED-TITLE" "jitadm audit (the text is there, escaped)"
expect 0 as "$ERIN" "$JITADM" audit
clean "jitadm audit (auditor)" "$OUT"
expect 0 "$JITADM" audit --json
clean "jitadm audit --json" "$OUT"
printf '%s' "$OUT" | jq -e . >/dev/null || fail "audit --json is not JSON"
jq_true "$OUT" "[.[] | select(.event == \"session_open\")] | length >= $n"
jq_true "$OUT" "[.[] | select(.event == \"session_denied\")] | length >= $n"
jq_true "$OUT" '[.[] | select(.event == "session_open") | .detail.rhost] |
    any(contains("PWNED-TITLE"))'
expect 0 "$JITADM" audit --grant "$ID"
clean "jitadm audit --grant" "$OUT"
expect 0 "$JITADM" show "$ID"
clean "jitadm show" "$OUT"
out=$(journal_wait "$n" JITLOG_EVENT=session_open) ||
    fail "session_open entries missing from the journal: $out"
out=$(journal_wait "$n" JITLOG_EVENT=session_denied) ||
    fail "session_denied entries missing from the journal: $out"
for ev in session_open session_close session_denied; do
	j=$(journal_events JITLOG_EVENT=$ev)
	# MESSAGE and the JITLOG_ fields, as journald stored them (bytes
	# come back as arrays of numbers: none may be).
	fields=$(printf '%s\n' "$j" | jq -r '[.MESSAGE, .JITLOG_RHOST, .JITLOG_TTY] |
	    map(if type == "string" then . elif . == null then "" else
	    "NOT-A-STRING" end) | .[]')
	assert_not_contains "$fields" NOT-A-STRING "$ev journal fields (binary)"
	clean "$ev journal fields" "$fields"
done
journal_events SYSLOG_FACILITY=10 | jq -r 'select(.MESSAGE | type == "string") | .MESSAGE' |
    grep -F "pam_jitlog(" >"$T/syslog" || true
clean "pam_jitlog syslog lines" "$(cat "$T/syslog")"

step "hostile file names matched by a glob: escaped in jitlogview's listings"
mklog "$LOGS/multi/a.log" "multi a"
for e in "${EVIL[@]}"; do
	name=trace-${e//\//_}.log
	mklog "$LOGS/multi/$name" "hostile name"
done
active "$ALICE" multi
expect 0 as "$ALICE" "$JITLOGVIEW"
clean "the listing" "$OUT"
assert_contains "$OUT" "PWNED-TITLE" "the listing (the names are there, escaped)"
expect 2 as "$ALICE" "$JITLOGVIEW" multi
clean "the file list of multi" "$OUT$ERR"
assert_contains "$OUT$ERR" "PWNED-TITLE" "the file list of multi"

step "arguments echoed in error messages"
for e in "${EVIL[@]}"; do
	for args in "$e" "list --user $e" "show $e" "approve $e" \
	    "request $e --reason x" "audit --since $e" "--$e"; do
		# shellcheck disable=SC2086
		r as "$ALICE" "$JITADM" $args
		assert_ne "$RC" 0 "jitadm $(printf '%q' "$args")"
		clean "jitadm $(printf '%q' "$args")" "$OUT$ERR"
	done
	for args in "$e" "app-debug $e" "-n $e app-debug" "--$e" "multi $e"; do
		# shellcheck disable=SC2086
		r as "$ALICE" "$JITLOGVIEW" $args
		assert_ne "$RC" 0 "jitlogview $(printf '%q' "$args")"
		clean "jitlogview $(printf '%q' "$args")" "$OUT$ERR"
	done
done
store_sound

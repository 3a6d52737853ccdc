#!/bin/bash
# SPDX-License-Identifier: ISC
#
# su(1) with the shipped example stack etc/su.pam (module path, resource
# and group filled in): the real /usr/bin/su reads it as /etc/pam.d/su
# through a bind mount in a private mount namespace, so the machine's own
# /etc/pam.d/su is never touched.  The user PAM checks in su is the
# target: "su - alice -c CMD" (service su-l, which includes su), run by
# root -- whom pam_rootok lets past the auth stack only -- does not run
# CMD without a grant, runs it with one (and CMD sees JITLOG_GRANT_ID),
# and does not after revoke; targets outside the gated group are not
# affected (the pam_succeed_if line).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/pam.sh"

pam_setup
std_setup
command -v unshare >/dev/null || fail "unshare not found (util-linux)"

sed -e "s|pam_jitlog.so resource=payments-debug|$PAM_JITLOG resource=app-debug|" \
    -e "s|notingroup engineers|notingroup $G_ENG|" \
    "$JL_SRC/etc/su.pam" >"$T/su.pam" || fail "cannot adapt etc/su.pam"
grep -q "$PAM_JITLOG resource=app-debug" "$T/su.pam" ||
    fail "etc/su.pam has no pam_jitlog line to adapt"
chmod 0644 "$T/su.pam"

# su_as TARGET: root runs "su - TARGET -c PROBE" with the test stack.
# The probe also lists the shell's fds: unlike sshd, su closes nothing
# before it starts the shell, so an fd the module leaked would be there.
# (ls, a child, lists them: a glob or $(...) would add the shell's own.)
PROBE='echo RAN; echo "GRANT=$JITLOG_GRANT_ID";
ls -l /proc/$$/fd/ | awk "NF > 9 { print \"FD\", \$9, \$11 }"'
su_as() {
	r unshare -m -- sh -c 'mount --bind "$1" /etc/pam.d/su &&
	    exec su - "$2" -c "$3"' sh "$T/su.pam" "$1" "$PROBE"
}
# The fds the probe sees without su in between (what the test harness
# itself passes down): su's shell must have these and no others.
r unshare -m -- sh -c 'exec sh -c "$1"' sh "$PROBE"
basefds=$(printf '%s\n' "$OUT" | grep '^FD ' | sort)

step "the namespace trick works and leaves /etc/pam.d/su alone"
before=$(sha256sum /etc/pam.d/su)
su_as "$MALLORY"
assert_eq "$RC" 0 "su to a user outside the gated group: $ERR"
assert_contains "$OUT" RAN "su output"
assert_eq "$(sha256sum /etc/pam.d/su)" "$before" "/etc/pam.d/su"

step "no grant: su to a gated user does not run the command"
journal_mark
su_as "$ALICE"
assert_ne "$RC" 0 "su without a grant"
assert_not_contains "$OUT" RAN "su output"
out=$(journal_wait 1 JITLOG_EVENT=session_denied "JITLOG_USER=$ALICE") ||
    fail "session_denied not in the journal: $out"
jq_eq "$(printf '%s\n' "$out" | head -n 1)" .JITLOG_SERVICE su-l

step "with a grant: it runs and sees JITLOG_GRANT_ID"
req "$ALICE" app-debug --reason "su test"
gid=$ID
expect 0 as "$BOB" "$JITADM" approve "$gid"
su_as "$ALICE"
assert_eq "$RC" 0 "su with a grant: $ERR"
assert_contains "$OUT" RAN "su output"
assert_contains "$OUT" "GRANT=$gid" "JITLOG_GRANT_ID after su"
fds=$(printf '%s\n' "$OUT" | grep '^FD ')
[ -n "$fds" ] || fail "the probe listed no fds: $OUT"
assert_not_contains "$fds" "$(dirname "$JL_DB")" "fds of the shell su started"
extra=$(printf '%s\n' "$fds" | sort | comm -13 <(printf '%s\n' "$basefds") -)
[ -z "$extra" ] || fail "the shell su started inherited fds: $extra"
assert_eq "$(sql "select count(*) from sessions where grant_id = $gid
    and service = 'su-l' and closed_at > 0")" 1 "closed su session"

step "revoked: su does not run the command again"
expect 0 as "$ALICE" "$JITADM" revoke "$gid"
su_as "$ALICE"
assert_ne "$RC" 0 "su after revoke"
assert_not_contains "$OUT" RAN "su output"
store_sound

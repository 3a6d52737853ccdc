#!/bin/bash
# SPDX-License-Identifier: ISC
#
# What jitadm must refuse, and that a refusal stores nothing (SPEC
# sections 3 and 4, SECURITY.md "Process start"): self-approval (also by
# an approver and by root), outsiders, bad durations and ids, hostile
# reasons, usage errors, an empty argv, and -c/check-config as a user.
. "$(dirname "$0")/lib/common.sh"

std_setup

# unchanged CMD...: CMD must store nothing (every table's row count).
unchanged() {
	local before
	before=$(store_snapshot)
	r "$@"
	[ "$(store_snapshot)" = "$before" ] ||
	    fail "the store changed: before: $before; after: $(store_snapshot)"
}

step "nobody approves their own request, whatever groups they are in"
req "$BOB" app-debug --reason "bob needs it"
bobs=$ID
unchanged as "$BOB" "$JITADM" approve "$bobs"
assert_eq "$RC" 1 "exit status of self-approval"
assert_err
assert_state "$bobs" pending

step "root approves only where it is an approver, never its own request"
r "$JITADM" request ops-debug --reason "root asks" --json
assert_eq "$RC" 0 "root request"
roots=$(printf '%s' "$OUT" | jq -r .id)
unchanged "$JITADM" approve "$roots"
assert_eq "$RC" 1 "exit status of root approving its own request"
assert_state "$roots" pending
unchanged "$JITADM" approve "$bobs"
assert_eq "$RC" 1 "root approving where it is no approver"
assert_state "$bobs" pending
expect 0 as "$BOB" "$JITADM" approve "$roots"
assert_state "$roots" active
req "$ALICE" ops-debug --reason "alice asks for ops"
expect 0 "$JITADM" approve "$ID"
assert_state "$ID" active

step "an outsider cannot approve, deny or revoke"
req "$ALICE" app-debug --reason "debugging"
al=$ID
for cmd in "approve $al" "deny $al --comment no" "revoke $al"; do
	# shellcheck disable=SC2086
	unchanged as "$MALLORY" "$JITADM" $cmd
	assert_eq "$RC" 1 "exit status of mallory: $cmd"
	assert_err
done
unchanged as "$ERIN" "$JITADM" approve "$al"
assert_eq "$RC" 1 "auditor approving"
unchanged as "$DAVE" "$JITADM" approve "$al"
assert_eq "$RC" 1 "admin (not an approver) approving"
assert_state "$al" pending
unchanged as "$MALLORY" "$JITADM" request app-debug --reason "not eng"
assert_eq "$RC" 1 "request by a non-requester"

step "approve/show of ids that do not exist or are not ids"
unchanged as "$BOB" "$JITADM" approve 999999
assert_eq "$RC" 1 "approve of a missing grant"
for bad in -1 0x1 1e9 99999999999999999999 " 1" "1 " "" +1 1.0 ab; do
	unchanged as "$BOB" "$JITADM" approve "$bad"
	assert_eq "$RC" 2 "approve '$bad'"
	assert_err
done
unchanged as "$BOB" "$JITADM" approve -- -1
assert_eq "$RC" 2 "approve -- -1"

step "bad durations are refused and store nothing"
for d in -1 0 0s 1e9 99999999999999999999h 99999999999999999999 1h-1m \
    " 1h" "1h " 1H 1x 1h1h 5h 367d "" 1.5h -- ; do
	unchanged as "$ALICE" "$JITADM" request app-debug --reason "dur" \
	    --duration "$d"
	assert_match "$RC" '^[12]$' "exit status of --duration '$d'"
	assert_err
done
# 5h is over max_duration: a policy refusal, not a usage error.
unchanged as "$ALICE" "$JITADM" request app-debug --reason "dur" --duration 5h
assert_eq "$RC" 1 "--duration over max_duration"
for d in -1 0 1e9 99999999999999999999h; do
	unchanged as "$BOB" "$JITADM" approve "$al" --duration "$d"
	assert_match "$RC" '^[12]$' "exit status of approve --duration '$d'"
done
assert_state "$al" pending

step "hostile reasons are refused with exit 2 and store nothing"
long513=$(head -c 513 /dev/zero | tr '\0' a)
long512=$(head -c 512 /dev/zero | tr '\0' a)
for reason in $'\e[31mred\e[0m' $'\e]0;pwned\a' $'line1\nline2' \
    $'cr\rhere' $'tab\there' $'bidi\xe2\x80\xaeevil' $'zw\xe2\x80\x8bsp' \
    $'c1\xc2\x9bcsi' $'bad\xffutf8' $'over\xc0\xaflong' $'del\x7f' \
    "$long513" ""; do
	unchanged as "$ALICE" "$JITADM" request app-debug --reason "$reason"
	assert_eq "$RC" 2 "exit status of reason $(printf '%q' "$reason" | head -c 60)"
	assert_err
	assert_no_match "$ERR" $'\e' "stderr (raw escape)"
done
expect 0 as "$ALICE" "$JITADM" request app-debug --reason "$long512"
unchanged as "$BOB" "$JITADM" deny "$al" --comment $'\e[2Jwiped'
assert_eq "$RC" 2 "deny with an escape in the comment"
unchanged as "$BOB" "$JITADM" approve "$al" --comment $'a\nb'
assert_eq "$RC" 2 "approve with a newline in the comment"
assert_state "$al" pending

step "usage errors: exit 2, nothing stored"
for args in "frobnicate" "list --bogus" "--bogus list" "" \
    "request app-debug" "request --reason x" \
    "request app-debug --reason a --reason b" \
    "request app-debug --reason a --duration 1h --duration 2h" \
    "approve $al --comment a --comment b" \
    "list --pending --pending" "show" "show $al $al" "approve" \
    "request app-debug --reason"; do
	# shellcheck disable=SC2086
	unchanged as "$ALICE" "$JITADM" $args
	assert_eq "$RC" 2 "exit status of 'jitadm $args'"
	assert_err
done
unchanged as "$ALICE" "$JITADM" request "app debug" --reason x
assert_match "$RC" '^[12]$' "request of an invalid resource name"
unchanged as "$ALICE" "$JITADM" request nonexistent --reason x
assert_eq "$RC" 1 "request of an unknown resource"

step "an empty argv (argc == 0) does not crash"
cat >"$T/execve0.py" <<'EOF'
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
argv = (ctypes.c_char_p * 1)(None)
envp = (ctypes.c_char_p * 1)(None)
libc.execve(sys.argv[1].encode(), argv, envp)
sys.exit(99)
EOF
chmod 0644 "$T/execve0.py"
unchanged as "$ALICE" setsid -w python3 "$T/execve0.py" "$JITADM"
assert_ne "$RC" 99 "execve with an empty argv did not run"
assert_ne "$RC" 0 "exit status with an empty argv"
[ "$RC" -lt 128 ] || fail "killed by a signal with an empty argv"
assert_no_match "$OUT$ERR" $'\e' "output"

step "-c FILE and check-config FILE as a user"
home=$(getent passwd "$ALICE" | cut -d: -f6)
cat >"$home/evil.conf" <<EOF
database = "$JL_DB";
admins = [ "$ALICE" ];
resources = ( { name = "app-debug"; paths = [ "/etc/shadow" ];
    approvers = [ "$ALICE" ]; } );
EOF
chown "$ALICE" "$home/evil.conf"
unchanged as "$ALICE" "$JITADM" -c "$home/evil.conf" grant app-debug \
    --user "$MALLORY" --reason "evil" --duration 1h
assert_ne "$RC" 0 "-c as a user"
unchanged as "$ALICE" "$JITADM" -c "$home/evil.conf" list
assert_ne "$RC" 0 "-c as a user"
# check-config of a file readable only through jitadm's group: no content
# may leak.
r as "$ALICE" "$JITADM" check-config "$JL_DB"
assert_ne "$RC" 0 "check-config of the store as a user"
assert_not_contains "$OUT$ERR" "SQLite format" "check-config output"
assert_not_contains "$OUT$ERR" "CREATE TABLE" "check-config output"

step "the store is sound"
store_sound

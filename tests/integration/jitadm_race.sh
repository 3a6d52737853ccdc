#!/bin/bash
# SPDX-License-Identifier: ISC
#
# Concurrent decisions on one grant: exactly one wins (SECURITY.md "The
# store").  For 20 pending requests, bob approves and carol denies at the
# same moment; afterwards each grant holds exactly one decision (approved
# xor denied), the audit trail has exactly one decision event per grant,
# the exit statuses agree with what was stored, and the chain verifies.
. "$(dirname "$0")/lib/common.sh"

std_setup
N=20

step "$N pending requests"
ids=()
for ((i = 0; i < N; i++)); do
	req "$ALICE" app-debug --reason "race $i"
	ids+=("$ID")
done

step "bob approves and carol denies each one at the same time"
for id in "${ids[@]}"; do
	as "$BOB" "$JITADM" approve "$id" >"$T/a.$id.out" 2>"$T/a.$id.err" &
	pa=$!
	as "$CAROL" "$JITADM" deny "$id" --comment "race" \
	    >"$T/d.$id.out" 2>"$T/d.$id.err" &
	pd=$!
	wait "$pa"
	echo $? >"$T/a.$id.rc"
	wait "$pd"
	echo $? >"$T/d.$id.rc"
done

step "exactly one decision per grant"
audit_all
wins_a=0
wins_d=0
# shellcheck disable=SC2034 # LAST, RC, OUT, ERR: what fail() shows
for id in "${ids[@]}"; do
	ra=$(cat "$T/a.$id.rc")
	rd=$(cat "$T/d.$id.rc")
	LAST="approve/deny $id"
	RC="approve $ra, deny $rd"
	OUT=$(cat "$T/a.$id.out" "$T/d.$id.out")
	ERR=$(cat "$T/a.$id.err" "$T/d.$id.err")
	gj "$id"
	state=$(printf '%s' "$J" | jq -r .state)
	napp=$(printf '%s' "$J" | jq '.approvals | length')
	ndec=$(printf '%s' "$A" | jq --argjson id "$id" \
	    '[.[] | select(.grant_id == $id and
	    (.event == "approve" or .event == "deny"))] | length')
	case $state in
	active)
		assert_eq "$ra" 0 "approve of grant $id (active)"
		assert_ne "$rd" 0 "deny of grant $id (active)"
		assert_eq "$napp" 1 "approvals of grant $id"
		wins_a=$((wins_a + 1))
		;;
	denied)
		assert_eq "$rd" 0 "deny of grant $id (denied)"
		assert_ne "$ra" 0 "approve of grant $id (denied)"
		assert_eq "$napp" 0 "approvals of grant $id"
		wins_d=$((wins_d + 1))
		;;
	*)
		fail "grant $id is '$state' after approve+deny"
		;;
	esac
	assert_eq "$ndec" 1 "decision events of grant $id"
	# The loser was refused, not broken: 1 (wrong state), never a crash.
	for rc in "$ra" "$rd"; do
		[ "$rc" = 0 ] || [ "$rc" = 1 ] ||
		    fail "grant $id: a loser exited $rc"
	done
done
echo "approve won $wins_a, deny won $wins_d"
assert_eq "$((wins_a + wins_d))" "$N" "decided grants"

step "the store is sound"
store_sound

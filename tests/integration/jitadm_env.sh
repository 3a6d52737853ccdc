#!/bin/bash
# SPDX-License-Identifier: ISC
#
# The caller controls jitadm's environment and file descriptors; none of
# it may matter (SPEC section 1, SECURITY.md "Process start"): identity
# is the real uid, not USER/LOGNAME/SUDO_USER; SQLITE_TMPDIR, TZ, LANG,
# LC_*, HOME and look-alike config variables change nothing (times stay
# UTC, nothing is created in the caller's directories); under
# no_new_privs jitadm refuses with exit 3 and writes nothing; with fds
# 0-2 closed it still works and the store stays sound.
. "$(dirname "$0")/lib/common.sh"

std_setup
mhome=$(getent passwd "$MALLORY" | cut -d: -f6)
bhome=$(getent passwd "$BOB" | cut -d: -f6)

req "$ALICE" app-debug --reason "for env tests"
al=$ID

step "mallory pretends to be bob through the environment"
spoof=(env USER="$BOB" LOGNAME="$BOB" SUDO_USER="$BOB" SUDO_UID="$(id -u "$BOB")"
    HOME="$bhome" USERNAME="$BOB")
before=$(store_snapshot)
expect 1 as_env "$MALLORY" "${spoof[@]}" "$JITADM" approve "$al"
expect 1 as_env "$MALLORY" "${spoof[@]}" "$JITADM" deny "$al" --comment no
expect 1 as_env "$MALLORY" "${spoof[@]}" "$JITADM" revoke "$al"
assert_eq "$(store_snapshot)" "$before" "store after spoofed approve"
assert_state "$al" pending
expect 0 as_env "$MALLORY" "${spoof[@]}" "$JITADM" list --json
jq_eq "$OUT" "map(select(.id == $al)) | length" 0
expect 1 as_env "$MALLORY" "${spoof[@]}" "$JITADM" show "$al"
r as_env "$MALLORY" "${spoof[@]}" "$JITADM" request ops-debug \
    --reason "as whom?" --json
assert_eq "$RC" 0 "request by mallory"
jq_eq "$OUT" .user "$MALLORY"
mal=$(printf '%s' "$OUT" | jq -r .id)
step "alice claims to be bob to approve her own request"
expect 1 as_env "$ALICE" "${spoof[@]}" "$JITADM" approve "$al"
assert_state "$al" pending

step "look-alike config and store variables are ignored"
cat >"$mhome/evil.conf" <<EOF
database = "$mhome/evil.db";
admins = [ "$MALLORY" ];
resources = ( { name = "app-debug"; paths = [ "/etc/shadow" ];
    approvers = [ "$MALLORY" ]; } );
EOF
chown "$MALLORY" "$mhome/evil.conf"
before=$(store_snapshot)
for v in JITLOG_CONFIG JITLOG_CONF JL_CONFIG JITLOG_DATABASE JITLOG_DB \
    JL_DB; do
	case $v in
	*CONF*) val=$mhome/evil.conf ;;
	*) val=$mhome/evil.db ;;
	esac
	expect 1 as_env "$MALLORY" env "$v=$val" "$JITADM" grant app-debug \
	    --user "$ALICE" --reason "evil" --duration 1h
	expect 1 as_env "$MALLORY" env "$v=$val" "$JITADM" approve "$al"
done
assert_eq "$(store_snapshot)" "$before" "store after look-alike variables"
[ ! -e "$mhome/evil.db" ] || fail "jitadm created $mhome/evil.db"

step "SQLITE_TMPDIR, TMPDIR, TZ, LANG, LC_*, LOCPATH: times stay UTC, nothing created"
mkdir "$mhome/tmp" "$mhome/locale"
chown "$MALLORY" "$mhome/tmp" "$mhome/locale"
if [ -e /usr/share/zoneinfo/Asia/Tokyo ]; then
	cp /usr/share/zoneinfo/Asia/Tokyo "$mhome/tz"
	chown "$MALLORY" "$mhome/tz"
fi
touch "$T/marker"
sleep 1	# a second boundary, so "newer than marker" is exact
hostile=(env SQLITE_TMPDIR="$mhome/tmp" TMPDIR="$mhome/tmp"
    LANG=de_DE.UTF-8 LC_ALL=de_DE.UTF-8 LC_TIME=ja_JP.UTF-8
    LOCPATH="$mhome/locale" NLSPATH="$mhome/locale/%N" HOME="$mhome"
    PAGER="$mhome/pager" TERMINFO="$mhome" MALLOC_CHECK_=3
    GCONV_PATH="$mhome/locale")
for tz in JST-9 "UTC+13" ":$mhome/tz"; do
	r as_env "$MALLORY" "${hostile[@]}" TZ="$tz" "$JITADM" request \
	    ops-debug --reason "TZ $tz" --json
	assert_eq "$RC" 0 "request with TZ=$tz"
	id=$(printf '%s' "$OUT" | jq -r .id)
	jq_true "$OUT" '.requested_at | test("^[0-9-]{10}T[0-9:]{8}Z$")'
	jq_true "$OUT" "(.requested_at | fromdateiso8601) - $(date -u +%s) | fabs < 120"
	at=$(printf '%s' "$OUT" | jq -r .requested_at)
	expect 0 as "$BOB" "$JITADM" approve "$id"
	expect 0 as_env "$MALLORY" "${hostile[@]}" TZ="$tz" "$JITADM" show "$id"
	assert_contains "$OUT" "${at:0:10}" "human show (UTC date)"
	assert_contains "$OUT" "${at:11:5}" "human show (UTC hour:minute)"
	expect 0 as_env "$MALLORY" "${hostile[@]}" TZ="$tz" "$JITADM" list
	expect 0 as_env "$MALLORY" "${hostile[@]}" TZ="$tz" "$JITADM" \
	    show "$id" --json
	jq_true "$OUT" '.starts_at | endswith("Z")'
	jq_true "$OUT" "(.starts_at | fromdateiso8601) - $(date -u +%s) | fabs < 120"
done
new=$(find "$mhome" -newer "$T/marker" -print)
[ -z "$new" ] || fail "jitadm created or changed files in mallory's home: $new"

step "no_new_privs: exit 3, the clear message, nothing written"
nnp() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
	    --reset-env --no-new-privs -- "$@"
}
before=$(store_snapshot)
expect 3 nnp "$ALICE" "$JITADM" request app-debug --reason "nnp"
assert_contains "$ERR" "not running with its privileges" "stderr"
assert_err
expect 3 nnp "$BOB" "$JITADM" approve "$al"
assert_contains "$ERR" "not running with its privileges" "stderr"
expect 3 nnp "$ALICE" "$JITADM" list
assert_eq "$(store_snapshot)" "$before" "store after no_new_privs"
assert_state "$al" pending

step "fds 0, 1 and 2 closed"
# glibc reopens closed standard fds of a set-id program before main()
# (0 on /dev/full write-only, 1 and 2 on /dev/null read-only); jitadm
# must replace them with usable ones, so everything works as usual: it
# does not crash, does not write its output into a file it opened (the
# store), and an action is stored exactly once.
closed() {	# USER REDIRS CMD...
	local u=$1 redir=$2
	shift 2
	as "$u" /bin/bash -c "exec \"\$0\" \"\$@\" $redir" "$@"
}
before=$(sql "select count(*) from \"$(audit_table)\"")
n=0
for redir in '<&-' '2>&-' '<&- 2>&-' '>&-' '>&- 2>&-' '<&- >&- 2>&-'; do
	expect 0 closed "$ALICE" "$redir" "$JITADM" list
	expect 0 closed "$ALICE" "$redir" "$JITADM" request app-debug \
	    --reason "fds closed: $redir"
	n=$((n + 1))
	expect 2 closed "$ALICE" "$redir" "$JITADM" request app-debug \
	    --reason $'bad\e[0m'
	expect 2 closed "$ALICE" "$redir" "$JITADM" frobnicate
done
after=$(sql "select count(*) from \"$(audit_table)\"")
assert_eq "$((after - before))" "$n" "audit rows added with fds closed"
expect 0 as "$ALICE" "$JITADM" list --json
jq_eq "$OUT" '[.[] | select(.reason | startswith("fds closed"))] | length' "$n"
expect 0 as "$BOB" "$JITADM" approve "$mal"
store_sound

#!/bin/bash
# SPDX-License-Identifier: ISC
#
# The config is trusted only when sound (SPEC section 2): errors are
# reported as file:line and nothing runs on a half-valid config (exit 3);
# a config that is not root-owned, or writable by group or other, or a
# symlink, is refused like sudo refuses such a sudoers; check-config says
# ok on a good file.
. "$(dirname "$0")/lib/common.sh"

std_setup
req "$ALICE" app-debug --reason "config tests"
al=$ID
good=$T/good.conf
cp "$JL_CONFIG" "$good"
# Whatever happens, leave a sound config behind.
on_exit() {
	if [ -L "$JL_CONFIG" ] || [ -d "$JL_CONFIG" ]; then
		rm -rf -- "$JL_CONFIG"
	fi
	install -m 0644 -o root -g root "$good" "$JL_CONFIG"
}

# broken WANT_LINE_LO WANT_LINE_HI: every command refuses with 3, naming
# the config file and a line in [LO, HI]; nothing is stored.
broken() {
	local lo=$1 hi=$2 before line
	before=$(store_snapshot)
	for u in "$ALICE" "$BOB"; do
		expect 3 as "$u" "$JITADM" list
		assert_err
		expect 3 as "$u" "$JITADM" request app-debug --reason x
	done
	expect 3 as "$BOB" "$JITADM" approve "$al"
	assert_match "$ERR" "$JL_CONFIG:[0-9]+" "stderr"
	line=$(printf '%s' "$ERR" | grep -oE "$JL_CONFIG:[0-9]+" | head -n 1)
	line=${line##*:}
	[ "$line" -ge "$lo" ] && [ "$line" -le "$hi" ] ||
	    fail "error names line $line, expected $lo..$hi: $ERR"
	r "$JITADM" check-config
	assert_ne "$RC" 0 "check-config of a broken config"
	assert_match "$OUT$ERR" "$JL_CONFIG:$line" "check-config output"
	assert_eq "$(store_snapshot)" "$before" "store"
}

conf_head() {
	cat <<EOF
database = "$JL_DB";
admins = [ "%$G_ADMINS" ];
resources = (
  {
    name = "app-debug";
    paths = [ "$JL_TEST_ROOT/logs/app/debug.log" ];
EOF
}

step "a syntax error on line 7"
{
	conf_head
	echo '    approvers = [ "%'"$G_LEADS"'" ]'	# 7: no ';', then junk
	echo '    max_duration = = "1h";'		# 8
	echo '  }'
	echo ');'
} | write_config
broken 7 8

step "an unknown key on line 3"
{
	echo "database = \"$JL_DB\";"
	echo "admins = [ \"%$G_ADMINS\" ];"
	echo 'colour = "blue";'
	echo 'resources = ( { name = "app-debug";'
	echo "  paths = [ \"$JL_TEST_ROOT/logs/app/debug.log\" ];"
	echo "  approvers = [ \"%$G_LEADS\" ]; } );"
} | write_config
broken 3 3

step "an unknown key inside a resource, on line 7"
{
	conf_head
	echo '    aproovers = [ "%'"$G_LEADS"'" ];'
	echo '    approvers = [ "%'"$G_LEADS"'" ];'
	echo '  }'
	echo ');'
} | write_config
broken 7 7

step "a resource without approvers (lines 4-7)"
{
	conf_head
	echo '  }'
	echo ');'
} | write_config
broken 4 7

step "default_duration over max_duration (lines 4-10)"
{
	conf_head
	echo '    approvers = [ "%'"$G_LEADS"'" ];'
	echo '    default_duration = "2h";'
	echo '    max_duration = "1h";'
	echo '  }'
	echo ');'
} | write_config
broken 4 10

step "a bad duration on line 8"
{
	conf_head
	echo '    approvers = [ "%'"$G_LEADS"'" ];'
	echo '    max_duration = "-1h";'
	echo '  }'
	echo ');'
} | write_config
broken 8 8

step "duplicate resource names (lines 4-13)"
{
	conf_head
	echo '    approvers = [ "%'"$G_LEADS"'" ];'
	echo '  },'
	echo '  {'
	echo '    name = "app-debug";'
	echo "    paths = [ \"$JL_TEST_ROOT/logs/x.log\" ];"
	echo '    approvers = [ "%'"$G_LEADS"'" ];'
	echo '  }'
	echo ');'
} | write_config
broken 4 13

step "@include is refused (line 1)"
printf 'x = 1;\n' >"$T/inc.conf"
{
	echo "@include \"$T/inc.conf\""
	tail -n +1 "$good"
} | write_config
expect 3 as "$ALICE" "$JITADM" list
assert_contains "$ERR" "$JL_CONFIG" "stderr"

step "a config that is not safe to trust"
cp "$good" "$JL_CONFIG"
expect 0 as "$ALICE" "$JITADM" list
before=$(store_snapshot)
for m in 666 664 646 660 606; do
	chmod "$m" "$JL_CONFIG"
	expect 3 as "$ALICE" "$JITADM" list
	assert_err
	expect 3 as "$BOB" "$JITADM" approve "$al"
	expect 3 "$JITADM" list
done
chmod 0644 "$JL_CONFIG"
chown "$ALICE" "$JL_CONFIG"
expect 3 as "$ALICE" "$JITADM" list
expect 3 as "$BOB" "$JITADM" approve "$al"
chown root:"$G_ENG" "$JL_CONFIG"
chmod 0644 "$JL_CONFIG"
expect 0 as "$ALICE" "$JITADM" list	# group-owned but not writable: fine
chown root:root "$JL_CONFIG"
mv "$JL_CONFIG" "$T/real.conf"
chmod 0755 "$T"
ln -s "$T/real.conf" "$JL_CONFIG"
expect 3 as "$ALICE" "$JITADM" list
expect 3 as "$BOB" "$JITADM" approve "$al"
rm -f "$JL_CONFIG"
expect 3 as "$ALICE" "$JITADM" list	# missing
assert_err
mkdir "$JL_CONFIG"
expect 3 as "$ALICE" "$JITADM" list	# a directory
rmdir "$JL_CONFIG"
install -m 0644 -o root -g root "$good" "$JL_CONFIG"
assert_eq "$(store_snapshot)" "$before" "store"
assert_state "$al" pending

step "check-config on a good file says ok"
expect 0 "$JITADM" check-config
assert_contains "$OUT" ok "check-config"
expect 0 "$JITADM" check-config "$good"
assert_contains "$OUT" ok "check-config FILE"
expect 0 as "$ALICE" "$JITADM" list
expect 0 as "$BOB" "$JITADM" approve "$al"
assert_state "$al" active
store_sound

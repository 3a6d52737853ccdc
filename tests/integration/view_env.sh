#!/bin/bash
# SPDX-License-Identifier: ISC
#
# What the caller hands the setuid viewer through exec (SECURITY.md
# "Process start"): a hostile environment (SQLITE_TMPDIR, TMPDIR, TZ,
# LANG, LC_*, LOCPATH, HOME, ... pointing into the caller's home, and
# look-alike config variables) changes nothing and creates nothing;
# USER/LOGNAME do not change who the caller is; tiny limits on open
# files, file size and address space are refused cleanly (exit 3, nothing
# shown, nothing recorded), a tiny process limit does not matter (the
# streamer is forked as root); no_new_privs is refused; closed standard
# fds and inherited fds do no harm; an empty argv is handled.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/viewlib.sh"

view_setup
LOG=$LOGS/app/debug.log
printf 'first line password=hunter2\nsecond line\n' | mklog "$LOG"
grant_for "$ALICE" app-debug 1h
home=$(getent passwd "$ALICE" | cut -d: -f6)

expect 0 view "$ALICE" app-debug
clean_view=$OUT
expect 0 view "$ALICE"
clean_list=$OUT
assert_match "$clean_list" 'active until [0-9T:-]+Z' "times in UTC"

step "a hostile environment changes nothing and creates nothing"
mkdir -p "$home/tmp" "$home/locale"
if [ -e /usr/share/zoneinfo/Asia/Tokyo ]; then
	cp /usr/share/zoneinfo/Asia/Tokyo "$home/tz"
fi
cat >"$home/evil.conf" <<EOF
database = "$home/evil.db";
resources = ( { name = "app-debug"; paths = [ "/etc/shadow" ];
    approvers = [ "$ALICE" ]; redact = [ ]; } );
EOF
chown -R "$ALICE" "$home"
touch "$T/marker"
sleep 1	# a second boundary, so "newer than the marker" is exact
hostile=(env SQLITE_TMPDIR="$home/tmp" TMPDIR="$home/tmp" LANG=de_DE.UTF-8
    LC_ALL=de_DE.UTF-8 LC_TIME=ja_JP.UTF-8 LOCPATH="$home/locale"
    NLSPATH="$home/locale/%N" HOME="$home" PAGER="$home/pager"
    TERMINFO="$home" TERM=xterm GCONV_PATH="$home/locale" MALLOC_CHECK_=3
    JITLOG_CONFIG="$home/evil.conf" JITLOG_DB="$home/evil.db"
    JL_CONFIG="$home/evil.conf" LD_PRELOAD="$home/evil.so")
for tz in JST-9 UTC+13 ":$home/tz"; do
	expect 0 as_env "$ALICE" "${hostile[@]}" TZ="$tz" "$JITLOGVIEW" app-debug
	assert_eq "$OUT" "$clean_view" "view with TZ=$tz"
	expect 0 as_env "$ALICE" "${hostile[@]}" TZ="$tz" "$JITLOGVIEW"
	assert_eq "$OUT" "$clean_list" "listing with TZ=$tz"
done
new=$(find "$home" -newer "$T/marker" -print)
assert_eq "$new" "" "files created or changed in the caller's home"
[ ! -e "$home/evil.db" ] || fail "a store was created in the home"

step "USER, LOGNAME, SUDO_USER do not make mallory alice"
expect 1 as_env "$MALLORY" env USER="$ALICE" LOGNAME="$ALICE" \
    SUDO_USER="$ALICE" SUDO_UID="$(id -u "$ALICE")" HOME="$home" \
    "$JITLOGVIEW" app-debug
assert_eq "$OUT" "" "spoofed view"
last_event view_denied
jq_eq "$EV" .actor "$MALLORY"

step "tiny limits: exit 3, nothing shown, nothing recorded"
n0=$(count_events)
for lim in --nofile=5:5 --nofile=20:20 --fsize=4096:4096 \
    --as=33554432:33554432; do
	expect 3 as "$ALICE" prlimit "$lim" -- "$JITLOGVIEW" app-debug
	assert_eq "$OUT" "" "stdout with $lim"
	assert_match "$ERR" '^jitlogview: resource limits too low' "stderr ($lim)"
done
expect 3 as "$ALICE" sh -c "ulimit -n 5; exec '$JITLOGVIEW' app-debug"
assert_eq "$OUT" "" "stdout with ulimit -n 5"
assert_eq "$(count_events)" "$n0" "view events after the limit refusals"

step "a tiny process limit: the fork (as root) still works, the view is shown"
expect 0 as "$ALICE" prlimit --nproc=1:1 -- "$JITLOGVIEW" app-debug
assert_eq "$OUT" "$clean_view" "view with --nproc=1"
n0=$(count_events)

step "no_new_privs: exit 3 with a clear message, nothing shown"
expect 3 setpriv --reuid="$ALICE" --regid="$(id -g "$ALICE")" --init-groups \
    --reset-env --no-new-privs -- "$JITLOGVIEW" app-debug
assert_eq "$OUT" "" "stdout under no_new_privs"
assert_contains "$ERR" "no_new_privs" "stderr under no_new_privs"
assert_eq "$(count_events)" "$n0" "view events under no_new_privs"

step "closed standard fds, inherited fds"
as "$ALICE" "$JITLOGVIEW" app-debug <&- 2>&- >"$T/closed.out"
assert_eq "$?" 0 "exit status with stdin and stderr closed"
assert_eq "$(cat "$T/closed.out")" "$clean_view" "output with fds closed"
r as "$ALICE" sh -c "exec '$JITLOGVIEW' app-debug >&-"
assert_eq "$RC" 0 "exit status with stdout closed"
echo inherited >"$T/inherited"
exec 9<"$T/inherited"
bg_view "$T/fd.out" "$T/fd.err" "$ALICE" -f app-debug
streamer_of "$MON"
wait_for_text "$T/fd.out" "second line"
for p in "$MON" "$STR"; do
	for fd in /proc/"$p"/fd/*; do
		[ "$(readlink "$fd")" != "$T/inherited" ] ||
		    fail "process $p kept the inherited fd ($fd)"
	done
done
exec 9<&-
kill -TERM "$MON"
wait_exit "$MON" 10

step "an empty argv (argc == 0)"
if command -v cc >/dev/null; then
	cat >"$T/argc0.c" <<'EOF'
#include <unistd.h>
int
main(int argc, char **argv)
{
	char *none[] = { NULL }, *env[] = { "X=1", NULL };

	(void)argc;
	execve(argv[1], none, env);
	return 127;
}
EOF
	cc -o "$T/argc0" "$T/argc0.c" || fail "cannot compile argc0.c"
	chmod 0755 "$T/argc0"
	# Linux >= 5.18 turns an empty argv into { "" }: then it is the
	# listing of a call without arguments; older kernels pass argc == 0,
	# a usage error.  Either way the environment is not read as argv.
	expect_in "0 2" as "$ALICE" "$T/argc0" "$JITLOGVIEW"
	if [ "$RC" = 0 ]; then
		assert_eq "$OUT" "$clean_list" "argv { \"\" }: the listing"
	else
		assert_eq "$OUT" "" "stdout with argc == 0"
	fi
	assert_not_contains "$ERR" "X=1" "stderr with argc == 0"
else
	echo "(no C compiler: argc == 0 not tested)"
fi
store_sound

#!/bin/bash
# SPDX-License-Identifier: ISC
#
# How the installed set-id programs start (SECURITY.md "Process start"),
# beyond jitadm_start.sh, jitadm_env.sh and jitadm_refusals.sh (which
# cover jitadm's argc == 0, closed fds 0-2, no_new_privs, a copy without
# its setgid bit, the environment, ulimit -n 6 / -f 64 and one
# inherited fd):
#  - jitlogview: argc == 0; fds 0-2 closed (the log never lands in a
#    file it opened); inherited fds closed, every later fd O_CLOEXEC (in
#    jitadm too); a fixed environment (PATH, LC_ALL, TZ only), cwd "/",
#    no core dumps, for jitadm, the monitor and the streamer alike;
#    hostile SQLITE_TMPDIR/TMPDIR/TZ/LANG/LC_*/HOME/PAGER/TERMINFO change
#    nothing and create nothing; no_new_privs, a nosuid mount and a copy
#    without the set-id bit are refused with exit 3;
#  - resource limits: RLIMIT_NOFILE 3..16 (and around the viewer's 32),
#    tiny FSIZE, AS and NPROC: jitadm either refuses cleanly (exit 3,
#    nothing stored) or does the whole thing; jitlogview either refuses
#    cleanly (nothing shown) or shows the whole log; never partial;
#  - signals: SIGSTOP/SIGCONT of a jitadm approval does not stretch the
#    grant;
#  - arguments: jitlogview's strict parsing (exit 2, nothing recorded).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/attack.sh"

attack_setup
ahome=$(getent passwd "$ALICE" | cut -d: -f6)
active "$ALICE" app-debug
agrant=$ID
FULL=$(as "$ALICE" "$JITLOGVIEW" app-debug) || fail "the plain view failed"
assert_eq "$FULL" "app line 1
app line 2 token=[REDACTED:secret-assignment]
app line 3" "the plain view"

# views_closed: every recorded view was closed (nothing left half-done).
views_closed() {
	assert_eq "$(sql 'select count(*) from views where closed_at = 0')" 0 \
	    "views left open"
}

# fd_report PID: "fd flags target" per fd above 2.
fd_report() {
	local f n
	for f in "/proc/$1/fd/"*; do
		n=${f##*/}
		[ -e "$f" ] && [ "$n" -gt 2 ] || continue
		printf '%s %s %s\n' "$n" \
		    "$(awk '/^flags:/ { print $2 }' "/proc/$1/fdinfo/$n" 2>/dev/null)" \
		    "$(readlink "$f" 2>/dev/null)"
	done
}

# all_cloexec PID WHAT: every fd above 2 of PID has O_CLOEXEC (02000000).
all_cloexec() {
	local rep bad= fd flags target
	rep=$(fd_report "$1")
	[ -n "$rep" ] || fail "$2: no fds above 2 seen"
	while read -r fd flags target; do
		(((8#$flags & 8#2000000) != 0)) || bad="$bad $fd:$target"
	done <<<"$rep"
	[ -z "$bad" ] || fail "$2: fds without O_CLOEXEC:$bad (all: $rep)"
}

# sane_process PID WHAT: cwd /, no core dumps.  (/proc/PID/environ
# shows the block exec put on the stack, whatever clearenv() did since:
# the environment is tested by its effects below.)
sane_process() {
	assert_eq "$(readlink "/proc/$1/cwd")" / "$2 working directory"
	assert_match "$(grep '^Max core file size' "/proc/$1/limits")" \
	    'size +0 +0 ' "$2 core limit"
}

# follow USER [VAR=VALUE...]: "jitlogview -f app-debug" as USER with
# just PATH and the given variables in its environment, and fd 7 open on
# $T/marker; MON the monitor, STR the streamer, once the whole log is
# out.  stdout in $T/follow.out.
follow() {
	local u=$1 i
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups -- \
	    env -i PATH=/usr/bin:/bin "$@" "$JITLOGVIEW" -f -n 100 app-debug \
	    >"$T/follow.out" 2>"$T/follow.err" 7<"$T/marker" &
	MON=$!
	_pids+=("$MON")
	STR=
	for ((i = 0; i < 100; i++)); do
		STR=$(children "$MON")
		[ -n "$STR" ] && grep -q 'app line 3' "$T/follow.out" && return 0
		sleep 0.1
	done
	fail "jitlogview -f did not start: $(cat "$T/follow.err")"
}
unfollow() {
	kill -TERM "$MON" 2>/dev/null
	wait_gone "$MON" || fail "jitlogview -f did not end on SIGTERM"
	{ wait "$MON"; } 2>/dev/null
}
: >"$T/marker"
chmod 0644 "$T/marker"

step "jitlogview with an empty argv (argc == 0) does not crash"
cat >"$T/execve0.py" <<'EOF'
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
argv = (ctypes.c_char_p * 1)(None)
envp = (ctypes.c_char_p * 1)(None)
libc.execve(sys.argv[1].encode(), argv, envp)
sys.exit(99)
EOF
chmod 0644 "$T/execve0.py"
unchanged as "$ALICE" setsid -w "$PY" "$T/execve0.py" "$JITLOGVIEW"
assert_ne "$RC" 99 "execve with an empty argv did not run"
not_crashed "jitlogview with argc == 0"
# Linux >= 5.18 turns an empty argv into { "", NULL }: then this is a
# plain listing.  Older kernels pass argc == 0: a usage error.
if [ "$RC" = 0 ]; then
	assert_eq "$OUT" "$(as "$ALICE" "$JITLOGVIEW")" "output with argc == 0"
else
	assert_eq "$RC" 2 "jitlogview with argc == 0"
	assert_eq "$OUT" "" "stdout with argc == 0"
fi

step "jitlogview with fds 0, 1, 2 closed"
closed() {	# REDIRS: the view with those fds closed, stdout to $T/c.out
	as "$ALICE" /bin/bash -c "exec \"\$0\" app-debug $1" "$JITLOGVIEW"
}
for redir in '<&-' '2>&-' '<&- 2>&-'; do
	r closed "$redir"
	assert_eq "$RC" 0 "view with $redir"
	assert_eq "$OUT" "$FULL" "view with $redir"
done
for redir in '>&-' '>&- 2>&-' '<&- >&- 2>&-'; do
	r closed "$redir"
	not_crashed "view with $redir"
	assert_eq "$RC" 0 "view with $redir"
done
views_closed
checkpoint
grep -qa 'app line 2' "$JL_DB" && fail "the log's text landed in the store"
grep -qa 'app line 2' "$JL_CONFIG" && fail "the log's text landed in the config"
store_sound

step "inherited fds closed, later fds O_CLOEXEC, cwd /, no core dumps"
follow "$ALICE" HOME="$ahome" SQLITE_TMPDIR="$ahome" LANG=de_DE.UTF-8 \
    PAGER="$ahome/pager" TZ=JST-9
for pid in "$MON" "$STR"; do
	rep=$(fd_report "$pid")
	assert_not_contains "$rep" "$T/marker" "fds of $pid"
	sane_process "$pid" "jitlogview ($pid)"
done
all_cloexec "$MON" "the monitor"
# The streamer holds its two pipes and nothing else.
rep=$(fd_report "$STR")
assert_eq "$(printf '%s\n' "$rep" | awk '{ print $1 }' | tr '\n' ' ')" "3 4 " \
    "the streamer's fds above 2 ($rep)"
assert_match "$(printf '%s\n' "$rep" | awk '{ print $3 }' | sort -u | tr '\n' ' ')" \
    '^pipe:\[[0-9]+\] pipe:\[[0-9]+\] $' "the streamer's fds ($rep)"
unfollow
# jitadm, held in its busy wait by a store lock.
hold_lock
setpriv --reuid="$ALICE" --regid="$(id -g "$ALICE")" --init-groups -- \
    env HOME="$ahome" SQLITE_TMPDIR="$ahome" TZ=JST-9 \
    "$JITADM" request app-debug --reason "held" >/dev/null 2>&1 7<"$T/marker" &
jpid=$!
_pids+=("$jpid")
seen=
for ((i = 0; i < 100; i++)); do
	case $(fd_report "$jpid") in *"$JL_DB"*) seen=1 && break ;; esac
	sleep 0.05
done
[ -n "$seen" ] || fail "jitadm never opened the store while it was locked"
assert_not_contains "$(fd_report "$jpid")" "$T/marker" "jitadm's fds"
all_cloexec "$jpid" "jitadm"
sane_process "$jpid" jitadm
release_lock
wait "$jpid"

step "hostile environment: the view and the listing are unchanged"
mkdir -m 0700 "$ahome/tmp" "$ahome/terminfo"
chown "$ALICE" "$ahome/tmp" "$ahome/terminfo"
printf '#!/bin/sh\ntouch %s/pager-ran\ncat\n' "$ahome" >"$ahome/pager"
chmod 0755 "$ahome/pager"
touch "$T/t0"
sleep 1
hostile=(env SQLITE_TMPDIR="$ahome/tmp" TMPDIR="$ahome/tmp" HOME="$ahome"
    LANG=de_DE.UTF-8 LC_ALL=tr_TR.UTF-8 LC_CTYPE=ja_JP.eucJP
    PAGER="$ahome/pager" TERMINFO="$ahome/terminfo" TERM=xterm
    LOCPATH="$ahome/tmp" GCONV_PATH="$ahome/tmp" MALLOC_PERTURB_=165
    LD_PRELOAD="$ahome/evil.so" JITLOG_CONFIG="$ahome/evil.conf")
for tz in JST-9 "UTC+13" ":/usr/share/zoneinfo/Asia/Tokyo"; do
	expect 0 as_env "$ALICE" "${hostile[@]}" TZ="$tz" "$JITLOGVIEW" app-debug
	assert_eq "$OUT" "$FULL" "view with TZ=$tz and a hostile environment"
	expect 0 as_env "$ALICE" "${hostile[@]}" TZ="$tz" "$JITLOGVIEW"
	gj "$agrant"
	assert_contains "$OUT" "$(printf '%s' "$J" | jq -r .expires_at)" \
	    "the listing's expiry (UTC) with TZ=$tz"
	expect 0 as_env "$ALICE" "${hostile[@]}" TZ="$tz" "$JITLOGVIEW" -n 1 app-debug
	assert_eq "$OUT" "app line 3" "-n 1 with TZ=$tz"
done
[ ! -e "$ahome/pager-ran" ] || fail "jitlogview ran \$PAGER"
new=$(find "$ahome" -newer "$T/t0" -print)
[ -z "$new" ] || fail "jitlogview created or changed files in the caller's home: $new"

step "half-privileged: no_new_privs, a nosuid mount, no set-id bit: exit 3"
nnp() {
	setpriv --reuid="$1" --regid="$(id -g "$1")" --init-groups \
	    --reset-env --no-new-privs -- "${@:2}"
}
unchanged nnp "$ALICE" "$JITLOGVIEW" app-debug
assert_eq "$RC" 3 "jitlogview under no_new_privs"
assert_eq "$OUT" "" "jitlogview stdout under no_new_privs"
assert_contains "$ERR" "not running with its privileges" "stderr"
unchanged nnp "$ALICE" "$JITLOGVIEW"
assert_eq "$RC" 3 "jitlogview (listing) under no_new_privs"
assert_eq "$OUT" "" "the listing under no_new_privs"
unchanged setpriv --no-new-privs -- "$JITLOGVIEW" app-debug
assert_eq "$RC" 3 "root's jitlogview under no_new_privs"
mkdir -m 0755 "$T/nosuid"
mount -t tmpfs -o nosuid,mode=0755,size=16m tmpfs "$T/nosuid" ||
    fail "cannot mount a nosuid tmpfs"
on_exit() {
	umount "$T/nosuid" 2>/dev/null
}
cp -a "$JITLOGVIEW" "$JITADM" "$T/nosuid/"
assert_eq "$(stat -c %a "$T/nosuid/jitlogview")" 4755 "copied mode"
unchanged as "$ALICE" "$T/nosuid/jitlogview" app-debug
assert_eq "$RC" 3 "jitlogview on a nosuid mount"
assert_eq "$OUT" "" "jitlogview stdout on a nosuid mount"
assert_contains "$ERR" "not running with its privileges" "stderr"
unchanged as "$ALICE" "$T/nosuid/jitadm" request app-debug --reason nosuid
assert_eq "$RC" 3 "jitadm on a nosuid mount"
cp "$JITLOGVIEW" "$T/jitlogview-copy"
chmod 0755 "$T/jitlogview-copy"
unchanged as "$ALICE" "$T/jitlogview-copy" app-debug
assert_eq "$RC" 3 "jitlogview without its setuid bit"
assert_eq "$OUT" "" "stdout without the setuid bit"
umount "$T/nosuid" || fail "umount"

step "tiny resource limits: jitlogview refuses cleanly or shows the whole log"
# limited SPEC CMD...: CMD as ALICE under "ulimit SPEC" (as LIMUSER
# when set).
limited() {
	as "${LIMUSER:-$ALICE}" /bin/bash -c "ulimit $1 || exit 99; exec \"\$@\"" \
	    _ "${@:2}"
}
# whole_or_nothing WHAT: exit 0 with the whole log, or a refusal (not a
# signal) with nothing on stdout.
whole_or_nothing() {
	not_crashed "$1"
	[ "$RC" != 99 ] || fail "$1: the shell could not set the limit"
	if [ "$RC" = 0 ]; then
		assert_eq "$OUT" "$FULL" "$1: exit 0 but not the whole log"
	else
		assert_eq "$OUT" "" "$1: exit $RC with output"
	fi
}
declare -A got=()
lims=()
for n in $(seq 3 16) 24 31 32 33 34 36 40 48; do lims+=("-n $n"); done
for v in 16384 32768 65536 70000 90000 131072 262144; do lims+=("-v $v"); done
for f in 0 1 8 1024 16384 16385 65536; do lims+=("-f $f"); done
for u in 0 1 2 8; do lims+=("-u $u"); done
for s in 32 64 128 255 256 1024; do lims+=("-s $s"); done
lims+=("-l 0" "-i 0" "-q 0" "-x 0")
for lim in "${lims[@]}"; do
	r limited "$lim" "$JITLOGVIEW" app-debug
	whole_or_nothing "jitlogview under ulimit $lim"
	got[$lim]=$RC
	r limited "$lim" "$JITLOGVIEW" -n 2 app-debug
	not_crashed "jitlogview -n 2 under ulimit $lim"
	[ "$RC" != 0 ] || assert_eq "$OUT" "$(printf '%s\n' "$FULL" | tail -n 2)" \
	    "-n 2 under ulimit $lim"
	[ "$RC" = 0 ] || assert_eq "$OUT" "" "-n 2 under ulimit $lim"
done
refused=("-s 32" "-s 64" "-s 255")
for n in $(seq 3 16); do refused+=("-n $n"); done
for l in "${refused[@]}"; do
	# 127: the dynamic loader could not open a library (ulimit -n 3).
	assert_match "${got[$l]}" '^(3|127)$' "jitlogview under ulimit $l"
done
echo "  exit status per limit: $(for l in "${lims[@]}"; do printf '[%s]=%s ' "$l" "${got[$l]}"; done)"
views_closed
store_sound

step "tiny resource limits: jitadm refuses cleanly or does the whole thing"
for lim in "${lims[@]}"; do
	req "$ALICE" app-debug --reason "limit $lim"
	id=$ID
	before=$(store_snapshot)
	r limited "$lim" "$JITADM" request app-debug --reason "under $lim"
	not_crashed "jitadm request under ulimit $lim"
	if [ "$RC" = 0 ]; then
		assert_match "$OUT" '^[0-9]+$' "request under $lim"
		expect 0 "$JITADM" show "$OUT" --json
		jq_eq "$OUT" .reason "under $lim"
	else
		assert_eq "$OUT" "" "request under $lim (exit $RC)"
		assert_eq "$(store_snapshot)" "$before" "store after request under $lim"
	fi
	before=$(store_snapshot)
	LIMUSER=$BOB r limited "$lim" "$JITADM" approve "$id"
	not_crashed "jitadm approve under ulimit $lim"
	if [ "$RC" = 0 ]; then
		assert_contains "$OUT" approved "approve under $lim"
		assert_state "$id" active
	else
		assert_eq "$OUT" "" "approve under $lim (exit $RC)"
		assert_state "$id" pending
		assert_eq "$(store_snapshot)" "$before" "store after approve under $lim"
	fi
	case $lim in
	"-n "*) [ "${lim#-n }" -ge 16 ] ||
		assert_match "$RC" '^(3|127)$' "approve under $lim" ;;
	"-s "*) [ "${lim#-s }" -ge 256 ] || assert_eq "$RC" 3 "approve under $lim" ;;
	esac
done
grants_consistent
store_sound

step "SIGSTOP/SIGCONT of an approval does not stretch the grant"
req "$ALICE" app-debug --reason "stop me" --duration 30m
id=$ID
hold_lock
as_bg "$BOB" "$JITADM" approve "$id" --json
jpid=$BGPID
for ((i = 0; i < 100; i++)); do
	case $(fd_report "$jpid") in *"$JL_DB"*) break ;; esac
	sleep 0.05
done
kill -STOP "$jpid"
release_lock
sleep 3
t_cont=$(date -u +%s)
kill -CONT "$jpid"
wait "$jpid"
rc=$?
if [ "$rc" = 0 ]; then
	gj "$id"
	jq_eq "$J" .state active
	jq_true "$J" '((.expires_at | fromdateiso8601) - (.starts_at | fromdateiso8601)) <= 1800'
	jq_true "$J" "(.expires_at | fromdateiso8601) <= $t_cont + 1800 + 5"
else
	# Refused after the busy wait: nothing changed.
	assert_eq "$rc" 3 "approve stopped in its busy wait"
	assert_state "$id" pending
fi
store_sound

step "jitlogview arguments: strict, exit 2, nothing recorded"
long=$(head -c 5000 /dev/zero | tr '\0' a)
for args in "-n -1 app-debug" "-n 99999999999999999999 app-debug" \
    "-n 1e9 app-debug" "-n 0x10 app-debug" "-n 1.5 app-debug" "-n '' app-debug" \
    "-n 1 -n 2 app-debug" "-f -f app-debug" "--follow -f app-debug" \
    "-n" "-f" "-x app-debug" "--bogus app-debug" "app-debug a b" \
    "-- -n 1 app-debug" "../app-debug" "app/debug" ".. x" \
    "-n1x app-debug" "--lines=-3 app-debug" \
    "-- -f"; do
	eval "set -- $args"
	unchanged as "$ALICE" "$JITLOGVIEW" "$@"
	assert_eq "$RC" 2 "jitlogview $args"
	assert_eq "$OUT" "" "stdout of jitlogview $args"
	assert_match "$ERR" '^jitlogview: ' "stderr of jitlogview $args"
done
for bad in "$long" $'app\e[2J' $'app-debug\n' $'\xff\xfe' $'app\xe2\x80\xaedebug' \
    "app-debug%n%n%s" "-app"; do
	unchanged as "$ALICE" "$JITLOGVIEW" "$bad"
	assert_eq "$RC" 2 "jitlogview $(printf '%q' "$bad" | head -c 60)"
	assert_no_match "$ERR" $'[\x01-\x08\x0b-\x1f\x7f]' "stderr (raw controls)"
	# As a file name: refused (and recorded as view_denied), not shown.
	r as "$ALICE" "$JITLOGVIEW" app-debug "$bad"
	assert_match "$RC" '^[12]$' "jitlogview app-debug $(printf '%q' "$bad" | head -c 60)"
	assert_eq "$OUT" "" "stdout"
	assert_no_match "$ERR" $'[\x01-\x08\x0b-\x1f\x7f]' "stderr (raw controls)"
done
views_closed
store_sound

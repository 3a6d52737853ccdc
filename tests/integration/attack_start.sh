#!/bin/bash
# SPDX-License-Identifier: ISC
#
# How the installed set-id programs start (SECURITY.md "Process start"),
# beyond jitadm_start.sh, jitadm_env.sh, jitadm_refusals.sh and
# view_env.sh (argc == 0, closed fds 0-2, one inherited fd, the
# environment, no_new_privs, a few tiny limits, for each program):
#  - jitlogview with fd 1 closed: the log never lands in the store;
#    approvals with fds 0-2 closed land once and leave the store sound;
#  - inherited fds closed and every later fd O_CLOEXEC, cwd "/", a core
#    limit of 0 and argv as given, in jitadm, the monitor and the
#    streamer;
#  - half-privileged: the listing and root under no_new_privs, a real
#    nosuid mount (both programs), a copy without the setuid bit;
#  - resource limits, each of RLIMIT_NOFILE 3..48, AS, FSIZE, NPROC,
#    STACK, DATA, CPU and others: jitadm either refuses cleanly (exit 3,
#    nothing stored) or does the whole thing; jitlogview either refuses
#    cleanly (nothing shown, nothing left open) or shows the whole log,
#    also with -n; never partial; NOFILE 3..16, STACK < 256 KiB and
#    DATA < 64 MiB always refused; a CPU limit never reaches the root
#    monitor;
#  - signals: a terminal's ^Z (SIGTSTP, sent to the foreground group
#    whatever its owner) stops neither program while it waits for the
#    store's write lock; SIGSTOP/SIGCONT of a jitadm approval does not
#    stretch the grant.
# jitlogview's argument parsing is view_basic.sh's.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/attack.sh"

attack_setup
ahome=$(getent passwd "$ALICE" | cut -d: -f6)
active "$ALICE" app-debug
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
	local rep bad='' fd flags target
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

step "jitlogview with fd 1 closed: the log never lands in a file it opened"
# (view_env.sh checks the exit status with stdin/stderr or stdout closed.)
for redir in '>&-' '>&- 2>&-' '<&- >&- 2>&-' '<&- >&-'; do
	r as "$ALICE" /bin/bash -c "exec \"\$0\" app-debug $redir" "$JITLOGVIEW"
	not_crashed "view with $redir"
	assert_eq "$RC" 0 "view with $redir"
done
views_closed
checkpoint
grep -qa 'app line 2' "$JL_DB" && fail "the log's text landed in the store"
grep -qa 'app line 2' "$JL_CONFIG" && fail "the log's text landed in the config"
store_sound

step "approvals with fds 0, 1 and 2 closed land, once, and the store stays sound"
# (jitadm_env.sh does requests and listings so.)
for redir in '<&- >&- 2>&-' '>&- 2>&-' '<&- >&-'; do
	req "$ALICE" app-debug --reason "closed fds: $redir"
	id=$ID
	n0=$(sql "select count(*) from audit where event = 'approve'")
	r as "$BOB" /bin/bash -c "exec \"\$0\" approve $id $redir" "$JITADM"
	not_crashed "approve with $redir"
	assert_eq "$RC" 0 "approve with $redir"
	assert_state "$id" active
	assert_eq "$(sql "select count(*) from audit where event = 'approve'")" \
	    "$((n0 + 1))" "approve events after one approval with $redir"
done
checkpoint
grep -qa "approved: active" "$JL_DB" && fail "jitadm's output landed in the store"
grants_consistent
store_sound

step "inherited fds closed, later fds O_CLOEXEC, cwd /, no core dumps"
follow "$ALICE" HOME="$ahome" SQLITE_TMPDIR="$ahome" LANG=de_DE.UTF-8 \
    PAGER="$ahome/pager" TZ=JST-9
for pid in "$MON" "$STR"; do
	rep=$(fd_report "$pid")
	assert_not_contains "$rep" "$T/marker" "fds of $pid"
	sane_process "$pid" "jitlogview ($pid)"
	# argv is never written: the arguments read back as they were given.
	assert_eq "$(tr '\0' ' ' <"/proc/$pid/cmdline")" \
	    "$JITLOGVIEW -f -n 100 app-debug " "argv of jitlogview ($pid)"
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
assert_eq "$(tr '\0' ' ' <"/proc/$jpid/cmdline")" \
    "$JITADM request app-debug --reason held " "argv of jitadm"
release_lock
wait "$jpid"

step "half-privileged: no_new_privs, a nosuid mount, no set-id bit: exit 3"
nnp() {
	setpriv --reuid="$1" --regid="$(id -g "$1")" --init-groups \
	    --reset-env --no-new-privs -- "${@:2}"
}
# (view_env.sh: a view under no_new_privs.)
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
for d in 2048 16384 65535 65536; do lims+=("-d $d"); done
lims+=("-t 1" "-l 0" "-i 0" "-q 0" "-x 0")
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
refused=("-s 32" "-s 64" "-s 255" "-d 2048" "-d 16384" "-d 65535")
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
	"-d "*) [ "${lim#-d }" -ge 65536 ] ||
		assert_match "$RC" '^(3|127)$' "approve under $lim" ;;
	esac
done
grants_consistent
store_sound

step "a CPU time limit cannot end the root monitor (nor leave a view open)"
# A hard limit: lifted by root (CAP_SYS_RESOURCE), else refused up front.
r limited "-t 1" "$JITLOGVIEW" app-debug
if [ "$RC" != 0 ]; then
	assert_eq "$RC" 3 "jitlogview under a hard CPU limit it cannot lift"
	assert_contains "$ERR" "CPU time limit of 1 s is set and cannot be lifted"
	assert_eq "$OUT" "" "stdout under a hard CPU limit"
fi
# A soft limit is lifted in any case: the monitor runs unlimited.
as_bg "$ALICE" /bin/bash -c 'ulimit -S -t 1 || exit 99; exec "$@"' _ \
    "$JITLOGVIEW" -f app-debug
mon=$BGPID
for ((i = 0; i < 100; i++)); do
	case $(fd_report "$mon") in *"$JL_DB"*) break ;; esac
	sleep 0.05
done
for ((i = 0; i < 100; i++)); do
	[ -n "$(pgrep -P "$mon")" ] && break
	sleep 0.05
done
[ -n "$(pgrep -P "$mon")" ] || fail "jitlogview -f did not start its streamer"
assert_match "$(grep '^Max cpu time' "/proc/$mon/limits")" \
    'unlimited +unlimited' "the monitor's CPU time limit"
kill "$mon"
wait "$mon"
views_closed

step "a refusal is recorded even when stderr is a pipe nobody reads"
n0=$(sql "select count(*) from audit where event = 'view_denied'")
r as "$MALLORY" python3 -c 'import os, signal, sys
r, w = os.pipe()
os.close(r)
os.dup2(w, 2)
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$JITLOGVIEW" app-debug
assert_eq "$RC" 1 "jitlogview refused, stderr a closed pipe"
assert_eq "$OUT" "" "stdout of the refusal"
assert_eq "$(sql "select count(*) from audit where event = 'view_denied'")" \
    $((n0 + 1)) "view_denied events"

# ignores_stops PID WHAT: SIGTSTP, SIGTTIN and SIGTTOU (bits 20-22 of
# /proc/PID/status SigIgn) are ignored.
ignores_stops() {
	local ign
	ign=$(awk '/^SigIgn:/ { print $2 }' "/proc/$1/status")
	[ -n "$ign" ] || fail "$2: no SigIgn for pid $1"
	[ $((0x$ign & 0x380000)) = $((0x380000)) ] ||
	    fail "$2 does not ignore the terminal's stops (SigIgn $ign)"
}

step "a terminal's ^Z stops neither program while it waits for the store"
active "$ALICE" app-debug
term_start "$ALICE"
# The store's write lock is held: each program waits for it (its view
# record, its request) when ^Z comes.
k=0
for prog in "$JITLOGVIEW app-debug" "$JITADM request app-debug --reason tstp"; do
	k=$((k + 1))
	hold_lock
	term_keys "$prog; echo \"EXIT$k=\$?\"" Enter
	# (jitlogview's uids are all root by then: found as the shell's child.)
	pid=
	for ((i = 0; i < 100; i++)); do
		pid=$(pgrep -P "$TSHELL" -x "$(basename "${prog%% *}")")
		[ -n "$pid" ] && case $(fd_report "$pid") in *"$JL_DB"*) break ;; esac
		sleep 0.05
	done
	[ -n "$pid" ] || fail "$prog did not start in the terminal"
	ignores_stops "$pid" "$prog"
	term_keys C-z
	release_lock
	term_wait "EXIT$k=[0-9]"
	assert_contains "$PANE" "EXIT$k=0" "$prog after ^Z"
	assert_not_contains "$PANE" "Stopped" "$prog after ^Z"
done
views_closed

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
ignores_stops "$jpid" "jitadm approve"
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

step "the store is sound"
views_closed
store_sound

#!/bin/bash
# SPDX-License-Identifier: ISC
#
# Privilege separation of jitlogview (SECURITY.md "Privilege separation",
# "Process start"): the monitor runs with every uid and gid 0, no groups
# and only CAP_DAC_READ_SEARCH and CAP_KILL, and the caller can neither
# signal it nor read it; the streamer runs as the caller with no
# supplementary groups, no capabilities, no_new_privs, not dumpable, with
# nothing open but its two pipes and stdio, and the caller can neither
# ptrace it nor read its environment or fds; the drop is proved
# (setuid(0) and seteuid(0) fail, seen with strace, and a traced streamer
# refuses to run); a failing fork or pipe shows nothing and exits 3; the
# streamer dies with the monitor; root's view runs as nobody.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/viewlib.sh"

view_setup
G_EXTRA=${P}extra
mkgroup "$G_EXTRA"
usermod -aG "$G_EXTRA" "$ALICE" || fail "usermod"
LOG=$LOGS/app/debug.log
echo "password=s3cr3t first line" | mklog "$LOG"
grant_for "$ALICE" app-debug 1h
uid=$(id -u "$ALICE")
gid=$(id -g "$ALICE")

# field PID NAME: a line of /proc/PID/status, without its name.
field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr -s ' \t' ' '
}

step "the two processes of a view"
bg_view "$T/v.out" "$T/v.err" "$ALICE" -f app-debug
streamer_of "$MON"
wait_for_text "$T/v.out" "first line"
assert_eq "$(field "$MON" Uid)" "0 0 0 0" "monitor uids"
assert_eq "$(field "$MON" Gid)" "0 0 0 0" "monitor gids"
assert_eq "$(field "$MON" Groups)" "" "monitor groups"
assert_eq "$(field "$MON" CapEff)" 0000000000000024 "monitor capabilities"
assert_eq "$(field "$MON" CapPrm)" 0000000000000024 "monitor permitted"
assert_eq "$(readlink "/proc/$MON/fd/1")" /dev/null "monitor stdout"
for p in "$MON" "$STR"; do
	assert_eq "$(readlink "/proc/$p/cwd")" / "working directory of $p"
	assert_match "$(grep '^Max core file size' "/proc/$p/limits")" \
	    ' 0 +0 ' "core file limit of $p"
done
assert_eq "$(field "$STR" Uid)" "$uid $uid $uid $uid" "streamer uids"
assert_eq "$(field "$STR" Gid)" "$gid $gid $gid $gid" "streamer gids"
assert_eq "$(field "$STR" Groups)" "" "streamer groups"
as "$ALICE" id -G | grep -qw "$(getent group "$G_EXTRA" | cut -d: -f3)" ||
    fail "$ALICE is not in $G_EXTRA"
for c in CapInh CapPrm CapEff CapAmb; do
	assert_eq "$(field "$STR" "$c")" 0000000000000000 "streamer $c"
done
assert_eq "$(field "$STR" NoNewPrivs)" 1 "streamer no_new_privs"
assert_eq "$(field "$STR" TracerPid)" 0 "streamer tracer"
# Not dumpable: its /proc files belong to root, not to the caller.
assert_eq "$(stat -c %u "/proc/$STR/environ")" 0 "streamer environ owner"
assert_eq "$(stat -c %u "/proc/$STR/fd")" 0 "streamer fd dir owner"
fds=$(ls "/proc/$STR/fd" | sort -n | tr '\n' ' ')
assert_eq "$fds" "0 1 2 3 4 " "streamer fds"
for fd in 3 4; do
	assert_match "$(readlink "/proc/$STR/fd/$fd")" '^pipe:' "streamer fd $fd"
done
for p in "/proc/$MON/fd/"*; do
	fd=${p##*/}
	case $(readlink "/proc/$MON/fd/$fd") in
	*"$LOGS"* | *jitlog.db* | pipe:* | /dev/null | anon_inode:* | \
	    socket:* | "$T/v.err") ;;
	*) fail "monitor fd $fd: $(readlink "/proc/$MON/fd/$fd")" ;;
	esac
done

step "what the caller cannot do to either"
expect_in "1 2" as "$ALICE" kill -STOP "$MON"
expect_in "1 2" as "$ALICE" kill -TERM "$MON"
for f in environ mem maps; do
	expect 1 as "$ALICE" cat "/proc/$STR/$f"
	expect 1 as "$ALICE" cat "/proc/$MON/$f"
done
expect_in "1 2" as "$ALICE" ls "/proc/$STR/fd"
expect_in "1 2" as "$ALICE" ls "/proc/$STR/cwd/"
r as "$ALICE" timeout 10 strace -p "$STR" -o /dev/null
assert_ne "$RC" 0 "strace -p streamer as the caller"
assert_contains "$ERR" "Operation not permitted" "strace -p streamer"
r as "$ALICE" timeout 10 gdb -batch -p "$STR"
assert_no_match "$OUT$ERR" "Attaching to process ${STR}[^0-9]*\$" "gdb"
kill -0 "$MON" || fail "the monitor died"
echo "still running" >>"$LOG"
wait_for_text "$T/v.out" "still running"

step "the streamer dies with the monitor (SIGKILL as root)"
kill -KILL "$MON"
wait "$MON" 2>/dev/null
for ((i = 0; i < 50; i++)); do
	kill -0 "$STR" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$STR" 2>/dev/null && fail "the streamer outlived the monitor"
store_sound

step "the drop, seen with strace; a traced streamer refuses to run"
r strace -f -o "$T/trace" -u "$ALICE" "$JITLOGVIEW" app-debug
assert_eq "$RC" 3 "exit status with a traced streamer"
assert_eq "$OUT" "" "stdout with a traced streamer"
assert_contains "$ERR" "traced" "stderr with a traced streamer"
grep -Eq "setgroups\(0, NULL\) += 0" "$T/trace" || fail "no setgroups(0)"
grep -Eq "setresgid\($gid, $gid, $gid\) += 0" "$T/trace" ||
    fail "no setresgid to $gid"
grep -Eq "setresuid\($uid, $uid, $uid\) += 0" "$T/trace" ||
    fail "no setresuid to $uid"
grep -Eq "setuid\(0\) += -1 EPERM" "$T/trace" || fail "setuid(0) not refused"
grep -Eq "setresuid\(-1, 0, -1\) += -1 EPERM" "$T/trace" ||
    fail "seteuid(0) not refused"
grep -Eq "setgid\(0\) += -1 EPERM" "$T/trace" || fail "setgid(0) not refused"
grep -Eq 'write\(1, ' "$T/trace" && fail "something was written to stdout"
last_event view_close
jq_eq "$EV" .detail.end error

step "fork or pipe failure: nothing shown, exit 3, never streamed by root"
for inj in clone,clone3:error=EAGAIN pipe2:error=EMFILE; do
	r strace -f -o /dev/null -u "$ALICE" -e inject="$inj" \
	    "$JITLOGVIEW" app-debug
	assert_eq "$RC" 3 "exit status with $inj"
	assert_eq "$OUT" "" "stdout with $inj"
	assert_contains "$ERR" "cannot start the output process" "$inj"
	last_event view_close
	jq_eq "$EV" .detail.end error
	jq_eq "$EV" .detail.bytes 0
done

step "root's view: a grant is needed, and the streamer runs as nobody"
expect 1 "$JITLOGVIEW" app-debug
assert_eq "$OUT" "" "root without a grant"
r "$JITADM" request app-debug --reason "root looks" --json
assert_eq "$RC" 0 "root's request"
rid=$(printf '%s' "$OUT" | jq .id)
expect 0 as "$BOB" "$JITADM" approve "$rid"
"$JITLOGVIEW" -f app-debug >"$T/root.out" 2>&1 &
MON=$!
_pids+=("$MON")
streamer_of "$MON"
wait_for_text "$T/root.out" "first line"
assert_eq "$(field "$STR" Uid)" "65534 65534 65534 65534" "root's streamer"
assert_eq "$(field "$STR" Groups)" "" "root's streamer groups"
kill -TERM "$MON"
wait_exit "$MON" 10
store_sound

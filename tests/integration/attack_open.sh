#!/bin/bash
# SPDX-License-Identifier: ISC
#
# Attacks on how jitlogview opens a protected log (SECURITY.md "Opening
# a protected log"), beyond view_files.sh (every kind of unsafe file,
# link and directory, one at a time, and swaps while following):
#  - the race: the caller owns a directory on the log's path and swaps
#    (renameat2 RENAME_EXCHANGE, in a tight loop) the log directory and
#    the log with a directory symlink to a root-only directory, a
#    directory holding a symlink or a hard link to a root-only file, a
#    /proc magic link, a symlink and a FIFO, while 1000 views (and some
#    followers) run: the secret is never shown, every view shows the
#    good log whole or is refused (exit 1), none hangs;
#  - a socket, a symlink and a hard link among a glob's matches: refused,
#    and the listing shows no secret;
#  - names are validated before any lookup: a traversal name or a view
#    without a grant touches no file of the resource (strace as root);
#  - a log truncated while it is being read: no SIGBUS (read, not mmap),
#    nothing but what the file held.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/attack.sh"

attack_setup
VIEWS=${JL_RACE_VIEWS:-1000}
SECRET_TEXT=TOPSECRET-$P
R=$LOGS/race
M=$R/mine
mkdir -m 0700 "$R/secret"
mklog "$R/secret/app.log" "$SECRET_TEXT"
chmod 0600 "$R/secret/app.log"

step "the caller's directory on the path: good log, and what it swaps in"
mkdir -m 0755 "$M" "$M/logs" "$M/e2" "$M/e3" "$M/e4"
printf 'GOOD line 1\nGOOD line 2\n' >"$M/logs/app.log"
chmod 0644 "$M/logs/app.log"
ln -s ../secret "$M/e1"				# the directory: a symlink
ln -s ../../secret/app.log "$M/e2/app.log"	# the file: a symlink
ln "$R/secret/app.log" "$M/e3/app.log"		# the file: a hard link
ln -s "/proc/self/root$R/secret/app.log" "$M/e4/app.log"	# magic
ln -s "/proc/self/root$R/secret" "$M/e5"	# the directory: magic
ln -s ../../secret/app.log "$M/logs/s1"		# swapped with the file
ln "$R/secret/app.log" "$M/logs/h1"
mkfifo -m 0644 "$M/logs/f1"
chown -h "$ALICE":"$ALICE" "$M" "$M/logs" "$M/logs/app.log" "$M/e1" \
    "$M/e2" "$M/e2/app.log" "$M/e3" "$M/e4" "$M/e4/app.log" "$M/e5" \
    "$M/logs/s1" "$M/logs/f1"
active "$ALICE" race
expect 0 as "$ALICE" "$JITLOGVIEW" race
GOOD=$OUT
assert_eq "$GOOD" $'GOOD line 1\nGOOD line 2' "the good log"

mkdir -m 0700 "$T/race"
chown "$ALICE" "$T/race"
cat >"$T/swap.py" <<'EOF'
# Swap each pair and back, forever; count the swaps in ./count.
import ctypes, os, random, signal, sys, time
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD, RENAME_EXCHANGE = -100, 2
os.chdir(sys.argv[1])
pairs = [p.split(":") for p in sys.argv[3:]]
n = 0
stop = False
# SIGTERM only asks: a pair is always swapped back before we exit.
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
while not stop:
    for a, b in pairs:
        if stop:
            break
        for _ in range(2):
            if libc.renameat2(AT_FDCWD, a.encode(), AT_FDCWD, b.encode(),
                              RENAME_EXCHANGE) != 0:
                sys.stderr.write("renameat2 %s %s: %s\n" % (a, b,
                                 os.strerror(ctypes.get_errno())))
                sys.exit(1)
            n += 1
            time.sleep(random.random() * 0.0004)
with open(os.path.join(sys.argv[2], "count"), "w") as f:
    f.write(str(n))
EOF
chmod 0644 "$T/swap.py"

step "the race: $VIEWS views while the caller swaps the path"
as_bg "$ALICE" "$PY" "$T/swap.py" "$M" "$T/race" logs:e1 logs:e2 logs:e3 \
    logs:e4 logs:e5 logs/app.log:logs/s1 logs/app.log:logs/h1 \
    logs/app.log:logs/f1
SWAPPER=$BGPID
followers=()
for i in 1 2 3; do
	as_bg "$ALICE" timeout 60 "$JITLOGVIEW" -f race \
	    >"$T/race/follow.$i.out" 2>"$T/race/follow.$i.err"
	followers+=("$BGPID")
done
# Two viewers side by side (two cores); each view has 20 s at most.
t0=$(date +%s)
workers=()
for w in 1 2; do
	# shellcheck disable=SC2016 # expanded by the inner bash
	as_bg "$ALICE" /bin/bash -c '
	    for ((i = 0; i < $1; i++)); do
		    timeout 20 "$2" race
		    echo "@@rc=$?"
	    done >"$3.out" 2>"$3.err"' _ $((VIEWS / 2)) "$JITLOGVIEW" \
	    "$T/race/w$w"
	workers+=("$BGPID")
done
for p in "${workers[@]}"; do
	wait "$p" || fail "viewer loop $p failed"
done
kill -0 "$SWAPPER" || fail "the swapper stopped early (renameat2 failed?)"
kill -TERM "$SWAPPER"
wait "$SWAPPER"
swaps=$(cat "$T/race/count")
for p in "${followers[@]}"; do
	kill -TERM "$p" 2>/dev/null
	{ wait "$p"; } 2>/dev/null
done
echo "  $VIEWS views in $(($(date +%s) - t0)) s; $swaps swaps"
for f in "$T"/race/*.out "$T"/race/*.err; do
	assert_not_contains "$(cat "$f")" "$SECRET_TEXT" "$(basename "$f")"
done
# Each view: the good log whole, then its status; or a refusal (exit 1)
# with nothing on stdout.
summary=$(cat "$T"/race/w?.out | awk -v good="$GOOD" '
    /^@@rc=/ {
	rc = substr($0, 6)
	if (rc == 0 && buf != good "\n") bad++
	if (rc != 0 && buf != "") bad++
	if (rc != 0 && rc != 1) other++
	n[rc]++; total++; buf = ""; next
    }
    { buf = buf $0 "\n" }
    END { printf "%d %d %d %d %d", total, n[0], n[1], bad, other }')
read -r total shown refused bad other <<<"$summary"
echo "  shown whole: $shown, refused: $refused"
assert_eq "$total" "$VIEWS" "views run"
assert_eq "$bad" 0 "views with a partial or refused-but-shown output"
assert_eq "$other" 0 "views that ended other than shown (0) or refused (1)"
grep -v '^jitlogview: ' "$T"/race/w?.err | grep -q . &&
    fail "unexpected stderr: $(grep -v '^jitlogview: ' "$T"/race/w?.err | head -n 3)"
[ "$swaps" -gt 0 ] || fail "no swap happened"
assert_eq "$(readlink "$M/e1")" ../secret "the swapped pairs are back"
expect 0 as "$ALICE" "$JITLOGVIEW" race
assert_eq "$OUT" "$GOOD" "the view after the race"
assert_eq "$(sql 'select count(*) from views where closed_at = 0')" 0 \
    "views left open"
store_sound

step "a socket, a symlink and a hard link among a glob's matches"
mklog "$LOGS/multi/a.log" "multi a"
mklog "$LOGS/multi/trace-1.log" "multi trace 1"
"$PY" -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' \
    "$LOGS/multi/trace-sock.log" || fail "cannot make a socket"
ln -s "$R/secret/app.log" "$LOGS/multi/trace-link.log"
ln "$R/secret/app.log" "$LOGS/multi/trace-hard.log"
active "$ALICE" multi
expect 0 as "$ALICE" "$JITLOGVIEW" multi trace-1.log
assert_eq "$OUT" "multi trace 1" "trace-1.log"
for name in trace-sock.log trace-link.log trace-hard.log \
    "$LOGS/multi/trace-sock.log"; do
	expect 1 as "$ALICE" timeout 20 "$JITLOGVIEW" multi "$name"
	assert_eq "$OUT" "" "stdout of multi $name"
	assert_match "$ERR" '^jitlogview: ' "stderr of multi $name"
done
expect 2 as "$ALICE" "$JITLOGVIEW" multi
assert_not_contains "$OUT$ERR" "$SECRET_TEXT" "the listing of multi"
expect 0 as "$ALICE" "$JITLOGVIEW"
assert_contains "$OUT" "trace-sock.log (unavailable" "the listing"
assert_not_contains "$OUT" "$SECRET_TEXT" "the listing"

step "names are validated before any lookup (strace, as root)"
r "$JITADM" request ops-debug --reason "root looks" --json
assert_eq "$RC" 0 "root's request"
rid=$(printf '%s' "$OUT" | jq .id)
expect 0 as "$BOB" "$JITADM" approve "$rid"
files=%file,openat2,readlinkat,statx,newfstatat
for name in ../../../../etc/shadow "../app/debug.log" /etc/shadow \
    "$APPLOG" "$(basename "$OPSLOG")/../../app/debug.log"; do
	r strace -f -qq -e trace="$files" -o "$T/names.trace" \
	    "$JITLOGVIEW" ops-debug "$name"
	assert_eq "$RC" 1 "root's view of ops-debug '$name'"
	assert_eq "$OUT" "" "stdout of ops-debug '$name'"
	grep -v "^[0-9]* *execve(" "$T/names.trace" | grep -E "shadow|/app/" &&
	    fail "jitlogview looked up '$name'"
done
# Without a grant no file of the resource is looked at, not even its
# directory.
r strace -f -qq -e trace="$files" -o "$T/nogrant.trace" "$JITLOGVIEW" app-debug
assert_eq "$RC" 1 "root's view of app-debug (no grant)"
grep -v "^[0-9]* *execve(" "$T/nogrant.trace" | grep -F "$LOGS" &&
    fail "jitlogview looked at the files of a resource without a grant"

step "a log truncated while it is read: no SIGBUS, nothing it did not hold"
RAW=$LOGS/raw/raw.log
head -c $((96 * 1024 * 1024)) /dev/zero | tr '\0' y | fold -w 99 >"$RAW"
chmod 0640 "$RAW"
size=$(stat -c %s "$RAW")
active "$ALICE" raw
mkfifo "$T/tr.fifo"
# (as_bg's redirections are this shell's: open the FIFO read-write first
# so that they do not block, then keep a read-only end.)
exec {rwfd}<>"$T/tr.fifo"
as_bg "$ALICE" "$JITLOGVIEW" raw >"$T/tr.fifo" 2>"$T/tr.err"
vpid=$BGPID
exec {rfd}<"$T/tr.fifo"
exec {rwfd}<&-
head -c $((4 * 1024 * 1024)) <&"$rfd" >"$T/tr.head"
truncate -s 0 "$RAW"
timeout 60 cat <&"$rfd" >"$T/tr.rest" || fail "the view did not end"
exec {rfd}<&-
wait "$vpid"
rc=$?
[ "$rc" -lt 128 ] || fail "jitlogview died of signal $((rc - 128)) on truncation"
assert_match "$rc" '^[03]$' "exit status after truncation"
got=$(($(stat -c %s "$T/tr.head") + $(stat -c %s "$T/tr.rest")))
[ "$got" -le "$size" ] || fail "shown $got bytes of a $size-byte file"
LC_ALL=C grep -qv '^y*$' "$T/tr.head" "$T/tr.rest" &&
    fail "the output holds something the log did not"
echo "  shown $got of $size bytes; stderr: $(head -c 200 "$T/tr.err")"
assert_eq "$(sql 'select count(*) from views where closed_at = 0')" 0 \
    "views left open"
store_sound

#!/bin/bash
# SPDX-License-Identifier: ISC
#
# What jitlogview refuses to open (SECURITY.md "Opening a protected
# log"), with a valid grant, as a real user: traversal names, final and
# intermediate symlinks, magic links, hard links, FIFOs (without
# hanging), directories, devices, world-writable files, files of a
# foreign owner, log directories writable by group or other, writable
# directories above them; and the same when they appear while following:
# a directory swapped for a symlink, a file replaced by a symlink, a
# directory made writable.  Each refusal: exit 1, no content, a
# view_denied event; the listing marks the file unavailable.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/viewlib.sh"

F=$JL_TEST_ROOT/logs/$P/f
VIEW_FILES_PATHS=$(printf '"%s", ' \
    "$F/plain.log" "$F/link.log" "$F/up.log" "$F/hard.log" "$F/fifo.log" \
    "$F/dir.log" "$F/ww.log" "$F/foreign.log" \
    "$JL_TEST_ROOT/logs/$P/flink/plain.log" \
    "/proc/self/root$F/plain.log" "/proc/1/root$F/plain.log" \
    "/proc/self/cwd/x.log" "/dev/zero" \
    "$JL_TEST_ROOT/logs/$P/gw/g.log" "$JL_TEST_ROOT/logs/$P/ow/o.log" \
    "$JL_TEST_ROOT/logs/$P/st/s.log" "$JL_TEST_ROOT/logs/$P/wp/sub/w.log" \
    "$JL_TEST_ROOT/logs/$P/swap/sw.log" "$F/repl.log")
VIEW_FILES_PATHS=${VIEW_FILES_PATHS%, }
view_setup

SECRET=$LOGS/secret/secret.log
mkdir -m 0700 "$LOGS/secret"
mklog "$SECRET" 0600 <<<"TOPSECRET root only"
mklog "$F/plain.log" <<<"plain content"
ln -s "$SECRET" "$F/link.log"
ln -s ../secret/secret.log "$F/up.log"
ln "$SECRET" "$F/hard.log"
mkfifo -m 0600 "$F/fifo.log"
mkdir "$F/dir.log"
mklog "$F/ww.log" 0666 <<<"TOPSECRET world-writable"
mklog "$F/foreign.log" 0644 <<<"TOPSECRET planted"
chown "$MALLORY" "$F/foreign.log"
ln -s "$F" "$LOGS/flink"
for d in gw ow st wp wp/sub swap; do
	mkdir -p "$LOGS/$d"
done
chmod 0775 "$LOGS/gw"
chmod 0757 "$LOGS/ow"
chmod 1777 "$LOGS/st"
chmod 0777 "$LOGS/wp"
chmod 0755 "$LOGS/wp/sub" "$LOGS/swap"
mklog "$LOGS/gw/g.log" <<<"TOPSECRET in a group-writable directory"
mklog "$LOGS/ow/o.log" <<<"TOPSECRET in an other-writable directory"
mklog "$LOGS/st/s.log" <<<"TOPSECRET in a sticky world-writable directory"
mklog "$LOGS/wp/sub/w.log" <<<"TOPSECRET below a world-writable directory"
mklog "$LOGS/swap/sw.log" <<<"swap one"
mklog "$F/repl.log" <<<"repl one"

grant_for "$ALICE" files 1h

# refused ARGS...: exit 1, no content, a view_denied event (unsafe or
# not in the resource).
refused() {
	local n0
	n0=$(count_events)
	expect 1 timeout 20 setpriv --reuid="$ALICE" \
	    --regid="$(id -g "$ALICE")" --init-groups --reset-env -- \
	    "$JITLOGVIEW" files "$@"
	assert_eq "$OUT" "" "stdout of files $*"
	assert_match "$ERR" '^jitlogview: ' "stderr of files $*"
	last_event view_denied
	jq_eq "$EV" .actor "$ALICE"
	[ "$(count_events)" -gt "$n0" ] || fail "no event for files $*"
	printf '%s' "$VE" | jq -e --argjson n "$ok_opens" \
	    'map(select(.event == "view_open")) | length == $n' >/dev/null ||
	    fail "a view_open for files $*"
}

step "the safe file opens"
expect 0 view "$ALICE" files "$F/plain.log"
assert_eq "$OUT" "plain content" "plain.log"
expect 0 as "$BOB" "$JITADM" revoke "$GID"
view_events
printf '%s' "$VE" | jq -e 'map(select(.event == "view_open")) | length == 1' \
    >/dev/null || fail "expected one view_open"
grant_for "$ALICE" files 1h
ok_opens=1

step "traversal: names that are not the resource's files"
for name in ../secret/secret.log "$SECRET" plain.log/../../secret/secret.log \
    "$F/../secret/secret.log" "$F/./plain.log" secret.log "/etc/shadow" \
    "$F"; do
	n0=$(count_events)
	expect 1 view "$ALICE" files "$name"
	assert_eq "$OUT" "" "stdout for $name"
	last_event view_denied
	jq_eq "$EV" .detail.reason "file not in the resource"
done

step "symlinks (final, relative, intermediate) and magic links"
refused link.log
assert_contains "$ERR" "symbolic" "final symlink"
refused up.log
refused "$LOGS/flink/plain.log"
refused "/proc/self/root$F/plain.log"
refused "/proc/1/root$F/plain.log"
refused /proc/self/cwd/x.log
last_event view_denied
jq_eq "$EV" .detail.reason "unsafe file"

step "hard links, FIFOs (no hang), directories, devices"
refused hard.log
assert_contains "$ERR" "hard links" "hard link"
refused fifo.log
assert_contains "$ERR" "FIFO" "fifo"
refused dir.log
refused /dev/zero
assert_contains "$ERR" "device" "device"

step "world-writable and foreign-owned files"
refused ww.log
refused foreign.log

step "writable log directories and writable directories above"
refused g.log
assert_contains "$ERR" "writable by group or other" "group-writable dir"
refused o.log
refused s.log
refused w.log
assert_contains "$ERR" "$LOGS/wp" "world-writable parent"

step "the listing shows them unavailable"
expect 0 view "$ALICE"
assert_match "$OUT" "  $F/plain.log"$'\n' "listing: plain.log available"
for f in "$F/link.log" "$F/hard.log" "$F/fifo.log" "$LOGS/gw/g.log" \
    "$LOGS/wp/sub/w.log" /dev/zero; do
	assert_contains "$OUT" "  $f (unavailable: " "listing of $f"
done
assert_not_contains "$OUT" TOPSECRET "listing"

step "a directory swapped for a symlink while following: stops, exit 1"
bg_view "$T/sw.out" "$T/sw.err" "$ALICE" -f files sw.log
wait_for_text "$T/sw.out" "swap one"
mkdir -m 0755 "$LOGS/evil"
mklog "$LOGS/evil/sw.log" <<<"TOPSECRET evil twin"
mv "$LOGS/swap" "$LOGS/swap.old"
ln -s "$LOGS/evil" "$LOGS/swap"
wait_exit "$MON" 10
assert_eq "$WRC" 1 "exit status after the swap"
assert_not_contains "$(cat "$T/sw.out")" TOPSECRET "output after the swap"
assert_contains "$(cat "$T/sw.err")" "output stopped" "stderr"
last_event view_close
jq_eq "$EV" .detail.end unsafe
last_event view_denied
rm -f "$LOGS/swap"
mv "$LOGS/swap.old" "$LOGS/swap"

step "a file replaced by a symlink while following: stops, exit 1"
bg_view "$T/re.out" "$T/re.err" "$ALICE" -f files repl.log
wait_for_text "$T/re.out" "repl one"
ln -sf "$SECRET" "$F/repl.log"
wait_exit "$MON" 10
assert_eq "$WRC" 1 "exit status after the replacement"
assert_not_contains "$(cat "$T/re.out")" TOPSECRET "output"

step "a log directory made group-writable while following: stops"
rm -f "$F/repl.log"
mklog "$F/repl.log" <<<"repl two"
bg_view "$T/gw.out" "$T/gw.err" "$ALICE" -f files repl.log
wait_for_text "$T/gw.out" "repl two"
chmod 0775 "$F"
wait_exit "$MON" 10
chmod 0755 "$F"
assert_eq "$WRC" 1 "exit status after chmod g+w"
assert_contains "$(cat "$T/gw.err")" "writable by group or other" "stderr"
store_sound

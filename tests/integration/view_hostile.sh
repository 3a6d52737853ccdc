#!/bin/bash
# SPDX-License-Identifier: ISC
#
# A hostile log (SPEC section 5, SECURITY.md "Output"): escape sequences
# (OSC title and clipboard, CSI), C0 and C1 controls (raw and UTF-8),
# carriage returns, bidi and invisible characters, and invalid UTF-8 all
# come out visible, as valid UTF-8 that no terminal interprets; viewed in
# a real tmux, the pane title stays as it was (while cat of the same file
# changes it: the check works).  Long lines are cut after redaction, a
# secret across the cut is not shown, and a 512 MiB line without a
# newline is shown in bounded memory.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/viewlib.sh"

command -v tmux >/dev/null || fail "tmux not installed"
view_setup
LOG=$LOGS/app/debug.log
E=$'\033'
{
	printf 'title %s]0;pwned-title\a and %s]2;pwned-2%s\\ end\n' "$E" "$E" "$E"
	printf 'clipboard %s]52;c;cHduZWQ=\a end\n' "$E"
	printf 'csi %s[2J%s[H%s[31mred%s[0m %s[?1049h end\n' "$E" "$E" "$E" "$E" "$E"
	printf 'c1 raw \x9b31m \x9d0;x\x07 utf8 \xc2\x9b \xc2\x9d0;pwned-c1\xc2\x9c end\n'
	printf 'cr hidden\rshown over it, bs \b\b, del \x7f, nul \x00, vt \v ff \f\n'
	printf 'bidi \xe2\x80\xaeevil\xe2\x80\xac \xe2\x81\xa6iso\xe2\x81\xa9 zw\xe2\x80\x8bsp bom \xef\xbb\xbf tag \xf3\xa0\x81\x81\n'
	printf 'invalid \xff \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82 end\n'
	printf 'truncated at the end \xe2\x82'
} | mklog "$LOG"
grant_for "$ALICE" app-debug 1h

step "everything visible, valid UTF-8, nothing a terminal interprets"
as "$ALICE" "$JITLOGVIEW" app-debug >"$T/h.out" 2>"$T/h.err"
assert_eq "$?" 0 "exit status"
utf8_clean "$T/h.out"
out=$(cat "$T/h.out")
for want in 'title \x1b]0;pwned-title\x07 and \x1b]2;pwned-2\x1b\ end' \
    'clipboard \x1b]52;c;cHduZWQ=\x07 end' \
    'csi \x1b[2J\x1b[H\x1b[31mred\x1b[0m \x1b[?1049h end' \
    'c1 raw \x9b31m \x9d0;x\x07 utf8 \u{009B} \u{009D}0;pwned-c1\u{009C} end' \
    'cr hidden\x0dshown over it, bs \x08\x08, del \x7f, nul \x00, vt \x0b ff \x0c' \
    'bidi \u{202E}evil\u{202C} \u{2066}iso\u{2069} zw\u{200B}sp bom \u{FEFF} tag \u{E0041}' \
    'invalid \xff \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82 end' \
    'truncated at the end \xe2\x82'; do
	assert_contains "$out" "$want" "escaped output"
done
LC_ALL=C grep -q $'\r' "$T/h.out" && fail "a carriage return got through"
assert_eq "$(wc -l <"$T/h.out")" 7 "line count (the last has no newline)"

step "in a real terminal (tmux): the pane title does not change"
sock=jlview$P
tmux_cleanup() {
	tmux -L "$sock" kill-server >/dev/null 2>&1
	return 0
}
tmux_exit() {
	local rc=$?
	tmux_cleanup
	(exit "$rc")
	cleanup
}
trap tmux_exit EXIT
cat >"$T/show.sh" <<EOF
#!/bin/sh
printf 'ready\\n'
"\$@"
printf '\\nDONE\\n'
exec sleep 60
EOF
chmod 0755 "$T/show.sh"
tmux -L "$sock" -f /dev/null new-session -d -s view -x 200 -y 50 \
    "setpriv --reuid=$ALICE --regid=$(id -g "$ALICE") --init-groups --reset-env -- $T/show.sh $JITLOGVIEW app-debug" ||
    fail "tmux new-session"
tmux -L "$sock" set-option -g allow-rename on >/dev/null 2>&1
for ((i = 0; i < 100; i++)); do
	tmux -L "$sock" capture-pane -p -t view | grep -q DONE && break
	sleep 0.1
done
pane=$(tmux -L "$sock" capture-pane -p -t view)
assert_contains "$pane" DONE "the pane"
assert_contains "$pane" 'title \x1b]0;pwned-title\x07' "the pane"
title=$(tmux -L "$sock" display -p -t view '#{pane_title}')
assert_not_contains "$title" pwned "pane title after jitlogview"
# The control: cat of the same file does change the title.
cp "$LOG" "$T/hostile.log"
chmod 0644 "$T/hostile.log"
tmux -L "$sock" new-window -t view -n ctl "$T/show.sh cat $T/hostile.log" ||
    fail "tmux new-window"
for ((i = 0; i < 100; i++)); do
	ctl=$(tmux -L "$sock" display -p -t view:ctl '#{pane_title}')
	case $ctl in *pwned*) break ;; esac
	sleep 0.1
done
assert_contains "$ctl" pwned "pane title after cat (the control)"
tmux_cleanup

step "long lines: cut after redaction, the secret across the cut hidden"
JWT=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U
{
	printf 'short line\n'
	head -c 65500 /dev/zero | tr '\0' 'a'
	printf ' %s ' "$JWT"
	head -c 200000 /dev/zero | tr '\0' 'b'
	printf '\nafter the long line\n'
} | mklog "$LOG"
as "$ALICE" "$JITLOGVIEW" app-debug >"$T/long.out" 2>"$T/long.err"
assert_eq "$?" 0 "exit status (long lines)"
# has FIXED: the output holds FIXED (grep, so a failure does not print
# a quarter of a megabyte).
has() {
	grep -qF -- "$1" "$T/long.out"
}
has "short line" || fail "the line before the long one is missing"
has "after the long line" || fail "the line after the long one is missing"
has "[... cut: line of $((65500 + 2 + ${#JWT} + 200000)) bytes]" ||
    fail "no cut marker: $(grep -o '\[\.\.\. cut[^]]*\]' "$T/long.out")"
has " [REDACTED:jwt][... cut" || fail "the redacted JWT is not right before the cut"
for part in "$JWT" eyJhbGci dozjgNry eyJzdWIi bbbb; do
	has "$part" && fail "'$part' shown: a secret across the cut, or past it"
done
last_event view_close
jq_true "$EV" '.detail.redactions.jwt == 1'

step "a 512 MiB line without a newline: shown in bounded memory"
# maxrss CMD...: run CMD; write its exit status and the peak RSS in KiB
# of it and everything it waited for to fd 3.  A small C program, so
# that the measure is not that of a forked interpreter.
cat >"$T/maxrss.c" <<'EOF'
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct rusage ru;
	pid_t pid;
	int st;

	if (argc < 2 || (pid = fork()) < 0)
		return 127;
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || getrusage(RUSAGE_CHILDREN, &ru) < 0)
		return 127;
	dprintf(3, "%d %ld\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128,
	    ru.ru_maxrss);
	return 0;
}
EOF
cc -o "$T/maxrss" "$T/maxrss.c" || fail "cannot compile maxrss.c"
big=$LOGS/raw/raw.log
head -c $((512 * 1024 * 1024)) /dev/zero | tr '\0' 'z' | mklog "$big"
grant_for "$ALICE" raw 1h
VIEW_FILES_PATHS="\"$big\"" view_config
grant_for "$ALICE" files 1h
for res in raw files; do	# without and with the redaction rules
	"$T/maxrss" setpriv --reuid="$ALICE" --regid="$(id -g "$ALICE")" \
	    --init-groups --reset-env -- "$JITLOGVIEW" "$res" \
	    >"$T/rss.out" 2>"$T/rss.err" 3>"$T/rss.txt"
	OUT=$(cat "$T/rss.txt")
	assert_eq "${OUT% *}" 0 "exit status ($res)"
	assert_eq "$(cat "$T/rss.out")" "[... cut: line of 536870912 bytes]" \
	    "output of a 512 MiB line ($res)"
	[ "${OUT#* }" -lt 65536 ] ||
	    fail "peak RSS ${OUT#* } KiB with a 512 MiB line ($res)"
	echo "peak RSS with a 512 MiB line ($res): ${OUT#* } KiB"
done
rm -f "$big"
store_sound

# SPDX-License-Identifier: ISC
# shellcheck shell=bash disable=SC2034 # sets variables its scripts read
#
# Sourced by the tests/integration/view_*.sh scripts after common.sh: the
# cast, logs and config the viewer tests share, and helpers to run
# jitlogview as a user, find its two processes, and wait for them.
#
# view_setup makes:
#   users ALICE (engineer), BOB (approver), MALLORY (outsider);
#   a log tree under $LOGS (root-owned, 0755, removed at exit);
#   resources
#     app-debug  $LOGS/app/debug.log, all built-in redaction rules
#     multi      $LOGS/multi/a.log and $LOGS/multi/trace-*.log
#     raw        $LOGS/raw/raw.log, redact = []
#     unred      $LOGS/unred/u.log, allow_unredacted
#     files      one path per case of view_files.sh ($LOGS/f/...)
#   and an empty store.

[ -x "$JITLOGVIEW" ] || {
	echo "FAIL: $JITLOGVIEW is not installed"
	exit 1
}

LOGS=$JL_TEST_ROOT/logs/$P

# mklog PATH [MODE]: a root-owned log with the text on stdin.
mklog() {
	mkdir -p "$(dirname "$1")"
	cat >"$1" || fail "cannot write $1"
	chown root:root "$1" && chmod "${2:-0640}" "$1" || fail "chmod $1"
}

view_config() {
	write_config <<EOF
# jitlog viewer integration test config ($JL_TNAME)
database = "$JL_DB";
request_ttl = "1h";
resources = (
  { name = "app-debug"; paths = [ "$LOGS/app/debug.log" ];
    requesters = [ "*" ]; approvers = [ "$BOB" ]; max_duration = "4h"; },
  { name = "multi"; paths = [ "$LOGS/multi/a.log", "$LOGS/multi/trace-*.log" ];
    approvers = [ "$BOB" ]; },
  { name = "raw"; paths = [ "$LOGS/raw/raw.log" ]; approvers = [ "$BOB" ];
    redact = [ ]; },
  { name = "unred"; paths = [ "$LOGS/unred/u.log" ]; approvers = [ "$BOB" ];
    allow_unredacted = true; },
  { name = "files"; paths = [ ${VIEW_FILES_PATHS:-"\"$LOGS/f/plain.log\""} ];
    approvers = [ "$BOB" ]; }
);
EOF
}

view_setup() {
	ALICE=${P}alice BOB=${P}bob MALLORY=${P}mallory
	mkuser "$ALICE"
	mkuser "$BOB"
	mkuser "$MALLORY"
	mkdir -p -m 0755 "$LOGS" || fail "mkdir $LOGS"
	chown root:root "$LOGS"
	cleanup_path "$LOGS"
	for d in app multi raw unred f; do
		mkdir -p -m 0755 "$LOGS/$d"
	done
	view_config
	reset_store
}

# grant_for USER RESOURCE [DURATION [REQUEST-ARGS...]]: an approved grant
# (requested by USER for DURATION, approved by BOB); its id in GID.
grant_for() {
	local u=$1 res=$2 dur=${3:-1h}
	shift 2
	[ $# -gt 0 ] && shift
	req "$u" "$res" --reason "integration test" --duration "$dur" "$@"
	GID=$ID
	expect 0 as "$BOB" "$JITADM" approve "$GID"
}

# view USER ARGS...: jitlogview as USER (clean environment); for "expect
# N view USER ARGS...".
view() {
	local u=$1
	shift
	as "$u" "$JITLOGVIEW" "$@"
}

# The view events (view_open, view_close, view_denied) of the store, as
# a JSON array, into VE.
view_events() {
	audit_all
	VE=$(printf '%s' "$A" | jq -c '[.[] | select(.event |
	    startswith("view"))]')
}

# The last view event of kind $1 into EV.
last_event() {
	view_events
	EV=$(printf '%s' "$VE" | jq -c --arg e "$1" \
	    '[.[] | select(.event == $e)] | last')
	[ "$EV" != null ] || fail "no $1 event in the store"
}

# The count of view events so far.
count_events() {
	view_events
	printf '%s' "$VE" | jq length
}

# bg_view OUT ERR USER ARGS...: jitlogview in the background, stdout to
# OUT and stderr to ERR; MON is the monitor's pid (setpriv execs it).
bg_view() {
	local out=$1 err=$2 u=$3
	shift 3
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
	    --reset-env -- "$JITLOGVIEW" "$@" >"$out" 2>"$err" &
	MON=$!
	_pids+=("$MON")
}

# streamer_of PID: the monitor's child (polls up to 5 s); into STR.
streamer_of() {
	local i
	STR=
	for ((i = 0; i < 50; i++)); do
		STR=$(pgrep -P "$1" | head -n 1)
		[ -n "$STR" ] && return 0
		sleep 0.1
	done
	fail "no streamer under $1"
}

# wait_for_text FILE TEXT [SECONDS]: poll until FILE contains TEXT.
wait_for_text() {
	local i n=$((${3:-10} * 10))
	for ((i = 0; i < n; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "'$2' did not appear in $1 within ${3:-10} s: $(tail -c 500 "$1")"
}

# wait_exit PID SECONDS: poll until PID is gone; its exit status in WRC.
wait_exit() {
	local i n=$(($2 * 20))
	for ((i = 0; i < n; i++)); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			WRC=$?
			return 0
		fi
		sleep 0.05
	done
	fail "process $1 still running after $2 s"
}

# utf8_clean FILE: valid UTF-8 and no byte a terminal interprets (C0 but
# \t and \n, DEL, C1 as UTF-8, bidi and invisible format characters).
utf8_clean() {
	iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1 ||
	    fail "$1 is not valid UTF-8"
	if LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$1"; then
		fail "$1 has a C0 control or DEL: $(LC_ALL=C grep -naP \
		    '[\x00-\x08\x0b-\x1f\x7f]' "$1" | head -n 3 | od -c |
		    head -n 5)"
	fi
	if LC_ALL=C.UTF-8 grep -qP '[\x{80}-\x{9f}\x{200b}-\x{200f}\x{202a}-\x{202e}\x{2066}-\x{2069}\x{feff}\x{2028}\x{2029}\x{61c}]' \
	    "$1" 2>/dev/null; then
		fail "$1 has a C1, bidi or invisible character"
	fi
}

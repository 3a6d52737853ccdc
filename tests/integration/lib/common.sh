# SPDX-License-Identifier: ISC
# shellcheck shell=bash disable=SC2034 # sets variables its scripts read
#
# Sourced by every tests/integration/*.sh script.  The scripts run as root
# against the copy of jitlog that lib/install.sh installed under the test
# prefix (ctest passes JL_PREFIX, JL_CONFIG, JL_DB, ...).  This file gives
# them: a skip (77) when not root or not pointed at a test installation;
# throw-away users and groups with a unique prefix, removed on exit with
# everything else the test registered; "as USER CMD" to run a command as
# a real user; the config and store helpers; journald helpers; and
# assertions that stop the test with file:line and the last command's
# output.
#
# Conventions: "r CMD..." runs CMD and sets RC, OUT and ERR; "expect N
# CMD..." does the same and fails unless the exit status is N.  Tests are
# bash scripts without "set -e": every step that matters is asserted.

set -u
umask 022

JL_TEST_ROOT=/var/tmp/jitlog-test

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: integration tests need root"
	exit 77
fi

JL_SRC=${JL_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
JL_PREFIX=${JL_PREFIX:-$JL_TEST_ROOT/prefix}
JL_CONFIG=${JL_CONFIG:-$JL_TEST_ROOT/etc/jitlog.conf}
JL_DB=${JL_DB:-$JL_TEST_ROOT/state/jitlog.db}
JL_PAMDIR=${JL_PAMDIR:-$JL_PREFIX/lib/security}
JITADM=$JL_PREFIX/bin/jitadm
JITLOGVIEW=$JL_PREFIX/bin/jitlogview

# Never run against a real installation: every path must be a test path.
for _p in "$JL_PREFIX" "$JL_CONFIG" "$JL_DB"; do
	case $_p in
	"$JL_TEST_ROOT"/*) ;;
	*)
		echo "SKIP: $_p is not under $JL_TEST_ROOT;" \
		    "integration tests run only in the test build" \
		    "(tools/test.sh configures it)"
		exit 77
		;;
	esac
done
if [ ! -x "$JITADM" ]; then
	echo "FAIL: $JITADM is not installed (did the install fixture run?)"
	exit 1
fi
for _t in jq sqlite3 setpriv; do
	command -v "$_t" >/dev/null || {
		echo "FAIL: $_t not found (run tools/deps.sh)"
		exit 1
	}
done

# One test at a time on this machine, also across ctest runs (several
# build trees may share the test root): the install fixture takes the
# same lock.
[ -d "$JL_TEST_ROOT" ] && [ ! -L "$JL_TEST_ROOT" ] &&
    [ "$(stat -c %u "$JL_TEST_ROOT")" = 0 ] || {
	echo "FAIL: $JL_TEST_ROOT is missing or not root's (install fixture?)"
	exit 1
}
exec 9>>"$JL_TEST_ROOT/.lock"
flock -w 540 9 || {
	echo "FAIL: another integration test holds $JL_TEST_ROOT/.lock:"
	for _p in /proc/[0-9]*; do
		[ "${_p#/proc/}" = $$ ] && continue
		for _f in "$_p"/fd/*; do
			[ "$(readlink "$_f" 2>/dev/null)" = "$JL_TEST_ROOT/.lock" ] &&
			    ps -o pid=,args= -p "${_p#/proc/}"
		done
	done 2>/dev/null | sort -u
	exit 1
}

JL_TNAME=$(basename "$0" .sh)
# Unique, short, lower-case: user names stay well under 32 characters.
P=jlt$(tr -dc 'a-z0-9' </dev/urandom | head -c 5)
T=$(mktemp -d "/tmp/$JL_TNAME.XXXXXX")
chmod 0755 "$T"

_users=()
_groups=()
_paths=()
_pids=()

cleanup() {
	local rc=$? i
	# A test may define on_exit to put things back first.
	if declare -F on_exit >/dev/null; then
		on_exit
	fi
	for i in "${_pids[@]}"; do
		kill "$i" 2>/dev/null
	done
	for i in "${_pids[@]}"; do
		wait "$i" 2>/dev/null
	done
	for i in "${_users[@]}"; do
		userdel -r -f "$i" >/dev/null 2>&1
	done
	for i in "${_groups[@]}"; do
		groupdel "$i" >/dev/null 2>&1
	done
	for i in "${_paths[@]}"; do
		rm -rf -- "$i"
	done
	rm -rf -- "$T"
	if [ "$rc" = 0 ]; then
		echo "PASS: $JL_TNAME"
	elif [ "$rc" != 77 ]; then
		echo "FAIL: $JL_TNAME (exit $rc)"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# fail in a command substitution or background job stops the whole test.
trap 'exit 1' USR1

# ---- reporting ----------------------------------------------------------

# The first caller outside this file: "script:line".
where() {
	local i
	for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
		if [ "${BASH_SOURCE[$i]}" != "${BASH_SOURCE[0]}" ]; then
			echo "$(basename "${BASH_SOURCE[$i]}"):${BASH_LINENO[$((i - 1))]}"
			return
		fi
	done
	echo "?"
}

# fail MSG: stop the test, saying where and what the last command did.
fail() {
	echo "FAIL at $(where): $*" >&2
	if [ -n "${LAST:-}" ]; then
		echo "  last command: $LAST" >&2
		echo "  exit status:  ${RC:-?}" >&2
		printf '  stdout: %s\n' "$(printf '%s' "${OUT:-}" | head -c 2000)" >&2
		printf '  stderr: %s\n' "$(printf '%s' "${ERR:-}" | head -c 2000)" >&2
	fi
	[ "$BASHPID" != "$$" ] && kill -USR1 "$$"
	exit 1
}

# step MSG: a line in the log saying what the test does next.  A
# failure in the new step reports only commands run in it.
step() {
	echo "--- $*"
	LAST=
}

# ---- running commands ---------------------------------------------------

# r CMD...: run CMD, set RC, OUT, ERR (and LAST for messages).
r() {
	LAST=$(printf '%q ' "$@")
	"$@" >"$T/.out" 2>"$T/.err"
	RC=$?
	OUT=$(cat "$T/.out")
	ERR=$(cat "$T/.err")
	return 0
}

# expect N CMD...: r CMD and fail unless it exited N.
expect() {
	local want=$1
	shift
	r "$@"
	[ "$RC" = "$want" ] || fail "expected exit $want, got $RC"
}

# expect_in "N M" CMD...: r CMD and fail unless it exited with one of N M.
expect_in() {
	local want=$1 w
	shift
	r "$@"
	for w in $want; do
		[ "$RC" = "$w" ] && return 0
	done
	fail "expected exit in {$want}, got $RC"
}

# as USER CMD...: CMD as USER (real uid/gid, the user's groups, a clean
# environment), the way a user would run it from a login shell.
as() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
	    --reset-env -- "$@"
}

# as_env USER CMD...: the same, but keep the caller's environment (for
# environment attacks: "as_env mallory env USER=bob ... jitadm ...").
as_env() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups -- "$@"
}

# bg CMD...: run CMD in the background; it is killed at exit.  It does
# not get the test lock (fd 9): a process that outlived the test would
# hold every later test back.
bg() {
	"$@" 9>&- &
	_pids+=($!)
}

# ---- assertions ---------------------------------------------------------

assert_eq() {	# ACTUAL EXPECTED [MSG]
	[ "$1" = "$2" ] || fail "${3:-value}: got '$1', expected '$2'"
}

assert_ne() {	# ACTUAL UNEXPECTED [MSG]
	[ "$1" != "$2" ] || fail "${3:-value}: got '$1', expected anything else"
}

assert_match() {	# STRING ERE [MSG]
	printf '%s' "$1" | grep -Eq -- "$2" ||
	    fail "${3:-output} does not match /$2/: '$1'"
}

assert_no_match() {	# STRING ERE [MSG]
	printf '%s' "$1" | grep -Eq -- "$2" &&
	    fail "${3:-output} matches /$2/: '$1'"
	return 0
}

assert_contains() {	# STRING FIXED [MSG]
	case $1 in
	*"$2"*) ;;
	*) fail "${3:-output} does not contain '$2': '$1'" ;;
	esac
}

assert_not_contains() {	# STRING FIXED [MSG]
	case $1 in
	*"$2"*) fail "${3:-output} contains '$2': '$1'" ;;
	esac
	return 0
}

# The error message convention of SPEC section 4: "jitadm: <what>".
assert_err() {
	assert_match "$ERR" '^jitadm: ' "stderr"
}

# JSON: jq_eq JSON FILTER EXPECTED (compares jq -r output).
jq_eq() {
	local v
	v=$(printf '%s' "$1" | jq -r "$2" 2>&1) ||
	    fail "jq '$2' failed on: $1"
	[ "$v" = "$3" ] || fail "jq '$2': got '$v', expected '$3' in: $1"
}

# jq_true JSON FILTER: the filter must yield true.
jq_true() {
	jq_eq "$1" "$2" true
}

# ---- users and groups ---------------------------------------------------

# mkgroup NAME: a group, removed at exit.
mkgroup() {
	groupadd "$1" || fail "groupadd $1"
	_groups+=("$1")
}

# mkuser NAME [GROUP...]: a user with a home and its own primary group,
# member of the given groups; removed at exit.
mkuser() {
	local u=$1 g
	shift
	useradd -m -U -s /bin/sh "$u" || fail "useradd $u"
	_users+=("$u")
	for g in "$@"; do
		usermod -aG "$g" "$u" || fail "usermod -aG $g $u"
	done
}

# cleanup_path PATH: removed at exit.
cleanup_path() {
	_paths+=("$1")
}

# ---- config and store ---------------------------------------------------

# write_config: stdin (a heredoc) becomes the config, root:root 0644.
write_config() {
	local tmp
	tmp=$(mktemp "$(dirname "$JL_CONFIG")/.jitlog.conf.XXXXXX") ||
	    fail "mktemp for config"
	cat >"$tmp"
	chown root:root "$tmp" && chmod 0644 "$tmp" &&
	    mv -f "$tmp" "$JL_CONFIG" || fail "cannot write $JL_CONFIG"
}

# reset_store: an empty store, created by "jitadm init" as root.
reset_store() {
	rm -f "$JL_DB" "$JL_DB-wal" "$JL_DB-shm" "$JL_DB-journal"
	expect 0 "$JITADM" init
	[ -f "$JL_DB" ] || fail "jitadm init did not create $JL_DB"
}

# sql QUERY: run QUERY on the store as root (read-only by default).
sql() {
	sqlite3 -batch -readonly "$JL_DB" "$1" ||
	    fail "sqlite3 failed: $1"
}

# store_snapshot: every table with its row count, one per line.  Two equal
# snapshots mean nothing was stored in between.
store_snapshot() {
	local t
	for t in $(sql "select name from sqlite_master where type = 'table'
	    and name not like 'sqlite_%' order by name"); do
		echo "$t:$(sql "select count(*) from \"$t\"")"
	done
}

# The audit table: the one with both a seq and a hash column.
audit_table() {
	sql "select m.name from sqlite_master m, pragma_table_info(m.name) p
	    where m.type = 'table' and p.name in ('seq', 'hash')
	    group by m.name having count(*) = 2 limit 1"
}

# store_sound: integrity check passes and the audit chain verifies.
store_sound() {
	local ic
	ic=$(sql 'pragma integrity_check')
	assert_eq "$ic" ok "pragma integrity_check"
	expect 0 "$JITADM" audit verify
}

# ---- grants --------------------------------------------------------------

# req USER RESOURCE ARGS...: request as USER with --json; sets ID and J
# (the grant object).  Fails unless the request succeeded.
req() {
	local u=$1
	shift
	r as "$u" "$JITADM" request "$@" --json
	[ "$RC" = 0 ] || fail "request by $u failed (exit $RC)"
	J=$OUT
	ID=$(printf '%s' "$J" | jq -er '.id') ||
	    fail "request --json printed no id"
}

# gj ID: the grant as root sees it ("show ID --json") into J.
gj() {
	local out
	out=$("$JITADM" show "$1" --json 2>"$T/.gj.err") ||
	    fail "jitadm show $1 --json failed: $(cat "$T/.gj.err")"
	J=$out
}

# assert_state ID STATE
assert_state() {
	local s
	gj "$1"
	s=$(printf '%s' "$J" | jq -r .state)
	[ "$s" = "$2" ] || fail "grant $1 is '$s', expected '$2'"
}

# audit_all: all events as root sees them ("audit --json") into A.
audit_all() {
	local out
	out=$("$JITADM" audit --json 2>"$T/.aj.err") ||
	    fail "jitadm audit --json failed: $(cat "$T/.aj.err")"
	A=$out
}

# ---- journald -------------------------------------------------------------

JOURNAL_SOCKET=/run/systemd/journal/socket

# ensure_journald: make sure a journald listens (start a standalone one,
# left running, when none does).
ensure_journald() {
	local i
	if ! pgrep -x systemd-journal >/dev/null 2>&1; then
		[ -x /lib/systemd/systemd-journald ] ||
		    fail "no journald and /lib/systemd/systemd-journald missing"
		mkdir -p "$JL_TEST_ROOT"
		# It outlives the test: it must not inherit the lock (fd 9),
		# or every later test waits for a lock nobody releases.
		setsid /lib/systemd/systemd-journald </dev/null \
		    >>"$JL_TEST_ROOT/journald.log" 2>&1 9>&- &
	fi
	for ((i = 0; i < 100; i++)); do
		[ -S "$JOURNAL_SOCKET" ] && break
		sleep 0.1
	done
	[ -S "$JOURNAL_SOCKET" ] || fail "journald socket did not appear"
}

# journal_mark: remember when the test started; journal_events reads only
# entries received after that.  (A time, not a cursor: journalctl
# --after-cursor/--cursor with field matches misbehave in systemd 252
# when the entries are spread over the system and per-user files.)
journal_mark() {
	JOURNAL_SINCE_US=$(date +%s%6N)
}

# journal_events MATCH...: entries since journal_mark as JSON lines.
journal_events() {
	journalctl --sync >/dev/null 2>&1
	journalctl -o json --no-pager \
	    --since="@$((JOURNAL_SINCE_US / 1000000 - 1))" "$@" 2>/dev/null |
	    jq -c --argjson t "$JOURNAL_SINCE_US" \
	    'select((.__REALTIME_TIMESTAMP | tonumber) >= $t)'
}

# journal_wait N MATCH...: poll (at most 10 s) until at least N entries
# match; prints them.
journal_wait() {
	local n=$1 i out=
	shift
	for ((i = 0; i < 50; i++)); do
		out=$(journal_events "$@")
		if [ "$(printf '%s' "$out" | grep -c '^{')" -ge "$n" ]; then
			printf '%s\n' "$out"
			return 0
		fi
		sleep 0.2
	done
	printf '%s\n' "$out"
	return 1
}

# ---- the standard cast ----------------------------------------------------

# std_setup: groups eng, leads, admins, auditors; users
#   ALICE (eng)      the engineer who asks
#   BOB, CAROL (leads, and eng)  approvers
#   DAVE (admins)    may grant directly, revoke any, read audit
#   ERIN (auditors)  may read audit
#   MALLORY (none)   an outsider
# a config with "app-debug" (1 approval), "db-debug" (2 approvals) and
# "ops-debug" (anyone may ask; root and leads approve); an empty store.
std_setup() {
	G_ENG=${P}eng G_LEADS=${P}leads G_ADMINS=${P}adm G_AUDIT=${P}aud
	ALICE=${P}alice BOB=${P}bob CAROL=${P}carol DAVE=${P}dave
	ERIN=${P}erin MALLORY=${P}mallory
	mkgroup "$G_ENG"
	mkgroup "$G_LEADS"
	mkgroup "$G_ADMINS"
	mkgroup "$G_AUDIT"
	mkuser "$ALICE" "$G_ENG"
	mkuser "$BOB" "$G_LEADS" "$G_ENG"
	mkuser "$CAROL" "$G_LEADS" "$G_ENG"
	mkuser "$DAVE" "$G_ADMINS"
	mkuser "$ERIN" "$G_AUDIT"
	mkuser "$MALLORY"
	std_config
	reset_store
}

std_config() {
	write_config <<EOF
# jitlog integration test config ($JL_TNAME)
database = "$JL_DB";
admins = [ "%$G_ADMINS" ];
auditors = [ "%$G_AUDIT" ];
request_ttl = "1h";
remind_before = "5m";

resources = (
  {
    name = "app-debug";
    description = "Application debug log";
    paths = [ "$JL_TEST_ROOT/logs/app/debug.log" ];
    requesters = [ "%$G_ENG" ];
    approvers = [ "%$G_LEADS" ];
    approvals = 1;
    default_duration = "1h";
    max_duration = "4h";
  },
  {
    name = "db-debug";
    description = "Database debug log (two approvals)";
    paths = [ "$JL_TEST_ROOT/logs/db/debug.log" ];
    requesters = [ "%$G_ENG" ];
    approvers = [ "%$G_LEADS" ];
    approvals = 2;
    default_duration = "30m";
    max_duration = "2h";
  },
  {
    name = "ops-debug";
    description = "Operations log: anyone asks, root or leads approve";
    paths = [ "$JL_TEST_ROOT/logs/ops/debug.log" ];
    approvers = [ "root", "%$G_LEADS" ];
    max_duration = "1h";
  }
);
EOF
}

# await_held PID OUT WHAT: wait (at most 10 s) until the holder PID has
# written "held" to OUT; fail, with what it said, if it exits first.
await_held() {
	local i
	for ((i = 0; i < 200; i++)); do
		grep -qx held "$2" 2>/dev/null && return 0
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	fail "could not hold $3: $(cat "$2")"
}

# hold_lock: a sqlite3 shell holds the store's write lock (BEGIN
# IMMEDIATE) until release_lock.  The shell says "held" once it has the
# lock; -bail makes it exit, not say so, if it cannot get it.
hold_lock() {
	rm -f "$T/lockfifo" "$T/lock.out"
	mkfifo "$T/lockfifo"
	sqlite3 -bail -cmd ".timeout 5000" "$JL_DB" <"$T/lockfifo" \
	    >"$T/lock.out" 2>&1 &
	LOCKPID=$!
	_pids+=("$LOCKPID")
	exec {LOCKFD}>"$T/lockfifo"
	printf "BEGIN IMMEDIATE;\nSELECT 'held';\n" >&"$LOCKFD"
	await_held "$LOCKPID" "$T/lock.out" "the store's write lock"
}

release_lock() {
	printf 'ROLLBACK;\n' >&"$LOCKFD"
	exec {LOCKFD}>&-
	wait "$LOCKPID" 2>/dev/null
}

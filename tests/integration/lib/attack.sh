# SPDX-License-Identifier: ISC
# shellcheck shell=bash disable=SC2034 # sets variables its scripts read
#
# Sourced after common.sh by the attack_*.sh integration tests (one per
# section of SECURITY.md): the cast and config of common.sh's std_setup
# plus protected logs the viewer can show, and what attacks need on top
# of common.sh: a program started in the background as a user with its
# own pid (no shell in between, so signals and /proc reach it), a held
# store lock, byte flips, fault injection, and a check that every grant
# and the audit trail agree after an attack.

PY=/usr/bin/python3

# attack_setup: std_setup's users and groups, an empty store, and a
# config whose resources point at root-owned logs under $LOGS:
#   app-debug  (eng ask, leads approve)   $LOGS/app/debug.log
#   ops-debug  (anyone asks; root or leads approve, max 1h)
#              $LOGS/ops/debug.log
#   multi      (anyone; leads)            $LOGS/multi/{a.log,trace-*.log}
#   raw        (anyone; leads; redact = [])  $LOGS/raw/raw.log
#   race       (anyone; leads)            $LOGS/race/mine/logs/app.log,
#              where $LOGS/race/mine belongs to MALLORY (made by the
#              tests that use it)
# APPLOG, OPSLOG: the two main logs, with a known content (APP_TEXT,
# OPS_TEXT).
attack_setup() {
	std_setup
	LOGS=$JL_TEST_ROOT/logs/$P
	cleanup_path "$LOGS"
	mkdir -p -m 0755 "$LOGS/app" "$LOGS/ops" "$LOGS/multi" "$LOGS/raw" \
	    "$LOGS/race"
	APPLOG=$LOGS/app/debug.log
	OPSLOG=$LOGS/ops/debug.log
	APP_TEXT=$'app line 1\napp line 2 token=s3cr3tvalue\napp line 3'
	OPS_TEXT=$'ops line 1\nops line 2\nops line 3'
	mklog "$APPLOG" "$APP_TEXT"
	mklog "$OPSLOG" "$OPS_TEXT"
	attack_config
}

attack_config() {
	write_config <<EOF
# jitlog attack test config ($JL_TNAME)
database = "$JL_DB";
admins = [ "%$G_ADMINS" ];
auditors = [ "%$G_AUDIT" ];
request_ttl = "1h";

resources = (
  {
    name = "app-debug";
    paths = [ "$APPLOG" ];
    requesters = [ "%$G_ENG" ];
    approvers = [ "%$G_LEADS" ];
    default_duration = "1h";
    max_duration = "4h";
  },
  {
    name = "db-debug";
    paths = [ "$LOGS/db/debug.log" ];
    requesters = [ "%$G_ENG" ];
    approvers = [ "%$G_LEADS" ];
    approvals = 2;
    max_duration = "2h";
  },
  {
    name = "ops-debug";
    paths = [ "$OPSLOG" ];
    approvers = [ "root", "%$G_LEADS" ];
    max_duration = "1h";
  },
  {
    name = "multi";
    paths = [ "$LOGS/multi/a.log", "$LOGS/multi/trace-*.log" ];
    approvers = [ "%$G_LEADS" ];
  },
  {
    name = "raw";
    paths = [ "$LOGS/raw/raw.log" ];
    approvers = [ "%$G_LEADS" ];
    redact = [ ];
  },
  {
    name = "race";
    paths = [ "$LOGS/race/mine/logs/app.log" ];
    approvers = [ "%$G_LEADS" ];
  }
);
EOF
}

# mklog PATH TEXT: a root-owned log 0640 holding TEXT and a newline.
mklog() {
	mkdir -p -m 0755 "$(dirname "$1")"
	printf '%s\n' "$2" >"$1" && chown root:root "$1" && chmod 0640 "$1" ||
	    fail "cannot write $1"
}

# active USER RESOURCE [ARGS...]: USER requests, BOB approves (root for
# BOB's own requests); ID is the active grant.
active() {
	local u=$1
	shift
	req "$u" "$@" --reason "attack test"
	if [ "$u" = "$BOB" ]; then
		expect 0 as "$CAROL" "$JITADM" approve "$ID"
	else
		expect 0 as "$BOB" "$JITADM" approve "$ID"
	fi
}

# as_bg USER CMD...: CMD as USER in the background, exec'd by setpriv so
# that BGPID is CMD's own pid.  Killed at exit.
as_bg() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
	    --reset-env -- "$@" &
	BGPID=$!
	_pids+=("$BGPID")
}

# unchanged CMD...: r CMD; the store must be unchanged (row counts).
unchanged() {
	local before
	before=$(store_snapshot)
	r "$@"
	[ "$(store_snapshot)" = "$before" ] ||
	    fail "the store changed: before: $before; after: $(store_snapshot)"
}

# not_crashed [WHAT]: the last command was not killed by a signal and
# said nothing of a crash.
not_crashed() {
	[ "$RC" -lt 128 ] || fail "${1:-command} died of a signal (exit $RC)"
	assert_no_match "$ERR" 'Segmentation|Aborted|core dumped|AddressSanitizer' \
	    "${1:-command} stderr"
}

# wait_gone PID [TENTHS]: poll until PID has exited (default 10 s).
wait_gone() {
	local i
	for ((i = 0; i < ${2:-100}; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		[ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" = Z ] && return 0
		sleep 0.1
	done
	return 1
}

# children PID: the pids whose parent is PID.
children() {
	ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' '
}

# ---- the store under attack -----------------------------------------------

# hold_gate: another process holds the writers' gate (lib/store.c: a
# lock on the first byte of the -wal file) until release_gate.  A POSIX
# record lock, which conflicts with the programs' OFD lock.
hold_gate() {
	rm -f "$T/gatefifo" "$T/gate.out"
	mkfifo "$T/gatefifo"
	/usr/bin/python3 -c '
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0, 0)
print("held", flush=True)
sys.stdin.read()
' "$JL_DB-wal" <"$T/gatefifo" >"$T/gate.out" 2>&1 &
	GATEPID=$!
	_pids+=("$GATEPID")
	exec {GATEFD}>"$T/gatefifo"
	await_held "$GATEPID" "$T/gate.out" "the writers' gate"
}

release_gate() {
	exec {GATEFD}>&-
	wait "$GATEPID" 2>/dev/null
}

# checkpoint: everything in the main file, no WAL (before copying it).
checkpoint() {
	sqlite3 "$JL_DB" 'pragma wal_checkpoint(TRUNCATE)' >/dev/null ||
	    fail "checkpoint"
}

# flip FILE OFFSET: invert every bit of the byte at OFFSET.
flip() {
	"$PY" - "$1" "$2" <<'EOF' || fail "cannot flip byte $2 of $1"
import sys
path, off = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(off)
    b = f.read(1)
    f.seek(off)
    f.write(bytes([b[0] ^ 0xFF]))
EOF
}

# inject SPEC CMD...: CMD (run by root) under strace fault injection
# (strace -e inject=SPEC); RC, OUT, ERR as with r.
inject() {
	local spec=$1
	shift
	r strace -f -qq -o /dev/null -e inject="$spec" "$@"
}

# grants_consistent: every grant is in a state its audit events explain,
# the grants and request-like events agree, and no decision is recorded
# twice.  (Run after attacks that kill or fail writers half-way.)
grants_consistent() {
	local bad
	audit_all
	expect 0 "$JITADM" list --all --json
	bad=$(jq -n --argjson g "$OUT" --argjson a "$A" '
	    [$g[] | . as $x
	     | ([$a[] | select(.grant_id == $x.id) | .event]) as $ev
	     | def n(e): [$ev[] | select(. == e)] | length;
	     select(
	       (n("request") + n("grant") + n("break_glass") != 1)
	       or (n("deny") > 1) or (n("revoke") > 1) or (n("cancel") > 1)
	       or ($x.state == "pending" and
	           (n("deny") + n("revoke") + n("cancel") != 0
	            or n("approve") >= $x.approvals_required))
	       or ($x.state == "pending" and
	           ($x.approvals | length) != n("approve"))
	       or ($x.state == "active" and
	           (n("deny") + n("revoke") + n("cancel") != 0
	            or (n("grant") == 0 and
	                n("approve") != $x.approvals_required)))
	       or ($x.state == "denied" and n("deny") != 1)
	       or ($x.state == "revoked" and n("revoke") != 1)
	       or ($x.state == "cancelled" and n("cancel") != 1)
	     ) | {id: .id, state: .state, events: $ev}]')
	[ "$bad" = "[]" ] || fail "grants and audit disagree: $bad"
}

# term_start USER: a real terminal (tmux, its socket in TSOCK) whose
# pane runs USER's interactive bash (its pid in TSHELL); the tmux server
# is killed at exit.
term_start() {
	command -v tmux >/dev/null || fail "tmux not found (tools/deps.sh)"
	TSOCK=$T/tmux.sock
	tmux -S "$TSOCK" new-session -d -x 120 -y 20 \
	    "setpriv --reuid=$1 --regid=$(id -g "$1") --init-groups --reset-env -- \
	    /bin/bash --norc -i" || fail "tmux"
	_pids+=("$(tmux -S "$TSOCK" display-message -p '#{pid}')")
	TSHELL=$(tmux -S "$TSOCK" display-message -p '#{pane_pid}')
}

# term_keys KEYS...: type KEYS into the pane (tmux send-keys).
term_keys() {
	tmux -S "$TSOCK" send-keys "$@" || fail "tmux send-keys $*"
}

# term_wait ERE [TRIES]: poll the pane every 0.1 s, at most TRIES times
# (150), until it matches ERE; the pane into PANE, which fail() shows.
term_wait() {
	local i
	for ((i = 0; i < ${2:-150}; i++)); do
		tmux -S "$TSOCK" capture-pane -p | grep -qE -- "$1" && break
		sleep 0.1
	done
	PANE=$(tmux -S "$TSOCK" capture-pane -p)
	LAST="tmux pane" RC=- OUT=$PANE ERR= # what fail() shows
}

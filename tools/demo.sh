#!/bin/bash
# SPDX-License-Identifier: ISC
#
# A narrated demo of jitlog on this machine, run as root after an install
# (tools/quickstart.sh does both).  It says what happens, then runs it:
# an engineer asks for access to a protected debug log, cannot approve
# her own request, an approver says yes, she views the log (redacted),
# a PAM login check lets her in, she gives the access back, it is gone,
# a second request is denied, and the audit trail verifies.
#
# What it creates, all named jitlog-demo*, all removed by
# "tools/demo.sh --remove":
#   users jitlog-demo-alice (engineer) and jitlog-demo-bob (approver),
#   group jitlog-demo-approvers,
#   /etc/jitlog/jitlog.conf -- only if there is none, or if the one there
#     is the demo's (it starts with the "# jitlog demo config" marker),
#   the protected log /var/log/jitlog-demo/app-debug.log.
# Nothing is written into /etc/pam.d: the PAM step reads its service from
# a temporary directory through pam_wrapper.
# The store keeps the demo's grants and audit events: an audit trail is
# not edited after the fact.
#
# Usage: tools/demo.sh [--prepare | --remove]
#   --prepare  only create the users, group, config and log (the install
#              runs "jitadm init", which needs a valid config)
#   --remove   remove what the demo created
# Environment: JITLOG_PREFIX (default /usr/local) where jitlog is
# installed; JITLOG_CONFIG the config path it was built with (default
# /etc/jitlog/jitlog.conf); JITLOG_PAM_MODULE the pam_jitlog.so to use.

# "sh tools/demo.sh" works too: this line is plain sh.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
umask 022

ALICE=jitlog-demo-alice
BOB=jitlog-demo-bob
GROUP=jitlog-demo-approvers
CONF=${JITLOG_CONFIG:-/etc/jitlog/jitlog.conf}
MARKER="# jitlog demo config"
LOGDIR=/var/log/jitlog-demo
LOG=$LOGDIR/app-debug.log
PAMSVC=jitlog-demo
RES=demo-debug
PREFIX=${JITLOG_PREFIX:-/usr/local}
JITADM=$PREFIX/bin/jitadm
JITLOGVIEW=$PREFIX/bin/jitlogview

if [ -t 1 ]; then
	B=$(printf '\033[1m') G=$(printf '\033[32m') R=$(printf '\033[31m')
	N=$(printf '\033[0m')
else
	B='' G='' R='' N=''
fi
surprises=0

# ---- narration ---------------------------------------------------------------

say() {
	printf '\n%s# %s%s\n' "$B" "$*" "$N"
}

# The command line as one would type it: programs by their name, words
# with spaces or quotes in single quotes.
cmdline() {
	local a out=
	for a in "$@"; do
		a=${a#"$PREFIX/bin/"}
		case $a in
		*[!A-Za-z0-9_./:=%+@,-]* | '') a="'${a//\'/\'\\\'\'}'" ;;
		esac
		out="$out${out:+ }$a"
	done
	printf '%s' "$out"
}

# show USER CMD...: print the command as USER would type it, run it as
# USER (root: as is); sets RC.
show() {
	local u=$1
	shift
	printf '%s$ %s\n' "$u" "$(cmdline "$@")"
	if [ "$u" = root ]; then
		"$@"
	else
		setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
		    --reset-env -- "$@"
	fi
	RC=$?
	[ "$RC" = 0 ] || printf '(exit status %d)\n' "$RC"
}

# outcome WANT WHAT: say whether the last command did what it should.
outcome() {
	local want=$1
	shift
	if { [ "$want" = ok ] && [ "$RC" = 0 ]; } ||
	    { [ "$want" = refused ] && [ "$RC" != 0 ]; }; then
		printf '%s-> %s%s\n' "$G" "$*" "$N"
	else
		printf '%s-> UNEXPECTED: %s (exit status %s)%s\n' "$R" "$*" \
		    "$RC" "$N"
		surprises=$((surprises + 1))
	fi
}

die() {
	echo "demo.sh: $*" >&2
	exit 1
}

# ---- setup and removal --------------------------------------------------------

demo_config() {
	cat <<EOF
$MARKER -- written by tools/demo.sh; "tools/demo.sh --remove" deletes it.
# See jitlog.conf(5) and the commented example etc/jitlog.conf.

resources = (
  {
    name = "$RES";
    description = "Demo application debug log (contains secrets)";
    paths = [ "$LOG" ];
    requesters = [ "$ALICE" ];
    approvers = [ "%$GROUP" ];
    approvals = 1;
    default_duration = "15m";
    max_duration = "1h";
    # redact: all built-in rules (jwt, bearer, email, aws-access-key,
    # url-credentials, card-number, secret-assignment) by default.
  }
);
EOF
}

is_demo_config() {
	[ -f "$CONF" ] && head -n 1 "$CONF" | grep -qF "$MARKER"
}

prepare() {
	local esc
	getent group "$GROUP" >/dev/null || groupadd "$GROUP" ||
	    die "groupadd $GROUP"
	for u in "$ALICE" "$BOB"; do
		getent passwd "$u" >/dev/null ||
		    useradd -M -U -s /usr/sbin/nologin -c "jitlog demo" "$u" ||
		    die "useradd $u"
	done
	usermod -aG "$GROUP" "$BOB" || die "usermod $BOB"

	if [ ! -e "$CONF" ] || is_demo_config; then
		mkdir -p "$(dirname "$CONF")"
		chmod 0755 "$(dirname "$CONF")"
		demo_config >"$CONF.tmp" && chown root:root "$CONF.tmp" &&
		    chmod 0644 "$CONF.tmp" && mv -f "$CONF.tmp" "$CONF" ||
		    die "cannot write $CONF"
	elif ! grep -q "\"$RES\"" "$CONF"; then
		die "$CONF exists and is not the demo's; the demo needs its" \
		    "own resource \"$RES\" and will not edit your config"
	fi

	mkdir -p "$LOGDIR"
	chown root:root "$LOGDIR"
	chmod 0750 "$LOGDIR"
	esc=$(printf '\033')
	cat >"$LOG.tmp" <<EOF
$(date -u +%FT%TZ) INFO  checkout started for jane.doe@example.com, cart 42
$(date -u +%FT%TZ) DEBUG upstream call Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U
$(date -u +%FT%TZ) DEBUG db connect postgres://payments:hunter2@db.internal:5432/pay
$(date -u +%FT%TZ) DEBUG charge card 4111 1111 1111 1111 amount 12.00 EUR
$(date -u +%FT%TZ) DEBUG loaded settings password=s3cr3t aws_key AKIAIOSFODNN7EXAMPLE
$(date -u +%FT%TZ) WARN  payment provider slow, retrying (attempt 2)
$(date -u +%FT%TZ) INFO  a hostile line tries to retitle your terminal ${esc}]0;pwned${esc}\\ and clear it ${esc}[2J
$(date -u +%FT%TZ) INFO  checkout done
EOF
	chown root:root "$LOG.tmp" && chmod 0640 "$LOG.tmp" &&
	    mv -f "$LOG.tmp" "$LOG" || die "cannot write $LOG"
}

remove() {
	for u in "$ALICE" "$BOB"; do
		getent passwd "$u" >/dev/null || continue
		if userdel "$u" 2>/dev/null; then
			echo "removed user $u"
		elif userdel -f "$u"; then
			echo "removed user $u (it still had processes running)"
		fi
	done
	if getent group "$GROUP" >/dev/null; then
		groupdel "$GROUP" && echo "removed group $GROUP"
	fi
	if is_demo_config; then
		rm -f "$CONF" && echo "removed $CONF (the demo's)"
	elif [ -e "$CONF" ]; then
		echo "left $CONF alone: it is not the demo's"
	fi
	if [ -d "$LOGDIR" ]; then
		rm -rf "$LOGDIR" && echo "removed $LOGDIR"
	fi
	echo "The store keeps the demo's grants and audit events."
}

# ---- the viewer and PAM steps (run only when those parts are installed) ---

have_viewer() {
	[ -x "$JITLOGVIEW" ] && [ -u "$JITLOGVIEW" ]
}

pam_module() {
	local d
	if [ -n "${JITLOG_PAM_MODULE:-}" ]; then
		echo "$JITLOG_PAM_MODULE"
		return
	fi
	for d in /lib/*-linux-gnu/security /usr/lib/*-linux-gnu/security \
	    /lib/security /usr/lib/security "$PREFIX/lib/security"; do
		if [ -f "$d/pam_jitlog.so" ]; then
			echo "$d/pam_jitlog.so"
			return
		fi
	done
}

have_pam() {
	[ -n "$(pam_module)" ] && command -v pamtester >/dev/null &&
	    ldconfig -p | grep -q 'libpam_wrapper\.so'
}

# view_refused WHY: jitlogview without a valid grant.
view_refused() {
	have_viewer || return 0
	say "jitlogview: $ALICE tries to read the log $1: refused"
	show "$ALICE" "$JITLOGVIEW" "$RES"
	outcome refused "no valid grant, no view"
}

# view_redacted: jitlogview with an active grant.  Secrets are replaced
# by [REDACTED:<rule>], terminal escapes shown as \xNN; the view is
# recorded in the store before the first byte is shown.
view_redacted() {
	have_viewer || return 0
	say "jitlogview: $ALICE lists her grants and viewable files"
	show "$ALICE" "$JITLOGVIEW"
	say "jitlogview: $ALICE reads the log: secrets are redacted," \
	    "escape sequences made visible"
	show "$ALICE" "$JITLOGVIEW" -n 20 "$RES"
	outcome ok "shown, redacted"
}

# pam_check WANT: a login check through the real libpam and
# pam_jitlog (account and session), with pamtester.  The PAM service
# lives in a throw-away directory read through pam_wrapper, so nothing
# is written into /etc/pam.d.
pam_check() {
	local want=$1 mod dir
	have_pam || return 0
	mod=$(pam_module)
	dir=$(mktemp -d /tmp/jitlog-demo-pam.XXXXXX) || return 0
	cat >"$dir/$PAMSVC" <<EOF
account  required  $mod resource=$RES
session  required  $mod resource=$RES
EOF
	printf '%s required pam_deny.so\n' auth account session password \
	    >"$dir/other"
	if [ "$want" = ok ]; then
		say "PAM: a login of $ALICE through pam_jitlog (pamtester):" \
		    "allowed while the grant holds"
	else
		say "PAM: the same login check now: refused"
	fi
	printf 'root$ pamtester %s %s acct_mgmt open_session close_session\n' \
	    "$PAMSVC" "$ALICE"
	LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 \
	    PAM_WRAPPER_SERVICE_DIR="$dir" \
	    pamtester -v "$PAMSVC" "$ALICE" acct_mgmt open_session \
	    close_session 2>&1 | grep -v '^PWRAP_'
	RC=${PIPESTATUS[0]}
	[ "$RC" = 0 ] || printf '(exit status %d)\n' "$RC"
	rm -rf "$dir"
	if [ "$want" = ok ]; then
		outcome ok "login allowed"
	else
		outcome refused "login refused (PAM_PERM_DENIED)"
	fi
}

# ---- the demo -------------------------------------------------------------------

newest_grant() {	# USER: id of USER's newest grant
	"$JITADM" list --all --user "$1" --json | jq -r 'max_by(.id).id // empty'
}

demo() {
	local id id2 start
	[ -x "$JITADM" ] || die "$JITADM not found: build and install first" \
	    "(tools/quickstart.sh), or set JITLOG_PREFIX"
	[ -g "$JITADM" ] || die "$JITADM is not setgid: install it as root"
	prepare
	start=$(date -u '+%Y-%m-%d %H:%M:%S')

	say "jitlog demo: $ALICE (an engineer) needs the protected log" \
	    "$LOG; $BOB (in $GROUP) approves.  Nobody has standing access."
	show root ls -l "$LOG"
	show root "$JITADM" check-config
	show root "$JITADM" init
	outcome ok "the store is ready"

	say "$ALICE cannot read the file herself"
	show "$ALICE" cat "$LOG"
	outcome refused "permission denied"

	say "What may $ALICE ask for?"
	show "$ALICE" "$JITADM" resources

	say "$ALICE asks for 30 minutes, with a reason"
	show "$ALICE" "$JITADM" request "$RES" --duration 30m \
	    --reason "checkout failures since 09:40, INC-1234"
	outcome ok "request recorded, pending approval"
	id=$(newest_grant "$ALICE")
	[ -n "$id" ] || die "no grant found for $ALICE"

	view_refused "before anyone approved"

	say "$ALICE tries to approve her own request"
	show "$ALICE" "$JITADM" approve "$id"
	outcome refused "nobody approves their own request"

	say "$BOB sees what waits for him, and approves -- for 10 minutes only"
	show "$BOB" "$JITADM" list --pending
	show "$BOB" "$JITADM" approve "$id" --duration 10m \
	    --comment "ok, 10 minutes are enough"
	outcome ok "approved: the clock starts now"

	say "$ALICE's grant is active"
	show "$ALICE" "$JITADM" list
	show "$ALICE" "$JITADM" show "$id"

	view_redacted
	pam_check ok

	say "$ALICE is done and gives the access back early"
	show "$ALICE" "$JITADM" revoke "$id" --comment "done, found it"
	outcome ok "revoked"
	show "$ALICE" "$JITADM" show "$id"

	view_refused "after she revoked it"
	pam_check refused

	say "$ALICE asks again; this time $BOB says no"
	show "$ALICE" "$JITADM" request "$RES" --reason "one more look"
	id2=$(newest_grant "$ALICE")
	show "$BOB" "$JITADM" deny "$id2" --comment "not during the release freeze"
	outcome ok "denied"
	show "$ALICE" "$JITADM" list --all

	say "The audit trail: every step, hash-chained; root and auditors read it"
	show root "$JITADM" audit --since "${start/ /T}Z"
	show root "$JITADM" audit verify
	outcome ok "the chain is intact"
	if [ -S /run/systemd/journal/socket ]; then
		say "Each event is in the journal too, with its chain hash"
		journalctl --sync >/dev/null 2>&1
		show root journalctl --no-pager -o cat --since "$start" \
		    SYSLOG_IDENTIFIER=jitadm SYSLOG_IDENTIFIER=pam_jitlog \
		    SYSLOG_IDENTIFIER=jitlogview
	fi

	say "That was jitlog.  Remove the demo users, group, config and log" \
	    "with: tools/demo.sh --remove"
	if [ "$surprises" != 0 ]; then
		echo "${R}demo.sh: $surprises step(s) did not do what they should${N}" >&2
		return 1
	fi
}

[ "$(id -u)" = 0 ] || die "run as root (it creates demo users)"
case ${1:-} in
--remove) remove ;;
--prepare) prepare ;;
"") demo ;;
*)
	echo "usage: tools/demo.sh [--prepare | --remove]" >&2
	exit 2
	;;
esac

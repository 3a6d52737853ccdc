# SPDX-License-Identifier: ISC
# shellcheck shell=bash
#
# Sourced after common.sh by the pam_*.sh integration tests: where the
# installed module is, and pam_syslog lines read back from the journal.

# pam_setup: PAM_JITLOG (the installed production module); pamtester; a
# /dev/log that reaches journald (created, and removed at exit, only
# when the machine has none), so pam_syslog lines can be checked.
pam_setup() {
	PAM_JITLOG=$JL_PAMDIR/pam_jitlog.so
	[ -f "$PAM_JITLOG" ] || fail "$PAM_JITLOG is not installed"
	[ "$(stat -c %u "$PAM_JITLOG")" = 0 ] || fail "$PAM_JITLOG not root's"
	command -v pamtester >/dev/null || fail "pamtester not found (tools/deps.sh)"
	ensure_journald
	if [ ! -e /dev/log ] && [ ! -L /dev/log ] &&
	    [ -S /run/systemd/journal/dev-log ]; then
		ln -s /run/systemd/journal/dev-log /dev/log ||
		    fail "cannot link /dev/log"
		cleanup_path /dev/log
	fi
}

# syslog_wait TEXT: poll (at most 10 s) for a pam_jitlog syslog line
# (LOG_AUTHPRIV) since journal_mark that contains TEXT.
syslog_wait() {
	local i
	for ((i = 0; i < 50; i++)); do
		if journal_events SYSLOG_FACILITY=10 |
		    jq -r 'select(.MESSAGE | type == "string") | .MESSAGE' |
		    grep -F 'pam_jitlog(' | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# pam_service TAG ARGS...: the service jitlog-TAG-$P (its name in SVC,
# its file in PAMFILE, removed at exit): pam_jitlog with ARGS as the
# account and the session module.
pam_service() {
	local tag=$1
	shift
	SVC=jitlog-$tag-$P
	PAMFILE=/etc/pam.d/$SVC
	cleanup_path "$PAMFILE"
	printf 'account  required %s %s\nsession  required %s %s\n' \
	    "$PAM_JITLOG" "$*" "$PAM_JITLOG" "$*" >"$PAMFILE" ||
	    fail "cannot write $PAMFILE"
}

#!/bin/sh
# SPDX-License-Identifier: ISC
#
# notify-mail.sh -- an example notify_command (jitlog.conf(5)): mails each
# jitlog event to the people it concerns, through the local MTA.
#
#	request, escalate, break_glass	the approvers (and escalate_to) of
#					the resource, who decide or review
#	approve, deny, revoke,		the user whose grant it is
#	expiring, expire
#
# Needs jq(1) and a sendmail(8) from a mail transfer agent (postfix,
# exim4, nullmailer, ...): without an MTA nothing is sent and every event
# is logged as a failed notification.  Install it root-owned:
#
#	install -o root -g root -m 0755 notify-mail.sh \
#	    /usr/local/libexec/jitlog-notify
#	notify_command = "/usr/local/libexec/jitlog-notify";
#
# Principals become addresses: "name" is name@$DOMAIN; "%group" the
# members the group database lists (getent group; users whose primary
# group it is are not listed there, name them in the config if they must
# get mail); "*" nobody.  jitadm runs this with PATH=/usr/bin:/bin only,
# as "nobody" for root's jitadm (the sweep) and as the calling user
# otherwise, and kills it after 10 seconds.  The subject holds only names
# jitlog validated; the body is the event as JSON.
set -eu
set -f # principals hold "*": no globbing of unquoted expansions

DOMAIN=localhost
FROM="jitlog@$DOMAIN"
SENDMAIL=/usr/sbin/sendmail

json=$(cat)
field() {
	printf '%s' "$json" | jq -r "$1 // empty"
}
# Header values: names only (jitlog validated them; this keeps it so).
clean() {
	printf '%s' "$1" | tr -cd 'A-Za-z0-9._@%+-'
}

kind=$(clean "$(field .notify)")
user=$(clean "$(field .user)")
resource=$(clean "$(field .resource)")
grant=$(clean "$(field .grant_id)")

case $kind in
request | escalate | break_glass)
	principals=$(printf '%s' "$json" |
	    jq -r '(.approvers // [])[], (.escalate_to // [])[]')
	;;
*)
	principals=$user
	;;
esac

rcpt=
for p in $principals; do
	case $p in
	'*') ;;
	%*)
		for m in $(getent group "${p#%}" | cut -d: -f4 | tr ',' ' '); do
			rcpt="$rcpt $(clean "$m")@$DOMAIN"
		done
		;;
	*) rcpt="$rcpt $(clean "$p")@$DOMAIN" ;;
	esac
done
# shellcheck disable=SC2086 # one address per word, set -f
rcpt=$(printf '%s\n' $rcpt | sort -u | tr '\n' ' ')
[ -n "${rcpt% }" ] || exit 0

# The addresses go to sendmail one per word (set -f: no globbing).
# shellcheck disable=SC2086
{
	printf 'From: %s\n' "$FROM"
	printf 'To: %s\n' "$(printf '%s' "${rcpt% }" | sed 's/ /, /g')"
	printf 'Subject: [jitlog] %s: grant %s of %s on %s\n' \
	    "$kind" "$grant" "$user" "$resource"
	printf 'Auto-Submitted: auto-generated\n'
	printf 'Content-Type: text/plain; charset=utf-8\n\n'
	printf '%s\n' "$json" | jq .
} | "$SENDMAIL" -oi -f "$FROM" -- ${rcpt% }

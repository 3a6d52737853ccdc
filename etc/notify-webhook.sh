#!/bin/sh
# SPDX-License-Identifier: ISC
#
# notify-webhook.sh -- an example notify_command (jitlog.conf(5)): posts
# each jitlog event, the JSON object jitadm writes on standard input, as
# it is, to a webhook (a chat room, an incident tool, a relay of yours).
#
# Install it root-owned, not writable by others, and point the config at
# it:
#
#	install -o root -g root -m 0755 notify-webhook.sh \
#	    /usr/local/libexec/jitlog-notify
#	notify_command = "/usr/local/libexec/jitlog-notify";
#
# then set WEBHOOK_URL below.  jitadm runs the program with no arguments
# and PATH=/usr/bin:/bin as its whole environment (no proxy variables: add
# --proxy to the curl line if you need one), as "nobody" when root runs
# jitadm (the sweep) and as the calling user otherwise; whatever this
# script can read, that user can read, so do not count on a token in the
# URL staying secret from local users: use an endpoint that only accepts
# posts.  jitadm kills it after 10 seconds; --max-time keeps curl well
# inside that.  A failure (curl exits non-zero) is logged by jitadm as a
# "notify_failed" journal entry and never undoes the action.
#
# The object: {"seq", "at", "event", "grant_id", "actor", "user",
# "resource", "detail", "hash", "notify"}, plus "approvers" and
# "escalate_to" for the kinds request, escalate and break_glass; see
# jitadm(8), NOTIFICATIONS.
set -eu

WEBHOOK_URL="https://hooks.example.com/jitlog"

exec curl --silent --show-error --fail --max-time 8 \
    --header 'Content-Type: application/json' \
    --data-binary @- -- "$WEBHOOK_URL"

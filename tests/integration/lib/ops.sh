# SPDX-License-Identifier: ISC
# shellcheck shell=bash
#
# Sourced after common.sh by the ops_*.sh integration tests (sweep,
# break-glass, extensions, notifications): their config, a notify_command
# that records what it gets, and helpers to wait on real time and to read
# the store.

# ops_config NOTIFY [APP [TOP [MORE]]]: write_config of the standard
# database, admins and auditors, notify_command NOTIFY (none when empty),
# the top-level settings TOP and the resource "app-debug"
# ($JL_TEST_ROOT/logs/app/debug.log, requested by %G_ENG, approved by
# %G_LEADS) with the settings APP, then the resources MORE ("{ ... }",
# comma-separated).  APP, TOP and MORE are config text, lines or empty.
ops_config() {
	local notify="" app="" more=""
	[ -z "$1" ] || notify="notify_command = \"$1\";"
	[ -z "${2:-}" ] || app="    ${2//$'\n'/$'\n'    }"
	[ -z "${4:-}" ] || more=,$'\n'$4
	write_config <<EOF
# $JL_TNAME
database = "$JL_DB";
admins = [ "%$G_ADMINS" ];
auditors = [ "%$G_AUDIT" ];
$notify
${3:-}
resources = (
  {
    name = "app-debug";
    paths = [ "$JL_TEST_ROOT/logs/app/debug.log" ];
    requesters = [ "%$G_ENG" ];
    approvers = [ "%$G_LEADS" ];
$app
  }$more
);
EOF
}

# notify_setup: HOOK, a notify_command that saves every notification in
# NOTES as N.json (the JSON object) and N.meta ("uid=", "gids=", "env=",
# "fds=" with what the hook's open fds point to);
# NOTES is writable by everybody (the hook runs as nobody or the caller).
notify_setup() {
	NOTES=$T/notes
	HOOK=$T/hook.sh
	mkdir -m 1777 "$NOTES" || fail "mkdir $NOTES"
	cat >"$HOOK" <<'EOF'
#!/bin/sh
# Written by tests/integration/lib/ops.sh: keep what jitadm sends.
d=$(dirname "$0")/notes
f=$d/$(date +%s%N).$$
cat >"$f.tmp" || exit 1
{
	echo "uid=$(id -u)"
	echo "gids=$(id -G)"
	printf 'env='
	tr '\0' ' ' </proc/$$/environ
	echo
	echo "fds=$(ls -l /proc/$$/fd | awk 'NF > 9 { print $NF }' | tr '\n' ' ')"
} >"$f.meta"
mv "$f.tmp" "$f.json"
EOF
	chmod 0755 "$HOOK" || fail "chmod $HOOK"
}

# notes KIND [GRANT]: the notifications of KIND (about GRANT) received
# so far, one JSON object per line, oldest first.
notes() {
	local f
	# (Names are nanoseconds since the epoch: the glob's order is time.)
	for f in "$NOTES"/*.json; do
		[ -f "$f" ] || continue
		cat "$f"
		echo
	done | jq -c --arg k "$1" --arg g "${2:-}" \
	    'select(.notify == $k and ($g == "" or (.grant_id | tostring) == $g))'
}

# note_meta KIND [GRANT]: the .meta of the last such notification.
note_meta() {
	local f best=
	for f in "$NOTES"/*.json; do
		[ -f "$f" ] || continue
		if jq -e --arg k "$1" --arg g "${2:-}" \
		    '.notify == $k and ($g == "" or (.grant_id | tostring) == $g)' \
		    "$f" >/dev/null 2>&1; then
			best=${f%.json}
		fi
	done
	[ -n "$best" ] && cat "$best.meta"
}

# wait_until EPOCH: sleep (polling, at most 120 s) until the clock has
# passed EPOCH seconds.
wait_until() {
	local i
	for ((i = 0; i < 1200; i++)); do
		[ "$(date +%s)" -gt "$1" ] && return 0
		sleep 0.1
	done
	fail "the clock did not pass $1"
}

# wait_exit PID TENTHS: poll every 0.1 s, at most TENTHS times, until PID
# (a background job of this shell) has exited; 1 if it still runs.
wait_exit() {
	local i
	for ((i = 0; i < $2; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	! kill -0 "$1" 2>/dev/null
}

# epoch RFC3339: seconds since the epoch.
epoch() {
	date -d "$1" +%s || fail "not a time: $1"
}

# status ID: the grant's stored status (what sweep records), not the
# state shown.
status() {
	sqlite3 -batch -readonly -cmd '.timeout 5000' "$JL_DB" \
	    "select status from grants where id = $1" ||
	    fail "sqlite3: status of $1"
}

# events ID NAME: how many audit events NAME grant ID has.
events() {
	sqlite3 -batch -readonly -cmd '.timeout 5000' "$JL_DB" \
	    "select count(*) from audit where grant_id = $1 and event = '$2'" ||
	    fail "sqlite3: events of $1"
}

# nevents: all audit events.
nevents() {
	sqlite3 -batch -readonly -cmd '.timeout 5000' "$JL_DB" \
	    "select count(*) from audit" || fail "sqlite3: count"
}

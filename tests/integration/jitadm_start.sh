#!/bin/bash
# SPDX-License-Identifier: ISC
#
# How the installed setgid jitadm starts (SECURITY.md "Process start"),
# beyond what jitadm_env.sh covers: a half-privileged run (root under
# no_new_privs, a copy without the setgid bit, as on a nosuid mount) and
# crippling resource limits are refused with exit 3 and store nothing; a
# descriptor the caller leaves open is closed before jitadm touches the
# store; -c is refused through the setgid binary, also for root.
. "$(dirname "$0")/lib/common.sh"

std_setup

# unchanged CMD...: CMD must store nothing.
unchanged() {
	local before
	before=$(store_snapshot)
	r "$@"
	[ "$(store_snapshot)" = "$before" ] ||
	    fail "the store changed: before: $before; after: $(store_snapshot)"
}

step "root under no_new_privs is refused too (exit 3)"
# The kernel ignores the set-id bit: refused like an unprivileged caller.
unchanged setpriv --no-new-privs -- "$JITADM" list
assert_eq "$RC" 3 "exit status of root under no_new_privs"

step "a copy without the setgid bit (as on a nosuid mount) is refused"
cp "$JITADM" "$T/jitadm-copy"
chmod 0755 "$T/jitadm-copy"
unchanged as "$ALICE" "$T/jitadm-copy" request app-debug --reason "copy"
assert_eq "$RC" 3 "exit status without the setgid bit"
assert_contains "$ERR" "not running with its privileges" "stderr"

step "tiny resource limits: a clean refusal, nothing stored"
for lim in "-n 6" "-f 64"; do
	unchanged as "$ALICE" bash -c "ulimit $lim; exec \"\$0\" request \
	    app-debug --reason limits" "$JITADM"
	assert_eq "$RC" 3 "exit status with ulimit $lim"
	assert_err
done

# fds_of PID: "N -> target" for each open descriptor of PID.
fds_of() {
	local f
	for f in "/proc/$1/fd/"*; do
		printf '%s -> %s\n' "${f##*/}" "$(readlink "$f" 2>/dev/null)"
	done
}

step "an inherited descriptor is closed before the store is touched"
marker=$T/inherited-fd-marker
: >"$marker"
chmod 0644 "$marker"
# Hold the store's write lock so that jitadm waits in its busy timeout,
# long enough to look at its descriptors.
hold_lock
# shellcheck disable=SC2016 # expanded by the inner bash
setpriv --reuid="$ALICE" --regid="$(id -g "$ALICE")" --init-groups \
    --reset-env -- bash -c 'exec 7<"$1"; exec "$2" request app-debug \
    --reason "fd test"' _ "$marker" "$JITADM" >/dev/null 2>&1 &
jpid=$!
_pids+=("$jpid")
seen=
for ((i = 0; i < 100; i++)); do
	fds=$(fds_of "$jpid")
	case $fds in
	*"$JL_DB"*)
		seen=$fds
		break
		;;
	esac
	sleep 0.05
done
release_lock
wait "$jpid"
[ -n "$seen" ] || fail "jitadm never opened the store while it was locked"
assert_not_contains "$seen" "$marker" "jitadm's open descriptors"
assert_match "$seen" '^0 -> ' "fd 0"
assert_match "$seen" '^2 -> ' "fd 2"

step "-c through the setgid binary is refused, for root too"
unchanged "$JITADM" -c "$JL_CONFIG" list
assert_eq "$RC" 2 "root with -c through the setgid binary"
assert_contains "$ERR" "-c is only for root" "stderr"

step "the store is sound"
store_sound

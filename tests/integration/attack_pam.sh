#!/bin/bash
# SPDX-License-Identifier: ISC
#
# Attacks on pam_jitlog (SECURITY.md "pam_jitlog"), on the installed
# production module, beyond tests/pam (codes, hygiene and threads of the
# test build through libpam) and pam_pamtester.sh, pam_sshd.sh,
# pam_su.sh (real stacks, fds in the user's shell, a locked store):
#  - the exact return codes of the production module's pam_sm_* (loaded
#    into a real libpam handle): a denial is PAM_PERM_DENIED, an error
#    (bad argument, unknown resource, missing or unsafe config or store,
#    a store of another group, a corrupt or locked store, the writers'
#    gate held beyond the bounded wait) is a failure
#    that is neither PAM_SESSION_ERR (which sudo ignores) nor PAM_IGNORE
#    nor success;
#  - the host's environment (SQLITE_TMPDIR, TMPDIR, HOME in the user's
#    hands, as su keeps them) makes the module read or create nothing the
#    user can write: strace of a whole login;
#  - PAM_RHOST and PAM_TTY never decide, whatever they hold;
#  - pamtester killed with SIGKILL at random points of 20 session opens
#    and closes: integrity_check ok, the chain verifies, every session
#    row has its event.
# shellcheck disable=SC2016 # the broken() calls below quote code for eval
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/attack.sh"
. "$(dirname "$0")/lib/pam.sh"

pam_setup
attack_setup
SVC=jitlog-ap-$P
PAMFILE=/etc/pam.d/$SVC
cleanup_path "$PAMFILE"
active "$ALICE" app-debug
ahome=$(getent passwd "$ALICE" | cut -d: -f6)

cat >"$T/pamcall.py" <<'EOF'
# pamcall.py SERVICE USER PHASES: pam_start (RHOST/TTY from $RHOST/$TTY),
# then pam_acct_mgmt / pam_open_session / pam_close_session for each of
# PHASES (acct,open,close), PAM_SILENT; prints the codes libpam returned.
import ctypes, os, sys
pam = ctypes.CDLL("libpam.so.0")
CONV = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_void_p,
                        ctypes.c_void_p, ctypes.c_void_p)
conv_fn = CONV(lambda n, m, r, d: 19)	# PAM_CONV_ERR
class Conv(ctypes.Structure):
    _fields_ = [("conv", CONV), ("appdata", ctypes.c_void_p)]
conv = Conv(conv_fn, None)
h = ctypes.c_void_p()
if pam.pam_start(sys.argv[1].encode(), sys.argv[2].encode(),
                 ctypes.byref(conv), ctypes.byref(h)) != 0:
    sys.exit("pam_start failed")
for item, var in ((4, "RHOST"), (3, "TTY")):
    if var in os.environ:
        pam.pam_set_item(h, item, os.environb[var.encode()])
fns = {"acct": pam.pam_acct_mgmt, "open": pam.pam_open_session,
       "close": pam.pam_close_session}
codes = [str(fns[p](h, 0x8000)) for p in sys.argv[3].split(",")]
pam.pam_end(h, 0)
print(" ".join(codes))
EOF
chmod 0644 "$T/pamcall.py"
# stack ARGS...: the service runs pam_jitlog with ARGS, then pam_permit:
# so a PAM_IGNORE from pam_jitlog lets the user in, as it would in a
# real stack (pam_u2f CVE-2025-23013), and shows as success.
stack() {
	cat >"$PAMFILE" <<EOT
account  required $PAM_JITLOG $*
account  required pam_permit.so
session  required $PAM_JITLOG $*
session  required pam_permit.so
EOT
}
# call USER PHASES: the codes into CODES.
call() {
	r "$PY" "$T/pamcall.py" "$SVC" "$@"
	[ "$RC" = 0 ] || fail "pamcall.py failed"
	CODES=$OUT
}
PAM_SUCCESS=0 PAM_PERM_DENIED=6 PAM_USER_UNKNOWN=10 PAM_SESSION_ERR=14
# failed WHAT: every code of the last call is a failure other than
# PAM_SESSION_ERR (sudo goes on after it).
failed() {
	local c
	for c in $CODES; do
		case $c in
		"$PAM_SUCCESS" | "$PAM_SESSION_ERR")
			fail "$1: pam_jitlog let it through with $c ($CODES)" ;;
		esac
	done
}

step "the production module's codes: admitted, denied, unknown, exempt"
stack resource=app-debug quiet
call "$ALICE" acct,open,close
assert_eq "$CODES" "0 0 0" "alice with a grant"
call "$MALLORY" acct,open
assert_eq "$CODES" "$PAM_PERM_DENIED $PAM_PERM_DENIED" "mallory without a grant"
call "nobody$P" acct,open
assert_eq "$CODES" "$PAM_USER_UNKNOWN $PAM_USER_UNKNOWN" "an unknown user"
stack resource=ops-debug quiet
call "$ALICE" acct,open
assert_eq "$CODES" "$PAM_PERM_DENIED $PAM_PERM_DENIED" "alice on another resource"
stack resource=app-debug quiet "exempt_group=$(id -gn "$MALLORY")"
call "$MALLORY" acct,open,close
assert_eq "$CODES" "0 0 0" "an exempt user (PAM_IGNORE, then pam_permit)"

step "every error fails closed: never PAM_IGNORE or PAM_SESSION_ERR"
# shellcheck disable=SC2034 # used by the eval'ed commands below
STATE=$(dirname "$JL_DB")
for args in "resource=app-debug frobnicate" "resource=no-such" \
    "resource=app-debug resource=ops-debug" "resource=" "exempt_group=" \
    "resource=app-debug debug=1" "resource=app-debug exempt_group=nosuch$P"; do
	# shellcheck disable=SC2086
	stack quiet $args
	call "$MALLORY" acct,open
	failed "arguments '$args' (mallory)"
	case $args in
	*exempt_group=*) ;;
	*)
		call "$ALICE" acct,open
		failed "arguments '$args' (alice, who holds a grant)"
		;;
	esac
done
stack resource=app-debug quiet
# broken HOW UNDO: break the installation, call, put it back.  (HOW and
# UNDO are eval'ed: single quotes below on purpose.)
broken() {
	eval "$1"
	call "$MALLORY" acct,open
	failed "$1 (mallory)"
	call "$ALICE" acct,open
	failed "$1 (alice, who holds a grant)"
	eval "$2"
}
broken 'mv "$JL_CONFIG" "$T/c"' 'mv "$T/c" "$JL_CONFIG"'
broken 'chmod 0666 "$JL_CONFIG"' 'chmod 0644 "$JL_CONFIG"'
broken 'chown "$ALICE" "$JL_CONFIG"' 'chown root "$JL_CONFIG"'
broken 'echo "x = ;" >>"$JL_CONFIG"' 'sed -i "\$d" "$JL_CONFIG"'
broken 'mv "$JL_DB" "$T/d"' 'mv "$T/d" "$JL_DB"'
broken 'chmod 0666 "$JL_DB"' 'chmod 0660 "$JL_DB"'
broken 'chgrp "$G_ENG" "$JL_DB"' 'chgrp jitlog "$JL_DB"'
broken 'chgrp "$G_ENG" "$STATE"' 'chgrp jitlog "$STATE"; chmod 2770 "$STATE"'
broken 'chmod 0777 "$STATE"' 'chmod 2770 "$STATE"'
checkpoint
cp -a "$JL_DB" "$T/pristine.db"
broken 'flip "$JL_DB" 0' 'cp -a "$T/pristine.db" "$JL_DB"'
broken 'flip "$JL_DB" 100' 'cp -a "$T/pristine.db" "$JL_DB"'
hold_lock
call "$MALLORY" acct,open
failed "a locked store (mallory)"
# alice's account check only reads (WAL readers are not blocked) and may
# pass; her session must be recorded, which cannot happen now.
call "$ALICE" open
release_lock
failed "a locked store (alice's session)"
call "$ALICE" acct,open,close
assert_eq "$CODES" "0 0 0" "alice once everything is back"
# The writers' gate held by another process: the module polls it (no
# timer, no signal handler in its host) and gives up within its bound.
hold_gate
t0=$(date +%s%N)
call "$ALICE" open
t1=$(date +%s%N)
release_gate
failed "the writers' gate held (alice's session)"
[ $(((t1 - t0) / 1000000)) -lt 10000 ] ||
    fail "the session open waited $(((t1 - t0) / 1000000)) ms for the gate"
call "$ALICE" acct,open,close
assert_eq "$CODES" "0 0 0" "alice once the gate is free"
store_sound

step "a hostile host environment: nothing the user can write is read or made"
mkdir -m 0700 "$ahome/tmp"
chown "$ALICE" "$ahome/tmp"
touch "$T/t0"
sleep 1
env SQLITE_TMPDIR="$ahome/tmp" TMPDIR="$ahome/tmp" HOME="$ahome" \
    TZ=":$ahome/tz" LANG=de_DE.UTF-8 LOCPATH="$ahome/tmp" \
    JITLOG_CONFIG="$ahome/evil.conf" \
    strace -f -qq -s 4096 -e trace=%file,openat2 -e status=successful \
    -o "$T/login.trace" pamtester -I rhost=192.0.2.1 "$SVC" "$ALICE" \
    acct_mgmt open_session close_session >"$T/pt.out" 2>&1 ||
    fail "pamtester under a hostile environment: $(cat "$T/pt.out")"
# From the moment the module is loaded: every path it opened or looked
# at, none of them writable by the user.
paths=$(sed -n "\|$PAM_JITLOG|,\$p" "$T/login.trace" |
    grep -Eo '^[0-9]+ +[a-z0-9_]+\((AT_FDCWD, |[0-9]+, )?"[^"]*"' |
    sed -E 's/^[0-9]+ +[a-z0-9_]+\((AT_FDCWD, |[0-9]+, )?"//; s/"$//' |
    grep '^/' | sort -u)
[ -n "$paths" ] || fail "strace saw no file of the module: $(head -c 500 "$T/login.trace")"
for p in $paths; do
	case $p in /proc/* | /run/systemd/journal/*) continue ;; esac
	# The test installation lives under /var/tmp (sticky, writable by
	# all); SQLite lstat()s each directory of the store's path.
	case $JL_TEST_ROOT/ in "$p"/*) continue ;; esac
	# Devices (/dev/urandom is writable by all) and sockets are not files.
	[ -f "$p" ] || [ -d "$p" ] || continue
	as "$ALICE" test -w "$p" && fail "the module used $p, which $ALICE can write: $(grep -F "\"$p\"" "$T/login.trace" | head -n 3)"
done
assert_not_contains "$paths" "$ahome" "paths the module used"
new=$(find "$ahome" -newer "$T/t0" -print)
[ -z "$new" ] || fail "files created in the user's home: $new"

step "PAM_RHOST and PAM_TTY never decide"
# (libpam itself fails every call, module or not, when its audit record
# with RHOST and TTY gets too long for the kernel: about 8 KiB.)
long=$(head -c 2000 /dev/zero | tr '\0' A)
for rhost in "" localhost 127.0.0.1 "$ALICE" root "*" "%$G_ENG" \
    $'evil\e]0;x\a\n\r' "$long" $'\xff\xfe'; do
	RHOST=$rhost TTY=$rhost call "$ALICE" acct,open,close
	assert_eq "$CODES" "0 0 0" "alice with RHOST $(printf '%q' "$rhost" | head -c 40)"
	RHOST=$rhost TTY=$rhost call "$MALLORY" acct,open
	assert_eq "$CODES" "$PAM_PERM_DENIED $PAM_PERM_DENIED" \
	    "mallory with RHOST $(printf '%q' "$rhost" | head -c 40)"
done
assert_eq "$(sql "select count(*) from sessions
    where length(cast(rhost as blob)) > 1024 or length(cast(tty as blob)) > 1024")" 0 \
    "annotations longer than 1024 bytes stored"
store_sound

step "20 session opens and closes killed with SIGKILL at random points"
t0=$(date +%s%N)
pamtester "$SVC" "$ALICE" acct_mgmt open_session close_session >/dev/null 2>&1 ||
    fail "pamtester"
span=$((($(date +%s%N) - t0) / 1000))
[ "$span" -ge 1000 ] || span=1000
for ((i = 0; i < 20; i++)); do
	pamtester -I rhost="k$i" "$SVC" "$ALICE" acct_mgmt open_session \
	    close_session >/dev/null 2>&1 &
	p=$!
	sleep "$(printf '0.%06d' $(((RANDOM * 32768 + RANDOM) % span % 1000000)))"
	kill -9 "$p" 2>/dev/null
	{ wait "$p"; } 2>/dev/null
done
assert_eq "$(sql 'pragma integrity_check')" ok "integrity_check"
store_sound
audit_all
assert_eq "$(printf '%s' "$A" | jq '[.[] | select(.event == "session_open")] | length')" \
    "$(sql 'select count(*) from sessions')" "session rows and session_open events"
assert_eq "$(printf '%s' "$A" | jq '[.[] | select(.event == "session_close")] | length')" \
    "$(sql 'select count(*) from sessions where closed_at > 0')" \
    "closed session rows and session_close events"
call "$ALICE" acct,open,close
assert_eq "$CODES" "0 0 0" "alice after the kills"

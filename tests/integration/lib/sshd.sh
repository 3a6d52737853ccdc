# SPDX-License-Identifier: ISC
# shellcheck shell=bash
#
# Sourced after common.sh and pam.sh by the integration tests that log in
# through a real sshd (pam_sshd.sh, ops_sweep_ssh.sh).

# sshd_setup SVC USER...: a real sshd on a free port of 127.0.0.1 with the
# installed pam_jitlog.so (resource=app-debug) in its account and session
# stacks, under the system's auth, account and session stacks.  OpenSSH
# names its PAM service after its program, so this runs a copy of
# /usr/sbin/sshd named SVC with /etc/pam.d/SVC (the test fails if that
# file exists, as when another run is going on; it is removed at exit).
# Only the USERs may log in, and only with the test's key: their
# passwords are locked and the key is their authorized key.  Call after
# pam_setup and std_setup.  Returns once sshd listens (the test fails if
# it does not) and sets SVC, D (the server's directory; its log is
# $D/log), PORT and SSH, the ssh command with the test's key and no
# prompts or host-key checks: "${SSH[@]}" USER@127.0.0.1 COMMAND.
sshd_setup() {
	local t u h i pamfile

	SVC=$1
	shift
	for t in ssh ssh-keygen /usr/sbin/sshd; do
		command -v "$t" >/dev/null ||
		    fail "$t not found (openssh-server/client)"
	done
	pamfile=/etc/pam.d/$SVC
	[ -e "$pamfile" ] && fail "$pamfile exists: another run is going on?"
	cleanup_path "$pamfile"
	cat >"$pamfile" <<EOF
# written by tests/integration/$JL_TNAME.sh, removed at its end
@include common-auth
account    required     pam_nologin.so
@include common-account
account    required     $PAM_JITLOG resource=app-debug
@include common-session
session    required     $PAM_JITLOG resource=app-debug
EOF

	step "sshd on 127.0.0.1 as $SVC"
	D=$T/sshd
	mkdir -m 0755 "$D"
	mkdir -p /run/sshd
	chmod 0755 /run/sshd
	cp /usr/sbin/sshd "$D/$SVC"
	ssh-keygen -q -t ed25519 -N '' -f "$D/hostkey" || fail "host key"
	ssh-keygen -q -t ed25519 -N '' -f "$D/userkey" || fail "user key"
	# A free port on loopback.
	for ((i = 0; i < 50; i++)); do
		PORT=$((20000 + RANDOM % 20000))
		ss -Hltn "sport = :$PORT" | grep -q . || break
	done
	cat >"$D/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $D/hostkey
PidFile $D/sshd.pid
UsePAM yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PermitRootLogin no
AllowUsers $*
LogLevel VERBOSE
EOF
	"$D/$SVC" -t -f "$D/sshd_config" || fail "sshd -t rejects the config"
	for u in "$@"; do
		usermod -p '*' "$u" || fail "lock password of $u"
		h=$(getent passwd "$u" | cut -d: -f6)
		install -d -m 0700 -o "$u" -g "$u" "$h/.ssh"
		install -m 0600 -o "$u" -g "$u" "$D/userkey.pub" \
		    "$h/.ssh/authorized_keys"
	done
	bg "$D/$SVC" -D -f "$D/sshd_config" -E "$D/log"
	for ((i = 0; i < 100; i++)); do
		ss -Hltn "sport = :$PORT" | grep -q . && break
		sleep 0.1
	done
	ss -Hltn "sport = :$PORT" | grep -q . ||
	    fail "sshd did not listen: $(cat "$D/log")"
	# shellcheck disable=SC2034 # used by the tests that source this
	SSH=(ssh -p "$PORT" -i "$D/userkey" -o BatchMode=yes
	    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
	    -o LogLevel=ERROR -o ConnectTimeout=10)
}

#!/bin/bash
# SPDX-License-Identifier: ISC
#
# The Debian package, installed and removed for real on this machine:
# a build configured for /usr, "cpack -G DEB", "dpkg -i".  The package
# ships plain modes; its postinst must create the jitlog group, give
# jitadm 2755 root:jitlog and jitlogview 4755 root:root (through
# dpkg-statoverride), make /var/lib/jitlog 2770 root:jitlog, create the
# store when a config exists (and say how otherwise), and register the
# journal catalog.  "dpkg -r" must leave no set-id program behind, not
# even through a hard link; "dpkg -P" also removes the state directory.
#
# Skipped (77) on a machine where jitlog is installed for real (a
# package, /usr/bin/jitadm, /etc/jitlog or /var/lib/jitlog that this
# test did not make): it never touches a real installation.
# JL_DEB_BUILD names a build directory to reuse (default: one under the
# test root, kept between runs so that rebuilding is incremental).
. "$(dirname "$0")/lib/common.sh"

BUILD=${JL_DEB_BUILD:-$JL_TEST_ROOT/deb-build}
GROUP=jitlog
ID_REQUEST=aea18c641edd46a99697b8ac8d5d0fc6 # MESSAGE_ID of "request"

for t in dpkg dpkg-deb dpkg-statoverride cpack; do
	command -v "$t" >/dev/null || {
		echo "SKIP: $t not found"
		exit 77
	}
done
if dpkg-query -W -f='${db:Status-Status}' jitlog 2>/dev/null |
    grep -qv '^not-installed$'; then
	echo "SKIP: a jitlog package is installed on this machine"
	exit 77
fi
for p in /usr/bin/jitadm /usr/bin/jitlogview /etc/jitlog /var/lib/jitlog; do
	if [ -e "$p" ] || [ -L "$p" ]; then
		echo "SKIP: $p exists: a real installation, left alone"
		exit 77
	fi
done

# Put the machine back as it was, whatever happened.
on_exit() {
	if dpkg-query -W -f='${db:Status-Status}' jitlog 2>/dev/null |
	    grep -qv '^not-installed$'; then
		dpkg -P jitlog >/dev/null 2>&1
	fi
	rm -rf /etc/jitlog /var/lib/jitlog
	rm -f "${LINK:-}"
}

step "build for /usr and package (cpack -G DEB)"
# A kept build dir made from another source tree cannot be reused.
if [ -f "$BUILD/CMakeCache.txt" ] &&
    ! grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$JL_SRC" "$BUILD/CMakeCache.txt"; then
	rm -rf "$BUILD"
fi
mkdir -p "$BUILD" || fail "mkdir $BUILD"
r cmake -S "$JL_SRC" -B "$BUILD" -DCMAKE_INSTALL_PREFIX=/usr \
    -DBUILD_TESTING=OFF -DJITLOG_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
[ "$RC" = 0 ] || fail "configure failed"
r cmake --build "$BUILD" -j "$(nproc)"
[ "$RC" = 0 ] || fail "build failed"
rm -f "$BUILD"/jitlog_*.deb
r sh -c "cd '$BUILD' && cpack -G DEB"
[ "$RC" = 0 ] || fail "cpack failed"
DEB=$(ls "$BUILD"/jitlog_*.deb) || fail "no .deb made"

step "the package: plain modes, the files in place, maintainer scripts"
r dpkg-deb -c "$DEB"
assert_match "$OUT" ' \./usr/bin/jitadm$'
assert_match "$OUT" ' \./usr/bin/jitlogview$'
assert_match "$OUT" "pam_jitlog\\.so$"
assert_match "$OUT" ' \./usr/lib/systemd/catalog/jitlog\.catalog$'
assert_match "$OUT" ' \./usr/share/man/man8/jitadm\.8\.gz$'
assert_match "$OUT" ' \./usr/share/doc/jitlog/copyright$'
assert_match "$OUT" ' \./usr/share/doc/jitlog/changelog\.gz$'
# No set-id bit ships in the archive: dpkg-statoverride gives them.
printf '%s\n' "$OUT" | grep -E '^-..[sS]|^-.....[sS]' &&
    fail "a set-id file in the archive"
r dpkg-deb -f "$DEB" Package Depends
assert_contains "$OUT" "Package: jitlog"
assert_contains "$OUT" "libsystemd0"
for s in postinst prerm postrm; do
	r dpkg-deb -I "$DEB" "$s"
	[ "$RC" = 0 ] || fail "no $s in the package"
done
# Debian's own checks: no error and no warning.
if command -v lintian >/dev/null; then
	r lintian --fail-on error,warning --tag-display-limit 0 "$DEB"
	[ "$RC" = 0 ] || fail "lintian: $OUT"
fi

step "dpkg -i without a config: modes, state directory, catalog"
expect 0 dpkg -i "$DEB"
assert_contains "$OUT" "then run \"jitadm init\""
getent group "$GROUP" >/dev/null || fail "no group $GROUP"
assert_eq "$(stat -c '%a %U %G' /usr/bin/jitadm)" "2755 root $GROUP" jitadm
assert_eq "$(stat -c '%a %U %G' /usr/bin/jitlogview)" "4755 root root" \
    jitlogview
assert_eq "$(stat -c '%a %U %G' /var/lib/jitlog)" "2770 root $GROUP" \
    /var/lib/jitlog
[ -e /var/lib/jitlog/jitlog.db ] && fail "a store without a config"
r dpkg-statoverride --list /usr/bin/jitadm
assert_eq "$OUT" "root $GROUP 2755 /usr/bin/jitadm" "statoverride"
r journalctl --list-catalog "$ID_REQUEST"
assert_contains "$OUT" "$ID_REQUEST" "journalctl --list-catalog"

step "with a config: jitadm init, then the setgid jitadm works for a user"
U=${P}user
mkuser "$U"
mkdir -m 0755 /etc/jitlog || fail "mkdir /etc/jitlog"
cat >/etc/jitlog/jitlog.conf <<EOF || fail "cannot write the config"
# written by tests/integration/deb.sh
resources = (
  {
    name = "deb-check";
    paths = [ "/var/log/jitlog-deb-check.log" ];
    approvers = [ "root" ];
  }
);
EOF
chmod 0644 /etc/jitlog/jitlog.conf
# Reinstalling runs postinst again: now it creates the store.
expect 0 dpkg -i "$DEB"
assert_eq "$(stat -c '%a %U %G' /var/lib/jitlog/jitlog.db)" \
    "660 root $GROUP" "the store"
assert_eq "$(stat -c '%a %U %G' /usr/bin/jitadm)" "2755 root $GROUP" \
    "jitadm after reinstall"
expect 0 as "$U" /usr/bin/jitadm request deb-check --reason "package test"
expect 0 as "$U" /usr/bin/jitadm list --json
jq_eq "$OUT" 'length' 1
expect 0 /usr/bin/jitadm audit verify
assert_contains "$OUT" "audit chain intact: 1 events"

step "dpkg -r: no set-id program left, not even through a hard link"
LINK=
if [ "$(stat -c %d /usr/bin/jitlogview)" = "$(stat -c %d "$JL_TEST_ROOT")" ]
then
	LINK=$JL_TEST_ROOT/deb-hardlink-jitlogview
	rm -f "$LINK"
	ln /usr/bin/jitlogview "$LINK" || fail "ln"
fi
expect 0 dpkg -r jitlog
[ -e /usr/bin/jitadm ] && fail "/usr/bin/jitadm still there"
[ -e /usr/bin/jitlogview ] && fail "/usr/bin/jitlogview still there"
# (The test root holds the set-id test installations of the suite; the
# hard link made there is checked by itself below.)
left=$(find / -xdev -path "$JL_TEST_ROOT" -prune -o \
    -type f -perm /6000 -name 'jit*' -print 2>/dev/null)
assert_eq "$left" "" "set-id files named jit* after removal"
if [ -n "$LINK" ]; then
	assert_eq "$(find "$LINK" -perm /6000)" "" \
	    "set-id bits on a hard link to jitlogview ($(stat -c %a "$LINK"))"
fi
r dpkg-statoverride --list
assert_not_contains "$OUT" "/usr/bin/jit" "statoverrides after removal"
r journalctl --list-catalog "$ID_REQUEST"
assert_not_contains "$OUT" "$ID_REQUEST" "catalog after removal"
[ -f /var/lib/jitlog/jitlog.db ] || fail "dpkg -r removed the store"

step "dpkg -P: the state directory goes too; the config is the admin's"
expect 0 dpkg -P jitlog
[ -e /var/lib/jitlog ] && fail "/var/lib/jitlog still there after purge"
[ -f /etc/jitlog/jitlog.conf ] || fail "purge removed the admin's config"
r dpkg-query -W -f='${db:Status-Status}' jitlog
assert_ne "$OUT" installed "package status"

#!/bin/bash
# SPDX-License-Identifier: ISC
#
# The "installed" fixture of the integration tests: installs the build
# given as $1 (its real modes: jitadm 2755 root:jitlog, jitlogview 4755
# root:root, state dir 2770 root:jitlog, store 0660 root:jitlog) into the
# test prefix and checks that the modes came out right.  Only a test
# build is installed: one whose prefix, config and store paths all lie
# under /var/tmp/jitlog-test, so the suite never touches a real
# installation.  Everything on the way to the binaries, config and store
# is root-owned and not writable by others, as it must be for setuid and
# setgid programs.  Exit 77 (skipped) when not root or not a test build.
set -u
umask 022

ROOT=/var/tmp/jitlog-test
build=${1:?usage: install.sh BUILD_DIR}

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: installing setuid/setgid programs needs root"
	exit 77
fi

die() {
	echo "install.sh: $*" >&2
	exit 1
}

cache=$build/CMakeCache.txt
[ -f "$cache" ] || die "$cache not found"
cachevar() {
	sed -n "s/^$1:[A-Z]*=//p" "$cache" | head -n 1
}
prefix=$(cachevar CMAKE_INSTALL_PREFIX)
config=$(cachevar JITLOG_CONFIG_PATH)
db=$(cachevar JITLOG_DATABASE_PATH)
pamdir=$(cachevar JITLOG_PAM_DIR)
group=$(cachevar JITLOG_GROUP)
group=${group:-jitlog}

case $(cachevar JITLOG_SANITIZE)$(cachevar JITLOG_FUZZ) in
*ON* | *TRUE* | *YES* | *1*)
	echo "SKIP: a sanitizer or fuzzing build is never installed"
	exit 77
	;;
esac
for p in "$prefix" "$config" "$db" "$pamdir"; do
	case $p in
	"$ROOT"/*) ;;
	*)
		echo "SKIP: $p is not under $ROOT: not a test build" \
		    "(tools/test.sh configures one); refusing to install"
		exit 77
		;;
	esac
done

# /var/tmp is world-writable: someone else could have made $ROOT first.
if [ -e "$ROOT" ] || [ -L "$ROOT" ]; then
	[ -d "$ROOT" ] && [ ! -L "$ROOT" ] || die "$ROOT is not a directory"
	[ "$(stat -c %u "$ROOT")" = 0 ] ||
	    die "$ROOT is not owned by root: remove it and rerun"
else
	mkdir -m 0755 "$ROOT" || die "mkdir $ROOT"
fi
chown root:root "$ROOT" && chmod 0755 "$ROOT" || die "chmod $ROOT"

# Not while an integration test runs (see common.sh).
exec 9>>"$ROOT/.lock"
flock -w 540 9 || die "$ROOT/.lock: another test run holds it"

confdir=$(dirname "$config")
mkdir -p "$confdir" "$prefix" || die "mkdir"
mkdir -p "$ROOT/logs"

# A fresh test store and a minimal valid config for every run: whatever
# an earlier run (or another build tree) left there does not count, and
# "jitadm init" (run by the install) needs a valid config.  Each test
# writes its own config and store afterwards.
rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
tmp=$(mktemp "$confdir/.jitlog.conf.XXXXXX") || die "mktemp"
cat >"$tmp" <<EOF
# jitlog test config written by tests/integration/lib/install.sh;
# each integration test writes its own.
database = "$db";
resources = (
  {
    name = "install-check";
    paths = [ "$ROOT/logs/install-check.log" ];
    approvers = [ "root" ];
  }
);
EOF
rm -rf "$config"	# a file, or what a failed test left (symlink, dir)
chown root:root "$tmp" && chmod 0644 "$tmp" && mv "$tmp" "$config" ||
    die "cannot write $config"

cmake --install "$build" || die "cmake --install $build failed"

# Check what the install made.
fails=0
want() {	# PATH MODE OWNER GROUP
	local got
	got=$(stat -c '%a %U %G' "$1" 2>&1)
	if [ "$got" != "$2 $3 $4" ]; then
		echo "install.sh: $1: got '$got', expected '$2 $3 $4'" >&2
		fails=$((fails + 1))
	else
		echo "ok: $1 $2 $3:$4"
	fi
}
# Every directory from / down to PATH: root-owned, not group/other
# writable (or sticky, like /var/tmp itself).
safe_path() {
	local d=$1 m
	while :; do
		d=$(dirname "$d")
		m=$(stat -c '%u %a' "$d")
		case $m in
		"0 "*) ;;
		*)
			echo "install.sh: $d is not owned by root" >&2
			fails=$((fails + 1))
			;;
		esac
		if [ "$d" != /var/tmp ] && [ "$d" != /tmp ] &&
		    [ -n "$(find "$d" -maxdepth 0 -perm /022)" ]; then
			echo "install.sh: $d is writable by group or other" >&2
			fails=$((fails + 1))
		fi
		[ "$d" = / ] && break
	done
}

want "$prefix/bin/jitadm" 2755 root "$group"
safe_path "$prefix/bin/jitadm"
if [ -e "$prefix/bin/jitlogview" ]; then
	want "$prefix/bin/jitlogview" 4755 root root
fi
if [ -e "$pamdir/pam_jitlog.so" ]; then
	if [ -n "$(find "$pamdir/pam_jitlog.so" -perm /022)" ] ||
	    [ "$(stat -c %u "$pamdir/pam_jitlog.so")" != 0 ]; then
		echo "install.sh: $pamdir/pam_jitlog.so: unsafe mode/owner" >&2
		fails=$((fails + 1))
	fi
	safe_path "$pamdir/pam_jitlog.so"
fi
want "$(dirname "$db")" 2770 root "$group"
want "$db" 660 root "$group"
safe_path "$(dirname "$db")"
want "$config" 644 root root
safe_path "$config"

[ "$fails" = 0 ] || die "$fails problem(s) with the installation"
echo "installed $build into $prefix"

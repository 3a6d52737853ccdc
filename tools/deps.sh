#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Install every Debian 12 package that building jitlog, its tests, the CI
# checks and the demo need.  Run as root.  Packages already installed are
# left alone; apt-get runs only when something is missing, so a second
# run (and a machine without network that has everything) is quick.
set -eu

PACKAGES="
build-essential cmake pkg-config git ca-certificates
libconfig-dev libsqlite3-dev libsodium-dev libsystemd-dev libpam0g-dev
libpcre2-dev
sqlite3 mandoc clang clang-format libclang-rt-14-dev shellcheck
libpam-wrapper libpamtest0-dev libnss-wrapper libuid-wrapper pamtester
openssh-server openssh-client systemd logrotate
jq strace tmux util-linux passwd procps python3 curl
hyperfine perl lintian
"

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: run as root (it installs Debian packages)" >&2
	exit 1
fi

missing=
for p in $PACKAGES; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) || st=
	[ "$st" = installed ] || missing="$missing $p"
done

if [ -z "$missing" ]; then
	echo "deps.sh: all packages are installed"
	exit 0
fi

echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q </dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing </dev/null

#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Quick start on a fresh Debian 12 machine, as root: install the packages,
# build, install (jitadm setgid jitlog, jitlogview setuid root, the PAM
# module, the store under /var/lib/jitlog), then run the narrated demo.
# Remove the demo's users, config and log afterwards with
# "tools/demo.sh --remove"; the installed programs stay.
set -eu

cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
	echo "quickstart.sh: run as root (sudo sh tools/quickstart.sh)" >&2
	exit 1
fi

echo "== installing packages (tools/deps.sh)"
sh tools/deps.sh

echo "== building (cmake -B build && cmake --build build)"
cmake -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$(nproc 2>/dev/null || echo 2)"

# The install runs "jitadm init", which reads the config: the demo's
# config goes in first (only if there is none yet).
echo "== demo users, config and log (tools/demo.sh --prepare)"
bash tools/demo.sh --prepare

echo "== installing (cmake --install build)"
cmake --install build

echo "== the demo (tools/demo.sh)"
exec bash tools/demo.sh

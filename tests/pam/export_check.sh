#!/bin/sh
# SPDX-License-Identifier: ISC
# Export check of the built module(s): the dynamic symbol table defines
# pam_sm_* and nothing else (pam_jitlog.map), and the production module
# carries none of the test build's arguments.
# Usage: export_check.sh PRODUCTION_SO [TEST_SO]
set -eu
fail=0
for so in "$@"; do
	syms=$(nm -D --defined-only "$so" | awk '{ print $NF }')
	[ -n "$syms" ] || { echo "not ok: $so exports nothing"; fail=1; }
	for s in $syms; do
		case $s in
		pam_sm_acct_mgmt|pam_sm_open_session|pam_sm_close_session) ;;
		*) echo "not ok: $so exports $s"; fail=1 ;;
		esac
	done
	for s in pam_sm_acct_mgmt pam_sm_open_session pam_sm_close_session; do
		echo "$syms" | grep -qx "$s" ||
		    { echo "not ok: $so lacks $s"; fail=1; }
	done
	echo "$so: $(echo $syms)"
done
if grep -q -a -e test_config -e test_nojournal "$1"; then
	echo "not ok: $1 (production) knows the test arguments"
	fail=1
fi
exit $fail

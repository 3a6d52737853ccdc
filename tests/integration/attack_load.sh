#!/bin/bash
# SPDX-License-Identifier: ISC
#
# The load test (bench/load/load.py) for a few seconds against the
# installed test build, so that CI runs it: 8 clients mixing requests,
# approvals, denials, revokes, listings, PAM logins and views on one
# store.  No failure other than a documented refusal (no "store is busy"
# reaching a user, no partial view, no PAM denial of a user who holds a
# grant); afterwards integrity_check, audit verify, every grant in the
# state its events say, every view and session closed.  Latency is
# printed, never asserted (a shared CI machine): bench/load/run.sh runs
# the full 32 clients for 60 s and calls a p99 over 250 ms a finding.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/pam.sh"

pam_setup
PY3=/usr/bin/python3
SECS=${JL_LOAD_SECONDS:-8}
CLIENTS=${JL_LOAD_CLIENTS:-8}

step "bench/load/load.py: $CLIENTS clients for $SECS s"
r "$PY3" "$JL_SRC/bench/load/load.py" --jitadm "$JITADM" \
    --jitlogview "$JITLOGVIEW" --pam-module "$PAM_JITLOG" \
    --config "$JL_CONFIG" --db "$JL_DB" --logroot "$JL_TEST_ROOT/logs" \
    --seconds "$SECS" --clients "$CLIENTS"
printf '%s\n' "$OUT" | sed 's/^/  /'
# 0: all well; 1: all well but a p99 over the goal (not asserted here).
assert_match "$RC" '^[01]$' "load.py exit status (3: a failure or a broken store)"
assert_contains "$OUT" ", 0 failures," "load.py summary"
assert_contains "$OUT" "integrity_check ok, audit verify ok" "load.py summary"
assert_no_match "$OUT" '^(FAILURE|BROKEN) ' "load.py report"
store_sound

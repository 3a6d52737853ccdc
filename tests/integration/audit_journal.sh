#!/bin/bash
# SPDX-License-Identifier: ISC
#
# jitadm audit verify --journal (SECURITY.md "Audit"): each event's chain
# hash is also in its journal entry, so a history rewritten in the store
# -- even with the whole chain recomputed, so that plain "audit verify"
# passes -- shows against the journal, and so do rows deleted from the
# end of the chain.  Only entries journald vouches for count (_UID 0 or
# _EXE a jitlog program): forged "logger -t jitadm" entries neither
# confirm nor contradict.  Root only.
. "$(dirname "$0")/lib/common.sh"

command -v python3 >/dev/null || fail "python3 not found (tools/deps.sh)"
ensure_journald
std_setup

# Start on a fresh second: every entry of an earlier store then predates
# the events of this one, as it does in real life.
next_second() {
	local s
	s=$(date +%s)
	while [ "$(date +%s)" = "$s" ]; do
		sleep 0.05
	done
}

# root_grants N: N direct grants by root (trusted entries, _UID=0).
root_grants() {
	local i
	for ((i = 1; i <= $1; i++)); do
		r "$JITADM" grant app-debug --user "$ALICE" \
		    --reason "root grant $i" --json
		[ "$RC" = 0 ] || fail "jitadm grant by root failed"
		ID=$(printf '%s' "$OUT" | jq -er .id) || fail "no grant id"
	done
}

# synced: wait until the journal holds the entry of the store's last event.
synced() {
	local last
	last=$(sql 'select max(seq) from audit')
	journalctl --sync >/dev/null 2>&1
	journal_wait 1 JITLOG_AUDIT_SEQ="$last" >/dev/null ||
	    fail "the entry of seq $last did not reach the journal"
}

# rechain SEQ DETAIL: rewrite the detail of SEQ and recompute the chain
# from there, as someone who can write the store would (the encoding of
# include/jitlog/audit.h).
rechain() {
	python3 - "$JL_DB" "$1" "$2" <<'EOF' || fail "rechain failed"
import hashlib, sqlite3, sys

db, start, detail = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def length(n):
    return n.to_bytes(8, "big")

def integer(v):
    return length(8) + (v & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")

def text(s):
    if s is None:
        return length(0xFFFFFFFFFFFFFFFF)
    b = s.encode()
    return length(len(b)) + b

con = sqlite3.connect(db)
con.execute("DROP TRIGGER IF EXISTS audit_no_update")
rows = con.execute("SELECT seq, at, event, grant_id, actor, user, resource,"
                   " detail, hash FROM audit ORDER BY seq").fetchall()
prev = bytes(32)
for seq, at, event, gid, actor, user, res, det, h in rows:
    if seq < start:
        prev = bytes.fromhex(h)
        continue
    if seq == start:
        det = detail
    prev = hashlib.blake2b(prev + integer(seq) + integer(at) + text(event) +
                           integer(gid or 0) + text(actor) + text(user) +
                           text(res) + text(det), digest_size=32).digest()
    con.execute("UPDATE audit SET detail = ?, hash = ? WHERE seq = ?",
                (det, prev.hex(), seq))
con.commit()
con.close()
EOF
}

step "an empty store has nothing to contradict"
expect 0 "$JITADM" audit verify --journal
assert_contains "$OUT" "audit chain intact: 0 events"
assert_contains "$OUT" "journal: 0 events"
assert_contains "$OUT" "journal: consistent with the store"

step "a consistent store verifies against the journal"
journal_mark
next_second
root_grants 3
expect 0 "$JITADM" revoke "$ID"
req "$ALICE" app-debug --reason "alice asks"
expect 0 as "$BOB" "$JITADM" approve "$ID"
synced
expect 0 "$JITADM" audit verify --journal
assert_contains "$OUT" "audit chain intact: 6 events"
assert_contains "$OUT" "journal: consistent with the store"
expect 0 "$JITADM" audit verify --journal --json
J=$OUT
jq_true "$J" .intact
jq_true "$J" .journal.consistent
jq_eq "$J" .journal.events 6
# The four events of root are confirmed; those of alice and bob are
# confirmed when journald caught their jitadm's _EXE, unconfirmed else.
jq_true "$J" '.journal.confirmed >= 4'
jq_eq "$J" '.journal.confirmed + .journal.unconfirmed' 6
jq_eq "$J" .journal.missing 0
jq_eq "$J" .journal.inconsistencies 0

step "only root cross-checks with the journal"
for u in "$ERIN" "$DAVE"; do
	expect 1 as "$u" "$JITADM" audit verify --journal
	assert_err
	assert_contains "$ERR" "root only"
	assert_eq "$OUT" "" "stdout"
done
expect 0 as "$ERIN" "$JITADM" audit verify
expect 2 "$JITADM" audit --journal
expect 2 "$JITADM" audit verify --journal --journal

step "forged entries neither confirm nor contradict"
h2=$(sql 'select hash from audit where seq = 2')
bogus=$(printf 'f%.0s' $(seq 64))
exe=$(readlink -f "$JITADM")
as "$MALLORY" logger --journald <<EOF || fail "logger failed"
MESSAGE=forged
SYSLOG_IDENTIFIER=jitadm
_UID=0
_EXE=$exe
JITLOG_EVENT=grant
JITLOG_AUDIT_SEQ=2
JITLOG_AUDIT_HASH=$bogus
EOF
as "$MALLORY" logger --journald <<EOF || fail "logger failed"
MESSAGE=forged
SYSLOG_IDENTIFIER=jitadm
JITLOG_EVENT=grant
JITLOG_AUDIT_SEQ=9
JITLOG_AUDIT_HASH=$bogus
EOF
journal_wait 2 JITLOG_AUDIT_SEQ=2 >/dev/null || fail "forged seq 2 not seen"
journal_wait 1 JITLOG_AUDIT_SEQ=9 >/dev/null || fail "forged seq 9 not seen"
assert_ne "$h2" "$bogus" "seq 2 hash"
expect 0 "$JITADM" audit verify --journal
assert_contains "$OUT" "1 conflicting entries from untrusted senders ignored"
assert_contains "$OUT" "journal: consistent with the store"
expect 0 "$JITADM" audit verify --journal --json
jq_true "$OUT" .journal.consistent
jq_eq "$OUT" .journal.untrusted_conflicts 1
jq_eq "$OUT" .journal.deleted_from_end 0

step "history rewritten in the store with a recomputed chain"
rechain 2 '{"reason":"nothing to see here"}'
expect 0 "$JITADM" audit verify
assert_contains "$OUT" "audit chain intact: 6 events"
expect 1 "$JITADM" audit verify --journal
assert_contains "$OUT" "journal: seq 2 differs: the store has"
assert_contains "$OUT" "journal: INCONSISTENT with the store"
expect 1 "$JITADM" audit verify --journal --json
J=$OUT
jq_true "$J" .intact
jq_eq "$J" .journal.consistent false
jq_eq "$J" .journal.findings[0].seq 2
jq_eq "$J" .journal.findings[0].journal_hash "$h2"
jq_eq "$J" .journal.findings[0].uid 0
# Every later root event is contradicted too: the chain was recomputed.
jq_true "$J" '[.journal.findings[].seq] | contains([3]) and contains([4])'
jq_true "$J" '[.journal.findings[] | .uid == "0" or .exe != null] | all'

step "rows deleted from the end of the store"
reset_store
journal_mark
next_second
root_grants 4
synced
expect 0 "$JITADM" audit verify --journal --json
jq_true "$OUT" .journal.consistent
# The first store's entries of seqs 1-4 are older than these events.
jq_true "$OUT" '.journal.older_ignored >= 4'
sqlite3 -batch "$JL_DB" 'drop trigger audit_no_delete;
    delete from audit where seq > 2' || fail "cannot delete rows"
expect 0 "$JITADM" audit verify
assert_contains "$OUT" "audit chain intact: 2 events"
expect 1 "$JITADM" audit verify --journal
assert_contains "$OUT" "journal: seq 3 is missing from the store, which ends at seq 2"
assert_contains "$OUT" "journal: INCONSISTENT with the store"
expect 1 "$JITADM" audit verify --journal --json
jq_eq "$OUT" .journal.deleted_from_end 2
jq_eq "$OUT" '[.journal.findings[].seq] | join(",")' 3,4
jq_eq "$OUT" .journal.findings[0].store_hash null

step "an event the journal never saw is a warning, not a failure"
reset_store
next_second
root_grants 1
synced
# Same store, one more event written while no journald could take it:
# the row is appended raw, with its proper chain hash.
python3 - "$JL_DB" <<'EOF' || fail "append failed"
import hashlib, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
seq, at, h = con.execute("SELECT seq, at, hash FROM audit ORDER BY seq DESC"
                         " LIMIT 1").fetchone()
L = lambda n: n.to_bytes(8, "big")
I = lambda v: L(8) + (v & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")
T = lambda s: L(len(s.encode())) + s.encode()
N = L(0xFFFFFFFFFFFFFFFF)
new = hashlib.blake2b(bytes.fromhex(h) + I(seq + 1) + I(at) + T("lapse") +
                      I(0) + N + N + N + T("{}"), digest_size=32).hexdigest()
con.execute("INSERT INTO audit (seq, at, event, grant_id, actor, user,"
            " resource, detail, hash) VALUES (?, ?, 'lapse', NULL, NULL,"
            " NULL, NULL, '{}', ?)", (seq + 1, at, new))
con.commit()
EOF
expect 0 "$JITADM" audit verify
expect 0 "$JITADM" audit verify --journal
assert_contains "$OUT" "journal: warning: missing from the journal: seq 2"
assert_contains "$OUT" "journal: consistent with the store"

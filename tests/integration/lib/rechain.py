#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# What someone who can write the store could do to its audit chain, with
# the chain kept valid (so that plain "jitadm audit verify" passes): the
# canonical encoding and hash of include/jitlog/audit.h, re-implemented
# from its description.  Used by tests/integration/audit_journal.sh.
#
#   rechain.py DB rewrite SEQ DETAIL SHIFT
#       give event SEQ the detail DETAIL, move its time by SHIFT seconds,
#       and recompute the hash of SEQ and of every later event;
#   rechain.py DB append EVENT
#       append an event EVENT (no grant, actor, user or resource) with its
#       proper hash, as if it had been written while journald was down.
import hashlib
import sqlite3
import sys

ABSENT = 0xFFFFFFFFFFFFFFFF


def length(n):
    return n.to_bytes(8, "big")


def integer(v):
    return length(8) + (v & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big")


def text(s):
    if s is None:
        return length(ABSENT)
    b = s.encode()
    return length(len(b)) + b


def chain_hash(prev, seq, at, event, gid, actor, user, res, detail):
    data = (prev + integer(seq) + integer(at) + text(event) +
            integer(gid or 0) + text(actor) + text(user) + text(res) +
            text(detail))
    return hashlib.blake2b(data, digest_size=32).digest()


def rewrite(con, start, detail, shift):
    con.execute("DROP TRIGGER IF EXISTS audit_no_update")
    rows = con.execute("SELECT seq, at, event, grant_id, actor, user,"
                       " resource, detail, hash FROM audit"
                       " ORDER BY seq").fetchall()
    prev = bytes(32)
    for seq, at, event, gid, actor, user, res, det, h in rows:
        if seq < start:
            prev = bytes.fromhex(h)
            continue
        if seq == start:
            det = detail
            at += shift
        prev = chain_hash(prev, seq, at, event, gid, actor, user, res, det)
        con.execute("UPDATE audit SET at = ?, detail = ?, hash = ?"
                    " WHERE seq = ?", (at, det, prev.hex(), seq))


def append(con, event):
    row = con.execute("SELECT seq, at, hash FROM audit"
                      " ORDER BY seq DESC LIMIT 1").fetchone()
    seq, at, prev = row if row else (0, 0, "00" * 32)
    h = chain_hash(bytes.fromhex(prev), seq + 1, at, event, None, None,
                   None, None, "{}")
    con.execute("INSERT INTO audit (seq, at, event, grant_id, actor, user,"
                " resource, detail, hash) VALUES (?, ?, ?, NULL, NULL,"
                " NULL, NULL, '{}', ?)", (seq + 1, at, event, h.hex()))


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: rechain.py DB rewrite SEQ DETAIL SHIFT | "
                 "DB append EVENT")
    con = sqlite3.connect(sys.argv[1])
    if sys.argv[2] == "rewrite" and len(sys.argv) == 6:
        rewrite(con, int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
    elif sys.argv[2] == "append" and len(sys.argv) == 4:
        append(con, sys.argv[3])
    else:
        sys.exit("rechain.py: bad arguments")
    con.commit()
    con.close()


main()

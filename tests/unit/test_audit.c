/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the audit chain (lib/audit.c, lib/store_audit.c): a
 * chain of 50 events verifies; then, each on a fresh copy, a raw SQLite
 * writer edits a row, deletes one, swaps two, appends a forged row,
 * inserts one with a correctly chained hash, rewrites a hash, hides text
 * behind a NUL -- and verify names the first broken seq every time.  Also
 * the canonical encoding (no two splits of text between fields hash
 * alike), hex, JSON, append only inside a transaction, rollback leaving
 * no gap, and foreach's filters.
 */
#define _GNU_SOURCE /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jitlog/audit.h"
#include "jitlog/store.h"
#include "t.h"
#include "tmpdir.h"

/* BLAKE2b-256 of the documented canonical encoding of the event in
 * test_canonical, computed with Python's hashlib. */
#define KAT_HASH                                                               \
	"4c7cd395bb4220957eaafb9268962b472e1126ee46d2449c2cd4a456ec2f36ac"

static char pristine[256], work[256];

static struct jl_store *
open_store(const char *path)
{
	struct jl_store_opts o;
	struct jl_error err = { { 0 } };
	struct jl_store *st = NULL;

	jl_store_opts_default(&o);
	o.owner = (uid_t)-1;
	if (jl_store_open(path, &o, &st, &err) < 0) {
		fprintf(stderr, "open: %s\n", err.msg);
		exit(1);
	}
	return st;
}

/* 50 events, some with a grant, some with absent fields. */
static void
make_chain(void)
{
	static const char *const names[] = { "request", "approve", "view_open",
		"view_close", "config_error" };
	struct jl_error err = { { 0 } };
	struct jl_store *st;
	struct jl_event ev;
	char detail[64];
	int i;

	if (jl_store_init(pristine, (gid_t)-1, &err) < 0)
		exit(1);
	st = open_store(pristine);
	for (i = 1; i <= 50; i++) {
		T_ASSERT_INTEQ(jl_store_begin(st, &err), 0);
		jl_event_init(&ev, names[i % 5], 1000 + i);
		if (i % 5 != 4) {
			ev.grant_id = i / 5 + 1;
			ev.user = "alice";
			ev.resource = "payments";
		}
		ev.actor = i % 2 ? "bob" : "alice";
		snprintf(detail, sizeof(detail), "{\"n\": %d}", i);
		ev.detail = i % 7 ? detail : NULL;
		T_ASSERT_INTEQ(jl_store_audit_append(st, &ev, &err), 0);
		T_ASSERT_INTEQ(ev.seq, i);
		T_ASSERT_INTEQ(strlen(ev.hash), 64);
		T_ASSERT_INTEQ(jl_store_commit(st, &err), 0);
	}
	jl_store_close(st);
}

/* Run sql on a fresh copy of the chain the way an attacker with write
 * access would (no defensive mode, the append-only triggers dropped),
 * then verify through the store. */
static int
tamper_verify(const char *sql, int64_t *bad, char *msg, size_t len)
{
	struct jl_error err = { { 0 } };
	struct jl_store *st;
	sqlite3 *db = NULL;
	int64_t n = -1;
	char *emsg = NULL;
	int r;

	td_copy(pristine, work);
	T_ASSERT(sqlite3_open(work, &db) == SQLITE_OK);
	if (sqlite3_exec(db,
	        "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;",
	        NULL, NULL, &emsg) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, &emsg) != SQLITE_OK) {
		fprintf(stderr, "tamper: %s\n", emsg);
		T_ASSERT(0);
	}
	sqlite3_free(emsg);
	sqlite3_close(db);
	st = open_store(work);
	*bad = -1;
	r = jl_store_audit_verify(st, &n, bad, &err);
	snprintf(msg, len, "%s", err.msg);
	jl_store_close(st);
	return r;
}

#define T_TAMPER(sql, want_seq, want_msg)                                      \
	do {                                                                   \
		char m_[JL_ERRMAX];                                            \
		int64_t b_;                                                    \
		T_ASSERT_INTEQ(tamper_verify(sql, &b_, m_, sizeof(m_)), 1);    \
		T_ASSERT_INTEQ(b_, want_seq);                                  \
		T_ASSERT_STREQ(m_, want_msg);                                  \
	} while (0)

static void
test_intact(void)
{
	struct jl_error err = { { 0 } };
	struct jl_store *st = open_store(pristine);
	int64_t n = -1, bad = -1;

	T_ASSERT_INTEQ(jl_store_audit_verify(st, &n, &bad, &err), 0);
	T_ASSERT_INTEQ(n, 50);
	T_ASSERT_INTEQ(bad, -1);
	jl_store_close(st);
}

static void
test_tampering(void)
{
	char sql[512], hex[JL_HASH_HEX];
	struct jl_event ev;
	uint8_t prev[JL_HASH_BYTES], h[JL_HASH_BYTES];
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;

	T_TAMPER("UPDATE audit SET detail = '{\"n\": 1700}' WHERE seq = 17", 17,
	    "seq 17: hash mismatch (row edited or inserted)");
	T_TAMPER("UPDATE audit SET actor = 'mallory' WHERE seq = 3", 3,
	    "seq 3: hash mismatch (row edited or inserted)");
	T_TAMPER("UPDATE audit SET at = at + 1 WHERE seq = 50", 50,
	    "seq 50: hash mismatch (row edited or inserted)");
	T_TAMPER("DELETE FROM audit WHERE seq = 23", 23,
	    "seq 23 missing (row deleted)");
	T_TAMPER("DELETE FROM audit WHERE seq = 1", 1,
	    "seq 1 missing (row deleted)");
	T_TAMPER("UPDATE audit SET seq = -10 WHERE seq = 10;"
	         "UPDATE audit SET seq = 10 WHERE seq = 20;"
	         "UPDATE audit SET seq = 20 WHERE seq = -10;",
	    10, "seq 10: hash mismatch (row edited or inserted)");
	/* A row that looks real (its hash is a real hash) at the end and
	 * before the start. */
	T_TAMPER("INSERT INTO audit SELECT 51, at + 1, event, grant_id,"
	         " actor, user, resource, detail, hash FROM audit"
	         " WHERE seq = 50",
	    51, "seq 51: hash mismatch (row edited or inserted)");
	T_TAMPER("INSERT INTO audit SELECT 0, at, event, grant_id,"
	         " actor, user, resource, detail, hash FROM audit"
	         " WHERE seq = 1",
	    0, "seq 0: out of sequence (row inserted)");
	T_TAMPER("UPDATE audit SET hash = (SELECT hash FROM audit WHERE"
	         " seq = 39) WHERE seq = 40",
	    40, "seq 40: hash mismatch (row edited or inserted)");
	/* Text hidden after a NUL: a C string would hash only the part
	 * before it, which is the original. */
	T_TAMPER("UPDATE audit SET detail = CAST(CAST(detail AS BLOB) ||"
	         " x'00' || CAST(' and more' AS BLOB) AS TEXT) WHERE seq = 8",
	    8, "seq 8: hash mismatch (row edited or inserted)");

	/* A forged row in the middle with a correctly chained hash: it
	 * links, and the row after it breaks (only rewriting every later
	 * row hides it; the journal's copies of the hashes catch that). */
	T_ASSERT(sqlite3_open(pristine, &db) == SQLITE_OK);
	T_ASSERT(sqlite3_prepare_v2(db, "SELECT hash FROM audit WHERE seq = 30",
	             -1, &s, NULL) == SQLITE_OK);
	T_ASSERT(sqlite3_step(s) == SQLITE_ROW);
	T_ASSERT(jl_unhex((const char *)sqlite3_column_text(s, 0), prev,
	             JL_HASH_BYTES) == 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	jl_event_init(&ev, "approve", 1030);
	ev.seq = 31;
	ev.actor = "mallory";
	ev.detail = "{}";
	T_ASSERT_INTEQ(jl_audit_hash(prev, &ev, h), 0);
	jl_hex(h, JL_HASH_BYTES, hex);
	snprintf(sql, sizeof(sql),
	    "UPDATE audit SET seq = seq + 1000 WHERE seq > 30;"
	    "UPDATE audit SET seq = seq - 999 WHERE seq > 1000;"
	    "INSERT INTO audit VALUES (31, 1030, 'approve', NULL, 'mallory',"
	    " NULL, NULL, '{}', '%s');",
	    hex);
	T_TAMPER(sql, 32, "seq 32: hash mismatch (row edited or inserted)");
}

static void
test_append_only(void)
{
	sqlite3 *db = NULL;

	/* The triggers stop edits by anything that does not drop them. */
	td_copy(pristine, work);
	T_ASSERT(sqlite3_open(work, &db) == SQLITE_OK);
	T_ASSERT(sqlite3_exec(db, "UPDATE audit SET actor = 'x' WHERE seq = 1",
	             NULL, NULL, NULL) == SQLITE_CONSTRAINT);
	T_ASSERT(sqlite3_exec(db, "DELETE FROM audit WHERE seq = 1", NULL, NULL,
	             NULL) == SQLITE_CONSTRAINT);
	sqlite3_close(db);
}

static void
test_transactions(void)
{
	struct jl_error err = { { 0 } };
	struct jl_store *st;
	struct jl_event ev;
	char bad_detail[] = "[1, 2]";

	td_copy(pristine, work);
	st = open_store(work);
	jl_event_init(&ev, "revoke", 5000);
	T_ASSERT_INTEQ(jl_store_audit_append(st, &ev, &err), -EINVAL);
	T_ASSERT(strstr(err.msg, "transaction") != NULL);
	T_ASSERT_INTEQ(ev.seq, 0);
	/* A rolled-back append leaves no gap. */
	T_ASSERT_INTEQ(jl_store_begin(st, &err), 0);
	T_ASSERT_INTEQ(jl_store_audit_append(st, &ev, &err), 0);
	T_ASSERT_INTEQ(ev.seq, 51);
	jl_store_rollback(st);
	jl_event_init(&ev, "revoke", 5000);
	T_ASSERT_INTEQ(jl_store_begin(st, &err), 0);
	ev.detail = bad_detail;
	T_ASSERT_INTEQ(jl_store_audit_append(st, &ev, &err), -EINVAL);
	ev.detail = NULL;
	ev.event = NULL;
	T_ASSERT_INTEQ(jl_store_audit_append(st, &ev, &err), -EINVAL);
	ev.event = "revoke";
	T_ASSERT_INTEQ(jl_store_audit_append(st, &ev, &err), 0);
	T_ASSERT_INTEQ(ev.seq, 51);
	T_ASSERT_INTEQ(jl_store_commit(st, &err), 0);
	jl_store_close(st);
}

struct collect {
	int n;
	int64_t last_seq;
	int stop_at;
};

static int
collect_cb(const struct jl_event *ev, void *ctx)
{
	struct collect *c = ctx;

	T_ASSERT(ev->seq > c->last_seq);
	T_ASSERT(ev->detail != NULL && ev->detail[0] == '{');
	T_ASSERT_INTEQ(strlen(ev->hash), 64);
	c->last_seq = ev->seq;
	c->n++;
	return c->n == c->stop_at ? -ECANCELED : 0;
}

static void
test_foreach(void)
{
	struct jl_error err = { { 0 } };
	struct jl_store *st = open_store(pristine);
	struct collect c = { 0, 0, 0 };

	T_ASSERT_INTEQ(jl_store_audit_foreach(st, 0, 0, collect_cb, &c, &err),
	    0);
	T_ASSERT_INTEQ(c.n, 50);
	memset(&c, 0, sizeof(c));
	T_ASSERT_INTEQ(jl_store_audit_foreach(st, 1041, 0, collect_cb, &c,
	                   &err),
	    0);
	T_ASSERT_INTEQ(c.n, 10);
	memset(&c, 0, sizeof(c));
	/* grant 2: seq 5..9 minus the config_error at 9. */
	T_ASSERT_INTEQ(jl_store_audit_foreach(st, 0, 2, collect_cb, &c, &err),
	    0);
	T_ASSERT_INTEQ(c.n, 4);
	memset(&c, 0, sizeof(c));
	c.stop_at = 3;
	T_ASSERT_INTEQ(jl_store_audit_foreach(st, 0, 0, collect_cb, &c, &err),
	    -ECANCELED);
	T_ASSERT_INTEQ(c.n, 3);
	jl_store_close(st);
}

static void
hash_of(const struct jl_event *ev, char hex[JL_HASH_HEX])
{
	uint8_t zero[JL_HASH_BYTES] = { 0 }, h[JL_HASH_BYTES];

	T_ASSERT_INTEQ(jl_audit_hash(zero, ev, h), 0);
	jl_hex(h, JL_HASH_BYTES, hex);
}

static void
test_canonical(void)
{
	struct jl_event a, b;
	char ha[JL_HASH_HEX], hb[JL_HASH_HEX];

	jl_event_init(&a, "approve", 1);
	jl_event_init(&b, "approve", 1);
	a.actor = "ab";
	a.user = "c";
	b.actor = "a";
	b.user = "bc";
	hash_of(&a, ha);
	hash_of(&b, hb);
	T_ASSERT(strcmp(ha, hb) != 0);
	/* Absent differs from empty. */
	b.actor = "ab";
	b.user = "c";
	hash_of(&b, hb);
	T_ASSERT_STREQ(ha, hb);
	a.resource = "";
	hash_of(&a, ha);
	T_ASSERT(strcmp(ha, hb) != 0);
	/* Text moved between the event name and the actor. */
	jl_event_init(&a, "approveb", 1);
	jl_event_init(&b, "approve", 1);
	a.actor = "ob";
	b.actor = "bob";
	hash_of(&a, ha);
	hash_of(&b, hb);
	T_ASSERT(strcmp(ha, hb) != 0);
	/* Integers count: grant 1 at 2 is not grant 2 at 1. */
	jl_event_init(&a, "x", 2);
	jl_event_init(&b, "x", 1);
	a.grant_id = 1;
	b.grant_id = 2;
	hash_of(&a, ha);
	hash_of(&b, hb);
	T_ASSERT(strcmp(ha, hb) != 0);
	/* A known answer pins the encoding (computed independently with
	 * Python's hashlib.blake2b over the documented layout). */
	jl_event_init(&a, "request", 1700000000);
	a.seq = 1;
	a.grant_id = 12;
	a.actor = "alice";
	a.user = "alice";
	a.resource = "payments-debug";
	a.detail = "{}";
	hash_of(&a, ha);
	T_ASSERT_STREQ(ha, KAT_HASH);
}

static void
test_hex_json(void)
{
	uint8_t in[3] = { 0x00, 0xab, 0xff }, out[3] = { 1, 1, 1 };
	char hex[7];
	struct jl_buf b = { 0 };
	struct jl_event ev;

	jl_hex(in, 3, hex);
	T_ASSERT_STREQ(hex, "00abff");
	T_ASSERT_INTEQ(jl_unhex("00ABff", out, 3), 0);
	T_ASSERT(memcmp(in, out, 3) == 0);
	T_ASSERT_INTEQ(jl_unhex("00abf", out, 3), -EINVAL);
	T_ASSERT_INTEQ(jl_unhex("00abfg", out, 3), -EINVAL);
	T_ASSERT_INTEQ(jl_unhex("00abff00", out, 3), -EINVAL);

	jl_event_init(&ev, "approve", 1795687205); /* 2026-11-26T10:00:05Z */
	T_ASSERT_INTEQ(ev.bytes, -1);
	ev.seq = 41;
	ev.grant_id = 12;
	ev.actor = "bob";
	ev.user = "alice";
	ev.resource = "payments-debug";
	ev.detail = "{\"comment\": \"ok\"}";
	memset(ev.hash, 'a', JL_HASH_HEX - 1);
	T_ASSERT_INTEQ(jl_event_to_json(&ev, &b), 0);
	T_ASSERT_STREQ(b.data,
	    "{\"seq\": 41, \"at\": \"2026-11-26T10:00:05Z\", \"event\": "
	    "\"approve\", \"grant_id\": 12, \"actor\": \"bob\", \"user\": "
	    "\"alice\", \"resource\": \"payments-debug\", \"detail\": "
	    "{\"comment\": \"ok\"}, \"hash\": "
	    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "\"}");
	jl_buf_reset(&b);
	jl_event_init(&ev, "config_error", 1795687205);
	ev.actor = "a\"b\n";
	T_ASSERT_INTEQ(jl_event_to_json(&ev, &b), 0);
	T_ASSERT(strstr(b.data, "\"grant_id\": null") != NULL);
	T_ASSERT(strstr(b.data, "\"user\": null") != NULL);
	T_ASSERT(strstr(b.data, "\"detail\": {}") != NULL);
	T_ASSERT(strstr(b.data, "\"hash\": null") != NULL);
	T_ASSERT(strstr(b.data, "\"actor\": \"a\\\"b\\n\"") != NULL);
	/* Detail must be an object: nothing appended otherwise. */
	jl_buf_reset(&b);
	ev.detail = "\"x\"}";
	T_ASSERT_INTEQ(jl_event_to_json(&ev, &b), -EINVAL);
	T_ASSERT(b.len == 0);
	jl_buf_free(&b);
}

int
main(void)
{
	td_setup("audit");
	snprintf(pristine, sizeof(pristine), "%s", td_path("chain.db"));
	snprintf(work, sizeof(work), "%s", td_path("work.db"));
	make_chain();
	T_RUN(test_intact);
	T_RUN(test_tampering);
	T_RUN(test_append_only);
	T_RUN(test_transactions);
	T_RUN(test_foreach);
	T_RUN(test_canonical);
	T_RUN(test_hex_json);
	td_teardown();
	return T_DONE();
}

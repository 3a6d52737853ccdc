/* SPDX-License-Identifier: ISC */
/*
 * fuzz_store: the store opened on a damaged file.  Input: a mode byte,
 * then, by mode,
 *   0  the store file itself (raw bytes);
 *   1  patches to a good store (the seed store of fuzz_seed.h): pairs of
 *      a 16-bit offset and a byte XORed in there;
 *   2  one edit of the audit table by a raw SQLite writer (the append-only
 *      triggers dropped first): change a column of a row, delete a row,
 *      append a forged row, or swap two rows' contents.
 * The file goes to a private directory; the store is opened (read-write
 * or read-only), the chain verified, the active grants of the seed users
 * looked up, grants and stale sessions listed, events walked.
 *
 * Properties: nothing crashes, hangs or leaks; every call answers 0/1 or
 * -errno with a message; a found active grant holds at now; after an
 * audit edit that changed something (mode 2) verification never says
 * "intact", and the grants -- which the edit did not touch -- decide as
 * before (daemon has "app", bin has nothing).
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_seed.h"
#include "fuzz_util.h"
#include "jitlog/store.h"

static uint8_t *tmpl;
static size_t tmpl_len;
static int64_t now;
static char path[256], wal[270], shm[270];

/* The seed store, with small pages so that patches reach every part. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct jl_error err = { "" };
	char tp[256];
	sqlite3 *db = NULL;

	(void)argc;
	(void)argv;
	now = (int64_t)time(NULL);
	fz_path(path, sizeof(path), fz_tmpdir(), "jitlog.db");
	(void)snprintf(wal, sizeof(wal), "%s-wal", path);
	(void)snprintf(shm, sizeof(shm), "%s-shm", path);
	fz_path(tp, sizeof(tp), fz_tmpdir(), "template.db");
	FZ_CHECK(fz_seed_store(tp, now, &err) == 0, "seed store: %s", err.msg);
	FZ_CHECK(sqlite3_open(tp, &db) == SQLITE_OK &&
	        sqlite3_exec(db,
	            "PRAGMA journal_mode = DELETE; PRAGMA page_size = 512;"
	            " VACUUM; PRAGMA journal_mode = WAL;",
	            NULL, NULL, NULL) == SQLITE_OK,
	    "shrinking the seed store: %s", sqlite3_errmsg(db));
	sqlite3_close(db);
	FZ_CHECK(fz_read_file(tp, &tmpl, &tmpl_len) == 0, "reading %s", tp);
	return 0;
}

/* The audit edit of mode 2.  1 when it changed the chain, else 0. */
static int
edit_audit(struct fz_in *in)
{
	static const char *const cols[] = { "at", "event", "grant_id", "actor",
		"user", "resource", "detail", "hash" };
	char sql[256], *val;
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	unsigned op = fz_u8(in) % 4, col = fz_u8(in) % 8;
	int64_t last = 0, seq = 0, seq2 = 0;
	int changed = 0;

	FZ_CHECK(sqlite3_open(path, &db) == SQLITE_OK, "raw open");
	if (sqlite3_exec(db,
	        "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;",
	        NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT max(seq) FROM audit", -1, &s,
	        NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW)
		goto out;
	last = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	if (last < 2)
		goto out;
	seq = 1 + fz_u8(in) % (last - 1); /* never the last row: see below */
	seq2 = 1 + fz_u8(in) % last;
	val = fz_next_str(in);
	if (op == 0) /* a column; NULL when the input has no value left */
		(void)snprintf(sql, sizeof(sql),
		    "UPDATE audit SET %s = ?2 WHERE seq = ?1 AND %s IS NOT ?2",
		    cols[col], cols[col]);
	else if (op == 1) /* deleting the last row cannot be seen: a chain
			   * shows what is there, not what was cut off */
		(void)snprintf(sql, sizeof(sql),
		    "DELETE FROM audit WHERE seq = ?1 AND ?2 IS ?2");
	else if (op == 2)
		(void)snprintf(sql, sizeof(sql),
		    "INSERT INTO audit SELECT max(seq) + 1, at, event,"
		    " grant_id, actor, user, resource, detail,"
		    " coalesce(?2, hash) FROM audit WHERE ?1 > 0");
	else
		(void)snprintf(sql, sizeof(sql),
		    "UPDATE audit SET (at, event, grant_id, actor, user,"
		    " resource, detail) = (SELECT at, event, grant_id, actor,"
		    " user, resource, detail FROM audit WHERE seq = ?2)"
		    " WHERE seq = ?1 AND (SELECT event || coalesce(actor, '')"
		    " || detail || at FROM audit WHERE seq = ?2) IS NOT"
		    " (event || coalesce(actor, '') || detail || at)");
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, seq);
		if (op == 3)
			sqlite3_bind_int64(s, 2, seq2);
		else if (val != NULL && col != 0 && col != 2)
			sqlite3_bind_text(s, 2, val, -1, SQLITE_TRANSIENT);
		else if (val != NULL)
			sqlite3_bind_int64(s, 2, strtoll(val, NULL, 10));
		changed =
		    sqlite3_step(s) == SQLITE_DONE && sqlite3_changes(db) > 0;
	}
	free(val);
out:
	sqlite3_finalize(s);
	sqlite3_close(db);
	return changed;
}

static void
check_active(struct jl_store *st, const char *user, uid_t uid, const char *res,
    int want)
{
	struct jl_error err = { "" };
	int64_t id = 0, exp = 0;
	int r;

	r = jl_store_grant_find_active(st, user, uid, res, now, &id, &exp,
	    &err);
	FZ_CHECK(r == 0 || r == 1 || (r < 0 && err.msg[0] != '\0'),
	    "find_active %s %s: %d", user, res ? res : "*", r);
	FZ_CHECK(r != 1 || (id > 0 && exp > now),
	    "found a grant %lld that "
	    "does not hold (expires %lld)",
	    (long long)id, (long long)exp);
	if (want >= 0)
		FZ_CHECK(r == want, "find_active %s %s: %d, expected %d (%s)",
		    user, res ? res : "*", r, want, err.msg);
}

static int
count_event(const struct jl_event *ev, void *ctx)
{
	FZ_CHECK(ev->event != NULL, "event without a name");
	++*(size_t *)ctx;
	return 0;
}

static void
reads(struct jl_store *st, bool intact_grants)
{
	struct jl_grant_filter f = { .limit = 20 };
	struct jl_grant **v = NULL, *g = NULL;
	struct jl_session *ss = NULL;
	struct jl_error err = { "" };
	size_t n = 0, i;
	int r;

	check_active(st, "daemon", 1, "app", intact_grants ? 1 : -1);
	check_active(st, "bin", 2, NULL, intact_grants ? 0 : -1);
	check_active(st, "root", 0, "app", intact_grants ? 0 : -1);
	check_active(st, "root", 0, NULL, intact_grants ? 1 : -1);
	/* daemon's name under another uid holds nothing. */
	check_active(st, "daemon", 7, "app", intact_grants ? 0 : -1);
	r = jl_store_grant_list(st, &f, &v, &n, &err);
	FZ_CHECK(r >= 0 || err.msg[0] != '\0', "grant_list: %d", r);
	for (i = 0; r >= 0 && i < n; i++)
		FZ_CHECK(v[i] != NULL && v[i]->user != NULL &&
		        v[i]->resource != NULL,
		    "grant %zu incomplete", i);
	if (r >= 0)
		jl_grants_free(v, n);
	r = jl_store_grant_get(st, 1, &g, &err);
	FZ_CHECK(r == 0 || r < 0, "grant_get: %d", r);
	if (r == 0)
		jl_grant_free(g);
	n = 0;
	r = jl_store_session_list_stale(st, now, &ss, &n, &err);
	if (r >= 0)
		jl_sessions_free(ss, n);
	n = 0;
	(void)jl_store_audit_foreach(st, 0, 0, count_event, &n, &err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct jl_store_opts o;
	struct jl_store *st = NULL;
	struct jl_error err = { "" };
	int64_t count = -1, bad = -1;
	unsigned mode = fz_u8(&in), m = mode % 3;
	uint8_t *buf;
	int r, edited = 0;

	if (size > 256 * 1024)
		return 0;
	(void)unlink(wal);
	(void)unlink(shm);
	if (m == 0) {
		FZ_CHECK(fz_write_file(path, in.p, in.n) == 0, "write");
	} else {
		buf = (uint8_t *)fz_strndup(tmpl, tmpl_len);
		while (m == 1 && in.n >= 3) {
			uint16_t off = fz_u16(&in);

			buf[off % tmpl_len] ^= fz_u8(&in);
		}
		FZ_CHECK(fz_write_file(path, buf, tmpl_len) == 0, "write");
		free(buf);
		if (m == 2)
			edited = edit_audit(&in);
	}
	jl_store_opts_default(&o);
	o.owner = (uid_t)-1;
	o.busy_ms = 50;
	o.readonly = (mode & 0x80) != 0;
	r = jl_store_open(path, &o, &st, &err);
	FZ_CHECK(r == 0 ? st != NULL : (st == NULL && err.msg[0] != '\0'),
	    "open: %d", r);
	FZ_CHECK(m != 2 || r == 0, "open after an audit edit: %s", err.msg);
	if (r < 0)
		return 0;
	r = jl_store_audit_verify(st, &count, &bad, &err);
	FZ_CHECK(r == 0 || r == 1 || (r < 0 && err.msg[0] != '\0'),
	    "verify: %d", r);
	FZ_CHECK(r != 0 || count >= 0, "verify: intact with %lld events",
	    (long long)count);
	FZ_CHECK(r != 1 || err.msg[0] != '\0', "verify: broken at %lld",
	    (long long)bad);
	FZ_CHECK(!edited || r != 0, "an audit edit went unnoticed");
	FZ_CHECK(m != 1 || tmpl_len == 0 || r != 0 || count >= 0, "verify");
	reads(st, m == 2);
	jl_store_close(st);
	return 0;
}

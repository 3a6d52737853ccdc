/* SPDX-License-Identifier: ISC */
/*
 * The audit chain in the store: append (inside the caller's write
 * transaction, so that the state change and its audit row commit
 * together), iterate, and verify.  The hash of each row chains to the
 * previous row's (see audit.h); verify recomputes every link in seq
 * order and names the first row where the chain breaks.
 *
 * MUST: append only inside a transaction (the last row is read and the
 * new one written under one write lock, so two writers can never chain
 * to the same predecessor); verify trusts nothing in a row but what it
 * recomputes.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "jitlog/audit.h"
#include "jitlog/store.h"
#include "store_impl.h"

#define EVENT_COLS                                                             \
	"seq, at, event, grant_id, actor, user, resource, detail, hash"

/* The chain head: seq and hash of the last row (0 and zeros if none). */
static int
chain_head(sqlite3 *db, int64_t *ret_seq, uint8_t prev[JL_HASH_BYTES],
    struct jl_error *err)
{
	sqlite3_stmt *s = NULL;
	const char *hex;
	int r, rc;

	r = jl_store_prepare(db,
	    "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &s, err);
	if (r < 0)
		goto out;
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		memset(prev, 0, JL_HASH_BYTES);
		*ret_seq = 0;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = jl_store_error(db, rc, err, "reading the audit chain");
		goto out;
	}
	hex = (const char *)sqlite3_column_text(s, 1);
	if (hex == NULL || strlen(hex) != JL_HASH_BYTES * 2 ||
	    jl_unhex(hex, prev, JL_HASH_BYTES) < 0) {
		r = jl_error_set(err, EIO,
		    "store is corrupt (audit chain head is not a hash)");
		goto out;
	}
	*ret_seq = sqlite3_column_int64(s, 0);
out:
	sqlite3_finalize(s);
	return r;
}

static int
insert_event(sqlite3 *db, const struct jl_event *e, struct jl_error *err)
{
	sqlite3_stmt *s = NULL;
	int r, rc;

	r = jl_store_prepare(db,
	    "INSERT INTO audit (" EVENT_COLS ")"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	    &s, err);
	if (r < 0)
		return r;
	rc = sqlite3_bind_int64(s, 1, e->seq);
	rc |= sqlite3_bind_int64(s, 2, e->at);
	rc |= jl_store_bind_text(s, 3, e->event);
	rc |= jl_store_bind_id(s, 4, e->grant_id);
	rc |= jl_store_bind_text(s, 5, e->actor);
	rc |= jl_store_bind_text(s, 6, e->user);
	rc |= jl_store_bind_text(s, 7, e->resource);
	rc |= jl_store_bind_text(s, 8, e->detail);
	rc |= jl_store_bind_text(s, 9, e->hash);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		r = jl_store_error(db, rc, err, "appending to the audit chain");
	sqlite3_finalize(s);
	return r;
}

/* Contract: see store.h.  ev->seq and ev->hash are set on success only;
 * a NULL detail is stored (and hashed) as "{}". */
int
jl_store_audit_append(struct jl_store *st, struct jl_event *ev,
    struct jl_error *err)
{
	uint8_t prev[JL_HASH_BYTES], h[JL_HASH_BYTES];
	struct jl_event e;
	int64_t last = 0;
	int r;

	if (sqlite3_get_autocommit(st->db))
		return jl_error_set(err, EINVAL,
		    "audit append outside a transaction");
	if (ev->event == NULL || ev->event[0] == '\0' || ev->grant_id < 0)
		return jl_error_set(err, EINVAL, "audit event without a name");
	e = *ev;
	if (e.detail == NULL)
		e.detail = "{}";
	if (e.detail[0] != '{')
		return jl_error_set(err, EINVAL,
		    "audit detail is not a JSON object");
	r = chain_head(st->db, &last, prev, err);
	if (r < 0)
		return r;
	if (last < 0 || last == INT64_MAX)
		return jl_error_set(err, EIO, "store is corrupt (audit seq)");
	e.seq = last + 1;
	r = jl_audit_hash(prev, &e, h);
	if (r < 0)
		return jl_error_set(err, r, "hashing the audit event");
	jl_hex(h, JL_HASH_BYTES, e.hash);
	r = insert_event(st->db, &e, err);
	if (r < 0)
		return r;
	ev->seq = e.seq;
	memcpy(ev->hash, e.hash, sizeof(ev->hash));
	return 0;
}

/* A text column as a C string; false when it holds a NUL byte (a C
 * string would hide what follows it from the hash). */
static bool
col_str(sqlite3_stmt *s, int i, const char **ret)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	*ret = t;
	if (t == NULL)
		return true;
	return strlen(t) == (size_t)sqlite3_column_bytes(s, i);
}

/* Fill ev from a row of EVENT_COLS; false if a field is malformed. */
static bool
event_from_row(sqlite3_stmt *s, struct jl_event *ev)
{
	const char *name, *hash;
	bool ok;

	ok = col_str(s, 2, &name);
	jl_event_init(ev, name, sqlite3_column_int64(s, 1));
	ev->seq = sqlite3_column_int64(s, 0);
	ev->grant_id = sqlite3_column_int64(s, 3);
	ok &= col_str(s, 4, &ev->actor);
	ok &= col_str(s, 5, &ev->user);
	ok &= col_str(s, 6, &ev->resource);
	ok &= col_str(s, 7, &ev->detail);
	ok &= col_str(s, 8, &hash);
	if (hash != NULL && strlen(hash) == JL_HASH_HEX - 1)
		memcpy(ev->hash, hash, JL_HASH_HEX);
	else
		ok = false;
	return ok;
}

/* Contract: see store.h. */
int
jl_store_audit_foreach(struct jl_store *st, int64_t since, int64_t grant_id,
    int (*cb)(const struct jl_event *ev, void *ctx), void *ctx,
    struct jl_error *err)
{
	sqlite3_stmt *s = NULL;
	struct jl_event ev;
	int r, rc;

	r = jl_store_prepare(st->db,
	    grant_id != 0 ? "SELECT " EVENT_COLS " FROM audit"
	                    " WHERE at >= ?1 AND grant_id = ?2 ORDER BY seq" :
	                    "SELECT " EVENT_COLS
	                    " FROM audit WHERE at >= ?1 ORDER BY seq",
	    &s, err);
	if (r < 0)
		goto out;
	sqlite3_bind_int64(s, 1, since != 0 ? since : INT64_MIN);
	if (grant_id != 0)
		sqlite3_bind_int64(s, 2, grant_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!event_from_row(s, &ev)) {
			r = jl_error_set(err, EIO,
			    "store is corrupt (audit row %lld malformed)",
			    (long long)ev.seq);
			goto out;
		}
		r = cb(&ev, ctx);
		if (r < 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		r = jl_store_error(st->db, rc, err, "reading the audit chain");
out:
	sqlite3_finalize(s);
	return r;
}

/*
 * One row against the chain so far: 0 when it links, 1 when broken (err
 * and *bad set).  A gap is a deleted row; a seq below the expected one
 * can only be a row inserted before the first.
 */
static int
check_link(sqlite3_stmt *s, int64_t expect, uint8_t prev[JL_HASH_BYTES],
    int64_t *bad, struct jl_error *err)
{
	uint8_t h[JL_HASH_BYTES];
	char hex[JL_HASH_HEX];
	struct jl_event ev;
	bool ok;
	int r;

	ok = event_from_row(s, &ev);
	if (ev.seq > expect) {
		*bad = expect;
		jl_error_set(err, EIO, "seq %lld missing (row deleted)",
		    (long long)expect);
		return 1;
	}
	if (ev.seq < expect) {
		*bad = ev.seq;
		jl_error_set(err, EIO,
		    "seq %lld: out of sequence (row inserted)",
		    (long long)ev.seq);
		return 1;
	}
	r = jl_audit_hash(prev, &ev, h);
	if (r < 0)
		return jl_error_set(err, r, "hashing seq %lld",
		    (long long)expect);
	jl_hex(h, JL_HASH_BYTES, hex);
	if (!ok || memcmp(hex, ev.hash, JL_HASH_HEX) != 0) {
		*bad = expect;
		jl_error_set(err, EIO,
		    "seq %lld: hash mismatch (row edited or inserted)",
		    (long long)expect);
		return 1;
	}
	memcpy(prev, h, JL_HASH_BYTES);
	return 0;
}

/* Contract: see store.h. */
int
jl_store_audit_verify(struct jl_store *st, int64_t *ret_count,
    int64_t *ret_bad_seq, struct jl_error *err)
{
	uint8_t prev[JL_HASH_BYTES] = { 0 };
	sqlite3_stmt *s = NULL;
	int64_t n = 0, bad = 0;
	int r, rc;

	r = jl_store_prepare(st->db,
	    "SELECT " EVENT_COLS " FROM audit ORDER BY seq", &s, err);
	if (r < 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r = check_link(s, n + 1, prev, &bad, err);
		if (r < 0)
			goto out;
		if (r == 1) {
			*ret_bad_seq = bad;
			goto out;
		}
		n++;
	}
	if (rc != SQLITE_DONE) {
		r = jl_store_error(st->db, rc, err, "reading the audit chain");
		goto out;
	}
	*ret_count = n;
out:
	sqlite3_finalize(s);
	return r;
}

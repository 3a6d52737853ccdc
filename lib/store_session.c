/* SPDX-License-Identifier: ISC */
/*
 * PAM sessions and jitlogview views in the store.  A session row is
 * opened by pam_jitlog at session open and closed at session close;
 * sweep ends the sessions whose grant no longer holds and marks them
 * terminated.  A view row is written before the first byte of a log is
 * shown and closed with the bytes shown and the redactions made.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jitlog/store.h"
#include "store_impl.h"

#define SESSION_COLS                                                           \
	"id, grant_id, user, service, rhost, tty, pid, pid_start, opened_at,"  \
	" closed_at, terminated_at"

/* Contract: see store.h.  Sets s->id on success. */
int
jl_store_session_insert(struct jl_store *st, struct jl_session *ss,
    struct jl_error *err)
{
	sqlite3_stmt *s = NULL;
	int r, rc;

	r = jl_store_prepare(st->db,
	    "INSERT INTO sessions (grant_id, user, service, rhost, tty, pid,"
	    " pid_start, opened_at, closed_at, terminated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	    &s, err);
	if (r < 0)
		return r;
	rc = sqlite3_bind_int64(s, 1, ss->grant_id);
	rc |= jl_store_bind_text(s, 2, ss->user);
	rc |= jl_store_bind_text(s, 3, ss->service);
	rc |= jl_store_bind_text(s, 4, ss->rhost);
	rc |= jl_store_bind_text(s, 5, ss->tty);
	rc |= sqlite3_bind_int64(s, 6, ss->pid);
	rc |= sqlite3_bind_int64(s, 7, ss->pid_start);
	rc |= sqlite3_bind_int64(s, 8, ss->opened_at);
	rc |= sqlite3_bind_int64(s, 9, ss->closed_at);
	rc |= sqlite3_bind_int64(s, 10, ss->terminated_at);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		r = jl_store_error(st->db, rc, err, "recording the session");
	else
		ss->id = sqlite3_last_insert_rowid(st->db);
	sqlite3_finalize(s);
	return r;
}

/* Contract: see store.h.  The newest open session of (grant, pid). */
int
jl_store_session_close(struct jl_store *st, int64_t grant_id, int64_t pid,
    int64_t now, int64_t *ret_session_id, struct jl_error *err)
{
	sqlite3_stmt *s = NULL;
	int r, rc;

	r = jl_store_prepare(st->db,
	    "UPDATE sessions SET closed_at = ?3 WHERE id = (SELECT id FROM"
	    " sessions WHERE grant_id = ?1 AND pid = ?2 AND closed_at = 0"
	    " ORDER BY id DESC LIMIT 1) RETURNING id",
	    &s, err);
	if (r < 0)
		return r;
	rc = sqlite3_bind_int64(s, 1, grant_id);
	rc |= sqlite3_bind_int64(s, 2, pid);
	rc |= sqlite3_bind_int64(s, 3, now);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (ret_session_id != NULL)
			*ret_session_id = sqlite3_column_int64(s, 0);
		r = 1;
		rc = sqlite3_step(s);
	}
	if (rc != SQLITE_DONE)
		r = jl_store_error(st->db, rc, err, "closing the session");
	sqlite3_finalize(s);
	return r;
}

/* Contract: NULL-safe; frees the strings of each session and v. */
void
jl_sessions_free(struct jl_session *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].user);
		free(v[i].service);
		free(v[i].rhost);
		free(v[i].tty);
	}
	free(v);
}

static int
session_from_row(sqlite3_stmt *s, struct jl_session *ss)
{
	int r;

	memset(ss, 0, sizeof(*ss));
	ss->id = sqlite3_column_int64(s, 0);
	ss->grant_id = sqlite3_column_int64(s, 1);
	ss->pid = sqlite3_column_int64(s, 6);
	ss->pid_start = sqlite3_column_int64(s, 7);
	ss->opened_at = sqlite3_column_int64(s, 8);
	ss->closed_at = sqlite3_column_int64(s, 9);
	ss->terminated_at = sqlite3_column_int64(s, 10);
	r = jl_store_col_dup(s, 2, &ss->user);
	if (r == 0)
		r = jl_store_col_dup(s, 3, &ss->service);
	if (r == 0)
		r = jl_store_col_dup(s, 4, &ss->rhost);
	if (r == 0)
		r = jl_store_col_dup(s, 5, &ss->tty);
	if (r == 0 && (ss->user == NULL || ss->service == NULL))
		r = -EIO;
	return r;
}

/* Contract: see store.h. */
void
jl_session_clear(struct jl_session *ss)
{
	if (ss == NULL)
		return;
	free(ss->user);
	free(ss->service);
	free(ss->rhost);
	free(ss->tty);
	memset(ss, 0, sizeof(*ss));
}

/* Contract: see store.h. */
int
jl_store_session_get(struct jl_store *st, int64_t id, struct jl_session *ret,
    struct jl_error *err)
{
	struct jl_session ss;
	sqlite3_stmt *s = NULL;
	int r, rc;

	r = jl_store_prepare(st->db,
	    "SELECT " SESSION_COLS " FROM sessions WHERE id = ?1", &s, err);
	if (r < 0)
		return r;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		r = jl_error_set(err, ENOENT, "session %lld: no such session",
		    (long long)id);
	} else if (rc != SQLITE_ROW) {
		r = jl_store_error(st->db, rc, err, "reading the session");
	} else if ((r = session_from_row(s, &ss)) < 0) {
		jl_session_clear(&ss);
		if (r == -EIO)
			r = jl_error_set(err, EIO,
			    "store is corrupt (invalid session row)");
	} else {
		*ret = ss;
	}
	sqlite3_finalize(s);
	return r;
}

/*
 * Contract: see store.h.  Open (not closed, not yet terminated) sessions
 * whose own grant does not hold at now: not approved any more, not
 * started, or at/after expires_at.
 */
int
jl_store_session_list_stale(struct jl_store *st, int64_t now,
    struct jl_session **ret, size_t *ret_n, struct jl_error *err)
{
	struct jl_session *v = NULL, *nv;
	sqlite3_stmt *s = NULL;
	size_t n = 0;
	int r, rc;

	r = jl_store_prepare(st->db,
	    "SELECT s.id, s.grant_id, s.user, s.service, s.rhost, s.tty,"
	    " s.pid, s.pid_start, s.opened_at, s.closed_at, s.terminated_at"
	    " FROM sessions AS s JOIN grants AS g ON g.id = s.grant_id"
	    " WHERE s.closed_at = 0 AND s.terminated_at = 0"
	    " AND NOT (g.status = 'approved' AND g.starts_at <= ?1"
	    " AND ?1 < g.expires_at) ORDER BY s.id",
	    &s, err);
	if (r < 0)
		goto out;
	sqlite3_bind_int64(s, 1, now);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		nv = reallocarray(v, n + 1, sizeof(*v));
		if (nv == NULL) {
			r = -ENOMEM;
			goto out;
		}
		v = nv;
		r = session_from_row(s, &v[n++]);
		if (r < 0) {
			if (r == -EIO)
				r = jl_error_set(err, EIO,
				    "store is corrupt (invalid session row)");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		r = jl_store_error(st->db, rc, err, "listing sessions");
		goto out;
	}
	*ret = v;
	*ret_n = n;
	v = NULL;
	n = 0;
out:
	jl_sessions_free(v, n);
	sqlite3_finalize(s);
	return r;
}

/* Run an UPDATE of one row by id: 0, -ENOENT when no row changed. */
static int
update_one(struct jl_store *st, sqlite3_stmt *s, const char *what, int64_t id,
    struct jl_error *err)
{
	int rc;

	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		return jl_store_error(st->db, rc, err, what);
	if (sqlite3_changes(st->db) != 1)
		return jl_error_set(err, ENOENT, "%s: no such row %lld", what,
		    (long long)id);
	return 0;
}

/* Contract: see store.h.  -ENOENT when no such session; marking twice
 * keeps the first time. */
int
jl_store_session_mark_terminated(struct jl_store *st, int64_t id, int64_t now,
    struct jl_error *err)
{
	sqlite3_stmt *s = NULL;
	int r;

	r = jl_store_prepare(st->db,
	    "UPDATE sessions SET terminated_at = CASE WHEN terminated_at = 0"
	    " THEN ?2 ELSE terminated_at END WHERE id = ?1",
	    &s, err);
	if (r < 0)
		return r;
	if (sqlite3_bind_int64(s, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, now) != SQLITE_OK)
		r = jl_error_set(err, EINVAL, "invalid session");
	else
		r = update_one(st, s, "marking the session terminated", id,
		    err);
	sqlite3_finalize(s);
	return r;
}

/* Contract: see store.h.  Sets *ret_id on success. */
int
jl_store_view_insert(struct jl_store *st, int64_t grant_id, const char *user,
    const char *resource, const char *file, int64_t opened_at, int64_t *ret_id,
    struct jl_error *err)
{
	sqlite3_stmt *s = NULL;
	int r, rc;

	r = jl_store_prepare(st->db,
	    "INSERT INTO views (grant_id, user, resource, file, opened_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	    &s, err);
	if (r < 0)
		return r;
	rc = jl_store_bind_id(s, 1, grant_id);
	rc |= jl_store_bind_text(s, 2, user);
	rc |= jl_store_bind_text(s, 3, resource);
	rc |= jl_store_bind_text(s, 4, file);
	rc |= sqlite3_bind_int64(s, 5, opened_at);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_DONE)
		r = jl_store_error(st->db, rc, err, "recording the view");
	else if (ret_id != NULL)
		*ret_id = sqlite3_last_insert_rowid(st->db);
	sqlite3_finalize(s);
	return r;
}

/* Contract: see store.h.  -ENOENT when the view is unknown or closed
 * already; redactions_json NULL stores NULL. */
int
jl_store_view_close(struct jl_store *st, int64_t view_id, int64_t now,
    int64_t bytes, const char *redactions_json, struct jl_error *err)
{
	sqlite3_stmt *s = NULL;
	int r, rc;

	r = jl_store_prepare(st->db,
	    "UPDATE views SET closed_at = ?2, bytes = ?3, redactions = ?4"
	    " WHERE id = ?1 AND closed_at = 0",
	    &s, err);
	if (r < 0)
		return r;
	rc = sqlite3_bind_int64(s, 1, view_id);
	rc |= sqlite3_bind_int64(s, 2, now);
	rc |= sqlite3_bind_int64(s, 3, bytes);
	rc |= jl_store_bind_text(s, 4, redactions_json);
	if (rc != SQLITE_OK)
		r = jl_error_set(err, EINVAL, "invalid view");
	else
		r = update_one(st, s, "closing the view", view_id, err);
	sqlite3_finalize(s);
	return r;
}

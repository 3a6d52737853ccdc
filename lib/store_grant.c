/* SPDX-License-Identifier: ISC */
/*
 * Grants and their approvals in the store: insert, update, get, list and
 * the active-grant lookup the PAM module runs on every login.  Statuses
 * are stored by name (the persistent format does not depend on the
 * order of enum jl_status).  Multi-row writes run under a SAVEPOINT so
 * that they are atomic inside or outside the caller's transaction.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jitlog/store.h"
#include "store_impl.h"

static const char *const status_names[] = {
	[JL_ST_PENDING] = "pending",
	[JL_ST_APPROVED] = "approved",
	[JL_ST_DENIED] = "denied",
	[JL_ST_REVOKED] = "revoked",
	[JL_ST_CANCELLED] = "cancelled",
	[JL_ST_LAPSED] = "lapsed",
	[JL_ST_EXPIRED] = "expired",
};
#define NSTATUS (sizeof(status_names) / sizeof(*status_names))

#define GRANT_COLS                                                             \
	"id, user, uid, resource, status, reason, ticket, requested_at,"       \
	" start_req, starts_at, expires_at, ended_at, ended_by, end_comment,"  \
	" duration_s, approvals_required, unredacted, break_glass,"            \
	" reviewed_at, reviewed_by, escalated_at, extends_id"

/* grant_list: one constant statement per combination of the filters
 * that have an index (status, user, unreviewed); resource is filtered
 * in place.  Bit 0: status, bit 1: user, bit 2: unreviewed. */
#define LIST_HEAD "SELECT " GRANT_COLS " FROM grants WHERE 1"
#define F_ST      " AND status IN (?3, ?4, ?5, ?6, ?7, ?8, ?9)"
#define F_USER    " AND user = ?1"
#define F_UNREV   " AND break_glass = 1 AND reviewed_at = 0"
#define LIST_TAIL                                                              \
	" AND (?2 IS NULL OR resource = ?2) ORDER BY id DESC LIMIT ?10"
static const char *const list_sql[8] = {
	LIST_HEAD LIST_TAIL,
	LIST_HEAD F_ST LIST_TAIL,
	LIST_HEAD F_USER LIST_TAIL,
	LIST_HEAD F_ST F_USER LIST_TAIL,
	LIST_HEAD F_UNREV LIST_TAIL,
	LIST_HEAD F_ST F_UNREV LIST_TAIL,
	LIST_HEAD F_USER F_UNREV LIST_TAIL,
	LIST_HEAD F_ST F_USER F_UNREV LIST_TAIL,
};

static int
status_from_text(const unsigned char *t, enum jl_status *ret)
{
	size_t i;

	for (i = 0; t != NULL && i < NSTATUS; i++) {
		if (strcmp((const char *)t, status_names[i]) == 0) {
			*ret = (enum jl_status)i;
			return 0;
		}
	}
	return -EIO;
}

/* Bind the grant's fields to ?1..?21 (insert and update). */
static int
bind_grant(sqlite3_stmt *s, const struct jl_grant *g)
{
	int rc = SQLITE_OK;

	if ((unsigned)g->status >= NSTATUS)
		return SQLITE_RANGE;
	rc |= jl_store_bind_text(s, 1, g->user);
	rc |= sqlite3_bind_int64(s, 2, (int64_t)g->uid);
	rc |= jl_store_bind_text(s, 3, g->resource);
	rc |=
	    sqlite3_bind_text(s, 4, status_names[g->status], -1, SQLITE_STATIC);
	rc |= jl_store_bind_text(s, 5, g->reason);
	rc |= jl_store_bind_text(s, 6, g->ticket);
	rc |= sqlite3_bind_int64(s, 7, g->requested_at);
	rc |= sqlite3_bind_int64(s, 8, g->start_req);
	rc |= sqlite3_bind_int64(s, 9, g->starts_at);
	rc |= sqlite3_bind_int64(s, 10, g->expires_at);
	rc |= sqlite3_bind_int64(s, 11, g->ended_at);
	rc |= jl_store_bind_text(s, 12, g->ended_by);
	rc |= jl_store_bind_text(s, 13, g->end_comment);
	rc |= sqlite3_bind_int64(s, 14, g->duration_s);
	rc |= sqlite3_bind_int64(s, 15, (int64_t)g->approvals_required);
	rc |= sqlite3_bind_int(s, 16, g->unredacted ? 1 : 0);
	rc |= sqlite3_bind_int(s, 17, g->break_glass ? 1 : 0);
	rc |= sqlite3_bind_int64(s, 18, g->reviewed_at);
	rc |= jl_store_bind_text(s, 19, g->reviewed_by);
	rc |= sqlite3_bind_int64(s, 20, g->escalated_at);
	rc |= jl_store_bind_id(s, 21, g->extends_id);
	return rc == SQLITE_OK ? SQLITE_OK : SQLITE_RANGE;
}

static int
bad_grant(struct jl_error *err)
{
	return jl_error_set(err, EINVAL, "invalid grant (field out of range)");
}

/* Store the approvals of g that are not stored yet. */
static int
put_approvals(sqlite3 *db, int64_t id, const struct jl_grant *g,
    struct jl_error *err)
{
	sqlite3_stmt *s = NULL;
	size_t i;
	int r, rc;

	r = jl_store_prepare(db,
	    "INSERT INTO approvals (grant_id, approver, at, comment, uid)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)"
	    " ON CONFLICT (grant_id, approver) DO NOTHING",
	    &s, err);
	for (i = 0; r == 0 && i < g->napprovals; i++) {
		sqlite3_reset(s);
		rc = sqlite3_bind_int64(s, 1, id);
		rc |= jl_store_bind_text(s, 2, g->approvals[i].by);
		rc |= sqlite3_bind_int64(s, 3, g->approvals[i].at);
		rc |= jl_store_bind_text(s, 4, g->approvals[i].comment);
		if (g->approvals[i].uid >= 0)
			rc |= sqlite3_bind_int64(s, 5, g->approvals[i].uid);
		else
			rc |= sqlite3_bind_null(s, 5);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(s);
		if (rc != SQLITE_DONE)
			r = jl_store_error(db, rc, err, "storing an approval");
	}
	sqlite3_finalize(s);
	return r;
}

/* End the grant_write savepoint: on failure (r < 0) undo what was
 * written since it, leaving the caller's transaction as it was. */
static int
savepoint_end(sqlite3 *db, int r)
{
	if (r < 0)
		(void)sqlite3_exec(db, "ROLLBACK TO grant_write", NULL, NULL,
		    NULL);
	(void)sqlite3_exec(db, "RELEASE grant_write", NULL, NULL, NULL);
	return r;
}

/* Contract: see store.h.  Sets g->id on success. */
int
jl_store_grant_insert(struct jl_store *st, struct jl_grant *g,
    struct jl_error *err)
{
	sqlite3_stmt *s = NULL;
	int64_t id = 0;
	int r, rc;

	r = jl_store_exec(st->db, "SAVEPOINT grant_write", err);
	if (r < 0)
		return r;
	r = jl_store_prepare(st->db,
	    "INSERT INTO grants (user, uid, resource, status, reason, ticket,"
	    " requested_at, start_req, starts_at, expires_at, ended_at,"
	    " ended_by, end_comment, duration_s, approvals_required,"
	    " unredacted, break_glass, reviewed_at, reviewed_by,"
	    " escalated_at, extends_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	    " ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,"
	    " ?21)",
	    &s, err);
	if (r < 0)
		goto out;
	if (bind_grant(s, g) != SQLITE_OK) {
		r = bad_grant(err);
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		r = jl_store_error(st->db, rc, err, "storing the grant");
		goto out;
	}
	id = sqlite3_last_insert_rowid(st->db);
	r = put_approvals(st->db, id, g, err);
out:
	sqlite3_finalize(s);
	r = savepoint_end(st->db, r);
	if (r == 0)
		g->id = id;
	return r;
}

/* Contract: see store.h.  -ENOENT when g->id is not stored. */
int
jl_store_grant_update(struct jl_store *st, const struct jl_grant *g,
    struct jl_error *err)
{
	sqlite3_stmt *s = NULL;
	int r, rc;

	r = jl_store_exec(st->db, "SAVEPOINT grant_write", err);
	if (r < 0)
		return r;
	/* Identity (user, uid, resource, requested_at: ?1 ?2 ?3 ?7) never
	 * changes; those parameters are bound and not used. */
	r = jl_store_prepare(st->db,
	    "UPDATE grants SET status = ?4, reason = ?5, ticket = ?6,"
	    " start_req = ?8, starts_at = ?9, expires_at = ?10,"
	    " ended_at = ?11, ended_by = ?12, end_comment = ?13,"
	    " duration_s = ?14, approvals_required = ?15, unredacted = ?16,"
	    " break_glass = ?17, reviewed_at = ?18, reviewed_by = ?19,"
	    " escalated_at = ?20, extends_id = ?21"
	    " WHERE id = ?22",
	    &s, err);
	if (r < 0)
		goto out;
	if (bind_grant(s, g) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 22, g->id) != SQLITE_OK) {
		r = bad_grant(err);
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		r = jl_store_error(st->db, rc, err, "updating the grant");
		goto out;
	}
	if (sqlite3_changes(st->db) != 1) {
		r = jl_error_set(err, ENOENT, "grant %lld: no such grant",
		    (long long)g->id);
		goto out;
	}
	r = put_approvals(st->db, g->id, g, err);
out:
	sqlite3_finalize(s);
	return savepoint_end(st->db, r);
}

/* Required text column: NULL here means a damaged store. */
static int
col_req(sqlite3_stmt *s, int i, char **ret)
{
	int r = jl_store_col_dup(s, i, ret);

	if (r == 0 && *ret == NULL)
		return -EIO;
	return r;
}

static int
grant_from_row(sqlite3_stmt *s, struct jl_grant **ret)
{
	struct jl_grant *g;
	int64_t uid, req;
	int r;

	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	g->id = sqlite3_column_int64(s, 0);
	uid = sqlite3_column_int64(s, 2);
	req = sqlite3_column_int64(s, 15);
	r = status_from_text(sqlite3_column_text(s, 4), &g->status);
	if (r == 0 &&
	    (uid < 0 || uid >= (int64_t)(uid_t)-1 || req < 1 ||
	        req > (int64_t)UINT32_MAX))
		r = -EIO;
	if (r == 0)
		r = col_req(s, 1, &g->user);
	if (r == 0)
		r = col_req(s, 3, &g->resource);
	if (r == 0)
		r = col_req(s, 5, &g->reason);
	if (r == 0)
		r = jl_store_col_dup(s, 6, &g->ticket);
	if (r == 0)
		r = jl_store_col_dup(s, 12, &g->ended_by);
	if (r == 0)
		r = jl_store_col_dup(s, 13, &g->end_comment);
	if (r == 0)
		r = jl_store_col_dup(s, 19, &g->reviewed_by);
	if (r < 0) {
		jl_grant_free(g);
		return r;
	}
	g->uid = (uid_t)uid;
	g->requested_at = sqlite3_column_int64(s, 7);
	g->start_req = sqlite3_column_int64(s, 8);
	g->starts_at = sqlite3_column_int64(s, 9);
	g->expires_at = sqlite3_column_int64(s, 10);
	g->ended_at = sqlite3_column_int64(s, 11);
	g->duration_s = sqlite3_column_int64(s, 14);
	g->approvals_required = (unsigned)req;
	g->unredacted = sqlite3_column_int(s, 16) != 0;
	g->break_glass = sqlite3_column_int(s, 17) != 0;
	g->reviewed_at = sqlite3_column_int64(s, 18);
	g->escalated_at = sqlite3_column_int64(s, 20);
	g->extends_id = sqlite3_column_int64(s, 21);
	*ret = g;
	return 0;
}

/* Load g's approvals in the order they were given, with s prepared. */
static int
load_approvals(sqlite3 *db, sqlite3_stmt *s, struct jl_grant *g,
    struct jl_error *err)
{
	struct jl_approval *a;
	int r = 0, rc;

	sqlite3_reset(s);
	if (sqlite3_bind_int64(s, 1, g->id) != SQLITE_OK)
		return -EINVAL;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		a = reallocarray(g->approvals, g->napprovals + 1, sizeof(*a));
		if (a == NULL)
			return -ENOMEM;
		g->approvals = a;
		a = &g->approvals[g->napprovals];
		memset(a, 0, sizeof(*a));
		g->napprovals++;
		a->at = sqlite3_column_int64(s, 1);
		a->uid = sqlite3_column_type(s, 3) == SQLITE_NULL ?
		    -1 :
		    sqlite3_column_int64(s, 3);
		r = col_req(s, 0, &a->by);
		if (r == 0)
			r = jl_store_col_dup(s, 2, &a->comment);
		if (r < 0)
			return r;
	}
	if (rc != SQLITE_DONE)
		r = jl_store_error(db, rc, err, "reading approvals");
	return r;
}

static int
prepare_approvals(sqlite3 *db, sqlite3_stmt **ret, struct jl_error *err)
{
	return jl_store_prepare(db,
	    "SELECT approver, at, comment, uid FROM approvals"
	    " WHERE grant_id = ?1"
	    " ORDER BY at, rowid",
	    ret, err);
}

static int
corrupt(int r, struct jl_error *err)
{
	if (r == -EIO)
		return jl_error_set(err, EIO,
		    "store is corrupt (invalid grant row)");
	return r;
}

/* Contract: see store.h. */
int
jl_store_grant_get(struct jl_store *st, int64_t id, struct jl_grant **ret,
    struct jl_error *err)
{
	sqlite3_stmt *s = NULL, *sa = NULL;
	struct jl_grant *g = NULL;
	int r, rc;

	r = jl_store_prepare(st->db,
	    "SELECT " GRANT_COLS " FROM grants WHERE id = ?1", &s, err);
	if (r < 0)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		r = jl_error_set(err, ENOENT, "grant %lld: no such grant",
		    (long long)id);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = jl_store_error(st->db, rc, err, "reading the grant");
		goto out;
	}
	r = corrupt(grant_from_row(s, &g), err);
	if (r < 0)
		goto out;
	r = prepare_approvals(st->db, &sa, err);
	if (r == 0)
		r = corrupt(load_approvals(st->db, sa, g, err), err);
	if (r < 0)
		goto out;
	*ret = g;
	g = NULL;
out:
	jl_grant_free(g);
	sqlite3_finalize(sa);
	sqlite3_finalize(s);
	return r;
}

static int
bind_filter(sqlite3_stmt *s, const struct jl_grant_filter *f)
{
	int rc, i, p = 3;

	rc = jl_store_bind_text(s, 1, f->user);
	rc |= jl_store_bind_text(s, 2, f->resource);
	for (i = 0; i < (int)NSTATUS; i++) {
		if (f->status_mask & (1u << i))
			rc |= sqlite3_bind_text(s, p++, status_names[i], -1,
			    SQLITE_STATIC);
	}
	/* Unused IN slots stay NULL, which matches nothing. */
	rc |= sqlite3_bind_int64(s, 10,
	    f->limit > 0 && f->limit < INT64_MAX ? (int64_t)f->limit : -1);
	return rc;
}

static int
push_grant(struct jl_grant ***v, size_t *n, struct jl_grant *g)
{
	struct jl_grant **nv;

	nv = reallocarray(*v, *n + 1, sizeof(**v));
	if (nv == NULL)
		return -ENOMEM;
	nv[(*n)++] = g;
	*v = nv;
	return 0;
}

/*
 * Every row of s (prepared and bound; not finalised here) as a grant with
 * its approvals, in the order of s; what names the read in errors.  On 0
 * *ret and *ret_n are set; otherwise nothing is handed over.
 */
static int
read_grants(sqlite3 *db, sqlite3_stmt *s, const char *what,
    struct jl_grant ***ret, size_t *ret_n, struct jl_error *err)
{
	sqlite3_stmt *sa = NULL;
	struct jl_grant **v = NULL, *g = NULL;
	size_t n = 0;
	int r, rc;

	if ((r = prepare_approvals(db, &sa, err)) < 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		r = corrupt(grant_from_row(s, &g), err);
		if (r == 0)
			r = corrupt(load_approvals(db, sa, g, err), err);
		if (r == 0)
			r = push_grant(&v, &n, g);
		if (r < 0)
			goto out;
		g = NULL;
	}
	if (rc != SQLITE_DONE) {
		r = jl_store_error(db, rc, err, what);
		goto out;
	}
	*ret = v;
	*ret_n = n;
	v = NULL;
	n = 0;
out:
	jl_grant_free(g);
	jl_grants_free(v, n);
	sqlite3_finalize(sa);
	return r;
}

/* Contract: see store.h.  Each grant comes with its approvals. */
int
jl_store_grant_list(struct jl_store *st, const struct jl_grant_filter *f,
    struct jl_grant ***ret, size_t *ret_n, struct jl_error *err)
{
	static const struct jl_grant_filter all;
	sqlite3_stmt *s = NULL;
	unsigned which;
	int r;

	if (f == NULL)
		f = &all;
	which = (f->status_mask != 0 ? 1u : 0u) | (f->user != NULL ? 2u : 0u) |
	    (f->unreviewed ? 4u : 0u);
	r = jl_store_prepare(st->db, list_sql[which], &s, err);
	if (r < 0)
		goto out;
	if (bind_filter(s, f) != SQLITE_OK) {
		r = jl_error_set(err, EINVAL, "invalid grant filter");
		goto out;
	}
	r = read_grants(st->db, s, "listing grants", ret, ret_n, err);
out:
	sqlite3_finalize(s);
	return r;
}

/* Contract: see store.h.  An index scan of grants_extends (schema v3). */
int
jl_store_grant_extensions(struct jl_store *st, int64_t id,
    struct jl_grant ***ret, size_t *ret_n, struct jl_error *err)
{
	sqlite3_stmt *s = NULL;
	int r;

	r = jl_store_prepare(st->db,
	    "SELECT " GRANT_COLS " FROM grants WHERE extends_id = ?1"
	    " ORDER BY id",
	    &s, err);
	if (r < 0)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	r = read_grants(st->db, s, "listing extensions", ret, ret_n, err);
out:
	sqlite3_finalize(s);
	return r;
}

/*
 * Contract: see store.h.  Holds at now: starts_at <= now < expires_at.
 * Both statements are a range scan of a partial index over approved
 * grants (grants_active, grants_active_any), newest expiry first.
 */
int
jl_store_grant_find_active(struct jl_store *st, const char *user, uid_t uid,
    const char *resource, int64_t now, int64_t *ret_id, int64_t *ret_expires,
    struct jl_error *err)
{
	sqlite3_stmt *s = NULL;
	int r, rc;

	r = jl_store_prepare(st->db,
	    resource != NULL ?
	        "SELECT id, expires_at FROM grants INDEXED BY grants_active"
	        " WHERE status = 'approved' AND user = ?1 AND resource = ?2"
	        " AND expires_at > ?3 AND starts_at <= ?3 AND uid = ?4"
	        " ORDER BY expires_at DESC LIMIT 1" :
	        "SELECT id, expires_at FROM grants INDEXED BY grants_active_any"
	        " WHERE status = 'approved' AND user = ?1"
	        " AND expires_at > ?3 AND starts_at <= ?3 AND uid = ?4"
	        " ORDER BY expires_at DESC LIMIT 1",
	    &s, err);
	if (r < 0)
		goto out;
	rc = jl_store_bind_text(s, 1, user);
	if (resource != NULL)
		rc |= jl_store_bind_text(s, 2, resource);
	rc |= sqlite3_bind_int64(s, 3, now);
	rc |= sqlite3_bind_int64(s, 4, (int64_t)uid);
	if (rc != SQLITE_OK) {
		r = jl_error_set(err, EINVAL, "invalid lookup");
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*ret_id = sqlite3_column_int64(s, 0);
		*ret_expires = sqlite3_column_int64(s, 1);
		r = 1;
	} else if (rc != SQLITE_DONE) {
		r = jl_store_error(st->db, rc, err, "looking up grants");
	}
out:
	sqlite3_finalize(s);
	return r;
}

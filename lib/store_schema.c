/* SPDX-License-Identifier: ISC */
/*
 * The store's schema and its forward migrations.  PRAGMA user_version
 * holds the schema version; each step below takes a store from version
 * n-1 to n and never edits a step that has shipped.  Version 1 holds
 * grants, approvals and the audit chain; version 2 adds PAM sessions,
 * views, and the break-glass, review, escalation and extension columns;
 * version 3 indexes extensions by the grant they continue (revoke ends
 * the chain, extend and show look it up); version 4 records each
 * approver's uid with the name (a renamed approver is not two).
 *
 * CHECK constraints keep values sane (status names, positive durations,
 * booleans, non-negative times, lengths), so that a bug elsewhere fails
 * loudly as -EINVAL instead of storing nonsense.  The indexes serve the
 * hot paths: the PAM module's active-grant lookup (a partial index over
 * approved grants) and "list --pending" (status).
 */
#include <errno.h>
#include <stddef.h>

#include "store_impl.h"

/* Version 1: grants, approvals, audit. */
static const char schema_v1[] =
    "CREATE TABLE grants ("
    " id INTEGER PRIMARY KEY,"
    " user TEXT NOT NULL"
    "  CHECK (length(CAST(user AS BLOB)) BETWEEN 1 AND 256),"
    " uid INTEGER NOT NULL CHECK (uid >= 0 AND uid < 4294967295),"
    " resource TEXT NOT NULL"
    "  CHECK (length(CAST(resource AS BLOB)) BETWEEN 1 AND 64),"
    " status TEXT NOT NULL CHECK (status IN ('pending', 'approved',"
    "  'denied', 'revoked', 'cancelled', 'lapsed', 'expired')),"
    " reason TEXT NOT NULL"
    "  CHECK (length(CAST(reason AS BLOB)) BETWEEN 1 AND 4096),"
    " ticket TEXT CHECK (length(CAST(ticket AS BLOB)) <= 4096),"
    " requested_at INTEGER NOT NULL CHECK (requested_at >= 0),"
    " start_req INTEGER NOT NULL DEFAULT 0 CHECK (start_req >= 0),"
    " starts_at INTEGER NOT NULL DEFAULT 0 CHECK (starts_at >= 0),"
    " expires_at INTEGER NOT NULL DEFAULT 0 CHECK (expires_at >= starts_at),"
    " ended_at INTEGER NOT NULL DEFAULT 0 CHECK (ended_at >= 0),"
    " ended_by TEXT CHECK (length(CAST(ended_by AS BLOB)) <= 256),"
    " end_comment TEXT CHECK (length(CAST(end_comment AS BLOB)) <= 4096),"
    " duration_s INTEGER NOT NULL CHECK (duration_s > 0),"
    " approvals_required INTEGER NOT NULL CHECK (approvals_required >= 1),"
    " unredacted INTEGER NOT NULL DEFAULT 0 CHECK (unredacted IN (0, 1)),"
    " CHECK (status <> 'approved' OR"
    "  (starts_at > 0 AND expires_at > starts_at))"
    ") STRICT;"
    "CREATE TABLE approvals ("
    " grant_id INTEGER NOT NULL REFERENCES grants(id),"
    " approver TEXT NOT NULL"
    "  CHECK (length(CAST(approver AS BLOB)) BETWEEN 1 AND 256),"
    " at INTEGER NOT NULL CHECK (at >= 0),"
    " comment TEXT CHECK (length(CAST(comment AS BLOB)) <= 4096),"
    " UNIQUE (grant_id, approver)"
    ") STRICT;"
    "CREATE TABLE audit ("
    " seq INTEGER PRIMARY KEY,"
    " at INTEGER NOT NULL,"
    " event TEXT NOT NULL CHECK (length(event) BETWEEN 1 AND 64),"
    " grant_id INTEGER CHECK (grant_id > 0),"
    " actor TEXT,"
    " user TEXT,"
    " resource TEXT,"
    " detail TEXT NOT NULL CHECK (substr(detail, 1, 1) = '{'),"
    " hash TEXT NOT NULL CHECK (length(hash) = 64)"
    ") STRICT;"
    "CREATE INDEX grants_active ON grants(user, resource, expires_at)"
    " WHERE status = 'approved';"
    "CREATE INDEX grants_status ON grants(status);"
    "CREATE INDEX audit_grant ON audit(grant_id) WHERE grant_id IS NOT NULL;";

/*
 * Version 2: sessions, views, break-glass/review/escalation/extension.
 * The audit table becomes append-only for this code (triggers); a raw
 * writer can drop them, which is what the hash chain is for.
 */
static const char schema_v2[] =
    "ALTER TABLE grants ADD COLUMN break_glass INTEGER NOT NULL DEFAULT 0"
    " CHECK (break_glass IN (0, 1));"
    "ALTER TABLE grants ADD COLUMN reviewed_at INTEGER NOT NULL DEFAULT 0"
    " CHECK (reviewed_at >= 0);"
    "ALTER TABLE grants ADD COLUMN reviewed_by TEXT"
    " CHECK (length(CAST(reviewed_by AS BLOB)) <= 256);"
    "ALTER TABLE grants ADD COLUMN escalated_at INTEGER NOT NULL DEFAULT 0"
    " CHECK (escalated_at >= 0);"
    "ALTER TABLE grants ADD COLUMN extends_id INTEGER REFERENCES grants(id);"
    "CREATE TABLE sessions ("
    " id INTEGER PRIMARY KEY,"
    " grant_id INTEGER NOT NULL REFERENCES grants(id),"
    " user TEXT NOT NULL"
    "  CHECK (length(CAST(user AS BLOB)) BETWEEN 1 AND 256),"
    " service TEXT NOT NULL"
    "  CHECK (length(CAST(service AS BLOB)) BETWEEN 1 AND 256),"
    " rhost TEXT CHECK (length(CAST(rhost AS BLOB)) <= 1024),"
    " tty TEXT CHECK (length(CAST(tty AS BLOB)) <= 1024),"
    " pid INTEGER NOT NULL CHECK (pid > 0),"
    " pid_start INTEGER NOT NULL DEFAULT 0 CHECK (pid_start >= 0),"
    " opened_at INTEGER NOT NULL CHECK (opened_at >= 0),"
    " closed_at INTEGER NOT NULL DEFAULT 0 CHECK (closed_at >= 0),"
    " terminated_at INTEGER NOT NULL DEFAULT 0 CHECK (terminated_at >= 0)"
    ") STRICT;"
    "CREATE TABLE views ("
    " id INTEGER PRIMARY KEY,"
    " grant_id INTEGER REFERENCES grants(id),"
    " user TEXT NOT NULL"
    "  CHECK (length(CAST(user AS BLOB)) BETWEEN 1 AND 256),"
    " resource TEXT NOT NULL"
    "  CHECK (length(CAST(resource AS BLOB)) BETWEEN 1 AND 64),"
    " file TEXT NOT NULL CHECK (length(CAST(file AS BLOB)) BETWEEN 1 AND 4096),"
    " opened_at INTEGER NOT NULL CHECK (opened_at >= 0),"
    " closed_at INTEGER NOT NULL DEFAULT 0 CHECK (closed_at >= 0),"
    " bytes INTEGER NOT NULL DEFAULT 0 CHECK (bytes >= 0),"
    " redactions TEXT CHECK (substr(redactions, 1, 1) IN ('{', '['))"
    ") STRICT;"
    "CREATE INDEX grants_unreviewed ON grants(id)"
    " WHERE break_glass = 1 AND reviewed_at = 0;"
    "CREATE INDEX grants_user ON grants(user);"
    "CREATE INDEX grants_active_any ON grants(user, expires_at)"
    " WHERE status = 'approved';"
    "CREATE INDEX sessions_open ON sessions(grant_id, pid)"
    " WHERE closed_at = 0;"
    "CREATE INDEX views_grant ON views(grant_id);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN"
    " SELECT RAISE(ABORT, 'audit rows are append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN"
    " SELECT RAISE(ABORT, 'audit rows are append-only'); END;";

/* Version 3: extensions found by the grant they continue. */
static const char schema_v3[] =
    "CREATE INDEX grants_extends ON grants(extends_id)"
    " WHERE extends_id IS NOT NULL;";

/* Version 4: the approver's uid (NULL in approvals given before). */
static const char schema_v4[] =
    "ALTER TABLE approvals ADD COLUMN uid INTEGER"
    " CHECK (uid IS NULL OR (uid >= 0 AND uid < 4294967295));";

static const char *const migrations[JL_SCHEMA_VERSION] = {
	schema_v1,
	schema_v2,
	schema_v3,
	schema_v4,
};

/* PRAGMA user_version cannot take a bound parameter: one constant per
 * version. */
static const char *const set_version[JL_SCHEMA_VERSION] = {
	"PRAGMA user_version = 1",
	"PRAGMA user_version = 2",
	"PRAGMA user_version = 3",
	"PRAGMA user_version = 4",
};

static int
get_version(sqlite3 *db, struct jl_error *err)
{
	sqlite3_stmt *s = NULL;
	int r, rc;

	r = jl_store_prepare(db, "PRAGMA user_version", &s, err);
	if (r < 0)
		goto out;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		r = jl_store_error(db, rc, err, "reading schema version");
		goto out;
	}
	r = sqlite3_column_int(s, 0);
	if (r < 0)
		r = jl_error_set(err, EPROTO,
		    "store schema version %d is invalid", r);
out:
	sqlite3_finalize(s);
	return r;
}

/*
 * Contract: inside an open write transaction, bring the schema to
 * JL_SCHEMA_VERSION one step at a time.  A store newer than this build is
 * refused with -EPROTO and left alone.  Returns the version found.
 */
int
jl_store_migrate(sqlite3 *db, struct jl_error *err)
{
	int r, v, from;

	from = get_version(db, err);
	if (from < 0)
		return from;
	if (from > JL_SCHEMA_VERSION)
		return jl_error_set(err, EPROTO,
		    "store schema version %d is newer than this jitlog (%d)",
		    from, JL_SCHEMA_VERSION);
	for (v = from; v < JL_SCHEMA_VERSION; v++) {
		r = jl_store_exec(db, migrations[v], err);
		if (r < 0)
			return r;
		r = jl_store_exec(db, set_version[v], err);
		if (r < 0)
			return r;
	}
	return from;
}

/* Contract: the schema version this build reads and writes. */
int
jl_store_schema_version(void)
{
	return JL_SCHEMA_VERSION;
}

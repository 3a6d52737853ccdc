/* SPDX-License-Identifier: ISC */
/*
 * SQL helpers shared by the store's files: SQLite result codes mapped to
 * -errno with a message, preparing and running constant SQL, and binding
 * and copying values.  A corrupt file is -EIO ("store is corrupt"), a
 * locked one -EBUSY, a full disk -ENOSPC, a constraint violation -EINVAL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_impl.h"

static int
errno_from_rc(sqlite3 *db, int rc)
{
	int sys = db != NULL ? sqlite3_system_errno(db) : 0;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EIO;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
	case SQLITE_TOOBIG:
		return -EINVAL;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EPERM;
	case SQLITE_CANTOPEN:
		return sys == EACCES || sys == EPERM ? -EACCES : -ENOENT;
	case SQLITE_IOERR:
		/* Keep what the kernel said when it is telling: ENOSPC,
		 * EFBIG, EDQUOT come back from write() as IOERR_WRITE. */
		if (rc == SQLITE_IOERR_NOMEM)
			return -ENOMEM;
		if (sys == ENOSPC || sys == EFBIG || sys == EDQUOT)
			return -sys;
		return -EIO;
	default:
		return -EIO;
	}
}

/* Contract: see store_impl.h. */
int
jl_store_error(sqlite3 *db, int rc, struct jl_error *err, const char *what)
{
	int e = errno_from_rc(db, rc);
	const char *msg = db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return jl_error_set(err, e, "%s: store is corrupt (%s)", what,
		    msg);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return jl_error_set(err, e,
		    "%s: store is busy (locked by another process)", what);
	case SQLITE_CONSTRAINT:
		return jl_error_set(err, e, "%s: invalid value (%s)", what,
		    msg);
	default:
		return jl_error_set(err, e, "%s: %s", what, msg);
	}
}

/* Contract: see store_impl.h. */
int
jl_store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **ret,
    struct jl_error *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(s);
		return jl_store_error(db, rc, err, "store");
	}
	*ret = s;
	return 0;
}

/* Contract: see store_impl.h. */
int
jl_store_exec(sqlite3 *db, const char *sql, struct jl_error *err)
{
	int rc;

	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return jl_store_error(db, rc, err, "store");
	return 0;
}

/* Contract: see store_impl.h. */
int
jl_store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* Contract: see store_impl.h. */
int
jl_store_bind_id(sqlite3_stmt *s, int i, int64_t v)
{
	if (v == 0)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_int64(s, i, v);
}

/* Contract: see store_impl.h. */
int
jl_store_col_dup(sqlite3_stmt *s, int i, char **ret)
{
	const unsigned char *t;
	char *p;
	int n;

	if (sqlite3_column_type(s, i) == SQLITE_NULL) {
		*ret = NULL;
		return 0;
	}
	t = sqlite3_column_text(s, i);
	n = sqlite3_column_bytes(s, i);
	if (t == NULL || n < 0)
		return -ENOMEM;
	p = malloc((size_t)n + 1);
	if (p == NULL)
		return -ENOMEM;
	memcpy(p, t, (size_t)n);
	p[n] = '\0';
	*ret = p;
	return 0;
}

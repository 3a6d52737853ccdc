/* SPDX-License-Identifier: ISC */
/*
 * Read snapshots of the store for reports and verification (jitadm
 * report, jitadm audit verify --journal): several reads that must see
 * one state of the store, while writers go on.  In WAL mode a deferred
 * transaction reads from the snapshot its first read established and
 * takes no write lock, so a long report never holds up a login or an
 * approval.
 */
#include <errno.h>

#include "jitlog/store.h"
#include "store_impl.h"

/* Contract: see store.h. */
int
jl_store_begin_read(struct jl_store *st, struct jl_error *err)
{
	int rc;

	if (!sqlite3_get_autocommit(st->db))
		return jl_error_set(err, EINVAL,
		    "a transaction is already open");
	rc = sqlite3_exec(st->db, "BEGIN DEFERRED", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return jl_store_error(st->db, rc, err,
		    "starting a read transaction");
	return 0;
}

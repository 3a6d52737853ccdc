/* SPDX-License-Identifier: ISC */
/*
 * Private to lib/store*.c: the SQLite side of the store.  The store's
 * files are the only ones that include sqlite3.h; this header shares the
 * handle, the error mapping and small column helpers between them.
 */
#ifndef JITLOG_STORE_IMPL_H
#define JITLOG_STORE_IMPL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "jitlog/common.h"
#include "jitlog/store.h"

#define JL_SCHEMA_VERSION 4

/* The busy handler's state: its bound, when the current wait began and,
 * inside jl_store_begin, the deadline it shares with the writers' gate
 * (else 0). */
struct jl_busy {
	int ms;
	int64_t start;
	int64_t deadline;
};

struct jl_store {
	sqlite3 *db;
	bool readonly;
	struct jl_busy busy;
	int gate;        /* the writers' gate (store.c), or -1 */
	bool alarm_wait; /* jl_store_opts.alarm_wait */
};

/* Map an SQLite result code (extended) to -errno and describe it in err:
 * "<what>: <reason>".  Constraint violations are -EINVAL. */
int jl_store_error(sqlite3 *db, int rc, struct jl_error *err, const char *what);

/* Prepare constant SQL; -errno with err set on failure. */
int jl_store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **ret,
    struct jl_error *err);
/* Run constant SQL without results. */
int jl_store_exec(sqlite3 *db, const char *sql, struct jl_error *err);

/* Bind helpers: NULL strings and 0 ids become SQL NULL. */
int jl_store_bind_text(sqlite3_stmt *s, int i, const char *v);
int jl_store_bind_id(sqlite3_stmt *s, int i, int64_t v);
/* A text column as a malloc'd string: NULL stays NULL.  -ENOMEM. */
int jl_store_col_dup(sqlite3_stmt *s, int i, char **ret);

/* Run the forward migrations from the current user_version to
 * JL_SCHEMA_VERSION inside the caller's transaction.  Returns the version
 * found or -errno. */
int jl_store_migrate(sqlite3 *db, struct jl_error *err);

#endif

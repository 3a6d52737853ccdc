/* SPDX-License-Identifier: ISC */
/*
 * The store: the authoritative record of grants, approvals, sessions,
 * views and the audit chain.  This is the one narrow interface to the
 * database; nothing outside lib/store*.c knows that SQLite is underneath.
 *
 * MUST (SECURITY.md "The store"):
 *  - check the directory and file before opening (owner, group, mode, not
 *    a symlink, one link) -- whoever can write the directory can plant a
 *    hot journal;
 *  - open with SQLITE_OPEN_NOFOLLOW, SQLITE_DBCONFIG_DEFENSIVE on, trusted
 *    schema off, extension loading off, temp_store=MEMORY;
 *  - WAL with synchronous=FULL; a bounded busy timeout;
 *  - every write one BEGIN IMMEDIATE transaction holding the state change
 *    and its audit row; success reported only after COMMIT;
 *  - constant SQL with bound parameters only, every statement finalised.
 */
#ifndef JITLOG_STORE_H
#define JITLOG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "jitlog/audit.h"
#include "jitlog/common.h"
#include "jitlog/grant.h"

struct jl_store;

struct jl_store_opts {
	/* Expected owner of directory and file; (uid_t)-1: skip the
	 * owner/mode checks (unit tests only). */
	uid_t owner;
	/* Group the directory and file must belong to when the checks run
	 * ((gid_t)-1: any). */
	gid_t group;
	/* Busy timeout in milliseconds (0: default 2000). */
	int busy_ms;
	/* Open read-only. */
	bool readonly;
	/* A writer may sleep in the kernel until the writers' gate is free
	 * (woken at once when it is) instead of trying again every
	 * millisecond.  Only for a program that has a SIGALRM handler
	 * installed without SA_RESTART and no interval timer of its own:
	 * the wait is bounded with setitimer(ITIMER_REAL).  Never in a PAM
	 * host. */
	bool alarm_wait;
};

/* Default options: owner 0, group any, busy 2000 ms, read-write, the
 * gate polled. */
void jl_store_opts_default(struct jl_store_opts *o);

/* Open an existing store whose schema is current.  -ENOENT when missing,
 * -EPERM on unsafe permissions, -EPROTO on a schema too old or too new
 * (run "jitadm init"), -EIO on corruption, -EBUSY when locked. */
int jl_store_open(const char *path, const struct jl_store_opts *o,
    struct jl_store **ret, struct jl_error *err);
/* Create the store (mode 0660, group gid unless (gid_t)-1) or migrate an
 * existing one to the current schema.  Returns the schema version it was
 * at before (0 for a new store) or -errno. */
int jl_store_init(const char *path, gid_t gid, struct jl_error *err);
void jl_store_close(struct jl_store *st); /* NULL-safe */
/* Change the bound of the busy wait from now on (ms > 0). */
void jl_store_set_busy(struct jl_store *st, int ms);
/* Current schema version of this build. */
int jl_store_schema_version(void);

/* Write transactions: BEGIN IMMEDIATE ... COMMIT.  After a failed commit
 * nothing was written. */
int jl_store_begin(struct jl_store *st, struct jl_error *err);
int jl_store_commit(struct jl_store *st, struct jl_error *err);
void jl_store_rollback(struct jl_store *st); /* safe without a txn */
/*
 * A read snapshot (lib/store_report.c): the reads that follow see one
 * state of the store and take no write lock; end it with
 * jl_store_rollback.  0 or -errno.
 */
int jl_store_begin_read(struct jl_store *st, struct jl_error *err);

/* Grants.  insert sets g->id. update writes every mutable field and adds
 * approvals that are not stored yet. */
int jl_store_grant_insert(struct jl_store *st, struct jl_grant *g,
    struct jl_error *err);
int jl_store_grant_update(struct jl_store *st, const struct jl_grant *g,
    struct jl_error *err);
/* -ENOENT when there is no such grant. */
int jl_store_grant_get(struct jl_store *st, int64_t id, struct jl_grant **ret,
    struct jl_error *err);

struct jl_grant_filter {
	const char *user;     /* NULL: any */
	const char *resource; /* NULL: any */
	unsigned status_mask; /* 1u << enum jl_status; 0: any */
	bool unreviewed;      /* only break-glass grants not reviewed */
	size_t limit;         /* 0: no limit */
};
/* Grants matching f, newest first. */
int jl_store_grant_list(struct jl_store *st, const struct jl_grant_filter *f,
    struct jl_grant ***ret, size_t *ret_n, struct jl_error *err);
/*
 * The grants whose extends_id is id (the extensions that continue it),
 * oldest first, each with its approvals.  0 with *ret (NULL when none)
 * and *ret_n set, or -errno.
 */
int jl_store_grant_extensions(struct jl_store *st, int64_t id,
    struct jl_grant ***ret, size_t *ret_n, struct jl_error *err);
/*
 * The approved grant of user (on resource, or on any resource when NULL)
 * that holds at now and ends last: an indexed lookup.  A grant is the
 * user's only under both its name and its uid, so an account that took
 * the name of a deleted one does not inherit its grants.  1 found
 * (ret_id, ret_expires set), 0 none, -errno.
 */
int jl_store_grant_find_active(struct jl_store *st, const char *user, uid_t uid,
    const char *resource, int64_t now, int64_t *ret_id, int64_t *ret_expires,
    struct jl_error *err);

/*
 * Audit.  append computes the chain hash from the last row, inserts the
 * row and sets ev->seq and ev->hash; it must run inside a transaction.
 */
int jl_store_audit_append(struct jl_store *st, struct jl_event *ev,
    struct jl_error *err);
/* Call cb for each event with at >= since (0: all) and of grant_id (0:
 * all), in seq order; cb returns 0 to go on or a negative value to stop
 * (returned).  The event's strings live until cb returns. */
int jl_store_audit_foreach(struct jl_store *st, int64_t since, int64_t grant_id,
    int (*cb)(const struct jl_event *ev, void *ctx), void *ctx,
    struct jl_error *err);
/* Walk the whole chain.  0: intact (ret_count events); 1: broken at
 * *ret_bad_seq (err says how); -errno. */
int jl_store_audit_verify(struct jl_store *st, int64_t *ret_count,
    int64_t *ret_bad_seq, struct jl_error *err);

/* PAM sessions. */
struct jl_session {
	int64_t id;
	int64_t grant_id;
	char *user;
	char *service;
	char *rhost; /* NULL when none */
	char *tty;   /* NULL when none */
	int64_t pid;
	int64_t pid_start; /* start time of pid, clock ticks since boot */
	int64_t opened_at;
	int64_t closed_at;     /* 0 while open */
	int64_t terminated_at; /* 0 unless ended by sweep */
};
int jl_store_session_insert(struct jl_store *st, struct jl_session *s,
    struct jl_error *err);
/* Close the open session of pid with grant_id (closed_at = now).
 * 1 closed, 0 none open, -errno. */
int jl_store_session_close(struct jl_store *st, int64_t grant_id, int64_t pid,
    int64_t now, int64_t *ret_session_id, struct jl_error *err);
/* Session id (strings owned by *ret: free with jl_session_clear).  0,
 * -ENOENT or -errno. */
int jl_store_session_get(struct jl_store *st, int64_t id,
    struct jl_session *ret, struct jl_error *err);
void jl_session_clear(struct jl_session *s); /* NULL-safe */
/* Open sessions whose grant no longer holds at now. */
int jl_store_session_list_stale(struct jl_store *st, int64_t now,
    struct jl_session **ret, size_t *ret_n, struct jl_error *err);
int jl_store_session_mark_terminated(struct jl_store *st, int64_t id,
    int64_t now, struct jl_error *err);
void jl_sessions_free(struct jl_session *v, size_t n);

/* Views of jitlogview. */
int jl_store_view_insert(struct jl_store *st, int64_t grant_id,
    const char *user, const char *resource, const char *file, int64_t opened_at,
    int64_t *ret_id, struct jl_error *err);
int jl_store_view_close(struct jl_store *st, int64_t view_id, int64_t now,
    int64_t bytes, const char *redactions_json, struct jl_error *err);

#endif

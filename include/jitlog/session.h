/* SPDX-License-Identifier: ISC */
/*
 * PAM sessions over the store: what pam_jitlog does at account and session
 * time, each as one action in the style of ops.h.  The decision is an
 * indexed lookup of the user's active grant (jl_store_grant_find_active);
 * opening a session records it (grant, service, user, rhost, tty, pid and
 * the pid's start time) and its session_open event in one BEGIN IMMEDIATE
 * transaction; every denial records a session_denied event the same way.
 *
 * Convention (ops.h): 0 done (allowed), JL_REFUSED (1) refused with err->msg
 * saying why, for the user, -errno on error with err->msg saying what.  An
 * error is never an allow.
 *
 * RHOST and TTY are annotations: escaped, length-capped, stored and
 * journaled, never part of the decision.
 */
#ifndef JITLOG_SESSION_H
#define JITLOG_SESSION_H

#include <stdint.h>
#include <sys/types.h>

#include "jitlog/common.h"
#include "jitlog/ops.h"

/* Longest raw RHOST/TTY annotation kept, in bytes (before escaping). */
#define JL_ANNOT_MAX 255

/* What the module knows about the login it is asked about. */
struct jl_session_req {
	const char *user;     /* canonical name (from NSS) */
	uid_t uid;            /* its uid (from NSS) */
	const char *resource; /* NULL: an active grant on any resource */
	const char *service;  /* PAM_SERVICE; NULL: unknown */
	const char *rhost;    /* raw PAM_RHOST; NULL: none */
	const char *tty;      /* raw PAM_TTY; NULL: none */
	int64_t pid;          /* the session's process (open/close) */
	int64_t pid_start;    /* its start time, clock ticks since boot */
};

/* The grant a login was admitted under. */
struct jl_session_grant {
	int64_t grant_id;
	int64_t expires;    /* seconds since the epoch */
	int64_t session_id; /* jl_session_open only, else 0 */
};

/*
 * Account check: may rq->user log in now?  0 with *ret set when an active
 * grant holds (nothing written); JL_REFUSED when none does (a
 * session_denied event with detail.phase "account" is committed first);
 * -errno on error (nothing reported as allowed).
 */
int jl_session_account(struct jl_ctx *c, const struct jl_session_req *rq,
    struct jl_session_grant *ret, struct jl_error *err);

/*
 * Session open: decide, and record the session and its session_open event
 * in one transaction (or, when refused, the session_denied event with
 * detail.phase "session").  0 with *ret set, JL_REFUSED, or -errno.
 */
int jl_session_open(struct jl_ctx *c, const struct jl_session_req *rq,
    struct jl_session_grant *ret, struct jl_error *err);

/*
 * Session close: record the end of the open session of rq->pid under
 * grant_id and its session_close event.  0 closed, JL_REFUSED when no such
 * session is open (nothing written), -errno.  Closing never depends on the
 * grant still holding.
 */
int jl_session_close(struct jl_ctx *c, const struct jl_session_req *rq,
    int64_t grant_id, struct jl_error *err);

/*
 * An annotation (RHOST, TTY) as stored and journaled: at most JL_ANNOT_MAX
 * bytes of raw, cut on a character boundary, escaped (escape.h).  *ret is
 * NULL for a NULL or empty raw.  0 or -ENOMEM.
 */
int jl_session_annotation(const char *raw, char **ret);

/*
 * Start time of pid in clock ticks since boot (field 22 of
 * /proc/<pid>/stat), so that a later signal can make sure it reaches the
 * same process.  0, -ENOENT (no such process) or -errno.
 */
int jl_session_pid_start(pid_t pid, int64_t *ret);

#endif

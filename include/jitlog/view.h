/* SPDX-License-Identifier: ISC */
/*
 * The viewer's actions on the store, in the style of ops.h: deciding
 * whether c->who may view a resource now, recording the view before its
 * first byte is shown (view_open), re-checking it while it runs, closing
 * it with the bytes shown and the redactions made (view_close), and
 * recording every refusal (view_denied).  Each write is one BEGIN
 * IMMEDIATE transaction committed through jl_ctx_commit_event, which
 * mirrors the event to the journal after COMMIT.
 *
 * Convention (ops.h): 0 done, JL_REFUSED (1) refused with err->msg saying
 * why, for the user, -errno on error.  An error is never an allow.
 *
 * Which grant a view runs under: the caller's approved grant on the
 * resource that holds now and ends last (SPEC section 3: access holds
 * while any grant holds).  A raw view (no redaction) needs that grant to
 * be approved unredacted and the resource to allow it still; such a view
 * is tied to that one grant and ends with it.
 */
#ifndef JITLOG_VIEW_H
#define JITLOG_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "jitlog/common.h"
#include "jitlog/ops.h"

/* The grant a view runs under. */
struct jl_view_grant {
	int64_t grant_id;
	int64_t expires; /* seconds since the epoch */
	bool unredacted; /* raw view allowed */
};

/* A view being shown. */
struct jl_view {
	int64_t id; /* row in the store */
	struct jl_view_grant g;
	const char *resource; /* borrowed from the request */
	const char *file;
};

/* What the viewer asks to show. */
struct jl_view_req {
	const struct jl_resource *res;
	const char *file; /* full path of the file */
	bool follow;
	int64_t lines; /* -n N, or -1 */
};

/*
 * Decide without writing: the grant of c->who on res that holds at
 * c->now.  1 found (*ret set), 0 none, -errno.
 */
int jl_view_find(struct jl_ctx *c, const struct jl_resource *res,
    struct jl_view_grant *ret, struct jl_error *err);

/*
 * Decide again and record, in one transaction: the view (its row and a
 * view_open event) when a grant holds, else a view_denied event.  0 with
 * *ret set, JL_REFUSED, or -errno (nothing recorded: show nothing).
 */
int jl_view_open(struct jl_ctx *c, const struct jl_view_req *rq,
    struct jl_view *ret, struct jl_error *err);

/*
 * Record a view_denied event: resource and file as the caller named them
 * (file may be NULL), why a short reason.  0 or -errno.
 */
int jl_view_deny(struct jl_ctx *c, const char *resource, const char *file,
    const char *why, struct jl_error *err);

/*
 * Does view v still hold at c->now?  1 yes (v->g updated: a later grant
 * may carry it on), 0 ended (*ret_why "expired" or "revoked"), -errno.
 * Read-only.
 */
int jl_view_recheck(struct jl_ctx *c, struct jl_view *v, const char **ret_why,
    struct jl_error *err);

/* How a view ended, for view_close. */
struct jl_view_end {
	int64_t bytes;          /* bytes shown (written to the output) */
	int64_t bytes_read;     /* bytes of the log handed to the streamer */
	const char *redactions; /* JSON object {"rule": count, ...} or NULL */
	const char *end;        /* "eof", "expired", "revoked", "interrupted",
				 * "closed", "unsafe", "error" */
};

/* Close view v (its row and a view_close event).  0 or -errno. */
int jl_view_close(struct jl_ctx *c, const struct jl_view *v,
    const struct jl_view_end *e, struct jl_error *err);

#endif

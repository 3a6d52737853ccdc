/* SPDX-License-Identifier: ISC */
/*
 * A grant: one user's access to one resource for a window of time, and
 * its state machine.  Pure functions over a struct and an injected clock
 * ("now"); the store persists, the policy decides who may act.
 *
 * Stored status vs shown state: an approved grant is "scheduled" before
 * starts_at, "active" until expires_at and "expired" after; a pending one
 * is "lapsed" once older than request_ttl, even before sweep records it.
 */
#ifndef JITLOG_GRANT_H
#define JITLOG_GRANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "jitlog/common.h"

enum jl_status {
	JL_ST_PENDING = 0,
	JL_ST_APPROVED,
	JL_ST_DENIED,
	JL_ST_REVOKED,
	JL_ST_CANCELLED,
	JL_ST_LAPSED,
	JL_ST_EXPIRED,
};

enum jl_state {
	JL_PENDING = 0,
	JL_SCHEDULED,
	JL_ACTIVE,
	JL_EXPIRED,
	JL_DENIED,
	JL_REVOKED,
	JL_CANCELLED,
	JL_LAPSED,
};

struct jl_approval {
	char *by;
	int64_t uid; /* by's uid; -1 when not recorded (before schema 4) */
	int64_t at;
	char *comment; /* NULL when none */
};

struct jl_grant {
	int64_t id;
	char *user;
	uid_t uid;
	char *resource;
	enum jl_status status;
	char *reason;
	char *ticket; /* NULL when none */
	int64_t requested_at;
	int64_t start_req;  /* requested --start, 0 when none */
	int64_t starts_at;  /* 0 until approved */
	int64_t expires_at; /* 0 until approved */
	int64_t ended_at;   /* when denied/revoked/cancelled/lapsed/expired */
	char *ended_by;     /* who denied/revoked/cancelled, NULL else */
	char *end_comment;
	int64_t duration_s;
	unsigned approvals_required;
	struct jl_approval *approvals;
	size_t napprovals;
	bool unredacted;
	bool break_glass;
	int64_t reviewed_at; /* break-glass review, 0 when open */
	char *reviewed_by;
	int64_t escalated_at; /* 0 when not escalated */
	int64_t extends_id;   /* grant this one continues, 0 when none */
};

enum jl_state jl_grant_state(const struct jl_grant *g, int64_t now,
    int64_t request_ttl);
const char *jl_state_name(enum jl_state s);
const char *jl_status_name(enum jl_status s);
/* 0 or -EINVAL */
int jl_status_from_name(const char *s, enum jl_status *ret);
/* True while the grant gives access at now. */
bool jl_grant_holds(const struct jl_grant *g, int64_t now);
/*
 * True if the account by (name) with uid already approved g: an approval
 * under either the name or the uid counts, so a renamed approver is not
 * counted twice.
 */
bool jl_grant_approved_by(const struct jl_grant *g, const char *by, uid_t uid);

/*
 * Record an approval by "by" (uid) at now (the caller has checked the
 * policy).
 * duration, when > 0, shortens the grant (never lengthens it).  When the
 * number of approvals reaches approvals_required, the grant becomes
 * approved: starts_at = max(now, start_req), expires_at = starts_at +
 * duration_s.  Returns 1 if now approved, 0 if still pending, -errno.
 */
int jl_grant_add_approval(struct jl_grant *g, const char *by, uid_t uid,
    int64_t now, int64_t duration, const char *comment);

/* The grant as the JSON object of SPEC section 4. */
int jl_grant_to_json(const struct jl_grant *g, int64_t now, int64_t request_ttl,
    struct jl_buf *out);

void jl_grant_free(struct jl_grant *g); /* NULL-safe; frees g itself */
void jl_grants_free(struct jl_grant **v, size_t n);

#endif

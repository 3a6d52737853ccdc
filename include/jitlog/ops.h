/* SPDX-License-Identifier: ISC */
/*
 * Actions: what jitadm, pam_jitlog and jitlogview do to the store, each as
 * one transaction that re-reads the grant, asks the policy, applies the
 * state change, appends its audit row and commits; the event is mirrored
 * to the journal only after COMMIT.  Because the check happens inside the
 * BEGIN IMMEDIATE transaction, concurrent approve/deny/revoke of one grant
 * end with exactly one decision.
 *
 * Convention for every jl_op_*: returns 0 when done, 1 when refused (a
 * decision, not an error: err->msg says why, for the user), -errno on
 * error (err->msg says what).  Nothing is written unless 0 is returned.
 */
#ifndef JITLOG_OPS_H
#define JITLOG_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "jitlog/audit.h"
#include "jitlog/config.h"
#include "jitlog/grant.h"
#include "jitlog/ident.h"
#include "jitlog/store.h"

#define JL_REFUSED 1

struct jl_ctx {
	const struct jl_config *cfg;
	struct jl_store *store;
	const struct jl_ident *who; /* the actor */
	int64_t now;                /* injected clock */
	const char *prog;           /* journal identifier */
	bool no_journal;            /* unit tests */
	/* Called after COMMIT (and the journal) with every event committed,
	 * e.g. to run notify_command later; NULL: none.  The event and its
	 * strings live only during the call. */
	void (*on_commit)(void *arg, const struct jl_event *ev);
	void *on_commit_arg;
};

/*
 * Inside an open transaction: append ev to the audit chain, COMMIT, then
 * mirror ev to the journal.  On any failure the transaction is rolled
 * back and -errno returned.
 */
int jl_ctx_commit_event(struct jl_ctx *c, struct jl_event *ev,
    struct jl_error *err);
/* The same for the n events of ev, appended in order, in one COMMIT. */
int jl_ctx_commit_events(struct jl_ctx *c, struct jl_event *ev, size_t n,
    struct jl_error *err);

/* What a request asks for (jitadm request). */
struct jl_request_args {
	const char *resource;
	const char *reason; /* 1..JL_TEXT_MAX bytes, jl_check_text */
	const char *ticket; /* NULL: none */
	int64_t duration;   /* seconds; 0: the resource's default_duration */
	int64_t start;      /* requested start; 0: at approval */
	bool unredacted;    /* ask for the raw view */
};

/*
 * A new pending request of c->who.  Refused when the resource does not
 * exist, c->who is not a requester, the duration exceeds max_duration,
 * a required ticket is missing or does not match ticket_pattern, an
 * unredacted view is asked where the resource does not allow it, or the
 * start lies more than JL_START_SLACK seconds in the past or more than
 * request_ttl in the future.  Event "request".  On 0, *ret (when not
 * NULL) is the stored grant (caller frees with jl_grant_free).
 */
#define JL_START_SLACK 60
int jl_op_request(struct jl_ctx *c, const struct jl_request_args *a,
    struct jl_grant **ret, struct jl_error *err);

/*
 * c->who approves pending grant id.  duration > 0 shortens it (never
 * lengthens; the result must also fit the resource's current
 * max_duration).  Refused for an unknown id, a grant that is not pending
 * (lapsed included), one's own request, a non-approver, a second approval
 * by the same person.  The grant becomes approved once approvals_required
 * distinct approvers agreed.  Event "approve".
 */
int jl_op_approve(struct jl_ctx *c, int64_t id, const char *comment,
    int64_t duration, struct jl_grant **ret, struct jl_error *err);

/* c->who denies pending grant id; comment is required.  Event "deny". */
int jl_op_deny(struct jl_ctx *c, int64_t id, const char *comment,
    struct jl_grant **ret, struct jl_error *err);

/*
 * c->who ends grant id: a pending request becomes cancelled (event
 * "cancel"), a scheduled or active grant revoked (event "revoke").  Any
 * other state is refused ("grant is expired").  comment may be NULL.
 */
int jl_op_revoke(struct jl_ctx *c, int64_t id, const char *comment,
    struct jl_grant **ret, struct jl_error *err);

/* What an admin grants directly (jitadm grant). */
struct jl_grant_args {
	const char *resource;
	const char *user; /* must exist in NSS */
	const char *reason;
	int64_t duration; /* 0: default_duration */
};

/*
 * An admin grants a.user access to a.resource from now on, without a
 * request: the admin is recorded as its one approval (approvals_required
 * 1).  Refused for non-admins, unknown users
 * or resources, durations over max_duration, and for oneself (nobody
 * approves their own access, root included).  Event "grant".
 */
int jl_op_grant(struct jl_ctx *c, const struct jl_grant_args *a,
    struct jl_grant **ret, struct jl_error *err);

/*
 * Break-glass (SPEC section 3): c->who opens a.resource at once, without
 * approval.  Refused unless the resource allows break_glass, c->who is a
 * requester, the ticket and unredacted rules of a request hold, the
 * duration fits the break-glass cap (default: the shorter of
 * default_duration and the cap), a.start is 0, and c->who has no
 * break-glass grant whose review is still open (on any resource).  The
 * grant is approved from now, marked break_glass and open for review.
 * Event "break_glass" (journal priority alert).
 */
int jl_op_break_glass(struct jl_ctx *c, const struct jl_request_args *a,
    struct jl_grant **ret, struct jl_error *err);

/*
 * c->who closes the review of break-glass grant id (an approver of the
 * resource or an admin, never its own user; once).  Event "review".
 */
int jl_op_review(struct jl_ctx *c, int64_t id, const char *comment,
    struct jl_grant **ret, struct jl_error *err);

/*
 * c->who asks to continue their own scheduled or active grant id for
 * duration more (0: the resource's default_duration): a new pending
 * request linked to it (extends_id), approved like any request, that
 * starts when grant id ends (or at approval, if that is later), so there
 * is no gap.  Refused for someone else's grant, a grant that no longer
 * holds or will not, a duration over max_duration, a requester no longer
 * allowed, a missing required ticket (the grant's ticket is carried
 * over), and while another extension of id is pending.  Event "extend".
 */
int jl_op_extend(struct jl_ctx *c, int64_t id, int64_t duration,
    const char *reason, struct jl_grant **ret, struct jl_error *err);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * The actions that decide on an existing grant: approve, deny, revoke
 * (which cancels a pending request) and the review of a break-glass
 * grant.  Each opens the BEGIN IMMEDIATE
 * transaction first and only then loads the grant and checks its state
 * and the policy, so that concurrent decisions serialise on the store's
 * write lock: the first one commits, the others see the new state and
 * are refused.  Results follow ops.h (0, JL_REFUSED, -errno).
 *
 * MUST (SPEC section 3, SECURITY.md "The store"; tests/unit/test_ops.c):
 *  - load, check, update and audit row in one transaction; any refusal or
 *    error rolls back, nothing is written unless 0 is returned;
 *  - nobody approves or denies their own request (jl_policy_may_decide),
 *    a lapsed request is not pending, one approver counts once;
 *  - an approver may shorten, never lengthen, and the approved duration
 *    fits the resource's max_duration at approval time;
 *  - an extension is not approved once the grant it continues was
 *    revoked, and revoking a grant ends its extensions with it, in the
 *    same transaction (ops_extend.c);
 *  - a break-glass review only by an approver of the resource or an
 *    admin, never by the grant's own user, once (jl_policy_may_review).
 */
#include <errno.h>
#include <stdlib.h>

#include "jitlog/ops.h"
#include "jitlog/parse.h"
#include "jitlog/policy.h"
#include "ops_int.h"

/* Contract: see ops_int.h. */
int
jl_ops_begin_load(struct jl_ctx *c, int64_t id, struct jl_grant **ret_g,
    const struct jl_resource **ret_res, struct jl_error *err)
{
	const struct jl_resource *res;
	enum jl_decision d = JL_DENY;
	struct jl_grant *g = NULL;
	int r;

	if (id < 1)
		return jl_ops_refuse(err, "no such grant: %lld", (long long)id);
	if ((r = jl_store_begin(c->store, err)) < 0)
		return r;
	r = jl_store_grant_get(c->store, id, &g, err);
	if (r == -ENOENT)
		goto unseen;
	if (r < 0)
		goto fail;
	res = jl_config_resource(c->cfg, g->resource);
	/* A grant the caller may not see answers as one that does not
	 * exist, before its state or the policy could say more of it. */
	r = jl_policy_may_see(c->cfg, res, g, c->who, &d);
	if (r < 0) {
		r = jl_error_set(err, r, "cannot decide: policy error");
		goto fail;
	}
	if (d != JL_ALLOW)
		goto unseen;
	*ret_res = res;
	*ret_g = g;
	return 0;
unseen:
	r = jl_ops_refuse(err, "no such grant: %lld", (long long)id);
fail:
	jl_store_rollback(c->store);
	jl_grant_free(g);
	return r;
}

/*
 * The start of every action here: the context checked, then the
 * action's own arguments (args_ok false: -EINVAL with the message
 * bad_args), then jl_ops_begin_load.  0 inside the transaction, else
 * nothing is open: JL_REFUSED or -errno.
 */
static int
begin(struct jl_ctx *c, int64_t id, bool args_ok, const char *bad_args,
    struct jl_grant **ret_g, const struct jl_resource **ret_res,
    struct jl_error *err)
{
	int r;

	if ((r = jl_ops_check_ctx(c, err)) < 0)
		return r;
	if (!args_ok)
		return jl_error_set(err, EINVAL, "%s", bad_args);
	return jl_ops_begin_load(c, id, ret_g, ret_res, err);
}

/* A comment that may be left out: NULL, or valid text. */
static bool
comment_ok(const char *comment)
{
	return comment == NULL || jl_check_text(comment, JL_TEXT_MAX) == 0;
}

/*
 * Ask may (jl_policy_may_decide, _revoke or _review) whether c->who may
 * act on g of res.  0 when allowed; JL_REFUSED with the policy's reason,
 * after "grant ID: " when prefix_id; -errno when the policy could not
 * decide ("cannot decide: ...").
 */
static int
check_policy(const struct jl_ctx *c,
    int (*may)(const struct jl_config *, const struct jl_resource *,
        const struct jl_grant *, const struct jl_ident *, enum jl_decision *,
        const char **),
    const struct jl_resource *res, const struct jl_grant *g, bool prefix_id,
    struct jl_error *err)
{
	enum jl_decision d = JL_DENY;
	const char *why = NULL;
	int r;

	r = may(c->cfg, res, g, c->who, &d, &why);
	return jl_ops_policy_result(r, d, why, prefix_id ? g->id : 0, err);
}

/* Refused unless g is pending now (a lapsed request is not). */
static int
check_pending(const struct jl_ctx *c, const struct jl_grant *g,
    struct jl_error *err)
{
	enum jl_state st;

	st = jl_grant_state(g, c->now, c->cfg->request_ttl);
	if (st == JL_LAPSED)
		return jl_ops_refuse(err, "request %lld has lapsed",
		    (long long)g->id);
	if (st != JL_PENDING)
		return jl_ops_refuse(err, "grant %lld is %s", (long long)g->id,
		    jl_state_name(st));
	return 0;
}

/* State and policy checks of approve and deny, inside the transaction. */
static int
check_decide(const struct jl_ctx *c, const struct jl_resource *res,
    const struct jl_grant *g, struct jl_error *err)
{
	int r;

	if ((r = check_pending(c, g, err)) != 0)
		return r;
	if (res == NULL)
		return jl_ops_refuse(err, "resource %s is no longer configured",
		    g->resource);
	return check_policy(c, jl_policy_may_decide, res, g, false, err);
}

/* The duration rules of an approval: shorten only, within max_duration. */
static int
check_approve(const struct jl_resource *res, const struct jl_grant *g,
    int64_t duration, struct jl_error *err)
{
	char d[32];

	if (duration > g->duration_s) {
		jl_format_duration(g->duration_s, d, sizeof(d));
		return jl_ops_refuse(err,
		    "approvers may only shorten a grant: "
		    "%s requested",
		    d);
	}
	if ((duration > 0 ? duration : g->duration_s) > res->max_duration)
		return jl_ops_refuse_duration(res, err);
	if (g->unredacted && !res->allow_unredacted)
		return jl_ops_refuse(err,
		    "resource %s no longer allows unredacted "
		    "access",
		    res->name);
	return 0;
}

/*
 * The end of approve, deny and review, inside the transaction begin()
 * opened: when r (the checks and changes so far) is 0, write g, append
 * the event name about g with the detail of o, and commit.  On any
 * failure roll back, so nothing is written.  Frees o, and g unless it
 * is handed to *ret (on 0, when ret is not NULL).  Returns r, or the
 * failure of the write.
 */
static int
finish(struct jl_ctx *c, int r, const char *name, struct jl_grant *g,
    struct jl_ops_json *o, struct jl_grant **ret, struct jl_error *err)
{
	struct jl_event ev;
	char *detail = NULL;
	int e;

	if (r == 0 && (e = jl_ops_json_end(o, &detail)) < 0)
		r = jl_error_set(err, e, "out of memory");
	if (r == 0)
		r = jl_store_grant_update(c->store, g, err);
	if (r == 0) {
		jl_ops_event(&ev, c, name, g, detail);
		r = jl_ctx_commit_event(c, &ev, err);
	}
	if (r == 0 && ret != NULL) {
		*ret = g;
		g = NULL;
	}
	if (r != 0)
		jl_store_rollback(c->store);
	free(detail);
	jl_buf_free(&o->b);
	jl_grant_free(g);
	return r;
}

int
jl_op_approve(struct jl_ctx *c, int64_t id, const char *comment,
    int64_t duration, struct jl_grant **ret, struct jl_error *err)
{
	const struct jl_resource *res = NULL;
	struct jl_grant *g = NULL;
	struct jl_ops_json o = { { NULL, 0, 0 }, 0 };
	int r, approved;

	r = begin(c, id, duration >= 0 && comment_ok(comment),
	    "invalid approval", &g, &res, err);
	if (r != 0)
		return r;
	if ((r = check_decide(c, res, g, err)) != 0 ||
	    (r = check_approve(res, g, duration, err)) != 0 ||
	    (r = jl_ops_check_extends(c, g, err)) != 0)
		goto out;
	approved = jl_grant_add_approval(g, c->who->name, c->who->uid, c->now,
	    duration, comment);
	if (approved < 0) {
		r = jl_error_set(err, approved, "cannot record approval");
		goto out;
	}
	jl_ops_json_str(&o, "comment", comment);
	jl_ops_json_int(&o, "duration_s", g->duration_s);
	jl_ops_json_int(&o, "approvals", (long long)g->napprovals);
	jl_ops_json_int(&o, "approvals_required", g->approvals_required);
	if (approved) {
		jl_ops_json_time(&o, "starts_at", g->starts_at);
		jl_ops_json_time(&o, "expires_at", g->expires_at);
	}
out:
	return finish(c, r, "approve", g, &o, ret, err);
}

/* Mark g ended by c->who now, in status st, with comment. */
static int
end_grant(const struct jl_ctx *c, struct jl_grant *g, enum jl_status st,
    const char *comment, struct jl_error *err)
{
	if (jl_ops_dup(c->who->name, &g->ended_by) < 0 ||
	    jl_ops_dup(comment, &g->end_comment) < 0)
		return jl_error_set(err, ENOMEM, "out of memory");
	g->status = st;
	g->ended_at = c->now;
	return 0;
}

int
jl_op_deny(struct jl_ctx *c, int64_t id, const char *comment,
    struct jl_grant **ret, struct jl_error *err)
{
	const struct jl_resource *res = NULL;
	struct jl_grant *g = NULL;
	struct jl_ops_json o = { { NULL, 0, 0 }, 0 };
	int r;

	r = begin(c, id, comment != NULL && comment_ok(comment),
	    "a deny needs a comment", &g, &res, err);
	if (r != 0)
		return r;
	if ((r = check_decide(c, res, g, err)) == 0 &&
	    (r = end_grant(c, g, JL_ST_DENIED, comment, err)) == 0)
		jl_ops_json_str(&o, "comment", comment);
	return finish(c, r, "deny", g, &o, ret, err);
}

/* May c->who revoke g, and what does it become?  0 sets *ret_st. */
static int
check_revoke(const struct jl_ctx *c, const struct jl_resource *res,
    const struct jl_grant *g, enum jl_state *ret_st, struct jl_error *err)
{
	enum jl_state st;
	int r;

	if ((r = check_policy(c, jl_policy_may_revoke, res, g, false, err)) !=
	    0)
		return r;
	st = jl_grant_state(g, c->now, c->cfg->request_ttl);
	if (st != JL_PENDING && st != JL_SCHEDULED && st != JL_ACTIVE)
		return jl_ops_refuse(err, "grant %lld is %s", (long long)g->id,
		    jl_state_name(st));
	*ret_st = st;
	return 0;
}

/* Commit the event name of g with the events of the grants ended with it. */
static int
commit_chain(struct jl_ctx *c, const char *name, const struct jl_grant *g,
    const char *detail, const struct jl_ops_chain *ch, struct jl_error *err)
{
	struct jl_event *ev;
	int r;

	ev = calloc(ch->n + 1, sizeof(*ev));
	if (ev == NULL)
		return jl_error_set(err, ENOMEM, "out of memory");
	jl_ops_event(&ev[0], c, name, g, detail);
	jl_ops_chain_events(c, ch, ev + 1);
	r = jl_ctx_commit_events(c, ev, ch->n + 1, err);
	free(ev);
	return r;
}

int
jl_op_revoke(struct jl_ctx *c, int64_t id, const char *comment,
    struct jl_grant **ret, struct jl_error *err)
{
	const struct jl_resource *res = NULL;
	struct jl_grant *g = NULL;
	struct jl_ops_json o = { { NULL, 0, 0 }, 0 };
	struct jl_ops_chain ch = { NULL, NULL, 0 };
	enum jl_state st = JL_PENDING;
	char *detail = NULL;
	bool cancel;
	int r;

	r = begin(c, id, comment_ok(comment), "invalid comment", &g, &res, err);
	if (r != 0)
		return r;
	if ((r = check_revoke(c, res, g, &st, err)) != 0)
		goto out;
	cancel = st == JL_PENDING;
	r = end_grant(c, g, cancel ? JL_ST_CANCELLED : JL_ST_REVOKED, comment,
	    err);
	if (r < 0)
		goto out;
	jl_ops_json_str(&o, "comment", comment);
	jl_ops_json_str(&o, "was", jl_state_name(st));
	if ((r = jl_ops_json_end(&o, &detail)) < 0) {
		jl_error_set(err, r, "out of memory");
		goto out;
	}
	if ((r = jl_store_grant_update(c->store, g, err)) < 0 ||
	    (r = jl_ops_end_chain(c, g, comment, &ch, err)) < 0)
		goto out;
	r = commit_chain(c, cancel ? "cancel" : "revoke", g, detail, &ch, err);
	if (r == 0 && ret != NULL) {
		*ret = g;
		g = NULL;
	}
out:
	if (r != 0)
		jl_store_rollback(c->store);
	jl_ops_chain_free(&ch);
	free(detail);
	jl_buf_free(&o.b);
	jl_grant_free(g);
	return r;
}

int
jl_op_review(struct jl_ctx *c, int64_t id, const char *comment,
    struct jl_grant **ret, struct jl_error *err)
{
	const struct jl_resource *res = NULL;
	struct jl_grant *g = NULL;
	struct jl_ops_json o = { { NULL, 0, 0 }, 0 };
	int r;

	r = begin(c, id, comment_ok(comment), "invalid comment", &g, &res, err);
	if (r != 0)
		return r;
	if ((r = check_policy(c, jl_policy_may_review, res, g, true, err)) != 0)
		goto out;
	if (jl_ops_dup(c->who->name, &g->reviewed_by) < 0) {
		r = jl_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	g->reviewed_at = c->now;
	jl_ops_json_str(&o, "comment", comment);
	jl_ops_json_time(&o, "break_glass_at", g->starts_at);
out:
	return finish(c, r, "review", g, &o, ret, err);
}

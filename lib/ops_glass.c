/* SPDX-License-Identifier: ISC */
/*
 * Break-glass (SPEC section 3): "jitadm request --break-glass" opens a
 * resource at once, without approval, in an emergency.  The request is
 * checked as any other (jl_ops_check_common), the grant is approved from
 * now, capped at the resource's break-glass max_duration, marked for
 * review and logged at priority alert; the review itself is in
 * ops_decide.c (jl_op_review).  Results follow ops.h (0, JL_REFUSED,
 * -errno).
 *
 * MUST (SPEC section 3; tests/unit/test_extend.c,
 * tests/integration/ops_break_glass.sh):
 *  - only where the resource sets break_glass, by a requester, within the
 *    cap, with the ticket and unredacted rules of a request;
 *  - never while the same user has a break-glass grant whose review is
 *    open, on any resource: checked inside the BEGIN IMMEDIATE
 *    transaction that inserts the grant, so two at once cannot both pass;
 *  - the grant, its audit row and nothing else in that one transaction; a
 *    refusal writes nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "jitlog/ops.h"
#include "jitlog/parse.h"
#include "ops_int.h"
/* The break-glass rules besides jl_ops_check_common; on 0 *ret_dur is set. */
static int
check_break_glass(const struct jl_ctx *c, const struct jl_request_args *a,
    const struct jl_resource **ret_res, int64_t *ret_dur, struct jl_error *err)
{
	const struct jl_resource *res = NULL;
	int64_t dur;
	char cap[32];
	int r;

	if (a->start != 0)
		return jl_error_set(err, EINVAL,
		    "break-glass starts now: no start time");
	if ((r = jl_ops_check_common(c, a, &res, err)) != 0)
		return r;
	if (!res->break_glass)
		return jl_ops_refuse(err,
		    "resource %s does not allow break-glass", res->name);
	dur = res->default_duration < res->break_glass_max ?
	    res->default_duration :
	    res->break_glass_max;
	if (a->duration > 0)
		dur = a->duration;
	if (dur > res->break_glass_max) {
		jl_format_duration(res->break_glass_max, cap, sizeof(cap));
		return jl_ops_refuse(err,
		    "duration exceeds the break-glass max_duration %s", cap);
	}
	*ret_res = res;
	*ret_dur = dur;
	return 0;
}

/* Inside the transaction: refused while c->who has a break-glass grant
 * whose review is open. */
static int
check_unreviewed(struct jl_ctx *c, struct jl_error *err)
{
	struct jl_grant_filter f;
	struct jl_grant **v = NULL;
	size_t n = 0;
	int r;

	memset(&f, 0, sizeof(f));
	f.user = c->who->name;
	f.unreviewed = true;
	f.limit = 1;
	r = jl_store_grant_list(c->store, &f, &v, &n, err);
	if (r == 0 && n > 0)
		r = jl_ops_refuse(err,
		    "break-glass grant %lld is not reviewed yet; nobody "
		    "breaks glass again before that review (jitadm review "
		    "%lld, by an approver or admin)",
		    (long long)v[0]->id, (long long)v[0]->id);
	jl_grants_free(v, n);
	return r;
}

int
jl_op_break_glass(struct jl_ctx *c, const struct jl_request_args *a,
    struct jl_grant **ret, struct jl_error *err)
{
	const struct jl_resource *res = NULL;
	struct jl_grant *g = NULL;
	struct jl_event ev;
	struct jl_ops_json o = { { NULL, 0, 0 }, 0 };
	char *detail = NULL;
	int64_t dur = 0;
	int r;

	if ((r = jl_ops_check_ctx(c, err)) < 0 || a == NULL)
		return r < 0 ? r : jl_error_set(err, EINVAL, "no request");
	if ((r = check_break_glass(c, a, &res, &dur, err)) != 0)
		return r;
	if (res == NULL)
		return jl_error_set(err, EINVAL, "no resource");
	r = jl_ops_grant_new(c, c->who->name, c->who->uid, res->name, a->reason,
	    a->ticket, &g);
	if (r < 0)
		return jl_error_set(err, r, "out of memory");
	/* Approved from now, without approvals: nobody said yes. */
	g->status = JL_ST_APPROVED;
	g->break_glass = true;
	g->unredacted = a->unredacted;
	g->duration_s = dur;
	g->approvals_required = res->approvals;
	g->starts_at = c->now;
	g->expires_at = c->now + dur;
	jl_ops_json_str(&o, "reason", g->reason);
	jl_ops_json_str(&o, "ticket", g->ticket);
	jl_ops_json_int(&o, "duration_s", dur);
	jl_ops_json_time(&o, "starts_at", g->starts_at);
	jl_ops_json_time(&o, "expires_at", g->expires_at);
	jl_ops_json_bool(&o, "unredacted", g->unredacted);
	if ((r = jl_ops_json_end(&o, &detail)) < 0) {
		jl_error_set(err, r, "out of memory");
		goto out;
	}
	if ((r = jl_store_begin(c->store, err)) < 0)
		goto out;
	if ((r = check_unreviewed(c, err)) != 0)
		goto out;
	if ((r = jl_store_grant_insert(c->store, g, err)) < 0)
		goto out;
	jl_ops_event(&ev, c, "break_glass", g, detail);
	ev.priority = LOG_ALERT;
	if ((r = jl_ctx_commit_event(c, &ev, err)) < 0)
		goto out;
	if (ret != NULL) {
		*ret = g;
		g = NULL;
	}
out:
	if (r != 0)
		jl_store_rollback(c->store);
	free(detail);
	jl_grant_free(g);
	return r;
}

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
	struct jl_grant *g = NULL;
	struct jl_ops_json o = { { NULL, 0, 0 }, 0 };
	int r;

	if ((r = jl_ops_request_grant(c, a, check_break_glass, &g, err)) != 0)
		return r;
	/* Approved from now, without approvals: nobody said yes. */
	g->status = JL_ST_APPROVED;
	g->break_glass = true;
	g->starts_at = c->now;
	g->expires_at = c->now + g->duration_s;
	jl_ops_json_str(&o, "reason", g->reason);
	jl_ops_json_str(&o, "ticket", g->ticket);
	jl_ops_json_int(&o, "duration_s", g->duration_s);
	jl_ops_json_time(&o, "starts_at", g->starts_at);
	jl_ops_json_time(&o, "expires_at", g->expires_at);
	jl_ops_json_bool(&o, "unredacted", g->unredacted);
	/* The open-review check runs inside the transaction of the insert. */
	return jl_ops_insert_commit(c, "break_glass", LOG_ALERT,
	    check_unreviewed, g, &o, ret, err);
}

/* SPDX-License-Identifier: ISC */
/*
 * Who may do what with a grant: the rules of policy.h (SPEC sections 1
 * and 3) as pure decisions over the config, the resource, the grant and
 * the caller's identity.  Nothing here touches the store; group lookups go
 * through NSS (ident.c).
 *
 * MUST (SPEC sections 1 and 3, tested in tests/unit/test_policy.c):
 *  - every decision starts as JL_DENY and becomes JL_ALLOW only on a proven
 *    match; an NSS error is returned as -errno with *ret still JL_DENY;
 *  - nobody decides (approves or denies as approver) their own request,
 *    whatever their groups, root included; "own" means same uid OR same
 *    name, so a renamed or re-numbered account is still refused;
 *  - root (uid 0) is admin and auditor, but approves only where the
 *    resource makes it an approver; being admin never makes an approver;
 *  - escalate_to counts only once the request is escalated;
 *  - an approver approves a grant at most once;
 *  - nobody grants themselves access directly or reviews their own
 *    break-glass grant.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "jitlog/policy.h"

static void
set_why(const char **ret_why, const char *why)
{
	if (ret_why != NULL)
		*ret_why = why;
}

/*
 * Two notions of "own", because a uid or a name can be reused: where it
 * takes a right away (approving or reviewing one's own request), either
 * the same uid or the same name is enough; where it gives one (revoking
 * or seeing a grant as its owner), both must match, so a new account that
 * inherits an old uid does not inherit the old account's grants.
 */
static bool
is_own(const struct jl_grant *g, const struct jl_ident *id)
{
	if (g->uid == id->uid)
		return true;
	return g->user != NULL && id->name != NULL &&
	    strcmp(g->user, id->name) == 0;
}

static bool
is_owner(const struct jl_grant *g, const struct jl_ident *id)
{
	return g->uid == id->uid && g->user != NULL && id->name != NULL &&
	    strcmp(g->user, id->name) == 0;
}

/*
 * 1 if id is an approver of res for g: in res->approvers, or in
 * res->escalate_to once g is escalated.  0 if not, -errno when no list
 * matched and a lookup failed (a proven match stands regardless).
 */
static int
is_approver(const struct jl_resource *res, const struct jl_grant *g,
    const struct jl_ident *id)
{
	int r, r2;

	if (res == NULL)
		return 0;
	r = jl_principals_match(&res->approvers, id);
	if (r > 0)
		return 1;
	if (g->escalated_at == 0)
		return r;
	r2 = jl_principals_match(&res->escalate_to, id);
	if (r2 > 0)
		return 1;
	return r < 0 ? r : r2;
}

/* 1 if id is an approver of g (as above) or an admin, 0, -errno. */
static int
is_approver_or_admin(const struct jl_config *cfg, const struct jl_resource *res,
    const struct jl_grant *g, const struct jl_ident *id)
{
	enum jl_decision admin = JL_DENY;
	int r, r2;

	r = is_approver(res, g, id);
	if (r > 0)
		return 1;
	r2 = jl_policy_is_admin(cfg, id, &admin);
	if (r2 == 0 && admin == JL_ALLOW)
		return 1;
	return r < 0 ? r : r2;
}

/*
 * The start of every decision on a grant: *ret is JL_DENY, with the
 * reason "not permitted" until a later step says better, and the
 * arguments are checked; the resource handed in must be the grant's own.
 * 0 or -EINVAL.
 */
static int
start_decision(const struct jl_config *cfg, const struct jl_resource *res,
    const struct jl_grant *g, const struct jl_ident *id, enum jl_decision *ret,
    const char **ret_why)
{
	if (ret == NULL)
		return -EINVAL;
	*ret = JL_DENY;
	set_why(ret_why, "not permitted");
	if (cfg == NULL || g == NULL || id == NULL || id->name == NULL)
		return -EINVAL;
	if (res != NULL &&
	    (res->name == NULL || g->resource == NULL ||
	        strcmp(res->name, g->resource) != 0))
		return -EINVAL;
	return 0;
}

/*
 * The two roles of the config: root always holds both; anyone else holds
 * the one asked for when a principal of its list (cfg->auditors when
 * auditor, else cfg->admins).  0 or -errno, *ret JL_DENY unless proven.
 */
static int
has_role(const struct jl_config *cfg, const struct jl_ident *id, bool auditor,
    enum jl_decision *ret)
{
	int r;

	if (ret == NULL)
		return -EINVAL;
	*ret = JL_DENY;
	if (cfg == NULL || id == NULL)
		return -EINVAL;
	if (id->uid == 0) {
		*ret = JL_ALLOW;
		return 0;
	}
	r = jl_principals_match(auditor ? &cfg->auditors : &cfg->admins, id);
	if (r < 0)
		return r;
	*ret = r > 0 ? JL_ALLOW : JL_DENY;
	return 0;
}

/*
 * The last step of a decision, on r from a membership test (1, 0 or
 * -errno): a proven match allows; no match denies with why_not; a failed
 * lookup denies and is returned.  0 or -errno.
 */
static int
allow_if(int r, const char *why_not, enum jl_decision *ret,
    const char **ret_why)
{
	if (r < 0) {
		set_why(ret_why, "group lookup failed");
		return r;
	}
	if (r == 0) {
		set_why(ret_why, why_not);
		return 0;
	}
	*ret = JL_ALLOW;
	set_why(ret_why, NULL);
	return 0;
}

/* Admin: root, or a principal of cfg->admins.  0 or -errno. */
int
jl_policy_is_admin(const struct jl_config *cfg, const struct jl_ident *id,
    enum jl_decision *ret)
{
	return has_role(cfg, id, false, ret);
}

/* Auditor: root, or a principal of cfg->auditors.  0 or -errno. */
int
jl_policy_is_auditor(const struct jl_config *cfg, const struct jl_ident *id,
    enum jl_decision *ret)
{
	return has_role(cfg, id, true, ret);
}

/* May id request res: a principal of res->requesters.  0 or -errno. */
int
jl_policy_may_request(const struct jl_config *cfg,
    const struct jl_resource *res, const struct jl_ident *id,
    enum jl_decision *ret, const char **ret_why)
{
	int r;

	if (ret == NULL)
		return -EINVAL;
	*ret = JL_DENY;
	set_why(ret_why, "not permitted");
	if (cfg == NULL || id == NULL)
		return -EINVAL;
	if (res == NULL) {
		set_why(ret_why, "no such resource");
		return 0;
	}
	r = jl_principals_match(&res->requesters, id);
	return allow_if(r, "not a requester of this resource", ret, ret_why);
}

/*
 * May id approve or deny the pending grant g of res: not their own
 * request, an approver of res (or of escalate_to once escalated), and
 * not already among its approvers.  0 or -errno.
 */
int
jl_policy_may_decide(const struct jl_config *cfg, const struct jl_resource *res,
    const struct jl_grant *g, const struct jl_ident *id, enum jl_decision *ret,
    const char **ret_why)
{
	int r;

	r = start_decision(cfg, res, g, id, ret, ret_why);
	if (r < 0)
		return r;
	if (is_own(g, id)) {
		set_why(ret_why, "you cannot approve your own request");
		return 0;
	}
	if (res == NULL) {
		set_why(ret_why, "no such resource");
		return 0;
	}
	if (g->status != JL_ST_PENDING) {
		set_why(ret_why, "request is not pending");
		return 0;
	}
	r = is_approver(res, g, id);
	if (r > 0 &&
	    (id->name == NULL || jl_grant_approved_by(g, id->name, id->uid))) {
		set_why(ret_why, "already approved by you");
		return 0;
	}
	return allow_if(r, "not an approver of this resource", ret, ret_why);
}

/*
 * May id revoke g (or cancel it while pending): its own user, an
 * approver of res (escalate_to once escalated), or an admin.  res may be
 * NULL when the resource left the config: then only the user and admins.
 */
int
jl_policy_may_revoke(const struct jl_config *cfg, const struct jl_resource *res,
    const struct jl_grant *g, const struct jl_ident *id, enum jl_decision *ret,
    const char **ret_why)
{
	int r;

	r = start_decision(cfg, res, g, id, ret, ret_why);
	if (r < 0)
		return r;
	if (is_owner(g, id)) {
		*ret = JL_ALLOW;
		set_why(ret_why, NULL);
		return 0;
	}
	r = is_approver_or_admin(cfg, res, g, id);
	return allow_if(r, "not permitted to revoke this grant", ret, ret_why);
}

/*
 * May id see g: their own, one of a resource they approve (escalate_to
 * once escalated), or any as admin or auditor.  0 or -errno.
 */
int
jl_policy_may_see(const struct jl_config *cfg, const struct jl_resource *res,
    const struct jl_grant *g, const struct jl_ident *id, enum jl_decision *ret)
{
	enum jl_decision auditor = JL_DENY;
	int r, r2;

	r = start_decision(cfg, res, g, id, ret, NULL);
	if (r < 0)
		return r;
	if (is_owner(g, id)) {
		*ret = JL_ALLOW;
		return 0;
	}
	r = is_approver_or_admin(cfg, res, g, id);
	if (r > 0) {
		*ret = JL_ALLOW;
		return 0;
	}
	r2 = jl_policy_is_auditor(cfg, id, &auditor);
	if (r2 == 0 && auditor == JL_ALLOW) {
		*ret = JL_ALLOW;
		return 0;
	}
	return r < 0 ? r : r2;
}

/*
 * May id grant res to target directly (no approval): admins only, and
 * never to themselves, which would be approving their own access.
 */
int
jl_policy_may_grant(const struct jl_config *cfg, const struct jl_resource *res,
    const struct jl_ident *target, const struct jl_ident *id,
    enum jl_decision *ret, const char **ret_why)
{
	enum jl_decision admin = JL_DENY;
	int r;

	if (ret == NULL)
		return -EINVAL;
	*ret = JL_DENY;
	set_why(ret_why, "not permitted");
	if (cfg == NULL || target == NULL || target->name == NULL ||
	    id == NULL || id->name == NULL)
		return -EINVAL;
	if (target->uid == id->uid || strcmp(target->name, id->name) == 0) {
		set_why(ret_why, "you cannot grant yourself access");
		return 0;
	}
	if (res == NULL) {
		set_why(ret_why, "no such resource");
		return 0;
	}
	r = jl_policy_is_admin(cfg, id, &admin);
	if (r == 0)
		r = admin == JL_ALLOW;
	return allow_if(r, "only admins may grant directly", ret, ret_why);
}

/*
 * May id close the review of the break-glass grant g: an approver of res
 * or an admin, never the grant's own user (root included), once.
 */
int
jl_policy_may_review(const struct jl_config *cfg, const struct jl_resource *res,
    const struct jl_grant *g, const struct jl_ident *id, enum jl_decision *ret,
    const char **ret_why)
{
	int r;

	r = start_decision(cfg, res, g, id, ret, ret_why);
	if (r < 0)
		return r;
	if (!g->break_glass) {
		set_why(ret_why, "not a break-glass grant");
		return 0;
	}
	if (is_own(g, id)) {
		set_why(ret_why, "you cannot review your own grant");
		return 0;
	}
	if (g->reviewed_at != 0) {
		set_why(ret_why, "already reviewed");
		return 0;
	}
	r = is_approver_or_admin(cfg, res, g, id);
	return allow_if(r, "not permitted to review this grant", ret, ret_why);
}

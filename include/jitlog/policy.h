/* SPDX-License-Identifier: ISC */
/*
 * Who may do what.  Every function answers with a decision in *ret and,
 * on deny, a short reason for the user; an error (NSS failure, ...) is
 * returned as -errno and the caller MUST treat it as a deny.  Decisions
 * have a safe zero: JL_DENY, set at entry, so *ret is JL_DENY on every
 * error path too.  ret_why (may be NULL) gets a short lowercase static
 * string on deny and NULL on allow.  A resource that is no longer in the
 * config may be passed as NULL (only the user, admins and auditors then
 * keep their rights); a resource that is not the grant's is -EINVAL.
 *
 * Rules (SPEC section 1 and 3):
 *  - root (uid 0) is always admin and auditor;
 *  - nobody approves, denies as approver, or reviews their own request,
 *    whatever their groups, root included;
 *  - approvers of the resource (and escalate_to once the request is
 *    escalated) may approve, deny and revoke; admins may revoke any and
 *    grant directly, but approve only where they are approvers;
 *  - the grant's own user may revoke (cancel) it;
 *  - admins grant directly, but never to themselves; a break-glass grant
 *    is reviewed by an approver of the resource or an admin, never by its
 *    own user;
 *  - a user sees their own grants and those they may approve; admins and
 *    auditors see all.
 */
#ifndef JITLOG_POLICY_H
#define JITLOG_POLICY_H

#include "jitlog/config.h"
#include "jitlog/grant.h"
#include "jitlog/ident.h"

enum jl_decision {
	JL_DENY = 0,
	JL_ALLOW,
};

int jl_policy_is_admin(const struct jl_config *cfg, const struct jl_ident *id,
    enum jl_decision *ret);
int jl_policy_is_auditor(const struct jl_config *cfg, const struct jl_ident *id,
    enum jl_decision *ret);
int jl_policy_may_request(const struct jl_config *cfg,
    const struct jl_resource *res, const struct jl_ident *id,
    enum jl_decision *ret, const char **ret_why);
/* Approve or deny a pending request (now: for escalation). */
int jl_policy_may_decide(const struct jl_config *cfg,
    const struct jl_resource *res, const struct jl_grant *g,
    const struct jl_ident *id, enum jl_decision *ret, const char **ret_why);
int jl_policy_may_revoke(const struct jl_config *cfg,
    const struct jl_resource *res, const struct jl_grant *g,
    const struct jl_ident *id, enum jl_decision *ret, const char **ret_why);
int jl_policy_may_see(const struct jl_config *cfg,
    const struct jl_resource *res, const struct jl_grant *g,
    const struct jl_ident *id, enum jl_decision *ret);
/* Grant res directly to target (jitadm grant): admins, never to self. */
int jl_policy_may_grant(const struct jl_config *cfg,
    const struct jl_resource *res, const struct jl_ident *target,
    const struct jl_ident *id, enum jl_decision *ret, const char **ret_why);
/* Close the review of break-glass grant g (jitadm review). */
int jl_policy_may_review(const struct jl_config *cfg,
    const struct jl_resource *res, const struct jl_grant *g,
    const struct jl_ident *id, enum jl_decision *ret, const char **ret_why);

#endif

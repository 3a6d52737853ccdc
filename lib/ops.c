/* SPDX-License-Identifier: ISC */
/*
 * The actions that create a grant -- a user's request and an admin's
 * direct grant -- and the helpers all actions share (ops_int.h); the
 * actions that decide on an existing grant are in ops_decide.c,
 * break-glass in ops_glass.c, extensions in ops_extend.c.  Each
 * action is one BEGIN IMMEDIATE transaction that applies its change,
 * appends its audit event and commits through jl_ctx_commit_event(),
 * which mirrors the event to the journal only after COMMIT.  Results
 * follow ops.h: 0 done, JL_REFUSED with a reason for the user in
 * err->msg, -errno on error.
 *
 * MUST (SPEC sections 2-3, SECURITY.md "The store"; tests/unit/test_ops.c):
 *  - a refusal or an error writes nothing and emits no event: every check
 *    runs before the transaction, which holds the insert and its audit row;
 *  - a request only by a requester of an existing resource, within its
 *    max_duration, with the ticket it requires (matching ticket_pattern),
 *    unredacted only where allow_unredacted, starting neither in the past
 *    nor more than request_ttl ahead;
 *  - a direct grant only by an admin, for an existing user, never to
 *    oneself (root included), within max_duration;
 *  - an error while deciding (NSS failure, ...) is an error, never an
 *    allow.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <errno.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitlog/ops.h"
#include "jitlog/parse.h"
#include "jitlog/policy.h"
#include "ops_int.h"

/* Bounds for matching a ticket against ticket_pattern. */
#define TICKET_MATCH_LIMIT 100000
#define TICKET_DEPTH_LIMIT 1000

/* Contract: see ops_int.h. */
int
jl_ops_policy_result(int r, enum jl_decision d, const char *why, int64_t id,
    struct jl_error *err)
{
	if (r < 0)
		return jl_error_set(err, r, "cannot decide: %s",
		    why != NULL ? why : "policy error");
	if (d == JL_ALLOW)
		return 0;
	if (why == NULL)
		why = "not permitted";
	if (id > 0)
		return jl_ops_refuse(err, "grant %lld: %s", (long long)id, why);
	return jl_ops_refuse(err, "%s", why);
}

/* A decision against the caller: err->msg says why.  Returns JL_REFUSED. */
int
jl_ops_refuse(struct jl_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		va_start(ap, fmt);
		(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return JL_REFUSED;
}

int
jl_ops_check_ctx(const struct jl_ctx *c, struct jl_error *err)
{
	if (c == NULL || c->cfg == NULL || c->store == NULL || c->who == NULL ||
	    c->who->name == NULL)
		return jl_error_set(err, EINVAL, "incomplete context");
	return 0;
}

/* *ret = copy of s (NULL stays NULL).  0 or -ENOMEM. */
int
jl_ops_dup(const char *s, char **ret)
{
	char *p = NULL;

	if (s != NULL && (p = strdup(s)) == NULL)
		return -ENOMEM;
	free(*ret);
	*ret = p;
	return 0;
}

/* The JSON object writer of ops_int.h: errors are sticky. */
static void
json_key(struct jl_ops_json *o, const char *k)
{
	if (o->r == 0)
		o->r = jl_buf_puts(&o->b, o->b.len == 0 ? "{" : ",");
	if (o->r == 0)
		o->r = jl_json_str(&o->b, k);
	if (o->r == 0)
		o->r = jl_buf_puts(&o->b, ":");
}

void
jl_ops_json_str(struct jl_ops_json *o, const char *k, const char *v)
{
	json_key(o, k);
	if (o->r == 0)
		o->r = jl_json_str(&o->b, v);
}

void
jl_ops_json_int(struct jl_ops_json *o, const char *k, long long v)
{
	json_key(o, k);
	if (o->r == 0)
		o->r = jl_buf_printf(&o->b, "%lld", v);
}

void
jl_ops_json_time(struct jl_ops_json *o, const char *k, int64_t t)
{
	json_key(o, k);
	if (o->r == 0)
		o->r = jl_json_time(&o->b, t);
}

void
jl_ops_json_bool(struct jl_ops_json *o, const char *k, bool v)
{
	json_key(o, k);
	if (o->r == 0)
		o->r = jl_buf_puts(&o->b, v ? "true" : "false");
}

int
jl_ops_json_end(struct jl_ops_json *o, char **ret)
{
	if (o->r == 0)
		o->r = jl_buf_puts(&o->b, o->b.len == 0 ? "{}" : "}");
	if (o->r == 0)
		o->r = jl_buf_steal(&o->b, ret);
	jl_buf_free(&o->b);
	return o->r;
}

/* An event about g by c->who, with the annotations every event carries. */
void
jl_ops_event(struct jl_event *ev, const struct jl_ctx *c, const char *name,
    const struct jl_grant *g, const char *detail)
{
	jl_event_init(ev, name, c->now);
	ev->grant_id = g->id;
	ev->actor = c->who->name;
	ev->user = g->user;
	ev->resource = g->resource;
	ev->detail = detail;
	ev->reason = g->reason;
	ev->ticket = g->ticket;
	if (g->status == JL_ST_APPROVED)
		ev->expires = g->expires_at;
}

/* A fresh grant of user/uid on resource, requested now.  0 or -ENOMEM. */
int
jl_ops_grant_new(const struct jl_ctx *c, const char *user, uid_t uid,
    const char *resource, const char *reason, const char *ticket,
    struct jl_grant **ret)
{
	struct jl_grant *g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return -ENOMEM;
	g->uid = uid;
	g->status = JL_ST_PENDING;
	g->requested_at = c->now;
	if (jl_ops_dup(user, &g->user) < 0 ||
	    jl_ops_dup(resource, &g->resource) < 0 ||
	    jl_ops_dup(reason, &g->reason) < 0 ||
	    jl_ops_dup(ticket, &g->ticket) < 0) {
		jl_grant_free(g);
		return -ENOMEM;
	}
	*ret = g;
	return 0;
}

/*
 * 1 if ticket matches pattern (as written: anchors are the pattern's own),
 * 0 if not, -errno if the pattern does not compile or matching hit its
 * bounds.
 */
static int
ticket_matches(const char *pattern, const char *ticket)
{
	pcre2_code *re = NULL;
	pcre2_match_data *md = NULL;
	pcre2_match_context *mc = NULL;
	PCRE2_SIZE off;
	int ec, rc, r;

	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C, &ec, &off, NULL);
	if (re == NULL)
		return -EINVAL;
	md = pcre2_match_data_create_from_pattern(re, NULL);
	mc = pcre2_match_context_create(NULL);
	if (md == NULL || mc == NULL) {
		r = -ENOMEM;
		goto out;
	}
	(void)pcre2_set_match_limit(mc, TICKET_MATCH_LIMIT);
	(void)pcre2_set_depth_limit(mc, TICKET_DEPTH_LIMIT);
	rc = pcre2_match(re, (PCRE2_SPTR)ticket, PCRE2_ZERO_TERMINATED, 0, 0,
	    md, mc);
	if (rc >= 0)
		r = 1;
	else if (rc == PCRE2_ERROR_NOMATCH)
		r = 0;
	else
		r = -E2BIG;
out:
	pcre2_match_context_free(mc);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return r;
}

/* The ticket rules of res: required, and matching ticket_pattern. */
int
jl_ops_check_ticket(const struct jl_resource *res, const char *ticket,
    struct jl_error *err)
{
	int r;

	if (ticket == NULL) {
		if (res->require_ticket || res->ticket_pattern != NULL)
			return jl_ops_refuse(err,
			    "resource %s requires a ticket "
			    "(--ticket)",
			    res->name);
		return 0;
	}
	if (jl_check_text(ticket, JL_TEXT_MAX) < 0)
		return jl_error_set(err, EINVAL, "invalid ticket");
	if (res->ticket_pattern == NULL)
		return 0;
	r = ticket_matches(res->ticket_pattern, ticket);
	if (r == -EINVAL || r == -ENOMEM)
		return jl_error_set(err, r, "cannot use ticket_pattern of %s",
		    res->name);
	if (r <= 0)
		return jl_ops_refuse(err,
		    "ticket does not match the ticket pattern "
		    "of %s",
		    res->name);
	return 0;
}

int
jl_ops_refuse_duration(const struct jl_resource *res, struct jl_error *err)
{
	char d[32];

	jl_format_duration(res->max_duration, d, sizeof(d));
	return jl_ops_refuse(err, "duration exceeds max_duration %s", d);
}

/* c->who may request res (jl_policy_may_request).  0, JL_REFUSED, -errno. */
int
jl_ops_check_requester(const struct jl_ctx *c, const struct jl_resource *res,
    struct jl_error *err)
{
	enum jl_decision d = JL_DENY;
	const char *why = NULL;
	int r;

	r = jl_policy_may_request(c->cfg, res, c->who, &d, &why);
	return jl_ops_policy_result(r, d, why, 0, err);
}

/* Contract: see ops_int.h. */
int
jl_ops_check_common(const struct jl_ctx *c, const struct jl_request_args *a,
    const struct jl_resource **ret_res, struct jl_error *err)
{
	const struct jl_resource *res;
	int r;

	if (a->resource == NULL || !jl_valid_resource_name(a->resource) ||
	    a->reason == NULL || jl_check_text(a->reason, JL_TEXT_MAX) < 0 ||
	    a->duration < 0 || a->start < 0)
		return jl_error_set(err, EINVAL, "invalid request");
	if ((res = jl_config_resource(c->cfg, a->resource)) == NULL)
		return jl_ops_refuse(err, "no such resource: %s", a->resource);
	if ((r = jl_ops_check_requester(c, res, err)) != 0)
		return r;
	if ((r = jl_ops_check_ticket(res, a->ticket, err)) != 0)
		return r;
	if (a->unredacted && !res->allow_unredacted)
		return jl_ops_refuse(err,
		    "resource %s does not allow unredacted "
		    "access",
		    res->name);
	*ret_res = res;
	return 0;
}

/* Contract: see ops_int.h. */
int
jl_ops_request_grant(const struct jl_ctx *c, const struct jl_request_args *a,
    int (*check)(const struct jl_ctx *, const struct jl_request_args *,
        const struct jl_resource **, int64_t *, struct jl_error *),
    struct jl_grant **ret, struct jl_error *err)
{
	const struct jl_resource *res = NULL;
	struct jl_grant *g = NULL;
	int64_t dur = 0;
	int r;

	if ((r = jl_ops_check_ctx(c, err)) < 0 || a == NULL)
		return r < 0 ? r : jl_error_set(err, EINVAL, "no request");
	if ((r = check(c, a, &res, &dur, err)) != 0)
		return r;
	if (res == NULL)
		return jl_error_set(err, EINVAL, "no resource");
	r = jl_ops_grant_new(c, c->who->name, c->who->uid, res->name, a->reason,
	    a->ticket, &g);
	if (r < 0)
		return jl_error_set(err, r, "out of memory");
	g->duration_s = dur;
	g->approvals_required = res->approvals;
	g->unredacted = a->unredacted;
	*ret = g;
	return 0;
}

/* Contract: see ops_int.h. */
int
jl_ops_insert_commit_in(struct jl_ctx *c, const char *name, int priority,
    struct jl_grant *g, struct jl_ops_json *o, struct jl_grant **ret,
    struct jl_error *err)
{
	struct jl_event ev;
	char *detail = NULL;
	int r;

	if ((r = jl_ops_json_end(o, &detail)) < 0) {
		jl_error_set(err, r, "out of memory");
		goto out;
	}
	if ((r = jl_store_grant_insert(c->store, g, err)) < 0)
		goto out;
	jl_ops_event(&ev, c, name, g, detail);
	ev.priority = priority;
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

/* Contract: see ops_int.h. */
int
jl_ops_insert_commit(struct jl_ctx *c, const char *name, int priority,
    int (*check)(struct jl_ctx *, struct jl_error *), struct jl_grant *g,
    struct jl_ops_json *o, struct jl_grant **ret, struct jl_error *err)
{
	int r;

	if ((r = jl_store_begin(c->store, err)) == 0 && check != NULL)
		r = check(c, err);
	if (r != 0) {
		jl_store_rollback(c->store);
		jl_buf_free(&o->b);
		jl_grant_free(g);
		return r;
	}
	return jl_ops_insert_commit_in(c, name, priority, g, o, ret, err);
}

/* Who and what of a request; on 0, *ret_res and *ret_dur are set. */
static int
check_request(const struct jl_ctx *c, const struct jl_request_args *a,
    const struct jl_resource **ret_res, int64_t *ret_dur, struct jl_error *err)
{
	const struct jl_resource *res = NULL;
	char ttl[32];
	int r;

	if ((r = jl_ops_check_common(c, a, &res, err)) != 0)
		return r;
	*ret_dur = a->duration > 0 ? a->duration : res->default_duration;
	if (*ret_dur > res->max_duration)
		return jl_ops_refuse_duration(res, err);
	if (a->start != 0 && a->start < c->now - JL_START_SLACK)
		return jl_ops_refuse(err, "start time is in the past");
	if (a->start != 0 && a->start - c->now > c->cfg->request_ttl) {
		jl_format_duration(c->cfg->request_ttl, ttl, sizeof(ttl));
		return jl_ops_refuse(err,
		    "start time is more than request_ttl %s "
		    "ahead",
		    ttl);
	}
	*ret_res = res;
	return 0;
}

int
jl_op_request(struct jl_ctx *c, const struct jl_request_args *a,
    struct jl_grant **ret, struct jl_error *err)
{
	struct jl_grant *g = NULL;
	struct jl_ops_json o = { { NULL, 0, 0 }, 0 };
	int r;

	if ((r = jl_ops_request_grant(c, a, check_request, &g, err)) != 0)
		return r;
	g->start_req = a->start > c->now ? a->start : 0;
	jl_ops_json_str(&o, "reason", g->reason);
	jl_ops_json_str(&o, "ticket", g->ticket);
	jl_ops_json_int(&o, "duration_s", g->duration_s);
	jl_ops_json_time(&o, "start", g->start_req);
	jl_ops_json_bool(&o, "unredacted", g->unredacted);
	return jl_ops_insert_commit(c, "request", 0, NULL, g, &o, ret, err);
}

/* Checks of a direct grant; on 0 *ret_res, *ret_target and *ret_dur set. */
static int
check_grant(const struct jl_ctx *c, const struct jl_grant_args *a,
    const struct jl_resource **ret_res, struct jl_ident *ret_target,
    int64_t *ret_dur, struct jl_error *err)
{
	enum jl_decision admin = JL_DENY;
	const struct jl_resource *res;
	int r;

	if (a->resource == NULL || !jl_valid_resource_name(a->resource) ||
	    a->user == NULL || !jl_valid_user_name(a->user) ||
	    a->reason == NULL || jl_check_text(a->reason, JL_TEXT_MAX) < 0 ||
	    a->duration < 0)
		return jl_error_set(err, EINVAL, "invalid grant");
	if ((r = jl_policy_is_admin(c->cfg, c->who, &admin)) < 0)
		return jl_error_set(err, r, "cannot decide: policy error");
	if (admin != JL_ALLOW)
		return jl_ops_refuse(err,
		    "only admins may grant access directly");
	if ((res = jl_config_resource(c->cfg, a->resource)) == NULL)
		return jl_ops_refuse(err, "no such resource: %s", a->resource);
	*ret_dur = a->duration > 0 ? a->duration : res->default_duration;
	if (*ret_dur > res->max_duration)
		return jl_ops_refuse_duration(res, err);
	r = jl_ident_from_name(a->user, ret_target);
	if (r == -ENOENT)
		return jl_ops_refuse(err, "no such user: %s", a->user);
	if (r < 0)
		return jl_error_set(err, r, "cannot look up user %s", a->user);
	if (ret_target->uid == c->who->uid ||
	    strcmp(ret_target->name, c->who->name) == 0) {
		jl_ident_free(ret_target);
		return jl_ops_refuse(err,
		    "you cannot grant access to yourself");
	}
	*ret_res = res;
	return 0;
}

int
jl_op_grant(struct jl_ctx *c, const struct jl_grant_args *a,
    struct jl_grant **ret, struct jl_error *err)
{
	const struct jl_resource *res = NULL;
	struct jl_ident target = { 0 };
	struct jl_grant *g = NULL;
	struct jl_ops_json o = { { NULL, 0, 0 }, 0 };
	int64_t dur = 0;
	int r;

	if ((r = jl_ops_check_ctx(c, err)) < 0 || a == NULL)
		return r < 0 ? r : jl_error_set(err, EINVAL, "no grant");
	if ((r = check_grant(c, a, &res, &target, &dur, err)) != 0)
		return r;
	if (res == NULL) {
		jl_ident_free(&target);
		return jl_error_set(err, EINVAL, "no resource");
	}
	r = jl_ops_grant_new(c, target.name, target.uid, res->name, a->reason,
	    NULL, &g);
	jl_ident_free(&target);
	if (r < 0)
		return jl_error_set(err, r, "out of memory");
	/* The admin's grant is its one approval: starts now, ends after dur. */
	g->duration_s = dur;
	g->approvals_required = 1;
	r = jl_grant_add_approval(g, c->who->name, c->who->uid, c->now, 0,
	    NULL);
	if (r != 1) {
		jl_grant_free(g);
		return jl_error_set(err, r < 0 ? r : EINVAL, "cannot approve");
	}
	jl_ops_json_str(&o, "reason", g->reason);
	jl_ops_json_int(&o, "duration_s", dur);
	jl_ops_json_time(&o, "starts_at", g->starts_at);
	jl_ops_json_time(&o, "expires_at", g->expires_at);
	return jl_ops_insert_commit(c, "grant", 0, NULL, g, &o, ret, err);
}

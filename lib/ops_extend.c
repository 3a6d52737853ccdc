/* SPDX-License-Identifier: ISC */
/*
 * Extensions: "jitadm extend" asks to continue a grant past its end.  An
 * extension is a new request linked to the grant it continues
 * (extends_id), approved like any request, whose window starts when that
 * grant ends (start_req = its expires_at), so approval before the end
 * leaves no gap.  Grants and their extensions form a chain; revoking a
 * grant ends the live part of the chain after it in the same
 * transaction, and an extension is not approved once the grant it
 * continues was taken away.  Results follow ops.h (0, JL_REFUSED, -errno).
 *
 * MUST (SPEC sections 3-4; tests/unit/test_extend.c):
 *  - only the grant's own user extends it, only while it is scheduled or
 *    active, while still a requester of the resource, within
 *    max_duration for the extension itself, with the ticket the resource
 *    requires, and one pending extension of a grant at a time;
 *  - the extension starts at the extended grant's expires_at (or at its
 *    approval when that is later), never before: no overlap and no gap;
 *  - revoking or cancelling a grant cancels its pending extensions and
 *    revokes its scheduled or active ones, each with its own event, all
 *    in the one transaction of the revoke;
 *  - a load, check, insert and audit row in one transaction; a refusal
 *    writes nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jitlog/ops.h"
#include "jitlog/parse.h"
#include "jitlog/policy.h"
#include "ops_int.h"

/* Most grants one revoke ends along a chain (a bound against a damaged
 * store; a real chain is a handful). */
#define CHAIN_MAX 1000

/* Same person as g's user: same uid or same name (as the policy). */
static bool
is_own(const struct jl_grant *g, const struct jl_ident *id)
{
	return g->uid == id->uid ||
	    (g->user != NULL && strcmp(g->user, id->name) == 0);
}

/* Refused while one extension of base is pending. */
static int
check_no_pending(struct jl_ctx *c, const struct jl_grant *base,
    struct jl_error *err)
{
	struct jl_grant **v = NULL;
	size_t n = 0, i;
	int r;

	r = jl_store_grant_extensions(c->store, base->id, &v, &n, err);
	for (i = 0; r == 0 && i < n; i++) {
		if (jl_grant_state(v[i], c->now, c->cfg->request_ttl) ==
		    JL_PENDING)
			r = jl_ops_refuse(err,
			    "grant %lld already has a pending extension: %lld",
			    (long long)base->id, (long long)v[i]->id);
	}
	jl_grants_free(v, n);
	return r;
}

/* Who may extend base, and for how long; on 0 *ret_dur is set. */
static int
check_extend(struct jl_ctx *c, const struct jl_grant *base,
    const struct jl_resource *res, int64_t duration, int64_t *ret_dur,
    struct jl_error *err)
{
	enum jl_state st;
	int r;

	/* jl_ops_begin_load answered "no such grant" unless c->who may see
	 * base. */
	if (!is_own(base, c->who))
		return jl_ops_refuse(err,
		    "grant %lld is not yours: only its user may extend it",
		    (long long)base->id);
	st = jl_grant_state(base, c->now, c->cfg->request_ttl);
	if (st != JL_ACTIVE && st != JL_SCHEDULED)
		return jl_ops_refuse(err,
		    "grant %lld is %s: only a scheduled or active grant is "
		    "extended (request access anew)",
		    (long long)base->id, jl_state_name(st));
	if (res == NULL)
		return jl_ops_refuse(err, "resource %s is no longer configured",
		    base->resource);
	if ((r = jl_ops_check_requester(c, res, err)) != 0)
		return r;
	*ret_dur = duration > 0 ? duration : res->default_duration;
	if (*ret_dur > res->max_duration)
		return jl_ops_refuse_duration(res, err);
	if ((r = jl_ops_check_ticket(res, base->ticket, err)) != 0)
		return r;
	if (base->unredacted && !res->allow_unredacted)
		return jl_ops_refuse(err,
		    "resource %s no longer allows unredacted access",
		    res->name);
	return check_no_pending(c, base, err);
}

/* The extension of base by c->who: pending, starting when base ends. */
static int
extension_new(struct jl_ctx *c, const struct jl_grant *base,
    const struct jl_resource *res, int64_t dur, const char *reason,
    struct jl_grant **ret)
{
	struct jl_grant *g = NULL;
	int r;

	r = jl_ops_grant_new(c, c->who->name, c->who->uid, base->resource,
	    reason, base->ticket, &g);
	if (r < 0)
		return r;
	g->start_req = base->expires_at > c->now ? base->expires_at : 0;
	g->duration_s = dur;
	g->approvals_required = res->approvals;
	g->unredacted = base->unredacted;
	g->extends_id = base->id;
	*ret = g;
	return 0;
}

int
jl_op_extend(struct jl_ctx *c, int64_t id, int64_t duration, const char *reason,
    struct jl_grant **ret, struct jl_error *err)
{
	const struct jl_resource *res = NULL;
	struct jl_grant *base = NULL, *g = NULL;
	struct jl_ops_json o = { { NULL, 0, 0 }, 0 };
	int64_t dur = 0;
	int r;

	if ((r = jl_ops_check_ctx(c, err)) < 0)
		return r;
	if (duration < 0 || reason == NULL ||
	    jl_check_text(reason, JL_TEXT_MAX) < 0)
		return jl_error_set(err, EINVAL, "invalid extension");
	if ((r = jl_ops_begin_load(c, id, &base, &res, err)) != 0)
		return r;
	if ((r = check_extend(c, base, res, duration, &dur, err)) == 0 &&
	    (r = extension_new(c, base, res, dur, reason, &g)) < 0)
		jl_error_set(err, r, "out of memory");
	if (r != 0) {
		jl_store_rollback(c->store);
		jl_grant_free(base);
		return r;
	}
	jl_ops_json_int(&o, "extends", base->id);
	jl_ops_json_str(&o, "reason", g->reason);
	jl_ops_json_str(&o, "ticket", g->ticket);
	jl_ops_json_int(&o, "duration_s", g->duration_s);
	jl_ops_json_time(&o, "start", g->start_req);
	jl_ops_json_bool(&o, "unredacted", g->unredacted);
	jl_grant_free(base);
	/* Still inside the transaction of the load and the checks. */
	return jl_ops_insert_commit_in(c, "extend", 0, g, &o, ret, err);
}

/* Contract: see ops_int.h. */
int
jl_ops_check_extends(struct jl_ctx *c, const struct jl_grant *g,
    struct jl_error *err)
{
	struct jl_grant *base = NULL;
	int r;

	if (g->extends_id == 0)
		return 0;
	r = jl_store_grant_get(c->store, g->extends_id, &base, err);
	if (r == -ENOENT)
		return jl_ops_refuse(err, "grant %lld extends no grant",
		    (long long)g->id);
	if (r < 0)
		return r;
	switch (base->status) {
	case JL_ST_REVOKED:
	case JL_ST_DENIED:
	case JL_ST_CANCELLED:
	case JL_ST_LAPSED:
		r = jl_ops_refuse(err,
		    "grant %lld, which this one extends, is %s",
		    (long long)base->id, jl_status_name(base->status));
		break;
	default:
		r = 0;
		break;
	}
	jl_grant_free(base);
	return r;
}

/* Append g to ch with its event detail; ch owns g afterwards. */
static int
chain_push(struct jl_ops_chain *ch, struct jl_grant *g, char *detail)
{
	struct jl_grant **ng;
	char **nd;

	ng = reallocarray(ch->g, ch->n + 1, sizeof(*ng));
	if (ng != NULL)
		ch->g = ng;
	nd = reallocarray(ch->detail, ch->n + 1, sizeof(*nd));
	if (nd != NULL)
		ch->detail = nd;
	if (ng == NULL || nd == NULL)
		return -ENOMEM;
	ch->g[ch->n] = g;
	ch->detail[ch->n] = detail;
	ch->n++;
	return 0;
}

/* End extension e (revoked or cancelled by c->who along with grant
 * root) and write it.  1 ended, 0 nothing to end, -errno. */
static int
end_one(struct jl_ctx *c, struct jl_grant *e, int64_t root, const char *comment,
    char **ret_detail, struct jl_error *err)
{
	struct jl_ops_json o = { { NULL, 0, 0 }, 0 };
	enum jl_state st;
	int r;

	st = jl_grant_state(e, c->now, c->cfg->request_ttl);
	if (st != JL_PENDING && st != JL_SCHEDULED && st != JL_ACTIVE)
		return 0;
	if (jl_ops_dup(c->who->name, &e->ended_by) < 0 ||
	    jl_ops_dup(comment, &e->end_comment) < 0)
		return jl_error_set(err, ENOMEM, "out of memory");
	e->status = st == JL_PENDING ? JL_ST_CANCELLED : JL_ST_REVOKED;
	e->ended_at = c->now;
	jl_ops_json_str(&o, "comment", comment);
	jl_ops_json_str(&o, "was", jl_state_name(st));
	jl_ops_json_int(&o, "with", root);
	if ((r = jl_ops_json_end(&o, ret_detail)) < 0)
		return jl_error_set(err, r, "out of memory");
	if ((r = jl_store_grant_update(c->store, e, err)) < 0) {
		JL_FREE(*ret_detail);
		return r;
	}
	return 1;
}

static int
push_id(int64_t **v, size_t *n, int64_t id)
{
	int64_t *nv;

	nv = reallocarray(*v, *n + 1, sizeof(*nv));
	if (nv == NULL)
		return -ENOMEM;
	nv[(*n)++] = id;
	*v = nv;
	return 0;
}

/* End the live extensions of grant from, appending them to ch, and queue
 * every extension (ended now or before: its own may still be live). */
static int
end_children(struct jl_ctx *c, int64_t root, int64_t from, const char *comment,
    struct jl_ops_chain *ch, int64_t **todo, size_t *ntodo,
    struct jl_error *err)
{
	struct jl_grant **v = NULL;
	char *detail = NULL;
	size_t n = 0, i;
	int r;

	r = jl_store_grant_extensions(c->store, from, &v, &n, err);
	for (i = 0; r >= 0 && i < n; i++) {
		/* Extensions are younger than what they extend: no loops. */
		if (v[i]->id <= from || *ntodo >= CHAIN_MAX) {
			r = jl_error_set(err, EIO,
			    "store is corrupt (extension chain of grant %lld)",
			    (long long)root);
			break;
		}
		if (push_id(todo, ntodo, v[i]->id) < 0) {
			r = jl_error_set(err, ENOMEM, "out of memory");
			break;
		}
		r = end_one(c, v[i], root, comment, &detail, err);
		if (r == 1 && chain_push(ch, v[i], detail) < 0) {
			free(detail);
			r = jl_error_set(err, ENOMEM, "out of memory");
		} else if (r == 1) {
			v[i] = NULL;
		}
	}
	jl_grants_free(v, n);
	return r < 0 ? r : 0;
}

/* Contract: see ops_int.h. */
int
jl_ops_end_chain(struct jl_ctx *c, const struct jl_grant *g,
    const char *comment, struct jl_ops_chain *ch, struct jl_error *err)
{
	int64_t *todo = NULL;
	size_t ntodo = 0, done = 0;
	int r;

	r = end_children(c, g->id, g->id, comment, ch, &todo, &ntodo, err);
	while (r == 0 && done < ntodo) {
		r = end_children(c, g->id, todo[done], comment, ch, &todo,
		    &ntodo, err);
		done++;
	}
	free(todo);
	return r;
}

/* Contract: see ops_int.h. */
void
jl_ops_chain_events(const struct jl_ctx *c, const struct jl_ops_chain *ch,
    struct jl_event *ev)
{
	size_t i;

	for (i = 0; i < ch->n; i++)
		jl_ops_event(&ev[i], c,
		    ch->g[i]->status == JL_ST_CANCELLED ? "cancel" : "revoke",
		    ch->g[i], ch->detail[i]);
}

/* Contract: see ops_int.h.  NULL-safe, leaves ch empty. */
void
jl_ops_chain_free(struct jl_ops_chain *ch)
{
	size_t i;

	if (ch == NULL)
		return;
	for (i = 0; i < ch->n; i++) {
		jl_grant_free(ch->g[i]);
		free(ch->detail[i]);
	}
	JL_FREE(ch->g);
	JL_FREE(ch->detail);
	ch->n = 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * The sweep over grants (sweep.h): expire, lapse, escalate and remind.
 * Each candidate found by a listing is changed in its own BEGIN IMMEDIATE
 * transaction that loads the grant again and checks again that the change
 * is due (due() below), so that a grant approved, revoked or swept by
 * someone else in between is left alone and a second run changes nothing.
 * The sessions part is in sweep_session.c.  Uses the action helpers of
 * ops_int.h (event, JSON details), which lib/ keeps private.
 *
 * MUST (sweep.h; tests/unit/test_sweep.c):
 *  - one transaction per change, holding the grant's new state and its
 *    audit row; nothing is changed that is not due at c->now;
 *  - expired: an approved grant with now >= expires_at, nothing else;
 *    lapsed: a pending request with now >= requested_at + request_ttl;
 *    escalated: once, a pending, not lapsed request with now >=
 *    requested_at + escalate_after of its (still configured) resource;
 *  - "expiring" at most once per grant: sent only when the grant's audit
 *    trail holds none yet, checked inside the transaction that appends it;
 *  - a failure on one grant does not stop the others.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jitlog/store.h"
#include "jitlog/sweep.h"
#include "ops_int.h"
#include "sweep_int.h"

enum act {
	ACT_LAPSE,
	ACT_ESCALATE,
	ACT_EXPIRE,
	ACT_REMIND,
};

static const char *const act_event[] = {
	[ACT_LAPSE] = "lapse",
	[ACT_ESCALATE] = "escalate",
	[ACT_EXPIRE] = "expire",
	[ACT_REMIND] = "expiring",
};

/* Contract: see sweep_int.h. */
void
jl_sweep_note(struct jl_sweep_run *s, int r, const struct jl_error *e)
{
	if (r >= 0)
		return;
	s->st->failed++;
	if (s->first == 0) {
		s->first = r;
		if (s->err != NULL)
			(void)jl_error_set(s->err, r, "%s", e->msg);
	}
}

/* a + b without overflow, else INT64_MAX (never due). */
static int64_t
at_after(int64_t a, int64_t b)
{
	int64_t t;

	return __builtin_add_overflow(a, b, &t) ? INT64_MAX : t;
}

/* The events of a grant: is there an "expiring" one? */
static int
find_expiring(const struct jl_event *ev, void *arg)
{
	(void)arg;
	return strcmp(ev->event, "expiring") == 0 ? -EEXIST : 0;
}

/* 1 if g was reminded already, 0 if not, -errno. */
static int
reminded(struct jl_ctx *c, const struct jl_grant *g, struct jl_error *err)
{
	int r;

	r = jl_store_audit_foreach(c->store, 0, g->id, find_expiring, NULL,
	    err);
	if (r == -EEXIST)
		return 1;
	return r < 0 ? r : 0;
}

/* The grant that holds for g's user and resource at g's end (access goes
 * on without a gap), or 0.  -errno. */
static int64_t
continued_by(struct jl_ctx *c, const struct jl_grant *g, struct jl_error *err)
{
	int64_t id = 0, exp = 0;
	int r;

	r = jl_store_grant_find_active(c->store, g->user, g->uid, g->resource,
	    g->expires_at, &id, &exp, err);
	if (r < 0)
		return r;
	return r == 1 ? id : 0;
}

/* Is act due for g at c->now?  1 yes, 0 no, -errno. */
static int
due(struct jl_ctx *c, const struct jl_grant *g, enum act a,
    struct jl_error *err)
{
	const struct jl_resource *res;
	int64_t ttl = c->cfg->request_ttl, rb = c->cfg->remind_before, cont;
	int r;

	switch (a) {
	case ACT_LAPSE:
		return g->status == JL_ST_PENDING && ttl > 0 &&
		    c->now >= at_after(g->requested_at, ttl);
	case ACT_ESCALATE:
		res = jl_config_resource(c->cfg, g->resource);
		return g->status == JL_ST_PENDING && g->escalated_at == 0 &&
		    jl_grant_state(g, c->now, ttl) == JL_PENDING &&
		    res != NULL && res->escalate_after > 0 &&
		    c->now >= at_after(g->requested_at, res->escalate_after);
	case ACT_EXPIRE:
		return g->status == JL_ST_APPROVED && c->now >= g->expires_at;
	case ACT_REMIND:
		if (!jl_grant_holds(g, c->now) || rb <= 0 ||
		    g->expires_at - c->now > rb)
			return 0;
		if ((cont = continued_by(c, g, err)) != 0)
			return cont < 0 ? (int)cont : 0;
		r = reminded(c, g, err);
		return r < 0 ? r : !r;
	}
	return 0;
}

/* Apply act to g (due) and describe it in o. */
static int
apply(struct jl_ctx *c, struct jl_grant *g, enum act a, struct jl_ops_json *o,
    struct jl_error *err)
{
	const struct jl_resource *res;
	int64_t cont;

	switch (a) {
	case ACT_LAPSE:
		g->status = JL_ST_LAPSED;
		g->ended_at = at_after(g->requested_at, c->cfg->request_ttl);
		jl_ops_json_time(o, "requested_at", g->requested_at);
		jl_ops_json_int(o, "request_ttl_s", c->cfg->request_ttl);
		break;
	case ACT_ESCALATE:
		res = jl_config_resource(c->cfg, g->resource);
		g->escalated_at = c->now;
		jl_ops_json_time(o, "requested_at", g->requested_at);
		jl_ops_json_int(o, "escalate_after_s",
		    res != NULL ? res->escalate_after : 0);
		break;
	case ACT_EXPIRE:
		if ((cont = continued_by(c, g, err)) < 0)
			return (int)cont;
		g->status = JL_ST_EXPIRED;
		g->ended_at = g->expires_at;
		jl_ops_json_time(o, "expires_at", g->expires_at);
		if (cont > 0)
			jl_ops_json_int(o, "continued_by", cont);
		else
			jl_ops_json_str(o, "continued_by", NULL);
		break;
	case ACT_REMIND:
		jl_ops_json_time(o, "expires_at", g->expires_at);
		jl_ops_json_int(o, "remaining_s", g->expires_at - c->now);
		break;
	}
	return 0;
}

/* One change of grant id in its own transaction.  1 done, 0 not due
 * (any more), -errno. */
static int
change(struct jl_ctx *c, int64_t id, enum act a, struct jl_error *err)
{
	struct jl_ops_json o = { { NULL, 0, 0 }, 0 };
	struct jl_grant *g = NULL;
	struct jl_event ev;
	char *detail = NULL;
	int r;

	if ((r = jl_store_begin(c->store, err)) < 0)
		return r;
	if ((r = jl_store_grant_get(c->store, id, &g, err)) < 0)
		goto out;
	if ((r = due(c, g, a, err)) <= 0)
		goto out;
	if ((r = apply(c, g, a, &o, err)) < 0)
		goto out;
	if ((r = jl_ops_json_end(&o, &detail)) < 0) {
		jl_error_set(err, r, "out of memory");
		goto out;
	}
	if (a != ACT_REMIND &&
	    (r = jl_store_grant_update(c->store, g, err)) < 0)
		goto out;
	jl_ops_event(&ev, c, act_event[a], g, detail);
	if (a == ACT_EXPIRE || a == ACT_REMIND)
		ev.expires = g->expires_at;
	if ((r = jl_ctx_commit_event(c, &ev, err)) == 0)
		r = 1;
out:
	if (r <= 0)
		jl_store_rollback(c->store);
	jl_buf_free(&o.b);
	free(detail);
	jl_grant_free(g);
	return r;
}

/* Try act on grant id; count it when done. */
static void
try_change(struct jl_sweep_run *s, int64_t id, enum act a, unsigned *count)
{
	struct jl_error e = { "" };
	int r;

	r = change(s->c, id, a, &e);
	if (r == 1)
		(*count)++;
	jl_sweep_note(s, r, &e);
}

/* Candidates (status per mask), oldest first; each due change is tried
 * on its own. */
static void
sweep_grants(struct jl_sweep_run *s, unsigned mask)
{
	struct jl_grant_filter f;
	struct jl_grant **v = NULL, *g;
	struct jl_error e = { "" };
	size_t n = 0, i;
	int r;

	memset(&f, 0, sizeof(f));
	f.status_mask = mask;
	r = jl_store_grant_list(s->c->store, &f, &v, &n, &e);
	jl_sweep_note(s, r, &e);
	for (i = n; r == 0 && i-- > 0;) {
		g = v[i];
		/* The listing is only a hint: change() decides again. */
		if (g->status == JL_ST_PENDING) {
			if (due(s->c, g, ACT_LAPSE, &e) == 1)
				try_change(s, g->id, ACT_LAPSE, &s->st->lapsed);
			else if (due(s->c, g, ACT_ESCALATE, &e) == 1)
				try_change(s, g->id, ACT_ESCALATE,
				    &s->st->escalated);
		} else if (g->status == JL_ST_APPROVED) {
			if (due(s->c, g, ACT_EXPIRE, &e) == 1)
				try_change(s, g->id, ACT_EXPIRE,
				    &s->st->expired);
			else if (due(s->c, g, ACT_REMIND, &e) == 1)
				try_change(s, g->id, ACT_REMIND,
				    &s->st->reminded);
		}
	}
	jl_grants_free(v, n);
}

int
jl_sweep(struct jl_ctx *c, const struct jl_sweep_opts *o,
    struct jl_sweep_stats *ret, struct jl_error *err)
{
	struct jl_sweep_run s;
	int r;

	memset(ret, 0, sizeof(*ret));
	if ((r = jl_ops_check_ctx(c, err)) < 0)
		return r;
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.st = ret;
	s.err = err;
	s.wait_ms = o != NULL && o->signal_wait_ms > 0 ?
	    o->signal_wait_ms :
	    JL_SWEEP_SIGNAL_WAIT_MS;
	/* Requests first (a lapsed one is not escalated), then grants, then
	 * the sessions of the grants that ended. */
	sweep_grants(&s, 1u << JL_ST_PENDING);
	sweep_grants(&s, 1u << JL_ST_APPROVED);
	jl_sweep_sessions(&s);
	return s.first;
}

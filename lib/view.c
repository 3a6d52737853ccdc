/* SPDX-License-Identifier: ISC */
/*
 * The viewer's actions (view.h): find the grant a view runs under,
 * record view_open before the first byte is shown, re-check while the
 * view runs, record view_close and view_denied.  Writes are one BEGIN
 * IMMEDIATE transaction each, committed through jl_ctx_commit_event.
 *
 * MUST (SPEC sections 5 and 6, SECURITY.md "Audit"; exercised by
 * tests/integration/view_*.sh):
 *  - the decision that admits a view is made inside the transaction that
 *    records it, so a revoke committed before it is always seen;
 *  - no view is admitted unless its view_open event is committed; an
 *    error is never an allow;
 *  - a raw (unredacted) view needs the grant approved unredacted and the
 *    resource to allow it now, and ends with that grant;
 *  - every refusal is recorded as view_denied.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "jitlog/config.h"
#include "jitlog/grant.h"
#include "jitlog/store.h"
#include "jitlog/view.h"

static int
check_ctx(const struct jl_ctx *c, struct jl_error *err)
{
	if (c == NULL || c->cfg == NULL || c->store == NULL || c->who == NULL ||
	    c->who->name == NULL)
		return jl_error_set(err, EINVAL, "incomplete context");
	return 0;
}

/* Contract: see view.h. */
int
jl_view_find(struct jl_ctx *c, const struct jl_resource *res,
    struct jl_view_grant *ret, struct jl_error *err)
{
	struct jl_grant *g = NULL;
	int64_t id = 0, expires = 0;
	int r;

	if ((r = check_ctx(c, err)) < 0)
		return r;
	r = jl_store_grant_find_active(c->store, c->who->name, c->who->uid,
	    res->name, c->now, &id, &expires, err);
	if (r <= 0)
		return r;
	r = jl_store_grant_get(c->store, id, &g, err);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	ret->grant_id = id;
	ret->expires = expires;
	ret->unredacted = g->unredacted && res->allow_unredacted;
	jl_grant_free(g);
	return 1;
}

/* A JSON object under construction; the first error sticks. */
struct obj {
	struct jl_buf b;
	int r;
};

static void
key(struct obj *o, const char *k)
{
	if (o->r == 0)
		o->r = jl_buf_puts(&o->b, o->b.len == 0 ? "{" : ",");
	if (o->r == 0)
		o->r = jl_json_str(&o->b, k);
	if (o->r == 0)
		o->r = jl_buf_puts(&o->b, ":");
}

static void
put_str(struct obj *o, const char *k, const char *v)
{
	key(o, k);
	if (o->r == 0)
		o->r = jl_json_str(&o->b, v);
}

static void
put_int(struct obj *o, const char *k, int64_t v)
{
	key(o, k);
	if (o->r == 0)
		o->r = jl_buf_printf(&o->b, "%" PRId64, v);
}

static void
put_raw(struct obj *o, const char *k, const char *json)
{
	key(o, k);
	if (o->r == 0)
		o->r = jl_buf_puts(&o->b, json);
}

static int
obj_end(struct obj *o, char **ret)
{
	if (o->r == 0)
		o->r = jl_buf_puts(&o->b, o->b.len == 0 ? "{}" : "}");
	if (o->r == 0)
		o->r = jl_buf_steal(&o->b, ret);
	jl_buf_free(&o->b);
	return o->r;
}

/* Commit event name (the transaction is open); consumes detail. */
static int
commit(struct jl_ctx *c, const char *name, int64_t grant_id,
    const char *resource, const char *file, int64_t expires, int64_t bytes,
    char *detail, struct jl_error *err)
{
	struct jl_event ev;
	int r;

	jl_event_init(&ev, name, c->now);
	ev.grant_id = grant_id;
	ev.actor = c->who->name;
	ev.user = c->who->name;
	ev.resource = resource;
	ev.file = file;
	ev.expires = expires;
	ev.bytes = bytes;
	ev.detail = detail;
	r = jl_ctx_commit_event(c, &ev, err);
	free(detail);
	return r;
}

/* Inside the transaction: the view_denied event. */
static int
commit_denied(struct jl_ctx *c, const char *resource, const char *file,
    const char *why, struct jl_error *err)
{
	struct obj o = { { 0 }, 0 };
	char *detail = NULL;
	int r;

	put_str(&o, "file", file);
	put_str(&o, "reason", why);
	if ((r = obj_end(&o, &detail)) < 0) {
		jl_store_rollback(c->store);
		return jl_error_set(err, r, "out of memory");
	}
	return commit(c, "view_denied", 0, resource, file, 0, -1, detail, err);
}

/* Contract: see view.h. */
int
jl_view_deny(struct jl_ctx *c, const char *resource, const char *file,
    const char *why, struct jl_error *err)
{
	int r;

	if ((r = check_ctx(c, err)) < 0)
		return r;
	if ((r = jl_store_begin(c->store, err)) < 0)
		return r;
	return commit_denied(c, resource, file, why, err);
}

/* Inside the transaction, grant found: the row and the view_open event. */
static int
record_open(struct jl_ctx *c, const struct jl_view_req *rq, struct jl_view *v,
    struct jl_error *err)
{
	struct obj o = { { 0 }, 0 };
	char *detail = NULL;
	int r;

	r = jl_store_view_insert(c->store, v->g.grant_id, c->who->name,
	    rq->res->name, rq->file, c->now, &v->id, err);
	if (r < 0) {
		jl_store_rollback(c->store);
		return r;
	}
	put_int(&o, "view_id", v->id);
	put_str(&o, "file", rq->file);
	put_raw(&o, "unredacted", v->g.unredacted ? "true" : "false");
	put_raw(&o, "follow", rq->follow ? "true" : "false");
	if (rq->lines >= 0)
		put_int(&o, "lines", rq->lines);
	else
		put_raw(&o, "lines", "null");
	key(&o, "expires_at");
	if (o.r == 0)
		o.r = jl_json_time(&o.b, v->g.expires);
	if ((r = obj_end(&o, &detail)) < 0) {
		jl_store_rollback(c->store);
		return jl_error_set(err, r, "out of memory");
	}
	return commit(c, "view_open", v->g.grant_id, rq->res->name, rq->file,
	    v->g.expires, -1, detail, err);
}

/* Contract: see view.h. */
int
jl_view_open(struct jl_ctx *c, const struct jl_view_req *rq,
    struct jl_view *ret, struct jl_error *err)
{
	struct jl_view v;
	int r;

	if ((r = check_ctx(c, err)) < 0)
		return r;
	memset(&v, 0, sizeof(v));
	v.resource = rq->res->name;
	v.file = rq->file;
	if ((r = jl_store_begin(c->store, err)) < 0)
		return r;
	r = jl_view_find(c, rq->res, &v.g, err);
	if (r < 0) {
		jl_store_rollback(c->store);
		return r;
	}
	if (r == 0) {
		r = commit_denied(c, rq->res->name, rq->file, "no active grant",
		    err);
		if (r < 0)
			return r;
		(void)jl_error_set(err, EPERM, "no active grant for %s on %s",
		    c->who->name, rq->res->name);
		return JL_REFUSED;
	}
	if ((r = record_open(c, rq, &v, err)) < 0)
		return r;
	*ret = v;
	return 0;
}

/* Why grant id no longer gives access: "revoked" or "expired". */
static const char *
end_reason(struct jl_ctx *c, int64_t id)
{
	struct jl_grant *g = NULL;
	const char *why = "expired";

	if (jl_store_grant_get(c->store, id, &g, NULL) == 0 &&
	    g->status == JL_ST_REVOKED)
		why = "revoked";
	jl_grant_free(g);
	return why;
}

/* Contract: see view.h. */
int
jl_view_recheck(struct jl_ctx *c, struct jl_view *v, const char **ret_why,
    struct jl_error *err)
{
	struct jl_grant *g = NULL;
	int64_t id = 0, expires = 0;
	int r;

	if ((r = check_ctx(c, err)) < 0)
		return r;
	if (v->g.unredacted) {
		/* A raw view is tied to its own grant. */
		r = jl_store_grant_get(c->store, v->g.grant_id, &g, err);
		if (r < 0 && r != -ENOENT)
			return r;
		r = r == 0 && jl_grant_holds(g, c->now) ? 1 : 0;
		if (r == 1)
			v->g.expires = g->expires_at;
		jl_grant_free(g);
	} else {
		r = jl_store_grant_find_active(c->store, c->who->name,
		    c->who->uid, v->resource, c->now, &id, &expires, err);
		if (r < 0)
			return r;
		if (r == 1) {
			v->g.grant_id = id;
			v->g.expires = expires;
		}
	}
	if (r == 0)
		*ret_why = end_reason(c, v->g.grant_id);
	return r;
}

/* Contract: see view.h. */
int
jl_view_close(struct jl_ctx *c, const struct jl_view *v,
    const struct jl_view_end *e, struct jl_error *err)
{
	struct obj o = { { 0 }, 0 };
	char *detail = NULL;
	int r;

	if ((r = check_ctx(c, err)) < 0)
		return r;
	put_int(&o, "view_id", v->id);
	put_str(&o, "file", v->file);
	put_int(&o, "bytes", e->bytes);
	put_int(&o, "bytes_read", e->bytes_read);
	put_raw(&o, "redactions", e->redactions ? e->redactions : "null");
	put_str(&o, "end", e->end);
	if ((r = obj_end(&o, &detail)) < 0)
		return jl_error_set(err, r, "out of memory");
	if ((r = jl_store_begin(c->store, err)) < 0)
		goto out;
	r = jl_store_view_close(c->store, v->id, c->now, e->bytes,
	    e->redactions, err);
	if (r < 0) {
		jl_store_rollback(c->store);
		goto out;
	}
	r = commit(c, "view_close", v->g.grant_id, v->resource, v->file, 0,
	    e->bytes, detail, err);
	detail = NULL;
out:
	free(detail);
	return r;
}

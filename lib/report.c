/* SPDX-License-Identifier: ISC */
/*
 * The usage report (report.h): one pass over the audit events of the
 * window counts what happened per resource, per user and per (user,
 * resource) pair, and collects the grants the events name; then each
 * named grant is read once to find when its deciding approval fell (the
 * approval latency), whether it was ever used and how its break-glass
 * review stands.  Everything happens in one read snapshot of the store.
 *
 * Definitions (also in jitadm(8)):
 *  - approved: a grant whose deciding approval (the approvals_required-th
 *    distinct approval, in time order) fell in the window; its latency is
 *    that approval's time minus the request's;
 *  - requests: "request" and "extend" events (an extension asks for
 *    more time: many of them are the same sign as many requests);
 *  - repeated: more than rep->repeat requests of one user for one
 *    resource in the window;
 *  - unused: a grant that opened in the window (deciding approval, direct
 *    grant or break-glass), has ended by the end of the window (expired,
 *    or revoked once it had started), and saw no view_open and no
 *    session_open event.  A grant still running is not reported: it may
 *    yet be used.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "jitlog/report.h"
#include "report_int.h"

#define NONE ((size_t)-1)

struct acc {
	struct jl_report *rep;
	int64_t ttl;
	struct jl_report_tab res, users, pairs;
	struct jl_report_ids approve, direct, bg, used;
	struct jl_report_ids lat;
};

/* What an event type adds to the counters. */
enum extra { X_NONE, X_REQUEST, X_APPROVE, X_DIRECT, X_BG, X_USE };

#define CNT(f) offsetof(struct jl_report_counts, f)
static const struct kind {
	const char *event;
	size_t field; /* of the resource's and the user's row */
	size_t given; /* of the actor's row, or NONE */
	enum extra extra;
} kinds[] = {
	{ "request", CNT(requests), NONE, X_REQUEST },
	{ "extend", CNT(requests), NONE, X_REQUEST },
	{ "approve", CNT(approvals), CNT(approvals_given), X_APPROVE },
	{ "deny", CNT(denied), CNT(denials_given), X_NONE },
	{ "grant", CNT(granted), NONE, X_DIRECT },
	{ "break_glass", CNT(break_glass), NONE, X_BG },
	{ "revoke", CNT(revoked), NONE, X_NONE },
	{ "cancel", CNT(cancelled), NONE, X_NONE },
	{ "expire", CNT(expired), NONE, X_NONE },
	{ "lapse", CNT(lapsed), NONE, X_NONE },
	{ "view_open", CNT(views), NONE, X_USE },
	{ "session_open", CNT(sessions), NONE, X_USE },
	{ "view_denied", CNT(refused_views), NONE, X_NONE },
	{ "session_denied", CNT(refused_logins), NONE, X_NONE },
};

static void
bump(struct jl_report_counts *c, size_t field)
{
	int64_t *p = (int64_t *)(void *)((char *)c + field);

	(*p)++;
}

/* Count ev on its resource's and user's rows and the actor's. */
static int
count_event(struct acc *a, const struct kind *k, const struct jl_event *ev)
{
	struct jl_report_ent *e = NULL;
	int r = 0;

	if (ev->resource != NULL &&
	    (r = jl_report_tab_get(&a->res, ev->resource, NULL, &e)) == 0)
		bump(&e->c, k->field);
	if (r == 0 && ev->user != NULL &&
	    (r = jl_report_tab_get(&a->users, ev->user, NULL, &e)) == 0)
		bump(&e->c, k->field);
	if (r == 0 && k->given != NONE && ev->actor != NULL &&
	    (r = jl_report_tab_get(&a->users, ev->actor, NULL, &e)) == 0)
		bump(&e->c, k->given);
	return r;
}

/* One request of (user, resource) at ev->at. */
static int
count_request(struct acc *a, const struct jl_event *ev)
{
	struct jl_report_ent *e = NULL;
	int r;

	if (ev->user == NULL || ev->resource == NULL)
		return 0;
	if ((r = jl_report_tab_get(&a->pairs, ev->user, ev->resource, &e)) < 0)
		return r;
	if (e->n == 0 || ev->at < e->first)
		e->first = ev->at;
	if (e->n == 0 || ev->at > e->last)
		e->last = ev->at;
	e->n++;
	return 0;
}

static int
on_event(const struct jl_event *ev, void *p)
{
	struct acc *a = p;
	const struct kind *k = NULL;
	size_t i;
	int r;

	if (ev->at > a->rep->until)
		return 0;
	a->rep->events++;
	for (i = 0; k == NULL && i < sizeof(kinds) / sizeof(*kinds); i++)
		if (strcmp(kinds[i].event, ev->event) == 0)
			k = &kinds[i];
	if (k == NULL)
		return 0;
	if ((r = count_event(a, k, ev)) < 0)
		return r;
	if (ev->grant_id <= 0 && k->extra != X_REQUEST)
		return 0;
	switch (k->extra) {
	case X_REQUEST:
		return count_request(a, ev);
	case X_APPROVE:
		return jl_report_ids_push(&a->approve, ev->grant_id);
	case X_DIRECT:
		return jl_report_ids_push(&a->direct, ev->grant_id);
	case X_BG:
		return jl_report_ids_push(&a->bg, ev->grant_id);
	case X_USE:
		return jl_report_ids_push(&a->used, ev->grant_id);
	case X_NONE:
		break;
	}
	return 0;
}

/*
 * When the deciding approval of g fell: the approvals_required-th
 * approval in time order.  false when g never got enough approvals.
 */
static bool
deciding_approval(const struct jl_grant *g, int64_t *ret_at)
{
	struct jl_report_ids t = { NULL, 0, 0 };
	bool ok = false;
	size_t i;

	if (g->approvals_required < 1 || g->napprovals < g->approvals_required)
		return false;
	for (i = 0; i < g->napprovals; i++)
		if (jl_report_ids_push(&t, g->approvals[i].at) < 0)
			goto out;
	jl_report_ids_sort(&t, false);
	*ret_at = t.v[g->approvals_required - 1];
	ok = true;
out:
	free(t.v);
	return ok;
}

static int
dup_or_null(const char *s, char **ret)
{
	*ret = NULL;
	if (s != NULL && (*ret = strdup(s)) == NULL)
		return -ENOMEM;
	return 0;
}

static void
rgrant_free(struct jl_report_grant *x)
{
	free(x->user);
	free(x->resource);
	free(x->reason);
	free(x->reviewed_by);
}

/* Append g (opened at opened_at) to the list *v of *n.  0 or -ENOMEM. */
static int
push_grant(const struct acc *a, const struct jl_grant *g, int64_t opened_at,
    struct jl_report_grant **v, size_t *n)
{
	struct jl_report_grant x, *nv;
	int r;

	memset(&x, 0, sizeof(x));
	x.id = g->id;
	x.state = jl_grant_state(g, a->rep->until, a->ttl);
	x.opened_at = opened_at;
	x.starts_at = g->starts_at;
	x.expires_at = g->expires_at;
	x.ended_at = g->ended_at;
	x.duration_s = g->duration_s;
	x.uses = jl_report_ids_count(&a->used, g->id);
	x.reviewed_at = g->reviewed_at;
	if ((r = dup_or_null(g->user, &x.user)) < 0 ||
	    (r = dup_or_null(g->resource, &x.resource)) < 0 ||
	    (r = dup_or_null(g->reason, &x.reason)) < 0 ||
	    (r = dup_or_null(g->reviewed_by, &x.reviewed_by)) < 0)
		goto out;
	if ((nv = reallocarray(*v, *n + 1, sizeof(*nv))) == NULL) {
		r = -ENOMEM;
		goto out;
	}
	*v = nv;
	nv[(*n)++] = x;
	return 0;
out:
	rgrant_free(&x);
	return r;
}

/* g opened at opened_at: report it if it ended unused. */
static int
check_unused(struct acc *a, const struct jl_grant *g, int64_t opened_at)
{
	enum jl_state st = jl_grant_state(g, a->rep->until, a->ttl);

	if (st != JL_EXPIRED &&
	    !(st == JL_REVOKED && g->starts_at > 0 &&
	        g->ended_at >= g->starts_at))
		return 0;
	if (jl_report_ids_count(&a->used, g->id) > 0)
		return 0;
	return push_grant(a, g, opened_at, &a->rep->unused, &a->rep->nunused);
}

/* An approved grant: count it, its latency, and whether it was used. */
static int
on_approved(struct acc *a, const struct jl_grant *g)
{
	struct jl_report_ent *e = NULL;
	int64_t at = 0;
	int r;

	if (!deciding_approval(g, &at) || at < a->rep->since ||
	    at > a->rep->until)
		return 0;
	if ((r = jl_report_tab_get(&a->res, g->resource, NULL, &e)) < 0)
		return r;
	e->c.approved++;
	if ((r = jl_report_tab_get(&a->users, g->user, NULL, &e)) < 0)
		return r;
	e->c.approved++;
	r = jl_report_ids_push(&a->lat,
	    at > g->requested_at ? at - g->requested_at : 0);
	if (r == 0)
		r = check_unused(a, g, at);
	return r;
}

/* Read each grant of ids once and hand it to what. */
static int
each_grant(struct acc *a, struct jl_store *st, struct jl_report_ids *ids,
    enum extra what, struct jl_error *err)
{
	struct jl_grant *g = NULL;
	int64_t opened;
	size_t i;
	int r = 0;

	jl_report_ids_sort(ids, true);
	for (i = 0; r == 0 && i < ids->n; i++) {
		r = jl_store_grant_get(st, ids->v[i], &g, err);
		if (r == -ENOENT) { /* an event about a grant not stored */
			r = 0;
			continue;
		}
		if (r < 0)
			return r;
		opened = g->starts_at != 0 ? g->starts_at : g->requested_at;
		if (what == X_APPROVE)
			r = on_approved(a, g);
		else
			r = check_unused(a, g, opened);
		if (r == 0 && what == X_BG)
			r = push_grant(a, g, opened, &a->rep->break_glass,
			    &a->rep->nbreak_glass);
		jl_grant_free(g);
		g = NULL;
	}
	if (r < 0)
		return jl_error_set(err, r, "out of memory");
	return 0;
}

/* Nearest-rank percentiles of the sorted latencies. */
static void
latency(const struct jl_report_ids *lat, struct jl_report_latency *ret)
{
	size_t n = lat->n;

	ret->count = n;
	ret->p50_s = ret->p95_s = ret->max_s = -1;
	if (n == 0)
		return;
	ret->p50_s = lat->v[(50 * n + 99) / 100 - 1];
	ret->p95_s = lat->v[(95 * n + 99) / 100 - 1];
	ret->max_s = lat->v[n - 1];
}

static int
cmp_row(const void *a, const void *b)
{
	return strcmp(((const struct jl_report_row *)a)->name,
	    ((const struct jl_report_row *)b)->name);
}

/* Move the rows of t into *ret (names handed over), sorted by name. */
static int
take_rows(struct jl_report_tab *t, struct jl_report_row **ret, size_t *ret_n)
{
	struct jl_report_row *v;
	size_t i;

	if (t->n == 0)
		return 0;
	if ((v = calloc(t->n, sizeof(*v))) == NULL)
		return -ENOMEM;
	for (i = 0; i < t->n; i++) {
		v[i].name = t->v[i].k1;
		v[i].c = t->v[i].c;
		t->v[i].k1 = NULL;
	}
	qsort(v, t->n, sizeof(*v), cmp_row);
	*ret = v;
	*ret_n = t->n;
	return 0;
}

static int
cmp_repeat(const void *a, const void *b)
{
	const struct jl_report_repeat *x = a, *y = b;
	int c;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if ((c = strcmp(x->user, y->user)) != 0)
		return c;
	return strcmp(x->resource, y->resource);
}

/* The pairs with more than rep->repeat requests, most first. */
static int
take_repeats(struct jl_report_tab *t, struct jl_report *rep)
{
	struct jl_report_repeat *v;
	size_t i, n = 0;

	for (i = 0; i < t->n; i++)
		if (t->v[i].n > (int64_t)rep->repeat)
			n++;
	if (n == 0)
		return 0;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return -ENOMEM;
	for (i = 0, n = 0; i < t->n; i++) {
		if (t->v[i].n <= (int64_t)rep->repeat)
			continue;
		v[n].user = t->v[i].k1;
		v[n].resource = t->v[i].k2;
		v[n].count = t->v[i].n;
		v[n].first_at = t->v[i].first;
		v[n].last_at = t->v[i].last;
		t->v[i].k1 = t->v[i].k2 = NULL;
		n++;
	}
	qsort(v, n, sizeof(*v), cmp_repeat);
	rep->repeats = v;
	rep->nrepeats = n;
	return 0;
}

static int
cmp_rgrant(const void *a, const void *b)
{
	return jl_report_cmp_i64(&((const struct jl_report_grant *)a)->id,
	    &((const struct jl_report_grant *)b)->id);
}

/* The grants the events named, then the figures.  0 or -errno. */
static int
finish(struct acc *a, struct jl_store *st, struct jl_error *err)
{
	struct jl_report *rep = a->rep;
	int r;

	jl_report_ids_sort(&a->used, false);
	if ((r = each_grant(a, st, &a->approve, X_APPROVE, err)) < 0 ||
	    (r = each_grant(a, st, &a->direct, X_DIRECT, err)) < 0 ||
	    (r = each_grant(a, st, &a->bg, X_BG, err)) < 0)
		return r;
	jl_report_ids_sort(&a->lat, false);
	latency(&a->lat, &rep->latency);
	if (rep->nunused > 0)
		qsort(rep->unused, rep->nunused, sizeof(*rep->unused),
		    cmp_rgrant);
	if ((r = take_rows(&a->res, &rep->resources, &rep->nresources)) < 0 ||
	    (r = take_rows(&a->users, &rep->users, &rep->nusers)) < 0 ||
	    (r = take_repeats(&a->pairs, rep)) < 0)
		return jl_error_set(err, r, "out of memory");
	return 0;
}

/* Contract: see report.h. */
int
jl_report_build(struct jl_store *st, int64_t since, int64_t now,
    int64_t request_ttl, unsigned repeat, struct jl_report **ret,
    struct jl_error *err)
{
	struct acc a;
	int r;

	if (st == NULL || ret == NULL || repeat < 1 || since > now)
		return jl_error_set(err, EINVAL, "invalid report window");
	memset(&a, 0, sizeof(a));
	a.ttl = request_ttl;
	if ((a.rep = calloc(1, sizeof(*a.rep))) == NULL)
		return jl_error_set(err, ENOMEM, "out of memory");
	a.rep->since = since;
	a.rep->until = now;
	a.rep->repeat = repeat;
	if ((r = jl_store_begin_read(st, err)) < 0)
		goto out;
	r = jl_store_audit_foreach(st, since, 0, on_event, &a, err);
	if (r < 0 && err != NULL && err->msg[0] == '\0')
		jl_error_set(err, r, "out of memory");
	if (r == 0)
		r = finish(&a, st, err);
	jl_store_rollback(st);
	if (r == 0) {
		*ret = a.rep;
		a.rep = NULL;
	}
out:
	jl_report_free(a.rep);
	jl_report_tab_free(&a.res);
	jl_report_tab_free(&a.users);
	jl_report_tab_free(&a.pairs);
	free(a.approve.v);
	free(a.direct.v);
	free(a.bg.v);
	free(a.used.v);
	free(a.lat.v);
	return r;
}

/* Contract: see report.h. */
void
jl_report_free(struct jl_report *rep)
{
	size_t i;

	if (rep == NULL)
		return;
	for (i = 0; i < rep->nresources; i++)
		free(rep->resources[i].name);
	for (i = 0; i < rep->nusers; i++)
		free(rep->users[i].name);
	for (i = 0; i < rep->nrepeats; i++) {
		free(rep->repeats[i].user);
		free(rep->repeats[i].resource);
	}
	for (i = 0; i < rep->nunused; i++)
		rgrant_free(&rep->unused[i]);
	for (i = 0; i < rep->nbreak_glass; i++)
		rgrant_free(&rep->break_glass[i]);
	free(rep->resources);
	free(rep->users);
	free(rep->repeats);
	free(rep->unused);
	free(rep->break_glass);
	free(rep);
}

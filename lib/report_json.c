/* SPDX-License-Identifier: ISC */
/*
 * The usage report as one JSON object (report.h, jitadm report --json).
 * Names are JSON strings escaped per RFC 8259 (jl_json_str), times RFC
 * 3339 UTC, durations whole seconds; a figure that does not exist (the
 * latency of no approvals) is null.  Errors are sticky: the first failed
 * append stops the rest and is returned.
 */
#include <errno.h>
#include <stdio.h>

#include "jitlog/report.h"

struct out {
	struct jl_buf *b;
	int r;
};

static void
put(struct out *o, const char *s)
{
	if (o->r == 0)
		o->r = jl_buf_puts(o->b, s);
}

static void
str(struct out *o, const char *s)
{
	if (o->r == 0)
		o->r = jl_json_str(o->b, s);
}

/* "key": (with a comma before it unless first) */
static void
key(struct out *o, const char *k, bool first)
{
	if (!first)
		put(o, ", ");
	str(o, k);
	put(o, ": ");
}

static void
num(struct out *o, const char *k, int64_t v, bool first)
{
	key(o, k, first);
	if (o->r == 0)
		o->r = jl_buf_printf(o->b, "%lld", (long long)v);
}

/* A number, or null when negative. */
static void
num_or_null(struct out *o, const char *k, int64_t v)
{
	if (v >= 0) {
		num(o, k, v, false);
	} else {
		key(o, k, false);
		put(o, "null");
	}
}

static void
stamp(struct out *o, const char *k, int64_t t)
{
	key(o, k, false);
	if (o->r == 0)
		o->r = jl_json_time(o->b, t);
}

static void
counts(struct out *o, const struct jl_report_counts *c, bool user)
{
	put(o, "{");
	num(o, "requests", c->requests, true);
	num(o, "approvals", c->approvals, false);
	num(o, "approved", c->approved, false);
	num(o, "denied", c->denied, false);
	num(o, "granted", c->granted, false);
	num(o, "break_glass", c->break_glass, false);
	num(o, "revoked", c->revoked, false);
	num(o, "cancelled", c->cancelled, false);
	num(o, "expired", c->expired, false);
	num(o, "lapsed", c->lapsed, false);
	num(o, "views", c->views, false);
	num(o, "sessions", c->sessions, false);
	num(o, "refused_views", c->refused_views, false);
	num(o, "refused_logins", c->refused_logins, false);
	if (user) {
		num(o, "approvals_given", c->approvals_given, false);
		num(o, "denials_given", c->denials_given, false);
	}
	put(o, "}");
}

/* {"name": {counts}, ...} */
static void
rows(struct out *o, const struct jl_report_row *v, size_t n, bool user)
{
	size_t i;

	put(o, "{");
	for (i = 0; i < n; i++) {
		key(o, v[i].name, i == 0);
		counts(o, &v[i].c, user);
	}
	put(o, "}");
}

static void
repeats(struct out *o, const struct jl_report *rep)
{
	const struct jl_report_repeat *x;
	size_t i;

	put(o, "[");
	for (i = 0; i < rep->nrepeats; i++) {
		x = &rep->repeats[i];
		put(o, i == 0 ? "{" : ", {");
		key(o, "user", true);
		str(o, x->user);
		key(o, "resource", false);
		str(o, x->resource);
		num(o, "count", x->count, false);
		stamp(o, "first_at", x->first_at);
		stamp(o, "last_at", x->last_at);
		put(o, "}");
	}
	put(o, "]");
}

/* One grant of the unused or break-glass list. */
static void
grant(struct out *o, const struct jl_report_grant *x, bool bg)
{
	put(o, "{");
	num(o, "id", x->id, true);
	key(o, "user", false);
	str(o, x->user);
	key(o, "resource", false);
	str(o, x->resource);
	key(o, "state", false);
	str(o, jl_state_name(x->state));
	stamp(o, "opened_at", x->opened_at);
	stamp(o, "expires_at", x->expires_at);
	stamp(o, "ended_at", x->ended_at);
	num(o, "duration_s", x->duration_s, false);
	if (bg) {
		key(o, "reason", false);
		str(o, x->reason);
		num(o, "uses", x->uses, false);
		key(o, "reviewed", false);
		put(o, x->reviewed_at != 0 ? "true" : "false");
		key(o, "reviewed_by", false);
		str(o, x->reviewed_by);
		stamp(o, "reviewed_at", x->reviewed_at);
	}
	put(o, "}");
}

static void
grants(struct out *o, const struct jl_report_grant *v, size_t n, bool bg)
{
	size_t i;

	put(o, "[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			put(o, ", ");
		grant(o, &v[i], bg);
	}
	put(o, "]");
}

/* {"user": n, ...} of the users with refused views (or logins). */
static void
refused(struct out *o, const struct jl_report *rep, bool logins)
{
	const struct jl_report_counts *c;
	bool first = true;
	int64_t n;
	size_t i;

	put(o, "{");
	for (i = 0; i < rep->nusers; i++) {
		c = &rep->users[i].c;
		n = logins ? c->refused_logins : c->refused_views;
		if (n == 0)
			continue;
		num(o, rep->users[i].name, n, first);
		first = false;
	}
	put(o, "}");
}

/* Contract: see report.h. */
int
jl_report_to_json(const struct jl_report *rep, struct jl_buf *out)
{
	struct out o = { out, 0 };

	if (rep == NULL)
		return -EINVAL;
	put(&o, "{\"window\": {");
	key(&o, "since", true);
	if (o.r == 0)
		o.r = jl_json_time(out, rep->since);
	stamp(&o, "until", rep->until);
	num(&o, "seconds", rep->until - rep->since, false);
	put(&o, "}");
	num(&o, "events", rep->events, false);
	num(&o, "repeat_threshold", (int64_t)rep->repeat, false);
	key(&o, "per_resource", false);
	rows(&o, rep->resources, rep->nresources, false);
	key(&o, "per_user", false);
	rows(&o, rep->users, rep->nusers, true);
	key(&o, "approval_latency", false);
	put(&o, "{");
	num(&o, "count", (int64_t)rep->latency.count, true);
	num_or_null(&o, "p50_s", rep->latency.p50_s);
	num_or_null(&o, "p95_s", rep->latency.p95_s);
	num_or_null(&o, "max_s", rep->latency.max_s);
	put(&o, "}");
	key(&o, "repeated_requests", false);
	repeats(&o, rep);
	key(&o, "unused_grants", false);
	grants(&o, rep->unused, rep->nunused, false);
	key(&o, "break_glass", false);
	grants(&o, rep->break_glass, rep->nbreak_glass, true);
	key(&o, "refused", false);
	put(&o, "{\"views\": ");
	refused(&o, rep, false);
	put(&o, ", \"logins\": ");
	refused(&o, rep, true);
	put(&o, "}}\n");
	return o.r;
}

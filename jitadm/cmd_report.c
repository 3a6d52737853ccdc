/* SPDX-License-Identifier: ISC */
/*
 * jitadm report: the usage patterns auditors watch (lib/report.c) over
 * the last --since DUR (default 30 days), for admins and auditors only
 * (refused, exit 1, for everybody else).  Human output is sections of
 * aligned tables with every name and reason escaped (ja_table_add);
 * --json prints the one object of jl_report_to_json.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "jitadm.h"
#include "jitlog/parse.h"
#include "jitlog/report.h"

/* The window when --since is not given. */
#define REPORT_DEFAULT_SINCE ((int64_t)30 * 86400)
/* Longest break-glass reason shown, in code points. */
#define REPORT_REASON_MAX    40
/* Most rows of a list shown (repeats, unused and break-glass grants);
 * --json has them all. */
#define REPORT_ROWS_MAX      100

static void
num(int64_t v, char *buf, size_t len)
{
	(void)snprintf(buf, len, "%lld", (long long)v);
}

/* A section title, then the table, or "(none)" when it has no rows;
 * then how many of the n rows there were are not shown. */
static int
section(struct jl_buf *b, const char *title, const struct ja_table *t, size_t n)
{
	int r;

	r = jl_buf_printf(b, "\n%s\n", title);
	if (r == 0 && t->nrows > 1)
		r = ja_table_print(t, b);
	else if (r == 0)
		r = jl_buf_puts(b, "(none)\n");
	if (r == 0 && n + 1 > t->nrows)
		r = jl_buf_printf(b,
		    "... and %zu more (--json lists them all)\n",
		    n + 1 - t->nrows);
	return r;
}

/* Has the row anything for the counts table?  (An approver who asked
 * for nothing shows in the table of decisions only.) */
static bool
shown(const struct jl_report_counts *c)
{
	return c->requests != 0 || c->approved != 0 || c->denied != 0 ||
	    c->granted != 0 || c->break_glass != 0 || c->views != 0 ||
	    c->sessions != 0;
}

/* Per resource (user false) or per user (user true). */
static int
counts_table(struct jl_buf *b, const struct jl_report_row *v, size_t n,
    bool user)
{
	static const char *const head[8] = { "NAME", "REQUESTS", "APPROVED",
		"DENIED", "GRANTED", "BREAK-GLASS", "VIEWS", "LOGINS" };
	struct ja_table t = { .ncols = 8 };
	const char *cells[8];
	char c[7][24];
	size_t i, j;
	int r;

	cells[0] = user ? "USER" : "RESOURCE";
	for (j = 1; j < 8; j++)
		cells[j] = head[j];
	r = ja_table_add(&t, cells);
	for (i = 0; r == 0 && i < n; i++) {
		if (!shown(&v[i].c))
			continue;
		num(v[i].c.requests, c[0], sizeof(c[0]));
		num(v[i].c.approved, c[1], sizeof(c[1]));
		num(v[i].c.denied, c[2], sizeof(c[2]));
		num(v[i].c.granted, c[3], sizeof(c[3]));
		num(v[i].c.break_glass, c[4], sizeof(c[4]));
		num(v[i].c.views, c[5], sizeof(c[5]));
		num(v[i].c.sessions, c[6], sizeof(c[6]));
		cells[0] = v[i].name;
		for (j = 1; j < 8; j++)
			cells[j] = c[j - 1];
		r = ja_table_add(&t, cells);
	}
	if (r == 0)
		r = section(b, user ? "Per user (whose grant)" : "Per resource",
		    &t, t.nrows - 1);
	ja_table_free(&t);
	return r;
}

/*
 * Two counts per user, users with both 0 left out: the approvals and
 * denials each approver gave (refused false), or the views and logins
 * refused to each user (refused true).
 */
static int
user_pairs_table(struct jl_buf *b, const struct jl_report *rep, bool refused)
{
	static const char *const head[2][3] = {
		{ "APPROVER", "APPROVALS", "DENIALS" },
		{ "USER", "VIEWS", "LOGINS" },
	};
	struct ja_table t = { .ncols = 3 };
	const struct jl_report_counts *c;
	const char *cells[3];
	char x[2][24];
	int64_t v0, v1;
	size_t i;
	int r;

	r = ja_table_add(&t, head[refused]);
	for (i = 0; r == 0 && i < rep->nusers; i++) {
		c = &rep->users[i].c;
		v0 = refused ? c->refused_views : c->approvals_given;
		v1 = refused ? c->refused_logins : c->denials_given;
		if (v0 == 0 && v1 == 0)
			continue;
		num(v0, x[0], sizeof(x[0]));
		num(v1, x[1], sizeof(x[1]));
		cells[0] = rep->users[i].name;
		cells[1] = x[0];
		cells[2] = x[1];
		r = ja_table_add(&t, cells);
	}
	if (r == 0)
		r = section(b,
		    refused ? "Refused views and logins" :
		              "Decisions per approver",
		    &t, t.nrows - 1);
	ja_table_free(&t);
	return r;
}

static int
latency_line(struct jl_buf *b, const struct jl_report_latency *l)
{
	char p50[32], p95[32], max[32];

	if (l->count == 0)
		return jl_buf_puts(b,
		    "\nApproval latency (request to approval)\n"
		    "(no approvals)\n");
	jl_format_duration(l->p50_s, p50, sizeof(p50));
	jl_format_duration(l->p95_s, p95, sizeof(p95));
	jl_format_duration(l->max_s, max, sizeof(max));
	return jl_buf_printf(b,
	    "\nApproval latency (request to approval)\n"
	    "%zu approved, p50 %s, p95 %s, max %s\n",
	    l->count, p50, p95, max);
}

static int
repeats_table(struct jl_buf *b, const struct jl_report *rep)
{
	static const char *const head[5] = { "USER", "RESOURCE", "REQUESTS",
		"FIRST", "LAST" };
	struct ja_table t = { .ncols = 5 };
	const char *cells[5];
	char n[24], first[32], last[32], title[96];
	size_t i;
	int r;

	r = ja_table_add(&t, head);
	for (i = 0; r == 0 && i < rep->nrepeats && i < REPORT_ROWS_MAX; i++) {
		num(rep->repeats[i].count, n, sizeof(n));
		ja_time(rep->repeats[i].first_at, first, sizeof(first));
		ja_time(rep->repeats[i].last_at, last, sizeof(last));
		cells[0] = rep->repeats[i].user;
		cells[1] = rep->repeats[i].resource;
		cells[2] = n;
		cells[3] = first;
		cells[4] = last;
		r = ja_table_add(&t, cells);
	}
	(void)snprintf(title, sizeof(title),
	    "Repeated requests (more than %u by one user for one resource)",
	    rep->repeat);
	if (r == 0)
		r = section(b, title, &t, rep->nrepeats);
	ja_table_free(&t);
	return r;
}

/* The unused grants (bg false) or the break-glass grants (bg true). */
static int
grants_table(struct jl_buf *b, const struct jl_report_grant *v, size_t n,
    bool bg)
{
	static const char *const head[8] = { "ID", "USER", "RESOURCE", "STATE",
		"OPENED", "ENDED", "REVIEWED", "REASON" };
	struct ja_table t = { .ncols = bg ? 8 : 6,
		.clip = { [7] = REPORT_REASON_MAX } };
	const char *cells[8];
	char id[24], opened[32], ended[32], rev[32];
	size_t i;
	int r;

	r = ja_table_add(&t, head);
	for (i = 0; r == 0 && i < n && i < REPORT_ROWS_MAX; i++) {
		num(v[i].id, id, sizeof(id));
		ja_time(v[i].opened_at, opened, sizeof(opened));
		ja_time(v[i].ended_at != 0 ? v[i].ended_at : v[i].expires_at,
		    ended, sizeof(ended));
		ja_time(v[i].reviewed_at, rev, sizeof(rev));
		cells[0] = id;
		cells[1] = v[i].user;
		cells[2] = v[i].resource;
		cells[3] = jl_state_name(v[i].state);
		cells[4] = opened;
		cells[5] = ended;
		cells[6] = v[i].reviewed_at != 0 ? rev : "open";
		cells[7] = v[i].reason;
		r = ja_table_add(&t, cells);
	}
	if (r == 0)
		r = section(b,
		    bg ? "Break-glass grants" :
		         "Grants approved but never used (no view, no login)",
		    &t, n);
	ja_table_free(&t);
	return r;
}

static int
report_human(const struct jl_report *rep, struct jl_buf *b)
{
	char since[32], until[32], span[32];
	int r;

	ja_time(rep->since, since, sizeof(since));
	ja_time(rep->until, until, sizeof(until));
	jl_format_duration(rep->until - rep->since, span, sizeof(span));
	r = jl_buf_printf(b, "jitlog report %s to %s (%s): %lld events\n",
	    since, until, span, (long long)rep->events);
	r = r ? r : counts_table(b, rep->resources, rep->nresources, false);
	r = r ? r : counts_table(b, rep->users, rep->nusers, true);
	r = r ? r : user_pairs_table(b, rep, false);
	r = r ? r : latency_line(b, &rep->latency);
	r = r ? r : repeats_table(b, rep);
	r = r ? r : grants_table(b, rep->unused, rep->nunused, false);
	r = r ? r : grants_table(b, rep->break_glass, rep->nbreak_glass, true);
	r = r ? r : user_pairs_table(b, rep, true);
	return r;
}

int
ja_cmd_report(struct ja *ja, const struct ja_args *a)
{
	struct jl_error err = { "" };
	struct jl_report *rep = NULL;
	struct jl_buf b = { NULL, 0, 0 };
	int64_t span = REPORT_DEFAULT_SINCE, now = (int64_t)ja->now;
	unsigned repeat = JL_REPORT_REPEAT_DEFAULT;
	int r;

	if ((r = ja_may_audit(ja, "reports")) != JA_OK)
		return r;
	if (a->given & OPT(O_SINCE_DUR))
		span = a->num[O_SINCE_DUR];
	if (a->given & OPT(O_REPEAT))
		repeat = (unsigned)a->num[O_REPEAT];
	r = jl_report_build(ja->store, now - span, now, ja->cfg->request_ttl,
	    repeat, &rep, &err);
	if (r < 0)
		return ja_result(r, &err);
	if (a->given & OPT(O_JSON))
		r = jl_report_to_json(rep, &b);
	else
		r = report_human(rep, &b);
	if (r < 0) {
		ja_err("cannot format the report: %s", strerror(-r));
		r = JA_ERROR;
	} else {
		r = ja_write(&b);
	}
	jl_buf_free(&b);
	jl_report_free(rep);
	return r;
}

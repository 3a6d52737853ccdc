/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the usage report (lib/report.c, lib/report_json.c): a
 * store filled with a known story through the real actions (lib/ops*.c,
 * lib/view.c) and, for what those do not make (break-glass, PAM
 * sessions), grant rows and events written through the store API, all
 * on an injected clock.  Every figure of the report is checked against
 * the story: counts per resource and per user, the approval latency
 * (a request from before the window included), repeated requests and
 * the threshold, grants that ended unused, break-glass grants, refused
 * views and logins, the window's edges, and the JSON text.
 */
#define _GNU_SOURCE /* nftw */
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jitlog/config.h"
#include "jitlog/ops.h"
#include "jitlog/report.h"
#include "jitlog/store.h"
#include "jitlog/view.h"
#include "t.h"

#define T0  ((int64_t)1800000000) /* 2027-01-15T08:00:00Z */
#define DAY ((int64_t)86400)

static const char config_text[] =
    "database = \"/nonexistent/jitlog.db\";\n"
    "admins = [ \"dave\" ];\n"
    "auditors = [ \"erin\" ];\n"
    "request_ttl = \"24h\";\n"
    "resources = (\n"
    "  { name = \"app\"; paths = [ \"/var/log/app.log\" ];\n"
    "    approvers = [ \"bob\", \"carol\" ];\n"
    "    default_duration = \"1h\"; max_duration = \"4h\"; },\n"
    "  { name = \"two\"; paths = [ \"/var/log/two.log\" ];\n"
    "    approvers = [ \"bob\", \"carol\" ];\n"
    "    approvals = 2; default_duration = \"30m\"; max_duration = \"2h\"; }\n"
    ");\n";

static char tmpdir[64];
static struct jl_config *cfg;
static struct jl_ctx ctx;

static char n_alice[] = "alice", n_bob[] = "bob", n_carol[] = "carol",
            n_dave[] = "dave", n_mallory[] = "mallory";
static struct jl_ident alice = { 1001, 1001, n_alice, NULL, 0, NULL };
static struct jl_ident bob = { 1002, 1002, n_bob, NULL, 0, NULL };
static struct jl_ident carol = { 1003, 1003, n_carol, NULL, 0, NULL };
static struct jl_ident dave = { 1004, 1004, n_dave, NULL, 0, NULL };
static struct jl_ident mallory = { 1005, 1005, n_mallory, NULL, 0, NULL };

/* The ids of the story's grants. */
static int64_t id0, id1, id2, id3, id4, id9;

static int
rm_entry(const char *p, const struct stat *sb, int type, struct FTW *f)
{
	(void)sb;
	(void)type;
	(void)f;
	return remove(p);
}

/* Act as who at T0 + dt. */
static void
at(const struct jl_ident *who, int64_t dt)
{
	ctx.who = who;
	ctx.now = T0 + dt;
}

static int64_t
request(const struct jl_ident *who, const char *resource, int64_t dt)
{
	struct jl_request_args a = { 0 };
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;
	int64_t id = 0;

	at(who, dt);
	a.resource = resource;
	a.reason = "debugging INC-1";
	T_ASSERT_INTEQ(jl_op_request(&ctx, &a, &g, &err), 0);
	if (g != NULL)
		id = g->id;
	jl_grant_free(g);
	return id;
}

static void
approve(const struct jl_ident *who, int64_t id, int64_t dt)
{
	struct jl_error err = { "" };

	at(who, dt);
	T_ASSERT_INTEQ(jl_op_approve(&ctx, id, NULL, 0, NULL, &err), 0);
}

/* An event the actions here do not make, written as the store takes it. */
static void
append(const char *event, int64_t dt, int64_t grant_id, const char *user,
    const char *resource)
{
	struct jl_error err = { "" };
	struct jl_event ev;

	jl_event_init(&ev, event, T0 + dt);
	ev.grant_id = grant_id;
	ev.actor = user;
	ev.user = user;
	ev.resource = resource;
	T_ASSERT_INTEQ(jl_store_begin(ctx.store, &err), 0);
	T_ASSERT_INTEQ(jl_store_audit_append(ctx.store, &ev, &err), 0);
	T_ASSERT_INTEQ(jl_store_commit(ctx.store, &err), 0);
}

/* A break-glass grant of user on resource at T0 + dt, for 30 minutes. */
static int64_t
break_glass(const char *user, const char *resource, int64_t dt)
{
	struct jl_error err = { "" };
	struct jl_grant g;
	char reason[] = "prod down, \"pager\" INC-9";

	memset(&g, 0, sizeof(g));
	g.user = (char *)(uintptr_t)user;
	g.uid = 1001;
	g.resource = (char *)(uintptr_t)resource;
	g.status = JL_ST_APPROVED;
	g.reason = reason;
	g.requested_at = g.starts_at = T0 + dt;
	g.duration_s = 1800;
	g.expires_at = g.starts_at + g.duration_s;
	g.approvals_required = 1;
	g.break_glass = true;
	T_ASSERT_INTEQ(jl_store_begin(ctx.store, &err), 0);
	T_ASSERT_INTEQ(jl_store_grant_insert(ctx.store, &g, &err), 0);
	T_ASSERT_INTEQ(jl_store_commit(ctx.store, &err), 0);
	append("break_glass", dt, g.id, user, resource);
	return g.id;
}

/*
 * The story.  One request before the window (approved inside it), then
 * within a day: approvals with latencies 3700 s, 600 s and 3600 s (two
 * approvers), a denial, a direct grant, four requests by mallory, a
 * break-glass, refused views and a refused login.
 */
static void
story(void)
{
	struct jl_error err = { "" };
	struct jl_grant_args ga = { "app", "root", "on call", 0 };

	id0 = request(&alice, "app", -3600);
	approve(&bob, id0, 100);
	append("session_open", 200, id0, "alice", "app");

	id1 = request(&alice, "app", 1000);
	approve(&bob, id1, 1600);
	append("view_open", 1700, id1, "alice", "app");
	at(&alice, 1800);
	T_ASSERT_INTEQ(jl_op_revoke(&ctx, id1, "done", NULL, &err), 0);

	id2 = request(&alice, "two", 2000);
	approve(&bob, id2, 2300);
	approve(&carol, id2, 5600);

	id3 = request(&alice, "app", 6000);
	at(&carol, 6100);
	T_ASSERT_INTEQ(jl_op_deny(&ctx, id3, "use staging", NULL, &err), 0);

	at(&dave, 7000);
	{
		struct jl_grant *g = NULL;

		T_ASSERT_INTEQ(jl_op_grant(&ctx, &ga, &g, &err), 0);
		id4 = g != NULL ? g->id : 0;
		jl_grant_free(g);
	}

	(void)request(&mallory, "app", 8000);
	(void)request(&mallory, "app", 8001);
	(void)request(&mallory, "app", 8002);
	(void)request(&mallory, "app", 8003);

	id9 = break_glass("alice", "app", 9000);

	at(&mallory, 9500);
	T_ASSERT_INTEQ(jl_view_deny(&ctx, "app", "/var/log/app.log",
	                   "no active grant", &err),
	    0);
	T_ASSERT_INTEQ(jl_view_deny(&ctx, "app", "/var/log/app.log",
	                   "no active grant", &err),
	    0);
	append("session_denied", 9600, 0, "alice", NULL);
}

static const struct jl_report_row *
row(const struct jl_report_row *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

static struct jl_report *
build(int64_t since, int64_t now, unsigned repeat)
{
	struct jl_error err = { "" };
	struct jl_report *rep = NULL;
	int r;

	r = jl_report_build(ctx.store, since, now, cfg->request_ttl, repeat,
	    &rep, &err);
	T_ASSERT_INTEQ(r, 0);
	if (r != 0)
		fprintf(stderr, "report: %s\n", err.msg);
	return rep;
}

static void
test_counts(void)
{
	struct jl_report *rep = build(T0, T0 + DAY, 3);
	const struct jl_report_row *x;

	if (rep == NULL)
		return;
	T_ASSERT_INTEQ(rep->events, 20);
	T_ASSERT_INTEQ(rep->nresources, 2);
	x = row(rep->resources, rep->nresources, "app");
	T_ASSERT(x != NULL);
	if (x != NULL) {
		/* id0's request lies before the window. */
		T_ASSERT_INTEQ(x->c.requests, 6);
		T_ASSERT_INTEQ(x->c.approvals, 2);
		T_ASSERT_INTEQ(x->c.approved, 2);
		T_ASSERT_INTEQ(x->c.denied, 1);
		T_ASSERT_INTEQ(x->c.granted, 1);
		T_ASSERT_INTEQ(x->c.break_glass, 1);
		T_ASSERT_INTEQ(x->c.revoked, 1);
		T_ASSERT_INTEQ(x->c.views, 1);
		T_ASSERT_INTEQ(x->c.sessions, 1);
		T_ASSERT_INTEQ(x->c.refused_views, 2);
		T_ASSERT_INTEQ(x->c.refused_logins, 0);
	}
	x = row(rep->resources, rep->nresources, "two");
	T_ASSERT(x != NULL);
	if (x != NULL) {
		T_ASSERT_INTEQ(x->c.requests, 1);
		T_ASSERT_INTEQ(x->c.approvals, 2);
		T_ASSERT_INTEQ(x->c.approved, 1);
	}
	/* Users sorted by name: alice bob carol mallory root (dave only
	 * acted on a grant, which counts for root). */
	T_ASSERT_INTEQ(rep->nusers, 5);
	if (rep->nusers == 5) {
		T_ASSERT_STREQ(rep->users[0].name, "alice");
		T_ASSERT_STREQ(rep->users[4].name, "root");
	}
	x = row(rep->users, rep->nusers, "alice");
	if (x != NULL) {
		T_ASSERT_INTEQ(x->c.requests, 3);
		T_ASSERT_INTEQ(x->c.approvals, 4);
		T_ASSERT_INTEQ(x->c.approved, 3);
		T_ASSERT_INTEQ(x->c.denied, 1);
		T_ASSERT_INTEQ(x->c.break_glass, 1);
		T_ASSERT_INTEQ(x->c.refused_logins, 1);
		T_ASSERT_INTEQ(x->c.approvals_given, 0);
	}
	x = row(rep->users, rep->nusers, "bob");
	if (x != NULL) {
		T_ASSERT_INTEQ(x->c.approvals_given, 3);
		T_ASSERT_INTEQ(x->c.requests, 0);
	}
	x = row(rep->users, rep->nusers, "carol");
	if (x != NULL) {
		T_ASSERT_INTEQ(x->c.approvals_given, 1);
		T_ASSERT_INTEQ(x->c.denials_given, 1);
	}
	x = row(rep->users, rep->nusers, "root");
	if (x != NULL)
		T_ASSERT_INTEQ(x->c.granted, 1);
	x = row(rep->users, rep->nusers, "mallory");
	if (x != NULL) {
		T_ASSERT_INTEQ(x->c.requests, 4);
		T_ASSERT_INTEQ(x->c.refused_views, 2);
	}
	jl_report_free(rep);
}

static void
test_latency(void)
{
	struct jl_report *rep = build(T0, T0 + DAY, 3);

	if (rep == NULL)
		return;
	/* 600, 3600, 3700: nearest rank. */
	T_ASSERT_INTEQ(rep->latency.count, 3);
	T_ASSERT_INTEQ(rep->latency.p50_s, 3600);
	T_ASSERT_INTEQ(rep->latency.p95_s, 3700);
	T_ASSERT_INTEQ(rep->latency.max_s, 3700);
	jl_report_free(rep);
	/* A window after the approvals: none, and no figure. */
	rep = build(T0 + 6000, T0 + DAY, 3);
	if (rep == NULL)
		return;
	T_ASSERT_INTEQ(rep->latency.count, 0);
	T_ASSERT_INTEQ(rep->latency.p50_s, -1);
	T_ASSERT_INTEQ(rep->events, 11);
	jl_report_free(rep);
}

static void
test_repeats(void)
{
	struct jl_report *rep = build(T0, T0 + DAY, 3);

	if (rep == NULL)
		return;
	T_ASSERT_INTEQ(rep->nrepeats, 1);
	if (rep->nrepeats == 1) {
		T_ASSERT_STREQ(rep->repeats[0].user, "mallory");
		T_ASSERT_STREQ(rep->repeats[0].resource, "app");
		T_ASSERT_INTEQ(rep->repeats[0].count, 4);
		T_ASSERT_INTEQ(rep->repeats[0].first_at, T0 + 8000);
		T_ASSERT_INTEQ(rep->repeats[0].last_at, T0 + 8003);
	}
	jl_report_free(rep);
	/* "More than N": four requests are not more than four. */
	rep = build(T0, T0 + DAY, 4);
	if (rep != NULL)
		T_ASSERT_INTEQ(rep->nrepeats, 0);
	jl_report_free(rep);
	/* alice asked twice for app (id1, id3): flagged above one. */
	rep = build(T0, T0 + DAY, 1);
	if (rep != NULL) {
		T_ASSERT_INTEQ(rep->nrepeats, 2);
		if (rep->nrepeats == 2) {
			T_ASSERT_STREQ(rep->repeats[1].user, "alice");
			T_ASSERT_INTEQ(rep->repeats[1].count, 2);
		}
	}
	jl_report_free(rep);
}

static void
test_unused_and_break_glass(void)
{
	struct jl_report *rep = build(T0, T0 + DAY, 3);

	if (rep == NULL)
		return;
	/* id0 had a login, id1 a view; id2, id4 and id9 ended unused. */
	T_ASSERT_INTEQ(rep->nunused, 3);
	if (rep->nunused == 3) {
		T_ASSERT_INTEQ(rep->unused[0].id, id2);
		T_ASSERT_INTEQ(rep->unused[0].opened_at, T0 + 5600);
		T_ASSERT_INTEQ(rep->unused[0].state, JL_EXPIRED);
		T_ASSERT_INTEQ(rep->unused[1].id, id4);
		T_ASSERT_STREQ(rep->unused[1].user, "root");
		T_ASSERT_INTEQ(rep->unused[2].id, id9);
	}
	T_ASSERT_INTEQ(rep->nbreak_glass, 1);
	if (rep->nbreak_glass == 1) {
		T_ASSERT_INTEQ(rep->break_glass[0].id, id9);
		T_ASSERT_STREQ(rep->break_glass[0].user, "alice");
		T_ASSERT_INTEQ(rep->break_glass[0].reviewed_at, 0);
		T_ASSERT_INTEQ(rep->break_glass[0].uses, 0);
	}
	jl_report_free(rep);
	/* While they run, grants are not called unused: at T0 + 7500 the
	 * direct grant (until T0 + 10600) holds, id2 has expired (7400). */
	rep = build(T0, T0 + 7500, 3);
	if (rep != NULL) {
		T_ASSERT_INTEQ(rep->nunused, 1);
		if (rep->nunused == 1)
			T_ASSERT_INTEQ(rep->unused[0].id, id2);
	}
	jl_report_free(rep);
}

static void
test_json(void)
{
	struct jl_report *rep = build(T0, T0 + DAY, 3);
	struct jl_buf b = { NULL, 0, 0 };

	if (rep == NULL)
		return;
	T_ASSERT_INTEQ(jl_report_to_json(rep, &b), 0);
	if (b.data != NULL) {
		T_ASSERT(
		    strstr(b.data,
		        "{\"window\": {\"since\": \"2027-01-15T08:00:00Z\", "
		        "\"until\": \"2027-01-16T08:00:00Z\", "
		        "\"seconds\": 86400}, \"events\": 20, "
		        "\"repeat_threshold\": 3, ") == b.data);
		T_ASSERT(strstr(b.data,
		             "\"approval_latency\": {\"count\": 3, "
		             "\"p50_s\": 3600, \"p95_s\": 3700, "
		             "\"max_s\": 3700}") != NULL);
		T_ASSERT(strstr(b.data,
		             "\"repeated_requests\": [{\"user\": \"mallory\", "
		             "\"resource\": \"app\", \"count\": 4, ") != NULL);
		T_ASSERT(strstr(b.data,
		             "\"refused\": {\"views\": {\"mallory\": 2}, "
		             "\"logins\": {\"alice\": 1}}}\n") != NULL);
		T_ASSERT(
		    strstr(b.data,
		        "\"reason\": \"prod down, \\\"pager\\\" INC-9\"") !=
		    NULL);
		T_ASSERT(strstr(b.data, "\"reviewed\": false") != NULL);
		T_ASSERT(strstr(b.data,
		             "\"two\": {\"requests\": 1, \"approvals\": 2, "
		             "\"approved\": 1, ") != NULL);
	}
	jl_buf_free(&b);
	jl_report_free(rep);
	/* An empty window: empty objects and arrays, null latencies. */
	rep = build(T0 + 2 * DAY, T0 + 3 * DAY, 3);
	if (rep == NULL)
		return;
	T_ASSERT_INTEQ(jl_report_to_json(rep, &b), 0);
	if (b.data != NULL)
		T_ASSERT(
		    strstr(b.data,
		        "\"events\": 0, \"repeat_threshold\": 3, "
		        "\"per_resource\": {}, \"per_user\": {}, "
		        "\"approval_latency\": {\"count\": 0, \"p50_s\": "
		        "null, \"p95_s\": null, \"max_s\": null}, "
		        "\"repeated_requests\": [], \"unused_grants\": [], "
		        "\"break_glass\": [], \"refused\": {\"views\": {}, "
		        "\"logins\": {}}}\n") != NULL);
	jl_buf_free(&b);
	jl_report_free(rep);
}

static void
test_refusals(void)
{
	struct jl_error err = { "" };
	struct jl_report *rep = NULL;

	T_ASSERT_INTEQ(jl_report_build(ctx.store, T0, T0 + DAY,
	                   cfg->request_ttl, 0, &rep, &err),
	    -EINVAL);
	T_ASSERT_INTEQ(jl_report_build(ctx.store, T0 + DAY, T0,
	                   cfg->request_ttl, 3, &rep, &err),
	    -EINVAL);
	T_ASSERT(rep == NULL);
	jl_report_free(NULL);
	/* The report leaves no transaction open behind it. */
	rep = build(T0, T0 + DAY, 3);
	jl_report_free(rep);
	T_ASSERT_INTEQ(jl_store_begin(ctx.store, &err), 0);
	jl_store_rollback(ctx.store);
}

int
main(void)
{
	struct jl_store_opts o;
	struct jl_error err = { "" };
	char path[128];
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/jl-test-report-XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	if (jl_config_parse(config_text, "test.conf", &cfg, &err) != 0) {
		fprintf(stderr, "config: %s\n", err.msg);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/report.db", tmpdir);
	jl_store_opts_default(&o);
	o.owner = (uid_t)-1; /* skip the owner checks: not root */
	if (jl_store_init(path, (gid_t)-1, &err) < 0 ||
	    jl_store_open(path, &o, &ctx.store, &err) < 0) {
		fprintf(stderr, "store: %s\n", err.msg);
		return 1;
	}
	ctx.cfg = cfg;
	ctx.prog = "test_report";
	ctx.no_journal = true;
	story();
	T_RUN(test_counts);
	T_RUN(test_latency);
	T_RUN(test_repeats);
	T_RUN(test_unused_and_break_glass);
	T_RUN(test_json);
	T_RUN(test_refusals);
	jl_store_close(ctx.store);
	jl_config_free(cfg);
	rc = T_DONE();
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}

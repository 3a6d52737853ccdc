/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the grant lifecycle actions (lib/ops.c, lib/ops_decide.c)
 * against a real store in a private temporary directory, a config parsed
 * from text and hand-made identities (user principals only, so no NSS
 * is needed; "root" is the one real user looked up), with an injected
 * clock.  Covers the happy paths, self-approval (root included), the
 * duration, ticket, start and lapse rules, N-of-M approvals, that every
 * refusal writes nothing, and a race of 20 processes deciding one grant.
 */
#define _GNU_SOURCE /* nftw */
#include "t.h"
#include "ops_fixture.h"

#define NRACERS 20

static const char config_text[] =
    "database = \"/nonexistent/jitlog.db\";\n"
    "admins = [ \"dave\" ];\n"
    "auditors = [ \"erin\" ];\n"
    "request_ttl = \"1h\";\n"
    "resources = (\n"
    "  { name = \"app\"; paths = [ \"/var/log/app.log\" ];\n"
    "    requesters = [ \"alice\", \"bob\", \"root\" ];\n"
    "    approvers = [ \"bob\", \"carol\", \"root\" ];\n"
    "    default_duration = \"1h\"; max_duration = \"4h\"; },\n"
    "  { name = \"two\"; paths = [ \"/var/log/two.log\" ];\n"
    "    requesters = [ \"alice\" ]; approvers = [ \"bob\", \"carol\" ];\n"
    "    approvals = 2; default_duration = \"30m\"; max_duration = \"2h\"; },\n"
    "  { name = \"tick\"; paths = [ \"/var/log/tick.log\" ];\n"
    "    approvers = [ \"bob\" ]; ticket_pattern = \"^[A-Z]+-[0-9]+$\";\n"
    "    allow_unredacted = true; }\n"
    ");\n";

static void
test_request_approve(void)
{
	struct jl_ctx c;
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;
	struct fx_event ev;
	int64_t id;

	fx_store(&c, &bob);
	id = fx_request(&c, &alice, "app", 0);
	T_ASSERT(id > 0);
	T_ASSERT_INTEQ(fx_nevents(c.store), 1);
	ev = fx_last(c.store, 0);
	T_ASSERT_STREQ(ev.event, "request");
	T_ASSERT_STREQ(ev.actor, "alice");
	T_ASSERT_STREQ(ev.user, "alice");
	T_ASSERT(strstr(ev.detail, "\"duration_s\":3600") != NULL);
	T_ASSERT(strstr(ev.detail, "\"reason\":\"debugging INC-1\"") != NULL);
	T_ASSERT_INTEQ(fx_state(&c, id), JL_PENDING);

	/* The clock starts at approval, not at the request. */
	c.now = T0 + 600;
	T_ASSERT_INTEQ(jl_op_approve(&c, id, "go ahead", 0, &g, &err), 0);
	if (g != NULL) {
		T_ASSERT_INTEQ(g->status, JL_ST_APPROVED);
		T_ASSERT_INTEQ(g->starts_at, T0 + 600);
		T_ASSERT_INTEQ(g->expires_at, T0 + 600 + 3600);
		T_ASSERT_INTEQ(g->napprovals, 1);
	}
	jl_grant_free(g);
	T_ASSERT_INTEQ(fx_state(&c, id), JL_ACTIVE);
	T_ASSERT_INTEQ(fx_nevents(c.store), 2);
	ev = fx_last(c.store, 0);
	T_ASSERT_STREQ(ev.event, "approve");
	T_ASSERT_STREQ(ev.actor, "bob");
	T_ASSERT_STREQ(ev.user, "alice");
	T_ASSERT(strstr(ev.detail, "\"comment\":\"go ahead\"") != NULL);
	T_ASSERT(strstr(ev.detail, "\"expires_at\":") != NULL);

	/* Approving again: the grant is no longer pending; nothing written. */
	c.who = &carol;
	T_ASSERT_INTEQ(jl_op_approve(&c, id, NULL, 0, NULL, &err), JL_REFUSED);
	T_ASSERT(strstr(err.msg, "active") != NULL);
	T_ASSERT_INTEQ(fx_nevents(c.store), 2);
	/* No such grant. */
	T_ASSERT_INTEQ(jl_op_approve(&c, 9999, NULL, 0, NULL, &err),
	    JL_REFUSED);
	T_ASSERT(strstr(err.msg, "no such grant") != NULL);
	jl_store_close(c.store);
}

static void
test_self_approval(void)
{
	struct jl_ctx c;
	struct jl_error err = { "" };
	int64_t id, rid;

	fx_store(&c, &bob);
	id = fx_request(&c, &bob, "app", 0);
	T_ASSERT_INTEQ(jl_op_approve(&c, id, NULL, 0, NULL, &err), JL_REFUSED);
	T_ASSERT(strstr(err.msg, "own") != NULL);
	T_ASSERT_INTEQ(jl_op_deny(&c, id, "no", NULL, &err), JL_REFUSED);
	/* Root is an approver of app, and still not of its own request. */
	rid = fx_request(&c, &root, "app", 0);
	c.who = &root;
	T_ASSERT_INTEQ(jl_op_approve(&c, rid, NULL, 0, NULL, &err), JL_REFUSED);
	T_ASSERT_INTEQ(fx_nevents(c.store), 2);
	T_ASSERT_INTEQ(fx_state(&c, id), JL_PENDING);
	T_ASSERT_INTEQ(fx_state(&c, rid), JL_PENDING);
	/* ... but it approves bob's, and bob approves root's. */
	T_ASSERT_INTEQ(jl_op_approve(&c, id, NULL, 0, NULL, &err), 0);
	c.who = &bob;
	T_ASSERT_INTEQ(jl_op_approve(&c, rid, NULL, 0, NULL, &err), 0);
	/* Non-approvers and admins who are not approvers cannot. */
	id = fx_request(&c, &alice, "app", 0);
	c.who = &mallory;
	T_ASSERT_INTEQ(jl_op_approve(&c, id, NULL, 0, NULL, &err), JL_REFUSED);
	c.who = &dave;
	T_ASSERT_INTEQ(jl_op_approve(&c, id, NULL, 0, NULL, &err), JL_REFUSED);
	T_ASSERT_INTEQ(fx_nevents(c.store), 5);
	jl_store_close(c.store);
}

/*
 * A grant the caller may not see answers as an unknown one, whatever its
 * state: no "is active", "not permitted" or "not a break-glass grant"
 * that tells mallory it exists.
 */
static void
test_unseen(void)
{
	struct jl_ctx c;
	struct jl_error err = { "" };
	char unknown[sizeof(err.msg)];
	int64_t pending, active, i;
	int64_t ids[2];

	fx_store(&c, &bob);
	pending = fx_request(&c, &alice, "app", 0);
	active = fx_request(&c, &alice, "app", 0);
	T_ASSERT_INTEQ(jl_op_approve(&c, active, NULL, 0, NULL, &err), 0);
	ids[0] = pending;
	ids[1] = active;
	c.who = &mallory;
	for (i = 0; i < 2; i++) {
		T_ASSERT_INTEQ(jl_op_approve(&c, ids[i], NULL, 0, NULL, &err),
		    JL_REFUSED);
		(void)snprintf(unknown, sizeof(unknown), "no such grant: %lld",
		    (long long)ids[i]);
		T_ASSERT_STREQ(err.msg, unknown);
		T_ASSERT_INTEQ(jl_op_deny(&c, ids[i], "no", NULL, &err),
		    JL_REFUSED);
		T_ASSERT_STREQ(err.msg, unknown);
		T_ASSERT_INTEQ(jl_op_revoke(&c, ids[i], NULL, NULL, &err),
		    JL_REFUSED);
		T_ASSERT_STREQ(err.msg, unknown);
		T_ASSERT_INTEQ(jl_op_review(&c, ids[i], NULL, NULL, &err),
		    JL_REFUSED);
		T_ASSERT_STREQ(err.msg, unknown);
	}
	/* Those who may see it still hear why: the auditor sees all. */
	c.who = &erin;
	T_ASSERT_INTEQ(jl_op_approve(&c, active, NULL, 0, NULL, &err),
	    JL_REFUSED);
	T_ASSERT(strstr(err.msg, "is active") != NULL);
	T_ASSERT_INTEQ(fx_nevents(c.store), 3);
	T_ASSERT_INTEQ(fx_state(&c, pending), JL_PENDING);
	T_ASSERT_INTEQ(fx_state(&c, active), JL_ACTIVE);
	jl_store_close(c.store);
}

static void
test_durations(void)
{
	struct jl_ctx c;
	struct jl_request_args a = { 0 };
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;
	int64_t id;

	fx_store(&c, &alice);
	a.resource = "app";
	a.reason = "too long";
	a.duration = 5 * 3600;
	T_ASSERT_INTEQ(jl_op_request(&c, &a, NULL, &err), JL_REFUSED);
	T_ASSERT_STREQ(err.msg, "duration exceeds max_duration 4h");
	T_ASSERT_INTEQ(fx_nevents(c.store), 0);

	id = fx_request(&c, &alice, "app", 2 * 3600);
	c.who = &bob;
	/* Approvers may not lengthen, even within max_duration. */
	T_ASSERT_INTEQ(jl_op_approve(&c, id, NULL, 3 * 3600, NULL, &err),
	    JL_REFUSED);
	T_ASSERT_INTEQ(fx_state(&c, id), JL_PENDING);
	T_ASSERT_INTEQ(fx_nevents(c.store), 1);
	/* They may shorten. */
	T_ASSERT_INTEQ(jl_op_approve(&c, id, NULL, 1800, &g, &err), 0);
	if (g != NULL) {
		T_ASSERT_INTEQ(g->duration_s, 1800);
		T_ASSERT_INTEQ(g->expires_at - g->starts_at, 1800);
	}
	jl_grant_free(g);
	jl_store_close(c.store);
}

static void
test_two_approvals(void)
{
	struct jl_ctx c;
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;
	int64_t id;

	fx_store(&c, &bob);
	id = fx_request(&c, &alice, "two", 0);
	T_ASSERT_INTEQ(jl_op_approve(&c, id, "one", 0, &g, &err), 0);
	if (g != NULL) {
		T_ASSERT_INTEQ(g->status, JL_ST_PENDING);
		T_ASSERT_INTEQ(g->napprovals, 1);
		T_ASSERT_INTEQ(g->approvals_required, 2);
	}
	jl_grant_free(g);
	g = NULL;
	/* The same approver twice does not make two. */
	T_ASSERT_INTEQ(jl_op_approve(&c, id, "again", 0, NULL, &err),
	    JL_REFUSED);
	T_ASSERT_INTEQ(fx_state(&c, id), JL_PENDING);
	T_ASSERT_INTEQ(fx_nevents(c.store), 2);
	c.who = &carol;
	c.now = T0 + 60;
	T_ASSERT_INTEQ(jl_op_approve(&c, id, "two", 0, &g, &err), 0);
	if (g != NULL) {
		T_ASSERT_INTEQ(g->status, JL_ST_APPROVED);
		T_ASSERT_INTEQ(g->napprovals, 2);
		T_ASSERT_INTEQ(g->starts_at, T0 + 60);
		T_ASSERT_INTEQ(g->expires_at, T0 + 60 + 1800);
	}
	jl_grant_free(g);
	T_ASSERT_INTEQ(fx_nevents(c.store), 3);
	jl_store_close(c.store);
}

static void
test_deny(void)
{
	struct jl_ctx c;
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;
	int64_t id;

	fx_store(&c, &mallory);
	id = fx_request(&c, &alice, "app", 0);
	T_ASSERT_INTEQ(jl_op_deny(&c, id, "no", NULL, &err), JL_REFUSED);
	c.who = &bob;
	T_ASSERT(jl_op_deny(&c, id, NULL, NULL, &err) < 0);
	T_ASSERT_INTEQ(fx_nevents(c.store), 1);
	T_ASSERT_INTEQ(jl_op_deny(&c, id, "not during the freeze", &g, &err),
	    0);
	if (g != NULL) {
		T_ASSERT_INTEQ(g->status, JL_ST_DENIED);
		T_ASSERT_STREQ(g->ended_by, "bob");
		T_ASSERT_STREQ(g->end_comment, "not during the freeze");
	}
	jl_grant_free(g);
	T_ASSERT_STREQ(fx_last(c.store, 0).event, "deny");
	c.who = &carol;
	T_ASSERT_INTEQ(jl_op_approve(&c, id, NULL, 0, NULL, &err), JL_REFUSED);
	T_ASSERT_STREQ(err.msg, "grant 1 is denied");
	T_ASSERT_INTEQ(fx_state(&c, id), JL_DENIED);
	T_ASSERT_INTEQ(fx_nevents(c.store), 2);
	jl_store_close(c.store);
}

static void
test_revoke(void)
{
	struct jl_ctx c;
	struct jl_error err = { "" };
	int64_t p, a;

	fx_store(&c, &alice);
	p = fx_request(&c, &alice, "app", 0);
	a = fx_request(&c, &alice, "app", 0);
	c.who = &bob;
	T_ASSERT_INTEQ(jl_op_approve(&c, a, NULL, 0, NULL, &err), 0);
	/* Outsiders may not; the user cancels a pending request. */
	c.who = &mallory;
	T_ASSERT_INTEQ(jl_op_revoke(&c, p, NULL, NULL, &err), JL_REFUSED);
	T_ASSERT_INTEQ(jl_op_revoke(&c, a, NULL, NULL, &err), JL_REFUSED);
	T_ASSERT_INTEQ(fx_nevents(c.store), 3);
	c.who = &alice;
	T_ASSERT_INTEQ(jl_op_revoke(&c, p, "never mind", NULL, &err), 0);
	T_ASSERT_INTEQ(fx_state(&c, p), JL_CANCELLED);
	T_ASSERT_STREQ(fx_last(c.store, 0).event, "cancel");
	/* An approver revokes an active grant; twice is refused. */
	c.who = &carol;
	T_ASSERT_INTEQ(jl_op_revoke(&c, a, "enough", NULL, &err), 0);
	T_ASSERT_INTEQ(fx_state(&c, a), JL_REVOKED);
	T_ASSERT_STREQ(fx_last(c.store, 0).event, "revoke");
	T_ASSERT_INTEQ(jl_op_revoke(&c, a, NULL, NULL, &err), JL_REFUSED);
	T_ASSERT_STREQ(err.msg, "grant 2 is revoked");
	/* An expired grant cannot be revoked either. */
	a = fx_request(&c, &alice, "app", 0);
	c.who = &bob;
	T_ASSERT_INTEQ(jl_op_approve(&c, a, NULL, 0, NULL, &err), 0);
	c.now += 3600;
	T_ASSERT_INTEQ(jl_op_revoke(&c, a, NULL, NULL, &err), JL_REFUSED);
	T_ASSERT_INTEQ(fx_nevents(c.store), 7);
	jl_store_close(c.store);
}

static void
test_grant(void)
{
	struct jl_ctx c;
	struct jl_grant_args a = { "app", "root", "incident INC-2", 900 };
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;

	fx_store(&c, &bob);
	T_ASSERT_INTEQ(jl_op_grant(&c, &a, NULL, &err), JL_REFUSED);
	T_ASSERT_INTEQ(fx_nevents(c.store), 0);
	c.who = &dave;
	T_ASSERT_INTEQ(jl_op_grant(&c, &a, &g, &err), 0);
	if (g != NULL) {
		T_ASSERT_INTEQ(g->status, JL_ST_APPROVED);
		T_ASSERT_STREQ(g->user, "root");
		T_ASSERT_INTEQ(g->uid, 0);
		T_ASSERT_INTEQ(g->starts_at, T0);
		T_ASSERT_INTEQ(g->expires_at, T0 + 900);
		T_ASSERT_INTEQ(g->napprovals, 1);
		if (g->napprovals == 1)
			T_ASSERT_STREQ(g->approvals[0].by, "dave");
		T_ASSERT(jl_grant_holds(g, T0 + 1));
	}
	jl_grant_free(g);
	T_ASSERT_STREQ(fx_last(c.store, 0).event, "grant");
	/* Root is admin, but not to itself; too long; unknown user. */
	c.who = &root;
	T_ASSERT_INTEQ(jl_op_grant(&c, &a, NULL, &err), JL_REFUSED);
	T_ASSERT(strstr(err.msg, "yourself") != NULL);
	c.who = &dave;
	a.duration = 5 * 3600;
	T_ASSERT_INTEQ(jl_op_grant(&c, &a, NULL, &err), JL_REFUSED);
	a.duration = 0;
	a.user = "jl-no-such-user";
	T_ASSERT_INTEQ(jl_op_grant(&c, &a, NULL, &err), JL_REFUSED);
	a.user = "root";
	a.resource = "nope";
	T_ASSERT_INTEQ(jl_op_grant(&c, &a, NULL, &err), JL_REFUSED);
	T_ASSERT_INTEQ(fx_nevents(c.store), 1);
	jl_store_close(c.store);
}

static void
test_request_rules(void)
{
	struct jl_ctx c;
	struct jl_request_args a = { 0 };
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;

	fx_store(&c, &alice);
	a.reason = "rules";
	a.resource = "nope";
	T_ASSERT_INTEQ(jl_op_request(&c, &a, NULL, &err), JL_REFUSED);
	a.resource = "two";
	c.who = &mallory;
	T_ASSERT_INTEQ(jl_op_request(&c, &a, NULL, &err), JL_REFUSED);
	c.who = &alice;
	/* Tickets: required by ticket_pattern, and must match it. */
	a.resource = "tick";
	T_ASSERT_INTEQ(jl_op_request(&c, &a, NULL, &err), JL_REFUSED);
	T_ASSERT(strstr(err.msg, "ticket") != NULL);
	a.ticket = "abc-1";
	T_ASSERT_INTEQ(jl_op_request(&c, &a, NULL, &err), JL_REFUSED);
	a.ticket = "XABC-12 and more";
	T_ASSERT_INTEQ(jl_op_request(&c, &a, NULL, &err), JL_REFUSED);
	/* Unredacted only where allowed. */
	a.resource = "app";
	a.ticket = NULL;
	a.unredacted = true;
	T_ASSERT_INTEQ(jl_op_request(&c, &a, NULL, &err), JL_REFUSED);
	/* Start: not in the past (60 s slack), not beyond request_ttl. */
	a.unredacted = false;
	a.start = T0 - 120;
	T_ASSERT_INTEQ(jl_op_request(&c, &a, NULL, &err), JL_REFUSED);
	a.start = T0 + 2 * 3600;
	T_ASSERT_INTEQ(jl_op_request(&c, &a, NULL, &err), JL_REFUSED);
	T_ASSERT_INTEQ(fx_nevents(c.store), 0);

	a.start = T0 - 30;
	T_ASSERT_INTEQ(jl_op_request(&c, &a, &g, &err), 0);
	if (g != NULL)
		T_ASSERT_INTEQ(g->start_req, 0);
	jl_grant_free(g);
	g = NULL;
	a.resource = "tick";
	a.ticket = "ABC-12";
	a.unredacted = true;
	a.start = T0 + 600;
	T_ASSERT_INTEQ(jl_op_request(&c, &a, &g, &err), 0);
	if (g != NULL) {
		T_ASSERT_INTEQ(g->start_req, T0 + 600);
		T_ASSERT(g->unredacted);
		/* Approved before the start: scheduled, then active. */
		c.who = &bob;
		c.now = T0 + 60;
		T_ASSERT_INTEQ(jl_op_approve(&c, g->id, NULL, 0, NULL, &err),
		    0);
		T_ASSERT_INTEQ(fx_state(&c, g->id), JL_SCHEDULED);
		c.now = T0 + 600;
		T_ASSERT_INTEQ(fx_state(&c, g->id), JL_ACTIVE);
	}
	jl_grant_free(g);
	T_ASSERT_INTEQ(fx_nevents(c.store), 3);
	jl_store_close(c.store);
}

static void
test_lapse(void)
{
	struct jl_ctx c;
	struct jl_error err = { "" };
	int64_t id;

	fx_store(&c, &bob);
	id = fx_request(&c, &alice, "app", 0);
	c.now = T0 + 3600;
	T_ASSERT_INTEQ(jl_op_approve(&c, id, NULL, 0, NULL, &err), JL_REFUSED);
	T_ASSERT(strstr(err.msg, "lapsed") != NULL);
	T_ASSERT_INTEQ(jl_op_deny(&c, id, "late", NULL, &err), JL_REFUSED);
	c.who = &alice;
	T_ASSERT_INTEQ(jl_op_revoke(&c, id, NULL, NULL, &err), JL_REFUSED);
	T_ASSERT_INTEQ(fx_nevents(c.store), 1);
	jl_store_close(c.store);
}

/* One racer: wait for the start signal, then approve or deny grant *arg. */
static void
racer(int n, int start_fd, void *arg)
{
	struct jl_ctx c;
	struct jl_error err = { "" };
	int64_t id = *(const int64_t *)arg;
	char b;
	int r;

	memset(&c, 0, sizeof(c));
	c.cfg = fx_cfg;
	c.who = n % 2 ? &bob : &carol;
	c.now = T0 + 1;
	c.prog = "test";
	c.no_journal = true;
	if ((c.store = fx_open(fx_ndb)) == NULL)
		_exit(3);
	if (read(start_fd, &b, 1) != 0)
		_exit(4);
	if (n % 3 == 0)
		r = jl_op_deny(&c, id, "racing", NULL, &err);
	else
		r = jl_op_approve(&c, id, "racing", 0, NULL, &err);
	jl_store_close(c.store);
	if (r < 0)
		fprintf(stderr, "racer %d: %s\n", n, err.msg);
	_exit(r == 0 ? 0 : r == JL_REFUSED ? 1 : 3);
}

static void
test_race(void)
{
	struct jl_ctx c;
	struct jl_grant *g;
	struct fx_tally t;
	int64_t id;

	fx_store(&c, &alice);
	id = fx_request(&c, &alice, "app", 0);
	t = fx_race(NRACERS, racer, &id);
	T_ASSERT_INTEQ(t.done, 1);
	T_ASSERT_INTEQ(t.refused, NRACERS - 1);
	T_ASSERT_INTEQ(t.other, 0);
	/* Exactly one decision in the store, and the chain holds. */
	T_ASSERT_INTEQ(fx_nevents(c.store), 2);
	g = fx_get(c.store, id);
	if (g != NULL) {
		T_ASSERT(
		    g->status == JL_ST_APPROVED || g->status == JL_ST_DENIED);
		T_ASSERT_INTEQ(g->napprovals,
		    g->status == JL_ST_APPROVED ? 1 : 0);
	}
	jl_grant_free(g);
	jl_store_close(c.store);
}

int
main(void)
{
	fx_setup(config_text);
	T_RUN(test_request_approve);
	T_RUN(test_self_approval);
	T_RUN(test_unseen);
	T_RUN(test_durations);
	T_RUN(test_two_approvals);
	T_RUN(test_deny);
	T_RUN(test_revoke);
	T_RUN(test_grant);
	T_RUN(test_request_rules);
	T_RUN(test_lapse);
	T_RUN(test_race);
	fx_teardown();
	return T_DONE();
}

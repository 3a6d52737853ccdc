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
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jitlog/config.h"
#include "jitlog/ops.h"
#include "jitlog/store.h"
#include "t.h"

#define T0      ((int64_t)1800000000) /* 2027-01-15T08:00:00Z */
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

static char tmpdir[64];
static int ndb;
static struct jl_config *cfg;

static char n_alice[] = "alice", n_bob[] = "bob", n_carol[] = "carol",
            n_dave[] = "dave", n_mallory[] = "mallory", n_root[] = "root";
static struct jl_ident alice = { 1001, 1001, n_alice, NULL, 0 };
static struct jl_ident bob = { 1002, 1002, n_bob, NULL, 0 };
static struct jl_ident carol = { 1003, 1003, n_carol, NULL, 0 };
static struct jl_ident dave = { 1004, 1004, n_dave, NULL, 0 };
static struct jl_ident mallory = { 1005, 1005, n_mallory, NULL, 0 };
static struct jl_ident root = { 0, 0, n_root, NULL, 0 };

static int
rm_entry(const char *p, const struct stat *sb, int type, struct FTW *f)
{
	(void)sb;
	(void)type;
	(void)f;
	return remove(p);
}

static void
db_path(int n, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%d.db", tmpdir, n);
}

static struct jl_store *
open_store(int n)
{
	struct jl_store_opts o;
	struct jl_store *st = NULL;
	struct jl_error err = { "" };
	char path[128];

	db_path(n, path, sizeof(path));
	jl_store_opts_default(&o);
	o.owner = (uid_t)-1; /* skip the owner checks: not root */
	o.busy_ms = 20000;
	if (jl_store_open(path, &o, &st, &err) != 0) {
		fprintf(stderr, "open %s: %s\n", path, err.msg);
		return NULL;
	}
	return st;
}

/* A fresh store; ctx set up for who at T0. */
static struct jl_store *
new_store(struct jl_ctx *c, const struct jl_ident *who)
{
	struct jl_error err = { "" };
	char path[128];

	db_path(++ndb, path, sizeof(path));
	if (jl_store_init(path, (gid_t)-1, &err) < 0) {
		fprintf(stderr, "init %s: %s\n", path, err.msg);
		exit(1);
	}
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
	c->store = open_store(ndb);
	if (c->store == NULL)
		exit(1);
	c->who = who;
	c->now = T0;
	c->prog = "test_ops";
	c->no_journal = true;
	return c->store;
}

/* Number of audit events; the chain must verify. */
static int64_t
nevents(struct jl_store *st)
{
	struct jl_error err = { "" };
	int64_t n = -1, bad = 0;
	int r;

	r = jl_store_audit_verify(st, &n, &bad, &err);
	T_ASSERT_INTEQ(r, 0);
	return r == 0 ? n : -1;
}

/* A pending request of who on resource; returns its id (0 on failure). */
static int64_t
request(struct jl_ctx *c, const struct jl_ident *who, const char *resource,
    int64_t duration)
{
	struct jl_request_args a = { 0 };
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;
	const struct jl_ident *saved = c->who;
	int64_t id = 0;
	int r;

	a.resource = resource;
	a.reason = "debugging INC-1";
	a.duration = duration;
	c->who = who;
	r = jl_op_request(c, &a, &g, &err);
	c->who = saved;
	T_ASSERT_INTEQ(r, 0);
	if (r == 0) {
		id = g->id;
		jl_grant_free(g);
	} else {
		fprintf(stderr, "request: %s\n", err.msg);
	}
	return id;
}

static struct jl_grant *
get(struct jl_store *st, int64_t id)
{
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;

	T_ASSERT_INTEQ(jl_store_grant_get(st, id, &g, &err), 0);
	return g;
}

static enum jl_state
state(struct jl_ctx *c, int64_t id)
{
	struct jl_grant *g = get(c->store, id);
	enum jl_state s = JL_REVOKED;

	if (g != NULL)
		s = jl_grant_state(g, c->now, cfg->request_ttl);
	jl_grant_free(g);
	return s;
}

struct last_event {
	char event[32];
	char detail[1024];
	char actor[32];
	char user[32];
};

static int
last_cb(const struct jl_event *ev, void *p)
{
	struct last_event *l = p;

	snprintf(l->event, sizeof(l->event), "%s", ev->event);
	snprintf(l->detail, sizeof(l->detail), "%s", ev->detail);
	snprintf(l->actor, sizeof(l->actor), "%s", ev->actor ? ev->actor : "");
	snprintf(l->user, sizeof(l->user), "%s", ev->user ? ev->user : "");
	return 0;
}

static struct last_event
last_event(struct jl_store *st)
{
	struct last_event l;
	struct jl_error err = { "" };

	memset(&l, 0, sizeof(l));
	T_ASSERT_INTEQ(jl_store_audit_foreach(st, 0, 0, last_cb, &l, &err), 0);
	return l;
}

static void
test_request_approve(void)
{
	struct jl_ctx c;
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;
	struct last_event ev;
	int64_t id;

	new_store(&c, &bob);
	id = request(&c, &alice, "app", 0);
	T_ASSERT(id > 0);
	T_ASSERT_INTEQ(nevents(c.store), 1);
	ev = last_event(c.store);
	T_ASSERT_STREQ(ev.event, "request");
	T_ASSERT_STREQ(ev.actor, "alice");
	T_ASSERT_STREQ(ev.user, "alice");
	T_ASSERT(strstr(ev.detail, "\"duration_s\":3600") != NULL);
	T_ASSERT(strstr(ev.detail, "\"reason\":\"debugging INC-1\"") != NULL);
	T_ASSERT_INTEQ(state(&c, id), JL_PENDING);

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
	T_ASSERT_INTEQ(state(&c, id), JL_ACTIVE);
	T_ASSERT_INTEQ(nevents(c.store), 2);
	ev = last_event(c.store);
	T_ASSERT_STREQ(ev.event, "approve");
	T_ASSERT_STREQ(ev.actor, "bob");
	T_ASSERT_STREQ(ev.user, "alice");
	T_ASSERT(strstr(ev.detail, "\"comment\":\"go ahead\"") != NULL);
	T_ASSERT(strstr(ev.detail, "\"expires_at\":") != NULL);

	/* Approving again: the grant is no longer pending; nothing written. */
	c.who = &carol;
	T_ASSERT_INTEQ(jl_op_approve(&c, id, NULL, 0, NULL, &err), JL_REFUSED);
	T_ASSERT(strstr(err.msg, "active") != NULL);
	T_ASSERT_INTEQ(nevents(c.store), 2);
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

	new_store(&c, &bob);
	id = request(&c, &bob, "app", 0);
	T_ASSERT_INTEQ(jl_op_approve(&c, id, NULL, 0, NULL, &err), JL_REFUSED);
	T_ASSERT(strstr(err.msg, "own") != NULL);
	T_ASSERT_INTEQ(jl_op_deny(&c, id, "no", NULL, &err), JL_REFUSED);
	/* Root is an approver of app, and still not of its own request. */
	rid = request(&c, &root, "app", 0);
	c.who = &root;
	T_ASSERT_INTEQ(jl_op_approve(&c, rid, NULL, 0, NULL, &err), JL_REFUSED);
	T_ASSERT_INTEQ(nevents(c.store), 2);
	T_ASSERT_INTEQ(state(&c, id), JL_PENDING);
	T_ASSERT_INTEQ(state(&c, rid), JL_PENDING);
	/* ... but it approves bob's, and bob approves root's. */
	T_ASSERT_INTEQ(jl_op_approve(&c, id, NULL, 0, NULL, &err), 0);
	c.who = &bob;
	T_ASSERT_INTEQ(jl_op_approve(&c, rid, NULL, 0, NULL, &err), 0);
	/* Non-approvers and admins who are not approvers cannot. */
	id = request(&c, &alice, "app", 0);
	c.who = &mallory;
	T_ASSERT_INTEQ(jl_op_approve(&c, id, NULL, 0, NULL, &err), JL_REFUSED);
	c.who = &dave;
	T_ASSERT_INTEQ(jl_op_approve(&c, id, NULL, 0, NULL, &err), JL_REFUSED);
	T_ASSERT_INTEQ(nevents(c.store), 5);
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

	new_store(&c, &alice);
	a.resource = "app";
	a.reason = "too long";
	a.duration = 5 * 3600;
	T_ASSERT_INTEQ(jl_op_request(&c, &a, NULL, &err), JL_REFUSED);
	T_ASSERT_STREQ(err.msg, "duration exceeds max_duration 4h");
	T_ASSERT_INTEQ(nevents(c.store), 0);

	id = request(&c, &alice, "app", 2 * 3600);
	c.who = &bob;
	/* Approvers may not lengthen, even within max_duration. */
	T_ASSERT_INTEQ(jl_op_approve(&c, id, NULL, 3 * 3600, NULL, &err),
	    JL_REFUSED);
	T_ASSERT_INTEQ(state(&c, id), JL_PENDING);
	T_ASSERT_INTEQ(nevents(c.store), 1);
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

	new_store(&c, &bob);
	id = request(&c, &alice, "two", 0);
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
	T_ASSERT_INTEQ(state(&c, id), JL_PENDING);
	T_ASSERT_INTEQ(nevents(c.store), 2);
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
	T_ASSERT_INTEQ(nevents(c.store), 3);
	jl_store_close(c.store);
}

static void
test_deny(void)
{
	struct jl_ctx c;
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;
	int64_t id;

	new_store(&c, &mallory);
	id = request(&c, &alice, "app", 0);
	T_ASSERT_INTEQ(jl_op_deny(&c, id, "no", NULL, &err), JL_REFUSED);
	c.who = &bob;
	T_ASSERT(jl_op_deny(&c, id, NULL, NULL, &err) < 0);
	T_ASSERT_INTEQ(nevents(c.store), 1);
	T_ASSERT_INTEQ(jl_op_deny(&c, id, "not during the freeze", &g, &err),
	    0);
	if (g != NULL) {
		T_ASSERT_INTEQ(g->status, JL_ST_DENIED);
		T_ASSERT_STREQ(g->ended_by, "bob");
		T_ASSERT_STREQ(g->end_comment, "not during the freeze");
	}
	jl_grant_free(g);
	T_ASSERT_STREQ(last_event(c.store).event, "deny");
	c.who = &carol;
	T_ASSERT_INTEQ(jl_op_approve(&c, id, NULL, 0, NULL, &err), JL_REFUSED);
	T_ASSERT_STREQ(err.msg, "grant 1 is denied");
	T_ASSERT_INTEQ(state(&c, id), JL_DENIED);
	T_ASSERT_INTEQ(nevents(c.store), 2);
	jl_store_close(c.store);
}

static void
test_revoke(void)
{
	struct jl_ctx c;
	struct jl_error err = { "" };
	int64_t p, a;

	new_store(&c, &alice);
	p = request(&c, &alice, "app", 0);
	a = request(&c, &alice, "app", 0);
	c.who = &bob;
	T_ASSERT_INTEQ(jl_op_approve(&c, a, NULL, 0, NULL, &err), 0);
	/* Outsiders may not; the user cancels a pending request. */
	c.who = &mallory;
	T_ASSERT_INTEQ(jl_op_revoke(&c, p, NULL, NULL, &err), JL_REFUSED);
	T_ASSERT_INTEQ(jl_op_revoke(&c, a, NULL, NULL, &err), JL_REFUSED);
	T_ASSERT_INTEQ(nevents(c.store), 3);
	c.who = &alice;
	T_ASSERT_INTEQ(jl_op_revoke(&c, p, "never mind", NULL, &err), 0);
	T_ASSERT_INTEQ(state(&c, p), JL_CANCELLED);
	T_ASSERT_STREQ(last_event(c.store).event, "cancel");
	/* An approver revokes an active grant; twice is refused. */
	c.who = &carol;
	T_ASSERT_INTEQ(jl_op_revoke(&c, a, "enough", NULL, &err), 0);
	T_ASSERT_INTEQ(state(&c, a), JL_REVOKED);
	T_ASSERT_STREQ(last_event(c.store).event, "revoke");
	T_ASSERT_INTEQ(jl_op_revoke(&c, a, NULL, NULL, &err), JL_REFUSED);
	T_ASSERT_STREQ(err.msg, "grant 2 is revoked");
	/* An expired grant cannot be revoked either. */
	a = request(&c, &alice, "app", 0);
	c.who = &bob;
	T_ASSERT_INTEQ(jl_op_approve(&c, a, NULL, 0, NULL, &err), 0);
	c.now += 3600;
	T_ASSERT_INTEQ(jl_op_revoke(&c, a, NULL, NULL, &err), JL_REFUSED);
	T_ASSERT_INTEQ(nevents(c.store), 7);
	jl_store_close(c.store);
}

static void
test_grant(void)
{
	struct jl_ctx c;
	struct jl_grant_args a = { "app", "root", "incident INC-2", 900 };
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;

	new_store(&c, &bob);
	T_ASSERT_INTEQ(jl_op_grant(&c, &a, NULL, &err), JL_REFUSED);
	T_ASSERT_INTEQ(nevents(c.store), 0);
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
	T_ASSERT_STREQ(last_event(c.store).event, "grant");
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
	T_ASSERT_INTEQ(nevents(c.store), 1);
	jl_store_close(c.store);
}

static void
test_request_rules(void)
{
	struct jl_ctx c;
	struct jl_request_args a = { 0 };
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;

	new_store(&c, &alice);
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
	T_ASSERT_INTEQ(nevents(c.store), 0);

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
		T_ASSERT_INTEQ(state(&c, g->id), JL_SCHEDULED);
		c.now = T0 + 600;
		T_ASSERT_INTEQ(state(&c, g->id), JL_ACTIVE);
	}
	jl_grant_free(g);
	T_ASSERT_INTEQ(nevents(c.store), 3);
	jl_store_close(c.store);
}

static void
test_lapse(void)
{
	struct jl_ctx c;
	struct jl_error err = { "" };
	int64_t id;

	new_store(&c, &bob);
	id = request(&c, &alice, "app", 0);
	c.now = T0 + 3600;
	T_ASSERT_INTEQ(jl_op_approve(&c, id, NULL, 0, NULL, &err), JL_REFUSED);
	T_ASSERT(strstr(err.msg, "lapsed") != NULL);
	T_ASSERT_INTEQ(jl_op_deny(&c, id, "late", NULL, &err), JL_REFUSED);
	c.who = &alice;
	T_ASSERT_INTEQ(jl_op_revoke(&c, id, NULL, NULL, &err), JL_REFUSED);
	T_ASSERT_INTEQ(nevents(c.store), 1);
	jl_store_close(c.store);
}

/* One racer: wait for the start signal, then approve or deny id. */
static void
racer(int n, int64_t id, int start_fd)
{
	struct jl_ctx c;
	struct jl_error err = { "" };
	char b;
	int r;

	memset(&c, 0, sizeof(c));
	c.cfg = cfg;
	c.who = n % 2 ? &bob : &carol;
	c.now = T0 + 1;
	c.prog = "test_ops";
	c.no_journal = true;
	if ((c.store = open_store(ndb)) == NULL)
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
	int64_t id;
	pid_t pids[NRACERS];
	int p[2], i, st, done = 0, refused = 0, other = 0;

	new_store(&c, &alice);
	id = request(&c, &alice, "app", 0);
	T_ASSERT(pipe(p) == 0);
	fflush(NULL);
	for (i = 0; i < NRACERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(p[1]);
			racer(i, id, p[0]);
		}
		T_ASSERT(pids[i] > 0);
	}
	/* All start together: EOF on the pipe releases them at once. */
	close(p[0]);
	close(p[1]);
	for (i = 0; i < NRACERS; i++) {
		if (pids[i] <= 0 || waitpid(pids[i], &st, 0) != pids[i] ||
		    !WIFEXITED(st))
			other++;
		else if (WEXITSTATUS(st) == 0)
			done++;
		else if (WEXITSTATUS(st) == 1)
			refused++;
		else
			other++;
	}
	T_ASSERT_INTEQ(done, 1);
	T_ASSERT_INTEQ(refused, NRACERS - 1);
	T_ASSERT_INTEQ(other, 0);
	/* Exactly one decision in the store, and the chain holds. */
	T_ASSERT_INTEQ(nevents(c.store), 2);
	g = get(c.store, id);
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
	struct jl_error err = { "" };
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/jl-test-ops-XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	if (jl_config_parse(config_text, "test.conf", &cfg, &err) != 0) {
		fprintf(stderr, "config: %s\n", err.msg);
		return 1;
	}
	T_RUN(test_request_approve);
	T_RUN(test_self_approval);
	T_RUN(test_durations);
	T_RUN(test_two_approvals);
	T_RUN(test_deny);
	T_RUN(test_revoke);
	T_RUN(test_grant);
	T_RUN(test_request_rules);
	T_RUN(test_lapse);
	T_RUN(test_race);
	jl_config_free(cfg);
	rc = T_DONE();
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}

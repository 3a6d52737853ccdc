/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of break-glass, review and extensions (lib/ops.c,
 * lib/ops_decide.c, lib/ops_extend.c) against a real store with an
 * injected clock: break-glass is active at once within its cap, only
 * where allowed, and not twice before a review; reviews by approvers or
 * admins only, once, never one's own; an extension is a pending request
 * of the grant's own user that starts when the grant ends (no gap, no
 * overlap), one at a time, never approved once the grant it continues
 * was revoked; revoking a grant ends its extensions in one transaction;
 * every refusal writes nothing; of 12 processes breaking glass at once
 * as one user exactly one gets through; and the v2 -> v3 store migration.
 */
#define _GNU_SOURCE /* nftw */
#include <sqlite3.h>

#include "t.h"
#include "ops_fixture.h"

static const char config_text[] =
    "database = \"/nonexistent/jitlog.db\";\n"
    "admins = [ \"dave\" ];\n"
    "request_ttl = \"1h\";\n"
    "resources = (\n"
    "  { name = \"app\"; paths = [ \"/var/log/app.log\" ];\n"
    "    requesters = [ \"alice\", \"bob\" ];\n"
    "    approvers = [ \"bob\", \"carol\" ];\n"
    "    default_duration = \"1h\"; max_duration = \"4h\"; },\n"
    "  { name = \"glass\"; paths = [ \"/var/log/glass.log\" ];\n"
    "    requesters = [ \"alice\", \"bob\" ]; approvers = [ \"bob\" ];\n"
    "    default_duration = \"1h\"; max_duration = \"2h\";\n"
    "    break_glass = { max_duration = \"30m\"; }; },\n"
    "  { name = \"glass2\"; paths = [ \"/var/log/glass2.log\" ];\n"
    "    requesters = [ \"alice\" ]; approvers = [ \"carol\" ];\n"
    "    require_ticket = true; break_glass = true; }\n"
    ");\n";

static int
break_glass(struct jl_ctx *c, const struct jl_ident *who, const char *res,
    int64_t duration, const char *ticket, struct jl_grant **ret,
    struct jl_error *err)
{
	struct jl_request_args a = { 0 };
	const struct jl_ident *saved = c->who;
	int r;

	a.resource = res;
	a.reason = "prod is down";
	a.duration = duration;
	a.ticket = ticket;
	c->who = who;
	r = jl_op_break_glass(c, &a, ret, err);
	c->who = saved;
	return r;
}

static int
review(struct jl_ctx *c, const struct jl_ident *who, int64_t id,
    struct jl_error *err)
{
	const struct jl_ident *saved = c->who;
	int r;

	c->who = who;
	r = jl_op_review(c, id, "looked at it", NULL, err);
	c->who = saved;
	return r;
}

static void
test_break_glass(void)
{
	struct jl_ctx c;
	struct jl_error err = { "" };
	struct jl_grant *g = NULL, **v = NULL;
	struct jl_grant_filter f = { 0 };
	size_t n = 0;
	int64_t id, ne;

	fx_store(&c, &alice);
	/* Not where the resource does not allow it; not over the cap. */
	T_ASSERT_INTEQ(break_glass(&c, &alice, "app", 0, NULL, NULL, &err),
	    JL_REFUSED);
	T_ASSERT(strstr(err.msg, "does not allow break-glass") != NULL);
	T_ASSERT_INTEQ(break_glass(&c, &alice, "glass", 31 * MIN, NULL, NULL,
	                   &err),
	    JL_REFUSED);
	T_ASSERT(strstr(err.msg, "break-glass max_duration 30m") != NULL);
	T_ASSERT_INTEQ(break_glass(&c, &mallory, "glass", 0, NULL, NULL, &err),
	    JL_REFUSED);
	/* The ticket rules of a request hold. */
	T_ASSERT_INTEQ(break_glass(&c, &alice, "glass2", 0, NULL, NULL, &err),
	    JL_REFUSED);
	T_ASSERT(strstr(err.msg, "requires a ticket") != NULL);
	T_ASSERT_INTEQ(fx_nevents(c.store), 0);

	/* Active at once, default min(default_duration, cap). */
	T_ASSERT_INTEQ(break_glass(&c, &alice, "glass", 0, NULL, &g, &err), 0);
	T_ASSERT(g != NULL);
	if (g == NULL)
		return;
	id = g->id;
	T_ASSERT(g->break_glass && g->reviewed_at == 0);
	T_ASSERT_INTEQ(g->status, JL_ST_APPROVED);
	T_ASSERT_INTEQ(g->starts_at, T0);
	T_ASSERT_INTEQ(g->expires_at, T0 + 30 * MIN);
	T_ASSERT_INTEQ(g->napprovals, 0);
	jl_grant_free(g);
	T_ASSERT_INTEQ(fx_state(&c, id), JL_ACTIVE);
	T_ASSERT_STREQ(fx_last(c.store, 0).event, "break_glass");
	ne = fx_nevents(c.store);

	/* Not again, on any resource, before the review. */
	c.now = T0 + HOUR;
	T_ASSERT_INTEQ(break_glass(&c, &alice, "glass", 0, NULL, NULL, &err),
	    JL_REFUSED);
	T_ASSERT(strstr(err.msg, "not reviewed") != NULL);
	T_ASSERT_INTEQ(break_glass(&c, &alice, "glass2", 0, "INC-7", NULL,
	                   &err),
	    JL_REFUSED);
	/* Someone else may. */
	T_ASSERT_INTEQ(break_glass(&c, &bob, "glass", 10 * MIN, NULL, &g, &err),
	    0);
	T_ASSERT(g != NULL && g->expires_at == T0 + HOUR + 10 * MIN);
	jl_grant_free(g);
	ne++;
	f.unreviewed = true;
	T_ASSERT_INTEQ(jl_store_grant_list(c.store, &f, &v, &n, &err), 0);
	T_ASSERT_INTEQ(n, 2);
	jl_grants_free(v, n);

	/* The review: not by its user, not by a stranger. */
	T_ASSERT_INTEQ(review(&c, &alice, id, &err), JL_REFUSED);
	T_ASSERT_INTEQ(review(&c, &mallory, id, &err), JL_REFUSED);
	T_ASSERT_INTEQ(review(&c, &carol, id, &err), JL_REFUSED);
	T_ASSERT_INTEQ(fx_nevents(c.store), ne);
	/* An approver of the resource (or an admin), once. */
	T_ASSERT_INTEQ(review(&c, &bob, id, &err), 0);
	T_ASSERT_STREQ(fx_last(c.store, id).event, "review");
	T_ASSERT_INTEQ(review(&c, &dave, id, &err), JL_REFUSED);
	T_ASSERT(strstr(err.msg, "already reviewed") != NULL);
	g = fx_get(c.store, id);
	T_ASSERT(g != NULL && g->reviewed_at == T0 + HOUR &&
	    strcmp(g->reviewed_by, "bob") == 0);
	jl_grant_free(g);
	/* A grant that is not break-glass has no review. */
	T_ASSERT_INTEQ(review(&c, &bob, fx_request(&c, &alice, "app", 0), &err),
	    JL_REFUSED);
	/* Reviewed: alice may break glass again. */
	T_ASSERT_INTEQ(break_glass(&c, &alice, "glass2", 0, "INC-7", NULL,
	                   &err),
	    0);
	jl_store_close(c.store);
}

#define NRACERS 12

/* A racer: its own connection to the latest store; exit 0 done, 1
 * refused. */
static void __attribute__((noreturn)) glass_racer(int i, int gate, void *arg)
{
	struct jl_error err = { "" };
	struct jl_ctx c;
	char x;
	int r;

	(void)i;
	(void)arg;
	memset(&c, 0, sizeof(c));
	if ((c.store = fx_open(fx_ndb)) == NULL)
		_exit(3);
	c.cfg = fx_cfg;
	c.now = T0;
	c.prog = "test";
	c.no_journal = true;
	(void)!read(gate, &x, 1); /* EOF: go */
	r = break_glass(&c, &alice, "glass", 0, NULL, NULL, &err);
	jl_store_close(c.store);
	_exit(r == 0 ? 0 : r == JL_REFUSED ? 1 : 2);
}

/* The "no second break-glass before a review" check holds under races. */
static void
test_break_glass_race(void)
{
	struct jl_ctx c;
	struct jl_grant_filter f = { 0 };
	struct jl_error err = { "" };
	struct jl_grant **v = NULL;
	struct fx_tally t;
	size_t n = 0;

	fx_store(&c, &alice);
	t = fx_race(NRACERS, glass_racer, NULL);
	T_ASSERT_INTEQ(t.done, 1);
	T_ASSERT_INTEQ(t.refused, NRACERS - 1);
	T_ASSERT_INTEQ(t.other, 0);
	T_ASSERT_INTEQ(fx_nevents(c.store), 1);
	f.unreviewed = true;
	T_ASSERT_INTEQ(jl_store_grant_list(c.store, &f, &v, &n, &err), 0);
	T_ASSERT_INTEQ(n, 1);
	jl_grants_free(v, n);
	jl_store_close(c.store);
}

static int
extend(struct jl_ctx *c, const struct jl_ident *who, int64_t id,
    int64_t duration, struct jl_grant **ret, struct jl_error *err)
{
	const struct jl_ident *saved = c->who;
	int r;

	c->who = who;
	r = jl_op_extend(c, id, duration, "need more time", ret, err);
	c->who = saved;
	return r;
}

static void
test_extend(void)
{
	struct jl_ctx c;
	struct jl_error err = { "" };
	struct jl_grant *e = NULL, *g, **v = NULL;
	size_t n = 0;
	int64_t id, pend, ne;

	fx_store(&c, &alice);
	id = fx_active(&c, &alice, &bob, "app", HOUR);
	pend = fx_request(&c, &alice, "app", 0);
	ne = fx_nevents(c.store);
	c.now = T0 + 30 * MIN;
	/* Only the grant's own user, only a scheduled or active grant. */
	T_ASSERT_INTEQ(extend(&c, &bob, id, HOUR, NULL, &err), JL_REFUSED);
	T_ASSERT(strstr(err.msg, "only its user") != NULL);
	T_ASSERT_INTEQ(extend(&c, &mallory, id, HOUR, NULL, &err), JL_REFUSED);
	T_ASSERT(strstr(err.msg, "no such grant") != NULL);
	T_ASSERT_INTEQ(extend(&c, &alice, pend, HOUR, NULL, &err), JL_REFUSED);
	T_ASSERT(strstr(err.msg, "is pending") != NULL);
	T_ASSERT_INTEQ(extend(&c, &alice, id, 5 * HOUR, NULL, &err),
	    JL_REFUSED);
	T_ASSERT_INTEQ(extend(&c, &alice, 9999, HOUR, NULL, &err), JL_REFUSED);
	T_ASSERT_INTEQ(fx_nevents(c.store), ne);

	T_ASSERT_INTEQ(extend(&c, &alice, id, HOUR, &e, &err), 0);
	T_ASSERT(e != NULL);
	if (e == NULL)
		return;
	T_ASSERT_INTEQ(e->status, JL_ST_PENDING);
	T_ASSERT_INTEQ(e->extends_id, id);
	T_ASSERT_INTEQ(e->start_req, T0 + HOUR);
	T_ASSERT_INTEQ(e->duration_s, HOUR);
	T_ASSERT_STREQ(fx_last(c.store, e->id).event, "extend");
	/* One pending extension at a time. */
	T_ASSERT_INTEQ(extend(&c, &alice, id, HOUR, NULL, &err), JL_REFUSED);
	T_ASSERT(strstr(err.msg, "pending extension") != NULL);
	/* Approved before the end: starts at the end, no gap. */
	c.now = T0 + 40 * MIN;
	T_ASSERT_INTEQ(fx_approve(&c, &alice, e->id), JL_REFUSED);
	T_ASSERT_INTEQ(fx_approve(&c, &bob, e->id), 0);
	g = fx_get(c.store, e->id);
	T_ASSERT(g != NULL && g->starts_at == T0 + HOUR &&
	    g->expires_at == T0 + 2 * HOUR);
	jl_grant_free(g);
	T_ASSERT_INTEQ(fx_state(&c, e->id), JL_SCHEDULED);
	c.now = T0 + HOUR;
	T_ASSERT_INTEQ(fx_state(&c, id), JL_EXPIRED);
	T_ASSERT_INTEQ(fx_state(&c, e->id), JL_ACTIVE);
	/* The chain, from the grant extended. */
	T_ASSERT_INTEQ(jl_store_grant_extensions(c.store, id, &v, &n, &err), 0);
	T_ASSERT(n == 1 && v[0]->id == e->id);
	jl_grants_free(v, n);
	/* Expired grants are not extended; the extension itself may be. */
	T_ASSERT_INTEQ(extend(&c, &alice, id, HOUR, NULL, &err), JL_REFUSED);
	jl_grant_free(e);
	e = NULL;
	/* Approved after the end (within request_ttl): starts at approval. */
	id = fx_active(&c, &alice, &bob, "app", 30 * MIN);
	T_ASSERT_INTEQ(extend(&c, &alice, id, 30 * MIN, &e, &err), 0);
	c.now = T0 + HOUR + 45 * MIN;
	T_ASSERT(e != NULL && fx_approve(&c, &carol, e->id) == 0);
	g = e != NULL ? fx_get(c.store, e->id) : NULL;
	T_ASSERT(g != NULL && g->starts_at == T0 + HOUR + 45 * MIN);
	jl_grant_free(g);
	jl_grant_free(e);
	jl_store_close(c.store);
}

static void
test_revoke_chain(void)
{
	struct jl_ctx c;
	struct jl_error err = { "" };
	struct jl_grant *b = NULL, *cc = NULL, *g;
	int64_t a, ne;

	fx_store(&c, &alice);
	a = fx_active(&c, &alice, &bob, "app", HOUR);
	T_ASSERT_INTEQ(extend(&c, &alice, a, HOUR, &b, &err), 0);
	T_ASSERT(b != NULL && fx_approve(&c, &bob, b->id) == 0);
	/* A scheduled extension is extended in turn: the chain a, b, cc. */
	T_ASSERT(b != NULL && extend(&c, &alice, b->id, HOUR, &cc, &err) == 0);
	if (b == NULL || cc == NULL)
		return;
	T_ASSERT_INTEQ(cc->start_req, T0 + 2 * HOUR);
	ne = fx_nevents(c.store);
	c.now = T0 + 10 * MIN;
	c.who = &carol;
	T_ASSERT_INTEQ(jl_op_revoke(&c, a, "enough", NULL, &err), 0);
	T_ASSERT_INTEQ(fx_status(&c, a), JL_ST_REVOKED);
	T_ASSERT_INTEQ(fx_status(&c, b->id), JL_ST_REVOKED);
	T_ASSERT_INTEQ(fx_status(&c, cc->id), JL_ST_CANCELLED);
	T_ASSERT_INTEQ(fx_nevents(c.store), ne + 3);
	T_ASSERT_STREQ(fx_last(c.store, b->id).event, "revoke");
	T_ASSERT_STREQ(fx_last(c.store, cc->id).event, "cancel");
	T_ASSERT(strstr(fx_last(c.store, cc->id).detail, "\"with\":") != NULL);
	g = fx_get(c.store, b->id);
	T_ASSERT(g != NULL && g->ended_by != NULL &&
	    strcmp(g->ended_by, "carol") == 0);
	jl_grant_free(g);
	/* Nothing holds at any time after. */
	c.now = T0 + 90 * MIN;
	T_ASSERT_INTEQ(fx_state(&c, b->id), JL_REVOKED);
	jl_grant_free(b);
	jl_grant_free(cc);
	jl_store_close(c.store);
}

/* An extension whose grant was taken away is not approved. */
static void
test_approve_after_revoke(void)
{
	struct jl_ctx c;
	struct jl_error err = { "" };
	struct jl_grant *e = NULL, *g;
	int64_t a, ne;

	fx_store(&c, &alice);
	a = fx_active(&c, &alice, &bob, "app", HOUR);
	T_ASSERT_INTEQ(extend(&c, &alice, a, HOUR, &e, &err), 0);
	if (e == NULL)
		return;
	/* Revoked behind the actions' back (as by an older jitlog). */
	g = fx_get(c.store, a);
	if (g != NULL) {
		g->status = JL_ST_REVOKED;
		g->ended_at = T0;
		T_ASSERT_INTEQ(jl_store_grant_update(c.store, g, &err), 0);
	}
	jl_grant_free(g);
	ne = fx_nevents(c.store);
	T_ASSERT_INTEQ(fx_approve(&c, &bob, e->id), JL_REFUSED);
	T_ASSERT_INTEQ(fx_state(&c, e->id), JL_PENDING);
	T_ASSERT_INTEQ(fx_nevents(c.store), ne);
	jl_grant_free(e);
	jl_store_close(c.store);
}

/* Run q (one or more statements) on the store at path; *ret is the
 * first column of the last row, if any.  0 or -1 (message printed). */
static int
sql(const char *path, const char *q, int *ret)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	const char *tail = q;
	int rc;

	rc = sqlite3_open(path, &db);
	while (rc == SQLITE_OK && tail != NULL && *tail != '\0') {
		rc = sqlite3_prepare_v2(db, tail, -1, &s, &tail);
		if (rc != SQLITE_OK || s == NULL)
			break;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW)
			*ret = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
		s = NULL;
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	if (rc != SQLITE_OK)
		fprintf(stderr, "sql: %s: %s\n", q, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static void
test_migrate_v3(void)
{
	struct jl_error err = { "" };
	char path[128];
	int n = -1;

	snprintf(path, sizeof(path), "%s/v2.db", fx_dir);
	T_ASSERT_INTEQ(jl_store_init(path, (gid_t)-1, &err), 0);
	T_ASSERT_INTEQ(jl_store_schema_version(), 4);
	/* Back to what a version 2 store looks like. */
	T_ASSERT_INTEQ(sql(path,
	                   "DROP INDEX grants_extends; "
	                   "ALTER TABLE approvals DROP COLUMN uid; "
	                   "PRAGMA user_version = 2",
	                   &n),
	    0);
	T_ASSERT_INTEQ(sql(path,
	                   "SELECT count(*) FROM sqlite_master WHERE name = "
	                   "'grants_extends'",
	                   &n),
	    0);
	T_ASSERT_INTEQ(n, 0);
	T_ASSERT_INTEQ(jl_store_init(path, (gid_t)-1, &err), 2);
	T_ASSERT_INTEQ(sql(path,
	                   "SELECT count(*) FROM sqlite_master WHERE name = "
	                   "'grants_extends' AND sql LIKE '%extends_id%'",
	                   &n),
	    0);
	T_ASSERT_INTEQ(n, 1);
	T_ASSERT_INTEQ(sql(path, "PRAGMA user_version", &n), 0);
	T_ASSERT_INTEQ(n, 4);
	T_ASSERT_INTEQ(sql(path,
	                   "SELECT count(*) FROM pragma_table_info('approvals')"
	                   " WHERE name = 'uid'",
	                   &n),
	    0);
	T_ASSERT_INTEQ(n, 1);
	T_ASSERT_INTEQ(jl_store_init(path, (gid_t)-1, &err), 4);
}

int
main(void)
{
	fx_setup(config_text);
	T_RUN(test_break_glass);
	T_RUN(test_break_glass_race);
	T_RUN(test_extend);
	T_RUN(test_revoke_chain);
	T_RUN(test_approve_after_revoke);
	T_RUN(test_migrate_v3);
	fx_teardown();
	return T_DONE();
}

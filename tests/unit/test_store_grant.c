/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the store's records (lib/store_grant.c,
 * lib/store_session.c): grants round trip with their approvals, update
 * adds only new approvals, list filters and orders, the active-grant
 * lookup honours the window [starts_at, expires_at) at its boundaries,
 * CHECK constraints turn nonsense into -EINVAL with a message, and
 * sessions and views round trip.  Times are injected.
 */
#define _GNU_SOURCE /* nftw */
#include <errno.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jitlog/store.h"
#include "t.h"

static char tmpdir[64];
static char dbpath[128];

static int
rm_entry(const char *p, const struct stat *sb, int type, struct FTW *f)
{
	(void)sb;
	(void)type;
	(void)f;
	return remove(p);
}

static struct jl_store *
fresh_store(void)
{
	struct jl_store_opts o;
	struct jl_error err = { { 0 } };
	struct jl_store *st = NULL;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/jl-test-grant-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		exit(1);
	snprintf(dbpath, sizeof(dbpath), "%s/g.db", tmpdir);
	jl_store_opts_default(&o);
	o.owner = (uid_t)-1;
	if (jl_store_init(dbpath, (gid_t)-1, &err) < 0 ||
	    jl_store_open(dbpath, &o, &st, &err) < 0) {
		fprintf(stderr, "store: %s\n", err.msg);
		exit(1);
	}
	return st;
}

static void
drop_store(struct jl_store *st)
{
	jl_store_close(st);
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A pending grant of user on res, owning its strings (jl_grant_free). */
static struct jl_grant *
new_grant(const char *user, const char *res, int64_t at)
{
	struct jl_grant *g = calloc(1, sizeof(*g));

	if (g == NULL)
		exit(1);
	g->user = strdup(user);
	g->uid = 1000;
	g->resource = strdup(res);
	g->reason = strdup("incident 42");
	g->status = JL_ST_PENDING;
	g->requested_at = at;
	g->duration_s = 3600;
	g->approvals_required = 1;
	return g;
}

static void
approve(struct jl_grant *g, const char *by, int64_t start)
{
	struct jl_approval *a;

	a = reallocarray(g->approvals, g->napprovals + 1, sizeof(*a));
	if (a == NULL)
		exit(1);
	g->approvals = a;
	a[g->napprovals].by = strdup(by);
	a[g->napprovals].uid = strcmp(by, "carol") == 0 ? 1003 : 1002;
	a[g->napprovals].at = start;
	a[g->napprovals].comment = strdup("looks fine");
	g->napprovals++;
	g->status = JL_ST_APPROVED;
	g->starts_at = start;
	g->expires_at = start + g->duration_s;
}

static int64_t
store_grant(struct jl_store *st, struct jl_grant *g)
{
	struct jl_error err = { { 0 } };

	T_ASSERT_INTEQ(jl_store_begin(st, &err), 0);
	T_ASSERT_INTEQ(jl_store_grant_insert(st, g, &err), 0);
	T_ASSERT_INTEQ(jl_store_commit(st, &err), 0);
	return g->id;
}

static void
test_round_trip(void)
{
	struct jl_store *st = fresh_store();
	struct jl_error err = { { 0 } };
	struct jl_grant *g = new_grant("alice", "payments", 100), *got = NULL;

	g->ticket = strdup("OPS-1");
	g->start_req = 150;
	g->unredacted = true;
	store_grant(st, g);
	T_ASSERT(g->id > 0);
	T_ASSERT_INTEQ(jl_store_grant_get(st, g->id, &got, &err), 0);
	if (got != NULL) {
		T_ASSERT_STREQ(got->user, "alice");
		T_ASSERT_INTEQ(got->uid, 1000);
		T_ASSERT_STREQ(got->resource, "payments");
		T_ASSERT_INTEQ(got->status, JL_ST_PENDING);
		T_ASSERT_STREQ(got->reason, "incident 42");
		T_ASSERT_STREQ(got->ticket, "OPS-1");
		T_ASSERT_INTEQ(got->requested_at, 100);
		T_ASSERT_INTEQ(got->start_req, 150);
		T_ASSERT_INTEQ(got->duration_s, 3600);
		T_ASSERT(got->unredacted && !got->break_glass);
		T_ASSERT(got->ended_by == NULL && got->napprovals == 0);
	}
	jl_grant_free(got);
	got = NULL;

	/* Approve twice over: update stores each approval once. */
	approve(g, "bob", 200);
	T_ASSERT_INTEQ(jl_store_grant_update(st, g, &err), 0);
	g->approvals_required = 2;
	approve(g, "carol", 210);
	g->escalated_at = 205;
	g->reviewed_by = strdup("dave");
	g->reviewed_at = 300;
	T_ASSERT_INTEQ(jl_store_grant_update(st, g, &err), 0);
	T_ASSERT_INTEQ(jl_store_grant_get(st, g->id, &got, &err), 0);
	if (got != NULL) {
		T_ASSERT_INTEQ(got->status, JL_ST_APPROVED);
		T_ASSERT_INTEQ(got->starts_at, 210);
		T_ASSERT_INTEQ(got->expires_at, 3810);
		T_ASSERT_INTEQ(got->approvals_required, 2);
		T_ASSERT_INTEQ(got->napprovals, 2);
		if (got->napprovals == 2) {
			T_ASSERT_STREQ(got->approvals[0].by, "bob");
			T_ASSERT_INTEQ(got->approvals[0].uid, 1002);
			T_ASSERT_INTEQ(got->approvals[0].at, 200);
			T_ASSERT_STREQ(got->approvals[0].comment, "looks fine");
			T_ASSERT_STREQ(got->approvals[1].by, "carol");
		}
		T_ASSERT_INTEQ(got->escalated_at, 205);
		T_ASSERT_STREQ(got->reviewed_by, "dave");
	}
	jl_grant_free(got);
	got = NULL;

	T_ASSERT_INTEQ(jl_store_grant_get(st, 9999, &got, &err), -ENOENT);
	T_ASSERT(got == NULL);
	g->id = 9999;
	T_ASSERT_INTEQ(jl_store_grant_update(st, g, &err), -ENOENT);
	jl_grant_free(g);
	drop_store(st);
}

static int64_t
find_uid(struct jl_store *st, const char *user, uid_t uid, const char *res,
    int64_t now)
{
	struct jl_error err = { { 0 } };
	int64_t id = -1, exp = -1;
	int r;

	r = jl_store_grant_find_active(st, user, uid, res, now, &id, &exp,
	    &err);
	if (r < 0)
		fprintf(stderr, "find_active: %s\n", err.msg);
	return r == 1 ? id : r;
}

/* As new_grant's user (uid 1000). */
static int64_t
find(struct jl_store *st, const char *user, const char *res, int64_t now)
{
	return find_uid(st, user, 1000, res, now);
}

static void
test_find_active(void)
{
	struct jl_store *st = fresh_store();
	struct jl_grant *a = new_grant("alice", "payments", 100);
	struct jl_grant *b = new_grant("alice", "payments", 100);
	struct jl_grant *c = new_grant("alice", "billing", 100);
	struct jl_grant *p = new_grant("alice", "payments", 100);
	struct jl_error err = { { 0 } };
	int64_t ida, idb, idc;

	approve(a, "bob", 1000); /* [1000, 4600) */
	ida = store_grant(st, a);
	b->duration_s = 5000;
	approve(b, "bob", 2000); /* [2000, 7000) */
	idb = store_grant(st, b);
	c->duration_s = 10000;
	approve(c, "bob", 500); /* [500, 10500) other resource */
	idc = store_grant(st, c);
	store_grant(st, p); /* pending: never active */

	T_ASSERT_INTEQ(find(st, "alice", "payments", 999), 0);
	T_ASSERT_INTEQ(find(st, "alice", "payments", 1000), ida);
	T_ASSERT_INTEQ(find(st, "alice", "payments", 1999), ida);
	/* Both hold: the one that ends last. */
	T_ASSERT_INTEQ(find(st, "alice", "payments", 2000), idb);
	T_ASSERT_INTEQ(find(st, "alice", "payments", 6999), idb);
	T_ASSERT_INTEQ(find(st, "alice", "payments", 7000), 0);
	T_ASSERT_INTEQ(find(st, "alice", NULL, 6999), idc);
	T_ASSERT_INTEQ(find(st, "alice", NULL, 10499), idc);
	T_ASSERT_INTEQ(find(st, "alice", NULL, 10500), 0);
	T_ASSERT_INTEQ(find(st, "alice", "billing", 499), 0);
	T_ASSERT_INTEQ(find(st, "bob", NULL, 3000), 0);
	T_ASSERT_INTEQ(find(st, "ALICE", "payments", 3000), 0);
	/* The name under another uid (an account that took the name of a
	 * deleted one) holds none of them. */
	T_ASSERT_INTEQ(find_uid(st, "alice", 1001, "payments", 3000), 0);
	T_ASSERT_INTEQ(find_uid(st, "alice", 1001, NULL, 3000), 0);
	/* Revoked: gone at once. */
	b->status = JL_ST_REVOKED;
	b->ended_at = 3000;
	b->ended_by = strdup("carol");
	T_ASSERT_INTEQ(jl_store_grant_update(st, b, &err), 0);
	T_ASSERT_INTEQ(find(st, "alice", "payments", 3000), ida);
	T_ASSERT_INTEQ(find(st, "alice", "payments", 4600), 0);
	jl_grant_free(a);
	jl_grant_free(b);
	jl_grant_free(c);
	jl_grant_free(p);
	drop_store(st);
}

static size_t
list_ids(struct jl_store *st, const struct jl_grant_filter *f, int64_t *ids,
    size_t max)
{
	struct jl_error err = { { 0 } };
	struct jl_grant **v = NULL;
	size_t n = 0, i;

	T_ASSERT_INTEQ(jl_store_grant_list(st, f, &v, &n, &err), 0);
	for (i = 0; i < n && i < max; i++)
		ids[i] = v[i]->id;
	jl_grants_free(v, n);
	return n;
}

static void
test_list(void)
{
	struct jl_store *st = fresh_store();
	struct jl_grant *g[5];
	struct jl_grant_filter f = { 0 };
	int64_t ids[8];

	g[0] = new_grant("alice", "payments", 100);
	g[1] = new_grant("bob", "payments", 110);
	approve(g[1], "carol", 120);
	g[2] = new_grant("alice", "billing", 130);
	g[3] = new_grant("alice", "payments", 140);
	approve(g[3], "carol", 150);
	g[3]->break_glass = true;
	g[4] = new_grant("carol", "billing", 160);
	g[4]->status = JL_ST_DENIED;
	for (int i = 0; i < 5; i++)
		store_grant(st, g[i]);

	T_ASSERT_INTEQ(list_ids(st, &f, ids, 8), 5);
	T_ASSERT(ids[0] == g[4]->id && ids[4] == g[0]->id); /* newest first */
	f.status_mask = 1u << JL_ST_PENDING;
	T_ASSERT_INTEQ(list_ids(st, &f, ids, 8), 2);
	T_ASSERT(ids[0] == g[2]->id && ids[1] == g[0]->id);
	f.status_mask |= 1u << JL_ST_DENIED;
	T_ASSERT_INTEQ(list_ids(st, &f, ids, 8), 3);
	f.resource = "billing";
	T_ASSERT_INTEQ(list_ids(st, &f, ids, 8), 2);
	f.user = "alice";
	T_ASSERT_INTEQ(list_ids(st, &f, ids, 8), 1);
	T_ASSERT_INTEQ(ids[0], g[2]->id);
	memset(&f, 0, sizeof(f));
	f.user = "alice";
	T_ASSERT_INTEQ(list_ids(st, &f, ids, 8), 3);
	f.limit = 2;
	T_ASSERT_INTEQ(list_ids(st, &f, ids, 8), 2);
	T_ASSERT_INTEQ(ids[0], g[3]->id);
	memset(&f, 0, sizeof(f));
	f.unreviewed = true;
	T_ASSERT_INTEQ(list_ids(st, &f, ids, 8), 1);
	T_ASSERT_INTEQ(ids[0], g[3]->id);
	/* Reviewed: no longer listed. */
	g[3]->reviewed_at = 500;
	T_ASSERT_INTEQ(jl_store_grant_update(st, g[3], NULL), 0);
	T_ASSERT_INTEQ(list_ids(st, &f, ids, 8), 0);
	for (int i = 0; i < 5; i++)
		jl_grant_free(g[i]);
	drop_store(st);
}

/* Insert g and expect a constraint violation naming what. */
static void
expect_invalid(struct jl_store *st, struct jl_grant *g, const char *what)
{
	struct jl_error err = { { 0 } };

	T_ASSERT_INTEQ(jl_store_grant_insert(st, g, &err), -EINVAL);
	if (strstr(err.msg, what) == NULL) {
		fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err.msg, what);
		T_ASSERT(0);
	}
}

static void
test_constraints(void)
{
	struct jl_store *st = fresh_store();
	struct jl_error err = { { 0 } };
	struct jl_grant *g = new_grant("alice", "payments", 100);
	struct jl_grant **v = NULL;
	struct jl_session ss = { 0 };
	size_t n = 0;
	char empty[] = "";

	T_ASSERT_INTEQ(jl_store_begin(st, &err), 0);
	g->duration_s = 0;
	expect_invalid(st, g, "duration_s > 0");
	g->duration_s = 60;
	g->approvals_required = 0;
	expect_invalid(st, g, "approvals_required >= 1");
	g->approvals_required = 1;
	g->status = JL_ST_APPROVED; /* approved without a window */
	expect_invalid(st, g, "CHECK constraint failed");
	g->status = (enum jl_status)42;
	expect_invalid(st, g, "invalid grant");
	g->status = JL_ST_PENDING;
	free(g->user);
	g->user = strdup("");
	expect_invalid(st, g, "user");
	free(g->user);
	g->user = NULL;
	expect_invalid(st, g, "NOT NULL");
	g->user = strdup("alice");
	/* An approval by nobody is refused, and the grant with it. */
	approve(g, "bob", 200);
	free(g->approvals[0].by);
	g->approvals[0].by = strdup("");
	expect_invalid(st, g, "approver");
	/* Sessions and views: same. */
	ss.grant_id = 12345; /* no such grant */
	ss.user = empty;
	ss.service = empty;
	T_ASSERT_INTEQ(jl_store_session_insert(st, &ss, &err), -EINVAL);
	T_ASSERT_INTEQ(jl_store_view_insert(st, 12345, "alice", "payments",
	                   "/x", 1, NULL, &err),
	    -EINVAL);
	T_ASSERT(strstr(err.msg, "FOREIGN KEY") != NULL);
	/* Nothing of the above was stored, and the transaction is usable. */
	T_ASSERT_INTEQ(jl_store_commit(st, &err), 0);
	T_ASSERT_INTEQ(jl_store_grant_list(st, NULL, &v, &n, &err), 0);
	T_ASSERT_INTEQ(n, 0);
	jl_grants_free(v, n);
	jl_grant_free(g);
	drop_store(st);
}

static void
raw_query(const char *sql, char *out, size_t len)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;

	out[0] = '\0';
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) ==
	        SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(out, len, "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
}

static void
test_sessions_views(void)
{
	struct jl_store *st = fresh_store();
	struct jl_error err = { { 0 } };
	struct jl_grant *g = new_grant("alice", "payments", 100);
	struct jl_session ss = { 0 }, *v = NULL;
	char user[] = "alice", svc[] = "sshd", rhost[] = "10.0.0.1",
	     tty[] = "pts/3", row[256];
	int64_t sid = 0, vid = 0;
	size_t n = 9;

	approve(g, "bob", 1000); /* [1000, 4600) */
	store_grant(st, g);
	ss.grant_id = g->id;
	ss.user = user;
	ss.service = svc;
	ss.rhost = rhost;
	ss.tty = tty;
	ss.pid = 4242;
	ss.pid_start = 987654;
	ss.opened_at = 1500;
	T_ASSERT_INTEQ(jl_store_begin(st, &err), 0);
	T_ASSERT_INTEQ(jl_store_session_insert(st, &ss, &err), 0);
	T_ASSERT_INTEQ(jl_store_commit(st, &err), 0);
	T_ASSERT(ss.id > 0);
	/* Within the window: not stale; at expires_at: stale. */
	T_ASSERT_INTEQ(jl_store_session_list_stale(st, 4599, &v, &n, &err), 0);
	T_ASSERT_INTEQ(n, 0);
	jl_sessions_free(v, n);
	T_ASSERT_INTEQ(jl_store_session_list_stale(st, 4600, &v, &n, &err), 0);
	T_ASSERT_INTEQ(n, 1);
	if (n == 1) {
		T_ASSERT_INTEQ(v[0].id, ss.id);
		T_ASSERT_INTEQ(v[0].grant_id, g->id);
		T_ASSERT_STREQ(v[0].user, "alice");
		T_ASSERT_STREQ(v[0].service, "sshd");
		T_ASSERT_STREQ(v[0].rhost, "10.0.0.1");
		T_ASSERT_STREQ(v[0].tty, "pts/3");
		T_ASSERT_INTEQ(v[0].pid, 4242);
		T_ASSERT_INTEQ(v[0].pid_start, 987654);
		T_ASSERT_INTEQ(v[0].opened_at, 1500);
		T_ASSERT(v[0].closed_at == 0 && v[0].terminated_at == 0);
	}
	jl_sessions_free(v, n);
	T_ASSERT_INTEQ(jl_store_session_mark_terminated(st, ss.id, 4601, &err),
	    0);
	T_ASSERT_INTEQ(jl_store_session_mark_terminated(st, 777, 4601, &err),
	    -ENOENT);
	T_ASSERT_INTEQ(jl_store_session_list_stale(st, 5000, &v, &n, &err), 0);
	T_ASSERT_INTEQ(n, 0);
	jl_sessions_free(v, n);
	/* Close: once, by (grant, pid). */
	T_ASSERT_INTEQ(jl_store_session_close(st, g->id, 4243, 4700, &sid,
	                   &err),
	    0);
	T_ASSERT_INTEQ(jl_store_session_close(st, g->id, 4242, 4700, &sid,
	                   &err),
	    1);
	T_ASSERT_INTEQ(sid, ss.id);
	T_ASSERT_INTEQ(jl_store_session_close(st, g->id, 4242, 4800, &sid,
	                   &err),
	    0);
	raw_query("SELECT closed_at || ' ' || terminated_at FROM sessions", row,
	    sizeof(row));
	T_ASSERT_STREQ(row, "4700 4601");

	/* Views. */
	T_ASSERT_INTEQ(jl_store_view_insert(st, g->id, "alice", "payments",
	                   "/var/log/payments/debug.log", 2000, &vid, &err),
	    0);
	T_ASSERT(vid > 0);
	T_ASSERT_INTEQ(jl_store_view_close(st, vid, 2100, 12345,
	                   "{\"email\": 3}", &err),
	    0);
	T_ASSERT_INTEQ(jl_store_view_close(st, vid, 2200, 1, NULL, &err),
	    -ENOENT);
	T_ASSERT_INTEQ(jl_store_view_close(st, 999, 2200, 1, NULL, &err),
	    -ENOENT);
	raw_query("SELECT user || ' ' || resource || ' ' || file || ' ' ||"
	          " opened_at || ' ' || closed_at || ' ' || bytes || ' ' ||"
	          " redactions FROM views",
	    row, sizeof(row));
	T_ASSERT_STREQ(row,
	    "alice payments /var/log/payments/debug.log 2000 "
	    "2100 12345 {\"email\": 3}");
	jl_grant_free(g);
	drop_store(st);
}

int
main(void)
{
	T_RUN(test_round_trip);
	T_RUN(test_find_active);
	T_RUN(test_list);
	T_RUN(test_constraints);
	T_RUN(test_sessions_views);
	return T_DONE();
}

/* SPDX-License-Identifier: ISC */
/*
 * jl_seed_store: fill a jitlog store with a realistic history for the
 * benchmarks (bench/seed-store is the front end).  The store is created
 * or migrated by the project's own jl_store_init, so schema, indexes and
 * triggers are exactly what jitadm leaves behind; the rows then go in
 * through that schema directly -- one prepared statement per table,
 * reused, in large transactions -- because the store API prepares its
 * statements per call and one write transaction per action (right for
 * jitadm, minutes for a million grants).  The audit chain is computed
 * with the project's jl_audit_hash, continuing from the store's chain
 * head, so "jitadm audit verify" walks a valid chain and does real work;
 * -V checks it with jl_store_audit_verify.
 *
 * The history spans the last year: many users (N/20), 50 resources, and
 * mostly finished grants -- expired (85%), revoked, denied, cancelled,
 * lapsed -- plus approved grants whose window is over but which sweep has
 * not marked yet (4%: they sit in the active-grant index), a few pending,
 * scheduled and active ones.  Each grant has its audit events (request,
 * approve, the end), and the grants that ran were used: views of the log
 * and PAM sessions, each a row in views or sessions and an open and a
 * close event, as many as it takes to reach EVENTS audit events in all
 * (-E, default 5 per grant).  A subject user (-u) gets a history of its
 * own on -r RESOURCE and, with -a, one grant that holds now.
 *
 * With -L COUNT it then times COUNT lookups (the module's decision) on
 * fresh connections; -U USERS says how many users the store was seeded
 * with when N is 0 (an existing store).
 *
 * Usage: jl_seed_store [-u USER] [-r RESOURCE] [-a] [-V] [-E EVENTS]
 *        [-L COUNT] [-U USERS] DB N
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jitlog/audit.h"
#include "jitlog/parse.h"
#include "jitlog/store.h"

#define BATCH           50000
#define NRES            50
#define YEAR            ((int64_t)365 * 86400)
#define SUBJECT_HISTORY 200
#define MAX_USES        4

enum { S_GRANT, S_APPROVAL, S_AUDIT, S_VIEW, S_SESSION, NSTMT };

static const char *const sql[NSTMT] = {
	[S_GRANT] = "INSERT INTO grants (user, uid, resource, status, reason,"
	            " ticket, requested_at, starts_at, expires_at, ended_at,"
	            " ended_by, end_comment, duration_s, approvals_required)"
	            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	            " ?12, ?13, 1)",
	[S_APPROVAL] = "INSERT INTO approvals (grant_id, approver, at, uid)"
	               " VALUES (?1, ?2, ?3, ?4)",
	[S_AUDIT] = "INSERT INTO audit (seq, at, event, grant_id, actor, user,"
	            " resource, detail, hash)"
	            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_VIEW] = "INSERT INTO views (grant_id, user, resource, file,"
	           " opened_at, closed_at, bytes, redactions)"
	           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[S_SESSION] = "INSERT INTO sessions (grant_id, user, service, rhost,"
	              " tty, pid, pid_start, opened_at, closed_at)"
	              " VALUES (?1, ?2, ?3, ?4, 'ssh', ?5, ?6, ?7, ?8)",
};

static const char *const status_names[] = { "pending", "approved", "denied",
	"revoked", "cancelled", "lapsed", "expired" };

/* The event that ends a grant in each final status. */
static const char *const end_event[] = {
	[JL_ST_DENIED] = "deny",
	[JL_ST_REVOKED] = "revoke",
	[JL_ST_CANCELLED] = "cancel",
	[JL_ST_LAPSED] = "lapse",
	[JL_ST_EXPIRED] = "expire",
};

static const char *const reasons[] = {
	"payment retries failing for a merchant, need the debug log",
	"checking webhook delivery latency after the deploy",
	"card declined twice for a customer, looking at the trace",
	"on call: error rate above threshold on checkout",
};

struct seed {
	sqlite3 *db;
	sqlite3_stmt *st[NSTMT];
	int64_t now, seq, events, target;
	uint8_t prev[JL_HASH_BYTES];
	uint64_t rng;
	unsigned long n, done, counts[7];
	uid_t subject_uid;
};

/* One grant as seeded. */
struct row {
	int64_t id, t, dur, starts, expires, ended;
	enum jl_status st;
	const char *user, *resource, *approver;
	uid_t uid;
};

static uint64_t
next(struct seed *s)
{
	/* xorshift64*: reproducible, no libc state. */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 2685821657736338717ULL;
}

static int
fail(struct seed *s, const char *what)
{
	fprintf(stderr, "jl_seed_store: %s: %s\n", what, sqlite3_errmsg(s->db));
	return -1;
}

static void
rfc3339(int64_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(buf, n, "1970-01-01T00:00:00Z");
}

/* Bind text or NULL; SQLITE_TRANSIENT: the buffers are reused. */
static int
text(sqlite3_stmt *st, int i, const char *v)
{
	return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) :
	           sqlite3_bind_null(st, i);
}

static int
step(struct seed *s, int k, const char *what)
{
	int rc = sqlite3_step(s->st[k]);

	(void)sqlite3_reset(s->st[k]);
	(void)sqlite3_clear_bindings(s->st[k]);
	return rc == SQLITE_DONE ? 0 : fail(s, what);
}

/* Append one event to the chain: hash from the previous one, then insert. */
static int
event(struct seed *s, const char *name, int64_t at, const struct row *g,
    const char *actor, const char *detail)
{
	sqlite3_stmt *st = s->st[S_AUDIT];
	struct jl_event ev;
	uint8_t h[JL_HASH_BYTES];
	int rc;

	jl_event_init(&ev, name, at);
	ev.seq = s->seq + 1;
	ev.grant_id = g->id;
	ev.actor = actor;
	ev.user = g->user;
	ev.resource = g->resource;
	ev.detail = detail;
	if (jl_audit_hash(s->prev, &ev, h) < 0)
		return -1;
	jl_hex(h, JL_HASH_BYTES, ev.hash);
	rc = sqlite3_bind_int64(st, 1, ev.seq);
	rc |= sqlite3_bind_int64(st, 2, at);
	rc |= text(st, 3, name);
	rc |= sqlite3_bind_int64(st, 4, g->id);
	rc |= text(st, 5, actor);
	rc |= text(st, 6, g->user);
	rc |= text(st, 7, g->resource);
	rc |= text(st, 8, detail);
	rc |= text(st, 9, ev.hash);
	if (rc != SQLITE_OK || step(s, S_AUDIT, "audit") < 0)
		return -1;
	memcpy(s->prev, h, sizeof(h));
	s->seq++;
	s->events++;
	return 0;
}

/* Status of a grant requested at t, by the distribution above. */
static enum jl_status
pick_status(struct seed *s, int64_t t, int64_t dur)
{
	unsigned p = (unsigned)(next(s) % 1000);

	if (t + dur + 86400 > s->now) {
		/* Recent: some still pending, approved or scheduled. */
		if (p < 300)
			return JL_ST_APPROVED;
		if (p < 400)
			return JL_ST_PENDING;
	}
	if (p < 850)
		return JL_ST_EXPIRED;
	if (p < 890)
		return JL_ST_APPROVED; /* over, not swept yet */
	if (p < 930)
		return JL_ST_REVOKED;
	if (p < 960)
		return JL_ST_DENIED;
	if (p < 980)
		return JL_ST_CANCELLED;
	return JL_ST_LAPSED;
}

static int
insert_grant(struct seed *s, struct row *g, bool approved)
{
	sqlite3_stmt *st = s->st[S_GRANT];
	char reason[128], ticket[16];
	unsigned num = (unsigned)(next(s) % 90000) + 10000;
	int rc;

	(void)snprintf(reason, sizeof(reason), "INC-%u: %s", num,
	    reasons[num % (sizeof(reasons) / sizeof(*reasons))]);
	(void)snprintf(ticket, sizeof(ticket), "OPS-%u", num);
	rc = text(st, 1, g->user);
	rc |= sqlite3_bind_int64(st, 2, (int64_t)g->uid);
	rc |= text(st, 3, g->resource);
	rc |= text(st, 4, status_names[g->st]);
	rc |= text(st, 5, reason);
	rc |= text(st, 6, num % 3 == 0 ? ticket : NULL);
	rc |= sqlite3_bind_int64(st, 7, g->t);
	rc |= sqlite3_bind_int64(st, 8, approved ? g->starts : 0);
	rc |= sqlite3_bind_int64(st, 9, approved ? g->expires : 0);
	rc |= sqlite3_bind_int64(st, 10, g->ended);
	if (g->ended > 0 && g->st != JL_ST_EXPIRED) {
		rc |= text(st, 11, g->approver);
		rc |= text(st, 12, "done, thanks");
	}
	rc |= sqlite3_bind_int64(st, 13, g->dur);
	if (rc != SQLITE_OK || step(s, S_GRANT, "grant") < 0)
		return -1;
	g->id = sqlite3_last_insert_rowid(s->db);
	if (!approved)
		return 0;
	st = s->st[S_APPROVAL];
	rc = sqlite3_bind_int64(st, 1, g->id);
	rc |= text(st, 2, g->approver);
	rc |= sqlite3_bind_int64(st, 3, g->starts);
	/* "lead-NN" is uid 200000 + NN; the one "approver" 199999. */
	rc |= sqlite3_bind_int64(st, 4,
	    strncmp(g->approver, "lead-", 5) == 0 ?
	        200000 + atoi(g->approver + 5) :
	        199999);
	return rc != SQLITE_OK ? fail(s, "approval") :
	                         step(s, S_APPROVAL, "approval");
}

/* request, approve and the end, with the details jitadm writes. */
static int
lifecycle(struct seed *s, struct row *g, bool approved)
{
	char d[512], a[32], b[32];
	int r;

	(void)snprintf(d, sizeof(d),
	    "{\"reason\":\"seeded for the benchmark\",\"ticket\":null,"
	    "\"duration_s\":%" PRId64 ",\"start\":null,\"unredacted\":false}",
	    g->dur);
	r = event(s, "request", g->t, g, g->user, d);
	if (r == 0 && approved) {
		rfc3339(g->starts, a, sizeof(a));
		rfc3339(g->expires, b, sizeof(b));
		(void)snprintf(d, sizeof(d),
		    "{\"comment\":null,\"duration_s\":%" PRId64
		    ",\"approvals\":1,\"approvals_required\":1,"
		    "\"starts_at\":\"%s\",\"expires_at\":\"%s\"}",
		    g->dur, a, b);
		r = event(s, "approve", g->starts, g, g->approver, d);
	}
	if (r == 0 && g->ended > 0) {
		rfc3339(g->expires, b, sizeof(b));
		if (g->st == JL_ST_EXPIRED)
			(void)snprintf(d, sizeof(d),
			    "{\"expires_at\":\"%s\",\"continued_by\":null}", b);
		else
			(void)snprintf(d, sizeof(d),
			    "{\"comment\":\"done, thanks\"}");
		r = event(s, end_event[g->st], g->ended, g,
		    g->st == JL_ST_EXPIRED ? NULL : g->approver, d);
	}
	return r;
}

/* A view of the resource's log at t: the row and view_open, view_close. */
static int
use_view(struct seed *s, const struct row *g, int64_t t, int64_t len)
{
	sqlite3_stmt *st = s->st[S_VIEW];
	char file[96], d[512], red[256], b[32];
	int64_t id, bytes = (int64_t)(next(s) % 50000000);
	unsigned k = (unsigned)(next(s) % 40);
	int rc;

	(void)snprintf(file, sizeof(file), "/var/log/%s/debug.log",
	    g->resource);
	(void)snprintf(red, sizeof(red),
	    "{\"jwt\":%u,\"bearer\":%u,\"email\":%u,\"aws-access-key\":0,"
	    "\"url-credentials\":%u,\"card-number\":%u,"
	    "\"secret-assignment\":%u}",
	    k / 3, k, k * 2, k / 5, k / 7, k / 2);
	rc = sqlite3_bind_int64(st, 1, g->id);
	rc |= text(st, 2, g->user);
	rc |= text(st, 3, g->resource);
	rc |= text(st, 4, file);
	rc |= sqlite3_bind_int64(st, 5, t);
	rc |= sqlite3_bind_int64(st, 6, t + len);
	rc |= sqlite3_bind_int64(st, 7, bytes);
	rc |= text(st, 8, red);
	if (rc != SQLITE_OK || step(s, S_VIEW, "view") < 0)
		return -1;
	id = sqlite3_last_insert_rowid(s->db);
	rfc3339(g->expires, b, sizeof(b));
	(void)snprintf(d, sizeof(d),
	    "{\"view_id\":%" PRId64 ",\"file\":\"%s\",\"unredacted\":false,"
	    "\"follow\":%s,\"lines\":null,\"expires_at\":\"%s\"}",
	    id, file, k % 2 ? "true" : "false", b);
	if (event(s, "view_open", t, g, g->user, d) < 0)
		return -1;
	(void)snprintf(d, sizeof(d),
	    "{\"view_id\":%" PRId64 ",\"file\":\"%s\",\"bytes\":%" PRId64
	    ",\"bytes_read\":%" PRId64 ",\"redactions\":%s,\"end\":\"eof\"}",
	    id, file, bytes, bytes, red);
	return event(s, "view_close", t + len, g, g->user, d);
}

/* A PAM session at t: the row and session_open, session_close. */
static int
use_session(struct seed *s, const struct row *g, int64_t t, int64_t len)
{
	sqlite3_stmt *st = s->st[S_SESSION];
	char rhost[32], d[256];
	int64_t id, pid = (int64_t)(next(s) % 4000000) + 1000;
	int rc;

	(void)snprintf(rhost, sizeof(rhost), "10.%u.%u.%u",
	    (unsigned)(next(s) % 256), (unsigned)(next(s) % 256),
	    (unsigned)(next(s) % 254) + 1);
	rc = sqlite3_bind_int64(st, 1, g->id);
	rc |= text(st, 2, g->user);
	rc |= text(st, 3, "sshd");
	rc |= text(st, 4, rhost);
	rc |= sqlite3_bind_int64(st, 5, pid);
	rc |= sqlite3_bind_int64(st, 6, (int64_t)(next(s) % 100000000));
	rc |= sqlite3_bind_int64(st, 7, t);
	rc |= sqlite3_bind_int64(st, 8, t + len);
	if (rc != SQLITE_OK || step(s, S_SESSION, "session") < 0)
		return -1;
	id = sqlite3_last_insert_rowid(s->db);
	(void)snprintf(d, sizeof(d),
	    "{\"phase\":\"session\",\"service\":\"sshd\",\"rhost\":\"%s\","
	    "\"tty\":\"ssh\",\"pid\":%" PRId64 ",\"session_id\":%" PRId64 "}",
	    rhost, pid, id);
	if (event(s, "session_open", t, g, g->user, d) < 0)
		return -1;
	return event(s, "session_close", t + len, g, g->user, d);
}

/* Views and sessions inside the grant's window, two events each, as
 * many as keep the event count on its way to the target (at most
 * MAX_USES). */
static int
uses(struct seed *s, const struct row *g)
{
	int64_t want, win, t, len;
	unsigned i, k;

	if (s->target <= 0 || s->n == 0 || g->starts == 0)
		return 0;
	want =
	    (int64_t)((double)s->target * (double)(s->done + 1) / (double)s->n);
	k = want > s->events ? (unsigned)((want - s->events + 1) / 2) : 0;
	k = k > MAX_USES ? MAX_USES : k;
	win = (g->ended > 0 ? g->ended : g->expires) - g->starts;
	for (i = 0; i < k && win > 60; i++) {
		t = g->starts + (int64_t)(next(s) % (uint64_t)(win - 30));
		len = 1 + (int64_t)(next(s) % (uint64_t)(g->starts + win - t));
		if (t + len > s->now)
			break; /* still running */
		if ((next(s) % 3 == 0 ? use_session(s, g, t, len) :
		                        use_view(s, g, t, len)) < 0)
			return -1;
	}
	return 0;
}

/* One grant with its approval, its events and its uses. */
static int
add(struct seed *s, struct row *g)
{
	bool approved = g->st == JL_ST_APPROVED || g->st == JL_ST_EXPIRED ||
	    g->st == JL_ST_REVOKED;

	g->starts = approved ? g->t + 120 : 0;
	g->expires = approved ? g->starts + g->dur : 0;
	if (g->st == JL_ST_APPROVED || g->st == JL_ST_PENDING)
		g->ended = 0;
	else if (g->st == JL_ST_REVOKED)
		g->ended = g->starts + g->dur / 2;
	else
		g->ended = approved ? g->expires : g->t + 600;
	if (g->ended > s->now) {
		/* Not over yet: still running, or still waiting. */
		g->st = approved ? JL_ST_APPROVED : JL_ST_PENDING;
		g->ended = 0;
	}
	if (insert_grant(s, g, approved) < 0 || lifecycle(s, g, approved) < 0)
		return -1;
	s->counts[g->st]++;
	return uses(s, g);
}

static int
exec(struct seed *s, const char *q)
{
	return sqlite3_exec(s->db, q, NULL, NULL, NULL) == SQLITE_OK ?
	    0 :
	    fail(s, q);
}

static int
commit_every(struct seed *s, unsigned long i)
{
	if (i % BATCH != 0)
		return 0;
	return exec(s, "COMMIT") < 0 ? -1 : exec(s, "BEGIN IMMEDIATE");
}

static int
history(struct seed *s, const char *subject, const char *resource, bool active)
{
	unsigned long users = s->n / 20 + 1, i;
	char user[32], res[32], appr[40];
	struct row g;
	int r = 0;

	for (i = 0; i < s->n && r == 0; i++, s->done++) {
		memset(&g, 0, sizeof(g));
		g.t = s->now - YEAR + (int64_t)(i * (uint64_t)YEAR / s->n);
		g.dur = 900 * (int64_t)(1 + next(s) % 16);
		g.uid = (uid_t)(next(s) % users);
		(void)snprintf(user, sizeof(user), "user%06lu",
		    (unsigned long)g.uid);
		g.uid += 100000;
		(void)snprintf(res, sizeof(res), "res-%02u",
		    (unsigned)(next(s) % NRES));
		(void)snprintf(appr, sizeof(appr), "lead-%s", res + 4);
		g.user = user;
		g.resource = res;
		g.approver = appr;
		g.st = pick_status(s, g.t, g.dur);
		r = add(s, &g);
		if (r == 0)
			r = commit_every(s, i + 1);
	}
	for (i = 0; subject && s->n > 0 && i < SUBJECT_HISTORY && r == 0; i++) {
		memset(&g, 0, sizeof(g));
		g.t = s->now - YEAR + (int64_t)i * (YEAR / SUBJECT_HISTORY);
		g.dur = 3600;
		g.user = subject;
		g.uid = s->subject_uid;
		g.resource = resource;
		g.approver = "approver";
		g.st = JL_ST_EXPIRED;
		r = add(s, &g);
	}
	if (subject && active && r == 0) {
		memset(&g, 0, sizeof(g));
		g.t = s->now - 300;
		g.dur = 4 * 3600;
		g.user = subject;
		g.uid = s->subject_uid;
		g.resource = resource;
		g.approver = "approver";
		g.st = JL_ST_APPROVED;
		r = add(s, &g);
	}
	return r;
}

/* Continue the chain where the store's ends. */
static int
chain_head(struct seed *s)
{
	sqlite3_stmt *st = NULL;
	const char *hex;
	int r = 0, rc;

	memset(s->prev, 0, sizeof(s->prev));
	if (sqlite3_prepare_v2(s->db,
	        "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", -1,
	        &st, NULL) != SQLITE_OK)
		return fail(s, "chain head");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		s->seq = sqlite3_column_int64(st, 0);
		hex = (const char *)sqlite3_column_text(st, 1);
		if (hex == NULL || jl_unhex(hex, s->prev, JL_HASH_BYTES) < 0) {
			fprintf(stderr,
			    "jl_seed_store: chain head unreadable\n");
			r = -1;
		}
	} else if (rc != SQLITE_DONE) {
		r = fail(s, "chain head");
	}
	sqlite3_finalize(st);
	return r;
}

/* Open the store jl_store_init made, prepare, seed, commit. */
static int
seed(struct seed *s, const char *path, const char *subject,
    const char *resource, bool active)
{
	int r = -1, i;

	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		fail(s, path);
		goto out;
	}
	/* Bulk load: a big page cache; the chain and the rows are whole
	 * after the final checkpoint, which is all a benchmark needs. */
	if (exec(s,
	        "PRAGMA foreign_keys = ON; PRAGMA synchronous = OFF;"
	        " PRAGMA cache_size = -262144") < 0 ||
	    chain_head(s) < 0)
		goto out;
	for (i = 0; i < NSTMT; i++)
		if (sqlite3_prepare_v2(s->db, sql[i], -1, &s->st[i], NULL) !=
		    SQLITE_OK) {
			fail(s, sql[i]);
			goto out;
		}
	if (exec(s, "BEGIN IMMEDIATE") < 0)
		goto out;
	if (history(s, subject, resource, active) < 0) {
		(void)exec(s, "ROLLBACK");
		goto out;
	}
	if (exec(s, "COMMIT") < 0 ||
	    exec(s, "PRAGMA wal_checkpoint(TRUNCATE)") < 0)
		goto out;
	r = 0;
out:
	for (i = 0; i < NSTMT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	s->db = NULL;
	return r;
}

static int
verify(struct seed *s, const char *path, const char *subject,
    const char *resource)
{
	struct jl_store_opts o;
	struct jl_store *st = NULL;
	struct jl_error err;
	struct timespec a, b;
	int64_t count = 0, bad = 0, id = 0, exp = 0;
	const char *what;
	int r;

	jl_store_opts_default(&o);
	o.owner = (uid_t)-1;
	if (jl_store_open(path, &o, &st, &err) < 0) {
		fprintf(stderr, "jl_seed_store: %s\n", err.msg);
		return 1;
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &a);
	r = jl_store_grant_find_active(st, subject, s->subject_uid, resource,
	    s->now, &id, &exp, &err);
	(void)clock_gettime(CLOCK_MONOTONIC, &b);
	what = r == 1 ? "active" : r == 0 ? "none" : err.msg;
	printf("lookup %s on %s: %s (grant %" PRId64 ") in %ld us\n", subject,
	    resource, what, id,
	    (long)((b.tv_sec - a.tv_sec) * 1000000 +
	        (b.tv_nsec - a.tv_nsec) / 1000));
	r = jl_store_audit_verify(st, &count, &bad, &err);
	printf("audit chain: %s (%" PRId64 " events)\n",
	    r == 0 ? "intact" : "BROKEN", count);
	if (r != 0)
		printf("  %s\n", err.msg);
	jl_store_close(st);
	return r == 0 ? 0 : 1;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The decision alone: count lookups, each on a fresh connection (as the
 * module makes one per call), timing only jl_store_grant_find_active:
 * the subject on its resource, random users on a random resource, on
 * the subject's resource and on any resource.
 */
static int
lookups(struct seed *s, const char *db, unsigned long count,
    unsigned long users, const char *subject, const char *resource)
{
	struct jl_store_opts o;
	struct jl_store *st = NULL;
	struct jl_error err;
	struct timespec a, b;
	char user[32], res[32];
	const char *u, *rs;
	int64_t *t, id, exp;
	unsigned long i, n, found = 0;
	uid_t uid;
	int r = 0;

	t = calloc(count, sizeof(*t));
	if (t == NULL)
		return -1;
	jl_store_opts_default(&o);
	o.owner = (uid_t)-1;
	for (i = 0; i < count && r >= 0; i++) {
		n = next(s) % users;
		(void)snprintf(user, sizeof(user), "user%06lu", n);
		(void)snprintf(res, sizeof(res), "res-%02u",
		    (unsigned)(next(s) % NRES));
		u = i % 4 == 0 && subject ? subject : user;
		uid = u == user ? (uid_t)(n + 100000) : s->subject_uid;
		if (i % 4 == 1)
			rs = res;
		else if (i % 4 == 3)
			rs = NULL;
		else
			rs = resource;
		r = jl_store_open(db, &o, &st, &err);
		if (r < 0)
			break;
		(void)clock_gettime(CLOCK_MONOTONIC, &a);
		r = jl_store_grant_find_active(st, u, uid, rs, s->now, &id,
		    &exp, &err);
		(void)clock_gettime(CLOCK_MONOTONIC, &b);
		jl_store_close(st);
		found += r == 1;
		t[i] = (b.tv_sec - a.tv_sec) * 1000000000 +
		    (b.tv_nsec - a.tv_nsec);
	}
	if (r < 0) {
		fprintf(stderr, "jl_seed_store: lookup: %s\n", err.msg);
		free(t);
		return r;
	}
	qsort(t, count, sizeof(*t), cmp64);
	printf("lookups: %lu (%lu found active), p50 %.1f us, p99 %.1f us, "
	       "max %.1f us\n",
	    count, found, (double)t[count / 2] / 1e3,
	    (double)t[count * 99 / 100] / 1e3, (double)t[count - 1] / 1e3);
	free(t);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: jl_seed_store [-u USER] [-r RESOURCE] [-a] [-V] "
	    "[-E EVENTS] [-L COUNT] [-U USERS] DB N\n");
	exit(2);
}

static void
report(const struct seed *s, bool subject, bool active)
{
	printf("seeded %lu grants: %lu expired, %lu approved, "
	       "%lu revoked, %lu denied, %lu pending, %lu other; "
	       "%" PRId64 " audit events\n",
	    s->n + (subject && s->n > 0 ? SUBJECT_HISTORY : 0) +
	        (subject && active),
	    s->counts[JL_ST_EXPIRED], s->counts[JL_ST_APPROVED],
	    s->counts[JL_ST_REVOKED], s->counts[JL_ST_DENIED],
	    s->counts[JL_ST_PENDING],
	    s->counts[JL_ST_CANCELLED] + s->counts[JL_ST_LAPSED], s->events);
}

int
main(int argc, char **argv)
{
	struct seed s = { 0 };
	struct jl_error err;
	const char *subject = NULL, *resource = "payments-debug";
	const struct passwd *pw;
	bool active = false, check = false;
	uint64_t n, nlook = 0, users = 0, events = UINT64_MAX;
	int c, r;

	while ((c = getopt(argc, argv, "u:r:aVE:L:U:")) != -1) {
		switch (c) {
		case 'u':
			subject = optarg;
			break;
		case 'r':
			resource = optarg;
			break;
		case 'a':
			active = true;
			break;
		case 'V':
			check = true;
			break;
		case 'E':
			if (jl_parse_uint(optarg, 1000000000, &events) < 0)
				usage();
			break;
		case 'L':
			if (jl_parse_uint(optarg, 10000000, &nlook) < 0)
				usage();
			break;
		case 'U':
			if (jl_parse_uint(optarg, 100000000, &users) < 0 ||
			    users == 0)
				usage();
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 ||
	    jl_parse_uint(argv[optind + 1], 100000000, &n) < 0 ||
	    !jl_valid_resource_name(resource) || (active && subject == NULL))
		usage();
	s.now = (int64_t)time(NULL);
	s.rng = 0x9e3779b97f4a7c15ULL ^ n;
	s.n = (unsigned long)n;
	s.target = events == UINT64_MAX ? 5 * (int64_t)n : (int64_t)events;
	if (subject != NULL && (pw = getpwnam(subject)) != NULL)
		s.subject_uid = pw->pw_uid;
	if (jl_store_init(argv[optind], (gid_t)-1, &err) < 0) {
		fprintf(stderr, "jl_seed_store: %s\n", err.msg);
		return 3;
	}
	r = seed(&s, argv[optind], subject, resource, active);
	if (r == 0 && (n > 0 || active))
		report(&s, subject != NULL, active);
	if (r == 0 && check && subject)
		r = verify(&s, argv[optind], subject, resource);
	if (r == 0 && nlook > 0)
		r = lookups(&s, argv[optind], (unsigned long)nlook,
		    users ? (unsigned long)users : (unsigned long)n / 20 + 1,
		    subject, resource);
	return r == 0 ? 0 : 3;
}

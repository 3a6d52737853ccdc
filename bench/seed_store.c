/* SPDX-License-Identifier: ISC */
/*
 * jl_seed_store: fill a jitlog store with a realistic history for the
 * benchmarks (bench/seed-store is the front end).  Everything goes through
 * the project's own code paths -- jl_store_init, jl_store_grant_insert with
 * its approvals, jl_store_audit_append with the hash chain -- in batched
 * BEGIN IMMEDIATE transactions, so the schema, the indexes and the audit
 * chain are exactly what jitadm would leave behind.
 *
 * The history spans the last year: many users (N/20), 50 resources, and
 * mostly finished grants -- expired (85%), revoked, denied, cancelled,
 * lapsed -- plus approved grants whose window is over but which sweep has
 * not marked yet (4%: they sit in the active-grant index), a few pending,
 * scheduled and active ones.  A subject user (--user) gets a history of
 * its own on --resource and, with --active, one grant that holds now.
 *
 * With -L COUNT it then times COUNT lookups (the module's decision) on
 * fresh connections; -U USERS says how many users the store was seeded
 * with when N is 0 (an existing store).
 *
 * Usage: jl_seed_store [-u USER] [-r RESOURCE] [-a] [-V] [-L COUNT]
 *        [-U USERS] DB N
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jitlog/audit.h"
#include "jitlog/parse.h"
#include "jitlog/store.h"

#define BATCH           5000
#define NRES            50
#define YEAR            ((int64_t)365 * 86400)
#define SUBJECT_HISTORY 200

struct seed {
	struct jl_store *st;
	int64_t now;
	uint64_t rng;
	unsigned long counts[8];
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
event(struct seed *s, const char *name, int64_t at, const struct jl_grant *g,
    const char *actor)
{
	struct jl_event ev;
	struct jl_error err;
	int r;

	jl_event_init(&ev, name, at);
	ev.grant_id = g->id;
	ev.actor = actor;
	ev.user = g->user;
	ev.resource = g->resource;
	ev.detail = "{\"reason\":\"seeded\"}";
	r = jl_store_audit_append(s->st, &ev, &err);
	if (r < 0)
		fprintf(stderr, "jl_seed_store: %s\n", err.msg);
	return r;
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

/* The event that ends a grant in each final status. */
static const char *const end_event[] = {
	[JL_ST_DENIED] = "deny",
	[JL_ST_REVOKED] = "revoke",
	[JL_ST_CANCELLED] = "cancel",
	[JL_ST_LAPSED] = "lapse",
	[JL_ST_EXPIRED] = "expire",
};

/* One grant with its approval and its audit events. */
static int
add(struct seed *s, const char *user, const char *resource, int64_t t,
    enum jl_status st, int64_t dur)
{
	struct jl_approval ap = { (char *)(uintptr_t) "approver", t + 120,
		NULL };
	struct jl_grant g = { 0 };
	struct jl_error err;
	bool approved =
	    st == JL_ST_APPROVED || st == JL_ST_EXPIRED || st == JL_ST_REVOKED;
	int r;

	g.user = (char *)(uintptr_t)user;
	g.resource = (char *)(uintptr_t)resource;
	g.status = st;
	g.reason = (char *)(uintptr_t) "seeded for the benchmark";
	g.requested_at = t;
	g.duration_s = dur;
	g.approvals_required = 1;
	if (approved) {
		g.starts_at = t + 120;
		g.expires_at = t + 120 + dur;
		g.approvals = &ap;
		g.napprovals = 1;
	}
	if (st != JL_ST_APPROVED && st != JL_ST_PENDING) {
		g.ended_at = approved ? g.expires_at : t + 600;
		g.ended_by =
		    st == JL_ST_EXPIRED ? NULL : (char *)(uintptr_t) "approver";
	}
	r = jl_store_grant_insert(s->st, &g, &err);
	if (r < 0) {
		fprintf(stderr, "jl_seed_store: %s\n", err.msg);
		return r;
	}
	s->counts[st]++;
	r = event(s, "request", t, &g, user);
	if (r == 0 && approved)
		r = event(s, "approve", t + 120, &g, "approver");
	if (r == 0 && st != JL_ST_APPROVED && st != JL_ST_PENDING)
		r = event(s, end_event[st], g.ended_at, &g,
		    approved && st == JL_ST_EXPIRED ? NULL : "approver");
	return r;
}

static int
commit_every(struct seed *s, unsigned long i)
{
	struct jl_error err;

	if (i % BATCH != 0)
		return 0;
	if (jl_store_commit(s->st, &err) < 0 ||
	    jl_store_begin(s->st, &err) < 0) {
		fprintf(stderr, "jl_seed_store: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
seed(struct seed *s, unsigned long n, const char *subject, const char *resource,
    bool active)
{
	unsigned long users = n / 20 + 1, i;
	char user[32], res[32];
	int64_t t, dur;
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		t = s->now - YEAR + (int64_t)(i * (uint64_t)YEAR / n);
		dur = 900 * (int64_t)(1 + next(s) % 16);
		(void)snprintf(user, sizeof(user), "user%06lu",
		    (unsigned long)(next(s) % users));
		(void)snprintf(res, sizeof(res), "res-%02u",
		    (unsigned)(next(s) % NRES));
		r = add(s, user, res, t, pick_status(s, t, dur), dur);
		if (r == 0)
			r = commit_every(s, i + 1);
	}
	for (i = 0; subject && n > 0 && i < SUBJECT_HISTORY && r == 0; i++) {
		t = s->now - YEAR + (int64_t)i * (YEAR / SUBJECT_HISTORY);
		r = add(s, subject, resource, t, JL_ST_EXPIRED, 3600);
	}
	if (subject && active && r == 0)
		r = add(s, subject, resource, s->now - 300, JL_ST_APPROVED,
		    4 * 3600);
	return r;
}

static int
verify(struct seed *s, const char *subject, const char *resource)
{
	struct jl_error err;
	struct timespec a, b;
	int64_t count = 0, bad = 0, id = 0, exp = 0;
	const char *what;
	int r;

	(void)clock_gettime(CLOCK_MONOTONIC, &a);
	r = jl_store_grant_find_active(s->st, subject, resource, s->now, &id,
	    &exp, &err);
	(void)clock_gettime(CLOCK_MONOTONIC, &b);
	what = r == 1 ? "active" : r == 0 ? "none" : err.msg;
	printf("lookup %s on %s: %s (grant %" PRId64 ") in %ld us\n", subject,
	    resource, what, id,
	    (long)((b.tv_sec - a.tv_sec) * 1000000 +
	        (b.tv_nsec - a.tv_nsec) / 1000));
	r = jl_store_audit_verify(s->st, &count, &bad, &err);
	printf("audit chain: %s (%" PRId64 " events)\n",
	    r == 0 ? "intact" : "BROKEN", count);
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
	unsigned long i, found = 0;
	int r = 0;

	t = calloc(count, sizeof(*t));
	if (t == NULL)
		return -1;
	jl_store_opts_default(&o);
	o.owner = (uid_t)-1;
	for (i = 0; i < count && r >= 0; i++) {
		(void)snprintf(user, sizeof(user), "user%06lu",
		    (unsigned long)(next(s) % users));
		(void)snprintf(res, sizeof(res), "res-%02u",
		    (unsigned)(next(s) % NRES));
		u = i % 4 == 0 && subject ? subject : user;
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
		r = jl_store_grant_find_active(st, u, rs, s->now, &id, &exp,
		    &err);
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
	    "[-L COUNT] [-U USERS] DB N\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct seed s = { 0 };
	struct jl_store_opts o;
	struct jl_error err;
	const char *subject = NULL, *resource = "payments-debug";
	bool active = false, check = false;
	uint64_t n, nlook = 0, users = 0;
	int c, r;

	while ((c = getopt(argc, argv, "u:r:aVL:U:")) != -1) {
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
	    !jl_valid_resource_name(resource))
		usage();
	s.now = (int64_t)time(NULL);
	s.rng = 0x9e3779b97f4a7c15ULL ^ n;
	if (jl_store_init(argv[optind], (gid_t)-1, &err) < 0) {
		fprintf(stderr, "jl_seed_store: %s\n", err.msg);
		return 3;
	}
	jl_store_opts_default(&o);
	o.owner = (uid_t)-1;
	if (jl_store_open(argv[optind], &o, &s.st, &err) < 0 ||
	    jl_store_begin(s.st, &err) < 0) {
		fprintf(stderr, "jl_seed_store: %s\n", err.msg);
		return 3;
	}
	r = seed(&s, (unsigned long)n, subject, resource, active);
	if (r == 0 && jl_store_commit(s.st, &err) < 0) {
		fprintf(stderr, "jl_seed_store: %s\n", err.msg);
		r = -1;
	}
	if (r == 0 && (n > 0 || active)) {
		printf("seeded %lu grants: %lu expired, %lu approved, "
		       "%lu revoked, %lu denied, %lu pending, %lu other\n",
		    (unsigned long)n +
		        (subject && n > 0 ? SUBJECT_HISTORY : 0) + active,
		    s.counts[JL_ST_EXPIRED], s.counts[JL_ST_APPROVED],
		    s.counts[JL_ST_REVOKED], s.counts[JL_ST_DENIED],
		    s.counts[JL_ST_PENDING],
		    s.counts[JL_ST_CANCELLED] + s.counts[JL_ST_LAPSED]);
	}
	if (r == 0 && check && subject)
		r = verify(&s, subject, resource);
	if (r != 0) {
		jl_store_rollback(s.st);
	}
	jl_store_close(s.st);
	if (r == 0 && nlook > 0)
		r = lookups(&s, argv[optind], (unsigned long)nlook,
		    users ? (unsigned long)users : (unsigned long)n / 20 + 1,
		    subject, resource);
	return r == 0 ? 0 : 3;
}

/* SPDX-License-Identifier: ISC */
/*
 * A fixture for the unit tests of actions over a real store (test_ops.c,
 * test_sweep.c, test_extend.c): a private temporary directory of stores,
 * a config parsed from the test's text, hand-made identities (user
 * principals only, so no NSS is needed) and an injected clock.
 * Header-only: define _GNU_SOURCE first, include it once after t.h, and
 * call fx_setup(text) first and fx_teardown() last.  fx_race runs a race
 * of processes on one store.
 */
#ifndef JL_OPS_FIXTURE_H
#define JL_OPS_FIXTURE_H

#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jitlog/config.h"
#include "jitlog/ops.h"
#include "jitlog/store.h"

#define T0   ((int64_t)1800000000) /* 2027-01-15T08:00:00Z */
#define MIN  ((int64_t)60)
#define HOUR ((int64_t)3600)

static char fx_dir[64];
static int fx_ndb;
static struct jl_config *fx_cfg;

static char fx_n_alice[] = "alice", fx_n_bob[] = "bob", fx_n_carol[] = "carol",
            fx_n_dave[] = "dave", fx_n_erin[] = "erin",
            fx_n_mallory[] = "mallory", fx_n_root[] = "root";
static __attribute__((unused)) struct jl_ident alice = { 1001, 1001, fx_n_alice,
	NULL, 0, NULL };
static __attribute__((unused)) struct jl_ident bob = { 1002, 1002, fx_n_bob,
	NULL, 0, NULL };
static __attribute__((unused)) struct jl_ident carol = { 1003, 1003, fx_n_carol,
	NULL, 0, NULL };
static __attribute__((unused)) struct jl_ident dave = { 1004, 1004, fx_n_dave,
	NULL, 0, NULL };
static __attribute__((unused)) struct jl_ident erin = { 1005, 1005, fx_n_erin,
	NULL, 0, NULL };
static __attribute__((unused)) struct jl_ident mallory = { 1006, 1006,
	fx_n_mallory, NULL, 0, NULL };
static __attribute__((unused)) struct jl_ident root = { 0, 0, fx_n_root, NULL,
	0, NULL };

static int
fx_rm(const char *p, const struct stat *sb, int type, struct FTW *f)
{
	(void)sb;
	(void)type;
	(void)f;
	return remove(p);
}

static void
fx_setup(const char *config_text)
{
	struct jl_error err = { "" };

	snprintf(fx_dir, sizeof(fx_dir), "/tmp/jl_fx.XXXXXX");
	if (mkdtemp(fx_dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	if (jl_config_parse(config_text, "test.conf", &fx_cfg, &err) < 0) {
		fprintf(stderr, "config: %s\n", err.msg);
		exit(1);
	}
}

static void
fx_teardown(void)
{
	jl_config_free(fx_cfg);
	(void)nftw(fx_dir, fx_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * A new connection to store n (the nth fx_store made, fx_ndb the latest),
 * for another process that works on the same store; NULL, said on
 * stderr, on failure.
 */
static struct jl_store *
fx_open(int n)
{
	struct jl_store_opts o;
	struct jl_store *st = NULL;
	struct jl_error err = { "" };
	char path[128];

	snprintf(path, sizeof(path), "%s/%d.db", fx_dir, n);
	jl_store_opts_default(&o);
	o.owner = (uid_t)-1; /* not root: skip the owner checks */
	o.busy_ms = 20000;
	if (jl_store_open(path, &o, &st, &err) != 0) {
		fprintf(stderr, "open %s: %s\n", path, err.msg);
		return NULL;
	}
	return st;
}

/* A fresh store; c set up for who at T0 (no journal). */
static void
fx_store(struct jl_ctx *c, const struct jl_ident *who)
{
	struct jl_error err = { "" };
	char path[128];

	snprintf(path, sizeof(path), "%s/%d.db", fx_dir, ++fx_ndb);
	if (jl_store_init(path, (gid_t)-1, &err) < 0) {
		fprintf(stderr, "init %s: %s\n", path, err.msg);
		exit(1);
	}
	memset(c, 0, sizeof(*c));
	if ((c->store = fx_open(fx_ndb)) == NULL)
		exit(1);
	c->cfg = fx_cfg;
	c->who = who;
	c->now = T0;
	c->prog = "test";
	c->no_journal = true;
}

/* Number of audit events; the chain must verify. */
static int64_t
fx_nevents(struct jl_store *st)
{
	struct jl_error err = { "" };
	int64_t n = -1, bad = 0;
	int r;

	r = jl_store_audit_verify(st, &n, &bad, &err);
	T_ASSERT_INTEQ(r, 0);
	return r == 0 ? n : -1;
}

struct fx_event {
	char event[32];
	char detail[1024];
	char actor[32];
	char user[32];
	int64_t grant_id;
};

static int
fx_last_cb(const struct jl_event *ev, void *p)
{
	struct fx_event *l = p;

	snprintf(l->event, sizeof(l->event), "%s", ev->event);
	snprintf(l->detail, sizeof(l->detail), "%s", ev->detail);
	snprintf(l->actor, sizeof(l->actor), "%s", ev->actor ? ev->actor : "");
	snprintf(l->user, sizeof(l->user), "%s", ev->user ? ev->user : "");
	l->grant_id = ev->grant_id;
	return 0;
}

/* The last audit event (of grant id, 0: any). */
static struct fx_event
fx_last(struct jl_store *st, int64_t id)
{
	struct fx_event l;
	struct jl_error err = { "" };

	memset(&l, 0, sizeof(l));
	T_ASSERT_INTEQ(jl_store_audit_foreach(st, 0, id, fx_last_cb, &l, &err),
	    0);
	return l;
}

/* A request of who on resource at c->now; its id (0 on failure). */
static int64_t
fx_request(struct jl_ctx *c, const struct jl_ident *who, const char *resource,
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
	if (r == 0)
		id = g->id;
	else
		fprintf(stderr, "request: %s\n", err.msg);
	jl_grant_free(g);
	return id;
}

/* who approves id at c->now; the action's result. */
static int
fx_approve(struct jl_ctx *c, const struct jl_ident *who, int64_t id)
{
	struct jl_error err = { "" };
	const struct jl_ident *saved = c->who;
	int r;

	c->who = who;
	r = jl_op_approve(c, id, NULL, 0, NULL, &err);
	c->who = saved;
	return r;
}

/* A grant of who on resource approved by approver at c->now. */
static __attribute__((unused)) int64_t
fx_active(struct jl_ctx *c, const struct jl_ident *who,
    const struct jl_ident *approver, const char *resource, int64_t duration)
{
	int64_t id = fx_request(c, who, resource, duration);

	T_ASSERT_INTEQ(fx_approve(c, approver, id), 0);
	return id;
}

static struct jl_grant *
fx_get(struct jl_store *st, int64_t id)
{
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;

	T_ASSERT_INTEQ(jl_store_grant_get(st, id, &g, &err), 0);
	return g;
}

static enum jl_state
fx_state(struct jl_ctx *c, int64_t id)
{
	struct jl_grant *g = fx_get(c->store, id);
	enum jl_state s = JL_REVOKED;

	if (g != NULL)
		s = jl_grant_state(g, c->now, fx_cfg->request_ttl);
	jl_grant_free(g);
	return s;
}

static __attribute__((unused)) enum jl_status
fx_status(struct jl_ctx *c, int64_t id)
{
	struct jl_grant *g = fx_get(c->store, id);
	enum jl_status s = JL_ST_REVOKED;

	if (g != NULL)
		s = g->status;
	jl_grant_free(g);
	return s;
}

/* Most processes in one fx_race. */
#define FX_RACE_MAX 32

/* How the processes of a race ended. */
struct fx_tally {
	int done;    /* exit 0 */
	int refused; /* exit 1 */
	int other;   /* any other end, or not started or not waited for */
};

/*
 * A race of n processes (at most FX_RACE_MAX): process i runs
 * racer(i, gate, arg), which gets ready (e.g. fx_open), reads gate until
 * EOF -- given to all at once, when the pipe is closed after the last
 * fork -- then races and _exit()s 0 when done, 1 when refused, other on
 * error.  Waits for them all and counts how they ended.
 */
static __attribute__((unused)) struct fx_tally
fx_race(int n, void (*racer)(int i, int gate, void *arg), void *arg)
{
	struct fx_tally t = { 0, 0, 0 };
	pid_t pids[FX_RACE_MAX];
	int p[2], i, st;

	T_ASSERT(n > 0 && n <= FX_RACE_MAX);
	if (n > FX_RACE_MAX) {
		t.other = n;
		return t;
	}
	T_ASSERT(pipe(p) == 0);
	fflush(NULL);
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(p[1]);
			racer(i, p[0], arg);
			_exit(3);
		}
		T_ASSERT(pids[i] > 0);
	}
	/* All start together: EOF on the pipe releases them at once. */
	close(p[0]);
	close(p[1]);
	for (i = 0; i < n; i++) {
		if (pids[i] <= 0 || waitpid(pids[i], &st, 0) != pids[i] ||
		    !WIFEXITED(st))
			t.other++;
		else if (WEXITSTATUS(st) == 0)
			t.done++;
		else if (WEXITSTATUS(st) == 1)
			t.refused++;
		else
			t.other++;
	}
	return t;
}

#endif

/* SPDX-License-Identifier: ISC */
/*
 * decide_parts: where the time of one account decision goes, the steps
 * pam_jitlog takes for it timed one by one through the shared core:
 * loading the config, the caller's identity from NSS (the passwd entry:
 * the module looks up the group list only for exempt_group), opening and
 * closing the store (path checks, SQLite open, connection pragmas, the
 * schema; with no other connection open, SQLite rebuilds the WAL index
 * and checkpoints at close), and the indexed lookup itself.  Prints p50 and p99 of each, in
 * microseconds.  bench/run.sh runs it after bench/pam/run.sh, on that
 * part's config and store.
 *
 * Usage: decide_parts CONFIG NSS-USER GRANT-USER GRANT-UID RESOURCE ROUNDS
 * (NSS-USER must exist; GRANT-USER and GRANT-UID are looked up in the
 * store only.)
 * Built with cc against BUILD/lib/libjitlog_core.a (bench/run.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "jitlog/config.h"
#include "jitlog/ident.h"
#include "jitlog/parse.h"
#include "jitlog/store.h"

enum { P_CONFIG, P_NSS, P_STORE, P_LOOKUP, NPARTS };

static const char *const names[NPARTS] = { "config load", "NSS identity",
	"store open+close", "indexed lookup" };

static long long
now_ns(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int
cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* One decision, each step's time in t[0..NPARTS).  0 or -1. */
static int
round_once(char **argv, uid_t grant_uid, long long *t)
{
	struct jl_config *cfg = NULL;
	struct jl_store *st = NULL;
	struct jl_store_opts o;
	struct jl_ident id = { 0 };
	struct jl_error err = { "" };
	long long a, b, c, d, e, f;
	int64_t gid, exp;
	int r = -1;

	a = now_ns();
	if (jl_config_load(argv[1], (uid_t)-1, &cfg, &err) < 0)
		goto out;
	b = now_ns();
	if (jl_ident_user(argv[2], &id) < 0) {
		(void)snprintf(err.msg, sizeof(err.msg), "no user %s", argv[2]);
		goto out;
	}
	c = now_ns();
	jl_store_opts_default(&o);
	o.owner = (uid_t)-1;
	if (jl_store_open(cfg->database, &o, &st, &err) < 0)
		goto out;
	d = now_ns();
	if (jl_store_grant_find_active(st, argv[3], grant_uid, argv[5],
	        (int64_t)time(NULL), &gid, &exp, &err) < 0)
		goto out;
	e = now_ns();
	jl_store_close(st);
	st = NULL;
	f = now_ns();
	t[P_CONFIG] = b - a;
	t[P_NSS] = c - b;
	t[P_STORE] = (d - c) + (f - e);
	t[P_LOOKUP] = e - d;
	r = 0;
out:
	if (r < 0)
		fprintf(stderr, "decide_parts: %s\n", err.msg);
	jl_store_close(st);
	jl_ident_free(&id);
	jl_config_free(cfg);
	return r;
}

int
main(int argc, char **argv)
{
	long long *t[NPARTS], row[NPARTS];
	uint64_t n, uid;
	size_t i, k;

	if (argc != 7 || jl_parse_uint(argv[4], 4294967294u, &uid) < 0 ||
	    jl_parse_uint(argv[6], 1000000, &n) < 0 || n == 0) {
		fprintf(stderr,
		    "usage: decide_parts CONFIG NSS-USER "
		    "GRANT-USER GRANT-UID RESOURCE ROUNDS\n");
		return 2;
	}
	for (k = 0; k < NPARTS; k++)
		if ((t[k] = calloc(n, sizeof(**t))) == NULL)
			return 3;
	for (i = 0; i < n; i++) {
		if (round_once(argv, (uid_t)uid, row) < 0)
			return 3;
		for (k = 0; k < NPARTS; k++)
			t[k][i] = row[k];
	}
	for (k = 0; k < NPARTS; k++) {
		qsort(t[k], n, sizeof(**t), cmp);
		printf("part %-17s p50 %6.0f us  p99 %6.0f us\n", names[k],
		    (double)t[k][n / 2] / 1e3,
		    (double)t[k][n * 99 / 100] / 1e3);
		free(t[k]);
	}
	return 0;
}

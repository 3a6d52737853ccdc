/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the grant state machine (lib/grant.c) with an injected
 * clock: when the window opens and closes, scheduled starts, lapse of
 * pending requests, N-of-M approvals from distinct approvers, shortening
 * but never lengthening, and the JSON object of SPEC section 4.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jitlog/grant.h"
#include "t.h"

#define T0   INT64_C(1795687200) /* 2026-11-26T10:00:00Z */
#define HOUR INT64_C(3600)
#define TTL  (24 * HOUR)

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		abort();
	return p;
}

/* A pending request by alice at T0 for 1h, needing `need` approvals. */
static struct jl_grant *
mkgrant(unsigned need)
{
	struct jl_grant *g = calloc(1, sizeof(*g));

	if (g == NULL)
		abort();
	g->id = 12;
	g->user = xstrdup("alice");
	g->uid = 1001;
	g->resource = xstrdup("payments-debug");
	g->status = JL_ST_PENDING;
	g->reason = xstrdup("INC-7 card declines");
	g->requested_at = T0;
	g->duration_s = HOUR;
	g->approvals_required = need;
	return g;
}

static void
test_clock_starts_at_approval(void)
{
	struct jl_grant *g = mkgrant(1);
	int64_t at = T0 + 2 * HOUR; /* approved two hours after the request */

	T_ASSERT_INTEQ(jl_grant_state(g, T0, TTL), JL_PENDING);
	T_ASSERT(!jl_grant_holds(g, T0));
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "bob", 1002, at, 0, NULL), 1);
	T_ASSERT_INTEQ(g->status, JL_ST_APPROVED);
	T_ASSERT_INTEQ(g->starts_at, at);
	T_ASSERT_INTEQ(g->expires_at, at + HOUR);
	/* Had the clock started at the request, this would be over. */
	T_ASSERT(jl_grant_holds(g, at + HOUR / 2));
	T_ASSERT_INTEQ(jl_grant_state(g, at + HOUR / 2, TTL), JL_ACTIVE);
	T_ASSERT_INTEQ(jl_grant_state(g, at, TTL), JL_ACTIVE);
	T_ASSERT(jl_grant_holds(g, at));
	/* Exactly at expires_at it is over. */
	T_ASSERT(jl_grant_holds(g, at + HOUR - 1));
	T_ASSERT(!jl_grant_holds(g, at + HOUR));
	T_ASSERT_INTEQ(jl_grant_state(g, at + HOUR - 1, TTL), JL_ACTIVE);
	T_ASSERT_INTEQ(jl_grant_state(g, at + HOUR, TTL), JL_EXPIRED);
	/* An approved grant never lapses, whatever the ttl. */
	T_ASSERT_INTEQ(jl_grant_state(g, at + 30 * HOUR, TTL), JL_EXPIRED);
	jl_grant_free(g);
}

static void
test_scheduled_start(void)
{
	struct jl_grant *g = mkgrant(1);
	int64_t start = T0 + 5 * HOUR;

	g->start_req = start;
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "bob", 1002, T0 + 60, 0, "ok"),
	    1);
	T_ASSERT_INTEQ(g->starts_at, start);
	T_ASSERT_INTEQ(g->expires_at, start + HOUR);
	T_ASSERT_INTEQ(jl_grant_state(g, T0 + 60, TTL), JL_SCHEDULED);
	T_ASSERT(!jl_grant_holds(g, T0 + 60));
	T_ASSERT_INTEQ(jl_grant_state(g, start - 1, TTL), JL_SCHEDULED);
	T_ASSERT(!jl_grant_holds(g, start - 1));
	/* Boundary: active exactly at starts_at. */
	T_ASSERT_INTEQ(jl_grant_state(g, start, TTL), JL_ACTIVE);
	T_ASSERT(jl_grant_holds(g, start));
	T_ASSERT_INTEQ(jl_grant_state(g, start + HOUR, TTL), JL_EXPIRED);
	T_ASSERT(!jl_grant_holds(g, start + HOUR));
	jl_grant_free(g);

	/* A requested start already past when approved: clock at approval. */
	g = mkgrant(1);
	g->start_req = T0 + 10;
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "bob", 1002, T0 + HOUR, 0,
	                   NULL),
	    1);
	T_ASSERT_INTEQ(g->starts_at, T0 + HOUR);
	T_ASSERT_INTEQ(g->expires_at, T0 + 2 * HOUR);
	jl_grant_free(g);
}

static void
test_lapse(void)
{
	struct jl_grant *g = mkgrant(1);

	T_ASSERT_INTEQ(jl_grant_state(g, T0 + TTL - 1, TTL), JL_PENDING);
	T_ASSERT_INTEQ(jl_grant_state(g, T0 + TTL, TTL), JL_LAPSED);
	T_ASSERT_INTEQ(jl_grant_state(g, T0 + 2 * TTL, TTL), JL_LAPSED);
	/* A huge ttl does not overflow into "lapsed". */
	T_ASSERT_INTEQ(jl_grant_state(g, T0 + 1, INT64_MAX), JL_PENDING);
	T_ASSERT(!jl_grant_holds(g, T0 + TTL));
	/* Stored statuses map directly. */
	g->status = JL_ST_LAPSED;
	T_ASSERT_INTEQ(jl_grant_state(g, T0, TTL), JL_LAPSED);
	g->status = JL_ST_DENIED;
	T_ASSERT_INTEQ(jl_grant_state(g, T0, TTL), JL_DENIED);
	g->status = JL_ST_CANCELLED;
	T_ASSERT_INTEQ(jl_grant_state(g, T0, TTL), JL_CANCELLED);
	g->status = JL_ST_EXPIRED;
	T_ASSERT_INTEQ(jl_grant_state(g, T0, TTL), JL_EXPIRED);
	jl_grant_free(g);
}

static void
test_revoked_does_not_hold(void)
{
	struct jl_grant *g = mkgrant(1);

	T_ASSERT_INTEQ(jl_grant_add_approval(g, "bob", 1002, T0, 0, NULL), 1);
	T_ASSERT(jl_grant_holds(g, T0 + 10));
	g->status = JL_ST_REVOKED;
	T_ASSERT(!jl_grant_holds(g, T0 + 10));
	T_ASSERT_INTEQ(jl_grant_state(g, T0 + 10, TTL), JL_REVOKED);
	/* No more approvals once not pending. */
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "carol", 1003, T0 + 10, 0,
	                   NULL),
	    -EINVAL);
	T_ASSERT_INTEQ(g->napprovals, 1);
	jl_grant_free(g);
}

static void
test_two_of_m(void)
{
	struct jl_grant *g = mkgrant(2);

	T_ASSERT_INTEQ(jl_grant_add_approval(g, "bob", 1002, T0 + 10, 0, "one"),
	    0);
	T_ASSERT_INTEQ(g->status, JL_ST_PENDING);
	T_ASSERT_INTEQ(g->starts_at, 0);
	T_ASSERT(!jl_grant_holds(g, T0 + 10));
	T_ASSERT(jl_grant_approved_by(g, "bob", 1002));
	T_ASSERT(!jl_grant_approved_by(g, "carol", 1003));
	/* The same approver twice does not count. */
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "bob", 1002, T0 + 20, 0, NULL),
	    -EEXIST);
	T_ASSERT_INTEQ(g->napprovals, 1);
	T_ASSERT_INTEQ(g->status, JL_ST_PENDING);
	/* ... nor under a new name (renamed: the same uid), nor the name
	 * under another uid (a new account that took it). */
	T_ASSERT(jl_grant_approved_by(g, "robert", 1002));
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "robert", 1002, T0 + 20, 0,
	                   NULL),
	    -EEXIST);
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "bob", 1077, T0 + 20, 0, NULL),
	    -EEXIST);
	T_ASSERT_INTEQ(g->napprovals, 1);
	/* An approval without a uid is refused outright. */
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "carol", (uid_t)-1, T0, 0,
	                   NULL),
	    -EINVAL);
	/* A second, distinct approver approves it; the clock starts now. */
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "carol", 1003, T0 + 30, 0,
	                   NULL),
	    1);
	T_ASSERT_INTEQ(g->status, JL_ST_APPROVED);
	T_ASSERT_INTEQ(g->starts_at, T0 + 30);
	T_ASSERT_INTEQ(g->expires_at, T0 + 30 + HOUR);
	T_ASSERT_INTEQ(g->napprovals, 2);
	T_ASSERT_STREQ(g->approvals[0].by, "bob");
	T_ASSERT_STREQ(g->approvals[0].comment, "one");
	T_ASSERT_INTEQ(g->approvals[0].at, T0 + 10);
	T_ASSERT_STREQ(g->approvals[1].by, "carol");
	T_ASSERT(g->approvals[1].comment == NULL);
	jl_grant_free(g);
}

static void
test_shorten_never_lengthen(void)
{
	struct jl_grant *g = mkgrant(1);

	/* Longer than requested: ignored. */
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "bob", 1002, T0, 4 * HOUR,
	                   NULL),
	    1);
	T_ASSERT_INTEQ(g->duration_s, HOUR);
	T_ASSERT_INTEQ(g->expires_at, T0 + HOUR);
	jl_grant_free(g);

	g = mkgrant(1);
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "bob", 1002, T0, 900, NULL), 1);
	T_ASSERT_INTEQ(g->duration_s, 900);
	T_ASSERT_INTEQ(g->expires_at, T0 + 900);
	jl_grant_free(g);

	/* 2-of-M: the first shortens, the second cannot lengthen again. */
	g = mkgrant(2);
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "bob", 1002, T0, 1800, NULL),
	    0);
	T_ASSERT_INTEQ(g->duration_s, 1800);
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "carol", 1003, T0 + 5, HOUR,
	                   NULL),
	    1);
	T_ASSERT_INTEQ(g->duration_s, 1800);
	T_ASSERT_INTEQ(g->expires_at, T0 + 5 + 1800);
	jl_grant_free(g);

	g = mkgrant(1);
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "bob", 1002, T0, -5, NULL),
	    -EINVAL);
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "", 1009, T0, 0, NULL),
	    -EINVAL);
	T_ASSERT_INTEQ(jl_grant_add_approval(g, NULL, 1009, T0, 0, NULL),
	    -EINVAL);
	T_ASSERT_INTEQ(g->napprovals, 0);
	T_ASSERT_INTEQ(g->status, JL_ST_PENDING);
	/* A window past the end of time is refused, g untouched. */
	g->start_req = INT64_MAX - 10;
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "bob", 1002, T0, 0, NULL),
	    -EOVERFLOW);
	T_ASSERT_INTEQ(g->napprovals, 0);
	T_ASSERT_INTEQ(g->status, JL_ST_PENDING);
	jl_grant_free(g);
}

static void
test_names(void)
{
	enum jl_status st = JL_ST_DENIED;
	int i;

	T_ASSERT_STREQ(jl_state_name(JL_PENDING), "pending");
	T_ASSERT_STREQ(jl_state_name(JL_SCHEDULED), "scheduled");
	T_ASSERT_STREQ(jl_state_name(JL_ACTIVE), "active");
	T_ASSERT_STREQ(jl_state_name(JL_EXPIRED), "expired");
	T_ASSERT_STREQ(jl_state_name(JL_DENIED), "denied");
	T_ASSERT_STREQ(jl_state_name(JL_REVOKED), "revoked");
	T_ASSERT_STREQ(jl_state_name(JL_CANCELLED), "cancelled");
	T_ASSERT_STREQ(jl_state_name(JL_LAPSED), "lapsed");
	T_ASSERT_STREQ(jl_state_name((enum jl_state)99), "unknown");
	T_ASSERT_STREQ(jl_status_name(JL_ST_APPROVED), "approved");
	T_ASSERT_STREQ(jl_status_name((enum jl_status)99), "unknown");
	for (i = JL_ST_PENDING; i <= JL_ST_EXPIRED; i++) {
		T_ASSERT_INTEQ(jl_status_from_name(jl_status_name(
		                                       (enum jl_status)i),
		                   &st),
		    0);
		T_ASSERT_INTEQ(st, i);
	}
	st = JL_ST_DENIED;
	T_ASSERT_INTEQ(jl_status_from_name("active", &st), -EINVAL);
	T_ASSERT_INTEQ(jl_status_from_name("Approved", &st), -EINVAL);
	T_ASSERT_INTEQ(jl_status_from_name("approved ", &st), -EINVAL);
	T_ASSERT_INTEQ(jl_status_from_name("", &st), -EINVAL);
	T_ASSERT_INTEQ(st, JL_ST_DENIED);
	/* Out-of-range statuses give no access. */
	T_ASSERT_INTEQ(jl_grant_state(NULL, T0, TTL), JL_REVOKED);
	T_ASSERT(!jl_grant_holds(NULL, T0));
}

static void
test_json(void)
{
	struct jl_grant *g = mkgrant(1);
	struct jl_buf b = { 0 };

	T_ASSERT_INTEQ(jl_grant_to_json(g, T0 + 5, TTL, &b), 0);
	T_ASSERT_STREQ(b.data,
	    "{\"id\": 12, \"user\": \"alice\", \"resource\": \"payments-debug\", "
	    "\"state\": \"pending\", \"reason\": \"INC-7 card declines\", "
	    "\"ticket\": null, \"requested_at\": \"2026-11-26T10:00:00Z\", "
	    "\"starts_at\": null, \"expires_at\": null, \"duration_s\": 3600, "
	    "\"approvals_required\": 1, \"approvals\": [], "
	    "\"unredacted\": false, \"break_glass\": false, "
	    "\"extends\": null, \"reviewed_at\": null, \"ended_at\": null, "
	    "\"ended_by\": null}");

	g->ticket = xstrdup("PAY-1");
	g->unredacted = true;
	g->extends_id = 7;
	g->reason = (free(g->reason), xstrdup("say \"hi\"\n"));
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "bob", 1002, T0 + 60, 0, "ok"),
	    1);
	jl_buf_reset(&b);
	T_ASSERT_INTEQ(jl_grant_to_json(g, T0 + 120, TTL, &b), 0);
	T_ASSERT_STREQ(b.data,
	    "{\"id\": 12, \"user\": \"alice\", \"resource\": \"payments-debug\", "
	    "\"state\": \"active\", \"reason\": \"say \\\"hi\\\"\\n\", "
	    "\"ticket\": \"PAY-1\", \"requested_at\": \"2026-11-26T10:00:00Z\", "
	    "\"starts_at\": \"2026-11-26T10:01:00Z\", "
	    "\"expires_at\": \"2026-11-26T11:01:00Z\", \"duration_s\": 3600, "
	    "\"approvals_required\": 1, \"approvals\": [{\"by\": \"bob\", "
	    "\"at\": \"2026-11-26T10:01:00Z\", \"comment\": \"ok\"}], "
	    "\"unredacted\": true, \"break_glass\": false, "
	    "\"extends\": 7, \"reviewed_at\": null, \"ended_at\": null, "
	    "\"ended_by\": null}");

	/* Appends: two objects side by side. */
	g->status = JL_ST_REVOKED;
	g->ended_at = T0 + 1800;
	g->ended_by = xstrdup("carol");
	jl_buf_reset(&b);
	T_ASSERT_INTEQ(jl_buf_puts(&b, "["), 0);
	T_ASSERT_INTEQ(jl_grant_to_json(g, T0 + 1800, TTL, &b), 0);
	T_ASSERT(strstr(b.data, "\"state\": \"revoked\"") != NULL);
	T_ASSERT(strstr(b.data,
	             "\"ended_at\": \"2026-11-26T10:30:00Z\", "
	             "\"ended_by\": \"carol\"}") != NULL);
	T_ASSERT(strncmp(b.data, "[{\"id\": 12, ", 12) == 0);
	jl_buf_free(&b);
	jl_grant_free(g);
}

static void
test_free_null(void)
{
	struct jl_grant **v;

	jl_grant_free(NULL);
	jl_grants_free(NULL, 3);
	v = calloc(2, sizeof(*v));
	T_ASSERT(v != NULL);
	if (v == NULL)
		return;
	v[0] = mkgrant(1);
	v[1] = mkgrant(2);
	T_ASSERT_INTEQ(jl_grant_add_approval(v[1], "bob", 1002, T0, 0, "c"), 0);
	jl_grants_free(v, 2);
}

int
main(void)
{
	T_RUN(test_clock_starts_at_approval);
	T_RUN(test_scheduled_start);
	T_RUN(test_lapse);
	T_RUN(test_revoked_does_not_hold);
	T_RUN(test_two_of_m);
	T_RUN(test_shorten_never_lengthen);
	T_RUN(test_names);
	T_RUN(test_json);
	T_RUN(test_free_null);
	return T_DONE();
}

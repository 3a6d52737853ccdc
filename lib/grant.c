/* SPDX-License-Identifier: ISC */
/*
 * The grant state machine: the state a user sees, derived from the stored
 * status and an injected clock; approvals and the moment a grant becomes
 * approved; the JSON object of SPEC section 4.  Pure functions over
 * struct jl_grant: no store, no policy, no clock of its own.
 *
 * MUST (SPEC section 3, tested in tests/unit/test_grant.c):
 *  - access holds only for an approved grant with starts_at <= now <
 *    expires_at;
 *  - the clock starts at approval (or at the requested start, if later),
 *    never at the request;
 *  - approvals come from distinct approvers; an approval shortens the
 *    duration, never lengthens it;
 *  - only a pending grant takes approvals;
 *  - a pending request lapses at requested_at + request_ttl.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "jitlog/grant.h"

static const char *const state_names[] = {
	[JL_PENDING] = "pending",
	[JL_SCHEDULED] = "scheduled",
	[JL_ACTIVE] = "active",
	[JL_EXPIRED] = "expired",
	[JL_DENIED] = "denied",
	[JL_REVOKED] = "revoked",
	[JL_CANCELLED] = "cancelled",
	[JL_LAPSED] = "lapsed",
};

static const char *const status_names[] = {
	[JL_ST_PENDING] = "pending",
	[JL_ST_APPROVED] = "approved",
	[JL_ST_DENIED] = "denied",
	[JL_ST_REVOKED] = "revoked",
	[JL_ST_CANCELLED] = "cancelled",
	[JL_ST_LAPSED] = "lapsed",
	[JL_ST_EXPIRED] = "expired",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* a + b, or -EOVERFLOW. */
static int
add_time(int64_t a, int64_t b, int64_t *ret)
{
	if (__builtin_add_overflow(a, b, ret))
		return -EOVERFLOW;
	return 0;
}

/*
 * The state shown at now: a pending grant lapses once now >=
 * requested_at + request_ttl (request_ttl <= 0: never); an approved one
 * is scheduled before starts_at, active until expires_at, expired after.
 */
enum jl_state
jl_grant_state(const struct jl_grant *g, int64_t now, int64_t request_ttl)
{
	int64_t lapse;

	if (g == NULL)
		return JL_REVOKED;
	switch (g->status) {
	case JL_ST_PENDING:
		if (request_ttl > 0 &&
		    add_time(g->requested_at, request_ttl, &lapse) == 0 &&
		    now >= lapse)
			return JL_LAPSED;
		return JL_PENDING;
	case JL_ST_APPROVED:
		if (now < g->starts_at)
			return JL_SCHEDULED;
		if (now < g->expires_at)
			return JL_ACTIVE;
		return JL_EXPIRED;
	case JL_ST_DENIED:
		return JL_DENIED;
	case JL_ST_REVOKED:
		return JL_REVOKED;
	case JL_ST_CANCELLED:
		return JL_CANCELLED;
	case JL_ST_LAPSED:
		return JL_LAPSED;
	case JL_ST_EXPIRED:
		return JL_EXPIRED;
	}
	/* A status this build does not know gives no access. */
	return JL_REVOKED;
}

/* "pending", "scheduled", ...; "unknown" for a value out of range. */
const char *
jl_state_name(enum jl_state s)
{
	if ((unsigned)s >= NELEM(state_names))
		return "unknown";
	return state_names[s];
}

/* The stored status name ("pending", "approved", ...), or "unknown". */
const char *
jl_status_name(enum jl_status s)
{
	if ((unsigned)s >= NELEM(status_names))
		return "unknown";
	return status_names[s];
}

/* The status called s exactly (as jl_status_name).  0 or -EINVAL. */
int
jl_status_from_name(const char *s, enum jl_status *ret)
{
	size_t i;

	if (s == NULL || ret == NULL)
		return -EINVAL;
	for (i = 0; i < NELEM(status_names); i++) {
		if (strcmp(s, status_names[i]) == 0) {
			*ret = (enum jl_status)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Approved and starts_at <= now < expires_at. */
bool
jl_grant_holds(const struct jl_grant *g, int64_t now)
{
	if (g == NULL || g->status != JL_ST_APPROVED)
		return false;
	return g->starts_at <= now && now < g->expires_at;
}

/* Contract: see grant.h. */
bool
jl_grant_approved_by(const struct jl_grant *g, const char *by, uid_t uid)
{
	size_t i;

	if (g == NULL || by == NULL)
		return false;
	for (i = 0; i < g->napprovals; i++) {
		if (g->approvals[i].by != NULL &&
		    strcmp(g->approvals[i].by, by) == 0)
			return true;
		if (g->approvals[i].uid == (int64_t)uid)
			return true;
	}
	return false;
}

/*
 * Append an approval by "by" (strings copied).  -EINVAL unless g is
 * pending or with a negative duration, -EEXIST if by approved already,
 * -EOVERFLOW if the window does not fit.  Everything that can fail is done
 * before g changes, so g is untouched on error.
 */
int
jl_grant_add_approval(struct jl_grant *g, const char *by, uid_t uid,
    int64_t now, int64_t duration, const char *comment)
{
	struct jl_approval *v;
	char *dby = NULL, *dcomment = NULL;
	int64_t dur, starts = 0, expires = 0;
	bool done;
	int r;

	if (g == NULL || by == NULL || by[0] == '\0' || duration < 0)
		return -EINVAL;
	if (g->status != JL_ST_PENDING)
		return -EINVAL;
	if (uid == (uid_t)-1)
		return -EINVAL;
	if (jl_grant_approved_by(g, by, uid))
		return -EEXIST;
	dur = g->duration_s;
	if (duration > 0 && duration < dur)
		dur = duration;
	done = g->napprovals + 1 >= g->approvals_required;
	if (done) {
		starts = now > g->start_req ? now : g->start_req;
		r = add_time(starts, dur, &expires);
		if (r < 0)
			goto out;
	}
	dby = strdup(by);
	if (dby == NULL ||
	    (comment != NULL && (dcomment = strdup(comment)) == NULL)) {
		r = -ENOMEM;
		goto out;
	}
	v = reallocarray(g->approvals, g->napprovals + 1, sizeof(*v));
	if (v == NULL) {
		r = -ENOMEM;
		goto out;
	}
	g->approvals = v;
	v[g->napprovals].by = dby;
	v[g->napprovals].uid = (int64_t)uid;
	v[g->napprovals].at = now;
	v[g->napprovals].comment = dcomment;
	g->napprovals++;
	dby = dcomment = NULL;
	g->duration_s = dur;
	if (done) {
		g->status = JL_ST_APPROVED;
		g->starts_at = starts;
		g->expires_at = expires;
	}
	r = done ? 1 : 0;
out:
	free(dby);
	free(dcomment);
	return r;
}

static int
approvals_to_json(const struct jl_grant *g, struct jl_buf *out)
{
	const struct jl_approval *a;
	size_t i;
	int r;

	r = jl_buf_puts(out, "[");
	for (i = 0; r == 0 && i < g->napprovals; i++) {
		a = &g->approvals[i];
		r = jl_buf_puts(out, i == 0 ? "{\"by\": " : ", {\"by\": ");
		if (r == 0)
			r = jl_json_str(out, a->by);
		if (r == 0)
			r = jl_buf_puts(out, ", \"at\": ");
		if (r == 0)
			r = jl_json_time(out, a->at);
		if (r == 0)
			r = jl_buf_puts(out, ", \"comment\": ");
		if (r == 0)
			r = jl_json_str(out, a->comment);
		if (r == 0)
			r = jl_buf_puts(out, "}");
	}
	if (r == 0)
		r = jl_buf_puts(out, "]");
	return r;
}

/* "key": <string> with the separator before it. */
static int
put_str(struct jl_buf *out, const char *key, const char *s)
{
	int r;

	r = jl_buf_printf(out, ", \"%s\": ", key);
	if (r == 0)
		r = jl_json_str(out, s);
	return r;
}

static int
put_time(struct jl_buf *out, const char *key, int64_t t)
{
	int r;

	r = jl_buf_printf(out, ", \"%s\": ", key);
	if (r == 0)
		r = jl_json_time(out, t);
	return r;
}

/* The fields after the approvals, SPEC's then jitlog's own. */
static int
tail_to_json(const struct jl_grant *g, struct jl_buf *out)
{
	int r;

	r = jl_buf_printf(out, ", \"unredacted\": %s, \"break_glass\": %s",
	    g->unredacted ? "true" : "false",
	    g->break_glass ? "true" : "false");
	if (r == 0 && g->extends_id != 0)
		r = jl_buf_printf(out, ", \"extends\": %" PRId64,
		    g->extends_id);
	else if (r == 0)
		r = jl_buf_puts(out, ", \"extends\": null");
	if (r == 0)
		r = put_time(out, "reviewed_at", g->reviewed_at);
	if (r == 0)
		r = put_time(out, "ended_at", g->ended_at);
	if (r == 0)
		r = put_str(out, "ended_by", g->ended_by);
	if (r == 0)
		r = jl_buf_puts(out, "}");
	return r;
}

/*
 * Append g as the JSON object of SPEC section 4 (state at now), then
 * jitlog's additions "extends", "reviewed_at", "ended_at", "ended_by".
 * 0 or -errno; on error out is left as it was.
 */
int
jl_grant_to_json(const struct jl_grant *g, int64_t now, int64_t request_ttl,
    struct jl_buf *out)
{
	size_t start;
	int r;

	if (g == NULL || out == NULL)
		return -EINVAL;
	start = out->len;
	r = jl_buf_printf(out, "{\"id\": %" PRId64, g->id);
	if (r == 0)
		r = put_str(out, "user", g->user);
	if (r == 0)
		r = put_str(out, "resource", g->resource);
	if (r == 0)
		r = put_str(out, "state",
		    jl_state_name(jl_grant_state(g, now, request_ttl)));
	if (r == 0)
		r = put_str(out, "reason", g->reason);
	if (r == 0)
		r = put_str(out, "ticket", g->ticket);
	if (r == 0)
		r = put_time(out, "requested_at", g->requested_at);
	if (r == 0)
		r = put_time(out, "starts_at", g->starts_at);
	if (r == 0)
		r = put_time(out, "expires_at", g->expires_at);
	if (r == 0)
		r = jl_buf_printf(out,
		    ", \"duration_s\": %" PRId64 ", \"approvals_required\": %u"
		    ", \"approvals\": ",
		    g->duration_s, g->approvals_required);
	if (r == 0)
		r = approvals_to_json(g, out);
	if (r == 0)
		r = tail_to_json(g, out);
	if (r < 0 && out->data != NULL) {
		out->len = start;
		out->data[start] = '\0';
	}
	return r;
}

/* Free g, all its strings and approvals.  NULL-safe. */
void
jl_grant_free(struct jl_grant *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->napprovals; i++) {
		free(g->approvals[i].by);
		free(g->approvals[i].comment);
	}
	free(g->approvals);
	free(g->user);
	free(g->resource);
	free(g->reason);
	free(g->ticket);
	free(g->ended_by);
	free(g->end_comment);
	free(g->reviewed_by);
	free(g);
}

/* Free n grants of v and v itself.  NULL-safe. */
void
jl_grants_free(struct jl_grant **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		jl_grant_free(v[i]);
	free(v);
}

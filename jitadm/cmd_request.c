/* SPDX-License-Identifier: ISC */
/*
 * The commands that change a grant: request, approve, deny, revoke and
 * grant.  Each validates its positional argument, runs one action of
 * lib/ops.c (one transaction) and prints the result only after the
 * action returned 0: the new id (request, grant) or a one-line summary,
 * or with --json the grant object of SPEC section 4.
 */
#include <stdio.h>

#include "jitadm.h"

/* Print g as JSON (--json) or the line human; JA_OK or JA_ERROR. */
int
ja_print_grant(const struct ja *ja, const struct ja_args *a,
    const struct jl_grant *g, const char *human)
{
	struct jl_buf b = { NULL, 0, 0 };
	int r;

	if (a->given & OPT(O_JSON)) {
		r = jl_grant_to_json(g, (int64_t)ja->now, ja->cfg->request_ttl,
		    &b);
		if (r == 0)
			r = jl_buf_puts(&b, "\n");
	} else {
		r = jl_buf_puts(&b, human);
	}
	if (r < 0) {
		jl_buf_free(&b);
		ja_err("out of memory");
		return JA_ERROR;
	}
	r = ja_write(&b);
	jl_buf_free(&b);
	return r;
}

/* Contract: see jitadm.h.  The other summaries below are the same kind
 * of function, for ja_finish_grant. */
void
ja_line_id(const struct ja *ja, const struct jl_grant *g, char *buf, size_t len)
{
	(void)ja;
	(void)snprintf(buf, len, "%lld\n", (long long)g->id);
}

static void
line_approved(const struct ja *ja, const struct jl_grant *g, char *buf,
    size_t len)
{
	char from[32], until[32];

	if (g->status != JL_ST_APPROVED) {
		(void)snprintf(buf, len,
		    "grant %lld: approval %zu of %u recorded, still pending\n",
		    (long long)g->id, g->napprovals, g->approvals_required);
		return;
	}
	ja_time(g->starts_at, from, sizeof(from));
	ja_time(g->expires_at, until, sizeof(until));
	(void)snprintf(buf, len, "grant %lld approved: %s from %s until %s\n",
	    (long long)g->id,
	    jl_state_name(
	        jl_grant_state(g, (int64_t)ja->now, ja->cfg->request_ttl)),
	    from, until);
}

static void
line_denied(const struct ja *ja, const struct jl_grant *g, char *buf,
    size_t len)
{
	(void)ja;
	(void)snprintf(buf, len, "grant %lld denied\n", (long long)g->id);
}

static void
line_revoked(const struct ja *ja, const struct jl_grant *g, char *buf,
    size_t len)
{
	(void)ja;
	(void)snprintf(buf, len, "%s %lld %s\n",
	    g->status == JL_ST_CANCELLED ? "request" : "grant",
	    (long long)g->id,
	    g->status == JL_ST_CANCELLED ? "cancelled" : "revoked");
}

/* Contract: see jitadm.h. */
int
ja_finish_grant(const struct ja *ja, const struct ja_args *a, int r,
    const struct jl_error *err, struct jl_grant *g,
    void (*human)(const struct ja *, const struct jl_grant *, char *, size_t))
{
	char line[160];

	if (r != 0) {
		jl_grant_free(g);
		return ja_result(r, err);
	}
	human(ja, g, line, sizeof(line));
	r = ja_print_grant(ja, a, g, line);
	jl_grant_free(g);
	return r;
}

int
ja_cmd_request(struct ja *ja, const struct ja_args *a)
{
	struct jl_request_args ra = { 0 };
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;
	int r;

	ra.resource = a->pos[0];
	ra.reason = a->val[O_REASON];
	ra.ticket = a->val[O_TICKET];
	if (a->given & OPT(O_DURATION))
		ra.duration = a->num[O_DURATION];
	if (a->given & OPT(O_START))
		ra.start = a->num[O_START] > 0 ? a->num[O_START] : 1;
	ra.unredacted = (a->given & OPT(O_UNREDACTED)) != 0;
	if (a->given & OPT(O_BREAK_GLASS))
		return ja_cmd_break_glass(ja, a);
	r = jl_op_request(&ja->ctx, &ra, &g, &err);
	return ja_finish_grant(ja, a, r, &err, g, ja_line_id);
}

int
ja_cmd_approve(struct ja *ja, const struct ja_args *a)
{
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;
	int64_t dur = 0;
	int r;

	if (a->given & OPT(O_DURATION))
		dur = a->num[O_DURATION];
	r = jl_op_approve(&ja->ctx, a->id, a->val[O_COMMENT], dur, &g, &err);
	return ja_finish_grant(ja, a, r, &err, g, line_approved);
}

int
ja_cmd_deny(struct ja *ja, const struct ja_args *a)
{
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;
	int r;

	r = jl_op_deny(&ja->ctx, a->id, a->val[O_COMMENT], &g, &err);
	return ja_finish_grant(ja, a, r, &err, g, line_denied);
}

int
ja_cmd_revoke(struct ja *ja, const struct ja_args *a)
{
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;
	int r;

	r = jl_op_revoke(&ja->ctx, a->id, a->val[O_COMMENT], &g, &err);
	return ja_finish_grant(ja, a, r, &err, g, line_revoked);
}

int
ja_cmd_grant(struct ja *ja, const struct ja_args *a)
{
	struct jl_grant_args ga = { 0 };
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;
	int r;

	ga.resource = a->pos[0];
	ga.user = a->val[O_USER];
	ga.reason = a->val[O_REASON];
	if (a->given & OPT(O_DURATION))
		ga.duration = a->num[O_DURATION];
	r = jl_op_grant(&ja->ctx, &ga, &g, &err);
	return ja_finish_grant(ja, a, r, &err, g, ja_line_id);
}

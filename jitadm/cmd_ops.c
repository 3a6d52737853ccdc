/* SPDX-License-Identifier: ISC */
/*
 * The commands of running jitlog for real: "request --break-glass",
 * review, extend and sweep.  Each runs one action of the core (sweep:
 * one transaction per change) and prints only after it returned, i.e.
 * after COMMIT: the new id (break-glass, extend), a one-line summary
 * (review), one line per change (sweep; nothing when nothing was due),
 * or with --json the grant object or, for sweep, the array of events.
 * Notifications follow the output (events.c).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jitadm.h"
#include "jitlog/sweep.h"

int
ja_cmd_break_glass(struct ja *ja, const struct ja_args *a)
{
	struct jl_request_args ra = { 0 };
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;
	char line[64], until[32];
	int r;

	if (a->given & OPT(O_START)) {
		ja_err("request: --break-glass starts now; --start cannot be "
		       "used with it");
		return JA_USAGE;
	}
	ra.resource = a->pos[0];
	ra.reason = a->val[O_REASON];
	ra.ticket = a->val[O_TICKET];
	if (a->given & OPT(O_DURATION))
		ra.duration = a->num[O_DURATION];
	ra.unredacted = (a->given & OPT(O_UNREDACTED)) != 0;
	r = jl_op_break_glass(&ja->ctx, &ra, &g, &err);
	if (r != 0)
		return ja_result(r, &err);
	(void)snprintf(line, sizeof(line), "%lld\n", (long long)g->id);
	r = ja_print_grant(ja, a, g, line);
	ja_time(g->expires_at, until, sizeof(until));
	(void)fprintf(stderr,
	    "jitadm: break-glass: grant %lld is active until %s; it was "
	    "logged at alert priority and awaits review (jitadm review %lld)\n",
	    (long long)g->id, until, (long long)g->id);
	jl_grant_free(g);
	return r;
}

static void
line_reviewed(const struct ja *ja, const struct jl_grant *g, char *buf,
    size_t len)
{
	(void)ja;
	(void)snprintf(buf, len, "grant %lld reviewed\n", (long long)g->id);
}

int
ja_cmd_review(struct ja *ja, const struct ja_args *a)
{
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;
	int r;

	r = jl_op_review(&ja->ctx, a->id, a->val[O_COMMENT], &g, &err);
	return ja_finish_grant(ja, a, r, &err, g, line_reviewed);
}

int
ja_cmd_extend(struct ja *ja, const struct ja_args *a)
{
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;
	int r;

	r = jl_op_extend(&ja->ctx, a->id, a->num[O_DURATION], a->val[O_REASON],
	    &g, &err);
	return ja_finish_grant(ja, a, r, &err, g, ja_line_id);
}

/* One line per event the sweep committed, or a JSON array of them. */
static int
sweep_out(const struct ja *ja, bool json, struct jl_buf *b)
{
	size_t i, n = ja_events_count(ja);
	int r = 0;

	if (json)
		r = jl_buf_puts(b, "[");
	for (i = 0; r == 0 && i < n; i++) {
		if (json && i > 0)
			r = jl_buf_puts(b, ",\n");
		if (r == 0)
			r = jl_buf_puts(b,
			    json ? ja_event_json(ja, i) : ja_event_line(ja, i));
		if (r == 0 && !json)
			r = jl_buf_puts(b, "\n");
	}
	if (r == 0 && json)
		r = jl_buf_puts(b, "]\n");
	return r;
}

int
ja_cmd_sweep(struct ja *ja, const struct ja_args *a)
{
	struct jl_sweep_stats st;
	struct jl_error err = { "" };
	struct jl_buf b = { NULL, 0, 0 };
	int r, w;

	if (getuid() != 0) {
		ja_err("sweep is only for root");
		return JA_REFUSED;
	}
	r = jl_sweep(&ja->ctx, NULL, &st, &err);
	/* What was done is printed even when something else failed. */
	if (sweep_out(ja, (a->given & OPT(O_JSON)) != 0, &b) < 0) {
		ja_err("out of memory");
		w = JA_ERROR;
	} else {
		w = ja_write(&b);
	}
	jl_buf_free(&b);
	if (r < 0) {
		ja_err("sweep: %u change(s) failed; the first: %s", st.failed,
		    err.msg);
		return JA_ERROR;
	}
	return w;
}

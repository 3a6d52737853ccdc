/* SPDX-License-Identifier: ISC */
/*
 * The usage report of "jitadm report": the patterns auditors watch over a
 * window of time, computed from the store (the audit events of the window
 * and the grants they name) in one read snapshot.  Per resource and per
 * user: requests, approvals, denials, direct grants, break-glass use,
 * views, logins and refusals; the approval latency (request to the
 * approval that opened the grant); the same user asking for the same
 * resource more than N times (standing access needed, or probing);
 * grants that opened and ended without a single view or login; every
 * break-glass grant with its review; refused views and logins per user.
 *
 * Pure computation over the store with an injected clock: nothing is
 * written, nothing is logged.  Who may see a report is the caller's
 * business (admins and auditors, see policy.h).
 */
#ifndef JITLOG_REPORT_H
#define JITLOG_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jitlog/common.h"
#include "jitlog/grant.h"
#include "jitlog/store.h"

/* Default for "more than N requests": jitadm report --repeat N. */
#define JL_REPORT_REPEAT_DEFAULT 3
/* Largest --repeat accepted. */
#define JL_REPORT_REPEAT_MAX     1000000

/* Counts of the events of the window about one resource or one user. */
struct jl_report_counts {
	int64_t requests;       /* "request" and "extend" events */
	int64_t approvals;      /* "approve" events (one per approver) */
	int64_t approved;       /* grants whose deciding approval fell here */
	int64_t denied;         /* "deny" */
	int64_t granted;        /* "grant": given directly by an admin */
	int64_t break_glass;    /* "break_glass" */
	int64_t revoked;        /* "revoke" */
	int64_t cancelled;      /* "cancel" */
	int64_t expired;        /* "expire" */
	int64_t lapsed;         /* "lapse" */
	int64_t views;          /* "view_open" */
	int64_t sessions;       /* "session_open" */
	int64_t refused_views;  /* "view_denied" */
	int64_t refused_logins; /* "session_denied" */
	/* Per user only: decisions this user made as an approver. */
	int64_t approvals_given;
	int64_t denials_given;
};

/* One resource or one user. */
struct jl_report_row {
	char *name;
	struct jl_report_counts c;
};

/* More than the threshold of requests of one user for one resource. */
struct jl_report_repeat {
	char *user;
	char *resource;
	int64_t count;
	int64_t first_at;
	int64_t last_at;
};

/* A grant named by the report (unused grants, break-glass grants). */
struct jl_report_grant {
	int64_t id;
	char *user;
	char *resource;
	char *reason;
	enum jl_state state; /* at the end of the window */
	int64_t opened_at;   /* when it was approved / granted / broke glass */
	int64_t starts_at;
	int64_t expires_at;
	int64_t ended_at; /* 0 while it has not ended early */
	int64_t duration_s;
	int64_t uses;        /* views and logins under it in the window */
	int64_t reviewed_at; /* break-glass review, 0 when open */
	char *reviewed_by;
};

/* Seconds from request to the deciding approval; -1 when count is 0. */
struct jl_report_latency {
	size_t count;
	int64_t p50_s;
	int64_t p95_s;
	int64_t max_s;
};

struct jl_report {
	int64_t since; /* window: since <= at <= until */
	int64_t until;
	unsigned repeat; /* threshold: more than this many requests */
	int64_t events;  /* events in the window */
	struct jl_report_row *resources; /* sorted by name */
	size_t nresources;
	struct jl_report_row *users; /* sorted by name */
	size_t nusers;
	struct jl_report_latency latency;
	struct jl_report_repeat *repeats; /* most requests first */
	size_t nrepeats;
	struct jl_report_grant *unused; /* by id */
	size_t nunused;
	struct jl_report_grant *break_glass; /* by id */
	size_t nbreak_glass;
};

/*
 * Build the report of the events with since <= at <= now.  request_ttl
 * is the config's (for the state of a grant at now).  repeat >= 1.
 * 0 with *ret set (free with jl_report_free), or -errno with err set.
 */
int jl_report_build(struct jl_store *st, int64_t since, int64_t now,
    int64_t request_ttl, unsigned repeat, struct jl_report **ret,
    struct jl_error *err);

/*
 * The report as one JSON object: window, events, repeat_threshold,
 * per_resource and per_user (objects keyed by name), approval_latency
 * {count, p50_s, p95_s, max_s}, repeated_requests, unused_grants and
 * break_glass (arrays), refused {views: {user: n}, logins: {user: n}}.
 * Appended to out with a final newline.  0 or -ENOMEM.
 */
int jl_report_to_json(const struct jl_report *rep, struct jl_buf *out);

void jl_report_free(struct jl_report *rep); /* NULL-safe */

#endif

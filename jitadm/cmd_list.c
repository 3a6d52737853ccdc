/* SPDX-License-Identifier: ISC */
/*
 * The commands that read: list, show and resources.  What a caller sees
 * is what jl_policy_may_see allows (own grants, grants they may approve,
 * everything for admins and auditors); a grant the caller may not see is
 * reported as not existing.  Human output is escaped, times in UTC; with
 * --json the objects of SPEC section 4.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitadm.h"
#include "jitlog/parse.h"
#include "jitlog/policy.h"

/* Longest reason shown in the list table, in code points. */
#define LIST_REASON_MAX 40

/* 1 if ja->who may see g, 0 if not, -errno (treated as an error). */
static int
visible(const struct ja *ja, const struct jl_grant *g)
{
	enum jl_decision d = JL_DENY;
	int r;

	r = jl_policy_may_see(ja->cfg, jl_config_resource(ja->cfg, g->resource),
	    g, &ja->who, &d);
	if (r < 0)
		return r;
	return d == JL_ALLOW;
}

/* Does state st belong in the listing selected by a? */
static bool
wanted(const struct ja_args *a, enum jl_state st)
{
	if (a->given & OPT(O_PENDING))
		return st == JL_PENDING;
	if (a->given & OPT(O_ACTIVE))
		return st == JL_ACTIVE;
	if (a->given & (OPT(O_ALL) | OPT(O_UNREVIEWED)))
		return true;
	return st == JL_PENDING || st == JL_SCHEDULED || st == JL_ACTIVE;
}

static void
list_filter(const struct ja_args *a, struct jl_grant_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->user = a->val[O_USER];
	f->resource = a->val[O_RESOURCE];
	if (a->given & OPT(O_PENDING))
		f->status_mask = 1u << JL_ST_PENDING;
	else if (a->given & OPT(O_ACTIVE))
		f->status_mask = 1u << JL_ST_APPROVED;
	else if (a->given & OPT(O_UNREVIEWED))
		f->unreviewed = true;
	else if (!(a->given & OPT(O_ALL)))
		f->status_mask = 1u << JL_ST_PENDING | 1u << JL_ST_APPROVED;
}

/* One row of the list table. */
static int
list_row(const struct ja *ja, const struct jl_grant *g, struct ja_table *t)
{
	char id[24], when[32];
	enum jl_state st;
	const char *cells[6];

	st = jl_grant_state(g, (int64_t)ja->now, ja->cfg->request_ttl);
	(void)snprintf(id, sizeof(id), "%lld", (long long)g->id);
	ja_time(g->status == JL_ST_APPROVED ? g->expires_at : 0, when,
	    sizeof(when));
	cells[0] = id;
	cells[1] = g->user;
	cells[2] = g->resource;
	cells[3] = jl_state_name(st);
	cells[4] = when;
	cells[5] = g->reason;
	return ja_table_add(t, cells);
}

/* Append the visible, wanted grants of v as a table or a JSON array. */
static int
list_out(const struct ja *ja, const struct ja_args *a, struct jl_grant **v,
    size_t n, struct jl_buf *b)
{
	static const char *const head[6] = { "ID", "USER", "RESOURCE", "STATE",
		"EXPIRES", "REASON" };
	struct ja_table t = { .ncols = 6, .clip = { [5] = LIST_REASON_MAX } };
	bool json = (a->given & OPT(O_JSON)) != 0;
	size_t i, shown = 0;
	int r;

	r = json ? jl_buf_puts(b, "[") : ja_table_add(&t, head);
	for (i = 0; r == 0 && i < n; i++) {
		if (!wanted(a,
		        jl_grant_state(v[i], (int64_t)ja->now,
		            ja->cfg->request_ttl)))
			continue;
		if ((r = visible(ja, v[i])) <= 0)
			continue;
		r = 0;
		if (json && shown > 0)
			r = jl_buf_puts(b, ",\n");
		if (r == 0)
			r = json ? jl_grant_to_json(v[i], (int64_t)ja->now,
			               ja->cfg->request_ttl, b) :
			           list_row(ja, v[i], &t);
		shown++;
	}
	if (r == 0 && json)
		r = jl_buf_puts(b, "]\n");
	else if (r == 0 && shown > 0)
		r = ja_table_print(&t, b);
	ja_table_free(&t);
	return r;
}

int
ja_cmd_list(struct ja *ja, const struct ja_args *a)
{
	struct jl_grant_filter f;
	struct jl_error err = { "" };
	struct jl_grant **v = NULL;
	struct jl_buf b = { NULL, 0, 0 };
	size_t n = 0;
	int r;

	list_filter(a, &f);
	if ((r = jl_store_grant_list(ja->store, &f, &v, &n, &err)) < 0)
		return ja_result(r, &err);
	r = list_out(ja, a, v, n, &b);
	jl_grants_free(v, n);
	if (r < 0) {
		ja_err("cannot list grants: %s", strerror(-r));
		r = JA_ERROR;
	} else {
		r = ja_write(&b);
	}
	jl_buf_free(&b);
	return r;
}

/* "key: value" with the value escaped. */
static int
kv(struct jl_buf *b, const char *key, const char *val)
{
	int r;

	r = jl_buf_printf(b, "%s: ", key);
	if (r == 0)
		r = ja_esc(b, val);
	if (r == 0)
		r = jl_buf_puts(b, "\n");
	return r;
}

static int
kv_time(struct jl_buf *b, const char *key, int64_t t)
{
	char s[32];

	ja_time(t, s, sizeof(s));
	return kv(b, key, s);
}

/* The approvals of g, one line each. */
static int
show_approvals(const struct jl_grant *g, struct jl_buf *b)
{
	char at[32];
	size_t i;
	int r;

	r = jl_buf_printf(b, "approvals: %zu of %u\n", g->napprovals,
	    g->approvals_required);
	for (i = 0; r == 0 && i < g->napprovals; i++) {
		ja_time(g->approvals[i].at, at, sizeof(at));
		r = jl_buf_puts(b, "approved_by: ");
		if (r == 0)
			r = ja_esc(b, g->approvals[i].by);
		if (r == 0)
			r = jl_buf_printf(b, " at %s", at);
		if (r == 0 && g->approvals[i].comment != NULL) {
			r = jl_buf_puts(b, ": ");
			if (r == 0)
				r = ja_esc(b, g->approvals[i].comment);
		}
		if (r == 0)
			r = jl_buf_puts(b, "\n");
	}
	return r;
}

/* "extended by: M, N" (the grants that continue g), when any. */
static int
show_extended_by(const struct ja *ja, const struct jl_grant *g,
    struct jl_buf *b)
{
	struct jl_error err = { "" };
	struct jl_grant **v = NULL;
	size_t n = 0, i;
	int r;

	r = jl_store_grant_extensions(ja->store, g->id, &v, &n, &err);
	for (i = 0; r == 0 && i < n; i++)
		r = jl_buf_printf(b, "%s%lld (%s)",
		    i == 0 ? "extended by: " : ", ", (long long)v[i]->id,
		    jl_state_name(jl_grant_state(v[i], (int64_t)ja->now,
		        ja->cfg->request_ttl)));
	if (r == 0 && n > 0)
		r = jl_buf_puts(b, "\n");
	jl_grants_free(v, n);
	return r;
}

/* The break-glass, escalation and extension lines of g. */
static int
show_extra(const struct ja *ja, const struct jl_grant *g, struct jl_buf *b)
{
	int r = 0;

	if (g->break_glass && g->reviewed_at == 0)
		r = kv(b, "review", "open");
	else if (g->break_glass) {
		r = kv_time(b, "reviewed_at", g->reviewed_at);
		r = r ? r : kv(b, "reviewed_by", g->reviewed_by);
	}
	if (g->escalated_at != 0)
		r = r ? r : kv_time(b, "escalated_at", g->escalated_at);
	if (g->extends_id != 0)
		r = r ? r :
		        jl_buf_printf(b, "extends: %lld\n",
		            (long long)g->extends_id);
	return r ? r : show_extended_by(ja, g, b);
}

/* g as "key: value" lines. */
static int
show_human(const struct ja *ja, const struct jl_grant *g, struct jl_buf *b)
{
	char d[32];
	int r;

	jl_format_duration(g->duration_s, d, sizeof(d));
	r = jl_buf_printf(b, "id: %lld\n", (long long)g->id);
	r = r ? r : kv(b, "user", g->user);
	r = r ? r : kv(b, "resource", g->resource);
	r = r ? r :
	        kv(b, "state",
	            jl_state_name(jl_grant_state(g, (int64_t)ja->now,
	                ja->cfg->request_ttl)));
	r = r ? r : kv(b, "reason", g->reason);
	r = r ? r : kv(b, "ticket", g->ticket);
	r = r ? r : kv_time(b, "requested_at", g->requested_at);
	if (g->start_req != 0)
		r = r ? r : kv_time(b, "start_requested", g->start_req);
	r = r ? r : kv_time(b, "starts_at", g->starts_at);
	r = r ? r : kv_time(b, "expires_at", g->expires_at);
	r = r ? r : kv(b, "duration", d);
	r = r ? r : show_approvals(g, b);
	r = r ? r : kv(b, "unredacted", g->unredacted ? "yes" : "no");
	r = r ? r : kv(b, "break_glass", g->break_glass ? "yes" : "no");
	r = r ? r : show_extra(ja, g, b);
	if (g->ended_at != 0) {
		r = r ? r : kv_time(b, "ended_at", g->ended_at);
		r = r ? r : kv(b, "ended_by", g->ended_by);
		r = r ? r : kv(b, "end_comment", g->end_comment);
	}
	return r;
}

int
ja_cmd_show(struct ja *ja, const struct ja_args *a)
{
	struct jl_error err = { "" };
	struct jl_grant *g = NULL;
	struct jl_buf b = { NULL, 0, 0 };
	int r;

	r = jl_store_grant_get(ja->store, a->id, &g, &err);
	if (r == 0 && (r = visible(ja, g)) == 0)
		r = -ENOENT;
	if (r == -ENOENT) {
		ja_err("no such grant: %lld", (long long)a->id);
		r = JA_REFUSED;
		goto out;
	}
	if (r < 0) {
		r = ja_result(r, &err);
		goto out;
	}
	if (a->given & OPT(O_JSON)) {
		r = jl_grant_to_json(g, (int64_t)ja->now, ja->cfg->request_ttl,
		    &b);
		r = r ? r : jl_buf_puts(&b, "\n");
	} else {
		r = show_human(ja, g, &b);
	}
	if (r < 0) {
		ja_err("out of memory");
		r = JA_ERROR;
	} else {
		r = ja_write(&b);
	}
out:
	jl_buf_free(&b);
	jl_grant_free(g);
	return r;
}

/* The caller's roles on res: bit 0 may request, bit 1 may approve. */
static int
roles(const struct ja *ja, const struct jl_resource *res)
{
	enum jl_decision d = JL_DENY;
	int r, approve;

	r = jl_policy_may_request(ja->cfg, res, &ja->who, &d, NULL);
	if (r < 0)
		return r;
	approve = jl_principals_match(&res->approvers, &ja->who);
	if (approve < 0)
		return approve;
	return (d == JL_ALLOW ? 1 : 0) | (approve > 0 ? 2 : 0);
}

static int
resource_json(const struct jl_resource *res, int role, struct jl_buf *b)
{
	int r;

	r = jl_buf_puts(b, "{\"name\": ");
	r = r ? r : jl_json_str(b, res->name);
	r = r ? r : jl_buf_puts(b, ", \"description\": ");
	r = r ? r : jl_json_str(b, res->description);
	r = r ?
	    r :
	    jl_buf_printf(b,
	        ", \"may_request\": %s, "
	        "\"may_approve\": %s, \"default_duration_s\": %lld, "
	        "\"max_duration_s\": %lld, \"approvals\": %u, "
	        "\"require_ticket\": %s, \"allow_unredacted\": %s}",
	        (role & 1) ? "true" : "false", (role & 2) ? "true" : "false",
	        (long long)res->default_duration, (long long)res->max_duration,
	        res->approvals, res->require_ticket ? "true" : "false",
	        res->allow_unredacted ? "true" : "false");
	return r;
}

static int
resource_row(const struct jl_resource *res, int role, struct ja_table *t)
{
	static const char *const names[4] = { "-", "request", "approve",
		"request,approve" };
	char def[32], max[32], n[16];
	const char *cells[6];

	jl_format_duration(res->default_duration, def, sizeof(def));
	jl_format_duration(res->max_duration, max, sizeof(max));
	(void)snprintf(n, sizeof(n), "%u", res->approvals);
	cells[0] = res->name;
	cells[1] = names[role & 3];
	cells[2] = def;
	cells[3] = max;
	cells[4] = n;
	cells[5] = res->description;
	return ja_table_add(t, cells);
}

/* The resources the caller may request or approve. */
static int
resources_out(const struct ja *ja, bool json, struct jl_buf *b)
{
	static const char *const head[6] = { "RESOURCE", "ROLE", "DEFAULT",
		"MAX", "APPROVALS", "DESCRIPTION" };
	struct ja_table t = { .ncols = 6 };
	size_t i, shown = 0;
	int r, role;

	r = json ? jl_buf_puts(b, "[") : ja_table_add(&t, head);
	for (i = 0; r == 0 && i < ja->cfg->nresources; i++) {
		role = roles(ja, &ja->cfg->resources[i]);
		if (role <= 0) {
			r = role;
			continue;
		}
		if (json && shown > 0)
			r = jl_buf_puts(b, ",\n");
		if (r == 0)
			r = json ?
			    resource_json(&ja->cfg->resources[i], role, b) :
			    resource_row(&ja->cfg->resources[i], role, &t);
		shown++;
	}
	if (r == 0 && json)
		r = jl_buf_puts(b, "]\n");
	else if (r == 0 && shown > 0)
		r = ja_table_print(&t, b);
	ja_table_free(&t);
	return r;
}

int
ja_cmd_resources(struct ja *ja, const struct ja_args *a)
{
	struct jl_buf b = { NULL, 0, 0 };
	int r;

	r = resources_out(ja, (a->given & OPT(O_JSON)) != 0, &b);
	if (r < 0) {
		ja_err("cannot list resources: %s", strerror(-r));
		r = JA_ERROR;
	} else {
		r = ja_write(&b);
	}
	jl_buf_free(&b);
	return r;
}

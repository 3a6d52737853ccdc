/* SPDX-License-Identifier: ISC */
/*
 * The resources section of jitlog.conf(5): each resource is a group whose
 * keys are checked against a fixed table, every value against its rule
 * (names, paths, principals, quorum, durations, escalation, break-glass,
 * tickets, redaction), and defaults filled in where a key is absent.
 * Anything wrong rejects the whole file with the offending setting's line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "jitlog/parse.h"
#include "jitlog/redact.h"

#define MAX_PATHS     64
#define MAX_APPROVALS 16
#define HOUR          ((int64_t)3600)

static const char *const resource_keys[] = { "name", "description", "paths",
	"requesters", "approvers", "approvals", "default_duration",
	"max_duration", "require_ticket", "ticket_pattern", "redact",
	"allow_unredacted", "escalate_after", "escalate_to", "break_glass",
	"terminate_sessions", NULL };
static const char *const break_glass_keys[] = { "max_duration", NULL };
static const char *const anyone[] = { "*" };

/* name and description. */
static int
parse_name(struct jl_cctx *p, const config_setting_t *g,
    struct jl_resource *res)
{
	const config_setting_t *s = NULL;
	const char *v;
	char q[48];
	int r;

	if ((r = jl_cc_member(p, g, "name", CONFIG_TYPE_STRING, "a string",
	         &s)) < 0)
		return r;
	if (s == NULL)
		return jl_cc_fail(p, g, "resource without a name");
	v = config_setting_get_string(s);
	if (!jl_valid_resource_name(v))
		return jl_cc_fail(p, s,
		    "invalid resource name \"%s\" "
		    "([A-Za-z0-9][A-Za-z0-9._-]{0,63})",
		    jl_cc_quote(v, q, sizeof(q)));
	if ((r = jl_cc_strdup(p, s, &res->name)) < 0)
		return r;
	if ((r = jl_cc_member(p, g, "description", CONFIG_TYPE_STRING,
	         "a string", &s)) < 0)
		return r;
	v = s != NULL ? config_setting_get_string(s) : "";
	if (*v != '\0' && jl_check_text(v, JL_TEXT_MAX) < 0)
		return jl_cc_fail(p, s,
		    "description must be printable UTF-8 of at most %d bytes",
		    JL_TEXT_MAX);
	if ((res->description = strdup(v)) == NULL)
		return jl_error_set(p->err, ENOMEM, "out of memory");
	return 0;
}

/* paths, requesters, approvers, approvals. */
static int
parse_access(struct jl_cctx *p, const config_setting_t *g,
    struct jl_resource *res)
{
	const config_setting_t *s = NULL;
	int r;

	if ((r = jl_cc_strings(p, g, "paths", jl_cc_check_wild_path,
	         &res->paths, &res->npaths, &s)) < 0)
		return r;
	if (res->npaths > MAX_PATHS)
		return jl_cc_fail(p, s, "at most %d paths per resource",
		    MAX_PATHS);
	if ((r = jl_cc_set_strv(p, &res->requesters.v, &res->requesters.n,
	         anyone, 1)) < 0 ||
	    (r = jl_cc_principals(p, g, "requesters", &res->requesters, &s)) <
	        0 ||
	    (r = jl_cc_principals(p, g, "approvers", &res->approvers, &s)) < 0)
		return r;
	if (s == NULL || res->approvers.n == 0)
		return jl_cc_fail(p, s != NULL ? s : g,
		    "resource \"%s\" has no approvers", res->name);
	res->approvals = 1;
	if ((r = jl_cc_member(p, g, "approvals", CONFIG_TYPE_INT,
	         "a number (without quotes)", &s)) < 0)
		return r;
	if (s != NULL) {
		long long v = config_setting_get_int64(s);

		if (v < 1 || v > MAX_APPROVALS)
			return jl_cc_fail(p, s,
			    "approvals must be between 1 and %d",
			    MAX_APPROVALS);
		res->approvals = (unsigned)v;
	}
	return 0;
}

/* Distinct users in pr; false when pr holds a group or "*". */
static bool
count_users(const struct jl_principals *pr, const char **seen, size_t *n)
{
	enum jl_principal_kind kind;
	const char *name;
	size_t j;

	for (size_t i = 0; i < pr->n; i++) {
		if (jl_parse_principal(pr->v[i], &kind, &name) < 0 ||
		    kind != JL_PRINCIPAL_USER)
			return false;
		for (j = 0; j < *n && strcmp(seen[j], name) != 0; j++)
			;
		if (j == *n)
			seen[(*n)++] = name;
	}
	return true;
}

/*
 * When every approver (and escalation target) is a named user, there must
 * be at least approvals of them, or no request could ever be approved.
 */
static int
check_quorum(struct jl_cctx *p, const config_setting_t *g,
    const struct jl_resource *res)
{
	const config_setting_t *s = config_setting_get_member(g, "approvals");
	const char **seen;
	size_t n = 0;
	bool known;
	int r = 0;

	seen = calloc(res->approvers.n + res->escalate_to.n + 1, sizeof(*seen));
	if (seen == NULL)
		return jl_error_set(p->err, ENOMEM, "out of memory");
	known = count_users(&res->approvers, seen, &n) &&
	    count_users(&res->escalate_to, seen, &n);
	if (known && n < res->approvals)
		r = jl_cc_fail(p, s != NULL ? s : g,
		    "approvals = %u but only %zu distinct approvers are listed",
		    res->approvals, n);
	free(seen);
	return r;
}

/* break_glass = true | false | { max_duration = "30m"; } */
static int
parse_break_glass(struct jl_cctx *p, const config_setting_t *g,
    struct jl_resource *res)
{
	const config_setting_t *s = config_setting_get_member(g, "break_glass");
	const config_setting_t *ms = NULL;
	char a[32], b[32];
	int r;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_BOOL) {
		res->break_glass = config_setting_get_bool(s) != 0;
		res->break_glass_max = res->break_glass ? res->max_duration : 0;
		return 0;
	}
	if (!config_setting_is_group(s))
		return jl_cc_fail(p, s,
		    "break_glass must be true, false or a group "
		    "{ max_duration = \"30m\"; }");
	res->break_glass = true;
	res->break_glass_max = res->max_duration;
	if ((r = jl_cc_check_keys(p, s, "break_glass", break_glass_keys)) < 0 ||
	    (r = jl_cc_duration(p, s, "max_duration", &res->break_glass_max,
	         &ms)) < 0)
		return r;
	if (res->break_glass_max > res->max_duration) {
		jl_format_duration(res->break_glass_max, a, sizeof(a));
		jl_format_duration(res->max_duration, b, sizeof(b));
		return jl_cc_fail(p, ms,
		    "break_glass max_duration (%s) is longer than the "
		    "resource's max_duration (%s)",
		    a, b);
	}
	return 0;
}

/* max_duration, default_duration, escalate_after, escalate_to. */
static int
parse_times(struct jl_cctx *p, const config_setting_t *g,
    struct jl_resource *res)
{
	const config_setting_t *ds = NULL, *es = NULL, *ts = NULL;
	char a[32], b[32];
	int r;

	res->max_duration = 4 * HOUR;
	res->default_duration = 0;
	if ((r = jl_cc_duration(p, g, "max_duration", &res->max_duration,
	         &ds)) < 0 ||
	    (r = jl_cc_duration(p, g, "default_duration",
	         &res->default_duration, &ds)) < 0)
		return r;
	if (ds == NULL)
		res->default_duration =
		    res->max_duration < HOUR ? res->max_duration : HOUR;
	if (res->default_duration > res->max_duration) {
		jl_format_duration(res->default_duration, a, sizeof(a));
		jl_format_duration(res->max_duration, b, sizeof(b));
		return jl_cc_fail(p, ds,
		    "default_duration (%s) is longer than max_duration (%s)", a,
		    b);
	}
	if ((r = jl_cc_duration(p, g, "escalate_after", &res->escalate_after,
	         &es)) < 0 ||
	    (r = jl_cc_principals(p, g, "escalate_to", &res->escalate_to,
	         &ts)) < 0)
		return r;
	if (es != NULL && ts == NULL)
		return jl_cc_fail(p, es, "escalate_after needs escalate_to");
	if (ts != NULL && es == NULL)
		return jl_cc_fail(p, ts, "escalate_to needs escalate_after");
	if (ts != NULL && res->escalate_to.n == 0)
		return jl_cc_fail(p, ts, "escalate_to must not be empty");
	if (es != NULL && res->escalate_after >= p->cfg->request_ttl)
		return jl_cc_fail(p, es,
		    "escalate_after must be shorter than request_ttl "
		    "(requests lapse before they would escalate)");
	return parse_break_glass(p, g, res);
}

/* redact: the rules to apply, all built-ins when absent, none for []. */
static int
parse_redact(struct jl_cctx *p, const config_setting_t *g,
    struct jl_resource *res)
{
	const config_setting_t *s = NULL;
	char **v = NULL;
	size_t n = 0;
	int r;

	if ((r = jl_cc_strings(p, g, "redact", jl_cc_check_redact_name, &v, &n,
	         &s)) < 0)
		return r;
	if (s == NULL) {
		for (n = 0; jl_redact_builtin_names[n] != NULL; n++)
			;
		return jl_cc_set_strv(p, &res->redact, &res->nredact,
		    jl_redact_builtin_names, n);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(v[i], v[j]) == 0) {
				r = jl_cc_fail(p,
				    config_setting_get_elem(s, (unsigned)i),
				    "redact: \"%s\" is listed twice", v[i]);
				jl_cc_free_strv(v, n);
				return r;
			}
	res->redact = v;
	res->nredact = n;
	return 0;
}

/* require_ticket, ticket_pattern, redact and the two flags. */
static int
parse_options(struct jl_cctx *p, const config_setting_t *g,
    struct jl_resource *res)
{
	const config_setting_t *rs = NULL, *ts = NULL, *s = NULL;
	struct jl_error perr;
	int r;

	if ((r = jl_cc_bool(p, g, "require_ticket", &res->require_ticket,
	         &rs)) < 0 ||
	    (r = jl_cc_member(p, g, "ticket_pattern", CONFIG_TYPE_STRING,
	         "a string", &ts)) < 0)
		return r;
	if (ts != NULL) {
		if (rs != NULL && !res->require_ticket)
			return jl_cc_fail(p, ts,
			    "ticket_pattern requires a ticket; "
			    "remove require_ticket = false");
		if (jl_redact_check_pattern(config_setting_get_string(ts),
		        &perr) < 0)
			return jl_cc_fail(p, ts, "ticket_pattern: %s",
			    perr.msg);
		if ((r = jl_cc_strdup(p, ts, &res->ticket_pattern)) < 0)
			return r;
		res->require_ticket = true;
	}
	if ((r = parse_redact(p, g, res)) < 0)
		return r;
	res->allow_unredacted = false;
	res->terminate_sessions = true;
	if ((r = jl_cc_bool(p, g, "allow_unredacted", &res->allow_unredacted,
	         &s)) < 0 ||
	    (r = jl_cc_bool(p, g, "terminate_sessions",
	         &res->terminate_sessions, &s)) < 0)
		return r;
	return 0;
}

static int
parse_resource(struct jl_cctx *p, const config_setting_t *g,
    struct jl_resource *res)
{
	int r;

	if (!config_setting_is_group(g))
		return jl_cc_fail(p, g, "a resource must be a group { ... }");
	if ((r = jl_cc_check_keys(p, g, "a resource", resource_keys)) < 0 ||
	    (r = parse_name(p, g, res)) < 0 ||
	    (r = parse_access(p, g, res)) < 0 ||
	    (r = parse_times(p, g, res)) < 0 ||
	    (r = parse_options(p, g, res)) < 0)
		return r;
	return check_quorum(p, g, res);
}

int
jl_cc_resources(struct jl_cctx *p, const config_setting_t *root)
{
	struct jl_config *cfg = p->cfg;
	const config_setting_t *s = NULL, *g = NULL;
	size_t n;
	int r;

	if ((r = jl_cc_groups(p, root, "resources", &s)) < 0 || s == NULL)
		return r;
	n = (size_t)config_setting_length(s);
	if ((cfg->resources = calloc(n + 1, sizeof(*cfg->resources))) == NULL)
		return jl_error_set(p->err, ENOMEM, "out of memory");
	cfg->nresources = n;
	for (size_t i = 0; i < n; i++) {
		g = config_setting_get_elem(s, (unsigned)i);
		if ((r = parse_resource(p, g, &cfg->resources[i])) < 0)
			return r;
		for (size_t j = 0; j < i; j++)
			if (strcmp(cfg->resources[j].name,
			        cfg->resources[i].name) == 0)
				return jl_cc_fail(p,
				    config_setting_get_member(g, "name"),
				    "duplicate resource name \"%s\"",
				    cfg->resources[i].name);
	}
	return 0;
}

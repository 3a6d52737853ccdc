/* SPDX-License-Identifier: ISC */
/*
 * The checking half of the configuration loader: typed getters over the
 * libconfig tree (each refuses a wrong type with the setting's line),
 * path, principal and rule-name checks, the redaction_rules section and
 * jl_config_free.  Values are
 * copied out of libconfig as they are accepted; on error the caller frees
 * the half-built config with jl_config_free.  Resources are checked in
 * config_resource.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "jitlog/parse.h"
#include "jitlog/redact.h"

#define MAX_RULE_NAME 32

static const char *const rule_keys[] = { "name", "pattern", NULL };

const char *
jl_cc_quote(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 4 < len && i < 40; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (s[i] != '\0')
		buf[i++] = '.', buf[i++] = '.', buf[i++] = '.';
	buf[i] = '\0';
	return buf;
}

/* Where line n of text starts, or NULL. */
static const char *
line_start(const char *text, unsigned n)
{
	for (; text != NULL && n > 1; n--)
		if ((text = strchr(text, '\n')) != NULL)
			text++;
	return text;
}

/* The first token of the line at l: 0 for none (blank or comment). */
static char
first_token(const char *l)
{
	l += strspn(l, " \t\r\f\v");
	if (*l == '\n' || *l == '\0' || *l == '#' ||
	    (l[0] == '/' && l[1] == '/'))
		return '\0';
	return *l;
}

/*
 * libconfig numbers a list element with the line of the token after it.
 * When that is a closing bracket at the start of a later line, the
 * element is on the last line before it that has a token.
 */
static unsigned
element_line(const struct jl_cctx *p, const config_setting_t *s, unsigned line)
{
	const config_setting_t *list = config_setting_parent(s);
	unsigned lo;
	char c;

	if (list == NULL || config_setting_is_group(list) ||
	    config_setting_is_aggregate(s) || p->text == NULL)
		return line;
	lo = config_setting_source_line(list);
	c = first_token(line_start(p->text, line));
	if (c != ']' && c != ')')
		return line;
	while (line > lo && first_token(line_start(p->text, --line)) == '\0')
		;
	return line;
}

int
jl_cc_fail(struct jl_cctx *p, const config_setting_t *s, const char *fmt, ...)
{
	char msg[JL_ERRMAX];
	unsigned line = 0;
	va_list ap;

	if (s != NULL && (line = config_setting_source_line(s)) != 0)
		line = element_line(p, s, line);
	for (; s != NULL && line == 0; s = config_setting_parent(s))
		line = config_setting_source_line(s);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return jl_error_set(p->err, EINVAL, "%s:%u: %s", p->name, line, msg);
}

int
jl_cc_check_keys(struct jl_cctx *p, const config_setting_t *g, const char *what,
    const char *const keys[])
{
	const config_setting_t *s = NULL;
	int n = config_setting_length(g);
	size_t j;

	for (int i = 0; i < n; i++) {
		s = config_setting_get_elem(g, (unsigned)i);
		for (j = 0; keys[j] != NULL; j++)
			if (strcmp(keys[j], config_setting_name(s)) == 0)
				break;
		if (keys[j] == NULL)
			return jl_cc_fail(p, s, "unknown key \"%s\" in %s",
			    config_setting_name(s), what);
	}
	return 0;
}

int
jl_cc_member(struct jl_cctx *p, const config_setting_t *g, const char *key,
    int type, const char *what, const config_setting_t **ret)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (s != NULL && config_setting_type(s) != type &&
	    !(type == CONFIG_TYPE_INT &&
	        config_setting_type(s) == CONFIG_TYPE_INT64))
		return jl_cc_fail(p, s, "%s must be %s", key, what);
	*ret = s;
	return 0;
}

int
jl_cc_strdup(struct jl_cctx *p, const config_setting_t *s, char **ret)
{
	char *c = strdup(config_setting_get_string(s));

	if (c == NULL)
		return jl_error_set(p->err, ENOMEM, "out of memory");
	*ret = c;
	return 0;
}

/* What is wrong with path s, or NULL. */
static const char *
path_problem(const char *s, bool wild)
{
	const char *last = strrchr(s, '/'), *c;
	size_t n;

	if (s[0] != '/')
		return "must be an absolute path";
	if (strlen(s) >= PATH_MAX)
		return "is too long";
	if (*++last == '\0')
		return "must not end in '/'";
	for (c = s; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return "must not contain control characters";
		if (c[0] == '/' && c[1] == '/')
			return "must not contain \"//\"";
		if (wild && (*c == '[' || *c == '\\'))
			return "must not contain '[' or '\\' (the wildcards "
			       "are '*' and '?')";
		if ((*c == '*' || *c == '?') && !wild)
			return "must not contain wildcards";
		if ((*c == '*' || *c == '?') && c < last)
			return "may use '*' and '?' only in its last component";
	}
	for (c = s; c != NULL; c = strchr(c + 1, '/')) {
		n = strcspn(c + 1, "/");
		if ((n == 1 && c[1] == '.') ||
		    (n == 2 && c[1] == '.' && c[2] == '.'))
			return "must be normalised (no \".\" or \"..\")";
	}
	return NULL;
}

int
jl_cc_path(struct jl_cctx *p, const config_setting_t *s, const char *key,
    bool wild)
{
	const char *v = config_setting_get_string(s), *why;
	char q[48];

	if ((why = path_problem(v, wild)) != NULL)
		return jl_cc_fail(p, s, "%s: \"%s\" %s", key,
		    jl_cc_quote(v, q, sizeof(q)), why);
	return 0;
}

int
jl_cc_check_wild_path(struct jl_cctx *p, const config_setting_t *e,
    const char *key)
{
	return jl_cc_path(p, e, key, true);
}

int
jl_cc_check_principal(struct jl_cctx *p, const config_setting_t *e,
    const char *key)
{
	const char *v = config_setting_get_string(e), *name;
	enum jl_principal_kind kind;
	char q[48];

	if (jl_parse_principal(v, &kind, &name) < 0)
		return jl_cc_fail(p, e,
		    "%s: \"%s\" is not a principal (user, %%group or \"*\")",
		    key, jl_cc_quote(v, q, sizeof(q)));
	return 0;
}

int
jl_cc_check_redact_name(struct jl_cctx *p, const config_setting_t *e,
    const char *key)
{
	const char *v = config_setting_get_string(e);
	char q[48];

	if (jl_redact_is_builtin(v))
		return 0;
	for (size_t i = 0; i < p->cfg->nrules; i++)
		if (strcmp(p->cfg->rules[i].name, v) == 0)
			return 0;
	return jl_cc_fail(p, e,
	    "%s: \"%s\" is neither a built-in rule nor in redaction_rules", key,
	    jl_cc_quote(v, q, sizeof(q)));
}

void
jl_cc_free_strv(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int
jl_cc_strings(struct jl_cctx *p, const config_setting_t *g, const char *key,
    jl_cc_check_fn check, char ***ret_v, size_t *ret_n,
    const config_setting_t **ret_s)
{
	const config_setting_t *s = config_setting_get_member(g, key),
	                       *e = NULL;
	char **v = NULL;
	size_t n = 0;
	int r = 0;

	if (s == NULL) {
		*ret_s = NULL;
		return 0;
	}
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return jl_cc_fail(p, s,
		    "%s must be a list of strings: [ \"...\", ... ]", key);
	n = (size_t)config_setting_length(s);
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return jl_error_set(p->err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			r = jl_cc_fail(p, e, "%s must be a list of strings",
			    key);
			goto out;
		}
		if ((check != NULL && (r = check(p, e, key)) < 0) ||
		    (r = jl_cc_strdup(p, e, &v[i])) < 0)
			goto out;
	}
	*ret_v = v;
	*ret_n = n;
	*ret_s = s;
	v = NULL;
out:
	jl_cc_free_strv(v, n);
	return r;
}

int
jl_cc_set_strv(struct jl_cctx *p, char ***v, size_t *nv, const char *const *src,
    size_t n)
{
	char **c = calloc(n + 1, sizeof(*c));

	if (c == NULL)
		return jl_error_set(p->err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		if ((c[i] = strdup(src[i])) == NULL) {
			jl_cc_free_strv(c, n);
			return jl_error_set(p->err, ENOMEM, "out of memory");
		}
	jl_cc_free_strv(*v, *nv);
	*v = c;
	*nv = n;
	return 0;
}

int
jl_cc_principals(struct jl_cctx *p, const config_setting_t *g, const char *key,
    struct jl_principals *out, const config_setting_t **ret_s)
{
	char **v = NULL;
	size_t n = 0;
	int r;

	if ((r = jl_cc_strings(p, g, key, jl_cc_check_principal, &v, &n,
	         ret_s)) < 0)
		return r;
	if (*ret_s != NULL) {
		jl_cc_free_strv(out->v, out->n);
		out->v = v;
		out->n = n;
	}
	return 0;
}

int
jl_cc_duration(struct jl_cctx *p, const config_setting_t *g, const char *key,
    int64_t *ret, const config_setting_t **ret_s)
{
	const config_setting_t *s = NULL;
	int64_t v;
	char q[48];
	int r;

	if ((r = jl_cc_member(p, g, key, CONFIG_TYPE_STRING,
	         "a duration string such as \"4h\"", &s)) < 0)
		return r;
	if (s != NULL &&
	    jl_parse_duration(config_setting_get_string(s), &v) < 0)
		return jl_cc_fail(p, s,
		    "%s: invalid duration \"%s\" (e.g. 90s, 15m, 4h, 1d, "
		    "1h30m; more than 0, at most 366d)",
		    key,
		    jl_cc_quote(config_setting_get_string(s), q, sizeof(q)));
	if (s != NULL)
		*ret = v;
	*ret_s = s;
	return 0;
}

int
jl_cc_bool(struct jl_cctx *p, const config_setting_t *g, const char *key,
    bool *ret, const config_setting_t **ret_s)
{
	const config_setting_t *s = NULL;
	int r;

	if ((r = jl_cc_member(p, g, key, CONFIG_TYPE_BOOL, "true or false",
	         &s)) < 0)
		return r;
	if (s != NULL)
		*ret = config_setting_get_bool(s) != 0;
	*ret_s = s;
	return 0;
}

int
jl_cc_groups(struct jl_cctx *p, const config_setting_t *root, const char *key,
    const config_setting_t **ret)
{
	const config_setting_t *s = config_setting_get_member(root, key);

	if (s != NULL && !config_setting_is_list(s) &&
	    !(config_setting_is_array(s) && config_setting_length(s) == 0))
		return jl_cc_fail(p, s,
		    "%s must be a list of groups: ( { ... }, { ... } )", key);
	*ret = s;
	return 0;
}

static bool
valid_rule_name(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");

	return n > 0 && n <= MAX_RULE_NAME && s[n] == '\0' && s[0] != '-';
}

static int
parse_rule(struct jl_cctx *p, const config_setting_t *g, size_t i)
{
	struct jl_rule *rule = &p->cfg->rules[i];
	const config_setting_t *ns = NULL, *ps = NULL;
	struct jl_error perr;
	const char *name;
	char q[48];
	int r;

	if (!config_setting_is_group(g))
		return jl_cc_fail(p, g,
		    "a redaction rule must be a group "
		    "{ name = \"...\"; pattern = \"...\"; }");
	if ((r = jl_cc_check_keys(p, g, "a redaction rule", rule_keys)) < 0 ||
	    (r = jl_cc_member(p, g, "name", CONFIG_TYPE_STRING, "a string",
	         &ns)) < 0 ||
	    (r = jl_cc_member(p, g, "pattern", CONFIG_TYPE_STRING, "a string",
	         &ps)) < 0)
		return r;
	if (ns == NULL || ps == NULL)
		return jl_cc_fail(p, g,
		    "a redaction rule needs a name and a "
		    "pattern");
	name = config_setting_get_string(ns);
	if (!valid_rule_name(name))
		return jl_cc_fail(p, ns,
		    "invalid rule name \"%s\" ([a-z0-9][a-z0-9-]{0,31})",
		    jl_cc_quote(name, q, sizeof(q)));
	if (jl_redact_is_builtin(name))
		return jl_cc_fail(p, ns, "\"%s\" is a built-in rule name",
		    name);
	for (size_t j = 0; j < i; j++)
		if (strcmp(p->cfg->rules[j].name, name) == 0)
			return jl_cc_fail(p, ns, "duplicate rule name \"%s\"",
			    name);
	if (jl_redact_check_pattern(config_setting_get_string(ps), &perr) < 0)
		return jl_cc_fail(p, ps, "pattern of rule \"%s\": %s", name,
		    perr.msg);
	if ((r = jl_cc_strdup(p, ns, &rule->name)) < 0 ||
	    (r = jl_cc_strdup(p, ps, &rule->pattern)) < 0)
		return r;
	return 0;
}

int
jl_cc_rules(struct jl_cctx *p, const config_setting_t *root)
{
	const config_setting_t *s = NULL;
	size_t n;
	int r;

	if ((r = jl_cc_groups(p, root, "redaction_rules", &s)) < 0 || s == NULL)
		return r;
	n = (size_t)config_setting_length(s);
	if ((p->cfg->rules = calloc(n + 1, sizeof(struct jl_rule))) == NULL)
		return jl_error_set(p->err, ENOMEM, "out of memory");
	p->cfg->nrules = n;
	for (size_t i = 0; i < n; i++)
		if ((r = parse_rule(p, config_setting_get_elem(s, (unsigned)i),
		         i)) < 0)
			return r;
	return 0;
}

static void
free_principals(struct jl_principals *pr)
{
	jl_cc_free_strv(pr->v, pr->n);
}

static void
free_resource(struct jl_resource *r)
{
	free(r->name);
	free(r->description);
	jl_cc_free_strv(r->paths, r->npaths);
	free_principals(&r->requesters);
	free_principals(&r->approvers);
	free(r->ticket_pattern);
	jl_cc_free_strv(r->redact, r->nredact);
	free_principals(&r->escalate_to);
}

void
jl_config_free(struct jl_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->database);
	free_principals(&cfg->admins);
	free_principals(&cfg->auditors);
	free(cfg->notify_command);
	for (size_t i = 0; cfg->resources != NULL && i < cfg->nresources; i++)
		free_resource(&cfg->resources[i]);
	free(cfg->resources);
	for (size_t i = 0; cfg->rules != NULL && i < cfg->nrules; i++) {
		free(cfg->rules[i].name);
		free(cfg->rules[i].pattern);
	}
	free(cfg->rules);
	free(cfg);
}

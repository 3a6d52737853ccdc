/* SPDX-License-Identifier: ISC */
/*
 * jitadm's strict, table-driven argument parser.  One table names every
 * option and the kind of its value; each command allows a subset.  The
 * parser never writes into argv (no getopt permutation): options and
 * positional arguments may be mixed, "--" ends the options, and every
 * value is converted and checked here, before any lookup.
 *
 * MUST (SECURITY.md "Process start": arguments; tests in
 * tests/integration/jitadm_refusals.sh):
 *  - unknown options, options not allowed for the command, repeated
 *    options, missing values and missing or extra positional arguments
 *    are usage errors;
 *  - numbers go through jl_parse_uint (no sign, no leading zero, no
 *    exponent, no overflow), durations through jl_parse_duration, times
 *    through jl_parse_time, names through the name validators and text
 *    through jl_check_text: anything else is a usage error;
 *  - user-supplied values are never echoed unescaped.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "jitadm.h"
#include "jitlog/parse.h"
#include "jitlog/report.h"

enum kind {
	K_FLAG,
	K_TEXT, /* reason, comment, ticket */
	K_DUR,
	K_TIME,
	K_ID,
	K_USER,
	K_RESOURCE,
	K_COUNT, /* 1..JL_REPORT_REPEAT_MAX */
};

static const struct {
	const char *name;
	enum kind kind;
} opts[O_NOPTS] = {
	[O_HELP] = { "help", K_FLAG },
	[O_REASON] = { "reason", K_TEXT },
	[O_DURATION] = { "duration", K_DUR },
	[O_TICKET] = { "ticket", K_TEXT },
	[O_START] = { "start", K_TIME },
	[O_UNREDACTED] = { "unredacted", K_FLAG },
	[O_COMMENT] = { "comment", K_TEXT },
	[O_USER] = { "user", K_USER },
	[O_RESOURCE] = { "resource", K_RESOURCE },
	[O_PENDING] = { "pending", K_FLAG },
	[O_ACTIVE] = { "active", K_FLAG },
	[O_UNREVIEWED] = { "unreviewed", K_FLAG },
	[O_ALL] = { "all", K_FLAG },
	[O_SINCE] = { "since", K_TIME },
	[O_GRANT] = { "grant", K_ID },
	[O_JSON] = { "json", K_FLAG },
	[O_SINCE_DUR] = { "since", K_DUR },
	[O_REPEAT] = { "repeat", K_COUNT },
	[O_JOURNAL] = { "journal", K_FLAG },
	[O_BREAK_GLASS] = { "break-glass", K_FLAG },
};

/*
 * A grant id: decimal, 1..INT64_MAX, no sign, spaces or leading zeros.
 * JA_OK or JA_USAGE (message printed).
 */
int
ja_parse_id(const char *s, int64_t *ret)
{
	uint64_t v = 0;

	if (jl_parse_uint(s, (uint64_t)INT64_MAX, &v) < 0 || v == 0) {
		ja_err("invalid grant id (a positive decimal number)");
		return JA_USAGE;
	}
	*ret = (int64_t)v;
	return JA_OK;
}

/* A path given by root: absolute, printable UTF-8, not too long. */
bool
ja_path_ok(const char *s)
{
	return s[0] == '/' && jl_check_text(s, JA_ARG_MAX) == 0;
}

/* A count: 1..JL_REPORT_REPEAT_MAX, strictly decimal.  0 or -EINVAL. */
static int
parse_count(const char *s, int64_t *ret)
{
	uint64_t v = 0;

	if (jl_parse_uint(s, JL_REPORT_REPEAT_MAX, &v) < 0 || v == 0)
		return -EINVAL;
	*ret = (int64_t)v;
	return 0;
}

/* Convert and check the value v of option o into a.  JA_OK/JA_USAGE. */
static int
set_value(enum ja_opt o, const char *v, time_t now, struct ja_args *a)
{
	time_t t = 0;
	int r = 0;

	switch (opts[o].kind) {
	case K_FLAG:
		break;
	case K_TEXT:
		r = jl_check_text(v, JL_TEXT_MAX);
		if (r < 0)
			ja_err("--%s: must be 1-%d bytes of printable UTF-8 "
			       "text",
			    opts[o].name, JL_TEXT_MAX);
		break;
	case K_DUR:
		r = jl_parse_duration(v, &a->num[o]);
		if (r < 0)
			ja_err("--%s: invalid duration (like 90s, 15m, 4h, "
			       "1h30m, 1d)",
			    opts[o].name);
		break;
	case K_TIME:
		r = jl_parse_time(v, now, &t);
		if (r < 0)
			ja_err("--%s: invalid time (like 2026-11-26T10:00:00Z, "
			       "+2h or -1d)",
			    opts[o].name);
		a->num[o] = (int64_t)t;
		break;
	case K_ID:
		if (ja_parse_id(v, &a->num[o]) != JA_OK)
			return JA_USAGE;
		break;
	case K_USER:
		if (!jl_valid_user_name(v)) {
			ja_err("--%s: invalid user name", opts[o].name);
			r = -EINVAL;
		}
		break;
	case K_RESOURCE:
		if (!jl_valid_resource_name(v)) {
			ja_err("--%s: invalid resource name", opts[o].name);
			r = -EINVAL;
		}
		break;
	case K_COUNT:
		r = parse_count(v, &a->num[o]);
		if (r < 0)
			ja_err("--%s: must be a number from 1 to %d",
			    opts[o].name, JL_REPORT_REPEAT_MAX);
		break;
	}
	if (r < 0)
		return JA_USAGE;
	a->val[o] = v;
	a->given |= OPT(o);
	return JA_OK;
}

/* The option named by arg ("--name", "--name=value" or "-h"), or -1. */
static int
find_opt(const char *arg, unsigned allowed, const char **ret_eq)
{
	const char *name, *eq;
	size_t len;
	int o;

	*ret_eq = NULL;
	if (strcmp(arg, "-h") == 0)
		return O_HELP;
	if (strncmp(arg, "--", 2) != 0)
		return -1;
	name = arg + 2;
	eq = strchr(name, '=');
	len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	for (o = 0; o < O_NOPTS; o++) {
		if (!(allowed & OPT(o)) || strlen(opts[o].name) != len ||
		    strncmp(opts[o].name, name, len) != 0)
			continue;
		*ret_eq = eq;
		return o;
	}
	return -1;
}

/* One option at argv[*i] (advanced past its value).  JA_OK/JA_USAGE. */
static int
parse_opt(const struct ja_cmd *cmd, int argc, char *const argv[], int *i,
    time_t now, struct ja_args *a)
{
	const char *arg = argv[*i], *eq = NULL, *v = NULL;
	int o;

	o = find_opt(arg, cmd->allowed | OPT(O_HELP), &eq);
	if (o < 0) {
		ja_err("%s: unknown option %.64s", cmd->name, arg);
		return JA_USAGE;
	}
	if (a->given & OPT(o)) {
		ja_err("%s: option --%s given more than once", cmd->name,
		    opts[o].name);
		return JA_USAGE;
	}
	if (opts[o].kind == K_FLAG) {
		if (eq != NULL) {
			ja_err("option --%s takes no value", opts[o].name);
			return JA_USAGE;
		}
	} else if (eq != NULL) {
		v = eq + 1;
	} else if (*i + 1 < argc) {
		v = argv[++*i];
	} else {
		ja_err("option --%s needs a value", opts[o].name);
		return JA_USAGE;
	}
	return set_value((enum ja_opt)o, v, now, a);
}

/* Required options and positional arguments present.  JA_OK/JA_USAGE. */
static int
check_complete(const struct ja_cmd *cmd, const struct ja_args *a)
{
	int o;

	for (o = 0; o < O_NOPTS; o++) {
		if ((cmd->required & OPT(o)) && !(a->given & OPT(o))) {
			ja_err("%s: --%s is required", cmd->name, opts[o].name);
			return JA_USAGE;
		}
	}
	if ((a->given & cmd->exclusive) & ((a->given & cmd->exclusive) - 1)) {
		ja_err("%s: options that exclude each other", cmd->name);
		return JA_USAGE;
	}
	if (a->npos < cmd->minpos) {
		ja_err("%s: missing argument", cmd->name);
		return JA_USAGE;
	}
	return JA_OK;
}

/* Check the positional arguments by the command's kind.  JA_OK/USAGE. */
static int
check_pos(const struct ja_cmd *cmd, struct ja_args *a)
{
	size_t i;

	for (i = 0; i < a->npos; i++) {
		switch (cmd->pos) {
		case P_NONE:
			break;
		case P_ID:
			if (ja_parse_id(a->pos[i], &a->id) != JA_OK)
				return JA_USAGE;
			break;
		case P_RESOURCE:
			if (jl_valid_resource_name(a->pos[i]))
				break;
			ja_err("%s: invalid resource name", cmd->name);
			return JA_USAGE;
		case P_FILE:
			if (ja_path_ok(a->pos[i]))
				break;
			ja_err("%s: FILE must be an absolute path", cmd->name);
			return JA_USAGE;
		case P_VERIFY:
			if (strcmp(a->pos[i], "verify") == 0)
				break;
			ja_err("%s: unknown argument (only \"verify\")",
			    cmd->name);
			return JA_USAGE;
		}
	}
	return JA_OK;
}

/*
 * Parse the arguments after the command name.  JA_OK with *ret filled,
 * JA_HELP when --help/-h was given, or JA_USAGE (message printed).
 */
int
ja_parse_args(const struct ja_cmd *cmd, int argc, char *const argv[],
    time_t now, struct ja_args *ret)
{
	struct ja_args a;
	bool opts_done = false;
	int i, r;

	memset(&a, 0, sizeof(a));
	for (i = 0; i < argc; i++) {
		if (!opts_done && strcmp(argv[i], "--") == 0) {
			opts_done = true;
		} else if (!opts_done && argv[i][0] == '-' &&
		    argv[i][1] != '\0') {
			r = parse_opt(cmd, argc, argv, &i, now, &a);
			if (r != JA_OK)
				return r;
		} else if (a.npos < cmd->maxpos && a.npos < JA_MAXPOS) {
			a.pos[a.npos++] = argv[i];
		} else {
			ja_err("%s: too many arguments", cmd->name);
			return JA_USAGE;
		}
	}
	if (a.given & OPT(O_HELP))
		return JA_HELP;
	if ((r = check_complete(cmd, &a)) != JA_OK)
		return r;
	if ((r = check_pos(cmd, &a)) != JA_OK)
		return r;
	*ret = a;
	return JA_OK;
}

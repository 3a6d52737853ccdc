/* SPDX-License-Identifier: ISC */
/*
 * fuzz_argv: the command lines of jitadm and jitlogview, parsed by their
 * real parsers.  Those are static in each program's main.c, so main.c is
 * included here with main() renamed (jitlogview's in fuzz_argv_jv.c),
 * and the other sources of the program are linked in as they are.
 *
 * Input: a byte choosing the program, then argv split on NUL bytes
 * (argv[0] included; at most 64 arguments).
 *
 * Properties: argv is never written; an accepted command line keeps
 * every promise of the parser -- a known command, only options it
 * allows, each at most once, the required ones present, exclusive ones
 * alone, the positional arguments counted and checked by kind, every
 * value converted and checked (durations in range, times that parse,
 * ids >= 1, valid names, printable text), no argument longer than
 * JA_ARG_MAX, -c only with an absolute path.
 */
#define main fz_jitadm_main
int fz_jitadm_main(int argc, char *argv[]);
#include "main.c"
#undef main

#include "fuzz_util.h"
#include "jitlog/parse.h"

#define MAXARGS 64
#define NOW     ((time_t)1764151200) /* 2025-11-26T10:00:00Z */

#ifdef JL_FUZZ_JITLOGVIEW
/* fuzz_argv_jv.c */
void fz_jv_parse(int argc, char *argv[]);
#endif

static bool
pos_ok(const struct ja_cmd *cmd, const char *s)
{
	switch (cmd->pos) {
	case P_NONE:
		return true;
	case P_ID:
		return jl_parse_uint(s, INT64_MAX, &(uint64_t){ 0 }) == 0 &&
		    strcmp(s, "0") != 0;
	case P_RESOURCE:
		return jl_valid_resource_name(s);
	case P_FILE:
		return s[0] == '/' && jl_check_text(s, JA_ARG_MAX) == 0;
	case P_VERIFY:
		return strcmp(s, "verify") == 0;
	}
	return false;
}

static void
check_value(enum ja_opt o, const struct ja_args *a)
{
	const char *v = a->val[o];
	time_t t = 0;

	switch (o) {
	case O_HELP:
	case O_UNREDACTED:
	case O_PENDING:
	case O_ACTIVE:
	case O_UNREVIEWED:
	case O_ALL:
	case O_JSON:
		FZ_CHECK(v == NULL, "flag %d with a value", o);
		return;
	default:
		FZ_CHECK(v != NULL, "option %d given without a value", o);
		break;
	}
	switch (o) {
	case O_REASON:
	case O_TICKET:
	case O_COMMENT:
		FZ_CHECK(jl_check_text(v, JL_TEXT_MAX) == 0, "text \"%s\"", v);
		break;
	case O_DURATION:
		FZ_CHECK(a->num[o] >= 1 && a->num[o] <= JL_DURATION_MAX,
		    "duration %lld", (long long)a->num[o]);
		break;
	case O_START:
	case O_SINCE:
		FZ_CHECK(jl_parse_time(v, NOW, &t) == 0 && t == a->num[o],
		    "time \"%s\"", v);
		break;
	case O_GRANT:
		FZ_CHECK(a->num[o] >= 1, "grant id %lld", (long long)a->num[o]);
		break;
	case O_USER:
		FZ_CHECK(jl_valid_user_name(v), "user \"%s\"", v);
		break;
	case O_RESOURCE:
		FZ_CHECK(jl_valid_resource_name(v), "resource \"%s\"", v);
		break;
	default:
		break;
	}
}

static void
check_accepted(const struct ja *ja, const struct ja_args *a)
{
	const struct ja_cmd *cmd = ja->cmd;
	unsigned ex;
	size_t i;
	int o;

	FZ_CHECK(cmd != NULL && find_cmd(cmd->name) == cmd, "command");
	FZ_CHECK((a->given & ~cmd->allowed) == 0,
	    "%s: option not allowed "
	    "(%#x of %#x)",
	    cmd->name, a->given, cmd->allowed);
	FZ_CHECK((a->given & cmd->required) == cmd->required,
	    "%s: required option missing", cmd->name);
	ex = a->given & cmd->exclusive;
	FZ_CHECK((ex & (ex - 1)) == 0, "%s: exclusive options together",
	    cmd->name);
	FZ_CHECK(a->npos >= cmd->minpos && a->npos <= cmd->maxpos &&
	        a->npos <= JA_MAXPOS,
	    "%s: %zu positional arguments", cmd->name, a->npos);
	for (i = 0; i < a->npos; i++)
		FZ_CHECK(pos_ok(cmd, a->pos[i]), "%s: argument \"%s\"",
		    cmd->name, a->pos[i]);
	if (cmd->pos == P_ID && a->npos > 0)
		FZ_CHECK(a->id >= 1, "%s: id %lld", cmd->name,
		    (long long)a->id);
	for (o = 0; o < O_NOPTS; o++)
		if (a->given & OPT(o))
			check_value((enum ja_opt)o, a);
	FZ_CHECK(ja->config_path == NULL || ja_path_ok(ja->config_path),
	    "-c \"%s\"", ja->config_path);
}

static void
jitadm_parse(int argc, char *argv[])
{
	struct ja ja = { .gid = (gid_t)-1, .now = NOW };
	struct ja_args a;
	int i, r;

	memset(&a, 0, sizeof(a));
	r = parse_cmdline(argc, argv, &ja, &a);
	FZ_CHECK(r == JA_OK || r == JA_HELP || r == JA_USAGE,
	    "parse_cmdline: %d", r);
	if (r != JA_OK)
		return;
	for (i = 1; i < argc; i++)
		FZ_CHECK(strlen(argv[i]) <= JA_ARG_MAX, "long argument taken");
	check_accepted(&ja, &a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	char *argv[MAXARGS + 1], *copy[MAXARGS];
	unsigned prog;
	int argc = 0, i;

	if (size > 64 * 1024)
		return 0;
	prog = fz_u8(&in);
	while (argc < MAXARGS && (argv[argc] = fz_next_str(&in)) != NULL) {
		copy[argc] = fz_strndup(argv[argc], strlen(argv[argc]));
		argc++;
	}
	argv[argc] = NULL;
	if (argc == 0)
		return 0; /* main() refuses argc == 0 before parsing */
#ifdef JL_FUZZ_JITLOGVIEW
	if (prog & 1)
		fz_jv_parse(argc, argv);
	else
#endif
		jitadm_parse(argc, argv);
	(void)prog;
	for (i = 0; i < argc; i++) {
		FZ_CHECK(strcmp(argv[i], copy[i]) == 0, "argv[%d] written", i);
		free(argv[i]);
		free(copy[i]);
	}
	return 0;
}

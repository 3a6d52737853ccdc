/* SPDX-License-Identifier: ISC */
/*
 * jitlogview's half of fuzz_argv: its main.c included with main()
 * renamed, so that its static parse_args() can be driven, and the checks
 * of what it accepts: a valid resource name or none, a printable FILE
 * only after a RESOURCE, -n within 0..JV_LINES_MAX, -f and -n only with
 * a RESOURCE, at most one of each, no argument over JV_ARG_MAX.
 */
#define main fz_jitlogview_main
int fz_jitlogview_main(int argc, char *argv[]);
#include "main.c"
#undef main

#include "fuzz_util.h"

void fz_jv_parse(int argc, char *argv[]);

void
fz_jv_parse(int argc, char *argv[])
{
	struct jv_args a = { .lines = -1 };
	int i, r;

	r = parse_args(argc, argv, &a);
	FZ_CHECK(r == JV_OK || r == JV_HELP || r == JV_USAGE,
	    "jitlogview parse_args: %d", r);
	if (r != JV_OK)
		return;
	for (i = 1; i < argc; i++)
		FZ_CHECK(strlen(argv[i]) <= JV_ARG_MAX, "long argument taken");
	FZ_CHECK(a.resource == NULL || jl_valid_resource_name(a.resource),
	    "jitlogview resource \"%s\"", a.resource);
	FZ_CHECK(a.file == NULL ||
	        (a.resource != NULL && jl_check_text(a.file, JV_ARG_MAX) == 0),
	    "jitlogview file \"%s\"", a.file);
	FZ_CHECK(a.lines >= -1 && a.lines <= JV_LINES_MAX, "-n %lld",
	    (long long)a.lines);
	FZ_CHECK(a.resource != NULL || (!a.follow && a.lines == -1),
	    "-f/-n without a resource");
}

/* SPDX-License-Identifier: ISC */
/*
 * jl_redact: the viewer's streaming core (linebuf.h: line assembly,
 * redaction with the given rules, cut, escape) as a plain filter from
 * stdin to stdout, without the setuid monitor, the pipes between the
 * processes or the store.  The benchmarks use it to compare the output of
 * bench/rules/redact.sed and redact.pl with jitlog's own (what differs,
 * and on how many lines), and to profile the core under perf or
 * callgrind; the figures of bench/README.md come from the installed
 * jitlogview, not from this.
 *
 * Usage: jl_redact [-c] [RULE...]   (no rule: all built-in rules;
 *        "-" alone: no redaction, escaping only; -c: counts on stderr)
 * Built by bench/run.sh: cc -O2 jl_redact.c BUILD/lib/libjitlog_core.a ...
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jitlog/linebuf.h"
#include "jitlog/redact.h"

#define IN_BUF   (128 * 1024)
#define FEED_MAX (64 * 1024)

static int
flush(struct jl_buf *out)
{
	size_t off = 0;
	ssize_t n;

	while (off < out->len) {
		n = write(STDOUT_FILENO, out->data + off, out->len - off);
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	jl_buf_reset(out);
	return 0;
}

static int
filter(struct jl_linebuf *lb, struct jl_buf *out)
{
	static char buf[IN_BUF];
	size_t off, k;
	ssize_t n;

	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		for (off = 0; off < (size_t)n; off += k) {
			k = (size_t)n - off < FEED_MAX ? (size_t)n - off :
			                                 FEED_MAX;
			if (jl_linebuf_feed(lb, buf + off, k, out) < 0 ||
			    flush(out) < 0)
				return -1;
		}
	if (n < 0 || jl_linebuf_finish(lb, out) < 0 || flush(out) < 0)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct jl_linebuf_redactor red = { jl_redactor_fn, jl_redactor_out_at,
		NULL };
	struct jl_redactor *rd = NULL;
	struct jl_linebuf lb;
	struct jl_buf out = { 0 };
	struct jl_error err = { "" };
	bool counts = false, none;
	size_t i, n, nb;
	int rc = 1;

	if (argc > 1 && strcmp(argv[1], "-c") == 0) {
		counts = true;
		argv++;
		argc--;
	}
	none = argc == 2 && strcmp(argv[1], "-") == 0;
	n = argc > 1 ? (size_t)(argc - 1) : 0;
	for (nb = 0; jl_redact_builtin_names[nb] != NULL; nb++)
		;
	if (!none &&
	    jl_redactor_new(n > 0 ? (const char *const *)argv + 1 :
	                            jl_redact_builtin_names,
	        n > 0 ? n : nb, NULL, 0, &rd, &err) < 0) {
		fprintf(stderr, "jl_redact: %s\n", err.msg);
		return 2;
	}
	red.ctx = rd;
	if (jl_linebuf_init(&lb, JL_LINEBUF_CAP, JL_LINEBUF_OVERLAP,
	        rd != NULL ? &red : NULL) < 0)
		goto out;
	if (filter(&lb, &out) < 0) {
		perror("jl_redact");
		goto out;
	}
	for (i = 0; counts && rd != NULL && i < jl_redactor_nrules(rd); i++)
		fprintf(stderr, "%s %llu\n", jl_redactor_rule_name(rd, i),
		    (unsigned long long)jl_redactor_rule_count(rd, i));
	rc = 0;
	jl_linebuf_free(&lb);
out:
	jl_buf_free(&out);
	jl_redactor_free(rd);
	return rc;
}

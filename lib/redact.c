/* SPDX-License-Identifier: ISC */
/*
 * The redaction engine (redact.h): a compiled set of rules applied to one
 * log line at a time, on the decoded line before it is escaped or cut
 * (SECURITY.md "Output").  The viewer streams hundreds of MB through it.
 *
 * Why PCRE2: it is in Debian main (libpcre2-8) on every architecture, it
 * is plain C, its JIT makes these patterns run at memory speed, it has
 * capture groups (url-credentials and secret-assignment replace only a
 * part of the match), per-match limits (match, depth, heap, JIT stack)
 * and callouts, which is how a backtracking engine is kept from hanging
 * (see "Bounded time").  Hyperscan is x86-only in Debian and reports no
 * capture groups.  RE2 would give linear time by construction, but it is
 * C++: a C++ runtime inside a setuid program and, through the core,
 * inside every PAM host; the checker plus the time budget cover the gap.
 *
 * Patterns match bytes (PCRE2_NEVER_UTF, so no pattern can switch UTF on
 * with (*UTF)): a log line is bytes, may hold invalid UTF-8 and NULs, and
 * must still be matched whole; every built-in rule is ASCII.  A custom
 * pattern's "." is a byte; escaping after redaction keeps the output
 * valid UTF-8 even if a match ends inside a character.
 *
 * How a line is redacted: each enabled rule whose prefilter finds a
 * candidate runs its pattern over the original line and records the
 * span of each secret (the capture for url-credentials, secret-assignment
 * and bearer, else the whole match).  Spans are sorted (earliest start,
 * then longest, then rule order) and overlapping spans are merged into
 * one, named after its first span, so no byte matched by any rule shows.
 * Rules never see each other's "[REDACTED:...]" text.
 *
 * Bounded time.  Built-in patterns are linear (redact_rules.c).  Custom
 * patterns are checked at config load (redact_check.c), but a backtracking
 * engine's own limits are per start position: a quadratic pattern such as
 * "[a-z]+?x" on a long line stays under any match limit and still runs
 * for seconds.  So custom patterns are compiled with PCRE2_AUTO_CALLOUT;
 * the callout reads the clock every CLOCK_EVERY calls and aborts when one
 * rule has spent CUSTOM_BUDGET_NS on one line.  Between two callouts PCRE2
 * runs one pattern item, at worst one scan of the line.
 *
 * MUST (tests/unit/test_redact.c):
 *  - a line with no match is copied byte for byte (NULs, invalid UTF-8);
 *  - a byte matched by any enabled rule is never output;
 *  - a failed match (any PCRE2 error, limit or time budget) fails closed:
 *    the whole line becomes "[REDACTED:<rule>:unmatchable]";
 *  - no line makes the engine loop: empty matches advance, time is capped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "jitlog/config.h"
#include "jitlog/redact.h"
#include "redact_int.h"

#define MATCH_LIMIT      1000000u     /* per start position */
#define DEPTH_LIMIT      100000u      /* interpreter only */
#define HEAP_LIMIT_KIB   (64u * 1024) /* interpreter only */
#define JIT_STACK_MIN    (32u * 1024)
#define JIT_STACK_MAX    (4u * 1024 * 1024)
#define CLOCK_EVERY      64u
#define CUSTOM_BUDGET_NS (100 * 1000000LL)
#define LABEL_FMT        "[REDACTED:%s]"
#define FAILED_FMT       "[REDACTED:%s:unmatchable]"

struct rule {
	char *name;
	char *label; /* "[REDACTED:name]" */
	size_t labellen;
	pcre2_code *re;
	const struct jl_builtin_rule *b; /* NULL: custom */
	uint64_t count;
};

struct span {
	size_t start, end, rule;
};

/* State the callout sees, set before each pcre2_match. */
struct calloutstate {
	bool luhn;   /* card-number: (?C1) checks the digits */
	bool budget; /* custom: auto callouts, time capped */
	uint64_t calls;
	struct timespec t0;
};

struct jl_redactor {
	struct rule *rules;
	size_t nrules;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jstack;
	pcre2_match_data *md;
	struct span *spans;
	size_t nspans, capspans;
	struct calloutstate cs;
	uint64_t failed;
	bool last_whole; /* the last line was replaced whole (fail closed) */
};

static int64_t
elapsed_ns(const struct timespec *t0)
{
	struct timespec t;

	if (clock_gettime(CLOCK_MONOTONIC, &t) < 0)
		return INT64_MAX; /* no clock: treat as out of time */
	return (int64_t)(t.tv_sec - t0->tv_sec) * 1000000000LL +
	    (t.tv_nsec - t0->tv_nsec);
}

static int
callout(pcre2_callout_block *cb, void *data)
{
	struct calloutstate *cs = data;

	if (cb->callout_number == JL_REDACT_CALLOUT_LUHN && cs->luhn) {
		if (jl_redact_luhn(cb->subject + cb->start_match,
		        cb->current_position - cb->start_match))
			return 0;
		return 1; /* fail here, backtrack: try a shorter run */
	}
	if (!cs->budget)
		return 0;
	if (cs->calls++ == 0) {
		if (clock_gettime(CLOCK_MONOTONIC, &cs->t0) < 0)
			return PCRE2_ERROR_CALLOUT;
		return 0;
	}
	if (cs->calls % CLOCK_EVERY != 0 ||
	    elapsed_ns(&cs->t0) <= CUSTOM_BUDGET_NS)
		return 0;
	return PCRE2_ERROR_CALLOUT;
}

/* Compile one rule; custom patterns get automatic callouts. */
static int
rule_compile(struct rule *ru, const char *pattern, bool custom,
    struct jl_error *err)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	uint32_t opts = JL_REDACT_PCRE2_OPTIONS;
	int code;

	if (custom)
		opts |= PCRE2_AUTO_CALLOUT;
	ru->re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts,
	    &code, &off, NULL);
	if (ru->re == NULL) {
		if (code == PCRE2_ERROR_NOMEMORY)
			return jl_error_set(err, ENOMEM, "out of memory");
		pcre2_get_error_message(code, msg, sizeof(msg));
		return jl_error_set(err, EINVAL,
		    "redaction rule %s: pattern at offset %zu: %s", ru->name,
		    (size_t)off, (const char *)msg);
	}
	/* Without JIT (no executable memory) the interpreter is used. */
	(void)pcre2_jit_compile(ru->re, PCRE2_JIT_COMPLETE);
	return 0;
}

/* Add the rule called name unless it is there already. */
static int
rule_add(struct jl_redactor *r, const char *name, const struct jl_rule *custom,
    size_t ncustom, struct jl_error *err)
{
	const struct jl_builtin_rule *b = jl_redact_builtin(name);
	const char *pattern = NULL;
	struct rule *ru;
	size_t i;
	int n;

	if (name == NULL)
		return jl_error_set(err, EINVAL,
		    "redaction rule without a name");
	for (i = 0; i < r->nrules; i++)
		if (strcmp(r->rules[i].name, name) == 0)
			return 0;
	for (i = 0; i < ncustom && pattern == NULL; i++)
		if (custom[i].name != NULL && strcmp(custom[i].name, name) == 0)
			pattern = custom[i].pattern;
	if (b != NULL && pattern != NULL)
		return jl_error_set(err, EINVAL,
		    "redaction rule %s: custom rule has a built-in name", name);
	if (b != NULL)
		pattern = b->pattern;
	if (pattern == NULL)
		return jl_error_set(err, EINVAL, "unknown redaction rule %s",
		    name);
	ru = &r->rules[r->nrules];
	memset(ru, 0, sizeof(*ru));
	ru->b = b;
	if ((ru->name = strdup(name)) == NULL)
		return jl_error_set(err, ENOMEM, "out of memory");
	n = snprintf(NULL, 0, LABEL_FMT, name);
	if (n < 0 || (ru->label = malloc((size_t)n + 1)) == NULL) {
		JL_FREE(ru->name);
		return jl_error_set(err, ENOMEM, "out of memory");
	}
	(void)snprintf(ru->label, (size_t)n + 1, LABEL_FMT, name);
	ru->labellen = (size_t)n;
	r->nrules++; /* owned from here: freed with r */
	return rule_compile(ru, pattern, b == NULL, err);
}

/* Match context with the limits, the callout and a bigger JIT stack. */
static int
setup_match(struct jl_redactor *r)
{
	if ((r->mctx = pcre2_match_context_create(NULL)) == NULL ||
	    (r->md = pcre2_match_data_create(2, NULL)) == NULL)
		return -ENOMEM;
	pcre2_set_match_limit(r->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(r->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(r->mctx, HEAP_LIMIT_KIB);
	pcre2_set_callout(r->mctx, callout, &r->cs);
	r->jstack = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, NULL);
	if (r->jstack != NULL)
		pcre2_jit_stack_assign(r->mctx, NULL, r->jstack);
	return 0;
}

int
jl_redactor_new(const char *const *names, size_t n,
    const struct jl_rule *custom, size_t ncustom, struct jl_redactor **ret,
    struct jl_error *err)
{
	struct jl_redactor *r = NULL;
	size_t i;
	int e;

	if ((n > 0 && names == NULL) || (ncustom > 0 && custom == NULL)) {
		e = jl_error_set(err, EINVAL, "no rule names");
		goto out;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (n > 0 && (r->rules = calloc(n, sizeof(*r->rules))) == NULL) ||
	    setup_match(r) < 0) {
		e = jl_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		if ((e = rule_add(r, names[i], custom, ncustom, err)) < 0)
			goto out;
	*ret = r;
	r = NULL;
	e = 0;
out:
	jl_redactor_free(r);
	return e;
}

void
jl_redactor_free(struct jl_redactor *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nrules; i++) {
		free(r->rules[i].name);
		free(r->rules[i].label);
		pcre2_code_free(r->rules[i].re);
	}
	free(r->rules);
	free(r->spans);
	pcre2_match_data_free(r->md);
	pcre2_match_context_free(r->mctx);
	pcre2_jit_stack_free(r->jstack);
	free(r);
}

static int
span_add(struct jl_redactor *r, size_t start, size_t end, size_t rule)
{
	struct span *p;
	size_t cap;

	if (r->nspans == r->capspans) {
		cap = r->capspans ? r->capspans * 2 : 16;
		if (cap > SIZE_MAX / sizeof(*p) ||
		    (p = realloc(r->spans, cap * sizeof(*p))) == NULL)
			return -ENOMEM;
		r->spans = p;
		r->capspans = cap;
	}
	r->spans[r->nspans++] = (struct span){ start, end, rule };
	return 0;
}

/*
 * All matches of rule k from off on.  0, -ENOMEM, or 1: matching failed
 * (the line must fail closed).
 */
static int
scan_rule(struct jl_redactor *r, size_t k, const char *line, size_t len,
    size_t off)
{
	const struct rule *ru = &r->rules[k];
	uint32_t g = ru->b != NULL ? ru->b->group : 0;
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(r->md);
	int rc;

	r->cs = (struct calloutstate){ .luhn = ru->b != NULL && ru->b->luhn,
		.budget = ru->b == NULL };
	while (off <= len) {
		rc = pcre2_match(ru->re, (PCRE2_SPTR)line, len, off, 0, r->md,
		    r->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			return 0;
		if (rc < 0)
			return 1;
		if (ov[1] < ov[0] || ov[1] > len)
			return 1; /* \K games: do not guess */
		if (ov[2 * g] != PCRE2_UNSET && ov[2 * g + 1] > ov[2 * g] &&
		    span_add(r, ov[2 * g], ov[2 * g + 1], k) < 0)
			return -ENOMEM;
		if (ru->b != NULL && ru->b->next != NULL)
			off = ru->b->next((const unsigned char *)line, len, ov);
		else
			off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
	}
	return 0;
}

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/*
 * The overlapping spans from r->spans[*i] on (sorted by start) as one:
 * its end; *i moves past them.  The first span's rule names it.
 */
static size_t
merge_spans(const struct jl_redactor *r, size_t *i)
{
	size_t end = r->spans[*i].end;

	for ((*i)++; *i < r->nspans && r->spans[*i].start < end; (*i)++)
		if (r->spans[*i].end > end)
			end = r->spans[*i].end;
	return end;
}

/* Write line with the merged spans replaced; returns the count. */
static int
write_spans(struct jl_redactor *r, const char *line, size_t len,
    struct jl_buf *out, size_t *ret_count)
{
	size_t i = 0, pos = 0, n = 0;
	struct rule *ru;
	int e;

	if (r->nspans > 1)
		qsort(r->spans, r->nspans, sizeof(*r->spans), span_cmp);
	while (i < r->nspans) {
		ru = &r->rules[r->spans[i].rule];
		if ((e = jl_buf_append(out, line + pos,
		         r->spans[i].start - pos)) < 0 ||
		    (e = jl_buf_append(out, ru->label, ru->labellen)) < 0)
			return e;
		ru->count++;
		n++;
		pos = merge_spans(r, &i);
	}
	if ((e = jl_buf_append(out, line + pos, len - pos)) < 0)
		return e;
	*ret_count = n;
	return 0;
}

/* The whole line replaced: the rule could not be matched. */
static int
fail_closed(struct jl_redactor *r, size_t k, const char *line, size_t len,
    struct jl_buf *out)
{
	int e;

	if ((e = jl_buf_printf(out, FAILED_FMT, r->rules[k].name)) < 0)
		return e;
	if (len > 0 && line[len - 1] == '\n' &&
	    (e = jl_buf_append(out, "\n", 1)) < 0)
		return e;
	r->rules[k].count++;
	r->failed++;
	return 0;
}

int
jl_redact_line(struct jl_redactor *r, const char *line, size_t len,
    struct jl_buf *out, size_t *ret_count)
{
	size_t k, off, n = 0, keep;
	int e = 0;

	if (r == NULL || out == NULL || (line == NULL && len > 0))
		return -EINVAL;
	keep = out->len;
	if (line == NULL)
		line = "";
	r->nspans = 0;
	r->last_whole = false;
	for (k = 0; k < r->nrules; k++) {
		off = 0;
		if (r->rules[k].b != NULL &&
		    !r->rules[k].b->prefilter((const unsigned char *)line, len,
		        &off))
			continue;
		if ((e = scan_rule(r, k, line, len, off)) < 0)
			goto out;
		if (e > 0) {
			if ((e = fail_closed(r, k, line, len, out)) == 0)
				n = 1;
			r->last_whole = true;
			goto out;
		}
	}
	e = write_spans(r, line, len, out, &n);
out:
	if (e < 0) {
		out->len = keep;
		if (out->data != NULL)
			out->data[keep] = '\0';
		return e;
	}
	if (ret_count != NULL)
		*ret_count = n;
	return 0;
}

int
jl_redactor_fn(void *ctx, const char *line, size_t len, struct jl_buf *out)
{
	return jl_redact_line(ctx, line, len, out, NULL);
}

/*
 * Contract: see redact.h.  The spans are as write_spans left them
 * (sorted by start), merged the same way.
 */
size_t
jl_redact_out_at(const struct jl_redactor *r, size_t in)
{
	size_t i = 0, pos = 0, o = 0;

	if (r == NULL || r->last_whole)
		return SIZE_MAX;
	while (i < r->nspans && r->spans[i].start < in) {
		o += r->spans[i].start - pos;
		o += r->rules[r->spans[i].rule].labellen;
		pos = merge_spans(r, &i);
	}
	return pos >= in ? o : o + (in - pos);
}

size_t
jl_redactor_out_at(void *ctx, size_t in)
{
	return jl_redact_out_at(ctx, in);
}

size_t
jl_redactor_nrules(const struct jl_redactor *r)
{
	return r != NULL ? r->nrules : 0;
}

const char *
jl_redactor_rule_name(const struct jl_redactor *r, size_t i)
{
	return r != NULL && i < r->nrules ? r->rules[i].name : NULL;
}

uint64_t
jl_redactor_rule_count(const struct jl_redactor *r, size_t i)
{
	return r != NULL && i < r->nrules ? r->rules[i].count : 0;
}

uint64_t
jl_redactor_total(const struct jl_redactor *r)
{
	uint64_t t = 0;
	size_t i;

	for (i = 0; r != NULL && i < r->nrules; i++)
		t += r->rules[i].count;
	return t;
}

uint64_t
jl_redactor_failed(const struct jl_redactor *r)
{
	return r != NULL ? r->failed : 0;
}

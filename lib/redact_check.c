/* SPDX-License-Identifier: ISC */
/*
 * The check of a configured pattern (redaction_rules, ticket_pattern)
 * before it is accepted: it must compile with the engine's options, must
 * not use features that make matching unbounded or stateful, must not be
 * able to match the empty string, and must not have the shape of the
 * patterns that backtrack catastrophically.
 *
 * Rejected: backreferences (\1, \g{..}, \k<..>, (?P=..)); recursion and
 * subroutine calls ((?R), (?1), (?&n), (?P>n), \g<..>); callouts; (*VERB)
 * and (*OPTION) items; conditional groups; (?x) extended mode (it would
 * make this scanner see whitespace and comments as atoms); patterns that
 * can match "" (they redact nothing and would match at every byte).
 *
 * The backtracking heuristic.  Exponential blow-up needs a repeated group
 * whose body can match the same text in more than one way, so that every
 * iteration multiplies the ways to split the input: (a+)+, (a*)*,
 * (\w+\s?)+, (a|aa)+, (a|a)*.  So a group that is repeated (its
 * quantifier allows more than one iteration, {2} included: (a+){20} is
 * polynomial of degree 20) is rejected when its body
 *  - holds a variable repeat (*, +, ?, {n,m} with m != n) that is not
 *    possessive and not inside an atomic group or lookaround, or
 *  - has alternatives that do not all start with a distinct literal
 *    byte ((foo|bar)+ is fine, (a|ab)+ and ([a-z]|x)+ are not).
 * A group shields its outside when it is atomic ((?>...)), a lookaround,
 * or possessively quantified; so (?:\.[a-z]++)+, (?>\.[a-z]+)+ and
 * (\.[a-z]+)++ are accepted, which is also the fix to suggest.  This
 * scanner runs after pcre2_compile() accepted the pattern, so it can
 * trust the syntax.  Polynomial patterns without nesting ([a-z]+?x on a
 * long line) are not caught here; the engine caps their time per line.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "jitlog/redact.h"
#include "redact_int.h"

#define MAX_PATTERN 1024
#define MAX_DEPTH   64
#define OTHER       256 /* first atom of a branch is not a plain literal */

struct frame {
	bool atomic;   /* (?>...) or a lookaround */
	bool varies;   /* body holds an unshielded variable repeat */
	bool at_start; /* the current branch has no atom yet */
	int first;     /* its first atom: a literal byte or OTHER */
	unsigned nbranch;
	bool other, dup;
	uint8_t seen[32]; /* first literals of the finished branches */
};

/* The last atom, until the next token says whether it is quantified. */
struct atom {
	bool set, group, atomic, varies, first;
	bool variable, possessive;
};

struct chk {
	const char *p;
	size_t len, i;
	struct frame st[MAX_DEPTH];
	size_t depth;
	struct atom last;
	bool caseless;
	struct jl_error *err;
};

static int
reject(struct chk *c, const char *what)
{
	return jl_error_set(c->err, EINVAL, "%s at offset %zu", what, c->i);
}

/* The last atom is complete: does its frame vary now? */
static void
flush(struct chk *c)
{
	struct frame *f = &c->st[c->depth];
	struct atom *a = &c->last;

	if (!a->set)
		return;
	if (a->group && a->varies && !a->atomic && !a->possessive)
		f->varies = true;
	if (a->variable && !a->possessive)
		f->varies = true;
	a->set = false;
}

static void
emit(struct chk *c, int lit, bool group, bool atomic, bool varies)
{
	struct frame *f = &c->st[c->depth];

	flush(c);
	if (lit != OTHER && c->caseless && lit >= 'A' && lit <= 'Z')
		lit += 32;
	c->last = (struct atom){ .set = true,
		.group = group,
		.atomic = atomic,
		.varies = varies,
		.first = f->at_start };
	if (f->at_start) {
		f->first = lit;
		f->at_start = false;
	}
}

static void
end_branch(struct frame *f)
{
	int b = f->at_start ? OTHER : f->first;

	if (b == OTHER)
		f->other = true;
	else if (f->seen[b / 8] & (1u << (b % 8)))
		f->dup = true;
	else
		f->seen[b / 8] |= (uint8_t)(1u << (b % 8));
	f->nbranch++;
	f->at_start = true;
}

static size_t
skip_to(const struct chk *c, size_t i, char end)
{
	while (i < c->len && c->p[i] != end)
		i++;
	return i < c->len ? i + 1 : i;
}

/* {n}, {n,}, {n,m} at c->i: 1 and the bounds, or 0 (a literal '{'). */
static int
braces(struct chk *c, unsigned long *min, unsigned long *max)
{
	size_t i = c->i + 1;
	unsigned long v = 0;
	bool any = false;

	for (; i < c->len && c->p[i] >= '0' && c->p[i] <= '9'; i++, any = true)
		v = v < 100000 ? v * 10 + (unsigned long)(c->p[i] - '0') : v;
	if (!any)
		return 0;
	*min = *max = v;
	if (i < c->len && c->p[i] == ',') {
		*max = ULONG_MAX;
		for (v = 0, any = false, i++;
		     i < c->len && c->p[i] >= '0' && c->p[i] <= '9';
		     i++, any = true)
			v = v < 100000 ?
			    v * 10 + (unsigned long)(c->p[i] - '0') :
			    v;
		if (any)
			*max = v;
	}
	if (i >= c->len || c->p[i] != '}')
		return 0;
	c->i = i + 1;
	return 1;
}

/* A quantifier at c->i: 1 (consumed), 0 (not one), or -EINVAL. */
static int
quantifier(struct chk *c)
{
	unsigned long min = 0, max = ULONG_MAX;
	struct atom *a = &c->last;
	char q = c->p[c->i];
	size_t at = c->i;

	if (q == '{') {
		if (!braces(c, &min, &max))
			return 0;
	} else {
		min = q == '+';
		max = q == '?' ? 1 : ULONG_MAX;
		c->i++;
	}
	a->possessive = c->i < c->len && c->p[c->i] == '+';
	if (c->i < c->len && (c->p[c->i] == '+' || c->p[c->i] == '?'))
		c->i++;
	if (!a->set)
		return 1;
	if (a->group && max > 1 && !a->possessive && !a->atomic && a->varies) {
		c->i = at;
		return reject(c,
		    "nested quantifier (a repeated group whose "
		    "body can repeat or alternate ambiguously, "
		    "like (a+)+ or (a|ab)+, can backtrack "
		    "catastrophically; make a repeat possessive "
		    "or the group atomic)");
	}
	a->variable = min != max;
	if (a->first && min == 0)
		c->st[c->depth].first = OTHER;
	return 1;
}

static int
escape(struct chk *c)
{
	char e = c->i + 1 < c->len ? c->p[c->i + 1] : '\0';

	if (e >= '1' && e <= '9')
		return reject(c, "backreference (or octal escape; use \\o{})");
	if (e == 'g' || e == 'k')
		return reject(c, "backreference or subroutine call");
	c->i += 2;
	if (e == 'Q') {
		for (; c->i < c->len; c->i++) {
			if (c->p[c->i] == '\\' && c->i + 1 < c->len &&
			    c->p[c->i + 1] == 'E') {
				c->i += 2;
				break;
			}
			emit(c, (unsigned char)c->p[c->i], false, false, false);
		}
		return 0;
	}
	if (e == 'E')
		return 0;
	if (strchr("xopPN", e) != NULL && c->i < c->len && c->p[c->i] == '{')
		c->i = skip_to(c, c->i, '}');
	else if (e == 'c' || e == 'p' || e == 'P')
		c->i += c->i < c->len;
	else if (e == 'x' || e == '0')
		for (int k = 0; k < 2 && c->i < c->len &&
		     strchr(e == 'x' ? "0123456789abcdefABCDEF" : "01234567",
		         c->p[c->i]) != NULL;
		     k++)
			c->i++;
	if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') ||
	    (e >= '0' && e <= '9'))
		emit(c, OTHER, false, false, false);
	else
		emit(c, (unsigned char)e, false, false, false);
	return 0;
}

static void class(struct chk *c)
{
	size_t i = c->i + 1;

	if (i < c->len && c->p[i] == '^')
		i++;
	if (i < c->len && c->p[i] == ']')
		i++;
	while (i < c->len && c->p[i] != ']') {
		if (c->p[i] == '\\' && i + 1 < c->len && c->p[i + 1] == 'Q') {
			for (i += 2; i + 1 < c->len &&
			     !(c->p[i] == '\\' && c->p[i + 1] == 'E');
			     i++)
				;
			i += 2;
		} else if (c->p[i] == '\\') {
			i += 2;
			if (i < c->len && c->p[i] == '{')
				i = skip_to(c, i, '}');
		} else if (c->p[i] == '[' && i + 1 < c->len &&
		    c->p[i + 1] == ':') {
			i = skip_to(c, i + 2, ']');
		} else {
			i++;
		}
	}
	c->i = i < c->len ? i + 1 : i;
	emit(c, OTHER, false, false, false);
}

static int
push(struct chk *c, bool atomic, size_t skip)
{
	struct frame *f;

	flush(c);
	if (c->depth + 1 >= MAX_DEPTH)
		return reject(c, "groups nested too deeply");
	f = &c->st[++c->depth];
	memset(f, 0, sizeof(*f));
	f->atomic = atomic;
	f->at_start = true;
	c->i += skip;
	return 0;
}

/* (? followed by option letters: a setting "(?i)" or a group "(?i:". */
static int
options(struct chk *c)
{
	size_t i = c->i + 2;

	for (; i < c->len && strchr(":)", c->p[i]) == NULL; i++) {
		if (c->p[i] == 'x')
			return reject(c, "extended mode (?x) is not allowed");
		if (c->p[i] == 'i')
			c->caseless = true;
	}
	if (i < c->len && c->p[i] == ':')
		return push(c, false, i + 1 - c->i);
	c->i = i + 1;
	return 0;
}

static int
group(struct chk *c)
{
	const char *g = c->p + c->i;
	size_t n = c->len - c->i;

	if (n > 1 && g[1] == '*')
		return reject(c, "(*VERB) and (*OPTION) items are not allowed");
	if (n < 3 || g[1] != '?')
		return push(c, false, 1);
	switch (g[2]) {
	case '#':
		c->i = skip_to(c, c->i, ')');
		return 0;
	case ':':
	case '|':
		return push(c, false, 3);
	case '>':
	case '=':
	case '!':
		return push(c, true, 3);
	case '<':
		if (n > 3 && (g[3] == '=' || g[3] == '!'))
			return push(c, true, 4);
		if (n > 3 && g[3] == '*')
			break;
		return push(c, false, skip_to(c, c->i, '>') - c->i);
	case '\'':
		return push(c, false, skip_to(c, c->i + 3, '\'') - c->i);
	case 'P':
		if (n > 3 && g[3] == '<')
			return push(c, false, skip_to(c, c->i, '>') - c->i);
		return reject(c, "backreference or subroutine call");
	case 'C':
		return reject(c, "callouts are not allowed");
	case '(':
		return reject(c, "conditional groups are not allowed");
	case '*':
		break;
	default:
		if (strchr("R&+0123456789", g[2]) != NULL ||
		    (g[2] == '-' && n > 3 && g[3] >= '0' && g[3] <= '9'))
			return reject(c,
			    "recursion and subroutine calls are "
			    "not allowed");
		return options(c);
	}
	return reject(c, "non-atomic assertions are not allowed");
}

static int
group_end(struct chk *c)
{
	struct frame *f = &c->st[c->depth];
	bool varies, atomic;

	flush(c);
	end_branch(f);
	if (c->depth == 0)
		return reject(c, "unmatched parenthesis");
	varies = f->varies || (f->nbranch > 1 && (f->other || f->dup));
	atomic = f->atomic;
	c->depth--;
	c->i++;
	emit(c, OTHER, true, atomic, varies);
	return 0;
}

static int
scan(struct chk *c)
{
	int r;

	c->st[0].at_start = true;
	while (c->i < c->len) {
		switch (c->p[c->i]) {
		case '\\':
			r = escape(c);
			break;
		case '[':
			class(c);
			r = 0;
			break;
		case '(':
			r = group(c);
			break;
		case ')':
			r = group_end(c);
			break;
		case '|':
			flush(c);
			end_branch(&c->st[c->depth]);
			c->i++;
			r = 0;
			break;
		case '*':
		case '+':
		case '?':
		case '{':
			if ((r = quantifier(c)) == 0 && c->p[c->i] == '{') {
				emit(c, '{', false, false, false);
				c->i++;
			}
			r = r < 0 ? r : 0;
			break;
		default:
			emit(c,
			    strchr(".^$", c->p[c->i]) != NULL ?
			        OTHER :
			        (unsigned char)c->p[c->i],
			    false, false, false);
			c->i++;
			r = 0;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int
count_callout(pcre2_callout_enumerate_block *b, void *data)
{
	(void)b;
	(*(unsigned *)data)++;
	return 0;
}

int
jl_redact_check_pattern(const char *pattern, struct jl_error *err)
{
	struct chk c = { .p = pattern, .err = err };
	pcre2_code *re = NULL;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	uint32_t v = 0;
	unsigned ncallout = 0;
	int e, code;

	if (pattern == NULL || (c.len = strlen(pattern)) == 0)
		return jl_error_set(err, EINVAL, "empty pattern");
	if (c.len > MAX_PATTERN)
		return jl_error_set(err, EINVAL, "pattern longer than %d bytes",
		    MAX_PATTERN);
	re = pcre2_compile((PCRE2_SPTR)pattern, c.len, JL_REDACT_PCRE2_OPTIONS,
	    &code, &off, NULL);
	if (re == NULL) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		e = jl_error_set(err, EINVAL, "%s at offset %zu",
		    (const char *)msg, (size_t)off);
		goto out;
	}
	if (pcre2_pattern_info(re, PCRE2_INFO_BACKREFMAX, &v) != 0 || v > 0) {
		e = jl_error_set(err, EINVAL, "backreferences are not allowed");
		goto out;
	}
	if (pcre2_callout_enumerate(re, count_callout, &ncallout) != 0 ||
	    ncallout > 0) {
		e = jl_error_set(err, EINVAL, "callouts are not allowed");
		goto out;
	}
	if ((e = scan(&c)) < 0)
		goto out;
	if (pcre2_pattern_info(re, PCRE2_INFO_MATCHEMPTY, &v) != 0 || v != 0) {
		e = jl_error_set(err, EINVAL,
		    "pattern can match the empty string");
		goto out;
	}
	e = 0;
out:
	pcre2_code_free(re);
	return e;
}

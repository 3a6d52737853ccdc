/* SPDX-License-Identifier: ISC */
/*
 * Tests of the redaction engine (redact.h): golden files under
 * tests/data/redact (NAME.in redacted with every built-in rule must give
 * NAME.out byte for byte), secrets never surviving in generated lines,
 * overlaps, custom rules, lines of arbitrary bytes, fail-closed matching
 * of pathological patterns, and the config-time pattern checker.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitlog/config.h"
#include "jitlog/linebuf.h"
#include "jitlog/redact.h"
#include "t.h"

static struct jl_redactor *
builtin_redactor(void)
{
	struct jl_redactor *r = NULL;
	struct jl_error err = { { 0 } };
	size_t n;

	for (n = 0; jl_redact_builtin_names[n] != NULL; n++)
		;
	if (jl_redactor_new(jl_redact_builtin_names, n, NULL, 0, &r, &err) < 0)
		fprintf(stderr, "jl_redactor_new: %s\n", err.msg);
	return r;
}

/* Redact line[0..len) into a fresh string (caller frees). */
static char *
redact(struct jl_redactor *r, const char *line, size_t len, size_t *count,
    size_t *outlen)
{
	struct jl_buf out = { 0 };
	char *s = NULL;
	size_t c = 0;

	if (jl_redact_line(r, line, len, &out, &c) < 0 ||
	    jl_buf_append(&out, "", 0) < 0) {
		jl_buf_free(&out);
		return NULL;
	}
	if (count != NULL)
		*count = c;
	if (outlen != NULL)
		*outlen = out.len;
	(void)jl_buf_steal(&out, &s);
	return s;
}

/* A string literal, without its NUL. */
#define REDACT_LIT(r, lit, c, outlen) redact(r, lit, sizeof(lit) - 1, c, outlen)

static char *
slurp(const char *name, size_t *len)
{
	char path[512];
	struct jl_buf b = { 0 };
	char chunk[4096];
	size_t n;
	char *s = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/redact/%s", JL_TEST_DATA, name);
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (jl_buf_append(&b, chunk, n) < 0)
			break;
	fclose(f);
	n = b.len;
	if (jl_buf_append(&b, "", 0) < 0 || jl_buf_steal(&b, &s) < 0) {
		jl_buf_free(&b);
		return NULL;
	}
	*len = n;
	return s;
}

/* Redact name.in line by line (no newline given); compare to name.out. */
static void
golden(struct jl_redactor *r, const char *name)
{
	char fin[64], fout[64];
	size_t inlen = 0, outlen = 0, c;
	char *in, *want, *p, *nl;
	struct jl_buf got = { 0 };

	snprintf(fin, sizeof(fin), "%s.in", name);
	snprintf(fout, sizeof(fout), "%s.out", name);
	in = slurp(fin, &inlen);
	want = slurp(fout, &outlen);
	T_ASSERT(in != NULL && want != NULL && inlen > 0);
	if (in == NULL || want == NULL)
		goto out;
	for (p = in; p < in + inlen; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(in + inlen - p));
		if (nl == NULL)
			nl = in + inlen;
		T_ASSERT(jl_redact_line(r, p, (size_t)(nl - p), &got, &c) == 0);
		if (nl < in + inlen)
			T_ASSERT(jl_buf_append(&got, "\n", 1) == 0);
	}
	T_ASSERT_INTEQ(got.len, outlen);
	T_ASSERT(got.len == outlen && memcmp(got.data, want, outlen) == 0);
	if (got.len != outlen || memcmp(got.data, want, outlen) != 0)
		fprintf(stderr, "golden %s differs; got:\n%.*s", name,
		    (int)got.len, got.data);
out:
	jl_buf_free(&got);
	free(in);
	free(want);
}

static size_t
rule_index(struct jl_redactor *r, const char *name)
{
	size_t i;

	for (i = 0; i < jl_redactor_nrules(r); i++)
		if (strcmp(jl_redactor_rule_name(r, i), name) == 0)
			return i;
	return SIZE_MAX;
}

static void
test_builtin_names(void)
{
	size_t n;

	for (n = 0; jl_redact_builtin_names[n] != NULL; n++)
		T_ASSERT(jl_redact_is_builtin(jl_redact_builtin_names[n]));
	T_ASSERT_INTEQ(n, 7);
	T_ASSERT(jl_redact_is_builtin("secret-assignment"));
	T_ASSERT(!jl_redact_is_builtin("customer-id"));
	T_ASSERT(!jl_redact_is_builtin("JWT"));
	T_ASSERT(!jl_redact_is_builtin(""));
	T_ASSERT(!jl_redact_is_builtin(NULL));
}

static void
test_golden_files(void)
{
	static const char *const names[] = { "jwt", "bearer", "email", "aws",
		"url", "card", "assign", "mixed", "none" };
	struct jl_redactor *r = builtin_redactor();
	size_t i;

	T_ASSERT(r != NULL);
	if (r == NULL)
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		golden(r, names[i]);
	jl_redactor_free(r);
}

/* The counters name the rule that each merged span was reported under. */
static void
test_counts(void)
{
	struct jl_redactor *r = builtin_redactor();
	size_t inlen = 0, c, total = 0;
	char *in = slurp("mixed.in", &inlen), *p, *nl;
	struct jl_buf out = { 0 };

	T_ASSERT(r != NULL && in != NULL);
	if (r == NULL || in == NULL)
		goto out;
	for (p = in; p < in + inlen; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(in + inlen - p));
		T_ASSERT(nl != NULL);
		if (nl == NULL)
			break;
		T_ASSERT(jl_redact_line(r, p, (size_t)(nl - p), &out, &c) == 0);
		total += c;
	}
	T_ASSERT_INTEQ(total, 11);
	T_ASSERT_INTEQ(jl_redactor_total(r), 11);
	T_ASSERT_INTEQ(jl_redactor_rule_count(r, rule_index(r, "jwt")), 3);
	T_ASSERT_INTEQ(jl_redactor_rule_count(r, rule_index(r, "bearer")), 0);
	T_ASSERT_INTEQ(jl_redactor_rule_count(r, rule_index(r, "email")), 2);
	T_ASSERT_INTEQ(jl_redactor_rule_count(r,
	                   rule_index(r, "aws-access-key")),
	    1);
	T_ASSERT_INTEQ(jl_redactor_rule_count(r,
	                   rule_index(r, "url-credentials")),
	    1);
	T_ASSERT_INTEQ(jl_redactor_rule_count(r, rule_index(r, "card-number")),
	    2);
	T_ASSERT_INTEQ(jl_redactor_rule_count(r,
	                   rule_index(r, "secret-assignment")),
	    2);
	T_ASSERT_INTEQ(jl_redactor_failed(r), 0);
	T_ASSERT(jl_redactor_rule_name(r, 99) == NULL);
	T_ASSERT_INTEQ(jl_redactor_rule_count(r, 99), 0);
out:
	jl_buf_free(&out);
	free(in);
	jl_redactor_free(r);
}

/*
 * Secrets put at generated places among generated noise never show.
 * Noise is blanks, words, numbers and punctuation; a secret is set off
 * by a blank so that it is a whole token, as in a log.
 */
static void
test_no_secret_survives(void)
{
	static const char *const secrets[][2] = {
		{ "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
		    "c2lnbmF0dXJl" },
		{ "Bearer Zm9vYmFyYmF6cXV4", "Zm9vYmFyYmF6cXV4" },
		{ "zoe.q@example.org", "zoe.q" },
		{ "AKIAZZZZZZZZZZZZZZZZ", "AKIAZZZZZZZZZZZZZZZZ" },
		{ "https://u:Pa55Word9@h.example.com/", "Pa55Word9" },
		{ "4111-1111-1111-1111", "4111-1111-1111-1111" },
		{ "pAsSwOrD=Tr0ub4dor", "Tr0ub4dor" },
		{ "\"client_secret\": \"xq\\\"zz9\"", "xq" },
	};
	static const char *const noise[] = { " ", "  ", "\t", "GET", "id=42",
		"12:00:01", "x", "ok.", "a,b", "[", "]", "-", "2024-05-20", "9",
		"://", "@", "=", ":" };
	struct jl_redactor *r = builtin_redactor();
	uint32_t seed = 12345;
	struct jl_buf line = { 0 };
	size_t i, k, len, w;
	char *s;

	T_ASSERT(r != NULL);
	for (i = 0; r != NULL && i < 3000; i++) {
		jl_buf_reset(&line);
		k = i % (sizeof(secrets) / sizeof(secrets[0]));
		for (w = 0; w < 6; w++) {
			seed = seed * 1103515245u + 12345u;
			(void)jl_buf_puts(&line,
			    noise[(seed >> 16) %
			        (sizeof(noise) / sizeof(noise[0]))]);
		}
		(void)jl_buf_puts(&line, " ");
		(void)jl_buf_puts(&line, secrets[k][0]);
		(void)jl_buf_puts(&line, " ");
		for (w = 0; w < 4; w++) {
			seed = seed * 1103515245u + 12345u;
			(void)jl_buf_puts(&line,
			    noise[(seed >> 16) %
			        (sizeof(noise) / sizeof(noise[0]))]);
		}
		s = redact(r, line.data, line.len, NULL, &len);
		T_ASSERT(s != NULL && strstr(s, secrets[k][1]) == NULL);
		if (s != NULL && strstr(s, secrets[k][1]) != NULL)
			fprintf(stderr, "leak: %s -> %s\n", line.data, s);
		free(s);
	}
	jl_buf_free(&line);
	jl_redactor_free(r);
}

/* Overlapping matches of several rules come out as one replacement. */
static void
test_overlaps(void)
{
	struct jl_redactor *r = builtin_redactor();
	char *s;
	size_t c = 0;

	T_ASSERT(r != NULL);
	if (r == NULL)
		return;
	s = REDACT_LIT(r, "x password=postgres://u:pw@db.example.com/x y", &c,
	    NULL);
	T_ASSERT_STREQ(s, "x password=[REDACTED:secret-assignment] y");
	T_ASSERT_INTEQ(c, 1);
	free(s);
	/* secret-assignment and jwt cover the same bytes: jwt is first */
	s = REDACT_LIT(r, "token=eyJhbGciOiJub25lIn0.eyJ4IjoxfQ.", &c, NULL);
	T_ASSERT_STREQ(s, "token=[REDACTED:jwt]");
	T_ASSERT_INTEQ(c, 1);
	free(s);
	/* a card that starts inside the value and ends beyond it */
	s = REDACT_LIT(r, "token=x-4222 2222 22222 end", &c, NULL);
	T_ASSERT_STREQ(s, "token=[REDACTED:secret-assignment] end");
	T_ASSERT_INTEQ(c, 1);
	free(s);
	/* a match that swallowed the key of the next one */
	s = REDACT_LIT(r, "Bearer bearer\tt0k and password: pwd= s3cr3t end",
	    &c, NULL);
	T_ASSERT_STREQ(s,
	    "Bearer [REDACTED:bearer]\t[REDACTED:bearer] and password: "
	    "[REDACTED:secret-assignment] [REDACTED:secret-assignment] end");
	T_ASSERT_INTEQ(c, 4);
	free(s);
	s = REDACT_LIT(r, "access_key= \"db_password\" =s3cr3t x", &c, NULL);
	T_ASSERT_STREQ(s,
	    "access_key= \"[REDACTED:secret-assignment]\" "
	    "=[REDACTED:secret-assignment] x");
	free(s);
	s = REDACT_LIT(r, "pwd='x db_password:='s3cr3t' y", &c, NULL);
	T_ASSERT(s != NULL && strstr(s, "s3cr3t") == NULL);
	free(s);
	s = REDACT_LIT(r, "access_key= api_key:\"s3,cr3t\" x", &c, NULL);
	T_ASSERT(s != NULL && strstr(s, "cr3t") == NULL);
	free(s);
	/* a rule never sees another rule's replacement text */
	s = REDACT_LIT(r, "api_key=AKIAIOSFODNN7EXAMPLE,next", &c, NULL);
	T_ASSERT_STREQ(s, "api_key=[REDACTED:aws-access-key],next");
	free(s);
	jl_redactor_free(r);
}

/* Lines are bytes: NULs and invalid UTF-8 are matched and copied. */
static void
test_arbitrary_bytes(void)
{
	static const char in[] =
	    "\xff\xfe\0a\0 password=se\0cr\xc3\x28t tail\0";
	static const char want[] = "\xff\xfe\0a\0 password=[REDACTED:"
	                           "secret-assignment] tail\0";
	static const char plain[] = "\0\0\x80\xc0\xaf bob\x00@x \xed\xa0\x80";
	struct jl_redactor *r = builtin_redactor();
	size_t len = 0, c = 9;
	char *s;

	T_ASSERT(r != NULL);
	if (r == NULL)
		return;
	s = redact(r, in, sizeof(in) - 1, &c, &len);
	T_ASSERT_INTEQ(len, sizeof(want) - 1);
	T_ASSERT(s != NULL && memcmp(s, want, sizeof(want) - 1) == 0);
	T_ASSERT_INTEQ(c, 1);
	free(s);
	s = redact(r, plain, sizeof(plain) - 1, &c, &len);
	T_ASSERT_INTEQ(len, sizeof(plain) - 1);
	T_ASSERT(s != NULL && memcmp(s, plain, sizeof(plain) - 1) == 0);
	T_ASSERT_INTEQ(c, 0);
	free(s);
	s = redact(r, NULL, 0, &c, &len);
	T_ASSERT_STREQ(s, "");
	free(s);
	jl_redactor_free(r);
}

/* Output is appended; on a fresh line the counts restart. */
static void
test_append(void)
{
	struct jl_redactor *r = builtin_redactor();
	struct jl_buf out = { 0 };
	size_t c = 7;

	T_ASSERT(r != NULL);
	if (r == NULL)
		return;
	T_ASSERT(jl_buf_puts(&out, "head|") == 0);
	T_ASSERT(jl_redact_line(r, "mail a@b.example", 16, &out, &c) == 0);
	T_ASSERT_STREQ(out.data, "head|mail [REDACTED:email]");
	T_ASSERT_INTEQ(c, 1);
	T_ASSERT(jl_redact_line(r, "|none", 5, &out, &c) == 0);
	T_ASSERT_STREQ(out.data, "head|mail [REDACTED:email]|none");
	T_ASSERT_INTEQ(c, 0);
	T_ASSERT(jl_redact_line(r, "x", 1, &out, NULL) == 0);
	T_ASSERT(jl_redactor_fn(r, "y", 1, &out) == 0);
	T_ASSERT_STREQ(out.data, "head|mail [REDACTED:email]|nonexy");
	T_ASSERT(jl_redact_line(NULL, "x", 1, &out, NULL) == -EINVAL);
	jl_buf_free(&out);
	jl_redactor_free(r);
}

static void
test_custom_rules(void)
{
	static char n1[] = "customer-id", p1[] = "cust_[0-9a-f]{16}",
	            n2[] = "ticket", p2[] = "\\b[A-Z]{2,}-[0-9]+\\b",
	            n3[] = "broken", p3[] = "cust_(", n4[] = "jwt", p4[] = "x";
	struct jl_rule custom[] = { { n1, p1 }, { n2, p2 } };
	const char *names[] = { "customer-id", "email", "customer-id",
		"ticket" };
	const char *bad[] = { "nope" };
	const char *shadow[] = { "jwt" };
	const char *broken[] = { "broken" };
	struct jl_rule badpat[] = { { n3, p3 } };
	struct jl_rule shadowing[] = { { n4, p4 } };
	struct jl_error err = { { 0 } };
	struct jl_redactor *r = NULL;
	char *s;
	size_t c = 0;

	T_ASSERT(jl_redactor_new(names, 4, custom, 2, &r, &err) == 0);
	if (r == NULL)
		return;
	T_ASSERT_INTEQ(jl_redactor_nrules(r), 3);
	T_ASSERT_STREQ(jl_redactor_rule_name(r, 0), "customer-id");
	T_ASSERT_STREQ(jl_redactor_rule_name(r, 2), "ticket");
	s = REDACT_LIT(r,
	    "cust_0123456789abcdef paid, see PAY-1234 a@b.example cust_xyz", &c,
	    NULL);
	T_ASSERT_STREQ(s,
	    "[REDACTED:customer-id] paid, see [REDACTED:ticket] "
	    "[REDACTED:email] cust_xyz");
	T_ASSERT_INTEQ(c, 3);
	T_ASSERT_INTEQ(jl_redactor_rule_count(r, 0), 1);
	free(s);
	jl_redactor_free(r);
	r = NULL;

	T_ASSERT(jl_redactor_new(bad, 1, custom, 2, &r, &err) == -EINVAL);
	T_ASSERT(strstr(err.msg, "nope") != NULL);
	T_ASSERT(jl_redactor_new(broken, 1, badpat, 1, &r, &err) == -EINVAL);
	T_ASSERT(strstr(err.msg, "offset") != NULL);
	T_ASSERT(jl_redactor_new(shadow, 1, shadowing, 1, &r, &err) == -EINVAL);
	T_ASSERT(r == NULL);

	/* no rules: lines are copied */
	T_ASSERT(jl_redactor_new(NULL, 0, NULL, 0, &r, &err) == 0);
	s = REDACT_LIT(r, "password=x a@b.example", &c, NULL);
	T_ASSERT_STREQ(s, "password=x a@b.example");
	T_ASSERT_INTEQ(c, 0);
	free(s);
	jl_redactor_free(r);
	jl_redactor_free(NULL);
}

/*
 * Patterns the checker would refuse, given to the engine directly: an
 * exponential one, a quadratic one no match limit catches, and ones
 * that match the empty string.  Each line terminates; a failed match
 * replaces the whole line (fails closed), never shows it.
 */
static void
test_fail_closed(void)
{
	static char n1[] = "expo", p1[] = "(a+)+$", n2[] = "quad",
	            p2[] = "[a-z]+?[0-9]", n3[] = "empty", p3[] = "x*",
	            n4[] = "bound", p4[] = "\\b";
	struct jl_rule custom[] = { { n1, p1 }, { n2, p2 }, { n3, p3 },
		{ n4, p4 } };
	const char *expo[] = { "email", "expo" };
	const char *quad[] = { "quad" };
	const char *empty[] = { "empty", "bound" };
	struct jl_error err = { { 0 } };
	struct jl_redactor *r = NULL;
	size_t n = 128 * 1024, c = 0, len = 0;
	char *line = malloc(n + 1), *s;

	T_ASSERT(line != NULL);
	if (line == NULL)
		return;
	memset(line, 'a', n);
	memcpy(line, "bob@example.com ", 16);
	line[n - 1] = '!';
	T_ASSERT(jl_redactor_new(expo, 2, custom, 4, &r, &err) == 0);
	s = redact(r, line, n, &c, NULL);
	T_ASSERT_STREQ(s, "[REDACTED:expo:unmatchable]");
	T_ASSERT_INTEQ(c, 1);
	T_ASSERT_INTEQ(jl_redactor_failed(r), 1);
	T_ASSERT_INTEQ(jl_redactor_rule_count(r, 1), 1);
	free(s);
	line[n - 2] = '!'; /* a newline at the end is kept */
	line[n - 1] = '\n';
	s = redact(r, line, n, &c, NULL);
	T_ASSERT_STREQ(s, "[REDACTED:expo:unmatchable]\n");
	free(s);
	jl_redactor_free(r);

	memset(line, 'a', n);
	T_ASSERT(jl_redactor_new(quad, 1, custom, 4, &r, &err) == 0);
	s = redact(r, line, n, &c, NULL);
	T_ASSERT_STREQ(s, "[REDACTED:quad:unmatchable]");
	free(s);
	s = REDACT_LIT(r, "abc1 short lines still match", &c, NULL);
	T_ASSERT_STREQ(s, "[REDACTED:quad] short lines still match");
	free(s);
	jl_redactor_free(r);

	T_ASSERT(jl_redactor_new(empty, 2, custom, 4, &r, &err) == 0);
	s = REDACT_LIT(r, "abc xx", &c, &len);
	T_ASSERT_STREQ(s, "abc [REDACTED:empty]");
	free(s);
	jl_redactor_free(r);
	free(line);
}

/* Long lines that are hard for the built-in rules still finish, unfailed. */
static void
test_builtin_long_lines(void)
{
	static const char *const units[] = { "1 ", "4111-", "a@", "eyJa.",
		"http://u:", "password=", "\\\"", "bearer ", "AKIA" };
	struct jl_redactor *r = builtin_redactor();
	struct jl_buf line = { 0 };
	size_t i, c;
	char *s;

	T_ASSERT(r != NULL);
	for (i = 0; r != NULL && i < sizeof(units) / sizeof(units[0]); i++) {
		jl_buf_reset(&line);
		while (line.len < 128 * 1024)
			(void)jl_buf_puts(&line, units[i]);
		s = redact(r, line.data, line.len, &c, NULL);
		T_ASSERT(s != NULL && strstr(s, ":unmatchable]") == NULL);
		free(s);
	}
	T_ASSERT_INTEQ(jl_redactor_failed(r), 0);
	jl_buf_free(&line);
	jl_redactor_free(r);
}

static void
test_check_pattern(void)
{
	static const char *const good[] = { "cust_[0-9a-f]{16}",
		"^[A-Z]+-[0-9]+$", "(foo|bar)+baz", "(?:\\.[a-z]++)+",
		"(?>\\.[a-z]+)+", "(\\.[a-z]+)++", "(?:\\d{2})+x",
		"sk_live_[A-Za-z0-9]{24,}", "(?i)ghp_[a-z0-9]{36}", "[(]+a",
		"\\(+a", "a{2,}", "a{2" /* a literal { */, "(?<=id=)[0-9]+" };
	static const char *const bad[][2] = {
		{ "(a+)+", "nested quantifier" },
		{ "(a*)*b", "nested quantifier" },
		{ "(a|a)*b", "nested quantifier" },
		{ "(a|aa)+", "nested quantifier" },
		{ "(\\w+\\s?)+$", "nested quantifier" },
		{ "x(?:[a-z]|[0-9])+", "nested quantifier" },
		{ "((a|ab)c)+", "nested quantifier" },
		{ "(a+){3}", "nested quantifier" },
		{ "(?i)(A|a)+", "nested quantifier" },
		{ "(a)\\1", "backreference" },
		{ "(?<n>a)\\k<n>", "backreference" },
		{ "(?P<n>a)(?P=n)", "backreference" },
		{ "(a)\\g{1}", "backreference" },
		{ "(a)(?1)", "subroutine" },
		{ "a(?R)?", "recursion" },
		{ "(?C1)a", "callout" },
		{ "(*ACCEPT)a", "VERB" },
		{ "(?x) a", "extended" },
		{ "(a)(?(1)b|c)", "backreference" },
		{ "(?(?=a)ab|cd)", "conditional" },
		{ "(a", "offset" },
		{ "[a-", "offset" },
		{ "x*", "empty" },
		{ "a?", "empty" },
		{ "\\b", "empty" },
		{ "", "empty" },
	};
	struct jl_error err;
	char longpat[2000];
	size_t i;
	int r;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&err, 0, sizeof(err));
		r = jl_redact_check_pattern(good[i], &err);
		T_ASSERT_INTEQ(r, 0);
		if (r != 0)
			fprintf(stderr, "refused %s: %s\n", good[i], err.msg);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		r = jl_redact_check_pattern(bad[i][0], &err);
		T_ASSERT_INTEQ(r, -EINVAL);
		T_ASSERT(strstr(err.msg, bad[i][1]) != NULL);
		if (strstr(err.msg, bad[i][1]) == NULL)
			fprintf(stderr, "%s: %s\n", bad[i][0], err.msg);
	}
	T_ASSERT_INTEQ(jl_redact_check_pattern(NULL, NULL), -EINVAL);
	memset(longpat, 'a', sizeof(longpat) - 1);
	longpat[sizeof(longpat) - 1] = '\0';
	T_ASSERT_INTEQ(jl_redact_check_pattern(longpat, &err), -EINVAL);
}

#define JWT                                                                    \
	"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."                    \
	"dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"

/* jl_redact_out_at: the output that comes from a line's first bytes. */
static void
test_out_at(void)
{
	static const char line[] = "ab " JWT " cd";
	struct jl_redactor *r = builtin_redactor();
	char *o;
	size_t len = sizeof(line) - 1, jwt = sizeof(JWT) - 1, label;

	T_ASSERT(r != NULL);
	if (r == NULL)
		return;
	o = redact(r, line, len, NULL, NULL);
	T_ASSERT_STREQ(o, "ab [REDACTED:jwt] cd");
	free(o);
	label = strlen("[REDACTED:jwt]");
	T_ASSERT_INTEQ(jl_redact_out_at(r, 0), 0);
	T_ASSERT_INTEQ(jl_redact_out_at(r, 3), 3);
	/* Inside the match, and at its last byte: the label, whole. */
	T_ASSERT_INTEQ(jl_redact_out_at(r, 4), 3 + label);
	T_ASSERT_INTEQ(jl_redact_out_at(r, 3 + jwt), 3 + label);
	T_ASSERT_INTEQ(jl_redact_out_at(r, 4 + jwt), 4 + label);
	T_ASSERT_INTEQ(jl_redact_out_at(r, len),
	    strlen("ab [REDACTED:jwt] cd"));
	jl_redactor_free(r);
}

/*
 * The built-in rules through a linebuf: a card number in groups, cut
 * short by the window's end after a JWT that redaction shortened (cap
 * 64, overlap 64: the window's 128 bytes redact to 50), shows no digit.
 */
static void
test_cut_card(void)
{
	struct jl_redactor *r = builtin_redactor();
	struct jl_linebuf_redactor red = { jl_redactor_fn, jl_redactor_out_at,
		NULL };
	struct jl_linebuf lb;
	struct jl_buf out = { 0 };
	char line[400];
	size_t n = 0;

	T_ASSERT(r != NULL);
	if (r == NULL)
		return;
	red.ctx = r;
	/* The JWT (92 bytes), 25 bytes, and the card across byte 128. */
	n = (size_t)snprintf(line, sizeof(line), "%s %.*s 4111 1111 1111 1111 ",
	    JWT, 24, "fffffffffffffffffffffffffffff");
	T_ASSERT_INTEQ(n, 92 + 1 + 25 + 19 + 1);
	memset(line + n, 't', 200);
	n += 200;
	line[n++] = '\n';
	T_ASSERT_INTEQ(jl_linebuf_init(&lb, 64, 64, &red), 0);
	T_ASSERT_INTEQ(jl_linebuf_feed(&lb, line, n, &out), 0);
	T_ASSERT_INTEQ(jl_linebuf_finish(&lb, &out), 0);
	T_ASSERT_INTEQ(jl_buf_append(&out, "", 0), 0);
	T_ASSERT(out.data != NULL && strstr(out.data, "4111") == NULL &&
	    strstr(out.data, "1111") == NULL);
	T_ASSERT_STREQ(out.data,
	    "[REDACTED:jwt][... cut: line of 338 bytes]\n");
	/* The whole line in the window: the card is redacted. */
	jl_linebuf_free(&lb);
	jl_buf_reset(&out);
	T_ASSERT_INTEQ(jl_linebuf_init(&lb, 64, 400, &red), 0);
	T_ASSERT_INTEQ(jl_linebuf_feed(&lb, line, n, &out), 0);
	T_ASSERT_INTEQ(jl_linebuf_finish(&lb, &out), 0);
	T_ASSERT_INTEQ(jl_buf_append(&out, "", 0), 0);
	T_ASSERT(out.data != NULL && strstr(out.data, "4111") == NULL);
	jl_linebuf_free(&lb);
	jl_buf_free(&out);
	jl_redactor_free(r);
}

int
main(void)
{
	T_RUN(test_builtin_names);
	T_RUN(test_golden_files);
	T_RUN(test_counts);
	T_RUN(test_no_secret_survives);
	T_RUN(test_overlaps);
	T_RUN(test_arbitrary_bytes);
	T_RUN(test_append);
	T_RUN(test_custom_rules);
	T_RUN(test_fail_closed);
	T_RUN(test_builtin_long_lines);
	T_RUN(test_check_pattern);
	T_RUN(test_out_at);
	T_RUN(test_cut_card);
	return T_DONE();
}

/* SPDX-License-Identifier: ISC */
/*
 * fuzz_redact: plant a secret of a built-in kind, shaped by the input,
 * between input-chosen bytes, and check that its sensitive part never
 * comes out -- of jl_redact_line, and of the viewer's line assembly
 * (jl_linebuf with the redactor, a small cap, input-chosen chunks).
 *
 * Input: kind, mask of further rules, variant bits, linebuf shape, chunk
 * step; the bytes that shape the secret (up to a NUL); the prefix (up to
 * a NUL); the suffix (the rest).  The line is prefix " " secret " "
 * suffix.
 *
 * Why the check is sound: the sensitive part S has a digit, and no
 * blank, ':', '[' or ']'; the labels "[REDACTED:rule]" have no digit, so
 * S can only come out as original bytes that were kept.  S also has a
 * byte that is not a digit, or 13 digits or more: the viewer's cut
 * marker ("[... cut: line of N bytes]") cannot spell it.  The input is
 * skipped when S occurs in the line more than once, or when S occurs in
 * the escaped line with the planted S blanked out (an escape such as
 * \x1b followed by prefix bytes could spell it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "jitlog/escape.h"
#include "jitlog/linebuf.h"
#include "jitlog/redact.h"

#define NKINDS     7
#define SECRET_MAX 96

static const char B64U[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    "0123456789_-";
static const char ALNUM[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    "0123456789";
static const char UPNUM[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
static const char TOKEN[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    "0123456789._~+/-";
static const char LOCAL[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    "0123456789._%+-";
static const char ALPHA[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/* url password: no blank / ? # @ : [ ] */
static const char PASS[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    "0123456789!$%&'()*+,;=._~-";
/* quoted assignment value: printable, no quote, backslash, : [ ] */
static const char QVAL[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    "0123456789!#$%&()*+,./;<=>?@^_`{|}~-";
static const char UVAL[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    "0123456789_.+/~-";

static const char *const kinds[NKINDS] = { "jwt", "bearer", "email",
	"aws-access-key", "url-credentials", "card-number",
	"secret-assignment" };

/* What is being planted. */
struct plant {
	struct jl_buf text; /* the planted bytes */
	size_t s_off;       /* S = text[s_off .. s_off + s_len) */
	size_t s_len;
};

static void
put(struct plant *p, const char *s)
{
	if (jl_buf_puts(&p->text, s) < 0)
		abort();
}

/* n (at least min) characters of alphabet a, chosen by the input. */
static void
put_from(struct plant *p, struct fz_in *in, const char *a, size_t min,
    size_t max)
{
	size_t n = min + fz_u8(in) % (max - min + 1), len = strlen(a), i;
	char c[2] = { 0, 0 };

	for (i = 0; i < n; i++) {
		c[0] = a[fz_u8(in) % len];
		put(p, c);
	}
}

/* Start / end S at the current end of the text. */
static void
s_begin(struct plant *p)
{
	p->s_off = p->text.len;
}

/* End S here, and put a digit in it past its first keep bytes (see the
 * top of the file). */
static void
s_end(struct plant *p, struct fz_in *in, size_t keep)
{
	char *t = p->text.data + p->s_off;
	size_t n, i, k;

	p->s_len = p->text.len - p->s_off;
	if (p->s_len <= keep)
		return;
	/* over a letter or digit only: '.', '@', '=' give S its shape */
	n = p->s_len - keep;
	i = fz_u8(in) % n;
	for (k = 0; k < n; k++, i = (i + 1) % n) {
		char c = t[keep + i];

		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z')) {
			t[keep + i] = (char)('0' + fz_u8(in) % 10);
			return;
		}
	}
}

static void
plant_jwt(struct plant *p, struct fz_in *in, unsigned v)
{
	unsigned i;

	s_begin(p);
	put(p, "eyJ");
	put_from(p, in, B64U, 1, 40);
	put(p, ".");
	put_from(p, in, B64U, 1, 40);
	put(p, ".");
	put_from(p, in, B64U, 0, 40);
	for (i = 0; i < v % 3; i++) {
		put(p, ".");
		put_from(p, in, B64U, 0, 20);
	}
	s_end(p, in, 3);
}

static void
plant_bearer(struct plant *p, struct fz_in *in, unsigned v)
{
	static const char *const words[] = { "Bearer", "bearer", "BEARER",
		"BeArEr" };

	put(p, words[v % 4]);
	put(p, (v >> 2) & 1 ? "\t" : " ");
	if ((v >> 3) & 1)
		put(p, " ");
	s_begin(p);
	put_from(p, in, TOKEN, 1, 60);
	put(p, (v >> 4) % 3 == 0 ? "" : (v >> 4) % 3 == 1 ? "=" : "==");
	s_end(p, in, 0);
}

static void
plant_email(struct plant *p, struct fz_in *in, unsigned v)
{
	unsigned i;

	s_begin(p);
	put_from(p, in, LOCAL, 1, 30);
	s_end(p, in, 0);
	put(p, "@");
	for (i = 0; i <= v % 3; i++) {
		put_from(p, in, ALNUM, 1, 12);
		put(p, ".");
	}
	put_from(p, in, ALPHA, 2, 10);
	p->s_len = p->text.len - p->s_off; /* the whole address */
}

static void
plant_aws(struct plant *p, struct fz_in *in, unsigned v)
{
	static const char *const pre[] = { "AKIA", "ASIA", "ABIA", "ACCA" };

	s_begin(p);
	put(p, pre[v % 4]);
	put_from(p, in, UPNUM, 16, 16);
	s_end(p, in, 4);
}

static void
plant_url(struct plant *p, struct fz_in *in, unsigned v)
{
	static const char *const schemes[] = { "https", "postgres", "redis",
		"git+ssh" };

	put(p, schemes[v % 4]);
	put(p, "://");
	put_from(p, in, ALNUM, 0, 12);
	put(p, ":");
	s_begin(p);
	put_from(p, in, PASS, 1, 40);
	s_end(p, in, 0);
	put(p, "@");
	put_from(p, in, ALNUM, 1, 12);
	if ((v >> 2) & 1)
		put(p, ".example.com:5432/db");
}

static void
plant_card(struct plant *p, struct fz_in *in, unsigned v)
{
	char d[20], c[2] = { 0, 0 };
	size_t n = 13 + fz_u8(in) % 7, i;
	unsigned sum = 0, x;

	for (i = 0; i + 1 < n; i++)
		d[i] = (char)('0' + fz_u8(in) % 10);
	/* Luhn check digit: double every second digit from the right,
	 * starting with the one left of the check digit. */
	for (i = 0; i + 1 < n; i++) {
		x = (unsigned)(d[n - 2 - i] - '0');
		if (i % 2 == 0 && (x *= 2) > 9)
			x -= 9;
		sum += x;
	}
	d[n - 1] = (char)('0' + (10 - sum % 10) % 10);
	s_begin(p);
	for (i = 0; i < n; i++) {
		c[0] = d[i];
		put(p, c);
		if (i + 1 < n && i % 4 == 3 && (v & 1))
			put(p, "-");
	}
	p->s_len = p->text.len - p->s_off;
}

static void
plant_assign(struct plant *p, struct fz_in *in, unsigned v)
{
	static const char *const keys[] = { "password", "PASSWD", "pwd",
		"client_secret", "id_token", "api_key", "api-key", "ApiKey",
		"access_key", "aws_secret_access_key", "db_password" };
	static const char *const seps[] = { "=", ":", "=>", ":=" };
	unsigned q = (v >> 6) % 3;

	if ((v >> 4) & 1)
		put(p, "\"");
	put(p, keys[fz_u8(in) % 11]);
	if ((v >> 4) & 1)
		put(p, "\"");
	put(p, (v >> 5) & 1 ? " " : "");
	put(p, seps[v % 4]);
	put(p, (v >> 2) & 1 ? " " : "");
	put(p, q == 1 ? "\"" : q == 2 ? "'" : "");
	s_begin(p);
	put_from(p, in, q == 0 ? UVAL : QVAL, 1, 40);
	s_end(p, in, 0);
	put(p, q == 1 ? "\"" : q == 2 ? "'" : "");
}

static void (*const planters[NKINDS])(struct plant *, struct fz_in *,
    unsigned) = { plant_jwt, plant_bearer, plant_email, plant_aws, plant_url,
	plant_card, plant_assign };

/* One redactor per rule set, made on first use. */
static struct jl_redactor *redactors[1u << NKINDS];

static struct jl_redactor *
redactor(unsigned mask)
{
	const char *names[NKINDS];
	struct jl_error err = { "" };
	size_t n = 0, i;

	if (redactors[mask] != NULL)
		return redactors[mask];
	for (i = 0; i < NKINDS; i++)
		if (mask & (1u << i))
			names[n++] = kinds[i];
	FZ_CHECK(jl_redactor_new(names, n, NULL, 0, &redactors[mask], &err) ==
	        0,
	    "jl_redactor_new: %s", err.msg);
	return redactors[mask];
}

/* S is sound to look for (see the top of the file). */
static bool
s_usable(const uint8_t *line, size_t len, const uint8_t *s, size_t n)
{
	struct jl_escaper e;
	struct jl_buf esc = { 0 };
	uint8_t *blank;
	size_t i, digits;
	bool ok;

	for (i = 0, digits = 0; i < n; i++)
		digits += s[i] >= '0' && s[i] <= '9';
	/* a digit; all digits only for a card number (13 or more: the
	 * viewer's cut marker holds a byte count) */
	if (digits == 0 || (digits == n && n < 13))
		return false;
	if (n == 0 || fz_count(line, len, s, n) != 1 ||
	    memchr(s, ':', n) != NULL || memchr(s, ' ', n) != NULL ||
	    memchr(s, '[', n) != NULL || memchr(s, ']', n) != NULL)
		return false;
	blank = (uint8_t *)fz_strndup(line, len);
	memset(blank + (fz_memmem(line, len, s, n) - line), ' ', n);
	jl_escaper_init(&e, JL_ESC_LOG);
	if (jl_escape_chunk(&e, blank, len, &esc) < 0 ||
	    jl_escape_finish(&e, &esc) < 0)
		abort();
	ok = fz_count((const uint8_t *)esc.data, esc.len, s, n) == 0;
	jl_buf_free(&esc);
	free(blank);
	return ok;
}

/* The line through jl_linebuf, in chunks of step bytes. */
static void
through_linebuf(struct jl_redactor *r, const struct jl_buf *line, size_t cap,
    size_t overlap, size_t step, struct jl_buf *out)
{
	struct jl_linebuf_redactor red = { jl_redactor_fn, jl_redactor_out_at,
		r };
	struct jl_linebuf lb;
	size_t at, n;

	FZ_CHECK(jl_linebuf_init(&lb, cap, overlap, &red) == 0, "linebuf init");
	for (at = 0; at < line->len; at += n) {
		n = line->len - at < step ? line->len - at : step;
		FZ_CHECK(jl_linebuf_feed(&lb, line->data + at, n, out) == 0,
		    "linebuf feed");
	}
	FZ_CHECK(jl_linebuf_finish(&lb, out) == 0, "linebuf finish");
	jl_linebuf_free(&lb);
}

static void
check_linebuf(struct jl_redactor *r, const struct jl_buf *line, unsigned shape,
    size_t step, const uint8_t *s, size_t n)
{
	static const size_t caps[] = { 16, 40, 200, JL_LINEBUF_CAP };
	static const size_t overlaps[] = { 0, 16, 100, JL_LINEBUF_OVERLAP };
	size_t cap = caps[shape % 4], ov = overlaps[(shape >> 2) % 4];
	struct jl_buf a = { 0 }, b = { 0 };

	through_linebuf(r, line, cap, ov, line->len + 1, &a);
	through_linebuf(r, line, cap, ov, step, &b);
	FZ_CHECK(a.len == b.len &&
	        (a.len == 0 || memcmp(a.data, b.data, a.len) == 0),
	    "linebuf output depends on the chunks (step %zu)", step);
	FZ_CHECK(fz_count((const uint8_t *)a.data, a.len, s, n) == 0,
	    "secret \"%.*s\" shown by the viewer (cap %zu overlap %zu)", (int)n,
	    (const char *)s, cap, ov);
	FZ_CHECK(fz_utf8_valid((const uint8_t *)a.data, a.len),
	    "linebuf output is not UTF-8");
	jl_buf_free(&a);
	jl_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size }, sin;
	struct plant p = { { 0 }, 0, 0 };
	struct jl_buf line = { 0 }, out = { 0 };
	struct jl_redactor *r;
	unsigned kind, mask, v, shape;
	size_t step, count = 0;
	char *shape_bytes, *prefix;
	const uint8_t *s;

	if (size > 8192)
		return 0;
	kind = fz_u8(&in) % NKINDS;
	mask = (fz_u8(&in) | (1u << kind)) & ((1u << NKINDS) - 1);
	v = fz_u8(&in);
	shape = fz_u8(&in);
	step = fz_u8(&in) % 64 + 1;
	shape_bytes = fz_next_str(&in);
	prefix = fz_next_str(&in);
	sin.p = (const uint8_t *)(shape_bytes ? shape_bytes : "");
	sin.n = shape_bytes ? strlen(shape_bytes) : 0;
	planters[kind](&p, &sin, v);

	if (jl_buf_puts(&line, prefix ? prefix : "") < 0 ||
	    jl_buf_puts(&line, " ") < 0 ||
	    jl_buf_append(&line, p.text.data, p.text.len) < 0 ||
	    jl_buf_puts(&line, " ") < 0 || jl_buf_append(&line, in.p, in.n) < 0)
		abort();
	s = (const uint8_t *)p.text.data + p.s_off;
	if (!s_usable((const uint8_t *)line.data, line.len, s, p.s_len))
		goto out;

	r = redactor(mask);
	FZ_CHECK(jl_redact_line(r, line.data, line.len, &out, &count) == 0,
	    "jl_redact_line failed");
	FZ_CHECK(count >= 1,
	    "no redaction counted for a planted %s in "
	    "\"%s\" -> \"%s\"",
	    kinds[kind], line.data, out.data);
	FZ_CHECK(fz_count((const uint8_t *)out.data, out.len, s, p.s_len) == 0,
	    "planted %s: \"%.*s\" survives in \"%s\"", kinds[kind],
	    (int)p.s_len, (const char *)s, out.data);
	check_linebuf(r, &line, shape, step, s, p.s_len);
out:
	jl_buf_free(&p.text);
	jl_buf_free(&line);
	jl_buf_free(&out);
	free(shape_bytes);
	free(prefix);
	return 0;
}

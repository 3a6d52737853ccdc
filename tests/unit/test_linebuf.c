/* SPDX-License-Identifier: ISC */
/*
 * Line assembly of the viewer's streamer (linebuf.h): lines pass
 * unchanged but escaped; a long line is cut after redaction with a marker
 * that gives its length; memory stays bounded; a secret split across read
 * boundaries or straddling the cut is still redacted; a non-blank run cut
 * short by the window is not shown in part; and the output is the same
 * however the input is split into chunks.  The redactor here is a stand-in
 * ("SECRET" followed by letters and digits becomes "[REDACTED:t]"), so
 * these tests do not depend on the rule set; test_redact checks the rules.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitlog/common.h"
#include "jitlog/linebuf.h"
#include "t.h"

static unsigned fake_calls;
static size_t fake_longest;
/* The redactions of the last fake_redact call: input start, end. */
static struct {
	size_t start, end;
} fake_span[256];
static size_t fake_nspans;
static bool fake_spans_lost;

#define FAKE_LABEL_LEN 12 /* "[REDACTED:t]" and the others */

static void
fake_note(size_t start, size_t end)
{
	if (fake_nspans < sizeof(fake_span) / sizeof(*fake_span))
		fake_span[fake_nspans++] = (typeof(*fake_span)){ start, end };
	else
		fake_spans_lost = true;
}

/* "KEY[a-z]*;" at s[0..n): the length of the match, or 0. */
static size_t
key_match(const char *s, size_t n)
{
	size_t j;

	if (n < 4 || memcmp(s, "KEY", 3) != 0)
		return 0;
	for (j = 3; j < n && s[j] >= 'a' && s[j] <= 'z'; j++)
		;
	return j < n && s[j] == ';' ? j + 1 : 0;
}

/* "PAN[0-9 ]*;" (digits in groups, as a card number): its length, or 0. */
static size_t
pan_match(const char *s, size_t n)
{
	size_t j;

	if (n < 4 || memcmp(s, "PAN", 3) != 0)
		return 0;
	for (j = 3; j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == ' '); j++)
		;
	return j < n && s[j] == ';' ? j + 1 : 0;
}

/* "SECRET[A-Za-z0-9]*" -> "[REDACTED:t]"; "KEY[a-z]*;" (a rule that needs
 * its terminator, as a JWT needs its three parts) -> "[REDACTED:k]";
 * "PAN[0-9 ]*;" (one with blanks inside) -> "[REDACTED:p]". */
static int
fake_redact(void *ctx, const char *s, size_t n, struct jl_buf *out)
{
	size_t i = 0, j;
	int r;

	(void)ctx;
	fake_calls++;
	fake_nspans = 0;
	fake_spans_lost = false;
	if (n > fake_longest)
		fake_longest = n;
	if (n == 0)
		return jl_buf_append(out, "", 0);
	while (i < n) {
		if (n - i >= 6 && memcmp(s + i, "SECRET", 6) == 0) {
			for (j = i + 6; j < n &&
			     ((s[j] >= 'a' && s[j] <= 'z') ||
			         (s[j] >= 'A' && s[j] <= 'Z') ||
			         (s[j] >= '0' && s[j] <= '9'));
			     j++)
				;
			if ((r = jl_buf_puts(out, "[REDACTED:t]")) < 0)
				return r;
			fake_note(i, j);
			i = j;
			continue;
		}
		if ((j = key_match(s + i, n - i)) > 0) {
			if ((r = jl_buf_puts(out, "[REDACTED:k]")) < 0)
				return r;
			fake_note(i, i + j);
			i += j;
			continue;
		}
		if ((j = pan_match(s + i, n - i)) > 0) {
			if ((r = jl_buf_puts(out, "[REDACTED:p]")) < 0)
				return r;
			fake_note(i, i + j);
			i += j;
			continue;
		}
		if ((r = jl_buf_append(out, s + i, 1)) < 0)
			return r;
		i++;
	}
	return 0;
}

/* out_at for fake_redact's last line (its spans never overlap). */
static size_t
fake_out_at(void *ctx, size_t in)
{
	size_t i, pos = 0, o = 0;

	(void)ctx;
	if (fake_spans_lost)
		return 0;
	for (i = 0; i < fake_nspans && fake_span[i].start < in; i++) {
		o += fake_span[i].start - pos + FAKE_LABEL_LEN;
		pos = fake_span[i].end;
	}
	return pos >= in ? o : o + (in - pos);
}

static const struct jl_linebuf_redactor fake = { fake_redact, fake_out_at,
	NULL };

/* Run in[0..n) through a linebuf fed in chunks of the given size (0: one
 * chunk); the output, malloc'd and NUL-terminated, in *ret. */
static int
run(const char *in, size_t n, size_t chunk, size_t cap, size_t overlap,
    const struct jl_linebuf_redactor *red, char **ret, size_t *ret_len)
{
	struct jl_linebuf lb;
	struct jl_buf out = { 0 };
	size_t off = 0, k;
	int r;

	if ((r = jl_linebuf_init(&lb, cap, overlap, red)) < 0)
		return r;
	while (r == 0 && off < n) {
		k = chunk == 0 || n - off < chunk ? n - off : chunk;
		r = jl_linebuf_feed(&lb, in + off, k, &out);
		off += k;
	}
	if (r == 0)
		r = jl_linebuf_finish(&lb, &out);
	if (r == 0)
		r = jl_buf_append(&out, "", 0);
	jl_linebuf_free(&lb);
	if (r < 0) {
		jl_buf_free(&out);
		return r;
	}
	*ret_len = out.len;
	*ret = out.data;
	return 0;
}

/* The output of in (a string) in one chunk. */
static char *
once(const char *in, size_t cap, size_t overlap,
    const struct jl_linebuf_redactor *red)
{
	char *o = NULL;
	size_t len;

	if (run(in, strlen(in), 0, cap, overlap, red, &o, &len) < 0)
		return NULL;
	return o;
}

static bool
valid_utf8(const char *s, size_t n)
{
	uint32_t cp;
	int k;

	while (n > 0) {
		k = jl_utf8_decode(s, n, &cp);
		if (k <= 0)
			return false;
		s += k;
		n -= (size_t)k;
	}
	return true;
}

static void
test_plain_and_escaped(void)
{
	char *o;

	o = once("hello\nworld\n", 64, 64, NULL);
	T_ASSERT_STREQ(o, "hello\nworld\n");
	free(o);
	o = once("a\tb\x1b]0;pwned\x07\n\xc2\x9b"
	         "31m\xe2\x80\xae"
	         "x\xff\n",
	    64, 64, NULL);
	T_ASSERT_STREQ(o,
	    "a\tb\\x1b]0;pwned\\x07\n\\u{009B}31m\\u{202E}"
	    "x\\xff\n");
	free(o);
	/* A last line without a newline is shown without one. */
	o = once("one\ntwo", 64, 64, &fake);
	T_ASSERT_STREQ(o, "one\ntwo");
	free(o);
	o = once("", 64, 64, &fake);
	T_ASSERT_STREQ(o, "");
	free(o);
	/* An incomplete sequence at the very end. */
	o = once("x\xe2\x82", 64, 64, NULL);
	T_ASSERT_STREQ(o, "x\\xe2\\x82");
	free(o);
}

static void
test_redaction_per_line(void)
{
	char *o;

	o = once("token SECRETabc here\nnone\nSECRET\n", 64, 64, &fake);
	T_ASSERT_STREQ(o, "token [REDACTED:t] here\nnone\n[REDACTED:t]\n");
	free(o);
	/* Redaction before escaping: the replacement is not escaped, the
	 * control characters around it are. */
	o = once("\x1bSECRETx\x1b\n", 64, 64, &fake);
	T_ASSERT_STREQ(o, "\\x1b[REDACTED:t]\\x1b\n");
	free(o);
}

/* A line of len bytes: 'a'..., with s placed at off. */
static char *
line_with(size_t len, size_t off, const char *s, char fill)
{
	char *l = malloc(len + 2);

	if (l == NULL)
		return NULL;
	memset(l, fill, len);
	if (s != NULL)
		memcpy(l + off, s, strlen(s));
	l[len] = '\n';
	l[len + 1] = '\0';
	return l;
}

static void
test_cut_marker(void)
{
	char want[256], *in, *o;

	/* 100 bytes, cap 40: the head is the first 40, then the marker. */
	in = line_with(100, 0, NULL, 'x');
	o = once(in, 40, 200, NULL);
	(void)snprintf(want, sizeof(want), "%.40s" JL_LINEBUF_MARKER "\n", in,
	    (uint64_t)100);
	T_ASSERT_STREQ(o, want);
	free(o);
	free(in);
	/* Longer than the window (cap 40 + overlap 20), blanks in it: cut at
	 * the cap, counted to the newline. */
	in = line_with(1000, 0, NULL, 'y');
	for (size_t i = 5; i < 1000; i += 10)
		in[i] = ' ';
	o = once(in, 40, 20, NULL);
	(void)snprintf(want, sizeof(want), "%.40s" JL_LINEBUF_MARKER "\n", in,
	    (uint64_t)1000);
	T_ASSERT_STREQ(o, want);
	free(o);
	free(in);
	/* A cut never splits a character: 'é' (2 bytes) across byte 40. */
	in = line_with(100, 39, "\xc3\xa9", 'z');
	o = once(in, 40, 200, NULL);
	(void)snprintf(want, sizeof(want), "%.39s" JL_LINEBUF_MARKER "\n", in,
	    (uint64_t)100);
	T_ASSERT_STREQ(o, want);
	free(o);
	free(in);
	/* The length after redaction decides: a line that shrinks under
	 * the cap is not cut. */
	in = line_with(60, 10, "SECRET0123456789012345678901234567890", 'k');
	in[9] = ' ';
	in[47] = ' ';
	o = once(in, 40, 100, &fake);
	T_ASSERT_STREQ(o, "kkkkkkkkk [REDACTED:t] kkkkkkkkkkkk\n");
	free(o);
	free(in);
}

/* A secret straddling the cut is redacted, not shown in part. */
static void
test_secret_at_cut(void)
{
	char *in, *o;

	/* Whole line in the window. */
	in = line_with(200, 30, " SECRETabcdefghijklmnopqrstuvwxyz ", 'q');
	o = once(in, 40, 400, &fake);
	T_ASSERT(o != NULL && strstr(o, "SECRET") == NULL &&
	    strstr(o, "abcdef") == NULL);
	T_ASSERT(o != NULL && strstr(o, "[REDACTE") != NULL);
	free(o);
	free(in);
	/* Line longer than the window, secret across the cut. */
	in = line_with(5000, 30, " SECRETabcdefghijklmnopqrstuvwxyz ", 'q');
	o = once(in, 40, 100, &fake);
	T_ASSERT(o != NULL && strstr(o, "SECRET") == NULL &&
	    strstr(o, "abcdef") == NULL);
	free(o);
	free(in);
	/* A secret that needs its end, longer than the window and across
	 * the cut: the redactor cannot match it, and nothing of the run that
	 * reaches the window's end is shown. */
	in = line_with(5000, 20, " KEY", 'w');
	for (size_t i = 24; i < 4000; i++)
		in[i] = 'k';
	in[4000] = ';';
	o = once(in, 40, 100, &fake);
	T_ASSERT_STREQ(o,
	    "wwwwwwwwwwwwwwwwwwww [... cut: line of 5000 bytes]\n");
	free(o);
	/* The same line within the window is redacted whole. */
	o = once(in, 40, 6000, &fake);
	T_ASSERT(o != NULL &&
	    strncmp(o, "wwwwwwwwwwwwwwwwwwww [REDACTED:k]w", 34) == 0);
	T_ASSERT(o != NULL && strstr(o, "KEY") == NULL);
	free(o);
	free(in);
	/*
	 * A secret with blanks in it, cut short by the window's end, after a
	 * long one that redaction shortens (cap 40, window 140): the window
	 * redacts to 42 bytes and the PAN's "PAN 1234 567" would fall in the
	 * first 40.  Nothing of it is shown.
	 */
	in = line_with(3000, 0, NULL, 'w');
	memcpy(in, "SECRET", 6);
	memset(in + 6, 'a', 104);
	in[110] = ' ';
	memset(in + 111, 'f', 17);
	memcpy(in + 128, "PAN 1234 5678 9012 3456;", 24);
	o = once(in, 40, 100, &fake);
	T_ASSERT(o != NULL && strstr(o, "PAN") == NULL &&
	    strstr(o, "1234") == NULL && strstr(o, "SECRET") == NULL);
	T_ASSERT(
	    o != NULL && strstr(o, "[... cut: line of 3000 bytes]") != NULL);
	free(o);
	/* Within the window, the same line redacts it whole. */
	o = once(in, 40, 3000, &fake);
	T_ASSERT(
	    o != NULL && strstr(o, "1234") == NULL && strstr(o, "PAN") == NULL);
	free(o);
	free(in);
	/* One run through the whole window: only the marker. */
	in = line_with(500, 0, NULL, 'Z');
	o = once(in, 40, 100, &fake);
	T_ASSERT_STREQ(o, "[... cut: line of 500 bytes]\n");
	free(o);
	free(in);
}

/* The redactor never sees more than cap + overlap bytes at once. */
static void
test_bounded(void)
{
	size_t n = 8u * 1024 * 1024, len;
	char *in = malloc(n), *o = NULL;
	int r;

	T_ASSERT(in != NULL);
	if (in == NULL)
		return;
	memset(in, 'a', n);
	in[n / 2] = '\n';
	fake_longest = 0;
	r = run(in, n, 65536, 1024, 1024, &fake, &o, &len);
	T_ASSERT_INTEQ(r, 0);
	T_ASSERT(fake_longest <= 2048);
	T_ASSERT(len < 100);
	T_ASSERT(o != NULL && strstr(o, "line of 4194304 bytes]\n") != NULL);
	T_ASSERT(o != NULL && strstr(o, "line of 4194303 bytes]") != NULL);
	free(o);
	free(in);
}

/* Splitting the input anywhere gives the same output. */
static void
chunking_case(const char *in, size_t n, size_t cap, size_t overlap,
    const struct jl_linebuf_redactor *red)
{
	char *ref = NULL, *o;
	size_t rlen, len, chunk;
	int r;

	r = run(in, n, 0, cap, overlap, red, &ref, &rlen);
	T_ASSERT_INTEQ(r, 0);
	if (r < 0)
		return;
	T_ASSERT(valid_utf8(ref, rlen));
	for (chunk = 1; chunk <= n + 1; chunk += chunk < 100 ? 1 : chunk / 3) {
		o = NULL;
		r = run(in, n, chunk, cap, overlap, red, &o, &len);
		if (r != 0 || len != rlen || memcmp(o, ref, len) != 0) {
			T_ASSERT(!"output depends on chunking");
			fprintf(stderr, "  chunk %zu, cap %zu\n", chunk, cap);
			free(o);
			break;
		}
		free(o);
	}
	free(ref);
}

static void
test_chunking(void)
{
	static const char in[] =
	    "plain line\n"
	    "SECRETabc split anywhere SECRETdef\n"
	    "\x1b[31mred\x1b[0m \xe2\x80\xae bidi \xc2\x85 nel \xf0\x9f\x98\x80\n"
	    "a long line a long line a long line a long line SECRETxyz tail\n"
	    "averyveryveryveryveryveryveryverylongwordwithoutanyblanksinit\n"
	    "x KEYabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz; y\n"
	    "\xff\xfe invalid \xed\xa0\x80 surrogate \xc0\xaf overlong\n"
	    "\n\n"
	    "last without newline \xe2\x82";
	size_t n = sizeof(in) - 1;

	for (size_t cap = 16; cap <= 80; cap += 7) {
		chunking_case(in, n, cap, 0, &fake);
		chunking_case(in, n, cap, 10, &fake);
		chunking_case(in, n, cap, 10, NULL);
		chunking_case(in, n, cap, 1000, NULL);
	}
}

/* Random bytes, random chunks: valid UTF-8 out, and chunk-independent. */
static void
test_random(void)
{
	char in[3000];
	unsigned seed = 12345;

	for (int round = 0; round < 20; round++) {
		for (size_t i = 0; i < sizeof(in); i++) {
			seed = seed * 1103515245u + 12345u;
			in[i] = (char)(seed >> 16);
			if ((seed >> 8) % 23 == 0)
				in[i] = '\n';
		}
		chunking_case(in, sizeof(in), 16 + (size_t)round * 13,
		    (size_t)round * 5, round % 2 ? &fake : NULL);
	}
}

/* The copy that skips the escaper agrees with it on every byte value. */
static void
test_plain_agrees(void)
{
	struct jl_escaper e;
	struct jl_buf want = { 0 };
	char line[34], *o;
	size_t len;
	int c;

	for (c = 0; c < 256; c++) {
		if (c == '\n')
			continue;
		memset(line, c, 32);
		line[32] = '\n';
		jl_escaper_init(&e, JL_ESC_LOG);
		jl_buf_reset(&want);
		T_ASSERT(jl_escape_chunk(&e, line, 33, &want) == 0);
		T_ASSERT(jl_escape_finish(&e, &want) == 0);
		o = NULL;
		T_ASSERT(run(line, 33, 0, 64, 64, NULL, &o, &len) == 0);
		if (o == NULL || len != want.len ||
		    memcmp(o, want.data, len) != 0) {
			T_ASSERT(!"linebuf and escaper disagree");
			fprintf(stderr, "  byte 0x%02x\n", c);
		}
		free(o);
		o = NULL;
		T_ASSERT(run(line, 33, 0, 64, 64, &fake, &o, &len) == 0);
		T_ASSERT(o != NULL && len == want.len &&
		    memcmp(o, want.data, len) == 0);
		free(o);
	}
	jl_buf_free(&want);
}

/* Plain runs sent to a sink: the same bytes, in the same order. */
static unsigned sink_calls;

static int
collect(void *ctx, const char *p, size_t n)
{
	sink_calls++;
	return jl_buf_append(ctx, p, n);
}

/* The sink was used (long runs), but not for every little run. */
static void
sink_calls_check(void)
{
	T_ASSERT(sink_calls > 0);
	T_ASSERT(sink_calls < 200);
}

static void
test_sink(void)
{
	static const size_t chunks[] = { 1, 7, 100, 4096, 16384, 20000, 65537,
		1u << 20 };
	struct jl_buf in = { 0 }, got = { 0 }, out = { 0 };
	struct jl_linebuf lb;
	char *ref = NULL;
	size_t rlen, c, off, k, n;
	int i;

	/* Long plain runs (over JL_LINEBUF_SINK_MIN) between lines that
	 * need the escaper, and a last line without a newline. */
	for (i = 0; i < 3000; i++)
		T_ASSERT(
		    jl_buf_printf(&in, "plain line %d of the log\n", i) == 0);
	T_ASSERT(jl_buf_puts(&in, "\x1b[1mbold\ncaf\xc3\xa9\n") == 0);
	for (i = 0; i < 2000; i++)
		T_ASSERT(jl_buf_printf(&in, "more %d\n", i) == 0);
	T_ASSERT(jl_buf_puts(&in, "tail without newline") == 0);
	n = in.len;
	T_ASSERT(run(in.data, n, 0, 65536, 100, NULL, &ref, &rlen) == 0);
	for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		jl_buf_reset(&got);
		jl_buf_reset(&out);
		T_ASSERT(jl_linebuf_init(&lb, 65536, 100, NULL) == 0);
		jl_linebuf_sink(&lb,
		    &(struct jl_linebuf_sink){ collect, &got });
		for (off = 0; off < n; off += k) {
			k = n - off < chunks[c] ? n - off : chunks[c];
			T_ASSERT(
			    jl_linebuf_feed(&lb, in.data + off, k, &out) == 0);
			T_ASSERT(jl_buf_append(&got, out.data ? out.data : "",
			             out.len) == 0);
			jl_buf_reset(&out);
		}
		T_ASSERT(jl_linebuf_finish(&lb, &out) == 0);
		T_ASSERT(jl_buf_append(&got, out.data ? out.data : "",
		             out.len) == 0);
		jl_linebuf_free(&lb);
		if (got.len != rlen || memcmp(got.data, ref, rlen) != 0) {
			T_ASSERT(!"output with a sink differs");
			fprintf(stderr, "  chunk %zu\n", chunks[c]);
		}
	}
	sink_calls_check();
	free(ref);
	jl_buf_free(&in);
	jl_buf_free(&got);
	jl_buf_free(&out);
}

static void
test_init_args(void)
{
	struct jl_linebuf lb;

	T_ASSERT_INTEQ(jl_linebuf_init(&lb, 8, 0, NULL), -EINVAL);
	jl_linebuf_free(&lb);
	jl_linebuf_free(NULL);
}

int
main(void)
{
	T_RUN(test_plain_and_escaped);
	T_RUN(test_redaction_per_line);
	T_RUN(test_cut_marker);
	T_RUN(test_secret_at_cut);
	T_RUN(test_bounded);
	T_RUN(test_chunking);
	T_RUN(test_random);
	T_RUN(test_plain_agrees);
	T_RUN(test_sink);
	T_RUN(test_init_args);
	(void)fake_calls;
	return T_DONE();
}

/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of lib/escape.c: golden output for every class of byte and
 * code point, and properties over pseudo-random hostile input (fixed
 * seed): the output does not depend on chunking, matches a slow reference
 * escaper, is valid UTF-8 and carries nothing a terminal interprets.
 */
#include <errno.h>
#include <stdint.h>

#include "jitlog/common.h"
#include "jitlog/escape.h"
#include "t.h"

/* Escape in[0..len) in one chunk plus finish; malloc'd. */
static char *
esc(const void *in, size_t len, unsigned flags)
{
	struct jl_escaper e;
	struct jl_buf b = { 0 };
	char *r = NULL;

	jl_escaper_init(&e, flags);
	if (jl_escape_chunk(&e, in, len, &b) < 0 ||
	    jl_escape_finish(&e, &b) < 0 || jl_buf_steal(&b, &r) < 0)
		r = NULL;
	jl_buf_free(&b);
	return r;
}

#define T_ESC(in, flags, want)                                                 \
	do {                                                                   \
		char *got_ = esc(in, sizeof(in) - 1, flags);                   \
		T_ASSERT_STREQ(got_, want);                                    \
		free(got_);                                                    \
	} while (0)

static void
test_golden_ascii(void)
{
	T_ESC("hello, world", JL_ESC_LOG, "hello, world");
	T_ESC("", JL_ESC_LOG, "");
	T_ESC("a\nb\tc", JL_ESC_LOG, "a\nb\tc");
	T_ESC("a\nb\tc", 0, "a\\x0ab\\x09c");
	T_ESC("a\nb\tc", JL_ESC_KEEP_NL, "a\nb\\x09c");
	T_ESC("a\nb\tc", JL_ESC_KEEP_TAB, "a\\x0ab\tc");
	T_ESC("\x1b[31mred\x1b]0;title\x07", JL_ESC_LOG,
	    "\\x1b[31mred\\x1b]0;title\\x07");
	T_ESC("a\rb", JL_ESC_LOG, "a\\x0db");
	T_ESC("a\0b", JL_ESC_LOG, "a\\x00b");
	T_ESC("\x01\x1f \x7e\x7f", JL_ESC_LOG, "\\x01\\x1f ~\\x7f");
	T_ESC("back\\slash \\x41", JL_ESC_LOG, "back\\slash \\x41");
	/* Long plain runs go through the word-at-a-time path. */
	T_ESC("0123456789abcdef0123456789abcdef\x1b"
	      "0123456",
	    JL_ESC_LOG, "0123456789abcdef0123456789abcdef\\x1b0123456");
}

static void
test_golden_utf8(void)
{
	/* Valid, printable: unchanged. */
	T_ESC("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80", JL_ESC_LOG,
	    "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80");
	T_ESC("\xc2\xa0\xef\xbf\xbd\xf4\x8f\xbf\xbf", JL_ESC_LOG,
	    "\xc2\xa0\xef\xbf\xbd\xf4\x8f\xbf\xbf");
	/* UTF-8 encoded C1. */
	T_ESC("\xc2\x9b"
	      "31m",
	    JL_ESC_LOG, "\\u{009B}31m");
	T_ESC("\xc2\x80\xc2\x85\xc2\x9f", JL_ESC_LOG,
	    "\\u{0080}\\u{0085}\\u{009F}");
	/* Bidi and invisible. */
	T_ESC("abc\xe2\x80\xae"
	      "cba",
	    JL_ESC_LOG, "abc\\u{202E}cba");
	T_ESC("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", JL_ESC_LOG,
	    "\\u{202A}\\u{202B}\\u{202C}\\u{202D}");
	T_ESC("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", JL_ESC_LOG,
	    "\\u{2066}\\u{2067}\\u{2068}\\u{2069}");
	T_ESC("\xe2\x80\x8b\xe2\x80\x8c\xe2\x80\x8d\xe2\x80\x8e\xe2\x80\x8f",
	    JL_ESC_LOG, "\\u{200B}\\u{200C}\\u{200D}\\u{200E}\\u{200F}");
	T_ESC("\xef\xbb\xbf\xe2\x80\xa8\xe2\x80\xa9\xd8\x9c", JL_ESC_LOG,
	    "\\u{FEFF}\\u{2028}\\u{2029}\\u{061C}");
	T_ESC("\xc2\xad\xe2\x81\xa0\xf3\xa0\x81\x81", JL_ESC_LOG,
	    "\\u{00AD}\\u{2060}\\u{E0041}");
	/* Neighbours of unsafe ranges stay. */
	T_ESC("\xe2\x80\x8a\xe2\x80\x90\xe2\x80\xaf\xef\xbb\xbe", JL_ESC_LOG,
	    "\xe2\x80\x8a\xe2\x80\x90\xe2\x80\xaf\xef\xbb\xbe");
}

static void
test_golden_invalid(void)
{
	T_ESC("\x9b"
	      "31m",
	    JL_ESC_LOG, "\\x9b31m"); /* raw C1 */
	T_ESC("\x80", JL_ESC_LOG, "\\x80");
	T_ESC("a\xbf\xbf"
	      "b",
	    JL_ESC_LOG, "a\\xbf\\xbfb");
	T_ESC("\xc0\xaf", JL_ESC_LOG, "\\xc0\\xaf"); /* overlong '/' */
	T_ESC("\xc1\xbf", JL_ESC_LOG, "\\xc1\\xbf");
	T_ESC("\xe0\x80\xaf", JL_ESC_LOG, "\\xe0\\x80\\xaf");
	T_ESC("\xf0\x80\x80\xaf", JL_ESC_LOG, "\\xf0\\x80\\x80\\xaf");
	T_ESC("\xc0\x9b", JL_ESC_LOG, "\\xc0\\x9b"); /* overlong CSI */
	T_ESC("\xed\xa0\x80\xed\xbf\xbf", JL_ESC_LOG,
	    "\\xed\\xa0\\x80\\xed\\xbf\\xbf"); /* surrogates */
	T_ESC("\xf4\x90\x80\x80", JL_ESC_LOG, "\\xf4\\x90\\x80\\x80");
	T_ESC("\xf5\xf8\xfe\xff", JL_ESC_LOG, "\\xf5\\xf8\\xfe\\xff");
	/* Cut by a following byte: the broken part, then decode resumes. */
	T_ESC("\xe2\x82"
	      "A",
	    JL_ESC_LOG, "\\xe2\\x82A");
	T_ESC("\xe2\x82\xe2\x82\xac", JL_ESC_LOG, "\\xe2\\x82\xe2\x82\xac");
	T_ESC("\xf0\x9f\x98\xf0\x9f\x98\x80", JL_ESC_LOG,
	    "\\xf0\\x9f\\x98\xf0\x9f\x98\x80");
	T_ESC("\xc3\n", JL_ESC_LOG, "\\xc3\n");
	T_ESC("\xc3\x1b", JL_ESC_LOG, "\\xc3\\x1b");
	/* Cut by the end of input. */
	T_ESC("abc\xe2\x82", JL_ESC_LOG, "abc\\xe2\\x82");
	T_ESC("\xf0", JL_ESC_LOG, "\\xf0");
}

static void
test_stream(void)
{
	struct jl_escaper e;
	struct jl_buf b = { 0 };

	/* An incomplete sequence waits for the next chunk... */
	jl_escaper_init(&e, JL_ESC_LOG);
	T_ASSERT_INTEQ(jl_escape_chunk(&e, "abc\xe2", 4, &b), 0);
	T_ASSERT_STREQ(b.data, "abc");
	T_ASSERT_INTEQ(jl_escape_chunk(&e, "\x80", 1, &b), 0);
	T_ASSERT_STREQ(b.data, "abc");
	T_ASSERT_INTEQ(jl_escape_chunk(&e, "", 0, &b), 0);
	T_ASSERT_INTEQ(jl_escape_chunk(&e,
	                   "\xae"
	                   "x",
	                   2, &b),
	    0);
	T_ASSERT_STREQ(b.data, "abc\\u{202E}x");
	/* ...and is written as bytes if the input ends there. */
	T_ASSERT_INTEQ(jl_escape_chunk(&e, "\xf0\x9f", 2, &b), 0);
	T_ASSERT_INTEQ(jl_escape_finish(&e, &b), 0);
	T_ASSERT_STREQ(b.data, "abc\\u{202E}x\\xf0\\x9f");
	/* finish leaves the escaper reusable. */
	jl_buf_reset(&b);
	T_ASSERT_INTEQ(jl_escape_chunk(&e, "\x98\x80", 2, &b), 0);
	T_ASSERT_INTEQ(jl_escape_finish(&e, &b), 0);
	T_ASSERT_STREQ(b.data, "\\x98\\x80");
	jl_buf_free(&b);
}

static void
test_text(void)
{
	char *s;

	s = jl_escape_text("alice\n\t\x1b\xe2\x80\xae\xff\\");
	T_ASSERT_STREQ(s, "alice\\x0a\\x09\\x1b\\u{202E}\\xff\\");
	free(s);
	s = jl_escape_text("");
	T_ASSERT_STREQ(s, "");
	free(s);
	s = jl_escape_text("ab\xe2\x82");
	T_ASSERT_STREQ(s, "ab\\xe2\\x82");
	free(s);
	T_ASSERT(jl_escape_text(NULL) == NULL);
}

static void
test_unsafe(void)
{
	static const uint32_t yes[] = { 0x00, 0x0A, 0x1F, 0x7F, 0x80, 0x9F,
		0xAD, 0x061C, 0x115F, 0x1160, 0x180E, 0x200B, 0x200F, 0x2028,
		0x202E, 0x2060, 0x2066, 0x2069, 0x206F, 0x3164, 0xD800, 0xDFFF,
		0xFEFF, 0xFFA0, 0xFFF9, 0xFFFB, 0xE0000, 0xE0001, 0xE007F,
		0x110000, 0xFFFFFFFF };
	static const uint32_t no[] = { 0x20, 0x41, 0x7E, 0xA0, 0xAC, 0xAE, 0xE9,
		0x061B, 0x061D, 0x200A, 0x2010, 0x2027, 0x202F, 0x205F, 0x2070,
		0x4E2D, 0xFEFE, 0xFF00, 0xFFFD, 0xFE0F, 0x1F600, 0xE0080,
		0xE0100, 0x10FFFF };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		T_ASSERT(jl_codepoint_unsafe(yes[i]));
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		T_ASSERT(!jl_codepoint_unsafe(no[i]));
}

/* --- properties over pseudo-random input ------------------------------ */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint32_t
rng(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static size_t
put_utf8(uint8_t *p, uint32_t cp)
{
	if (cp < 0x80) {
		p[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (uint8_t)(0xC0 | cp >> 6);
		p[1] = (uint8_t)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (uint8_t)(0xE0 | cp >> 12);
		p[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		p[2] = (uint8_t)(0x80 | (cp & 0x3F));
		return 3;
	}
	p[0] = (uint8_t)(0xF0 | cp >> 18);
	p[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
	p[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
	p[3] = (uint8_t)(0x80 | (cp & 0x3F));
	return 4;
}

/* Append one random fragment at p (at most 8 bytes). */
static size_t
fragment(uint8_t *p)
{
	static const uint32_t cps[] = { 0x9B, 0x85, 0xA0, 0xAD, 0xE9, 0x061C,
		0x200B, 0x200D, 0x2028, 0x202E, 0x2066, 0x2069, 0x20AC, 0x4E2D,
		0xFEFF, 0xFFFD, 0x1F600, 0xE0041, 0x10FFFF, 0xD800, 0x110000 };
	size_t n;

	switch (rng(10)) {
	case 0:
	case 1:
	case 2:
		for (n = 0; n < 1 + rng(8); n++)
			p[n] = (uint8_t)(0x20 + rng(0x5F));
		return n;
	case 3:
		p[0] = (uint8_t) "\n\t\r\x1b\x7f\x00\\"[rng(7)];
		return 1;
	case 4:
		p[0] = (uint8_t)rng(256);
		return 1;
	case 5: /* a valid or surrogate/out-of-range encoding */
		return put_utf8(p, cps[rng(sizeof(cps) / sizeof(cps[0]))]);
	case 6: /* a truncated valid sequence */
		n = put_utf8(p, cps[rng(sizeof(cps) / sizeof(cps[0]))]);
		return n > 1 ? 1 + rng((uint32_t)n - 1) : n;
	case 7: /* overlong */
		if (rng(2)) {
			p[0] = (uint8_t)(0xC0 + rng(2));
			p[1] = (uint8_t)(0x80 + rng(0x40));
			return 2;
		}
		p[0] = (uint8_t)(rng(2) ? 0xE0 : 0xF0);
		p[1] = (uint8_t)(0x80 + rng(p[0] == 0xE0 ? 0x20 : 0x10));
		p[2] = (uint8_t)(0x80 + rng(0x40));
		p[3] = (uint8_t)(0x80 + rng(0x40));
		return p[0] == 0xE0 ? 3 : 4;
	case 8:
		p[0] = (uint8_t)(0x80 + rng(0x40));
		return 1;
	default:
		return put_utf8(p, 0x80 + rng(0x10FF80));
	}
}

static char *
esc_chunks(const uint8_t *in, size_t len, unsigned flags, const size_t *cuts,
    size_t ncuts)
{
	struct jl_escaper e;
	struct jl_buf b = { 0 };
	size_t i, at = 0, to;
	char *r = NULL;
	int rc = 0;

	jl_escaper_init(&e, flags);
	for (i = 0; i <= ncuts && rc == 0; i++) {
		to = i < ncuts ? cuts[i] : len;
		rc = jl_escape_chunk(&e, in + at, to - at, &b);
		at = to;
	}
	if (rc == 0 && jl_escape_finish(&e, &b) == 0 &&
	    jl_buf_steal(&b, &r) < 0)
		r = NULL;
	jl_buf_free(&b);
	return r;
}

/* The definition, slowly: decode, keep or escape, one step at a time. */
static char *
esc_reference(const uint8_t *in, size_t len, unsigned flags)
{
	struct jl_buf b = { 0 };
	size_t i = 0, k, n;
	uint32_t cp;
	char *r = NULL;
	int d;

	while (i < len) {
		d = jl_utf8_decode(in + i, len - i, &cp);
		n = d > 0 ? (size_t)d : d < 0 ? (size_t)-d : len - i;
		if (d > 0 &&
		    ((cp == '\n' && (flags & JL_ESC_KEEP_NL)) ||
		        (cp == '\t' && (flags & JL_ESC_KEEP_TAB)) ||
		        !jl_codepoint_unsafe(cp)))
			jl_buf_append(&b, in + i, n);
		else if (d > 0 && cp >= 0x80)
			jl_buf_printf(&b, "\\u{%04X}", (unsigned)cp);
		else
			for (k = 0; k < n; k++)
				jl_buf_printf(&b, "\\x%02x", in[i + k]);
		i += n;
	}
	jl_buf_append(&b, "", 0);
	jl_buf_steal(&b, &r);
	return r;
}

/* Valid UTF-8, and nothing a terminal would act on. */
static int
output_safe(const char *s, unsigned flags)
{
	size_t len = strlen(s), i;
	uint32_t cp;
	int d;

	for (i = 0; i < len; i += (size_t)d) {
		d = jl_utf8_decode(s + i, len - i, &cp);
		if (d <= 0)
			return 0;
		if (cp == '\n' && (flags & JL_ESC_KEEP_NL))
			continue;
		if (cp == '\t' && (flags & JL_ESC_KEEP_TAB))
			continue;
		if (jl_codepoint_unsafe(cp))
			return 0;
	}
	return 1;
}

static void
check_input(const uint8_t *in, size_t len, unsigned flags)
{
	size_t cuts[80], ncuts, k, i;
	char *whole, *ref, *got;

	whole = esc_chunks(in, len, flags, NULL, 0);
	ref = esc_reference(in, len, flags);
	T_ASSERT(whole != NULL);
	if (whole == NULL)
		goto out;
	T_ASSERT_STREQ(whole, ref);
	T_ASSERT(output_safe(whole, flags));
	/* Every single split point. */
	for (k = 0; k <= len; k++) {
		got = esc_chunks(in, len, flags, &k, 1);
		T_ASSERT_STREQ(got, whole);
		free(got);
	}
	/* Byte by byte, and random chunkings with empty chunks. */
	for (i = 0; i < len && i < 80; i++)
		cuts[i] = i + 1;
	got = esc_chunks(in, len, flags, cuts, len < 80 ? len : 80);
	T_ASSERT_STREQ(got, whole);
	free(got);
	for (k = 0; k < 8; k++) {
		ncuts = 0;
		for (i = rng(4); i <= len && ncuts < 80; i += rng(6))
			cuts[ncuts++] = i;
		got = esc_chunks(in, len, flags, cuts, ncuts);
		T_ASSERT_STREQ(got, whole);
		free(got);
	}
out:
	free(whole);
	free(ref);
}

static void
test_properties(void)
{
	uint8_t in[128];
	size_t len;
	int n;

	for (n = 0; n < 600; n++) {
		len = 0;
		while (len < 64)
			len += fragment(in + len);
		len = rng((uint32_t)len + 1);
		check_input(in, len, n % 3 == 0 ? 0 : JL_ESC_LOG);
	}
}

int
main(void)
{
	T_RUN(test_golden_ascii);
	T_RUN(test_golden_utf8);
	T_RUN(test_golden_invalid);
	T_RUN(test_stream);
	T_RUN(test_text);
	T_RUN(test_unsafe);
	T_RUN(test_properties);
	return T_DONE();
}

/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of lib/common.c: error carrier, growable buffer, the UTF-8
 * decoder and the JSON string/time writers.
 */
#include <errno.h>
#include <stdint.h>

#include "jitlog/common.h"
#include "t.h"

static void
test_error(void)
{
	struct jl_error err;

	T_ASSERT_INTEQ(jl_error_set(&err, EINVAL, "bad %s %d", "x", 3),
	    -EINVAL);
	T_ASSERT_STREQ(err.msg, "bad x 3");
	T_ASSERT_INTEQ(jl_error_set(&err, -ENOENT, "gone"), -ENOENT);
	T_ASSERT_STREQ(err.msg, "gone");
	T_ASSERT_INTEQ(jl_error_set(NULL, EIO, "nobody %s", "listens"), -EIO);
	/* Truncated, still terminated. */
	char big[JL_ERRMAX * 2];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	jl_error_set(&err, EINVAL, "%s", big);
	T_ASSERT_INTEQ(strlen(err.msg), JL_ERRMAX - 1);
}

static void
test_buf(void)
{
	struct jl_buf b = { 0 };
	char *s = NULL;
	size_t i;

	T_ASSERT_INTEQ(jl_buf_append(&b, "ab", 2), 0);
	T_ASSERT_INTEQ(jl_buf_puts(&b, "cd"), 0);
	T_ASSERT_INTEQ(jl_buf_printf(&b, "%d-%s", 42, "x"), 0);
	T_ASSERT_STREQ(b.data, "abcd42-x");
	T_ASSERT_INTEQ(b.len, 8);
	/* Growth through many reallocations, including printf growth. */
	for (i = 0; i < 1000; i++)
		T_ASSERT_INTEQ(jl_buf_printf(&b, "%0100d", 7), 0);
	T_ASSERT_INTEQ(b.len, 8 + 100000);
	T_ASSERT_INTEQ(strlen(b.data), b.len);
	T_ASSERT(b.cap > b.len);
	jl_buf_reset(&b);
	T_ASSERT_INTEQ(b.len, 0);
	T_ASSERT_STREQ(b.data, "");
	T_ASSERT_INTEQ(jl_buf_append(&b, NULL, 0), 0);
	T_ASSERT_STREQ(b.data, "");
	/* Overflowing sizes are refused, the buffer is unchanged. */
	T_ASSERT_INTEQ(jl_buf_puts(&b, "xy"), 0);
	T_ASSERT_INTEQ(jl_buf_append(&b, "z", SIZE_MAX), -ENOMEM);
	T_ASSERT_INTEQ(jl_buf_append(&b, "z", SIZE_MAX - 2), -ENOMEM);
	T_ASSERT_STREQ(b.data, "xy");
	T_ASSERT_INTEQ(jl_buf_steal(&b, &s), 0);
	T_ASSERT_STREQ(s, "xy");
	T_ASSERT(b.data == NULL && b.len == 0 && b.cap == 0);
	free(s);
	/* Steal of an empty, never used buffer gives "". */
	s = NULL;
	T_ASSERT_INTEQ(jl_buf_steal(&b, &s), 0);
	T_ASSERT(s != NULL && s[0] == '\0');
	free(s);
	jl_buf_free(&b);
	jl_buf_free(&b);
	jl_buf_free(NULL);
}

static int
dec(const char *s, size_t len, uint32_t *cp)
{
	*cp = 0xFFFFFFFF;
	return jl_utf8_decode(s, len, cp);
}

static void
test_utf8(void)
{
	uint32_t cp;

	T_ASSERT_INTEQ(dec("A", 1, &cp), 1);
	T_ASSERT_INTEQ(cp, 'A');
	T_ASSERT_INTEQ(dec("\xC3\xA9", 2, &cp), 2);
	T_ASSERT_INTEQ(cp, 0xE9);
	T_ASSERT_INTEQ(dec("\xE2\x80\xAE", 3, &cp), 3);
	T_ASSERT_INTEQ(cp, 0x202E);
	T_ASSERT_INTEQ(dec("\xF0\x9F\x98\x80", 4, &cp), 4);
	T_ASSERT_INTEQ(cp, 0x1F600);
	T_ASSERT_INTEQ(dec("\xF4\x8F\xBF\xBF", 4, &cp), 4);
	T_ASSERT_INTEQ(cp, 0x10FFFF);
	T_ASSERT_INTEQ(dec("\xEF\xBF\xBF", 3, &cp), 3);
	/* Incomplete but valid so far. */
	T_ASSERT_INTEQ(dec("", 0, &cp), 0);
	T_ASSERT_INTEQ(dec("\xE2\x80", 2, &cp), 0);
	T_ASSERT_INTEQ(dec("\xF0\x9F\x98", 3, &cp), 0);
	/* Invalid: maximal subpart length. */
	T_ASSERT_INTEQ(dec("\x80", 1, &cp), -1);     /* lone continuation */
	T_ASSERT_INTEQ(dec("\xC0\xAF", 2, &cp), -1); /* overlong 2 */
	T_ASSERT_INTEQ(dec("\xC1\xBF", 2, &cp), -1);
	T_ASSERT_INTEQ(dec("\xE0\x80\xAF", 3, &cp), -1);     /* overlong 3 */
	T_ASSERT_INTEQ(dec("\xF0\x8F\xBF\xBF", 4, &cp), -1); /* overlong 4 */
	T_ASSERT_INTEQ(dec("\xED\xA0\x80", 3, &cp), -1);     /* surrogate */
	T_ASSERT_INTEQ(dec("\xF4\x90\x80\x80", 4, &cp), -1); /* > 10FFFF */
	T_ASSERT_INTEQ(dec("\xF5\x80\x80\x80", 4, &cp), -1);
	T_ASSERT_INTEQ(dec("\xFF", 1, &cp), -1);
	T_ASSERT_INTEQ(dec("\xE2\x82"
	                   "A",
	                   3, &cp),
	    -2); /* cut by a byte */
	T_ASSERT_INTEQ(dec("\xF0\x9F\x98"
	                   "A",
	                   4, &cp),
	    -3);
	T_ASSERT_INTEQ(dec("\xC3"
	                   "A",
	                   2, &cp),
	    -1);
	T_ASSERT_INTEQ(dec("\xC3\xC3", 2, &cp), -1);
	T_ASSERT_INTEQ(cp, 0xFFFFFFFF); /* untouched on failure */
}

static char *
json(const char *s)
{
	struct jl_buf b = { 0 };
	char *r = NULL;

	if (jl_json_str(&b, s) < 0 || jl_buf_steal(&b, &r) < 0)
		r = NULL;
	jl_buf_free(&b);
	return r;
}

#define T_JSON(in, want)                                                       \
	do {                                                                   \
		char *got_ = json(in);                                         \
		T_ASSERT_STREQ(got_, want);                                    \
		free(got_);                                                    \
	} while (0)

static void
test_json_str(void)
{
	T_JSON(NULL, "null");
	T_JSON("", "\"\"");
	T_JSON("plain text", "\"plain text\"");
	T_JSON("q\"b\\s/", "\"q\\\"b\\\\s/\"");
	T_JSON("a\nb\tc\rd\be\ff", "\"a\\nb\\tc\\rd\\be\\ff\"");
	T_JSON("\x01\x1b[31m\x1f\x7f", "\"\\u0001\\u001b[31m\\u001f\\u007f\"");
	T_JSON("caf\xC3\xA9 \xF0\x9F\x98\x80",
	    "\"caf\xC3\xA9 \xF0\x9F\x98\x80\"");
	T_JSON("\xC2\x9B"
	       "x",
	    "\"\\u009bx\""); /* encoded C1 (CSI) */
	T_JSON("a\xE2\x80\xA8"
	       "b\xE2\x80\xA9",
	    "\"a\\u2028b\\u2029\"");
	/* Bidi and invisible characters, as \u escapes (pairs above BMP). */
	T_JSON("\xE2\x80\xAE\xE2\x81\xA6\xEF\xBB\xBF\xE2\x80\x8B",
	    "\"\\u202e\\u2066\\ufeff\\u200b\"");
	T_JSON("\xF3\xA0\x81\x81", "\"\\udb40\\udc41\""); /* tag A */
	T_JSON("\xC2\xA0\xE2\x82\xAC", "\"\xC2\xA0\xE2\x82\xAC\"");
	/* Invalid UTF-8 -> U+FFFD per maximal subpart. */
	T_JSON("\xFF", "\"\xEF\xBF\xBD\"");
	T_JSON("\x9B"
	       "1",
	    "\"\xEF\xBF\xBD"
	    "1\"");
	T_JSON("\xC0\xAF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
	T_JSON("\xED\xA0\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
	T_JSON("\xE2\x82"
	       "A",
	    "\"\xEF\xBF\xBD"
	    "A\"");
	T_JSON("x\xF0\x9F\x98", "\"x\xEF\xBF\xBD\"");
}

static void
test_json_time(void)
{
	struct jl_buf b = { 0 };

	T_ASSERT_INTEQ(jl_json_time(&b, 0), 0);
	T_ASSERT_STREQ(b.data, "null");
	jl_buf_reset(&b);
	T_ASSERT_INTEQ(jl_json_time(&b, 1795687200), 0);
	T_ASSERT_STREQ(b.data, "\"2026-11-26T10:00:00Z\"");
	jl_buf_reset(&b);
	T_ASSERT_INTEQ(jl_json_time(&b, 951825599), 0);
	T_ASSERT_STREQ(b.data, "\"2000-02-29T11:59:59Z\"");
	jl_buf_reset(&b);
	T_ASSERT_INTEQ(jl_json_time(&b, -1), 0);
	T_ASSERT_STREQ(b.data, "\"1969-12-31T23:59:59Z\"");
	jl_buf_reset(&b);
	T_ASSERT_INTEQ(jl_json_time(&b, INT64_MAX), -ERANGE);
	T_ASSERT_INTEQ(jl_json_time(&b, (int64_t)253402300800), -ERANGE);
	T_ASSERT_INTEQ(b.len, 0);
	jl_buf_free(&b);
}

int
main(void)
{
	T_RUN(test_error);
	T_RUN(test_buf);
	T_RUN(test_utf8);
	T_RUN(test_json_str);
	T_RUN(test_json_time);
	return T_DONE();
}

/* SPDX-License-Identifier: ISC */
/*
 * Shared helpers of the core: the error carrier, the growable buffer every
 * formatter writes into, the UTF-8 decoder all text checks share, and the
 * two JSON primitives (strings and times) the JSON writers build on.
 *
 * MUST:
 * - buffer growth never overflows size_t; a failed append leaves the buffer
 *   as it was (still NUL-terminated);
 * - jl_utf8_decode accepts exactly the well-formed sequences of Unicode
 *   table 3-7 (no overlong forms, surrogates, or code points > U+10FFFF);
 * - jl_json_str always writes valid JSON in valid UTF-8 whatever the input
 *   bytes (invalid UTF-8 becomes U+FFFD), with every code point that
 *   jl_codepoint_unsafe() flags (C0, DEL, C1, bidi, invisible, U+2028/9)
 *   written as \uXXXX.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jitlog/common.h"
#include "jitlog/escape.h"

#define BUF_MINCAP 64

int
jl_error_set(struct jl_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		va_start(ap, fmt);
		(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	/* -abs(code) without the undefined -INT_MIN. */
	return code > 0 ? -code : code;
}

/* Make room for n more bytes plus the terminating NUL. */
static int
buf_reserve(struct jl_buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (b->len > SIZE_MAX - 1 || n > SIZE_MAX - 1 - b->len)
		return -ENOMEM;
	need = b->len + n + 1;
	if (b->data != NULL && need <= b->cap)
		return 0;
	cap = b->cap >= BUF_MINCAP ? b->cap : BUF_MINCAP;
	while (cap < need) {
		if (cap > SIZE_MAX / 2) {
			cap = need;
			break;
		}
		cap *= 2;
	}
	p = realloc(b->data, cap);
	if (p == NULL)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

/* Append n bytes at p; the buffer stays NUL-terminated.  0 or -ENOMEM. */
int
jl_buf_append(struct jl_buf *b, const void *p, size_t n)
{
	int r;

	r = buf_reserve(b, n);
	if (r < 0)
		return r;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

/* Append the C string s.  0 or -ENOMEM. */
int
jl_buf_puts(struct jl_buf *b, const char *s)
{
	return jl_buf_append(b, s, strlen(s));
}

/* Append printf-style.  0, -ENOMEM, or -EINVAL for a bad format. */
int
jl_buf_printf(struct jl_buf *b, const char *fmt, ...)
{
	va_list ap, aq;
	size_t avail;
	int n, r = 0;

	r = buf_reserve(b, 0);
	if (r < 0)
		return r;
	va_start(ap, fmt);
	va_copy(aq, ap);
	avail = b->cap - b->len;
	n = vsnprintf(b->data + b->len, avail, fmt, ap);
	if (n < 0) {
		r = -EINVAL;
		goto out;
	}
	if ((size_t)n >= avail) {
		r = buf_reserve(b, (size_t)n);
		if (r < 0)
			goto out;
		(void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, aq);
	}
	b->len += (size_t)n;
out:
	va_end(aq);
	va_end(ap);
	/* On failure, drop whatever a truncated vsnprintf left. */
	b->data[b->len] = '\0';
	return r;
}

/* Empty the buffer, keeping its memory. */
void
jl_buf_reset(struct jl_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Release the memory; NULL-safe; the buffer is empty and reusable after. */
void
jl_buf_free(struct jl_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

/*
 * Hand the contents to the caller as a NUL-terminated string (an empty
 * one for an empty buffer) and leave the buffer empty.  0 or -ENOMEM.
 */
int
jl_buf_steal(struct jl_buf *b, char **ret)
{
	int r;

	r = buf_reserve(b, 0);
	if (r < 0)
		return r;
	b->data[b->len] = '\0';
	*ret = b->data;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return 0;
}

int
jl_utf8_decode(const void *p, size_t len, uint32_t *ret_cp)
{
	const uint8_t *s = p;
	uint8_t lo = 0x80, hi = 0xBF;
	uint32_t cp;
	size_t need, i;

	if (len == 0)
		return 0;
	if (s[0] < 0x80) {
		*ret_cp = s[0];
		return 1;
	}
	if (s[0] < 0xC2) /* continuation byte, or overlong C0/C1 lead */
		return -1;
	if (s[0] < 0xE0) {
		need = 2;
		cp = s[0] & 0x1Fu;
	} else if (s[0] < 0xF0) {
		need = 3;
		cp = s[0] & 0x0Fu;
		if (s[0] == 0xE0) /* overlong */
			lo = 0xA0;
		else if (s[0] == 0xED) /* surrogates */
			hi = 0x9F;
	} else if (s[0] < 0xF5) {
		need = 4;
		cp = s[0] & 0x07u;
		if (s[0] == 0xF0) /* overlong */
			lo = 0x90;
		else if (s[0] == 0xF4) /* over U+10FFFF */
			hi = 0x8F;
	} else {
		return -1;
	}
	for (i = 1; i < need; i++) {
		if (i >= len)
			return 0;
		if (s[i] < lo || s[i] > hi)
			return -(int)i;
		cp = cp << 6 | (s[i] & 0x3Fu);
		lo = 0x80;
		hi = 0xBF;
	}
	*ret_cp = cp;
	return (int)need;
}

/* Bytes JSON can take as they are: printable ASCII but " and \. */
static int
json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
}

/* Write one decoded code point that is not plain ASCII. */
static int
json_codepoint(struct jl_buf *b, uint32_t cp, const char *raw, size_t n)
{
	switch (cp) {
	case '"':
		return jl_buf_puts(b, "\\\"");
	case '\\':
		return jl_buf_puts(b, "\\\\");
	case '\n':
		return jl_buf_puts(b, "\\n");
	case '\t':
		return jl_buf_puts(b, "\\t");
	case '\r':
		return jl_buf_puts(b, "\\r");
	case '\b':
		return jl_buf_puts(b, "\\b");
	case '\f':
		return jl_buf_puts(b, "\\f");
	default:
		break;
	}
	/*
	 * Controls, bidi and invisible characters are escaped too (the same
	 * set the terminal escaper shows), so JSON printed on a terminal is
	 * as safe as the human output; U+2028/9 also end a line in JS.
	 */
	if (!jl_codepoint_unsafe(cp))
		return jl_buf_append(b, raw, n);
	if (cp < 0x10000)
		return jl_buf_printf(b, "\\u%04x", (unsigned)cp);
	cp -= 0x10000;
	return jl_buf_printf(b, "\\u%04x\\u%04x", 0xD800 + (unsigned)(cp >> 10),
	    0xDC00 + (unsigned)(cp & 0x3FF));
}

/*
 * Append s as a JSON string (RFC 8259), or null for NULL.  Invalid UTF-8
 * (each maximal ill-formed subpart) becomes U+FFFD.  0 or -ENOMEM.
 */
int
jl_json_str(struct jl_buf *b, const char *s)
{
	size_t len, i, run;
	uint32_t cp;
	int n, r;

	if (s == NULL)
		return jl_buf_puts(b, "null");
	len = strlen(s);
	r = jl_buf_append(b, "\"", 1);
	i = 0;
	while (r == 0 && i < len) {
		for (run = i; run < len && json_plain((unsigned char)s[run]);)
			run++;
		if (run > i) {
			r = jl_buf_append(b, s + i, run - i);
			i = run;
			continue;
		}
		n = jl_utf8_decode(s + i, len - i, &cp);
		if (n > 0) {
			r = json_codepoint(b, cp, s + i, (size_t)n);
			i += (size_t)n;
		} else {
			/* Invalid, or cut short by the end of the string. */
			r = jl_buf_puts(b, "\xEF\xBF\xBD");
			i += n < 0 ? (size_t)-n : len - i;
		}
	}
	if (r == 0)
		r = jl_buf_append(b, "\"", 1);
	return r;
}

/*
 * Append t as a quoted RFC 3339 UTC time ("2026-11-26T10:00:00Z"), or
 * null for 0.  0, -ENOMEM, or -ERANGE if the year is not 0000..9999.
 */
int
jl_json_time(struct jl_buf *b, int64_t t)
{
	struct tm tm;
	time_t tt;

	if (t == 0)
		return jl_buf_puts(b, "null");
	tt = (time_t)t;
	if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL)
		return -ERANGE;
	if (tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
		return -ERANGE;
	return jl_buf_printf(b, "\"%04d-%02d-%02dT%02d:%02d:%02dZ\"",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
}

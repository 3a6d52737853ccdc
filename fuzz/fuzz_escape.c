/* SPDX-License-Identifier: ISC */
/*
 * fuzz_escape: the UTF-8 decoder and the terminal-safe escaper.  Input:
 * a flags byte, two bytes that choose the chunk boundaries, then the
 * bytes to escape.
 *
 * Properties:
 *  - jl_utf8_decode agrees with the reference decoder at every offset and
 *    every truncation of the input;
 *  - jl_codepoint_unsafe is exactly the set escape.h lists (checked once
 *    over all code points at start);
 *  - the escaped output is valid UTF-8, has no byte < 0x20 but a kept \n
 *    or \t, no DEL, no unsafe code point, and equals what a reference
 *    escaper written from escape.h produces;
 *  - it is the same for the whole input in one chunk, in chunks cut where
 *    the input says, and one byte at a time;
 *  - safe input comes out unchanged;
 *  - jl_escape_text and jl_json_str of the text up to the first NUL are
 *    the flag-less escaping of it and a terminal-safe JSON string.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "jitlog/common.h"
#include "jitlog/escape.h"

/* Longest input escaped one byte at a time. */
#define BYTEWISE_MAX 2048

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint32_t cp;

	(void)argc;
	(void)argv;
	for (cp = 0; cp <= 0x110000; cp++)
		FZ_CHECK(jl_codepoint_unsafe(cp) == fz_cp_unsafe_ref(cp),
		    "jl_codepoint_unsafe(U+%04X) is %d; escape.h says %d", cp,
		    jl_codepoint_unsafe(cp), fz_cp_unsafe_ref(cp));
	return 0;
}

static void
check_decode(const uint8_t *p, size_t n)
{
	uint32_t a, b;
	size_t i, k;
	int r, rr;

	for (i = 0; i < n; i++) {
		for (k = 0; k <= 5 && i + k <= n; k++) {
			a = b = 0xffffffff;
			r = jl_utf8_decode(p + i, k == 5 ? n - i : k, &a);
			rr = fz_utf8_ref(p + i, k == 5 ? n - i : k, &b);
			FZ_CHECK(r == rr && (r <= 0 || a == b),
			    "utf8_decode at %zu len %zu: %d U+%04X, reference "
			    "%d U+%04X",
			    i, k, r, a, rr, b);
		}
	}
}

static void
ref_byte(struct jl_buf *b, uint8_t c)
{
	if (jl_buf_printf(b, "\\x%02x", c) < 0)
		abort();
}

/* The reference escaper: escape.h, read literally. */
static void
ref_escape(const uint8_t *p, size_t n, unsigned flags, struct jl_buf *out)
{
	size_t i = 0, k;
	uint32_t cp = 0;
	int r;

	while (i < n) {
		r = fz_utf8_ref(p + i, n - i, &cp);
		if (r <= 0) {
			/* ill-formed subpart, or incomplete at the end */
			k = r < 0 ? (size_t)-r : n - i;
			while (k-- > 0)
				ref_byte(out, p[i++]);
			continue;
		}
		if ((cp == '\n' && (flags & JL_ESC_KEEP_NL)) ||
		    (cp == '\t' && (flags & JL_ESC_KEEP_TAB)) ||
		    !fz_cp_unsafe_ref(cp)) {
			if (jl_buf_append(out, p + i, (size_t)r) < 0)
				abort();
		} else if (cp < 0x80) {
			ref_byte(out, (uint8_t)cp);
		} else if (jl_buf_printf(out, "\\u{%04X}", cp) < 0) {
			abort();
		}
		i += (size_t)r;
	}
	if (out->data == NULL && jl_buf_append(out, "", 0) < 0)
		abort();
}

/* Terminal safety of out[0..n), whatever produced it. */
static void
check_safe(const uint8_t *o, size_t n, unsigned flags, const char *what)
{
	uint32_t cp = 0;
	size_t i;
	int r;

	FZ_CHECK(fz_utf8_valid(o, n), "%s: output is not valid UTF-8", what);
	for (i = 0; i < n; i += (size_t)r) {
		r = fz_utf8_ref(o + i, n - i, &cp);
		if ((cp == '\n' && (flags & JL_ESC_KEEP_NL)) ||
		    (cp == '\t' && (flags & JL_ESC_KEEP_TAB)))
			continue;
		FZ_CHECK(!fz_cp_unsafe_ref(cp), "%s: U+%04X at %zu", what, cp,
		    i);
	}
}

/* Escape p[0..n) in chunks ending at the offsets cuts[0..ncuts). */
static void
escape_chunked(const uint8_t *p, size_t n, unsigned flags, const size_t *cuts,
    size_t ncuts, struct jl_buf *out)
{
	struct jl_escaper e;
	size_t i, at = 0;

	jl_escaper_init(&e, flags);
	for (i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : n;

		if (end < at || end > n)
			continue;
		if (jl_escape_chunk(&e, p + at, end - at, out) < 0)
			abort();
		at = end;
	}
	if (jl_escape_finish(&e, out) < 0)
		abort();
	if (out->data == NULL && jl_buf_append(out, "", 0) < 0)
		abort();
}

static void
check_same(const struct jl_buf *a, const struct jl_buf *b, const char *what)
{
	FZ_CHECK(a->len == b->len && memcmp(a->data, b->data, a->len) == 0,
	    "%s: \"%s\" vs \"%s\"", what, a->data, b->data);
}

static void
check_text_fns(const uint8_t *p, size_t n)
{
	struct jl_buf ref = { 0 }, json = { 0 };
	size_t len = strnlen((const char *)p, n);
	char *s = fz_strndup(p, len), *esc;

	esc = jl_escape_text(s);
	FZ_CHECK(esc != NULL, "jl_escape_text failed");
	ref_escape(p, len, 0, &ref);
	FZ_CHECK(strcmp(esc, ref.data) == 0, "escape_text \"%s\" vs \"%s\"",
	    esc, ref.data);
	FZ_CHECK(jl_json_str(&json, s) == 0, "jl_json_str failed");
	FZ_CHECK(json.len >= 2 && json.data[0] == '"' &&
	        json.data[json.len - 1] == '"',
	    "json string not quoted: %s", json.data);
	check_safe((const uint8_t *)json.data, json.len, 0, "jl_json_str");
	free(esc);
	free(s);
	jl_buf_free(&ref);
	jl_buf_free(&json);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct jl_buf one = { 0 }, cut = { 0 }, bytes = { 0 }, ref = { 0 };
	size_t cuts[BYTEWISE_MAX], ncuts = 0, i, step, n;
	unsigned flags;
	const uint8_t *p;

	flags = fz_u8(&in) & (JL_ESC_KEEP_NL | JL_ESC_KEEP_TAB);
	step = fz_u8(&in) % 7 + 1;
	i = fz_u8(&in) % 5;
	n = fz_take(&in, in.n, &p);

	check_decode(p, n);
	escape_chunked(p, n, flags, NULL, 0, &one);
	ref_escape(p, n, flags, &ref);
	check_same(&one, &ref, "escaper vs reference");
	check_safe((const uint8_t *)one.data, one.len, flags, "escaper");
	if (fz_utf8_valid(p, n) && ref.len == n)
		FZ_CHECK(memcmp(one.data, p, n) == 0, "safe input changed");

	/* Chunks of step bytes starting after an offset of i. */
	for (; i < n && ncuts < BYTEWISE_MAX; i += step)
		cuts[ncuts++] = i;
	escape_chunked(p, n, flags, cuts, ncuts, &cut);
	check_same(&one, &cut, "one chunk vs cut");
	if (n <= BYTEWISE_MAX) {
		for (i = 0; i < n; i++)
			cuts[i] = i;
		escape_chunked(p, n, flags, cuts, n, &bytes);
		check_same(&one, &bytes, "one chunk vs bytewise");
	}
	check_text_fns(p, n);
	jl_buf_free(&one);
	jl_buf_free(&cut);
	jl_buf_free(&bytes);
	jl_buf_free(&ref);
	return 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * The terminal-safe escaper: a streaming UTF-8 decoder that copies what is
 * printable and valid and writes everything else visibly, as \xNN (bytes)
 * or \u{NNNN} (code points).  jitlogview pushes whole log files through
 * it, so runs of printable ASCII are found eight bytes at a time and
 * copied with one append; only the bytes around an escape are looked at
 * one by one.
 *
 * MUST:
 * - nothing a terminal interprets gets through: no byte < 0x20 except a
 *   kept \n or \t, no DEL, no C1 (raw or encoded), no bidi or invisible
 *   format character (jl_codepoint_unsafe);
 * - the output is valid UTF-8 whatever the input;
 * - every input byte appears in the output, as itself or escaped; an
 *   incomplete sequence at the end of a chunk is kept (at most 3 bytes)
 *   and decided with the next chunk, so the output is the same however
 *   the input is split; jl_escape_finish writes what is left as \xNN.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitlog/common.h"
#include "jitlog/escape.h"

/* Code points to make visible, sorted, inclusive. */
static const struct {
	uint32_t lo, hi;
} unsafe_ranges[] = {
	{ 0x0000, 0x001F },   /* C0 */
	{ 0x007F, 0x009F },   /* DEL, C1 */
	{ 0x00AD, 0x00AD },   /* soft hyphen */
	{ 0x061C, 0x061C },   /* arabic letter mark */
	{ 0x115F, 0x1160 },   /* hangul fillers */
	{ 0x180E, 0x180E },   /* mongolian vowel separator */
	{ 0x200B, 0x200F },   /* zero width space..RLM */
	{ 0x2028, 0x202E },   /* line/paragraph separator, LRE..RLO */
	{ 0x2060, 0x206F },   /* word joiner.., LRI..PDI, deprecated */
	{ 0x3164, 0x3164 },   /* hangul filler */
	{ 0xD800, 0xDFFF },   /* surrogates (never decoded) */
	{ 0xFEFF, 0xFEFF },   /* BOM / ZWNBSP */
	{ 0xFFA0, 0xFFA0 },   /* halfwidth hangul filler */
	{ 0xFFF9, 0xFFFB },   /* interlinear annotation */
	{ 0xE0000, 0xE007F }, /* tags */
};

/*
 * True for every code point a terminal or a reader could be fooled by:
 * controls, bidi and invisible format characters, and anything that is
 * not a Unicode scalar value.
 */
bool
jl_codepoint_unsafe(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(unsafe_ranges) / sizeof(unsafe_ranges[0]);
	size_t mid;

	if (cp > 0x10FFFF)
		return true;
	/* Binary search: the viewer asks for every non-ASCII character. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cp < unsafe_ranges[mid].lo)
			hi = mid;
		else if (cp > unsafe_ranges[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

void
jl_escaper_init(struct jl_escaper *e, unsigned flags)
{
	memset(e, 0, sizeof(*e));
	e->flags = flags;
}

static int
emit_byte(struct jl_buf *out, uint8_t c)
{
	static const char hex[] = "0123456789abcdef";
	char t[4] = { '\\', 'x', hex[c >> 4], hex[c & 0xF] };

	return jl_buf_append(out, t, sizeof(t));
}

static int
emit_bytes(struct jl_buf *out, const uint8_t *p, size_t n)
{
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++)
		r = emit_byte(out, p[i]);
	return r;
}

/* A decoded code point: as itself if safe, else escaped. */
static int
emit_cp(struct jl_escaper *e, uint32_t cp, const uint8_t *raw, size_t n,
    struct jl_buf *out)
{
	char t[16];
	int w;

	if ((cp == '\n' && (e->flags & JL_ESC_KEEP_NL)) ||
	    (cp == '\t' && (e->flags & JL_ESC_KEEP_TAB)) ||
	    !jl_codepoint_unsafe(cp))
		return jl_buf_append(out, raw, n);
	if (cp < 0x80)
		return emit_byte(out, (uint8_t)cp);
	w = snprintf(t, sizeof(t), "\\u{%04X}", (unsigned)cp);
	if (w < 0 || (size_t)w >= sizeof(t))
		return -EINVAL;
	return jl_buf_append(out, t, (size_t)w);
}

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* No byte of w is < 0x20 or >= 0x7F (exact; see "bit twiddling hacks"). */
static bool
word_plain(uint64_t w)
{
	uint64_t lt20 = (w - ONES * 0x20) & ~w & HIGHS;
	uint64_t ge7f = ((w + ONES) | w) & HIGHS;

	return (lt20 | ge7f) == 0;
}

/* Index of the first byte at or after i that is not printable ASCII. */
static size_t
skip_plain(const uint8_t *p, size_t i, size_t len)
{
	uint64_t w;

	while (len - i >= 8) {
		memcpy(&w, p + i, sizeof(w));
		if (!word_plain(w))
			break;
		i += 8;
	}
	while (i < len && p[i] >= 0x20 && p[i] < 0x7F)
		i++;
	return i;
}

/*
 * Bytes left from the last chunk start a sequence that p continues:
 * decide it with up to 4 - npend bytes of p.  *ret_used says how many of
 * p were taken (all of them if the sequence is still incomplete).
 */
static int
resume_pending(struct jl_escaper *e, const uint8_t *p, size_t len,
    struct jl_buf *out, size_t *ret_used)
{
	uint8_t tmp[4];
	size_t n = e->npend, take = len < 4 - n ? len : 4 - n, k;
	uint32_t cp;
	int d, r;

	memcpy(tmp, e->pend, n);
	memcpy(tmp + n, p, take);
	d = jl_utf8_decode(tmp, n + take, &cp);
	if (d == 0) {
		/* Still incomplete: then p was shorter than what is missing. */
		memcpy(e->pend + n, p, take);
		e->npend = (uint8_t)(n + take);
		*ret_used = take;
		return 0;
	}
	k = d > 0 ? (size_t)d : (size_t)-d;
	if (d > 0)
		r = emit_cp(e, cp, tmp, k, out);
	else
		r = emit_bytes(out, tmp, k);
	if (r < 0)
		return r;
	e->npend = 0;
	/*
	 * The pending bytes were a valid prefix, so a sequence or a maximal
	 * ill-formed subpart starting there covers all of them: k >= n.
	 */
	*ret_used = k > n ? k - n : 0;
	return 0;
}

/* One byte or sequence at p[0..len) that is not printable ASCII. */
static int
escape_one(struct jl_escaper *e, const uint8_t *p, size_t len,
    struct jl_buf *out, size_t *ret_used)
{
	uint32_t cp;
	int d;

	d = jl_utf8_decode(p, len, &cp);
	if (d > 0) {
		*ret_used = (size_t)d;
		return emit_cp(e, cp, p, (size_t)d, out);
	}
	if (d < 0) {
		*ret_used = (size_t)-d;
		return emit_bytes(out, p, (size_t)-d);
	}
	/* Incomplete at the end of the chunk: len < 4. */
	memcpy(e->pend, p, len);
	e->npend = (uint8_t)len;
	*ret_used = len;
	return 0;
}

/* Length of the safe, valid sequence p starts with, or 0 if none. */
static size_t
safe_seq(const struct jl_escaper *e, const uint8_t *p, size_t len)
{
	uint32_t cp;
	int d;

	if (p[0] == '\n')
		return (e->flags & JL_ESC_KEEP_NL) ? 1 : 0;
	if (p[0] == '\t')
		return (e->flags & JL_ESC_KEEP_TAB) ? 1 : 0;
	if (p[0] < 0x80)
		return 0;
	d = jl_utf8_decode(p, len, &cp);
	return d > 0 && !jl_codepoint_unsafe(cp) ? (size_t)d : 0;
}

/*
 * Append the escaped form of in[0..len).  Safe bytes accumulate in a run
 * [start, i) that is copied at once when an escape (or the end) comes.
 * 0 or -ENOMEM; after an error the output is incomplete.
 */
int
jl_escape_chunk(struct jl_escaper *e, const void *in, size_t len,
    struct jl_buf *out)
{
	const uint8_t *p = in;
	size_t i = 0, start, used;
	int r;

	if (len > 0 && e->npend > 0) {
		r = resume_pending(e, p, len, out, &i);
		if (r < 0)
			return r;
	}
	start = i;
	while (i < len) {
		i = skip_plain(p, i, len);
		if (i == len)
			break;
		used = safe_seq(e, p + i, len - i);
		if (used > 0) {
			i += used;
			continue;
		}
		if (i > start) {
			r = jl_buf_append(out, p + start, i - start);
			if (r < 0)
				return r;
		}
		r = escape_one(e, p + i, len - i, out, &used);
		if (r < 0)
			return r;
		i += used;
		start = i;
	}
	if (i > start)
		return jl_buf_append(out, p + start, i - start);
	return 0;
}

/* End of input: pending bytes of a cut sequence are written as \xNN. */
int
jl_escape_finish(struct jl_escaper *e, struct jl_buf *out)
{
	int r;

	r = emit_bytes(out, e->pend, e->npend);
	if (r == 0)
		e->npend = 0;
	return r;
}

/*
 * One-shot escaping of a NUL-terminated user text with nothing kept
 * (\n is "\x0a").  Malloc'd result; NULL if s is NULL or out of memory.
 */
char *
jl_escape_text(const char *s)
{
	struct jl_escaper e;
	struct jl_buf b = { 0 };
	char *ret = NULL;

	if (s == NULL)
		return NULL;
	jl_escaper_init(&e, 0);
	if (jl_escape_chunk(&e, s, strlen(s), &b) < 0 ||
	    jl_escape_finish(&e, &b) < 0 || jl_buf_steal(&b, &ret) < 0)
		ret = NULL;
	jl_buf_free(&b);
	return ret;
}

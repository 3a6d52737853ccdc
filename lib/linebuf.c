/* SPDX-License-Identifier: ISC */
/*
 * Line assembly with bounded memory (linebuf.h): lines are found with
 * memchr(3), redacted whole, cut when too long, and escaped.  Complete
 * lines that lie inside one chunk are never copied; without a redactor,
 * a run of such lines goes to the escaper in one call.
 *
 * MUST (SECURITY.md "Output"; tests/unit/test_linebuf.c):
 *  - redaction sees each line whole (up to cap + overlap bytes) before it
 *    is cut or escaped, whatever the read boundaries;
 *  - no byte of a line beyond what was redacted is ever shown, and a
 *    secret (of at most overlap bytes) that the window cut short is not
 *    shown in part, also when it has blanks in it;
 *  - memory stays at cap + overlap bytes plus the output of one chunk;
 *  - the output does not depend on how the input is split.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "jitlog/linebuf.h"

/*
 * Bytes the escaper (JL_ESC_LOG) writes as they are, whatever comes
 * before or after them: printable ASCII, tab and newline.  Text made of
 * them only is copied without the escaper (test_linebuf checks the two
 * agree on every byte); anything else goes through it.
 */
static bool
plain_byte(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n';
}

/* Length of the longest prefix of p[0..n) of plain bytes. */
static size_t
plain_prefix(const char *p, size_t n)
{
	size_t i = 0;
#if defined(__SSE2__)
	const __m128i lo = _mm_set1_epi8(0x1f), hi = _mm_set1_epi8(0x7f);
	const __m128i tab = _mm_set1_epi8('\t'), nl = _mm_set1_epi8('\n');
	__m128i v, ok;

	/* Signed compares: bytes >= 0x80 are negative, so not > 0x1f. */
	for (; i + 16 <= n; i += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		ok =
		    _mm_and_si128(_mm_cmpgt_epi8(v, lo), _mm_cmplt_epi8(v, hi));
		ok = _mm_or_si128(ok,
		    _mm_or_si128(_mm_cmpeq_epi8(v, tab),
		        _mm_cmpeq_epi8(v, nl)));
		if (_mm_movemask_epi8(ok) != 0xffff)
			break;
	}
#endif
	while (i < n && plain_byte((unsigned char)p[i]))
		i++;
	return i;
}

int
jl_linebuf_init(struct jl_linebuf *lb, size_t cap, size_t overlap,
    const struct jl_linebuf_redactor *red)
{
	memset(lb, 0, sizeof(*lb));
	if (cap < 16 || overlap > SIZE_MAX / 2 || cap > SIZE_MAX / 2)
		return -EINVAL;
	lb->cap = cap;
	lb->window = cap + overlap;
	if (red != NULL && (red->fn == NULL || red->out_at == NULL))
		return -EINVAL;
	if (red != NULL)
		lb->red = *red;
	if ((lb->line = malloc(lb->window)) == NULL)
		return -ENOMEM;
	jl_escaper_init(&lb->esc, JL_ESC_LOG);
	return 0;
}

void
jl_linebuf_sink(struct jl_linebuf *lb, const struct jl_linebuf_sink *sink)
{
	if (sink != NULL)
		lb->sink = *sink;
	else
		lb->sink = (struct jl_linebuf_sink){ NULL, NULL };
}

void
jl_linebuf_free(struct jl_linebuf *lb)
{
	if (lb == NULL)
		return;
	JL_FREE(lb->line);
	jl_buf_free(&lb->tmp);
}

/* s[0..n) escaped; plain text (at a character boundary) is copied. */
static int
emit(struct jl_linebuf *lb, const char *s, size_t n, struct jl_buf *out)
{
	if (lb->esc.npend == 0 && plain_prefix(s, n) == n)
		return jl_buf_append(out, s, n);
	return jl_escape_chunk(&lb->esc, s, n, out);
}

/* The cut marker for a line of len bytes, then a newline if nl. */
static int
emit_marker(struct jl_linebuf *lb, uint64_t len, bool nl, struct jl_buf *out)
{
	char m[80];
	int n;

	n = snprintf(m, sizeof(m), JL_LINEBUF_MARKER "%s", len, nl ? "\n" : "");
	if (n < 0 || (size_t)n >= sizeof(m))
		return -EINVAL;
	lb->lines_cut++;
	return emit(lb, m, (size_t)n, out);
}

/* s[0..n) redacted: *ret points to the result (lb->tmp or s itself). */
static int
redact(struct jl_linebuf *lb, const char *s, size_t n, const char **ret,
    size_t *ret_len)
{
	int r;

	if (lb->red.fn == NULL) {
		*ret = s;
		*ret_len = n;
		return 0;
	}
	jl_buf_reset(&lb->tmp);
	if ((r = lb->red.fn(lb->red.ctx, s, n, &lb->tmp)) < 0)
		return r;
	*ret = lb->tmp.data != NULL ? lb->tmp.data : "";
	*ret_len = lb->tmp.len;
	return 0;
}

/* Largest h <= max that does not split a UTF-8 sequence of r[0..len). */
static size_t
char_boundary(const char *r, size_t len, size_t max)
{
	size_t h = max < len ? max : len, k;

	for (k = 0;
	     k < 3 && h > 0 && h < len && ((unsigned char)r[h] & 0xc0) == 0x80;
	     k++)
		h--;
	return h;
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The head of a window whose line goes on beyond it: the non-blank run
 * around the cut that reaches the window's end may be a secret cut short,
 * so the head ends before it.
 */
static size_t
window_head(const char *r, size_t len, size_t cap)
{
	size_t h = char_boundary(r, len, cap), i;

	for (i = h; i < len; i++)
		if (blank(r[i]))
			return h;
	while (h > 0 && !blank(r[h - 1]))
		h--;
	return h;
}

/*
 * The common case with a redactor, in one copy: redact straight into
 * out; if the result is plain text no longer than the cap, it stays
 * there.  1 done, 0 not (out as it was, the result in lb->tmp), -errno.
 */
static int
line_in_place(struct jl_linebuf *lb, const char *s, size_t n, bool nl,
    struct jl_buf *out)
{
	size_t at = out->len, len;
	int e;

	if (lb->esc.npend != 0)
		return 0;
	if ((e = lb->red.fn(lb->red.ctx, s, n, out)) < 0)
		return e;
	len = out->len - at;
	if (len <= lb->cap && plain_prefix(out->data + at, len) == len) {
		if (nl && (e = jl_buf_append(out, "\n", 1)) < 0)
			return e;
		return 1;
	}
	jl_buf_reset(&lb->tmp);
	e = jl_buf_append(&lb->tmp, out->data + at, len);
	out->len = at;
	out->data[at] = '\0';
	return e;
}

/* A complete line s[0..n) (without its newline, nl tells if it had one). */
static int
do_line(struct jl_linebuf *lb, const char *s, size_t n, bool nl,
    struct jl_buf *out)
{
	const char *r;
	size_t rlen;
	int e;

	if (lb->red.fn != NULL) {
		if ((e = line_in_place(lb, s, n, nl, out)) != 0)
			return e < 0 ? e : 0;
		r = lb->tmp.data != NULL ? lb->tmp.data : "";
		rlen = lb->tmp.len;
	} else if ((e = redact(lb, s, n, &r, &rlen)) < 0) {
		return e;
	}
	if (rlen <= lb->cap) {
		if ((e = emit(lb, r, rlen, out)) == 0 && nl)
			e = emit(lb, "\n", 1, out);
		return e;
	}
	if ((e = emit(lb, r, char_boundary(r, rlen, lb->cap), out)) < 0)
		return e;
	return emit_marker(lb, n, nl, out);
}

/*
 * The first window bytes of a line longer than that: show the head.  A
 * secret of at most overlap bytes that the window's end cut short starts
 * after the first cap bytes, so the head shows nothing that comes from
 * beyond them (out_at): not even the first groups of one with blanks in
 * it (a card number, "4111 1111 ..."), which window_head alone lets
 * through when redacting the window's start made it shorter.
 */
static int
do_window(struct jl_linebuf *lb, struct jl_buf *out)
{
	const char *r;
	size_t rlen, h, m;
	int e;

	if ((e = redact(lb, lb->line, lb->window, &r, &rlen)) < 0)
		return e;
	h = window_head(r, rlen, lb->cap);
	if (lb->red.fn != NULL &&
	    (m = lb->red.out_at(lb->red.ctx, lb->cap)) < h)
		h = char_boundary(r, rlen, m);
	if ((e = emit(lb, r, h, out)) < 0)
		return e;
	lb->cutting = true;
	lb->linelen = lb->window;
	lb->len = 0;
	return 0;
}

/* Plain text p[0..n): to the sink when there is one and the run is
 * long (what out holds first, to keep the order), else appended to out. */
static int
plain_out(struct jl_linebuf *lb, const char *p, size_t n, struct jl_buf *out)
{
	int r;

	/* A short run is cheaper copied than written on its own. */
	if (lb->sink.fn == NULL || n < JL_LINEBUF_SINK_MIN)
		return jl_buf_append(out, p, n);
	if (out->len > 0) {
		if ((r = lb->sink.fn(lb->sink.ctx, out->data, out->len)) < 0)
			return r;
		jl_buf_reset(out);
	}
	return lb->sink.fn(lb->sink.ctx, p, n);
}

/*
 * Without a redactor, at the start of a line: the complete lines of at
 * most cap bytes at the start of p[0..n) go out in one call; when they
 * are plain text, in one copy (lines inside a chunk of at most cap + 1
 * bytes cannot be longer than cap).  Returns the bytes taken.
 */
static size_t
fast_run(struct jl_linebuf *lb, const char *p, size_t n, struct jl_buf *out,
    int *ret)
{
	const char *q = p, *e = p + n, *nl;
	size_t k;

	*ret = 0;
	if (lb->esc.npend == 0 && n <= lb->cap + 1) {
		k = plain_prefix(p, n);
		nl = k > 0 ? memrchr(p, '\n', k) : NULL;
		if (nl != NULL) {
			*ret = plain_out(lb, p, (size_t)(nl - p) + 1, out);
			return (size_t)(nl - p) + 1;
		}
		/* The first line is not plain: it alone goes through the
		 * escaper, the lines after it get their own chance. */
		if ((nl = memchr(p + k, '\n', n - k)) == NULL)
			return 0;
		*ret = jl_escape_chunk(&lb->esc, p, (size_t)(nl - p) + 1, out);
		return (size_t)(nl - p) + 1;
	}
	while (q < e && (nl = memchr(q, '\n', (size_t)(e - q))) != NULL &&
	    (size_t)(nl - q) <= lb->cap)
		q = nl + 1;
	if (q > p)
		*ret = jl_escape_chunk(&lb->esc, p, (size_t)(q - p), out);
	return (size_t)(q - p);
}

/* Dropping the rest of a cut line: up to its newline. */
static size_t
drop(struct jl_linebuf *lb, const char *p, size_t n, struct jl_buf *out,
    int *ret)
{
	const char *nl = memchr(p, '\n', n);

	*ret = 0;
	if (nl == NULL) {
		lb->linelen += n;
		return n;
	}
	lb->linelen += (size_t)(nl - p);
	lb->cutting = false;
	*ret = emit_marker(lb, lb->linelen, true, out);
	return (size_t)(nl - p) + 1;
}

/* Contract: see linebuf.h. */
int
jl_linebuf_feed(struct jl_linebuf *lb, const void *buf, size_t n,
    struct jl_buf *out)
{
	const char *p = buf, *nl;
	size_t avail, k;
	int r = 0;

	while (n > 0 && r == 0) {
		if (lb->cutting) {
			k = drop(lb, p, n, out, &r);
		} else if (lb->len == 0 && lb->red.fn == NULL &&
		    (k = fast_run(lb, p, n, out, &r)) > 0) {
			/* taken */
		} else {
			avail = lb->window - lb->len;
			nl = memchr(p, '\n', n < avail + 1 ? n : avail + 1);
			if (nl != NULL) {
				k = (size_t)(nl - p);
				if (lb->len == 0) {
					r = do_line(lb, p, k, true, out);
				} else {
					memcpy(lb->line + lb->len, p, k);
					r = do_line(lb, lb->line, lb->len + k,
					    true, out);
					lb->len = 0;
				}
				k++;
			} else if (n <= avail) {
				memcpy(lb->line + lb->len, p, n);
				lb->len += n;
				k = n;
			} else {
				memcpy(lb->line + lb->len, p, avail);
				lb->len = lb->window;
				r = do_window(lb, out);
				k = avail;
			}
		}
		p += k;
		n -= k;
	}
	return r;
}

/* Contract: see linebuf.h. */
int
jl_linebuf_finish(struct jl_linebuf *lb, struct jl_buf *out)
{
	int r = 0;

	if (lb->cutting) {
		r = emit_marker(lb, lb->linelen, false, out);
		lb->cutting = false;
	} else if (lb->len > 0) {
		r = do_line(lb, lb->line, lb->len, false, out);
	}
	lb->len = 0;
	if (r == 0)
		r = jl_escape_finish(&lb->esc, out);
	return r;
}

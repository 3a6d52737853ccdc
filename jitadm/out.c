/* SPDX-License-Identifier: ISC */
/*
 * jitadm's output: error messages ("jitadm: <what>" on stderr), the one
 * place that maps action results to exit codes, escaped text, times and
 * aligned tables.  Output is built in a buffer and written once the
 * command has succeeded, so a failure never leaves half a listing.
 *
 * MUST (SECURITY.md "Output"): every byte of user-controlled text that
 * reaches the terminal -- reasons, comments, names, error messages --
 * goes through jl_escape_text (no control, bidi or invisible character,
 * always valid UTF-8).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitadm.h"
#include "jitlog/escape.h"
#include "jitlog/parse.h"

/* "jitadm: " and the message, escaped as a whole, on stderr. */
void
ja_err(const char *fmt, ...)
{
	char msg[JL_ERRMAX * 2];
	char *esc;
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	esc = jl_escape_text(msg);
	(void)fprintf(stderr, "jitadm: %s\n",
	    esc != NULL ? esc : "(out of memory)");
	free(esc);
}

/*
 * An action's result as an exit status: 0 -> JA_OK, JL_REFUSED -> the
 * reason and JA_REFUSED, -errno -> what failed and JA_ERROR.
 */
int
ja_result(int r, const struct jl_error *err)
{
	if (r == 0)
		return JA_OK;
	if (r == JL_REFUSED) {
		ja_err("%s", err->msg[0] != '\0' ? err->msg : "refused");
		return JA_REFUSED;
	}
	if (err->msg[0] != '\0')
		ja_err("%s", err->msg);
	else
		ja_err("%s", strerror(r < 0 ? -r : EIO));
	return JA_ERROR;
}

/* Append s escaped for a terminal ("-" for NULL).  0 or -ENOMEM. */
int
ja_esc(struct jl_buf *b, const char *s)
{
	char *e;
	int r;

	if (s == NULL)
		return jl_buf_puts(b, "-");
	if ((e = jl_escape_text(s)) == NULL)
		return -ENOMEM;
	r = jl_buf_puts(b, e);
	free(e);
	return r;
}

/* Write b to stdout and flush.  JA_OK, or JA_ERROR with a message. */
int
ja_write(struct jl_buf *b)
{
	int r = JA_OK;

	if (b->len > 0 && fwrite(b->data, 1, b->len, stdout) != b->len)
		r = JA_ERROR;
	if (fflush(stdout) != 0 || ferror(stdout))
		r = JA_ERROR;
	if (r != JA_OK)
		ja_err("cannot write output: %s", strerror(errno));
	return r;
}

/* RFC 3339 UTC, or "-" for 0; buf of at least 32 bytes. */
void
ja_time(int64_t t, char *buf, size_t len)
{
	if (t == 0)
		(void)snprintf(buf, len, "-");
	else
		jl_format_time((time_t)t, buf, len);
}

/* Code points of valid UTF-8 s (escaped text is). */
static size_t
width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Cut valid UTF-8 s in place to at most maxcp code points, "..." last. */
void
ja_clip(char *s, size_t maxcp)
{
	size_t n = 0;
	char *p, *cut = NULL;

	if (maxcp < 4 || width(s) <= maxcp)
		return;
	for (p = s; *p != '\0'; p++) {
		if (((unsigned char)*p & 0xC0) == 0x80)
			continue;
		if (n++ == maxcp - 3) {
			cut = p;
			break;
		}
	}
	if (cut != NULL)
		memcpy(cut, "...", 4);
}

/* Add a row: each cell escaped (NULL shows as "-") and clipped. */
int
ja_table_add(struct ja_table *t, const char *const *cells)
{
	char **v;
	size_t i, base;

	if (t->ncols == 0 || t->ncols > JA_TABLE_MAXCOLS)
		return -EINVAL;
	if (t->nrows == t->cap) {
		v = reallocarray(t->cells, (t->cap + 16) * t->ncols,
		    sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		t->cells = v;
		t->cap += 16;
	}
	base = t->nrows * t->ncols;
	for (i = 0; i < t->ncols; i++) {
		t->cells[base + i] =
		    jl_escape_text(cells[i] != NULL ? cells[i] : "-");
		if (t->cells[base + i] == NULL) {
			while (i-- > 0)
				JL_FREE(t->cells[base + i]);
			return -ENOMEM;
		}
		if (t->clip[i] > 0)
			ja_clip(t->cells[base + i], t->clip[i]);
	}
	t->nrows++;
	return 0;
}

/* Columns padded to their widest cell, two spaces apart. */
int
ja_table_print(const struct ja_table *t, struct jl_buf *out)
{
	size_t w[JA_TABLE_MAXCOLS] = { 0 }, i, j, n;
	const char *c;
	int r = 0;

	for (i = 0; i < t->nrows; i++)
		for (j = 0; j < t->ncols; j++)
			if ((n = width(t->cells[i * t->ncols + j])) > w[j])
				w[j] = n;
	for (i = 0; r == 0 && i < t->nrows; i++) {
		for (j = 0; r == 0 && j < t->ncols; j++) {
			c = t->cells[i * t->ncols + j];
			if (j + 1 == t->ncols)
				r = jl_buf_printf(out, "%s\n", c);
			else
				r = jl_buf_printf(out, "%s%*s", c,
				    (int)(w[j] - width(c) + 2), "");
		}
	}
	return r;
}

void
ja_table_free(struct ja_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	JL_FREE(t->cells);
	t->nrows = t->cap = 0;
}

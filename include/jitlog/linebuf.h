/* SPDX-License-Identifier: ISC */
/*
 * Line assembly for the viewer's unprivileged streamer: raw log bytes in,
 * in chunks of any size; terminal-safe text out.  Each line is redacted
 * whole (before escaping and before any cut), then cut if it is longer
 * than the cap, then escaped (escape.h, JL_ESC_LOG).  Memory is bounded
 * whatever the line length: at most cap + overlap bytes of a line are
 * kept; the rest of a longer line is counted and dropped.
 *
 * A cut line shows its first bytes (at most cap, after redaction, ending
 * on a character boundary) and then the marker JL_LINEBUF_MARKER with the
 * line's length in bytes as read: "[... cut: line of 200000 bytes]".
 * For a line longer than cap + overlap, the redactor sees its first
 * cap + overlap bytes, so a secret that straddles the cut is still
 * redacted; a run of non-blank bytes that reaches the end of that window
 * (it may be a secret the window cut short) is not shown at all, and
 * nothing is shown that comes from beyond the line's first cap bytes (a
 * secret of at most overlap bytes cut short by the window's end, with
 * blanks in it or not, starts there; a redaction begun before shows its
 * label).
 *
 * The output depends only on the bytes, never on how they were split into
 * chunks.  A line still open at jl_linebuf_finish is shown as it is (a
 * file whose last line has no newline), without a newline added.
 */
#ifndef JITLOG_LINEBUF_H
#define JITLOG_LINEBUF_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jitlog/common.h"
#include "jitlog/escape.h"

/* Defaults of the viewer. */
#define JL_LINEBUF_CAP     (64 * 1024)
#define JL_LINEBUF_OVERLAP (64 * 1024)
/* printf format of the cut marker; the argument is a uint64_t. */
#define JL_LINEBUF_MARKER  "[... cut: line of %" PRIu64 " bytes]"

/*
 * fn: redact line[0..len) (no newline) and append the result to out; 0 or
 * -errno.  out_at: after fn, how many bytes of what it appended come from
 * line[0..in), a redaction begun before in counted whole (SIZE_MAX: the
 * line was replaced whole); a cut line shows no more than that of
 * in = cap.  NULL (the struct): no redaction.
 */
struct jl_linebuf_redactor {
	int (*fn)(void *ctx, const char *line, size_t len, struct jl_buf *out);
	size_t (*out_at)(void *ctx, size_t in);
	void *ctx;
};

/*
 * Where long runs (JL_LINEBUF_SINK_MIN bytes or more) of plain text
 * (printable ASCII, tab, newline) may go without a copy into out: fn
 * writes p[0..n) (all of it) and returns 0 or -errno.  NULL: everything
 * goes to out.
 */
#define JL_LINEBUF_SINK_MIN (16 * 1024)
struct jl_linebuf_sink {
	int (*fn)(void *ctx, const char *p, size_t n);
	void *ctx;
};

struct jl_linebuf {
	size_t cap;    /* longest line shown, after redaction */
	size_t window; /* cap + overlap: most bytes of a line kept */
	struct jl_linebuf_redactor red;
	struct jl_linebuf_sink sink;
	char *line;         /* window bytes */
	size_t len;         /* bytes of the open line in line[] */
	bool cutting;       /* head shown, dropping up to the newline */
	uint64_t linelen;   /* length of the line being dropped */
	uint64_t lines_cut; /* statistics */
	struct jl_buf tmp;  /* redaction output */
	struct jl_escaper esc;
};

/* cap >= 16, overlap >= 0; red may be NULL, else it needs fn and out_at.
 * 0 or -ENOMEM/-EINVAL. */
int jl_linebuf_init(struct jl_linebuf *lb, size_t cap, size_t overlap,
    const struct jl_linebuf_redactor *red);
/*
 * Without a redactor, send runs of plain text to sink->fn instead of
 * copying them into out (what out holds is sent first, so the order is
 * kept); the output is the same, only split between the two.  NULL:
 * no sink.
 */
void jl_linebuf_sink(struct jl_linebuf *lb, const struct jl_linebuf_sink *sink);
/* Take n bytes; append the finished output to out.  0 or -errno. */
int jl_linebuf_feed(struct jl_linebuf *lb, const void *p, size_t n,
    struct jl_buf *out);
/* End of input: the open line, if any, and a pending incomplete UTF-8
 * sequence.  0 or -errno. */
int jl_linebuf_finish(struct jl_linebuf *lb, struct jl_buf *out);
void jl_linebuf_free(struct jl_linebuf *lb); /* NULL-safe, idempotent */

#endif

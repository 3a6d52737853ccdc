/* SPDX-License-Identifier: ISC */
/*
 * Shared helpers of the jitlog core: the error message carrier and a
 * growable byte buffer.  Core functions return 0 (or a count) on success
 * and -errno on failure; a human-readable reason goes into a caller-owned
 * struct jl_error.  Library code never logs, exits or touches globals.
 */
#ifndef JITLOG_COMMON_H
#define JITLOG_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define JL_ERRMAX 512

struct jl_error {
	char msg[JL_ERRMAX];
};

/* Set err->msg (printf-style); NULL err is allowed.  Returns -abs(code). */
int jl_error_set(struct jl_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Growable buffer; always NUL-terminated after a successful append. */
struct jl_buf {
	char *data;
	size_t len;
	size_t cap;
};

int jl_buf_append(struct jl_buf *b, const void *p, size_t n);
int jl_buf_puts(struct jl_buf *b, const char *s);
int jl_buf_printf(struct jl_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void jl_buf_reset(struct jl_buf *b);
void jl_buf_free(struct jl_buf *b);
/* Hand the contents to the caller (NUL-terminated, never NULL on 0). */
int jl_buf_steal(struct jl_buf *b, char **ret);

/* JSON writing helpers over jl_buf: strings are escaped per RFC 8259. */
int jl_json_str(struct jl_buf *b, const char *s); /* NULL -> null */
int jl_json_time(struct jl_buf *b, int64_t t);    /* 0 -> null, else RFC 3339 */

/*
 * Decode one UTF-8 sequence at p[0..len) (Unicode 15, table 3-7: no
 * overlongs, surrogates or code points over U+10FFFF).  Returns its length
 * (1-4) and sets *ret_cp; 0 if p[0..len) is a valid but incomplete prefix
 * (len == 0 included); or -n, n >= 1, if the first n bytes are the maximal
 * ill-formed subpart, to be treated as invalid before decoding resumes at
 * p[n].
 */
int jl_utf8_decode(const void *p, size_t len, uint32_t *ret_cp);

#define JL_FREE(p)                                                             \
	do {                                                                   \
		free(p);                                                       \
		(p) = NULL;                                                    \
	} while (0)

#endif

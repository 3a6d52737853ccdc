/* SPDX-License-Identifier: ISC */
/*
 * Terminal-safe output.  A streaming UTF-8 decoder that writes every byte
 * it is given either as itself (printable, valid UTF-8) or made visible:
 * C0 controls (except \n and \t where allowed), DEL and raw C1 bytes and
 * invalid UTF-8 bytes as \xNN; UTF-8 encoded C1 controls (U+0080-U+009F),
 * bidi and invisible format characters (U+200B-200F, U+202A-202E,
 * U+2066-2069, U+FEFF, U+2028, U+2029, U+061C) as \u{NNNN}.  A backslash
 * is written as-is.  The output is always valid UTF-8, and it does not
 * depend on how the input is split into chunks.
 *
 * Also made visible, as invisible characters used for spoofing and
 * smuggling: U+00AD, U+115F, U+1160, U+180E, U+2060-206F, U+3164, U+FFA0,
 * U+FFF9-FFFB and the tags U+E0000-E007F.  \xNN uses lower-case hex (one
 * per offending byte; a broken sequence is its maximal ill-formed subpart,
 * decoding resumes at the next byte: "\xE2\x82" "A" -> "\xe2\x82A");
 * \u{NNNN} upper-case hex, at least 4 digits.
 */
#ifndef JITLOG_ESCAPE_H
#define JITLOG_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jitlog/common.h"

/* Flags. */
#define JL_ESC_KEEP_NL  0x1 /* write \n as is (else \x0a) */
#define JL_ESC_KEEP_TAB 0x2 /* write \t as is (else \x09) */
#define JL_ESC_LOG      (JL_ESC_KEEP_NL | JL_ESC_KEEP_TAB)

struct jl_escaper {
	unsigned flags;
	uint8_t pend[4]; /* bytes of an incomplete sequence */
	uint8_t npend;
};

void jl_escaper_init(struct jl_escaper *e, unsigned flags);
/* Append the escaped form of in[0..len) to out.  0 or -ENOMEM. */
int jl_escape_chunk(struct jl_escaper *e, const void *in, size_t len,
    struct jl_buf *out);
/* End of input: a pending incomplete sequence is written as \xNN. */
int jl_escape_finish(struct jl_escaper *e, struct jl_buf *out);

/* One-shot escaping of user text (no \n or \t kept): malloc'd or NULL. */
char *jl_escape_text(const char *s);

/* True if cp must be made visible (controls, bidi, invisible format). */
bool jl_codepoint_unsafe(uint32_t cp);

#endif

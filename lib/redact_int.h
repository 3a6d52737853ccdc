/* SPDX-License-Identifier: ISC */
/*
 * Internals of the redaction engine shared by redact.c (the engine),
 * redact_rules.c (the built-in rules and their prefilters) and
 * redact_check.c (the custom pattern checker).
 */
#ifndef JITLOG_REDACT_INT_H
#define JITLOG_REDACT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Compile options of every pattern, built-in or custom (see redact.c). */
#define JL_REDACT_PCRE2_OPTIONS PCRE2_NEVER_UTF

/* Callout number of the Luhn check in the card-number pattern. */
#define JL_REDACT_CALLOUT_LUHN 1

/*
 * A built-in rule.  prefilter is a cheap literal scan: false means the
 * pattern cannot match line[0..len); true sets *ret_off to an offset at
 * or before the start of the first possible match, where the search
 * begins.  It MUST never say false for a line the pattern matches.
 * next, when set, says where the search goes on after a match (ov: the
 * match and the group, as offsets); it MUST return more than ov[0].
 * Without it the search goes on at the end of the match.
 */
struct jl_builtin_rule {
	const char *name;
	const char *pattern;
	uint32_t group; /* capture that is the secret; 0: all */
	bool luhn;      /* (?C1) checks the digits (card-number) */
	bool (*prefilter)(const unsigned char *s, size_t len, size_t *ret_off);
	size_t (*next)(const unsigned char *s, size_t len, const size_t *ov);
};

/* The built-in rule called name, or NULL. */
const struct jl_builtin_rule *jl_redact_builtin(const char *name);

/* Luhn checksum of the digits in s[0..len) (other bytes skipped). */
bool jl_redact_luhn(const unsigned char *s, size_t len);

#endif

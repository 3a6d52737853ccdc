/* SPDX-License-Identifier: ISC */
/*
 * Redaction of secrets in log lines.  Built-in rules (SPEC section 2):
 * jwt, bearer, email, aws-access-key, url-credentials, card-number,
 * secret-assignment; custom rules from redaction_rules.  A match is
 * replaced by "[REDACTED:<rule>]" (for url-credentials, secret-assignment
 * and bearer only the secret part: "scheme://user:[REDACTED:...]@host",
 * "password=[REDACTED:...]", "Bearer [REDACTED:bearer]").
 *
 * A redactor is a compiled set of rules.  Every rule is matched against
 * the original line; overlapping matches are merged, so the result never
 * shows any byte that some rule matched.  When matching a line fails for
 * any reason (a match or time limit hit, a JIT stack overflow, no memory
 * inside PCRE2) the line fails closed: it is replaced whole by
 * "[REDACTED:<rule>:unmatchable]".  The line is bytes (len-based: NUL
 * bytes and invalid UTF-8 are fine); patterns match bytes, not characters.
 * A redactor keeps per-rule counters and scratch space: use one per
 * thread.
 */
#ifndef JITLOG_REDACT_H
#define JITLOG_REDACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jitlog/common.h"

/* NULL-terminated list of the built-in rule names. */
extern const char *const jl_redact_builtin_names[];
bool jl_redact_is_builtin(const char *name);

/*
 * Check a custom pattern at config load: it must compile, have no
 * backreference, and have no construct that can backtrack
 * catastrophically.  0 or -EINVAL with err set.
 */
int jl_redact_check_pattern(const char *pattern, struct jl_error *err);

struct jl_rule; /* jitlog/config.h: { name, pattern } */
struct jl_redactor;

/*
 * Compile the rules called names[0..n) (built-in names or names of
 * custom[0..ncustom)), in that order; the order breaks ties between
 * matches of equal extent.  A name given twice is used once.  Custom
 * patterns are compiled as they are (jl_redact_check_pattern is the
 * config loader's job).  n == 0 gives a redactor that copies lines.
 * Call before any sandbox that forbids executable memory (PCRE2 JIT);
 * without JIT it still works, slower.  0 or -EINVAL (unknown name,
 * pattern does not compile) / -ENOMEM with err set.
 */
int jl_redactor_new(const char *const *names, size_t n,
    const struct jl_rule *custom, size_t ncustom, struct jl_redactor **ret,
    struct jl_error *err);
void jl_redactor_free(struct jl_redactor *r); /* NULL-safe */

/*
 * Append the redacted form of line[0..len) to out.  *ret_count (may be
 * NULL) gets the number of redactions in this line.  A line that cannot
 * be matched is replaced whole (fails closed, see above) and counts as
 * one redaction of that rule; that is not an error.  0, or -ENOMEM with
 * out left as it was.
 */
int jl_redact_line(struct jl_redactor *r, const char *line, size_t len,
    struct jl_buf *out, size_t *ret_count);
/* The same for jl_linebuf_redactor.fn: ctx is the struct jl_redactor. */
int jl_redactor_fn(void *ctx, const char *line, size_t len, struct jl_buf *out);
/*
 * After jl_redact_line: how many bytes of what it appended come from
 * line[0..in) -- a redaction that starts before in counts whole (its
 * label is all it shows, however far the match went).  SIZE_MAX when the
 * line was replaced whole (failed closed: nothing of it is shown).
 */
size_t jl_redact_out_at(const struct jl_redactor *r, size_t in);
/* The same for jl_linebuf_redactor.out_at. */
size_t jl_redactor_out_at(void *ctx, size_t in);

/* The rules in the order given; counters since jl_redactor_new. */
size_t jl_redactor_nrules(const struct jl_redactor *r);
const char *jl_redactor_rule_name(const struct jl_redactor *r, size_t i);
uint64_t jl_redactor_rule_count(const struct jl_redactor *r, size_t i);
/* Sum of the rule counters; lines that failed closed. */
uint64_t jl_redactor_total(const struct jl_redactor *r);
uint64_t jl_redactor_failed(const struct jl_redactor *r);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * Redaction of secrets in log lines.  Built-in rules (SPEC section 2):
 * jwt, bearer, email, aws-access-key, url-credentials, card-number,
 * secret-assignment; custom rules from redaction_rules.  A match is
 * replaced by "[REDACTED:<rule>]" (for url-credentials and
 * secret-assignment only the secret part).
 */
#ifndef JITLOG_REDACT_H
#define JITLOG_REDACT_H

#include <stdbool.h>
#include <stddef.h>

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

#endif

/* SPDX-License-Identifier: ISC */
/*
 * Strict parsers for everything a user or the config hands to jitlog:
 * durations, resource and user names, principals, numbers, times and
 * free text (reasons, comments, tickets).  Nothing here is lenient: no
 * sign, no spaces, no overflow, no locale.
 */
#ifndef JITLOG_PARSE_H
#define JITLOG_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Longest duration accepted anywhere: 366 days. */
#define JL_DURATION_MAX ((int64_t)366 * 86400)
/* Longest reason, comment or ticket, in bytes. */
#define JL_TEXT_MAX     512

/*
 * "90s", "15m", "4h", "1d", "1h30m": one or more <digits><unit> groups,
 * units d, h, m, s in that order, each at most once.  0 and anything over
 * JL_DURATION_MAX are refused.  Returns 0, -EINVAL or -ERANGE.
 */
int jl_parse_duration(const char *s, int64_t *ret_seconds);
/* Shortest form of a duration ("1h30m"); buf of at least 32 bytes. */
void jl_format_duration(int64_t seconds, char *buf, size_t len);

/* [A-Za-z0-9][A-Za-z0-9._-]{0,63} */
bool jl_valid_resource_name(const char *s);
/* POSIX-portable user/group name: [A-Za-z0-9_][A-Za-z0-9_.-]{0,31}, may end in $ */
bool jl_valid_user_name(const char *s);

enum jl_principal_kind {
	JL_PRINCIPAL_USER = 1,
	JL_PRINCIPAL_GROUP,
	JL_PRINCIPAL_ANY,
};
/* "name", "%group" or "*".  *ret_name points into s.  0 or -EINVAL. */
int jl_parse_principal(const char *s, enum jl_principal_kind *ret_kind,
    const char **ret_name);

/*
 * Decimal unsigned integer without sign, spaces or leading zeros
 * ("0" itself is fine), at most max.  0, -EINVAL or -ERANGE.
 */
int jl_parse_uint(const char *s, uint64_t max, uint64_t *ret);

/*
 * Reason, comment, ticket: 1..max bytes of valid UTF-8 with no C0/C1
 * control, DEL, bidi or invisible format character (see escape.h).
 * 0 or -EINVAL.
 */
int jl_check_text(const char *s, size_t max);

/*
 * A point in time: RFC 3339 UTC ("2026-11-26T10:00:00Z") or a duration
 * relative to now with a sign: "+2h" (future) or "-1d" (past).  0, -EINVAL.
 */
int jl_parse_time(const char *s, time_t now, time_t *ret);
/* RFC 3339 UTC "YYYY-MM-DDTHH:MM:SSZ"; buf of at least 21 bytes. */
void jl_format_time(time_t t, char *buf, size_t len);

#endif

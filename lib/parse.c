/* SPDX-License-Identifier: ISC */
/*
 * Strict parsers for what users and the config hand to jitlog: durations,
 * unsigned numbers, names, principals, times and free text.  Everything is
 * byte-wise ASCII (no <ctype.h>, so no locale), overflow is checked before
 * it could happen, and anything not exactly in the documented form is
 * refused rather than guessed at.
 *
 * MUST:
 * - no sign, space, leading zero, exponent, fraction or trailing byte is
 *   accepted in a number or duration; "-1", "1e9", "01h", " 1h" fail;
 * - no arithmetic here can overflow, whatever the input
 *   ("99999999999999999999h" is -ERANGE, not a wrapped value);
 * - durations are > 0 and <= JL_DURATION_MAX;
 * - jl_check_text accepts only valid UTF-8 with no code point that
 *   jl_codepoint_unsafe() flags (C0 incl. \n and \t, DEL, C1, bidi,
 *   invisible format characters);
 * - names cannot start with '-' or '.', so they are never taken for an
 *   option or a relative path component.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "jitlog/common.h"
#include "jitlog/escape.h"
#include "jitlog/parse.h"

#define RFC3339_LEN 20 /* "YYYY-MM-DDTHH:MM:SSZ" */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Read a run of digits at *sp without sign or leading zero ("0" alone is
 * fine).  Saturates at UINT64_MAX and says so in *ret_over.  -EINVAL if
 * there is no digit or a leading zero.
 */
static int
read_digits(const char **sp, uint64_t *ret_v, bool *ret_over)
{
	const char *s = *sp;
	uint64_t v = 0, d;
	bool over = false;

	if (!is_digit(*s))
		return -EINVAL;
	if (s[0] == '0' && is_digit(s[1]))
		return -EINVAL;
	for (; is_digit(*s); s++) {
		d = (uint64_t)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			over = true;
		else
			v = v * 10 + d;
	}
	*sp = s;
	*ret_v = v;
	*ret_over = over;
	return 0;
}

int
jl_parse_uint(const char *s, uint64_t max, uint64_t *ret)
{
	uint64_t v;
	bool over;
	int r;

	if (s == NULL)
		return -EINVAL;
	r = read_digits(&s, &v, &over);
	if (r < 0)
		return r;
	if (*s != '\0')
		return -EINVAL;
	if (over || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

static const struct {
	char unit;
	int64_t secs;
} units[] = {
	{ 'd', 86400 },
	{ 'h', 3600 },
	{ 'm', 60 },
	{ 's', 1 },
};
#define NUNITS (sizeof(units) / sizeof(units[0]))

/*
 * The whole string is read for syntax first, so "1h30x" is -EINVAL even
 * if an earlier group is out of range; then the range is checked.  Every
 * product and sum is checked against JL_DURATION_MAX before it is formed.
 */
int
jl_parse_duration(const char *s, int64_t *ret_seconds)
{
	uint64_t v;
	int64_t total = 0;
	size_t next = 0, u;
	bool over, range = false;
	int r;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	while (*s != '\0') {
		r = read_digits(&s, &v, &over);
		if (r < 0)
			return r;
		for (u = next; u < NUNITS && units[u].unit != *s; u++)
			;
		if (u == NUNITS) /* unknown, missing, repeated, out of order */
			return -EINVAL;
		s++;
		next = u + 1;
		if (range || over ||
		    v > (uint64_t)(JL_DURATION_MAX / units[u].secs)) {
			range = true;
			continue;
		}
		total += (int64_t)v * units[u].secs;
		if (total > JL_DURATION_MAX)
			range = true;
	}
	if (range)
		return -ERANGE;
	if (total == 0)
		return -EINVAL;
	*ret_seconds = total;
	return 0;
}

/*
 * Canonical form: each non-zero unit from d to s once ("90s" -> "1m30s");
 * 0 is "0s", a negative duration gets a leading '-'.  Truncated to len.
 */
void
jl_format_duration(int64_t seconds, char *buf, size_t len)
{
	char tmp[64];
	uint64_t v, n;
	size_t off = 0, u;
	int w;

	if (buf == NULL || len == 0)
		return;
	if (seconds < 0) {
		tmp[off++] = '-';
		v = (uint64_t) - (seconds + 1) + 1; /* no -INT64_MIN */
	} else {
		v = (uint64_t)seconds;
	}
	if (v == 0) {
		tmp[off++] = '0';
		tmp[off++] = 's';
	}
	for (u = 0; u < NUNITS && v > 0; u++) {
		n = v / (uint64_t)units[u].secs;
		if (n == 0)
			continue;
		v -= n * (uint64_t)units[u].secs;
		w = snprintf(tmp + off, sizeof(tmp) - off, "%llu%c",
		    (unsigned long long)n, units[u].unit);
		if (w > 0)
			off += (size_t)w;
	}
	tmp[off] = '\0';
	(void)snprintf(buf, len, "%s", tmp);
}

bool
jl_valid_resource_name(const char *s)
{
	size_t i;

	if (s == NULL || !is_alnum(s[0]))
		return false;
	for (i = 1; s[i] != '\0'; i++) {
		if (i >= 64)
			return false;
		if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' &&
		    s[i] != '-')
			return false;
	}
	return true;
}

/*
 * At most 32 bytes including a final '$' (the utmp/useradd limit).  Also
 * refused, as shadow's useradd and systemd do: a name of only digits,
 * which tools taking "user or uid" would read as a uid.
 */
bool
jl_valid_user_name(const char *s)
{
	size_t i, len;
	bool alldigits = true;

	if (s == NULL)
		return false;
	len = strnlen(s, 33);
	if (len > 32)
		return false;
	if (len > 0 && s[len - 1] == '$')
		len--;
	if (len == 0)
		return false;
	if (!is_alnum(s[0]) && s[0] != '_')
		return false;
	for (i = 0; i < len; i++) {
		if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '.' &&
		    s[i] != '-')
			return false;
		if (!is_digit(s[i]))
			alldigits = false;
	}
	return !alldigits;
}

int
jl_parse_principal(const char *s, enum jl_principal_kind *ret_kind,
    const char **ret_name)
{
	if (s == NULL)
		return -EINVAL;
	if (strcmp(s, "*") == 0) {
		*ret_kind = JL_PRINCIPAL_ANY;
		*ret_name = s;
		return 0;
	}
	if (s[0] == '%') {
		if (!jl_valid_user_name(s + 1))
			return -EINVAL;
		*ret_kind = JL_PRINCIPAL_GROUP;
		*ret_name = s + 1;
		return 0;
	}
	if (!jl_valid_user_name(s))
		return -EINVAL;
	*ret_kind = JL_PRINCIPAL_USER;
	*ret_name = s;
	return 0;
}

int
jl_check_text(const char *s, size_t max)
{
	size_t len, i;
	uint32_t cp;
	int n;

	if (s == NULL)
		return -EINVAL;
	len = max < SIZE_MAX ? strnlen(s, max + 1) : strlen(s);
	if (len == 0 || len > max)
		return -EINVAL;
	for (i = 0; i < len; i += (size_t)n) {
		n = jl_utf8_decode(s + i, len - i, &cp);
		if (n <= 0 || jl_codepoint_unsafe(cp))
			return -EINVAL;
	}
	return 0;
}

/* Exactly n digits at s (n <= 4), as a number, or -1. */
static int
fixed_digits(const char *s, int n)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
days_in_month(int year, int mon)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return mon == 2 && leap ? 29 : days[mon - 1];
}

/* "YYYY-MM-DDTHH:MM:SSZ", years 1970-9999, no leap second. */
static int
parse_rfc3339(const char *s, time_t *ret)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec;
	time_t t;

	if (strlen(s) != RFC3339_LEN || s[4] != '-' || s[7] != '-' ||
	    s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return -EINVAL;
	y = fixed_digits(s, 4);
	mo = fixed_digits(s + 5, 2);
	d = fixed_digits(s + 8, 2);
	h = fixed_digits(s + 11, 2);
	mi = fixed_digits(s + 14, 2);
	sec = fixed_digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    sec < 0 || sec > 59)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*ret = t;
	return 0;
}

/*
 * RFC 3339 UTC with an upper-case T and Z and no fraction or offset, or
 * a signed duration from now.  Every failure, range included, is -EINVAL.
 */
int
jl_parse_time(const char *s, time_t now, time_t *ret)
{
	int64_t d, t;

	if (s == NULL)
		return -EINVAL;
	if (s[0] != '+' && s[0] != '-')
		return parse_rfc3339(s, ret);
	if (jl_parse_duration(s + 1, &d) < 0)
		return -EINVAL;
	if (s[0] == '+') {
		if (now > INT64_MAX - d)
			return -EINVAL;
		t = (int64_t)now + d;
	} else {
		if (now < INT64_MIN + d)
			return -EINVAL;
		t = (int64_t)now - d;
	}
	if ((int64_t)(time_t)t != t)
		return -EINVAL;
	*ret = (time_t)t;
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SSZ"; "(invalid)" for a time outside years 0-9999. */
void
jl_format_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (buf == NULL || len == 0)
		return;
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900) {
		(void)snprintf(buf, len, "(invalid)");
		return;
	}
	(void)snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
}

/* SPDX-License-Identifier: ISC */
/*
 * fuzz_parse: the strict parsers of parse.h against reference versions
 * written here from the header's contracts.  Input: 8 bytes "now", 8
 * bytes "max", 1 byte text max, then the string (up to a NUL).
 *
 * Properties: every parser agrees with its reference on accept/refuse
 * and on the value; a parsed duration lies in 1..JL_DURATION_MAX and
 * round-trips through jl_format_duration; a parsed RFC 3339 time
 * round-trips through jl_format_time; a relative time is now +/- the
 * duration; text that jl_check_text accepts is valid UTF-8 without a
 * control, bidi or invisible character; formatting never overflows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz_util.h"
#include "jitlog/escape.h"
#include "jitlog/parse.h"

static bool
digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
alnum(char c)
{
	return digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Digits without a leading zero ("0" alone is fine); value saturated
 * above UINT64_MAX as over.  Advances *sp; false if none. */
static bool
ref_digits(const char **sp, unsigned __int128 *ret, bool *over)
{
	const char *s = *sp;
	unsigned __int128 v = 0;

	if (!digit(*s) || (s[0] == '0' && digit(s[1])))
		return false;
	*over = false;
	for (; digit(*s); s++) {
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT64_MAX) {
			*over = true;
			v = (unsigned __int128)UINT64_MAX + 1;
		}
	}
	*sp = s;
	*ret = v;
	return true;
}

static int
ref_duration(const char *s, int64_t *ret)
{
	static const char units[] = "dhms";
	static const int64_t secs[] = { 86400, 3600, 60, 1 };
	unsigned __int128 v, total = 0;
	size_t next = 0, u;
	bool over, anyover = false;

	if (*s == '\0')
		return -EINVAL;
	while (*s != '\0') {
		if (!ref_digits(&s, &v, &over))
			return -EINVAL;
		for (u = next; u < 4 && units[u] != *s; u++)
			;
		if (u == 4)
			return -EINVAL;
		s++;
		next = u + 1;
		anyover |= over;
		if (!anyover) {
			total += v * (unsigned)secs[u];
			if (total > (unsigned __int128)JL_DURATION_MAX)
				anyover = true;
		}
	}
	if (anyover)
		return -ERANGE;
	if (total == 0)
		return -EINVAL;
	*ret = (int64_t)total;
	return 0;
}

static void
check_duration(const char *s)
{
	int64_t d = -1, d2 = -1, rd = -1;
	char buf[32], buf2[32];
	int r, rr;

	r = jl_parse_duration(s, &d);
	rr = ref_duration(s, &rd);
	FZ_CHECK(r == rr, "duration \"%s\": %d, reference %d", s, r, rr);
	if (r < 0)
		return;
	FZ_CHECK(d == rd && d >= 1 && d <= JL_DURATION_MAX,
	    "duration \"%s\" = %lld, reference %lld", s, (long long)d,
	    (long long)rd);
	jl_format_duration(d, buf, sizeof(buf));
	FZ_CHECK(jl_parse_duration(buf, &d2) == 0 && d2 == d,
	    "duration %lld formats as \"%s\" which does not parse back",
	    (long long)d, buf);
	jl_format_duration(d2, buf2, sizeof(buf2));
	FZ_CHECK(strcmp(buf, buf2) == 0, "format not canonical: %s %s", buf,
	    buf2);
}

static void
check_uint(const char *s, uint64_t max)
{
	unsigned __int128 v = 0;
	const char *p = s;
	uint64_t got = 0;
	bool over = false, ok;
	int r, rr;

	ok = ref_digits(&p, &v, &over) && *p == '\0';
	rr = !ok ? -EINVAL : (over || v > max) ? -ERANGE : 0;
	r = jl_parse_uint(s, max, &got);
	FZ_CHECK(r == rr, "uint \"%s\" max %llu: %d, reference %d", s,
	    (unsigned long long)max, r, rr);
	FZ_CHECK(r < 0 || got == (uint64_t)v, "uint \"%s\": %llu", s,
	    (unsigned long long)got);
}

static bool
ref_resource(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > 64 || !alnum(s[0]))
		return false;
	for (i = 1; i < n; i++)
		if (!alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

static bool
ref_user(const char *s)
{
	size_t i, n = strlen(s);
	bool alldigits = true;

	if (n > 32)
		return false;
	if (n > 0 && s[n - 1] == '$')
		n--;
	if (n == 0 || (!alnum(s[0]) && s[0] != '_'))
		return false;
	for (i = 0; i < n; i++) {
		if (!alnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
		alldigits &= digit(s[i]);
	}
	return !alldigits;
}

static void
check_names(const char *s)
{
	enum jl_principal_kind k = 0;
	const char *name = NULL;
	int r;

	FZ_CHECK(jl_valid_resource_name(s) == ref_resource(s),
	    "resource name \"%s\"", s);
	FZ_CHECK(jl_valid_user_name(s) == ref_user(s), "user name \"%s\"", s);
	/* Never an option or a relative path component. */
	FZ_CHECK(!(jl_valid_resource_name(s) || jl_valid_user_name(s)) ||
	        (s[0] != '-' && s[0] != '.'),
	    "name \"%s\" starts with - or .", s);
	r = jl_parse_principal(s, &k, &name);
	if (strcmp(s, "*") == 0)
		FZ_CHECK(r == 0 && k == JL_PRINCIPAL_ANY, "principal *");
	else if (s[0] == '%')
		FZ_CHECK(ref_user(s + 1) ?
		        (r == 0 && k == JL_PRINCIPAL_GROUP && name == s + 1) :
		        r == -EINVAL,
		    "principal \"%s\": %d", s, r);
	else
		FZ_CHECK(ref_user(s) ?
		        (r == 0 && k == JL_PRINCIPAL_USER && name == s) :
		        r == -EINVAL,
		    "principal \"%s\": %d", s, r);
}

static void
check_text(const char *s, size_t max)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s), i;
	bool ok, hard_ok;
	uint32_t cp = 0;
	int r, k;

	ok = n >= 1 && n <= max && fz_utf8_valid(p, n);
	hard_ok = ok;
	for (i = 0; ok && i < n; i += (size_t)k) {
		k = fz_utf8_ref(p + i, n - i, &cp);
		ok = !jl_codepoint_unsafe(cp);
		hard_ok &= !fz_cp_unsafe_ref(cp);
	}
	r = jl_check_text(s, max);
	FZ_CHECK((r == 0) == ok, "check_text \"%s\" max %zu: %d", s, max, r);
	FZ_CHECK(r < 0 || hard_ok, "check_text accepted an unsafe code point");
}

static bool
ref_rfc3339(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	static const char form[] = "dddd-dd-ddTdd:dd:ddZ";
	int y, mo, d, md;
	size_t i;

	if (strlen(s) != sizeof(form) - 1)
		return false;
	for (i = 0; form[i] != '\0'; i++)
		if (form[i] == 'd' ? !digit(s[i]) : s[i] != form[i])
			return false;
	y = atoi(s);
	mo = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1970 || mo < 1 || mo > 12 || atoi(s + 11) > 23 ||
	    atoi(s + 14) > 59 || atoi(s + 17) > 59)
		return false;
	md = mdays[mo - 1];
	if (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		md = 29;
	return d >= 1 && d <= md;
}

static void
check_time(const char *s, time_t now)
{
	char buf[32];
	time_t t = 0;
	int64_t d = 0;
	__int128 want;
	int r;

	r = jl_parse_time(s, now, &t);
	FZ_CHECK(r == 0 || r == -EINVAL, "time \"%s\": %d", s, r);
	if (s[0] == '+' || s[0] == '-') {
		if (jl_parse_duration(s + 1, &d) < 0) {
			FZ_CHECK(r < 0, "time \"%s\" accepted", s);
			return;
		}
		want = (__int128)now + (s[0] == '+' ? d : -d);
		if (want > INT64_MAX || want < INT64_MIN)
			FZ_CHECK(r < 0, "time \"%s\" overflowed", s);
		else
			FZ_CHECK(r == 0 && (__int128)t == want,
			    "time \"%s\" from %lld: %d %lld", s, (long long)now,
			    r, (long long)t);
		return;
	}
	FZ_CHECK((r == 0) == ref_rfc3339(s), "time \"%s\": %d", s, r);
	if (r == 0) {
		jl_format_time(t, buf, sizeof(buf));
		FZ_CHECK(strcmp(buf, s) == 0, "time \"%s\" formats as \"%s\"",
		    s, buf);
	}
}

/* Formatting arbitrary values into a buffer of any size. */
static void
check_format(int64_t v, size_t len)
{
	char buf[48];
	time_t t = 0;

	if (len > sizeof(buf))
		len = sizeof(buf);
	memset(buf, 'X', sizeof(buf));
	jl_format_duration(v, buf, len);
	FZ_CHECK(len == 0 || memchr(buf, '\0', len) != NULL,
	    "format_duration not terminated");
	FZ_CHECK(len == sizeof(buf) || buf[len] == 'X',
	    "format_duration wrote past %zu", len);
	memset(buf, 'X', sizeof(buf));
	jl_format_time((time_t)v, buf, len);
	FZ_CHECK(len == 0 || memchr(buf, '\0', len) != NULL,
	    "format_time not terminated");
	FZ_CHECK(len == sizeof(buf) || buf[len] == 'X',
	    "format_time wrote past %zu", len);
	if (len == sizeof(buf) && strcmp(buf, "(invalid)") != 0 &&
	    jl_parse_time(buf, 0, &t) == 0)
		FZ_CHECK(t == (time_t)v, "time %lld -> %s -> %lld",
		    (long long)v, buf, (long long)t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint64_t now, max;
	size_t tmax;
	char *s;

	now = (uint64_t)fz_u32(&in) << 32;
	now |= fz_u32(&in);
	max = (uint64_t)fz_u32(&in) << 32;
	max |= fz_u32(&in);
	tmax = fz_u8(&in) * 3u;
	check_format((int64_t)now, tmax % 49);
	s = fz_next_str(&in);
	if (s == NULL)
		return 0;
	check_duration(s);
	check_uint(s, max);
	check_names(s);
	check_text(s, tmax);
	check_text(s, JL_TEXT_MAX);
	check_time(s, (time_t)(int64_t)now);
	check_time(s, 1764151200); /* 2025-11-26T10:00:00Z */
	free(s);
	return 0;
}

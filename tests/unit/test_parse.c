/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of lib/parse.c: every rule both ways, with the inputs an
 * attacker would try (signs, spaces, exponents, leading zeros, overflow,
 * controls, bidi, overlong UTF-8, one byte too long).
 */
#include <errno.h>
#include <stdint.h>

#include "jitlog/parse.h"
#include "t.h"

#define SENTINEL ((int64_t)-777)

static int64_t
dur(const char *s, int want_r)
{
	int64_t v = SENTINEL;
	int r;

	r = jl_parse_duration(s, &v);
	if (r != want_r)
		fprintf(stderr, "  duration \"%s\": %d, want %d\n",
		    s ? s : "(null)", r, want_r);
	T_ASSERT_INTEQ(r, want_r);
	if (r < 0)
		T_ASSERT_INTEQ(v, SENTINEL); /* untouched on failure */
	return v;
}

static void
test_duration_valid(void)
{
	T_ASSERT_INTEQ(dur("90s", 0), 90);
	T_ASSERT_INTEQ(dur("15m", 0), 900);
	T_ASSERT_INTEQ(dur("4h", 0), 14400);
	T_ASSERT_INTEQ(dur("1d", 0), 86400);
	T_ASSERT_INTEQ(dur("1h30m", 0), 5400);
	T_ASSERT_INTEQ(dur("1d2h3m4s", 0), 93784);
	T_ASSERT_INTEQ(dur("1d4s", 0), 86404);
	T_ASSERT_INTEQ(dur("1s", 0), 1);
	T_ASSERT_INTEQ(dur("1h0m", 0), 3600); /* a zero group is fine */
	T_ASSERT_INTEQ(dur("366d", 0), JL_DURATION_MAX);
	T_ASSERT_INTEQ(dur("8784h", 0), JL_DURATION_MAX);
	T_ASSERT_INTEQ(dur("31622400s", 0), JL_DURATION_MAX);
	T_ASSERT_INTEQ(dur("365d23h59m60s", 0), JL_DURATION_MAX);
}

static void
test_duration_invalid(void)
{
	static const char *bad[] = { "", "0", "0s", "0d0h0m0s", "h", "s", "1",
		"90", "-1", "-1h", "+1h", "1.5h", "1,5h", "1e9", "1e9s", " 1h",
		"1h ", "1 h", "1h 30m", "1H", "1D", "1M", "1S", "1hh", "30m1h",
		"1s1m", "1h1h", "1m30m", "01h", "00s", "1h01m", "1h00m", "1x",
		"1h30", "1ms", "1min", "1w", "0x10s", "1h\n", "\t1h",
		"\xef\xbc\x91h", /* fullwidth 1 */
		"1h\xc2\xa0", "99999999999999999999h30x",
		"99999999999999999999" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		dur(bad[i], -EINVAL);
	dur(NULL, -EINVAL);
}

static void
test_duration_range(void)
{
	static const char *big[] = { "367d", "8785h", "527041m", "31622401s",
		"366d1s", "365d24h1s", "99999999999999999999h",
		"18446744073709551615s", "18446744073709551616s",
		"9223372036854775807s", "9223372036854775808s",
		"106751991167301d", "213503982334601d",
		"1d99999999999999999999s" };
	size_t i;

	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++)
		dur(big[i], -ERANGE);
}

static void
test_duration_format(void)
{
	char buf[32];
	int64_t s, v;

	jl_format_duration(5400, buf, sizeof(buf));
	T_ASSERT_STREQ(buf, "1h30m");
	jl_format_duration(90, buf, sizeof(buf));
	T_ASSERT_STREQ(buf, "1m30s");
	jl_format_duration(86400, buf, sizeof(buf));
	T_ASSERT_STREQ(buf, "1d");
	jl_format_duration(90061, buf, sizeof(buf));
	T_ASSERT_STREQ(buf, "1d1h1m1s");
	jl_format_duration(3601, buf, sizeof(buf));
	T_ASSERT_STREQ(buf, "1h1s");
	jl_format_duration(0, buf, sizeof(buf));
	T_ASSERT_STREQ(buf, "0s");
	jl_format_duration(-90, buf, sizeof(buf));
	T_ASSERT_STREQ(buf, "-1m30s");
	jl_format_duration(INT64_MIN, buf, sizeof(buf));
	T_ASSERT_STREQ(buf, "-106751991167300d15h30m8s");
	jl_format_duration(INT64_MAX, buf, sizeof(buf));
	T_ASSERT_STREQ(buf, "106751991167300d15h30m7s");
	jl_format_duration(5400, buf, 3);
	T_ASSERT_STREQ(buf, "1h");
	/* Round trip over the whole accepted range (sampled). */
	for (s = 1; s <= JL_DURATION_MAX; s += 997) {
		jl_format_duration(s, buf, sizeof(buf));
		v = -1;
		T_ASSERT_INTEQ(jl_parse_duration(buf, &v), 0);
		T_ASSERT_INTEQ(v, s);
	}
}

static void
test_uint(void)
{
	static const char *bad[] = { "", "-1", "+1", " 1", "1 ", "01", "00",
		"1e9", "0x10", "1.0", "1,0", "١", "1\n" };
	uint64_t v = 5;
	size_t i;

	T_ASSERT_INTEQ(jl_parse_uint("0", 10, &v), 0);
	T_ASSERT_INTEQ(v, 0);
	T_ASSERT_INTEQ(jl_parse_uint("42", 42, &v), 0);
	T_ASSERT_INTEQ(v, 42);
	T_ASSERT_INTEQ(jl_parse_uint("18446744073709551615", UINT64_MAX, &v),
	    0);
	T_ASSERT(v == UINT64_MAX);
	v = 5;
	T_ASSERT_INTEQ(jl_parse_uint("43", 42, &v), -ERANGE);
	T_ASSERT_INTEQ(jl_parse_uint("18446744073709551616", UINT64_MAX, &v),
	    -ERANGE);
	T_ASSERT_INTEQ(jl_parse_uint("99999999999999999999", UINT64_MAX, &v),
	    -ERANGE);
	T_ASSERT_INTEQ(jl_parse_uint("999999999999999999999999999999", 100, &v),
	    -ERANGE);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_ASSERT_INTEQ(jl_parse_uint(bad[i], UINT64_MAX, &v), -EINVAL);
	T_ASSERT_INTEQ(jl_parse_uint(NULL, UINT64_MAX, &v), -EINVAL);
	T_ASSERT_INTEQ(v, 5);
}

static void
test_text(void)
{
	static const char *good[] = { "ok", "INC-1234: disk full on db1",
		"caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\x98\x80",
		"back\\slash and \"quotes\"", "\xc2\xa0nbsp", "~",
		"\xef\xbf\xbd" };
	static const char *bad[] = { "", "a\x1b[31m", "line\nbreak", "a\tb",
		"a\rb", "a\x7f", "\x01",
		"\xc2\x9b"
		"31m", /* C1 CSI */
		"\xc2\x85",
		"abc\xe2\x80\xae"
		"cba", /* RLO */
		"\xe2\x81\xa6", "\xe2\x81\xa9", "\xe2\x80\x8b", "\xe2\x80\x8f",
		"\xef\xbb\xbf"
		"bom",
		"\xd8\x9c", "\xe2\x80\xa8", "\xe2\x80\xa9",
		"\xf3\xa0\x81\x81", /* tag A */
		"\xc2\xad", "\xe2\x81\xa0", "\xc0\xaf", "\xc1\xbf",
		"\xe0\x80\xaf", "\xf0\x80\x80\xaf", "\xed\xa0\x80",
		"\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80",
		"abc\xe2\x82",
		"\xe2\x82"
		"A",
		"\x80", "a\xbf", "\xff", "\xfe" };
	char big[JL_TEXT_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		T_ASSERT_INTEQ(jl_check_text(good[i], JL_TEXT_MAX), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (jl_check_text(bad[i], JL_TEXT_MAX) != -EINVAL)
			fprintf(stderr, "  accepted bad text #%zu\n", i);
		T_ASSERT_INTEQ(jl_check_text(bad[i], JL_TEXT_MAX), -EINVAL);
	}
	T_ASSERT_INTEQ(jl_check_text(NULL, JL_TEXT_MAX), -EINVAL);
	memset(big, 'x', sizeof(big));
	big[JL_TEXT_MAX] = '\0';
	T_ASSERT_INTEQ(jl_check_text(big, JL_TEXT_MAX), 0);
	big[JL_TEXT_MAX] = 'x';
	big[JL_TEXT_MAX + 1] = '\0';
	T_ASSERT_INTEQ(jl_check_text(big, JL_TEXT_MAX), -EINVAL);
	/* The limit is in bytes, not characters. */
	T_ASSERT_INTEQ(jl_check_text("a\xc3\xa9", 3), 0);
	T_ASSERT_INTEQ(jl_check_text("a\xc3\xa9", 2), -EINVAL);
	T_ASSERT_INTEQ(jl_check_text("x", 0), -EINVAL);
	T_ASSERT_INTEQ(jl_check_text("x", SIZE_MAX), 0);
}

static void
test_names(void)
{
	static const char *res_good[] = { "payments-debug", "a", "A.b_c-1",
		"0day", "a..b" };
	static const char *res_bad[] = { "", "-x", ".x", "_x", "a/b", "a b",
		"..", ".", "a\n", "caf\xc3\xa9", "a:b", "a*", "%a" };
	static const char *user_good[] = { "alice", "_svc", "a.b-c", "host$",
		"1a", "a1", "_", "A" };
	static const char *user_bad[] = { "", "-alice", ".alice", "$", "a$b",
		"123", "0", "al ice", "al:ice", "%g", "a/b", "a$$", "al\nice",
		"\xc3\xa9", "*" };
	char name[80];
	size_t i;

	for (i = 0; i < sizeof(res_good) / sizeof(res_good[0]); i++)
		T_ASSERT(jl_valid_resource_name(res_good[i]));
	for (i = 0; i < sizeof(res_bad) / sizeof(res_bad[0]); i++)
		T_ASSERT(!jl_valid_resource_name(res_bad[i]));
	T_ASSERT(!jl_valid_resource_name(NULL));
	memset(name, 'r', sizeof(name));
	name[64] = '\0';
	T_ASSERT(jl_valid_resource_name(name));
	name[64] = 'r';
	name[65] = '\0';
	T_ASSERT(!jl_valid_resource_name(name));

	for (i = 0; i < sizeof(user_good) / sizeof(user_good[0]); i++)
		T_ASSERT(jl_valid_user_name(user_good[i]));
	for (i = 0; i < sizeof(user_bad) / sizeof(user_bad[0]); i++)
		T_ASSERT(!jl_valid_user_name(user_bad[i]));
	T_ASSERT(!jl_valid_user_name(NULL));
	memset(name, 'u', sizeof(name));
	name[32] = '\0';
	T_ASSERT(jl_valid_user_name(name));
	name[31] = '$'; /* 32 bytes with the $ */
	T_ASSERT(jl_valid_user_name(name));
	name[31] = 'u';
	name[32] = '$';
	name[33] = '\0';
	T_ASSERT(!jl_valid_user_name(name));
	name[32] = 'u';
	T_ASSERT(!jl_valid_user_name(name));
}

static void
test_principal(void)
{
	enum jl_principal_kind k = 0;
	const char *n = NULL;
	static const char *bad[] = { "", "%", "%%x", "**", "%*", "-x", "*a",
		"a b", "%-g", "123", "% g" };
	const char *any = "*", *grp = "%wheel", *usr = "alice";
	size_t i;

	T_ASSERT_INTEQ(jl_parse_principal(any, &k, &n), 0);
	T_ASSERT_INTEQ(k, JL_PRINCIPAL_ANY);
	T_ASSERT(n == any);
	T_ASSERT_INTEQ(jl_parse_principal(grp, &k, &n), 0);
	T_ASSERT_INTEQ(k, JL_PRINCIPAL_GROUP);
	T_ASSERT(n == grp + 1);
	T_ASSERT_STREQ(n, "wheel");
	T_ASSERT_INTEQ(jl_parse_principal(usr, &k, &n), 0);
	T_ASSERT_INTEQ(k, JL_PRINCIPAL_USER);
	T_ASSERT(n == usr);
	k = 0;
	n = NULL;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_ASSERT_INTEQ(jl_parse_principal(bad[i], &k, &n), -EINVAL);
	T_ASSERT_INTEQ(jl_parse_principal(NULL, &k, &n), -EINVAL);
	T_ASSERT(k == 0 && n == NULL);
}

static void
test_time(void)
{
	static const char *bad[] = { "", "2026-11-26T10:00:00",
		"2026-11-26t10:00:00Z", "2026-11-26T10:00:00z",
		"2026-11-26 10:00:00Z", "2026-11-26T10:00:00+00:00",
		"2026-11-26T10:00:00.5Z", " 2026-11-26T10:00:00Z",
		"2026-11-26T10:00:00Z ", "2026-1-26T10:00:00Z",
		"2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
		"2026-04-31T00:00:00Z", "2026-01-00T00:00:00Z",
		"2026-01-32T00:00:00Z", "2001-02-29T00:00:00Z",
		"2100-02-29T00:00:00Z", "2026-01-01T24:00:00Z",
		"2026-01-01T23:60:00Z", "2026-01-01T23:59:60Z",
		"1969-12-31T23:59:59Z", "+2026-01-01T00:00:00Z",
		"-026-01-01T00:00:00Z", "2026-01-01T0a:00:00Z", "2h", "+", "-",
		"+0s", "+0", "+-1h", "++1h", "+1h ", "+ 1h", "+367d", "+1H",
		"-01h", "now", "@1795687200", "1795687200" };
	time_t t = 5, now = 1795687200;
	char buf[32];
	size_t i;

	T_ASSERT_INTEQ(jl_parse_time("2026-11-26T10:00:00Z", 0, &t), 0);
	T_ASSERT_INTEQ(t, 1795687200);
	T_ASSERT_INTEQ(jl_parse_time("2000-02-29T23:59:59Z", 0, &t), 0);
	T_ASSERT_INTEQ(t, 951868799);
	T_ASSERT_INTEQ(jl_parse_time("1970-01-01T00:00:00Z", 0, &t), 0);
	T_ASSERT_INTEQ(t, 0);
	T_ASSERT_INTEQ(jl_parse_time("9999-12-31T23:59:59Z", 0, &t), 0);
	T_ASSERT_INTEQ(t, 253402300799);
	T_ASSERT_INTEQ(jl_parse_time("+2h", now, &t), 0);
	T_ASSERT_INTEQ(t, now + 7200);
	T_ASSERT_INTEQ(jl_parse_time("-1d", now, &t), 0);
	T_ASSERT_INTEQ(t, now - 86400);
	T_ASSERT_INTEQ(jl_parse_time("+1h30m", now, &t), 0);
	T_ASSERT_INTEQ(t, now + 5400);
	t = 5;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (jl_parse_time(bad[i], now, &t) != -EINVAL)
			fprintf(stderr, "  accepted bad time \"%s\"\n", bad[i]);
		T_ASSERT_INTEQ(jl_parse_time(bad[i], now, &t), -EINVAL);
	}
	T_ASSERT_INTEQ(jl_parse_time(NULL, now, &t), -EINVAL);
	T_ASSERT_INTEQ(jl_parse_time("+1h", INT64_MAX - 10, &t), -EINVAL);
	T_ASSERT_INTEQ(jl_parse_time("-1h", INT64_MIN + 10, &t), -EINVAL);
	T_ASSERT_INTEQ(t, 5);

	jl_format_time(1795687200, buf, sizeof(buf));
	T_ASSERT_STREQ(buf, "2026-11-26T10:00:00Z");
	jl_format_time(0, buf, sizeof(buf));
	T_ASSERT_STREQ(buf, "1970-01-01T00:00:00Z");
	jl_format_time(INT64_MAX, buf, sizeof(buf));
	T_ASSERT_STREQ(buf, "(invalid)");
	jl_format_time(1795687200, buf, 5);
	T_ASSERT_STREQ(buf, "2026");
	/* Round trip. */
	for (now = 0; now < 4102444800; now += 86399 * 7 + 13) {
		jl_format_time(now, buf, 21);
		T_ASSERT_INTEQ(jl_parse_time(buf, 0, &t), 0);
		T_ASSERT_INTEQ(t, now);
	}
}

int
main(void)
{
	T_RUN(test_duration_valid);
	T_RUN(test_duration_invalid);
	T_RUN(test_duration_range);
	T_RUN(test_duration_format);
	T_RUN(test_uint);
	T_RUN(test_text);
	T_RUN(test_names);
	T_RUN(test_principal);
	T_RUN(test_time);
	return T_DONE();
}

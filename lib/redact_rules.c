/* SPDX-License-Identifier: ISC */
/*
 * The built-in redaction rules (SPEC section 2): one PCRE2 pattern each,
 * plus a literal prefilter that lets a line without a candidate skip the
 * pattern at close to memchr(3) speed.  What each rule covers:
 *
 *  jwt                "eyJ" + base64url, then two or more ".segment":
 *                     the signature may be empty (alg "none"), or the
 *                     payload (detached JWS, RFC 7515 appendix F), not
 *                     both; JWE's five segments are covered whole.
 *  bearer             "Bearer <token>", "bearer" in any case as a word;
 *                     the word stays, the RFC 6750 token is replaced,
 *                     whatever its length (so prose such as "missing
 *                     bearer token" loses its last word: better than a
 *                     short token shown).
 *  email              local@domain with a dot and an alphabetic TLD
 *                     ("pkg@1.2.3" and "root@localhost" are not emails).
 *                     The user info of a URL is consumed without a match
 *                     (ssh://git@host.example.com is not an email, and the
 *                     password of scheme://user:pass@host.com is not the
 *                     local part of one), except that an email given as
 *                     the user (scheme://bob@example.com:pw@host) is.
 *  aws-access-key     (AKIA|ASIA|ABIA|ACCA) + 16 [A-Z0-9], not inside a
 *                     longer run of [A-Z0-9].
 *  url-credentials    scheme://user:PASS@ -> only PASS is replaced; the
 *                     password runs to the last '@' of the authority.
 *  card-number        13-19 digits, single ' ' or '-' allowed between
 *                     digits, not directly preceded or followed by a
 *                     digit or a letter (a digit run inside a hex id is
 *                     not a card), Luhn-valid (checked by a callout, so
 *                     every length is tried; matches may overlap).
 *  secret-assignment  a key ending in password, passwd, pwd, secret
 *                     (client_secret, ...), token, api_key/api-key/apikey,
 *                     access_key/access-key/accesskey, case-insensitive,
 *                     as a whole word or as the suffix of a longer key
 *                     (db_password, aws_secret_access_key, "id_token"),
 *                     optionally closed by a quote (JSON), then optional
 *                     blanks, one of = : => :=, optional blanks, then the
 *                     value: "..." or '...' (backslash escapes honoured;
 *                     only the inside is replaced; an unterminated quote
 *                     runs to the end of the line) or unquoted up to
 *                     whitespace, ',', ';', '&' or the end.  An empty
 *                     quoted value is left alone.
 *
 * Every pattern is linear per line by construction: each starts behind a
 * lookbehind that admits only the first byte of a run (so a long run is
 * scanned once, not once per byte), repeats are possessive where giving
 * back cannot help, and the few that backtrack do so over separators.
 */
#define _GNU_SOURCE /* memmem */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "jitlog/redact.h"
#include "redact_int.h"

static bool pf_jwt(const unsigned char *, size_t, size_t *);
static bool pf_bearer(const unsigned char *, size_t, size_t *);
static bool pf_email(const unsigned char *, size_t, size_t *);
static bool pf_aws(const unsigned char *, size_t, size_t *);
static bool pf_url(const unsigned char *, size_t, size_t *);
static bool pf_card(const unsigned char *, size_t, size_t *);
static bool pf_assign(const unsigned char *, size_t, size_t *);
static size_t nx_bearer(const unsigned char *, size_t, const size_t *);
static size_t nx_card(const unsigned char *, size_t, const size_t *);
static size_t nx_assign(const unsigned char *, size_t, const size_t *);

#define B64U "[A-Za-z0-9_-]"
#define EMAIL                                                                  \
	"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]++(?:'[A-Za-z0-9._%+-]++)*+@"    \
	"(?:[A-Za-z0-9-]++\\.)+[A-Za-z]{2,63}+(?![A-Za-z0-9-])"

static const struct jl_builtin_rule builtins[] = {
	{ .name = "jwt",
	    .pattern = "(?<![A-Za-z0-9_-])eyJ" B64U "++\\."
	               "(?:" B64U "++\\." B64U "*+|\\." B64U "++)"
	               "(?:\\." B64U "*+)*+",
	    .prefilter = pf_jwt },
	{ .name = "bearer",
	    .pattern = "(?i:\\bbearer)[ \\t]++([A-Za-z0-9._~+/-]++=*+)",
	    .group = 1,
	    .prefilter = pf_bearer,
	    .next = nx_bearer },
	{ .name = "email",
	    /* URL user info is not an email, but an email as its user is */
	    .pattern = "(?|(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*+://"
	               "(?:(" EMAIL ")(?=:))?[^\\s/?#,;\"'<>()]*@"
	               "|(" EMAIL "))",
	    .group = 1,
	    .prefilter = pf_email },
	{ .name = "aws-access-key",
	    .pattern = "(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}"
	               "(?![A-Z0-9])",
	    .prefilter = pf_aws },
	{ .name = "url-credentials",
	    .pattern = "(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*+://"
	               "[^\\s:/?#]*+:([^\\s/?#]+)@",
	    .group = 1,
	    .prefilter = pf_url },
	{ .name = "card-number",
	    .pattern = "(?<![0-9A-Za-z])[0-9](?:[ -]?+[0-9]){12,18}"
	               "(?![0-9A-Za-z])(?C1)",
	    .luhn = true,
	    .prefilter = pf_card,
	    .next = nx_card },
	{ .name = "secret-assignment",
	    .pattern = "(?i:pass(?:word|wd)|pwd|secret|token|api[_-]?key"
	               "|access[_-]?key)"
	               "(?:\\\\?[\"'])?+[ \\t]*+(?::=|=>|[:=])[ \\t]*+"
	               "(?|\"((?:[^\"\\\\]++|\\\\.)*+)\"?"
	               "|'((?:[^'\\\\]++|\\\\.)*+)'?"
	               "|([^\\s,;&]++))",
	    .group = 1,
	    .prefilter = pf_assign,
	    .next = nx_assign },
};

#define NBUILTIN (sizeof(builtins) / sizeof(builtins[0]))

const char *const jl_redact_builtin_names[] = { "jwt", "bearer", "email",
	"aws-access-key", "url-credentials", "card-number", "secret-assignment",
	NULL };

const struct jl_builtin_rule *
jl_redact_builtin(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < NBUILTIN; i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return NULL;
}

bool
jl_redact_is_builtin(const char *name)
{
	return jl_redact_builtin(name) != NULL;
}

bool
jl_redact_luhn(const unsigned char *s, size_t len)
{
	unsigned sum = 0, d;
	bool dbl = false;
	size_t i;

	for (i = len; i > 0; i--) {
		if (s[i - 1] < '0' || s[i - 1] > '9')
			continue;
		d = (unsigned)(s[i - 1] - '0');
		if (dbl && (d *= 2) > 9)
			d -= 9;
		sum += d;
		dbl = !dbl;
	}
	return sum % 10 == 0;
}

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* PCRE2's \s without UTF: space, \t, \n, \v, \f, \r. */
static bool
space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Start of the blank-delimited token that holds s[i]. */
static size_t
token_start(const unsigned char *s, size_t i)
{
	while (i > 0 && !space(s[i - 1]))
		i--;
	return i;
}

static bool
pf_jwt(const unsigned char *s, size_t len, size_t *ret_off)
{
	const unsigned char *p = s + 2, *e = s + len;

	while (len >= 3 && p < e && (p = memchr(p, 'J', (size_t)(e - p)))) {
		if (p[-2] == 'e' && p[-1] == 'y') {
			*ret_off = (size_t)(p - 2 - s);
			return true;
		}
		p++;
	}
	return false;
}

/* First case-insensitive occurrence of the lower-case word w. */
static bool
find_caseless(const unsigned char *s, size_t len, const char *w,
    size_t *ret_off)
{
	size_t n = strlen(w), i, k;
	const unsigned char *lo, *up;
	unsigned char c0 = (unsigned char)w[0];

	if (len < n)
		return false;
	lo = memchr(s, c0, len - n + 1);
	up = memchr(s, c0 - 32, len - n + 1);
	while (lo != NULL || up != NULL) {
		const unsigned char *p =
		    (up == NULL || (lo != NULL && lo < up)) ? lo : up;

		i = (size_t)(p - s);
		for (k = 1; k < n && lower(s[i + k]) == (unsigned char)w[k];
		     k++)
			;
		if (k == n) {
			*ret_off = i;
			return true;
		}
		if (p == lo)
			lo = memchr(p + 1, c0, len - n - i);
		else
			up = memchr(p + 1, c0 - 32, len - n - i);
	}
	return false;
}

static bool
pf_bearer(const unsigned char *s, size_t len, size_t *ret_off)
{
	return find_caseless(s, len, "bearer", ret_off);
}

static bool
pf_email(const unsigned char *s, size_t len, size_t *ret_off)
{
	const unsigned char *at = memchr(s, '@', len);

	if (at == NULL)
		return false;
	*ret_off = token_start(s, (size_t)(at - s));
	return true;
}

static bool
pf_url(const unsigned char *s, size_t len, size_t *ret_off)
{
	const unsigned char *p;

	if (memchr(s, '@', len) == NULL)
		return false;
	p = memmem(s, len, "://", 3);
	if (p == NULL)
		return false;
	*ret_off = token_start(s, (size_t)(p - s));
	return true;
}

static bool
pf_aws(const unsigned char *s, size_t len, size_t *ret_off)
{
	const unsigned char *p = s, *e = s + len;

	while (e - p >= 20 && (p = memchr(p, 'A', (size_t)(e - p - 19)))) {
		if ((p[1] == 'K' || p[1] == 'S' || p[1] == 'B') &&
		    p[2] == 'I' && p[3] == 'A') {
			*ret_off = (size_t)(p - s);
			return true;
		}
		if (p[1] == 'C' && p[2] == 'C' && p[3] == 'A') {
			*ret_off = (size_t)(p - s);
			return true;
		}
		p++;
	}
	return false;
}

static bool
cardch(unsigned char c)
{
	return (c >= '0' && c <= '9') || c == ' ' || c == '-';
}

/*
 * A candidate is at least 13 bytes of [0-9 -] holding 13 digits.  Look
 * at s[i + 12] only: if it cannot be part of a candidate, no candidate
 * starts in s[i..i+12], so skip 13 bytes (Boyer-Moore style).  Else take
 * the maximal [0-9 -] run around it and count its digits.
 */
static bool
pf_card(const unsigned char *s, size_t len, size_t *ret_off)
{
	size_t i = 0, a, b, digits;

	while (len >= 13 && i <= len - 13) {
		b = i + 12;
		if (!cardch(s[b])) {
			i = b + 1;
			continue;
		}
		for (a = b; a > 0 && cardch(s[a - 1]); a--)
			;
		for (digits = 0; b < len && cardch(s[b]); b++)
			;
		for (size_t k = a; k < b; k++)
			digits += s[k] >= '0' && s[k] <= '9';
		if (digits >= 13) {
			*ret_off = a;
			return true;
		}
		i = b + 1;
	}
	return false;
}

/* The keys of secret-assignment, as its pattern spells them. */
static const struct {
	const char *w;
	size_t n;
} assign_keys[] = { { "password", 8 }, { "passwd", 6 }, { "pwd", 3 },
	{ "secret", 6 }, { "token", 5 }, { "api_key", 7 }, { "api-key", 7 },
	{ "apikey", 6 }, { "access_key", 10 }, { "access-key", 10 },
	{ "accesskey", 9 } };

/* Does the key before s[k] (exclusive) end in one of assign_keys? */
static bool
assign_key_before(const unsigned char *s, size_t k, size_t *ret_off)
{
	size_t j, n, m;
	unsigned char last;

	while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
		k--;
	if (k > 0 && (s[k - 1] == '"' || s[k - 1] == '\'')) {
		k--;
		if (k > 0 && s[k - 1] == '\\')
			k--;
	}
	/* Every key ends in d, t, n or y: most separators stop here. */
	if (k < 3 ||
	    ((last = lower(s[k - 1])) != 'd' && last != 't' && last != 'n' &&
	        last != 'y'))
		return false;
	for (j = 0; j < sizeof(assign_keys) / sizeof(assign_keys[0]); j++) {
		n = assign_keys[j].n;
		if (k < n || (unsigned char)assign_keys[j].w[n - 1] != last)
			continue;
		for (m = 0; m < n - 1 &&
		     lower(s[k - n + m]) == (unsigned char)assign_keys[j].w[m];
		     m++)
			;
		if (m == n - 1) {
			*ret_off = k - n;
			return true;
		}
	}
	return false;
}

/* Every '=' and ':' in turn: is there a key right before it? */
static bool
pf_assign(const unsigned char *s, size_t len, size_t *ret_off)
{
	const unsigned char *e = s + len, *eq, *co, *p;

	eq = memchr(s, '=', len);
	co = memchr(s, ':', len);
	while (eq != NULL || co != NULL) {
		p = (co == NULL || (eq != NULL && eq < co)) ? eq : co;
		if (assign_key_before(s, (size_t)(p - s), ret_off))
			return true;
		if (p == eq)
			eq = memchr(p + 1, '=', (size_t)(e - p - 1));
		else
			co = memchr(p + 1, ':', (size_t)(e - p - 1));
	}
	return false;
}

/* Card matches may overlap (see pf_card): try the next start too. */
static size_t
nx_card(const unsigned char *s, size_t len, const size_t *ov)
{
	(void)s;
	(void)len;
	return ov[0] + 1;
}

/*
 * "Bearer Bearer tok": the token matched may be the word of the next
 * token, so go on from the token, not after it.  Linear: the token has
 * no blank, so each match moves on by a word.
 */
static size_t
nx_bearer(const unsigned char *s, size_t len, const size_t *ov)
{
	(void)s;
	(void)len;
	return ov[2] > ov[0] && ov[2] <= len ? ov[2] : ov[1];
}

static bool
assign_sep(unsigned char c)
{
	return c == ':' || c == '=' || c == '>';
}

/*
 * A value can swallow the key of an assignment whose own value then runs
 * on past it and shows: "password: password: x" (the value is
 * "password:"), key= api_key:"a,b" (the value is api_key:"a), or
 * key="db_password" = x.  So the search goes on from the earliest of:
 * the last key and separator inside the value, and a key that ends the
 * value when a separator follows it.  Both lie inside the value, after
 * its start, so the search moves on; the scan of each value is linear
 * and values of successive matches hardly overlap.
 */
static size_t
nx_assign(const unsigned char *s, size_t len, const size_t *ov)
{
	size_t v0 = ov[2], v1 = ov[3], j, off, next = ov[1];

	if (v0 >= v1 || v1 > len || ov[1] > len)
		return ov[1];
	for (j = ov[1]; j < len && (s[j] == ' ' || s[j] == '\t'); j++)
		;
	if (j < len && assign_sep(s[j]) && assign_key_before(s, j, &off) &&
	    off >= v0 && off > ov[0])
		next = off;
	for (j = v1; j > v0; j--)
		if (assign_sep(s[j - 1]) && assign_key_before(s, j - 1, &off) &&
		    off >= v0 && off > ov[0]) {
			next = off < next ? off : next;
			break;
		}
	return next;
}

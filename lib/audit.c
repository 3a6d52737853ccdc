/* SPDX-License-Identifier: ISC */
/*
 * Events and the audit hash chain: the canonical encoding of an event,
 * its chain hash, hex helpers, and an event as the JSON object of SPEC
 * section 6.
 *
 * canonical(ev) is the concatenation, in this order, of
 *	seq, at, event, grant_id, actor, user, resource, detail
 * each as an 8-byte big-endian length followed by that many bytes:
 * integers are 8 bytes of big-endian two's complement (length 8);
 * strings their bytes; an absent (NULL) string has the length
 * 0xffffffffffffffff and no bytes, so it differs from "".  With every
 * field length-prefixed, no two different events encode alike, however
 * text is split between fields.  The chain hash is unkeyed BLAKE2b-256
 * (libsodium crypto_generichash) over prev || canonical(ev), so anyone
 * can re-verify an exported chain (Python: hashlib.blake2b(digest_size=32)).
 *
 * MUST: never change this encoding for existing rows; it is the chain.
 */
#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <string.h>

#include "jitlog/audit.h"

#define ABSENT UINT64_MAX

/* Contract: ev with nothing set but the event name and time. */
void
jl_event_init(struct jl_event *ev, const char *event, int64_t at)
{
	memset(ev, 0, sizeof(*ev));
	ev->event = event;
	ev->at = at;
	ev->bytes = -1;
}

static void
put_len(crypto_generichash_state *h, uint64_t n)
{
	uint8_t b[8];
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (uint8_t)(n & 0xff);
		n >>= 8;
	}
	crypto_generichash_update(h, b, sizeof(b));
}

static void
put_int(crypto_generichash_state *h, int64_t v)
{
	put_len(h, 8);
	put_len(h, (uint64_t)v);
}

static void
put_str(crypto_generichash_state *h, const char *s)
{
	size_t n;

	if (s == NULL) {
		put_len(h, ABSENT);
		return;
	}
	n = strlen(s);
	put_len(h, (uint64_t)n);
	crypto_generichash_update(h, (const unsigned char *)s, n);
}

/* Contract: see audit.h.  Safe from several threads (sodium_init is). */
int
jl_audit_hash(const uint8_t prev[JL_HASH_BYTES], const struct jl_event *ev,
    uint8_t out[JL_HASH_BYTES])
{
	crypto_generichash_state h;

	/* Picks the fastest BLAKE2b implementation; idempotent and
	 * thread-safe, returns 1 once initialised. */
	if (sodium_init() < 0)
		return -ENOMEM;
	if (crypto_generichash_init(&h, NULL, 0, JL_HASH_BYTES) != 0)
		return -ENOMEM;
	crypto_generichash_update(&h, prev, JL_HASH_BYTES);
	put_int(&h, ev->seq);
	put_int(&h, ev->at);
	put_str(&h, ev->event);
	put_int(&h, ev->grant_id);
	put_str(&h, ev->actor);
	put_str(&h, ev->user);
	put_str(&h, ev->resource);
	put_str(&h, ev->detail);
	if (crypto_generichash_final(&h, out, JL_HASH_BYTES) != 0)
		return -ENOMEM;
	return 0;
}

/* Contract: lowercase hex of in[0..n) into out (2n+1 bytes). */
void
jl_hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

static int
nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Contract: exactly 2n hex digits (then NUL) into out[0..n); 0 or
 * -EINVAL, out untouched on error. */
int
jl_unhex(const char *in, uint8_t *out, size_t n)
{
	uint8_t tmp[256];
	size_t i;
	int hi, lo;

	if (n > sizeof(tmp) || strlen(in) != 2 * n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		hi = nibble(in[2 * i]);
		lo = nibble(in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		tmp[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(out, tmp, n);
	return 0;
}

/* ", \"key\": " */
static int
json_key(struct jl_buf *b, const char *key)
{
	int r;

	r = jl_buf_puts(b, ", ");
	if (r == 0)
		r = jl_json_str(b, key);
	if (r == 0)
		r = jl_buf_puts(b, ": ");
	return r;
}

/* Contract: see audit.h.  Appends one object to out; detail (our own
 * JSON, "{}" when NULL) is embedded as is and must be an object, else
 * -EINVAL and nothing is appended. */
int
jl_event_to_json(const struct jl_event *ev, struct jl_buf *out)
{
	const char *detail = ev->detail != NULL ? ev->detail : "{}";
	size_t mark = out->len;
	int r;

	if (detail[0] != '{')
		return -EINVAL;
	r = jl_buf_printf(out, "{\"seq\": %lld", (long long)ev->seq);
	if (r == 0)
		r = json_key(out, "at");
	if (r == 0)
		r = jl_json_time(out, ev->at);
	if (r == 0)
		r = json_key(out, "event");
	if (r == 0)
		r = jl_json_str(out, ev->event);
	if (r == 0)
		r = json_key(out, "grant_id");
	if (r == 0)
		r = ev->grant_id != 0 ?
		    jl_buf_printf(out, "%lld", (long long)ev->grant_id) :
		    jl_buf_puts(out, "null");
	if (r == 0)
		r = json_key(out, "actor");
	if (r == 0)
		r = jl_json_str(out, ev->actor);
	if (r == 0)
		r = json_key(out, "user");
	if (r == 0)
		r = jl_json_str(out, ev->user);
	if (r == 0)
		r = json_key(out, "resource");
	if (r == 0)
		r = jl_json_str(out, ev->resource);
	if (r == 0)
		r = json_key(out, "detail");
	if (r == 0)
		r = jl_buf_puts(out, detail);
	if (r == 0)
		r = json_key(out, "hash");
	if (r == 0)
		r = jl_json_str(out, ev->hash[0] != '\0' ? ev->hash : NULL);
	if (r == 0)
		r = jl_buf_puts(out, "}");
	if (r < 0 && out->data != NULL) {
		out->len = mark;
		out->data[mark] = '\0';
	}
	return r;
}

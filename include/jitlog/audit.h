/* SPDX-License-Identifier: ISC */
/*
 * Events and the audit hash chain.  Every action is an event; the store's
 * audit table holds them in seq order, each with
 *
 *	hash[n] = BLAKE2b-256(hash[n-1] || canonical(event n))
 *
 * (hash[0] = 32 zero bytes).  canonical() is a length-prefixed encoding of
 * seq, at, event, grant_id, actor, user, resource and detail, so that no
 * two different events encode alike: each field is an 8-byte big-endian
 * length and its bytes; integers are 8 bytes big-endian; an absent (NULL)
 * string has length 2^64-1 and no bytes.  The hash is stored as lowercase
 * hex.  Editing, deleting, inserting or
 * reordering rows breaks the chain at the first touched row.
 */
#ifndef JITLOG_AUDIT_H
#define JITLOG_AUDIT_H

#include <stdint.h>

#include "jitlog/common.h"

#define JL_HASH_BYTES 32
#define JL_HASH_HEX   (JL_HASH_BYTES * 2 + 1)

struct jl_event {
	/* Chained fields (stored and hashed). */
	int64_t seq; /* set by the store */
	int64_t at;
	const char *event;      /* "request", "approve", ... */
	int64_t grant_id;       /* 0: none */
	const char *actor;      /* who acted (NULL: none) */
	const char *user;       /* whose grant (NULL: none) */
	const char *resource;   /* NULL: none */
	const char *detail;     /* JSON object text, "{}" when empty */
	char hash[JL_HASH_HEX]; /* set by the store */
	/* Journal-only annotations (not stored separately; put them in
	 * detail too when they belong in the audit trail). */
	const char *file;
	const char *reason;
	const char *ticket;
	int64_t expires; /* 0: none */
	const char *service;
	const char *rhost;
	const char *tty;
	int64_t bytes; /* < 0: none */
	int priority;  /* syslog priority, 0 = default (LOG_NOTICE) */
};

/* Initialise ev to "nothing set" (bytes = -1). */
void jl_event_init(struct jl_event *ev, const char *event, int64_t at);

/* hash = BLAKE2b-256(prev || canonical(ev)).  0 or -ENOMEM. */
int jl_audit_hash(const uint8_t prev[JL_HASH_BYTES], const struct jl_event *ev,
    uint8_t out[JL_HASH_BYTES]);
void jl_hex(const uint8_t *in, size_t n, char *out);  /* out: 2n+1 */
int jl_unhex(const char *in, uint8_t *out, size_t n); /* 0 or -EINVAL */

/* An event as the JSON object of SPEC section 6. */
int jl_event_to_json(const struct jl_event *ev, struct jl_buf *out);

#endif

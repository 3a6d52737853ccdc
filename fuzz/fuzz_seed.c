/* SPDX-License-Identifier: ISC */
/*
 * The seed store of fuzz_seed.h, written through the store's own API
 * (init, grant insert, audit append, one transaction per grant) so that
 * it is exactly what jitlog itself writes.
 */
#define _GNU_SOURCE /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_seed.h"
#include "jitlog/audit.h"
#include "jitlog/grant.h"
#include "jitlog/store.h"

#define HOUR 3600

struct seed {
	const char *user;
	uid_t uid;
	const char *resource;
	enum jl_status status;
	int64_t start, end; /* relative to now, for approved grants */
	const char *event;  /* the last event of the grant */
};

static const struct seed seeds[] = {
	{ "root", 0, "other", JL_ST_APPROVED, -HOUR, 24 * HOUR, "approve" },
	{ "root", 0, "app", JL_ST_APPROVED, -3 * HOUR, -HOUR, "approve" },
	{ "root", 0, "app", JL_ST_PENDING, 0, 0, "request" },
	{ "daemon", 1, "app", JL_ST_APPROVED, -HOUR, 24 * HOUR, "approve" },
	{ "bin", 2, "app", JL_ST_DENIED, 0, 0, "deny" },
	{ "bin", 2, "other", JL_ST_REVOKED, -HOUR, HOUR, "revoke" },
};

static int
seed_one(struct jl_store *st, const struct seed *s, int64_t now,
    struct jl_error *err)
{
	struct jl_approval a = { .by = (char *)(uintptr_t) "sys",
		.uid = 3,
		.at = now - 4 * HOUR };
	struct jl_grant g = { 0 };
	struct jl_event ev;
	int r;

	g.user = (char *)(uintptr_t)s->user;
	g.uid = s->uid;
	g.resource = (char *)(uintptr_t)s->resource;
	g.status = s->status;
	g.reason = (char *)(uintptr_t) "seed";
	g.requested_at = now - 5 * HOUR;
	g.duration_s = s->end > s->start ? s->end - s->start : HOUR;
	g.approvals_required = 1;
	if (s->status == JL_ST_APPROVED || s->status == JL_ST_REVOKED) {
		g.starts_at = now + s->start;
		g.expires_at = now + s->end;
		g.approvals = &a;
		g.napprovals = 1;
	}
	if (s->status == JL_ST_DENIED || s->status == JL_ST_REVOKED) {
		g.ended_at = now - HOUR;
		g.ended_by = (char *)(uintptr_t) "sys";
	}
	if ((r = jl_store_begin(st, err)) < 0)
		return r;
	if ((r = jl_store_grant_insert(st, &g, err)) < 0)
		goto fail;
	jl_event_init(&ev, "request", g.requested_at);
	ev.grant_id = g.id;
	ev.actor = ev.user = s->user;
	ev.resource = s->resource;
	if ((r = jl_store_audit_append(st, &ev, err)) < 0)
		goto fail;
	if (strcmp(s->event, "request") != 0) {
		jl_event_init(&ev, s->event, now - HOUR);
		ev.grant_id = g.id;
		ev.actor = "sys";
		ev.user = s->user;
		ev.resource = s->resource;
		ev.detail = "{\"comment\":\"seed\"}";
		if ((r = jl_store_audit_append(st, &ev, err)) < 0)
			goto fail;
	}
	return jl_store_commit(st, err);
fail:
	jl_store_rollback(st);
	return r;
}

int
fz_seed_store(const char *path, int64_t now, struct jl_error *err)
{
	struct jl_store_opts o;
	struct jl_store *st = NULL;
	size_t i;
	int r;

	if ((r = jl_store_init(path, (gid_t)-1, err)) < 0)
		return r;
	jl_store_opts_default(&o);
	o.owner = (uid_t)-1;
	if ((r = jl_store_open(path, &o, &st, err)) < 0)
		return r;
	for (i = 0; r == 0 && i < sizeof(seeds) / sizeof(seeds[0]); i++)
		r = seed_one(st, &seeds[i], now, err);
	jl_store_close(st);
	return r;
}

char *
fz_seed_config(const char *db_path)
{
	static const char fmt[] =
	    "database = \"%s\";\n"
	    "admins = [ \"%%sudo\" ];\n"
	    "resources = (\n"
	    "  { name = \"app\"; approvers = [ \"%%adm\", \"sys\" ];\n"
	    "    paths = [ \"/var/log/app.log\" ]; },\n"
	    "  { name = \"other\"; approvers = [ \"sys\" ]; }\n"
	    ");\n";
	char *s = NULL;

	if (asprintf(&s, fmt, db_path) < 0)
		abort();
	return s;
}

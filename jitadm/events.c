/* SPDX-License-Identifier: ISC */
/*
 * The events a command committed, and the notifications they make.  The
 * core calls ja_on_commit() after each COMMIT (jl_ctx.on_commit); the
 * event is kept here as JSON and as its one-line journal text (sweep
 * prints those).  After the command printed its result, main() calls
 * ja_events_notify(): notify_command runs once per notified event, in
 * order, each bounded by JL_NOTIFY_TIMEOUT_MS, so a slow hook delays the
 * end of jitadm but never the command's output, and a failing one never
 * changes its exit status.  A failure is logged to the journal as a
 * "notify_failed" entry (priority warning; not an audit event).
 *
 * Who the hook runs as (jitadm(8), NOTIFICATIONS): when root runs jitadm,
 * the "nobody" account; otherwise the caller's own real uid and gid, the
 * jitlog group dropped (a set-group-ID program cannot become anybody
 * else).  Never root, never the jitlog group (jl_notify_run checks).
 */
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "jitadm.h"
#include "jitlog/journal.h"
#include "jitlog/notify.h"

struct ja_event {
	char *event;    /* its name */
	char *json;     /* jl_event_to_json */
	char *line;     /* "event: " and jl_journal_message (escaped) */
	char *user;     /* whose grant (NULL: none) */
	char *resource; /* NULL: none */
	int64_t grant_id;
};

struct ja_events {
	struct ja_event *v;
	size_t n;
	bool lost; /* an event could not be kept (out of memory) */
};

static char *
dup_or_null(const char *s, bool *fail)
{
	char *p;

	if (s == NULL)
		return NULL;
	if ((p = strdup(s)) == NULL)
		*fail = true;
	return p;
}

static void
event_clear(struct ja_event *e)
{
	free(e->event);
	free(e->json);
	free(e->line);
	free(e->user);
	free(e->resource);
	memset(e, 0, sizeof(*e));
}

/* Keep a copy of ev (its strings live only during the call). */
void
ja_on_commit(void *arg, const struct jl_event *ev)
{
	struct ja *ja = arg;
	struct ja_event e = { 0 }, *nv;
	struct jl_buf j = { NULL, 0, 0 }, l = { NULL, 0, 0 };
	bool fail = false;

	if (ja->events == NULL &&
	    (ja->events = calloc(1, sizeof(*ja->events))) == NULL)
		return;
	e.event = dup_or_null(ev->event, &fail);
	e.user = dup_or_null(ev->user, &fail);
	e.resource = dup_or_null(ev->resource, &fail);
	e.grant_id = ev->grant_id;
	if (jl_event_to_json(ev, &j) < 0 || jl_buf_steal(&j, &e.json) < 0 ||
	    jl_buf_printf(&l, "%s: ", ev->event) < 0 ||
	    jl_journal_message(ev, &l) < 0 || jl_buf_steal(&l, &e.line) < 0)
		fail = true;
	jl_buf_free(&j);
	jl_buf_free(&l);
	nv = fail ? NULL :
	            reallocarray(ja->events->v, ja->events->n + 1, sizeof(*nv));
	if (nv == NULL) {
		event_clear(&e);
		ja->events->lost = true;
		return;
	}
	nv[ja->events->n++] = e;
	ja->events->v = nv;
}

size_t
ja_events_count(const struct ja *ja)
{
	return ja->events != NULL ? ja->events->n : 0;
}

const char *
ja_event_line(const struct ja *ja, size_t i)
{
	return ja->events->v[i].line;
}

const char *
ja_event_json(const struct ja *ja, size_t i)
{
	return ja->events->v[i].json;
}

/* The journal warning for a notification that failed. */
static void
log_failure(const struct ja *ja, const struct ja_event *e, const char *kind,
    const char *msg)
{
	struct jl_event ev;
	struct jl_buf d = { NULL, 0, 0 };

	if (jl_buf_puts(&d, "{\"notify\":") < 0 || jl_json_str(&d, kind) < 0 ||
	    jl_buf_puts(&d, ",\"error\":") < 0 || jl_json_str(&d, msg) < 0 ||
	    jl_buf_puts(&d, "}") < 0) {
		jl_buf_free(&d);
		return;
	}
	jl_event_init(&ev, "notify_failed", (int64_t)time(NULL));
	ev.grant_id = e->grant_id;
	ev.actor = ja->who.name;
	ev.user = e->user;
	ev.resource = e->resource;
	ev.detail = d.data;
	ev.reason = msg;
	ev.priority = LOG_WARNING;
	(void)jl_journal_emit("jitadm", &ev);
	jl_buf_free(&d);
}

/* Run notify_command for e, as account o.  Failures are logged. */
static void
notify_one(const struct ja *ja, const struct ja_event *e,
    const struct jl_notify_opts *o)
{
	struct jl_error err = { "" };
	struct jl_buf b = { NULL, 0, 0 };
	const char *kind = jl_notify_kind(e->event);
	int r;

	if (kind == NULL)
		return;
	r = jl_notify_json(e->json, kind,
	    e->resource != NULL ? jl_config_resource(ja->cfg, e->resource) :
	                          NULL,
	    &b);
	if (r < 0)
		(void)jl_error_set(&err, r, "cannot format the notification");
	else
		r = jl_notify_run(o, b.data, b.len, NULL, &err);
	if (r != 0)
		log_failure(ja, e, kind, err.msg);
	jl_buf_free(&b);
}

/* Contract: see jitadm.h.  Nothing to do without notify_command. */
void
ja_events_notify(struct ja *ja)
{
	struct jl_notify_opts o;
	struct ja_event lost = { 0 };
	size_t i;
	int r;

	if (ja->events == NULL || ja->cfg == NULL ||
	    ja->cfg->notify_command == NULL)
		return;
	memset(&o, 0, sizeof(o));
	o.command = ja->cfg->notify_command;
	o.forbidden_gid = ja->gid;
	o.timeout_ms = JL_NOTIFY_TIMEOUT_MS;
	r = jl_notify_account(getuid(), getgid(), &o.uid, &o.gid);
	if (r < 0 || ja->events->lost) {
		log_failure(ja, &lost, "all",
		    r < 0 ? "cannot find the account notifications run as" :
		            "out of memory: events were not kept");
		if (r < 0)
			return;
	}
	for (i = 0; i < ja->events->n; i++)
		notify_one(ja, &ja->events->v[i], &o);
}

void
ja_events_free(struct ja *ja)
{
	size_t i;

	if (ja->events == NULL)
		return;
	for (i = 0; i < ja->events->n; i++)
		event_clear(&ja->events->v[i]);
	free(ja->events->v);
	JL_FREE(ja->events);
}

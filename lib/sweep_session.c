/* SPDX-License-Identifier: ISC */
/*
 * The sessions part of the sweep (sweep.h): the PAM sessions that outlive
 * their grant are ended.  pam_jitlog recorded, for each session, the pid
 * of the process that opened it (for sshd, the session's privileged
 * process) and that process's start time; jl_sweep_end_process
 * (sweep_proc.c) ends it and the processes below it, and the session is
 * marked terminated with a session_terminated event.
 *
 * MUST (sweep.h; tests/unit/test_sweep.c, tests/integration/ops_sweep_ssh.sh):
 *  - end no session whose resource sets terminate_sessions = false, and
 *    none whose user still holds an active grant on that resource (an
 *    extension, a second grant: access holds while any grant holds);
 *  - signal only through jl_sweep_end_process, which checks the recorded
 *    start time (a reused pid is never hit);
 *  - no signal while a transaction is open; the mark and its event in one
 *    transaction afterwards, skipped when another sweep marked the
 *    session meanwhile, or when it closed by itself before any signal.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jitlog/store.h"
#include "jitlog/sweep.h"
#include "ops_int.h"
#include "sweep_int.h"

static const char *const outcome_names[] = { "gone", "hup", "term" };

/*
 * Is session ss to be ended at c->now?  1 yes (*ret_resource, malloc'd,
 * is its grant's resource), 0 no, -errno.
 */
static int
session_due(struct jl_ctx *c, const struct jl_session *ss, char **ret_resource,
    struct jl_error *err)
{
	const struct jl_resource *res;
	struct jl_grant *g = NULL;
	int64_t id = 0, exp = 0;
	int r;

	if ((r = jl_store_grant_get(c->store, ss->grant_id, &g, err)) < 0)
		return r;
	res = jl_config_resource(c->cfg, g->resource);
	if (res != NULL && !res->terminate_sessions) {
		r = 0;
		goto out;
	}
	r = jl_store_grant_find_active(c->store, g->user, g->uid, g->resource,
	    c->now, &id, &exp, err);
	if (r != 0) {
		r = r > 0 ? 0 : r;
		goto out;
	}
	if ((*ret_resource = strdup(g->resource)) == NULL)
		r = jl_error_set(err, ENOMEM, "out of memory");
	else
		r = 1;
out:
	jl_grant_free(g);
	return r;
}

/* {"session_id":..,"pid":..,"outcome":..} */
static int
detail_json(const struct jl_session *ss, int outcome, char **ret)
{
	struct jl_ops_json o = { { NULL, 0, 0 }, 0 };

	jl_ops_json_int(&o, "session_id", ss->id);
	jl_ops_json_int(&o, "pid", ss->pid);
	jl_ops_json_time(&o, "opened_at", ss->opened_at);
	jl_ops_json_str(&o, "outcome", outcome_names[outcome]);
	return jl_ops_json_end(&o, ret);
}

/* Mark ss terminated with its event.  1 done, 0 not needed, -errno. */
static int
mark(struct jl_ctx *c, const struct jl_session *ss, const char *resource,
    int outcome, struct jl_error *err)
{
	struct jl_session cur = { 0 };
	struct jl_event ev;
	char *detail = NULL;
	int r;

	if ((r = detail_json(ss, outcome, &detail)) < 0)
		return jl_error_set(err, r, "out of memory");
	if ((r = jl_store_begin(c->store, err)) < 0)
		goto out;
	if ((r = jl_store_session_get(c->store, ss->id, &cur, err)) < 0)
		goto out;
	/* Another sweep was first, or it closed by itself: nothing to add. */
	if (cur.terminated_at != 0 || (outcome == 0 && cur.closed_at != 0)) {
		r = 0;
		goto out;
	}
	if ((r = jl_store_session_mark_terminated(c->store, ss->id, c->now,
	         err)) < 0)
		goto out;
	jl_event_init(&ev, "session_terminated", c->now);
	ev.grant_id = ss->grant_id;
	ev.actor = c->who->name;
	ev.user = ss->user;
	ev.resource = resource;
	ev.detail = detail;
	ev.service = ss->service;
	ev.rhost = ss->rhost;
	ev.tty = ss->tty;
	if ((r = jl_ctx_commit_event(c, &ev, err)) == 0)
		r = 1;
out:
	if (r <= 0)
		jl_store_rollback(c->store);
	jl_session_clear(&cur);
	free(detail);
	return r;
}

static void
end_session(struct jl_sweep_run *s, const struct jl_session *ss)
{
	struct jl_error e = { "" };
	char *resource = NULL;
	int r, outcome;

	r = session_due(s->c, ss, &resource, &e);
	if (r <= 0) {
		jl_sweep_note(s, r, &e);
		return;
	}
	outcome = jl_sweep_end_process(ss->pid, ss->pid_start, s->wait_ms);
	if (outcome < 0) {
		r = jl_error_set(&e, outcome,
		    "cannot end session %lld (pid %lld)%s", (long long)ss->id,
		    (long long)ss->pid,
		    outcome == -ETIMEDOUT ?
		        ": still running after SIGHUP and SIGTERM" :
		        "");
	} else {
		r = mark(s->c, ss, resource, outcome, &e);
		if (r == 1)
			s->st->terminated++;
	}
	jl_sweep_note(s, r, &e);
	free(resource);
}

/* Contract: see sweep_int.h. */
void
jl_sweep_sessions(struct jl_sweep_run *s)
{
	struct jl_session *v = NULL;
	struct jl_error e = { "" };
	size_t n = 0, i;
	int r;

	r = jl_store_session_list_stale(s->c->store, s->c->now, &v, &n, &e);
	jl_sweep_note(s, r, &e);
	for (i = 0; r == 0 && i < n; i++)
		end_session(s, &v[i]);
	jl_sessions_free(v, n);
}

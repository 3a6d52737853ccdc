/* SPDX-License-Identifier: ISC */
/*
 * The sessions part of the sweep (sweep.h): the PAM sessions that outlive
 * their grant are ended.  pam_jitlog recorded, for each session, the pid
 * of the process that opened it (for sshd, the session's privileged
 * process) and that process's start time.  A session is ended with SIGHUP,
 * then SIGTERM if it is still there after the wait, and marked terminated
 * with a session_terminated event.
 *
 * MUST (sweep.h; tests/unit/test_sweep.c, tests/integration/ops_sweep_ssh.sh):
 *  - signal only the process that opened the session: pidfd_open(pid)
 *    first, then the start time read from /proc compared with the
 *    recorded one, then every signal through that pidfd, so that a pid
 *    reused at any moment is never signalled (the pidfd of a process that
 *    ended refers to nothing); never pid 0 or 1, never without a
 *    recorded start time;
 *  - end no session whose resource sets terminate_sessions = false, and
 *    none whose user still holds an active grant on that resource (an
 *    extension, a second grant: access holds while any grant holds);
 *  - no signal while a transaction is open; the mark and its event in one
 *    transaction afterwards, skipped when another sweep marked the
 *    session meanwhile, or when it closed by itself before any signal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <time.h>
#include <unistd.h>

#include "jitlog/session.h"
#include "jitlog/store.h"
#include "jitlog/sweep.h"
#include "ops_int.h"
#include "sweep_int.h"

static const char *const outcome_names[] = { "gone", "hup", "term" };

static int64_t
mono_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait up to ms for the process of pidfd to end: 1 ended, 0 not, -errno. */
static int
wait_exit(int pidfd, int ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int64_t end = mono_ms() + ms, left;
	int n;

	for (;;) {
		left = end - mono_ms();
		n = poll(&p, 1, left > 0 ? (int)left : 0);
		if (n > 0)
			return 1;
		if (n == 0 && left <= 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/* Send sig through pidfd and wait: 1 ended, 0 still there, -errno. */
static int
signal_wait(int pidfd, int sig, int ms)
{
	if (pidfd_send_signal(pidfd, sig, NULL, 0) < 0)
		return errno == ESRCH ? 1 : -errno;
	return wait_exit(pidfd, ms);
}

int
jl_sweep_end_process(int64_t pid, int64_t pid_start, int wait_ms)
{
	int64_t start = 0;
	int fd, r;

	if (pid <= 1 || pid > INT32_MAX || pid_start <= 0 || wait_ms < 0)
		return -EINVAL;
	fd = pidfd_open((pid_t)pid, 0);
	if (fd < 0)
		return errno == ESRCH ? 0 : -errno;
	/* From here on fd is one process: if it is the one that started at
	 * pid_start, it is the session's; else leave it alone. */
	r = jl_session_pid_start((pid_t)pid, &start);
	if (r == -ENOENT || r == -ESRCH || (r == 0 && start != pid_start)) {
		r = 0;
		goto out;
	}
	if (r < 0)
		goto out;
	if ((r = wait_exit(fd, 0)) != 0) { /* ended (a zombie) already */
		r = r > 0 ? 0 : r;
		goto out;
	}
	if ((r = signal_wait(fd, SIGHUP, wait_ms)) != 0) {
		r = r > 0 ? 1 : r;
		goto out;
	}
	if ((r = signal_wait(fd, SIGTERM, wait_ms)) != 0) {
		r = r > 0 ? 2 : r;
		goto out;
	}
	r = -ETIMEDOUT;
out:
	(void)close(fd);
	return r;
}

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
	r = jl_store_grant_find_active(c->store, ss->user, g->resource, c->now,
	    &id, &exp, err);
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

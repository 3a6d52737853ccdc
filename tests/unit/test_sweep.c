/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the sweep (lib/sweep.c, lib/sweep_session.c) against a
 * real store with an injected clock: expiry (once, with the grant that
 * continues it), lapse, escalation (escalate_to may approve only after
 * it, and a lapsed request is not escalated), the "expiring" reminder
 * (once, not when access continues), idempotence (a second sweep adds no
 * event), and the end of PAM sessions on child processes of the test:
 * SIGHUP, then SIGTERM for one that ignores SIGHUP, the processes the
 * session's process started (its shell and command), nothing for a pid
 * whose start time does not match, for a resource without
 * terminate_sessions or while another grant holds, and a failure (not a
 * mark) for a process that survives both signals.
 */
#define _GNU_SOURCE /* nftw */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "t.h"
#include "ops_fixture.h"
#include "jitlog/session.h"
#include "jitlog/sweep.h"

static const char config_text[] =
    "database = \"/nonexistent/jitlog.db\";\n"
    "admins = [ \"dave\" ];\n"
    "request_ttl = \"1h\";\n"
    "remind_before = \"10m\";\n"
    "resources = (\n"
    "  { name = \"app\"; paths = [ \"/var/log/app.log\" ];\n"
    "    requesters = [ \"alice\", \"bob\" ];\n"
    "    approvers = [ \"bob\", \"carol\" ];\n"
    "    default_duration = \"1h\"; max_duration = \"4h\";\n"
    "    escalate_after = \"10m\"; escalate_to = [ \"erin\" ]; },\n"
    "  { name = \"keep\"; paths = [ \"/var/log/keep.log\" ];\n"
    "    requesters = [ \"alice\" ]; approvers = [ \"bob\" ];\n"
    "    terminate_sessions = false; }\n"
    ");\n";

static const struct jl_sweep_opts fast = { .signal_wait_ms = 300 };

/* One sweep at t by root; returns its stats, asserts the result. */
static struct jl_sweep_stats
sweep_at(struct jl_ctx *c, int64_t t, int want)
{
	struct jl_sweep_stats st;
	struct jl_error err = { "" };
	const struct jl_ident *saved = c->who;
	int r;

	c->now = t;
	c->who = &root;
	r = jl_sweep(c, &fast, &st, &err);
	c->who = saved;
	T_ASSERT_INTEQ(r, want);
	if (r != want)
		fprintf(stderr, "sweep: %s\n", err.msg);
	return st;
}

static unsigned
total(const struct jl_sweep_stats *s)
{
	return s->expired + s->lapsed + s->escalated + s->reminded +
	    s->terminated;
}

static void
test_expire_and_remind(void)
{
	struct jl_ctx c;
	struct jl_sweep_stats s;
	struct fx_event ev;
	struct jl_grant *g;
	int64_t id, n;

	fx_store(&c, &bob);
	id = fx_active(&c, &alice, &bob, "app", HOUR);
	n = fx_nevents(c.store);
	/* Half way: nothing is due. */
	s = sweep_at(&c, T0 + 30 * MIN, 0);
	T_ASSERT_INTEQ(total(&s), 0);
	T_ASSERT_INTEQ(fx_nevents(c.store), n);
	/* 10 minutes left: one reminder, and only one. */
	s = sweep_at(&c, T0 + 50 * MIN, 0);
	T_ASSERT_INTEQ(s.reminded, 1);
	T_ASSERT_INTEQ(total(&s), 1);
	ev = fx_last(c.store, id);
	T_ASSERT_STREQ(ev.event, "expiring");
	T_ASSERT_STREQ(ev.actor, "root");
	T_ASSERT(strstr(ev.detail, "\"remaining_s\":600") != NULL);
	T_ASSERT_INTEQ(fx_status(&c, id), JL_ST_APPROVED);
	s = sweep_at(&c, T0 + 55 * MIN, 0);
	T_ASSERT_INTEQ(total(&s), 0);
	T_ASSERT_INTEQ(fx_nevents(c.store), n + 1);
	/* Still active one second before the end. */
	s = sweep_at(&c, T0 + HOUR - 1, 0);
	T_ASSERT_INTEQ(total(&s), 0);
	/* Ended: marked expired with its event, once. */
	s = sweep_at(&c, T0 + HOUR, 0);
	T_ASSERT_INTEQ(s.expired, 1);
	T_ASSERT_INTEQ(total(&s), 1);
	g = fx_get(c.store, id);
	if (g != NULL) {
		T_ASSERT_INTEQ(g->status, JL_ST_EXPIRED);
		T_ASSERT_INTEQ(g->ended_at, T0 + HOUR);
		T_ASSERT_INTEQ(g->expires_at, T0 + HOUR);
	}
	jl_grant_free(g);
	ev = fx_last(c.store, 0);
	T_ASSERT_STREQ(ev.event, "expire");
	T_ASSERT_INTEQ(ev.grant_id, id);
	T_ASSERT(strstr(ev.detail, "\"continued_by\":null") != NULL);
	T_ASSERT_INTEQ(fx_nevents(c.store), n + 2);
	s = sweep_at(&c, T0 + 2 * HOUR, 0);
	T_ASSERT_INTEQ(total(&s), 0);
	T_ASSERT_INTEQ(fx_nevents(c.store), n + 2);
	T_ASSERT_INTEQ(fx_state(&c, id), JL_EXPIRED);
	jl_store_close(c.store);
}

static void
test_lapse(void)
{
	struct jl_ctx c;
	struct jl_sweep_stats s;
	struct jl_grant *g;
	int64_t id, n;

	fx_store(&c, &bob);
	c.now = T0 + 50 * MIN;
	id = fx_request(&c, &alice, "keep", 0);
	n = fx_nevents(c.store);
	s = sweep_at(&c, T0 + 50 * MIN + HOUR - 1, 0);
	T_ASSERT_INTEQ(total(&s), 0);
	s = sweep_at(&c, T0 + 50 * MIN + HOUR, 0);
	T_ASSERT_INTEQ(s.lapsed, 1);
	T_ASSERT_INTEQ(total(&s), 1);
	g = fx_get(c.store, id);
	if (g != NULL) {
		T_ASSERT_INTEQ(g->status, JL_ST_LAPSED);
		T_ASSERT_INTEQ(g->ended_at, T0 + 50 * MIN + HOUR);
	}
	jl_grant_free(g);
	T_ASSERT_STREQ(fx_last(c.store, id).event, "lapse");
	s = sweep_at(&c, T0 + 3 * HOUR, 0);
	T_ASSERT_INTEQ(total(&s), 0);
	T_ASSERT_INTEQ(fx_nevents(c.store), n + 1);
	/* A lapsed request stays unapprovable. */
	T_ASSERT_INTEQ(fx_approve(&c, &bob, id), JL_REFUSED);
	jl_store_close(c.store);
}

static void
test_escalate(void)
{
	struct jl_ctx c;
	struct jl_sweep_stats s;
	struct jl_grant *g;
	int64_t id, late, n;

	fx_store(&c, &bob);
	id = fx_request(&c, &alice, "app", 0);
	late = fx_request(&c, &alice, "app", 0);
	/* erin is escalate_to: not an approver before the escalation. */
	c.now = T0 + 5 * MIN;
	T_ASSERT_INTEQ(fx_approve(&c, &erin, id), JL_REFUSED);
	s = sweep_at(&c, T0 + 10 * MIN - 1, 0);
	T_ASSERT_INTEQ(total(&s), 0);
	/* Not even at escalate_after without a sweep recording it. */
	c.now = T0 + 10 * MIN;
	T_ASSERT_INTEQ(fx_approve(&c, &erin, id), JL_REFUSED);
	n = fx_nevents(c.store);
	s = sweep_at(&c, T0 + 10 * MIN, 0);
	T_ASSERT_INTEQ(s.escalated, 2);
	T_ASSERT_INTEQ(total(&s), 2);
	T_ASSERT_INTEQ(fx_nevents(c.store), n + 2);
	g = fx_get(c.store, id);
	T_ASSERT(g != NULL && g->escalated_at == T0 + 10 * MIN);
	jl_grant_free(g);
	T_ASSERT_STREQ(fx_last(c.store, id).event, "escalate");
	/* Once. */
	s = sweep_at(&c, T0 + 20 * MIN, 0);
	T_ASSERT_INTEQ(total(&s), 0);
	/* Now erin may approve. */
	c.now = T0 + 21 * MIN;
	T_ASSERT_INTEQ(fx_approve(&c, &erin, id), 0);
	T_ASSERT_INTEQ(fx_state(&c, id), JL_ACTIVE);
	/* The other one lapses at the TTL; a lapsed one is not escalated. */
	s = sweep_at(&c, T0 + HOUR, 0);
	T_ASSERT_INTEQ(s.lapsed, 1);
	T_ASSERT_INTEQ(s.escalated, 0);
	T_ASSERT_INTEQ(fx_status(&c, late), JL_ST_LAPSED);

	/* A request found only after its TTL lapses, never escalates. */
	c.now = T0 + 2 * HOUR;
	id = fx_request(&c, &alice, "app", 0);
	n = fx_nevents(c.store);
	s = sweep_at(&c, T0 + 4 * HOUR, 0);
	T_ASSERT_INTEQ(s.lapsed, 1);
	T_ASSERT_INTEQ(s.escalated, 0);
	T_ASSERT_INTEQ(s.expired, 1); /* the one erin approved */
	T_ASSERT_INTEQ(fx_nevents(c.store), n + 2);
	jl_store_close(c.store);
}

static void
test_continued(void)
{
	struct jl_ctx c;
	struct jl_sweep_stats s;
	struct jl_error err = { "" };
	struct jl_grant *ext = NULL;
	struct fx_event ev;
	char want[64];
	int64_t id, n;

	fx_store(&c, &bob);
	id = fx_active(&c, &alice, &bob, "app", HOUR);
	c.now = T0 + 30 * MIN;
	c.who = &alice;
	T_ASSERT_INTEQ(jl_op_extend(&c, id, 30 * MIN, "more", &ext, &err), 0);
	T_ASSERT(ext != NULL);
	if (ext == NULL)
		return;
	c.now = T0 + 40 * MIN;
	T_ASSERT_INTEQ(fx_approve(&c, &bob, ext->id), 0);
	n = fx_nevents(c.store);
	/* Access goes on after the first grant: no reminder for it. */
	s = sweep_at(&c, T0 + 55 * MIN, 0);
	T_ASSERT_INTEQ(total(&s), 0);
	T_ASSERT_INTEQ(fx_nevents(c.store), n);
	/* It expires; the extension continues it. */
	s = sweep_at(&c, T0 + HOUR, 0);
	T_ASSERT_INTEQ(s.expired, 1);
	T_ASSERT_INTEQ(total(&s), 1);
	ev = fx_last(c.store, id);
	T_ASSERT_STREQ(ev.event, "expire");
	snprintf(want, sizeof(want), "\"continued_by\":%lld",
	    (long long)ext->id);
	T_ASSERT(strstr(ev.detail, want) != NULL);
	T_ASSERT_INTEQ(fx_state(&c, ext->id), JL_ACTIVE);
	/* The extension itself is reminded before its own end. */
	s = sweep_at(&c, T0 + HOUR + 25 * MIN, 0);
	T_ASSERT_INTEQ(s.reminded, 1);
	T_ASSERT_STREQ(fx_last(c.store, ext->id).event, "expiring");
	jl_grant_free(ext);
	jl_store_close(c.store);
}

/* A child that waits for signals, ignoring those in ign (bits 1 << sig).
 * *ret_start: its start time.  Returns its pid once it is ready. */
static pid_t
spawn(unsigned ign, int64_t *ret_start)
{
	int p[2];
	char x = 0;
	pid_t pid;

	T_ASSERT(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		if (ign & (1u << SIGHUP))
			signal(SIGHUP, SIG_IGN);
		if (ign & (1u << SIGTERM))
			signal(SIGTERM, SIG_IGN);
		(void)!write(p[1], &x, 1);
		for (;;)
			pause();
	}
	close(p[1]);
	T_ASSERT(pid > 0 && read(p[0], &x, 1) == 1);
	close(p[0]);
	T_ASSERT_INTEQ(jl_session_pid_start(pid, ret_start), 0);
	return pid;
}

/* A session of alice under grant gid for process pid/start. */
static int64_t
session(struct jl_ctx *c, int64_t gid, pid_t pid, int64_t start)
{
	struct jl_session s = { 0 };
	struct jl_error err = { "" };
	char user[] = "alice", service[] = "sshd";

	s.grant_id = gid;
	s.user = user;
	s.service = service;
	s.pid = pid;
	s.pid_start = start;
	s.opened_at = c->now;
	T_ASSERT_INTEQ(jl_store_session_insert(c->store, &s, &err), 0);
	return s.id;
}

/* The signal that ended pid (reaped), or 0 if it is still running. */
static int
ended_by(pid_t pid)
{
	int st = 0;

	if (waitpid(pid, &st, WNOHANG) != pid)
		return 0;
	return WIFSIGNALED(st) ? WTERMSIG(st) : -1;
}

static void
kill_reap(pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

static void
test_sessions(void)
{
	struct jl_ctx c;
	struct jl_sweep_stats s;
	struct jl_error err = { "" };
	struct fx_event ev;
	int64_t g1, g2, keep, st1, st2, st3, st4, n;
	pid_t p1, p2, p3, p4;

	fx_store(&c, &bob);
	g1 = fx_active(&c, &alice, &bob, "app", HOUR);
	keep = fx_active(&c, &alice, &bob, "keep", HOUR);
	p1 = spawn(0, &st1);
	p2 = spawn(1u << SIGHUP, &st2);
	p3 = spawn(0, &st3);
	p4 = spawn(0, &st4);
	session(&c, g1, p1, st1);
	session(&c, g1, p2, st2);
	session(&c, g1, p3, st3 + 1); /* not the process that opened it */
	session(&c, keep, p4, st4);
	/* While the grants hold, nothing happens. */
	s = sweep_at(&c, T0 + 10 * MIN, 0);
	T_ASSERT_INTEQ(total(&s), 0);
	T_ASSERT(ended_by(p1) == 0 && ended_by(p2) == 0);
	/* g1 is revoked: its sessions end; keep's are left alone. */
	c.now = T0 + 20 * MIN;
	c.who = &alice;
	T_ASSERT_INTEQ(jl_op_revoke(&c, g1, NULL, NULL, &err), 0);
	T_ASSERT_INTEQ(jl_op_revoke(&c, keep, NULL, NULL, &err), 0);
	n = fx_nevents(c.store);
	s = sweep_at(&c, T0 + 20 * MIN, 0);
	T_ASSERT_INTEQ(s.terminated, 3);
	T_ASSERT_INTEQ(total(&s), 3);
	T_ASSERT_INTEQ(fx_nevents(c.store), n + 3);
	T_ASSERT_INTEQ(ended_by(p1), SIGHUP);
	T_ASSERT_INTEQ(ended_by(p2), SIGTERM);
	/* A pid that is another process now is never signalled. */
	T_ASSERT_INTEQ(ended_by(p3), 0);
	T_ASSERT(kill(p3, 0) == 0);
	T_ASSERT_INTEQ(ended_by(p4), 0);
	ev = fx_last(c.store, g1);
	T_ASSERT_STREQ(ev.event, "session_terminated");
	T_ASSERT(strstr(ev.detail, "\"outcome\":\"gone\"") != NULL);
	/* Idempotent. */
	s = sweep_at(&c, T0 + 30 * MIN, 0);
	T_ASSERT_INTEQ(total(&s), 0);
	T_ASSERT_INTEQ(fx_nevents(c.store), n + 3);
	T_ASSERT_INTEQ(ended_by(p4), 0);
	kill_reap(p3);
	kill_reap(p4);

	/* Another grant on the resource holds: the session stays. */
	g1 = fx_active(&c, &alice, &bob, "app", HOUR);
	g2 = fx_active(&c, &alice, &carol, "app", 2 * HOUR);
	p1 = spawn(0, &st1);
	session(&c, g1, p1, st1);
	s = sweep_at(&c, T0 + 30 * MIN + HOUR, 0);
	T_ASSERT_INTEQ(s.expired, 1);
	T_ASSERT_INTEQ(s.terminated, 0);
	T_ASSERT_INTEQ(ended_by(p1), 0);
	c.who = &alice;
	T_ASSERT_INTEQ(jl_op_revoke(&c, g2, NULL, NULL, &err), 0);
	s = sweep_at(&c, T0 + 30 * MIN + HOUR, 0);
	T_ASSERT_INTEQ(s.terminated, 1);
	T_ASSERT_INTEQ(ended_by(p1), SIGHUP);

	/* One that survives SIGHUP and SIGTERM: a failure, not marked. */
	g1 = fx_active(&c, &alice, &bob, "app", HOUR);
	p1 = spawn(1u << SIGHUP | 1u << SIGTERM, &st1);
	session(&c, g1, p1, st1);
	n = fx_nevents(c.store);
	s = sweep_at(&c, c.now + 2 * HOUR, -ETIMEDOUT);
	T_ASSERT_INTEQ(s.failed, 1);
	T_ASSERT_INTEQ(s.terminated, 0);
	T_ASSERT_INTEQ(fx_nevents(c.store), n + 1); /* the expiry only */
	kill_reap(p1);
	/* Gone now: marked on the next run. */
	s = sweep_at(&c, c.now, 0);
	T_ASSERT_INTEQ(s.terminated, 1);
	T_ASSERT_INTEQ(s.failed, 0);
	jl_store_close(c.store);
}

/* A child that starts a grandchild ignoring SIGHUP, then waits; the
 * grandchild's pid in *ret_gc. */
static pid_t
spawn_tree(int64_t *ret_start, pid_t *ret_gc)
{
	int p[2];
	pid_t pid, gc = 0;

	T_ASSERT(pipe(p) == 0);
	pid = fork();
	if (pid == 0) {
		gc = fork();
		if (gc == 0) {
			signal(SIGHUP, SIG_IGN);
			(void)!write(p[1], &gc, sizeof(gc));
			for (;;)
				pause();
		}
		(void)!write(p[1], &gc, sizeof(gc));
		for (;;)
			pause();
	}
	close(p[1]);
	/* The grandchild's own write (0) says it ignores SIGHUP now. */
	T_ASSERT(read(p[0], ret_gc, sizeof(*ret_gc)) == sizeof(*ret_gc));
	T_ASSERT(read(p[0], &gc, sizeof(gc)) == sizeof(gc));
	if (*ret_gc == 0)
		*ret_gc = gc;
	close(p[0]);
	T_ASSERT_INTEQ(jl_session_pid_start(pid, ret_start), 0);
	return pid;
}

/* The session's process and what it started end together. */
static void
test_session_tree(void)
{
	struct jl_ctx c;
	struct jl_sweep_stats s;
	struct jl_error err = { "" };
	int64_t g, st;
	pid_t p, gc = 0;
	int status = 0, i;

	/* Orphans come to the test, which can then reap and check them. */
	T_ASSERT(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	fx_store(&c, &bob);
	g = fx_active(&c, &alice, &bob, "app", HOUR);
	p = spawn_tree(&st, &gc);
	T_ASSERT(gc > 0);
	session(&c, g, p, st);
	c.who = &alice;
	T_ASSERT_INTEQ(jl_op_revoke(&c, g, NULL, NULL, &err), 0);
	s = sweep_at(&c, T0 + MIN, 0);
	T_ASSERT_INTEQ(s.terminated, 1);
	T_ASSERT_INTEQ(ended_by(p), SIGHUP);
	for (i = 0; i < 200 && waitpid(gc, &status, WNOHANG) != gc; i++)
		usleep(10000);
	T_ASSERT(i < 200 && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	if (i == 200)
		kill_reap(gc);
	T_ASSERT(
	    strstr(fx_last(c.store, g).detail, "\"outcome\":\"hup\"") != NULL);
	jl_store_close(c.store);
}

static void
test_end_process_args(void)
{
	T_ASSERT_INTEQ(jl_sweep_end_process(1, 1, 0), -EINVAL);
	T_ASSERT_INTEQ(jl_sweep_end_process(0, 1, 0), -EINVAL);
	T_ASSERT_INTEQ(jl_sweep_end_process(getpid(), 0, 0), -EINVAL);
	/* A pid that does not exist: gone, nothing sent. */
	T_ASSERT_INTEQ(jl_sweep_end_process(0x3ffffffe, 1, 0), 0);
}

int
main(void)
{
	fx_setup(config_text);
	T_RUN(test_expire_and_remind);
	T_RUN(test_lapse);
	T_RUN(test_escalate);
	T_RUN(test_continued);
	T_RUN(test_sessions);
	T_RUN(test_session_tree);
	T_RUN(test_end_process_args);
	fx_teardown();
	return T_DONE();
}

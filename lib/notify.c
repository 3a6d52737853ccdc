/* SPDX-License-Identifier: ISC */
/*
 * notify_command (notify.h): the JSON a notification carries, the account
 * it runs as, and running it -- a child that drops to that account and
 * execs the program with the JSON on a pipe, and a parent that feeds the
 * pipe and waits, both under one deadline, then kills the child's process
 * group.  The parent blocks SIGPIPE while it writes (and takes back a
 * SIGPIPE it caused), so a program that does not read cannot kill it.
 * The child reports a failure before exec through a close-on-exec pipe,
 * so "cannot execute" is told apart from "exited 127".
 *
 * MUST: see notify.h.  The child runs in a copy of a single-threaded
 * jitadm; it touches no store, calls no NSS, and ends in execve() or
 * _exit().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jitlog/notify.h"

/* The events that are notified, and their kinds. */
static const struct {
	const char *event;
	const char *kind;
} kinds[] = {
	{ "request", "request" },
	{ "extend", "request" },
	{ "approve", "approve" },
	{ "deny", "deny" },
	{ "revoke", "revoke" },
	{ "escalate", "escalate" },
	{ "expiring", "expiring" },
	{ "expire", "expire" },
	{ "break_glass", "break_glass" },
};

/* What the child says when it fails before exec. */
struct child_err {
	int stage;
	int err;
};
enum { STAGE_FDS = 1, STAGE_PRIV, STAGE_EXEC };
static const char *const stage_names[] = {
	[STAGE_FDS] = "cannot set up its file descriptors",
	[STAGE_PRIV] = "cannot drop privileges",
	[STAGE_EXEC] = "cannot execute it",
};

/* Slice of a poll when no pidfd tells when the child ends. */
#define POLL_SLICE_MS 50

const char *
jl_notify_kind(const char *event)
{
	size_t i;

	for (i = 0; event != NULL && i < sizeof(kinds) / sizeof(*kinds); i++)
		if (strcmp(kinds[i].event, event) == 0)
			return kinds[i].kind;
	return NULL;
}

/* ", \"key\": [\"p\", ...]" */
static int
put_principals(struct jl_buf *b, const char *key, const struct jl_principals *p)
{
	size_t i;
	int r;

	r = jl_buf_printf(b, ", \"%s\": [", key);
	for (i = 0; r == 0 && p != NULL && i < p->n; i++) {
		if (i > 0)
			r = jl_buf_puts(b, ", ");
		if (r == 0)
			r = jl_json_str(b, p->v[i]);
	}
	if (r == 0)
		r = jl_buf_puts(b, "]");
	return r;
}

int
jl_notify_json(const char *event_json, const char *kind,
    const struct jl_resource *res, struct jl_buf *out)
{
	size_t len, mark;
	int r;

	if (event_json == NULL || kind == NULL || out == NULL)
		return -EINVAL;
	len = strlen(event_json);
	if (len < 2 || event_json[0] != '{' || event_json[len - 1] != '}')
		return -EINVAL;
	mark = out->len;
	r = jl_buf_append(out, event_json, len - 1);
	if (r == 0)
		r = jl_buf_puts(out, ", \"notify\": ");
	if (r == 0)
		r = jl_json_str(out, kind);
	/* Those who decide (request, escalate) or review (break_glass). */
	if (r == 0 &&
	    (strcmp(kind, "request") == 0 || strcmp(kind, "escalate") == 0 ||
	        strcmp(kind, "break_glass") == 0)) {
		r = put_principals(out, "approvers",
		    res != NULL ? &res->approvers : NULL);
		if (r == 0)
			r = put_principals(out, "escalate_to",
			    res != NULL ? &res->escalate_to : NULL);
	}
	if (r == 0)
		r = jl_buf_puts(out, "}");
	if (r < 0 && out->data != NULL) {
		out->len = mark;
		out->data[mark] = '\0';
	}
	return r;
}

int
jl_notify_account(uid_t ruid, gid_t rgid, uid_t *ret_uid, gid_t *ret_gid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int e;

	if (ruid != 0) {
		*ret_uid = ruid;
		*ret_gid = rgid;
		return 0;
	}
	e = getpwnam_r(JL_NOTIFY_USER, &pw, buf, sizeof(buf), &res);
	if (e != 0 && e != ENOENT && e != ESRCH)
		return -e;
	if (res == NULL) {
		*ret_uid = JL_NOTIFY_NOBODY_ID;
		*ret_gid = JL_NOTIFY_NOBODY_ID;
		return 0;
	}
	if (pw.pw_uid == 0 || pw.pw_gid == 0)
		return -EPERM;
	*ret_uid = pw.pw_uid;
	*ret_gid = pw.pw_gid;
	return 0;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child: the account of o, and proof that root and the forbidden
 * group are gone.  0 or -errno. */
static int
drop(const struct jl_notify_opts *o)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg, groups[256];
	int n, i;

	if (geteuid() == 0 && setgroups(0, NULL) < 0)
		return -errno;
	if (setresgid(o->gid, o->gid, o->gid) < 0 ||
	    setresuid(o->uid, o->uid, o->uid) < 0)
		return -errno;
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return -errno;
	if (ru != o->uid || eu != o->uid || su != o->uid || rg != o->gid ||
	    eg != o->gid || sg != o->gid || ru == 0)
		return -EPERM;
	if (setuid(0) == 0 || seteuid(0) == 0)
		return -EPERM;
	/* Groups the caller keeps (unprivileged, setgroups is not allowed)
	 * must not hold the forbidden one; too many to check is a refusal. */
	n = getgroups((int)(sizeof(groups) / sizeof(*groups)), groups);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++)
		if (groups[i] == o->forbidden_gid)
			return -EPERM;
	return o->gid == o->forbidden_gid ? -EPERM : 0;
}

/* In the child: report where it failed and end. */
static void __attribute__((noreturn)) child_fail(int ep, int stage, int e)
{
	struct child_err ce = { stage, e };

	(void)!write(ep, &ce, sizeof(ce));
	_exit(127);
}

/* In the child: fds 0-2 and the error pipe at 3 (close-on-exec), all
 * others closed.  0 or -errno. */
static int
child_fds(int in, int ep, int nul)
{
	int a, b, c;

	a = fcntl(in, F_DUPFD_CLOEXEC, 10);
	b = fcntl(ep, F_DUPFD_CLOEXEC, 10);
	c = fcntl(nul, F_DUPFD_CLOEXEC, 10);
	if (a < 0 || b < 0 || c < 0)
		return -errno;
	if (dup2(a, 0) < 0 || dup2(c, 1) < 0 || dup2(c, 2) < 0 ||
	    dup3(b, 3, O_CLOEXEC) < 0)
		return -errno;
	return close_range(4, ~0U, 0) < 0 ? -errno : 0;
}

/* The child: its own session, clean signals and fds, the account, exec. */
static void __attribute__((noreturn))
child(const struct jl_notify_opts *o, char *path, int in, int ep, int nul)
{
	char env_path[] = JL_NOTIFY_ENV_PATH;
	char *argv[] = { path, NULL }, *envp[] = { env_path, NULL };
	sigset_t none;
	int sig, r;

	(void)setsid();
	for (sig = 1; sig < NSIG; sig++)
		(void)signal(sig, SIG_DFL);
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if ((r = child_fds(in, ep, nul)) < 0)
		child_fail(ep, STAGE_FDS, -r);
	ep = 3;
	if ((r = drop(o)) < 0)
		child_fail(ep, STAGE_PRIV, -r);
	if (chdir("/") < 0)
		child_fail(ep, STAGE_FDS, errno);
	/* A backstop should jitadm itself be killed while waiting. */
	(void)alarm((unsigned)(o->timeout_ms / 1000 + 2));
	(void)execve(path, argv, envp);
	child_fail(ep, STAGE_EXEC, errno);
}

/* The parent's side of one run. */
struct io {
	int in;    /* write end of stdin, -1 once closed */
	int ep;    /* read end of the error pipe, -1 once at EOF */
	int pidfd; /* -1: poll in slices */
	const char *buf;
	size_t len, off;
	struct child_err ce;
};

/* Write what the pipe takes; close it when all is written or the command
 * stopped reading (EPIPE). */
static void
feed(struct io *io)
{
	ssize_t n;

	while (io->in >= 0 && io->off < io->len) {
		n = write(io->in, io->buf + io->off, io->len - io->off);
		if (n > 0)
			io->off += (size_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else if (n < 0 && errno == EAGAIN)
			return;
		else
			break;
	}
	if (io->in >= 0) {
		(void)close(io->in);
		io->in = -1;
	}
}

/* Read the child's error report, if any (non-blocking). */
static void
read_err(struct io *io)
{
	ssize_t n;

	if (io->ep < 0)
		return;
	n = read(io->ep, &io->ce, sizeof(io->ce));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n != (ssize_t)sizeof(io->ce))
		memset(&io->ce, 0, sizeof(io->ce));
	(void)close(io->ep);
	io->ep = -1;
}

/* Feed and wait until the child ends or the deadline: 1 ended (*status
 * set), 0 timed out. */
static int
supervise(struct io *io, pid_t pid, int64_t deadline, int *status)
{
	struct pollfd p[3];
	int64_t left;
	nfds_t n;

	for (;;) {
		feed(io);
		if (waitpid(pid, status, WNOHANG) == pid)
			return 1;
		if ((left = deadline - mono_ms()) <= 0)
			return 0;
		n = 0;
		if (io->in >= 0)
			p[n++] =
			    (struct pollfd){ .fd = io->in, .events = POLLOUT };
		if (io->ep >= 0)
			p[n++] =
			    (struct pollfd){ .fd = io->ep, .events = POLLIN };
		if (io->pidfd >= 0)
			p[n++] = (struct pollfd){ .fd = io->pidfd,
				.events = POLLIN };
		if (io->pidfd < 0 && left > POLL_SLICE_MS)
			left = POLL_SLICE_MS;
		if (poll(p, n, (int)left) > 0 && io->ep >= 0)
			read_err(io);
	}
}

/* What happened, as the result and the message. */
static int
outcome(const struct jl_notify_opts *o, const struct io *io, int ended,
    int status, struct jl_notify_result *res, struct jl_error *err)
{
	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	if (!ended) {
		res->timed_out = true;
		(void)jl_error_set(err, 0,
		    "%s did not finish within %d ms; killed", o->command,
		    o->timeout_ms);
		return JL_NOTIFY_FAILED;
	}
	if (WIFSIGNALED(status)) {
		res->signal = WTERMSIG(status);
		(void)jl_error_set(err, 0, "%s was killed by signal %d",
		    o->command, res->signal);
		return JL_NOTIFY_FAILED;
	}
	res->exit_code = WEXITSTATUS(status);
	if (io->ce.stage >= STAGE_FDS && io->ce.stage <= STAGE_EXEC)
		(void)jl_error_set(err, 0, "%s: %s: %s", o->command,
		    stage_names[io->ce.stage], strerror(io->ce.err));
	else if (res->exit_code != 0)
		(void)jl_error_set(err, 0, "%s exited with status %d",
		    o->command, res->exit_code);
	else
		return 0;
	return JL_NOTIFY_FAILED;
}

static int
check_opts(const struct jl_notify_opts *o, char *path, size_t size,
    struct jl_error *err)
{
	if (o == NULL || o->command == NULL || o->command[0] != '/' ||
	    (size_t)snprintf(path, size, "%s", o->command) >= size)
		return jl_error_set(err, EINVAL,
		    "notify_command must be an absolute path");
	if (o->uid == 0 || o->gid == 0 || o->gid == o->forbidden_gid)
		return jl_error_set(err, EPERM,
		    "notify_command never runs as root or with the jitlog "
		    "group");
	return 0;
}

/* Parent, once the child runs: feed, wait, kill on timeout, reap. */
static int
parent(const struct jl_notify_opts *o, pid_t pid, struct io *io,
    struct jl_notify_result *res, struct jl_error *err)
{
	sigset_t pipe_set, old, pending;
	struct timespec zero = { 0, 0 };
	int64_t deadline = mono_ms() + o->timeout_ms;
	int status = 0, ended, was_pending;

	io->pidfd = pidfd_open(pid, 0);
	(void)fcntl(io->in, F_SETFL, O_NONBLOCK);
	(void)fcntl(io->ep, F_SETFL, O_NONBLOCK);
	(void)sigemptyset(&pipe_set);
	(void)sigaddset(&pipe_set, SIGPIPE);
	(void)sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	(void)sigprocmask(SIG_BLOCK, &pipe_set, &old);
	ended = supervise(io, pid, deadline, &status);
	if (!ended) {
		(void)kill(-pid, SIGKILL);
		(void)kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	read_err(io);
	(void)sigpending(&pending);
	if (!was_pending && sigismember(&pending, SIGPIPE))
		(void)sigtimedwait(&pipe_set, NULL, &zero);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	if (io->pidfd >= 0)
		(void)close(io->pidfd);
	return outcome(o, io, ended, status, res, err);
}

int
jl_notify_run(const struct jl_notify_opts *opts, const char *json, size_t len,
    struct jl_notify_result *ret, struct jl_error *err)
{
	struct jl_notify_opts o;
	struct jl_notify_result res;
	struct io io = { -1, -1, -1, json, len, 0, { 0, 0 } };
	char path[PATH_MAX];
	int in[2] = { -1, -1 }, ep[2] = { -1, -1 }, nul = -1, r, i;
	pid_t pid;

	if ((r = check_opts(opts, path, sizeof(path), err)) < 0)
		return r;
	if (json == NULL)
		return jl_error_set(err, EINVAL, "no notification");
	o = *opts;
	if (o.timeout_ms <= 0)
		o.timeout_ms = JL_NOTIFY_TIMEOUT_MS;
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(ep, O_CLOEXEC) < 0 ||
	    (nul = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
		r = jl_error_set(err, errno, "cannot run %s: %s", o.command,
		    strerror(errno));
		goto out;
	}
	if ((pid = fork()) < 0) {
		r = jl_error_set(err, errno, "cannot run %s: fork: %s",
		    o.command, strerror(errno));
		goto out;
	}
	if (pid == 0)
		child(&o, path, in[0], ep[1], nul);
	(void)close(in[0]);
	(void)close(ep[1]);
	in[0] = ep[1] = -1;
	io.in = in[1];
	io.ep = ep[0];
	in[1] = ep[0] = -1;
	r = parent(&o, pid, &io, &res, err);
	if (ret != NULL)
		*ret = res;
out:
	for (i = 0; i < 2; i++) {
		if (in[i] >= 0)
			(void)close(in[i]);
		if (ep[i] >= 0)
			(void)close(ep[i]);
	}
	if (io.in >= 0)
		(void)close(io.in);
	if (io.ep >= 0)
		(void)close(io.ep);
	if (nul >= 0)
		(void)close(nul);
	return r;
}

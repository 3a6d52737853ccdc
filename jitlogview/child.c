/* SPDX-License-Identifier: ISC */
/*
 * The monitor's side of the streamer (monitor.h): fork it with a data
 * pipe (the log's bytes, non-blocking on this side) and a status pipe
 * (its reports: bytes shown, redactions per rule); read the reports; and
 * end the view -- kill the streamer unless it ended by itself, record
 * view_close with its last report, say why on stderr, return the exit
 * status.  The order at the end is what the spec asks: output stops
 * first (SIGKILL), then the audit record, then the message.
 *
 * MUST (SECURITY.md "Privilege separation"; SPEC section 5):
 *  - a failed pipe or fork is an error: nothing is streamed from here;
 *  - a report is taken only whole, with the expected magic and rule
 *    count; the streamer is the caller's process and is not trusted with
 *    more than its own counts;
 *  - expiry and revocation: exit 4 and "jitlogview: grant N ended
 *    (expired|revoked); output stopped".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jitlogview.h"
#include "monitor.h"

static const char *const end_names[] = {
	[E_NONE] = "error",
	[E_EOF] = "eof",
	[E_CLOSED] = "closed",
	[E_EXPIRED] = "expired",
	[E_REVOKED] = "revoked",
	[E_SIGNAL] = "interrupted",
	[E_UNSAFE] = "unsafe",
	[E_ERROR] = "error",
};

/* Start the streamer.  0, or -errno (nothing was forked). */
int
mon_start(struct mon *m)
{
	int data[2] = { -1, -1 }, status[2] = { -1, -1 };
	void *p;

	p = mmap(NULL, sizeof(*m->sh), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		goto fail;
	m->sh = p;
	if (pipe2(data, O_CLOEXEC) != 0 || pipe2(status, O_CLOEXEC) != 0)
		goto fail;
	(void)fcntl(data[1], F_SETPIPE_SZ, PIPE_SIZE);
	if (fcntl(data[1], F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(status[0], F_SETFL, O_NONBLOCK) != 0)
		goto fail;
	m->child = fork();
	if (m->child < 0)
		goto fail;
	if (m->child == 0) {
		(void)close(data[1]);
		(void)close(status[0]);
		jv_streamer(m->r, data[0], status[1], m->sh);
	}
	(void)close(data[0]);
	(void)close(status[1]);
	m->pipe_w = data[1];
	m->status_r = status[0];
	return 0;
fail:
	m->child = -1;
	(void)snprintf(m->msg, sizeof(m->msg),
	    "cannot start the output process: %s", strerror(errno));
	for (int i = 0; i < 2; i++) {
		if (data[i] >= 0)
			(void)close(data[i]);
		if (status[i] >= 0)
			(void)close(status[i]);
	}
	return -EAGAIN;
}

/* Read what the streamer sent.  E_NONE, or an end when it is gone. */
enum end
mon_read_status(struct mon *m)
{
	struct jv_status s;
	uint32_t want =
	    (uint32_t)(m->r->res->nredact < JV_MAX_RULES ? m->r->res->nredact :
	                                                   JV_MAX_RULES);
	ssize_t n;

	for (;;) {
		n = read(m->status_r, &s, sizeof(s));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return E_NONE;
		if (n == 0 || n < 0) {
			m->child_gone = true;
			return E_EOF; /* decided by the exit status */
		}
		if ((size_t)n != sizeof(s) || s.magic != JV_STATUS_MAGIC ||
		    (s.nrules != want && s.nrules != 0)) {
			(void)snprintf(m->msg, sizeof(m->msg),
			    "the output process sent a malformed status");
			return E_ERROR;
		}
		m->st = s;
		m->ready = true;
	}
}

/* {"rule": count, ...} of the streamer's last report; NULL for a raw view
 * or when out of memory. */
static char *
redactions_json(const struct mon *m)
{
	const struct jl_resource *res = m->r->res;
	struct jl_buf b = { 0 };
	char *s = NULL;
	int r;
	size_t i;

	if (m->r->view.g.unredacted)
		return NULL;
	r = jl_buf_puts(&b, "{");
	for (i = 0; r == 0 && i < res->nredact && i < JV_MAX_RULES; i++) {
		if (i > 0)
			r = jl_buf_puts(&b, ",");
		if (r == 0)
			r = jl_json_str(&b, res->redact[i]);
		if (r == 0)
			r = jl_buf_printf(&b, ":%" PRIu64,
			    i < m->st.nrules ? m->st.counts[i] : 0);
	}
	if (r == 0 && (r = jl_buf_puts(&b, "}")) == 0)
		r = jl_buf_steal(&b, &s);
	jl_buf_free(&b);
	return r == 0 ? s : NULL;
}

/* Stop the streamer (if it still runs) and collect its last report. */
static void
stop_streamer(struct mon *m, enum end e)
{
	int st = 0;

	if (m->child > 0) {
		if (e != E_EOF || !m->child_gone)
			(void)kill(m->child, SIGKILL);
		while (waitpid(m->child, &st, 0) < 0 && errno == EINTR)
			;
		m->child_status = st;
		m->child = -1;
	}
	if (m->status_r >= 0)
		(void)mon_read_status(m);
}

/* What the streamer's exit says, once it is gone by itself. */
static enum end
child_end(struct mon *m)
{
	int st = m->child_status;

	if (WIFEXITED(st) && WEXITSTATUS(st) == JV_OK && m->eof_sent)
		return E_EOF;
	if (WIFEXITED(st) && WEXITSTATUS(st) == JV_EX_PIPE)
		return E_CLOSED;
	if (!m->ready)
		(void)snprintf(m->msg, sizeof(m->msg),
		    "the output process could not start (see above)");
	else if (WIFSIGNALED(st))
		(void)snprintf(m->msg, sizeof(m->msg),
		    "the output process was killed by signal %d", WTERMSIG(st));
	else
		(void)snprintf(m->msg, sizeof(m->msg),
		    "the output process failed");
	return E_ERROR;
}

/* A terminal's ^C reaches the streamer and the monitor together: when
 * the streamer died first, the monitor's signal is waiting. */
static bool
pending_signal(struct mon *m)
{
	struct signalfd_siginfo si;

	if (m->sfd < 0 || read(m->sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return false;
	m->signo = (int)si.ssi_signo;
	return true;
}

/* Record view_close (retrying a busy store a few times). */
static int
record_close(struct mon *m, enum end e)
{
	struct jl_error err = { "" };
	struct jl_view_end ve;
	char *red = redactions_json(m);
	uint64_t handed;
	int r = -EIO, i;

	/* Killed between two reports: what it had handed to write(2). */
	handed = m->sh != NULL ?
	    __atomic_load_n(&m->sh->bytes, __ATOMIC_RELAXED) :
	    0;
	ve.bytes = (int64_t)(handed > m->st.bytes ? handed : m->st.bytes);
	ve.bytes_read = (int64_t)m->fwd;
	ve.redactions = red;
	ve.end = end_names[e];
	/* Output has stopped: the record may wait as long as any write. */
	jl_store_set_busy(m->r->c->store, JV_STORE_BUSY_MS);
	for (i = 0; i < 3; i++) {
		m->r->c->now = time(NULL);
		r = jl_view_close(m->r->c, &m->r->view, &ve, &err);
		if (r != -EBUSY)
			break;
	}
	free(red);
	if (r < 0)
		jv_err("cannot record the end of the view: %s", err.msg);
	return r;
}

/* Die of signo, as an interrupted program should. */
static void
die_of(int signo)
{
	sigset_t set;

	(void)signal(signo, SIG_DFL);
	(void)sigemptyset(&set);
	(void)sigaddset(&set, signo);
	(void)sigprocmask(SIG_UNBLOCK, &set, NULL);
	(void)raise(signo);
}

int
mon_finish(struct mon *m, enum end e)
{
	struct jl_error err = { "" };
	int r;

	stop_streamer(m, e);
	if (e == E_EOF)
		e = pending_signal(m) ? E_SIGNAL : child_end(m);
	if (e == E_UNSAFE)
		(void)jl_view_deny(m->r->c, m->r->res->name, m->r->file.path,
		    m->msg, &err);
	r = record_close(m, e);
	if (m->sh != NULL)
		(void)munmap(m->sh, sizeof(*m->sh));
	m->sh = NULL;
	if (r < 0 && (e == E_EOF || e == E_CLOSED))
		return JV_ERROR;
	switch (e) {
	case E_EOF:
	case E_CLOSED:
		return JV_OK;
	case E_EXPIRED:
	case E_REVOKED:
		jv_err("grant %" PRId64 " ended (%s); output stopped",
		    m->r->view.g.grant_id, end_names[e]);
		return JV_ENDED;
	case E_SIGNAL:
		die_of(m->signo);
		return 128 + m->signo;
	case E_UNSAFE:
		jv_err("%s; output stopped", m->msg);
		return JV_REFUSED;
	default:
		jv_err("%s", m->msg[0] ? m->msg : "internal error");
		return JV_ERROR;
	}
}

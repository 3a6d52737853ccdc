/* SPDX-License-Identifier: ISC */
/*
 * The privileged monitor: forks the unprivileged streamer, then moves the
 * log's bytes into a pipe to it without ever looking at them (splice(2),
 * or pread/write where splice is not supported), and holds the grant to
 * its end.  What it keeps: root's uid (so the caller cannot signal, stop
 * or trace it), CAP_DAC_READ_SEARCH (to reopen the log after rotation)
 * and CAP_KILL (to stop the streamer, which runs as the caller); every
 * other capability is dropped once the streamer is forked.
 *
 * How the grant is held: a byte is forwarded only if the file already
 * held it when a later grant check (the store, read-only) still found
 * the grant holding -- each check confirms the file's size as it was just
 * before the check ("limit"), and nothing beyond the limit is sent.  The
 * clock is checked before every read; the store at least every 250 ms
 * (100 ms when following).  Writes to the pipe never block (O_NONBLOCK,
 * poll with a timeout up to the next deadline), so a stopped streamer or
 * a reader that never reads cannot hold the monitor past the end.  At the
 * end the streamer is killed (output stops), view_close is recorded, and
 * "jitlogview: grant N ended (expired|revoked); output stopped" goes to
 * stderr with exit status 4.
 *
 * Following (-f) is tail -F: inotify on the log's directory (watched by
 * its fd, through /proc/self/fd, so the path is never re-resolved) wakes
 * the monitor early; every 100 ms anyway it reopens the path through the
 * safe-open rules.  Truncation (size < offset) restarts at 0; a new file
 * under the name (rename + create) is switched to once the old one is
 * read up to its confirmed end, and read only after a fresh grant check.
 * A path that becomes unsafe stops the view (exit 1); one that is missing
 * for a while (between rename and create) is waited for.
 *
 * MUST (SECURITY.md "Privilege separation", SPEC section 5;
 * tests/integration/view_cutoff.sh, view_follow.sh, view_privsep.sh):
 *  - never write a byte of the log anywhere but into the streamer's pipe,
 *    and never stream from this process: fork or pipe failure is exit 3;
 *  - forward nothing before the streamer has proved its drop (its first
 *    status message) and nothing the file held only after the last check;
 *  - output stops within 1 s of expiry or revocation whatever the
 *    streamer or the reader do; exit 4 with the stderr line above;
 *  - record view_close with the bytes shown and the redactions per rule.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jitlog/proc.h"
#include "jitlogview.h"
#include "monitor.h"

static int64_t
now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
deadline(const struct mon *m)
{
	return m->r->view.g.expires * 1000;
}

/* Keep CAP_DAC_READ_SEARCH and CAP_KILL only (uid 0 stays). */
static int
drop_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted =
	    (1u << CAP_DAC_READ_SEARCH) | (1u << CAP_KILL);
	if (syscall(SYS_capset, &h, d) != 0)
		return -errno;
	return jl_proc_nodump();
}

/* Signals: INT, TERM, HUP, QUIT end the view (read from a signalfd);
 * job control and SIGPIPE are ignored. */
static int
setup_signals(struct mon *m)
{
	sigset_t set;

	(void)signal(SIGPIPE, SIG_IGN);
	(void)signal(SIGTSTP, SIG_IGN);
	(void)signal(SIGTTIN, SIG_IGN);
	(void)signal(SIGTTOU, SIG_IGN);
	(void)sigemptyset(&set);
	(void)sigaddset(&set, SIGINT);
	(void)sigaddset(&set, SIGTERM);
	(void)sigaddset(&set, SIGHUP);
	(void)sigaddset(&set, SIGQUIT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -errno;
	m->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return m->sfd < 0 ? -errno : 0;
}

/* Watch the log's directory by its fd. Without inotify: polling only. */
static void
watch_dir(struct mon *m)
{
	char p[64];

	if (m->ifd < 0)
		return;
	if (m->wd >= 0)
		(void)inotify_rm_watch(m->ifd, m->wd);
	(void)snprintf(p, sizeof(p), "/proc/self/fd/%d", m->r->file.dir.fd);
	m->wd = inotify_add_watch(m->ifd, p,
	    IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
	        IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF);
}

/* Move bytes from the log to the pipe up to the limit.  E_NONE when
 * caught up or the pipe is full, else an end. */
static enum end
forward(struct mon *m)
{
	int fd = m->r->file.fd;
	size_t want;
	ssize_t n;

	while (!m->pipe_gone && (m->off < m->limit || m->bpos < m->blen)) {
		if (now_ms() >= deadline(m))
			return E_EXPIRED;
		if (m->bpos < m->blen) {
			n = write(m->pipe_w, m->bounce + m->bpos,
			    m->blen - m->bpos);
			if (n > 0)
				m->bpos += (size_t)n;
		} else if (m->splice_ok) {
			want = (size_t)(m->limit - m->off);
			n = splice(fd, &m->off, m->pipe_w, NULL,
			    want < CHUNK ? want : CHUNK, SPLICE_F_NONBLOCK);
			if (n > 0)
				m->fwd += (uint64_t)n;
			if (n < 0 && (errno == EINVAL || errno == ENOSYS)) {
				m->splice_ok = false;
				continue;
			}
		} else {
			want = (size_t)(m->limit - m->off);
			n = pread(fd, m->bounce, want < BOUNCE ? want : BOUNCE,
			    m->off);
			if (n > 0) {
				m->off += n;
				m->fwd += (uint64_t)n;
				m->blen = (size_t)n;
				m->bpos = 0;
			}
		}
		if (n == 0) {
			m->limit = m->off; /* shrank: the next tick sees */
			break;
		}
		if (n > 0 || errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return E_NONE;
		if (errno == EPIPE) {
			m->pipe_gone = true; /* its exit tells why */
			return E_NONE;
		}
		(void)snprintf(m->msg, sizeof(m->msg), "reading %s: %s",
		    m->r->file.path, strerror(errno));
		return E_ERROR;
	}
	return E_NONE;
}

/* Follow: reopen the path; note a new file under the name. */
static enum end
check_rotation(struct mon *m)
{
	struct jl_error err = { "" };
	const char *why = NULL;
	int r;

	if (m->next.fd >= 0)
		return E_NONE;
	r = jv_file_reopen(&m->r->file, &m->next, &why, &err);
	if (r == JV_OK)
		return E_NONE;
	if (r == JV_REFUSED && why == NULL)
		return E_NONE; /* missing for now: wait */
	(void)snprintf(m->msg, sizeof(m->msg), "%s", err.msg);
	return r == JV_REFUSED ? E_UNSAFE : E_ERROR;
}

/* Re-check the grant; confirm the file's size as the new limit. */
static enum end
tick(struct mon *m)
{
	struct jl_error err = { "" };
	const char *why = NULL;
	struct stat st;
	int r;

	m->last_tick = now_ms();
	m->early = false;
	if (fstat(m->r->file.fd, &st) != 0) {
		(void)snprintf(m->msg, sizeof(m->msg), "fstat: %s",
		    strerror(errno));
		return E_ERROR;
	}
	m->r->c->now = m->last_tick / 1000;
	r = jl_view_recheck(m->r->c, &m->r->view, &why, &err);
	if (r < 0) {
		(void)snprintf(m->msg, sizeof(m->msg), "checking the grant: %s",
		    err.msg);
		return E_ERROR;
	}
	if (r == 0)
		return strcmp(why, "revoked") == 0 ? E_REVOKED : E_EXPIRED;
	if (m->eof_sent)
		return E_NONE;
	if (st.st_size < m->off) {
		jv_err("%s: file truncated", m->r->file.path);
		m->off = 0;
	}
	m->limit = st.st_size;
	return m->r->follow ? check_rotation(m) : E_NONE;
}

/* Follow: the old file is read to its confirmed end; take the new one
 * (opened with the safe-open rules) and check the grant before reading. */
static enum end
switch_file(struct mon *m)
{
	bool newdir = m->next.dir.st.st_ino != m->r->file.dir.st.st_ino ||
	    m->next.dir.st.st_dev != m->r->file.dir.st.st_dev;

	jv_file_close(&m->r->file);
	m->r->file = m->next;
	m->next = (struct jv_file){ .fd = -1, .dir = { .fd = -1 } };
	m->off = m->limit = 0;
	if (newdir)
		watch_dir(m);
	jv_err("%s: file replaced; following the new file", m->r->file.path);
	return tick(m);
}

static int
poll_timeout(const struct mon *m, int64_t now)
{
	int64_t next, t;

	next = m->last_tick + (m->r->follow ? FOLLOW_MS : CHECK_MS);
	if (m->early && m->last_tick + EARLY_MS < next)
		next = m->last_tick + EARLY_MS;
	if (deadline(m) < next)
		next = deadline(m);
	if (!m->ready && m->started + READY_MS < next)
		next = m->started + READY_MS;
	t = next - now;
	return t < 0 ? 0 : t > 1000 ? 1000 : (int)t;
}

/* One round of waiting.  E_NONE or an end. */
static enum end
wait_events(struct mon *m, int64_t now)
{
	struct pollfd p[4];
	struct signalfd_siginfo si;
	char ibuf[4096];
	nfds_t n = 0;
	bool want_out;

	want_out = m->ready && !m->eof_sent && !m->pipe_gone &&
	    (m->off < m->limit || m->bpos < m->blen);
	p[n++] = (struct pollfd){ .fd = m->sfd, .events = POLLIN };
	p[n++] = (struct pollfd){ .fd = m->status_r, .events = POLLIN };
	p[n++] = (struct pollfd){ .fd = want_out ? m->pipe_w : -1,
		.events = POLLOUT };
	p[n++] = (struct pollfd){ .fd = m->ifd, .events = POLLIN };
	if (poll(p, n, poll_timeout(m, now)) < 0 && errno != EINTR) {
		(void)snprintf(m->msg, sizeof(m->msg), "poll: %s",
		    strerror(errno));
		return E_ERROR;
	}
	if ((p[0].revents & POLLIN) &&
	    read(m->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		m->signo = (int)si.ssi_signo;
		return E_SIGNAL;
	}
	if (p[3].revents & POLLIN) {
		while (read(m->ifd, ibuf, sizeof(ibuf)) > 0)
			;
		m->early = true;
	}
	if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
		return mon_read_status(m);
	return E_NONE;
}

/* Non-follow: caught up.  At the end of the file, tell the streamer. */
static void
maybe_eof(struct mon *m)
{
	struct stat st;

	if (m->r->follow || m->eof_sent || m->off < m->limit ||
	    m->bpos < m->blen)
		return;
	if (fstat(m->r->file.fd, &st) == 0 && st.st_size > m->off) {
		m->early = true; /* it grew: a check extends the limit */
		return;
	}
	(void)close(m->pipe_w);
	m->pipe_w = -1;
	m->eof_sent = true;
}

static enum end
run_loop(struct mon *m)
{
	enum end e;
	int64_t now;

	for (;;) {
		now = now_ms();
		if (now >= deadline(m))
			return E_EXPIRED;
		if (!m->ready && now >= m->started + READY_MS) {
			(void)snprintf(m->msg, sizeof(m->msg),
			    "the output process did not start");
			return E_ERROR;
		}
		if (now - m->last_tick >=
		        (m->r->follow ? FOLLOW_MS : CHECK_MS) ||
		    (m->early && now - m->last_tick >= EARLY_MS))
			if ((e = tick(m)) != E_NONE)
				return e;
		if (m->ready && !m->eof_sent) {
			if ((e = forward(m)) != E_NONE)
				return e;
			if (m->next.fd >= 0 && m->off >= m->limit &&
			    m->bpos >= m->blen &&
			    (e = switch_file(m)) != E_NONE)
				return e;
			maybe_eof(m);
		}
		if ((e = wait_events(m, now_ms())) != E_NONE)
			return e;
	}
}

/* Contract: see jitlogview.h. */
int
jv_monitor(struct jv_run *r)
{
	struct mon m;
	enum end e = E_ERROR;
	int devnull, rc;

	memset(&m, 0, sizeof(m));
	m.r = r;
	m.pipe_w = m.status_r = m.sfd = m.ifd = m.wd = m.child = -1;
	m.next = (struct jv_file){ .fd = -1, .dir = { .fd = -1 } };
	m.off = r->start;
	m.limit = r->file.st.st_size;
	m.splice_ok = true;
	m.started = m.last_tick = now_ms();
	r->monitor = getpid();
	if ((m.bounce = malloc(BOUNCE)) == NULL) {
		(void)snprintf(m.msg, sizeof(m.msg), "out of memory");
		goto out;
	}
	if (setup_signals(&m) < 0) {
		(void)snprintf(m.msg, sizeof(m.msg), "signals: %s",
		    strerror(errno));
		goto out;
	}
	/* The streamer; never a fallback to streaming from here. */
	if (mon_start(&m) < 0)
		goto out;
	if (drop_caps() < 0) {
		(void)snprintf(m.msg, sizeof(m.msg),
		    "cannot drop capabilities: %s", strerror(errno));
		goto out;
	}
	/* This process never writes to stdout. */
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull < 0 || dup2(devnull, STDOUT_FILENO) < 0) {
		(void)snprintf(m.msg, sizeof(m.msg), "/dev/null: %s",
		    strerror(errno));
		goto out;
	}
	(void)close(devnull);
	if (r->follow) {
		m.ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		watch_dir(&m);
	}
	e = run_loop(&m);
out:
	rc = mon_finish(&m, e == E_NONE ? E_ERROR : e);
	jv_file_close(&m.next);
	free(m.bounce);
	return rc;
}

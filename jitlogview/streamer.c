/* SPDX-License-Identifier: ISC */
/*
 * The unprivileged streamer: the only part of jitlogview that touches
 * the log's bytes.  Forked by the monitor, it keeps nothing but the pipe
 * it reads, a status pipe back, and stdin/stdout/stderr; it becomes the
 * caller (uid and gid, no supplementary groups; "nobody" when the caller
 * is root), proves it cannot become root again, makes itself
 * non-dumpable (the caller can neither ptrace it nor read its memory,
 * environment or fds through /proc), and only then tells the monitor it
 * is ready.  Then it reads the pipe, assembles lines (linebuf.h),
 * redacts them (redact.h) unless the grant was approved unredacted,
 * escapes them for the terminal and writes them to stdout.  Counts of
 * bytes shown and redactions per rule go back to the monitor for the
 * audit trail.
 *
 * MUST (SECURITY.md "Privilege separation", "Output";
 * tests/integration/view_privsep.sh, view_hostile.sh):
 *  - no fd but the two pipes and 0-2; no store, config file or log fd;
 *  - setgroups(0), setresgid, setresuid checked; afterwards setuid(0),
 *    seteuid(0), setgid(0) fail, no supplementary group, no capability;
 *  - non-dumpable, no_new_privs, not traced, killed with the monitor;
 *  - nothing reaches stdout but escaped, redacted text; a failure to set
 *    up redaction is fatal (never an unredacted fallback);
 *  - write errors end the streamer; EPIPE quietly (JV_EX_PIPE).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "jitlog/linebuf.h"
#include "jitlog/redact.h"
#include "jitlogview.h"

#define DATA_FD       3
#define STATUS_FD     4
#define IN_BUF        (256 * 1024)
#define FEED_MAX      (64 * 1024)   /* = the line cap: linebuf's fast path */
#define OUT_FLUSH     (256 * 1024)  /* write out at least this much at once */
#define OUT_PIPE_SIZE (1024 * 1024) /* the default pipe-max-size */
#define STATUS_NS     100000000L    /* report at most every 100 ms */
#define NOBODY        65534

struct streamer {
	struct jl_redactor *rd;
	struct jl_linebuf lb;
	struct jl_buf out;
	struct jv_status st;
	struct timespec last;
	struct jv_shared *sh; /* bytes handed to write(2), for the monitor */
};

/* Put the pipes on DATA_FD and STATUS_FD; close everything else. */
static int
only_pipes(int data_fd, int status_fd)
{
	int d, s;

	if ((d = fcntl(data_fd, F_DUPFD_CLOEXEC, 10)) < 0 ||
	    (s = fcntl(status_fd, F_DUPFD_CLOEXEC, 10)) < 0 ||
	    dup2(d, DATA_FD) < 0 || dup2(s, STATUS_FD) < 0)
		return -1;
	if (close_range(STATUS_FD + 1, ~0U, 0) != 0)
		return -1;
	return fcntl(STATUS_FD, F_SETFL, O_NONBLOCK);
}

/* Default signals, unblocked; SIGPIPE and job-control stops ignored. */
static void
reset_signals(void)
{
	static const int dfl[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD,
		SIGALRM, SIGXFSZ };
	sigset_t none;

	for (size_t i = 0; i < sizeof(dfl) / sizeof(dfl[0]); i++)
		(void)signal(dfl[i], SIG_DFL);
	(void)signal(SIGPIPE, SIG_IGN);
	(void)signal(SIGTSTP, SIG_IGN);
	(void)signal(SIGTTIN, SIG_IGN);
	(void)signal(SIGTTOU, SIG_IGN);
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* No capability left in any set. */
static bool
no_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) != 0)
		return false;
	return (d[0].effective | d[0].permitted | d[0].inheritable |
	           d[1].effective | d[1].permitted | d[1].inheritable) == 0;
}

/* Become the caller for good, and prove it.  0 or -1. */
static int
drop(const struct jv_creds *cr)
{
	uid_t uid = cr->uid != 0 ? cr->uid : NOBODY, ru, eu, su;
	gid_t gid = cr->uid != 0 ? cr->gid : NOBODY, rg, eg, sg;

	if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0)
		return -1;
	if (setuid(0) != -1 || seteuid(0) != -1)
		return -1;
	if (gid != 0 && (setgid(0) != -1 || setegid(0) != -1))
		return -1;
	if (getgroups(0, NULL) != 0 || getresuid(&ru, &eu, &su) != 0 ||
	    getresgid(&rg, &eg, &sg) != 0)
		return -1;
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
	    sg != gid || !no_caps())
		return -1;
	return 0;
}

/* Nobody looks in: non-dumpable, no tracer, no new privileges, and
 * killed if the monitor goes away. */
static int
seal(pid_t monitor)
{
	char buf[4096], *p;
	ssize_t n;
	int fd;

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 ||
	    getppid() != monitor)
		return -1;
	/* Someone who attached while we were still dumpable stays
	 * attached: refuse to go on traced. */
	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "\nTracerPid:");
	if (p == NULL)
		return -1;
	p += strlen("\nTracerPid:");
	p += strspn(p, " \t");
	return p[0] == '0' && p[1] == '\n' ? 0 : -1;
}

/* Report counts (never blocks: a full pipe skips a report, the last one
 * is sent blocking). */
static void
report(struct streamer *s, bool last)
{
	size_t i, n = 0;

	if (s->rd != NULL) {
		n = jl_redactor_nrules(s->rd);
		if (n > JV_MAX_RULES)
			n = JV_MAX_RULES;
		for (i = 0; i < n; i++)
			s->st.counts[i] = jl_redactor_rule_count(s->rd, i);
	}
	s->st.magic = JV_STATUS_MAGIC;
	s->st.nrules = (uint32_t)n;
	s->st.lines_cut = s->lb.lines_cut;
	if (last)
		(void)fcntl(STATUS_FD, F_SETFL, 0);
	while (write(STATUS_FD, &s->st, sizeof(s->st)) < 0 && errno == EINTR)
		;
	(void)clock_gettime(CLOCK_MONOTONIC, &s->last);
}

/* Write p[0..n) to stdout, all of it; a failure ends the streamer. */
static void
write_out(struct streamer *s, const char *p, size_t n)
{
	size_t off = 0;
	ssize_t w;

	while (off < n) {
		__atomic_store_n(&s->sh->bytes, s->st.bytes + (n - off),
		    __ATOMIC_RELAXED);
		w = write(STDOUT_FILENO, p + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			w = errno;
			report(s, true);
			_exit(w == EPIPE ? JV_EX_PIPE : JV_ERROR);
		}
		off += (size_t)w;
		s->st.bytes += (uint64_t)w;
	}
}

/* The linebuf sink: plain text straight from the input buffer. */
static int
sink(void *ctx, const char *p, size_t n)
{
	write_out(ctx, p, n);
	return 0;
}

/* Write the output so far to stdout. */
static void
flush(struct streamer *s)
{
	write_out(s, s->out.data, s->out.len);
	jl_buf_reset(&s->out);
}

static void
maybe_report(struct streamer *s)
{
	struct timespec now;
	long ns;

	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (now.tv_sec - s->last.tv_sec) * 1000000000L +
	    (now.tv_nsec - s->last.tv_nsec);
	if (ns >= STATUS_NS)
		report(s, false);
}

/* The rules of the resource, unless the view is raw. */
static int
setup(struct streamer *s, const struct jv_run *r)
{
	const struct jl_config *cfg = r->c->cfg;
	struct jl_linebuf_redactor red = { jl_redactor_fn, jl_redactor_out_at,
		NULL };
	struct jl_error err = { "" };

	/* No rules (redact = []) is no redactor: lines are only escaped. */
	if (!r->view.g.unredacted && r->res->nredact > 0) {
		if (jl_redactor_new((const char *const *)r->res->redact,
		        r->res->nredact, cfg->rules, cfg->nrules, &s->rd,
		        &err) < 0) {
			jv_err("cannot set up redaction: %s", err.msg);
			return -1;
		}
		red.ctx = s->rd;
	}
	if (jl_linebuf_init(&s->lb, JL_LINEBUF_CAP, JL_LINEBUF_OVERLAP,
	        s->rd != NULL ? &red : NULL) < 0)
		return -1;
	jl_linebuf_sink(&s->lb, &(struct jl_linebuf_sink){ sink, s });
	return 0;
}

/* Contract: see jitlogview.h. */
void
jv_streamer(const struct jv_run *r, int data_fd, int status_fd,
    struct jv_shared *sh)
{
	static struct streamer s;
	char *buf;
	ssize_t n;
	size_t off, k;

	s.sh = sh;
	if (only_pipes(data_fd, status_fd) < 0)
		_exit(JV_ERROR);
	reset_signals();
	if (drop(&r->creds) < 0) {
		jv_err("output process: cannot drop privileges");
		_exit(JV_ERROR);
	}
	if (seal(r->monitor) < 0) {
		jv_err("output process: traced, or cannot make itself "
		       "non-dumpable; nothing shown");
		_exit(JV_ERROR);
	}
	if (setup(&s, r) < 0 || (buf = malloc(IN_BUF)) == NULL)
		_exit(JV_ERROR);
	/*
	 * A larger pipe to the consumer, when stdout is one (else this
	 * fails, harmlessly): with the default 64 KiB, writer and reader
	 * take turns every 64 KiB, and "jitlogview | cat" moved half as
	 * much as "cat FILE | cat".  Done as the caller, so the caller's
	 * pipe quota and pipe-max-size apply.  What the pipe holds was
	 * written while the grant held; the cut-off stops the writing.
	 */
	(void)fcntl(STDOUT_FILENO, F_SETPIPE_SZ, OUT_PIPE_SIZE);
	report(&s, false); /* ready: the monitor starts sending */
	for (;;) {
		n = read(DATA_FD, buf, IN_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			_exit(JV_ERROR);
		if (n == 0)
			break;
		for (off = 0; off < (size_t)n; off += k) {
			k = (size_t)n - off < FEED_MAX ? (size_t)n - off :
			                                 FEED_MAX;
			if (jl_linebuf_feed(&s.lb, buf + off, k, &s.out) < 0)
				_exit(JV_ERROR);
			if (s.out.len >= OUT_FLUSH)
				flush(&s);
		}
		flush(&s); /* all that was read: nothing waits */
		maybe_report(&s);
	}
	if (jl_linebuf_finish(&s.lb, &s.out) < 0)
		_exit(JV_ERROR);
	flush(&s);
	report(&s, true);
	_exit(JV_OK);
}

/* SPDX-License-Identifier: ISC */
/*
 * jitlogview: shows a protected log only while the caller's grant holds.
 * Installed setuid root.  main() is the security argument and reads top
 * to bottom: sanitise the process (fds, environment, limits, dumpable,
 * cwd); refuse to run half-privileged; make every uid root so the caller
 * can no longer signal, stop or trace this process; parse the arguments
 * strictly; load the root-owned config from its compiled-in path; learn
 * who the caller is from the real uid; open the store.  Then, for a view:
 * decide with the store (no grant: nothing about the files is even looked
 * at), choose and open the file through the safe-open routine, record the
 * view (no record, no view), and hand every byte to the unprivileged
 * streamer while the monitor holds the grant (monitor.c, streamer.c).
 *
 * MUST (SECURITY.md "Process start", "Opening a protected log",
 * "Privilege separation"; SPEC section 5; tests/integration/view_*.sh):
 *  - jl_proc_sanitize() first; argc == 0 is a usage error; argv is never
 *    written;
 *  - no_new_privs, a missing setuid bit or a nosuid mount: exit 3 with a
 *    clear message, nothing shown, nothing recorded; limits too small to
 *    finish: exit 3 before anything is read;
 *  - the caller's identity is the real uid, read once at the start, and
 *    names come from NSS; the environment is never read;
 *  - names are validated before any lookup; a FILE is matched against the
 *    resource's configured paths, never resolved as given;
 *  - the grant is decided before the file is opened, and decided again
 *    in the transaction that records view_open; every refusal is recorded
 *    as view_denied; exit 0/1/2/3/4 as SPEC section 5 says.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jitlog/escape.h"
#include "jitlog/parse.h"
#include "jitlog/proc.h"
#include "jitlog/store.h"
#include "jitlogview.h"

#define JV_ARG_MAX 4096
#define JV_HELP    (-1)

struct jv_args {
	const char *resource; /* NULL: list */
	const char *file;     /* NULL: the only file */
	int64_t lines;        /* -n, or -1 */
	bool follow;
};

struct jv {
	struct jl_config *cfg;
	struct jl_ident who;
	struct jl_store *store;
	struct jl_ctx ctx;
};

static void
on_alarm(int sig)
{
	(void)sig;
}

/* Contract: see jitlogview.h.  A stderr that does not drain (a full
 * pipe, a stopped terminal) holds us one second at most. */
void
jv_err(const char *fmt, ...)
{
	char msg[JL_ERRMAX * 2], *esc, *line = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	esc = jl_escape_text(msg);
	n = asprintf(&line, "jitlogview: %s\n", esc ? esc : "(out of memory)");
	free(esc);
	if (n < 0)
		return;
	(void)alarm(1);
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		n = -1; /* nowhere left to say it */
	(void)alarm(0);
	free(line);
}

static void
usage(FILE *f)
{
	(void)fprintf(f,
	    "usage: jitlogview [-f] [-n N] RESOURCE [FILE]\n       jitlogview\n");
}

static int __attribute__((format(printf, 1, 2))) usage_err(const char *fmt, ...)
{
	char msg[JL_ERRMAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	jv_err("%s", msg);
	usage(stderr);
	return JV_USAGE;
}

/* -n's value: a plain decimal number. */
static int
set_lines(struct jv_args *a, const char *s)
{
	uint64_t v;

	if (a->lines >= 0)
		return usage_err("option -n given more than once");
	if (s == NULL || jl_parse_uint(s, JV_LINES_MAX, &v) < 0)
		return usage_err(
		    "-n needs a number from 0 to 100000000, not \"%.64s\"",
		    s ? s : "");
	a->lines = (int64_t)v;
	return JV_OK;
}

/* One option at argv[*i].  JV_OK, JV_HELP or JV_USAGE. */
static int
parse_opt(int argc, char *argv[], int *i, struct jv_args *a)
{
	const char *s = argv[*i];

	if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
		usage(stdout);
		return JV_HELP;
	}
	if (strcmp(s, "-f") == 0 || strcmp(s, "--follow") == 0) {
		if (a->follow)
			return usage_err("option -f given more than once");
		a->follow = true;
		return JV_OK;
	}
	if (strcmp(s, "-n") == 0 || strcmp(s, "--lines") == 0) {
		*i += 1;
		return set_lines(a, *i < argc ? argv[*i] : NULL);
	}
	if (strncmp(s, "-n", 2) == 0)
		return set_lines(a, s + 2);
	return usage_err("unknown option \"%.64s\"", s);
}

/* The whole command line, strictly.  JV_OK, JV_HELP or JV_USAGE. */
static int
parse_args(int argc, char *argv[], struct jv_args *a)
{
	const char *pos[2];
	size_t npos = 0;
	bool opts = true;
	int i, r;

	if (argc < 1 || argv[0] == NULL)
		return usage_err("no arguments at all");
	for (i = 1; i < argc; i++)
		if (strnlen(argv[i], JV_ARG_MAX + 1) > JV_ARG_MAX)
			return usage_err("an argument is too long");
	for (i = 1; i < argc; i++) {
		if (opts && strcmp(argv[i], "--") == 0) {
			opts = false;
		} else if (opts && argv[i][0] == '-' && argv[i][1] != '\0') {
			if ((r = parse_opt(argc, argv, &i, a)) != JV_OK)
				return r;
		} else if (npos == 2) {
			return usage_err("too many arguments: \"%.64s\"",
			    argv[i]);
		} else {
			pos[npos++] = argv[i];
		}
	}
	if (npos == 0 && (a->follow || a->lines >= 0))
		return usage_err("-f and -n need a RESOURCE");
	if (npos >= 1 && !jl_valid_resource_name(pos[0]))
		return usage_err("\"%.64s\" is not a resource name", pos[0]);
	if (npos == 2 && jl_check_text(pos[1], JV_ARG_MAX) < 0)
		return usage_err("\"%.64s\" is not a file name", pos[1]);
	a->resource = npos >= 1 ? pos[0] : NULL;
	a->file = npos == 2 ? pos[1] : NULL;
	return JV_OK;
}

/* All ids root, no groups: the caller (same real uid until now) can no
 * longer signal or trace us.  Dumpable is reset by the change: re-assert. */
static int
become_root(void)
{
	uid_t r, e, s;

	if (setgroups(0, NULL) != 0 || setresgid(0, 0, 0) != 0 ||
	    setresuid(0, 0, 0) != 0)
		return -errno;
	if (getresuid(&r, &e, &s) != 0 || r != 0 || e != 0 || s != 0)
		return -EPERM;
	return jl_proc_nodump();
}

/* Config, identity, store.  JV_OK or JV_ERROR (message written). */
static int
setup(struct jv *v, uid_t uid)
{
	struct jl_store_opts o;
	struct jl_error err = { "" };
	gid_t gid = (gid_t)-1;
	int r;

	if (jl_config_load(JL_CONFIG_PATH, 0, &v->cfg, &err) < 0) {
		jv_err("%s", err.msg);
		return JV_ERROR;
	}
	if ((r = jl_ident_from_uid(uid, &v->who)) < 0) {
		jv_err("cannot look up uid %lu: %s", (unsigned long)uid,
		    r == -ENOENT ? "no such user" : strerror(-r));
		return JV_ERROR;
	}
	if ((r = jl_group_gid(JL_GROUP, &gid)) < 0) {
		jv_err("cannot find group %s: %s", JL_GROUP, strerror(-r));
		return JV_ERROR;
	}
	jl_store_opts_default(&o);
	o.owner = 0;
	o.group = gid;
	o.busy_ms = JV_STORE_BUSY_MS;
	o.alarm_wait = true; /* on_alarm, installed in main */
	if (jl_store_open(v->cfg->database, &o, &v->store, &err) < 0) {
		jv_err("%s", err.msg);
		return JV_ERROR;
	}
	v->ctx = (struct jl_ctx){ .cfg = v->cfg,
		.store = v->store,
		.who = &v->who,
		.now = (int64_t)time(NULL),
		.prog = "jitlogview" };
	return JV_OK;
}

/* Refused: record view_denied, say why.  JV_REFUSED (JV_ERROR when the
 * refusal could not be recorded). */
static int
refuse(struct jv *v, const char *resource, const char *file, const char *why,
    const char *msg)
{
	struct jl_error err = { "" };

	int r;

	/* Recorded first: saying why cannot keep the record from being
	 * written (stderr a pipe that is full, or gone). */
	v->ctx.now = (int64_t)time(NULL);
	r = jl_view_deny(&v->ctx, resource, file, why, &err);
	jv_err("%s", msg);
	if (r < 0) {
		jv_err("cannot record the refusal: %s", err.msg);
		return JV_ERROR;
	}
	return JV_REFUSED;
}

/* The one configured file of res (no glob), for the record of a refusal
 * when the caller named none; NULL otherwise.  The config only: no file
 * is looked at before the grant is decided. */
static const char *
only_path(const struct jl_resource *res)
{
	if (res->npaths != 1 || jl_safe_path_is_glob(res->paths[0]))
		return NULL;
	return res->paths[0];
}

/* Signals that end a view wait (blocked) for the monitor's signalfd from
 * the moment the view is recorded. */
static void
hold_signals(void)
{
	sigset_t set;

	(void)sigemptyset(&set);
	(void)sigaddset(&set, SIGINT);
	(void)sigaddset(&set, SIGTERM);
	(void)sigaddset(&set, SIGHUP);
	(void)sigaddset(&set, SIGQUIT);
	(void)sigprocmask(SIG_BLOCK, &set, NULL);
}

/* Where the view starts: -n N, -f alone (the last 10 lines), or 0. */
static int
start_offset(const struct jv_args *a, struct jv_run *run)
{
	int64_t n = a->lines >= 0 ? a->lines : a->follow ? JV_FOLLOW_LINES : -1;

	run->start = 0;
	if (n < 0)
		return 0;
	return jv_tail_offset(run->file.fd, run->file.st.st_size, (uint64_t)n,
	    &run->start);
}

/* Decide, open, record, stream.  The exit status. */
static int
view(struct jv *v, const struct jv_args *a, uid_t uid, gid_t gid)
{
	struct jv_run run = { .c = &v->ctx,
		.follow = a->follow,
		.creds = { uid, gid },
		.file = { .fd = -1, .dir = { .fd = -1 } } };
	struct jl_view_req rq;
	struct jl_view_grant g;
	struct jl_error err = { "" };
	const char *why = NULL;
	char msg[JL_ERRMAX + 128];
	int r;

	run.res = jl_config_resource(v->cfg, a->resource);
	if (run.res == NULL) {
		(void)snprintf(msg, sizeof(msg), "no resource %s", a->resource);
		return refuse(v, a->resource, a->file, "unknown resource", msg);
	}
	/* 1. Decide first: without a grant, no file is looked at. */
	if ((r = jl_view_find(&v->ctx, run.res, &g, &err)) < 0) {
		jv_err("%s", err.msg);
		return JV_ERROR;
	}
	if (r == 0) {
		(void)snprintf(msg, sizeof(msg),
		    "no active grant for %s on %s; "
		    "request one with: jitadm request %s --reason TEXT",
		    v->who.name, a->resource, a->resource);
		return refuse(v, a->resource,
		    a->file != NULL ? a->file : only_path(run.res),
		    "no active grant", msg);
	}
	/* 2. The file: one of the resource's, opened by the safe rules. */
	r = jv_file_open(run.res, a->file, &run.file, &why, &err);
	if (r == JV_REFUSED) {
		(void)snprintf(msg, sizeof(msg), "%s%s%s", why,
		    err.msg[0] ? ": " : "", err.msg);
		r = refuse(v, a->resource, a->file, why, msg);
		goto out;
	}
	if (r != JV_OK) {
		if (r == JV_ERROR)
			jv_err("%s", err.msg);
		goto out;
	}
	if ((r = start_offset(a, &run)) < 0) {
		jv_err("%s: %s", run.file.path, strerror(-r));
		r = JV_ERROR;
		goto out;
	}
	/* 3. Record the view before its first byte: no record, no view. */
	hold_signals();
	rq = (struct jl_view_req){ .res = run.res,
		.file = run.file.path,
		.follow = a->follow,
		.lines = a->lines };
	v->ctx.now = (int64_t)time(NULL);
	r = jl_view_open(&v->ctx, &rq, &run.view, &err);
	if (r != 0) {
		jv_err("%s", err.msg);
		r = r == JL_REFUSED ? JV_REFUSED : JV_ERROR;
		goto out;
	}
	/* 4. The monitor holds the grant; the streamer shows the bytes. */
	jl_store_set_busy(v->store, JV_RECHECK_BUSY_MS);
	r = jv_monitor(&run);
out:
	jv_file_close(&run.file);
	return r;
}

int
main(int argc, char *argv[])
{
	struct jv v = { 0 };
	struct jv_args a = { .lines = -1 };
	struct jl_error err = { "" };
	uid_t uid;
	gid_t gid;
	int r;

	/* 1. The process: fds 0-2 valid and no others, a fixed environment,
	 * cwd "/", umask 077, no core dumps, not dumpable. */
	if (jl_proc_sanitize(&err) < 0) {
		jv_err("%s", err.msg);
		return JV_ERROR;
	}
	(void)sigaction(SIGALRM, &(struct sigaction){ .sa_handler = on_alarm },
	    NULL); /* no SA_RESTART: a stuck write returns EINTR */
	/* 2. Who asks: the real ids, read once, before they change. */
	uid = getuid();
	gid = getgid();
	/* 3. Refuse to run half-privileged, or with crippling limits. */
	if (jl_proc_check_privileged(0, (gid_t)-1, &err) < 0 ||
	    geteuid() != 0) {
		jv_err("not running with its privileges (installed setuid "
		       "root? mounted nosuid? no_new_privs?): %s",
		    err.msg[0] ? err.msg : "effective uid is not 0");
		return JV_ERROR;
	}
	if (jl_proc_check_limits(JV_MIN_NOFILE, &err) < 0) {
		jv_err("resource limits too low: %s", err.msg);
		return JV_ERROR;
	}
	/* 4. Every uid root: the caller cannot signal, stop or trace us,
	 * nor end us through a CPU limit. */
	if ((r = become_root()) < 0) {
		jv_err("cannot set the user ids: %s", strerror(-r));
		return JV_ERROR;
	}
	if (jl_proc_lift_cpu_limit(&err) < 0) {
		jv_err("resource limits too low: %s", err.msg);
		return JV_ERROR;
	}
	/* 5. Arguments, strictly; then config, identity and store. */
	if ((r = parse_args(argc, argv, &a)) != JV_OK)
		return r == JV_HELP ? JV_OK : r;
	r = setup(&v, uid);
	/* 6. List, or view. */
	if (r == JV_OK)
		r = a.resource == NULL ? jv_list(&v.ctx) :
		                         view(&v, &a, uid, gid);
	jl_store_close(v.store);
	jl_ident_free(&v.who);
	jl_config_free(v.cfg);
	return r;
}

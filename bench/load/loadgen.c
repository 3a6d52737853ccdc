/* SPDX-License-Identifier: ISC */
/*
 * loadgen: the timed part of bench/load/load.py.
 *
 * CLIENTS threads run for SECONDS, each picking its next operation at
 * random (by the weights of the plan) and running it as a fresh process,
 * as the plan's real users, exactly as load.py describes.  It is C, not
 * Python, so that the driver does not take the CPUs it measures: Python
 * with 32 threads spent most of its time on its own lock, and had to
 * start setpriv(1) before each program to change user.  Here a small
 * process forks, and the child changes its credentials itself.
 *
 * Usage: loadgen PLAN
 *
 * PLAN, written by load.py, one item per line:
 *	seconds S		clients N		seed N
 *	jitadm PATH		jitlogview PATH		service NAME
 *	expect PATH		(the whole view, as the first view showed it)
 *	weight OP N		(OP: request approve deny revoke list pam view)
 *	eng NAME UID GID GROUPS	lead NAME UID GID GROUPS
 *				(GROUPS: comma-separated gids, or -)
 *
 * Output, on standard output:
 *	op OP LATENCY_US CPU_US VERDICT	one line per operation; VERDICT is
 *					ok, refused (a documented refusal)
 *					or failed
 *	fail OP: DETAIL			the first 50 failures
 *	driver CPU_US ELAPSED_US	this process's own CPU and the run time
 *
 * What counts as a failure is load.py's: any exit status but success or
 * a documented refusal, a partial view, a list that is not JSON, a
 * request that prints no id, a timeout (30 s), a signal, and "locked",
 * "busy" or "sqlite" in anything a user is shown on standard error.
 * Exit: 0 the run took place (whatever it found), 2 a bad plan, 3 the
 * driver itself failed.
 */
#define _GNU_SOURCE
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum op {
	OP_REQUEST,
	OP_APPROVE,
	OP_DENY,
	OP_REVOKE,
	OP_LIST,
	OP_PAM,
	OP_VIEW,
	OP_N
};
static const char *const opname[OP_N] = { "request", "approve", "deny",
	"revoke", "list", "pam", "view" };

enum verdict { V_OK, V_REFUSED, V_FAILED };
static const char *const vname[] = { "ok", "refused", "failed" };

#define MAXUSERS   256
#define MAXGROUPS  64
#define TIMEOUT_MS 30000
#define MAXFAIL    50

struct user {
	char name[64];
	uid_t uid;
	gid_t gid;
	gid_t groups[MAXGROUPS];
	int ngroups;
	int64_t *mine; /* ids this engineer asked for during the run */
	size_t nmine, capmine;
};

struct rec {
	unsigned char op, verdict;
	int64_t lat_us, cpu_us;
};

struct client {
	pthread_t thread;
	uint64_t rng;
	struct rec *recs;
	size_t nrecs, caprecs;
};

struct out {
	char *buf;
	size_t len, cap;
};

struct done {
	int rc; /* exit status, or -signal */
	int timedout;
	int64_t cpu_us;
	struct out out, err;
};

static double seconds;
static int nclients, weights[OP_N], wsum;
static long seed;
static char jitadm[4096], jitlogview[4096], service[256];
static char *expect;
static size_t expectlen;
static struct user eng[MAXUSERS], lead[MAXUSERS];
static int neng, nlead;
static int64_t stop_ns;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t *pending;
static size_t npending, cappending;
static char *fails[MAXFAIL];
static int nfails;

static int devnull = -1; /* opened once, for every child's stdin */
static char *const envp[] = { "PATH=/usr/bin:/bin", NULL };

static void
fatal(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("loadgen: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(code);
}

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL)
		fatal(3, "out of memory");
	return p;
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* splitmix64: a fast, well-mixed per-client sequence. */
static uint64_t
rnd(struct client *c)
{
	uint64_t z = (c->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static size_t
pick(struct client *c, size_t n)
{
	return (size_t)(rnd(c) % n);
}

/* --- the plan ---------------------------------------------------------- */

static void
parse_user(char *rest, struct user *u, int lineno)
{
	char name[64], groups[4096];
	unsigned long uid, gid;
	char *g, *save;

	if (sscanf(rest, "%63s %lu %lu %4095s", name, &uid, &gid, groups) != 4)
		fatal(2, "plan line %d: want NAME UID GID GROUPS", lineno);
	memcpy(u->name, name, sizeof(name));
	u->uid = (uid_t)uid;
	u->gid = (gid_t)gid;
	if (strcmp(groups, "-") == 0)
		return;
	for (g = strtok_r(groups, ",", &save); g;
	     g = strtok_r(NULL, ",", &save)) {
		if (u->ngroups == MAXGROUPS)
			fatal(2, "plan line %d: more than %d groups", lineno,
			    MAXGROUPS);
		u->groups[u->ngroups++] = (gid_t)strtoul(g, NULL, 10);
	}
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n;

	if (f == NULL)
		fatal(2, "%s: %s", path, strerror(errno));
	*len = 0;
	do {
		if (*len + 65536 > cap)
			buf = xrealloc(buf, cap = cap * 2 + 65536);
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n > 0);
	if (ferror(f))
		fatal(2, "%s: read error", path);
	fclose(f);
	return buf;
}

static void
read_plan(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[8192], key[32], *rest;
	int lineno = 0, i;

	if (f == NULL)
		fatal(2, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%31s", key) != 1)
			continue;
		rest = line + strlen(key);
		rest += strspn(rest, " ");
		if (strcmp(key, "seconds") == 0)
			seconds = atof(rest);
		else if (strcmp(key, "clients") == 0)
			nclients = atoi(rest);
		else if (strcmp(key, "seed") == 0)
			seed = atol(rest);
		else if (strcmp(key, "jitadm") == 0)
			snprintf(jitadm, sizeof(jitadm), "%s", rest);
		else if (strcmp(key, "jitlogview") == 0)
			snprintf(jitlogview, sizeof(jitlogview), "%s", rest);
		else if (strcmp(key, "service") == 0)
			snprintf(service, sizeof(service), "%s", rest);
		else if (strcmp(key, "expect") == 0)
			expect = slurp(rest, &expectlen);
		else if (strcmp(key, "eng") == 0 || strcmp(key, "lead") == 0) {
			int e = key[0] == 'e';

			if ((e ? neng : nlead) == MAXUSERS)
				fatal(2, "plan line %d: too many users",
				    lineno);
			parse_user(rest, e ? &eng[neng++] : &lead[nlead++],
			    lineno);
		} else if (strcmp(key, "weight") == 0) {
			char op[32];
			int w;

			if (sscanf(rest, "%31s %d", op, &w) != 2 || w < 0)
				fatal(2, "plan line %d: want weight OP N",
				    lineno);
			for (i = 0; i < OP_N && strcmp(op, opname[i]) != 0; i++)
				;
			if (i == OP_N)
				fatal(2, "plan line %d: unknown operation %s",
				    lineno, op);
			weights[i] = w;
		} else
			fatal(2, "plan line %d: unknown item %s", lineno, key);
	}
	fclose(f);
	for (i = 0; i < OP_N; i++)
		wsum += weights[i];
	if (seconds <= 0 || nclients < 1 || neng < 1 || nlead < 1 || wsum < 1 ||
	    !*jitadm || !*jitlogview || !*service || expect == NULL)
		fatal(2, "%s: incomplete plan", path);
}

/* --- running one program ------------------------------------------------ */

/* User plus system CPU of ru, in microseconds. */
static int64_t
ru_us(const struct rusage *ru)
{
	return (int64_t)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000 +
	    ru->ru_utime.tv_usec + ru->ru_stime.tv_usec;
}

/* Empty o, its buffer allocated and NUL-terminated. */
static void
out_reset(struct out *o)
{
	if (o->buf == NULL)
		o->buf = xrealloc(NULL, o->cap = 65537);
	o->len = 0;
	o->buf[0] = '\0';
}

static void
out_read(int fd, struct out *o, int *open)
{
	ssize_t n;

	if (o->len + 65537 > o->cap)
		o->buf = xrealloc(o->buf, o->cap = o->cap * 2 + 65537);
	n = read(fd, o->buf + o->len, o->cap - o->len - 1);
	if (n > 0)
		o->len += (size_t)n;
	else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		*open = 0;
	o->buf[o->len] = '\0';
}

/*
 * Run argv as u (NULL: as root), stdin /dev/null, with its output
 * collected.  0, or -errno when it could not be started.
 */
static int
spawn(const struct user *u, char *const argv[], struct done *d)
{
	int po[2], pe[2], oopen = 1, eopen = 1, status;
	int64_t deadline = now_ns() + (int64_t)TIMEOUT_MS * 1000000;
	struct rusage ru;
	pid_t pid;

	out_reset(&d->out);
	out_reset(&d->err);
	d->timedout = 0;
	if (pipe2(po, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(pe, O_CLOEXEC) < 0) {
		int e = errno;

		close(po[0]);
		close(po[1]);
		return -e;
	}
	pid = vfork();
	if (pid == 0) {
		/*
		 * Only system calls from here to execve: this child of vfork
		 * shares the memory of a threaded process.  The raw
		 * credential calls change this task alone, not its parent's
		 * threads (glibc's wrappers would signal them all).
		 */
		if (dup2(devnull, 0) < 0 || dup2(po[1], 1) < 0 ||
		    dup2(pe[1], 2) < 0 || chdir("/") < 0)
			_exit(126);
		if (u != NULL &&
		    (syscall(SYS_setgroups, (size_t)u->ngroups, u->groups) <
		            0 ||
		        syscall(SYS_setresgid, u->gid, u->gid, u->gid) < 0 ||
		        syscall(SYS_setresuid, u->uid, u->uid, u->uid) < 0))
			_exit(126);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	if (pid < 0) {
		int e = errno;

		close(po[0]);
		close(pe[0]);
		return -e;
	}
	while (oopen || eopen) {
		struct pollfd p[2] = { { oopen ? po[0] : -1, POLLIN, 0 },
			{ eopen ? pe[0] : -1, POLLIN, 0 } };
		int64_t left = (deadline - now_ns()) / 1000000;

		if (left <= 0) {
			d->timedout = 1;
			kill(pid, SIGKILL);
			break;
		}
		if (poll(p, 2, (int)left) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			out_read(po[0], &d->out, &oopen);
		if (p[1].revents)
			out_read(pe[0], &d->err, &eopen);
	}
	close(po[0]);
	close(pe[0]);
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			fatal(3, "wait4: %s", strerror(errno));
	d->rc = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
	d->cpu_us = ru_us(&ru);
	return 0;
}

/* --- judging ------------------------------------------------------------ */

static const char *json_value(const char *p, const char *e, int depth);

static const char *
json_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static const char *
json_string(const char *p, const char *e)
{
	for (p++; p < e; p++) {
		if (*p == '"')
			return p + 1;
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p != '\\')
			continue;
		if (++p == e)
			return NULL;
		if (*p == 'u') {
			for (int i = 0; i < 4; i++)
				if (++p == e || !isxdigit((unsigned char)*p))
					return NULL;
		} else if (strchr("\"\\/bfnrt", *p) == NULL)
			return NULL;
	}
	return NULL;
}

static const char *
json_number(const char *p, const char *e)
{
	const char *s;

	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else {
		for (s = p; p < e && isdigit((unsigned char)*p); p++)
			;
		if (p == s)
			return NULL;
	}
	if (p < e && *p == '.') {
		for (s = ++p; p < e && isdigit((unsigned char)*p); p++)
			;
		if (p == s)
			return NULL;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		if (++p < e && (*p == '+' || *p == '-'))
			p++;
		for (s = p; p < e && isdigit((unsigned char)*p); p++)
			;
		if (p == s)
			return NULL;
	}
	return p;
}

/* Members of an array or object, from after its opening bracket. */
static const char *
json_members(const char *p, const char *e, int depth, int object)
{
	char close = object ? '}' : ']';

	p = json_ws(p, e);
	if (p < e && *p == close)
		return p + 1;
	for (;;) {
		if (object) {
			if (p == e || *p != '"' ||
			    (p = json_string(p, e)) == NULL)
				return NULL;
			p = json_ws(p, e);
			if (p == e || *p++ != ':')
				return NULL;
		}
		if ((p = json_value(p, e, depth + 1)) == NULL)
			return NULL;
		p = json_ws(p, e);
		if (p < e && *p == close)
			return p + 1;
		if (p == e || *p++ != ',')
			return NULL;
		p = json_ws(p, e);
	}
}

static const char *
json_value(const char *p, const char *e, int depth)
{
	static const char *const lit[] = { "true", "false", "null" };

	p = json_ws(p, e);
	if (p == e || depth > 64)
		return NULL;
	switch (*p) {
	case '{':
		return json_members(p + 1, e, depth, 1);
	case '[':
		return json_members(p + 1, e, depth, 0);
	case '"':
		return json_string(p, e);
	}
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(lit[i]);

		if ((size_t)(e - p) >= n && memcmp(p, lit[i], n) == 0)
			return p + n;
	}
	return json_number(p, e);
}

static int
is_json(const struct out *o)
{
	const char *e = o->buf + o->len, *p = json_value(o->buf, e, 0);

	return p != NULL && json_ws(p, e) == e;
}

/* "locked", "busy" or "sqlite" in what a user was shown. */
static int
leaks(const struct out *err)
{
	static const char *const words[] = { "locked", "busy", "sqlite" };

	for (size_t i = 0; i < err->len; i++)
		for (size_t w = 0; w < 3; w++)
			if (strncasecmp(err->buf + i, words[w],
			        strlen(words[w])) == 0)
				return 1;
	return 0;
}

static void
record(struct client *c, enum op op, int64_t lat_ns, int64_t cpu_us,
    enum verdict v, const char *fmt, ...)
{
	struct rec *r;

	if (c->nrecs == c->caprecs)
		c->recs = xrealloc(c->recs,
		    (c->caprecs = c->caprecs * 2 + 1024) * sizeof(*c->recs));
	r = &c->recs[c->nrecs++];
	r->op = (unsigned char)op;
	r->verdict = (unsigned char)v;
	r->lat_us = lat_ns / 1000;
	r->cpu_us = cpu_us;
	if (v == V_FAILED && fmt != NULL) {
		char buf[1024], *s;
		int n = snprintf(buf, sizeof(buf), "%s: ", opname[op]);
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
		va_end(ap);
		for (s = buf; *s; s++)
			if (*s == '\n' || *s == '\r')
				*s = ' ';
		pthread_mutex_lock(&mu);
		if (nfails < MAXFAIL && (fails[nfails] = strdup(buf)) != NULL)
			nfails++;
		pthread_mutex_unlock(&mu);
	}
}

/*
 * Run one operation and judge it: ok is the success status, refused a
 * documented refusal's (-1: none).  The done record is left in d for the
 * caller's own checks; 1 when it may look at it, 0 when it was judged
 * a failure already.
 */
static int
run_op(struct client *c, enum op op, const struct user *u, char *const argv[],
    struct done *d, int64_t *lat)
{
	int64_t t0 = now_ns();
	int rc = spawn(u, argv, d);

	*lat = now_ns() - t0;
	if (rc < 0) {
		record(c, op, *lat, 0, V_FAILED, "cannot start %s: %s", argv[0],
		    strerror(-rc));
		return 0;
	}
	if (d->timedout) {
		record(c, op, *lat, d->cpu_us, V_FAILED, "timeout: %s",
		    argv[0]);
		return 0;
	}
	if (leaks(&d->err)) {
		record(c, op, *lat, d->cpu_us, V_FAILED,
		    "store busy/locked reached %s: %.300s",
		    u ? u->name : "root", d->err.buf);
		return 0;
	}
	return 1;
}

static void
judge(struct client *c, enum op op, const struct done *d, int64_t lat,
    int refused, const char *detail)
{
	if (d->rc == 0)
		record(c, op, lat, d->cpu_us, V_OK, NULL);
	else if (refused >= 0 && d->rc == refused)
		record(c, op, lat, d->cpu_us, V_REFUSED, NULL);
	else
		record(c, op, lat, d->cpu_us, V_FAILED, "exit %d %s %.300s",
		    d->rc, detail, d->err.buf);
}

static void
pending_remove(int64_t id)
{
	for (size_t i = 0; i < npending; i++)
		if (pending[i] == id) {
			pending[i] = pending[--npending];
			break;
		}
}

/*
 * Approve, deny or revoke grant id (argv[2]).  Exit 1 is a documented
 * refusal: another lead decided it first (exactly one wins), or it had
 * already ended.
 */
static void
end_grant(struct client *c, enum op op, const struct user *u,
    char *const argv[], struct done *d, int64_t id)
{
	int64_t lat;

	if (!run_op(c, op, u, argv, d, &lat))
		return;
	if (d->rc == 0) {
		pthread_mutex_lock(&mu);
		pending_remove(id);
		pthread_mutex_unlock(&mu);
	}
	judge(c, op, d, lat, 1, argv[2]);
}

static void
one(struct client *c, struct done *d)
{
	uint64_t r = rnd(c) % (uint64_t)wsum;
	char idbuf[32], *argv[12];
	struct user *u;
	int64_t lat, id;
	enum op op;

	for (op = 0; r >= (uint64_t)weights[op]; op++)
		r -= (uint64_t)weights[op];
	switch (op) {
	case OP_REQUEST: {
		char *end;

		u = &eng[pick(c, (size_t)neng)];
		argv[0] = jitadm, argv[1] = "request", argv[2] = "load-app";
		argv[3] = "--reason", argv[4] = "load test",
		argv[5] = "--duration";
		argv[6] = "1h", argv[7] = NULL;
		if (!run_op(c, op, u, argv, d, &lat))
			return;
		if (d->rc == 0) {
			errno = 0;
			id = strtoll(d->out.buf, &end, 10);
			if (errno != 0 || end == d->out.buf || id <= 0 ||
			    (*end != '\0' && !isspace((unsigned char)*end))) {
				record(c, op, lat, d->cpu_us, V_FAILED,
				    "no id printed: %.100s", d->out.buf);
				return;
			}
			pthread_mutex_lock(&mu);
			if (npending == cappending)
				pending = xrealloc(pending,
				    (cappending = cappending * 2 + 256) *
				        sizeof(*pending));
			pending[npending++] = id;
			if (u->nmine == u->capmine)
				u->mine = xrealloc(u->mine,
				    (u->capmine = u->capmine * 2 + 64) *
				        sizeof(*u->mine));
			u->mine[u->nmine++] = id;
			pthread_mutex_unlock(&mu);
		}
		judge(c, op, d, lat, -1, "");
		return;
	}
	case OP_APPROVE:
	case OP_DENY:
		pthread_mutex_lock(&mu);
		id = npending ? pending[pick(c, npending)] : 0;
		pthread_mutex_unlock(&mu);
		if (id == 0)
			return;
		snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
		argv[0] = jitadm,
		argv[1] = op == OP_APPROVE ? "approve" : "deny";
		argv[2] = idbuf, argv[3] = NULL;
		if (op == OP_DENY)
			argv[3] = "--comment", argv[4] = "load test",
			argv[5] = NULL;
		end_grant(c, op, &lead[pick(c, (size_t)nlead)], argv, d, id);
		return;
	case OP_REVOKE:
		u = &eng[pick(c, (size_t)neng)];
		pthread_mutex_lock(&mu);
		id = u->nmine ? u->mine[pick(c, u->nmine)] : 0;
		pthread_mutex_unlock(&mu);
		if (id == 0)
			return;
		snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
		argv[0] = jitadm, argv[1] = "revoke", argv[2] = idbuf,
		argv[3] = NULL;
		end_grant(c, op, u, argv, d, id);
		return;
	case OP_LIST: {
		size_t i = pick(c, (size_t)(neng + nlead));

		u = i < (size_t)neng ? &eng[i] : &lead[i - (size_t)neng];
		argv[0] = jitadm, argv[1] = "list", argv[2] = "--json",
		argv[3] = NULL;
		if (!run_op(c, op, u, argv, d, &lat))
			return;
		if (d->rc == 0 && !is_json(&d->out)) {
			record(c, op, lat, d->cpu_us, V_FAILED,
			    "list --json: not JSON");
			return;
		}
		judge(c, op, d, lat, -1, "");
		return;
	}
	case OP_PAM: {
		char detail[128];

		u = &eng[pick(c, (size_t)neng)];
		argv[0] = "/usr/bin/pamtester", argv[1] = service,
		argv[2] = u->name;
		argv[3] = "acct_mgmt", argv[4] = "open_session";
		argv[5] = "close_session", argv[6] = NULL;
		if (!run_op(c, op, NULL, argv, d, &lat))
			return;
		snprintf(detail, sizeof(detail), "pamtester as %s", u->name);
		judge(c, op, d, lat, -1, detail);
		return;
	}
	case OP_VIEW:
		u = &eng[pick(c, (size_t)neng)];
		argv[0] = jitlogview, argv[1] = "load-app", argv[2] = NULL;
		if (!run_op(c, op, u, argv, d, &lat))
			return;
		if (d->rc == 0 &&
		    (d->out.len != expectlen ||
		        memcmp(d->out.buf, expect, expectlen) != 0)) {
			record(c, op, lat, d->cpu_us, V_FAILED,
			    "partial or wrong view (%zu bytes)", d->out.len);
			return;
		}
		judge(c, op, d, lat, -1, "");
		return;
	case OP_N:
		break;
	}
}

static void *
client(void *arg)
{
	struct client *c = arg;
	struct done d = { 0 };

	while (now_ns() < stop_ns)
		one(c, &d);
	free(d.out.buf);
	free(d.err.buf);
	return NULL;
}

int
main(int argc, char *argv[])
{
	struct client *cs;
	struct rusage ru;
	int64_t t0, took;
	int i;

	if (argc != 2)
		fatal(2, "usage: loadgen PLAN");
	read_plan(argv[1]);
	if (access("/usr/bin/pamtester", X_OK) < 0)
		fatal(2, "/usr/bin/pamtester: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	if ((devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		fatal(3, "/dev/null: %s", strerror(errno));
	if ((cs = calloc((size_t)nclients, sizeof(*cs))) == NULL)
		fatal(3, "out of memory");
	t0 = now_ns();
	stop_ns = t0 + (int64_t)(seconds * 1e9);
	for (i = 0; i < nclients; i++) {
		cs[i].rng = (uint64_t)seed * 1000 + (uint64_t)i;
		if ((errno = pthread_create(&cs[i].thread, NULL, client,
		         &cs[i])) != 0)
			fatal(3, "pthread_create: %s", strerror(errno));
	}
	for (i = 0; i < nclients; i++)
		pthread_join(cs[i].thread, NULL);
	took = now_ns() - t0;
	for (i = 0; i < nclients; i++)
		for (size_t j = 0; j < cs[i].nrecs; j++) {
			struct rec *r = &cs[i].recs[j];

			printf("op %s %lld %lld %s\n", opname[r->op],
			    (long long)r->lat_us, (long long)r->cpu_us,
			    vname[r->verdict]);
		}
	for (i = 0; i < nfails; i++)
		printf("fail %s\n", fails[i]);
	getrusage(RUSAGE_SELF, &ru);
	printf("driver %lld %lld\n", (long long)ru_us(&ru),
	    (long long)(took / 1000));
	return fflush(stdout) == 0 ? 0 : 3;
}

/* SPDX-License-Identifier: ISC */
/*
 * The PAM session actions (session.h): the account check, session open and
 * session close that pam_jitlog runs inside sshd, su and sudo.  Each write
 * is one BEGIN IMMEDIATE transaction that re-reads the grant, records the
 * session or the denial, appends the audit row and commits; the journal
 * mirror follows the commit (jl_ctx_commit_event).
 *
 * MUST (SECURITY.md "pam_jitlog", SPEC section 7):
 *  - the decision is jl_store_grant_find_active alone: an indexed lookup of
 *    an approved grant holding at now, on the resource when one is given;
 *  - an error is never an allow, and a refusal is reported only after its
 *    session_denied event is committed (or the error that stopped it);
 *  - RHOST and TTY are escaped and capped before they reach the store or
 *    the journal, and never take part in the decision;
 *  - no globals, no logging, no environment; every fd opened here is
 *    O_CLOEXEC and closed before returning (it runs in the host process).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jitlog/escape.h"
#include "jitlog/session.h"
#include "jitlog/store.h"

/* /proc/<pid>/stat is one short line; comm is at most 16 bytes but may
 * hold anything, including ')' and spaces. */
#define STAT_MAX 4096

int
jl_session_annotation(const char *raw, char **ret)
{
	char cut[JL_ANNOT_MAX + 1];
	char *esc;
	size_t n;

	if (raw == NULL || raw[0] == '\0') {
		*ret = NULL;
		return 0;
	}
	n = strnlen(raw, JL_ANNOT_MAX + 1);
	if (n > JL_ANNOT_MAX) {
		/* Cut before a continuation byte rather than inside a
		 * character; invalid input is escaped byte by byte anyway. */
		n = JL_ANNOT_MAX;
		while (n > JL_ANNOT_MAX - 3 &&
		    ((unsigned char)raw[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(cut, raw, n);
	cut[n] = '\0';
	esc = jl_escape_text(cut);
	if (esc == NULL)
		return -ENOMEM;
	*ret = esc;
	return 0;
}

/* Field 22 (starttime) of a /proc/<pid>/stat line: fields 3.. follow the
 * last ')' that closes comm. */
static int
parse_stat_start(const char *line, int64_t *ret)
{
	const char *p;
	char *end;
	unsigned long long v;
	int field;

	p = strrchr(line, ')');
	if (p == NULL)
		return -EINVAL;
	p++;
	for (field = 3; field < 22; field++) {
		while (*p == ' ')
			p++;
		while (*p != ' ' && *p != '\0')
			p++;
		if (*p == '\0')
			return -EINVAL;
	}
	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(p, &end, 10);
	if (errno != 0 || (*end != ' ' && *end != '\n' && *end != '\0') ||
	    v > INT64_MAX)
		return -EINVAL;
	*ret = (int64_t)v;
	return 0;
}

int
jl_session_pid_start(pid_t pid, int64_t *ret)
{
	char path[64], buf[STAT_MAX];
	ssize_t n;
	size_t len = 0;
	int fd, r;

	if (pid <= 0)
		return -EINVAL;
	(void)snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0)
		return -errno;
	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	r = parse_stat_start(buf, ret);
out:
	(void)close(fd);
	return r;
}

/* The escaped annotations of a request. */
struct annot {
	char *rhost;
	char *tty;
};

static int
annot_make(const struct jl_session_req *rq, struct annot *a)
{
	int r;

	a->rhost = a->tty = NULL;
	r = jl_session_annotation(rq->rhost, &a->rhost);
	if (r == 0)
		r = jl_session_annotation(rq->tty, &a->tty);
	if (r < 0)
		JL_FREE(a->rhost);
	return r;
}

static void
annot_free(struct annot *a)
{
	JL_FREE(a->rhost);
	JL_FREE(a->tty);
}

/* {"phase":..,"service":..,"rhost":..,"tty":..,"pid":..[,"session_id":..]} */
static int
detail_json(const char *phase, const struct jl_session_req *rq,
    const struct annot *a, int64_t session_id, char **ret)
{
	struct jl_buf b = { 0 };
	int r;

	if ((r = jl_buf_puts(&b, "{\"phase\":")) < 0 ||
	    (r = jl_json_str(&b, phase)) < 0 ||
	    (r = jl_buf_puts(&b, ",\"service\":")) < 0 ||
	    (r = jl_json_str(&b, rq->service)) < 0 ||
	    (r = jl_buf_puts(&b, ",\"rhost\":")) < 0 ||
	    (r = jl_json_str(&b, a->rhost)) < 0 ||
	    (r = jl_buf_puts(&b, ",\"tty\":")) < 0 ||
	    (r = jl_json_str(&b, a->tty)) < 0 ||
	    (r = jl_buf_printf(&b, ",\"pid\":%" PRId64, rq->pid)) < 0)
		goto out;
	if (session_id > 0 &&
	    (r = jl_buf_printf(&b, ",\"session_id\":%" PRId64, session_id)) < 0)
		goto out;
	if ((r = jl_buf_puts(&b, "}")) < 0)
		goto out;
	r = jl_buf_steal(&b, ret);
out:
	jl_buf_free(&b);
	return r;
}

/* Commit one session event (the transaction is open). */
static int
commit_session_event(struct jl_ctx *c, const char *event, const char *phase,
    const struct jl_session_req *rq, const struct annot *a, int64_t grant_id,
    const char *resource, int64_t expires, int64_t session_id,
    struct jl_error *err)
{
	struct jl_event ev;
	char *detail = NULL;
	int r;

	r = detail_json(phase, rq, a, session_id, &detail);
	if (r < 0) {
		jl_store_rollback(c->store);
		return jl_error_set(err, r, "cannot format the %s event",
		    event);
	}
	jl_event_init(&ev, event, c->now);
	ev.grant_id = grant_id;
	ev.actor = rq->user;
	ev.user = rq->user;
	ev.resource = resource;
	ev.detail = detail;
	ev.expires = expires;
	ev.service = rq->service;
	ev.rhost = a->rhost;
	ev.tty = a->tty;
	r = jl_ctx_commit_event(c, &ev, err);
	free(detail);
	return r;
}

/* Refused: record session_denied, then say why (err) and what to run. */
static int
refuse(struct jl_ctx *c, const char *phase, const struct jl_session_req *rq,
    const struct annot *a, struct jl_error *err)
{
	int r;

	r = commit_session_event(c, "session_denied", phase, rq, a, 0,
	    rq->resource, 0, 0, err);
	if (r < 0)
		return r;
	if (rq->resource != NULL)
		(void)jl_error_set(err, EPERM,
		    "no active grant for %s on %s; request one with: "
		    "jitadm request %s --reason TEXT",
		    rq->user, rq->resource, rq->resource);
	else
		(void)jl_error_set(err, EPERM,
		    "no active grant for %s; request one with: "
		    "jitadm request RESOURCE --reason TEXT "
		    "(jitadm resources lists them)",
		    rq->user);
	return JL_REFUSED;
}

/* The resource of grant id (for the event when the request named none). */
static int
grant_resource(struct jl_ctx *c, const struct jl_session_req *rq, int64_t id,
    char **ret, struct jl_error *err)
{
	struct jl_grant *g = NULL;
	char *s;
	int r;

	if (rq->resource != NULL) {
		s = strdup(rq->resource);
	} else {
		r = jl_store_grant_get(c->store, id, &g, err);
		if (r < 0)
			return r;
		s = strdup(g->resource);
		jl_grant_free(g);
	}
	if (s == NULL)
		return jl_error_set(err, ENOMEM, "out of memory");
	*ret = s;
	return 0;
}

/* Inside the transaction: the active grant, 1 found, 0 none, -errno. */
static int
find(struct jl_ctx *c, const struct jl_session_req *rq,
    struct jl_session_grant *g, struct jl_error *err)
{
	if (rq->user == NULL || rq->user[0] == '\0')
		return jl_error_set(err, EINVAL, "no user name");
	g->session_id = 0;
	return jl_store_grant_find_active(c->store, rq->user, rq->uid,
	    rq->resource, c->now, &g->grant_id, &g->expires, err);
}

int
jl_session_account(struct jl_ctx *c, const struct jl_session_req *rq,
    struct jl_session_grant *ret, struct jl_error *err)
{
	struct jl_session_grant g;
	struct annot a = { 0 };
	int r;

	/* Fast path without the write lock: an allowed login writes
	 * nothing, so a long writer elsewhere does not hold it up. */
	r = find(c, rq, &g, err);
	if (r < 0)
		return r;
	if (r == 1) {
		*ret = g;
		return 0;
	}
	/* Refused: decide again under the lock and record the denial. */
	r = annot_make(rq, &a);
	if (r < 0)
		return jl_error_set(err, r, "out of memory");
	r = jl_store_begin(c->store, err);
	if (r < 0)
		goto out;
	r = find(c, rq, &g, err);
	if (r < 0) {
		jl_store_rollback(c->store);
		goto out;
	}
	if (r == 1) {
		/* A grant was approved meanwhile. */
		jl_store_rollback(c->store);
		*ret = g;
		r = 0;
		goto out;
	}
	r = refuse(c, "account", rq, &a, err);
out:
	annot_free(&a);
	return r;
}

/* Inside the transaction, grant g found: insert the session row. */
static int
insert_session(struct jl_ctx *c, const struct jl_session_req *rq,
    const struct annot *a, struct jl_session_grant *g, struct jl_error *err)
{
	struct jl_session s = { 0 };
	int r;

	s.grant_id = g->grant_id;
	s.user = (char *)(uintptr_t)rq->user;
	s.service = (char *)(uintptr_t)(rq->service ? rq->service : "unknown");
	s.rhost = a->rhost;
	s.tty = a->tty;
	s.pid = rq->pid;
	s.pid_start = rq->pid_start;
	s.opened_at = c->now;
	r = jl_store_session_insert(c->store, &s, err);
	if (r < 0)
		return r;
	g->session_id = s.id;
	return 0;
}

int
jl_session_open(struct jl_ctx *c, const struct jl_session_req *rq,
    struct jl_session_grant *ret, struct jl_error *err)
{
	struct jl_session_grant g;
	struct annot a = { 0 };
	char *resource = NULL;
	int r;

	r = annot_make(rq, &a);
	if (r < 0)
		return jl_error_set(err, r, "out of memory");
	r = jl_store_begin(c->store, err);
	if (r < 0)
		goto out;
	r = find(c, rq, &g, err);
	if (r == 0) {
		r = refuse(c, "session", rq, &a, err);
		goto out;
	}
	if (r > 0)
		r = grant_resource(c, rq, g.grant_id, &resource, err);
	if (r >= 0)
		r = insert_session(c, rq, &a, &g, err);
	if (r < 0) {
		jl_store_rollback(c->store);
		goto out;
	}
	r = commit_session_event(c, "session_open", "session", rq, &a,
	    g.grant_id, resource, g.expires, g.session_id, err);
	if (r == 0)
		*ret = g;
out:
	free(resource);
	annot_free(&a);
	return r;
}

int
jl_session_close(struct jl_ctx *c, const struct jl_session_req *rq,
    int64_t grant_id, struct jl_error *err)
{
	struct annot a = { 0 };
	char *resource = NULL;
	int64_t sid = 0;
	int r;

	r = annot_make(rq, &a);
	if (r < 0)
		return jl_error_set(err, r, "out of memory");
	r = jl_store_begin(c->store, err);
	if (r < 0)
		goto out;
	r = jl_store_session_close(c->store, grant_id, rq->pid, c->now, &sid,
	    err);
	if (r == 0) {
		jl_store_rollback(c->store);
		(void)jl_error_set(err, ENOENT,
		    "no open session of pid %" PRId64 " under grant %" PRId64,
		    rq->pid, grant_id);
		r = JL_REFUSED;
		goto out;
	}
	if (r > 0)
		r = grant_resource(c, rq, grant_id, &resource, err);
	if (r < 0) {
		jl_store_rollback(c->store);
		goto out;
	}
	r = commit_session_event(c, "session_close", "session", rq, &a,
	    grant_id, resource, 0, sid, err);
out:
	free(resource);
	annot_free(&a);
	return r;
}

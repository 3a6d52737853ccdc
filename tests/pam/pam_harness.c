/* SPDX-License-Identifier: ISC */
/*
 * The PAM test helpers (pam_harness.h): a temporary config and store,
 * grants through lib/store, service files and real libpam through
 * pam_start_confdir, and the audit trail read back through the store.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "jitlog/ident.h"
#include "jitlog/store.h"
#include "pam_harness.h"

static int
conv_record(int n, const struct pam_message **msg, struct pam_response **resp,
    void *data)
{
	struct ph_conv *c = data;
	size_t len;
	int i;

	*resp = NULL;
	for (i = 0; i < n; i++) {
		if (c == NULL)
			continue;
		len = strlen(c->text);
		(void)snprintf(c->text + len, sizeof(c->text) - len, "%s\n",
		    msg[i]->msg);
		c->n++;
	}
	return PAM_SUCCESS;
}

int64_t
ph_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
ph_write_conf(struct ph_env *e, const char *extra)
{
	char text[8192];

	(void)snprintf(text, sizeof(text),
	    "database = \"%s\";\n"
	    "resources = (\n"
	    "  { name = \"" PH_RES "\"; approvers = [ \"%s\" ];\n"
	    "    paths = [ \"/var/log/payments/debug.log\" ];\n%s  },\n"
	    "  { name = \"" PH_RES2 "\"; approvers = [ \"%s\" ]; }\n"
	    ");\n",
	    e->db, e->other, extra ? extra : "", e->other);
	return write_file(e->conf, text);
}

/* A real user other than the caller, and groups user is (not) in. */
static int
pick_names(struct ph_env *e)
{
	static const char *const users[] = { "nobody", "daemon", "bin", "sys",
		NULL };
	static const char *const groups[] = { "root", "daemon", "bin", "sys",
		"adm", "nogroup", "uucp", NULL };
	struct jl_ident id = { 0 };
	struct group *gr;
	int i, r = -1;

	if (jl_ident_from_uid(getuid(), &id) != 0)
		return -1;
	(void)snprintf(e->user, sizeof(e->user), "%s", id.name);
	for (i = 0; users[i] != NULL && e->other[0] == '\0'; i++)
		if (strcmp(users[i], e->user) != 0 && getpwnam(users[i]))
			(void)snprintf(e->other, sizeof(e->other), "%s",
			    users[i]);
	gr = getgrgid(id.gid);
	if (gr != NULL)
		(void)snprintf(e->group_in, sizeof(e->group_in), "%s",
		    gr->gr_name);
	for (i = 0; groups[i] != NULL && e->group_out[0] == '\0'; i++)
		if (getgrnam(groups[i]) &&
		    jl_ident_in_group(&id, groups[i]) == 0)
			(void)snprintf(e->group_out, sizeof(e->group_out), "%s",
			    groups[i]);
	if (e->other[0] && e->group_in[0] && e->group_out[0])
		r = 0;
	jl_ident_free(&id);
	return r;
}

int
ph_setup(struct ph_env *e, const char *tag)
{
	struct jl_error err = { "" };
	const char *tmp = getenv("TMPDIR");

	memset(e, 0, sizeof(*e));
	if (pick_names(e) < 0) {
		fprintf(stderr, "cannot find test users/groups in NSS\n");
		return -1;
	}
	(void)snprintf(e->dir, sizeof(e->dir), "%s/jl-%s-XXXXXX",
	    tmp && tmp[0] == '/' ? tmp : "/tmp", tag);
	if (mkdtemp(e->dir) == NULL)
		return -1;
	(void)snprintf(e->conf, sizeof(e->conf), "%s/jitlog.conf", e->dir);
	(void)snprintf(e->db, sizeof(e->db), "%s/state/jitlog.db", e->dir);
	(void)snprintf(e->pamdir, sizeof(e->pamdir), "%s/pam.d", e->dir);
	if (mkdir(e->pamdir, 0700) < 0)
		return -1;
	(void)snprintf(e->pamdir, sizeof(e->pamdir), "%s/state", e->dir);
	if (mkdir(e->pamdir, 0700) < 0)
		return -1;
	(void)snprintf(e->pamdir, sizeof(e->pamdir), "%s/pam.d", e->dir);
	if (ph_write_conf(e, NULL) < 0)
		return -1;
	if (jl_store_init(e->db, (gid_t)-1, &err) < 0) {
		fprintf(stderr, "jl_store_init: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

void
ph_teardown(struct ph_env *e)
{
	if (e->dir[0] != '\0')
		(void)nftw(e->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static struct jl_store *
store_open(struct ph_env *e)
{
	struct jl_store_opts o;
	struct jl_store *st = NULL;
	struct jl_error err = { "" };

	jl_store_opts_default(&o);
	o.owner = (uid_t)-1;
	if (jl_store_open(e->db, &o, &st, &err) < 0) {
		fprintf(stderr, "jl_store_open: %s\n", err.msg);
		return NULL;
	}
	return st;
}

int64_t
ph_grant(struct ph_env *e, const char *user, const char *resource,
    enum jl_status status, int64_t starts, int64_t expires)
{
	struct jl_grant g = { 0 };
	struct jl_store *st = store_open(e);
	struct jl_error err = { "" };
	int64_t id = -1;

	if (st == NULL)
		return -1;
	g.user = (char *)(uintptr_t)user;
	g.resource = (char *)(uintptr_t)resource;
	g.status = status;
	g.reason = (char *)(uintptr_t) "pam test";
	g.requested_at = starts > 100 ? starts - 100 : 1;
	g.starts_at = status == JL_ST_PENDING ? 0 : starts;
	g.expires_at = status == JL_ST_PENDING ? 0 : expires;
	g.duration_s = expires > starts ? expires - starts : 60;
	g.approvals_required = 1;
	if (jl_store_begin(st, &err) == 0 &&
	    jl_store_grant_insert(st, &g, &err) == 0 &&
	    jl_store_commit(st, &err) == 0)
		id = g.id;
	else
		fprintf(stderr, "ph_grant: %s\n", err.msg);
	jl_store_close(st);
	return id;
}

int
ph_set_status(struct ph_env *e, int64_t id, enum jl_status status)
{
	struct jl_store *st = store_open(e);
	struct jl_grant *g = NULL;
	struct jl_error err = { "" };
	int r = -1;

	if (st == NULL)
		return -1;
	if (jl_store_begin(st, &err) == 0 &&
	    jl_store_grant_get(st, id, &g, &err) == 0) {
		g->status = status;
		g->ended_at = (int64_t)time(NULL);
		if (jl_store_grant_update(st, g, &err) == 0 &&
		    jl_store_commit(st, &err) == 0)
			r = 0;
	}
	if (r < 0) {
		fprintf(stderr, "ph_set_status: %s\n", err.msg);
		jl_store_rollback(st);
	}
	jl_grant_free(g);
	jl_store_close(st);
	return r;
}

int
ph_service(struct ph_env *e, const char *name, const char *module,
    const char *args)
{
	char path[PATH_MAX + 64], text[4096];

	(void)snprintf(path, sizeof(path), "%s/%s", e->pamdir, name);
	(void)snprintf(text, sizeof(text),
	    "account [success=done ignore=ignore default=die] %s %s\n"
	    "account required pam_deny.so\n"
	    "session [success=done ignore=ignore default=die] %s %s\n"
	    "session required pam_deny.so\n",
	    module, args, module, args);
	return write_file(path, text);
}

pam_handle_t *
ph_start(struct ph_env *e, const char *service, const char *user,
    struct ph_conv *conv)
{
	struct pam_conv pc = { conv_record, conv };
	pam_handle_t *h = NULL;
	int r;

	if (conv != NULL)
		memset(conv, 0, sizeof(*conv));
	r = pam_start_confdir(service, user, &pc, e->pamdir, &h);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "pam_start_confdir: %s\n", pam_strerror(h, r));
		return NULL;
	}
	return h;
}

int
ph_acct(pam_handle_t *h, int flags)
{
	int r = pam_acct_mgmt(h, flags);

	return r == PAM_AUTH_ERR ? PAM_IGNORE : r;
}

int
ph_open(pam_handle_t *h, int flags)
{
	int r = pam_open_session(h, flags);

	return r == PAM_SESSION_ERR ? PAM_IGNORE : r;
}

int
ph_close(pam_handle_t *h, int flags)
{
	int r = pam_close_session(h, flags);

	return r == PAM_SESSION_ERR ? PAM_IGNORE : r;
}

int
ph_once(struct ph_env *e, const char *service, const char *user, char which,
    struct ph_conv *conv)
{
	pam_handle_t *h = ph_start(e, service, user, conv);
	int r;

	if (h == NULL)
		return -1;
	if (which == 'a') {
		r = ph_acct(h, 0);
	} else {
		r = ph_open(h, 0);
		if (r == PAM_SUCCESS)
			(void)ph_close(h, 0);
	}
	(void)pam_end(h, r);
	return r;
}

struct find {
	const char *event;
	const char *user;
	struct ph_event *ev;
};

static int
find_cb(const struct jl_event *ev, void *data)
{
	struct find *f = data;

	if (strcmp(ev->event, f->event) != 0 ||
	    (f->user && (ev->user == NULL || strcmp(ev->user, f->user) != 0)))
		return 0;
	f->ev->count++;
	f->ev->seq = ev->seq;
	f->ev->grant_id = ev->grant_id;
	(void)snprintf(f->ev->user, sizeof(f->ev->user), "%s",
	    ev->user ? ev->user : "");
	(void)snprintf(f->ev->actor, sizeof(f->ev->actor), "%s",
	    ev->actor ? ev->actor : "");
	(void)snprintf(f->ev->resource, sizeof(f->ev->resource), "%s",
	    ev->resource ? ev->resource : "");
	(void)snprintf(f->ev->detail, sizeof(f->ev->detail), "%s",
	    ev->detail ? ev->detail : "");
	return 0;
}

int
ph_last_event(struct ph_env *e, const char *event, const char *user,
    struct ph_event *ret)
{
	struct jl_store *st = store_open(e);
	struct jl_error err = { "" };
	struct find f = { event, user, ret };
	int r;

	memset(ret, 0, sizeof(*ret));
	if (st == NULL)
		return -1;
	r = jl_store_audit_foreach(st, 0, 0, find_cb, &f, &err);
	if (r < 0)
		fprintf(stderr, "audit: %s\n", err.msg);
	jl_store_close(st);
	return r < 0 ? -1 : 0;
}

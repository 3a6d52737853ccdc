/* SPDX-License-Identifier: ISC */
/*
 * pam_jitlog(8): the account and session module.  Each pam_sm_* entry is a
 * thin front end over the shared core: parse the module arguments, find
 * the user through NSS, let members of exempt_group through, load the
 * root-owned config, open the store, and run one session action
 * (session.h).  What a call came to is an enum outcome; to_pam() is the one
 * place that turns it into a PAM return code, and finish() the one place
 * that reports it (conversation and syslog).
 *
 * MUST (SECURITY.md "pam_jitlog", SPEC section 7):
 *  - a denial is PAM_PERM_DENIED, never PAM_SESSION_ERR (sudo ignores it)
 *    and never PAM_IGNORE; an error is a failure code, never success or
 *    PAM_IGNORE; only exempt_group members get PAM_IGNORE;
 *  - unknown module arguments are errors; test_config= exists only in the
 *    never-installed test build (JL_PAM_TESTING), so the production module
 *    reads only the compiled-in, root-owned config and a root-owned store;
 *  - PAM_RHOST and PAM_TTY are annotations, never part of the decision;
 *  - the store is opened with a bounded busy wait (<= 2 s), then denied;
 *  - no fd, thread, signal disposition, umask, locale, environment or
 *    credential change is left in the host process: every resource is
 *    opened and released within the call, one store connection per call,
 *    NSS only through the reentrant calls, no globals;
 *  - only pam_sm_* are exported (pam_jitlog.map).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define PAM_SM_ACCOUNT
#define PAM_SM_SESSION
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "jitlog/config.h"
#include "jitlog/escape.h"
#include "jitlog/ident.h"
#include "jitlog/ops.h"
#include "jitlog/parse.h"
#include "jitlog/session.h"
#include "jitlog/store.h"

#define JL_EXPORT __attribute__((visibility("default")))

/* Name of the module data that carries an open session to close. */
#define DATA_NAME "pam_jitlog_session"
/* Bounded wait for a locked store: logins must not hang. */
#define BUSY_MS   2000

enum phase {
	PH_ACCOUNT = 0,
	PH_OPEN,
	PH_CLOSE,
};

/* What one call came to.  The zero value is the safe one: an error. */
enum outcome {
	OUT_ERROR = 0, /* store, NSS, memory, ...: a failure code */
	OUT_CONF,      /* module arguments or configuration */
	OUT_ALLOW,
	OUT_DENY,
	OUT_EXEMPT, /* member of exempt_group */
	OUT_NO_USER,
	OUT_NOTHING, /* close: this handle opened no session */
};

struct args {
	const char *resource;
	const char *exempt_group;
	bool debug;
	bool quiet;
#ifdef JL_PAM_TESTING
	const char *test_config;
	bool test_nojournal;
#endif
};

/*
 * Carried from open_session to close_session in the PAM handle: one per
 * session opened, newest first.  A stack may hold pam_jitlog more than
 * once (say, one line per resource); they share the one data name, so
 * each open pushes its session and each close pops one and ends it.
 * libpam calls the cleanup of the data being replaced with
 * PAM_DATA_REPLACE: then the older entries live on under the newer.
 */
struct open_data {
	struct open_data *prev;
	int64_t grant_id;
	int64_t pid;
	char user[];
};

/* Everything one call holds; released by finish(). */
struct call {
	pam_handle_t *pamh;
	enum phase phase;
	int flags;
	struct args args;
	const char *user; /* canonical, from NSS or open_data */
	struct jl_ident id;
	struct jl_config *cfg;
	struct jl_store *st;
	struct jl_error err;
	int64_t grant_id; /* admitted under (for debug) */
};

static const char *const phase_names[] = { "account", "open_session",
	"close_session" };

/* The one translation from an outcome to a PAM return code. */
static int
to_pam(enum outcome o)
{
	switch (o) {
	case OUT_ALLOW:
	case OUT_NOTHING:
		return PAM_SUCCESS;
	case OUT_DENY:
		return PAM_PERM_DENIED;
	case OUT_EXEMPT:
		return PAM_IGNORE;
	case OUT_NO_USER:
		return PAM_USER_UNKNOWN;
	case OUT_CONF:
		return PAM_SERVICE_ERR;
	case OUT_ERROR:
		break;
	}
	return PAM_SYSTEM_ERR;
}

/* An argument's value when arg is "name=value", else NULL. */
static const char *
arg_value(const char *arg, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(arg, name, n) == 0 && arg[n] == '=')
		return arg + n + 1;
	return NULL;
}

/* Set *slot to v once; a repeated or invalid value is an error. */
static enum outcome
set_once(struct call *k, const char **slot, const char *name, const char *v,
    bool ok)
{
	if (*slot != NULL) {
		(void)jl_error_set(&k->err, EINVAL, "%s= given twice", name);
		return OUT_CONF;
	}
	if (!ok) {
		(void)jl_error_set(&k->err, EINVAL, "invalid %s= value", name);
		return OUT_CONF;
	}
	*slot = v;
	return OUT_ALLOW;
}

static enum outcome
parse_args(struct call *k, int argc, const char **argv)
{
	struct args *a = &k->args;
	const char *v;
	enum outcome o = OUT_ALLOW;
	int i;

	for (i = 0; i < argc && o == OUT_ALLOW; i++) {
		if (strcmp(argv[i], "debug") == 0)
			a->debug = true;
		else if (strcmp(argv[i], "quiet") == 0)
			a->quiet = true;
		else if ((v = arg_value(argv[i], "resource")) != NULL)
			o = set_once(k, &a->resource, "resource", v,
			    jl_valid_resource_name(v));
		else if ((v = arg_value(argv[i], "exempt_group")) != NULL)
			o = set_once(k, &a->exempt_group, "exempt_group", v,
			    jl_valid_user_name(v));
#ifdef JL_PAM_TESTING
		else if ((v = arg_value(argv[i], "test_config")) != NULL)
			o = set_once(k, &a->test_config, "test_config", v,
			    v[0] == '/');
		else if (strcmp(argv[i], "test_nojournal") == 0)
			a->test_nojournal = true;
#endif
		else {
			/* Not echoed: an argument may hold anything. */
			(void)jl_error_set(&k->err, EINVAL,
			    "unknown module argument #%d", i + 1);
			o = OUT_CONF;
		}
	}
	return o;
}

/* A PAM string item, NULL when unset or on error. */
static const char *
item(pam_handle_t *pamh, int type)
{
	const void *p = NULL;

	if (pam_get_item(pamh, type, &p) != PAM_SUCCESS)
		return NULL;
	return p;
}

/* The user through NSS, then exempt_group. */
static enum outcome
identify(struct call *k)
{
	const char *name = item(k->pamh, PAM_USER);
	int r;

	if (name == NULL || name[0] == '\0') {
		(void)jl_error_set(&k->err, ENOENT, "no user name");
		return OUT_NO_USER;
	}
	/* The group list costs a walk of every group source (a dozen
	 * userdb probes with nss_systemd): only exempt_group needs it. */
	if (k->args.exempt_group != NULL)
		r = jl_ident_from_name(name, &k->id);
	else
		r = jl_ident_user(name, &k->id);
	if (r == -ENOENT) {
		(void)jl_error_set(&k->err, ENOENT, "unknown user");
		return OUT_NO_USER;
	}
	if (r < 0) {
		(void)jl_error_set(&k->err, r, "user lookup failed: %s",
		    strerror(-r));
		return OUT_ERROR;
	}
	k->user = k->id.name;
	if (k->args.exempt_group == NULL)
		return OUT_ALLOW;
	r = jl_ident_in_group(&k->id, k->args.exempt_group);
	if (r < 0) {
		(void)jl_error_set(&k->err, r, "group lookup failed: %s",
		    strerror(-r));
		return OUT_ERROR;
	}
	return r == 1 ? OUT_EXEMPT : OUT_ALLOW;
}

/* The gid of the store's group (JL_GROUP), through the reentrant NSS
 * call.  0, or -errno with err set (-ENOENT: no such group). */
static int
store_gid(gid_t *ret, struct jl_error *err)
{
	int r = jl_group_gid(JL_GROUP, ret);

	if (r < 0)
		return jl_error_set(err, -r, "cannot find group %s: %s",
		    JL_GROUP, r == -ENOENT ? "no such group" : strerror(-r));
	return 0;
}

/* The config, the resource= it names, and the store (root's, and of the
 * store group: a store writable by another group is refused as unsafe). */
static enum outcome
load(struct call *k)
{
	struct jl_store_opts so;
	const char *path = JL_CONFIG_PATH;
	uid_t owner = 0;
	int r;

	jl_store_opts_default(&so);
	so.busy_ms = BUSY_MS;
#ifdef JL_PAM_TESTING
	if (k->args.test_config != NULL) {
		path = k->args.test_config;
		owner = (uid_t)-1;
		so.owner = (uid_t)-1;
	}
#endif
	r = jl_config_load(path, owner, &k->cfg, &k->err);
	if (r < 0)
		return OUT_CONF;
	if (k->args.resource != NULL &&
	    jl_config_resource(k->cfg, k->args.resource) == NULL) {
		(void)jl_error_set(&k->err, EINVAL, "resource=%s is not in %s",
		    k->args.resource, path);
		return OUT_CONF;
	}
	if (so.owner != (uid_t)-1 && store_gid(&so.group, &k->err) < 0)
		return OUT_ERROR;
	r = jl_store_open(k->cfg->database, &so, &k->st, &k->err);
	if (r < 0)
		return OUT_ERROR;
	return OUT_ALLOW;
}

/* Arguments, user, exemption, config and store: the common start. */
static enum outcome
start(struct call *k, pam_handle_t *pamh, enum phase ph, int flags, int argc,
    const char **argv)
{
	enum outcome o;

	memset(k, 0, sizeof(*k));
	k->pamh = pamh;
	k->phase = ph;
	k->flags = flags;
	o = parse_args(k, argc, argv);
	if (o == OUT_ALLOW && ph != PH_CLOSE)
		o = identify(k);
	if (o == OUT_ALLOW && ph != PH_CLOSE)
		o = load(k);
	return o;
}

static void
ctx_init(struct call *k, struct jl_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->cfg = k->cfg;
	c->store = k->st;
	c->who = k->user == k->id.name ? &k->id : NULL;
	c->now = (int64_t)time(NULL);
	c->prog = "pam_jitlog";
#ifdef JL_PAM_TESTING
	c->no_journal = k->args.test_nojournal;
#endif
}

static void
req_init(struct call *k, struct jl_session_req *rq, int64_t pid)
{
	memset(rq, 0, sizeof(*rq));
	rq->user = k->user;
	rq->uid = k->id.uid;
	rq->resource = k->args.resource;
	rq->service = item(k->pamh, PAM_SERVICE);
	rq->rhost = item(k->pamh, PAM_RHOST);
	rq->tty = item(k->pamh, PAM_TTY);
	rq->pid = pid;
}

/* A session action's result as an outcome. */
static enum outcome
action_outcome(int r)
{
	if (r == 0)
		return OUT_ALLOW;
	if (r == JL_REFUSED)
		return OUT_DENY;
	return OUT_ERROR;
}

/* Log the escaped user name (it may not be a valid name at all). */
static void
log_line(struct call *k, int prio, const char *what)
{
	const char *raw = k->user ? k->user : item(k->pamh, PAM_USER);
	char *user = jl_escape_text(raw ? raw : "");

	pam_syslog(k->pamh, prio, "%s user \"%s\": %s", what, user ? user : "?",
	    k->err.msg);
	free(user);
}

/* What a debug line says about an outcome that needs no report. */
static const char *
quiet_outcome(enum outcome o)
{
	if (o == OUT_EXEMPT)
		return "member of exempt_group";
	if (o == OUT_NOTHING)
		return "no session opened here";
	return "ok";
}

/* Report the outcome, release everything, return the PAM code. */
static int
finish(struct call *k, enum outcome o)
{
	bool talk =
	    !k->args.quiet && !((unsigned)k->flags & (unsigned)PAM_SILENT);

	switch (o) {
	case OUT_DENY:
		log_line(k, LOG_NOTICE, "denied");
		if (talk)
			(void)pam_error(k->pamh, "jitlog: %s", k->err.msg);
		break;
	case OUT_ERROR:
	case OUT_CONF:
	case OUT_NO_USER:
		log_line(k, LOG_ERR, "refused (error)");
		if (talk && o != OUT_NO_USER)
			(void)pam_error(k->pamh,
			    "jitlog: access check failed "
			    "(see the system log)");
		break;
	case OUT_EXEMPT:
	case OUT_ALLOW:
	case OUT_NOTHING:
		if (!k->args.debug)
			break;
		if (o == OUT_ALLOW && k->grant_id > 0)
			pam_syslog(k->pamh, LOG_DEBUG,
			    "%s: %s under grant %lld", phase_names[k->phase],
			    k->user, (long long)k->grant_id);
		else
			pam_syslog(k->pamh, LOG_DEBUG, "%s: %s",
			    phase_names[k->phase], quiet_outcome(o));
		break;
	}
	jl_store_close(k->st);
	jl_config_free(k->cfg);
	jl_ident_free(&k->id);
	return to_pam(o);
}

JL_EXPORT int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct call k;
	struct jl_ctx c;
	struct jl_session_req rq;
	struct jl_session_grant g;
	enum outcome o;

	o = start(&k, pamh, PH_ACCOUNT, flags, argc, argv);
	if (o == OUT_ALLOW) {
		ctx_init(&k, &c);
		req_init(&k, &rq, (int64_t)getpid());
		o = action_outcome(jl_session_account(&c, &rq, &g, &k.err));
		if (o == OUT_ALLOW)
			k.grant_id = g.grant_id;
	}
	return finish(&k, o);
}

static void
open_data_free(pam_handle_t *pamh, void *data, int status)
{
	struct open_data *d = data, *prev;

	(void)pamh;
	if ((status & PAM_DATA_REPLACE) != 0)
		return; /* pushed under a newer one, or popped (close) */
	for (; d != NULL; d = prev) {
		prev = d->prev;
		free(d);
	}
}

/* After the session is recorded: remember it for close, export the
 * grant to the PAM environment. */
static enum outcome
publish(struct call *k, const struct jl_session_grant *g, int64_t pid)
{
	struct open_data *d;
	const void *prev = NULL;
	char env[64], when[32];
	size_t n = strlen(k->user) + 1;

	d = malloc(sizeof(*d) + n);
	if (d == NULL) {
		(void)jl_error_set(&k->err, ENOMEM, "out of memory");
		return OUT_ERROR;
	}
	if (pam_get_data(k->pamh, DATA_NAME, &prev) != PAM_SUCCESS)
		prev = NULL;
	/* Ours, from an earlier open: libpam hands data back const. */
	d->prev = (struct open_data *)(uintptr_t)prev;
	d->grant_id = g->grant_id;
	d->pid = pid;
	memcpy(d->user, k->user, n);
	if (pam_set_data(k->pamh, DATA_NAME, d, open_data_free) !=
	    PAM_SUCCESS) {
		free(d); /* prev stays where it was */
		(void)jl_error_set(&k->err, ENOMEM, "pam_set_data failed");
		return OUT_ERROR;
	}
	jl_format_time((time_t)g->expires, when, sizeof(when));
	(void)snprintf(env, sizeof(env), "JITLOG_GRANT_ID=%lld",
	    (long long)g->grant_id);
	if (pam_putenv(k->pamh, env) != PAM_SUCCESS)
		goto fail;
	(void)snprintf(env, sizeof(env), "JITLOG_EXPIRES=%s", when);
	if (pam_putenv(k->pamh, env) != PAM_SUCCESS)
		goto fail;
	return OUT_ALLOW;
fail:
	(void)jl_error_set(&k->err, ENOMEM, "pam_putenv failed");
	return OUT_ERROR;
}

JL_EXPORT int
pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct call k;
	struct jl_ctx c;
	struct jl_session_req rq;
	struct jl_session_grant g;
	struct jl_error cerr;
	enum outcome o;
	pid_t pid = getpid();
	int r;

	o = start(&k, pamh, PH_OPEN, flags, argc, argv);
	if (o != OUT_ALLOW)
		return finish(&k, o);
	ctx_init(&k, &c);
	req_init(&k, &rq, (int64_t)pid);
	r = jl_session_pid_start(pid, &rq.pid_start);
	if (r < 0) {
		(void)jl_error_set(&k.err, r,
		    "cannot read the start time "
		    "of pid %ld",
		    (long)pid);
		return finish(&k, OUT_ERROR);
	}
	o = action_outcome(jl_session_open(&c, &rq, &g, &k.err));
	if (o == OUT_ALLOW) {
		k.grant_id = g.grant_id;
		o = publish(&k, &g, (int64_t)pid);
		/* Not admitted after all: record the end at once. */
		if (o != OUT_ALLOW)
			(void)jl_session_close(&c, &rq, g.grant_id, &cerr);
	}
	return finish(&k, o);
}

/* close: the session this handle opened, the config and the store. */
static enum outcome
close_start(struct call *k, const struct open_data **ret)
{
	const void *p = NULL;

	if (pam_get_data(k->pamh, DATA_NAME, &p) != PAM_SUCCESS || p == NULL) {
		(void)jl_error_set(&k->err, 0, "no session opened here");
		return OUT_NOTHING;
	}
	*ret = p;
	k->user = ((const struct open_data *)p)->user;
	return load(k);
}

JL_EXPORT int
pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct call k;
	struct jl_ctx c;
	struct jl_session_req rq;
	const struct open_data *d = NULL;
	struct open_data *top;
	enum outcome o;
	int r;

	o = start(&k, pamh, PH_CLOSE, flags, argc, argv);
	if (o == OUT_ALLOW)
		o = close_start(&k, &d);
	if (o != OUT_ALLOW || d == NULL)
		return finish(&k, o);
	ctx_init(&k, &c);
	req_init(&k, &rq, d->pid);
	k.grant_id = d->grant_id;
	r = jl_session_close(&c, &rq, d->grant_id, &k.err);
	/* JL_REFUSED: nothing open any more (ended by sweep, or closed). */
	o = r == JL_REFUSED ? OUT_NOTHING : action_outcome(r);
	r = finish(&k, o);
	/* Recorded (or nothing left to record): pop it, and free it, which
	 * k.user points into, only after finish().  The older sessions stay
	 * for the other pam_jitlog lines of the stack. */
	if (o != OUT_ERROR) {
		top = (struct open_data *)(uintptr_t)d;
		if (pam_set_data(pamh, DATA_NAME, top->prev,
		        top->prev != NULL ? open_data_free : NULL) ==
		    PAM_SUCCESS)
			free(top);
	}
	return r;
}

/* SPDX-License-Identifier: ISC */
/*
 * The built pam_jitlog module through real libpam (pam_start_confdir with
 * service files in a temporary directory): every outcome of SPEC section 7
 * -- allow, deny (with the jitadm request command named, or quiet), the
 * resource= scope, exempt_group, unknown user, unknown arguments, config
 * and store errors (missing, corrupt, unreadable, locked beyond the
 * bounded wait) -- and what a session leaves in the store: the session row,
 * the PAM environment, session_open/close/denied events with escaped and
 * capped RHOST/TTY.  The test build (pam_jitlog_test.so) reads its config
 * from test_config=; the production module must refuse that argument.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "jitlog/parse.h"
#include "jitlog/session.h"
#include "jitlog/store.h"
#include "pam_harness.h"
#include "t.h"

static const char *const mod = JL_PAM_MODULE_TEST;
static int64_t now;

/* A service "svc" for the test module with args + the test config. */
static void
service(struct ph_env *e, const char *args)
{
	char all[2048];

	(void)snprintf(all, sizeof(all), "test_config=%s test_nojournal %s",
	    e->conf, args);
	T_ASSERT(ph_service(e, "svc", mod, all) == 0);
}

/* The mapping of ph_acct/ph_open, checked against pam_debug.so. */
static void
test_harness(void)
{
	static const char *const tok[] = { "success", "ignore", "perm_denied",
		"system_err", "service_err", "user_unknown" };
	static const int code[] = { PAM_SUCCESS, PAM_IGNORE, PAM_PERM_DENIED,
		PAM_SYSTEM_ERR, PAM_SERVICE_ERR, PAM_USER_UNKNOWN };
	struct ph_env e;
	char args[128];
	size_t i;

	T_ASSERT(ph_setup(&e, "pam-harness") == 0);
	for (i = 0; i < sizeof(code) / sizeof(code[0]); i++) {
		(void)snprintf(args, sizeof(args), "acct=%s open_session=%s",
		    tok[i], tok[i]);
		T_ASSERT(ph_service(&e, "svc", "pam_debug.so", args) == 0);
		T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', NULL), code[i]);
		T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'o', NULL), code[i]);
	}
	ph_teardown(&e);
}

static void
test_no_grant_denies(void)
{
	struct ph_env e;
	struct ph_conv cv;
	struct ph_event ev;

	T_ASSERT(ph_setup(&e, "pam-deny") == 0);
	service(&e, "resource=" PH_RES);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', &cv), PAM_PERM_DENIED);
	T_ASSERT_INTEQ(cv.n, 1);
	T_ASSERT(strstr(cv.text, "jitadm request " PH_RES " --reason") != NULL);
	T_ASSERT(strchr(cv.text, '\n') == cv.text + strlen(cv.text) - 1);
	T_ASSERT(ph_last_event(&e, "session_denied", e.user, &ev) == 0);
	T_ASSERT_INTEQ(ev.count, 1);
	T_ASSERT_STREQ(ev.resource, PH_RES);
	T_ASSERT_STREQ(ev.actor, e.user);
	T_ASSERT(strstr(ev.detail, "\"phase\":\"account\"") != NULL);
	T_ASSERT(strstr(ev.detail, "\"service\":\"svc\"") != NULL);

	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'o', &cv), PAM_PERM_DENIED);
	T_ASSERT(strstr(cv.text, "jitadm request " PH_RES) != NULL);
	T_ASSERT(ph_last_event(&e, "session_denied", e.user, &ev) == 0);
	T_ASSERT_INTEQ(ev.count, 2);
	T_ASSERT(strstr(ev.detail, "\"phase\":\"session\"") != NULL);
	T_ASSERT(ph_last_event(&e, "session_open", NULL, &ev) == 0);
	T_ASSERT_INTEQ(ev.count, 0);

	/* Without resource=: the generic command. */
	service(&e, "");
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', &cv), PAM_PERM_DENIED);
	T_ASSERT(strstr(cv.text, "jitadm request RESOURCE --reason") != NULL);
	ph_teardown(&e);
}

static void
test_quiet(void)
{
	struct ph_env e;
	struct ph_conv cv;
	pam_handle_t *h;

	T_ASSERT(ph_setup(&e, "pam-quiet") == 0);
	service(&e, "resource=" PH_RES " quiet");
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', &cv), PAM_PERM_DENIED);
	T_ASSERT_INTEQ(cv.n, 0);
	service(&e, "resource=" PH_RES);
	h = ph_start(&e, "svc", e.user, &cv);
	T_ASSERT_INTEQ(ph_acct(h, PAM_SILENT), PAM_PERM_DENIED);
	T_ASSERT_INTEQ(ph_open(h, PAM_SILENT), PAM_PERM_DENIED);
	T_ASSERT_INTEQ(cv.n, 0);
	(void)pam_end(h, PAM_SUCCESS);
	ph_teardown(&e);
}

/* Admitted: environment, session row, events; denied again after revoke. */
static void
test_grant_admits(void)
{
	struct ph_env e;
	struct ph_conv cv;
	struct ph_event ev;
	struct jl_session *v = NULL;
	struct jl_store *st = NULL;
	struct jl_store_opts o;
	struct jl_error err;
	pam_handle_t *h;
	char want[64], when[32];
	const char *s;
	size_t n = 0;
	int64_t id, start = 0;

	T_ASSERT(ph_setup(&e, "pam-allow") == 0);
	service(&e, "resource=" PH_RES);
	id = ph_grant(&e, e.user, PH_RES, JL_ST_APPROVED, now - 60, now + 3600);
	T_ASSERT(id > 0);
	h = ph_start(&e, "svc", e.user, &cv);
	T_ASSERT(pam_set_item(h, PAM_RHOST, "10.1.2.3") == PAM_SUCCESS);
	T_ASSERT(pam_set_item(h, PAM_TTY, "/dev/pts/7") == PAM_SUCCESS);
	T_ASSERT_INTEQ(ph_acct(h, 0), PAM_SUCCESS);
	T_ASSERT_INTEQ(ph_open(h, 0), PAM_SUCCESS);
	T_ASSERT_INTEQ(cv.n, 0);
	(void)snprintf(want, sizeof(want), "%lld", (long long)id);
	s = pam_getenv(h, "JITLOG_GRANT_ID");
	T_ASSERT_STREQ(s, want);
	jl_format_time((time_t)(now + 3600), when, sizeof(when));
	s = pam_getenv(h, "JITLOG_EXPIRES");
	T_ASSERT_STREQ(s, when);
	T_ASSERT(ph_last_event(&e, "session_open", e.user, &ev) == 0);
	T_ASSERT_INTEQ(ev.count, 1);
	T_ASSERT_INTEQ(ev.grant_id, id);
	T_ASSERT_STREQ(ev.resource, PH_RES);
	T_ASSERT(strstr(ev.detail, "\"rhost\":\"10.1.2.3\"") != NULL);
	T_ASSERT(strstr(ev.detail, "\"tty\":\"/dev/pts/7\"") != NULL);
	(void)snprintf(want, sizeof(want), "\"pid\":%ld", (long)getpid());
	T_ASSERT(strstr(ev.detail, want) != NULL);

	/* The session row, seen as stale once the grant is revoked. */
	T_ASSERT(ph_set_status(&e, id, JL_ST_REVOKED) == 0);
	jl_store_opts_default(&o);
	o.owner = (uid_t)-1;
	T_ASSERT(jl_store_open(e.db, &o, &st, &err) == 0);
	T_ASSERT(jl_store_session_list_stale(st, now + 1, &v, &n, &err) == 0);
	T_ASSERT_INTEQ(n, 1);
	T_ASSERT(jl_session_pid_start(getpid(), &start) == 0);
	if (n == 1) {
		T_ASSERT_INTEQ(v[0].grant_id, id);
		T_ASSERT_STREQ(v[0].user, e.user);
		T_ASSERT_STREQ(v[0].service, "svc");
		T_ASSERT_STREQ(v[0].rhost, "10.1.2.3");
		T_ASSERT_STREQ(v[0].tty, "/dev/pts/7");
		T_ASSERT_INTEQ(v[0].pid, getpid());
		T_ASSERT_INTEQ(v[0].pid_start, start);
		T_ASSERT(v[0].pid_start > 0);
	}
	jl_sessions_free(v, n);
	jl_store_close(st);

	/* Closing does not depend on the grant still holding. */
	T_ASSERT_INTEQ(ph_close(h, 0), PAM_SUCCESS);
	T_ASSERT(ph_last_event(&e, "session_close", e.user, &ev) == 0);
	T_ASSERT_INTEQ(ev.count, 1);
	T_ASSERT_INTEQ(ev.grant_id, id);
	/* A second close finds nothing to close and writes nothing. */
	T_ASSERT_INTEQ(ph_close(h, 0), PAM_SUCCESS);
	T_ASSERT(ph_last_event(&e, "session_close", e.user, &ev) == 0);
	T_ASSERT_INTEQ(ev.count, 1);
	(void)pam_end(h, PAM_SUCCESS);

	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', &cv), PAM_PERM_DENIED);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'o', &cv), PAM_PERM_DENIED);
	ph_teardown(&e);
}

/* resource= scopes the check; without it any resource opens. */
static void
test_resource_scope(void)
{
	struct ph_env e;
	struct ph_event ev;
	int64_t id;

	T_ASSERT(ph_setup(&e, "pam-scope") == 0);
	id = ph_grant(&e, e.user, PH_RES2, JL_ST_APPROVED, now - 60, now + 600);
	T_ASSERT(id > 0);
	service(&e, "resource=" PH_RES);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', NULL), PAM_PERM_DENIED);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'o', NULL), PAM_PERM_DENIED);
	service(&e, "resource=" PH_RES2);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', NULL), PAM_SUCCESS);
	service(&e, "");
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', NULL), PAM_SUCCESS);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'o', NULL), PAM_SUCCESS);
	T_ASSERT(ph_last_event(&e, "session_open", e.user, &ev) == 0);
	T_ASSERT_INTEQ(ev.grant_id, id);
	T_ASSERT_STREQ(ev.resource, PH_RES2);
	/* Another user's grant opens nothing for this one. */
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.other, 'a', NULL), PAM_PERM_DENIED);
	ph_teardown(&e);
}

/* Grants that exist but do not hold now. */
static void
test_not_holding(void)
{
	static const enum jl_status dead[] = { JL_ST_PENDING, JL_ST_DENIED,
		JL_ST_REVOKED, JL_ST_CANCELLED, JL_ST_LAPSED, JL_ST_EXPIRED };
	struct ph_env e;
	size_t i;

	T_ASSERT(ph_setup(&e, "pam-dead") == 0);
	service(&e, "resource=" PH_RES);
	for (i = 0; i < sizeof(dead) / sizeof(dead[0]); i++)
		T_ASSERT(ph_grant(&e, e.user, PH_RES, dead[i], now - 60,
		             now + 600) > 0);
	/* Approved but over, and approved but not started. */
	T_ASSERT(ph_grant(&e, e.user, PH_RES, JL_ST_APPROVED, now - 7200,
	             now - 3600) > 0);
	T_ASSERT(ph_grant(&e, e.user, PH_RES, JL_ST_APPROVED, now + 3600,
	             now + 7200) > 0);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', NULL), PAM_PERM_DENIED);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'o', NULL), PAM_PERM_DENIED);
	ph_teardown(&e);
}

static void
test_exempt_and_unknown(void)
{
	struct ph_env e;
	char args[1024];

	T_ASSERT(ph_setup(&e, "pam-exempt") == 0);
	(void)snprintf(args, sizeof(args),
	    "resource=" PH_RES " exempt_group=%s", e.group_in);
	service(&e, args);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', NULL), PAM_IGNORE);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'o', NULL), PAM_IGNORE);
	T_ASSERT_INTEQ(ph_once(&e, "svc", "jl-no-such-user-4711", 'a', NULL),
	    PAM_USER_UNKNOWN);
	T_ASSERT_INTEQ(ph_once(&e, "svc", "jl-no-such-user-4711", 'o', NULL),
	    PAM_USER_UNKNOWN);
	(void)snprintf(args, sizeof(args),
	    "resource=" PH_RES " exempt_group=%s", e.group_out);
	service(&e, args);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', NULL), PAM_PERM_DENIED);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'o', NULL), PAM_PERM_DENIED);
	/* A group that does not exist exempts nobody. */
	service(&e, "exempt_group=jl-no-such-group-4711");
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', NULL), PAM_PERM_DENIED);
	ph_teardown(&e);
}

/* Bad arguments and a bad config: PAM_SERVICE_ERR, whatever the grant. */
static void
test_bad_args_and_config(void)
{
	static const char *const bad[] = { "bogus", "resource=" PH_RES " debg",
		"resource=../etc",
		"resource=", "resource=" PH_RES " resource=" PH_RES2,
		"resource=no-such-resource", "exempt_group=a:b", "Debug",
		"test_config=relative" };
	char all[PATH_MAX + 64];
	struct ph_env e;
	pam_handle_t *h;
	size_t i;

	T_ASSERT(ph_setup(&e, "pam-args") == 0);
	T_ASSERT(ph_grant(&e, e.user, PH_RES, JL_ST_APPROVED, now - 60,
	             now + 600) > 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		service(&e, bad[i]);
		T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', NULL),
		    PAM_SERVICE_ERR);
		T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'o', NULL),
		    PAM_SERVICE_ERR);
		/* close reads the config only when there is a session
		 * to record, so only argument errors show without one. */
		if (strstr(bad[i], "no-such") != NULL)
			continue;
		h = ph_start(&e, "svc", e.user, NULL);
		T_ASSERT_INTEQ(ph_close(h, 0), PAM_SERVICE_ERR);
		(void)pam_end(h, PAM_SUCCESS);
	}
	/* The production module has no test_config= or test_nojournal. */
	(void)snprintf(all, sizeof(all), "test_config=%s", e.conf);
	T_ASSERT(ph_service(&e, "prod", JL_PAM_MODULE_PROD, all) == 0);
	T_ASSERT_INTEQ(ph_once(&e, "prod", e.user, 'a', NULL), PAM_SERVICE_ERR);
	T_ASSERT_INTEQ(ph_once(&e, "prod", e.user, 'o', NULL), PAM_SERVICE_ERR);
	T_ASSERT(
	    ph_service(&e, "prod", JL_PAM_MODULE_PROD, "test_nojournal") == 0);
	T_ASSERT_INTEQ(ph_once(&e, "prod", e.user, 'a', NULL), PAM_SERVICE_ERR);

	/* (An unsafe owner or mode is refused by the production checks,
	 * which the test build skips: tests/integration/pam_pamtester.sh.) */
	service(&e, "resource=" PH_RES);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', NULL), PAM_SUCCESS);
	T_ASSERT(ph_write_conf(&e, "    bogus_key = 1;\n") == 0);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', NULL), PAM_SERVICE_ERR);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'o', NULL), PAM_SERVICE_ERR);
	T_ASSERT(unlink(e.conf) == 0);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', NULL), PAM_SERVICE_ERR);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'o', NULL), PAM_SERVICE_ERR);
	ph_teardown(&e);
}

/* Every store error fails closed, for a user who holds a grant. */
static void
test_store_errors(void)
{
	struct ph_env e;
	char path[PATH_MAX + 8];
	int fd;

	T_ASSERT(ph_setup(&e, "pam-store") == 0);
	T_ASSERT(ph_grant(&e, e.user, PH_RES, JL_ST_APPROVED, now - 60,
	             now + 600) > 0);
	service(&e, "resource=" PH_RES);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'o', NULL), PAM_SUCCESS);
	if (geteuid() != 0) {
		T_ASSERT(chmod(e.db, 0) == 0);
		T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', NULL),
		    PAM_SYSTEM_ERR);
		T_ASSERT(chmod(e.db, 0600) == 0);
	}
	/* Garbage over the whole file (and no WAL to recover from). */
	(void)snprintf(path, sizeof(path), "%s-wal", e.db);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s-shm", e.db);
	(void)unlink(path);
	fd = open(e.db, O_WRONLY | O_TRUNC | O_CLOEXEC);
	T_ASSERT(fd >= 0);
	for (int i = 0; i < 64; i++)
		T_ASSERT(write(fd,
		             "garbage! not a database at all. 0123456789"
		             "abcdefghijklmnopqrstu\n",
		             64) == 64);
	(void)close(fd);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', NULL), PAM_SYSTEM_ERR);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'o', NULL), PAM_SYSTEM_ERR);
	T_ASSERT(unlink(e.db) == 0);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', NULL), PAM_SYSTEM_ERR);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'o', NULL), PAM_SYSTEM_ERR);
	ph_teardown(&e);
}

/* Child: hold BEGIN IMMEDIATE until the parent closes the pipe. */
static void
hold_lock(struct ph_env *e, int ready, int release)
{
	struct jl_store_opts o;
	struct jl_store *st = NULL;
	struct jl_error err;
	char c;

	jl_store_opts_default(&o);
	o.owner = (uid_t)-1;
	if (jl_store_open(e->db, &o, &st, &err) < 0 ||
	    jl_store_begin(st, &err) < 0)
		_exit(1);
	if (write(ready, "x", 1) != 1)
		_exit(1);
	(void)read(release, &c, 1);
	jl_store_rollback(st);
	jl_store_close(st);
	_exit(0);
}

/* A store locked by another writer: deny within the bounded wait. */
static void
test_store_locked(void)
{
	struct ph_env e;
	int ready[2], release[2], status;
	int64_t t0;
	pid_t pid;
	char c;

	T_ASSERT(ph_setup(&e, "pam-lock") == 0);
	T_ASSERT(ph_grant(&e, e.user, PH_RES, JL_ST_APPROVED, now - 60,
	             now + 600) > 0);
	service(&e, "resource=" PH_RES);
	T_ASSERT(
	    pipe2(ready, O_CLOEXEC) == 0 && pipe2(release, O_CLOEXEC) == 0);
	pid = fork();
	if (pid == 0) {
		(void)close(release[1]);
		hold_lock(&e, ready[1], release[0]);
	}
	(void)close(release[0]);
	(void)close(ready[1]);
	T_ASSERT(read(ready[0], &c, 1) == 1);
	/* Opening a session needs the write lock: refused, not hung. */
	t0 = ph_ms();
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'o', NULL), PAM_SYSTEM_ERR);
	T_ASSERT(ph_ms() - t0 < 3500);
	/* A denial must be recorded before it is reported: same. */
	t0 = ph_ms();
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.other, 'a', NULL), PAM_SYSTEM_ERR);
	T_ASSERT(ph_ms() - t0 < 3500);
	/* An allowed account check only reads: WAL readers go on. */
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'a', NULL), PAM_SUCCESS);
	(void)close(release[1]);
	T_ASSERT(waitpid(pid, &status, 0) == pid);
	T_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	(void)close(ready[0]);
	T_ASSERT_INTEQ(ph_once(&e, "svc", e.user, 'o', NULL), PAM_SUCCESS);
	ph_teardown(&e);
}

/* RHOST/TTY: escaped and capped in the store; never part of the decision. */
static void
test_annotations(void)
{
	struct ph_env e;
	struct ph_event ev;
	char rhost[2048];
	pam_handle_t *h;
	const char *p;

	T_ASSERT(ph_setup(&e, "pam-annot") == 0);
	T_ASSERT(ph_grant(&e, e.user, PH_RES, JL_ST_APPROVED, now - 60,
	             now + 600) > 0);
	service(&e, "resource=" PH_RES);
	memset(rhost, 'A', sizeof(rhost) - 1);
	rhost[sizeof(rhost) - 1] = '\0';
	memcpy(rhost, "evil\x1b[2J\xe2\x80\xae", 11);
	h = ph_start(&e, "svc", e.user, NULL);
	T_ASSERT(pam_set_item(h, PAM_RHOST, rhost) == PAM_SUCCESS);
	T_ASSERT(pam_set_item(h, PAM_TTY, "pts/\x07\n9") == PAM_SUCCESS);
	T_ASSERT_INTEQ(ph_open(h, 0), PAM_SUCCESS);
	T_ASSERT_INTEQ(ph_close(h, 0), PAM_SUCCESS);
	(void)pam_end(h, PAM_SUCCESS);
	T_ASSERT(ph_last_event(&e, "session_open", e.user, &ev) == 0);
	T_ASSERT(strstr(ev.detail, "evil\\\\x1b[2J\\\\u{202E}AAA") != NULL);
	T_ASSERT(strstr(ev.detail, "pts/\\\\x07\\\\x0a9") != NULL);
	p = strstr(ev.detail, "\"rhost\":\"");
	T_ASSERT(p != NULL && strchr(p + 9, '"') - (p + 9) < JL_ANNOT_MAX + 16);
	/* The same hostile RHOST does not admit a user without a grant. */
	h = ph_start(&e, "svc", e.other, NULL);
	T_ASSERT(pam_set_item(h, PAM_RHOST, rhost) == PAM_SUCCESS);
	T_ASSERT_INTEQ(ph_acct(h, 0), PAM_PERM_DENIED);
	(void)pam_end(h, PAM_SUCCESS);
	ph_teardown(&e);
}

/* close_session in a handle that opened nothing: nothing to record. */
static void
test_close_alone(void)
{
	struct ph_env e;
	struct ph_event ev;
	pam_handle_t *h;

	T_ASSERT(ph_setup(&e, "pam-close") == 0);
	service(&e, "resource=" PH_RES);
	h = ph_start(&e, "svc", e.user, NULL);
	T_ASSERT_INTEQ(ph_close(h, 0), PAM_SUCCESS);
	(void)pam_end(h, PAM_SUCCESS);
	T_ASSERT(ph_last_event(&e, "session_close", NULL, &ev) == 0);
	T_ASSERT_INTEQ(ev.count, 0);
	ph_teardown(&e);
}

/* closed_at of session id in e's store: 0 open, -1 none or error. */
static int64_t
session_closed_at(struct ph_env *e, int64_t id)
{
	struct jl_store_opts o;
	struct jl_store *st = NULL;
	struct jl_session ss = { 0 };
	struct jl_error err;
	int64_t at = -1;

	jl_store_opts_default(&o);
	o.owner = (uid_t)-1;
	if (jl_store_open(e->db, &o, &st, &err) < 0)
		return -1;
	if (jl_store_session_get(st, id, &ss, &err) == 0)
		at = ss.closed_at;
	jl_session_clear(&ss);
	jl_store_close(st);
	return at;
}

/*
 * pam_jitlog twice in one session stack (any resource, then one): both
 * lines record a session, and the two closes end both, each its own
 * (before, the second open took the first's place in the handle and the
 * first session stayed open until the sweep called it gone).
 */
static void
test_two_lines(void)
{
	struct ph_env e;
	struct ph_event ev;
	char path[700], text[4096];
	pam_handle_t *h;
	int64_t id;
	FILE *f;

	T_ASSERT(ph_setup(&e, "pam-two") == 0);
	(void)snprintf(path, sizeof(path), "%s/two", e.pamdir);
	(void)snprintf(text, sizeof(text),
	    "session required %s test_config=%s test_nojournal\n"
	    "session required %s test_config=%s test_nojournal resource=%s\n",
	    mod, e.conf, mod, e.conf, PH_RES);
	f = fopen(path, "w");
	T_ASSERT(f != NULL);
	if (f == NULL)
		return;
	(void)fputs(text, f);
	T_ASSERT(fclose(f) == 0);
	id = ph_grant(&e, e.user, PH_RES, JL_ST_APPROVED, now - 60, now + 3600);
	T_ASSERT(id > 0);
	h = ph_start(&e, "two", e.user, NULL);
	T_ASSERT(h != NULL);
	if (h == NULL)
		return;
	T_ASSERT_INTEQ(pam_open_session(h, 0), PAM_SUCCESS);
	T_ASSERT(ph_last_event(&e, "session_open", e.user, &ev) == 0);
	T_ASSERT_INTEQ(ev.count, 2);
	T_ASSERT_INTEQ(session_closed_at(&e, 1), 0);
	T_ASSERT_INTEQ(session_closed_at(&e, 2), 0);
	T_ASSERT_INTEQ(pam_close_session(h, 0), PAM_SUCCESS);
	T_ASSERT(ph_last_event(&e, "session_close", e.user, &ev) == 0);
	T_ASSERT_INTEQ(ev.count, 2);
	T_ASSERT(session_closed_at(&e, 1) > 0);
	T_ASSERT(session_closed_at(&e, 2) > 0);
	/* Nothing left: a second close writes nothing. */
	T_ASSERT_INTEQ(pam_close_session(h, 0), PAM_SUCCESS);
	T_ASSERT(ph_last_event(&e, "session_close", e.user, &ev) == 0);
	T_ASSERT_INTEQ(ev.count, 2);
	(void)pam_end(h, PAM_SUCCESS);

	/* Opened and never closed: pam_end frees what the handle holds
	 * (ASan checks), and the sessions stay open for the sweep. */
	h = ph_start(&e, "two", e.user, NULL);
	T_ASSERT(h != NULL);
	if (h != NULL) {
		T_ASSERT_INTEQ(pam_open_session(h, 0), PAM_SUCCESS);
		(void)pam_end(h, PAM_SUCCESS);
	}
	T_ASSERT_INTEQ(session_closed_at(&e, 3), 0);
	T_ASSERT_INTEQ(session_closed_at(&e, 4), 0);
	ph_teardown(&e);
}

int
main(void)
{
	now = (int64_t)time(NULL);
	T_RUN(test_harness);
	T_RUN(test_no_grant_denies);
	T_RUN(test_quiet);
	T_RUN(test_grant_admits);
	T_RUN(test_resource_scope);
	T_RUN(test_not_holding);
	T_RUN(test_exempt_and_unknown);
	T_RUN(test_bad_args_and_config);
	T_RUN(test_store_errors);
	T_RUN(test_store_locked);
	T_RUN(test_annotations);
	T_RUN(test_close_alone);
	T_RUN(test_two_lines);
	return T_DONE();
}

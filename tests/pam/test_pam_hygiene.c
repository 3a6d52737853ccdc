/* SPDX-License-Identifier: ISC */
/*
 * Host hygiene of pam_jitlog (SPEC section 7, SECURITY.md "pam_jitlog"):
 * the module runs inside sshd, su and sudo, so after every call -- allowed,
 * denied, exempt, unknown user, bad argument, store error -- the host
 * process must have the same open fds, umask, signal dispositions and
 * mask, environment, thread count, locale, credentials and working
 * directory as before.  A leaked fd is what reached the user's shell in
 * pam_u2f CVE-2019-12210.  The journal mirror is on here (it is what a
 * cached socket would come from).  Then many threads log in at once: the
 * module must be thread-safe (one store connection per call).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "pam_harness.h"
#include "t.h"

#define NTHREADS 8
#define NROUNDS  10

extern char **environ;

/* Everything a call must leave as it found it, as one comparable text. */
static char *
snapshot(void)
{
	static char buf[256 * 1024];
	char path[300], target[PATH_MAX], line[256];
	struct sigaction sa;
	sigset_t mask;
	struct dirent *d;
	size_t len = 0;
	DIR *dir;
	FILE *f;
	uid_t ru, eu, su;
	gid_t rg, eg, sg, groups[256];
	ssize_t n;
	int i, ng;

#define ADD(...)                                                               \
	len += (size_t)snprintf(buf + len,                                     \
	    len < sizeof(buf) ? sizeof(buf) - len : 0, __VA_ARGS__)
	buf[0] = '\0';
	dir = opendir("/proc/self/fd");
	while (dir != NULL && (d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.' || atoi(d->d_name) == dirfd(dir))
			continue;
		(void)snprintf(path, sizeof(path), "/proc/self/fd/%s",
		    d->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		ADD("fd %s -> %s\n", d->d_name, target);
	}
	if (dir != NULL)
		(void)closedir(dir);
	f = fopen("/proc/self/status", "re");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "Umask:", 6) == 0 ||
		    strncmp(line, "Threads:", 8) == 0)
			ADD("%s", line);
	if (f != NULL)
		(void)fclose(f);
	for (i = 1; i < NSIG; i++) {
		memset(&sa, 0, sizeof(sa));
		if (sigaction(i, NULL, &sa) < 0) {
			ADD("sig %d: errno %d\n", i, errno);
			continue;
		}
		ADD("sig %d: %p %#x %lx\n", i, (void *)(uintptr_t)sa.sa_handler,
		    (unsigned)sa.sa_flags, *(unsigned long *)&sa.sa_mask);
	}
	(void)sigprocmask(SIG_BLOCK, NULL, &mask);
	ADD("sigmask %lx\n", *(unsigned long *)&mask);
	for (i = 0; environ[i] != NULL; i++)
		ADD("env %s\n", environ[i]);
	ADD("locale %s\n", setlocale(LC_ALL, NULL));
	ADD("uselocale %p\n", (void *)uselocale((locale_t)0));
	(void)getresuid(&ru, &eu, &su);
	(void)getresgid(&rg, &eg, &sg);
	ADD("uid %d %d %d gid %d %d %d\n", (int)ru, (int)eu, (int)su, (int)rg,
	    (int)eg, (int)sg);
	ng = getgroups(256, groups);
	for (i = 0; i < ng; i++)
		ADD("group %d\n", (int)groups[i]);
	ADD("cwd %s\n", getcwd(target, sizeof(target)) ? target : "?");
#undef ADD
	return strdup(buf);
}

/* Print the lines of a that b lacks, prefixed with mark. */
static void
print_missing(const char *a, const char *b, char mark)
{
	const char *p, *nl;
	char line[1024];
	size_t n;

	for (p = a; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			break;
		n = (size_t)(nl - p) + 1;
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		if (strstr(b, line) == NULL)
			fprintf(stderr, "  %c %s", mark, line);
	}
}

/* Print what differs, return true when nothing does. */
static bool
same(const char *what, const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return true;
	fprintf(stderr, "%s changed the host process:\n", what);
	print_missing(a, b, '-');
	print_missing(b, a, '+');
	return false;
}

static const char *const calls[] = { "acct", "open", "close", "end" };

/* Run start/acct/open/close/end for user, checking around each call. */
static void
check_run(struct ph_env *e, const char *label, const char *user)
{
	char what[256];
	char *before, *after;
	pam_handle_t *h;
	int i;

	h = ph_start(e, "svc", user, NULL);
	T_ASSERT(h != NULL);
	if (h == NULL)
		return;
	(void)pam_set_item(h, PAM_RHOST, "192.0.2.1");
	for (i = 0; i < 4; i++) {
		before = snapshot();
		if (i == 0)
			(void)ph_acct(h, 0);
		else if (i == 1)
			(void)ph_open(h, 0);
		else if (i == 2)
			(void)ph_close(h, 0);
		else
			(void)pam_end(h, PAM_SUCCESS);
		after = snapshot();
		(void)snprintf(what, sizeof(what), "%s: pam %s", label,
		    calls[i]);
		T_ASSERT(same(what, before, after));
		free(before);
		free(after);
	}
}

static void
test_hygiene(void)
{
	struct ph_env e;
	char args[1024];
	int64_t now = (int64_t)time(NULL);

	T_ASSERT(ph_setup(&e, "pam-hygiene") == 0);
	T_ASSERT(ph_grant(&e, e.user, PH_RES, JL_ST_APPROVED, now - 60,
	             now + 600) > 0);
	(void)snprintf(args, sizeof(args),
	    "test_config=%s resource=" PH_RES " debug", e.conf);
	T_ASSERT(ph_service(&e, "svc", JL_PAM_MODULE_TEST, args) == 0);
	check_run(&e, "allowed", e.user);
	check_run(&e, "denied", e.other);
	check_run(&e, "unknown user", "jl-no-such-user-4711");
	(void)snprintf(args, sizeof(args), "test_config=%s exempt_group=%s",
	    e.conf, e.group_in);
	T_ASSERT(ph_service(&e, "svc", JL_PAM_MODULE_TEST, args) == 0);
	check_run(&e, "exempt", e.user);
	(void)snprintf(args, sizeof(args), "test_config=%s bogus", e.conf);
	T_ASSERT(ph_service(&e, "svc", JL_PAM_MODULE_TEST, args) == 0);
	check_run(&e, "bad argument", e.user);
	(void)snprintf(args, sizeof(args), "test_config=%s", e.conf);
	T_ASSERT(ph_service(&e, "svc", JL_PAM_MODULE_TEST, args) == 0);
	T_ASSERT(unlink(e.db) == 0);
	check_run(&e, "store missing", e.user);
	(void)snprintf(args, sizeof(args), "test_config=%s/nonexistent", e.dir);
	T_ASSERT(ph_service(&e, "svc", JL_PAM_MODULE_TEST, args) == 0);
	check_run(&e, "config missing", e.user);
	ph_teardown(&e);
}

struct worker {
	struct ph_env *e;
	int failures;
};

static void *
worker(void *arg)
{
	struct worker *w = arg;
	pam_handle_t *h;
	int i;

	for (i = 0; i < NROUNDS; i++) {
		h = ph_start(w->e, "svc", w->e->user, NULL);
		if (h == NULL || ph_acct(h, PAM_SILENT) != PAM_SUCCESS ||
		    ph_open(h, PAM_SILENT) != PAM_SUCCESS ||
		    ph_close(h, PAM_SILENT) != PAM_SUCCESS)
			w->failures++;
		if (h != NULL)
			(void)pam_end(h, PAM_SUCCESS);
	}
	return NULL;
}

/* Concurrent logins in one process: every one admitted and recorded. */
static void
test_threads(void)
{
	struct ph_env e;
	struct worker w[NTHREADS];
	pthread_t t[NTHREADS];
	struct ph_event ev;
	char args[1024];
	int64_t now = (int64_t)time(NULL);
	int i;

	T_ASSERT(ph_setup(&e, "pam-threads") == 0);
	T_ASSERT(ph_grant(&e, e.user, PH_RES, JL_ST_APPROVED, now - 60,
	             now + 600) > 0);
	(void)snprintf(args, sizeof(args),
	    "test_config=%s test_nojournal"
	    " resource=" PH_RES,
	    e.conf);
	T_ASSERT(ph_service(&e, "svc", JL_PAM_MODULE_TEST, args) == 0);
	for (i = 0; i < NTHREADS; i++) {
		w[i].e = &e;
		w[i].failures = 0;
		T_ASSERT(pthread_create(&t[i], NULL, worker, &w[i]) == 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		T_ASSERT(pthread_join(t[i], NULL) == 0);
		T_ASSERT_INTEQ(w[i].failures, 0);
	}
	T_ASSERT(ph_last_event(&e, "session_open", e.user, &ev) == 0);
	T_ASSERT_INTEQ(ev.count, NTHREADS * NROUNDS);
	T_ASSERT(ph_last_event(&e, "session_close", e.user, &ev) == 0);
	T_ASSERT_INTEQ(ev.count, NTHREADS * NROUNDS);
	ph_teardown(&e);
}

int
main(void)
{
	/*
	 * A host such as sshd or su has its own syslog connection; libpam's
	 * pam_syslog() shares it (libc state, close-on-exec).  Open it
	 * first, as they do, so that what is compared is the module.
	 */
	openlog("test_pam_hygiene", LOG_NDELAY | LOG_PID, LOG_AUTHPRIV);
	T_RUN(test_hygiene);
	T_RUN(test_threads);
	closelog();
	return T_DONE();
}

/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of notify_command (lib/notify.c) with small shell hooks in a
 * private temporary directory: the kinds and the JSON a hook gets; that
 * it runs with the JSON on stdin, PATH=/usr/bin:/bin as its whole
 * environment, only fds 0-2, its own session, as the account given
 * (nobody when the test runs as root) and never as root; that a hook
 * failing, killed by a signal, not executable or not reading its input
 * is reported without harming the caller (no SIGPIPE); that a hook that
 * hangs is killed with its whole process group within the timeout; and
 * that root, the forbidden group and relative paths are refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jitlog/config.h"
#include "jitlog/notify.h"
#include "t.h"

static char dir[64];
static char outdir[96];
static struct jl_notify_opts base;

static void
write_file(const char *name, const char *text, mode_t mode)
{
	char p[160];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	T_ASSERT(f != NULL);
	if (f == NULL)
		return;
	fputs(text, f);
	fclose(f);
	T_ASSERT(chmod(p, mode) == 0);
}

/* The contents of outdir/name (static buffer), "" when missing. */
static const char *
read_out(const char *name)
{
	static char buf[8192];
	char p[160];
	ssize_t n = 0;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", outdir, name);
	buf[0] = '\0';
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		return buf;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int
run(const char *hook, int timeout_ms, const char *json, size_t len,
    struct jl_notify_result *res, struct jl_error *err)
{
	struct jl_notify_opts o = base;
	char p[160];

	snprintf(p, sizeof(p), "%s/%s", dir, hook);
	o.command = p;
	o.timeout_ms = timeout_ms;
	return jl_notify_run(&o, json, len, res, err);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
test_kinds_json(void)
{
	static const char ev[] =
	    "{\"seq\": 3, \"event\": \"extend\", \"grant_id\": 7}";
	char a0[] = "%leads", a1[] = "carol", e0[] = "%sre";
	char *ap[] = { a0, a1 }, *ep[] = { e0 };
	struct jl_resource res = { 0 };
	struct jl_buf b = { NULL, 0, 0 };

	T_ASSERT_STREQ(jl_notify_kind("request"), "request");
	T_ASSERT_STREQ(jl_notify_kind("extend"), "request");
	T_ASSERT_STREQ(jl_notify_kind("break_glass"), "break_glass");
	T_ASSERT_STREQ(jl_notify_kind("expiring"), "expiring");
	T_ASSERT_STREQ(jl_notify_kind("expire"), "expire");
	T_ASSERT_STREQ(jl_notify_kind("escalate"), "escalate");
	T_ASSERT(jl_notify_kind("view_open") == NULL);
	T_ASSERT(jl_notify_kind("lapse") == NULL);
	T_ASSERT(jl_notify_kind(NULL) == NULL);

	res.approvers.v = ap;
	res.approvers.n = 2;
	res.escalate_to.v = ep;
	res.escalate_to.n = 1;
	T_ASSERT_INTEQ(jl_notify_json(ev, "request", &res, &b), 0);
	T_ASSERT_STREQ(b.data,
	    "{\"seq\": 3, \"event\": \"extend\", \"grant_id\": 7, "
	    "\"notify\": \"request\", \"approvers\": [\"%leads\", \"carol\"], "
	    "\"escalate_to\": [\"%sre\"]}");
	jl_buf_reset(&b);
	T_ASSERT_INTEQ(jl_notify_json(ev, "approve", &res, &b), 0);
	T_ASSERT_STREQ(b.data,
	    "{\"seq\": 3, \"event\": \"extend\", \"grant_id\": 7, "
	    "\"notify\": \"approve\"}");
	jl_buf_reset(&b);
	T_ASSERT_INTEQ(jl_notify_json(ev, "break_glass", &res, &b), 0);
	T_ASSERT(
	    strstr(b.data, "\"approvers\": [\"%leads\", \"carol\"]") != NULL);
	jl_buf_reset(&b);
	T_ASSERT_INTEQ(jl_notify_json(ev, "escalate", NULL, &b), 0);
	T_ASSERT(
	    strstr(b.data, "\"approvers\": [], \"escalate_to\": []}") != NULL);
	jl_buf_reset(&b);
	T_ASSERT_INTEQ(jl_notify_json("[1]", "request", NULL, &b), -EINVAL);
	T_ASSERT_INTEQ(jl_notify_json("{", "request", NULL, &b), -EINVAL);
	T_ASSERT_INTEQ(b.len, 0);
	jl_buf_free(&b);
}

static void
test_account(void)
{
	uid_t u = 1;
	gid_t g = 1;

	T_ASSERT_INTEQ(jl_notify_account(1234, 5678, &u, &g), 0);
	T_ASSERT_INTEQ(u, 1234);
	T_ASSERT_INTEQ(g, 5678);
	T_ASSERT_INTEQ(jl_notify_account(0, 0, &u, &g), 0);
	T_ASSERT(u != 0 && g != 0);
}

/* The hook sees the JSON, a bare environment, fds 0-2, no root. */
static void
test_runs_clean(void)
{
	static const char json[] = "{\"event\": \"approve\", \"notify\": "
	                           "\"approve\"}";
	struct jl_notify_result res;
	struct jl_error err = { "" };
	char want[32];

	T_ASSERT_INTEQ(run("probe.sh", 5000, json, strlen(json), &res, &err),
	    0);
	T_ASSERT_INTEQ(res.exit_code, 0);
	T_ASSERT(!res.timed_out && res.signal == 0);
	T_ASSERT_STREQ(read_out("stdin"), json);
	/* The initial environment of the hook, NUL-separated. */
	T_ASSERT_STREQ(read_out("environ"), "PATH=/usr/bin:/bin");
	snprintf(want, sizeof(want), "%lu\n", (unsigned long)base.uid);
	T_ASSERT_STREQ(read_out("uid"), want);
	T_ASSERT(strcmp(read_out("uid"), "0\n") != 0);
	/* Its own session: the session id is its own pid. */
	T_ASSERT_STREQ(read_out("sid"), "yes\n");
	/* ls, exec'd by the hook, sees 0-2 and its own directory fd. */
	T_ASSERT_STREQ(read_out("fds"), "0\n1\n2\n3\n");
}

static void
test_failures(void)
{
	struct jl_notify_result res;
	struct jl_error err = { "" };
	char *big;
	size_t n = 1024 * 1024;

	T_ASSERT_INTEQ(run("fail.sh", 5000, "{}", 2, &res, &err),
	    JL_NOTIFY_FAILED);
	T_ASSERT_INTEQ(res.exit_code, 3);
	T_ASSERT(strstr(err.msg, "exited with status 3") != NULL);

	T_ASSERT_INTEQ(run("signal.sh", 5000, "{}", 2, &res, &err),
	    JL_NOTIFY_FAILED);
	T_ASSERT_INTEQ(res.signal, SIGTERM);

	T_ASSERT_INTEQ(run("noexec.sh", 5000, "{}", 2, &res, &err),
	    JL_NOTIFY_FAILED);
	T_ASSERT(strstr(err.msg, "cannot execute") != NULL);
	T_ASSERT(strstr(err.msg, "Permission denied") != NULL);
	T_ASSERT_INTEQ(run("missing.sh", 5000, "{}", 2, &res, &err),
	    JL_NOTIFY_FAILED);
	T_ASSERT(strstr(err.msg, "No such file") != NULL);

	/* A hook that never reads a large input: no SIGPIPE here. */
	big = malloc(n);
	T_ASSERT(big != NULL);
	if (big == NULL)
		return;
	memset(big, 'x', n);
	big[0] = '{';
	big[n - 1] = '}';
	T_ASSERT_INTEQ(run("noread.sh", 5000, big, n, &res, &err), 0);
	T_ASSERT_INTEQ(run("noread_fail.sh", 5000, big, n, &res, &err),
	    JL_NOTIFY_FAILED);
	T_ASSERT_INTEQ(res.exit_code, 1);
	free(big);
}

/* Dead or a zombie: a process that is no longer running. */
static bool
gone(pid_t pid)
{
	char p[64], buf[512], *s;
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "/proc/%ld/stat", (long)pid);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		return true;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	s = strrchr(buf, ')');
	return s == NULL || s[1] != ' ' || s[2] == 'Z' || s[2] == 'X';
}

static void
test_timeout(void)
{
	struct jl_notify_result res;
	struct jl_error err = { "" };
	int64_t t0, dt;
	long child = 0;
	int i;

	t0 = now_ms();
	T_ASSERT_INTEQ(run("hang.sh", 300, "{}", 2, &res, &err),
	    JL_NOTIFY_FAILED);
	dt = now_ms() - t0;
	T_ASSERT(res.timed_out);
	T_ASSERT(strstr(err.msg, "did not finish") != NULL);
	/* Bounded by the timeout (generously: no timing assertion beyond
	 * "it did not wait for the hook"). */
	T_ASSERT(dt < 5000);
	/* The hook's own child (sleep) was killed with the group. */
	child = strtol(read_out("sleep_pid"), NULL, 10);
	T_ASSERT(child > 1);
	for (i = 0; child > 1 && i < 200 && !gone((pid_t)child); i++)
		usleep(10000);
	T_ASSERT(child > 1 && gone((pid_t)child));
}

static void
test_refusals(void)
{
	struct jl_notify_opts o = base;
	struct jl_error err = { "" };
	char p[160];

	snprintf(p, sizeof(p), "%s/probe.sh", dir);
	o.command = p;
	o.uid = 0;
	T_ASSERT_INTEQ(jl_notify_run(&o, "{}", 2, NULL, &err), -EPERM);
	o = base;
	o.command = p;
	o.forbidden_gid = o.gid;
	T_ASSERT_INTEQ(jl_notify_run(&o, "{}", 2, NULL, &err), -EPERM);
	o = base;
	o.command = "probe.sh";
	T_ASSERT_INTEQ(jl_notify_run(&o, "{}", 2, NULL, &err), -EINVAL);
	o.command = NULL;
	T_ASSERT_INTEQ(jl_notify_run(&o, "{}", 2, NULL, &err), -EINVAL);
}

static void
setup(void)
{
	char text[1024];

	snprintf(dir, sizeof(dir), "/tmp/test_notify.XXXXXX");
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) < 0) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(outdir, sizeof(outdir), "%s/out", dir);
	if (mkdir(outdir, 0777) < 0 || chmod(outdir, 0777) < 0) {
		perror("mkdir");
		exit(1);
	}
	snprintf(text, sizeof(text),
	    "#!/bin/sh\n"
	    "o=%s\n"
	    "cat > $o/stdin\n"
	    "tr '\\0' '\\n' < /proc/$$/environ | head -c -1 > $o/environ\n"
	    "id -u > $o/uid\n"
	    "[ \"$(cut -d' ' -f6 /proc/$$/stat)\" = $$ ] && echo yes > $o/sid\n"
	    "exec ls /proc/self/fd > $o/fds\n",
	    outdir);
	write_file("probe.sh", text, 0755);
	write_file("fail.sh", "#!/bin/sh\ncat >/dev/null\nexit 3\n", 0755);
	write_file("signal.sh", "#!/bin/sh\nkill -TERM $$\nsleep 5\n", 0755);
	write_file("noexec.sh", "#!/bin/sh\nexit 0\n", 0644);
	write_file("noread.sh", "#!/bin/sh\nexit 0\n", 0755);
	write_file("noread_fail.sh", "#!/bin/sh\nexit 1\n", 0755);
	snprintf(text, sizeof(text),
	    "#!/bin/sh\nsleep 600 &\necho $! > %s/sleep_pid\nwait\n", outdir);
	write_file("hang.sh", text, 0755);
	if (jl_notify_account(getuid(), getgid(), &base.uid, &base.gid) < 0) {
		fprintf(stderr, "no account for the hooks\n");
		exit(1);
	}
	base.forbidden_gid = (gid_t)-1;
}

static void
teardown(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

int
main(void)
{
	setup();
	T_RUN(test_kinds_json);
	T_RUN(test_account);
	T_RUN(test_runs_clean);
	T_RUN(test_failures);
	T_RUN(test_timeout);
	T_RUN(test_refusals);
	teardown();
	return T_DONE();
}

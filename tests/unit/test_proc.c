/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the safe process start (lib/proc.c).  Each case runs in a
 * forked child, because sanitizing changes the whole process (fds,
 * environment, cwd, umask, dumpable, no_new_privs); the child reports
 * failures on stderr (fd 2 stays valid) and exits with their number.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jitlog/proc.h"
#include "t.h"

extern char **environ;

/* Run fn in a child; its exit status is its number of failures. */
static void
in_child(void (*fn)(void), const char *name)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	T_ASSERT(pid >= 0);
	if (pid == 0) {
		t_failures = 0;
		fn();
		fflush(NULL);
		_exit(t_failures > 255 ? 255 : t_failures);
	}
	T_ASSERT(waitpid(pid, &st, 0) == pid);
	T_ASSERT(WIFEXITED(st));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fprintf(stderr, "not ok: child %s: status 0x%x\n", name, st);
	T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static bool
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static void
child_sanitize(void)
{
	struct jl_error err = { "" };
	struct sigaction sa;
	struct rlimit rl;
	char cwd[64];
	size_t n;
	int fd;

	/* What a hostile caller hands over. */
	setenv("SQLITE_TMPDIR", "/tmp/evil", 1);
	setenv("LD_PRELOAD", "/tmp/evil.so", 1);
	setenv("TZ", "Europe/Berlin", 1);
	setenv("PATH", "/tmp/evil:/usr/bin", 1);
	fd = open("/dev/null", O_RDONLY);
	T_ASSERT(dup2(fd, 9) == 9);
	T_ASSERT(dup2(fd, 200) == 200);
	close(0);
	close(1);
	T_ASSERT(chdir("/tmp") == 0);
	umask(0);
	signal(SIGXFSZ, SIG_DFL);

	T_ASSERT_INTEQ(jl_proc_sanitize(&err), 0);

	T_ASSERT(fd_open(0) && fd_open(1) && fd_open(2));
	T_ASSERT(!fd_open(fd) && !fd_open(9) && !fd_open(200));
	for (n = 0; environ[n] != NULL; n++)
		;
	T_ASSERT_INTEQ(n, 3);
	T_ASSERT_STREQ(getenv("PATH"), "/usr/bin:/bin");
	T_ASSERT_STREQ(getenv("LC_ALL"), "C");
	T_ASSERT_STREQ(getenv("TZ"), "UTC");
	T_ASSERT(getenv("SQLITE_TMPDIR") == NULL);
	T_ASSERT(getenv("LD_PRELOAD") == NULL);
	T_ASSERT(getcwd(cwd, sizeof(cwd)) != NULL && strcmp(cwd, "/") == 0);
	T_ASSERT_INTEQ(umask(022), 077);
	T_ASSERT_INTEQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	T_ASSERT(getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur == 0 &&
	    rl.rlim_max == 0);
	T_ASSERT(
	    sigaction(SIGXFSZ, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN);
}

static int
accmode(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : (fl & O_ACCMODE);
}

/*
 * glibc's placeholders for the closed standard fds of a set-id program
 * (0 on /dev/full write-only, 1 on /dev/null read-only) become usable
 * /dev/null; a deliberate ">/dev/full" on fd 2 is left alone.
 */
static void
child_placeholders(void)
{
	struct jl_error err = { "" };
	int fd;

	fd = open("/dev/full", O_WRONLY);
	T_ASSERT(dup2(fd, 0) == 0);
	close(fd);
	fd = open("/dev/null", O_RDONLY);
	T_ASSERT(dup2(fd, 1) == 1);
	close(fd);
	fd = open("/dev/full", O_WRONLY);
	T_ASSERT(dup2(fd, 2) == 2);
	close(fd);
	T_ASSERT_INTEQ(jl_proc_sanitize(&err), 0);
	T_ASSERT_INTEQ(accmode(0), O_RDWR);
	T_ASSERT_INTEQ(accmode(1), O_RDWR);
	T_ASSERT_INTEQ(accmode(2), O_WRONLY);
	T_ASSERT(write(1, "x", 1) == 1);
	if (t_failures > 0) {
		/* stderr is /dev/full: report through the exit status. */
		_exit(t_failures);
	}
}

/* A tiny RLIMIT_FSIZE fails the write with EFBIG instead of killing. */
static void
child_fsize(void)
{
	struct jl_error err = { "" };
	struct rlimit rl = { 16, RLIM_INFINITY };
	char path[] = "/tmp/jl-test-proc-XXXXXX", buf[64] = { 0 };
	ssize_t w;
	int fd;

	T_ASSERT_INTEQ(jl_proc_sanitize(&err), 0);
	fd = mkstemp(path);
	T_ASSERT(fd >= 0);
	unlink(path);
	T_ASSERT(setrlimit(RLIMIT_FSIZE, &rl) == 0);
	T_ASSERT_INTEQ(jl_proc_check_limits(8, &err), -EFBIG);
	w = write(fd, buf, sizeof(buf));
	T_ASSERT_INTEQ(w, 16);
	errno = 0;
	w = write(fd, buf, sizeof(buf));
	T_ASSERT_INTEQ(w, -1);
	T_ASSERT_INTEQ(errno, EFBIG);
}

static void
child_nnp(void)
{
	struct jl_error err = { "" };

	T_ASSERT_INTEQ(jl_proc_check_privileged((uid_t)-1, (gid_t)-1, &err), 0);
	T_ASSERT(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	T_ASSERT_INTEQ(jl_proc_check_privileged((uid_t)-1, (gid_t)-1, &err),
	    -EPERM);
	T_ASSERT(strstr(err.msg, "no_new_privs") != NULL);
	T_ASSERT_INTEQ(jl_proc_check_privileged(geteuid(), getegid(), &err),
	    -EPERM);
}

static void
child_limits(void)
{
	struct jl_error err = { "" };
	struct rlimit rl, stack;

	T_ASSERT_INTEQ(jl_proc_check_limits(16, &err), 0);
	T_ASSERT(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	rl.rlim_cur = 8;
	T_ASSERT(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	T_ASSERT_INTEQ(jl_proc_check_limits(16, &err), -EMFILE);
	T_ASSERT_INTEQ(jl_proc_check_limits(8, &err), 0);
	/* A stack a caller shrank to crash us half-way: refused. */
	T_ASSERT(getrlimit(RLIMIT_STACK, &stack) == 0);
	rl = stack;
	rl.rlim_cur = JL_PROC_MIN_STACK / 2;
	T_ASSERT(setrlimit(RLIMIT_STACK, &rl) == 0);
	T_ASSERT_INTEQ(jl_proc_check_limits(8, &err), -ENOMEM);
	T_ASSERT(strstr(err.msg, "stack") != NULL);
	T_ASSERT(setrlimit(RLIMIT_STACK, &stack) == 0);
	T_ASSERT_INTEQ(jl_proc_check_limits(8, &err), 0);
	T_ASSERT(getrlimit(RLIMIT_AS, &rl) == 0);
	rl.rlim_cur = JL_PROC_MIN_AS / 2;
	T_ASSERT(setrlimit(RLIMIT_AS, &rl) == 0);
	T_ASSERT_INTEQ(jl_proc_check_limits(8, &err), -ENOMEM);
}

static void
test_sanitize(void)
{
	in_child(child_sanitize, "sanitize");
	in_child(child_fsize, "fsize");
	in_child(child_placeholders, "placeholders");
}

static void
test_privileged(void)
{
	struct jl_error err = { "" };
	gid_t other = getegid() + 1;

	in_child(child_nnp, "nnp");
	/* The privilege in effect passes; a missing one only for root. */
	T_ASSERT_INTEQ(jl_proc_check_privileged(geteuid(), getegid(), &err), 0);
	if (getuid() == 0) {
		T_ASSERT_INTEQ(jl_proc_check_privileged((uid_t)-1, other, &err),
		    0);
	} else {
		T_ASSERT_INTEQ(jl_proc_check_privileged((uid_t)-1, other, &err),
		    -EPERM);
		T_ASSERT_INTEQ(jl_proc_check_privileged(0, (gid_t)-1, &err),
		    -EPERM);
	}
}

static void
test_limits(void)
{
	in_child(child_limits, "limits");
}

int
main(void)
{
	T_RUN(test_sanitize);
	T_RUN(test_privileged);
	T_RUN(test_limits);
	return T_DONE();
}

/* SPDX-License-Identifier: ISC */
/*
 * The safe start of the privileged front ends (setgid jitadm, setuid
 * jitlogview): everything a caller can hand a set[ug]id program through
 * exec -- file descriptors, environment, working directory, umask, signal
 * dispositions, resource limits -- is reset or checked before the program
 * reads its arguments.  Only the front ends call this; pam_jitlog never
 * does (it must not change its host process).
 *
 * MUST (SECURITY.md "Process start"; tests/unit/test_proc.c):
 *  - fds 0, 1, 2 are valid (opened on /dev/null when closed) before anything
 *    else, and every other inherited fd is closed;
 *  - the environment is cleared and rebuilt from constants only:
 *    PATH=/usr/bin:/bin, LC_ALL=C, TZ=UTC;
 *  - the working directory is "/", the umask 077;
 *  - no core dump (RLIMIT_CORE 0) and the process is not dumpable;
 *  - SIGXFSZ is ignored, so a tiny RLIMIT_FSIZE makes writes fail with
 *    EFBIG (a clean refusal) instead of killing us mid-transaction;
 *  - no_new_privs or a missing set[ug]id bit (nosuid mount) is refused;
 *  - argv is never written (nothing here touches it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "jitlog/proc.h"

/* The fixed environment of a privileged front end. */
static const char *const proc_env[][2] = {
	{ "PATH", "/usr/bin:/bin" },
	{ "LC_ALL", "C" },
	{ "TZ", "UTC" },
};

/*
 * True if fd is a placeholder glibc put there for a set-id program whose
 * caller had closed it: /dev/full or /dev/null, opened in the direction
 * fd cannot be used (0 write-only, 1 and 2 read-only).  Those turn every
 * read or write into an error; a caller who closed the fd asked for none.
 */
static bool
placeholder(int fd)
{
	struct stat sb;
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) < 0 || fstat(fd, &sb) != 0 ||
	    !S_ISCHR(sb.st_mode))
		return false;
	if (sb.st_rdev != makedev(1, 3) && sb.st_rdev != makedev(1, 7))
		return false;
	if (fd == 0)
		return (fl & O_ACCMODE) == O_WRONLY;
	return (fl & O_ACCMODE) == O_RDONLY;
}

/* Put /dev/null, readable and writable, on fd.  0 or -errno. */
static int
null_on(int fd, bool closed)
{
	int nfd, r = 0;

	nfd = open("/dev/null", O_RDWR | O_NOCTTY | (closed ? 0 : O_CLOEXEC));
	if (nfd < 0)
		return -errno;
	if (nfd == fd)
		return 0;
	/* A closed fd is the lowest free one: 0..fd-1 are valid by now. */
	if (closed || dup2(nfd, fd) != fd)
		r = closed ? -EBADF : -errno;
	(void)close(nfd);
	return r;
}

/*
 * Make fds 0-2 valid: a closed one (or glibc's unusable placeholder for
 * it) becomes /dev/null.
 */
static int
std_fds(struct jl_error *err)
{
	int fd, r;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF)
			r = null_on(fd, true);
		else if (placeholder(fd))
			r = null_on(fd, false);
		else
			r = 0;
		if (r < 0)
			return jl_error_set(err, r,
			    "cannot make fd %d valid: %s", fd, strerror(-r));
	}
	return 0;
}

/* Close every fd from 3 up; without close_range (ENOSYS), one by one. */
static int
close_inherited(struct jl_error *err)
{
	long max, fd;

	if (close_range(3, ~0U, 0) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return jl_error_set(err, errno, "close_range: %s",
		    strerror(errno));
	max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 1024 * 1024)
		max = 1024 * 1024;
	for (fd = 3; fd < max; fd++)
		(void)close((int)fd);
	return 0;
}

static int
fixed_env(struct jl_error *err)
{
	size_t i;

	if (clearenv() != 0)
		return jl_error_set(err, ENOMEM,
		    "cannot clear the environment");
	for (i = 0; i < sizeof(proc_env) / sizeof(proc_env[0]); i++) {
		if (setenv(proc_env[i][0], proc_env[i][1], 1) != 0)
			return jl_error_set(err, errno, "cannot set %s",
			    proc_env[i][0]);
	}
	tzset();
	return 0;
}

int
jl_proc_nodump(void)
{
	struct rlimit rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		return -errno;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return -errno;
	return 0;
}

/*
 * The first call of a privileged front end's main(): fds, environment,
 * umask, working directory, core dumps, SIGXFSZ.  0 or -errno with err
 * set; the caller exits 3 (stderr is valid if this got past std_fds).
 */
int
jl_proc_sanitize(struct jl_error *err)
{
	int r;

	if ((r = std_fds(err)) < 0)
		return r;
	if ((r = close_inherited(err)) < 0)
		return r;
	if ((r = jl_proc_nodump()) < 0)
		return jl_error_set(err, r, "cannot disable core dumps: %s",
		    strerror(-r));
	if ((r = fixed_env(err)) < 0)
		return r;
	(void)umask(077);
	if (chdir("/") != 0)
		return jl_error_set(err, errno, "chdir /: %s", strerror(errno));
	if (signal(SIGXFSZ, SIG_IGN) == SIG_ERR)
		return jl_error_set(err, errno, "cannot ignore SIGXFSZ");
	/* Output to a closed pipe is EPIPE, not death after the commit and
	 * before notify_command ran ("jitadm ... | true"). */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return jl_error_set(err, errno, "cannot ignore SIGPIPE");
	/* The terminal may stop its foreground group whatever our uid (^Z):
	 * never while a write transaction holds the store. */
	if (signal(SIGTSTP, SIG_IGN) == SIG_ERR ||
	    signal(SIGTTIN, SIG_IGN) == SIG_ERR ||
	    signal(SIGTTOU, SIG_IGN) == SIG_ERR)
		return jl_error_set(err, errno,
		    "cannot ignore the stop signals");
	return 0;
}

/*
 * Refuse to run half-privileged: no_new_privs set (the kernel then ignores
 * the set[ug]id bits), or, for a caller other than root, want_euid /
 * want_egid not in effect (nosuid mount, not installed with its mode).
 * Real uid 0 needs no elevation.  0 or -EPERM with err set.
 */
int
jl_proc_check_privileged(uid_t want_euid, gid_t want_egid, struct jl_error *err)
{
	int nnp;

	nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	if (nnp < 0)
		return jl_error_set(err, errno, "PR_GET_NO_NEW_PRIVS: %s",
		    strerror(errno));
	if (nnp != 0)
		return jl_error_set(err, EPERM, "no_new_privs is set");
	if (getuid() == 0)
		return 0;
	if (want_euid != (uid_t)-1 && geteuid() != want_euid)
		return jl_error_set(err, EPERM, "effective uid is %lu, not %lu",
		    (unsigned long)geteuid(), (unsigned long)want_euid);
	if (want_egid != (gid_t)-1 && getegid() != want_egid)
		return jl_error_set(err, EPERM, "effective gid is %lu, not %lu",
		    (unsigned long)getegid(), (unsigned long)want_egid);
	return 0;
}

/* Soft limit of res below min (RLIM_INFINITY is never below). */
static bool
limit_below(__rlimit_resource_t res, rlim_t min)
{
	struct rlimit rl;

	if (getrlimit(res, &rl) != 0)
		return true;
	return rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < min;
}

/*
 * Refuse limits too small to finish cleanly: fewer than min_nofile open
 * files, a file size limit under JL_PROC_MIN_FSIZE, an address space or
 * data size under JL_PROC_MIN_AS or a stack under JL_PROC_MIN_STACK (a stack
 * overflow would kill us half-way: SIGSEGV mid-view or mid-write).
 * 0 or -EMFILE/-EFBIG/-ENOMEM with err set.
 */
int
jl_proc_check_limits(unsigned min_nofile, struct jl_error *err)
{
	if (limit_below(RLIMIT_NOFILE, (rlim_t)min_nofile))
		return jl_error_set(err, EMFILE, "open file limit below %u",
		    min_nofile);
	if (limit_below(RLIMIT_FSIZE, (rlim_t)JL_PROC_MIN_FSIZE))
		return jl_error_set(err, EFBIG,
		    "file size limit below %lu "
		    "bytes",
		    (unsigned long)JL_PROC_MIN_FSIZE);
	if (limit_below(RLIMIT_AS, (rlim_t)JL_PROC_MIN_AS))
		return jl_error_set(err, ENOMEM,
		    "address space limit below "
		    "%lu bytes",
		    (unsigned long)JL_PROC_MIN_AS);
	if (limit_below(RLIMIT_DATA, (rlim_t)JL_PROC_MIN_AS))
		return jl_error_set(err, ENOMEM,
		    "data size limit below %lu bytes",
		    (unsigned long)JL_PROC_MIN_AS);
	if (limit_below(RLIMIT_STACK, (rlim_t)JL_PROC_MIN_STACK))
		return jl_error_set(err, ENOMEM,
		    "stack size limit below %lu bytes",
		    (unsigned long)JL_PROC_MIN_STACK);
	return 0;
}

/* Contract: see proc.h. */
int
jl_proc_lift_cpu_limit(struct jl_error *err)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_CPU, &rl) != 0)
		return jl_error_set(err, errno, "RLIMIT_CPU: %s",
		    strerror(errno));
	if (rl.rlim_cur == RLIM_INFINITY && rl.rlim_max == RLIM_INFINITY)
		return 0;
	/* The soft limit up to an unlimited hard one needs no privilege;
	 * lifting the hard one needs CAP_SYS_RESOURCE, which a container's
	 * bounding set may lack: then refuse rather than die part-way. */
	if (setrlimit(RLIMIT_CPU,
	        &(struct rlimit){ RLIM_INFINITY, RLIM_INFINITY }) != 0)
		return jl_error_set(err, EPERM,
		    "a CPU time limit of %lu s is set and cannot be lifted",
		    (unsigned long)rl.rlim_max);
	return 0;
}

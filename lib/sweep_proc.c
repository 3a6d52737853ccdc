/* SPDX-License-Identifier: ISC */
/*
 * Ending a PAM session's processes for the sweep (jl_sweep_end_process,
 * sweep.h): the process that opened the session -- for sshd, its
 * privileged process; for su and sudo, su and sudo -- and the processes
 * below it, such as the user's shell and command, which would otherwise
 * outlive the login (a command without a terminal gets no SIGHUP of its
 * own).  They get SIGHUP, then whatever is left gets SIGTERM.  What left
 * the tree before (a daemon that detached itself) is out of reach here:
 * only a cgroup (systemd-logind) holds a session whole.
 *
 * MUST (tests/unit/test_sweep.c):
 *  - the recorded pid is signalled only through a pidfd opened before its
 *    start time was compared with the recorded one, so that a pid reused
 *    at any moment is never hit (the pidfd of a process that ended
 *    refers to nothing);
 *  - the processes below it are found while it runs, from the parent
 *    links in /proc, and each is signalled only through a pidfd opened
 *    before its start time was compared with the one seen in that walk;
 *  - never pid 0 or 1, never without a recorded start time; nothing but
 *    SIGHUP and SIGTERM is sent.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <time.h>
#include <unistd.h>

#include "jitlog/sweep.h"

/* Most processes of one session handled (the rest are left alone). */
#define TREE_MAX 4096
/* /proc/PID/stat is one line; comm may hold ')' and spaces. */
#define STAT_MAX 1024

/* A process seen in /proc. */
struct ent {
	pid_t pid;
	pid_t ppid;
	int64_t start;
};

/* The session's processes, [0] the one that opened it; fd -1 once it has
 * ended (or could not be held). */
struct tree {
	int *fd;
	size_t n;
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Parent and start time of pid (fields 4 and 22 of /proc/PID/stat).
 * 0, -ENOENT (no such process) or -errno. */
static int
read_stat(pid_t pid, pid_t *ret_ppid, int64_t *ret_start)
{
	char path[64], buf[STAT_MAX], *p, *end;
	long long v, ppid = 0, start = 0;
	ssize_t n;
	int fd, field;

	(void)snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return n == 0 ? -ENOENT : (errno == ESRCH ? -ENOENT : -errno);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return -EINVAL;
	for (field = 3, p++; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return -EINVAL;
		if (field == 4 || field == 22) {
			errno = 0;
			v = strtoll(p, &end, 10);
			if (errno != 0 || end == p || v < 0)
				return -EINVAL;
			*(field == 4 ? &ppid : &start) = v;
		}
		while (*p != ' ' && *p != '\0')
			p++;
	}
	if (ppid > INT32_MAX)
		return -EINVAL;
	*ret_ppid = (pid_t)ppid;
	*ret_start = (int64_t)start;
	return 0;
}

/* Every process in /proc.  0 with *ret (free it) and *ret_n, or -errno. */
static int
list_procs(struct ent **ret, size_t *ret_n)
{
	struct ent *v = NULL, *nv;
	struct dirent *d;
	size_t n = 0;
	char *end;
	long pid;
	DIR *dir;

	if ((dir = opendir("/proc")) == NULL)
		return -errno;
	while ((d = readdir(dir)) != NULL) {
		pid = strtol(d->d_name, &end, 10);
		if (*end != '\0' || pid <= 1 || pid > INT32_MAX)
			continue;
		if ((nv = reallocarray(v, n + 1, sizeof(*v))) == NULL) {
			free(v);
			(void)closedir(dir);
			return -ENOMEM;
		}
		v = nv;
		v[n].pid = (pid_t)pid;
		if (read_stat(v[n].pid, &v[n].ppid, &v[n].start) == 0)
			n++;
	}
	(void)closedir(dir);
	*ret = v;
	*ret_n = n;
	return 0;
}

/* Hold p (a descendant seen in the walk) by a pidfd, if it is still the
 * same process; else leave it. */
static void
hold(struct tree *t, const struct ent *p)
{
	pid_t ppid;
	int64_t start;
	int fd;

	if ((fd = pidfd_open(p->pid, 0)) < 0)
		return;
	if (read_stat(p->pid, &ppid, &start) < 0 || start != p->start) {
		(void)close(fd);
		return;
	}
	t->fd[t->n++] = fd;
}

/* Add the processes below pids[0] (the session's, held as t->fd[0]). */
static int
add_descendants(struct tree *t, pid_t root)
{
	struct ent *v = NULL;
	pid_t *in = NULL;
	size_t n = 0, nin = 1, i, j;
	bool grew = true;
	int r;

	if ((r = list_procs(&v, &n)) < 0)
		return r;
	if ((in = calloc(TREE_MAX, sizeof(*in))) == NULL) {
		free(v);
		return -ENOMEM;
	}
	in[0] = root;
	/* Breadth by rounds: a child joins once its parent is in. */
	while (grew && nin < TREE_MAX) {
		grew = false;
		for (i = 0; i < n && nin < TREE_MAX; i++) {
			for (j = 0; j < nin && v[i].ppid != in[j]; j++)
				;
			if (j == nin || v[i].pid == 0)
				continue;
			in[nin++] = v[i].pid;
			hold(t, &v[i]);
			v[i].pid = 0; /* taken */
			grew = true;
		}
	}
	free(in);
	free(v);
	return 0;
}

static void
send_all(const struct tree *t, int sig)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->fd[i] >= 0)
			(void)pidfd_send_signal(t->fd[i], sig, NULL, 0);
}

/* Wait up to ms until every process of t has ended.  The ended ones are
 * closed.  1 all ended, 0 not, -errno. */
static int
wait_all(struct tree *t, int ms)
{
	struct pollfd p[64];
	int64_t end = mono_ms() + ms, left;
	size_t i, k, idx[64];
	nfds_t np;
	int n;

	for (;;) {
		for (i = 0, np = 0; i < t->n && np < 64; i++) {
			if (t->fd[i] < 0)
				continue;
			idx[np] = i;
			p[np++] =
			    (struct pollfd){ .fd = t->fd[i], .events = POLLIN };
		}
		if (np == 0)
			return 1;
		left = end - mono_ms();
		n = poll(p, np, left > 0 ? (int)left : 0);
		if (n < 0 && errno != EINTR)
			return -errno;
		for (k = 0; n > 0 && k < np; k++) {
			if (p[k].revents == 0)
				continue;
			(void)close(t->fd[idx[k]]);
			t->fd[idx[k]] = -1;
		}
		if (n == 0 && left <= 0)
			return 0;
	}
}

/* Verify and hold pid; 1 held (t->fd[0]), 0 gone or another process. */
static int
hold_root(struct tree *t, pid_t pid, int64_t pid_start)
{
	int64_t start = 0;
	pid_t ppid;
	int fd, r;

	if ((fd = pidfd_open(pid, 0)) < 0)
		return errno == ESRCH ? 0 : -errno;
	/* From here on fd is one process: if it is the one that started
	 * at pid_start, it is the session's; else leave it alone. */
	r = read_stat(pid, &ppid, &start);
	if (r == -ENOENT || (r == 0 && start != pid_start)) {
		(void)close(fd);
		return 0;
	}
	if (r < 0) {
		(void)close(fd);
		return r;
	}
	t->fd[t->n++] = fd;
	return 1;
}

int
jl_sweep_end_process(int64_t pid, int64_t pid_start, int wait_ms)
{
	struct tree t = { NULL, 0 };
	size_t i;
	int r;

	if (pid <= 1 || pid > INT32_MAX || pid_start <= 0 || wait_ms < 0)
		return -EINVAL;
	if ((t.fd = calloc(TREE_MAX, sizeof(*t.fd))) == NULL)
		return -ENOMEM;
	if ((r = hold_root(&t, (pid_t)pid, pid_start)) <= 0)
		goto out;
	/* Ended already (a zombie): gone, and nothing below it to find. */
	if ((r = wait_all(&t, 0)) != 0) {
		r = r > 0 ? 0 : r;
		goto out;
	}
	if ((r = add_descendants(&t, (pid_t)pid)) < 0)
		goto out;
	send_all(&t, SIGHUP);
	if ((r = wait_all(&t, wait_ms)) < 0)
		goto out;
	if (r == 1 || t.fd[0] < 0) {
		/* The session's process ended on SIGHUP; what is left below
		 * it gets SIGTERM. */
		send_all(&t, SIGTERM);
		(void)wait_all(&t, wait_ms);
		r = 1;
		goto out;
	}
	send_all(&t, SIGTERM);
	if ((r = wait_all(&t, wait_ms)) < 0)
		goto out;
	r = t.fd[0] < 0 ? 2 : -ETIMEDOUT;
out:
	for (i = 0; i < t.n; i++)
		if (t.fd[i] >= 0)
			(void)close(t.fd[i]);
	free(t.fd);
	return r;
}

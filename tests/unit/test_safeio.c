/* SPDX-License-Identifier: ISC */
/*
 * The safe open of protected logs (safeio.h), in a private directory
 * under /tmp: a plain log opens (O_NONBLOCK, O_CLOEXEC, read-only); final
 * and intermediate symlinks, magic links, "..", hard links, FIFOs,
 * sockets, devices and directories are refused, as are log directories
 * writable by group or other, writable directories above them, and
 * world-writable files; a held directory fd is not fooled by a directory
 * swapped after it was opened; globs list matching names only.  Runs as
 * any user; the checks that need root (sticky root-owned directories,
 * foreign owners) run only as root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "jitlog/safeio.h"
#include "t.h"

static char top[64];

static char *
pth(const char *rel)
{
	static char b[4][512];
	static int i;

	i = (i + 1) % 4;
	(void)snprintf(b[i], sizeof(b[i]), "%s/%s", top, rel);
	return b[i];
}

static void
put(const char *rel, const char *text, mode_t mode)
{
	int fd = open(pth(rel), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	T_ASSERT(fd >= 0);
	if (fd < 0)
		return;
	T_ASSERT(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	(void)fchmod(fd, mode);
	(void)close(fd);
}

/* jl_safe_open(path): the -errno (or 0, closing the fd). */
static int
try_open(const char *path)
{
	struct jl_error err = { { 0 } };
	struct stat st;
	int fd;

	fd = jl_safe_open(path, &st, &err);
	if (fd >= 0) {
		(void)close(fd);
		return 0;
	}
	T_ASSERT(err.msg[0] != '\0');
	return fd;
}

static void
test_plain(void)
{
	struct jl_error err = { { 0 } };
	struct stat st;
	char buf[64];
	ssize_t n;
	int fd, fl;

	put("logs/app.log", "hello\n", 0640);
	fd = jl_safe_open(pth("logs/app.log"), &st, &err);
	T_ASSERT(fd >= 0);
	if (fd < 0) {
		fprintf(stderr, "  %s\n", err.msg);
		return;
	}
	T_ASSERT(S_ISREG(st.st_mode) && st.st_nlink == 1);
	fl = fcntl(fd, F_GETFL);
	T_ASSERT((fl & O_ACCMODE) == O_RDONLY);
	T_ASSERT((fl & O_NONBLOCK) != 0);
	T_ASSERT((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	n = read(fd, buf, sizeof(buf));
	T_ASSERT_INTEQ(n, 6);
	T_ASSERT(write(fd, "x", 1) < 0);
	(void)close(fd);
	T_ASSERT_INTEQ(try_open(pth("logs/missing.log")), -ENOENT);
}

static void
test_links(void)
{
	char target[600];

	put("logs/real.log", "real\n", 0600);
	put("secret", "secret\n", 0600);
	T_ASSERT(symlink(pth("secret"), pth("logs/link.log")) == 0);
	T_ASSERT_INTEQ(try_open(pth("logs/link.log")), -ELOOP);
	/* Intermediate: a symlinked directory. */
	T_ASSERT(symlink(pth("logs"), pth("logslink")) == 0);
	T_ASSERT_INTEQ(try_open(pth("logslink/real.log")), -ELOOP);
	/* Relative symlink pointing up. */
	T_ASSERT(symlink("../secret", pth("logs/up.log")) == 0);
	T_ASSERT_INTEQ(try_open(pth("logs/up.log")), -ELOOP);
	/* Magic links: /proc/self is a symlink, /proc/PID/root and
	 * /proc/PID/fd/N are magic links. */
	(void)snprintf(target, sizeof(target), "/proc/self/root%s",
	    pth("logs/real.log"));
	T_ASSERT_INTEQ(try_open(target), -ELOOP);
	(void)snprintf(target, sizeof(target), "/proc/%ld/root%s",
	    (long)getpid(), pth("logs/real.log"));
	T_ASSERT_INTEQ(try_open(target), -ELOOP);
	(void)snprintf(target, sizeof(target), "/proc/%ld/cwd/x",
	    (long)getpid());
	T_ASSERT_INTEQ(try_open(target), -ELOOP);
	/* Hard link: two links, refused (also the original now). */
	T_ASSERT(link(pth("secret"), pth("logs/hard.log")) == 0);
	T_ASSERT_INTEQ(try_open(pth("logs/hard.log")), -EMLINK);
	T_ASSERT(unlink(pth("logs/hard.log")) == 0);
}

static void
test_names(void)
{
	struct jl_safe_dir d = { .fd = -1 };
	struct jl_error err = { { 0 } };
	struct stat st;

	T_ASSERT_INTEQ(try_open(pth("logs/../secret")), -EINVAL);
	T_ASSERT_INTEQ(try_open(pth("logs/./real.log")), -EINVAL);
	T_ASSERT_INTEQ(try_open(pth("logs//real.log")), -EINVAL);
	T_ASSERT_INTEQ(try_open("relative/x.log"), -EINVAL);
	T_ASSERT_INTEQ(jl_safe_opendir(pth("logs"), &d, &err), 0);
	T_ASSERT_INTEQ(jl_safe_openat(&d, "..", &st, &err), -EINVAL);
	T_ASSERT_INTEQ(jl_safe_openat(&d, ".", &st, &err), -EINVAL);
	T_ASSERT_INTEQ(jl_safe_openat(&d, "../secret", &st, &err), -EINVAL);
	T_ASSERT_INTEQ(jl_safe_openat(&d, "", &st, &err), -EINVAL);
	T_ASSERT_INTEQ(jl_safe_openat(&d, "/etc/passwd", &st, &err), -EINVAL);
	jl_safe_dir_close(&d);
	jl_safe_dir_close(&d);
	jl_safe_dir_close(NULL);
}

static void
test_types(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s;

	/* A FIFO is refused without blocking (no writer needed). */
	T_ASSERT(mkfifo(pth("logs/fifo.log"), 0600) == 0);
	T_ASSERT_INTEQ(try_open(pth("logs/fifo.log")), -EINVAL);
	T_ASSERT(mkdir(pth("logs/dir.log"), 0700) == 0);
	T_ASSERT_INTEQ(try_open(pth("logs/dir.log")), -EINVAL);
	T_ASSERT_INTEQ(try_open("/dev/null"), -EINVAL);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	(void)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s",
	    pth("logs/sock.log"));
	T_ASSERT(s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	T_ASSERT_INTEQ(try_open(pth("logs/sock.log")), -EINVAL);
	(void)close(s);
}

static void
test_modes(void)
{
	put("logs/ww.log", "ww\n", 0600);
	T_ASSERT(chmod(pth("logs/ww.log"), 0602) == 0);
	T_ASSERT_INTEQ(try_open(pth("logs/ww.log")), -EPERM);
	/* Group-writable file: allowed (a service group may write it). */
	T_ASSERT(chmod(pth("logs/ww.log"), 0660) == 0);
	T_ASSERT_INTEQ(try_open(pth("logs/ww.log")), 0);
	/* Log directory writable by group, by other. */
	T_ASSERT(chmod(pth("logs"), 0770) == 0);
	T_ASSERT_INTEQ(try_open(pth("logs/real.log")), -EPERM);
	T_ASSERT(chmod(pth("logs"), 0757) == 0);
	T_ASSERT_INTEQ(try_open(pth("logs/real.log")), -EPERM);
	T_ASSERT(chmod(pth("logs"), 1777) == 0);
	T_ASSERT_INTEQ(try_open(pth("logs/real.log")), -EPERM);
	T_ASSERT(chmod(pth("logs"), 0700) == 0);
	T_ASSERT_INTEQ(try_open(pth("logs/real.log")), 0);
	/* A writable directory above the log directory. */
	T_ASSERT(mkdir(pth("up"), 0777) == 0 && chmod(pth("up"), 0777) == 0);
	T_ASSERT(mkdir(pth("up/logs"), 0700) == 0);
	put("up/logs/a.log", "a\n", 0600);
	T_ASSERT_INTEQ(try_open(pth("up/logs/a.log")), -EPERM);
	/* Sticky: only when owned by root (as /tmp is). */
	T_ASSERT(chmod(pth("up"), 01777) == 0);
	T_ASSERT_INTEQ(try_open(pth("up/logs/a.log")),
	    geteuid() == 0 ? 0 : -EPERM);
	T_ASSERT(chmod(pth("up"), 0755) == 0);
	T_ASSERT_INTEQ(try_open(pth("up/logs/a.log")), 0);
	if (geteuid() != 0)
		return;
	/* Owners (root only): a file owned by someone else than root or
	 * the directory's owner; a directory above owned by a third user. */
	T_ASSERT(chown(pth("up/logs/a.log"), 4242, 4242) == 0);
	T_ASSERT_INTEQ(try_open(pth("up/logs/a.log")), -EPERM);
	T_ASSERT(chown(pth("up/logs"), 4242, 4242) == 0);
	T_ASSERT_INTEQ(try_open(pth("up/logs/a.log")), 0);
	T_ASSERT(chown(pth("up"), 4343, 4343) == 0);
	T_ASSERT_INTEQ(try_open(pth("up/logs/a.log")), -EPERM);
	T_ASSERT(chown(pth("up"), 4242, 4242) == 0);
	T_ASSERT_INTEQ(try_open(pth("up/logs/a.log")), 0);
}

/* A directory swapped after it was opened: the held fd still names the
 * directory that was checked. */
static void
test_swap(void)
{
	struct jl_safe_dir d = { .fd = -1 };
	struct jl_error err = { { 0 } };
	struct stat st;
	char buf[16] = { 0 };
	int fd;

	T_ASSERT(mkdir(pth("sw"), 0700) == 0);
	put("sw/app.log", "good\n", 0600);
	T_ASSERT_INTEQ(jl_safe_opendir(pth("sw"), &d, &err), 0);
	T_ASSERT(rename(pth("sw"), pth("sw.old")) == 0);
	T_ASSERT(mkdir(pth("evil"), 0700) == 0);
	put("evil/app.log", "evil\n", 0600);
	T_ASSERT(symlink(pth("evil"), pth("sw")) == 0);
	fd = jl_safe_openat(&d, "app.log", &st, &err);
	T_ASSERT(fd >= 0);
	if (fd >= 0) {
		T_ASSERT(read(fd, buf, sizeof(buf) - 1) == 5);
		T_ASSERT_STREQ(buf, "good\n");
		(void)close(fd);
	}
	jl_safe_dir_close(&d);
	/* A fresh open sees the symlink and refuses. */
	T_ASSERT_INTEQ(try_open(pth("sw/app.log")), -ELOOP);
}

static void
test_glob(void)
{
	struct jl_safe_dir d = { .fd = -1 };
	struct jl_error err = { { 0 } };
	char **v = NULL;
	size_t n = 0;

	T_ASSERT(mkdir(pth("g"), 0700) == 0);
	put("g/trace-2.log", "2\n", 0600);
	put("g/trace-1.log", "1\n", 0600);
	put("g/.trace-3.log", "3\n", 0600);
	put("g/other.log", "o\n", 0600);
	put("g/trace-4.log.gz", "4\n", 0600);
	T_ASSERT_INTEQ(jl_safe_opendir(pth("g"), &d, &err), 0);
	T_ASSERT_INTEQ(jl_safe_glob(&d, "trace-*.log", &v, &n, &err), 0);
	T_ASSERT_INTEQ(n, 2);
	if (n == 2) {
		T_ASSERT_STREQ(v[0], "trace-1.log");
		T_ASSERT_STREQ(v[1], "trace-2.log");
		T_ASSERT(v[2] == NULL);
	}
	jl_safe_names_free(v);
	T_ASSERT_INTEQ(jl_safe_glob(&d, "*", &v, &n, &err), 0);
	T_ASSERT_INTEQ(n, 4); /* not .trace-3.log, ".", ".." */
	jl_safe_names_free(v);
	T_ASSERT_INTEQ(jl_safe_glob(&d, "none-*", &v, &n, &err), 0);
	T_ASSERT_INTEQ(n, 0);
	T_ASSERT(v != NULL && v[0] == NULL);
	jl_safe_names_free(v);
	jl_safe_dir_close(&d);
	T_ASSERT(jl_safe_path_is_glob("/a/b/trace-*.log"));
	T_ASSERT(jl_safe_path_is_glob("/a/b/x?.log"));
	T_ASSERT(!jl_safe_path_is_glob("/a/b*/x.log"));
}

static void
test_split(void)
{
	const char *base = NULL;
	char *dir = NULL;

	T_ASSERT_INTEQ(jl_safe_path_split("/var/log/x.log", &dir, &base), 0);
	T_ASSERT_STREQ(dir, "/var/log");
	T_ASSERT_STREQ(base, "x.log");
	free(dir);
	T_ASSERT_INTEQ(jl_safe_path_split("/x.log", &dir, &base), 0);
	T_ASSERT_STREQ(dir, "/");
	T_ASSERT_STREQ(base, "x.log");
	free(dir);
	T_ASSERT_INTEQ(jl_safe_path_split("/var/log/", &dir, &base), -EINVAL);
	T_ASSERT_INTEQ(jl_safe_path_split("x.log", &dir, &base), -EINVAL);
}

int
main(void)
{
	char cmd[128];
	int rc;

	(void)umask(022);
	(void)snprintf(top, sizeof(top), "/tmp/test_safeio.XXXXXX");
	if (mkdtemp(top) == NULL || mkdir(pth("logs"), 0700) != 0) {
		perror("mkdtemp");
		return 1;
	}
	T_RUN(test_plain);
	T_RUN(test_links);
	T_RUN(test_names);
	T_RUN(test_types);
	T_RUN(test_modes);
	T_RUN(test_swap);
	T_RUN(test_glob);
	T_RUN(test_split);
	rc = T_DONE();
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", top);
	return rc;
}

/* SPDX-License-Identifier: ISC */
/*
 * Safe opening of protected logs (safeio.h): a directory walk from "/"
 * with openat2(2), one component at a time, every directory checked on
 * the fd that was opened; the file opened beneath the last directory fd
 * and checked on its own fd.  Holding a directory fd pins the inode, so
 * what was checked is what the next step resolves against: renaming or
 * swapping a checked directory later changes nothing for this open.
 *
 * The walk does not use RESOLVE_NO_XDEV: /var/log on its own file system
 * is normal.  The last step (file beneath its directory) does: a log is
 * never a mount point.
 *
 * MUST (SECURITY.md "Opening a protected log"; tests/unit/test_safeio.c,
 * tests/integration/view_files.sh):
 *  - never resolve a symbolic link, final or intermediate, or a magic
 *    link (/proc/self/fd/..., /proc/PID/root), nor ".", ".." or "//";
 *  - refuse a log directory writable by group or other, and a directory
 *    above it that is writable by group or other unless root-owned and
 *    sticky, or owned by anyone but root or the log directory's owner;
 *  - look at a file's type on an O_PATH descriptor before opening it for
 *    reading (a FIFO or device is never opened), open with O_NONBLOCK |
 *    O_NOCTTY | O_CLOEXEC, then check on that fd: the same inode, a
 *    regular file, one link, owned by root or the directory's owner, not
 *    writable by other;
 *  - never stat(path) then open(path); read with read(2), never mmap(2)
 *    (the callers).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jitlog/safeio.h"

#define RESOLVE_WALK                                                           \
	(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
#define RESOLVE_FILE (RESOLVE_WALK | RESOLVE_NO_XDEV)

/* openat2 with a retry on EAGAIN (a concurrent rename) and EINTR. */
static int
open2(int dirfd, const char *name, uint64_t flags, uint64_t resolve)
{
	struct open_how how;
	long r;
	int tries;

	memset(&how, 0, sizeof(how));
	how.flags = flags;
	how.resolve = resolve;
	for (tries = 0; tries < 8; tries++) {
		r = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
		if (r >= 0)
			return (int)r;
		if (errno != EAGAIN && errno != EINTR)
			break;
	}
	return -errno;
}

/* One path component: non-empty, no '/', not "." or "..". */
static bool
valid_component(const char *s, size_t n)
{
	if (n == 0 || n > NAME_MAX || memchr(s, '/', n) != NULL ||
	    memchr(s, '\0', n) != NULL)
		return false;
	return !(n == 1 && s[0] == '.') &&
	    !(n == 2 && s[0] == '.' && s[1] == '.');
}

/* Message for an openat2 failure of what (len bytes of path). */
static int
open_error(int r, const char *what, size_t len, struct jl_error *err)
{
	const char *why;

	switch (-r) {
	case ENOENT:
		why = "does not exist";
		break;
	case ELOOP:
		why = "is or passes through a symbolic or magic link";
		break;
	case EXDEV:
		why = "is a mount point or leaves its directory";
		break;
	case ENOTDIR:
		why = "is not a directory";
		break;
	default:
		why = strerror(-r);
		break;
	}
	return jl_error_set(err, r, "%.*s: %s", (int)len, what, why);
}

/*
 * A directory above the log directory.  *other tracks the one non-root
 * owner allowed on the way ((uid_t)-1 until one is seen); it must be the
 * log directory's owner in the end.
 */
static int
check_upper(const struct stat *st, const char *path, size_t len, uid_t *other,
    struct jl_error *err)
{
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    !(st->st_uid == 0 && (st->st_mode & S_ISVTX) != 0))
		return jl_error_set(err, EPERM,
		    "%.*s: directory is "
		    "writable by group or other and not root-owned and sticky",
		    (int)len, path);
	if (st->st_uid != 0) {
		if (*other != (uid_t)-1 && *other != st->st_uid)
			return jl_error_set(err, EPERM,
			    "%.*s: directory owned by another user than the directories above it",
			    (int)len, path);
		*other = st->st_uid;
	}
	return 0;
}

static int
check_logdir(const struct stat *st, const char *path, uid_t other,
    struct jl_error *err)
{
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return jl_error_set(err, EPERM,
		    "%s: log directory is writable by group or other", path);
	if (other != (uid_t)-1 && other != st->st_uid)
		return jl_error_set(err, EPERM,
		    "%s: a directory above it "
		    "is owned by another user than root or its owner",
		    path);
	return 0;
}

/* Contract: see safeio.h. */
int
jl_safe_opendir(const char *path, struct jl_safe_dir *ret, struct jl_error *err)
{
	const char *p, *end;
	char comp[NAME_MAX + 1];
	struct stat st;
	uid_t other = (uid_t)-1;
	size_t n, cur;
	int fd, nfd, r;

	if (path == NULL || path[0] != '/' || strlen(path) >= PATH_MAX)
		return jl_error_set(err, EINVAL, "%s: not an absolute path",
		    path ? path : "(null)");
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return jl_error_set(err, errno, "/: %s", strerror(errno));
	for (p = path + 1;; p = end + 1) {
		if (fstat(fd, &st) != 0) {
			r = jl_error_set(err, errno, "fstat: %s",
			    strerror(errno));
			goto out;
		}
		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		if (n == 0 && p == path + 1 && *end == '\0')
			break; /* "/" itself */
		if (!valid_component(p, n)) {
			r = jl_error_set(err, EINVAL,
			    "%s: not a normalised path", path);
			goto out;
		}
		/* The directory we are in (path up to the '/' before p, or
		 * "/" itself) is above the log directory. */
		cur = p - 1 == path ? 1 : (size_t)(p - 1 - path);
		if ((r = check_upper(&st, path, cur, &other, err)) < 0)
			goto out;
		memcpy(comp, p, n);
		comp[n] = '\0';
		nfd = open2(fd, comp, O_PATH | O_DIRECTORY | O_CLOEXEC,
		    RESOLVE_WALK);
		if (nfd < 0) {
			r = open_error(nfd, path, (size_t)(end - path), err);
			goto out;
		}
		(void)close(fd);
		fd = nfd;
		if (*end == '\0')
			break;
	}
	if (fstat(fd, &st) != 0) {
		r = jl_error_set(err, errno, "fstat: %s", strerror(errno));
		goto out;
	}
	r = check_logdir(&st, path, other, err);
	if (r < 0)
		goto out;
	ret->fd = fd;
	ret->st = st;
	fd = -1;
	r = 0;
out:
	if (fd >= 0)
		(void)close(fd);
	return r;
}

void
jl_safe_dir_close(struct jl_safe_dir *d)
{
	if (d == NULL || d->fd < 0)
		return;
	(void)close(d->fd);
	d->fd = -1;
}

static const char *
type_name(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "not a regular file";
}

/* The checks on the file's own fd (see the MUST list). */
static int
check_file(const struct jl_safe_dir *d, const char *name, const struct stat *st,
    struct jl_error *err)
{
	if (!S_ISREG(st->st_mode))
		return jl_error_set(err, EINVAL, "%s: %s, not a regular file",
		    name, type_name(st->st_mode));
	if (st->st_nlink != 1)
		return jl_error_set(err, EMLINK, "%s: has %lu hard links", name,
		    (unsigned long)st->st_nlink);
	if (st->st_uid != 0 && st->st_uid != d->st.st_uid)
		return jl_error_set(err, EPERM,
		    "%s: owned by uid %lu, neither root nor the directory's owner",
		    name, (unsigned long)st->st_uid);
	if ((st->st_mode & S_IWOTH) != 0)
		return jl_error_set(err, EPERM, "%s: writable by other", name);
	return 0;
}

/* Contract: see safeio.h. */
int
jl_safe_openat(const struct jl_safe_dir *d, const char *name,
    struct stat *ret_st, struct jl_error *err)
{
	struct stat pst, st;
	int pfd = -1, fd = -1, r;

	if (name == NULL || !valid_component(name, strlen(name)))
		return jl_error_set(err, EINVAL, "%s: not a file name",
		    name ? name : "(null)");
	pfd = open2(d->fd, name, O_PATH | O_CLOEXEC, RESOLVE_FILE);
	if (pfd < 0)
		return open_error(pfd, name, strlen(name), err);
	if (fstat(pfd, &pst) != 0) {
		r = jl_error_set(err, errno, "%s: %s", name, strerror(errno));
		goto out;
	}
	if (!S_ISREG(pst.st_mode)) {
		r = jl_error_set(err, EINVAL, "%s: %s, not a regular file",
		    name, type_name(pst.st_mode));
		goto out;
	}
	fd = open2(d->fd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
	    RESOLVE_FILE);
	if (fd < 0) {
		r = open_error(fd, name, strlen(name), err);
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		r = jl_error_set(err, errno, "%s: %s", name, strerror(errno));
		goto out;
	}
	if (st.st_dev != pst.st_dev || st.st_ino != pst.st_ino) {
		r = jl_error_set(err, EBUSY, "%s: replaced while being opened",
		    name);
		goto out;
	}
	if ((r = check_file(d, name, &st, err)) < 0)
		goto out;
	*ret_st = st;
	r = fd;
	fd = -1;
out:
	if (fd >= 0)
		(void)close(fd);
	if (pfd >= 0)
		(void)close(pfd);
	return r;
}

int
jl_safe_path_split(const char *path, char **ret_dir, const char **ret_base)
{
	const char *last;
	char *dir;

	if (path == NULL || path[0] != '/')
		return -EINVAL;
	last = strrchr(path, '/');
	if (last[1] == '\0')
		return -EINVAL;
	dir = last == path ? strdup("/") : strndup(path, (size_t)(last - path));
	if (dir == NULL)
		return -ENOMEM;
	*ret_dir = dir;
	*ret_base = last + 1;
	return 0;
}

/* Contract: see safeio.h. */
int
jl_safe_open(const char *path, struct stat *ret_st, struct jl_error *err)
{
	struct jl_safe_dir d = { .fd = -1 };
	const char *base;
	char *dir = NULL;
	int r;

	r = jl_safe_path_split(path, &dir, &base);
	if (r < 0)
		return jl_error_set(err, r, "%s: not an absolute file path",
		    path ? path : "(null)");
	r = jl_safe_opendir(dir, &d, err);
	if (r == 0)
		r = jl_safe_openat(&d, base, ret_st, err);
	jl_safe_dir_close(&d);
	free(dir);
	return r;
}

bool
jl_safe_path_is_glob(const char *path)
{
	const char *last = strrchr(path, '/');

	last = last ? last + 1 : path;
	return strpbrk(last, "*?") != NULL;
}

void
jl_safe_names_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append a copy of s to the NULL-terminated vector *v of *n names. */
static int
names_add(char ***v, size_t *n, size_t *cap, const char *s)
{
	char **nv;

	if (*n + 1 >= *cap) {
		*cap = *cap ? *cap * 2 : 16;
		nv = reallocarray(*v, *cap, sizeof(*nv));
		if (nv == NULL)
			return -ENOMEM;
		*v = nv;
	}
	if (((*v)[*n] = strdup(s)) == NULL)
		return -ENOMEM;
	(*v)[++*n] = NULL;
	return 0;
}

/* Contract: see safeio.h. */
int
jl_safe_glob(const struct jl_safe_dir *d, const char *pattern, char ***ret_v,
    size_t *ret_n, struct jl_error *err)
{
	struct dirent *de;
	DIR *dp = NULL;
	char **v = NULL;
	size_t n = 0, cap = 0;
	int fd, r = 0;

	fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return jl_error_set(err, errno, "cannot list the directory: %s",
		    strerror(errno));
	if ((dp = fdopendir(fd)) == NULL) {
		r = jl_error_set(err, errno, "cannot list the directory: %s",
		    strerror(errno));
		(void)close(fd);
		goto out;
	}
	cap = 16;
	if ((v = calloc(cap, sizeof(*v))) == NULL)
		goto nomem;
	for (errno = 0; (de = readdir(dp)) != NULL; errno = 0) {
		if (!valid_component(de->d_name, strlen(de->d_name)) ||
		    fnmatch(pattern, de->d_name, FNM_PATHNAME | FNM_PERIOD) !=
		        0)
			continue;
		if (n >= JL_SAFE_GLOB_MAX) {
			r = jl_error_set(err, E2BIG,
			    "%s: more than %d files match", pattern,
			    JL_SAFE_GLOB_MAX);
			goto out;
		}
		if ((r = names_add(&v, &n, &cap, de->d_name)) < 0)
			goto nomem;
	}
	if (errno != 0) {
		r = jl_error_set(err, errno, "cannot list the directory: %s",
		    strerror(errno));
		goto out;
	}
	qsort(v, n, sizeof(*v), cmp_names);
	*ret_v = v;
	*ret_n = n;
	v = NULL;
	goto out;
nomem:
	r = jl_error_set(err, ENOMEM, "out of memory");
out:
	if (dp != NULL)
		(void)closedir(dp);
	jl_safe_names_free(v);
	return r;
}

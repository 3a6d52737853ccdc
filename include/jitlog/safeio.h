/* SPDX-License-Identifier: ISC */
/*
 * Safe opening of protected logs for the setuid viewer.  A log path comes
 * from the root-owned config only; it is opened without ever resolving
 * the path as a whole: the directory is walked from "/" one component at
 * a time with openat2(2), each directory checked with fstat(2) on the fd
 * that was opened, and the file opened beneath the last directory fd with
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
 * RESOLVE_NO_XDEV, then checked with fstat(2) on its fd.  Never
 * stat(path) then open(path).
 *
 * What is accepted (jitlogview(1), SECURITY CONSIDERATIONS):
 *  - the log directory: not writable by group or other, any owner;
 *  - every directory above it: owned by root or by the log directory's
 *    owner, and not writable by group or other unless it is owned by root
 *    and sticky (as /tmp and /var/tmp are);
 *  - the file: a regular file with one link, owned by root or by the log
 *    directory's owner, not writable by other.
 * Symbolic links anywhere, magic links, ".", ".." and empty components
 * are refused, as are FIFOs, devices, sockets and directories.
 */
#ifndef JITLOG_SAFEIO_H
#define JITLOG_SAFEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "jitlog/common.h"

/* Most names a glob may match (more: -E2BIG). */
#define JL_SAFE_GLOB_MAX 4096

/* A directory opened by jl_safe_opendir. */
struct jl_safe_dir {
	int fd; /* O_PATH | O_DIRECTORY | O_CLOEXEC */
	struct stat st;
};

/*
 * Walk the absolute, normalised directory path from "/" and check every
 * directory on the way (see above).  0 with *ret filled, or -errno with
 * err set: -ENOENT missing, -ELOOP a symbolic or magic link, -ENOTDIR,
 * -EPERM unsafe owner or mode, -EINVAL a path that is not absolute and
 * normalised.
 */
int jl_safe_opendir(const char *path, struct jl_safe_dir *ret,
    struct jl_error *err);
void jl_safe_dir_close(struct jl_safe_dir *d); /* NULL-safe, idempotent */

/*
 * Open name (one path component) beneath d for reading, with O_NONBLOCK,
 * O_NOCTTY and O_CLOEXEC, and check it.  The type is checked on an O_PATH
 * descriptor first, so a FIFO or device is never opened for reading.
 * Returns the fd (>= 0) and sets *ret_st, or -errno with err set:
 * -ENOENT, -ELOOP (symlink), -EXDEV (mount point or magic link), -EINVAL
 * (not a regular file, or a bad name), -EMLINK (more than one link),
 * -EPERM (unsafe owner or mode).
 */
int jl_safe_openat(const struct jl_safe_dir *d, const char *name,
    struct stat *ret_st, struct jl_error *err);

/* jl_safe_opendir on the directory part of path, then jl_safe_openat on
 * its last component. */
int jl_safe_open(const char *path, struct stat *ret_st, struct jl_error *err);

/*
 * Names in d matching the glob pattern (fnmatch(3) with FNM_PATHNAME |
 * FNM_PERIOD; "." and ".." never match), sorted bytewise.  The names are
 * not checked: open each with jl_safe_openat.  0 with *ret_v (NULL
 * terminated, free with jl_safe_names_free) and *ret_n set, or -errno.
 */
int jl_safe_glob(const struct jl_safe_dir *d, const char *pattern,
    char ***ret_v, size_t *ret_n, struct jl_error *err);
void jl_safe_names_free(char **v);

/* True if the last component of path holds '*' or '?'. */
bool jl_safe_path_is_glob(const char *path);

/*
 * Split an absolute path into a malloc'd directory ("/" for "/x") and a
 * pointer to its last component within path.  0, -EINVAL or -ENOMEM.
 */
int jl_safe_path_split(const char *path, char **ret_dir, const char **ret_base);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * A private temporary directory for the unit tests that work on store
 * files (test_store.c, test_audit.c): td_setup(name) makes a fresh
 * directory /tmp/jl-test-NAME-<random> with mkdtemp(3), its path in
 * td_dir (or exits), td_path names a file
 * in it, td_copy makes a fresh copy of a file (a pristine store to
 * damage), td_teardown removes the directory and all in it.
 * Header-only: define _GNU_SOURCE first (nftw), include it once after
 * t.h, and call td_setup first and td_teardown last.
 */
#ifndef JL_TMPDIR_H
#define JL_TMPDIR_H

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char td_dir[64];

static __attribute__((unused)) int
td_rm(const char *p, const struct stat *sb, int type, struct FTW *f)
{
	(void)sb;
	(void)type;
	(void)f;
	return remove(p);
}

static __attribute__((unused)) void
td_setup(const char *name)
{
	snprintf(td_dir, sizeof(td_dir), "/tmp/jl-test-%s-XXXXXX", name);
	if (mkdtemp(td_dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
}

static __attribute__((unused)) void
td_teardown(void)
{
	nftw(td_dir, td_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* td_dir/name, in a buffer the next call overwrites. */
static __attribute__((unused)) const char *
td_path(const char *name)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s/%s", td_dir, name);
	return buf;
}

/* to (replaced if it exists, mode 0600) becomes a copy of from. */
static __attribute__((unused)) void
td_copy(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY), out;

	unlink(to);
	out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0600);
	T_ASSERT(in >= 0 && out >= 0);
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		T_ASSERT(write(out, buf, (size_t)n) == n);
	close(in);
	close(out);
}

#endif

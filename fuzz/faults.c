/* SPDX-License-Identifier: ISC */
/*
 * The __wrap_* side of -Wl,--wrap (faults.h).  Each wrapper asks
 * should_fail() for its class; when told to fail it returns what the real
 * call returns on that failure and does nothing else, so the code under
 * test sees an honest error: nothing half done, nothing reported as done.
 * Disarmed, every wrapper is the real call.
 *
 * The wrappers are exported (default visibility, the executable is linked
 * with --export-dynamic) because the PAM module under test is a shared
 * object linked with the same --wrap list: its __wrap_* references bind
 * to these, so one plan covers the executable and the module.
 */
#define _GNU_SOURCE /* O_TMPFILE */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "faults.h"

#define W __attribute__((visibility("default")))

enum plan_kind {
	PLAN_ONCE = 0,
	PLAN_EVERY,
	PLAN_FROM,
};

static struct {
	bool armed;
	unsigned mask;
	enum plan_kind kind;
	unsigned long k, n;
	unsigned long calls, injected;
	char desc[96];
} F;

void
fz_faults_arm(struct fz_in *in)
{
	unsigned a = fz_u8(in), b = fz_u8(in), c = fz_u16(in);

	memset(&F, 0, sizeof(F));
	F.mask = a & FZ_F_ALL;
	F.kind = (enum plan_kind)(b % 3);
	F.n = 1 + (b / 3) % 64;
	F.k = c % 4096;
	if (F.kind == PLAN_EVERY)
		F.k %= F.n;
	(void)snprintf(F.desc, sizeof(F.desc), "classes %#x, %s k=%lu n=%lu",
	    F.mask,
	    F.kind == PLAN_ONCE      ? "once" :
	        F.kind == PLAN_EVERY ? "every" :
	                               "from",
	    F.k, F.n);
	F.armed = F.mask != 0;
}

void
fz_faults_disarm(void)
{
	F.armed = false;
}

unsigned long
fz_faults_calls(void)
{
	return F.calls;
}

unsigned long
fz_faults_injected(void)
{
	return F.injected;
}

const char *
fz_faults_plan(void)
{
	return F.desc;
}

static bool
should_fail(unsigned cls)
{
	unsigned long i;
	bool fail;

	if (!F.armed || !(F.mask & cls))
		return false;
	i = F.calls++;
	if (F.kind == PLAN_ONCE)
		fail = i == F.k;
	else if (F.kind == PLAN_EVERY)
		fail = i % F.n == F.k;
	else
		fail = i >= F.k;
	if (fail)
		F.injected++;
	return fail;
}

/* An errno / SQLite code / NSS error number for the n-th fault. */
static int
pick(const int *v, size_t n)
{
	return v[F.injected % n];
}

static const int io_errs[] = { EIO, EMFILE, EACCES, ENOMEM, EINTR };
static const int nss_errs[] = { EIO, ENOMEM, EAGAIN, ERANGE };
static const int sql_errs[] = { SQLITE_BUSY, SQLITE_IOERR, SQLITE_CORRUPT,
	SQLITE_NOMEM, SQLITE_FULL, SQLITE_LOCKED };
#define PICK(v) pick(v, sizeof(v) / sizeof(v[0]))

/* Prototypes of both sides (-Wmissing-prototypes). */
void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
void *__real_reallocarray(void *, size_t, size_t);
char *__real_strdup(const char *);
char *__real_strndup(const char *, size_t);
int __real_open(const char *, int, ...);
int __real_openat(int, const char *, int, ...);
int __real_fstat(int, struct stat *);
ssize_t __real_read(int, void *, size_t);
int __real_getpwnam_r(const char *, struct passwd *, char *, size_t,
    struct passwd **);
int __real_getpwuid_r(uid_t, struct passwd *, char *, size_t, struct passwd **);
int __real_getgrnam_r(const char *, struct group *, char *, size_t,
    struct group **);
int __real_getgrouplist(const char *, gid_t, gid_t *, int *);
int __real_sqlite3_open_v2(const char *, sqlite3 **, int, const char *);
int __real_sqlite3_prepare_v2(sqlite3 *, const char *, int, sqlite3_stmt **,
    const char **);
int __real_sqlite3_step(sqlite3_stmt *);
int __real_sqlite3_exec(sqlite3 *, const char *,
    int (*)(void *, int, char **, char **), void *, char **);
int __real_sqlite3_bind_text(sqlite3_stmt *, int, const char *, int,
    void (*)(void *));
int __real_sqlite3_bind_int64(sqlite3_stmt *, int, sqlite3_int64);
const unsigned char *__real_sqlite3_column_text(sqlite3_stmt *, int);
int __real_crypto_generichash_init(crypto_generichash_state *,
    const unsigned char *, const size_t, const size_t);
int __real_crypto_generichash_final(crypto_generichash_state *, unsigned char *,
    const size_t);

W void *__wrap_malloc(size_t);
W void *__wrap_calloc(size_t, size_t);
W void *__wrap_realloc(void *, size_t);
W void *__wrap_reallocarray(void *, size_t, size_t);
W char *__wrap_strdup(const char *);
W char *__wrap_strndup(const char *, size_t);
W int __wrap_open(const char *, int, ...);
W int __wrap_openat(int, const char *, int, ...);
W int __wrap_fstat(int, struct stat *);
W ssize_t __wrap_read(int, void *, size_t);
W int __wrap_getpwnam_r(const char *, struct passwd *, char *, size_t,
    struct passwd **);
W int __wrap_getpwuid_r(uid_t, struct passwd *, char *, size_t,
    struct passwd **);
W int __wrap_getgrnam_r(const char *, struct group *, char *, size_t,
    struct group **);
W int __wrap_getgrouplist(const char *, gid_t, gid_t *, int *);
W int __wrap_sqlite3_open_v2(const char *, sqlite3 **, int, const char *);
W int __wrap_sqlite3_prepare_v2(sqlite3 *, const char *, int, sqlite3_stmt **,
    const char **);
W int __wrap_sqlite3_step(sqlite3_stmt *);
W int __wrap_sqlite3_exec(sqlite3 *, const char *,
    int (*)(void *, int, char **, char **), void *, char **);
W int __wrap_sqlite3_bind_text(sqlite3_stmt *, int, const char *, int,
    void (*)(void *));
W int __wrap_sqlite3_bind_int64(sqlite3_stmt *, int, sqlite3_int64);
W const unsigned char *__wrap_sqlite3_column_text(sqlite3_stmt *, int);
W int __wrap_crypto_generichash_init(crypto_generichash_state *,
    const unsigned char *, const size_t, const size_t);
W int __wrap_crypto_generichash_final(crypto_generichash_state *,
    unsigned char *, const size_t);

/* Memory: NULL with ENOMEM; realloc leaves the old block alone. */
W void *
__wrap_malloc(size_t n)
{
	if (should_fail(FZ_F_MEM)) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_malloc(n);
}

W void *
__wrap_calloc(size_t n, size_t m)
{
	if (should_fail(FZ_F_MEM)) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_calloc(n, m);
}

W void *
__wrap_realloc(void *p, size_t n)
{
	if (should_fail(FZ_F_MEM)) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_realloc(p, n);
}

W void *
__wrap_reallocarray(void *p, size_t n, size_t m)
{
	if (should_fail(FZ_F_MEM)) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_reallocarray(p, n, m);
}

W char *
__wrap_strdup(const char *s)
{
	if (should_fail(FZ_F_MEM)) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_strdup(s);
}

W char *
__wrap_strndup(const char *s, size_t n)
{
	if (should_fail(FZ_F_MEM)) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_strndup(s, n);
}

/* Files: -1 with an errno a real open/read/fstat can give. */
W int
__wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, unsigned);
		va_end(ap);
	}
	if (should_fail(FZ_F_IO)) {
		errno = PICK(io_errs);
		return -1;
	}
	return __real_open(path, flags, mode);
}

W int
__wrap_openat(int dfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, unsigned);
		va_end(ap);
	}
	if (should_fail(FZ_F_IO)) {
		errno = PICK(io_errs);
		return -1;
	}
	return __real_openat(dfd, path, flags, mode);
}

W int
__wrap_fstat(int fd, struct stat *sb)
{
	if (should_fail(FZ_F_IO)) {
		errno = EIO;
		return -1;
	}
	return __real_fstat(fd, sb);
}

W ssize_t
__wrap_read(int fd, void *buf, size_t n)
{
	if (should_fail(FZ_F_IO)) {
		errno = PICK(io_errs);
		return -1;
	}
	return __real_read(fd, buf, n);
}

/* NSS: the error number, *result NULL (as glibc on a backend error). */
W int
__wrap_getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len,
    struct passwd **res)
{
	if (should_fail(FZ_F_NSS)) {
		*res = NULL;
		return PICK(nss_errs);
	}
	return __real_getpwnam_r(name, pw, buf, len, res);
}

W int
__wrap_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len,
    struct passwd **res)
{
	if (should_fail(FZ_F_NSS)) {
		*res = NULL;
		return PICK(nss_errs);
	}
	return __real_getpwuid_r(uid, pw, buf, len, res);
}

W int
__wrap_getgrnam_r(const char *name, struct group *gr, char *buf, size_t len,
    struct group **res)
{
	if (should_fail(FZ_F_NSS)) {
		*res = NULL;
		return PICK(nss_errs);
	}
	return __real_getgrnam_r(name, gr, buf, len, res);
}

/* getgrouplist cannot report an error: its one failure is "the list
 * did not fit" (-1), which is what it says here. */
W int
__wrap_getgrouplist(const char *user, gid_t gid, gid_t *groups, int *n)
{
	if (should_fail(FZ_F_NSS))
		return -1;
	return __real_getgrouplist(user, gid, groups, n);
}

/* SQLite: the error code, nothing done.  A failed open gives no handle
 * (what SQLite does when it cannot allocate one). */
W int
__wrap_sqlite3_open_v2(const char *path, sqlite3 **db, int flags,
    const char *vfs)
{
	if (should_fail(FZ_F_SQL)) {
		*db = NULL;
		return SQLITE_NOMEM;
	}
	return __real_sqlite3_open_v2(path, db, flags, vfs);
}

W int
__wrap_sqlite3_prepare_v2(sqlite3 *db, const char *sql, int n, sqlite3_stmt **s,
    const char **tail)
{
	if (should_fail(FZ_F_SQL)) {
		*s = NULL;
		return PICK(sql_errs);
	}
	return __real_sqlite3_prepare_v2(db, sql, n, s, tail);
}

W int
__wrap_sqlite3_step(sqlite3_stmt *s)
{
	if (should_fail(FZ_F_SQL))
		return PICK(sql_errs);
	return __real_sqlite3_step(s);
}

W int
__wrap_sqlite3_exec(sqlite3 *db, const char *sql,
    int (*cb)(void *, int, char **, char **), void *ctx, char **errmsg)
{
	if (should_fail(FZ_F_SQL)) {
		if (errmsg != NULL)
			*errmsg = NULL;
		return PICK(sql_errs);
	}
	return __real_sqlite3_exec(db, sql, cb, ctx, errmsg);
}

W int
__wrap_sqlite3_bind_text(sqlite3_stmt *s, int i, const char *v, int n,
    void (*d)(void *))
{
	if (should_fail(FZ_F_SQL)) {
		/* SQLite calls the destructor even when binding fails */
		if (d != SQLITE_STATIC && d != SQLITE_TRANSIENT && v != NULL)
			d((void *)(uintptr_t)v);
		return SQLITE_NOMEM;
	}
	return __real_sqlite3_bind_text(s, i, v, n, d);
}

W int
__wrap_sqlite3_bind_int64(sqlite3_stmt *s, int i, sqlite3_int64 v)
{
	if (should_fail(FZ_F_SQL))
		return SQLITE_NOMEM;
	return __real_sqlite3_bind_int64(s, i, v);
}

W const unsigned char *
__wrap_sqlite3_column_text(sqlite3_stmt *s, int i)
{
	if (should_fail(FZ_F_SQLCOL))
		return NULL;
	return __real_sqlite3_column_text(s, i);
}

/* libsodium: -1. */
W int
__wrap_crypto_generichash_init(crypto_generichash_state *st,
    const unsigned char *key, const size_t keylen, const size_t outlen)
{
	if (should_fail(FZ_F_HASH))
		return -1;
	return __real_crypto_generichash_init(st, key, keylen, outlen);
}

W int
__wrap_crypto_generichash_final(crypto_generichash_state *st,
    unsigned char *out, const size_t outlen)
{
	if (should_fail(FZ_F_HASH))
		return -1;
	return __real_crypto_generichash_final(st, out, outlen);
}

/* SPDX-License-Identifier: ISC */
/*
 * The store: opening, creating and migrating the SQLite database that
 * holds grants, approvals, sessions, views and the audit chain, plus
 * transactions.  SQLite errors become -errno in store_sql.c; the grant,
 * audit and session operations live in store_grant.c, store_audit.c and
 * store_session.c; the schema in store_schema.c.
 *
 * MUST (SECURITY.md "The store"):
 *  - before SQLite touches anything, check the directory (opened with
 *    O_DIRECTORY|O_NOFOLLOW, then fstat: owner, group, not writable by
 *    others) and the file and its -journal/-wal/-shm companions (opened
 *    with O_NOFOLLOW relative to that directory fd, then fstat: regular,
 *    one link, owner and group, no access for others).  Whoever can write
 *    the directory can plant a hot journal, so a trusted directory is what
 *    makes the later open by path safe;
 *  - open with SQLITE_OPEN_NOFOLLOW, DEFENSIVE on, trusted schema off,
 *    extension loading off, double-quoted strings off, temp_store=MEMORY,
 *    no mmap (a truncated file would raise SIGBUS);
 *  - WAL with synchronous=FULL; -wal and -shm kept (emptied) when the
 *    last connection closes; a bounded busy wait that retries every
 *    millisecond, for the writers' gate and SQLite's lock together;
 *  - refuse a schema that is not the current one (-EPROTO);
 *  - map every failure to -errno: a corrupt file is -EIO, never a crash.
 */
#define _GNU_SOURCE /* F_OFD_SETLK */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "jitlog/store.h"
#include "store_impl.h"

#define DEFAULT_BUSY_MS 2000

/* Companion files SQLite may open next to the store; each one is checked
 * like the store itself when it exists. */
static const char *const companions[] = { "-journal", "-wal", "-shm" };

/* Contract: default options: owner 0, any group, busy 2000 ms, rw. */
void
jl_store_opts_default(struct jl_store_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->owner = 0;
	o->group = (gid_t)-1;
	o->busy_ms = DEFAULT_BUSY_MS;
	o->readonly = false;
}

/* "dir/base" -> malloc'd "dir" (or ".") and a pointer to base. */
static int
split_path(const char *path, char **ret_dir, const char **ret_base,
    struct jl_error *err)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (slash == NULL) {
		dir = strdup(".");
		slash = path - 1;
	} else if (slash == path) {
		dir = strdup("/");
	} else {
		dir = strndup(path, (size_t)(slash - path));
	}
	if (dir == NULL)
		return -ENOMEM;
	if (slash[1] == '\0' || strcmp(slash + 1, ".") == 0 ||
	    strcmp(slash + 1, "..") == 0) {
		free(dir);
		return jl_error_set(err, EINVAL, "%s: not a file name", path);
	}
	*ret_dir = dir;
	*ret_base = slash + 1;
	return 0;
}

static int
check_dir(int dfd, const char *dir, const struct jl_store_opts *o,
    struct jl_error *err)
{
	struct stat sb;

	if (fstat(dfd, &sb) < 0)
		return jl_error_set(err, errno, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return jl_error_set(err, EPERM, "%s: not a directory", dir);
	if (o->owner == (uid_t)-1)
		return 0;
	if (sb.st_uid != o->owner)
		return jl_error_set(err, EPERM,
		    "%s: owned by uid %u, expected %u (unsafe store directory)",
		    dir, (unsigned)sb.st_uid, (unsigned)o->owner);
	if (o->group != (gid_t)-1 && sb.st_gid != o->group)
		return jl_error_set(err, EPERM,
		    "%s: group %u, expected %u (unsafe store directory)", dir,
		    (unsigned)sb.st_gid, (unsigned)o->group);
	if (sb.st_mode & S_IWOTH)
		return jl_error_set(err, EPERM,
		    "%s: writable by others (unsafe store directory)", dir);
	return 0;
}

/*
 * One file in the store directory.  The owner of a companion file is not
 * checked: SQLite creates -wal and -shm with the euid of whichever
 * process opened the store first, which for setgid jitadm is the calling
 * user (SQLite copies the store's mode and, in a setgid directory, the
 * group).  Requiring root there would let any user lock everyone out by
 * killing their own jitadm.  What the check keeps: regular file, one
 * link, the store's group, no access for others -- and only jitlog-group
 * processes can create files in the checked directory at all.
 */
static int
check_file(int dfd, const char *name, const struct jl_store_opts *o,
    bool companion, bool must_exist, struct jl_error *err)
{
	struct stat sb;
	int fd, r = 0;

	fd = openat(dfd, name,
	    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			return jl_error_set(err, EPERM, "%s: is a symlink",
			    name);
		if (errno == ENOENT && must_exist)
			return jl_error_set(err, ENOENT,
			    "%s: store does not exist (run \"jitadm init\")",
			    name);
		if (errno == ENOENT)
			return 0;
		return jl_error_set(err, errno, "%s: %s", name,
		    strerror(errno));
	}
	if (fstat(fd, &sb) < 0) {
		r = jl_error_set(err, errno, "%s: %s", name, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		r = jl_error_set(err, EPERM, "%s: not a regular file", name);
		goto out;
	}
	/* A companion with no link left was unlinked after our openat by a
	 * connection closing the store: it is gone, as if it were absent
	 * (SQLite opens by name and cannot reach it). */
	if (companion && sb.st_nlink == 0)
		goto out;
	if (sb.st_nlink != 1) {
		r = jl_error_set(err, EPERM, "%s: has %lu links, expected 1",
		    name, (unsigned long)sb.st_nlink);
		goto out;
	}
	if (o->owner == (uid_t)-1)
		goto out;
	if (!companion && sb.st_uid != o->owner) {
		r = jl_error_set(err, EPERM, "%s: owned by uid %u, expected %u",
		    name, (unsigned)sb.st_uid, (unsigned)o->owner);
		goto out;
	}
	if (o->group != (gid_t)-1 && sb.st_gid != o->group) {
		r = jl_error_set(err, EPERM, "%s: group %u, expected %u", name,
		    (unsigned)sb.st_gid, (unsigned)o->group);
		goto out;
	}
	if (sb.st_mode & (S_IRWXO))
		r = jl_error_set(err, EPERM,
		    "%s: accessible by others (mode %o)", name,
		    (unsigned)(sb.st_mode & 07777));
out:
	close(fd);
	return r;
}

/* The directory, the store and its companions, before SQLite opens.  A
 * missing store is an error only when must_exist. */
static int
check_paths(const char *path, const struct jl_store_opts *o, bool must_exist,
    struct jl_error *err)
{
	char *dir = NULL, name[4096];
	const char *base = NULL;
	size_t i;
	int dfd = -1, r;

	r = split_path(path, &dir, &base, err);
	if (r < 0)
		goto out;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			r = jl_error_set(err, EPERM,
			    "%s: not a directory or a symlink", dir);
		else
			r = jl_error_set(err, errno, "%s: %s", dir,
			    strerror(errno));
		goto out;
	}
	r = check_dir(dfd, dir, o, err);
	if (r < 0)
		goto out;
	r = check_file(dfd, base, o, false, must_exist, err);
	for (i = 0; r == 0 && i < sizeof(companions) / sizeof(*companions);
	     i++) {
		if ((size_t)snprintf(name, sizeof(name), "%s%s", base,
		        companions[i]) >= sizeof(name)) {
			r = jl_error_set(err, ENAMETOOLONG, "%s: name too long",
			    path);
			break;
		}
		r = check_file(dfd, name, o, true, false, err);
	}
out:
	if (dfd >= 0)
		close(dfd);
	free(dir);
	return r;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Waiting for the write lock.  SQLite's own busy handler
 * (sqlite3_busy_timeout) sleeps 1, 2, 5, 10, ... 100 ms between tries, so
 * under contention a waiter that has slept a few times keeps losing the
 * lock to newcomers: at 32 clients its p99 went over a second and waits
 * ran into the timeout.  Try again every millisecond until the deadline:
 * b->ms after the first refusal, or the one jl_store_begin set for the
 * gate and the lock together.
 */
static int
busy_wait(void *arg, int count)
{
	struct jl_busy *b = arg;
	struct timespec ts = { 0, 1000000 };
	int64_t now = mono_ms();

	if (count == 0)
		b->start = now;
	if (now >= (b->deadline != 0 ? b->deadline : b->start + b->ms))
		return 0;
	(void)nanosleep(&ts, NULL);
	return 1;
}

/*
 * The writers' gate.  SQLite has no blocking lock: a writer that finds
 * the write lock taken gets SQLITE_BUSY, and each retry from busy_wait
 * redoes a read transaction, the wal-index header and several locks.
 * Under 32 clients those retries made a write cost a third more CPU
 * (bench/load).  So jitlog's writers first take an open-file-description
 * lock on the first byte of the -wal file, one fcntl(2) a try (or one
 * sleep in the kernel, woken when it is free: alarm_wait), and only the
 * holder goes on to BEGIN IMMEDIATE.  The gate orders, SQLite's lock
 * still decides: a writer without the gate (sqlite3(1), jl_store_init)
 * is only slower, and a store whose -wal cannot be opened has no gate.
 * The gate is opened at the first write transaction: a process that
 * only reads never opens it.
 *
 * Why the -wal: SQLite locks the store and the -shm with POSIX locks,
 * which belong to the process, so closing any other descriptor of those
 * files would silently drop them; it never locks the -wal.  An OFD lock
 * belongs to this descriptor alone, goes away when it is closed (or the
 * process dies), and conflicts with other descriptors in this process
 * too (a host with two handles in two threads).
 */
static int
gate_open(const char *path)
{
	char wal[4096];
	struct stat sb;
	int fd;

	if (path == NULL ||
	    (size_t)snprintf(wal, sizeof(wal), "%s-wal", path) >= sizeof(wal))
		return -1;
	/* check_paths has vetted it; O_RDWR because a write lock needs it.
	 * Nothing is ever read from or written to this descriptor. */
	fd = open(wal, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_nlink != 1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* F_OFD_SETLK or F_OFD_SETLKW (cmd) of type on the gate's byte. */
static int
gate_lock(int fd, int cmd, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_len = 1 };

	return fcntl(fd, cmd, &fl);
}

/*
 * Sleep in F_OFD_SETLKW until the gate is free or the deadline: 1 taken,
 * 0 out of time, -1 use the polling loop.  The timer repeats every 10 ms
 * after the deadline, so an alarm that fires before fcntl(2) starts to
 * sleep cannot leave it asleep: the next one ends it.
 */
static int
gate_sleep(struct jl_store *st)
{
	static const struct itimerval off = { { 0, 0 }, { 0, 0 } };
	struct itimerval it = { { 0, 10000 }, { 0, 0 } };
	int64_t left;
	int r, e;

	for (;;) {
		left = st->busy.deadline - mono_ms();
		if (left <= 0)
			return 0;
		it.it_value.tv_sec = (time_t)(left / 1000);
		it.it_value.tv_usec = (suseconds_t)(left % 1000) * 1000;
		if (setitimer(ITIMER_REAL, &it, NULL) < 0)
			return -1;
		r = gate_lock(st->gate, F_OFD_SETLKW, F_WRLCK);
		e = errno;
		(void)setitimer(ITIMER_REAL, &off, NULL);
		if (r == 0)
			return 1;
		if (e != EINTR)
			return -1;
	}
}

/* Take the gate by st->busy.deadline: true, or false when the wait ran
 * out.  Any other failure leaves the ordering to SQLite (true). */
static bool
gate_take(struct jl_store *st)
{
	struct timespec ts = { 0, 1000000 };
	int r;

	if (st->gate < 0)
		st->gate = gate_open(sqlite3_db_filename(st->db, "main"));
	if (st->gate < 0)
		return true;
	while (gate_lock(st->gate, F_OFD_SETLK, F_WRLCK) < 0) {
		if (errno != EAGAIN && errno != EACCES && errno != EINTR)
			return true;
		if (st->alarm_wait && (r = gate_sleep(st)) >= 0)
			return r == 1;
		if (mono_ms() >= st->busy.deadline)
			return false;
		(void)nanosleep(&ts, NULL);
	}
	return true;
}

static void
gate_release(struct jl_store *st)
{
	if (st->gate >= 0)
		(void)gate_lock(st->gate, F_OFD_SETLK, F_UNLCK);
}

/* Connection settings shared by open and init. */
static int
configure(sqlite3 *db, struct jl_busy *busy, bool readonly,
    struct jl_error *err)
{
	static const int off[] = { SQLITE_DBCONFIG_TRUSTED_SCHEMA,
		SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, SQLITE_DBCONFIG_DQS_DML,
		SQLITE_DBCONFIG_DQS_DDL };
	size_t i;
	int r, rc, one = 1;

	rc = sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	for (i = 0; rc == SQLITE_OK && i < sizeof(off) / sizeof(*off); i++)
		rc = sqlite3_db_config(db, off[i], 0, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_busy_handler(db, busy_wait, busy);
	if (rc != SQLITE_OK)
		return jl_store_error(db, rc, err, "configuring the store");
	r = jl_store_exec(db,
	    "PRAGMA temp_store = MEMORY;"
	    "PRAGMA mmap_size = 0;"
	    "PRAGMA cell_size_check = ON;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA trusted_schema = OFF;",
	    err);
	if (r < 0 || readonly)
		return r;
	/*
	 * Keep the -wal and -shm files when the last connection closes, but
	 * empty the -wal then (journal_size_limit 0).  Otherwise whichever
	 * process comes next creates them again, and SQLite creates them
	 * with that process's umask (077 in jitlogview, the host's in
	 * pam_jitlog) and fchmod()s them to the store's mode only after:
	 * under load a concurrent jitadm, jitlogview or login met a
	 * companion it could not open ("Permission denied", "attempt to
	 * write a readonly database"; bench/load, attack_load.sh).  The
	 * emptying is what deleting did for a commit whose sync failed: its
	 * frames, never indexed, are gone and no later WAL recovery brings
	 * that transaction back (attack_store.sh).
	 */
	rc = sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &one);
	if (rc != SQLITE_OK)
		return jl_store_error(db, rc, err, "configuring the store");
	return jl_store_exec(db,
	    "PRAGMA journal_mode = WAL;"
	    "PRAGMA journal_size_limit = 0;"
	    "PRAGMA synchronous = FULL;",
	    err);
}

static int
check_version(sqlite3 *db, struct jl_error *err)
{
	sqlite3_stmt *s = NULL;
	int r, rc, v;

	r = jl_store_prepare(db, "PRAGMA user_version", &s, err);
	if (r < 0)
		goto out;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		r = jl_store_error(db, rc, err, "reading the schema version");
		goto out;
	}
	v = sqlite3_column_int(s, 0);
	if (v != JL_SCHEMA_VERSION)
		r = jl_error_set(err, EPROTO,
		    "store schema version %d, expected %d (run \"jitadm init\")",
		    v, JL_SCHEMA_VERSION);
out:
	sqlite3_finalize(s);
	return r;
}

static int
open_db(const char *path, int flags, sqlite3 **ret, struct jl_error *err)
{
	sqlite3 *db = NULL;
	int rc;

	flags |=
	    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
	rc = sqlite3_open_v2(path, &db, flags, NULL);
	if (rc != SQLITE_OK) {
		rc = jl_store_error(db, rc, err, path);
		sqlite3_close(db);
		return rc;
	}
	*ret = db;
	return 0;
}

/* Contract: see store.h. */
int
jl_store_open(const char *path, const struct jl_store_opts *o,
    struct jl_store **ret, struct jl_error *err)
{
	struct jl_store_opts def;
	struct jl_store *st = NULL;
	sqlite3 *db = NULL;
	int r;

	if (o == NULL) {
		jl_store_opts_default(&def);
		o = &def;
	}
	r = check_paths(path, o, true, err);
	if (r < 0)
		goto out;
	r = open_db(path,
	    o->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, &db,
	    err);
	if (r < 0)
		goto out;
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		r = -ENOMEM;
		goto out;
	}
	st->busy.ms = o->busy_ms > 0 ? o->busy_ms : DEFAULT_BUSY_MS;
	r = configure(db, &st->busy, o->readonly, err);
	if (r < 0)
		goto out;
	r = check_version(db, err);
	if (r < 0)
		goto out;
	st->db = db;
	st->readonly = o->readonly;
	st->gate = -1; /* opened by the first jl_store_begin */
	st->alarm_wait = o->alarm_wait;
	db = NULL;
	*ret = st;
	st = NULL;
out:
	sqlite3_close(db);
	free(st);
	return r;
}

/* Contract: see store.h. */
void
jl_store_set_busy(struct jl_store *st, int ms)
{
	if (st != NULL && ms > 0)
		st->busy.ms = ms;
}

/*
 * Create the file for init: O_EXCL so that nothing planted is adopted,
 * mode 0660 whatever the umask, root:gid when run as root.  An existing
 * file is accepted when it is a regular file with one link (and, for
 * root, owned by root).
 */
static int
create_file(const char *path, gid_t gid, struct jl_error *err)
{
	struct stat sb;
	int fd, r = 0;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0660);
	if (fd >= 0) {
		if (fchmod(fd, 0660) < 0 ||
		    (geteuid() == 0 && gid != (gid_t)-1 &&
		        fchown(fd, 0, gid) < 0))
			r = jl_error_set(err, errno, "%s: %s", path,
			    strerror(errno));
		if (r == 0 && fsync(fd) < 0)
			r = jl_error_set(err, errno, "%s: %s", path,
			    strerror(errno));
		goto out;
	}
	if (errno != EEXIST)
		return jl_error_set(err, errno, "%s: %s", path,
		    strerror(errno));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return jl_error_set(err, errno == ELOOP ? EPERM : errno,
		    "%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) < 0)
		r = jl_error_set(err, errno, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(sb.st_mode) || sb.st_nlink != 1)
		r = jl_error_set(err, EPERM,
		    "%s: not a regular file with one link", path);
	else if (geteuid() == 0 && sb.st_uid != 0)
		r = jl_error_set(err, EPERM, "%s: not owned by root", path);
out:
	close(fd);
	return r;
}

/* Contract: see store.h. */
int
jl_store_init(const char *path, gid_t gid, struct jl_error *err)
{
	struct jl_busy busy = { DEFAULT_BUSY_MS, 0, 0 };
	struct jl_store_opts o;
	sqlite3 *db = NULL;
	int r, from = 0;

	/* The same directory and file checks as open, before and after
	 * creating; ownership is checked when run as root (jitadm init), not
	 * in unprivileged tests. */
	jl_store_opts_default(&o);
	o.owner = geteuid() == 0 ? 0 : (uid_t)-1;
	o.group = gid;
	r = check_paths(path, &o, false, err);
	if (r < 0)
		goto out;
	r = create_file(path, gid, err);
	if (r < 0)
		goto out;
	r = check_paths(path, &o, true, err);
	if (r < 0)
		goto out;
	r = open_db(path, SQLITE_OPEN_READWRITE, &db, err);
	if (r < 0)
		goto out;
	r = configure(db, &busy, false, err);
	if (r < 0)
		goto out;
	r = jl_store_exec(db, "BEGIN IMMEDIATE", err);
	if (r < 0)
		goto out;
	from = jl_store_migrate(db, err);
	if (from < 0) {
		r = from;
		goto out;
	}
	r = jl_store_exec(db, "COMMIT", err);
out:
	if (db != NULL && !sqlite3_get_autocommit(db))
		(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	return r < 0 ? r : from;
}

/* Contract: NULL-safe; rolls back an open transaction. */
void
jl_store_close(struct jl_store *st)
{
	if (st == NULL)
		return;
	jl_store_rollback(st);
	sqlite3_close(st->db);
	if (st->gate >= 0)
		close(st->gate);
	free(st);
}

/* Contract: see store.h. */
int
jl_store_begin(struct jl_store *st, struct jl_error *err)
{
	int rc;

	if (st->readonly)
		return jl_error_set(err, EROFS, "store opened read-only");
	if (!sqlite3_get_autocommit(st->db))
		return jl_error_set(err, EINVAL,
		    "a transaction is already open");
	st->busy.deadline = mono_ms() + st->busy.ms;
	if (!gate_take(st)) {
		st->busy.deadline = 0;
		return jl_store_error(st->db, SQLITE_BUSY, err,
		    "starting a transaction");
	}
	rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	st->busy.deadline = 0;
	if (rc != SQLITE_OK) {
		gate_release(st);
		return jl_store_error(st->db, rc, err,
		    "starting a transaction");
	}
	return 0;
}

/* Contract: see store.h; on failure the transaction is rolled back. */
int
jl_store_commit(struct jl_store *st, struct jl_error *err)
{
	int rc;

	if (sqlite3_get_autocommit(st->db))
		return jl_error_set(err, EINVAL, "no transaction is open");
	rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		rc = jl_store_error(st->db, rc, err, "committing");
		jl_store_rollback(st);
		return rc;
	}
	gate_release(st);
	return 0;
}

/* Contract: see store.h. */
void
jl_store_rollback(struct jl_store *st)
{
	if (st == NULL)
		return;
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	gate_release(st);
}

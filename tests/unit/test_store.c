/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the store's opening and life cycle (lib/store.c,
 * lib/store_schema.c): what open refuses (missing store, symlinked file
 * or directory, hard links, planted companions, unsafe owner/mode, wrong
 * schema), init and the v1 -> v2 migration on a store written by hand
 * with the version 1 DDL, a second writer getting -EBUSY after a bounded
 * wait (polling or asleep on the writers' gate, which every end of a
 * transaction releases), and corrupt files yielding errors, never
 * crashes.  Everything
 * runs in a private temporary directory.
 */
#define _GNU_SOURCE /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jitlog/audit.h"
#include "jitlog/store.h"
#include "t.h"
#include "tmpdir.h"

static struct jl_store_opts
test_opts(void)
{
	struct jl_store_opts o;

	jl_store_opts_default(&o);
	o.owner = (uid_t)-1;
	o.busy_ms = 100;
	return o;
}

static int
try_open(const char *path, const struct jl_store_opts *o, struct jl_error *err)
{
	struct jl_store *st = NULL;
	int r;

	r = jl_store_open(path, o, &st, err);
	jl_store_close(st);
	return r;
}

static void
raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	T_ASSERT(sqlite3_open(path, &db) == SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "raw sql failed: %s\n", msg);
		T_ASSERT(0);
	}
	sqlite3_free(msg);
	sqlite3_close(db);
}

static void
test_missing(void)
{
	struct jl_store_opts o = test_opts();
	struct jl_error err = { { 0 } };

	T_ASSERT_INTEQ(try_open(td_path("none.db"), &o, &err), -ENOENT);
	T_ASSERT(strstr(err.msg, "jitadm init") != NULL);
	T_ASSERT_INTEQ(try_open(td_path("nodir/x.db"), &o, &err), -ENOENT);
}

static void
test_init_idempotent(void)
{
	struct jl_store_opts o = test_opts();
	struct jl_error err = { { 0 } };
	const char *p = td_path("init.db");
	struct stat sb;

	T_ASSERT_INTEQ(jl_store_init(p, (gid_t)-1, &err), 0);
	T_ASSERT_INTEQ(jl_store_init(p, (gid_t)-1, &err),
	    jl_store_schema_version());
	T_ASSERT_INTEQ(jl_store_schema_version(), 4);
	T_ASSERT(stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0660);
	T_ASSERT_INTEQ(try_open(p, &o, &err), 0);
	/* A store too new for this build is refused and left alone. */
	raw_exec(p, "PRAGMA user_version = 99");
	T_ASSERT_INTEQ(jl_store_init(p, (gid_t)-1, &err), -EPROTO);
	T_ASSERT_INTEQ(try_open(p, &o, &err), -EPROTO);
	T_ASSERT(strstr(err.msg, "jitadm init") != NULL);
	/* An empty file is an empty database: schema 0, run init. */
	close(open(td_path("empty.db"), O_CREAT | O_WRONLY, 0600));
	T_ASSERT_INTEQ(try_open(td_path("empty.db"), &o, &err), -EPROTO);
	T_ASSERT_INTEQ(jl_store_init(td_path("empty.db"), (gid_t)-1, &err), 0);
	T_ASSERT_INTEQ(try_open(td_path("empty.db"), &o, &err), 0);
}

static void
test_links(void)
{
	struct jl_store_opts o = test_opts();
	struct jl_error err = { { 0 } };
	const char *p = td_path("real.db");
	char real[256], other[300];

	snprintf(real, sizeof(real), "%s", p);
	T_ASSERT_INTEQ(jl_store_init(real, (gid_t)-1, &err), 0);
	/* Symlinked file. */
	T_ASSERT(symlink(real, td_path("sym.db")) == 0);
	T_ASSERT_INTEQ(try_open(td_path("sym.db"), &o, &err), -EPERM);
	T_ASSERT(strstr(err.msg, "symlink") != NULL);
	T_ASSERT_INTEQ(jl_store_init(td_path("sym.db"), (gid_t)-1, &err),
	    -EPERM);
	/* Symlinked directory. */
	T_ASSERT(symlink(td_dir, td_path("dirlink")) == 0);
	T_ASSERT_INTEQ(try_open(td_path("dirlink/real.db"), &o, &err), -EPERM);
	/* Hard link: both names are refused. */
	snprintf(other, sizeof(other), "%s", td_path("hard.db"));
	T_ASSERT(link(real, other) == 0);
	T_ASSERT_INTEQ(try_open(other, &o, &err), -EPERM);
	T_ASSERT(strstr(err.msg, "links") != NULL);
	T_ASSERT_INTEQ(try_open(real, &o, &err), -EPERM);
	T_ASSERT(unlink(other) == 0);
	T_ASSERT_INTEQ(try_open(real, &o, &err), 0);
	/* A planted -wal: symlink, then hard link to another file (in place
	 * of the real one, which the store keeps). */
	snprintf(other, sizeof(other), "%s-wal", real);
	(void)unlink(other);
	T_ASSERT(symlink("/etc/passwd", other) == 0);
	T_ASSERT_INTEQ(try_open(real, &o, &err), -EPERM);
	T_ASSERT(unlink(other) == 0);
	close(open(td_path("victim"), O_CREAT | O_WRONLY, 0600));
	T_ASSERT(link(td_path("victim"), other) == 0);
	T_ASSERT_INTEQ(try_open(real, &o, &err), -EPERM);
	T_ASSERT(unlink(other) == 0);
	/* Not a regular file. */
	T_ASSERT(mkfifo(td_path("fifo.db"), 0600) == 0);
	T_ASSERT_INTEQ(try_open(td_path("fifo.db"), &o, &err), -EPERM);
	T_ASSERT_INTEQ(try_open(real, &o, &err), 0);
}

static void
test_owner_mode(void)
{
	struct jl_store_opts o = test_opts();
	struct jl_error err = { { 0 } };
	char dir[256], db[300];

	snprintf(dir, sizeof(dir), "%s", td_path("owned"));
	snprintf(db, sizeof(db), "%s/s.db", dir);
	T_ASSERT(mkdir(dir, 0750) == 0);
	T_ASSERT_INTEQ(jl_store_init(db, (gid_t)-1, &err), 0);
	o.owner = getuid();
	o.group = getgid();
	T_ASSERT_INTEQ(try_open(db, &o, &err), 0);
	o.owner = getuid() + 1;
	T_ASSERT_INTEQ(try_open(db, &o, &err), -EPERM);
	o.owner = getuid();
	o.group = getgid() + 1;
	T_ASSERT_INTEQ(try_open(db, &o, &err), -EPERM);
	o.group = (gid_t)-1;
	/* As root: a store file owned by someone else in a good directory. */
	if (geteuid() == 0) {
		T_ASSERT(chown(db, 1, (gid_t)-1) == 0);
		T_ASSERT_INTEQ(try_open(db, &o, &err), -EPERM);
		T_ASSERT(strstr(err.msg, "owned by uid 1") != NULL);
		T_ASSERT(chown(db, 0, (gid_t)-1) == 0);
	}
	/* World-readable file, world-writable directory. */
	T_ASSERT(chmod(db, 0664) == 0);
	T_ASSERT_INTEQ(try_open(db, &o, &err), -EPERM);
	T_ASSERT(strstr(err.msg, "others") != NULL);
	T_ASSERT(chmod(db, 0660) == 0);
	T_ASSERT(chmod(dir, 0777) == 0);
	T_ASSERT_INTEQ(try_open(db, &o, &err), -EPERM);
	T_ASSERT(chmod(dir, 0770) == 0);
	T_ASSERT_INTEQ(try_open(db, &o, &err), 0);
	/* A companion readable by others is refused too.  (The store keeps
	 * its -wal and -shm: init made them already.) */
	snprintf(db + strlen(db), 8, "-shm");
	close(open(db, O_CREAT | O_WRONLY, 0644));
	T_ASSERT(chmod(db, 0644) == 0);
	db[strlen(db) - 4] = '\0';
	T_ASSERT_INTEQ(try_open(db, &o, &err), -EPERM);
	/* With the checks off (unit-test mode) mode does not matter, but
	 * links still do. */
	o.owner = (uid_t)-1;
	T_ASSERT_INTEQ(try_open(db, &o, &err), 0);
}

/* The version 1 schema exactly as it shipped. */
static const char v1_ddl[] =
    "CREATE TABLE grants ("
    " id INTEGER PRIMARY KEY,"
    " user TEXT NOT NULL"
    "  CHECK (length(CAST(user AS BLOB)) BETWEEN 1 AND 256),"
    " uid INTEGER NOT NULL CHECK (uid >= 0 AND uid < 4294967295),"
    " resource TEXT NOT NULL"
    "  CHECK (length(CAST(resource AS BLOB)) BETWEEN 1 AND 64),"
    " status TEXT NOT NULL CHECK (status IN ('pending', 'approved',"
    "  'denied', 'revoked', 'cancelled', 'lapsed', 'expired')),"
    " reason TEXT NOT NULL"
    "  CHECK (length(CAST(reason AS BLOB)) BETWEEN 1 AND 4096),"
    " ticket TEXT CHECK (length(CAST(ticket AS BLOB)) <= 4096),"
    " requested_at INTEGER NOT NULL CHECK (requested_at >= 0),"
    " start_req INTEGER NOT NULL DEFAULT 0 CHECK (start_req >= 0),"
    " starts_at INTEGER NOT NULL DEFAULT 0 CHECK (starts_at >= 0),"
    " expires_at INTEGER NOT NULL DEFAULT 0 CHECK (expires_at >= starts_at),"
    " ended_at INTEGER NOT NULL DEFAULT 0 CHECK (ended_at >= 0),"
    " ended_by TEXT CHECK (length(CAST(ended_by AS BLOB)) <= 256),"
    " end_comment TEXT CHECK (length(CAST(end_comment AS BLOB)) <= 4096),"
    " duration_s INTEGER NOT NULL CHECK (duration_s > 0),"
    " approvals_required INTEGER NOT NULL CHECK (approvals_required >= 1),"
    " unredacted INTEGER NOT NULL DEFAULT 0 CHECK (unredacted IN (0, 1)),"
    " CHECK (status <> 'approved' OR"
    "  (starts_at > 0 AND expires_at > starts_at))"
    ") STRICT;"
    "CREATE TABLE approvals ("
    " grant_id INTEGER NOT NULL REFERENCES grants(id),"
    " approver TEXT NOT NULL"
    "  CHECK (length(CAST(approver AS BLOB)) BETWEEN 1 AND 256),"
    " at INTEGER NOT NULL CHECK (at >= 0),"
    " comment TEXT CHECK (length(CAST(comment AS BLOB)) <= 4096),"
    " UNIQUE (grant_id, approver)"
    ") STRICT;"
    "CREATE TABLE audit ("
    " seq INTEGER PRIMARY KEY,"
    " at INTEGER NOT NULL,"
    " event TEXT NOT NULL CHECK (length(event) BETWEEN 1 AND 64),"
    " grant_id INTEGER CHECK (grant_id > 0),"
    " actor TEXT,"
    " user TEXT,"
    " resource TEXT,"
    " detail TEXT NOT NULL CHECK (substr(detail, 1, 1) = '{'),"
    " hash TEXT NOT NULL CHECK (length(hash) = 64)"
    ") STRICT;"
    "CREATE INDEX grants_active ON grants(user, resource, expires_at)"
    " WHERE status = 'approved';"
    "CREATE INDEX grants_status ON grants(status);"
    "CREATE INDEX audit_grant ON audit(grant_id) WHERE grant_id IS NOT NULL;"
    "PRAGMA journal_mode = WAL;"
    "PRAGMA user_version = 1;"
    "INSERT INTO grants (id, user, uid, resource, status, reason,"
    " requested_at, starts_at, expires_at, duration_s, approvals_required)"
    " VALUES (7, 'alice', 1000, 'payments', 'approved', 'incident 42',"
    " 100, 200, 3800, 3600, 1);"
    "INSERT INTO approvals VALUES (7, 'bob', 200, 'ok');";

static void
test_migrate_v1(void)
{
	struct jl_store_opts o = test_opts();
	struct jl_error err = { { 0 } };
	const char *p = td_path("v1.db");
	uint8_t zero[JL_HASH_BYTES] = { 0 }, h[JL_HASH_BYTES];
	struct jl_session ss = { 0 };
	struct jl_grant *g = NULL;
	struct jl_store *st = NULL;
	struct jl_event ev;
	char sql[512], hex[JL_HASH_HEX], user[] = "alice", service[] = "sshd";
	int64_t id = 0, exp = 0, n = 0, bad = 0;

	raw_exec(p, v1_ddl);
	/* One audit row chained by the v1 code (same algorithm). */
	jl_event_init(&ev, "approve", 200);
	ev.seq = 1;
	ev.grant_id = 7;
	ev.actor = "bob";
	ev.user = "alice";
	ev.resource = "payments";
	ev.detail = "{}";
	T_ASSERT_INTEQ(jl_audit_hash(zero, &ev, h), 0);
	jl_hex(h, JL_HASH_BYTES, hex);
	snprintf(sql, sizeof(sql),
	    "INSERT INTO audit VALUES (1, 200, 'approve', 7, 'bob', 'alice',"
	    " 'payments', '{}', '%s')",
	    hex);
	raw_exec(p, sql);
	T_ASSERT(chmod(p, 0660) == 0); /* init as root checks the mode */
	T_ASSERT_INTEQ(try_open(p, &o, &err), -EPROTO);

	T_ASSERT_INTEQ(jl_store_init(p, (gid_t)-1, &err), 1);
	T_ASSERT_INTEQ(jl_store_init(p, (gid_t)-1, &err),
	    jl_store_schema_version());
	T_ASSERT_INTEQ(jl_store_open(p, &o, &st, &err), 0);
	if (st == NULL)
		return;
	/* The v1 data survived, with the v2 columns at their defaults. */
	T_ASSERT_INTEQ(jl_store_grant_get(st, 7, &g, &err), 0);
	if (g != NULL) {
		T_ASSERT_STREQ(g->user, "alice");
		T_ASSERT_STREQ(g->reason, "incident 42");
		T_ASSERT_INTEQ(g->status, JL_ST_APPROVED);
		T_ASSERT_INTEQ(g->expires_at, 3800);
		T_ASSERT_INTEQ(g->napprovals, 1);
		T_ASSERT(g->napprovals == 1 &&
		    strcmp(g->approvals[0].by, "bob") == 0);
		/* Given before approvers' uids were kept (version 4). */
		T_ASSERT(g->napprovals == 1 && g->approvals[0].uid == -1);
		T_ASSERT(!g->break_glass && g->reviewed_at == 0 &&
		    g->escalated_at == 0 && g->extends_id == 0);
	}
	jl_grant_free(g);
	T_ASSERT_INTEQ(jl_store_grant_find_active(st, "alice", 1000, NULL, 300,
	                   &id, &exp, &err),
	    1);
	T_ASSERT_INTEQ(id, 7);
	T_ASSERT_INTEQ(jl_store_audit_verify(st, &n, &bad, &err), 0);
	T_ASSERT_INTEQ(n, 1);
	/* The new tables and columns work. */
	ss.grant_id = 7;
	ss.user = user;
	ss.service = service;
	ss.pid = 4242;
	ss.opened_at = 300;
	T_ASSERT_INTEQ(jl_store_begin(st, &err), 0);
	T_ASSERT_INTEQ(jl_store_session_insert(st, &ss, &err), 0);
	T_ASSERT(ss.id > 0);
	T_ASSERT_INTEQ(jl_store_view_insert(st, 7, "alice", "payments",
	                   "/var/log/p.log", 300, &id, &err),
	    0);
	jl_event_init(&ev, "session_open", 300);
	ev.grant_id = 7;
	T_ASSERT_INTEQ(jl_store_audit_append(st, &ev, &err), 0);
	T_ASSERT_INTEQ(ev.seq, 2);
	T_ASSERT_INTEQ(jl_store_commit(st, &err), 0);
	T_ASSERT_INTEQ(jl_store_audit_verify(st, &n, &bad, &err), 0);
	T_ASSERT_INTEQ(n, 2);
	jl_store_close(st);
}

/* stat(2) of path+suffix. */
static int
companion_stat(const char *path, const char *suffix, struct stat *sb)
{
	char name[512];

	snprintf(name, sizeof(name), "%s%s", path, suffix);
	return stat(name, sb);
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
test_busy(void)
{
	struct stat sb;
	struct jl_store_opts o = test_opts();
	struct jl_error err = { { 0 } };
	struct jl_store *a = NULL, *b = NULL;
	const char *p = td_path("busy.db");
	int64_t t0;

	T_ASSERT_INTEQ(jl_store_init(p, (gid_t)-1, &err), 0);
	T_ASSERT_INTEQ(jl_store_open(p, &o, &a, &err), 0);
	T_ASSERT_INTEQ(jl_store_open(p, &o, &b, &err), 0);
	if (a == NULL || b == NULL)
		goto out;
	T_ASSERT_INTEQ(jl_store_begin(a, &err), 0);
	T_ASSERT_INTEQ(jl_store_begin(a, &err), -EINVAL);
	/* The second writer waits busy_ms, then gets -EBUSY. */
	T_ASSERT_INTEQ(jl_store_begin(b, &err), -EBUSY);
	T_ASSERT(strstr(err.msg, "busy") != NULL);
	/* jl_store_set_busy: the next wait lasts the new bound (at least). */
	jl_store_set_busy(b, 400);
	t0 = mono_ms();
	T_ASSERT_INTEQ(jl_store_begin(b, &err), -EBUSY);
	T_ASSERT(mono_ms() - t0 >= 400);
	T_ASSERT_INTEQ(jl_store_commit(a, &err), 0);
	T_ASSERT_INTEQ(jl_store_begin(b, &err), 0);
	T_ASSERT_INTEQ(jl_store_commit(b, &err), 0);
	T_ASSERT_INTEQ(jl_store_commit(b, &err), -EINVAL);
	jl_store_rollback(b); /* harmless without a transaction */
out:
	jl_store_close(a);
	jl_store_close(b);
	/* The last close leaves -wal (emptied) and -shm in place, with the
	 * store's mode: the next process does not create them again. */
	T_ASSERT(companion_stat(p, "-wal", &sb) == 0);
	T_ASSERT_INTEQ(sb.st_mode & 07777, 0660);
	T_ASSERT_INTEQ(sb.st_size, 0);
	T_ASSERT(companion_stat(p, "-shm", &sb) == 0);
	T_ASSERT_INTEQ(sb.st_mode & 07777, 0660);
}

/* The writers' gate as another descriptor sees it: 1 held, 0 free. */
static int
gate_held(const char *path)
{
	struct flock fl = { .l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_len = 1 };
	char name[512];
	int fd, r;

	snprintf(name, sizeof(name), "%s-wal", path);
	if ((fd = open(name, O_RDWR | O_CLOEXEC)) < 0)
		return -1;
	r = fcntl(fd, F_OFD_GETLK, &fl) < 0 ? -1 : fl.l_type != F_UNLCK;
	close(fd);
	return r;
}

static void
on_alarm(int sig)
{
	(void)sig;
}

/*
 * A writer holds the gate from begin to commit, rollback or close; a
 * second writer waits for it, polling or asleep (alarm_wait), no longer
 * than its bound, and the sleeper leaves no timer armed.
 */
static void
test_gate(void)
{
	struct jl_store_opts o = test_opts();
	struct jl_error err = { { 0 } };
	struct jl_store *a = NULL, *b = NULL, *c = NULL;
	struct itimerval it;
	const char *p = td_path("gate.db");
	int64_t t0, took;
	int mode;

	T_ASSERT_INTEQ(jl_store_init(p, (gid_t)-1, &err), 0);
	T_ASSERT_INTEQ(jl_store_open(p, &o, &a, &err), 0);
	if (a == NULL)
		return;
	T_ASSERT_INTEQ(gate_held(p), 0);
	T_ASSERT_INTEQ(jl_store_begin(a, &err), 0);
	T_ASSERT_INTEQ(gate_held(p), 1);
	T_ASSERT_INTEQ(jl_store_commit(a, &err), 0);
	T_ASSERT_INTEQ(gate_held(p), 0);
	T_ASSERT_INTEQ(jl_store_begin(a, &err), 0);
	jl_store_rollback(a);
	T_ASSERT_INTEQ(gate_held(p), 0);

	(void)sigaction(SIGALRM, &(struct sigaction){ .sa_handler = on_alarm },
	    NULL);
	for (mode = 0; mode < 2; mode++) {
		o.busy_ms = 300;
		o.alarm_wait = mode == 1;
		T_ASSERT_INTEQ(jl_store_open(p, &o, &b, &err), 0);
		if (b == NULL)
			break;
		T_ASSERT_INTEQ(jl_store_begin(a, &err), 0);
		t0 = mono_ms();
		T_ASSERT_INTEQ(jl_store_begin(b, &err), -EBUSY);
		took = mono_ms() - t0;
		T_ASSERT(strstr(err.msg, "busy") != NULL);
		/* The bound, once: the gate's wait and SQLite's share it. */
		T_ASSERT(took >= 300);
		T_ASSERT(took < 600);
		T_ASSERT_INTEQ(getitimer(ITIMER_REAL, &it), 0);
		T_ASSERT_INTEQ(it.it_value.tv_sec + it.it_value.tv_usec, 0);
		T_ASSERT_INTEQ(jl_store_commit(a, &err), 0);
		T_ASSERT_INTEQ(jl_store_begin(b, &err), 0);
		T_ASSERT_INTEQ(jl_store_commit(b, &err), 0);
		jl_store_close(b);
		b = NULL;
	}
	(void)signal(SIGALRM, SIG_DFL);

	/* Closing a store inside a transaction lets the next writer in. */
	o = test_opts();
	T_ASSERT_INTEQ(jl_store_begin(a, &err), 0);
	jl_store_close(a);
	T_ASSERT_INTEQ(gate_held(p), 0);
	T_ASSERT_INTEQ(jl_store_open(p, &o, &c, &err), 0);
	if (c != NULL) {
		T_ASSERT_INTEQ(jl_store_begin(c, &err), 0);
		T_ASSERT_INTEQ(jl_store_commit(c, &err), 0);
	}
	jl_store_close(c);
}

static void
test_readonly(void)
{
	struct jl_store_opts o = test_opts();
	struct jl_error err = { { 0 } };
	struct jl_store *st = NULL;
	int64_t n = -1, bad = 0;

	T_ASSERT_INTEQ(jl_store_init(td_path("ro.db"), (gid_t)-1, &err), 0);
	o.readonly = true;
	T_ASSERT_INTEQ(jl_store_open(td_path("ro.db"), &o, &st, &err), 0);
	if (st == NULL)
		return;
	T_ASSERT_INTEQ(jl_store_begin(st, &err), -EROFS);
	T_ASSERT_INTEQ(jl_store_audit_verify(st, &n, &bad, &err), 0);
	T_ASSERT_INTEQ(n, 0);
	jl_store_close(st);
}

static void
write_file(const char *path, const void *data, size_t len, off_t at)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0600);

	T_ASSERT(fd >= 0 && pwrite(fd, data, len, at) == (ssize_t)len);
	close(fd);
}

/* Open, list, verify: any result but a crash; returns the first error. */
static int
exercise(const char *path)
{
	struct jl_store_opts o = test_opts();
	struct jl_error err = { { 0 } };
	struct jl_store *st = NULL;
	struct jl_grant **v = NULL;
	size_t n = 0;
	int64_t cnt, bad;
	int r;

	r = jl_store_open(path, &o, &st, &err);
	if (r == 0)
		r = jl_store_grant_list(st, NULL, &v, &n, &err);
	if (r == 0)
		jl_grants_free(v, n);
	if (r == 0)
		r = jl_store_audit_verify(st, &cnt, &bad, &err);
	jl_store_close(st);
	return r;
}

static void
populate(const char *path, int count)
{
	struct jl_store_opts o = test_opts();
	struct jl_error err = { { 0 } };
	struct jl_store *st = NULL;
	struct jl_grant g = { 0 };
	struct jl_event ev;
	char user[] = "alice", res[] = "payments",
	     reason[] = "a reason long enough to fill some pages of the store";
	int i;

	T_ASSERT_INTEQ(jl_store_init(path, (gid_t)-1, &err), 0);
	T_ASSERT_INTEQ(jl_store_open(path, &o, &st, &err), 0);
	if (st == NULL)
		return;
	g.user = user;
	g.resource = res;
	g.reason = reason;
	g.requested_at = 100;
	g.duration_s = 3600;
	g.approvals_required = 1;
	T_ASSERT_INTEQ(jl_store_begin(st, &err), 0);
	for (i = 0; i < count; i++) {
		T_ASSERT_INTEQ(jl_store_grant_insert(st, &g, &err), 0);
		jl_event_init(&ev, "request", 100 + i);
		ev.grant_id = g.id;
		ev.detail = "{\"reason\": \"a reason long enough\"}";
		T_ASSERT_INTEQ(jl_store_audit_append(st, &ev, &err), 0);
	}
	T_ASSERT_INTEQ(jl_store_commit(st, &err), 0);
	jl_store_close(st);
}

static void
test_corrupt(void)
{
	struct jl_store_opts o = test_opts();
	struct jl_error err = { { 0 } };
	char garbage[8192], pristine[256], work[256];
	struct stat sb;
	off_t off;
	size_t i;
	int errors = 0;

	/* Garbage where the store should be. */
	for (i = 0; i < sizeof(garbage); i++)
		garbage[i] = (char)(i * 7919 % 251);
	write_file(td_path("garbage.db"), garbage, sizeof(garbage), 0);
	T_ASSERT_INTEQ(try_open(td_path("garbage.db"), &o, &err), -EIO);
	T_ASSERT(strstr(err.msg, "store is corrupt") != NULL);

	snprintf(pristine, sizeof(pristine), "%s", td_path("pristine.db"));
	snprintf(work, sizeof(work), "%s", td_path("work.db"));
	populate(pristine, 300);
	T_ASSERT_INTEQ(exercise(pristine), 0);
	/* A smashed header, then a smashed b-tree page. */
	td_copy(pristine, work);
	write_file(work, "not a database!", 16, 0);
	T_ASSERT_INTEQ(exercise(work), -EIO);
	td_copy(pristine, work);
	write_file(work, garbage, 4096, 4096);
	T_ASSERT_INTEQ(exercise(work), -EIO);
	/* Single flipped bytes all over the file: errors or intact
	 * results, never a crash (ASan/UBSan builds check harder). */
	T_ASSERT(stat(pristine, &sb) == 0);
	for (off = 0; off < sb.st_size; off += 211) {
		unsigned char c;
		int fd;

		td_copy(pristine, work);
		fd = open(work, O_RDWR);
		T_ASSERT(fd >= 0 && pread(fd, &c, 1, off) == 1);
		c ^= 0x5a;
		T_ASSERT(pwrite(fd, &c, 1, off) == 1);
		close(fd);
		if (exercise(work) != 0)
			errors++;
	}
	T_ASSERT(errors > 0);
}

int
main(void)
{
	td_setup("store");
	T_RUN(test_missing);
	T_RUN(test_init_idempotent);
	T_RUN(test_links);
	T_RUN(test_owner_mode);
	T_RUN(test_migrate_v1);
	T_RUN(test_busy);
	T_RUN(test_gate);
	T_RUN(test_readonly);
	T_RUN(test_corrupt);
	td_teardown();
	return T_DONE();
}

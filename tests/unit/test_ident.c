/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of identity and principal matching (lib/ident.c).  Against
 * the real system: root is uid 0 with gid 0, a uid without passwd entry
 * is -ENOENT.  Under nss_wrapper (ctest sets NSS_WRAPPER_PASSWD/GROUP to
 * tests/data/nss): supplementary groups, a user in more groups than the
 * first guess, a group bigger than the first buffer.  NSS failures and
 * ERANGE are injected by interposing getpwuid_r/getpwnam_r/getgrnam_r.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jitlog/ident.h"
#include "t.h"

/* Fault injection: errno to return, or ERANGE below a buffer size. */
static int inject_errno;
static bool inject_minus_one; /* return -1 and set errno, as some do */
static size_t inject_erange_below;
static size_t seen_buflen;
static unsigned grnam_calls; /* getgrnam_r calls, injected ones too */

typedef int (
    *getpwuid_r_fn)(uid_t, struct passwd *, char *, size_t, struct passwd **);
typedef int (*getpwnam_r_fn)(const char *, struct passwd *, char *, size_t,
    struct passwd **);
typedef int (*getgrnam_r_fn)(const char *, struct group *, char *, size_t,
    struct group **);

static void *
next_sym(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (p == NULL)
		abort();
	return p;
}

/* 0 to go on to the real call, else what to return. */
static int
injected(size_t buflen)
{
	int e = 0;

	if (buflen > seen_buflen)
		seen_buflen = buflen;
	if (inject_errno != 0)
		e = inject_errno;
	else if (buflen < inject_erange_below)
		e = ERANGE;
	if (e != 0 && inject_minus_one) {
		errno = e;
		return -1;
	}
	return e;
}

int
getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t buflen,
    struct passwd **result)
{
	int e = injected(buflen);

	if (e != 0) {
		*result = NULL;
		return e;
	}
	return ((getpwuid_r_fn)next_sym("getpwuid_r"))(uid, pw, buf, buflen,
	    result);
}

int
getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t buflen,
    struct passwd **result)
{
	int e = injected(buflen);

	if (e != 0) {
		*result = NULL;
		return e;
	}
	return ((getpwnam_r_fn)next_sym("getpwnam_r"))(name, pw, buf, buflen,
	    result);
}

int
getgrnam_r(const char *name, struct group *gr, char *buf, size_t buflen,
    struct group **result)
{
	int e = injected(buflen);

	grnam_calls++;
	if (e != 0) {
		*result = NULL;
		return e;
	}
	return ((getgrnam_r_fn)next_sym("getgrnam_r"))(name, gr, buf, buflen,
	    result);
}

static void
inject_reset(void)
{
	inject_minus_one = false;
	inject_errno = 0;
	inject_erange_below = 0;
	seen_buflen = 0;
}

static bool
has_gid(const struct jl_ident *id, gid_t gid)
{
	int i;

	for (i = 0; i < id->ngroups; i++) {
		if (id->groups[i] == gid)
			return true;
	}
	return false;
}

/* A uid with no passwd entry (real NSS or nss_wrapper). */
static uid_t
unused_uid(void)
{
	struct passwd pw, *res;
	char buf[4096];
	uid_t uid;
	int r;

	for (uid = 54321; uid < 64000; uid++) {
		res = NULL;
		r = getpwuid_r(uid, &pw, buf, sizeof(buf), &res);
		/* nss_wrapper says ENOENT, glibc 0 with no result. */
		if ((r == 0 || r == ENOENT) && res == NULL)
			return uid;
	}
	abort();
}

static void
test_root(void)
{
	struct jl_ident id = { 0 };

	T_ASSERT_INTEQ(jl_ident_from_uid(0, &id), 0);
	T_ASSERT_INTEQ(id.uid, 0);
	T_ASSERT_INTEQ(id.gid, 0);
	T_ASSERT_STREQ(id.name, "root");
	T_ASSERT(id.ngroups >= 1);
	T_ASSERT(has_gid(&id, 0));
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "root"), 1);
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "no-such-group-jitlog"), 0);
	T_ASSERT_INTEQ(jl_ident_in_group(&id, ""), 0);
	jl_ident_free(&id);
	T_ASSERT(id.name == NULL && id.groups == NULL && id.ngroups == 0);
	jl_ident_free(&id); /* idempotent */
	jl_ident_free(NULL);

	T_ASSERT_INTEQ(jl_ident_from_name("root", &id), 0);
	T_ASSERT_INTEQ(id.uid, 0);
	T_ASSERT(has_gid(&id, 0));
	jl_ident_free(&id);
}

/* jl_ident_user: the passwd entry without the group list; a group check
 * on it is an error, never "not a member" (a caller that forgot would
 * otherwise deny an exempt user or pass a non-member). */
static void
test_user_only(void)
{
	struct jl_principals grp = { 0 }, name = { 0 };
	char g[] = "%root", u[] = "root";
	char *vg[] = { g }, *vn[] = { g, u };
	struct jl_ident id = { 0 };

	grp.v = vg;
	grp.n = 1;
	name.v = vn;
	name.n = 2;
	T_ASSERT_INTEQ(jl_ident_user("root", &id), 0);
	T_ASSERT_INTEQ(id.uid, 0);
	T_ASSERT_STREQ(id.name, "root");
	T_ASSERT(id.groups == NULL && id.ngroups == -1);
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "root"), -EINVAL);
	T_ASSERT_INTEQ(jl_ident_in_group(&id, ""), -EINVAL);
	T_ASSERT_INTEQ(jl_principals_match(&grp, &id), -EINVAL);
	T_ASSERT_INTEQ(jl_principals_match(&name, &id), 1);
	jl_ident_free(&id);
}

/* Each group name is looked up once per identity (the memo); an NSS
 * failure is not remembered: the next check asks again. */
static void
test_memo(void)
{
	struct jl_ident id = { 0 };
	int i;

	inject_reset();
	T_ASSERT_INTEQ(jl_ident_from_uid(0, &id), 0);
	grnam_calls = 0;
	for (i = 0; i < 3; i++) {
		T_ASSERT_INTEQ(jl_ident_in_group(&id, "root"), 1);
		T_ASSERT_INTEQ(jl_ident_in_group(&id, "no-such-group-jitlog"),
		    0);
	}
	T_ASSERT_INTEQ(grnam_calls, 2);

	inject_errno = EIO;
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "daemon"), -EIO);
	inject_reset();
	grnam_calls = 0;
	T_ASSERT(jl_ident_in_group(&id, "daemon") >= 0);
	T_ASSERT_INTEQ(grnam_calls, 1);
	/* Still remembered after a failure elsewhere. */
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "root"), 1);
	T_ASSERT_INTEQ(grnam_calls, 1);
	jl_ident_free(&id);
	T_ASSERT(id.memo == NULL);

	/* Many distinct names: past the memo's size, checks stay right. */
	T_ASSERT_INTEQ(jl_ident_from_uid(0, &id), 0);
	for (i = 0; i < 100; i++) {
		char name[32];

		(void)snprintf(name, sizeof(name), "no-such-group-%d", i);
		T_ASSERT_INTEQ(jl_ident_in_group(&id, name), 0);
	}
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "root"), 1);
	jl_ident_free(&id);
}

/* jl_group_gid: found, missing, and an NSS failure that never passes as
 * found (*ret untouched but on success). */
static void
test_group_gid(void)
{
	gid_t gid = 4242;

	inject_reset();
	T_ASSERT_INTEQ(jl_group_gid("root", &gid), 0);
	T_ASSERT_INTEQ(gid, 0);
	gid = 4242;
	T_ASSERT_INTEQ(jl_group_gid("no-such-group-jitlog", &gid), -ENOENT);
	T_ASSERT_INTEQ(gid, 4242);
	inject_errno = EIO;
	T_ASSERT_INTEQ(jl_group_gid("root", &gid), -EIO);
	T_ASSERT_INTEQ(gid, 4242);
	inject_reset();
	inject_minus_one = true;
	inject_errno = EIO;
	T_ASSERT_INTEQ(jl_group_gid("root", &gid), -EIO);
	T_ASSERT_INTEQ(gid, 4242);
	inject_reset();
	T_ASSERT_INTEQ(jl_group_gid(NULL, &gid), -EINVAL);
	T_ASSERT_INTEQ(jl_group_gid("root", NULL), -EINVAL);
}

static void
test_unknown(void)
{
	struct jl_ident id = { 0 };
	/* Both lookups by name, with and without the group list. */
	int (*const by_name[])(const char *,
	    struct jl_ident *) = { jl_ident_from_name, jl_ident_user };
	uid_t uid = unused_uid();
	size_t i;

	T_ASSERT_INTEQ(jl_ident_from_uid(uid, &id), -ENOENT);
	T_ASSERT(id.name == NULL);
	for (i = 0; i < sizeof(by_name) / sizeof(*by_name); i++) {
		T_ASSERT_INTEQ(by_name[i]("no-such-user-jitlog", &id), -ENOENT);
		T_ASSERT_INTEQ(by_name[i]("", &id), -ENOENT);
		T_ASSERT_INTEQ(by_name[i](NULL, &id), -EINVAL);
		T_ASSERT(id.name == NULL);
	}
}

static void
test_nss_errors(void)
{
	struct jl_ident id = { 0 }, root = { 0 };

	/* A backend error is an error, not "no such user". */
	inject_reset();
	inject_errno = EIO;
	T_ASSERT_INTEQ(jl_ident_from_uid(0, &id), -EIO);
	T_ASSERT_INTEQ(jl_ident_from_name("root", &id), -EIO);
	T_ASSERT(id.name == NULL);

	/* ERANGE: the buffer grows until the entry fits. */
	inject_reset();
	inject_erange_below = 100000;
	T_ASSERT_INTEQ(jl_ident_from_uid(0, &id), 0);
	T_ASSERT_STREQ(id.name, "root");
	T_ASSERT(seen_buflen >= 100000);

	/* ... but not without bound. */
	inject_reset();
	inject_erange_below = SIZE_MAX;
	T_ASSERT_INTEQ(jl_ident_from_uid(0, &root), -ERANGE);
	T_ASSERT(seen_buflen <= 64u * 1024 * 1024);
	T_ASSERT(root.name == NULL);

	/* Group lookup errors propagate; "%" principals never match then. */
	inject_reset();
	inject_errno = EIO;
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "root"), -EIO);
	inject_reset();
	inject_erange_below = SIZE_MAX;
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "root"), -ERANGE);
	inject_reset();
	inject_erange_below = 50000;
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "root"), 1);

	/* -1 with errno set is an error too, never success or "found".  (A
	 * fresh identity: this one remembers the lookups above.) */
	inject_reset();
	jl_ident_free(&id);
	T_ASSERT_INTEQ(jl_ident_from_uid(0, &id), 0);
	inject_minus_one = true;
	inject_errno = EIO;
	T_ASSERT_INTEQ(jl_ident_from_uid(0, &root), -EIO);
	T_ASSERT_INTEQ(jl_ident_from_name("root", &root), -EIO);
	T_ASSERT(root.name == NULL);
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "root"), -EIO);
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "no-such-group-jitlog"), -EIO);
	inject_errno = 0;
	inject_erange_below = 100000;
	T_ASSERT_INTEQ(jl_ident_from_uid(0, &root), 0);
	T_ASSERT_STREQ(root.name, "root");
	T_ASSERT_INTEQ(jl_ident_in_group(&root, "root"), 1);
	inject_reset();
	jl_ident_free(&root);
	jl_ident_free(&id);
}

static struct jl_principals
mklist(char **v, size_t n)
{
	struct jl_principals p = { v, n };

	return p;
}

static void
test_principals(void)
{
	struct jl_ident id = { 0 };
	char any[] = "*", root[] = "root", groot[] = "%root",
	     nobody[] = "no-such-user-jitlog",
	     gnone[] = "%no-such-group-jitlog", prefix[] = "roo", empty[] = "",
	     pct[] = "%";
	char *l_any[] = { nobody, any }, *l_name[] = { gnone, root },
	     *l_group[] = { nobody, groot },
	     *l_none[] = { nobody, gnone, prefix, empty, pct };
	struct jl_principals p;

	T_ASSERT_INTEQ(jl_ident_from_uid(0, &id), 0);
	p = mklist(l_any, 2);
	T_ASSERT_INTEQ(jl_principals_match(&p, &id), 1);
	p = mklist(l_name, 2);
	T_ASSERT_INTEQ(jl_principals_match(&p, &id), 1);
	p = mklist(l_group, 2);
	T_ASSERT_INTEQ(jl_principals_match(&p, &id), 1);
	p = mklist(l_none, 5);
	T_ASSERT_INTEQ(jl_principals_match(&p, &id), 0);
	p = mklist(NULL, 0);
	T_ASSERT_INTEQ(jl_principals_match(&p, &id), 0);

	/* An NSS error: no match, the error is returned... (a fresh
	 * identity: this one remembers the lookups above) */
	jl_ident_free(&id);
	T_ASSERT_INTEQ(jl_ident_from_uid(0, &id), 0);
	inject_errno = EIO;
	p = mklist(l_group, 2);
	T_ASSERT_INTEQ(jl_principals_match(&p, &id), -EIO);
	/* ...unless another principal matches without a lookup. */
	p = mklist(l_name, 2);
	T_ASSERT_INTEQ(jl_principals_match(&p, &id), 1);
	inject_reset();

	/* The name must match exactly, not as a prefix or by uid. */
	free(id.name);
	id.name = strdup("rooter");
	T_ASSERT(id.name != NULL);
	p = mklist(l_name, 2);
	T_ASSERT_INTEQ(jl_principals_match(&p, &id), 0);
	jl_ident_free(&id);
}

/* Only with nss_wrapper: users and groups of tests/data/nss. */
static void
test_wrapped(void)
{
	struct jl_ident id = { 0 };
	gid_t g;

	T_ASSERT_INTEQ(jl_ident_from_name("bob", &id), 0);
	T_ASSERT_INTEQ(id.uid, 1002);
	T_ASSERT_INTEQ(id.gid, 1002);
	T_ASSERT(has_gid(&id, 1002));
	T_ASSERT(has_gid(&id, 2000));
	T_ASSERT(has_gid(&id, 2001));
	T_ASSERT(has_gid(&id, 2002));
	T_ASSERT_INTEQ(id.ngroups, 4);
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "leads"), 1);
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "engineers"), 1);
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "bob"), 1); /* primary */
	/* biggroup's entry does not fit the first buffer. */
	seen_buflen = 0;
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "biggroup"), 1);
	T_ASSERT(seen_buflen > 2048);
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "alice"), 0);
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "root"), 0);
	jl_ident_free(&id);

	T_ASSERT_INTEQ(jl_ident_from_uid(1001, &id), 0);
	T_ASSERT_STREQ(id.name, "alice");
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "engineers"), 1);
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "leads"), 0);
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "biggroup"), 0);
	jl_ident_free(&id);

	/* More groups than the first guess of the group list. */
	T_ASSERT_INTEQ(jl_ident_from_name("manyg", &id), 0);
	T_ASSERT_INTEQ(id.ngroups, 41);
	T_ASSERT(has_gid(&id, 1010));
	for (g = 3001; g <= 3040; g++)
		T_ASSERT(has_gid(&id, g));
	T_ASSERT_INTEQ(jl_ident_in_group(&id, "many40"), 1);
	jl_ident_free(&id);
}

int
main(void)
{
	T_RUN(test_root);
	T_RUN(test_user_only);
	T_RUN(test_memo);
	T_RUN(test_group_gid);
	T_RUN(test_unknown);
	T_RUN(test_nss_errors);
	T_RUN(test_principals);
	if (getenv("NSS_WRAPPER_PASSWD") != NULL)
		T_RUN(test_wrapped);
	else
		printf("skip test_wrapped (no nss_wrapper)\n");
	return T_DONE();
}

/* SPDX-License-Identifier: ISC */
/*
 * Identity through NSS: the passwd entry and group list of a uid or a
 * name, group membership by group name, and matching of config
 * principals ("user", "%group", "*") against an identity.  This code runs
 * inside sshd, su and sudo through pam_jitlog, so it uses only the
 * reentrant lookups, keeps no static buffers and never reads the
 * environment.
 *
 * MUST (SECURITY.md "pam_jitlog", SPEC section 1):
 *  - only getpwuid_r, getpwnam_r, getgrnam_r and getgrouplist (no
 *    getpwnam, getgrnam or other calls with static results);
 *  - every NSS buffer bounded (JL_NSS_BUF_MAX, JL_NGROUPS_MAX): a hostile
 *    or broken directory cannot make us allocate without limit or loop;
 *  - an NSS failure is an error (-errno), never "no such user" and never a
 *    match: the caller denies (getgrouplist cannot report failures: a
 *    group list cut short by a failing backend only loses matches);
 *  - USER, LOGNAME, SUDO_USER are never read.
 *
 * An identity remembers the answer of each group-name lookup (memo):
 * listing a thousand grants checks "%approvers" a thousand times, and
 * each getgrnam_r reads /etc/group again.  Only found/not-found answers
 * are kept, never an NSS failure; the memo lives as long as the
 * identity, within one command or one PAM call.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jitlog/ident.h"

/* Group names whose lookups an identity remembers; later ones ask NSS. */
#define JL_GID_MEMO_MAX 32

struct jl_gid_memo {
	size_t n;
	struct {
		char *name;
		gid_t gid;
		int found; /* 1 or 0, as lookup_gid */
	} v[JL_GID_MEMO_MAX];
};

/* Largest buffer handed to a getpw*_r / getgr*_r call. */
#define JL_NSS_BUF_MAX   (8u * 1024 * 1024)
/* Largest group list accepted from getgrouplist (Linux NGROUPS_MAX). */
#define JL_NGROUPS_MAX   65536
/* First guess for the group list. */
#define JL_NGROUPS_GUESS 32

/* Initial buffer size for getpw*_r (which = _SC_GETPW_R_SIZE_MAX) etc. */
static size_t
nss_bufsize(int which)
{
	long n;

	n = sysconf(which);
	if (n < 1024)
		return 1024;
	if ((unsigned long)n > JL_NSS_BUF_MAX)
		return JL_NSS_BUF_MAX;
	return (size_t)n;
}

/*
 * The error number of a get*_r call that returned r.  They return an
 * error number, but some backends (nss_wrapper, old modules) return -1
 * and set errno instead: never let that pass as success or as a
 * positive "found".
 */
static int
nss_errno(int r)
{
	if (r >= 0)
		return r;
	return errno > 0 ? errno : EIO;
}

/*
 * Look up a passwd entry by name (when name != NULL) or by uid, growing
 * the buffer on ERANGE up to JL_NSS_BUF_MAX.  On 0, *ret_buf holds the
 * strings pw points into (caller frees).  -ENOENT when there is no entry.
 */
static int
lookup_pw(const char *name, uid_t uid, struct passwd *pw, char **ret_buf)
{
	struct passwd *res = NULL;
	char *buf = NULL, *nbuf;
	size_t len = nss_bufsize(_SC_GETPW_R_SIZE_MAX);
	int r;

	for (;;) {
		nbuf = realloc(buf, len);
		if (nbuf == NULL) {
			r = -ENOMEM;
			goto out;
		}
		buf = nbuf;
		res = NULL;
		errno = 0;
		if (name != NULL)
			r = nss_errno(getpwnam_r(name, pw, buf, len, &res));
		else
			r = nss_errno(getpwuid_r(uid, pw, buf, len, &res));
		if (r != ERANGE || len >= JL_NSS_BUF_MAX)
			break;
		len = len * 2 > JL_NSS_BUF_MAX ? JL_NSS_BUF_MAX : len * 2;
	}
	/* A backend's ENOENT ("no such entry") becomes -ENOENT as well. */
	if (r != 0) {
		r = -r;
		goto out;
	}
	if (res == NULL || res->pw_name == NULL || res->pw_name[0] == '\0') {
		r = -ENOENT;
		goto out;
	}
	*ret_buf = buf;
	buf = NULL;
	r = 0;
out:
	free(buf);
	return r;
}

/*
 * The groups of name with primary gid included, growing the list while
 * getgrouplist reports it too small.  0 or -errno.
 */
static int
lookup_groups(const char *name, gid_t gid, gid_t **ret, int *ret_n)
{
	gid_t *v = NULL, *nv;
	int n = JL_NGROUPS_GUESS, want, r;

	for (;;) {
		nv = reallocarray(v, (size_t)n, sizeof(*v));
		if (nv == NULL) {
			r = -ENOMEM;
			goto out;
		}
		v = nv;
		want = n;
		if (getgrouplist(name, gid, v, &want) >= 0 && want <= n) {
			n = want;
			break;
		}
		if (n >= JL_NGROUPS_MAX) {
			r = -E2BIG;
			goto out;
		}
		/* glibc sets want to the size needed; others may not. */
		if (want > n && want <= JL_NGROUPS_MAX)
			n = want;
		else
			n = n * 2 > JL_NGROUPS_MAX ? JL_NGROUPS_MAX : n * 2;
	}
	if (n < 1) {
		/* getgrouplist always includes gid; be safe anyway. */
		v[0] = gid;
		n = 1;
	}
	*ret = v;
	*ret_n = n;
	v = NULL;
	r = 0;
out:
	free(v);
	return r;
}

static int
ident_fill(const char *name, uid_t uid, bool groups, struct jl_ident *ret)
{
	struct jl_ident id = { 0 };
	struct passwd pw;
	char *buf = NULL;
	int r;

	r = lookup_pw(name, uid, &pw, &buf);
	if (r < 0)
		goto out;
	if (name == NULL && pw.pw_uid != uid) {
		/* A directory that answers for another uid is broken. */
		r = -EIO;
		goto out;
	}
	id.uid = pw.pw_uid;
	id.gid = pw.pw_gid;
	id.name = strdup(pw.pw_name);
	if (id.name == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (groups) {
		r = lookup_groups(id.name, id.gid, &id.groups, &id.ngroups);
		if (r == 0 && (id.memo = calloc(1, sizeof(*id.memo))) == NULL)
			r = -ENOMEM;
	} else
		id.ngroups = -1;
	if (r < 0)
		goto out;
	*ret = id;
	id = (struct jl_ident){ 0 };
	r = 0;
out:
	jl_ident_free(&id);
	free(buf);
	return r;
}

/*
 * Identity of uid: passwd entry, primary and supplementary groups.
 * 0, -ENOENT when uid has no passwd entry, -errno on NSS failure.
 */
int
jl_ident_from_uid(uid_t uid, struct jl_ident *ret)
{
	if (ret == NULL)
		return -EINVAL;
	return ident_fill(NULL, uid, true, ret);
}

static int
ident_name(const char *name, bool groups, struct jl_ident *ret)
{
	if (name == NULL || ret == NULL)
		return -EINVAL;
	if (name[0] == '\0' || strnlen(name, LOGIN_NAME_MAX) >= LOGIN_NAME_MAX)
		return -ENOENT;
	return ident_fill(name, 0, groups, ret);
}

/* Identity of the user called name; as jl_ident_from_uid. */
int
jl_ident_from_name(const char *name, struct jl_ident *ret)
{
	return ident_name(name, true, ret);
}

/*
 * The passwd entry of the user called name, without the group list (it
 * costs a walk of every group source): for callers that match no group.
 * Group checks on such an identity (ngroups -1) fail with -EINVAL, never
 * "not in it".
 */
int
jl_ident_user(const char *name, struct jl_ident *ret)
{
	return ident_name(name, false, ret);
}

/* Free what id holds and reset it; id itself is the caller's. */
void
jl_ident_free(struct jl_ident *id)
{
	size_t i;

	if (id == NULL)
		return;
	if (id->memo != NULL) {
		for (i = 0; i < id->memo->n; i++)
			free(id->memo->v[i].name);
		JL_FREE(id->memo);
	}
	JL_FREE(id->name);
	JL_FREE(id->groups);
	id->ngroups = 0;
}

/* gid of the group called group: 1 found, 0 no such group, -errno. */
static int
lookup_gid(const char *group, gid_t *ret)
{
	struct group gr, *res = NULL;
	char *buf = NULL, *nbuf;
	size_t len = nss_bufsize(_SC_GETGR_R_SIZE_MAX);
	int r;

	for (;;) {
		nbuf = realloc(buf, len);
		if (nbuf == NULL) {
			r = -ENOMEM;
			goto out;
		}
		buf = nbuf;
		res = NULL;
		errno = 0;
		r = nss_errno(getgrnam_r(group, &gr, buf, len, &res));
		if (r != ERANGE || len >= JL_NSS_BUF_MAX)
			break;
		len = len * 2 > JL_NSS_BUF_MAX ? JL_NSS_BUF_MAX : len * 2;
	}
	/* Some backends (nss_wrapper, ...) say ENOENT for "no such group". */
	if (r != 0 && r != ENOENT) {
		r = -r;
		goto out;
	}
	if (r == ENOENT || res == NULL) {
		r = 0;
		goto out;
	}
	*ret = res->gr_gid;
	r = 1;
out:
	free(buf);
	return r;
}

/* lookup_gid, answered from memo (when not NULL) or remembered there. */
static int
memo_gid(struct jl_gid_memo *memo, const char *group, gid_t *ret)
{
	size_t i;
	int r;

	for (i = 0; memo != NULL && i < memo->n; i++) {
		if (strcmp(memo->v[i].name, group) == 0) {
			*ret = memo->v[i].gid;
			return memo->v[i].found;
		}
	}
	r = lookup_gid(group, ret);
	if (r >= 0 && memo != NULL && memo->n < JL_GID_MEMO_MAX &&
	    (memo->v[memo->n].name = strdup(group)) != NULL) {
		memo->v[memo->n].gid = r == 1 ? *ret : 0;
		memo->v[memo->n].found = r;
		memo->n++;
	}
	return r;
}

int
jl_group_gid(const char *name, gid_t *ret)
{
	int r;

	if (name == NULL || ret == NULL)
		return -EINVAL;
	if ((r = lookup_gid(name, ret)) < 0)
		return r;
	return r == 1 ? 0 : -ENOENT;
}

/*
 * 1 if id's group list (taken at identity time: primary and
 * supplementary) holds the gid of the group called group, 0 if not or if
 * there is no such group, -errno on NSS failure.
 */
int
jl_ident_in_group(const struct jl_ident *id, const char *group)
{
	gid_t gid = 0;
	int i, r;

	/* No list (jl_ident_user): unknown, not "not a member". */
	if (id == NULL || group == NULL || id->ngroups < 0)
		return -EINVAL;
	if (group[0] == '\0')
		return 0;
	r = memo_gid(id->memo, group, &gid);
	if (r <= 0)
		return r;
	if (id->gid == gid)
		return 1;
	for (i = 0; i < id->ngroups; i++) {
		if (id->groups[i] == gid)
			return 1;
	}
	return 0;
}

/*
 * 1 if a principal of list matches id, 0 if none does, -errno when none
 * matched and a group lookup failed.  A failed lookup never counts as a
 * match; a match proven by another principal still stands, because it
 * does not depend on the failed answer.
 */
int
jl_principals_match(const struct jl_principals *list, const struct jl_ident *id)
{
	const char *p;
	size_t i;
	int r, first_err = 0;

	if (list == NULL || id == NULL)
		return -EINVAL;
	for (i = 0; i < list->n; i++) {
		p = list->v[i];
		if (p == NULL || p[0] == '\0')
			continue;
		if (strcmp(p, "*") == 0)
			return 1;
		if (p[0] != '%') {
			if (id->name != NULL && strcmp(p, id->name) == 0)
				return 1;
			continue;
		}
		r = jl_ident_in_group(id, p + 1);
		if (r > 0)
			return 1;
		if (r < 0 && first_err == 0)
			first_err = r;
	}
	return first_err;
}

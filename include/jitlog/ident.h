/* SPDX-License-Identifier: ISC */
/*
 * Who is asking: identity from a uid (the real uid of the caller) or a
 * name, through NSS with the reentrant calls only (getpwuid_r, getpwnam_r,
 * getgrnam_r, getgrouplist).  Principal matching against that identity.
 * USER, LOGNAME and SUDO_USER are never read.
 */
#ifndef JITLOG_IDENT_H
#define JITLOG_IDENT_H

#include <stdbool.h>
#include <sys/types.h>

#include "jitlog/config.h"

struct jl_gid_memo;

struct jl_ident {
	uid_t uid;
	gid_t gid;
	char *name;
	gid_t *groups; /* primary and supplementary */
	int ngroups;   /* -1: not looked up (jl_ident_user) */
	/* The answers of group-name lookups made for this identity (made by
	 * jl_ident_from_*; NULL: every check asks NSS). */
	struct jl_gid_memo *memo;
};

/* 0, -ENOENT (no such user) or another -errno (NSS failure). */
int jl_ident_from_uid(uid_t uid, struct jl_ident *ret);
int jl_ident_from_name(const char *name, struct jl_ident *ret);
/* The passwd entry only (ngroups -1): group checks on it fail, -EINVAL. */
int jl_ident_user(const char *name, struct jl_ident *ret);
void jl_ident_free(struct jl_ident *id); /* NULL-safe, idempotent */

/*
 * The gid of the group called name, for the front ends' start-up (the
 * store's group): the same bounded getgrnam_r lookup as the membership
 * checks, no memo.  0 with *ret set; -ENOENT when there is no such group
 * (a backend's ENOENT included); another -errno on NSS failure, which
 * never passes as found.  *ret is untouched unless 0 is returned.
 */
int jl_group_gid(const char *name, gid_t *ret);

/* 1 if id is in the group called name, 0 if not (or no such group), -errno. */
int jl_ident_in_group(const struct jl_ident *id, const char *group);
/* 1 if any principal of list matches id, 0 if none, -errno on NSS error. */
int jl_principals_match(const struct jl_principals *list,
    const struct jl_ident *id);

#endif

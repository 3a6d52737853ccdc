/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of who may do what (lib/policy.c) over a config, resource,
 * grants and identities built by hand.  Group principals use groups that
 * exist on every Debian machine (root = 0, daemon = 1, adm = 4); an NSS
 * failure is simulated by interposing getgrnam_r for the group
 * "nss-broken", to prove that an error while deciding never allows.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jitlog/policy.h"
#include "t.h"

#define T0 INT64_C(1795687200)

typedef int (*getgrnam_r_fn)(const char *, struct group *, char *, size_t,
    struct group **);

/* The NSS backend fails (EIO) for one group; others go to libc. */
int
getgrnam_r(const char *name, struct group *grp, char *buf, size_t buflen,
    struct group **result)
{
	getgrnam_r_fn real;

	if (strcmp(name, "nss-broken") == 0) {
		*result = NULL;
		return EIO;
	}
	real = (getgrnam_r_fn)dlsym(RTLD_NEXT, "getgrnam_r");
	if (real == NULL)
		abort();
	return real(name, grp, buf, buflen, result);
}

/* Identities.  adm (gid 4) is the approver group of the fixture. */
static char n_root[] = "root", n_alice[] = "alice", n_bob[] = "bob",
            n_carol[] = "carol", n_dave[] = "dave", n_eve[] = "eve",
            n_frank[] = "frank", n_gina[] = "gina", n_alice2[] = "alice2";
static gid_t g_root[] = { 0 }, g_alice[] = { 1001 },
             g_alice_adm[] = { 1001, 4 }, g_bob[] = { 1002, 4 },
             g_carol[] = { 1003 }, g_dave[] = { 1004 }, g_eve[] = { 1005, 1 },
             g_frank[] = { 1006 }, g_gina[] = { 1007 };
static const struct jl_ident ROOT = { 0, 0, n_root, g_root, 1, NULL };
static const struct jl_ident ALICE = { 1001, 1001, n_alice, g_alice, 1, NULL };
/* alice, also in the approver group */
static const struct jl_ident ALICE_ADM = { 1001, 1001, n_alice, g_alice_adm, 2,
	NULL };
/* same name, other uid; same uid, other name */
static const struct jl_ident ALICE_RENUM = { 2001, 2001, n_alice, g_bob, 2,
	NULL };
static const struct jl_ident ALICE_RENAMED = { 1001, 1001, n_alice2, g_bob, 2,
	NULL };
/* A new account that got alice's old uid, and one that got her old name:
 * in no group that matters. */
static char n_newcomer[] = "newcomer";
static const struct jl_ident UID_REUSED = { 1001, 1001, n_newcomer, g_dave, 1,
	NULL };
static const struct jl_ident NAME_REUSED = { 3001, 3001, n_alice, g_dave, 1,
	NULL };
static const struct jl_ident BOB = { 1002, 1002, n_bob, g_bob, 2, NULL };
static const struct jl_ident CAROL = { 1003, 1003, n_carol, g_carol, 1, NULL };
static const struct jl_ident DAVE = { 1004, 1004, n_dave, g_dave, 1, NULL };
static const struct jl_ident EVE = { 1005, 1005, n_eve, g_eve, 2, NULL };
static const struct jl_ident FRANK = { 1006, 1006, n_frank, g_frank, 1, NULL };
static const struct jl_ident GINA = { 1007, 1007, n_gina, g_gina, 1, NULL };

static struct jl_config cfg;
static struct jl_resource res;

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		abort();
	return p;
}

static void
plist_free(struct jl_principals *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

/* Replace p with the NULL-terminated list of principals that follows. */
static void
plist(struct jl_principals *p, ...)
{
	va_list ap;
	const char *s;

	plist_free(p);
	va_start(ap, p);
	while ((s = va_arg(ap, const char *)) != NULL) {
		p->v = reallocarray(p->v, p->n + 1, sizeof(*p->v));
		if (p->v == NULL)
			abort();
		p->v[p->n++] = xstrdup(s);
	}
	va_end(ap);
}

/* The fixture of SPEC section 2, with approvers %adm and carol. */
static void
setup(void)
{
	plist(&cfg.admins, "frank", NULL);
	plist(&cfg.auditors, "gina", NULL);
	cfg.request_ttl = 86400;
	res.name = xstrdup("payments-debug");
	plist(&res.requesters, "*", NULL);
	plist(&res.approvers, "%adm", "carol", NULL);
	plist(&res.escalate_to, "%daemon", NULL);
	res.approvals = 1;
	res.escalate_after = 1800;
	cfg.resources = &res;
	cfg.nresources = 1;
}

static void
teardown(void)
{
	plist_free(&cfg.admins);
	plist_free(&cfg.auditors);
	plist_free(&res.requesters);
	plist_free(&res.approvers);
	plist_free(&res.escalate_to);
	JL_FREE(res.name);
}

/* A pending request of user (uid) on the fixture resource. */
static struct jl_grant *
mkgrant(const struct jl_ident *user)
{
	struct jl_grant *g = calloc(1, sizeof(*g));

	if (g == NULL)
		abort();
	g->id = 1;
	g->user = xstrdup(user->name);
	g->uid = user->uid;
	g->resource = xstrdup("payments-debug");
	g->reason = xstrdup("debugging");
	g->status = JL_ST_PENDING;
	g->requested_at = T0;
	g->duration_s = 3600;
	g->approvals_required = 1;
	return g;
}

static const char *why;

/* Decision helpers: *ret is preset to ALLOW to prove it is reset. */
static int
decide(const struct jl_grant *g, const struct jl_ident *id)
{
	enum jl_decision d = JL_ALLOW;
	int r;

	why = "unset";
	r = jl_policy_may_decide(&cfg, &res, g, id, &d, &why);
	return r < 0 ? r : d == JL_ALLOW;
}

static int
revoke(const struct jl_resource *rs, const struct jl_grant *g,
    const struct jl_ident *id)
{
	enum jl_decision d = JL_ALLOW;
	int r;

	why = "unset";
	r = jl_policy_may_revoke(&cfg, rs, g, id, &d, &why);
	return r < 0 ? r : d == JL_ALLOW;
}

static int
see(const struct jl_resource *rs, const struct jl_grant *g,
    const struct jl_ident *id)
{
	enum jl_decision d = JL_ALLOW;
	int r;

	r = jl_policy_may_see(&cfg, rs, g, id, &d);
	return r < 0 ? r : d == JL_ALLOW;
}

static int
admin(const struct jl_ident *id)
{
	enum jl_decision d = JL_ALLOW;
	int r;

	r = jl_policy_is_admin(&cfg, id, &d);
	return r < 0 ? r : d == JL_ALLOW;
}

static int
auditor(const struct jl_ident *id)
{
	enum jl_decision d = JL_ALLOW;
	int r;

	r = jl_policy_is_auditor(&cfg, id, &d);
	return r < 0 ? r : d == JL_ALLOW;
}

static void
test_self_approval_refused(void)
{
	struct jl_grant *g = mkgrant(&ALICE);

	/* alice is in %adm, an approver group: still not her own. */
	T_ASSERT_INTEQ(decide(g, &ALICE_ADM), 0);
	T_ASSERT_STREQ(why, "you cannot approve your own request");
	/* Named approver and admin as well. */
	plist(&res.approvers, "alice", "%adm", "*", NULL);
	plist(&cfg.admins, "alice", NULL);
	T_ASSERT_INTEQ(decide(g, &ALICE_ADM), 0);
	T_ASSERT_STREQ(why, "you cannot approve your own request");
	/* Same name under another uid, same uid under another name. */
	T_ASSERT_INTEQ(decide(g, &ALICE_RENUM), 0);
	T_ASSERT_STREQ(why, "you cannot approve your own request");
	T_ASSERT_INTEQ(decide(g, &ALICE_RENAMED), 0);
	T_ASSERT_STREQ(why, "you cannot approve your own request");
	/* Escalation does not change that. */
	g->escalated_at = T0 + 1800;
	plist(&res.escalate_to, "alice", NULL);
	T_ASSERT_INTEQ(decide(g, &ALICE), 0);
	/* Others in the same lists may. */
	T_ASSERT_INTEQ(decide(g, &BOB), 1);
	T_ASSERT(why == NULL);
	jl_grant_free(g);
}

static void
test_root(void)
{
	struct jl_grant *g = mkgrant(&ALICE);
	struct jl_grant *own = mkgrant(&ROOT);

	T_ASSERT_INTEQ(admin(&ROOT), 1);
	T_ASSERT_INTEQ(auditor(&ROOT), 1);
	/* Admin, but not an approver of this resource. */
	T_ASSERT_INTEQ(decide(g, &ROOT), 0);
	T_ASSERT_STREQ(why, "not an approver of this resource");
	/* An approver by name, or through %root (gid 0). */
	plist(&res.approvers, "root", NULL);
	T_ASSERT_INTEQ(decide(g, &ROOT), 1);
	plist(&res.approvers, "%root", NULL);
	T_ASSERT_INTEQ(decide(g, &ROOT), 1);
	/* Never its own request, even as approver by every route. */
	plist(&res.approvers, "root", "%root", "*", NULL);
	T_ASSERT_INTEQ(decide(own, &ROOT), 0);
	T_ASSERT_STREQ(why, "you cannot approve your own request");
	/* Any grant of uid 0 is root's own, whatever the name. */
	free(own->user);
	own->user = xstrdup("toor");
	T_ASSERT_INTEQ(decide(own, &ROOT), 0);
	/* Root may revoke and see anything as admin. */
	plist(&res.approvers, "carol", NULL);
	T_ASSERT_INTEQ(revoke(&res, g, &ROOT), 1);
	T_ASSERT_INTEQ(see(&res, g, &ROOT), 1);
	jl_grant_free(g);
	jl_grant_free(own);
}

static void
test_approvers(void)
{
	struct jl_grant *g = mkgrant(&ALICE);

	T_ASSERT_INTEQ(decide(g, &CAROL), 1); /* by name */
	T_ASSERT_INTEQ(decide(g, &BOB), 1);   /* by %adm */
	T_ASSERT_INTEQ(decide(g, &DAVE), 0);  /* outsider */
	T_ASSERT_STREQ(why, "not an approver of this resource");
	/* Admins and auditors are not approvers. */
	T_ASSERT_INTEQ(decide(g, &FRANK), 0);
	T_ASSERT_STREQ(why, "not an approver of this resource");
	T_ASSERT_INTEQ(decide(g, &GINA), 0);
	/* Escalation group before escalation. */
	T_ASSERT_INTEQ(decide(g, &EVE), 0);
	/* A group that does not exist matches nobody. */
	plist(&res.approvers, "%no-such-group-jitlog", NULL);
	T_ASSERT_INTEQ(decide(g, &CAROL), 0);
	T_ASSERT_INTEQ(decide(g, &BOB), 0);
	/* "*": everyone but the requester. */
	plist(&res.approvers, "*", NULL);
	T_ASSERT_INTEQ(decide(g, &DAVE), 1);
	T_ASSERT_INTEQ(decide(g, &ALICE), 0);
	/* Only a pending request is decided. */
	g->status = JL_ST_APPROVED;
	T_ASSERT_INTEQ(decide(g, &DAVE), 0);
	T_ASSERT_STREQ(why, "request is not pending");
	jl_grant_free(g);
}

static void
test_already_approved(void)
{
	struct jl_grant *g = mkgrant(&ALICE);

	g->approvals_required = 2;
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "carol", 1003, T0 + 5, 0, NULL),
	    0);
	T_ASSERT_INTEQ(decide(g, &CAROL), 0);
	T_ASSERT_STREQ(why, "already approved by you");
	T_ASSERT_INTEQ(decide(g, &BOB), 1);
	jl_grant_free(g);
}

static void
test_escalation(void)
{
	struct jl_grant *g = mkgrant(&ALICE);

	T_ASSERT_INTEQ(decide(g, &EVE), 0);
	T_ASSERT_INTEQ(revoke(&res, g, &EVE), 0);
	T_ASSERT_INTEQ(see(&res, g, &EVE), 0);
	g->escalated_at = T0 + 1800;
	T_ASSERT_INTEQ(decide(g, &EVE), 1); /* %daemon, gid 1 */
	T_ASSERT_INTEQ(revoke(&res, g, &EVE), 1);
	T_ASSERT_INTEQ(see(&res, g, &EVE), 1);
	T_ASSERT_INTEQ(decide(g, &DAVE), 0);
	/* The original approvers keep their right. */
	T_ASSERT_INTEQ(decide(g, &CAROL), 1);
	/* No escalate_to list: nobody new. */
	plist(&res.escalate_to, NULL);
	T_ASSERT_INTEQ(decide(g, &EVE), 0);
	jl_grant_free(g);
}

static void
test_revoke_rights(void)
{
	struct jl_grant *g = mkgrant(&ALICE);

	T_ASSERT_INTEQ(revoke(&res, g, &ALICE), 1); /* own: cancel */
	T_ASSERT(why == NULL);
	T_ASSERT_INTEQ(jl_grant_add_approval(g, "carol", 1003, T0, 0, NULL), 1);
	T_ASSERT_INTEQ(revoke(&res, g, &ALICE), 1); /* own: done */
	T_ASSERT_INTEQ(revoke(&res, g, &CAROL), 1); /* approver */
	T_ASSERT_INTEQ(revoke(&res, g, &BOB), 1);   /* approver group */
	T_ASSERT_INTEQ(revoke(&res, g, &FRANK), 1); /* admin */
	T_ASSERT_INTEQ(revoke(&res, g, &ROOT), 1);  /* root is admin */
	T_ASSERT_INTEQ(revoke(&res, g, &DAVE), 0);
	T_ASSERT_STREQ(why, "not permitted to revoke this grant");
	T_ASSERT_INTEQ(revoke(&res, g, &GINA), 0); /* auditor */
	/* Resource gone from the config: the user and admins only. */
	T_ASSERT_INTEQ(revoke(NULL, g, &ALICE), 1);
	T_ASSERT_INTEQ(revoke(NULL, g, &FRANK), 1);
	T_ASSERT_INTEQ(revoke(NULL, g, &CAROL), 0);
	jl_grant_free(g);
}

static void
test_see_rights(void)
{
	struct jl_grant *g = mkgrant(&ALICE);

	T_ASSERT_INTEQ(see(&res, g, &ALICE), 1);
	T_ASSERT_INTEQ(see(&res, g, &CAROL), 1);
	T_ASSERT_INTEQ(see(&res, g, &BOB), 1);
	T_ASSERT_INTEQ(see(&res, g, &FRANK), 1);
	T_ASSERT_INTEQ(see(&res, g, &GINA), 1);
	T_ASSERT_INTEQ(see(&res, g, &ROOT), 1);
	T_ASSERT_INTEQ(see(&res, g, &DAVE), 0);
	T_ASSERT_INTEQ(see(NULL, g, &CAROL), 0);
	T_ASSERT_INTEQ(see(NULL, g, &GINA), 1);
	jl_grant_free(g);
}

/* A reused uid or name takes rights away (no self-approval) but never
 * gives the old account's grants to the new one. */
static void
test_reused_identity(void)
{
	struct jl_grant *g = mkgrant(&ALICE);

	T_ASSERT_INTEQ(see(&res, g, &UID_REUSED), 0);
	T_ASSERT_INTEQ(see(&res, g, &NAME_REUSED), 0);
	T_ASSERT_INTEQ(revoke(&res, g, &UID_REUSED), 0);
	T_ASSERT_INTEQ(revoke(&res, g, &NAME_REUSED), 0);
	T_ASSERT_INTEQ(decide(g, &UID_REUSED), 0);
	T_ASSERT_INTEQ(decide(g, &NAME_REUSED), 0);
	jl_grant_free(g);
}

static void
test_request_and_roles(void)
{
	enum jl_decision d = JL_ALLOW;

	T_ASSERT_INTEQ(jl_policy_may_request(&cfg, &res, &DAVE, &d, &why), 0);
	T_ASSERT_INTEQ(d, JL_ALLOW);
	plist(&res.requesters, "%adm", "alice", NULL);
	T_ASSERT_INTEQ(jl_policy_may_request(&cfg, &res, &BOB, &d, &why), 0);
	T_ASSERT_INTEQ(d, JL_ALLOW);
	T_ASSERT_INTEQ(jl_policy_may_request(&cfg, &res, &ALICE, &d, &why), 0);
	T_ASSERT_INTEQ(d, JL_ALLOW);
	T_ASSERT_INTEQ(jl_policy_may_request(&cfg, &res, &DAVE, &d, &why), 0);
	T_ASSERT_INTEQ(d, JL_DENY);
	T_ASSERT_STREQ(why, "not a requester of this resource");
	/* Admins are not requesters by role. */
	d = JL_ALLOW;
	T_ASSERT_INTEQ(jl_policy_may_request(&cfg, &res, &FRANK, &d, NULL), 0);
	T_ASSERT_INTEQ(d, JL_DENY);
	d = JL_ALLOW;
	T_ASSERT_INTEQ(jl_policy_may_request(&cfg, NULL, &BOB, &d, &why), 0);
	T_ASSERT_INTEQ(d, JL_DENY);
	T_ASSERT_STREQ(why, "no such resource");

	T_ASSERT_INTEQ(admin(&FRANK), 1);
	T_ASSERT_INTEQ(admin(&GINA), 0);
	T_ASSERT_INTEQ(admin(&CAROL), 0);
	T_ASSERT_INTEQ(auditor(&GINA), 1);
	T_ASSERT_INTEQ(auditor(&FRANK), 0);
	T_ASSERT_INTEQ(auditor(&DAVE), 0);
	plist(&cfg.admins, "%adm", NULL);
	T_ASSERT_INTEQ(admin(&BOB), 1);
	T_ASSERT_INTEQ(admin(&FRANK), 0);
	plist(&cfg.admins, NULL);
	plist(&cfg.auditors, NULL);
	T_ASSERT_INTEQ(admin(&ROOT), 1); /* root needs no list */
	T_ASSERT_INTEQ(auditor(&ROOT), 1);
	T_ASSERT_INTEQ(admin(&BOB), 0);
}

static void
test_nss_error_denies(void)
{
	struct jl_grant *g = mkgrant(&ALICE);
	enum jl_decision d = JL_ALLOW;

	plist(&res.approvers, "%nss-broken", NULL);
	T_ASSERT_INTEQ(decide(g, &CAROL), -EIO);
	T_ASSERT_INTEQ(jl_policy_may_decide(&cfg, &res, g, &CAROL, &d, NULL),
	    -EIO);
	T_ASSERT_INTEQ(d, JL_DENY);
	/* A match proven by another principal does not need the lookup. */
	plist(&res.approvers, "%nss-broken", "carol", NULL);
	T_ASSERT_INTEQ(decide(g, &CAROL), 1);
	T_ASSERT_INTEQ(decide(g, &DAVE), -EIO);
	/* The error is not lost behind a later list that did not match. */
	plist(&res.approvers, "%nss-broken", NULL);
	g->escalated_at = T0 + 1800;
	T_ASSERT_INTEQ(decide(g, &DAVE), -EIO);       /* not in %daemon */
	T_ASSERT_INTEQ(decide(g, &EVE), 1);           /* in %daemon */
	T_ASSERT_INTEQ(revoke(&res, g, &DAVE), -EIO); /* not admin */
	T_ASSERT_INTEQ(see(&res, g, &DAVE), -EIO);
	T_ASSERT_INTEQ(revoke(&res, g, &FRANK), 1); /* admin */
	g->escalated_at = 0;
	/* Roles. */
	plist(&cfg.admins, "%nss-broken", NULL);
	plist(&cfg.auditors, "%nss-broken", NULL);
	T_ASSERT_INTEQ(admin(&DAVE), -EIO);
	T_ASSERT_INTEQ(auditor(&DAVE), -EIO);
	T_ASSERT_INTEQ(admin(&ROOT), 1);
	T_ASSERT_INTEQ(revoke(&res, g, &DAVE), -EIO);
	T_ASSERT_INTEQ(see(&res, g, &DAVE), -EIO);
	/* Its own user keeps revoke and see without any lookup. */
	T_ASSERT_INTEQ(revoke(&res, g, &ALICE), 1);
	T_ASSERT_INTEQ(see(&res, g, &ALICE), 1);
	plist(&res.requesters, "%nss-broken", NULL);
	d = JL_ALLOW;
	T_ASSERT_INTEQ(jl_policy_may_request(&cfg, &res, &DAVE, &d, &why),
	    -EIO);
	T_ASSERT_INTEQ(d, JL_DENY);
	jl_grant_free(g);
}

static void
test_bad_arguments(void)
{
	struct jl_grant *g = mkgrant(&ALICE);
	enum jl_decision d = JL_ALLOW;

	/* A resource that is not the grant's is a caller bug. */
	free(g->resource);
	g->resource = xstrdup("other");
	T_ASSERT_INTEQ(jl_policy_may_decide(&cfg, &res, g, &CAROL, &d, &why),
	    -EINVAL);
	T_ASSERT_INTEQ(d, JL_DENY);
	d = JL_ALLOW;
	T_ASSERT_INTEQ(jl_policy_may_revoke(&cfg, &res, g, &FRANK, &d, &why),
	    -EINVAL);
	T_ASSERT_INTEQ(d, JL_DENY);
	d = JL_ALLOW;
	T_ASSERT_INTEQ(jl_policy_may_see(&cfg, &res, g, &FRANK, &d), -EINVAL);
	T_ASSERT_INTEQ(d, JL_DENY);
	d = JL_ALLOW;
	T_ASSERT_INTEQ(jl_policy_may_decide(NULL, NULL, g, &CAROL, &d, &why),
	    -EINVAL);
	T_ASSERT_INTEQ(d, JL_DENY);
	d = JL_ALLOW;
	T_ASSERT_INTEQ(jl_policy_is_admin(&cfg, NULL, &d), -EINVAL);
	T_ASSERT_INTEQ(d, JL_DENY);
	jl_grant_free(g);
}

static void
test_grant_directly(void)
{
	enum jl_decision d = JL_ALLOW;

	T_ASSERT_INTEQ(jl_policy_may_grant(&cfg, &res, &ALICE, &FRANK, &d,
	                   &why),
	    0);
	T_ASSERT_INTEQ(d, JL_ALLOW);
	T_ASSERT_INTEQ(jl_policy_may_grant(&cfg, &res, &FRANK, &FRANK, &d,
	                   &why),
	    0);
	T_ASSERT_INTEQ(d, JL_DENY);
	T_ASSERT_STREQ(why, "you cannot grant yourself access");
	d = JL_ALLOW;
	T_ASSERT_INTEQ(jl_policy_may_grant(&cfg, &res, &ROOT, &ROOT, &d, &why),
	    0);
	T_ASSERT_INTEQ(d, JL_DENY);
	d = JL_ALLOW;
	T_ASSERT_INTEQ(jl_policy_may_grant(&cfg, &res, &ALICE, &ROOT, &d, &why),
	    0);
	T_ASSERT_INTEQ(d, JL_ALLOW);
	/* Approvers are not admins. */
	T_ASSERT_INTEQ(jl_policy_may_grant(&cfg, &res, &ALICE, &CAROL, &d,
	                   &why),
	    0);
	T_ASSERT_INTEQ(d, JL_DENY);
	T_ASSERT_STREQ(why, "only admins may grant directly");
}

static int
review(const struct jl_grant *g, const struct jl_ident *id)
{
	enum jl_decision d = JL_ALLOW;
	int r;

	why = "unset";
	r = jl_policy_may_review(&cfg, &res, g, id, &d, &why);
	return r < 0 ? r : d == JL_ALLOW;
}

static void
test_review(void)
{
	struct jl_grant *g = mkgrant(&ALICE);
	struct jl_grant *own = mkgrant(&ROOT);

	T_ASSERT_INTEQ(review(g, &CAROL), 0);
	T_ASSERT_STREQ(why, "not a break-glass grant");
	g->break_glass = true;
	own->break_glass = true;
	T_ASSERT_INTEQ(review(g, &ALICE_ADM), 0);
	T_ASSERT_STREQ(why, "you cannot review your own grant");
	T_ASSERT_INTEQ(review(own, &ROOT), 0);
	T_ASSERT_INTEQ(review(g, &CAROL), 1);
	T_ASSERT_INTEQ(review(g, &BOB), 1);
	T_ASSERT_INTEQ(review(g, &FRANK), 1);
	T_ASSERT_INTEQ(review(g, &ROOT), 1);
	T_ASSERT_INTEQ(review(g, &DAVE), 0);
	T_ASSERT_INTEQ(review(g, &GINA), 0);
	g->reviewed_at = T0 + 60;
	T_ASSERT_INTEQ(review(g, &CAROL), 0);
	T_ASSERT_STREQ(why, "already reviewed");
	jl_grant_free(g);
	jl_grant_free(own);
}

#define RUN(fn)                                                                \
	do {                                                                   \
		setup();                                                       \
		T_RUN(fn);                                                     \
		teardown();                                                    \
	} while (0)

int
main(void)
{
	RUN(test_self_approval_refused);
	RUN(test_root);
	RUN(test_approvers);
	RUN(test_already_approved);
	RUN(test_escalation);
	RUN(test_revoke_rights);
	RUN(test_see_rights);
	RUN(test_reused_identity);
	RUN(test_request_and_roles);
	RUN(test_nss_error_denies);
	RUN(test_bad_arguments);
	RUN(test_grant_directly);
	RUN(test_review);
	return T_DONE();
}

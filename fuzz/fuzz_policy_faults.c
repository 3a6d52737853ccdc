/* SPDX-License-Identifier: ISC */
/*
 * fuzz_policy_faults: the policy decisions (policy.h) and the identity
 * lookups they stand on (ident.h), with allocations and NSS calls failing
 * as the input says (faults.h).  Each case is decided twice: without
 * faults (the reference) and with them, identities looked up again under
 * the faults.
 *
 * Input: which decision, the actor, the grant's user, the resource, the
 * grant's state (status, escalated, break-glass, reviewed, approved by),
 * then the fault plan.
 *
 * Properties ("an error never yields an allow"):
 *  - a failed identity lookup returns -errno and leaves its out-parameter
 *    alone; one that succeeds under faults is the same identity;
 *  - a decision that returns -errno is JL_DENY;
 *  - an allow under faults is an allow without them;
 *  - a decision that returns 0 under faults is the reference decision (a
 *    swallowed failure changes nothing);
 *  - on 0, ret_why is set on a deny and NULL on an allow.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "jitlog/config.h"
#include "jitlog/grant.h"
#include "jitlog/ident.h"
#include "jitlog/policy.h"

#define NUSERS 6
#define NRES   4

static const char *const names[NUSERS] = { "root", "daemon", "bin", "sys",
	"nobody", "nosuchuser-fz" };

static const char config_text[] =
    "admins = [ \"%sudo\", \"daemon\" ];\n"
    "auditors = [ \"%adm\", \"%nosuchgroup-fz\" ];\n"
    "resources = (\n"
    " { name = \"r0\"; approvers = [ \"%adm\", \"bin\" ]; },\n"
    " { name = \"r1\"; requesters = [ \"%users\", \"root\" ];\n"
    "   approvers = [ \"%root\" ]; escalate_after = \"1h\";\n"
    "   escalate_to = [ \"%daemon\", \"sys\" ]; },\n"
    " { name = \"r2\"; requesters = [ \"%nogroup\" ];\n"
    "   approvers = [ \"nobody\", \"%bin\", \"%sys\", \"daemon\" ];\n"
    "   approvals = 2; break_glass = true; },\n"
    " { name = \"r3\"; requesters = [ \"%nosuchgroup-fz\", \"sys\" ];\n"
    "   approvers = [ \"%nosuchgroup-fz\", \"%sys\", \"root\" ]; }\n"
    ");\n";

static struct jl_config *cfg;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct jl_error err = { "" };

	(void)argc;
	(void)argv;
	FZ_CHECK(jl_config_parse(config_text, "policy.conf", &cfg, &err) == 0,
	    "config: %s", err.msg);
	return 0;
}

/* One decision: which (0-7), the actor and the target (may_grant). */
static int
decide(unsigned which, const struct jl_resource *res, const struct jl_grant *g,
    const struct jl_ident *id, const struct jl_ident *target,
    enum jl_decision *d, const char **why)
{
	switch (which) {
	case 0:
		return jl_policy_is_admin(cfg, id, d);
	case 1:
		return jl_policy_is_auditor(cfg, id, d);
	case 2:
		return jl_policy_may_request(cfg, res, id, d, why);
	case 3:
		return jl_policy_may_decide(cfg, res, g, id, d, why);
	case 4:
		return jl_policy_may_revoke(cfg, res, g, id, d, why);
	case 5:
		return jl_policy_may_see(cfg, res, g, id, d);
	case 6:
		return jl_policy_may_grant(cfg, res, target, id, d, why);
	default:
		return jl_policy_may_review(cfg, res, g, id, d, why);
	}
}

static bool
same_ident(const struct jl_ident *a, const struct jl_ident *b)
{
	int i, j;

	if (a->uid != b->uid || a->gid != b->gid ||
	    strcmp(a->name, b->name) != 0 || a->ngroups != b->ngroups)
		return false;
	for (i = 0; i < a->ngroups; i++) {
		for (j = 0; j < b->ngroups && b->groups[j] != a->groups[i]; j++)
			;
		if (j == b->ngroups)
			return false;
	}
	return true;
}

/* Look up name under the armed faults; compare with the reference. */
static int
lookup_armed(const char *name, const struct jl_ident *ref, int ref_r,
    struct jl_ident *ret)
{
	struct jl_ident id = { 0 };
	int r;

	r = jl_ident_from_name(name, &id);
	if (r < 0) {
		FZ_CHECK(id.name == NULL && id.groups == NULL && id.uid == 0,
		    "failed lookup of %s (%d) wrote its result", name, r);
		return r;
	}
	FZ_CHECK(ref_r == 0 && same_ident(&id, ref),
	    "lookup of %s under faults (%s) gave another identity", name,
	    fz_faults_plan());
	*ret = id;
	return 0;
}

/* The grant of the case. */
static void
make_grant(struct fz_in *in, struct jl_grant *g, struct jl_approval *a,
    const char *res_name)
{
	unsigned u = fz_u8(in) % NUSERS, st = fz_u8(in), ap = fz_u8(in);
	size_t i;

	memset(g, 0, sizeof(*g));
	g->id = 1;
	g->user = (char *)(uintptr_t)names[u];
	/* sometimes a uid that is not the name's: renamed accounts */
	g->uid = (st & 0x80) ? (uid_t)(st & 0x7) : (uid_t)(u < 4 ? u : 65534);
	g->resource = (char *)(uintptr_t)res_name;
	g->status = (enum jl_status)(st % 7);
	g->escalated_at = (st & 0x08) ? 1000 : 0;
	g->break_glass = (st & 0x10) != 0;
	g->reviewed_at = (st & 0x20) ? 1000 : 0;
	g->approvals_required = 2;
	for (i = 0; i < 2; i++) {
		if (!(ap & (1u << i)))
			continue;
		u = (ap >> (2 + 3 * i)) % NUSERS;
		a[g->napprovals].by = (char *)(uintptr_t)names[u];
		/* the name's uid, as make_grant gives them; or unknown */
		a[g->napprovals].uid = (ap & 0x80) ? -1 : (u < 4 ? u : 65534);
		a[g->napprovals].comment = NULL;
		a[g->napprovals].at = 1000;
		g->napprovals++;
	}
	g->approvals = a;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct jl_ident ref = { 0 }, reft = { 0 }, id = { 0 }, tgt = { 0 };
	struct jl_approval a[2];
	struct jl_grant g;
	const struct jl_resource *res;
	const char *why0 = NULL, *why1 = NULL;
	enum jl_decision d0 = JL_ALLOW, d1 = JL_ALLOW;
	unsigned which, who, target, ri;
	int rr, rt, r0, r1, r;

	which = fz_u8(&in) % 8;
	who = fz_u8(&in) % NUSERS;
	target = fz_u8(&in) % NUSERS;
	ri = fz_u8(&in) % (NRES + 1);
	res = ri < NRES ? &cfg->resources[ri] : NULL;
	make_grant(&in, &g, a, res != NULL ? res->name : "gone");

	/* Reference: no faults. */
	rr = jl_ident_from_name(names[who], &ref);
	rt = jl_ident_from_name(names[target], &reft);
	if (rr < 0 || rt < 0)
		goto out; /* unknown user: nobody to decide for */
	r0 = decide(which, res, &g, &ref, &reft, &d0, &why0);
	FZ_CHECK(r0 == 0, "reference decision %u failed: %d", which, r0);

	fz_faults_arm(&in);
	r = lookup_armed(names[who], &ref, rr, &id);
	if (r == 0)
		r = lookup_armed(names[target], &reft, rt, &tgt);
	if (r == 0) {
		r1 = decide(which, res, &g, &id, &tgt, &d1, &why1);
		fz_faults_disarm();
		FZ_CHECK(r1 <= 0, "decision %u returned %d", which, r1);
		FZ_CHECK(r1 == 0 || d1 == JL_DENY,
		    "decision %u: error %d with JL_ALLOW (%s)", which, r1,
		    fz_faults_plan());
		FZ_CHECK(d1 != JL_ALLOW || d0 == JL_ALLOW,
		    "decision %u: allow under faults (%s), deny without", which,
		    fz_faults_plan());
		FZ_CHECK(r1 != 0 || d1 == d0,
		    "decision %u: %d under faults (%s) without an error, %d "
		    "without faults",
		    which, d1, fz_faults_plan(), d0);
		if (r1 == 0 && which >= 2 && which != 5)
			FZ_CHECK((d1 == JL_DENY) == (why1 != NULL),
			    "decision %u: why \"%s\" with %d", which,
			    why1 ? why1 : "(null)", d1);
	}
	fz_faults_disarm();
out:
	jl_ident_free(&ref);
	jl_ident_free(&reft);
	jl_ident_free(&id);
	jl_ident_free(&tgt);
	return 0;
}

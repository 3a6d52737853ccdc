/* SPDX-License-Identifier: ISC */
/*
 * Helpers shared by the action files lib/ops.c (request, grant),
 * lib/ops_glass.c (break-glass), lib/ops_decide.c (approve, deny, revoke,
 * review) and lib/ops_extend.c (extend, the extension chain), also used
 * by the sweep (lib/sweep*.c): the refusal result, the context check, a
 * small JSON object writer for event details, the event every action
 * appends, and the grant a request asks for with the insert that ends
 * every action creating one.  Private to lib/.
 */
#ifndef JITLOG_OPS_INT_H
#define JITLOG_OPS_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "jitlog/audit.h"
#include "jitlog/common.h"
#include "jitlog/config.h"
#include "jitlog/grant.h"
#include "jitlog/ops.h"
#include "jitlog/policy.h"

/* A decision against the caller: err->msg says why.  Returns JL_REFUSED. */
int jl_ops_refuse(struct jl_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "duration exceeds max_duration 4h"; returns JL_REFUSED. */
int jl_ops_refuse_duration(const struct jl_resource *res, struct jl_error *err);
/*
 * A policy function's answer (its return r, decision d, reason why) as an
 * action's result: 0 when allowed; JL_REFUSED with why (or "not
 * permitted"), after "grant ID: " when id > 0; -errno when the policy
 * could not decide ("cannot decide: ...").
 */
int jl_ops_policy_result(int r, enum jl_decision d, const char *why, int64_t id,
    struct jl_error *err);
/* -EINVAL unless c has a config, a store and an actor with a name. */
int jl_ops_check_ctx(const struct jl_ctx *c, struct jl_error *err);
/* Replace *ret by a copy of s (NULL stays NULL).  0 or -ENOMEM. */
int jl_ops_dup(const char *s, char **ret);

/*
 * A small JSON object writer for event details ({"key":value,...}).
 * Errors are sticky: the first failure is returned by jl_ops_json_end(),
 * which hands over the text and frees the writer.
 */
struct jl_ops_json {
	struct jl_buf b;
	int r;
};
void jl_ops_json_str(struct jl_ops_json *o, const char *k, const char *v);
void jl_ops_json_int(struct jl_ops_json *o, const char *k, long long v);
void jl_ops_json_time(struct jl_ops_json *o, const char *k, int64_t t);
void jl_ops_json_bool(struct jl_ops_json *o, const char *k, bool v);
int jl_ops_json_end(struct jl_ops_json *o, char **ret);

/* A fresh pending grant of user/uid on resource, requested at c->now.
 * 0 or -ENOMEM. */
int jl_ops_grant_new(const struct jl_ctx *c, const char *user, uid_t uid,
    const char *resource, const char *reason, const char *ticket,
    struct jl_grant **ret);
/* The ticket rules of res (required, ticket_pattern).  0, JL_REFUSED or
 * -errno. */
int jl_ops_check_ticket(const struct jl_resource *res, const char *ticket,
    struct jl_error *err);
/* What a request and a break-glass share (ops.c): valid text, an
 * existing resource (*ret_res), a requester, the ticket and unredacted
 * rules.  0, JL_REFUSED or -errno. */
int jl_ops_check_common(const struct jl_ctx *c, const struct jl_request_args *a,
    const struct jl_resource **ret_res, struct jl_error *err);
/*
 * The grant a request or a break-glass a by c asks for: the context
 * checked, then a by check (which sets the resource and the duration on
 * 0); pending, requested at c->now, with a's reason, ticket and
 * unredacted and the resource's approvals.  0, JL_REFUSED or -errno.
 */
int jl_ops_request_grant(const struct jl_ctx *c,
    const struct jl_request_args *a,
    int (*check)(const struct jl_ctx *, const struct jl_request_args *,
        const struct jl_resource **, int64_t *, struct jl_error *),
    struct jl_grant **ret, struct jl_error *err);
/*
 * The end of every action that creates a grant (ops.c, ops_glass.c,
 * ops_extend.c), inside the write transaction the action opened and
 * checked in: the event detail of o (the writer is freed), then insert
 * g, append the event name about g at priority (0: the default) and
 * commit.  Takes g: on 0 it is handed to *ret (freed when ret is NULL);
 * on failure it is freed and the transaction rolled back, so nothing is
 * written.  0 or -errno.
 */
int jl_ops_insert_commit_in(struct jl_ctx *c, const char *name, int priority,
    struct jl_grant *g, struct jl_ops_json *o, struct jl_grant **ret,
    struct jl_error *err);
/*
 * The same in a BEGIN IMMEDIATE transaction of its own, which first runs
 * check when not NULL (it may refuse; then nothing is written).  Takes g
 * and o as jl_ops_insert_commit_in.  0, JL_REFUSED or -errno.
 */
int jl_ops_insert_commit(struct jl_ctx *c, const char *name, int priority,
    int (*check)(struct jl_ctx *, struct jl_error *), struct jl_grant *g,
    struct jl_ops_json *o, struct jl_grant **ret, struct jl_error *err);
/* c->who may request res.  0, JL_REFUSED or -errno. */
int jl_ops_check_requester(const struct jl_ctx *c,
    const struct jl_resource *res, struct jl_error *err);

/*
 * Open the write transaction and load grant id with its resource (NULL
 * when no longer configured).  0 inside the transaction, else rolled
 * back: JL_REFUSED ("no such grant") for an unknown grant and for one
 * the caller may not see (jl_policy_may_see), -errno.  (ops_decide.c)
 */
int jl_ops_begin_load(struct jl_ctx *c, int64_t id, struct jl_grant **ret_g,
    const struct jl_resource **ret_res, struct jl_error *err);

/*
 * The extension chain (ops_extend.c).  When a grant is revoked or
 * cancelled, the extensions that continue it -- pending, scheduled or
 * active, followed down the chain -- end with it, in the same
 * transaction, so that a revoked grant never comes back through an
 * extension approved before or after.
 */
struct jl_ops_chain {
	struct jl_grant **g;
	char **detail;
	size_t n;
};
/*
 * Inside the transaction: end every live extension of g (recursively) as
 * c->who with comment, writing each grant; ch gets the grants and the
 * details of their events.  0 or -errno; free ch with jl_ops_chain_free
 * either way.
 */
int jl_ops_end_chain(struct jl_ctx *c, const struct jl_grant *g,
    const char *comment, struct jl_ops_chain *ch, struct jl_error *err);
/* ev[0..ch->n) = the "revoke" or "cancel" events of the grants of ch. */
void jl_ops_chain_events(const struct jl_ctx *c, const struct jl_ops_chain *ch,
    struct jl_event *ev);
void jl_ops_chain_free(struct jl_ops_chain *ch);
/*
 * Inside the transaction, approving g: refused when g extends a grant
 * that was revoked, denied or cancelled meanwhile (an extension never
 * brings back a grant that was taken away).  0 when g extends nothing.
 */
int jl_ops_check_extends(struct jl_ctx *c, const struct jl_grant *g,
    struct jl_error *err);

/* ev = event name about g by c->who at c->now, with its annotations. */
void jl_ops_event(struct jl_event *ev, const struct jl_ctx *c, const char *name,
    const struct jl_grant *g, const char *detail);

#endif

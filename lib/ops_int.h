/* SPDX-License-Identifier: ISC */
/*
 * Helpers shared by the action files lib/ops.c (request, grant) and
 * lib/ops_decide.c (approve, deny, revoke): the refusal result, the
 * context check, a small JSON object writer for event details and the
 * event every action appends.  Private to lib/ops*.c.
 */
#ifndef JITLOG_OPS_INT_H
#define JITLOG_OPS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "jitlog/audit.h"
#include "jitlog/common.h"
#include "jitlog/config.h"
#include "jitlog/grant.h"
#include "jitlog/ops.h"

/* A decision against the caller: err->msg says why.  Returns JL_REFUSED. */
int jl_ops_refuse(struct jl_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "duration exceeds max_duration 4h"; returns JL_REFUSED. */
int jl_ops_refuse_duration(const struct jl_resource *res, struct jl_error *err);
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

/* ev = event name about g by c->who at c->now, with its annotations. */
void jl_ops_event(struct jl_event *ev, const struct jl_ctx *c, const char *name,
    const struct jl_grant *g, const char *detail);

#endif

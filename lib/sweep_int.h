/* SPDX-License-Identifier: ISC */
/*
 * Private to lib/sweep*.c: the state of one sweep run shared by the
 * grants part (sweep.c) and the sessions part (sweep_session.c).
 */
#ifndef JITLOG_SWEEP_INT_H
#define JITLOG_SWEEP_INT_H

#include "jitlog/common.h"
#include "jitlog/ops.h"
#include "jitlog/sweep.h"

struct jl_sweep_run {
	struct jl_ctx *c;
	struct jl_sweep_stats *st;
	struct jl_error *err; /* the first failure, for the caller */
	int first;            /* its -errno, 0 while none */
	int wait_ms;          /* after each signal */
};

/* Count a failure (r < 0) and keep the first one's message. */
void jl_sweep_note(struct jl_sweep_run *s, int r, const struct jl_error *e);
/* End the sessions whose grant has ended (sweep_session.c). */
void jl_sweep_sessions(struct jl_sweep_run *s);

#endif

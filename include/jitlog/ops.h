/* SPDX-License-Identifier: ISC */
/*
 * Actions: what jitadm, pam_jitlog and jitlogview do to the store, each as
 * one transaction that re-reads the grant, asks the policy, applies the
 * state change, appends its audit row and commits; the event is mirrored
 * to the journal only after COMMIT.  Because the check happens inside the
 * BEGIN IMMEDIATE transaction, concurrent approve/deny/revoke of one grant
 * end with exactly one decision.
 *
 * Convention for every jl_op_*: returns 0 when done, 1 when refused (a
 * decision, not an error: err->msg says why, for the user), -errno on
 * error (err->msg says what).  Nothing is written unless 0 is returned.
 */
#ifndef JITLOG_OPS_H
#define JITLOG_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "jitlog/audit.h"
#include "jitlog/config.h"
#include "jitlog/grant.h"
#include "jitlog/ident.h"
#include "jitlog/store.h"

#define JL_REFUSED 1

struct jl_ctx {
	const struct jl_config *cfg;
	struct jl_store *store;
	const struct jl_ident *who;	/* the actor */
	int64_t now;			/* injected clock */
	const char *prog;		/* journal identifier */
	bool no_journal;		/* unit tests */
};

/*
 * Inside an open transaction: append ev to the audit chain, COMMIT, then
 * mirror ev to the journal.  On any failure the transaction is rolled
 * back and -errno returned.
 */
int jl_ctx_commit_event(struct jl_ctx *c, struct jl_event *ev,
    struct jl_error *err);

#endif

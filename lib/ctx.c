/* SPDX-License-Identifier: ISC */
/*
 * The last step of every action: the audit row goes into the open
 * transaction, the transaction commits, and only then is the event
 * mirrored to the journal.  A journal failure never undoes a commit.
 */
#include <errno.h>

#include "jitlog/journal.h"
#include "jitlog/ops.h"
#include "jitlog/store.h"

int
jl_ctx_commit_event(struct jl_ctx *c, struct jl_event *ev,
    struct jl_error *err)
{
	int r;

	r = jl_store_audit_append(c->store, ev, err);
	if (r < 0)
		goto fail;
	r = jl_store_commit(c->store, err);
	if (r < 0)
		goto fail;
	if (!c->no_journal)
		(void)jl_journal_emit(c->prog, ev);
	return 0;
fail:
	jl_store_rollback(c->store);
	return r;
}

/* SPDX-License-Identifier: ISC */
/*
 * The last step of every action: the audit rows go into the open
 * transaction, the transaction commits, and only then are the events
 * mirrored to the journal and handed to the context's on_commit hook
 * (jitadm collects them there for notify_command).  A journal failure
 * never undoes a commit.
 */
#include <errno.h>

#include "jitlog/journal.h"
#include "jitlog/ops.h"
#include "jitlog/store.h"

int
jl_ctx_commit_events(struct jl_ctx *c, struct jl_event *ev, size_t n,
    struct jl_error *err)
{
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		r = jl_store_audit_append(c->store, &ev[i], err);
		if (r < 0)
			goto fail;
	}
	r = jl_store_commit(c->store, err);
	if (r < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		if (!c->no_journal)
			(void)jl_journal_emit(c->prog, &ev[i]);
		if (c->on_commit != NULL)
			c->on_commit(c->on_commit_arg, &ev[i]);
	}
	return 0;
fail:
	jl_store_rollback(c->store);
	return r;
}

int
jl_ctx_commit_event(struct jl_ctx *c, struct jl_event *ev, struct jl_error *err)
{
	return jl_ctx_commit_events(c, ev, 1, err);
}

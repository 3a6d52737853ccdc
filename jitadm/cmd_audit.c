/* SPDX-License-Identifier: ISC */
/*
 * jitadm audit: the audit trail for admins and auditors (refused for
 * everybody else), as an aligned table or with --json as the array of
 * SPEC section 6; and "audit verify", which walks the hash chain and
 * reports the first broken link (exit 1) or the number of intact events.
 * "audit verify --journal [--since TIME]" (root only) then cross-checks
 * the chain with the journal entries logged since TIME (cmd_journal.c):
 * exit 1 when they disagree.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "jitadm.h"
#include "jitlog/audit.h"
#include "jitlog/policy.h"

struct audit_out {
	struct jl_buf *b;
	struct ja_table t;
	bool json;
	size_t n;
};

/*
 * Admin or auditor: JA_OK, JA_REFUSED or JA_ERROR (message printed).
 * what names the thing refused: "the audit trail is", "reports are".
 */
int
ja_may_audit(const struct ja *ja, const char *what)
{
	enum jl_decision admin = JL_DENY, auditor = JL_DENY;

	if (jl_policy_is_admin(ja->cfg, &ja->who, &admin) < 0 ||
	    jl_policy_is_auditor(ja->cfg, &ja->who, &auditor) < 0) {
		ja_err("cannot look up your groups");
		return JA_ERROR;
	}
	if (admin != JL_ALLOW && auditor != JL_ALLOW) {
		ja_err("%s for admins and auditors only", what);
		return JA_REFUSED;
	}
	return JA_OK;
}

static int
event_row(const struct jl_event *ev, struct ja_table *t)
{
	char seq[24], at[32], gid[24];
	const char *cells[8];

	(void)snprintf(seq, sizeof(seq), "%lld", (long long)ev->seq);
	ja_time(ev->at, at, sizeof(at));
	if (ev->grant_id != 0)
		(void)snprintf(gid, sizeof(gid), "%lld",
		    (long long)ev->grant_id);
	else
		(void)snprintf(gid, sizeof(gid), "-");
	cells[0] = seq;
	cells[1] = at;
	cells[2] = ev->event;
	cells[3] = gid;
	cells[4] = ev->actor;
	cells[5] = ev->user;
	cells[6] = ev->resource;
	cells[7] = ev->detail;
	return ja_table_add(t, cells);
}

static int
event_cb(const struct jl_event *ev, void *p)
{
	struct audit_out *o = p;
	int r = 0;

	if (!o->json)
		r = event_row(ev, &o->t);
	else if (o->n > 0)
		r = jl_buf_puts(o->b, ",\n");
	if (r == 0 && o->json)
		r = jl_event_to_json(ev, o->b);
	o->n++;
	return r;
}

/* The events selected by --since and --grant. */
static int
audit_list(struct ja *ja, const struct ja_args *a)
{
	static const char *const head[8] = { "SEQ", "AT", "EVENT", "GRANT",
		"ACTOR", "USER", "RESOURCE", "DETAIL" };
	struct jl_buf b = { NULL, 0, 0 };
	struct audit_out o = { .b = &b, .t = { .ncols = 8 } };
	struct jl_error err = { "" };
	int r;

	o.json = (a->given & OPT(O_JSON)) != 0;
	r = o.json ? jl_buf_puts(&b, "[") : ja_table_add(&o.t, head);
	if (r == 0)
		r = jl_store_audit_foreach(ja->store,
		    (a->given & OPT(O_SINCE)) ? a->num[O_SINCE] : 0,
		    (a->given & OPT(O_GRANT)) ? a->num[O_GRANT] : 0, event_cb,
		    &o, &err);
	if (r == 0 && o.json)
		r = jl_buf_puts(&b, "]\n");
	else if (r == 0 && o.n > 0)
		r = ja_table_print(&o.t, &b);
	if (r < 0) {
		if (err.msg[0] == '\0')
			(void)snprintf(err.msg, sizeof(err.msg), "%s",
			    strerror(-r));
		r = ja_result(r, &err);
	} else {
		r = ja_write(&b);
	}
	ja_table_free(&o.t);
	jl_buf_free(&b);
	return r;
}

/*
 * Walk the chain, then with --journal compare it with the journal:
 * 0 intact (and consistent), 1 broken or inconsistent (printed), 3 error.
 */
static int
audit_verify(struct ja *ja, const struct ja_args *a)
{
	struct jl_buf b = { NULL, 0, 0 };
	struct jl_error err = { "" };
	bool journal = (a->given & OPT(O_JOURNAL)) != 0, consistent = true;
	int64_t count = 0, bad = 0;
	int r, v;

	if ((a->given & OPT(O_GRANT)) ||
	    ((a->given & OPT(O_SINCE)) && !journal)) {
		ja_err("audit verify: --grant does not apply, --since only "
		       "with --journal");
		return JA_USAGE;
	}
	if (journal && getuid() != 0) {
		ja_err("audit verify --journal is for root only (it reads "
		       "every user's journal)");
		return JA_REFUSED;
	}
	v = jl_store_audit_verify(ja->store, &count, &bad, &err);
	if (v < 0)
		return ja_result(v, &err);
	if (a->given & OPT(O_JSON) && v == 0)
		r = jl_buf_printf(&b, "{\"intact\": true, \"events\": %lld",
		    (long long)count);
	else if (a->given & OPT(O_JSON))
		r = jl_buf_printf(&b,
		        "{\"intact\": false, \"broken_at\": %lld, "
		        "\"why\": ",
		        (long long)bad) ||
		    jl_json_str(&b, err.msg) || jl_buf_puts(&b, "}\n");
	else if (v == 0)
		r = jl_buf_printf(&b, "audit chain intact: %lld events\n",
		    (long long)count);
	else
		r = jl_buf_printf(&b,
		        "audit chain broken at seq %lld: ", (long long)bad) ||
		    ja_esc(&b, err.msg) || jl_buf_puts(&b, "\n");
	r = r != 0 ? JA_ERROR : JA_OK;
	if (r == JA_OK && v == 0 && journal)
		r = ja_verify_journal(ja,
		    (a->given & OPT(O_SINCE)) ? a->num[O_SINCE] : 0,
		    (a->given & OPT(O_JSON)) != 0, &b, &consistent);
	if (r == JA_OK && v == 0 && (a->given & OPT(O_JSON)))
		r = jl_buf_puts(&b, "}\n") != 0 ? JA_ERROR : JA_OK;
	if (r == JA_OK)
		r = ja_write(&b);
	jl_buf_free(&b);
	if (r != JA_OK)
		return r;
	return v == 0 && consistent ? JA_OK : JA_REFUSED;
}

int
ja_cmd_audit(struct ja *ja, const struct ja_args *a)
{
	int r;

	if ((r = ja_may_audit(ja, "the audit trail is")) != JA_OK)
		return r;
	if (a->npos == 1)
		return audit_verify(ja, a);
	if (a->given & OPT(O_JOURNAL)) {
		ja_err("audit: --journal goes with \"audit verify\"");
		return JA_USAGE;
	}
	return audit_list(ja, a);
}

/* SPDX-License-Identifier: ISC */
/*
 * Shared helpers of the PAM tests: a temporary config and store, grants
 * written through the store's own code, service files for
 * pam_start_confdir (real libpam, no /etc/pam.d), a recording
 * conversation, and readers of the audit trail.  Nothing here needs root.
 *
 * Every service file is the stack
 *
 *	TYPE [success=done ignore=ignore default=die] MODULE ARGS
 *	TYPE required pam_deny.so
 *
 * so the stack returns the module's own code, except PAM_IGNORE, which
 * falls through to pam_deny (PAM_AUTH_ERR in account, PAM_SESSION_ERR in
 * session).  pam_jitlog returns neither of those, so ph_* map them back to
 * PAM_IGNORE; test_harness in test_pam_module.c checks this with
 * pam_debug.so.
 */
#ifndef JL_PAM_HARNESS_H
#define JL_PAM_HARNESS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <security/pam_appl.h>

#include "jitlog/grant.h"

#define PH_RES  "payments-debug"
#define PH_RES2 "other-res"

struct ph_env {
	char dir[512]; /* temporary root, removed by ph_teardown */
	char conf[600];
	char db[600];
	char pamdir[600];
	char user[64];      /* a real NSS user: the caller */
	char other[64];     /* another real NSS user */
	char group_in[64];  /* a group user is in */
	char group_out[64]; /* a group user is not in */
};

/* What the conversation was told. */
struct ph_conv {
	char text[4096];
	int n;
};

/* Make the directory, config and store.  0 or -1 (printed). */
int ph_setup(struct ph_env *e, const char *tag);
void ph_teardown(struct ph_env *e);
/* (Re)write the config; extra goes inside the first resource. */
int ph_write_conf(struct ph_env *e, const char *extra);

/* Insert a grant; returns its id or -1. */
int64_t ph_grant(struct ph_env *e, const char *user, const char *resource,
    enum jl_status st, int64_t starts, int64_t expires);
int ph_set_status(struct ph_env *e, int64_t id, enum jl_status st);

/* Write service file name (account and session) for module with args. */
int ph_service(struct ph_env *e, const char *name, const char *module,
    const char *args);

/* pam_start_confdir with a recording conversation; NULL on failure. */
pam_handle_t *ph_start(struct ph_env *e, const char *service, const char *user,
    struct ph_conv *conv);
/* pam_acct_mgmt / pam_open_session / pam_close_session, mapped (above). */
int ph_acct(pam_handle_t *h, int flags);
int ph_open(pam_handle_t *h, int flags);
int ph_close(pam_handle_t *h, int flags);
/* start, call, end in one: which is 'a' (acct) or 'o' (open+close). */
int ph_once(struct ph_env *e, const char *service, const char *user, char which,
    struct ph_conv *conv);

/* The last audit event named event (and of user when not NULL). */
struct ph_event {
	int64_t seq;
	int64_t grant_id;
	char user[64];
	char actor[64];
	char resource[80];
	char detail[4096];
	int count; /* how many matched */
};
int ph_last_event(struct ph_env *e, const char *event, const char *user,
    struct ph_event *ret);

/* Monotonic milliseconds. */
int64_t ph_ms(void);

#endif

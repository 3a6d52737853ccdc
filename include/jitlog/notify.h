/* SPDX-License-Identifier: ISC */
/*
 * Notifications (SPEC section 6, jitlog.conf(5) notify_command): after an
 * action committed, the configured program is run once per notified event
 * with one JSON object on its standard input -- the event as "jitadm
 * audit --json" prints it, plus "notify" (the kind) and, for request,
 * escalate and break_glass, the resource's "approvers" and "escalate_to"
 * principals (who decide, or review).
 *
 * MUST (tests/unit/test_notify.c, tests/integration/ops_notify.sh):
 *  - run only after COMMIT, and never change the outcome of the action: a
 *    failure is reported to the caller, who logs it;
 *  - exec the configured absolute path with no arguments and the
 *    environment PATH=/usr/bin:/bin only;
 *  - never as root and never with the jitlog group: supplementary groups
 *    dropped (when privileged), real, effective and saved ids set to the
 *    account given, then checked (uid 0 and the forbidden gid nowhere,
 *    setuid(0) fails) before exec;
 *  - stdin a pipe carrying the JSON, stdout and stderr /dev/null, no other
 *    fd; default signal dispositions, no blocked signal, its own process
 *    group;
 *  - the caller waits at most the timeout in total (writing and waiting),
 *    then kills the whole process group with SIGKILL and reaps the child;
 *    the caller never dies of SIGPIPE when the program does not read.
 */
#ifndef JITLOG_NOTIFY_H
#define JITLOG_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "jitlog/common.h"
#include "jitlog/config.h"

#define JL_NOTIFY_TIMEOUT_MS 10000
#define JL_NOTIFY_ENV_PATH   "PATH=/usr/bin:/bin"
/* The account notifications run as when jitadm runs as root. */
#define JL_NOTIFY_USER       "nobody"
#define JL_NOTIFY_NOBODY_ID  65534
/* jl_notify_run: the command ran but did not succeed. */
#define JL_NOTIFY_FAILED     1

/*
 * The notification kind of an event: the event's own name for approve,
 * deny, revoke, escalate, expiring, expire and break_glass; "request" for
 * request and extend (an extension is a request to decide); NULL for the
 * events that are not notified.
 */
const char *jl_notify_kind(const char *event);

/*
 * The JSON object for the notify_command: event_json (an object, as
 * jl_event_to_json wrote it) with "notify": kind and, for the kinds
 * "request", "escalate" and "break_glass", "approvers" and "escalate_to"
 * (arrays of principals of res; empty when res is NULL), appended to out.
 * 0 or -errno (-EINVAL when event_json is not an object).
 */
int jl_notify_json(const char *event_json, const char *kind,
    const struct jl_resource *res, struct jl_buf *out);

/*
 * The account a notification runs as, for a caller with real ids ruid and
 * rgid: root's notifications run as "nobody" (its NSS ids, or 65534 when
 * there is none); anyone else's as the caller (a set-group-ID program
 * cannot become anybody else).  0 or -errno.
 */
int jl_notify_account(uid_t ruid, gid_t rgid, uid_t *ret_uid, gid_t *ret_gid);

struct jl_notify_opts {
	const char *command; /* absolute path */
	uid_t uid;           /* run as (never 0) */
	gid_t gid;           /* primary group (never forbidden_gid) */
	gid_t forbidden_gid; /* the jitlog group; (gid_t)-1: none */
	int timeout_ms;      /* 0: JL_NOTIFY_TIMEOUT_MS */
};

/* How the command ended (jl_notify_run). */
struct jl_notify_result {
	bool timed_out; /* killed after the timeout */
	int exit_code;  /* its exit status, -1 when it did not exit */
	int signal;     /* the signal that ended it, 0 when none */
};

/*
 * Run o->command with json[0..len) on its standard input and wait for it.
 * 0 when it exited 0; JL_NOTIFY_FAILED when it could not be executed,
 * exited non-zero, was killed by a signal or timed out (err says which,
 * *ret too); -errno when it could not be started at all (pipe, fork) or o
 * is invalid (uid 0, the forbidden group, a relative path), with err set.
 * ret may be NULL.
 */
int jl_notify_run(const struct jl_notify_opts *o, const char *json, size_t len,
    struct jl_notify_result *ret, struct jl_error *err);

#endif

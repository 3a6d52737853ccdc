/* SPDX-License-Identifier: ISC */
/*
 * The sweep ("jitadm sweep", run every minute by jitlog-sweep.timer): it
 * records what time has done and acts on it.
 *
 *  - an approved grant past its expires_at is marked expired (event
 *    "expire"; detail.continued_by names a grant that holds on from that
 *    moment, such as an approved extension);
 *  - a pending request older than request_ttl is marked lapsed ("lapse");
 *  - a request pending escalate_after or longer is escalated once
 *    ("escalate"): from then on escalate_to may approve it too;
 *  - an active grant with less than remind_before left gets one "expiring"
 *    event (the audit chain remembers that it was sent), unless access
 *    continues after it through another grant;
 *  - where the resource sets terminate_sessions, an open PAM session whose
 *    grant has ended, and whose user holds no other active grant on that
 *    resource, is ended: SIGHUP to the recorded pid and the processes
 *    below it, then SIGTERM, each only while it is still the process seen
 *    (start times checked; signals go through pidfds, so a pid reused in
 *    between is never hit); it is marked terminated
 *    ("session_terminated", detail.outcome "hup", "term" or "gone").
 *
 * Each change is its own BEGIN IMMEDIATE transaction that re-reads the
 * grant and checks again that the change is due, so that a crash mid-way
 * leaves every grant valid, concurrent sweeps and commands serialise, and
 * a second run emits nothing new (idempotent).  Signals are sent outside
 * any transaction.  The clock is c->now (injected); the waits after a
 * signal use the monotonic clock.
 */
#ifndef JITLOG_SWEEP_H
#define JITLOG_SWEEP_H

#include "jitlog/common.h"
#include "jitlog/ops.h"

/* How long a session process gets to end after each signal (ms). */
#define JL_SWEEP_SIGNAL_WAIT_MS 2000

struct jl_sweep_opts {
	int signal_wait_ms; /* 0: JL_SWEEP_SIGNAL_WAIT_MS */
};

struct jl_sweep_stats {
	unsigned expired;
	unsigned lapsed;
	unsigned escalated;
	unsigned reminded;
	unsigned terminated;
	unsigned failed; /* changes that could not be made (see err) */
};

/*
 * One sweep at c->now by c->who (root in jitadm; events name it as the
 * actor).  o may be NULL.  Every step is tried even when one fails.
 * 0 when everything due was done, else the first -errno with err set
 * (ret->failed counts the failures).  *ret is always set.
 */
int jl_sweep(struct jl_ctx *c, const struct jl_sweep_opts *o,
    struct jl_sweep_stats *ret, struct jl_error *err);

/*
 * End the process pid that started at pid_start (clock ticks since boot,
 * /proc/PID/stat field 22) and the processes below it: SIGHUP to all,
 * wait up to wait_ms, then SIGTERM to what is left and wait again; each
 * through a pidfd taken after its start time was checked (sweep_proc.c).
 * Returns 0 "gone" (no such process, or another one under that pid:
 * nothing sent), 1 it ended on SIGHUP, 2 it ended on SIGTERM, -ETIMEDOUT
 * it still runs after both, or -errno.
 */
int jl_sweep_end_process(int64_t pid, int64_t pid_start, int wait_ms);

#endif

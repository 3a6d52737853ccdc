/* SPDX-License-Identifier: ISC */
/*
 * The journal sink: each event mirrored to the systemd journal with a
 * MESSAGE_ID per event type, SYSLOG_IDENTIFIER = the program, and the
 * JITLOG_* fields of SPEC section 6; user text in MESSAGE is escaped.
 * When no journald listens, the event goes to syslog(3) instead.
 * Failure to log never undoes an action that was committed.
 */
#ifndef JITLOG_JOURNAL_H
#define JITLOG_JOURNAL_H

#include "jitlog/audit.h"
#include "jitlog/common.h"

/* 0 or -errno.  ident: "jitadm", "jitlogview", "pam_jitlog". */
int jl_journal_emit(const char *ident, const struct jl_event *ev);
/* The MESSAGE_ID (32 hex chars) of an event type, NULL if unknown.
 * etc/jitlog.catalog documents each id for journalctl -x. */
const char *jl_journal_message_id(const char *event);
/* The MESSAGE text of ev (one line, user text escaped, at most 4096
 * bytes) appended to out.  0 or -ENOMEM. */
int jl_journal_message(const struct jl_event *ev, struct jl_buf *out);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * The journal sink: one structured journal entry per event, with a fixed
 * MESSAGE_ID per event type (the same ids head the entries of
 * etc/jitlog.catalog), a priority, SYSLOG_IDENTIFIER, a one-line MESSAGE
 * and the JITLOG_* fields of SPEC section 6 where they are set.  Without
 * a journald socket, the same text goes to syslog(3) (LOG_AUTHPRIV).
 *
 * MUST: every piece of user text in MESSAGE (and in the syslog line) is
 * escaped with jl_escape_text, so that nobody can forge lines or drive a
 * terminal through a reason, a name or a remote host; field values are
 * capped at 4096 bytes; logging never fails an action (callers ignore the
 * result, this file never exits or aborts); nothing is left behind in the
 * calling process (no cached socket, no openlog state).
 *
 * Why not sd_journal_sendv(3) and syslog(3): both keep a socket open in
 * the process for its lifetime.  pam_jitlog runs inside sshd, su and sudo
 * and must leave no fd behind in its host (SECURITY.md "pam_jitlog"), so
 * each call opens its own datagram socket, speaks journald's native
 * protocol (the one sd_journal_sendv speaks: "KEY=value\n", or for values
 * holding a newline "KEY\n" + 64-bit little-endian length + value + "\n")
 * or the classic syslog protocol to /dev/log, and closes it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "jitlog/escape.h"
#include "jitlog/journal.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#define VALUE_MAX      4096
#define MAX_FIELDS     24

/*
 * One line per event type: name, MESSAGE_ID, default priority, MESSAGE
 * template (%a actor, %u user, %r resource, %g grant id, %f file,
 * %s service; each escaped, "-" when unset).
 */
static const struct event_type {
	const char *name;
	const char *id;
	int prio;
	const char *fmt;
} types[] = {
	{ "request", "aea18c641edd46a99697b8ac8d5d0fc6", LOG_NOTICE,
	    "%u requested access to %r (grant %g)" },
	{ "approve", "fa8594565be5418cbdc48cf88485c14e", LOG_NOTICE,
	    "%a approved grant %g of %u on %r" },
	{ "deny", "06100b412ee343f0a5cd258971dea670", LOG_NOTICE,
	    "%a denied grant %g of %u on %r" },
	{ "grant", "8695bf936efd494f9783296652161124", LOG_NOTICE,
	    "%a granted %u access to %r (grant %g)" },
	{ "revoke", "2dc2e1baf9794689919b3ec81c7808a5", LOG_NOTICE,
	    "%a revoked grant %g of %u on %r" },
	{ "cancel", "d950683a40b840c2935275309a84bc99", LOG_NOTICE,
	    "%a cancelled request %g of %u on %r" },
	{ "expire", "4e96c8dc3dc6465e9616690836ab46d5", LOG_NOTICE,
	    "grant %g of %u on %r expired" },
	{ "lapse", "2a85b88708804b6a9b2e92a9a2f0590f", LOG_NOTICE,
	    "request %g of %u on %r lapsed without a decision" },
	{ "escalate", "a45be3d9df56435a9f84813435caed76", LOG_NOTICE,
	    "request %g of %u on %r escalated" },
	{ "break_glass", "c1e17371eb834b16b7ee8851fce2a3ef", LOG_ALERT,
	    "BREAK-GLASS: %u opened %r without approval (grant %g)" },
	{ "review", "b6c4329a3987490cabe3315da03cbf1a", LOG_NOTICE,
	    "%a reviewed break-glass grant %g of %u on %r" },
	{ "view_open", "b177e1599717437b9e199f54d0b2d2bc", LOG_NOTICE,
	    "%u started viewing %f of %r (grant %g)" },
	{ "view_close", "4b20864681de4aff9da8303c8c8509d7", LOG_NOTICE,
	    "%u stopped viewing %f of %r (grant %g)" },
	{ "view_denied", "8cd82b7a8d464f6386e50f0f966ad4f0", LOG_WARNING,
	    "%u was refused viewing %f of %r" },
	{ "session_open", "67b260b7492848ff908ec890cc80e66b", LOG_NOTICE,
	    "%s session of %u opened under grant %g on %r" },
	{ "session_close", "d85d1a3a87c340cba2e1d3849998421d", LOG_NOTICE,
	    "%s session of %u closed (grant %g on %r)" },
	{ "session_denied", "7768a2c05327469995f8885597757847", LOG_WARNING,
	    "%s login of %u refused: no active grant on %r" },
	{ "session_terminated", "0dce68e9b24a4cf587b15e78e5851a3d", LOG_NOTICE,
	    "%s session of %u terminated: grant %g on %r ended" },
	{ "config_error", "2abdebd19ae64340a24d66cf1aed4dfd", LOG_ERR,
	    "configuration error" },
	{ "extend", "fb6759b8729f452cb98098ebfffff234", LOG_NOTICE,
	    "%u asked to extend access to %r (grant %g)" },
	{ "expiring", "16eccd9fb4ae4e03a9848d0bdbf4a743", LOG_NOTICE,
	    "grant %g of %u on %r expires soon" },
	/* Journal only (jitadm, events.c): notify_command failed. */
	{ "notify_failed", "9d342beda6124b4583098d8949e5293f", LOG_WARNING,
	    "notification about grant %g of %u on %r failed" },
};

static const struct event_type *
find_type(const char *event)
{
	size_t i;

	for (i = 0; event != NULL && i < sizeof(types) / sizeof(*types); i++)
		if (strcmp(types[i].name, event) == 0)
			return &types[i];
	return NULL;
}

/* Contract: see journal.h. */
const char *
jl_journal_message_id(const char *event)
{
	const struct event_type *t = find_type(event);

	return t != NULL ? t->id : NULL;
}

/* User text, escaped; "-" when unset. */
static int
put_text(struct jl_buf *b, const char *s)
{
	char *e;
	int r;

	if (s == NULL)
		return jl_buf_puts(b, "-");
	e = jl_escape_text(s);
	if (e == NULL)
		return -ENOMEM;
	r = jl_buf_puts(b, e);
	free(e);
	return r;
}

static void
format_time(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "%" PRId64, t);
}

static int
expand(struct jl_buf *b, const char *fmt, const struct jl_event *ev)
{
	const char *p, *q;
	int r = 0;

	for (p = fmt; r == 0 && *p != '\0'; p = q) {
		q = strchr(p, '%');
		if (q != p) {
			if (q == NULL)
				q = p + strlen(p);
			r = jl_buf_append(b, p, (size_t)(q - p));
			continue;
		}
		switch (q[1]) {
		case 'a':
			r = put_text(b, ev->actor);
			break;
		case 'u':
			r = put_text(b, ev->user);
			break;
		case 'r':
			r = put_text(b, ev->resource);
			break;
		case 'f':
			r = put_text(b, ev->file);
			break;
		case 's':
			r = put_text(b, ev->service);
			break;
		case 'g':
			r = ev->grant_id != 0 ?
			    jl_buf_printf(b, "%" PRId64, ev->grant_id) :
			    jl_buf_puts(b, "-");
			break;
		default:
			r = -EINVAL;
			break;
		}
		q += 2;
	}
	return r;
}

/* The annotations that are set, after the template. */
static int
suffixes(struct jl_buf *b, const struct jl_event *ev)
{
	char when[32];
	int r = 0;

	if (r == 0 && ev->rhost != NULL)
		r = jl_buf_puts(b, " from ");
	if (r == 0 && ev->rhost != NULL)
		r = put_text(b, ev->rhost);
	if (r == 0 && ev->tty != NULL)
		r = jl_buf_puts(b, " on ");
	if (r == 0 && ev->tty != NULL)
		r = put_text(b, ev->tty);
	if (r == 0 && ev->expires != 0) {
		format_time(ev->expires, when);
		r = jl_buf_printf(b, " until %s", when);
	}
	if (r == 0 && ev->bytes >= 0)
		r = jl_buf_printf(b, ", %" PRId64 " bytes shown", ev->bytes);
	if (r == 0 && ev->ticket != NULL)
		r = jl_buf_puts(b, ", ticket ");
	if (r == 0 && ev->ticket != NULL)
		r = put_text(b, ev->ticket);
	/* The reason is the request's, whatever the event: label it, so that
	 * "revoked ...; reason: x" is not read as the revoker's comment. */
	if (r == 0 && ev->reason != NULL)
		r = jl_buf_puts(b, "; reason: ");
	if (r == 0 && ev->reason != NULL)
		r = put_text(b, ev->reason);
	return r;
}

/* Cut s to at most max bytes on a UTF-8 character boundary. */
static void
cap_utf8(struct jl_buf *b, size_t max)
{
	size_t n = b->len;

	if (n <= max)
		return;
	n = max;
	while (n > 0 && ((unsigned char)b->data[n] & 0xc0) == 0x80)
		n--;
	b->len = n;
	b->data[n] = '\0';
}

/*
 * Contract (additive to the header's first version): the one-line human
 * summary of ev, as in MESSAGE, appended to out.  User text is escaped;
 * at most 4096 bytes, cut on a character boundary.  0 or -errno.
 */
int
jl_journal_message(const struct jl_event *ev, struct jl_buf *out)
{
	const struct event_type *t = find_type(ev->event);
	struct jl_buf b = { 0 };
	int r;

	if (t != NULL) {
		r = expand(&b, t->fmt, ev);
	} else {
		r = jl_buf_puts(&b, "jitlog event ");
		if (r == 0)
			r = put_text(&b, ev->event);
		if (r == 0)
			r = expand(&b, " (grant %g, user %u, resource %r)", ev);
	}
	if (r == 0)
		r = suffixes(&b, ev);
	if (r == 0) {
		cap_utf8(&b, VALUE_MAX);
		r = jl_buf_append(out, b.data, b.len);
	}
	jl_buf_free(&b);
	return r;
}

static int
event_priority(const struct jl_event *ev)
{
	const struct event_type *t;

	if (ev->priority > 0 && ev->priority <= LOG_DEBUG)
		return ev->priority;
	t = find_type(ev->event);
	return t != NULL ? t->prio : LOG_NOTICE;
}

/* Fields are appended to one buffer; their offsets become iovecs once
 * the buffer stops moving. */
struct fields {
	struct jl_buf b;
	size_t off[MAX_FIELDS], len[MAX_FIELDS];
	size_t n;
};

static int
add_field(struct fields *f, const char *key, const char *val, size_t vlen)
{
	size_t start = f->b.len;
	int r;

	if (val == NULL)
		return 0;
	if (f->n == MAX_FIELDS)
		return -E2BIG;
	if (vlen > VALUE_MAX)
		vlen = VALUE_MAX;
	r = jl_buf_printf(&f->b, "%s=", key);
	if (r == 0)
		r = jl_buf_append(&f->b, val, vlen);
	if (r < 0)
		return r;
	f->off[f->n] = start;
	f->len[f->n] = f->b.len - start;
	f->n++;
	return 0;
}

static int
add_str(struct fields *f, const char *key, const char *val)
{
	return add_field(f, key, val, val != NULL ? strlen(val) : 0);
}

static int
add_int(struct fields *f, const char *key, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRId64, v);
	return add_str(f, key, num);
}

static int
build_fields(struct fields *f, const char *ident, const struct jl_event *ev,
    const char *msg)
{
	char when[32];
	int r;

	r = add_str(f, "MESSAGE", msg);
	if (r == 0)
		r = add_str(f, "MESSAGE_ID", jl_journal_message_id(ev->event));
	if (r == 0)
		r = add_int(f, "PRIORITY", event_priority(ev));
	if (r == 0)
		r = add_int(f, "SYSLOG_FACILITY", LOG_AUTHPRIV >> 3);
	if (r == 0)
		r = add_str(f, "SYSLOG_IDENTIFIER", ident);
	if (r == 0)
		r = add_str(f, "JITLOG_EVENT", ev->event);
	if (r == 0 && ev->grant_id != 0)
		r = add_int(f, "JITLOG_GRANT_ID", ev->grant_id);
	if (r == 0)
		r = add_str(f, "JITLOG_USER", ev->user);
	if (r == 0)
		r = add_str(f, "JITLOG_ACTOR", ev->actor);
	if (r == 0)
		r = add_str(f, "JITLOG_RESOURCE", ev->resource);
	if (r == 0)
		r = add_str(f, "JITLOG_FILE", ev->file);
	if (r == 0)
		r = add_str(f, "JITLOG_REASON", ev->reason);
	if (r == 0)
		r = add_str(f, "JITLOG_TICKET", ev->ticket);
	if (r == 0 && ev->expires != 0) {
		format_time(ev->expires, when);
		r = add_str(f, "JITLOG_EXPIRES", when);
	}
	if (r == 0)
		r = add_str(f, "JITLOG_SERVICE", ev->service);
	if (r == 0)
		r = add_str(f, "JITLOG_RHOST", ev->rhost);
	if (r == 0)
		r = add_str(f, "JITLOG_TTY", ev->tty);
	if (r == 0 && ev->bytes >= 0)
		r = add_int(f, "JITLOG_BYTES", ev->bytes);
	if (r == 0 && ev->seq > 0)
		r = add_int(f, "JITLOG_AUDIT_SEQ", ev->seq);
	if (r == 0 && ev->hash[0] != '\0')
		r = add_str(f, "JITLOG_AUDIT_HASH", ev->hash);
	return r;
}

/* Send one datagram to the unix socket at path on a socket of our own. */
static int
send_datagram(const char *path, const void *buf, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, buf, len, MSG_NOSIGNAL, (const struct sockaddr *)&sa,
	        sizeof(sa)) < 0)
		r = -errno;
	(void)close(fd);
	return r;
}

/* Journald's native protocol, one datagram for the whole entry. */
static int
send_journal(const struct fields *f)
{
	struct jl_buf d = { 0 };
	const char *field, *eq;
	uint64_t vlen;
	uint8_t le[8];
	size_t i, k;
	int r = 0;

	for (i = 0; r == 0 && i < f->n; i++) {
		field = f->b.data + f->off[i];
		eq = memchr(field, '=', f->len[i]);
		if (eq == NULL)
			continue;
		if (memchr(eq + 1, '\n',
		        f->len[i] - (size_t)(eq + 1 - field)) == NULL) {
			r = jl_buf_append(&d, field, f->len[i]);
		} else {
			vlen = (uint64_t)(f->len[i] - (size_t)(eq + 1 - field));
			for (k = 0; k < 8; k++)
				le[k] = (uint8_t)(vlen >> (8 * k));
			r = jl_buf_append(&d, field, (size_t)(eq - field));
			if (r == 0)
				r = jl_buf_append(&d, "\n", 1);
			if (r == 0)
				r = jl_buf_append(&d, le, sizeof(le));
			if (r == 0)
				r = jl_buf_append(&d, eq + 1, (size_t)vlen);
		}
		if (r == 0)
			r = jl_buf_append(&d, "\n", 1);
	}
	if (r == 0)
		r = send_datagram(JOURNAL_SOCKET, d.data, d.len);
	jl_buf_free(&d);
	return r;
}

/* RFC 3164 to /dev/log: "<PRI>Mmm dd hh:mm:ss line" (line has "ident: "). */
static int
send_syslog(int prio, const char *line)
{
	struct jl_buf d = { 0 };
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	int r;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm) == 0)
		stamp[0] = '\0';
	r = jl_buf_printf(&d, "<%d>%s %s", LOG_AUTHPRIV | prio, stamp, line);
	if (r == 0)
		r = send_datagram("/dev/log", d.data, d.len);
	jl_buf_free(&d);
	return r;
}

/* ' KEY="value"' with the value escaped, then '"' and '\\' quoted. */
static int
put_kv(struct jl_buf *out, const char *field, size_t len)
{
	const char *eq = memchr(field, '=', len);
	char *raw, *e, *v;
	int r;

	if (eq == NULL)
		return 0;
	raw = strndup(eq + 1, len - (size_t)(eq + 1 - field));
	e = raw != NULL ? jl_escape_text(raw) : NULL;
	free(raw);
	if (e == NULL)
		return -ENOMEM;
	r = jl_buf_printf(out, " %.*s=\"", (int)(eq - field), field);
	for (v = e; r == 0 && *v != '\0'; v++)
		r = *v == '"' || *v == '\\' ? jl_buf_printf(out, "\\%c", *v) :
		                              jl_buf_append(out, v, 1);
	if (r == 0)
		r = jl_buf_puts(out, "\"");
	free(e);
	return r;
}

/* "ident: MESSAGE KEY=\"value\" ..." for syslog, every value escaped. */
static int
syslog_line(const struct fields *f, const char *ident, const char *msg,
    struct jl_buf *out)
{
	const char *field;
	size_t i;
	int r;

	r = put_text(out, ident);
	if (r == 0)
		r = jl_buf_printf(out, ": %s", msg);
	/* MESSAGE, PRIORITY and SYSLOG_*: syslog carries those itself. */
	for (i = 0; r == 0 && i < f->n; i++) {
		field = f->b.data + f->off[i];
		if (strncmp(field, "MESSAGE=", 8) != 0 &&
		    strncmp(field, "PRIORITY=", 9) != 0 &&
		    strncmp(field, "SYSLOG_", 7) != 0)
			r = put_kv(out, field, f->len[i]);
	}
	return r;
}

/*
 * Contract: see journal.h.  The JITLOG_* values are escaped before they
 * go into the syslog line (plain text); in the journal they are raw.
 */
int
jl_journal_emit(const char *ident, const struct jl_event *ev)
{
	struct fields f = { .n = 0 };
	struct jl_buf msg = { 0 }, line = { 0 };
	struct stat sb;
	int r;

	r = jl_journal_message(ev, &msg);
	if (r == 0)
		r = build_fields(&f, ident, ev, msg.data);
	if (r < 0)
		goto out;
	if (lstat(JOURNAL_SOCKET, &sb) == 0 && S_ISSOCK(sb.st_mode)) {
		r = send_journal(&f);
		if (r == 0)
			goto out;
	}
	r = syslog_line(&f, ident, msg.data, &line);
	if (r == 0)
		r = send_syslog(event_priority(ev), line.data);
out:
	jl_buf_free(&line);
	jl_buf_free(&msg);
	jl_buf_free(&f.b);
	return r;
}

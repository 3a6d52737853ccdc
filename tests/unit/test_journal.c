/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the journal sink (lib/journal.c) that need no journald:
 * every event type of SPEC section 6 (plus extend, expiring and the
 * journal-only notify_failed) has its
 * own MESSAGE_ID, etc/jitlog.catalog documents each of them (and nothing
 * else) with Subject, Defined-By, Documentation and a body, and MESSAGE
 * escapes user text and stays one bounded line.  Sending to journald is
 * tested end to end by the integration tests.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>

#include "jitlog/audit.h"
#include "jitlog/journal.h"
#include "t.h"

#define CATALOG JL_TEST_DATA "/../../etc/jitlog.catalog"

static const char *const events[] = { "request", "approve", "deny", "grant",
	"revoke", "cancel", "expire", "lapse", "escalate", "break_glass",
	"review", "view_open", "view_close", "view_denied", "session_open",
	"session_close", "session_denied", "session_terminated", "config_error",
	"extend", "expiring", "notify_failed" };
#define NEVENTS (sizeof(events) / sizeof(*events))

static bool
is_id(const char *s)
{
	size_t i;

	for (i = 0; i < 32; i++)
		if (!isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return false;
	return s[32] == '\0';
}

static void
test_ids(void)
{
	size_t i, j;
	const char *a, *b;

	for (i = 0; i < NEVENTS; i++) {
		a = jl_journal_message_id(events[i]);
		T_ASSERT(a != NULL && is_id(a));
		for (j = 0; a != NULL && j < i; j++) {
			b = jl_journal_message_id(events[j]);
			T_ASSERT(b == NULL || strcmp(a, b) != 0);
		}
	}
	T_ASSERT(jl_journal_message_id("nonsense") == NULL);
	T_ASSERT(jl_journal_message_id("") == NULL);
	T_ASSERT(jl_journal_message_id(NULL) == NULL);
}

struct entry {
	char id[33];
	bool subject, defined_by, documentation, body;
};

/* Parse the catalog: "-- ID" starts an entry, headers until a blank
 * line, then the body.  Returns the number of entries. */
static size_t
parse_catalog(struct entry *v, size_t max)
{
	FILE *f = fopen(CATALOG, "r");
	char line[1024];
	size_t n = 0;
	bool in_headers = false;
	struct entry *e = NULL;

	T_ASSERT(f != NULL);
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "-- ", 3) == 0) {
			T_ASSERT(n < max);
			if (n == max)
				break;
			e = &v[n++];
			memset(e, 0, sizeof(*e));
			snprintf(e->id, sizeof(e->id), "%.32s", line + 3);
			T_ASSERT(strlen(line + 3) == 32 && is_id(line + 3));
			in_headers = true;
		} else if (e == NULL || line[0] == '#') {
			continue;
		} else if (in_headers && line[0] == '\0') {
			in_headers = false;
		} else if (in_headers) {
			e->subject |= strncmp(line, "Subject: ", 9) == 0;
			e->defined_by |=
			    strcmp(line, "Defined-By: jitlog") == 0;
			e->documentation |=
			    strncmp(line, "Documentation: man:", 19) == 0;
		} else {
			e->body |= line[0] != '\0';
		}
	}
	if (f != NULL)
		fclose(f);
	return n;
}

static void
test_catalog(void)
{
	struct entry v[64];
	size_t n, i, j;
	const char *id;
	int found;

	n = parse_catalog(v, 64);
	T_ASSERT_INTEQ(n, NEVENTS);
	for (i = 0; i < NEVENTS; i++) {
		id = jl_journal_message_id(events[i]);
		found = 0;
		for (j = 0; id != NULL && j < n; j++) {
			if (strcmp(v[j].id, id) != 0)
				continue;
			found++;
			T_ASSERT(v[j].subject && v[j].defined_by &&
			    v[j].documentation && v[j].body);
		}
		if (found != 1)
			fprintf(stderr, "catalog: %s (%s) appears %d times\n",
			    events[i], id, found);
		T_ASSERT_INTEQ(found, 1);
	}
}

static char *
message(const struct jl_event *ev)
{
	struct jl_buf b = { 0 };
	char *s = NULL;

	T_ASSERT_INTEQ(jl_journal_message(ev, &b), 0);
	T_ASSERT_INTEQ(jl_buf_steal(&b, &s), 0);
	jl_buf_free(&b);
	return s;
}

static void
test_message(void)
{
	struct jl_event ev;
	char big[10000], *m;
	size_t i;

	jl_event_init(&ev, "approve", 1795687205);
	ev.grant_id = 12;
	ev.actor = "bob";
	ev.user = "alice";
	ev.resource = "payments-debug";
	ev.expires = 1795690805;
	m = message(&ev);
	T_ASSERT_STREQ(m,
	    "bob approved grant 12 of alice on payments-debug "
	    "until 2026-11-26T11:00:05Z");
	free(m);

	/* Hostile user text: escape sequences, newlines, bidi. */
	jl_event_init(&ev, "request", 1);
	ev.grant_id = 3;
	ev.user = "eve\x1b[2J";
	ev.resource = "payments";
	ev.reason = "fix\nFAKE: root approved grant 3\xe2\x80\xae";
	m = message(&ev);
	T_ASSERT(m != NULL && strchr(m, '\x1b') == NULL);
	T_ASSERT(m != NULL && strchr(m, '\n') == NULL);
	T_ASSERT(m != NULL && strstr(m, "\xe2\x80\xae") == NULL);
	T_ASSERT(m != NULL && strstr(m, "eve\\x1b[2J") != NULL);
	T_ASSERT(m != NULL && strstr(m, "fix\\x0aFAKE") != NULL);
	free(m);

	/* Bounded, cut on a character boundary. */
	for (i = 0; i + 2 < sizeof(big); i += 2) {
		big[i] = '\xc3';
		big[i + 1] = '\xa9';
	}
	big[i] = '\0';
	ev.reason = big;
	m = message(&ev);
	T_ASSERT(m != NULL && strlen(m) <= 4096 && strlen(m) > 4000);
	T_ASSERT(m != NULL && ((unsigned char)m[strlen(m) - 1] == 0xa9));
	free(m);

	/* Every known type renders; an unknown one still says what. */
	for (i = 0; i < NEVENTS; i++) {
		jl_event_init(&ev, events[i], 1);
		m = message(&ev);
		T_ASSERT(m != NULL && m[0] != '\0' && strchr(m, '%') == NULL);
		free(m);
	}
	jl_event_init(&ev, "weird\x07", 1);
	m = message(&ev);
	T_ASSERT(m != NULL && strstr(m, "weird\\x07") != NULL);
	free(m);
}

int
main(void)
{
	T_RUN(test_ids);
	T_RUN(test_catalog);
	T_RUN(test_message);
	return T_DONE();
}

/* SPDX-License-Identifier: ISC */
/*
 * jitadm audit verify --journal (root only): each event of the store
 * carries its chain hash into its journal entry (JITLOG_AUDIT_SEQ,
 * JITLOG_AUDIT_HASH), so a history rewritten in the store, even with a
 * recomputed chain, shows against the journal; so do rows deleted from
 * the end of the chain, whose entries stay in the journal.  This file
 * reads the journal through sd-journal(3), looks up the entries of
 * every seq of the store, and sorts them by what journald vouches for.
 *
 * MUST (SECURITY.md "Audit"; tests/integration/audit_journal.sh):
 *  - trust only journald's own fields: an entry counts when its _UID is
 *    0 (jitadm run by root, sshd, sudo, sweep) or its _EXE is one of the
 *    installed jitlog programs or su (the PAM host that keeps the
 *    caller's uid); SYSLOG_IDENTIFIER is never read -- anyone can send
 *    "logger -t jitadm";
 *  - a trusted entry whose hash differs from the store's, or a trusted
 *    entry with a seq beyond the store's last event: inconsistent (exit
 *    1); an entry nobody vouches for neither confirms nor contradicts
 *    (reported, no effect on the exit status);
 *  - an event missing from the journal is a warning (rotation, journald
 *    down), not a failure;
 *  - nothing the store says decides which entries count (whoever rewrote
 *    it could have moved the times of its events to dodge their genuine
 *    entries): every trusted entry counts, except those logged before
 *    --since, a time root gives when the store was initialised anew
 *    (entries of the earlier store then carry the same seqs);
 *  - run only for real uid 0 (it reads every user's journal).
 *
 * libsystemd (and what it pulls in: libgcrypt, liblzma, libzstd, ...) is
 * loaded here, with dlopen(3), only when this command runs: every other
 * jitadm run, setgid and frequent, loads none of it.  The soname is looked
 * up in the system's library directories only (the environment was
 * cleared at start, and ld.so ignores it in a set-id program anyway).
 *
 * Limits, said in jitadm(8): journald reads _EXE from /proc when the
 * entry arrives, so the entry of a short-lived jitadm run by a user may
 * lack it (then it is "unconfirmed"), and a user who sends a forged
 * entry and execs jitadm at once can win that race: such a forgery can
 * raise a false alarm, never hide a rewrite, because the genuine entry
 * stays in the journal and still contradicts a rewritten store.
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "jitadm.h"
#include "jitlog/audit.h"
#include "jitlog/parse.h"

#ifndef JA_BINDIR
#define JA_BINDIR "/usr/bin"
#endif

/* Entries listed one by one in the output; the rest are counted. */
#define LIST_MAX 100

/* Programs whose entries count whatever their uid. */
static const char *const trusted_exe[] = {
	JA_BINDIR "/jitadm",
	JA_BINDIR "/jitlogview",
	"/usr/bin/su",
	"/bin/su",
};

/* One event of the store. */
struct sev {
	int64_t seq, at;
	char hash[JL_HASH_HEX];
};

/* What journald says about one entry. */
struct entry {
	uint64_t usec;
	char uid[24];
	char exe[512];
	char hash[JL_HASH_HEX + 8];
	bool trusted;
};

/* A trusted entry that contradicts the store. */
struct finding {
	int64_t seq;
	char store_hash[JL_HASH_HEX]; /* "" when the store has no such seq */
	struct entry e;
};

struct check {
	struct sev *ev;
	size_t n, cap;
	size_t confirmed, unconfirmed, missing, untrusted_conflicts, older;
	uint64_t since_usec;  /* entries logged before are ignored */
	int64_t *missing_seq; /* the seqs missing, in order */
	struct finding bad[LIST_MAX];
	size_t nbad, nbad_total;
	int64_t *beyond; /* seqs beyond the store's end with trusted entries */
	size_t nbeyond;
};

static int
add_event(const struct jl_event *ev, void *p)
{
	struct check *c = p;
	struct sev *nv;

	if (c->n == c->cap) {
		nv = reallocarray(c->ev, c->cap == 0 ? 256 : c->cap * 2,
		    sizeof(*nv));
		if (nv == NULL)
			return -ENOMEM;
		c->ev = nv;
		c->cap = c->cap == 0 ? 256 : c->cap * 2;
	}
	c->ev[c->n].seq = ev->seq;
	c->ev[c->n].at = ev->at;
	memcpy(c->ev[c->n].hash, ev->hash, JL_HASH_HEX);
	c->n++;
	return 0;
}

/* The sd-journal(3) calls used here, from libsystemd.so.0 (sdj_load). */
static struct {
	__typeof__(&sd_journal_open) open;
	__typeof__(&sd_journal_close) close;
	__typeof__(&sd_journal_next) next;
	__typeof__(&sd_journal_get_data) get_data;
	__typeof__(&sd_journal_get_realtime_usec) get_realtime_usec;
	__typeof__(&sd_journal_add_match) add_match;
	__typeof__(&sd_journal_flush_matches) flush_matches;
	__typeof__(&sd_journal_seek_head) seek_head;
	__typeof__(&sd_journal_query_unique) query_unique;
	__typeof__(&sd_journal_restart_unique) restart_unique;
	__typeof__(&sd_journal_enumerate_available_unique)
	    enumerate_available_unique;
} sdj;

/* dlsym(h, "sd_journal_<f>") into sdj.f; false when it is missing.  (No
 * warning for the object-to-function pointer cast, which POSIX makes
 * well defined for dlsym.) */
#define SDJ_LOAD(f)                                                            \
	((sdj.f = (__typeof__(sdj.f))dlsym(h, "sd_journal_" #f)) != NULL)

/* Load libsystemd and the calls above.  0, or -errno with err set. */
static int
sdj_load(struct jl_error *err)
{
	const char *e;
	void *h;

	/* Kept loaded: jitadm runs one command and exits. */
	if ((h = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL)) == NULL) {
		e = dlerror();
		return jl_error_set(err, ENOENT, "cannot load libsystemd: %s",
		    e != NULL ? e : "unknown error");
	}
	if (!(SDJ_LOAD(open) && SDJ_LOAD(close) && SDJ_LOAD(next) &&
	        SDJ_LOAD(get_data) && SDJ_LOAD(get_realtime_usec) &&
	        SDJ_LOAD(add_match) && SDJ_LOAD(flush_matches) &&
	        SDJ_LOAD(seek_head) && SDJ_LOAD(query_unique) &&
	        SDJ_LOAD(restart_unique) &&
	        SDJ_LOAD(enumerate_available_unique))) {
		e = dlerror();
		return jl_error_set(err, ENOSYS, "libsystemd.so.0: %s",
		    e != NULL ? e : "a call is missing");
	}
	return 0;
}

/* The store's events, all of them, in seq order.  0 or -errno. */
static int
load_events(struct ja *ja, struct check *c, struct jl_error *err)
{
	c->n = 0;
	return jl_store_audit_foreach(ja->store, 0, 0, add_event, c, err);
}

/* Field name of the current entry into buf ("" when absent). */
static int
field(sd_journal *j, const char *name, char *buf, size_t len)
{
	const char *d = NULL;
	size_t n = 0, k = strlen(name);
	int r;

	buf[0] = '\0';
	r = sdj.get_data(j, name, (const void **)&d, &n);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (n <= k || memcmp(d, name, k) != 0 || d[k] != '=')
		return 0;
	n -= k + 1;
	if (n >= len) /* longer than any value we expect: keep it unequal */
		n = len - 1;
	memcpy(buf, d + k + 1, n);
	buf[n] = '\0';
	return 0;
}

static bool
is_trusted(const struct entry *e)
{
	size_t i;

	if (strcmp(e->uid, "0") == 0)
		return true;
	for (i = 0; i < sizeof(trusted_exe) / sizeof(*trusted_exe); i++)
		if (strcmp(e->exe, trusted_exe[i]) == 0)
			return true;
	return false;
}

/* What journald recorded about the current entry.  0 or -errno. */
static int
read_entry(sd_journal *j, struct entry *e)
{
	int r;

	memset(e, 0, sizeof(*e));
	if ((r = sdj.get_realtime_usec(j, &e->usec)) < 0 ||
	    (r = field(j, "_UID", e->uid, sizeof(e->uid))) < 0 ||
	    (r = field(j, "_EXE", e->exe, sizeof(e->exe))) < 0 ||
	    (r = field(j, "JITLOG_AUDIT_HASH", e->hash, sizeof(e->hash))) < 0)
		return r;
	e->trusted = is_trusted(e);
	return 0;
}

/* Look up the entries of seq: position j at the first of them. */
static int
match_seq(sd_journal *j, int64_t seq)
{
	char m[64];
	int r;

	sdj.flush_matches(j);
	(void)snprintf(m, sizeof(m), "JITLOG_AUDIT_SEQ=%" PRId64, seq);
	if ((r = sdj.add_match(j, m, 0)) < 0)
		return r;
	return sdj.seek_head(j);
}

static void
add_bad(struct check *c, int64_t seq, const char *store_hash,
    const struct entry *e)
{
	struct finding *f;

	c->nbad_total++;
	if (c->nbad == LIST_MAX)
		return;
	f = &c->bad[c->nbad++];
	f->seq = seq;
	(void)snprintf(f->store_hash, sizeof(f->store_hash), "%s",
	    store_hash != NULL ? store_hash : "");
	f->e = *e;
}

/* Every journal entry of store event s.  0 or -errno. */
static int
check_event(sd_journal *j, struct check *c, const struct sev *s)
{
	size_t tmatch = 0, tconflict = 0, umatch = 0, uconflict = 0;
	struct entry e;
	int r;

	if ((r = match_seq(j, s->seq)) < 0)
		return r;
	while ((r = sdj.next(j)) > 0) {
		if ((r = read_entry(j, &e)) < 0)
			return r;
		if (e.usec < c->since_usec) {
			c->older++;
			continue;
		}
		if (strcmp(e.hash, s->hash) == 0 && e.trusted) {
			tmatch++;
		} else if (strcmp(e.hash, s->hash) == 0) {
			umatch++;
		} else if (e.trusted) {
			tconflict++;
			add_bad(c, s->seq, s->hash, &e);
		} else {
			uconflict++;
		}
	}
	if (r < 0)
		return r;
	c->untrusted_conflicts += uconflict;
	if (tconflict > 0)
		return 0;
	if (tmatch > 0)
		c->confirmed++;
	else if (umatch + uconflict > 0)
		c->unconfirmed++;
	else
		c->missing_seq[c->missing++] = s->seq;
	return 0;
}

/* A trusted entry of seq at or after usec?  1, 0 or -errno. */
static int
trusted_after(sd_journal *j, int64_t seq, uint64_t usec, struct entry *ret)
{
	struct entry e;
	int r;

	if ((r = match_seq(j, seq)) < 0)
		return r;
	while ((r = sdj.next(j)) > 0) {
		if ((r = read_entry(j, &e)) < 0)
			return r;
		if (e.trusted && e.usec >= usec) {
			*ret = e;
			return 1;
		}
	}
	return r;
}

/*
 * The seqs beyond the store's last event (all of them for an empty
 * store) that journal entries carry; check_beyond sorts out which of
 * them trusted entries carry.  0 or -errno.
 */
static int
find_beyond(sd_journal *j, struct check *c)
{
	int64_t last = c->n > 0 ? c->ev[c->n - 1].seq : 0;
	const void *d;
	size_t n, k = strlen("JITLOG_AUDIT_SEQ=");
	uint64_t v;
	char num[32];
	int64_t *nv;
	int r;

	sdj.flush_matches(j);
	if ((r = sdj.query_unique(j, "JITLOG_AUDIT_SEQ")) < 0)
		return r;
	sdj.restart_unique(j);
	while (sdj.enumerate_available_unique(j, &d, &n) > 0) {
		if (n <= k || n - k >= sizeof(num))
			continue;
		memcpy(num, (const char *)d + k, n - k);
		num[n - k] = '\0';
		if (jl_parse_uint(num, INT64_MAX, &v) < 0 || (int64_t)v <= last)
			continue;
		nv = reallocarray(c->beyond, c->nbeyond + 1, sizeof(*nv));
		if (nv == NULL)
			return -ENOMEM;
		c->beyond = nv;
		c->beyond[c->nbeyond++] = (int64_t)v;
	}
	return 0;
}

static int
cmp_seq(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static const struct sev *
find_sev(const struct check *c, int64_t seq)
{
	size_t lo = 0, hi = c->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c->ev[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n && c->ev[lo].seq == seq ? &c->ev[lo] : NULL;
}

/*
 * The candidates of find_beyond against the store read anew: an event
 * committed while we read the journal is not a deleted row; its hash
 * must match, though.  0 or -errno.
 */
static int
check_beyond(struct ja *ja, sd_journal *j, struct check *c,
    struct jl_error *err)
{
	const struct sev *s;
	struct entry e;
	size_t i, kept = 0;
	int r;

	if (c->nbeyond == 0)
		return 0;
	qsort(c->beyond, c->nbeyond, sizeof(*c->beyond), cmp_seq);
	if ((r = load_events(ja, c, err)) < 0)
		return r;
	for (i = 0; i < c->nbeyond; i++) {
		r = trusted_after(j, c->beyond[i], c->since_usec, &e);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		s = find_sev(c, c->beyond[i]);
		if (s != NULL && strcmp(s->hash, e.hash) == 0)
			continue;
		if (s != NULL) {
			add_bad(c, s->seq, s->hash, &e);
			continue;
		}
		c->beyond[kept++] = c->beyond[i];
		add_bad(c, c->beyond[i], NULL, &e);
	}
	c->nbeyond = kept;
	return 0;
}

/* The whole cross-check into c.  0, -errno (err says what). */
static int
run_check(struct ja *ja, struct check *c, struct jl_error *err)
{
	sd_journal *j = NULL;
	size_t i;
	int r;

	if ((r = jl_store_begin_read(ja->store, err)) < 0)
		return r;
	r = load_events(ja, c, err);
	jl_store_rollback(ja->store);
	if (r < 0)
		return r;
	if (c->n > 0 &&
	    (c->missing_seq = calloc(c->n, sizeof(*c->missing_seq))) == NULL)
		return jl_error_set(err, ENOMEM, "out of memory");
	if ((r = sdj_load(err)) < 0)
		return r;
	if ((r = sdj.open(&j, SD_JOURNAL_LOCAL_ONLY)) < 0)
		return jl_error_set(err, r, "cannot open the journal: %s",
		    strerror(-r));
	for (i = 0; r == 0 && i < c->n; i++)
		r = check_event(j, c, &c->ev[i]);
	if (r == 0)
		r = find_beyond(j, c);
	if (r < 0)
		r = jl_error_set(err, r, "cannot read the journal: %s",
		    strerror(-r));
	else
		r = check_beyond(ja, j, c, err);
	sdj.close(j);
	return r;
}

/* "1-5, 9, 12-13" (human) or "[1, 5], [9, 9]" (json): the first LIST_MAX
 * ranges of the sorted v[0..n), then "..." (human only). */
static int
put_ranges(struct jl_buf *b, const int64_t *v, size_t n, bool json)
{
	size_t i = 0, k, nr = 0;
	int r = 0;

	while (r == 0 && i < n && nr < LIST_MAX) {
		for (k = i; k + 1 < n && v[k + 1] == v[k] + 1; k++)
			;
		if (json)
			r = jl_buf_printf(b, "%s[%" PRId64 ", %" PRId64 "]",
			    nr > 0 ? ", " : "", v[i], v[k]);
		else if (k == i)
			r = jl_buf_printf(b, "%s%" PRId64, nr > 0 ? ", " : "",
			    v[i]);
		else
			r = jl_buf_printf(b, "%s%" PRId64 "-%" PRId64,
			    nr > 0 ? ", " : "", v[i], v[k]);
		nr++;
		i = k + 1;
	}
	if (r == 0 && i < n && !json)
		r = jl_buf_puts(b, ", ...");
	return r;
}

/* "_UID=0 _EXE=/usr/bin/jitadm", escaped. */
static int
put_sender(struct jl_buf *b, const struct entry *e)
{
	int r;

	r = jl_buf_puts(b, "_UID=");
	r = r ? r : ja_esc(b, e->uid[0] != '\0' ? e->uid : "-");
	r = r ? r : jl_buf_puts(b, " _EXE=");
	r = r ? r : ja_esc(b, e->exe[0] != '\0' ? e->exe : "-");
	return r;
}

static int
human_finding(struct jl_buf *b, const struct check *c, const struct finding *f)
{
	int r;

	if (f->store_hash[0] != '\0')
		r = jl_buf_printf(b,
		    "journal: seq %" PRId64 " differs: the store has %s, a "
		    "trusted entry (",
		    f->seq, f->store_hash);
	else
		r = jl_buf_printf(b,
		    "journal: seq %" PRId64 " is missing from the store, "
		    "which ends at seq %" PRId64 ", but a trusted entry (",
		    f->seq, c->n > 0 ? c->ev[c->n - 1].seq : 0);
	r = r ? r : put_sender(b, &f->e);
	r = r ? r : jl_buf_puts(b, ") has ");
	r = r ? r : ja_esc(b, f->e.hash[0] != '\0' ? f->e.hash : "no hash");
	r = r ? r : jl_buf_puts(b, "\n");
	return r;
}

static int
human(struct jl_buf *b, const struct check *c)
{
	size_t i;
	int r;

	r = jl_buf_printf(b,
	    "journal: %zu events: %zu confirmed by trusted entries, %zu "
	    "unconfirmed, %zu missing\n",
	    c->n, c->confirmed, c->unconfirmed, c->missing);
	if (r == 0 && c->missing > 0) {
		r = jl_buf_puts(b,
		    "journal: warning: missing from the journal: "
		    "seq ");
		r = r ? r : put_ranges(b, c->missing_seq, c->missing, false);
		r = r ? r :
		        jl_buf_puts(b,
		            " (the journal may have been rotated, "
		            "or journald was not running)\n");
	}
	if (r == 0 && c->unconfirmed > 0)
		r = jl_buf_printf(b,
		    "journal: %zu events have only entries journald cannot "
		    "vouch for (the sender was gone before journald read its "
		    "_EXE, or was not a jitlog program)\n",
		    c->unconfirmed);
	if (r == 0 && c->untrusted_conflicts > 0)
		r = jl_buf_printf(b,
		    "journal: %zu conflicting entries from untrusted senders "
		    "ignored (anyone can write such entries)\n",
		    c->untrusted_conflicts);
	if (r == 0 && c->older > 0)
		r = jl_buf_printf(b,
		    "journal: %zu entries logged before --since ignored\n",
		    c->older);
	for (i = 0; r == 0 && i < c->nbad; i++)
		r = human_finding(b, c, &c->bad[i]);
	if (r == 0 && c->nbad_total > c->nbad)
		r = jl_buf_printf(b, "journal: ... and %zu more\n",
		    c->nbad_total - c->nbad);
	if (r == 0 && c->nbad_total == 0)
		r = jl_buf_puts(b, "journal: consistent with the store\n");
	else if (r == 0)
		r = jl_buf_puts(b,
		    "journal: INCONSISTENT with the store: its history was "
		    "changed after the events were logged (if the store was "
		    "initialised anew since, give --since with the time it "
		    "was)\n");
	return r;
}

static int
json_finding(struct jl_buf *b, const struct finding *f, bool first)
{
	int r;

	r = jl_buf_printf(b,
	    "%s{\"seq\": %" PRId64 ", \"store_hash\": ", first ? "" : ", ",
	    f->seq);
	r = r ? r : jl_json_str(b, f->store_hash[0] ? f->store_hash : NULL);
	r = r ? r : jl_buf_puts(b, ", \"journal_hash\": ");
	r = r ? r : jl_json_str(b, f->e.hash);
	r = r ? r : jl_buf_puts(b, ", \"uid\": ");
	r = r ? r : jl_json_str(b, f->e.uid[0] ? f->e.uid : NULL);
	r = r ? r : jl_buf_puts(b, ", \"exe\": ");
	r = r ? r : jl_json_str(b, f->e.exe[0] ? f->e.exe : NULL);
	r = r ? r : jl_buf_puts(b, "}");
	return r;
}

static int
json(struct jl_buf *b, const struct check *c)
{
	size_t i;
	int r;

	r = jl_buf_printf(b,
	    ", \"journal\": {\"consistent\": %s, \"events\": %zu, "
	    "\"confirmed\": %zu, \"unconfirmed\": %zu, \"missing\": %zu, "
	    "\"missing_ranges\": [",
	    c->nbad_total == 0 ? "true" : "false", c->n, c->confirmed,
	    c->unconfirmed, c->missing);
	r = r ? r : put_ranges(b, c->missing_seq, c->missing, true);
	r = r ?
	    r :
	    jl_buf_printf(b,
	        "], \"untrusted_conflicts\": %zu, \"older_ignored\": %zu, "
	        "\"inconsistencies\": %zu, \"deleted_from_end\": %zu, "
	        "\"findings\": [",
	        c->untrusted_conflicts, c->older, c->nbad_total, c->nbeyond);
	for (i = 0; r == 0 && i < c->nbad; i++)
		r = json_finding(b, &c->bad[i], i == 0);
	r = r ? r : jl_buf_puts(b, "]}");
	return r;
}

/*
 * Contract (jitadm.h): cross-check the store against the journal
 * entries logged at or after since (0: all) and append the result to b
 * (human lines, or with json the member ', "journal": {...}' of the
 * caller's object).  JA_OK with *ret_consistent set, or JA_ERROR with
 * the reason printed.
 */
int
ja_verify_journal(struct ja *ja, int64_t since, bool as_json, struct jl_buf *b,
    bool *ret_consistent)
{
	struct jl_error err = { "" };
	struct check c;
	int r;

	memset(&c, 0, sizeof(c));
	c.since_usec = since > 0 ? (uint64_t)since * 1000000u : 0;
	r = run_check(ja, &c, &err);
	if (r < 0) {
		r = ja_result(r, &err);
		goto out;
	}
	r = as_json ? json(b, &c) : human(b, &c);
	if (r < 0) {
		ja_err("out of memory");
		r = JA_ERROR;
		goto out;
	}
	*ret_consistent = c.nbad_total == 0;
	r = JA_OK;
out:
	free(c.ev);
	free(c.missing_seq);
	free(c.beyond);
	return r;
}

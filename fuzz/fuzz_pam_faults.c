/* SPDX-License-Identifier: ISC */
/*
 * fuzz_pam_faults: the real pam_jitlog module, loaded by real libpam
 * (pam_start_confdir) from a private service directory, deciding logins
 * against the seed store (fuzz_seed.h) while calls fail as the input
 * says (faults.h).  The module is built from pam_jitlog/pam_jitlog.c with
 * the same --wrap list, so its allocations, NSS lookups, file opens and
 * SQLite calls fail too.
 *
 * Input: the service variant (resource= and exempt_group= arguments),
 * the user, what to run (account, open+close session, both) and flags,
 * the fault plan, then PAM_RHOST and PAM_TTY.
 *
 * Properties: a user who holds no grant there and is not exempt is never
 * let in -- the module answers neither PAM_SUCCESS nor PAM_IGNORE,
 * whatever failed -- and PAM_IGNORE comes only for a member of
 * exempt_group.  When no fault was injected, the answer is exactly the
 * expected one (success, PAM_PERM_DENIED, PAM_IGNORE, PAM_USER_UNKNOWN,
 * PAM_SERVICE_ERR), which also proves the harness is sound.
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <netdb.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "faults.h"
#include "fuzz_seed.h"
#include "fuzz_util.h"

#define NRES    4
#define NEXEMPT 3
#define NUSERS  5

/* resource= of each variant ("missing" is not in the config). */
static const char *const res_arg[NRES] = { NULL, "app", "other", "missing" };
static const char *const exempt_arg[NEXEMPT] = { NULL, "nogroup", "root" };
static const char *const users[NUSERS] = { "root", "daemon", "bin",
	"nosuchuser-fz", "" };

/*
 * No name lookups in the fuzzer: libpam's audit record for a session
 * resolves PAM_RHOST (libaudit calls getaddrinfo), which would wait for
 * DNS on every input.  The module itself never resolves anything; this
 * definition in the executable takes the place of libc's for libaudit.
 */
__attribute__((visibility("default"))) int
getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
    struct addrinfo **res)
{
	(void)node;
	(void)service;
	(void)hints;
	*res = NULL;
	return EAI_NONAME;
}

static pam_handle_t *handles[NRES * NEXEMPT];
static int recorded = -1;

void fz_pam_record(int rc) __attribute__((visibility("default")));

/* Called by the module's entry points (fuzz_pam_shim.c). */
void
fz_pam_record(int rc)
{
	recorded = rc;
}

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *ctx)
{
	(void)msg;
	if (ctx != NULL && *(const int *)ctx)
		return PAM_CONV_ERR;
	*resp = calloc((size_t)n, sizeof(**resp));
	return *resp != NULL ? PAM_SUCCESS : PAM_BUF_ERR;
}

static int conv_fails;
static const struct pam_conv conversation = { conv, &conv_fails };

/* What the module must answer for user u under variant v, no faults. */
static int
expected(unsigned v, unsigned u)
{
	const char *res = res_arg[v % NRES], *ex = exempt_arg[v / NRES];
	bool grant;

	/* The order of the module: user, exemption, config, store. */
	if (u >= 3)
		return PAM_USER_UNKNOWN;
	if (ex != NULL && strcmp(ex, "root") == 0 && u == 0)
		return PAM_IGNORE;
	if (res != NULL && strcmp(res, "missing") == 0)
		return PAM_SERVICE_ERR;
	grant = (u == 0 && (res == NULL || strcmp(res, "other") == 0)) ||
	    (u == 1 && (res == NULL || strcmp(res, "app") == 0));
	return grant ? PAM_SUCCESS : PAM_PERM_DENIED;
}

static void
write_service(const char *dir, unsigned v, const char *conf)
{
	char path[512], args[512], *text = NULL;
	int n;

	n = snprintf(args, sizeof(args),
	    "%s test_config=%s test_nojournal%s%s%s%s", JL_FUZZ_PAM_MODULE,
	    conf, res_arg[v % NRES] ? " resource=" : "",
	    res_arg[v % NRES] ? res_arg[v % NRES] : "",
	    exempt_arg[v / NRES] ? " exempt_group=" : "",
	    exempt_arg[v / NRES] ? exempt_arg[v / NRES] : "");
	FZ_CHECK(n > 0 && (size_t)n < sizeof(args), "service args");
	FZ_CHECK(asprintf(&text, "account required %s\nsession required %s\n",
	             args, args) > 0,
	    "asprintf");
	(void)snprintf(path, sizeof(path), "%s/fz%u", dir, v);
	FZ_CHECK(fz_write_file(path, text, strlen(text)) == 0, "%s", path);
	free(text);
}

static int run(unsigned v, unsigned u, unsigned what, int flags);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct jl_error err = { "" };
	char db[256], conf[256], dir[256], svc[16], *text;
	unsigned v, u;
	int rc;

	(void)argc;
	(void)argv;
	fz_path(db, sizeof(db), fz_tmpdir(), "jitlog.db");
	fz_path(conf, sizeof(conf), fz_tmpdir(), "jitlog.conf");
	fz_path(dir, sizeof(dir), fz_tmpdir(), "pam.d");
	FZ_CHECK(fz_seed_store(db, (int64_t)time(NULL), &err) == 0,
	    "seed store: %s", err.msg);
	text = fz_seed_config(db);
	FZ_CHECK(fz_write_file(conf, text, strlen(text)) == 0, "%s", conf);
	free(text);
	FZ_CHECK(mkdir(dir, 0700) == 0, "mkdir %s", dir);
	for (v = 0; v < NRES * NEXEMPT; v++) {
		write_service(dir, v, conf);
		(void)snprintf(svc, sizeof(svc), "fz%u", v);
		rc = pam_start_confdir(svc, "root", &conversation, dir,
		    &handles[v]);
		FZ_CHECK(rc == PAM_SUCCESS, "pam_start_confdir %s: %d", svc,
		    rc);
	}
	/* Load the module now (its coverage counters register before the
	 * fuzzing starts) and check every answer once without faults. */
	for (v = 0; v < NRES * NEXEMPT; v++)
		for (u = 0; u < NUSERS; u++) {
			rc = run(v, u, 0, PAM_SILENT);
			FZ_CHECK(rc == expected(v, u),
			    "variant %u user \"%s\": %d, expected %d", v,
			    users[u], rc, expected(v, u));
		}
	return 0;
}

/* One PAM call through libpam; the module's own answer. */
static int
call(pam_handle_t *h, int which, int flags)
{
	recorded = -1;
	if (which == 0)
		(void)pam_acct_mgmt(h, flags);
	else if (which == 1)
		(void)pam_open_session(h, flags);
	else
		(void)pam_close_session(h, flags);
	return recorded;
}

/* Run what (0 account, 1 session, 2 both) for user u under variant v,
 * armed already if at all; the first decision's answer, or the first
 * that lets in. */
static int
run(unsigned v, unsigned u, unsigned what, int flags)
{
	pam_handle_t *h = handles[v];
	int a = -1, o = -1;

	FZ_CHECK(pam_set_item(h, PAM_USER, users[u]) == PAM_SUCCESS,
	    "PAM_USER");
	if (what != 1)
		a = call(h, 0, flags);
	if (what != 0) {
		o = call(h, 1, flags);
		(void)call(h, 2, flags);
	}
	if (a == -1)
		return o;
	if (o == -1 || a == PAM_SUCCESS || a == PAM_IGNORE)
		return a;
	return o == PAM_SUCCESS || o == PAM_IGNORE ? o : a;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size }, plan;
	unsigned v, u, what, f;
	char *rhost, *tty;
	int want, got, flags;

	v = fz_u8(&in) % (NRES * NEXEMPT);
	u = fz_u8(&in) % NUSERS;
	f = fz_u8(&in);
	what = f % 3;
	flags = (f & 4) ? PAM_SILENT : 0;
	conv_fails = (f & 8) != 0;
	plan.n = fz_take(&in, 4, &plan.p);
	rhost = fz_next_str(&in);
	tty = fz_next_str(&in);
	(void)pam_set_item(handles[v], PAM_RHOST, rhost);
	(void)pam_set_item(handles[v], PAM_TTY, tty);
	/* Armed for the module calls only (libpam is not wrapped). */
	fz_faults_arm(&plan);
	got = run(v, u, what, flags);
	fz_faults_disarm();
	want = expected(v, u);
	if (want != PAM_SUCCESS && want != PAM_IGNORE)
		FZ_CHECK(got != PAM_SUCCESS && got != PAM_IGNORE,
		    "variant %u user \"%s\" let in (%d) with faults %s, "
		    "%lu injected",
		    v, users[u], got, fz_faults_plan(), fz_faults_injected());
	if (want != PAM_IGNORE)
		FZ_CHECK(got != PAM_IGNORE, "PAM_IGNORE for a non-member");
	if (fz_faults_injected() == 0)
		FZ_CHECK(got == want, "variant %u user \"%s\": %d, expected %d",
		    v, users[u], got, want);
	free(rhost);
	free(tty);
	return 0;
}

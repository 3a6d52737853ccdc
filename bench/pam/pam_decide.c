/* SPDX-License-Identifier: ISC */
/*
 * pam_decide: the in-process cost of pam_jitlog, as a host process sees
 * it.  One PAM handle per round (pam_start_confdir on a service directory,
 * as sshd starts one per connection), then each call timed on its own:
 * pam_acct_mgmt (the decision: config, store open, indexed lookup) and
 * pam_open_session + pam_close_session (decision plus two committed
 * writes).  Prints count, mean, p50, p90, p99 and max in microseconds, one
 * line per call type.  Only libpam: bench/pam/run.sh compiles it with
 * "cc -O2 pam_decide.c -lpam".
 *
 * Usage: pam_decide CONFDIR SERVICE USER ROUNDS
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <security/pam_appl.h>

static int
conv_none(int n, const struct pam_message **msg, struct pam_response **resp,
    void *data)
{
	(void)n;
	(void)msg;
	(void)data;
	*resp = NULL;
	return PAM_SUCCESS;
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, int64_t *v, size_t n)
{
	double sum = 0;
	size_t i;

	qsort(v, n, sizeof(*v), cmp);
	for (i = 0; i < n; i++)
		sum += (double)v[i];
	printf("%-14s n=%zu mean=%.0f p50=%.0f p90=%.0f p99=%.0f max=%.0f"
	       " (us)\n",
	    what, n, sum / (double)n / 1e3, (double)v[n / 2] / 1e3,
	    (double)v[n * 90 / 100] / 1e3, (double)v[n * 99 / 100] / 1e3,
	    (double)v[n - 1] / 1e3);
}

int
main(int argc, char **argv)
{
	struct pam_conv conv = { conv_none, NULL };
	pam_handle_t *h;
	int64_t *acct, *sess, t0;
	unsigned long rounds;
	size_t i;
	int r;

	if (argc != 5 || (rounds = strtoul(argv[4], NULL, 10)) == 0) {
		fprintf(stderr,
		    "usage: pam_decide CONFDIR SERVICE USER ROUNDS\n");
		return 2;
	}
	acct = calloc(rounds, sizeof(*acct));
	sess = calloc(rounds, sizeof(*sess));
	if (acct == NULL || sess == NULL)
		return 3;
	for (i = 0; i < rounds; i++) {
		h = NULL;
		r = pam_start_confdir(argv[2], argv[3], &conv, argv[1], &h);
		if (r != PAM_SUCCESS) {
			fprintf(stderr, "pam_start_confdir: %d\n", r);
			return 3;
		}
		t0 = now_ns();
		r = pam_acct_mgmt(h, PAM_SILENT);
		acct[i] = now_ns() - t0;
		if (r != PAM_SUCCESS) {
			fprintf(stderr, "pam_acct_mgmt: %s\n",
			    pam_strerror(h, r));
			return 1;
		}
		t0 = now_ns();
		r = pam_open_session(h, PAM_SILENT);
		if (r == PAM_SUCCESS)
			r = pam_close_session(h, PAM_SILENT);
		sess[i] = now_ns() - t0;
		if (r != PAM_SUCCESS) {
			fprintf(stderr, "session: %s\n", pam_strerror(h, r));
			return 1;
		}
		(void)pam_end(h, PAM_SUCCESS);
	}
	report("acct_mgmt", acct, rounds);
	report("open+close", sess, rounds);
	free(acct);
	free(sess);
	return 0;
}

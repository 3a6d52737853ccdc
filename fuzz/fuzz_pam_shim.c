/* SPDX-License-Identifier: ISC */
/*
 * Built into pam_jitlog_fuzz.so next to pam_jitlog.c, whose pam_sm_*
 * entry points are renamed for this build (fuzz/CMakeLists.txt): the
 * entry points here call them and hand each raw return code to
 * fz_pam_record() in the fuzz target, so the target sees what the module
 * said before libpam's stack logic folds it into the application's
 * result.
 */
#include <security/pam_modules.h>

#define EXPORT __attribute__((visibility("default")))

int jl_fuzz_real_acct_mgmt(pam_handle_t *, int, int, const char **);
int jl_fuzz_real_open_session(pam_handle_t *, int, int, const char **);
int jl_fuzz_real_close_session(pam_handle_t *, int, int, const char **);
/* In fuzz_pam_faults.c (the executable). */
void fz_pam_record(int rc);

EXPORT int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	int rc = jl_fuzz_real_acct_mgmt(pamh, flags, argc, argv);

	fz_pam_record(rc);
	return rc;
}

EXPORT int
pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	int rc = jl_fuzz_real_open_session(pamh, flags, argc, argv);

	fz_pam_record(rc);
	return rc;
}

EXPORT int
pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	int rc = jl_fuzz_real_close_session(pamh, flags, argc, argv);

	fz_pam_record(rc);
	return rc;
}

/* SPDX-License-Identifier: ISC */
/*
 * Safe start of the privileged front ends (setgid jitadm, setuid
 * jitlogview).  MUST (SECURITY.md "Process start"):
 *  - cope with argc == 0 and never write into argv;
 *  - make fds 0, 1, 2 valid (open /dev/null) before anything else and close
 *    every other inherited fd;
 *  - clearenv() and rebuild a fixed environment (PATH, LC_ALL=C, TZ=UTC);
 *  - chdir("/");
 *  - disable core dumps and stay non-dumpable;
 *  - refuse to run half-privileged (no_new_privs set, or the expected
 *    privilege not in effect) with a clear message;
 *  - refuse tiny resource limits cleanly;
 *  - ignore SIGXFSZ, so that a small RLIMIT_FSIZE fails a write with EFBIG
 *    (a clean refusal) instead of killing the process mid-write.
 */
#ifndef JITLOG_PROC_H
#define JITLOG_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "jitlog/common.h"

/*
 * Fds, environment, chdir, umask 077, no core dumps, SIGXFSZ and SIGPIPE
 * ignored (a write past the limit or to a closed pipe fails with an
 * error the caller reports, instead of killing it part-way), and the
 * terminal's stops (SIGTSTP, SIGTTIN, SIGTTOU) ignored: a ^Z reaches the
 * whole foreground process group whoever owns it, and must not freeze us
 * while we hold the store's write lock.
 * Call first in main(); 0 or -errno with err set; the caller exits 3.
 */
int jl_proc_sanitize(struct jl_error *err);
/* Re-assert non-dumpable (after any credential change). 0 or -errno. */
int jl_proc_nodump(void);
/*
 * Half-privileged check: fails with -EPERM when no_new_privs is set, or
 * when the real uid is not 0 and want_euid/want_egid ((uid_t)-1/(gid_t)-1:
 * don't care) is not in effect (mounted nosuid, mode lost).  Real uid 0
 * needs no elevation and passes unless no_new_privs is set.
 */
int jl_proc_check_privileged(uid_t want_euid, gid_t want_egid,
    struct jl_error *err);
/* Smallest RLIMIT_FSIZE, RLIMIT_AS (and RLIMIT_DATA) and RLIMIT_STACK
 * accepted by jl_proc_check_limits. */
#define JL_PROC_MIN_FSIZE (16ul * 1024 * 1024)
#define JL_PROC_MIN_AS    (64ul * 1024 * 1024)
#define JL_PROC_MIN_STACK (256ul * 1024)
/*
 * Refuse limits too small to finish cleanly: RLIMIT_NOFILE below
 * min_nofile (-EMFILE), RLIMIT_FSIZE below JL_PROC_MIN_FSIZE (-EFBIG),
 * RLIMIT_AS or RLIMIT_DATA below JL_PROC_MIN_AS or RLIMIT_STACK below
 * JL_PROC_MIN_STACK (-ENOMEM); 0 otherwise.
 */
int jl_proc_check_limits(unsigned min_nofile, struct jl_error *err);
/*
 * For a process running as root only: lift RLIMIT_CPU (soft and hard),
 * so that a CPU limit the caller set cannot kill it (SIGXCPU, SIGKILL)
 * between the record of what it does and the record of its end.  0, or
 * -EPERM with err set when a finite hard limit cannot be lifted (no
 * CAP_SYS_RESOURCE): the caller refuses to run.
 */
int jl_proc_lift_cpu_limit(struct jl_error *err);

#endif

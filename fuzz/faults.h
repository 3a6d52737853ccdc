/* SPDX-License-Identifier: ISC */
/*
 * Fault injection for the fuzz_*_faults targets, in the style of
 * pam_u2f's fuzzers: the target is linked with -Wl,--wrap=<call> for the
 * calls below, and while armed, faults.c makes some of them fail the way
 * the real call fails (NULL and ENOMEM, -1 and EIO, an NSS error number,
 * an SQLite error code) without doing anything.  Which calls fail comes
 * from the fuzz input: a set of classes and a plan.
 */
#ifndef JITLOG_FUZZ_FAULTS_H
#define JITLOG_FUZZ_FAULTS_H

#include "fuzz_util.h"

/* Classes of calls. */
#define FZ_F_MEM    0x01 /* malloc calloc realloc reallocarray strdup strndup */
#define FZ_F_SQL    0x02 /* sqlite3_open_v2 prepare_v2 step exec bind_* */
#define FZ_F_NSS    0x04 /* getpwnam_r getpwuid_r getgrnam_r getgrouplist */
#define FZ_F_IO     0x08 /* open openat fstat read */
#define FZ_F_HASH   0x10 /* crypto_generichash_init / _final */
#define FZ_F_SQLCOL 0x20 /* sqlite3_column_text returns NULL (its OOM) */
#define FZ_F_ALL    0x3f

/*
 * Take the plan from the next 4 bytes of in and arm: a class mask, then
 * the kind of plan and its numbers --
 *   once:   fail only the k-th call of an armed class (k < 4096);
 *   every:  fail 1 call in N (N 1..64), the first at call `phase`;
 *   from:   fail every call from the k-th on (a disk that stays full).
 * Calls are counted across all armed classes, from 0.
 */
void fz_faults_arm(struct fz_in *in);
/* Stop failing; counts stay until the next arm. */
void fz_faults_disarm(void);
/* Calls counted and calls failed since the last arm. */
unsigned long fz_faults_calls(void);
unsigned long fz_faults_injected(void);
/* Describe the plan (for messages). */
const char *fz_faults_plan(void);

#endif

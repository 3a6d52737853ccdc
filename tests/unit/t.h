/* SPDX-License-Identifier: ISC */
/*
 * A tiny test harness: T_ASSERT records a failure with file:line and goes
 * on; main returns non-zero if anything failed.  Output is TAP-like.
 */
#ifndef JL_T_H
#define JL_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_failures;
static int t_checks;

#define T_ASSERT(cond)                                                         \
	do {                                                                   \
		t_checks++;                                                    \
		if (!(cond)) {                                                 \
			t_failures++;                                          \
			fprintf(stderr, "not ok: %s:%d: %s\n", __FILE__,       \
			    __LINE__, #cond);                                  \
		}                                                              \
	} while (0)

#define T_ASSERT_STREQ(a, b)                                                   \
	do {                                                                   \
		const char *t_a_ = (a), *t_b_ = (b);                           \
		t_checks++;                                                    \
		if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0) { \
			t_failures++;                                          \
			fprintf(stderr, "not ok: %s:%d: \"%s\" != \"%s\"\n",   \
			    __FILE__, __LINE__, t_a_ ? t_a_ : "(null)",        \
			    t_b_ ? t_b_ : "(null)");                           \
		}                                                              \
	} while (0)

#define T_ASSERT_INTEQ(a, b)                                                   \
	do {                                                                   \
		long long t_a_ = (long long)(a), t_b_ = (long long)(b);        \
		t_checks++;                                                    \
		if (t_a_ != t_b_) {                                            \
			t_failures++;                                          \
			fprintf(stderr,                                        \
			    "not ok: %s:%d: %s == %lld, want %lld\n",          \
			    __FILE__, __LINE__, #a, t_a_, t_b_);               \
		}                                                              \
	} while (0)

#define T_RUN(fn)                                                              \
	do {                                                                   \
		int t_before_ = t_failures;                                    \
		fn();                                                          \
		printf("%s %s\n", t_failures == t_before_ ? "ok" : "FAIL",     \
		    #fn);                                                      \
	} while (0)

#define T_DONE()                                                               \
	(printf("%d checks, %d failed\n", t_checks, t_failures),               \
	    t_failures ? 1 : 0)

#endif

/* SPDX-License-Identifier: ISC */
/*
 * Private to lib/report*.c: the containers the report is counted in --
 * rows keyed by one or two strings behind an open-addressing index, and
 * growable sets of grant ids -- and the comparison of int64 values.
 */
#ifndef JITLOG_REPORT_INT_H
#define JITLOG_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jitlog/report.h"

/* A row keyed by one or two strings, with its counters. */
struct jl_report_ent {
	char *k1, *k2; /* k2 NULL for one-string keys */
	struct jl_report_counts c;
	int64_t n, first, last;
};

/* Rows in insertion order, found through an open-addressing index. */
struct jl_report_tab {
	struct jl_report_ent *v;
	size_t n, cap;
	size_t *idx; /* 0: empty, else index into v + 1 */
	size_t icap; /* a power of two, more than 2n */
};

struct jl_report_ids {
	int64_t *v;
	size_t n, cap;
};

/* The row of (k1, k2) (k2 may be NULL), made empty when missing.  The
 * pointer holds until the next call on t.  0 or -ENOMEM. */
int jl_report_tab_get(struct jl_report_tab *t, const char *k1, const char *k2,
    struct jl_report_ent **ret);
void jl_report_tab_free(struct jl_report_tab *t);

int jl_report_ids_push(struct jl_report_ids *s, int64_t v);
/* Sort ascending; with uniq, drop repeated values. */
void jl_report_ids_sort(struct jl_report_ids *s, bool uniq);
/* How often v occurs in the sorted s. */
int64_t jl_report_ids_count(const struct jl_report_ids *s, int64_t v);
/* qsort comparison of two int64_t. */
int jl_report_cmp_i64(const void *a, const void *b);

#endif

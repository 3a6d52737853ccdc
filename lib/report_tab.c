/* SPDX-License-Identifier: ISC */
/*
 * The report's containers (report_int.h): rows keyed by one or two
 * strings behind an open-addressing index (FNV-1a, linear probing, kept
 * at most half full), and sorted sets of grant ids.  A report may count
 * tens of thousands of (user, resource) pairs; a linear search per event
 * would make it quadratic.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* FNV-1a over k1, a separator byte and k2. */
static uint64_t
hash2(const char *k1, const char *k2)
{
	uint64_t h = 14695981039346656037ULL;
	const char *s;

	for (s = k1; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	h = (h ^ 0xffu) * 1099511628211ULL;
	for (s = k2 != NULL ? k2 : ""; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static bool
same(const struct jl_report_ent *e, const char *k1, const char *k2)
{
	return strcmp(e->k1, k1) == 0 &&
	    (k2 == NULL ? e->k2 == NULL :
	                  e->k2 != NULL && strcmp(e->k2, k2) == 0);
}

/* Double the index and put every row back.  0 or -ENOMEM. */
static int
rehash(struct jl_report_tab *t)
{
	size_t ncap = t->icap == 0 ? 64 : t->icap * 2, i, j;
	size_t *nidx;

	if ((nidx = calloc(ncap, sizeof(*nidx))) == NULL)
		return -ENOMEM;
	for (i = 0; i < t->n; i++) {
		j = (size_t)hash2(t->v[i].k1, t->v[i].k2) & (ncap - 1);
		while (nidx[j] != 0)
			j = (j + 1) & (ncap - 1);
		nidx[j] = i + 1;
	}
	free(t->idx);
	t->idx = nidx;
	t->icap = ncap;
	return 0;
}

/* A new row at index slot j.  0 or -ENOMEM. */
static int
tab_add(struct jl_report_tab *t, size_t j, const char *k1, const char *k2)
{
	struct jl_report_ent *nv, *e;

	if (t->n == t->cap) {
		nv = reallocarray(t->v, t->cap == 0 ? 16 : t->cap * 2,
		    sizeof(*nv));
		if (nv == NULL)
			return -ENOMEM;
		t->v = nv;
		t->cap = t->cap == 0 ? 16 : t->cap * 2;
	}
	e = &t->v[t->n];
	memset(e, 0, sizeof(*e));
	if ((e->k1 = strdup(k1)) == NULL)
		return -ENOMEM;
	if (k2 != NULL && (e->k2 = strdup(k2)) == NULL) {
		JL_FREE(e->k1);
		return -ENOMEM;
	}
	t->idx[j] = ++t->n;
	return 0;
}

/* Contract: see report_int.h. */
int
jl_report_tab_get(struct jl_report_tab *t, const char *k1, const char *k2,
    struct jl_report_ent **ret)
{
	size_t j;
	int r;

	if ((t->n + 1) * 2 > t->icap && (r = rehash(t)) < 0)
		return r;
	j = (size_t)hash2(k1, k2) & (t->icap - 1);
	while (t->idx[j] != 0 && !same(&t->v[t->idx[j] - 1], k1, k2))
		j = (j + 1) & (t->icap - 1);
	if (t->idx[j] == 0 && (r = tab_add(t, j, k1, k2)) < 0)
		return r;
	*ret = &t->v[t->idx[j] - 1];
	return 0;
}

/* Contract: see report_int.h. */
void
jl_report_tab_free(struct jl_report_tab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].k1);
		free(t->v[i].k2);
	}
	JL_FREE(t->v);
	JL_FREE(t->idx);
	t->n = t->cap = t->icap = 0;
}

/* Contract: see report_int.h. */
int
jl_report_ids_push(struct jl_report_ids *s, int64_t v)
{
	int64_t *nv;

	if (s->n == s->cap) {
		nv = reallocarray(s->v, s->cap == 0 ? 64 : s->cap * 2,
		    sizeof(*nv));
		if (nv == NULL)
			return -ENOMEM;
		s->v = nv;
		s->cap = s->cap == 0 ? 64 : s->cap * 2;
	}
	s->v[s->n++] = v;
	return 0;
}

/* Contract: see report_int.h. */
int
jl_report_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Contract: see report_int.h. */
void
jl_report_ids_sort(struct jl_report_ids *s, bool uniq)
{
	size_t i, n = 0;

	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof(*s->v), jl_report_cmp_i64);
	if (!uniq)
		return;
	for (i = 0; i < s->n; i++)
		if (n == 0 || s->v[n - 1] != s->v[i])
			s->v[n++] = s->v[i];
	s->n = n;
}

/* Contract: see report_int.h. */
int64_t
jl_report_ids_count(const struct jl_report_ids *s, int64_t id)
{
	size_t lo = 0, hi = s->n, mid;
	int64_t n = 0;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < s->n && s->v[lo] == id; lo++)
		n++;
	return n;
}

/* SPDX-License-Identifier: ISC */
/*
 * The files of a resource: which configured path (or glob match) the
 * caller named, opened with the safe-open rules (safeio.h); the listing
 * of the caller's grants and viewable files (no arguments); and the
 * offset of the last N lines (-n), found by reading backwards in blocks.
 * Everything here runs in the privileged monitor before the streamer
 * exists: it reads file names and counts newlines, never shows content.
 *
 * MUST (SPEC section 5, SECURITY.md "Opening a protected log"):
 *  - a file is one of the resource's: a configured path, or a name in the
 *    configured directory that matches the configured glob (fnmatch with
 *    FNM_PATHNAME | FNM_PERIOD), by full path or by basename; nothing
 *    the caller names is ever resolved as a path;
 *  - a name that is missing is refused like any other name; file names
 *    are only listed for resources the caller holds a grant on;
 *  - every name printed is escaped (jl_escape_text).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jitlog/escape.h"
#include "jitlog/grant.h"
#include "jitlog/parse.h"
#include "jitlogview.h"

#define TAIL_BLOCK (64 * 1024)
#define FNM        (FNM_PATHNAME | FNM_PERIOD)

void
jv_file_close(struct jv_file *f)
{
	if (f == NULL)
		return;
	if (f->fd >= 0)
		(void)close(f->fd);
	f->fd = -1;
	jl_safe_dir_close(&f->dir);
	JL_FREE(f->path);
}

/* Open dir/base into f.  JV_OK, JV_REFUSED (why set), JV_ERROR. */
static int
open_in(const char *dir, const char *base, struct jv_file *f,
    const char **ret_why, struct jl_error *err)
{
	int fd, r;

	*f = (struct jv_file){ .fd = -1, .dir = { .fd = -1 } };
	if (asprintf(&f->path, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "",
	        base) < 0) {
		f->path = NULL;
		(void)jl_error_set(err, ENOMEM, "out of memory");
		return JV_ERROR;
	}
	r = jl_safe_opendir(dir, &f->dir, err);
	if (r == 0) {
		fd = jl_safe_openat(&f->dir, base, &f->st, err);
		r = fd < 0 ? fd : 0;
		f->fd = fd;
	}
	if (r == 0)
		return JV_OK;
	jv_file_close(f);
	switch (-r) {
	case ENOMEM:
	case EMFILE:
	case ENFILE:
	case EIO:
		return JV_ERROR;
	case ENOENT:
		*ret_why = "file does not exist";
		return JV_REFUSED;
	default:
		*ret_why = "unsafe file";
		return JV_REFUSED;
	}
}

/* Does the caller's name match configured path p?  A full path or a
 * basename; glob patterns match in their own directory only. */
static bool
name_matches(const char *p, const char *name)
{
	const char *base = strrchr(p, '/') + 1, *nbase;
	size_t dlen = (size_t)(base - p);

	if (name[0] == '/') {
		nbase = strrchr(name, '/') + 1;
		if ((size_t)(nbase - name) != dlen || strncmp(p, name, dlen))
			return false;
		name = nbase;
	} else if (strchr(name, '/') != NULL) {
		return false;
	}
	if (name[0] == '\0' || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return false;
	return fnmatch(base, name, FNM) == 0 &&
	    (jl_safe_path_is_glob(p) || strcmp(base, name) == 0);
}

/* Every file of res that exists now (globs expanded), as full paths, into
 * *ret (NULL-terminated).  Unlistable directories are skipped. */
static int
expand(const struct jl_resource *res, char ***ret, size_t *ret_n)
{
	struct jl_safe_dir d = { .fd = -1 };
	struct jl_error err;
	char **v = NULL, **names = NULL, *dir = NULL, **nv;
	const char *base;
	size_t n = 0, nn = 0, i, j;
	int r = 0;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return -ENOMEM;
	for (i = 0; r == 0 && i < res->npaths; i++) {
		if ((r = jl_safe_path_split(res->paths[i], &dir, &base)) < 0)
			break;
		names = NULL;
		nn = 0;
		if (!jl_safe_path_is_glob(res->paths[i])) {
			if ((names = calloc(2, sizeof(*names))) == NULL ||
			    (names[0] = strdup(base)) == NULL)
				r = -ENOMEM;
			nn = 1;
		} else if (jl_safe_opendir(dir, &d, &err) == 0) {
			r = jl_safe_glob(&d, base, &names, &nn, &err);
			jl_safe_dir_close(&d);
		}
		if (r == 0 && nn > 0 &&
		    (nv = reallocarray(v, n + nn + 1, sizeof(*v))) == NULL)
			r = -ENOMEM;
		else if (r == 0 && nn > 0)
			v = nv;
		for (j = 0; r == 0 && j < nn; j++) {
			if (asprintf(&v[n], "%s%s%s", dir,
			        strcmp(dir, "/") ? "/" : "", names[j]) < 0)
				r = -ENOMEM;
			else
				v[++n] = NULL;
		}
		jl_safe_names_free(names);
		JL_FREE(dir);
	}
	if (r < 0) {
		jl_safe_names_free(v);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* Several files, none named: list them on stderr. */
static int
list_choices(const struct jl_resource *res, char **v, size_t n)
{
	char *e;

	jv_err("%s has %zu files; name one of them:", res->name, n);
	for (size_t i = 0; i < n; i++) {
		e = jl_escape_text(v[i]);
		(void)fprintf(stderr, "  %s\n", e ? e : "?");
		free(e);
	}
	return JV_USAGE;
}

/* Contract: see jitlogview.h. */
int
jv_file_open(const struct jl_resource *res, const char *name, struct jv_file *f,
    const char **ret_why, struct jl_error *err)
{
	char **v = NULL, *dir = NULL;
	const char *base, *pick = NULL;
	size_t n = 0, i, hits = 0;
	int r;

	*f = (struct jv_file){ .fd = -1, .dir = { .fd = -1 } };
	if (name == NULL) {
		if (expand(res, &v, &n) < 0) {
			(void)jl_error_set(err, ENOMEM, "out of memory");
			return JV_ERROR;
		}
		if (n > 1) {
			r = list_choices(res, v, n);
			goto out;
		}
		pick = n == 1 ? v[0] : res->npaths == 1 ? res->paths[0] : NULL;
		if (pick == NULL || jl_safe_path_is_glob(pick)) {
			*ret_why = "no file of the resource exists";
			r = JV_REFUSED;
			goto out;
		}
	} else {
		for (i = 0; i < res->npaths; i++)
			if (name_matches(res->paths[i], name)) {
				pick = res->paths[i];
				hits++;
			}
		if (hits == 0) {
			*ret_why = "file not in the resource";
			r = JV_REFUSED;
			goto out;
		}
		if (hits > 1) {
			jv_err(
			    "%s names more than one file of %s; give the full path",
			    name, res->name);
			r = JV_USAGE;
			goto out;
		}
	}
	if (jl_safe_path_split(pick, &dir, &base) < 0) {
		(void)jl_error_set(err, EINVAL, "bad path %s", pick);
		r = JV_ERROR;
		goto out;
	}
	if (name != NULL && jl_safe_path_is_glob(pick))
		base = name[0] == '/' ? strrchr(name, '/') + 1 : name;
	r = open_in(dir, base, f, ret_why, err);
out:
	free(dir);
	jl_safe_names_free(v);
	return r;
}

/* Contract: see jitlogview.h. */
int
jv_file_reopen(const struct jv_file *cur, struct jv_file *next,
    const char **ret_why, struct jl_error *err)
{
	const char *base, *why = NULL;
	char *dir = NULL;
	int r;

	*ret_why = NULL;
	if (jl_safe_path_split(cur->path, &dir, &base) < 0) {
		(void)jl_error_set(err, EINVAL, "bad path");
		return JV_ERROR;
	}
	r = open_in(dir, base, next, &why, err);
	free(dir);
	if (r == JV_REFUSED && strcmp(why, "file does not exist") == 0)
		return JV_REFUSED; /* *ret_why NULL: wait for it */
	if (r != JV_OK) {
		*ret_why = why;
		return r;
	}
	if (next->st.st_dev == cur->st.st_dev &&
	    next->st.st_ino == cur->st.st_ino)
		jv_file_close(next);
	return JV_OK;
}

/* Contract: see jitlogview.h.  The newline that ends the file ends its
 * last line; the n-th newline before it starts the last n lines. */
int
jv_tail_offset(int fd, off_t size, uint64_t n, off_t *ret)
{
	char *buf, *p;
	off_t pos = size;
	size_t len, got;
	uint64_t count = 0;
	ssize_t k;
	int r = 0;

	if (n == 0 || size == 0) {
		*ret = size;
		return 0;
	}
	if ((buf = malloc(TAIL_BLOCK)) == NULL)
		return -ENOMEM;
	*ret = 0;
	while (pos > 0) {
		len = pos < TAIL_BLOCK ? (size_t)pos : TAIL_BLOCK;
		pos -= (off_t)len;
		for (got = 0; got < len; got += (size_t)k) {
			k = pread(fd, buf + got, len - got, pos + (off_t)got);
			if (k < 0 && errno == EINTR)
				k = 0;
			else if (k <= 0) {
				r = k < 0 ? -errno : -EIO; /* shrank */
				goto out;
			}
		}
		while ((p = memrchr(buf, '\n', len)) != NULL) {
			len = (size_t)(p - buf);
			if (pos + (off_t)len + 1 == size)
				continue; /* the file's last newline */
			if (++count == n) {
				*ret = pos + (off_t)len + 1;
				goto out;
			}
		}
	}
out:
	free(buf);
	return r;
}

/* Append s, escaped for a terminal. */
static int
put_esc(struct jl_buf *b, const char *s)
{
	char *e = jl_escape_text(s);
	int r;

	if (e == NULL)
		return -ENOMEM;
	r = jl_buf_puts(b, e);
	free(e);
	return r;
}

/* "  PATH" or "  PATH (unavailable: why)" for dir/name. */
static int
list_file(struct jl_buf *b, const struct jl_safe_dir *d, const char *path,
    const char *name)
{
	struct jl_error err = { "" };
	struct stat st;
	int fd, r;

	fd = jl_safe_openat(d, name, &st, &err);
	if (fd >= 0)
		(void)close(fd);
	if ((r = jl_buf_puts(b, "  ")) < 0 || (r = put_esc(b, path)) < 0)
		return r;
	if (fd < 0 &&
	    ((r = jl_buf_puts(b, " (unavailable: ")) < 0 ||
	        (r = put_esc(b, err.msg)) < 0 || (r = jl_buf_puts(b, ")")) < 0))
		return r;
	return jl_buf_puts(b, "\n");
}

/* The files of one configured path (a glob expanded), each checked. */
static int
list_path(struct jl_buf *b, const char *p)
{
	struct jl_safe_dir d = { .fd = -1 };
	struct jl_error err = { "" };
	char **names = NULL, *dir = NULL, *full;
	const char *base;
	size_t n = 0, i;
	int r;

	if ((r = jl_safe_path_split(p, &dir, &base)) < 0)
		return r;
	if (jl_safe_opendir(dir, &d, &err) < 0) {
		r = jl_buf_puts(b, "  ");
		if (r == 0 && (r = put_esc(b, p)) == 0 &&
		    (r = jl_buf_puts(b, " (unavailable: ")) == 0 &&
		    (r = put_esc(b, err.msg)) == 0)
			r = jl_buf_puts(b, ")\n");
		goto out;
	}
	if (!jl_safe_path_is_glob(p)) {
		r = list_file(b, &d, p, base);
		goto out;
	}
	if ((r = jl_safe_glob(&d, base, &names, &n, &err)) < 0)
		goto out;
	for (i = 0; r == 0 && i < n; i++) {
		if (asprintf(&full, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "",
		        names[i]) < 0)
			r = -ENOMEM;
		else
			r = list_file(b, &d, full, names[i]);
		if (r == 0)
			free(full);
	}
	if (r == 0 && n == 0 && (r = jl_buf_puts(b, "  ")) == 0 &&
	    (r = put_esc(b, p)) == 0)
		r = jl_buf_puts(b, " (no file matches)\n");
out:
	jl_safe_names_free(names);
	jl_safe_dir_close(&d);
	free(dir);
	return r;
}

/* One grant that holds: "RESOURCE: grant N until T (redacted)" + files. */
static int
list_grant(struct jl_ctx *c, const struct jl_grant *g, struct jl_buf *b)
{
	const struct jl_resource *res = jl_config_resource(c->cfg, g->resource);
	char t[32];
	size_t i;
	int r;

	jl_format_time((time_t)g->expires_at, t, sizeof(t));
	if ((r = put_esc(b, g->resource)) < 0 ||
	    (r = jl_buf_printf(b, ": grant %" PRId64 ", active until %s, %s\n",
	         g->id, t,
	         res != NULL && g->unredacted && res->allow_unredacted ?
	             "unredacted" :
	             "redacted")) < 0)
		return r;
	if (res == NULL)
		return jl_buf_puts(b, "  (no longer in the configuration)\n");
	for (i = 0; r == 0 && i < res->npaths; i++)
		r = list_path(b, res->paths[i]);
	return r;
}

/* Is v[i] the grant to show for its resource (holds, ends last)? */
static bool
shown(struct jl_grant **v, size_t n, size_t i, int64_t now)
{
	if (!jl_grant_holds(v[i], now))
		return false;
	for (size_t j = 0; j < n; j++)
		if (j != i && jl_grant_holds(v[j], now) &&
		    strcmp(v[j]->resource, v[i]->resource) == 0 &&
		    (v[j]->expires_at > v[i]->expires_at ||
		        (v[j]->expires_at == v[i]->expires_at && j < i)))
			return false;
	return true;
}

/* Contract: see jitlogview.h. */
int
jv_list(struct jl_ctx *c)
{
	struct jl_grant_filter f = { .user = c->who->name,
		.status_mask = 1u << JL_ST_APPROVED };
	struct jl_error err = { "" };
	struct jl_grant **v = NULL;
	struct jl_buf b = { 0 };
	size_t n = 0, i, k = 0;
	ssize_t w;
	int r;

	r = jl_store_grant_list(c->store, &f, &v, &n, &err);
	if (r < 0) {
		jv_err("%s", err.msg);
		return JV_ERROR;
	}
	for (i = 0; r == 0 && i < n; i++)
		if (shown(v, n, i, c->now) &&
		    (r = list_grant(c, v[i], &b)) == 0)
			k++;
	if (r == 0 && k == 0)
		r = jl_buf_puts(&b,
		    "no active grant; ask for one with: "
		    "jitadm request RESOURCE --reason TEXT\n");
	jl_grants_free(v, n);
	for (i = 0; r == 0 && i < b.len; i += (size_t)w) {
		w = write(STDOUT_FILENO, b.data + i, b.len - i);
		if (w < 0 && errno == EINTR)
			w = 0;
		else if (w < 0)
			r = -errno;
	}
	jl_buf_free(&b);
	if (r < 0) {
		jv_err("cannot list the grants: %s", strerror(-r));
		return JV_ERROR;
	}
	return JV_OK;
}

/* SPDX-License-Identifier: ISC */
/*
 * The configuration loader (jitlog.conf(5)).  jl_config_load opens the file
 * itself, checks the opened descriptor (regular file, owner, mode, size),
 * reads it whole and hands the text to jl_config_parse, which screens the
 * raw text for what libconfig 1.5 gets wrong (@include, integers it would
 * silently truncate), lets libconfig build the tree and then walks it with
 * fixed key tables, copying every value into a struct jl_config.  The
 * typed getters and redaction rules are in config_check.c, the resources
 * in config_resource.c.
 *
 * MUST (each has a test in tests/unit/test_config.c):
 * - open with O_NOFOLLOW|O_NONBLOCK|O_NOCTTY|O_CLOEXEC and decide on fstat of
 *   that descriptor, never stat(path) then open(path): a regular file,
 *   owned by owner_uid, not writable by group or others, at most
 *   JL_CONFIG_MAX_BYTES, no NUL byte.
 * - refuse @include before libconfig sees the text: libconfig 1.5 resolves
 *   it against the working directory and would read any file.  The include
 *   directory is also pointed at /dev/null so a missed one opens nothing.
 * - refuse integer literals that libconfig 1.5 silently truncates to 32
 *   bits (approvals = 4294967297 must not become 1).
 * - unknown keys and wrong types are errors; the first error rejects the
 *   whole file ("file:line: what") and everything is freed.
 * - copy every string out of libconfig: nothing points into its tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_int.h"
#include "jitlog/config.h"
#include "jitlog/parse.h"

/* libconfig keeps line numbers in an unsigned short. */
#define MAX_LINES 65535

static const char *const top_keys[] = { "database", "admins", "auditors",
	"request_ttl", "remind_before", "notify_command", "resources",
	"redaction_rules", NULL };

/* Blank for the purpose of "first token of a line". */
static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/*
 * Refuse any line whose first token is @include, wherever it is (even in
 * a comment: being stricter than the scanner costs nothing), and files
 * with more lines than libconfig can number.
 */
static int
check_includes(const char *text, const char *name, struct jl_error *err)
{
	unsigned long line = 1;
	const char *p = text;

	for (;;) {
		while (is_blank(*p))
			p++;
		if (strncmp(p, "@include", 8) == 0)
			return jl_error_set(err, EINVAL,
			    "%s:%lu: @include is not allowed", name, line);
		p = strchr(p, '\n');
		if (p == NULL)
			return 0;
		p++;
		if (++line > MAX_LINES)
			return jl_error_set(err, EINVAL,
			    "%s:%lu: too many lines (at most %d)", name, line,
			    MAX_LINES);
	}
}

/*
 * An integer literal as libconfig 1.5 lexes it: [-+]?digits or 0x hex,
 * optional L or LL.  Without L it is stored in an int with no overflow
 * check, with L in a long long.  Returns false when the literal is
 * well-formed but does not fit; anything else (floats, garbage) is left
 * to libconfig.
 */
static bool
integer_fits(const char *s, size_t n)
{
	const char *end = s + n;
	bool neg = false, hex = false;
	uint64_t v = 0, limit;
	unsigned base = 10;
	size_t nl = 0;

	if (memchr(s, '.', n) != NULL)
		return true;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (s + 1 < end && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		hex = true;
		base = 16;
		s += 2;
	}
	while (end > s && (end[-1] == 'L' || end[-1] == 'l') && nl < 2) {
		end--;
		nl++;
	}
	if (s == end)
		return true;
	limit = nl > 0 ? (uint64_t)INT64_MAX : (uint64_t)INT32_MAX;
	if (neg && !hex)
		limit++;
	for (; s < end; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (hex && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (hex && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return true; /* a float (1e5) or not a number */
		if (v > (limit - d) / base)
			return false;
		v = v * base + d;
	}
	return true;
}

/* Skip a string literal (p after the opening quote); NULL on "\x00". */
static const char *
skip_string(const char *p, unsigned long *line)
{
	for (; *p != '\0' && *p != '"'; p++) {
		if (*p == '\n')
			(*line)++;
		if (*p != '\\')
			continue;
		if (p[1] == 'x' && p[2] == '0' && p[3] == '0')
			return NULL;
		if (p[1] == '\0')
			break;
		if (*++p == '\n')
			(*line)++;
	}
	return *p == '"' ? p + 1 : p;
}

/*
 * Walk the text as libconfig's scanner does (comments, strings, names,
 * numbers) and refuse what it would accept wrongly: integers out of
 * range, NUL escapes in strings, and '@' outside strings and comments.
 */
static int
check_tokens(const char *text, const char *name, struct jl_error *err)
{
	static const char name_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                                 "abcdefghijklmnopqrstuvwxyz"
	                                 "0123456789-_*";
	static const char num_chars[] = "0123456789abcdefABCDEFxXlL.+-";
	unsigned long line = 1;
	const char *p = text;
	size_t n;

	while (*p != '\0') {
		if (*p == '\n') {
			line++;
			p++;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			for (p += 2;
			     *p != '\0' && !(p[0] == '*' && p[1] == '/'); p++)
				line += *p == '\n';
			p += *p != '\0' ? 2 : 0;
		} else if (*p == '"') {
			if ((p = skip_string(p + 1, &line)) == NULL)
				return jl_error_set(err, EINVAL,
				    "%s:%lu: NUL byte in a string", name, line);
		} else if ((*p >= 'A' && *p <= 'Z') ||
		    (*p >= 'a' && *p <= 'z') || *p == '*') {
			p += strspn(p, name_chars);
		} else if ((*p >= '0' && *p <= '9') || *p == '-' || *p == '+') {
			n = strspn(p, num_chars);
			if (!integer_fits(p, n))
				return jl_error_set(err, EINVAL,
				    "%s:%lu: integer out of range", name, line);
			p += n;
		} else if (*p == '@') {
			return jl_error_set(err, EINVAL,
			    "%s:%lu: '@' directives are not allowed", name,
			    line);
		} else {
			p++;
		}
	}
	return 0;
}

/* The top-level settings other than resources and redaction_rules. */
static int
parse_globals(struct jl_cctx *p, const config_setting_t *root)
{
	struct jl_config *cfg = p->cfg;
	const config_setting_t *s = NULL;
	int r;

	if ((r = jl_cc_member(p, root, "database", CONFIG_TYPE_STRING,
	         "a string", &s)) < 0)
		return r;
	if (s != NULL) {
		if ((r = jl_cc_path(p, s, "database", false)) < 0)
			return r;
		free(cfg->database);
		cfg->database = NULL;
		if ((r = jl_cc_strdup(p, s, &cfg->database)) < 0)
			return r;
	}
	if ((r = jl_cc_principals(p, root, "admins", &cfg->admins, &s)) < 0 ||
	    (r = jl_cc_principals(p, root, "auditors", &cfg->auditors, &s)) < 0)
		return r;
	if ((r = jl_cc_duration(p, root, "request_ttl", &cfg->request_ttl,
	         &s)) < 0 ||
	    (r = jl_cc_duration(p, root, "remind_before", &cfg->remind_before,
	         &s)) < 0)
		return r;
	if ((r = jl_cc_member(p, root, "notify_command", CONFIG_TYPE_STRING,
	         "a string", &s)) < 0)
		return r;
	if (s != NULL) {
		if ((r = jl_cc_path(p, s, "notify_command", false)) < 0)
			return r;
		if (strpbrk(config_setting_get_string(s), " \t") != NULL)
			return jl_cc_fail(p, s,
			    "notify_command is the path of a program, "
			    "without arguments");
		if ((r = jl_cc_strdup(p, s, &cfg->notify_command)) < 0)
			return r;
	}
	return 0;
}

/* Check the tree and copy it into cfg. */
static int
parse_tree(struct jl_cctx *p, const config_setting_t *root)
{
	int r;

	if ((r = jl_cc_check_keys(p, root, "the configuration", top_keys)) < 0)
		return r;
	if ((p->cfg->database = strdup(JL_DATABASE_PATH)) == NULL)
		return jl_error_set(p->err, ENOMEM, "out of memory");
	p->cfg->request_ttl = 24 * 3600;
	p->cfg->remind_before = 10 * 60;
	if ((r = parse_globals(p, root)) < 0)
		return r;
	/* Rules first: resources refer to them by name. */
	if ((r = jl_cc_rules(p, root)) < 0)
		return r;
	return jl_cc_resources(p, root);
}

int
jl_config_parse(const char *text, const char *name, struct jl_config **ret,
    struct jl_error *err)
{
	struct jl_config *cfg = NULL;
	struct jl_cctx p;
	config_t lc;
	int r;

	config_init(&lc);
	if ((r = check_includes(text, name, err)) < 0 ||
	    (r = check_tokens(text, name, err)) < 0)
		goto out;
	/* Belt and braces: "/dev/null/<anything>" cannot be opened. */
	config_set_include_dir(&lc, "/dev/null");
	if (config_read_string(&lc, text) != CONFIG_TRUE) {
		r = jl_error_set(err, EINVAL, "%s:%d: %s", name,
		    config_error_line(&lc),
		    config_error_text(&lc) != NULL ? config_error_text(&lc) :
		                                     "syntax error");
		goto out;
	}
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL ||
	    (cfg->path = strdup(name)) == NULL) {
		r = jl_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	p.name = name;
	p.text = text;
	p.err = err;
	p.cfg = cfg;
	if ((r = parse_tree(&p, config_root_setting(&lc))) < 0)
		goto out;
	*ret = cfg;
	cfg = NULL;
	r = 0;
out:
	config_destroy(&lc);
	jl_config_free(cfg);
	return r;
}

/* Read fd whole, at most JL_CONFIG_MAX_BYTES; the text is NUL-terminated. */
static int
read_all(int fd, size_t hint, char **ret_text, size_t *ret_len)
{
	size_t len = 0, cap = hint + 1;
	char *buf = NULL, *nb;
	ssize_t n;
	int r;

	for (;;) {
		if (len + 1 >= cap || buf == NULL) {
			cap = buf == NULL ? cap + 1 : cap * 2;
			if (cap > JL_CONFIG_MAX_BYTES + 2)
				cap = JL_CONFIG_MAX_BYTES + 2;
			if ((nb = realloc(buf, cap)) == NULL) {
				r = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > JL_CONFIG_MAX_BYTES) {
			r = -EFBIG;
			goto out;
		}
	}
	buf[len] = '\0';
	*ret_text = buf;
	*ret_len = len;
	buf = NULL;
	r = 0;
out:
	free(buf);
	return r;
}

/* Check what fstat says about the opened file; its size in *ret_size. */
static int
check_file(int fd, const char *path, uid_t owner_uid, size_t *ret_size,
    struct jl_error *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return jl_error_set(err, errno, "%s: %s", path,
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return jl_error_set(err, EPERM, "%s: not a regular file", path);
	if (owner_uid != (uid_t)-1 &&
	    (st.st_uid != owner_uid || (st.st_mode & 022) != 0)) {
		if (owner_uid == 0)
			return jl_error_set(err, EPERM,
			    "%s: must be owned by root and not writable by "
			    "group or others",
			    path);
		return jl_error_set(err, EPERM,
		    "%s: must be owned by uid %lu and not writable by group "
		    "or others",
		    path, (unsigned long)owner_uid);
	}
	if (st.st_size > JL_CONFIG_MAX_BYTES)
		return jl_error_set(err, EFBIG, "%s: larger than %d bytes",
		    path, JL_CONFIG_MAX_BYTES);
	*ret_size = (size_t)st.st_size;
	return 0;
}

int
jl_config_load(const char *path, uid_t owner_uid, struct jl_config **ret,
    struct jl_error *err)
{
	char *text = NULL;
	const char *nul;
	size_t size = 0, len = 0;
	int fd, r;

	fd = open(path,
	    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = errno;
		if (r == ELOOP)
			r = jl_error_set(err, EPERM,
			    "%s: must not be a symbolic link", path);
		else
			r = jl_error_set(err, r, "%s: %s", path, strerror(r));
		goto out;
	}
	if ((r = check_file(fd, path, owner_uid, &size, err)) < 0)
		goto out;
	if ((r = read_all(fd, size, &text, &len)) < 0) {
		if (r == -EFBIG)
			jl_error_set(err, EFBIG, "%s: larger than %d bytes",
			    path, JL_CONFIG_MAX_BYTES);
		else
			jl_error_set(err, -r, "%s: %s", path, strerror(-r));
		goto out;
	}
	if ((nul = memchr(text, '\0', len)) != NULL) {
		unsigned long line = 1;

		for (const char *c = text; c < nul; c++)
			line += *c == '\n';
		r = jl_error_set(err, EINVAL, "%s:%lu: NUL byte", path, line);
		goto out;
	}
	r = jl_config_parse(text, path, ret, err);
out:
	if (fd >= 0)
		close(fd);
	free(text);
	return r;
}

const struct jl_resource *
jl_config_resource(const struct jl_config *cfg, const char *name)
{
	if (cfg == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->nresources; i++)
		if (strcmp(cfg->resources[i].name, name) == 0)
			return &cfg->resources[i];
	return NULL;
}

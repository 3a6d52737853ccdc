/* SPDX-License-Identifier: ISC */
/*
 * fuzz_config: the config loader.  Input: one byte choosing the file
 * mode and owner check, then the config text.  The text (up to its first
 * NUL) goes to jl_config_parse; the whole input goes through a file in a
 * private directory to jl_config_load.
 *
 * Properties:
 *  - a refusal is -errno with a message naming the file; an accepted
 *    config keeps every rule of jitlog.conf(5) that the loader promises
 *    (valid and unique names, principals, durations in range and in
 *    order, absolute paths, escalation set whole, known redaction rules,
 *    checked custom patterns, at least `approvals` approvers);
 *  - the loader agrees with the parser on the same text, refuses a NUL
 *    byte, and refuses a file writable by group or others or owned by
 *    someone else whenever the owner is checked.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "jitlog/config.h"
#include "jitlog/parse.h"
#include "jitlog/redact.h"

#define NAME "fuzz.conf"

/*
 * libconfig 1.5 (Debian 12) leaks a string token when a syntax error
 * discards it (hyperrealm/libconfig#142, fixed upstream in 1.7.3): a
 * leak in the library, not in the loader, so LeakSanitizer is told to
 * ignore allocations made inside libconfig.
 */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

static void
check_principals(const struct jl_principals *l, const char *what)
{
	enum jl_principal_kind k;
	const char *name;
	size_t i;

	for (i = 0; i < l->n; i++)
		FZ_CHECK(jl_parse_principal(l->v[i], &k, &name) == 0,
		    "%s: principal \"%s\" accepted", what, l->v[i]);
}

static bool
duration_ok(int64_t d)
{
	return d >= 1 && d <= JL_DURATION_MAX;
}

static bool
redact_name_known(const struct jl_config *cfg, const char *name)
{
	size_t i;

	if (jl_redact_is_builtin(name))
		return true;
	for (i = 0; i < cfg->nrules; i++)
		if (strcmp(cfg->rules[i].name, name) == 0)
			return true;
	return false;
}

static void
check_resource(const struct jl_config *cfg, const struct jl_resource *res)
{
	size_t i;

	FZ_CHECK(jl_valid_resource_name(res->name), "resource name \"%s\"",
	    res->name);
	FZ_CHECK(jl_config_resource(cfg, res->name) == res,
	    "resource \"%s\" twice or not found", res->name);
	FZ_CHECK(res->description != NULL, "description NULL");
	FZ_CHECK(res->npaths <= 64, "%zu paths", res->npaths);
	for (i = 0; i < res->npaths; i++)
		FZ_CHECK(res->paths[i][0] == '/', "path \"%s\"", res->paths[i]);
	check_principals(&res->requesters, "requesters");
	check_principals(&res->approvers, "approvers");
	check_principals(&res->escalate_to, "escalate_to");
	FZ_CHECK(res->approvers.n >= 1, "no approvers");
	FZ_CHECK(res->approvals >= 1 && res->approvals <= 16, "approvals %u",
	    res->approvals);
	FZ_CHECK(duration_ok(res->max_duration) &&
	        duration_ok(res->default_duration) &&
	        res->default_duration <= res->max_duration,
	    "durations %lld %lld", (long long)res->default_duration,
	    (long long)res->max_duration);
	FZ_CHECK(res->ticket_pattern == NULL || res->require_ticket,
	    "ticket_pattern without require_ticket");
	FZ_CHECK((res->escalate_after == 0) == (res->escalate_to.n == 0),
	    "escalation half set");
	FZ_CHECK(res->escalate_after == 0 ||
	        (duration_ok(res->escalate_after) &&
	            res->escalate_after < cfg->request_ttl),
	    "escalate_after %lld", (long long)res->escalate_after);
	FZ_CHECK(!res->break_glass ||
	        (duration_ok(res->break_glass_max) &&
	            res->break_glass_max <= res->max_duration),
	    "break_glass_max %lld", (long long)res->break_glass_max);
	for (i = 0; i < res->nredact; i++)
		FZ_CHECK(redact_name_known(cfg, res->redact[i]),
		    "redact \"%s\" unknown", res->redact[i]);
}

static void
check_config(const struct jl_config *cfg)
{
	struct jl_error err = { "" };
	size_t i;

	FZ_CHECK(cfg->database != NULL && cfg->database[0] == '/',
	    "database \"%s\"", cfg->database ? cfg->database : "(null)");
	FZ_CHECK(duration_ok(cfg->request_ttl) &&
	        duration_ok(cfg->remind_before),
	    "request_ttl %lld remind_before %lld", (long long)cfg->request_ttl,
	    (long long)cfg->remind_before);
	FZ_CHECK(cfg->notify_command == NULL || cfg->notify_command[0] == '/',
	    "notify_command \"%s\"", cfg->notify_command);
	check_principals(&cfg->admins, "admins");
	check_principals(&cfg->auditors, "auditors");
	for (i = 0; i < cfg->nrules; i++) {
		FZ_CHECK(!jl_redact_is_builtin(cfg->rules[i].name),
		    "custom rule named like a built-in: %s",
		    cfg->rules[i].name);
		FZ_CHECK(jl_redact_check_pattern(cfg->rules[i].pattern, &err) ==
		        0,
		    "custom pattern accepted but fails the check: %s", err.msg);
	}
	for (i = 0; i < cfg->nresources; i++)
		check_resource(cfg, &cfg->resources[i]);
	FZ_CHECK(jl_config_resource(cfg, "-not-a-name") == NULL,
	    "lookup of an invalid name found something");
}

static void
check_refusal(int r, const struct jl_error *err, const char *name)
{
	FZ_CHECK(r < 0, "refusal is not -errno: %d", r);
	FZ_CHECK(strncmp(err->msg, name, strlen(name)) == 0,
	    "message does not name the file: %s", err->msg);
}

/* jl_config_load of data through a file: the parse result is pr. */
static void
check_load(const uint8_t *data, size_t size, unsigned how, int pr,
    const struct jl_config *pcfg)
{
	static const mode_t modes[] = { 0600, 0644, 0400, 0620, 0602, 0666 };
	struct jl_config *cfg = NULL;
	struct jl_error err = { "" };
	char path[256];
	mode_t mode = modes[how % 6];
	uid_t owner = (how / 6) % 3 == 0 ? (uid_t)-1 : getuid();
	bool bad_owner = (how / 6) % 3 == 2, refused;
	int r;

	if (bad_owner)
		owner = getuid() + 1;
	fz_path(path, sizeof(path), fz_tmpdir(), NAME);
	FZ_CHECK(fz_write_file(path, data, size) == 0, "cannot write %s", path);
	FZ_CHECK(chmod(path, mode) == 0, "chmod");
	r = jl_config_load(path, owner, &cfg, &err);
	refused = memchr(data, '\0', size) != NULL ||
	    (owner != (uid_t)-1 && (bad_owner || (mode & 022) != 0));
	if (refused || pr < 0) {
		FZ_CHECK(cfg == NULL, "config returned on a refusal");
		check_refusal(r, &err, path);
	} else {
		FZ_CHECK(r == 0 && cfg != NULL,
		    "load refused what parse took: %s", err.msg);
		FZ_CHECK(cfg->nresources == pcfg->nresources &&
		        cfg->nrules == pcfg->nrules &&
		        strcmp(cfg->database, pcfg->database) == 0,
		    "load and parse disagree");
		FZ_CHECK(strcmp(cfg->path, path) == 0, "cfg->path %s",
		    cfg->path);
	}
	jl_config_free(cfg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jl_config *cfg = NULL;
	struct jl_error err = { "" };
	unsigned how;
	char *text;
	int r;

	if (size < 1 || size > 64 * 1024)
		return 0;
	how = data[0];
	data++;
	size--;
	text = fz_strndup(data, size);
	r = jl_config_parse(text, NAME, &cfg, &err);
	if (r == 0) {
		FZ_CHECK(cfg != NULL, "parse returned 0 without a config");
		check_config(cfg);
	} else {
		FZ_CHECK(cfg == NULL, "config returned on a refusal");
		check_refusal(r, &err, NAME);
	}
	check_load(data, size, how, r, cfg);
	jl_config_free(cfg);
	free(text);
	return 0;
}

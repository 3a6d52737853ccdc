/* SPDX-License-Identifier: ISC */
/*
 * The jitlog configuration (jitlog.conf(5), libconfig syntax).  The loader
 * checks the file before reading it (regular, root-owned, not writable by
 * group or other, opened with O_NOFOLLOW and checked with fstat on that fd),
 * refuses @include, unknown keys, wrong types and every rule violation of
 * the spec with "file:line: what", and rejects the whole file on any error.
 * The config owns all its strings (copied out of libconfig).
 */
#ifndef JITLOG_CONFIG_H
#define JITLOG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "jitlog/common.h"

#ifndef JL_CONFIG_PATH
#define JL_CONFIG_PATH "/etc/jitlog/jitlog.conf"
#endif
#ifndef JL_DATABASE_PATH
#define JL_DATABASE_PATH "/var/lib/jitlog/jitlog.db"
#endif

/* A list of principals: "user", "%group" or "*" (already validated). */
struct jl_principals {
	char **v;
	size_t n;
};

/* A custom redaction rule (redaction_rules). */
struct jl_rule {
	char *name;
	char *pattern;
};

struct jl_resource {
	char *name;
	char *description; /* "" when not set */
	char **paths;      /* absolute; '*' '?' only in the basename */
	size_t npaths;
	struct jl_principals requesters; /* default [ "*" ] */
	struct jl_principals approvers;  /* required, non-empty */
	unsigned approvals;              /* default 1 */
	int64_t default_duration;        /* default min(1h, max) */
	int64_t max_duration;            /* default 4h */
	bool require_ticket;             /* true also when ticket_pattern set */
	char *ticket_pattern;            /* NULL when not set */
	char **redact;                   /* rule names, built-in or custom */
	size_t nredact;
	bool allow_unredacted;
	int64_t escalate_after; /* 0: no escalation */
	struct jl_principals escalate_to;
	bool break_glass;
	int64_t break_glass_max; /* cap when break_glass */
	bool terminate_sessions; /* default true */
};

struct jl_config {
	char *path;
	char *database;
	struct jl_principals admins;   /* default [] (root is always admin) */
	struct jl_principals auditors; /* default [] */
	int64_t request_ttl;           /* default 24h */
	int64_t remind_before;         /* default 10m */
	char *notify_command;          /* NULL when not set */
	struct jl_resource *resources;
	size_t nresources;
	struct jl_rule *rules;
	size_t nrules;
};

/* Maximum size of a config file. */
#define JL_CONFIG_MAX_BYTES (1024 * 1024)

/*
 * Check and load the file at path.  When owner_uid is (uid_t)-1 the owner
 * check is skipped (unit tests only); otherwise the file must be owned by
 * that uid (0 in production).  0 or -errno with err set ("path:line: ...").
 */
int jl_config_load(const char *path, uid_t owner_uid, struct jl_config **ret,
    struct jl_error *err);
/* Parse and validate text; name is used in messages. */
int jl_config_parse(const char *text, const char *name, struct jl_config **ret,
    struct jl_error *err);
void jl_config_free(struct jl_config *cfg);

/* The resource called name, or NULL. */
const struct jl_resource *jl_config_resource(const struct jl_config *cfg,
    const char *name);

#endif

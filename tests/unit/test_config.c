/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the configuration loader (lib/config*.c): defaults, every
 * key accepted with a good value and refused with a bad one (with the
 * reported line checked), the rules between keys, @include and the other
 * libconfig 1.5 traps, the file checks of jl_config_load (owner, mode,
 * symlink, FIFO, size, NUL) and the example etc/jitlog.conf.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jitlog/config.h"
#include "jitlog/redact.h"
#include "t.h"

#define NAME "t.conf"
/* Lines 1-4 of a resource; the setting under test goes on line 5. */
#define RES_HEAD                                                               \
	"resources = (\n"                                                      \
	"  {\n"                                                                \
	"    name = \"r\";\n"                                                  \
	"    approvers = [ \"%leads\" ];\n"
#define RES_TAIL "\n  }\n);\n"
#define MINIMAL  RES_HEAD RES_TAIL

static char tmpdir[] = "/tmp/jl-test-config-XXXXXX";

/* Parse text; on failure print why and return NULL. */
static struct jl_config *
parse_ok(const char *text)
{
	struct jl_config *cfg = NULL;
	struct jl_error err = { "" };

	if (jl_config_parse(text, NAME, &cfg, &err) != 0) {
		fprintf(stderr, "unexpected error: %s\n--- in:\n%s\n", err.msg,
		    text);
		return NULL;
	}
	return cfg;
}

/* text must be refused with "t.conf:<line>: ..." containing needle. */
static bool
refused(const char *text, unsigned line, const char *needle)
{
	struct jl_config *cfg = NULL;
	struct jl_error err = { "" };
	char want[64];
	int r;

	r = jl_config_parse(text, NAME, &cfg, &err);
	snprintf(want, sizeof(want), NAME ":%u: ", line);
	if (r == -EINVAL && cfg == NULL &&
	    strncmp(err.msg, want, strlen(want)) == 0 &&
	    strstr(err.msg, needle) != NULL)
		return true;
	fprintf(stderr,
	    "want -EINVAL \"%s...%s\", got %d \"%s\"\n--- in:\n%s\n", want,
	    needle, r, err.msg, text);
	jl_config_free(cfg);
	return false;
}

/* The resource setting on line 5 is refused with needle. */
static bool
res_refused(const char *setting, const char *needle)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s    %s%s", RES_HEAD, setting, RES_TAIL);
	return refused(text, 5, needle);
}

/* The resource setting is accepted; the resource is returned in *cfg. */
static const struct jl_resource *
res_ok(const char *setting, struct jl_config **cfg)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s    %s%s", RES_HEAD, setting, RES_TAIL);
	*cfg = parse_ok(text);
	return *cfg != NULL ? &(*cfg)->resources[0] : NULL;
}

static size_t
nbuiltins(void)
{
	size_t n = 0;

	while (jl_redact_builtin_names[n] != NULL)
		n++;
	return n;
}

static void
test_defaults(void)
{
	struct jl_config *cfg = parse_ok(MINIMAL);
	const struct jl_resource *r;

	T_ASSERT(cfg != NULL);
	if (cfg == NULL)
		return;
	T_ASSERT_STREQ(cfg->path, NAME);
	T_ASSERT_STREQ(cfg->database, JL_DATABASE_PATH);
	T_ASSERT_INTEQ(cfg->admins.n, 0);
	T_ASSERT_INTEQ(cfg->auditors.n, 0);
	T_ASSERT_INTEQ(cfg->request_ttl, 24 * 3600);
	T_ASSERT_INTEQ(cfg->remind_before, 600);
	T_ASSERT(cfg->notify_command == NULL);
	T_ASSERT_INTEQ(cfg->nrules, 0);
	T_ASSERT_INTEQ(cfg->nresources, 1);
	r = jl_config_resource(cfg, "r");
	T_ASSERT(r == &cfg->resources[0]);
	T_ASSERT(jl_config_resource(cfg, "s") == NULL);
	T_ASSERT(jl_config_resource(NULL, "r") == NULL);
	T_ASSERT_STREQ(r->name, "r");
	T_ASSERT_STREQ(r->description, "");
	T_ASSERT_INTEQ(r->npaths, 0);
	T_ASSERT_INTEQ(r->requesters.n, 1);
	T_ASSERT_STREQ(r->requesters.v[0], "*");
	T_ASSERT_INTEQ(r->approvers.n, 1);
	T_ASSERT_STREQ(r->approvers.v[0], "%leads");
	T_ASSERT_INTEQ(r->approvals, 1);
	T_ASSERT_INTEQ(r->max_duration, 4 * 3600);
	T_ASSERT_INTEQ(r->default_duration, 3600);
	T_ASSERT(!r->require_ticket);
	T_ASSERT(r->ticket_pattern == NULL);
	T_ASSERT_INTEQ(r->nredact, nbuiltins());
	for (size_t i = 0; i < r->nredact && i < nbuiltins(); i++)
		T_ASSERT_STREQ(r->redact[i], jl_redact_builtin_names[i]);
	T_ASSERT(!r->allow_unredacted);
	T_ASSERT_INTEQ(r->escalate_after, 0);
	T_ASSERT_INTEQ(r->escalate_to.n, 0);
	T_ASSERT(!r->break_glass);
	T_ASSERT_INTEQ(r->break_glass_max, 0);
	T_ASSERT(r->terminate_sessions);
	jl_config_free(cfg);

	/* default_duration is min(1h, max_duration). */
	r = res_ok("max_duration = \"30m\";", &cfg);
	T_ASSERT(r != NULL && r->default_duration == 1800);
	jl_config_free(cfg);
	/* An empty file and an empty resource list are valid. */
	cfg = parse_ok("");
	T_ASSERT(cfg != NULL && cfg->nresources == 0);
	jl_config_free(cfg);
	cfg = parse_ok("resources = ();\nredaction_rules = [];\n");
	T_ASSERT(cfg != NULL && cfg->nresources == 0 && cfg->nrules == 0);
	jl_config_free(cfg);
	jl_config_free(NULL);
}

static const char full[] =
    "database = \"/srv/jitlog/j.db\";\n"
    "admins = [ \"%jitlog-admins\", \"root\" ];\n"
    "auditors = ( \"%auditors\" );\n"
    "request_ttl = \"12h\";\n"
    "remind_before = \"5m\";\n"
    "notify_command = \"/usr/local/libexec/jitlog-notify\";\n"
    "resources = (\n"
    "  { name = \"payments-debug\";\n"
    "    description = \"Payments debug logs (production)\";\n"
    "    paths = [ \"/var/log/payments/debug.log\",\n"
    "              \"/var/log/payments/trace-*.log\" ];\n"
    "    requesters = [ \"%engineers\" ];\n"
    "    approvers = [ \"%payments-leads\", \"carol\" ];\n"
    "    approvals = 2;\n"
    "    default_duration = \"30m\";\n"
    "    max_duration = \"2h\";\n"
    "    ticket_pattern = \"^[A-Z]+-[0-9]+$\";\n"
    "    redact = [ \"jwt\", \"customer-id\" ];\n"
    "    allow_unredacted = true;\n"
    "    escalate_after = \"30m\";\n"
    "    escalate_to = [ \"%sre-managers\" ];\n"
    "    break_glass = { max_duration = \"30m\"; };\n"
    "    terminate_sessions = false; },\n"
    "  { name = \"bg\"; approvers = [ \"*\" ]; break_glass = true;\n"
    "    require_ticket = true; redact = []; max_duration = \"1d\"; }\n"
    ");\n"
    "redaction_rules = (\n"
    "  { name = \"customer-id\"; pattern = \"cust_[0-9a-f]{16}\"; }\n"
    ");\n";

static void
test_every_key(void)
{
	struct jl_config *cfg = parse_ok(full);
	const struct jl_resource *r, *b;

	T_ASSERT(cfg != NULL);
	if (cfg == NULL)
		return;
	T_ASSERT_STREQ(cfg->database, "/srv/jitlog/j.db");
	T_ASSERT(cfg->admins.n == 2 && strcmp(cfg->admins.v[1], "root") == 0);
	T_ASSERT_STREQ(cfg->admins.v[0], "%jitlog-admins");
	T_ASSERT(cfg->auditors.n == 1);
	T_ASSERT_STREQ(cfg->auditors.v[0], "%auditors");
	T_ASSERT_INTEQ(cfg->request_ttl, 12 * 3600);
	T_ASSERT_INTEQ(cfg->remind_before, 300);
	T_ASSERT_STREQ(cfg->notify_command, "/usr/local/libexec/jitlog-notify");
	T_ASSERT_INTEQ(cfg->nrules, 1);
	T_ASSERT_STREQ(cfg->rules[0].name, "customer-id");
	T_ASSERT_STREQ(cfg->rules[0].pattern, "cust_[0-9a-f]{16}");
	T_ASSERT_INTEQ(cfg->nresources, 2);
	r = jl_config_resource(cfg, "payments-debug");
	b = jl_config_resource(cfg, "bg");
	T_ASSERT(r != NULL && b != NULL);
	if (r == NULL || b == NULL)
		goto out;
	T_ASSERT_STREQ(r->description, "Payments debug logs (production)");
	T_ASSERT_INTEQ(r->npaths, 2);
	T_ASSERT_STREQ(r->paths[1], "/var/log/payments/trace-*.log");
	T_ASSERT(r->requesters.n == 1);
	T_ASSERT_STREQ(r->requesters.v[0], "%engineers");
	T_ASSERT(r->approvers.n == 2);
	T_ASSERT_STREQ(r->approvers.v[1], "carol");
	T_ASSERT_INTEQ(r->approvals, 2);
	T_ASSERT_INTEQ(r->default_duration, 1800);
	T_ASSERT_INTEQ(r->max_duration, 7200);
	T_ASSERT(r->require_ticket); /* implied by ticket_pattern */
	T_ASSERT_STREQ(r->ticket_pattern, "^[A-Z]+-[0-9]+$");
	T_ASSERT(r->nredact == 2);
	T_ASSERT_STREQ(r->redact[1], "customer-id");
	T_ASSERT(r->allow_unredacted);
	T_ASSERT_INTEQ(r->escalate_after, 1800);
	T_ASSERT(r->escalate_to.n == 1);
	T_ASSERT_STREQ(r->escalate_to.v[0], "%sre-managers");
	T_ASSERT(r->break_glass);
	T_ASSERT_INTEQ(r->break_glass_max, 1800);
	T_ASSERT(!r->terminate_sessions);
	/* break_glass = true is capped at the resource's max_duration. */
	T_ASSERT(b->break_glass);
	T_ASSERT_INTEQ(b->break_glass_max, 86400);
	T_ASSERT(b->require_ticket && b->ticket_pattern == NULL);
	T_ASSERT_INTEQ(b->nredact, 0); /* [] turns redaction off */
	T_ASSERT(b->terminate_sessions);
out:
	jl_config_free(cfg);
}

static void
test_more_accepted(void)
{
	static const char *const good[] = {
		"approvals = 16;",
		"approvals = 2L;",
		"approvals = 0x2;",
		"escalate_after = \"1h\"; escalate_to = [ \"c\", \"%g\" ];",
		"requesters = [];",
		"paths = [ \"/var/log/*\", \"/var/log/a?.log\", \"/v/.hidden\" ];",
		"break_glass = false;",
		"break_glass = {};",
		"require_ticket = false;",
		"description = \"\";",
		"default_duration = \"4h\";",
		"max_duration = \"1h30m\"; default_duration = \"90s\";",
	};
	struct jl_config *cfg = NULL;
	const struct jl_resource *r;
	char set[8192], *p = set;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		T_ASSERT(res_ok(good[i], &cfg) != NULL);
		jl_config_free(cfg);
	}
	r = res_ok("break_glass = {};", &cfg);
	T_ASSERT(r != NULL && r->break_glass && r->break_glass_max == 14400);
	jl_config_free(cfg);
	/* 64 paths are fine, 65 are not. */
	p += sprintf(p, "paths = [ \"/l/0\"");
	for (int i = 1; i < 64; i++)
		p += sprintf(p, ", \"/l/%d\"", i);
	strcpy(p, " ];");
	r = res_ok(set, &cfg);
	T_ASSERT(r != NULL && r->npaths == 64);
	jl_config_free(cfg);
	strcpy(p, ", \"/l/64\" ];");
	T_ASSERT(res_refused(set, "at most 64 paths"));
	/* A rule may be used before the file defines it. */
	cfg = parse_ok(RES_HEAD "redact = [ \"x\" ];" RES_TAIL
	                        "redaction_rules = ( { name = \"x\"; pattern = "
	                        "\"y\"; } );\n");
	T_ASSERT(cfg != NULL);
	jl_config_free(cfg);
}

static void
test_resource_key_errors(void)
{
	static const char *const bad[][2] = {
		{ "colour = \"red\";", "unknown key \"colour\" in a resource" },
		{ "description = 5;", "description must be a string" },
		{ "description = \"a\\x01b\";", "printable UTF-8" },
		{ "paths = \"/var/log/x\";",
		    "paths must be a list of strings" },
		{ "paths = ( \"/x\", 5 );", "paths must be a list of strings" },
		{ "paths = [ \"/x\", 5 ];", "mismatched element type" },
		{ "paths = [ \"var/log/x\" ];", "must be an absolute path" },
		{ "paths = [ \"/var//log/x\" ];", "\"//\"" },
		{ "paths = [ \"/var/./log/x\" ];", "normalised" },
		{ "paths = [ \"/var/log/../x\" ];", "normalised" },
		{ "paths = [ \"/var/log/..\" ];", "normalised" },
		{ "paths = [ \"/var/log/\" ];", "must not end in '/'" },
		{ "paths = [ \"/\" ];", "must not end in '/'" },
		{ "paths = [ \"/var/*/x.log\" ];",
		    "only in its last component" },
		{ "paths = [ \"/var/lo?/x.log\" ];",
		    "only in its last component" },
		{ "paths = [ \"/var/log/[ab].log\" ];", "'['" },
		{ "paths = [ \"/var/log/a\\tb\" ];", "control characters" },
		{ "requesters = \"bob\";", "requesters must be a list" },
		{ "requesters = [ \"bad user\" ];", "is not a principal" },
		{ "requesters = [ \"%\" ];", "is not a principal" },
		{ "approvals = \"1\";", "approvals must be a number" },
		{ "approvals = 1.0;", "approvals must be a number" },
		{ "approvals = 0;", "between 1 and 16" },
		{ "approvals = -1;", "between 1 and 16" },
		{ "approvals = 17;", "between 1 and 16" },
		{ "approvals = 4294967297;", "integer out of range" },
		{ "approvals = 0x100000001;", "integer out of range" },
		{ "default_duration = 3600;", "must be a duration string" },
		{ "default_duration = \"0\";", "invalid duration" },
		{ "default_duration = \"1x\";", "invalid duration" },
		{ "default_duration = \"5h\";",
		    "default_duration (5h) is longer than max_duration (4h)" },
		{ "max_duration = \"-1h\";", "invalid duration" },
		{ "max_duration = \" 1h\";", "invalid duration" },
		{ "max_duration = \"367d\";", "invalid duration" },
		{ "require_ticket = \"yes\";",
		    "require_ticket must be true or false" },
		{ "require_ticket = 1;",
		    "require_ticket must be true or false" },
		{ "ticket_pattern = 5;", "ticket_pattern must be a string" },
		{ "ticket_pattern = \"([A-Z\";", "ticket_pattern: " },
		{ "ticket_pattern = \"^(a+)+$\";", "ticket_pattern: " },
		{ "ticket_pattern = \"(a)\\\\1\";", "ticket_pattern: " },
		{ "redact = \"jwt\";", "redact must be a list of strings" },
		{ "redact = [ \"nope\" ];", "neither a built-in rule" },
		{ "redact = [ \"jwt\", \"jwt\" ];", "\"jwt\" is listed twice" },
		{ "allow_unredacted = 1;",
		    "allow_unredacted must be true or false" },
		{ "escalate_after = \"30m\";",
		    "escalate_after needs escalate_to" },
		{ "escalate_to = [ \"c\" ];",
		    "escalate_to needs escalate_after" },
		{ "escalate_after = \"30m\"; escalate_to = [];",
		    "must not be empty" },
		{ "escalate_after = \"30m\"; escalate_to = [ \"a b\" ];",
		    "not a principal" },
		{ "escalate_after = \"x\"; escalate_to = [ \"c\" ];",
		    "invalid duration" },
		{ "escalate_after = \"24h\"; escalate_to = [ \"c\" ];",
		    "shorter than request_ttl" },
		{ "break_glass = \"yes\";",
		    "break_glass must be true, false or" },
		{ "break_glass = 1;", "break_glass must be true, false or" },
		{ "break_glass = { max_duration = \"5h\"; };",
		    "break_glass max_duration (5h) is longer than the resource's "
		    "max_duration (4h)" },
		{ "break_glass = { max = \"1h\"; };",
		    "unknown key \"max\" in break_glass" },
		{ "break_glass = { max_duration = \"soon\"; };",
		    "invalid duration" },
		{ "break_glass = { max_duration = 30; };", "duration string" },
		{ "terminate_sessions = \"no\";", "must be true or false" },
		{ "name = \"again\";", "duplicate setting name" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_ASSERT(res_refused(bad[i][0], bad[i][1]));
}

static void
test_resource_errors(void)
{
	struct jl_config *cfg;

	T_ASSERT(refused("resources = (\n{\n approvers = [ \"b\" ];\n}\n);\n",
	    2, "resource without a name"));
	T_ASSERT(refused("resources = (\n{\n name = \"-r\";\n approvers = "
	                 "[ \"b\" ];\n}\n);\n",
	    3, "invalid resource name"));
	T_ASSERT(refused("resources = (\n{\n name = 5;\n}\n);\n", 3,
	    "name must be a string"));
	T_ASSERT(refused("resources = (\n{\n name = \"r\";\n}\n);\n", 2,
	    "resource \"r\" has no approvers"));
	T_ASSERT(refused("resources = (\n{\n name = \"r\";\n approvers = [];"
	                 "\n}\n);\n",
	    4, "has no approvers"));
	T_ASSERT(
	    refused("resources = (\n{ name = \"r\"; approvers = [ \"b\" ]; "
	            "},\n{ approvers = [ \"b\" ];\n name = \"r\"; }\n);\n",
	        4, "duplicate resource name \"r\""));
	T_ASSERT(refused("\nresources = \"r\";\n", 2,
	    "resources must be a list of groups"));
	T_ASSERT(refused("resources = { name = \"r\"; };\n", 1,
	    "resources must be a list of groups"));
	T_ASSERT(refused("resources = (\n\"r\"\n);\n", 2,
	    "a resource must be a group"));
	/* When only users approve, there must be enough of them. */
	T_ASSERT(refused("resources = ( { name = \"r\";\n"
	                 "approvers = [ \"bob\", \"carol\", \"bob\" ];\n"
	                 "approvals = 3; } );\n",
	    3, "approvals = 3 but only 2 distinct approvers are listed"));
	/* Escalation targets count towards it. */
	T_ASSERT(
	    refused("resources = ( { name = \"r\";\n"
	            "approvers = [ \"bob\" ]; approvals = 3;\n"
	            "escalate_after = \"1h\"; escalate_to = [ \"c\" ]; } );\n",
	        2, "approvals = 3 but only 2"));
	cfg =
	    parse_ok("resources = ( { name = \"r\"; approvers = [ \"bob\" ];\n"
	             "approvals = 2; escalate_after = \"1h\";\n"
	             "escalate_to = [ \"carol\" ]; } );\n");
	T_ASSERT(cfg != NULL);
	jl_config_free(cfg);
}

static void
test_top_level_errors(void)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *needle;
	} bad[] = {
		{ "\nfoo = 1;\n", 2,
		    "unknown key \"foo\" in the configuration" },
		{ "database = 5;\n", 1, "database must be a string" },
		{ "database = \"j.db\";\n", 1, "must be an absolute path" },
		{ "database = \"/var/lib/*.db\";\n", 1,
		    "must not contain wildcards" },
		{ "database = \"/var/lib/\";\n", 1, "must not end in '/'" },
		{ "\n\nadmins = \"%a\";\n", 3,
		    "admins must be a list of strings" },
		{ "admins = [ \"%a\", \"b c\" ];\n", 1, "is not a principal" },
		{ "auditors = [ 1 ];\n", 1,
		    "auditors must be a list of strings" },
		/* An element is placed on its own line, not on the ']' after. */
		{ "admins = [\n  \"ok\",\n  \"b c\"\n\n# end\n];\n", 3,
		    "not a principal" },
		{ "auditors = [ \"\" ];\n", 1, "is not a principal" },
		{ "request_ttl = 86400;\n", 1,
		    "request_ttl must be a duration" },
		{ "request_ttl = \"0s\";\n", 1, "invalid duration" },
		{ "remind_before = \"forever\";\n", 1, "invalid duration" },
		{ "remind_before = true;\n", 1,
		    "remind_before must be a duration" },
		{ "notify_command = 5;\n", 1,
		    "notify_command must be a string" },
		{ "notify_command = \"jitlog-notify\";\n", 1, "absolute path" },
		{ "notify_command = \"/usr/bin/n --x\";\n", 1,
		    "without arguments" },
		{ "notify_command = \"/usr/bin/../n\";\n", 1, "normalised" },
		{ "request_ttl = \"1h\";\nrequest_ttl = \"2h\";\n", 2,
		    "duplicate setting name" },
		{ "a = ;\n", 1, "syntax error" },
		{ "database = \"/x\";\nadmins = [ ;\n", 2, "syntax error" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_ASSERT(refused(bad[i].text, bad[i].line, bad[i].needle));
}

static void
test_rule_errors(void)
{
	static const struct {
		const char *rule;
		const char *needle;
	} bad[] = {
		{ "\"x\"", "a redaction rule must be a group" },
		{ "{ name = \"a\"; }", "needs a name and a pattern" },
		{ "{ pattern = \"a\"; }", "needs a name and a pattern" },
		{ "{ name = 1; pattern = \"a\"; }", "name must be a string" },
		{ "{ name = \"a\"; pattern = 1; }",
		    "pattern must be a string" },
		{ "{ name = \"Cust\"; pattern = \"a\"; }",
		    "invalid rule name" },
		{ "{ name = \"-c\"; pattern = \"a\"; }", "invalid rule name" },
		{ "{ name = \"c_d\"; pattern = \"a\"; }", "invalid rule name" },
		{ "{ name = \"\"; pattern = \"a\"; }", "invalid rule name" },
		{ "{ name = \"abcdefghijklmnopqrstuvwxyz0123456\"; pattern = "
		  "\"a\"; }",
		    "invalid rule name" },
		{ "{ name = \"jwt\"; pattern = \"a\"; }",
		    "is a built-in rule name" },
		{ "{ name = \"a\"; pattern = \"(\"; }",
		    "pattern of rule \"a\": " },
		{ "{ name = \"a\"; pattern = \"(x)\\\\1\"; }",
		    "pattern of rule" },
		{ "{ name = \"a\"; pattern = \"x\"; flags = \"i\"; }",
		    "unknown key \"flags\" in a redaction rule" },
		{ "{ name = \"a\"; pattern = \"x\"; }, { name = \"a\"; pattern = "
		  "\"y\"; }",
		    "duplicate rule name \"a\"" },
	};
	char text[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text),
		    "database = \"/x\";\nredaction_rules = (\n  %s\n);\n",
		    bad[i].rule);
		T_ASSERT(refused(text, 3, bad[i].needle));
	}
	T_ASSERT(refused("redaction_rules = \"x\";", 1,
	    "redaction_rules must be a list of groups"));
	/* A valid 32-character name. */
	T_ASSERT(refused("redaction_rules = ( { name = \"abcdefghijklmnopqrstu"
	                 "vwxyz012345\"; pattern = \"a\"; } );\nx = 1;\n",
	    2, "unknown key \"x\""));
}

/* libconfig 1.5 traps: @include, silent integer truncation, NUL escapes. */
static void
test_text_traps(void)
{
	T_ASSERT(refused("x = 1;\n  @include \"/etc/passwd\"\n", 2,
	    "@include is not allowed"));
	T_ASSERT(refused("\n\n\t@include \"etc/passwd\"\n", 3,
	    "@include is not allowed"));
	/* Also in a comment, and anywhere else outside a string. */
	T_ASSERT(refused("/*\n@include \"/etc/passwd\"\n*/\n", 2,
	    "@include is not allowed"));
	T_ASSERT(refused("database = \"/x\"; @include \"/etc/passwd\"\n", 1,
	    "'@' directives are not allowed"));
	/* '@' inside strings and comments is text. */
	T_ASSERT(refused("# mail root@example.org\n/* @x\n */\nfoo = \"@\";\n",
	    4, "unknown key \"foo\""));
	T_ASSERT(refused("# 99999999999\nx = \"99999999999\"; y = 99999999999;"
	                 "\n",
	    2, "integer out of range"));
	T_ASSERT(refused("\nx = 9223372036854775808L;\n", 2, "out of range"));
	T_ASSERT(
	    refused("\nx = -2147483648; y = -9223372036854775808L;"
	            " z = 0x7fffffff; w = 1e99; v = 0x7fffffffffffffffL;\n",
	        2, "unknown key \"x\""));
	T_ASSERT(refused("\n\ndatabase = \"/a\\x00/b\";\n", 3,
	    "NUL byte in a string"));
	T_ASSERT(refused(RES_HEAD "name = \"r\";" RES_TAIL, 5,
	    "duplicate setting name"));
}

/* The config owns its strings: nothing points into the parsed text. */
static void
test_owns_strings(void)
{
	char *text = strdup(full);
	struct jl_config *cfg = NULL;
	struct jl_error err;

	T_ASSERT(text != NULL);
	if (text == NULL)
		return;
	T_ASSERT_INTEQ(jl_config_parse(text, NAME, &cfg, &err), 0);
	memset(text, 'X', strlen(text));
	free(text);
	if (cfg == NULL)
		return;
	T_ASSERT_STREQ(cfg->resources[0].paths[0],
	    "/var/log/payments/debug.log");
	T_ASSERT_STREQ(cfg->rules[0].pattern, "cust_[0-9a-f]{16}");
	jl_config_free(cfg);
}

/* Write a file in tmpdir with mode; returns its path in buf. */
static const char *
put_file(const char *name, const char *data, size_t len, mode_t mode, char *buf,
    size_t buflen)
{
	int fd;

	snprintf(buf, buflen, "%s/%s", tmpdir, name);
	unlink(buf);
	fd = open(buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	T_ASSERT(fd >= 0);
	if (fd < 0)
		return buf;
	T_ASSERT(write(fd, data, len) == (ssize_t)len);
	T_ASSERT(fchmod(fd, mode) == 0);
	close(fd);
	return buf;
}

static int
load(const char *path, uid_t owner, struct jl_error *err)
{
	struct jl_config *cfg = NULL;
	int r = jl_config_load(path, owner, &cfg, err);

	T_ASSERT((r == 0) == (cfg != NULL));
	jl_config_free(cfg);
	return r;
}

static void
test_load_checks(void)
{
	const char *text = MINIMAL;
	struct jl_error err = { "" };
	char path[256], link[256];
	uid_t me = getuid();
	char *big;

	put_file("ok.conf", text, strlen(text), 0644, path, sizeof(path));
	T_ASSERT_INTEQ(load(path, me, &err), 0);
	T_ASSERT_INTEQ(load(path, (uid_t)-1, &err), 0);
	/* A file not owned by root is refused when root must own it. */
	if (me == 0)
		T_ASSERT(chown(path, 65534, (gid_t)-1) == 0);
	T_ASSERT_INTEQ(load(path, 0, &err), -EPERM);
	T_ASSERT(strstr(err.msg,
	             ": must be owned by root and not writable "
	             "by group or others") != NULL);
	T_ASSERT(strncmp(err.msg, path, strlen(path)) == 0);
	/* Group or other writable: refused even from the right owner. */
	put_file("gw.conf", text, strlen(text), 0664, path, sizeof(path));
	T_ASSERT_INTEQ(load(path, me, &err), -EPERM);
	T_ASSERT(strstr(err.msg, "not writable by group or others") != NULL);
	put_file("ow.conf", text, strlen(text), 0602, path, sizeof(path));
	T_ASSERT_INTEQ(load(path, me, &err), -EPERM);
	/* The unit-test escape hatch skips owner and mode. */
	T_ASSERT_INTEQ(load(path, (uid_t)-1, &err), 0);
	/* Missing, symlink, directory, FIFO (must not block). */
	snprintf(link, sizeof(link), "%s/missing.conf", tmpdir);
	T_ASSERT_INTEQ(load(link, (uid_t)-1, &err), -ENOENT);
	snprintf(link, sizeof(link), "%s/link.conf", tmpdir);
	T_ASSERT(symlink(path, link) == 0);
	T_ASSERT_INTEQ(load(link, (uid_t)-1, &err), -EPERM);
	T_ASSERT(strstr(err.msg, "symbolic link") != NULL);
	T_ASSERT_INTEQ(load(tmpdir, (uid_t)-1, &err), -EPERM);
	T_ASSERT(strstr(err.msg, "not a regular file") != NULL);
	snprintf(link, sizeof(link), "%s/fifo.conf", tmpdir);
	T_ASSERT(mkfifo(link, 0600) == 0);
	T_ASSERT_INTEQ(load(link, (uid_t)-1, &err), -EPERM);
	/* Size: exactly the limit is fine, one byte more is not. */
	big = malloc(JL_CONFIG_MAX_BYTES + 1);
	T_ASSERT(big != NULL);
	if (big == NULL)
		return;
	memset(big, '#', JL_CONFIG_MAX_BYTES + 1);
	for (size_t i = 1023; i < JL_CONFIG_MAX_BYTES; i += 1024)
		big[i] = '\n';
	put_file("max.conf", big, JL_CONFIG_MAX_BYTES, 0644, path,
	    sizeof(path));
	T_ASSERT_INTEQ(load(path, (uid_t)-1, &err), 0);
	put_file("big.conf", big, JL_CONFIG_MAX_BYTES + 1, 0644, path,
	    sizeof(path));
	T_ASSERT_INTEQ(load(path, (uid_t)-1, &err), -EFBIG);
	free(big);
	/* A NUL byte would end the text early: refused with its line. */
	put_file("nul.conf", "# a\n# b\0\nfoo = 1;\n", 18, 0644, path,
	    sizeof(path));
	T_ASSERT_INTEQ(load(path, (uid_t)-1, &err), -EINVAL);
	T_ASSERT(strstr(err.msg, "nul.conf:2: NUL byte") != NULL);
}

/* Errors from a file carry its path; @include never reaches the file. */
static void
test_load_errors(void)
{
	struct jl_error err = { "" };
	char path[256], inc[256], text[512], want[400];
	const char *evil = "database = \"/tmp/evil.db\";\n";

	put_file("evil.conf", evil, strlen(evil), 0644, inc, sizeof(inc));
	snprintf(text, sizeof(text), "# x\n@include \"%s\"\n", inc);
	put_file("inc.conf", text, strlen(text), 0644, path, sizeof(path));
	T_ASSERT_INTEQ(load(path, (uid_t)-1, &err), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: @include is not allowed", path);
	T_ASSERT_STREQ(err.msg, want);
	put_file("bad.conf", "\n\napprovals = 1;\n", 17, 0644, path,
	    sizeof(path));
	T_ASSERT_INTEQ(load(path, (uid_t)-1, &err), -EINVAL);
	snprintf(want, sizeof(want),
	    "%s:3: unknown key \"approvals\" in the configuration", path);
	T_ASSERT_STREQ(err.msg, want);
}

/* Fixtures in tests/data/config. */
static void
test_fixtures(void)
{
	struct jl_config *cfg = NULL;
	struct jl_error err = { "" };

	T_ASSERT_INTEQ(jl_config_load(JL_TEST_DATA "/config/minimal.conf",
	                   (uid_t)-1, &cfg, &err),
	    0);
	T_ASSERT(cfg != NULL && jl_config_resource(cfg, "app-debug") != NULL);
	jl_config_free(cfg);
	cfg = NULL;
	T_ASSERT_INTEQ(jl_config_load(JL_TEST_DATA "/config/include.conf",
	                   (uid_t)-1, &cfg, &err),
	    -EINVAL);
	T_ASSERT(cfg == NULL);
	T_ASSERT_STREQ(err.msg,
	    JL_TEST_DATA "/config/include.conf:5: @include is not allowed");
}

static void
test_example(void)
{
	struct jl_config *cfg = NULL;
	const struct jl_resource *r;
	struct jl_error err = { "" };
	bool bg = false;
	int rc;

	rc = jl_config_load(JL_TEST_DATA "/../../etc/jitlog.conf", (uid_t)-1,
	    &cfg, &err);
	if (rc != 0)
		fprintf(stderr, "etc/jitlog.conf: %s\n", err.msg);
	T_ASSERT_INTEQ(rc, 0);
	if (cfg == NULL)
		return;
	T_ASSERT(cfg->nresources >= 2 && cfg->nrules >= 1);
	r = jl_config_resource(cfg, "payments-debug");
	T_ASSERT(r != NULL && r->approvals == 2 && r->escalate_after > 0);
	for (size_t i = 0; i < cfg->nresources; i++)
		bg |= cfg->resources[i].break_glass;
	T_ASSERT(bg);
	jl_config_free(cfg);
}

static void
cleanup(void)
{
	static const char *const names[] = { "ok.conf", "gw.conf", "ow.conf",
		"link.conf", "fifo.conf", "max.conf", "big.conf", "nul.conf",
		"evil.conf", "inc.conf", "bad.conf", NULL };
	char path[256];

	for (size_t i = 0; names[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	T_RUN(test_defaults);
	T_RUN(test_every_key);
	T_RUN(test_more_accepted);
	T_RUN(test_resource_key_errors);
	T_RUN(test_resource_errors);
	T_RUN(test_top_level_errors);
	T_RUN(test_rule_errors);
	T_RUN(test_text_traps);
	T_RUN(test_owns_strings);
	T_RUN(test_load_checks);
	T_RUN(test_load_errors);
	T_RUN(test_fixtures);
	T_RUN(test_example);
	cleanup();
	return T_DONE();
}

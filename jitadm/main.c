/* SPDX-License-Identifier: ISC */
/*
 * jitadm: the command-line front end of jitlog, installed setgid jitlog
 * so that it can write the store.  main() below is the security argument
 * and reads top to bottom: sanitize the process, refuse to run
 * half-privileged, parse the arguments strictly, load the root-owned
 * config from its compiled-in path, learn who the caller is from the
 * real uid, open the store, run one command from the table.
 *
 * MUST (SECURITY.md "Process start", SPEC sections 1 and 4):
 *  - jl_proc_sanitize() runs first: fds 0-2 valid, others closed, fixed
 *    environment, chdir /, no core dumps; then umask 007 (the store is
 *    shared through the group); argc == 0 is a usage error; argv is
 *    never written;
 *  - no_new_privs, or a caller other than root without the jitlog group in
 *    effect, is refused with exit 3 before anything else is read;
 *  - the config and store paths are compiled in; -c FILE is honoured only
 *    for real uid 0 running without elevation (euid/egid = real ids);
 *  - identity is the real uid through NSS; USER, LOGNAME and SUDO_USER
 *    are never read (the environment is gone anyway);
 *  - exit 0 done, 1 refused, 2 usage, 3 config/store/system error, errors
 *    on stderr as "jitadm: <what>", success printed only after COMMIT.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "jitadm.h"
#include "jitlog/journal.h"
#include "jitlog/proc.h"

/* Fewest open files jitadm needs: stdio, config, store, WAL, shm, journal. */
#define JA_MIN_NOFILE 16

static const struct ja_cmd cmds[] = {
	{ .name = "request",
	    .run = ja_cmd_request,
	    .allowed = OPT(O_REASON) | OPT(O_DURATION) | OPT(O_TICKET) |
	        OPT(O_START) | OPT(O_UNREDACTED) | OPT(O_BREAK_GLASS) |
	        OPT(O_JSON),
	    .required = OPT(O_REASON),
	    .minpos = 1,
	    .maxpos = 1,
	    .pos = P_RESOURCE,
	    .flags = JA_NEED_STORE,
	    .synopsis = "request RESOURCE --reason TEXT [--duration DUR] "
	                "[--ticket ID]\n\t\t[--start TIME] [--unredacted] "
	                "[--break-glass] [--json]" },
	{ .name = "approve",
	    .run = ja_cmd_approve,
	    .allowed = OPT(O_COMMENT) | OPT(O_DURATION) | OPT(O_JSON),
	    .minpos = 1,
	    .maxpos = 1,
	    .pos = P_ID,
	    .flags = JA_NEED_STORE,
	    .synopsis = "approve ID [--comment TEXT] [--duration DUR] "
	                "[--json]" },
	{ .name = "deny",
	    .run = ja_cmd_deny,
	    .allowed = OPT(O_COMMENT) | OPT(O_JSON),
	    .required = OPT(O_COMMENT),
	    .minpos = 1,
	    .maxpos = 1,
	    .pos = P_ID,
	    .flags = JA_NEED_STORE,
	    .synopsis = "deny ID --comment TEXT [--json]" },
	{ .name = "revoke",
	    .run = ja_cmd_revoke,
	    .allowed = OPT(O_COMMENT) | OPT(O_JSON),
	    .minpos = 1,
	    .maxpos = 1,
	    .pos = P_ID,
	    .flags = JA_NEED_STORE,
	    .synopsis = "revoke ID [--comment TEXT] [--json]" },
	{ .name = "grant",
	    .run = ja_cmd_grant,
	    .allowed =
	        OPT(O_USER) | OPT(O_REASON) | OPT(O_DURATION) | OPT(O_JSON),
	    .required = OPT(O_USER) | OPT(O_REASON),
	    .minpos = 1,
	    .maxpos = 1,
	    .pos = P_RESOURCE,
	    .flags = JA_NEED_STORE,
	    .synopsis = "grant RESOURCE --user USER --reason TEXT "
	                "[--duration DUR] [--json]" },
	{ .name = "extend",
	    .run = ja_cmd_extend,
	    .allowed = OPT(O_DURATION) | OPT(O_REASON) | OPT(O_JSON),
	    .required = OPT(O_DURATION) | OPT(O_REASON),
	    .minpos = 1,
	    .maxpos = 1,
	    .pos = P_ID,
	    .flags = JA_NEED_STORE,
	    .synopsis = "extend ID --duration DUR --reason TEXT [--json]" },
	{ .name = "review",
	    .run = ja_cmd_review,
	    .allowed = OPT(O_COMMENT) | OPT(O_JSON),
	    .minpos = 1,
	    .maxpos = 1,
	    .pos = P_ID,
	    .flags = JA_NEED_STORE,
	    .synopsis = "review ID [--comment TEXT] [--json]" },
	{ .name = "sweep",
	    .run = ja_cmd_sweep,
	    .allowed = OPT(O_JSON),
	    .flags = JA_NEED_STORE,
	    .synopsis = "sweep [--json]" },
	{ .name = "list",
	    .run = ja_cmd_list,
	    .allowed = OPT(O_PENDING) | OPT(O_ACTIVE) | OPT(O_UNREVIEWED) |
	        OPT(O_ALL) | OPT(O_USER) | OPT(O_RESOURCE) | OPT(O_JSON),
	    .exclusive =
	        OPT(O_PENDING) | OPT(O_ACTIVE) | OPT(O_UNREVIEWED) | OPT(O_ALL),
	    .flags = JA_NEED_STORE,
	    .synopsis = "list [--pending | --active | --unreviewed | --all] "
	                "[--user USER]\n\t\t[--resource RESOURCE] [--json]" },
	{ .name = "show",
	    .run = ja_cmd_show,
	    .allowed = OPT(O_JSON),
	    .minpos = 1,
	    .maxpos = 1,
	    .pos = P_ID,
	    .flags = JA_NEED_STORE,
	    .synopsis = "show ID [--json]" },
	{ .name = "resources",
	    .run = ja_cmd_resources,
	    .allowed = OPT(O_JSON),
	    .flags = JA_NEED_CONFIG,
	    .synopsis = "resources [--json]" },
	{ .name = "audit",
	    .run = ja_cmd_audit,
	    .allowed =
	        OPT(O_SINCE) | OPT(O_GRANT) | OPT(O_JSON) | OPT(O_JOURNAL),
	    .maxpos = 1,
	    .pos = P_VERIFY,
	    .flags = JA_NEED_STORE,
	    .synopsis = "audit [--since TIME] [--grant ID] [--json]\n"
	                "\tjitadm audit verify [--journal [--since TIME]] "
	                "[--json]" },
	{ .name = "report",
	    .run = ja_cmd_report,
	    .allowed = OPT(O_SINCE_DUR) | OPT(O_REPEAT) | OPT(O_JSON),
	    .flags = JA_NEED_STORE,
	    .synopsis = "report [--since DUR] [--repeat N] [--json]" },
	{ .name = "check-config",
	    .run = ja_cmd_check_config,
	    .maxpos = 1,
	    .pos = P_FILE,
	    .synopsis = "check-config [FILE]" },
	{ .name = "init",
	    .run = ja_cmd_init,
	    .flags = JA_NEED_CONFIG,
	    .synopsis = "init" },
};

void
ja_cmd_usage(const struct ja_cmd *cmd, FILE *f)
{
	(void)fprintf(f, "usage: jitadm %s\n", cmd->synopsis);
}

/* SIGALRM only ends a wait (see main). */
static void
on_alarm(int sig)
{
	(void)sig;
}

static void
usage(FILE *f)
{
	size_t i;

	(void)fprintf(f, "usage: jitadm [-c FILE] COMMAND [ARGS]\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		(void)fprintf(f, "\tjitadm %s\n", cmds[i].synopsis);
	(void)fprintf(f, "\tjitadm --help | --version\n");
}

/* Real uid 0 without set[ug]id elevation: may name other files. */
bool
ja_root_unelevated(void)
{
	return getuid() == 0 && geteuid() == 0 && getegid() == getgid();
}

/*
 * Global options before the command: -c FILE, -h/--help, --version.
 * JA_OK with *ret_i at the command, JA_HELP (done, exit 0), JA_USAGE.
 */
static int
parse_global(int argc, char *const argv[], struct ja *ja, int *ret_i)
{
	int i = 1;

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return JA_HELP;
		} else if (strcmp(argv[i], "--version") == 0) {
			(void)printf("jitadm %s\n", JL_VERSION);
			return JA_HELP;
		} else if (strcmp(argv[i], "-c") != 0) {
			ja_err("unknown option %.64s", argv[i]);
			return JA_USAGE;
		}
		if (ja->config_path != NULL) {
			ja_err("option -c given more than once");
			return JA_USAGE;
		}
		if (!ja_root_unelevated()) {
			ja_err("-c is only for root without setgid privileges");
			return JA_USAGE;
		}
		if (i + 1 >= argc || !ja_path_ok(argv[i + 1])) {
			ja_err("-c needs an absolute path");
			return JA_USAGE;
		}
		ja->config_path = argv[i + 1];
		i += 2;
	}
	*ret_i = i;
	return JA_OK;
}

/* The command named s, or NULL. */
static const struct ja_cmd *
find_cmd(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i].name, s) == 0)
			return &cmds[i];
	return NULL;
}

/* Everything before the config: arguments.  JA_OK, JA_HELP or JA_USAGE. */
static int
parse_cmdline(int argc, char *const argv[], struct ja *ja, struct ja_args *a)
{
	int i, r;

	for (i = 1; i < argc; i++) {
		if (strnlen(argv[i], JA_ARG_MAX + 1) > JA_ARG_MAX) {
			ja_err("argument %d is longer than %d bytes", i,
			    JA_ARG_MAX);
			return JA_USAGE;
		}
	}
	if ((r = parse_global(argc, argv, ja, &i)) != JA_OK)
		return r;
	if (i >= argc) {
		ja_err("no command given");
		usage(stderr);
		return JA_USAGE;
	}
	if ((ja->cmd = find_cmd(argv[i])) == NULL) {
		ja_err("unknown command %.64s", argv[i]);
		usage(stderr);
		return JA_USAGE;
	}
	r = ja_parse_args(ja->cmd, argc - i - 1, argv + i + 1, ja->now, a);
	if (r == JA_HELP)
		ja_cmd_usage(ja->cmd, stdout);
	else if (r == JA_USAGE)
		ja_cmd_usage(ja->cmd, stderr);
	return r;
}

/* A config that does not load is an event too (journal only). */
static void
log_config_error(const struct ja *ja, const char *msg)
{
	struct jl_event ev;
	struct jl_buf b = { NULL, 0, 0 };

	if (jl_buf_puts(&b, "{\"error\":") < 0 || jl_json_str(&b, msg) < 0 ||
	    jl_buf_puts(&b, "}") < 0) {
		jl_buf_free(&b);
		return;
	}
	jl_event_init(&ev, "config_error", (int64_t)ja->now);
	ev.detail = b.data;
	ev.priority = LOG_ERR;
	(void)jl_journal_emit("jitadm", &ev);
	jl_buf_free(&b);
}

/* Config, identity and store as the command needs.  JA_OK or JA_ERROR. */
static int
setup(struct ja *ja)
{
	struct jl_store_opts o;
	struct jl_error err = { "" };
	int r;

	if ((ja->cmd->flags & (JA_NEED_CONFIG | JA_NEED_STORE)) &&
	    jl_config_load(ja->config_path, 0, &ja->cfg, &err) < 0) {
		ja_err("%s", err.msg);
		log_config_error(ja, err.msg);
		return JA_ERROR;
	}
	r = jl_ident_from_uid(getuid(), &ja->who);
	if (r == -ENOENT) {
		ja_err("uid %lu has no user name", (unsigned long)getuid());
		return JA_ERROR;
	} else if (r < 0) {
		ja_err("cannot look up uid %lu: %s", (unsigned long)getuid(),
		    strerror(-r));
		return JA_ERROR;
	}
	if (!(ja->cmd->flags & JA_NEED_STORE))
		return JA_OK;
	if (ja->gid == (gid_t)-1) {
		ja_err("group %s does not exist", JL_GROUP);
		return JA_ERROR;
	}
	jl_store_opts_default(&o);
	o.owner = 0;
	o.group = ja->gid;
	o.alarm_wait = true;
	if (jl_store_open(ja->cfg->database, &o, &ja->store, &err) < 0) {
		ja_err("%s", err.msg);
		return JA_ERROR;
	}
	ja->ctx = (struct jl_ctx){ .cfg = ja->cfg,
		.store = ja->store,
		.who = &ja->who,
		.now = (int64_t)ja->now,
		.prog = "jitadm",
		.on_commit = ja_on_commit,
		.on_commit_arg = ja };
	return JA_OK;
}

int
main(int argc, char *argv[])
{
	struct ja ja = { .gid = (gid_t)-1 };
	struct ja_args a;
	struct jl_error err = { "" };
	int r;

	/* 1. Before anything else: fds, environment, cwd, umask, dumps. */
	if (jl_proc_sanitize(&err) < 0) {
		ja_err("%s", err.msg);
		return JA_ERROR;
	}
	/*
	 * The files jitadm creates are the store's WAL and shared-memory
	 * companions, which every jitlog process must share through the
	 * group.  SQLite creates them with the store's mode through the
	 * umask and only then fchmod()s them: under umask 077 another
	 * jitadm could meet them unreadable in between (seen as "Permission
	 * denied" or "readonly database" in a race).  007 creates them 0660
	 * at once; others still get nothing.
	 */
	(void)umask(007);
	/* The store's writers' gate sleeps until it is free, its wait
	 * bounded by an interval timer (jl_store_opts.alarm_wait): SIGALRM
	 * must interrupt that sleep, not kill us. */
	(void)sigaction(SIGALRM, &(struct sigaction){ .sa_handler = on_alarm },
	    NULL); /* no SA_RESTART */
	if (argc < 1 || argv[0] == NULL) {
		usage(stderr);
		return JA_USAGE;
	}
	/*
	 * 2. Refuse crippling limits (first: the NSS lookup below alone
	 * overflows a stack of a few KiB), then refuse to run
	 * half-privileged.
	 */
	if (jl_proc_check_limits(JA_MIN_NOFILE, &err) < 0) {
		ja_err("resource limits too low: %s", err.msg);
		return JA_ERROR;
	}
	r = jl_group_gid(JL_GROUP, &ja.gid);
	if (r < 0 && (r != -ENOENT || getuid() != 0)) {
		ja_err("cannot find group %s: %s", JL_GROUP,
		    r == -ENOENT ? "no such group" : strerror(-r));
		return JA_ERROR;
	}
	if (jl_proc_check_privileged((uid_t)-1, ja.gid, &err) < 0) {
		ja_err("not running with its privileges (installed setgid %s? "
		       "mounted nosuid? no_new_privs?): %s",
		    JL_GROUP, err.msg);
		return JA_ERROR;
	}
	/* 3. Arguments, strictly; then 4-6. config, identity, store. */
	ja.now = time(NULL);
	if ((r = parse_cmdline(argc, argv, &ja, &a)) != JA_OK)
		return r == JA_HELP ? JA_OK : r;
	if (ja.config_path == NULL)
		ja.config_path = JL_CONFIG_PATH;
	r = setup(&ja);
	/* 7. The command; then, its output written and the store closed,
	 * notify_command for what it committed (bounded, never changes r). */
	if (r == JA_OK)
		r = ja.cmd->run(&ja, &a);
	jl_store_close(ja.store);
	ja.store = ja.ctx.store = NULL;
	ja_events_notify(&ja);
	ja_events_free(&ja);
	jl_ident_free(&ja.who);
	jl_config_free(ja.cfg);
	return r;
}

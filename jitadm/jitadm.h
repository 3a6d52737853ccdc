/* SPDX-License-Identifier: ISC */
/*
 * jitadm's internal interface: exit codes, the option table and parsed
 * arguments (args.c), the command table entry and the state main() sets
 * up for a command (main.c), output helpers (out.c) and the commands
 * (cmd_*.c).  Commands return an exit status; they print success only
 * after the action they ran returned 0, i.e. after COMMIT.
 */
#ifndef JITADM_H
#define JITADM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "jitlog/common.h"
#include "jitlog/config.h"
#include "jitlog/grant.h"
#include "jitlog/ident.h"
#include "jitlog/ops.h"
#include "jitlog/store.h"

/* Exit status (SPEC section 4). */
#define JA_OK      0
#define JA_REFUSED 1
#define JA_USAGE   2
#define JA_ERROR   3
/* Not an exit status: --help was given, print the usage and exit 0. */
#define JA_HELP    (-1)

/* Longest command-line argument accepted (longer: usage error). */
#define JA_ARG_MAX 4096
/* Most positional arguments of any command. */
#define JA_MAXPOS  2

/* Every option of every command; each command allows a subset. */
enum ja_opt {
	O_HELP,
	O_REASON,
	O_DURATION,
	O_TICKET,
	O_START,
	O_UNREDACTED,
	O_COMMENT,
	O_USER,
	O_RESOURCE,
	O_PENDING,
	O_ACTIVE,
	O_UNREVIEWED,
	O_ALL,
	O_SINCE,
	O_GRANT,
	O_JSON,
	O_SINCE_DUR, /* report --since DUR (audit's --since is a TIME) */
	O_REPEAT,
	O_JOURNAL,
	O_BREAK_GLASS,
	O_NOPTS
};
#define OPT(o) (1u << (o))

/* What the positional arguments of a command are. */
enum ja_pos {
	P_NONE = 0,
	P_ID,       /* a grant id, into ja_args.id */
	P_RESOURCE, /* a resource name */
	P_FILE,     /* an absolute path */
	P_VERIFY,   /* the word "verify" */
};

struct ja_args {
	unsigned given;           /* OPT() bits */
	int64_t id;               /* with P_ID */
	const char *val[O_NOPTS]; /* the value as given, NULL if none */
	int64_t num[O_NOPTS];     /* durations (s), times, ids */
	const char *pos[JA_MAXPOS];
	size_t npos;
};

struct ja;
struct ja_events;

/* Command table entry. */
#define JA_NEED_CONFIG 0x1 /* load the config first */
#define JA_NEED_STORE  0x2 /* and open the store */

struct ja_cmd {
	const char *name;
	int (*run)(struct ja *ja, const struct ja_args *a);
	unsigned allowed;   /* OPT() bits besides --help */
	unsigned required;  /* OPT() bits that must be given */
	unsigned exclusive; /* OPT() bits of which at most one */
	size_t minpos, maxpos;
	enum ja_pos pos;
	unsigned flags;
	const char *synopsis; /* after "jitadm " */
};

/* What main() set up for the command. */
struct ja {
	const char *config_path; /* JL_CONFIG_PATH or -c FILE */
	gid_t gid;               /* the jitlog group; (gid_t)-1: none */
	time_t now;
	struct jl_config *cfg;  /* with JA_NEED_CONFIG */
	struct jl_store *store; /* with JA_NEED_STORE */
	struct jl_ident who;    /* the caller (real uid) */
	struct jl_ctx ctx;
	const struct ja_cmd *cmd;
	struct ja_events *events; /* events.c: committed by the command */
};

/* args.c */
int ja_parse_args(const struct ja_cmd *cmd, int argc, char *const argv[],
    time_t now, struct ja_args *ret);
int ja_parse_id(const char *s, int64_t *ret);
bool ja_path_ok(const char *s);

/* main.c */
void ja_cmd_usage(const struct ja_cmd *cmd, FILE *f);
bool ja_root_unelevated(void);

/* out.c */
void ja_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int ja_result(int r, const struct jl_error *err);
int ja_esc(struct jl_buf *b, const char *s);
int ja_write(struct jl_buf *b);
void ja_time(int64_t t, char *buf, size_t len);
void ja_clip(char *s, size_t maxcp);

/* A table printed with aligned columns; cells are escaped when added. */
#define JA_TABLE_MAXCOLS 8
struct ja_table {
	size_t ncols;
	char **cells; /* nrows * ncols */
	size_t nrows;
	size_t cap;
	size_t clip[JA_TABLE_MAXCOLS]; /* 0: no limit, else codepoints */
};
int ja_table_add(struct ja_table *t, const char *const *cells);
int ja_table_print(const struct ja_table *t, struct jl_buf *out);
void ja_table_free(struct ja_table *t);

/* cmd_request.c */
int ja_print_grant(const struct ja *ja, const struct ja_args *a,
    const struct jl_grant *g, const char *human);
/* The one-line summary "ID\n" of a new grant, into buf (a human line
 * for ja_finish_grant). */
void ja_line_id(const struct ja *ja, const struct jl_grant *g, char *buf,
    size_t len);
/*
 * The end of a command that ran an action returning one grant, after the
 * action returned r: a refusal or an error is reported from err
 * (ja_result) and nothing printed; otherwise g, the grant the action
 * returned, is printed with the one-line summary human writes of it into
 * its buffer, newline included (ja_print_grant).  Frees g either way.  A
 * JA_* exit status.
 */
int ja_finish_grant(const struct ja *ja, const struct ja_args *a, int r,
    const struct jl_error *err, struct jl_grant *g,
    void (*human)(const struct ja *, const struct jl_grant *, char *, size_t));
int ja_cmd_request(struct ja *ja, const struct ja_args *a);
int ja_cmd_approve(struct ja *ja, const struct ja_args *a);
int ja_cmd_deny(struct ja *ja, const struct ja_args *a);
int ja_cmd_revoke(struct ja *ja, const struct ja_args *a);
int ja_cmd_grant(struct ja *ja, const struct ja_args *a);

/* cmd_list.c */
int ja_cmd_list(struct ja *ja, const struct ja_args *a);
int ja_cmd_show(struct ja *ja, const struct ja_args *a);
int ja_cmd_resources(struct ja *ja, const struct ja_args *a);

/* cmd_audit.c */
int ja_cmd_audit(struct ja *ja, const struct ja_args *a);
int ja_may_audit(const struct ja *ja, const char *what);

/* cmd_journal.c: audit verify --journal */
int ja_verify_journal(struct ja *ja, int64_t since, bool json, struct jl_buf *b,
    bool *ret_consistent);

/* cmd_report.c */
int ja_cmd_report(struct ja *ja, const struct ja_args *a);

/* cmd_ops.c */
int ja_cmd_sweep(struct ja *ja, const struct ja_args *a);
int ja_cmd_extend(struct ja *ja, const struct ja_args *a);
int ja_cmd_review(struct ja *ja, const struct ja_args *a);
int ja_cmd_break_glass(struct ja *ja, const struct ja_args *a);

/* events.c: the events a command committed (jl_ctx.on_commit), then
 * notify_command for each that is notified, after the output. */
void ja_on_commit(void *arg, const struct jl_event *ev);
size_t ja_events_count(const struct ja *ja);
const char *ja_event_line(const struct ja *ja, size_t i);
const char *ja_event_json(const struct ja *ja, size_t i);
void ja_events_notify(struct ja *ja);
void ja_events_free(struct ja *ja);

/* cmd_admin.c */
int ja_cmd_check_config(struct ja *ja, const struct ja_args *a);
int ja_cmd_init(struct ja *ja, const struct ja_args *a);

#endif

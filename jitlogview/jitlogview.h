/* SPDX-License-Identifier: ISC */
/*
 * jitlogview's internal interface: exit codes, the state main() sets up,
 * the files of a resource (files.c), the privileged monitor (monitor.c)
 * and the unprivileged streamer it forks (streamer.c), and the status
 * message the streamer sends back for the audit trail.
 */
#ifndef JITLOGVIEW_H
#define JITLOGVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "jitlog/config.h"
#include "jitlog/ident.h"
#include "jitlog/ops.h"
#include "jitlog/safeio.h"
#include "jitlog/view.h"

/* Exit status (SPEC section 5). */
#define JV_OK      0
#define JV_REFUSED 1
#define JV_USAGE   2
#define JV_ERROR   3
#define JV_ENDED   4

/* Streamer exit status besides JV_OK and JV_ERROR: its output closed. */
#define JV_EX_PIPE 10

/* Fewest open files needed: stdio, the store (db, WAL, shm), the journal,
 * the directory walk, the log, inotify, signalfd and two pipes. */
#define JV_MIN_NOFILE      32
/* Largest -n. */
#define JV_LINES_MAX       100000000
/* -f without -n starts with this many lines, as tail -f does. */
#define JV_FOLLOW_LINES    10
/* The wait for a busy store: the records (view_open, view_denied,
 * view_close) wait as long as a jitadm write does; a re-check while the
 * log is shown waits less, so that it ends well inside the 1 s cut-off. */
#define JV_STORE_BUSY_MS   2000
#define JV_RECHECK_BUSY_MS 500

/* Who the streamer runs as. */
struct jv_creds {
	uid_t uid;
	gid_t gid;
};

/* The file chosen for a view, opened and checked. */
struct jv_file {
	char *path;             /* full path (config path or glob match) */
	struct jl_safe_dir dir; /* its directory, held (follow: watched) */
	int fd;
	struct stat st;
};

/* A view about to run: everything the monitor and the streamer need. */
struct jv_run {
	struct jl_ctx *c;
	const struct jl_resource *res;
	struct jl_view view;
	struct jv_file file;
	off_t start; /* first byte to show (-n) */
	bool follow;
	struct jv_creds creds; /* the streamer's uid and gid */
	pid_t monitor;         /* set by jv_monitor */
};

/* Streamer -> monitor: counts for view_close (one write <= PIPE_BUF). */
#define JV_STATUS_MAGIC 0x6a6c7673u
#define JV_MAX_RULES    60
struct jv_status {
	uint32_t magic;
	uint32_t nrules;
	uint64_t bytes; /* written to stdout */
	uint64_t lines_cut;
	uint64_t counts[JV_MAX_RULES]; /* per rule of res->redact */
};

/*
 * Streamer -> monitor besides the reports, which come at most every
 * 100 ms: the bytes handed to write(2) so far, the write in progress
 * included, in a page the two share (mon_start maps it before the fork).
 * When the monitor kills the streamer between two reports, view_close
 * records this as the bytes shown (never fewer than were).
 */
struct jv_shared {
	uint64_t bytes;
};

/* "jitlogview: " and the message, escaped, on stderr (never blocks for
 * more than a second). */
void jv_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* files.c */
/*
 * Choose the file of res named name (full path or basename; NULL: the
 * only file of res) and open it with the safe-open rules.  JV_OK with *f
 * set; JV_USAGE after listing the files when name is NULL and there are
 * several; JV_REFUSED with *ret_why (static or in err) when the file is
 * not one of res's or is unsafe; JV_ERROR.
 */
int jv_file_open(const struct jl_resource *res, const char *name,
    struct jv_file *f, const char **ret_why, struct jl_error *err);
/*
 * Follow: open cur's path again with the same rules.  JV_OK with *next
 * set when another file is there now (next->fd -1 when it is still cur);
 * JV_REFUSED with *ret_why NULL when nothing is there (yet), or with
 * *ret_why and err set when what is there is unsafe; JV_ERROR.
 */
int jv_file_reopen(const struct jv_file *cur, struct jv_file *next,
    const char **ret_why, struct jl_error *err);
void jv_file_close(struct jv_file *f); /* idempotent */
/* No arguments: the caller's grants that hold now and their files. */
int jv_list(struct jl_ctx *c);
/* Offset of the last n lines of fd (size bytes), reading backwards. */
int jv_tail_offset(int fd, off_t size, uint64_t n, off_t *ret);

/* monitor.c: run view r (recorded already); returns the exit status. */
int jv_monitor(struct jv_run *r);

/* streamer.c: in the forked child; never returns. */
__attribute__((noreturn)) void jv_streamer(const struct jv_run *r, int data_fd,
    int status_fd, struct jv_shared *sh);

#endif

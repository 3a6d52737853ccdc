/* SPDX-License-Identifier: ISC */
/*
 * The monitor's state, shared by monitor.c (the loop that moves bytes and
 * holds the grant) and child.c (starting the streamer, reading its
 * reports, and ending the view: stopping it, recording view_close, the
 * exit status).
 */
#ifndef JITLOGVIEW_MONITOR_H
#define JITLOGVIEW_MONITOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "jitlogview.h"

#define CHECK_MS  250  /* grant re-check at least this often */
#define FOLLOW_MS 100  /* follow: growth and rotation at least this often */
#define EARLY_MS  50   /* no more often than this on inotify events */
#define READY_MS  5000 /* the streamer proves its drop within this */
#define CHUNK     (1024 * 1024)
#define BOUNCE    (64 * 1024)
#define PIPE_SIZE (1024 * 1024)

/* How a view ends (view_close's "end"). */
enum end {
	E_NONE = 0,
	E_EOF,    /* all shown */
	E_CLOSED, /* the reader went away */
	E_EXPIRED,
	E_REVOKED,
	E_SIGNAL,
	E_UNSAFE,
	E_ERROR,
};

struct mon {
	struct jv_run *r;
	loff_t off, limit; /* next byte; confirmed end */
	int pipe_w, status_r, sfd, ifd, wd;
	pid_t child;
	bool ready, eof_sent, pipe_gone, child_gone, splice_ok, early;
	int child_status, signo;
	int64_t started, last_tick;
	uint64_t fwd;         /* bytes handed to the streamer */
	struct jv_status st;  /* its last report */
	struct jv_shared *sh; /* shared with it (jitlogview.h) */
	char *bounce;         /* pread/write when splice is unsupported */
	size_t blen, bpos;
	struct jv_file next; /* follow: the file that replaced ours */
	char msg[JL_ERRMAX]; /* why it ended, for E_UNSAFE and E_ERROR */
};

/* Fork the streamer with its two pipes.  0, or -EAGAIN with m->msg set
 * (nothing forked; the caller never streams itself). */
int mon_start(struct mon *m);
/* Read the streamer's reports.  E_NONE, E_EOF when it is gone (its exit
 * status decides), E_ERROR on a malformed report. */
enum end mon_read_status(struct mon *m);
/* End the view: stop the streamer, record view_close, say why.  Returns
 * the exit status (or dies of the signal that ended the view). */
int mon_finish(struct mon *m, enum end e);

#endif

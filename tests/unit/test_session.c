/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of lib/session.c helpers: the RHOST/TTY annotation (escaped,
 * capped at JL_ANNOT_MAX bytes of input on a character boundary) and the
 * pid start time read from /proc/<pid>/stat, which must not be fooled by
 * a process name holding ") " and numbers.  The session actions
 * themselves are tested through the module in tests/pam.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jitlog/session.h"
#include "t.h"

static void
test_annotation(void)
{
	char in[JL_ANNOT_MAX + 64], *out = NULL;

	T_ASSERT(jl_session_annotation(NULL, &out) == 0 && out == NULL);
	T_ASSERT(jl_session_annotation("", &out) == 0 && out == NULL);
	T_ASSERT(jl_session_annotation("192.0.2.1", &out) == 0);
	T_ASSERT_STREQ(out, "192.0.2.1");
	free(out);
	T_ASSERT(
	    jl_session_annotation("a\x1b[31m\n\xe2\x80\xae\xff", &out) == 0);
	T_ASSERT_STREQ(out, "a\\x1b[31m\\x0a\\u{202E}\\xff");
	free(out);

	/* Capped at JL_ANNOT_MAX bytes. */
	memset(in, 'a', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	T_ASSERT(jl_session_annotation(in, &out) == 0);
	T_ASSERT_INTEQ(strlen(out), JL_ANNOT_MAX);
	free(out);
	/* ... on a character boundary: a 2-byte and a 3-byte character
	 * straddling the cap are left out whole. */
	memset(in, 'a', sizeof(in) - 1);
	memcpy(in + JL_ANNOT_MAX - 1, "\xc3\xa9", 2);
	T_ASSERT(jl_session_annotation(in, &out) == 0);
	T_ASSERT_INTEQ(strlen(out), JL_ANNOT_MAX - 1);
	free(out);
	memset(in, 'a', sizeof(in) - 1);
	memcpy(in + JL_ANNOT_MAX - 2, "\xe2\x82\xac", 3);
	T_ASSERT(jl_session_annotation(in, &out) == 0);
	T_ASSERT_INTEQ(strlen(out), JL_ANNOT_MAX - 2);
	free(out);
	/* Worst case: every byte escaped, still bounded (4 per byte). */
	memset(in, '\x01', sizeof(in) - 1);
	T_ASSERT(jl_session_annotation(in, &out) == 0);
	T_ASSERT_INTEQ(strlen(out), 4 * JL_ANNOT_MAX);
	free(out);
}

static void
test_pid_start(void)
{
	int64_t self = 0, before = 0, after = 0, again = 0;
	int go[2], done[2], status;
	pid_t pid;
	char c;

	T_ASSERT(jl_session_pid_start(getpid(), &self) == 0);
	T_ASSERT(self > 0);
	T_ASSERT(jl_session_pid_start(getpid(), &again) == 0);
	T_ASSERT_INTEQ(again, self);
	T_ASSERT_INTEQ(jl_session_pid_start(0, &again), -EINVAL);
	T_ASSERT_INTEQ(jl_session_pid_start(-1, &again), -EINVAL);

	/* A child whose name tries to shift the fields. */
	T_ASSERT(pipe(go) == 0 && pipe(done) == 0);
	pid = fork();
	if (pid == 0) {
		(void)close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		(void)prctl(PR_SET_NAME, "x) R 1 2 3 4 5", 0, 0, 0);
		if (write(done[1], "x", 1) != 1)
			_exit(1);
		(void)read(go[0], &c, 1);
		_exit(0);
	}
	T_ASSERT(jl_session_pid_start(pid, &before) == 0);
	T_ASSERT(write(go[1], "x", 1) == 1);
	T_ASSERT(read(done[0], &c, 1) == 1);
	T_ASSERT(jl_session_pid_start(pid, &after) == 0);
	T_ASSERT_INTEQ(after, before);
	T_ASSERT(after >= self);
	(void)close(go[1]);
	T_ASSERT(waitpid(pid, &status, 0) == pid);
	/* Gone (reaped): no such process. */
	T_ASSERT_INTEQ(jl_session_pid_start(pid, &again), -ENOENT);
	(void)close(go[0]);
	(void)close(done[0]);
	(void)close(done[1]);
}

int
main(void)
{
	T_RUN(test_annotation);
	T_RUN(test_pid_start);
	return T_DONE();
}

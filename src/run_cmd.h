/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * run_cmd.h - run a command under a tracing session: the child is followed
 * (it and every descendant) before it execs, events are delivered while it
 * runs, and afterwards io_uring's asynchronous teardown is waited for.
 *
 * The child runs in its own process group, gets SIGTERM if ringledger dies
 * (PR_SET_PDEATHSIG), is handed the terminal when ringledger has it, and
 * the stop signals (signals.h) are forwarded to its whole group.
 */
#ifndef RL_RUN_CMD_H
#define RL_RUN_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include "loader.h"

struct rl_user;

struct rl_run_opts {
	int settle_ms;			/* wait at most this for teardown      */
	/* how many ring contexts are still alive; the wait ends at 0 */
	size_t (*live_objects)(void *cookie);
	void *cookie;
	const struct rl_user *user;	/* run as this account, NULL: as we are */
	/* called after each poll while the command runs and during the wait
	 * (stat's interval); NULL: none */
	void (*tick)(void *cookie);
};

struct rl_run_result {
	int child_status;		/* wait(2) status, -1 if it never ran   */
	int stop_signal;		/* the stop signal that cut the run short */
	bool settle_timed_out;		/* some ring never died within the wait */
	double elapsed_s;
	double settle_s;		/* time spent waiting for teardown      */
};

/* Returns 0 or -errno with a one-line reason in err.  A stop signal that
 * came before the command started (while the programs loaded) returns 0
 * with the command not run (child_status -1, stop_signal set). */
int rl_run_command(struct rl_session *s, char **cmd, const struct rl_run_opts *o,
		   struct rl_run_result *res, char *err, size_t len);

/* "exited with 3", "killed by signal 9 (Killed)" */
const char *rl_describe_status(int status, char *buf, size_t len);

#endif /* RL_RUN_CMD_H */

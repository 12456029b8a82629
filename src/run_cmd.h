/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * run_cmd.h - run a command under a tracing session: the child is followed
 * (it and every descendant) before it execs, events are delivered while it
 * runs, and afterwards io_uring's asynchronous teardown is waited for.
 */
#ifndef RL_RUN_CMD_H
#define RL_RUN_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include "loader.h"

struct rl_run_result {
	int child_status;		/* wait(2) status                      */
	bool settle_timed_out;		/* some ring never died within the wait */
	double elapsed_s;
	double settle_s;		/* time spent waiting for teardown      */
};

/* live_objects() tells how many ring contexts are still alive; the wait
 * ends when it reaches 0 or after settle_ms.  Returns 0 or -errno with a
 * one-line reason in err. */
int rl_run_command(struct rl_session *s, char **cmd, int settle_ms,
		   size_t (*live_objects)(void *cookie), void *cookie,
		   struct rl_run_result *res, char *err, size_t len);

/* "exited with 3", "killed by signal 9 (Killed)" */
const char *rl_describe_status(int status, char *buf, size_t len);

#endif /* RL_RUN_CMD_H */

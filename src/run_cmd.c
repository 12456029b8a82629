// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE
/* run_cmd.c - fork, follow, exec, wait, settle. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "run_cmd.h"

/* Set by SIGINT/SIGTERM; forwarded to the child.  The only static state:
 * a signal handler has nowhere else to write. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *rl_describe_status(int status, char *buf, size_t len)
{
	if (status < 0)
		snprintf(buf, len, "did not run");
	else if (WIFEXITED(status))
		snprintf(buf, len, "exited with %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "status 0x%x", status);
	return buf;
}

/* The child waits for `go` so that it is followed before it execs. */
static void child_exec(char **cmd, int go_fd, int err_fd)
{
	char byte;
	int e;

	if (read(go_fd, &byte, 1) != 1)
		_exit(127);
	close(go_fd);
	execvp(cmd[0], cmd);
	e = errno;
	if (write(err_fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

int rl_run_command(struct rl_session *s, char **cmd, int settle_ms,
		   size_t (*live_objects)(void *cookie), void *cookie,
		   struct rl_run_result *res, char *err, size_t len)
{
	struct sigaction sa = { .sa_handler = on_stop_signal }, old_int, old_term;
	int go[2], exec_err[2], status = -1, e = 0;
	double start = now_s(), deadline;
	bool forwarded = false;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->child_status = -1;
	if (pipe2(go, O_CLOEXEC) || pipe2(exec_err, O_CLOEXEC)) {
		snprintf(err, len, "cannot create pipes: %s", strerror(errno));
		return -errno;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, len, "cannot fork: %s", strerror(errno));
		return -errno;
	}
	if (pid == 0) {
		close(go[1]);
		close(exec_err[0]);
		child_exec(cmd, go[0], exec_err[1]);
	}
	close(go[0]);
	close(exec_err[1]);

	stop_signal = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	if (rl_session_follow(s, pid)) {
		snprintf(err, len, "cannot follow pid %d: %s", pid, strerror(errno));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -EIO;
	}
	if (write(go[1], "g", 1) != 1)
		e = errno;
	close(go[1]);

	for (;;) {
		pid_t w;

		rl_session_poll(s, 50);
		if (stop_signal && !forwarded) {
			kill(pid, stop_signal);
			forwarded = true;
		}
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			snprintf(err, len, "waitpid: %s", strerror(errno));
			return -errno;
		}
	}
	res->child_status = status;
	if (read(exec_err[0], &e, sizeof(e)) == sizeof(e)) {
		close(exec_err[0]);
		snprintf(err, len, "cannot run '%s': %s", cmd[0], strerror(e));
		return -e;
	}
	close(exec_err[0]);

	/* io_uring frees rings in a kworker after the last fd is gone: wait,
	 * bounded, for every ring the command created to die. */
	res->elapsed_s = now_s() - start;
	deadline = now_s() + settle_ms / 1000.0;
	while (live_objects(cookie) && now_s() < deadline && !stop_signal)
		rl_session_poll(s, 20);
	res->settle_timed_out = live_objects(cookie) > 0;
	/* pages freed by the last zaps arrive just after: drain once more */
	rl_session_poll(s, 100);
	res->settle_s = now_s() - start - res->elapsed_s;

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return 0;
}

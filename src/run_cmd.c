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
#include <sys/prctl.h>
#include <sys/wait.h>
#include "run_cmd.h"
#include "clock.h"
#include "signals.h"
#include "user.h"

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

/* The child: its own process group, SIGTERM when ringledger dies, the
 * account asked for; then it waits for `go` so that it is followed before
 * it execs.  A failure is written to err_fd as an errno. */
static void child_exec(char **cmd, const struct rl_user *user, pid_t parent,
		       int go_fd, int err_fd)
{
	char byte;
	int e = 0;

	setpgid(0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != parent)
		_exit(127);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (read(go_fd, &byte, 1) != 1)
		_exit(127);
	close(go_fd);
	if (user)
		e = -rl_user_become(user);
	if (!e) {
		/* the uid change cleared it: set it again */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execvp(cmd[0], cmd);
		e = errno;
	}
	if (write(err_fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* The terminal goes to the child's group while it runs, as a shell does,
 * so that Ctrl-C and job control reach the command; give it back after.
 * Returns true when it was handed over. */
static bool terminal_to(pid_t pgrp)
{
	void (*old)(int);
	bool ok;

	if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp())
		return false;
	old = signal(SIGTTOU, SIG_IGN);
	ok = tcsetpgrp(STDIN_FILENO, pgrp) == 0;
	signal(SIGTTOU, old);
	return ok;
}

static void terminal_back(void)
{
	void (*old)(int) = signal(SIGTTOU, SIG_IGN);

	tcsetpgrp(STDIN_FILENO, getpgrp());
	signal(SIGTTOU, old);
}

static pid_t spawn(char **cmd, const struct rl_user *user, int go[2], int exec_err[2],
		   char *err, size_t len)
{
	pid_t parent = getpid(), pid;

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
		child_exec(cmd, user, parent, go[0], exec_err[1]);
	}
	setpgid(pid, pid);		/* as the child does: no race */
	rl_reader_priority();
	close(go[0]);
	close(exec_err[1]);
	return pid;
}

/* Events flow while the child runs; returns its wait status. */
static int wait_child(struct rl_session *s, const struct rl_run_opts *o, pid_t pid,
		      char *err, size_t len)
{
	int status = -1;

	for (;;) {
		pid_t w;

		rl_session_poll(s, 50);
		if (o->tick)
			o->tick(o->cookie);
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR) {
			snprintf(err, len, "waitpid: %s", strerror(errno));
			return -1;
		}
	}
}

/* io_uring frees rings in a kworker after the last fd is gone: wait,
 * bounded, for every ring the command created to die. */
static void settle(struct rl_session *s, const struct rl_run_opts *o, struct rl_run_result *res,
		   double start)
{
	double deadline = rl_mono_s() + o->settle_ms / 1000.0;

	while (o->live_objects(o->cookie) && rl_mono_s() < deadline && !rl_stop_signal()) {
		rl_session_poll(s, 20);
		if (o->tick)
			o->tick(o->cookie);
	}
	res->settle_timed_out = o->live_objects(o->cookie) > 0;
	/* pages freed by the last zaps arrive just after: drain once more */
	rl_session_poll(s, 100);
	res->settle_s = rl_mono_s() - start - res->elapsed_s;
}

int rl_run_command(struct rl_session *s, char **cmd, const struct rl_run_opts *o,
		   struct rl_run_result *res, char *err, size_t len)
{
	int go[2], exec_err[2], e = 0;
	double start = rl_mono_s();
	bool tty;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->child_status = -1;
	err[0] = '\0';
	if ((res->stop_signal = rl_stop_signal()))
		return 0;
	pid = spawn(cmd, o->user, go, exec_err, err, len);
	if (pid < 0)
		return pid;
	rl_signals_forward_to(pid);
	if (rl_session_follow(s, pid)) {
		snprintf(err, len, "cannot follow pid %d: %s", pid, strerror(errno));
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
		rl_signals_forward_to(0);
		return -EIO;
	}
	tty = terminal_to(pid);
	if (write(go[1], "g", 1) != 1)
		e = errno;
	close(go[1]);
	res->child_status = wait_child(s, o, pid, err, len);
	if (tty)
		terminal_back();
	rl_signals_forward_to(0);
	if (res->child_status == -1 && err[0])
		return -ECHILD;
	if (read(exec_err[0], &e, sizeof(e)) == sizeof(e)) {
		close(exec_err[0]);
		snprintf(err, len, "cannot run '%s'%s%s: %s", cmd[0], o->user ? " as " : "",
			 o->user ? o->user->name : "", strerror(e));
		return -e;
	}
	close(exec_err[0]);
	res->elapsed_s = rl_mono_s() - start;
	settle(s, o, res, start);
	res->stop_signal = rl_stop_signal();
	return 0;
}

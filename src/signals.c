// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * signals.c - the stop signals (see signals.h).  The state here is the only
 * static state of the tool: a signal handler has nowhere else to write.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "signals.h"

static volatile sig_atomic_t stop_sig;
static volatile sig_atomic_t forward_pgrp;

static void on_stop(int sig)
{
	if (stop_sig == SIGINT && sig == SIGINT) {
		/* the second Ctrl-C: stop now; the child's group goes too
		 * (and its PR_SET_PDEATHSIG would end it anyway) */
		if (forward_pgrp > 0)
			kill(-forward_pgrp, SIGKILL);
		_exit(128 + SIGINT);
	}
	if (!stop_sig)
		stop_sig = sig;
	if (forward_pgrp > 0)
		kill(-forward_pgrp, sig);
}

void rl_signals_install(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sa.sa_flags = SA_RESTART;	/* a load in progress is not cut by EINTR */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	rl_signals_reset();
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

int rl_stop_signal(void)
{
	return stop_sig;
}

void rl_signals_forward_to(pid_t pgrp)
{
	forward_pgrp = pgrp;
}

void rl_signals_reset(void)
{
	stop_sig = 0;
	forward_pgrp = 0;
}

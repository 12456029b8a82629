/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * signals.h - how ringledger stops: SIGINT, SIGTERM and SIGHUP ask it to
 * stop (detach, report what it has, exit with the documented status); a
 * second SIGINT stops it at once.  Nothing of ours outlives the process
 * either way: every BPF program, map and link is held by a file descriptor
 * of ours and goes when the last one closes.
 */
#ifndef RL_SIGNALS_H
#define RL_SIGNALS_H

#include <sys/types.h>

/* Install the handlers (call first thing in a tracing command, so that a
 * signal that comes while the BPF programs load is not lost). */
void rl_signals_install(void);
/* The first stop signal received, 0 if none. */
int rl_stop_signal(void);
/* The process group stop signals are forwarded to (check's child), or 0. */
void rl_signals_forward_to(pid_t pgrp);
/* Forget a received signal and the forwarding (tests, and each command's
 * start). */
void rl_signals_reset(void);

#endif /* RL_SIGNALS_H */

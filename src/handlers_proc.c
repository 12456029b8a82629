// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * handlers_proc.c - the handlers of PROC_FORK, PROC_EXEC and PROC_EXIT:
 * they keep the books of followed processes (books_proc.c) that name the
 * command each finding is attributed to.  No rule judges a process.
 */
#include "handlers.h"

void on_proc_fork(struct rl_ledger *l, const struct rl_event *ev)
{
	proc_fork(l, ev->proc.parent_pid, ev->proc.child_pid, ev->h.ts_ns, ev->h.comm);
}

void on_proc_exec(struct rl_ledger *l, const struct rl_event *ev)
{
	proc_exec(l, ev->h.pid, ev->proc.parent_pid, ev->h.ts_ns, ev->h.comm,
		  ev->proc.exec_name);
}

void on_proc_exit(struct rl_ledger *l, const struct rl_event *ev)
{
	proc_exit(l, ev->h.pid, ev->h.ts_ns);
}

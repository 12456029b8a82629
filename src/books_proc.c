// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * books_proc.c - the books of followed processes: one record per
 * incarnation (a fork begins one, running the parent's program; an exec
 * begins the next, running the file it names), so that a finding can name
 * the command that made the object it is about, even after that process
 * exec'd again or exited.  Record lifecycle and queries; no findings (see
 * ledger_int.h).
 *
 * A pid's incarnations are a list, newest first (proc_by_pid points at the
 * newest); an object made at time ts belongs to the incarnation begun last
 * by then.  Exited processes stay until MAX_PROCS incarnations are kept:
 * then the process that exited first goes, with all its incarnations.
 */
#include <stdlib.h>
#include "ledger_int.h"

static struct proc *proc_rec(const struct rl_ledger *l, uint32_t i)
{
	return rl_pool_at(&l->procs, i);
}

static uint32_t newest_of(const struct rl_ledger *l, uint32_t pid)
{
	return lookup(&l->proc_by_pid, pid);
}

/* Forget incarnation i and every older one of its pid. */
static void drop_from(struct rl_ledger *l, uint32_t i)
{
	struct proc *p = proc_rec(l, i);
	uint32_t older;

	if (p->newer != RL_NIL)
		proc_rec(l, p->newer)->older = RL_NIL;
	else
		rl_map_del(&l->proc_by_pid, p->pid);
	while (i != RL_NIL) {
		older = proc_rec(l, i)->older;
		rl_pool_release(&l->procs, i);
		i = older;
	}
}

/* Keep at most MAX_PROCS: the first to have exited go first. */
static void prune(struct rl_ledger *l)
{
	while (l->procs.live >= MAX_PROCS && l->exited_nr) {
		uint32_t i = l->exited_procs[l->exited_head];

		l->exited_head = (l->exited_head + 1) % l->exited_cap;
		l->exited_nr--;
		if (rl_pool_live(&l->procs, i))
			drop_from(l, i);
	}
}

/* A new incarnation of pid, newest; RL_NIL when out of memory. */
static uint32_t begin(struct rl_ledger *l, uint32_t pid, uint32_t ppid, uint64_t ts)
{
	uint32_t prev, i;
	struct proc *p;

	prune(l);
	i = rl_pool_alloc(&l->procs);
	if (i == RL_NIL)
		return RL_NIL;
	prev = newest_of(l, pid);	/* after the alloc: a reused pid's record */
	if (rl_map_put(&l->proc_by_pid, pid, i)) {
		rl_pool_release(&l->procs, i);
		return RL_NIL;
	}
	p = proc_rec(l, i);
	p->pid = pid;
	p->ppid = ppid;
	p->since = ts;
	p->older = prev;
	p->newer = RL_NIL;
	if (prev != RL_NIL)
		proc_rec(l, prev)->newer = i;
	return i;
}

static void copy_name(char *dst, size_t len, const char *src, size_t max)
{
	size_t n = strnlen(src, max < len - 1 ? max : len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void proc_fork(struct rl_ledger *l, uint32_t parent, uint32_t child, uint64_t ts,
	       const char *parent_comm)
{
	const struct proc *pp = proc_at(l, parent, ts);
	char comm[RL_COMM_LEN], cmd[RL_EXEC_NAME_LEN] = "";
	uint32_t i;
	struct proc *p;

	/* read the parent before begin(): the pool may move */
	copy_name(comm, sizeof(comm), pp ? pp->comm : parent_comm, RL_COMM_LEN);
	if (pp)
		copy_name(cmd, sizeof(cmd), pp->cmd, RL_EXEC_NAME_LEN);
	i = begin(l, child, parent, ts);
	if (i == RL_NIL)
		return;
	p = proc_rec(l, i);
	p->forked = true;
	memcpy(p->comm, comm, sizeof(comm));
	memcpy(p->cmd, cmd, sizeof(cmd));
}

void proc_exec(struct rl_ledger *l, uint32_t pid, uint32_t ppid, uint64_t ts,
	       const char *comm, const char *exec_name)
{
	uint32_t i = begin(l, pid, ppid, ts);
	struct proc *p;

	if (i == RL_NIL)
		return;
	p = proc_rec(l, i);
	copy_name(p->comm, sizeof(p->comm), comm, RL_COMM_LEN);
	copy_name(p->cmd, sizeof(p->cmd), exec_name, RL_EXEC_NAME_LEN);
}

void proc_exit(struct rl_ledger *l, uint32_t pid, uint64_t ts)
{
	uint32_t i = newest_of(l, pid), j;

	if (i == RL_NIL || proc_rec(l, i)->exited)
		return;
	for (j = i; j != RL_NIL; j = proc_rec(l, j)->older)
		proc_rec(l, j)->exited = true;
	proc_rec(l, i)->exit_ts = ts;
	if (l->exited_nr == l->exited_cap) {
		size_t cap = l->exited_cap ? l->exited_cap * 2 : 256, k;
		uint32_t *q = malloc(cap * sizeof(*q));

		if (!q)
			return;
		for (k = 0; k < l->exited_nr; k++)
			q[k] = l->exited_procs[(l->exited_head + k) % l->exited_cap];
		free(l->exited_procs);
		l->exited_procs = q;
		l->exited_cap = cap;
		l->exited_head = 0;
	}
	l->exited_procs[(l->exited_head + l->exited_nr) % l->exited_cap] = i;
	l->exited_nr++;
}

const struct proc *proc_at(const struct rl_ledger *l, uint32_t pid, uint64_t ts)
{
	uint32_t i = newest_of(l, pid);
	const struct proc *p = NULL;

	for (; i != RL_NIL; i = p->older) {
		p = proc_rec(l, i);
		if (p->since <= ts)
			return p;
	}
	return p;
}

bool proc_running(const struct rl_ledger *l, uint32_t pid)
{
	uint32_t i = newest_of(l, pid);

	return i != RL_NIL && !proc_rec(l, i)->exited;
}

/* Does p descend from pid by forks, each after ts?  (A fork before ts
 * happened before the thing to inherit existed.) */
static bool heir_of(const struct rl_ledger *l, const struct proc *p, uint32_t pid, uint64_t ts)
{
	int depth;

	for (depth = 0; p && depth < 64; depth++) {
		const struct proc *first = p;

		/* the incarnation that began this pid: a fork, or unknown */
		while (first->older != RL_NIL)
			first = proc_rec(l, first->older);
		if (!first->forked || first->since < ts)
			return false;
		if (first->ppid == pid)
			return true;
		p = proc_at(l, first->ppid, first->since);
	}
	return false;
}

const struct proc *proc_running_heir(const struct rl_ledger *l, uint32_t pid, uint64_t ts)
{
	size_t it = 0;
	uint64_t key, val;

	while (rl_map_next(&l->proc_by_pid, &it, &key, &val)) {
		const struct proc *p = proc_rec(l, (uint32_t)val);

		if (!p->exited && p->pid != pid && heir_of(l, p, pid, ts))
			return p;
	}
	return NULL;
}

const struct proc *proc_any_running(const struct rl_ledger *l)
{
	size_t it = 0;
	uint64_t key, val;

	while (rl_map_next(&l->proc_by_pid, &it, &key, &val)) {
		const struct proc *p = proc_rec(l, (uint32_t)val);

		if (!p->exited)
			return p;
	}
	return NULL;
}

void procs_free(struct rl_ledger *l)
{
	rl_pool_free(&l->procs);
	rl_map_free(&l->proc_by_pid);
	free(l->exited_procs);
	l->exited_procs = NULL;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * proc.bpf.c - processes: the followed set grows with fork and shrinks
 * as each process's last thread exits; exec and exit of a followed process
 * are reported (an exec with the file it ran, which names the command a
 * finding is attributed to).
 */
#include "common.bpf.h"

/* Each tracepoint has two programs, and a kprobe on its iterator before
 * them where kprobes attach: tracepoint programs can be preempted (7.x),
 * and a call made on a CPU while another task sits inside one there skips
 * it.  Each does the work only when none before it did (rl_hooks.h): a
 * child already followed, a process gone from the set, or the task's note
 * of the event sent (tp_role). */
static __always_inline int proc_fork(struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	struct rl_event *ev;
	__u8 one = 1;

	if (ptgid == ctgid || !bpf_map_lookup_elem(&followed_pids, &ptgid))
		return 0;
	if (bpf_map_lookup_elem(&followed_pids, &ctgid))
		return 0;
	if (bpf_map_update_elem(&followed_pids, &ctgid, &one, BPF_ANY))
		count(RL_CNT_TRACK_MAP_FULL);
	ev = event_reserve(RL_EV_PROC_FORK);
	if (!ev)
		return 0;
	ev->proc.parent_pid = ptgid;
	ev->proc.child_pid = ctgid;
	event_submit(ev);
	return 0;
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(tp_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	return proc_fork(parent, child);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(tp_sched_process_fork2, struct task_struct *parent, struct task_struct *child)
{
	return proc_fork(parent, child);
}

/* Each tracepoint's iterator: a kprobe there runs first, with preemption
 * off (page.bpf.c says why). */
SEC("kprobe")
int BPF_KPROBE(kp_sched_process_fork, void *data, struct task_struct *parent,
	       struct task_struct *child)
{
	return proc_fork(parent, child);
}

static __always_inline int proc_exec(struct task_struct *p, struct linux_binprm *bprm,
				     enum rl_run_role role)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	struct rl_event *ev;
	const char *name;

	if (!bpf_map_lookup_elem(&followed_pids, &tgid) ||
	    !chain_note_take(RL_STASH_PROC_EXEC, (__u64)bprm, 0, 0, role))
		return 0;
	ev = event_reserve(RL_EV_PROC_EXEC);
	if (!ev)
		return 0;
	ev->proc.parent_pid = BPF_CORE_READ(p, real_parent, tgid);
	/* the name execve was given (bprm->filename: "/bin/sh", "./t/x.t");
	 * a failed read leaves it empty and the reports fall back to comm,
	 * so it costs no verdict */
	name = BPF_CORE_READ(bprm, filename);
	if (name && bpf_probe_read_kernel_str(ev->proc.exec_name, sizeof(ev->proc.exec_name),
					      name) < 0)
		ev->proc.exec_name[0] = '\0';
	event_submit(ev);
	return 0;
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(tp_sched_process_exec, struct task_struct *p, int old_pid,
	     struct linux_binprm *bprm)
{
	return proc_exec(p, bprm, tp_role(RL_STASH_PROC_EXEC, true));
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(tp_sched_process_exec2, struct task_struct *p, int old_pid,
	     struct linux_binprm *bprm)
{
	return proc_exec(p, bprm, tp_role(RL_STASH_PROC_EXEC, false));
}

SEC("kprobe")
int BPF_KPROBE(kp_sched_process_exec, void *data, struct task_struct *p, int old_pid,
	       struct linux_binprm *bprm)
{
	return proc_exec(p, bprm, RL_ROLE_FIRST);
}

static __always_inline int proc_exit(struct task_struct *p, enum rl_run_role role)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	struct rl_event *ev;

	if (!bpf_map_lookup_elem(&followed_pids, &tgid))
		return 0;
	/* the process's last thread (do_exit counted signal->live down to 0
	 * before this tracepoint): nothing it does from here on is a birth
	 * to follow (its rings die in kworkers, tracked by ctx), so it
	 * leaves the set, which a long suite would otherwise fill; of the
	 * two programs, the one that takes it out sends.  Any other thread:
	 * the task's note says which */
	if (!BPF_CORE_READ(p, signal, live.counter)) {
		if (bpf_map_delete_elem(&followed_pids, &tgid) == -RL_ENOENT)
			return 0;
	} else if (!chain_note_take(RL_STASH_PROC_EXIT, (__u64)p, 0, 0, role)) {
		return 0;
	}
	if (BPF_CORE_READ(p, pid) != tgid)
		return 0;
	ev = event_reserve(RL_EV_PROC_EXIT);
	if (!ev)
		return 0;
	ev->proc.parent_pid = BPF_CORE_READ(p, real_parent, tgid);
	ev->proc.exit_code = BPF_CORE_READ(p, exit_code);
	event_submit(ev);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(tp_sched_process_exit, struct task_struct *p)
{
	return proc_exit(p, tp_role(RL_STASH_PROC_EXIT, true));
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(tp_sched_process_exit2, struct task_struct *p)
{
	return proc_exit(p, tp_role(RL_STASH_PROC_EXIT, false));
}

SEC("kprobe")
int BPF_KPROBE(kp_sched_process_exit, void *data, struct task_struct *p)
{
	return proc_exit(p, RL_ROLE_FIRST);
}

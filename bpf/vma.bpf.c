// SPDX-License-Identifier: GPL-2.0
/*
 * vma.bpf.c - the life of a ring vma after its mmap: copied (fork,
 * split), cut in two (__split_vma), its page tables torn down, destroyed
 * (remove_vma).
 */
#include "common.bpf.h"

/* Take a tracked vma out of the map before its event is sent: where a
 * hook's kprobe programs run beside its trampolines (kprobe_seconds), the
 * one that comes second finds it gone.  The lookup (no lock) keeps the
 * delete (a bucket lock) off the path of every other vma; a delete that
 * finds it gone lost the race to the other program. */
static __always_inline bool untrack_vma(__u64 key)
{
	if (!bpf_map_lookup_elem(&tracked_vmas, &key))
		return false;
	return bpf_map_delete_elem(&tracked_vmas, &key) != -RL_ENOENT;
}

static __always_inline void fill_vma(struct rl_event *ev, struct vm_area_struct *vma)
{
	ev->vma.vma = (__u64)vma;
	ev->vma.start = BPF_CORE_READ(vma, vm_start);
	ev->vma.end = BPF_CORE_READ(vma, vm_end);
	ev->vma.pgoff = BPF_CORE_READ(vma, vm_pgoff);
	ev->vma.mm = (__u64)BPF_CORE_READ(vma, vm_mm);
}

/* fork (dup_mmap) and vma splits copy a vma.  A fork's copy maps the same
 * pages and, for io_uring's VM_MIXEDMAP vmas, holds its own page
 * references; a split's copy shares the original's (VMA_SPLIT follows). */
static __always_inline int handle_vma_dup(struct vm_area_struct *orig,
					  struct vm_area_struct *copy)
{
	__u64 *ctx, key = (__u64)orig, ckey = (__u64)copy;
	struct rl_event *ev;

	if (!copy)
		return 0;
	ctx = bpf_map_lookup_elem(&tracked_vmas, &key);
	if (!ctx)
		return 0;
	/* paired: the other program has tracked the copy unless it was
	 * skipped (or has not run yet) */
	if (kprobe_seconds && bpf_map_lookup_elem(&tracked_vmas, &ckey))
		return 0;
	track(&tracked_vmas, (__u64)copy, *ctx, RL_CNT_TRACK_MAP_FULL);
	ev = event_reserve(RL_EV_VMA_DUP);
	if (!ev)
		return 0;
	fill_vma(ev, copy);
	ev->vma.vma = (__u64)orig;
	ev->vma.new_vma = (__u64)copy;
	event_submit(ev);
	return 0;
}

SEC("fexit/vm_area_dup")
int BPF_PROG(fx_vm_area_dup, struct vm_area_struct *orig, struct vm_area_struct *ret)
{
	return handle_vma_dup(orig, ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_vm_area_dup, struct vm_area_struct *orig)
{
	__u64 key = (__u64)orig;

	/* every vma of the system is copied here: stash only ours */
	if (bpf_map_lookup_elem(&tracked_vmas, &key))
		stash_args(RL_STASH_VMA_COPY, key, 0, 0, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_vm_area_dup, struct vm_area_struct *ret)
{
	struct rl_stash *v = stash_peek(RL_STASH_VMA_COPY);
	struct rl_stash s;

	/* no stash: the original was not ours (the kprobe stashes only ours) */
	if (!v)
		return 0;
	s = *v;
	stash_drop(RL_STASH_VMA_COPY);
	return handle_vma_dup((void *)s.arg[0], ret);
}

/* __split_vma (partial munmap, mprotect, mremap) cut a tracked vma in two:
 * the vma now covers one side of the cut, and the vm_area_dup inside made
 * the other; the two share the page references the vma held. */
static __always_inline int handle_vma_split(struct vm_area_struct *vma, long ret)
{
	__u64 key = (__u64)vma;
	struct rl_event *ev;

	if (!bpf_map_lookup_elem(&tracked_vmas, &key))
		return 0;
	ev = event_reserve(RL_EV_VMA_SPLIT);
	if (!ev)
		return 0;
	fill_vma(ev, vma);
	ev->vma.ret = ret;
	event_submit(ev);
	return 0;
}

/* __split_vma(vmi, vma, addr, new_below): read through bpf_get_func_arg/ret,
 * so the program does not depend on the argument count. */
SEC("fexit/__split_vma")
int fx_split_vma(__u64 *ctx)
{
	__u64 vma = 0, ret = 0;

	bpf_get_func_arg(ctx, 1, &vma);
	bpf_get_func_ret(ctx, &ret);
	return handle_vma_split((struct vm_area_struct *)vma, (int)ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_split_vma, void *vmi, struct vm_area_struct *vma)
{
	stash_args(RL_STASH_VMA_SPLIT, (__u64)vma, 0, 0, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_split_vma, int ret)
{
	struct rl_stash s;

	if (!unstash_args(RL_STASH_VMA_SPLIT, &s))
		return 0;
	return handle_vma_split((struct vm_area_struct *)s.arg[0], ret);
}

/* Page tables of a vma torn down (munmap, exit, MADV_DONTNEED): its page
 * references go now, and the pages may be freed before remove_vma runs. */
static __always_inline int handle_vma_zap(struct vm_area_struct *vma,
					  __u64 start, __u64 end, bool first)
{
	__u64 key = (__u64)vma;
	struct rl_event *ev;

	if (!bpf_map_lookup_elem(&tracked_vmas, &key))
		return 0;
	/* the zap leaves the vma tracked: a pair sends it once by a note */
	if (!note_take(RL_STASH_VMA_ZAP, key, start, end, first))
		return 0;
	ev = event_reserve(RL_EV_VMA_ZAP);
	if (!ev)
		return 0;
	fill_vma(ev, vma);
	ev->vma.start = start;
	ev->vma.end = end;
	event_submit(ev);
	return 0;
}

/* __zap_vma_range (7.x) and unmap_single_vma (6.12) share their first four
 * arguments; the loader points this program at whichever exists. */
SEC("fentry/__zap_vma_range")
int BPF_PROG(fe_zap_vma, void *tlb, struct vm_area_struct *vma, __u64 start, __u64 end)
{
	return handle_vma_zap(vma, start, end, RL_RUNS_SECOND);
}

SEC("kprobe")
int BPF_KPROBE(kp_zap_vma, void *tlb, struct vm_area_struct *vma, __u64 start, __u64 end)
{
	return handle_vma_zap(vma, start, end, RL_RUNS_FIRST);
}

static __always_inline int handle_remove_vma(void *ctx, struct vm_area_struct *vma)
{
	__u64 key = (__u64)vma;
	struct rl_event *ev;

	if (!untrack_vma(key))
		return 0;
	ev = event_reserve_stack(RL_EV_VMA_REMOVE);
	if (!ev)
		return 0;
	fill_vma(ev, vma);
	event_stack(ctx, ev, RL_EV_VMA_REMOVE);
	event_submit(ev);
	return 0;
}

/* remove_vma forgets the vmas it destroys before it frees them, so a
 * tracked vma freed here never went through it: a copy that a failed fork
 * (or mremap) frees before it maps a page. */
static __always_inline int handle_vma_free(struct vm_area_struct *vma)
{
	__u64 key = (__u64)vma;
	struct rl_event *ev;

	if (!untrack_vma(key))
		return 0;
	ev = event_reserve(RL_EV_VMA_FREE);
	if (!ev)
		return 0;
	fill_vma(ev, vma);
	event_submit(ev);
	return 0;
}

SEC("fentry/vm_area_free")
int BPF_PROG(fe_vm_area_free, struct vm_area_struct *vma)
{
	return handle_vma_free(vma);
}

SEC("kprobe")
int BPF_KPROBE(kp_vm_area_free, struct vm_area_struct *vma)
{
	return handle_vma_free(vma);
}

SEC("fentry/remove_vma")
int BPF_PROG(fe_remove_vma, struct vm_area_struct *vma)
{
	return handle_remove_vma(ctx, vma);
}

SEC("kprobe")
int BPF_KPROBE(kp_remove_vma, struct vm_area_struct *vma)
{
	return handle_remove_vma(ctx, vma);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * mmap.bpf.c - user mappings of ring memory: the address chosen
 * (io_uring_get_unmapped_area), the mmap (io_uring_mmap) and the pages it
 * inserts (vm_insert_pages).
 */
#include "common.bpf.h"

static __always_inline int handle_unmapped_area(struct file *filp, __u64 len,
						__u64 pgoff, __u64 flags, long ret, bool first)
{
	__u64 ctx = (__u64)BPF_CORE_READ(filp, private_data);
	struct rl_event *ev;

	if (!ctx_tracked(ctx) || !note_take(RL_STASH_MMAP_AREA, ctx, ret, pgoff, first))
		return 0;
	ev = event_reserve(RL_EV_MMAP_AREA);
	if (!ev)
		return 0;
	ev->mmap.ctx = ctx;
	ev->mmap.start = ret;
	ev->mmap.end = ret + len;
	ev->mmap.pgoff = pgoff;
	ev->mmap.flags = flags;
	ev->mmap.ret = ret;
	/* the window the address must stay in (0: user space assumes 47 bits) */
	ev->mmap.window_end = current_task_size();
	event_submit(ev);
	return 0;
}

SEC("fexit/io_uring_get_unmapped_area")
int BPF_PROG(fx_io_uring_get_unmapped_area, struct file *filp, __u64 addr,
	     __u64 len, __u64 pgoff, __u64 flags, long ret)
{
	return handle_unmapped_area(filp, len, pgoff, flags, ret, RL_RUNS_FIRST);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_uring_get_unmapped_area, struct file *filp, __u64 addr,
	       __u64 len, __u64 pgoff, __u64 flags)
{
	stash_args(RL_STASH_MMAP_AREA, (__u64)filp, len, pgoff, flags);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_uring_get_unmapped_area, long ret)
{
	struct rl_stash s;

	if (!unstash_args(RL_STASH_MMAP_AREA, &s))
		return 0;
	return handle_unmapped_area((void *)s.arg[0], s.arg[1], s.arg[2],
				    s.arg[3], ret, RL_RUNS_SECOND);
}

static __always_inline int handle_mmap_enter(struct file *file,
					     struct vm_area_struct *vma)
{
	__u64 ctx = (__u64)BPF_CORE_READ(file, private_data);
	struct rl_task_scope *s;

	if (!ctx_tracked(ctx))
		return 0;
	s = scope_get(true);
	if (!s)
		return 0;
	s->mmap_ctx = ctx;
	s->mmap_vma = (__u64)vma;
	s->ins_pages = 0;
	s->ins_nr = 0;
	s->ins_left = 0;
	s->ins_ret = 0;
	return 0;
}

/* MMAP first, then the INSERT_PAGES it did: the ledger learns the vma's
 * offset before the pages it maps. */
static __always_inline int handle_mmap_exit(struct vm_area_struct *vma, int ret)
{
	struct rl_task_scope *s = scope_get(false);
	struct rl_event *ev;
	__u64 start, end, pgoff, ctx;

	if (!s || !s->mmap_ctx || s->mmap_vma != (__u64)vma)
		return 0;
	ctx = s->mmap_ctx;
	start = BPF_CORE_READ(vma, vm_start);
	end = BPF_CORE_READ(vma, vm_end);
	pgoff = BPF_CORE_READ(vma, vm_pgoff);

	ev = event_reserve(RL_EV_MMAP);
	if (ev) {
		ev->mmap.ctx = ctx;
		ev->mmap.vma = (__u64)vma;
		ev->mmap.start = start;
		ev->mmap.end = end;
		ev->mmap.pgoff = pgoff;
		ev->mmap.ret = ret;
		event_submit(ev);
	}
	if (s->ins_pages) {
		ev = event_reserve(RL_EV_INSERT_PAGES);
		if (ev) {
			ev->mmap.ctx = ctx;
			ev->mmap.vma = (__u64)vma;
			ev->mmap.start = start;
			ev->mmap.end = end;
			ev->mmap.pgoff = pgoff;
			ev->mmap.region = s->ins_pages;
			ev->mmap.nr_pages = s->ins_nr;
			ev->mmap.nr_left = s->ins_left;
			ev->mmap.ret = s->ins_ret;
			event_submit(ev);
		}
	}
	if (!ret)
		track(&tracked_vmas, (__u64)vma, ctx, RL_CNT_TRACK_MAP_FULL);
	s->mmap_ctx = 0;
	s->mmap_vma = 0;
	scope_put_if_idle(s);
	return 0;
}

SEC("fentry/io_uring_mmap")
int BPF_PROG(fe_io_uring_mmap, struct file *file, struct vm_area_struct *vma)
{
	return handle_mmap_enter(file, vma);
}

SEC("fexit/io_uring_mmap")
int BPF_PROG(fx_io_uring_mmap, struct file *file, struct vm_area_struct *vma, int ret)
{
	return handle_mmap_exit(vma, ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_uring_mmap, struct file *file, struct vm_area_struct *vma)
{
	return handle_mmap_enter(file, vma);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_uring_mmap, int ret)
{
	struct rl_task_scope *s = scope_get(false);

	if (!s)
		return 0;
	return handle_mmap_exit((void *)s->mmap_vma, ret);
}

/* vm_insert_pages is generic: only the call made inside io_uring_mmap on the
 * vma being mapped counts.  On return *num holds the pages NOT inserted. */
static __always_inline int handle_insert_enter(struct vm_area_struct *vma,
					       struct page **pages, __u64 *num)
{
	struct rl_task_scope *s = scope_get(false);
	__u64 nr = 0;

	if (!s || !s->mmap_ctx || s->mmap_vma != (__u64)vma)
		return 0;
	bpf_probe_read_kernel(&nr, sizeof(nr), num);
	s->ins_pages = (__u64)pages;
	s->ins_nr = nr;
	s->ins_num_ptr = (__u64)num;
	return 0;
}

static __always_inline int handle_insert_exit(int ret)
{
	struct rl_task_scope *s = scope_get(false);
	__u64 left = 0;

	if (!s || !s->mmap_ctx || !s->ins_num_ptr)
		return 0;
	bpf_probe_read_kernel(&left, sizeof(left), (void *)s->ins_num_ptr);
	s->ins_left = left;
	s->ins_ret = ret;
	s->ins_num_ptr = 0;
	return 0;
}

/* `struct page **` and `unsigned long *` arguments: older verifiers refuse
 * to read them from the trampoline context directly ("arg2 type PTR is not
 * a struct"), bpf_get_func_arg() reads them on every kernel. */
SEC("fentry/vm_insert_pages")
int fe_vm_insert_pages(__u64 *ctx)
{
	__u64 vma = 0, pages = 0, num = 0;

	bpf_get_func_arg(ctx, 0, &vma);
	bpf_get_func_arg(ctx, 2, &pages);
	bpf_get_func_arg(ctx, 3, &num);
	return handle_insert_enter((void *)vma, (void *)pages, (void *)num);
}

SEC("fexit/vm_insert_pages")
int fx_vm_insert_pages(__u64 *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	return handle_insert_exit((int)ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_vm_insert_pages, struct vm_area_struct *vma, __u64 addr,
	       struct page **pages, __u64 *num)
{
	return handle_insert_enter(vma, pages, num);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_vm_insert_pages, int ret)
{
	return handle_insert_exit(ret);
}

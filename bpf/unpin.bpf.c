// SPDX-License-Identifier: GPL-2.0
/*
 * unpin.bpf.c - unpins (unpin_user_folio, unpin_user_page,
 * unpin_user_pages): one lookup, then only inside a pin scope, where the
 * pins dropped are gathered into UNPIN events.  Unpins outside task
 * context are never a scope's: block I/O completion (bio_endio ->
 * __bio_release_pages / bvec_unpin -> unpin_user_folio) runs in hard or
 * soft interrupt context on whatever task it interrupted, and drops the
 * pins the bio took, not io_uring's.
 */
#include "common.bpf.h"
#include "folio.bpf.h"
#include "pin_scope.bpf.h"

/* This CPU's preempt count (x86): the per-CPU variable __preempt_count
 * (6.1, and again from 6.15, where it is an unsigned long whose low 32
 * bits are the count), or pcpu_hot.preempt_count in between.  Typeless
 * ksyms, read with bpf_probe_read_kernel at the symbol plus this CPU's
 * __per_cpu_offset[]: a typed ksym (bpf_this_cpu_ptr) makes the whole
 * object fail to load on a kernel whose BTF names the variable but whose
 * kallsyms lacks it (no CONFIG_KALLSYMS_ALL).  A kernel without them (or
 * addresses hidden by kptr_restrict) is taken to be in task context, the
 * behaviour before this check. */
extern const void __preempt_count __ksym __weak;
extern const void pcpu_hot __ksym __weak;
extern const void __per_cpu_offset __ksym __weak;

struct pcpu_hot {
	int preempt_count;
} __attribute__((preserve_access_index));

#define RL_SOFTIRQ_OFFSET	0x00000100	/* serving a softirq    */
#define RL_HARDIRQ_MASK		0x000f0000
#define RL_NMI_MASK		0x00f00000
#define RL_NR_CPU_OFFSETS	4096

/* __per_cpu_offset[cpu], read once per CPU (it never changes) */
static __u64 cpu_offset[RL_NR_CPU_OFFSETS];

/* The address of this CPU's preempt count, 0 when unknown. */
static __always_inline __u64 preempt_count_addr(void)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u64 var, off;

	if (&__preempt_count)
		var = (__u64)&__preempt_count;
	else if (bpf_core_type_exists(struct pcpu_hot) && &pcpu_hot)
		var = (__u64)&pcpu_hot + bpf_core_field_offset(struct pcpu_hot, preempt_count);
	else
		return 0;
	if (!&__per_cpu_offset || cpu >= RL_NR_CPU_OFFSETS)
		return 0;
	off = cpu_offset[cpu];
	if (!off) {
		if (bpf_probe_read_kernel(&off, sizeof(off),
					  (void *)((__u64)&__per_cpu_offset + cpu * sizeof(__u64))))
			return 0;
		cpu_offset[cpu] = off;
	}
	return var + off;
}

/* in_task(): not in an NMI, a hard interrupt or a softirq being served
 * (a task that merely disabled bottom halves is still in task context). */
static __always_inline bool unpin_in_task(void)
{
	__u64 addr = preempt_count_addr();
	int pc = 0;

	if (!addr || bpf_probe_read_kernel(&pc, sizeof(pc), (void *)addr))
		return true;
	return !(pc & (RL_NMI_MASK | RL_HARDIRQ_MASK | RL_SOFTIRQ_OFFSET));
}

/* The scope this unpin belongs to: none outside task context (asked only
 * when the task has one open: unpins elsewhere stay one lookup). */
static __always_inline struct rl_pin_scope *unpin_scope(void)
{
	struct rl_pin_scope *ps = pin_scope_get();

	return ps && unpin_in_task() ? ps : NULL;
}

static __always_inline int handle_unpin_folio(__u64 folio, __u64 npages, bool first)
{
	struct rl_pin_scope *ps = unpin_scope();

	if (!ps || !pin_scope_pair_take(ps, folio, npages, first))
		return 0;
	pin_scope_add(ps, page_to_pfn((struct page *)folio), (__u32)npages);
	return 0;
}

static __always_inline int handle_unpin_page(__u64 page, bool first)
{
	struct rl_pin_scope *ps = unpin_scope();

	if (!ps || !pin_scope_pair_take(ps, page, 1, first))
		return 0;
	pin_scope_add(ps, page_to_pfn((struct page *)page_head(page)), 1);
	return 0;
}

struct unpin_walk {
	__u64 pages;		/* struct page ** */
	__u64 nr;
	struct rl_pin_scope *ps;
};

static long unpin_one(__u32 i, struct unpin_walk *w)
{
	__u64 page = 0;

	if (i >= w->nr)
		return 1;
	if (bpf_probe_read_kernel(&page, sizeof(page), (void *)(w->pages + i * sizeof(__u64)))) {
		count(RL_CNT_READ_FAIL);
		return 1;
	}
	pin_scope_add(w->ps, page_to_pfn((struct page *)page_head(page)), 1);
	return 0;
}

static __always_inline void unpin_array(struct rl_pin_scope *ps, __u64 pages, __u64 npages)
{
	struct unpin_walk w = { .pages = pages, .nr = npages, .ps = ps };

	if (npages > RL_MAX_PIN_PAGES) {
		count(RL_CNT_PIN_TRUNCATED);
		w.nr = RL_MAX_PIN_PAGES;
	}
	bpf_loop(w.nr, unpin_one, &w, 0);
}

/* Inside a scope, the pins belong to its set.  Outside any, the array
 * itself may be a region's that we saw pinned, freed where no scope is
 * hooked (6.12's io_pages_free): its pins are released here, all at once. */
static __always_inline int handle_unpin_pages(void *ctx, __u64 pages, __u64 npages,
					      bool first)
{
	struct rl_pin_scope *ps;
	struct rl_pin_info *pinned, info;

	if (!pages)
		return 0;
	ps = unpin_scope();
	if (ps) {
		if (pin_scope_pair_take(ps, pages, npages, first))
			unpin_array(ps, pages, npages);
		return 0;
	}
	pinned = bpf_map_lookup_elem(&tracked_pin_arrays, &pages);
	if (!pinned || !unpin_in_task())
		return 0;
	info = *pinned;
	/* gone: the other program of a pair released it */
	if (bpf_map_delete_elem(&tracked_pin_arrays, &pages) == -RL_ENOENT)
		return 0;
	pin_scope_open(ctx, &info, info.ctx, RL_OPENER_UNPIN_PAGES, RL_UNPIN_F_RELEASED);
	ps = pin_scope_get();
	if (ps)
		unpin_array(ps, pages, npages);
	pin_scope_close(ctx, RL_OPENER_UNPIN_PAGES, 0);
	return 0;
}

/* struct folio * / struct page * / struct page ** arguments, read as
 * numbers with bpf_get_func_arg: the programs only compute with them. */
SEC("fentry/unpin_user_folio")
int fe_unpin_user_folio(__u64 *ctx)
{
	__u64 folio = 0, npages = 0;

	bpf_get_func_arg(ctx, 0, &folio);
	bpf_get_func_arg(ctx, 1, &npages);
	return handle_unpin_folio(folio, npages, RL_RUNS_SECOND);
}

SEC("kprobe")
int BPF_KPROBE(kp_unpin_user_folio, void *folio, __u64 npages)
{
	return handle_unpin_folio((__u64)folio, npages, RL_RUNS_FIRST);
}

SEC("fentry/unpin_user_page")
int fe_unpin_user_page(__u64 *ctx)
{
	__u64 page = 0;

	bpf_get_func_arg(ctx, 0, &page);
	return handle_unpin_page(page, RL_RUNS_SECOND);
}

SEC("kprobe")
int BPF_KPROBE(kp_unpin_user_page, void *page)
{
	return handle_unpin_page((__u64)page, RL_RUNS_FIRST);
}

SEC("fentry/unpin_user_pages")
int fe_unpin_user_pages(__u64 *ctx)
{
	__u64 pages = 0, npages = 0;

	bpf_get_func_arg(ctx, 0, &pages);
	bpf_get_func_arg(ctx, 1, &npages);
	return handle_unpin_pages(ctx, pages, npages, RL_RUNS_SECOND);
}

SEC("kprobe")
int BPF_KPROBE(kp_unpin_user_pages, void *pages, __u64 npages)
{
	return handle_unpin_pages(ctx, (__u64)pages, npages, RL_RUNS_FIRST);
}

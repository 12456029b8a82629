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
 * (6.1, and again from 6.15, where it is an unsigned long: its low 32 bits
 * are the count), or pcpu_hot.preempt_count in between.  The running
 * kernel's BTF has one of the two; a kernel with neither is taken to be
 * in task context (the behaviour before this check). */
extern const int __preempt_count __ksym __weak;
struct pcpu_hot {
	int preempt_count;
} __attribute__((preserve_access_index));
extern const struct pcpu_hot pcpu_hot __ksym __weak;

#define RL_SOFTIRQ_OFFSET	0x00000100	/* serving a softirq    */
#define RL_HARDIRQ_MASK		0x000f0000
#define RL_NMI_MASK		0x00f00000

/* in_task(): not in an NMI, a hard interrupt or a softirq being served
 * (a task that merely disabled bottom halves is still in task context). */
static __always_inline bool unpin_in_task(void)
{
	int pc;

	if (&__preempt_count)
		pc = *(const int *)bpf_this_cpu_ptr(&__preempt_count);
	else if (&pcpu_hot)
		pc = ((const struct pcpu_hot *)bpf_this_cpu_ptr(&pcpu_hot))->preempt_count;
	else
		return true;
	return !(pc & (RL_NMI_MASK | RL_HARDIRQ_MASK | RL_SOFTIRQ_OFFSET));
}

/* The scope this unpin belongs to: none outside task context. */
static __always_inline struct rl_pin_scope *unpin_scope(void)
{
	if (!open_pin_scopes || !unpin_in_task())
		return NULL;
	return pin_scope_get();
}

static __always_inline int handle_unpin_folio(__u64 folio, __u64 npages)
{
	struct rl_pin_scope *ps = unpin_scope();

	if (!ps)
		return 0;
	pin_scope_add(ps, page_to_pfn((struct page *)folio), (__u32)npages);
	return 0;
}

static __always_inline int handle_unpin_page(__u64 page)
{
	struct rl_pin_scope *ps = unpin_scope();

	if (!ps)
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
static __always_inline int handle_unpin_pages(void *ctx, __u64 pages, __u64 npages)
{
	struct rl_pin_scope *ps;
	struct rl_pin_info *pinned, info;

	if (!pages || !unpin_in_task())
		return 0;
	ps = pin_scope_get();
	if (ps) {
		unpin_array(ps, pages, npages);
		return 0;
	}
	pinned = bpf_map_lookup_elem(&tracked_pin_arrays, &pages);
	if (!pinned)
		return 0;
	info = *pinned;
	bpf_map_delete_elem(&tracked_pin_arrays, &pages);
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
	return handle_unpin_folio(folio, npages);
}

SEC("kprobe")
int BPF_KPROBE(kp_unpin_user_folio, void *folio, __u64 npages)
{
	return handle_unpin_folio((__u64)folio, npages);
}

SEC("fentry/unpin_user_page")
int fe_unpin_user_page(__u64 *ctx)
{
	__u64 page = 0;

	bpf_get_func_arg(ctx, 0, &page);
	return handle_unpin_page(page);
}

SEC("kprobe")
int BPF_KPROBE(kp_unpin_user_page, void *page)
{
	return handle_unpin_page((__u64)page);
}

SEC("fentry/unpin_user_pages")
int fe_unpin_user_pages(__u64 *ctx)
{
	__u64 pages = 0, npages = 0;

	bpf_get_func_arg(ctx, 0, &pages);
	bpf_get_func_arg(ctx, 1, &npages);
	return handle_unpin_pages(ctx, pages, npages);
}

SEC("kprobe")
int BPF_KPROBE(kp_unpin_user_pages, void *pages, __u64 npages)
{
	return handle_unpin_pages(ctx, (__u64)pages, npages);
}

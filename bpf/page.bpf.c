// SPDX-License-Identifier: GPL-2.0
/*
 * page.bpf.c - pages: a tracked page returned to the allocator
 * (kmem:mm_page_free), and the one place that reads vmemmap_base.
 */
#define RL_VMEMMAP_OWNER
#include "common.bpf.h"

/* vmemmap_base moves with KASLR; read through kallsyms (typeless ksym).
 * Declared in this object only: the BPF linker cannot merge a typeless
 * ksym that two objects name. */
extern const void vmemmap_base __ksym __weak;

/* vmemmap_base, once read */
static __u64 vmemmap_cached;

static __always_inline __u64 vmemmap_lookup(void)
{
	__u64 base = 0;

	if (&vmemmap_base == 0 ||
	    bpf_probe_read_kernel(&base, sizeof(base), &vmemmap_base))
		base = vmemmap_base_default;
	return base;
}

/* For the other objects, each of which caches what it returns
 * (common.bpf.h). */
__hidden __u64 vmemmap_read(void)
{
	return vmemmap_lookup();
}

/* The page free program's own, inline and written as it always was: its
 * fast path (the cache is set) is one load, then the map lookup. */
static __always_inline __u64 page_to_pfn(const struct page *page)
{
	__u64 base = vmemmap_cached;

	if (!base) {
		if (&vmemmap_base == 0 ||
		    bpf_probe_read_kernel(&base, sizeof(base), &vmemmap_base))
			base = vmemmap_base_default;
		vmemmap_cached = base;
	}
	return pfn_of(page, base);
}

/* A compound region's tail pfns are tracked too (its pages[] names every
 * page); a free of its head takes them all. */
static long untrack_tail(__u32 i, __u64 *head)
{
	__u64 pfn = *head + 1 + i;

	bpf_map_delete_elem(&tracked_pfns, &pfn);
	return 0;
}

/* Fires for every page freed in the system: one map lookup, nothing else,
 * unless the pfn is ours.  Tracked pages are order-0 or the head of a
 * compound region, so the head pfn is the only key to look up.  The pfn
 * leaves the map before the event is sent, which is what lets the hook's
 * other programs below see whether one of them ran. */
static __always_inline int page_free(void *ctx, struct page *page, unsigned int order)
{
	__u64 pfn = page_to_pfn(page), *region;
	struct rl_event *ev;

	region = bpf_map_lookup_elem(&tracked_pfns, &pfn);
	if (!region)
		return 0;
	/* another of the hook's programs took it first (it ran before this
	 * one, or this one was skipped there while another, nested, ran) */
	if (bpf_map_delete_elem(&tracked_pfns, &pfn) == -RL_ENOENT)
		return 0;
	if (order && order <= RL_MAX_FREE_ORDER)
		bpf_loop((1u << order) - 1, untrack_tail, &pfn, 0);
	ev = event_reserve_stack(RL_EV_PAGE_FREE);
	if (!ev)
		return 0;
	ev->page.pfn = pfn;
	ev->page.order = order;
	event_stack(ctx, ev, RL_EV_PAGE_FREE);
	event_submit(ev);
	return 0;
}

SEC("raw_tp/mm_page_free")
int BPF_PROG(tp_mm_page_free, struct page *page, unsigned int order)
{
	return page_free(ctx, page, order);
}

/* The kernel runs a program once per CPU at a time: a page freed from an
 * interrupt while tp_mm_page_free runs skips it, and from 7.x, where
 * tracepoint programs can be preempted, so does any page freed on that CPU
 * while the task inside it waits.  This second program on the same
 * tracepoint runs after it and finds the pfn still tracked only when the
 * first skipped the call. */
SEC("raw_tp/mm_page_free")
int BPF_PROG(tp_mm_page_free2, struct page *page, unsigned int order)
{
	return page_free(ctx, page, order);
}

/* The tracepoint's iterator, which calls the two above (with two probes
 * the kernel calls it, not the probe): a kprobe there runs before them,
 * with preemption off, so no task waiting inside it can make it skip;
 * only an interrupt inside a kprobe program can.  Whichever of the three
 * takes the pfn out of the map sends. */
SEC("kprobe")
int BPF_KPROBE(kp_mm_page_free, void *data, struct page *page, unsigned int order)
{
	return page_free(ctx, page, order);
}

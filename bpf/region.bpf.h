/* SPDX-License-Identifier: GPL-2.0 */
/*
 * region.bpf.h - what every kernel's region programs share: a region's
 * REGION_CREATE and REGION_FREE with the REGION_PAGES that follow them,
 * and the pin scope of a region's user memory.  region.bpf.c reads them
 * from a struct io_mapped_region (7.x), pages612.bpf.c from 6.12's page
 * arrays: the events are the same.
 */
#ifndef RL_REGION_BPF_H
#define RL_REGION_BPF_H

#include "common.bpf.h"
#include "pin_scope.bpf.h"
#include "folio.bpf.h"

struct pages_walk {
	struct page **pages;
	__u64 region;
	__u32 nr_pages;
	__u32 flags;
	__u32 at_free;
	bool track;
};

/* One page of a REGION_PAGES event (a bpf_loop step, so the verifier
 * walks it once, not once per page): its pfn and its refcount. */
struct page_step {
	struct pages_walk *w;
	struct rl_event *ev;
	struct page *head;	/* the region's compound head, if one     */
	__u64 base;		/* vmemmap                                */
	__u32 first;
};

static long emit_page(__u32 step, struct page_step *s)
{
	struct pages_walk *w = s->w;
	struct rl_event *ev = s->ev;
	struct page *page;
	__u64 i = step, src;

	barrier_var(i);		/* the bound below is on the index used */
	if (i >= RL_PFNS_PER_EVENT || s->first + i >= w->nr_pages)
		return 1;
	if (bpf_probe_read_kernel(&page, sizeof(page), &w->pages[s->first + i])) {
		count(RL_CNT_READ_FAIL);
		return 1;
	}
	/* a compound region's reference count lives in its head; so does a
	 * large folio's of user memory (hugetlb, THP), whose tail pages
	 * count 0 */
	src = s->head ? (__u64)s->head : (__u64)page;
	if (!s->head && (w->flags & RL_REGION_F_USER_PROVIDED))
		src = page_head((__u64)page);
	ev->pages.pfn[i] = pfn_of(page, s->base);
	ev->pages.refcount[i] = BPF_CORE_READ((struct page *)src, _refcount.counter);
	ev->pages.count = i + 1;
	if (w->track)
		track(&tracked_pfns, ev->pages.pfn[i], w->region, RL_CNT_PFN_MAP_FULL);
	return 0;
}

/* One REGION_PAGES event: pfns and refcounts of pages [first, first + 32). */
static long emit_pages_chunk(__u32 chunk, struct pages_walk *w)
{
	struct page_step s = { .w = w, .first = chunk * RL_PFNS_PER_EVENT };

	if (s.first >= w->nr_pages)
		return 1;
	s.ev = event_reserve(RL_EV_REGION_PAGES);
	if (!s.ev)
		return 1;
	s.ev->pages.region = w->region;
	s.ev->pages.first = s.first;
	s.ev->pages.at_free = w->at_free;
	s.ev->pages.count = 0;
	if (w->flags & RL_REGION_F_SINGLE_REF)
		bpf_probe_read_kernel(&s.head, sizeof(s.head), &w->pages[0]);
	s.base = vmemmap_get();
	bpf_loop(RL_PFNS_PER_EVENT, emit_page, &s, 0);
	event_submit(s.ev);
	return 0;
}

static __always_inline void emit_region_pages(struct pages_walk *w)
{
	__u32 chunks = (w->nr_pages + RL_PFNS_PER_EVENT - 1) / RL_PFNS_PER_EVENT;

	if (stat_mode)
		return;		/* pages are the ledger's: stat counts them */
	if (chunks > RL_MAX_REGION_CHUNKS) {
		count(RL_CNT_REGION_TRUNCATED);
		chunks = RL_MAX_REGION_CHUNKS;
	}
	bpf_loop(chunks, emit_pages_chunk, w, 0);
}

/* A region io_uring now holds: remembered (tracked_regions), announced
 * (REGION_CREATE), its pages described (REGION_PAGES).  mr: the address
 * of whatever describes it in the kernel (the struct io_mapped_region,
 * 6.12's pages[] pointer). */
struct region_desc {
	struct page **pages;
	__u64 ctx;		/* owner, 0 while the ring is being set up */
	__u64 setup_ctx;	/* ctx 0: the ring being set up, if known  */
	__u64 mr;
	__u64 mmap_offset;
	__u32 kind;
	__u32 bgid;
	__u32 nr_pages;
	__u32 flags;
	int ret;
};

static __always_inline void region_created(const struct region_desc *d)
{
	struct rl_region_info info = {};
	struct pages_walk w = {};
	struct rl_event *ev;
	struct page *head;

	w.pages = d->pages;
	w.region = (__u64)d->pages;
	w.nr_pages = d->nr_pages;
	w.flags = d->flags;
	if (!w.region)
		return;
	/* paired (kprobe_seconds): the other program has tracked it unless
	 * it was skipped */
	if (kprobe_seconds && bpf_map_lookup_elem(&tracked_regions, &w.region))
		return;
	info.ctx = d->ctx;
	info.kind = d->kind;
	info.bgid = d->bgid;
	if (bpf_map_update_elem(&tracked_regions, &w.region, &info, BPF_ANY))
		count(RL_CNT_TRACK_MAP_FULL);

	ev = event_reserve(RL_EV_REGION_CREATE);
	if (!ev)
		return;
	ev->region.region = w.region;
	ev->region.ctx = d->ctx;
	ev->region.mr = d->mr;
	ev->region.mmap_offset = d->mmap_offset;
	ev->region.kind = d->kind;
	ev->region.bgid = d->bgid;
	ev->region.nr_pages = w.nr_pages;
	ev->region.flags = w.flags;
	ev->region.ret = d->ret;
	ev->region.setup_ctx = d->setup_ctx;
	if (!bpf_probe_read_kernel(&head, sizeof(head), &w.pages[0]))
		ev->region.head_refcount = BPF_CORE_READ(head, _refcount.counter);
	event_submit(ev);

	/* user memory is the pin ledger's business; its pfns stay untracked */
	w.track = !(w.flags & RL_REGION_F_USER_PROVIDED);
	emit_region_pages(&w);
}

/* io_uring is about to drop its references to a region (its pages[] still
 * set): REGION_FREE with the stack, then the refcounts RL002 judges. */
static __always_inline void region_freed(void *ctx, struct page **pages, __u64 mr,
					 __u32 nr_pages, __u32 flags)
{
	struct rl_region_info *found, copy, *info = &copy;
	struct pages_walk w = {};
	struct rl_event *ev;

	w.pages = pages;
	w.region = (__u64)pages;
	found = bpf_map_lookup_elem(&tracked_regions, &w.region);
	if (!found)
		return;
	/* out of the map before its events: where the hook's kprobe runs
	 * beside its trampoline, the one that comes second finds it gone */
	copy = *found;
	if (bpf_map_delete_elem(&tracked_regions, &w.region) == -RL_ENOENT)
		return;
	w.nr_pages = nr_pages;
	w.flags = flags;
	w.at_free = 1;

	ev = event_reserve_stack(RL_EV_REGION_FREE);
	if (ev) {
		ev->region.region = w.region;
		ev->region.ctx = info->ctx;
		ev->region.kind = info->kind;
		ev->region.bgid = info->bgid;
		ev->region.mr = mr;
		ev->region.nr_pages = w.nr_pages;
		ev->region.flags = w.flags;
		event_stack(ctx, ev, RL_EV_REGION_FREE);
		event_submit(ev);
	}
	emit_region_pages(&w);
}

/* User memory pinned for a region is unpinned inside its free
 * (io_free_region, 6.12's io_pages_free and io_put_bl): its unpins belong
 * to the region's pin set. */
static __always_inline void open_region_pin_scope(void *ctx, __u64 pages)
{
	struct rl_pin_info *pinned = bpf_map_lookup_elem(&tracked_pin_arrays, &pages);
	struct rl_pin_info info;

	if (!pinned)
		return;
	info = *pinned;
	/* gone: the other program of a pair opened it */
	if (bpf_map_delete_elem(&tracked_pin_arrays, &pages) == -RL_ENOENT)
		return;
	pin_scope_open(ctx, &info, info.ctx, RL_OPENER_REGION_FREE,
		       RL_UNPIN_F_RELEASED);
}

#endif /* RL_REGION_BPF_H */

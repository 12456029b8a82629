// SPDX-License-Identifier: GPL-2.0
/*
 * region.bpf.c - regions of ring memory (SQ/CQ rings, SQE array, buffer
 * rings, param and zcrx regions): created (io_create_region), freed
 * (io_free_region), with the pfns and refcounts of their pages.
 */
#include "common.bpf.h"
#include "pin_scope.bpf.h"
#include "folio.bpf.h"

/* The kind of a region being created, from the register operation the task
 * is in (none: ring setup or resize) and the mmap offset it was given.  The
 * offset alone is ambiguous: a buffer ring's is bgid << 16 without the
 * PBUF bit, which can equal the CQ ring's. */
static __always_inline __u32 region_kind(const struct rl_task_scope *s,
					 __u64 off, __u32 *bgid)
{
	__u32 op = s ? s->reg_opcode : 0;

	if (op == RL_IORING_REGISTER_PBUF_RING) {
		*bgid = off >> RL_OFF_PBUF_SHIFT;
		return RL_RK_PBUF;
	}
	if (op == RL_IORING_REGISTER_MEM_REGION)
		return RL_RK_PARAM;
	if (op == RL_IORING_REGISTER_ZCRX_IFQ)
		return RL_RK_ZCRX;
	if (off == RL_OFF_CQ_RING || off == RL_OFF_SQ_RING)
		return RL_RK_RINGS;
	if (off == RL_OFF_SQES)
		return RL_RK_SQES;
	return RL_RK_UNKNOWN;
}

/* The ring io_uring_setup is making, for a region it creates before the
 * ctx is announced: the region is that ctx's ring_region or sq_region.
 * Naming regions by their ctx, not by the thread, keeps a failed setup's
 * regions (freed only at its RCU-delayed teardown) from being taken for
 * the next ring the thread makes. */
static __always_inline __u64 setup_ctx_of(struct io_mapped_region *mr, __u32 kind)
{
	if (kind == RL_RK_RINGS && bpf_core_field_exists(struct io_ring_ctx, ring_region))
		return (__u64)mr - bpf_core_field_offset(struct io_ring_ctx, ring_region);
	if (kind == RL_RK_SQES && bpf_core_field_exists(struct io_ring_ctx, sq_region))
		return (__u64)mr - bpf_core_field_offset(struct io_ring_ctx, sq_region);
	return 0;
}

struct pages_walk {
	struct page **pages;
	__u64 region;
	__u32 nr_pages;
	__u32 flags;
	__u32 at_free;
	bool track;
};

/* One REGION_PAGES event: pfns and refcounts of pages [first, first + 32). */
static long emit_pages_chunk(__u32 chunk, struct pages_walk *w)
{
	__u32 first = chunk * RL_PFNS_PER_EVENT;
	struct page *head = NULL, *page;
	struct rl_event *ev;
	__u32 i, refs;

	if (first >= w->nr_pages)
		return 1;
	ev = event_reserve(RL_EV_REGION_PAGES);
	if (!ev)
		return 1;
	ev->pages.region = w->region;
	ev->pages.first = first;
	ev->pages.at_free = w->at_free;
	if (w->flags & RL_REGION_F_SINGLE_REF)
		bpf_probe_read_kernel(&head, sizeof(head), &w->pages[0]);

	for (i = 0; i < RL_PFNS_PER_EVENT; i++) {
		if (first + i >= w->nr_pages)
			break;
		if (bpf_probe_read_kernel(&page, sizeof(page), &w->pages[first + i])) {
			count(RL_CNT_READ_FAIL);
			break;
		}
		/* a compound region's reference count lives in its head; so
		 * does a large folio's of user memory (hugetlb, THP), whose
		 * tail pages count 0 */
		if (!head && (w->flags & RL_REGION_F_USER_PROVIDED))
			refs = BPF_CORE_READ((struct page *)page_head((__u64)page), _refcount.counter);
		else
			refs = BPF_CORE_READ(head ? head : page, _refcount.counter);
		ev->pages.pfn[i] = page_to_pfn(page);
		ev->pages.refcount[i] = refs;
		ev->pages.count = i + 1;
		if (w->track)
			track(&tracked_pfns, ev->pages.pfn[i], w->region,
			      RL_CNT_PFN_MAP_FULL);
	}
	event_submit(ev);
	return 0;
}

static __always_inline void emit_region_pages(struct pages_walk *w)
{
	__u32 chunks = (w->nr_pages + RL_PFNS_PER_EVENT - 1) / RL_PFNS_PER_EVENT;

	if (chunks > RL_MAX_REGION_CHUNKS) {
		count(RL_CNT_REGION_TRUNCATED);
		chunks = RL_MAX_REGION_CHUNKS;
	}
	bpf_loop(chunks, emit_pages_chunk, w, 0);
}

static __always_inline int handle_create_region(void *ctx,
						struct io_mapped_region *mr,
						__u64 mmap_offset, int ret)
{
	struct rl_task_scope *s = scope_get(false);
	struct rl_region_info info = {};
	struct pages_walk w = {};
	struct rl_event *ev;
	__u64 owner = s ? s->reg_ctx : 0;
	__u32 bgid = 0, kind;
	struct page *head;

	if (ret)
		return 0;
	if (owner ? !ctx_tracked(owner) : !task_followed())
		return 0;

	w.pages = BPF_CORE_READ(mr, pages);
	w.region = (__u64)w.pages;
	w.nr_pages = BPF_CORE_READ(mr, nr_pages);
	w.flags = BPF_CORE_READ(mr, flags);
	if (!w.region)
		return 0;
	/* paired: the other program has tracked it unless it was skipped */
	if (kprobe_seconds && bpf_map_lookup_elem(&tracked_regions, &w.region))
		return 0;
	kind = region_kind(s, mmap_offset, &bgid);
	info.ctx = owner;
	info.kind = kind;
	info.bgid = bgid;
	if (bpf_map_update_elem(&tracked_regions, &w.region, &info, BPF_ANY))
		count(RL_CNT_TRACK_MAP_FULL);

	ev = event_reserve(RL_EV_REGION_CREATE);
	if (!ev)
		return 0;
	ev->region.region = w.region;
	ev->region.ctx = owner;
	ev->region.mr = (__u64)mr;
	ev->region.mmap_offset = mmap_offset;
	ev->region.kind = kind;
	ev->region.bgid = bgid;
	ev->region.nr_pages = w.nr_pages;
	ev->region.flags = w.flags;
	ev->region.ret = ret;
	if (!owner)
		ev->region.setup_ctx = setup_ctx_of(mr, kind);
	if (!bpf_probe_read_kernel(&head, sizeof(head), &w.pages[0]))
		ev->region.head_refcount = BPF_CORE_READ(head, _refcount.counter);
	event_submit(ev);

	/* user memory is the pin ledger's business; its pfns stay untracked */
	w.track = !(w.flags & RL_REGION_F_USER_PROVIDED);
	emit_region_pages(&w);
	return 0;
}

SEC("fexit/io_create_region")
int BPF_PROG(fx_io_create_region, void *owner, struct io_mapped_region *mr,
	     void *reg, __u64 mmap_offset, int ret)
{
	return handle_create_region(ctx, mr, mmap_offset, ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_create_region, void *owner, struct io_mapped_region *mr,
	       void *reg, __u64 mmap_offset)
{
	stash_args(RL_STASH_REGION_CREATE, (__u64)mr, mmap_offset, 0, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_create_region, int ret)
{
	struct rl_stash s;

	if (!unstash_args(RL_STASH_REGION_CREATE, &s))
		return 0;
	return handle_create_region(ctx, (void *)s.arg[0], s.arg[1], ret);
}

/* Entry of io_free_region: pages[] is still set and io_uring still holds
 * its references; the refcounts read now are what RL002 judges. */
/* User memory pinned for a region is unpinned inside io_free_region: its
 * unpins belong to the region's pin set. */
static __always_inline void open_region_pin_scope(void *ctx, __u64 pages)
{
	struct rl_pin_info *pinned = bpf_map_lookup_elem(&tracked_pin_arrays, &pages);
	struct rl_pin_info info;

	if (!pinned)
		return;
	info = *pinned;
	/* gone: the other program of this hook opened it */
	if (bpf_map_delete_elem(&tracked_pin_arrays, &pages) == -RL_ENOENT)
		return;
	pin_scope_open(ctx, &info, info.ctx, RL_OPENER_REGION_FREE,
		       RL_UNPIN_F_RELEASED);
}

static __always_inline int handle_free_region(void *ctx, struct io_mapped_region *mr)
{
	struct rl_region_info *found, copy, *info = &copy;
	struct pages_walk w = {};
	struct rl_event *ev;

	w.pages = BPF_CORE_READ(mr, pages);
	w.region = (__u64)w.pages;
	if (!w.region)
		return 0;
	open_region_pin_scope(ctx, w.region);
	found = bpf_map_lookup_elem(&tracked_regions, &w.region);
	if (!found)
		return 0;
	/* out of the map before its events: where the hook's kprobe runs
	 * beside its trampoline, the one that comes second finds it gone */
	copy = *found;
	if (bpf_map_delete_elem(&tracked_regions, &w.region) == -RL_ENOENT)
		return 0;
	w.nr_pages = BPF_CORE_READ(mr, nr_pages);
	w.flags = BPF_CORE_READ(mr, flags);
	w.at_free = 1;

	ev = event_reserve_stack(RL_EV_REGION_FREE);
	if (ev) {
		ev->region.region = w.region;
		ev->region.ctx = info->ctx;
		ev->region.kind = info->kind;
		ev->region.bgid = info->bgid;
		ev->region.mr = (__u64)mr;
		ev->region.nr_pages = w.nr_pages;
		ev->region.flags = w.flags;
		event_stack(ctx, ev, RL_EV_REGION_FREE);
		event_submit(ev);
	}
	emit_region_pages(&w);
	return 0;
}

SEC("fentry/io_free_region")
int BPF_PROG(fe_io_free_region, void *owner, struct io_mapped_region *mr)
{
	return handle_free_region(ctx, mr);
}

/* closing the task's scope twice (its kretprobe beside it) closes it once */
SEC("fexit/io_free_region")
int BPF_PROG(fx_io_free_region)
{
	pin_scope_close(ctx, RL_OPENER_REGION_FREE, 0);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_io_free_region, void *owner, struct io_mapped_region *mr)
{
	return handle_free_region(ctx, mr);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_free_region)
{
	pin_scope_close(ctx, RL_OPENER_REGION_FREE, 0);
	return 0;
}

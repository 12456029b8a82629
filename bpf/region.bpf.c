// SPDX-License-Identifier: GPL-2.0
/*
 * region.bpf.c - regions of ring memory (SQ/CQ rings, SQE array, buffer
 * rings, param and zcrx regions): created (io_create_region), freed
 * (io_free_region), with the pfns and refcounts of their pages.
 */
#include "region.bpf.h"

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

static __always_inline int handle_create_region(void *ctx,
						struct io_mapped_region *mr,
						__u64 mmap_offset, int ret)
{
	struct rl_task_scope *s = scope_get(false);
	struct region_desc d = {};

	d.ctx = s ? s->reg_ctx : 0;
	if (ret)
		return 0;
	if (d.ctx ? !ctx_tracked(d.ctx) : !task_followed())
		return 0;
	d.pages = BPF_CORE_READ(mr, pages);
	d.mr = (__u64)mr;
	d.mmap_offset = mmap_offset;
	d.nr_pages = BPF_CORE_READ(mr, nr_pages);
	d.flags = BPF_CORE_READ(mr, flags);
	d.kind = region_kind(s, mmap_offset, &d.bgid);
	if (!d.ctx)
		d.setup_ctx = setup_ctx_of(mr, d.kind);
	d.ret = ret;
	region_created(&d);
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
static __always_inline int handle_free_region(void *ctx, struct io_mapped_region *mr)
{
	struct page **pages = BPF_CORE_READ(mr, pages);

	if (!pages)
		return 0;
	open_region_pin_scope(ctx, (__u64)pages);
	region_freed(ctx, pages, (__u64)mr, BPF_CORE_READ(mr, nr_pages),
		     BPF_CORE_READ(mr, flags));
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

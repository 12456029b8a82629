// SPDX-License-Identifier: GPL-2.0
/*
 * pages612.bpf.c - ring memory on kernels without io_mapped_region (6.12,
 * and 6.1, whose stable updates took the same ring allocation): the rings, the SQE array and kernel-allocated buffer rings are page
 * arrays allocated by io_pages_map() and released by io_pages_unmap();
 * rings in user memory (IORING_SETUP_NO_MMAP) are pinned by
 * __io_uaddr_map() and unpinned by io_pages_free(); a buffer ring in user
 * memory is unpinned page by page when io_put_bl() drops its last
 * reference (6.1: in __io_remove_buffers()).  The events are the ones region.bpf.c sends for 7.x's
 * io_create_region / io_free_region: the ledger cannot tell them apart.
 * include/rl_hooks.h plans these hooks only where io_create_region and
 * io_free_region are absent.
 */
#include "region.bpf.h"
#include "folio.bpf.h"
#include "flavours.h"

/* Who a page array belongs to, from the two pointers io_pages_map() and
 * __io_uaddr_map() are given: &ctx->ring_pages and &ctx->n_ring_pages, the
 * SQE pair, or a buffer list's &bl->buf_pages and &bl->buf_nr_pages (the
 * buffer ring being registered by this task).  The distance between the
 * two differs in each pair, and the offsets come from the running
 * kernel's BTF. */
static __always_inline bool region_owner612(struct region_desc *d, __u64 pages_pp,
					    __u64 npages_p, const struct rl_task_scope *s)
{
	__s64 dist = (__s64)(npages_p - pages_pp);
	__s64 ring = bpf_core_field_offset(struct io_ring_ctx___612, ring_pages);
	__s64 sqe = bpf_core_field_offset(struct io_ring_ctx___612, sqe_pages);

	if (dist == (__s64)bpf_core_field_offset(struct io_ring_ctx___612, n_ring_pages) - ring) {
		d->ctx = pages_pp - ring;
		d->kind = RL_RK_RINGS;
		d->mmap_offset = RL_OFF_SQ_RING;
		return true;
	}
	if (dist == (__s64)bpf_core_field_offset(struct io_ring_ctx___612, n_sqe_pages) - sqe) {
		d->ctx = pages_pp - sqe;
		d->kind = RL_RK_SQES;
		d->mmap_offset = RL_OFF_SQES;
		return true;
	}
	if (s && s->reg_opcode == RL_IORING_REGISTER_PBUF_RING &&
	    dist == (__s64)bpf_core_field_offset(struct io_buffer_list___612, buf_nr_pages) -
		    (__s64)bpf_core_field_offset(struct io_buffer_list___612, buf_pages)) {
		d->ctx = s->reg_ctx;
		d->kind = RL_RK_PBUF;
		d->bgid = s->reg_bgid;
		/* what io_create_region is given for one: bgid << 16 */
		d->mmap_offset = (__u64)s->reg_bgid << RL_OFF_PBUF_SHIFT;
		return true;
	}
	return false;
}

/* io_pages_map() tries one compound allocation first (a single page is
 * one too); only where that fails are the pages separate and vmapped.  A
 * compound region's references are its head's (RL_REGION_F_SINGLE_REF,
 * as 7.x flags it). */
static __always_inline __u32 kernel_pages_flags(struct page **pages, __u32 nr)
{
	struct page *last = NULL;

	if (nr <= 1)
		return RL_REGION_F_SINGLE_REF;
	if (bpf_probe_read_kernel(&last, sizeof(last), &pages[(nr - 1) & 0xffff]))
		return RL_REGION_F_VMAP;
	return page_head((__u64)last) != (__u64)last ? RL_REGION_F_SINGLE_REF : RL_REGION_F_VMAP;
}

/* io_pages_map(&pages, &npages, size) and __io_uaddr_map(&pages, &npages,
 * uaddr, size) returned ret (a kernel address or an ERR_PTR): on success
 * *pages[*npages] is the region. */
static __always_inline int handle_pages_mapped(__u64 pages_pp, __u64 npages_p, __u64 ret,
					       bool user)
{
	struct rl_task_scope *s = scope_get(false);
	struct region_desc d = {};
	__u16 nr = 0;

	if (is_err_or_null(ret))
		return 0;
	if (!region_owner612(&d, pages_pp, npages_p, s))
		return 0;
	if (s && s->reg_ctx ? !ctx_tracked(s->reg_ctx) : !task_followed())
		return 0;
	if (bpf_probe_read_kernel(&d.pages, sizeof(d.pages), (void *)pages_pp) ||
	    bpf_probe_read_kernel(&nr, sizeof(nr), (void *)npages_p)) {
		count(RL_CNT_READ_FAIL);
		return 0;
	}
	d.mr = pages_pp;
	d.nr_pages = nr;
	d.flags = user ? RL_REGION_F_USER_PROVIDED | RL_REGION_F_VMAP :
			 kernel_pages_flags(d.pages, nr);
	region_created(&d);
	return 0;
}

SEC("fexit/io_pages_map")
int fx_io_pages_map(__u64 *ctx)
{
	__u64 pages_pp = 0, npages_p = 0, ret = 0;

	bpf_get_func_arg(ctx, 0, &pages_pp);
	bpf_get_func_arg(ctx, 1, &npages_p);
	bpf_get_func_ret(ctx, &ret);
	return handle_pages_mapped(pages_pp, npages_p, ret, false);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_pages_map, void *pages_pp, void *npages_p)
{
	stash_args(RL_STASH_PAGES_MAP, (__u64)pages_pp, (__u64)npages_p, 0, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_pages_map, void *ret)
{
	struct rl_stash s;

	if (!unstash_args(RL_STASH_PAGES_MAP, &s))
		return 0;
	return handle_pages_mapped(s.arg[0], s.arg[1], (__u64)ret, false);
}

SEC("fexit/__io_uaddr_map")
int fx_io_uaddr_map(__u64 *ctx)
{
	__u64 pages_pp = 0, npages_p = 0, ret = 0;

	bpf_get_func_arg(ctx, 0, &pages_pp);
	bpf_get_func_arg(ctx, 1, &npages_p);
	bpf_get_func_ret(ctx, &ret);
	return handle_pages_mapped(pages_pp, npages_p, ret, true);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_uaddr_map, void *pages_pp, void *npages_p)
{
	stash_args(RL_STASH_UADDR_MAP, (__u64)pages_pp, (__u64)npages_p, 0, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_uaddr_map, void *ret)
{
	struct rl_stash s;

	if (!unstash_args(RL_STASH_UADDR_MAP, &s))
		return 0;
	return handle_pages_mapped(s.arg[0], s.arg[1], (__u64)ret, true);
}

/* io_pages_unmap(ptr, &pages, &npages, put_pages): kernel memory released
 * (put_pages; a user-memory buffer ring's pins are already gone then, see
 * io_put_bl below).  Nothing to do without ptr: the kernel returns too. */
static __always_inline int handle_pages_unmap(void *ctx, __u64 ptr, __u64 pages_pp,
					      __u64 npages_p)
{
	struct page **pages = NULL;
	__u16 nr = 0;

	if (!ptr)
		return 0;
	if (bpf_probe_read_kernel(&pages, sizeof(pages), (void *)pages_pp) || !pages ||
	    bpf_probe_read_kernel(&nr, sizeof(nr), (void *)npages_p))
		return 0;
	region_freed(ctx, pages, pages_pp, nr, kernel_pages_flags(pages, nr));
	return 0;
}

SEC("fentry/io_pages_unmap")
int fe_io_pages_unmap(__u64 *ctx)
{
	__u64 ptr = 0, pages_pp = 0, npages_p = 0;

	bpf_get_func_arg(ctx, 0, &ptr);
	bpf_get_func_arg(ctx, 1, &pages_pp);
	bpf_get_func_arg(ctx, 2, &npages_p);
	return handle_pages_unmap(ctx, ptr, pages_pp, npages_p);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_pages_unmap, void *ptr, void *pages_pp, void *npages_p)
{
	return handle_pages_unmap(ctx, (__u64)ptr, (__u64)pages_pp, (__u64)npages_p);
}

/* io_pages_free(&pages, npages): rings in user memory, unpinned inside
 * (unpin_user_pages): their unpins belong to the region's pin set. */
static __always_inline int handle_pages_free(void *ctx, __u64 pages_pp, __u64 npages)
{
	struct page **pages = NULL;

	if (bpf_probe_read_kernel(&pages, sizeof(pages), (void *)pages_pp) || !pages)
		return 0;
	open_region_pin_scope(ctx, (__u64)pages);
	region_freed(ctx, pages, pages_pp, (__u32)npages,
		     RL_REGION_F_USER_PROVIDED | RL_REGION_F_VMAP);
	return 0;
}

SEC("fentry/io_pages_free")
int fe_io_pages_free(__u64 *ctx)
{
	__u64 pages_pp = 0, npages = 0;

	bpf_get_func_arg(ctx, 0, &pages_pp);
	bpf_get_func_arg(ctx, 1, &npages);
	return handle_pages_free(ctx, pages_pp, (int)npages);
}

SEC("fexit/io_pages_free")
int BPF_PROG(fx_io_pages_free)
{
	pin_scope_close(ctx, RL_OPENER_REGION_FREE, 0);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_io_pages_free, void *pages_pp, int npages)
{
	return handle_pages_free(ctx, (__u64)pages_pp, npages);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_pages_free)
{
	pin_scope_close(ctx, RL_OPENER_REGION_FREE, 0);
	return 0;
}

/* A buffer ring in user memory let go: its pages are unpinned one by one
 * (unpin_user_page) in __io_remove_buffers, and io_pages_unmap (6.12) only
 * vunmaps them.  The unpins belong to the pin set io_pin_pages gave the
 * ring.  6.12: io_put_bl(ctx, bl) dropping the last reference of a
 * BUF_RING without MMAP; 6.1 (no flags, no refs, rings only in user
 * memory): __io_remove_buffers(ctx, bl, nbufs) of a ring. */
static __always_inline int handle_put_bl(void *ctx, __u64 bl_addr)
{
	struct io_buffer_list___612 *bl = (void *)bl_addr;

	if (bpf_core_field_exists(bl->flags) &&
	    (BPF_CORE_READ(bl, flags) & (RL_IOBL612_BUF_RING | RL_IOBL612_MMAP)) !=
	    RL_IOBL612_BUF_RING)
		return 0;
	/* io_put_bl of one that others still hold (an mmap's, a request's) */
	if (bpf_core_field_exists(bl->refs) && BPF_CORE_READ(bl, refs.counter) > 1)
		return 0;
	if (!BPF_CORE_READ(bl, buf_nr_pages))
		return 0;
	open_region_pin_scope(ctx, (__u64)BPF_CORE_READ(bl, buf_pages));
	return 0;
}

SEC("fentry/io_put_bl")
int fe_io_put_bl(__u64 *ctx)
{
	__u64 bl = 0;

	bpf_get_func_arg(ctx, 1, &bl);
	return handle_put_bl(ctx, bl);
}

SEC("fexit/io_put_bl")
int BPF_PROG(fx_io_put_bl)
{
	pin_scope_close(ctx, RL_OPENER_REGION_FREE, 0);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_io_put_bl, void *ring, void *bl)
{
	return handle_put_bl(ctx, (__u64)bl);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_put_bl)
{
	pin_scope_close(ctx, RL_OPENER_REGION_FREE, 0);
	return 0;
}

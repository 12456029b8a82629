// SPDX-License-Identifier: GPL-2.0
/*
 * unpin.bpf.c - unpins (unpin_user_folio, unpin_user_page,
 * unpin_user_pages): one lookup, then only inside a pin scope, where the
 * pins dropped are gathered into UNPIN events.
 */
#include "common.bpf.h"
#include "folio.bpf.h"
#include "pin_scope.bpf.h"

static __always_inline int handle_unpin_folio(__u64 folio, __u64 npages)
{
	struct rl_pin_scope *ps = pin_scope_get();

	if (!ps)
		return 0;
	pin_scope_add(ps, page_to_pfn((struct page *)folio), (__u32)npages);
	return 0;
}

static __always_inline int handle_unpin_page(__u64 page)
{
	struct rl_pin_scope *ps = pin_scope_get();

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
	struct rl_pin_scope *ps = pin_scope_get();
	struct rl_pin_info *pinned, info;

	if (!pages)
		return 0;
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

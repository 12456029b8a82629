// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * books_region.c - the books of regions and their pages: a record per
 * pages[] array, a slot per described page, the pfn map that points each
 * tracked pfn at its (region, page), and the RL002 evidence of each
 * sampling.  Record lifecycle and queries; no findings (see ledger_int.h).
 */
#include <stdlib.h>
#include "ledger_int.h"

uint32_t region_add(struct rl_ledger *l, const struct rl_ev_region *e,
		    const struct origin *o)
{
	uint32_t s = rl_pool_alloc(&l->regions);
	struct region *r;

	if (s == RL_NIL)
		return RL_NIL;
	r = region_at(l, s);
	r->key = e->region;
	r->setup_ctx = e->setup_ctx;
	r->serial = ++l->next_serial;
	r->mr = e->mr;
	r->mmap_offset = e->mmap_offset;
	r->kind = e->kind < RL_RK__MAX ? e->kind : RL_RK_UNKNOWN;
	r->bgid = e->bgid;
	r->nr_pages = e->nr_pages;
	r->flags = e->flags;
	r->created_by = *o;
	r->list_prev = r->list_next = RL_NIL;
	r->nr_described = e->nr_pages < MAX_DESCRIBED_PAGES ? e->nr_pages : MAX_DESCRIBED_PAGES;
	if (r->nr_described) {
		r->pages = calloc(r->nr_described, sizeof(*r->pages));
		if (!r->pages)
			r->nr_described = 0;
	}
	if (rl_map_put(&l->region_by_key, r->key, s)) {
		free(r->pages);
		rl_pool_release(&l->regions, s);
		return RL_NIL;
	}
	r->keyed = true;
	l->st.regions_created++;
	return s;
}

void region_unkey(struct rl_ledger *l, uint32_t slot)
{
	struct region *r = region_at(l, slot);

	rl_map_del(&l->region_by_key, r->key);
	r->keyed = false;
	r->freed = true;
	if (r->pending)
		region_unlink(l, slot);
}

void region_mark_freed(struct rl_ledger *l, uint32_t slot, const struct rl_event *ev)
{
	struct region *r = region_at(l, slot);

	r->freed = true;
	r->freed_by = origin_of(ev);
	copy_stack(&r->nr_free_stack, r->free_stack, ev->nr_stack, ev->stack);
	l->st.regions_freed++;
	if (r->pending)
		region_unlink(l, slot);	/* setup failed: no ctx will own it */
}

void region_release(struct rl_ledger *l, uint32_t slot)
{
	struct region *r = region_at(l, slot);
	uint32_t i;

	for (i = 0; i < r->nr_described; i++)
		page_untrack(l, r, i, PAGE_ORPHANED);
	region_unlink(l, slot);
	if (r->keyed)
		rl_map_del(&l->region_by_key, r->key);
	free(r->pages);
	rl_pool_release(&l->regions, slot);
}

bool page_rename(struct rl_ledger *l, uint32_t slot, uint32_t idx, uint64_t pfn)
{
	struct region *r = region_at(l, slot);

	if (r->pages[idx].state == PAGE_TRACKED) {
		if (r->pages[idx].pfn == pfn)
			return false;
		page_untrack(l, r, idx, PAGE_ORPHANED);
	}
	r->pages[idx].pfn = pfn;
	if (region_user_provided(r) || !pfn || pfn == RL_MAP_EMPTY) {
		r->pages[idx].state = PAGE_UNDESCRIBED;	/* not ours to free */
		return false;
	}
	return true;
}

uint32_t page_steal(struct rl_ledger *l, uint32_t slot, uint32_t idx, uint64_t pfn)
{
	uint64_t packed = (uint64_t)slot << 32 | idx;
	uint64_t old;
	uint32_t oslot;

	if (!rl_map_get(&l->page_by_pfn, pfn, &old) || old == packed)
		return RL_NIL;
	oslot = (uint32_t)(old >> 32);
	page_untrack(l, region_at(l, oslot), (uint32_t)old, PAGE_ORPHANED);
	return oslot;
}

void page_track(struct rl_ledger *l, uint32_t slot, uint32_t idx, uint64_t pfn)
{
	struct region *r;

	if (rl_map_put(&l->page_by_pfn, pfn, (uint64_t)slot << 32 | idx))
		return;
	r = region_at(l, slot);
	r->pages[idx].state = PAGE_TRACKED;
	r->live_pages++;
	l->st.pages_tracked++;
}

void region_note_sampling(struct region *r, bool at_free, const struct shortfall *chunk)
{
	struct shortfall *s = at_free ? &r->at_free : &r->at_create;

	s->pages_seen += chunk->pages_seen;
	if (!chunk->nr_short)
		return;
	if (!s->nr_short) {
		/* the first page short of references is the one reported */
		s->first_index = chunk->first_index;
		s->first_pfn = chunk->first_pfn;
		s->first_claims = chunk->first_claims;
		s->seen = chunk->seen;
		s->expected = chunk->expected;
		s->vma = chunk->vma;
		s->vma_start = chunk->vma_start;
		s->vma_end = chunk->vma_end;
		s->vma_pgoff = chunk->vma_pgoff;
	}
	s->nr_short += chunk->nr_short;
}

bool region_sampling_complete(const struct region *r, bool at_free)
{
	const struct shortfall *s = at_free ? &r->at_free : &r->at_create;

	return s->pages_seen >= r->nr_described;
}

size_t regions_pages_awaiting_free(const struct rl_ledger *l)
{
	size_t n = 0;
	uint32_t i, p;

	for (i = 0; i < l->regions.nr; i++) {
		const struct region *r;

		if (!rl_pool_live(&l->regions, i))
			continue;
		r = region_at(l, i);
		if (!r->freed || region_user_provided(r))
			continue;
		for (p = 0; p < r->nr_described; p++)
			if (r->pages[p].state == PAGE_TRACKED && !r->pages[p].claims)
				n++;
	}
	return n;
}

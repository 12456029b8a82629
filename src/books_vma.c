// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * books_vma.c - the books of user mappings: a record per tracked vma with
 * its claim set (the pages of one region it holds a reference on), and
 * what io_uring_get_unmapped_area returned to each thread until its mmap.
 * Record lifecycle and queries; no findings (see ledger_int.h).
 */
#include <errno.h>
#include <stdlib.h>
#include "ledger_int.h"

static int vma_set_claims(struct vma *v, uint32_t nr)
{
	size_t words = (nr + 63) / 64;

	v->nr_mapped = 0;
	v->bits_inline = 0;
	free(v->bits_heap);
	v->bits_heap = NULL;
	if (nr > 64) {
		v->bits_heap = calloc(words, sizeof(uint64_t));
		if (!v->bits_heap)
			return -ENOMEM;
	}
	v->nr_mapped = nr;
	return 0;
}

void vma_claim(struct rl_ledger *l, struct vma *v, uint32_t slot, uint32_t nr)
{
	struct region *r = region_at(l, slot);
	uint64_t *bits;
	uint32_t i;

	if (nr > r->nr_described)
		nr = r->nr_described;
	v->region_slot = slot;
	v->region_serial = r->serial;
	if (vma_set_claims(v, nr))
		return;
	bits = vma_bits(v);
	for (i = 0; i < nr; i++) {
		bits[i / 64] |= 1ULL << (i % 64);
		r->pages[i].claims++;
	}
	r->total_claims += nr;
}

/* Drop the vma's claims on pages mapped at user addresses [lo, hi), or on
 * all of them. */
static void vma_unclaim(struct rl_ledger *l, struct vma *v, bool all, uint64_t lo,
			uint64_t hi)
{
	struct region *r = region_by_ref(l, v->region_slot, v->region_serial);
	uint64_t *bits = vma_bits(v);
	uint32_t i;

	for (i = 0; i < v->nr_mapped; i++) {
		uint64_t addr = v->base + ((uint64_t)i << RL_PAGE_SHIFT);

		if (!((bits[i / 64] >> (i % 64)) & 1))
			continue;
		if (!all && (addr < lo || addr >= hi))
			continue;
		bits[i / 64] &= ~(1ULL << (i % 64));
		if (r && i < r->nr_described && r->pages[i].claims) {
			r->pages[i].claims--;
			r->total_claims--;
		}
	}
}

void vma_unclaim_range(struct rl_ledger *l, struct vma *v, uint64_t lo, uint64_t hi)
{
	vma_unclaim(l, v, false, lo, hi);
}

uint32_t vma_add(struct rl_ledger *l, uint64_t key)
{
	uint32_t i = rl_pool_alloc(&l->vmas);
	struct vma *v;

	if (i == RL_NIL)
		return RL_NIL;
	if (rl_map_put(&l->vma_by_key, key, i)) {
		rl_pool_release(&l->vmas, i);
		return RL_NIL;
	}
	v = vma_at(l, i);
	v->key = key;
	v->named_slot = RL_NIL;
	v->named2_slot = RL_NIL;
	v->region_slot = RL_NIL;
	return i;
}

uint32_t vma_forget(struct rl_ledger *l, uint64_t key)
{
	uint32_t i = lookup(&l->vma_by_key, key), slot;
	struct vma *v;

	if (i == RL_NIL)
		return RL_NIL;
	v = vma_at(l, i);
	slot = v->region_slot;
	vma_unclaim(l, v, true, 0, 0);
	vma_set_claims(v, 0);
	v->region_slot = RL_NIL;
	rl_map_del(&l->vma_by_key, key);
	rl_pool_release(&l->vmas, i);
	return slot;
}

/* Set what the vma's offset names from its pgoff (page units). */
void vma_set_geometry(struct vma *v, const struct rl_ev_mmap *m)
{
	v->ctx = m->ctx;
	v->start = m->start;
	v->end = m->end;
	v->pgoff = m->pgoff;
	v->offset_bgid = 0;
	v->offset_kind = rl_mmap_offset_kind(m->pgoff << RL_PAGE_SHIFT, &v->offset_bgid);
}

void vma_resolve_offset(struct rl_ledger *l, struct vma *v)
{
	uint32_t c = lookup(&l->ctx_by_key, v->ctx);
	bool has_unknown = false;
	uint32_t s, s2;

	v->named_slot = RL_NIL;
	v->named2_slot = RL_NIL;
	v->named_missing = false;
	if (c == RL_NIL || v->offset_kind == RL_RK_UNKNOWN)
		return;
	s = ctx_find_region(l, ctx_at(l, c), v->offset_kind, v->offset_bgid, &has_unknown, &s2);
	if (s != RL_NIL) {
		v->named_slot = s;
		v->named_serial = region_at(l, s)->serial;
		if (s2 != RL_NIL) {
			v->named2_slot = s2;
			v->named2_serial = region_at(l, s2)->serial;
		}
	} else {
		/* judged only when every region of the ctx is known */
		v->named_missing = ctx_at(l, c)->observed && !has_unknown;
	}
}

void vma_copy(struct rl_ledger *l, uint32_t src, uint32_t dst, const struct rl_ev_vma *e)
{
	struct vma *o = vma_at(l, src), *n = vma_at(l, dst);
	struct region *r;
	uint32_t i;

	n->ctx = o->ctx;
	n->start = e->start;
	n->end = e->end;
	n->pgoff = e->pgoff;
	n->dup_of = o->key;
	o->last_dup = n->key;
	n->mapped_by = o->mapped_by;
	n->offset_kind = o->offset_kind;
	n->offset_bgid = o->offset_bgid;
	n->mmap_seen = o->mmap_seen;
	n->rl006_reported = o->rl006_reported;
	n->named_slot = o->named_slot;
	n->named_serial = o->named_serial;
	n->named2_slot = o->named2_slot;
	n->named2_serial = o->named2_serial;
	n->base = o->base;
	r = region_by_ref(l, o->region_slot, o->region_serial);
	if (!r || vma_set_claims(n, o->nr_mapped))
		return;
	/* the copy holds its own reference on every page the original maps */
	n->region_slot = o->region_slot;
	n->region_serial = o->region_serial;
	for (i = 0; i < n->nr_mapped && i < r->nr_described; i++) {
		if (!vma_claims_page(o, i))
			continue;
		vma_bits(n)[i / 64] |= 1ULL << (i % 64);
		r->pages[i].claims++;
		r->total_claims++;
	}
}

void vma_split(struct rl_ledger *l, struct vma *o, struct vma *n, const struct rl_ev_vma *e)
{
	uint64_t cut_lo, cut_hi;

	/* the piece cut away: above the new end, or below the new start */
	if (e->start >= e->end || e->start < o->start || e->end > o->end ||
	    (e->start != o->start && e->end != o->end))
		return;		/* not a cut of the range we know */
	if (e->start == o->start) {
		cut_lo = e->end;
		cut_hi = o->end;
	} else {
		cut_lo = o->start;
		cut_hi = e->start;
	}
	if (n) {
		n->pgoff = o->pgoff + ((cut_lo - o->start) >> RL_PAGE_SHIFT);
		n->start = cut_lo;
		n->end = cut_hi;
		vma_unclaim(l, n, false, e->start, e->end);
	}
	vma_unclaim(l, o, false, cut_lo, cut_hi);
	l->st.vmas_split++;
	o->start = e->start;
	o->end = e->end;
	o->pgoff = e->pgoff;
}

const struct vma *vma_mapping_page(const struct rl_ledger *l, const struct region *r,
				   uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < l->vmas.nr; i++) {
		const struct vma *v;

		if (!rl_pool_live(&l->vmas, i))
			continue;
		v = vma_at(l, i);
		if (region_by_ref(l, v->region_slot, v->region_serial) == r &&
		    vma_claims_page(v, idx))
			return v;
	}
	return NULL;
}

/* ---- unmapped areas ---------------------------------------------------- */

void area_forget(struct rl_ledger *l, uint32_t tid)
{
	uint32_t a = lookup(&l->area_by_tid, tid);

	if (a == RL_NIL)
		return;
	rl_map_del(&l->area_by_tid, tid);
	rl_pool_release(&l->areas, a);
}

void area_put(struct rl_ledger *l, uint32_t tid, const struct area *a)
{
	uint32_t i = rl_pool_alloc(&l->areas);

	if (i == RL_NIL)
		return;
	*(struct area *)rl_pool_at(&l->areas, i) = *a;
	if (rl_map_put(&l->area_by_tid, tid, i))
		rl_pool_release(&l->areas, i);
}

const struct area *area_of(const struct rl_ledger *l, uint32_t tid)
{
	uint32_t a = lookup(&l->area_by_tid, tid);

	return a == RL_NIL ? NULL : rl_pool_at(&l->areas, a);
}

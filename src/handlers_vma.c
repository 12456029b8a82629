// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * handlers_vma.c - the handlers of user mappings: the address
 * get_unmapped_area returned (MMAP_AREA, and ARENA_AREA for a BPF arena),
 * the mmap and its pages (MMAP, INSERT_PAGES), and the life of the vma
 * (VMA_DUP, VMA_SPLIT, VMA_ZAP, VMA_REMOVE, VMA_FREE).
 */
#include "handlers.h"

/* Forget the vma; the region it mapped may retire. */
static void forget_vma(struct rl_ledger *l, uint64_t key)
{
	retire_region_if_done(l, vma_forget(l, key));
}

void on_mmap_area(struct rl_ledger *l, const struct rl_event *ev)
{
	const struct rl_ev_mmap *m = &ev->mmap;
	uint32_t tid = ev->h.tid;
	struct rl008_case c = { .what = RL008_RING_AREA, .ev = ev };
	struct area a;

	area_forget(l, tid);
	if (is_err_value(m->ret))
		return;
	a.ctx = m->ctx;
	a.pgoff = m->pgoff;
	a.addr = (uint64_t)m->ret;
	a.len = m->end - m->start;
	a.window_end = user_window_end(m->window_end);
	c.area = &a;
	rule_rl008_unmapped_area_breaks_window(l, &c);
	area_put(l, tid, &a);
}

void on_arena_area(struct rl_ledger *l, const struct rl_event *ev)
{
	struct rl008_case c = { .what = RL008_ARENA, .ev = ev };

	rule_rl008_unmapped_area_breaks_window(l, &c);
}

/* The vma record for this MMAP / INSERT_PAGES.  io_uring_mmap inserts
 * once per vma, so a record that already had this step is a stale one
 * whose VMA_REMOVE we missed (the kernel reused the vma): start afresh. */
static uint32_t vma_for_mapping(struct rl_ledger *l, const struct rl_event *ev)
{
	uint32_t i = lookup(&l->vma_by_key, ev->mmap.vma);
	struct vma *v;

	if (i != RL_NIL) {
		v = vma_at(l, i);
		if (ev->h.type == RL_EV_INSERT_PAGES ? v->region_slot != RL_NIL
						     : v->mmap_seen) {
			forget_vma(l, ev->mmap.vma);
			i = RL_NIL;
		}
	}
	if (i == RL_NIL) {
		i = vma_add(l, ev->mmap.vma);
		if (i == RL_NIL)
			return RL_NIL;
		vma_at(l, i)->mapped_by = origin_of(ev);
	}
	v = vma_at(l, i);
	vma_set_geometry(v, &ev->mmap);
	return i;
}

/* RL006 is judged at MMAP and at INSERT_PAGES, reported once per vma. */
static void judge_mapping(struct rl_ledger *l, struct vma *v, const struct rl_event *ev)
{
	if (rule_rl006_mapping_mismatch(l, v, ev))
		v->rl006_reported = true;
}

void on_mmap(struct rl_ledger *l, const struct rl_event *ev)
{
	const struct rl_ev_mmap *m = &ev->mmap;
	uint32_t tid = ev->h.tid, i;
	const struct area *a;
	struct vma *v;

	if (!m->vma || m->vma == RL_MAP_EMPTY)
		return;
	if (m->ret != 0) {
		/* the mmap failed: its vma never reached user space */
		forget_vma(l, m->vma);
		area_forget(l, tid);
		return;
	}
	l->st.mmaps++;
	i = vma_for_mapping(l, ev);
	if (i == RL_NIL)
		return;
	v = vma_at(l, i);
	v->mmap_seen = true;
	a = area_of(l, tid);
	if (a) {
		struct rl008_case c = { .what = RL008_RING_MAPPING, .ev = ev,
					.area = a, .vma = v };

		if (a->ctx == m->ctx && a->pgoff == m->pgoff)
			rule_rl008_unmapped_area_breaks_window(l, &c);
		area_forget(l, tid);
	}
	vma_resolve_offset(l, v);
	judge_mapping(l, v, ev);
}

void on_insert_pages(struct rl_ledger *l, const struct rl_event *ev)
{
	const struct rl_ev_mmap *m = &ev->mmap;
	uint32_t inserted, i, s;
	struct region *r;
	struct vma *v;

	if (region_lookup(l, m->region) == RL_NIL || !m->vma || m->vma == RL_MAP_EMPTY ||
	    m->ret != 0)
		return;
	inserted = m->nr_pages > m->nr_left ? m->nr_pages - m->nr_left : 0;
	i = vma_for_mapping(l, ev);
	if (i == RL_NIL)
		return;
	/* only now: forgetting a stale record of this vma may have retired
	 * the region (a freed region whose last mapping it was) */
	s = region_lookup(l, m->region);
	if (s == RL_NIL)
		return;
	r = region_at(l, s);
	/* a region made by a register call may name its ctx only now */
	if (r->pending && m->ctx) {
		uint32_t c = lookup(&l->ctx_by_key, m->ctx);

		if (c != RL_NIL)
			region_join_ctx(l, s, c);
	}
	v = vma_at(l, i);
	v->base = m->start;
	vma_claim(l, v, s, inserted);
	judge_mapping(l, v, ev);
}

void on_vma_dup(struct rl_ledger *l, const struct rl_event *ev)
{
	const struct rl_ev_vma *e = &ev->vma;
	uint32_t src = lookup(&l->vma_by_key, e->vma), dst;

	if (src == RL_NIL || !e->new_vma || e->new_vma == e->vma)
		return;
	forget_vma(l, e->new_vma);
	dst = vma_add(l, e->new_vma);
	if (dst == RL_NIL)
		return;
	vma_copy(l, src, dst, e);
}

/* The vma was cut: it now covers [start, end), and the copy this thread
 * made of it just before (VMA_DUP) covers the rest.  That copy took a
 * claim on every page, as a fork's would; but a split takes no page
 * references, so each piece keeps the claims of its own range.  A failed
 * split freed the copy without remove_vma. */
void on_vma_split(struct rl_ledger *l, const struct rl_event *ev)
{
	const struct rl_ev_vma *e = &ev->vma;
	uint32_t i = lookup(&l->vma_by_key, e->vma), ni;
	struct vma *o, *n = NULL;

	if (i == RL_NIL)
		return;
	o = vma_at(l, i);
	ni = o->last_dup ? lookup(&l->vma_by_key, o->last_dup) : RL_NIL;
	o->last_dup = 0;
	if (ni != RL_NIL && vma_at(l, ni)->dup_of == o->key)
		n = vma_at(l, ni);
	if (e->ret != 0) {
		if (n)
			forget_vma(l, n->key);
		return;
	}
	vma_split(l, o, n, e);
}

void on_vma_zap(struct rl_ledger *l, const struct rl_event *ev)
{
	uint32_t i = lookup(&l->vma_by_key, ev->vma.vma);
	struct vma *v;

	if (i == RL_NIL)
		return;
	v = vma_at(l, i);
	vma_unclaim_range(l, v, ev->vma.start, ev->vma.end);
	retire_region_if_done(l, v->region_slot);
}

void on_vma_remove(struct rl_ledger *l, const struct rl_event *ev)
{
	if (lookup(&l->vma_by_key, ev->vma.vma) == RL_NIL)
		return;
	l->st.vmas_removed++;
	forget_vma(l, ev->vma.vma);
}

/* A copy freed before it mapped anything (a fork that failed after
 * vm_area_dup): the references its VMA_DUP booked were never taken. */
void on_vma_free(struct rl_ledger *l, const struct rl_event *ev)
{
	if (lookup(&l->vma_by_key, ev->vma.vma) == RL_NIL)
		return;
	forget_vma(l, ev->vma.vma);
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * books_pin.c - the books of GUP pins and buffer rings: a record per
 * io_pin_pages call with the pins it took and still holds on each folio,
 * the keys of retired pin sets, and a record per provided-buffer ring that
 * is registered or pinned by a kernel user (seed 001).
 * Record lifecycle and queries; no findings (see ledger_int.h).
 */
#include <stdlib.h>
#include "ledger_int.h"

uint32_t pinset_for_pin(struct rl_ledger *l, const struct rl_event *ev)
{
	const struct rl_ev_pin *e = &ev->pin;
	uint32_t i = lookup(&l->pinset_by_key, e->key);
	struct pinset *p;

	if (i != RL_NIL)
		return i;
	i = rl_pool_alloc(&l->pinsets);
	if (i == RL_NIL)
		return RL_NIL;
	if (rl_map_put(&l->pinset_by_key, e->key, i)) {
		rl_pool_release(&l->pinsets, i);
		return RL_NIL;
	}
	p = pinset_at(l, i);
	p->key = e->key;
	p->ctx = e->ctx;
	p->pages = e->pages;
	p->uaddr = e->uaddr;
	p->owner = e->owner < RL_PO__MAX ? e->owner : RL_PO_UNKNOWN;
	p->owner_id = e->owner_id;
	p->nr_pages = e->nr_pages;
	p->pinned_by = origin_of(ev);
	rl_map_init(&p->folio_by_pfn);
	l->st.pin_sets++;
	return i;
}

void pinset_note_first_folio(struct pinset *p, const struct rl_ev_pin *e, uint32_t j)
{
	if (p->pages_described || p->nr_folios)
		return;
	p->first_file = e->file[j];
	p->first_backing = e->backing[j] < RL_BK__MAX ? e->backing[j] : RL_BK_UNKNOWN;
}

/* A run split by a chunk boundary continues the last folio.  Returns the
 * folio's index. */
uint32_t pinset_add_folio(struct pinset *p, uint64_t pfn, uint32_t n)
{
	struct pin_folio *f;

	if (p->nr_folios && p->folios[p->nr_folios - 1].pfn == pfn) {
		f = &p->folios[p->nr_folios - 1];
	} else {
		if (p->nr_folios == p->cap_folios) {
			uint32_t cap = p->cap_folios ? p->cap_folios * 2 : 16;
			struct pin_folio *nf = realloc(p->folios, cap * sizeof(*nf));

			if (!nf)
				return RL_NIL;
			p->folios = nf;
			p->cap_folios = cap;
		}
		f = &p->folios[p->nr_folios++];
		f->pfn = pfn;
		f->taken = f->held = 0;
		p->indexed = false;	/* the index no longer covers every folio */
	}
	f->taken += n;
	f->held += n;
	p->held += n;
	return (uint32_t)(f - p->folios);
}

/* The folio of p at pfn: where the unpins in pin order are, else in the
 * pfn index (built once, the first time they are not). */
static uint32_t pinset_find_folio(struct pinset *p, uint64_t pfn)
{
	uint64_t idx;
	uint32_t i;

	if (p->cursor < p->nr_folios && p->folios[p->cursor].pfn == pfn)
		return p->cursor;
	if (!p->indexed) {
		rl_map_free(&p->folio_by_pfn);
		rl_map_init(&p->folio_by_pfn);
		/* the first folio of a pfn wins, like the in-order search */
		for (i = p->nr_folios; i-- > 0;)
			rl_map_put(&p->folio_by_pfn, p->folios[i].pfn, i);
		p->indexed = true;
	}
	return rl_map_get(&p->folio_by_pfn, pfn, &idx) ? (uint32_t)idx : RL_NIL;
}

bool pinset_has_folio(const struct pinset *p, uint64_t pfn)
{
	uint32_t i;

	for (i = 0; i < p->nr_folios; i++) {
		if (p->folios[i].pfn == pfn)
			return true;
	}
	return false;
}

/* Take up to n pins from folio i; returns how many it had. */
static uint32_t pin_folio_take(struct pinset *p, uint32_t i, uint32_t n)
{
	struct pin_folio *f = &p->folios[i];
	uint32_t have = f->held < n ? f->held : n;

	f->held -= have;
	p->held -= have;
	return have;
}

/* A pfn pinned twice in one set (two runs apart) is looked for again when
 * its first folio runs dry. */
uint32_t pinset_drop(struct pinset *p, uint64_t pfn, uint32_t n)
{
	uint32_t i = pinset_find_folio(p, pfn);

	if (i == RL_NIL)
		return n;
	n -= pin_folio_take(p, i, n);
	for (i = 0; n && i < p->nr_folios; i++) {
		if (p->folios[i].pfn == pfn)
			n -= pin_folio_take(p, i, n);
	}
	while (p->cursor < p->nr_folios && !p->folios[p->cursor].held)
		p->cursor++;
	return n;
}

uint32_t pinset_held_folios(const struct pinset *p, uint64_t *first_pfn)
{
	uint32_t i, n = 0;

	*first_pfn = 0;
	for (i = 0; i < p->nr_folios; i++) {
		if (!p->folios[i].held)
			continue;
		if (!n++)
			*first_pfn = p->folios[i].pfn;
	}
	return n;
}

void pinset_scope_end(struct pinset *p, const struct rl_event *ev)
{
	const struct rl_ev_unpin *e = &ev->unpin;

	if (e->flags & RL_UNPIN_F_SHARED) {
		p->shared = true;
		return;
	}
	if (!(e->flags & RL_UNPIN_F_RELEASED))
		return;
	p->released = true;
	p->shared = false;
	if (e->ctx)
		p->ctx = e->ctx;	/* the ring that released it answers now */
	p->released_by = origin_of(ev);
	copy_stack(&p->nr_release_stack, p->release_stack, ev->nr_stack, ev->stack);
}

void pinset_maybe_retire(struct rl_ledger *l, uint32_t i)
{
	struct pinset *p = pinset_at(l, i);

	if (!p->released || p->held)
		return;
	rl_map_put(&l->retired_pins, p->key, 1);
	pinset_forget(l, i);
}

void pinset_forget(struct rl_ledger *l, uint32_t i)
{
	struct pinset *p = pinset_at(l, i);

	rl_map_del(&l->pinset_by_key, p->key);
	rl_map_free(&p->folio_by_pfn);
	free(p->folios);
	rl_pool_release(&l->pinsets, i);
}

bool pinset_retired(const struct rl_ledger *l, uint64_t key)
{
	return rl_map_get(&l->retired_pins, key, NULL);
}

void pinsets_join_ctx(struct rl_ledger *l, uint64_t ctx, uint32_t tid)
{
	uint32_t i;

	for (i = 0; i < l->pinsets.nr; i++) {
		struct pinset *p;

		if (!rl_pool_live(&l->pinsets, i))
			continue;
		p = pinset_at(l, i);
		if (!p->ctx && p->pinned_by.tid == tid)
			p->ctx = ctx;
	}
}

/* ---- buffer rings ------------------------------------------------------ */

uint32_t bufring_find(struct rl_ledger *l, uint64_t ctx, uint32_t bgid, bool create)
{
	uint32_t i;
	struct bufring *b;

	for (i = 0; i < l->bufrings.nr; i++) {
		if (!rl_pool_live(&l->bufrings, i))
			continue;
		b = bufring_at(l, i);
		if (b->ctx == ctx && b->bgid == bgid)
			return i;
	}
	if (!create)
		return RL_NIL;
	i = rl_pool_alloc(&l->bufrings);
	if (i == RL_NIL)
		return RL_NIL;
	b = bufring_at(l, i);
	b->ctx = ctx;
	b->bgid = bgid;
	return i;
}

void bufrings_forget_ctx(struct rl_ledger *l, uint64_t ctx)
{
	uint32_t i;

	for (i = 0; i < l->bufrings.nr; i++) {
		if (rl_pool_live(&l->bufrings, i) && bufring_at(l, i)->ctx == ctx)
			rl_pool_release(&l->bufrings, i);
	}
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * books_ctx.c - the books of ring contexts, and the region lists they own
 * (a ctx's regions, and the pending ones whose ctx is not born yet).
 * Record lifecycle and queries; no findings (see ledger_int.h).
 */
#include "ledger_int.h"

/* ---- region lists ------------------------------------------------------ */

static uint32_t *list_head_of(struct rl_ledger *l, const struct region *r)
{
	uint32_t c;

	if (r->pending)
		return &l->pending_head;
	if (!r->in_ctx_list)
		return NULL;
	c = lookup(&l->ctx_by_key, r->ctx);
	return c == RL_NIL ? NULL : &ctx_at(l, c)->first_region;
}

static void list_push(struct rl_ledger *l, uint32_t *head, uint32_t slot)
{
	struct region *r = region_at(l, slot);

	r->list_prev = RL_NIL;
	r->list_next = *head;
	if (*head != RL_NIL)
		region_at(l, *head)->list_prev = slot;
	*head = slot;
}

void region_unlink(struct rl_ledger *l, uint32_t slot)
{
	struct region *r = region_at(l, slot);
	uint32_t *head = list_head_of(l, r);

	if (!head)
		return;
	if (r->list_prev != RL_NIL)
		region_at(l, r->list_prev)->list_next = r->list_next;
	else
		*head = r->list_next;
	if (r->list_next != RL_NIL)
		region_at(l, r->list_next)->list_prev = r->list_prev;
	r->list_prev = r->list_next = RL_NIL;
	r->pending = false;
	r->in_ctx_list = false;
}

void region_join_ctx(struct rl_ledger *l, uint32_t slot, uint32_t cslot)
{
	struct ring_ctx *c = ctx_at(l, cslot);
	struct region *r;

	region_unlink(l, slot);
	list_push(l, &c->first_region, slot);
	r = region_at(l, slot);
	r->ctx = c->key;
	r->in_ctx_list = true;
}

void region_join_pending(struct rl_ledger *l, uint32_t slot)
{
	list_push(l, &l->pending_head, slot);
	region_at(l, slot)->pending = true;
}

void region_leave_ctx(struct rl_ledger *l, uint32_t slot)
{
	struct region *r = region_at(l, slot);

	r->in_ctx_list = false;
	r->list_prev = r->list_next = RL_NIL;
}

/* ---- ring contexts ----------------------------------------------------- */

/* A ctx record, known so far only from a region that names it. */
uint32_t ctx_add(struct rl_ledger *l, uint64_t key, const struct origin *o)
{
	uint32_t i = rl_pool_alloc(&l->ctxs);
	struct ring_ctx *c;

	if (i == RL_NIL)
		return RL_NIL;
	if (rl_map_put(&l->ctx_by_key, key, i)) {
		rl_pool_release(&l->ctxs, i);
		return RL_NIL;
	}
	c = ctx_at(l, i);
	c->key = key;
	c->born = *o;
	c->first_region = RL_NIL;
	return i;
}

/* Its CTX_CREATE was seen: from now on all its ring regions are known. */
void ctx_observe(struct rl_ledger *l, uint32_t cslot, const struct origin *o)
{
	struct ring_ctx *c = ctx_at(l, cslot);

	c->observed = true;
	c->born = *o;
	l->live_observed_ctxs++;
	l->st.ctx_created++;
}

void ctx_release(struct rl_ledger *l, uint32_t cslot)
{
	struct ring_ctx *c = ctx_at(l, cslot);

	if (c->observed)
		l->live_observed_ctxs--;
	rl_map_del(&l->ctx_by_key, c->key);
	rl_pool_release(&l->ctxs, cslot);
}

uint32_t ctx_find_region(const struct rl_ledger *l, const struct ring_ctx *c,
			 uint32_t kind, uint32_t bgid, bool *has_unknown, uint32_t *second)
{
	uint32_t s, found = RL_NIL;

	*has_unknown = false;
	*second = RL_NIL;
	for (s = c->first_region; s != RL_NIL; s = region_at(l, s)->list_next) {
		const struct region *r = region_at(l, s);

		if (r->freed)
			continue;
		if (r->kind == RL_RK_UNKNOWN)
			*has_unknown = true;
		if (r->kind != kind || (kind == RL_RK_PBUF && r->bgid != bgid))
			continue;
		if (found == RL_NIL) {
			found = s;
		} else {
			*second = s;
			break;
		}
	}
	return found;
}

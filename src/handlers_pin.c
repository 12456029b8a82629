// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * handlers_pin.c - the handlers of GUP pins (PIN, UNPIN, and what a ring's
 * death or the end of observation means for them) and of provided-buffer
 * rings (PBUF_REG, PBUF_UNREG, BUFRING_PIN, BUFRING_UNPIN).
 */
#include "handlers.h"

/* ---- pins ------------------------------------------------------------- */

void on_pin(struct rl_ledger *l, const struct rl_event *ev)
{
	const struct rl_ev_pin *e = &ev->pin;
	uint32_t n = e->count < RL_PINS_PER_EVENT ? e->count : RL_PINS_PER_EVENT;
	uint32_t s, j, page;
	struct pinset *p;

	if (!e->key || e->key == RL_MAP_EMPTY)
		return;
	s = pinset_for_pin(l, ev);
	if (s == RL_NIL)
		return;
	p = pinset_at(l, s);
	if (e->first == 0 && ev->nr_stack)
		copy_stack(&p->nr_pin_stack, p->pin_stack, ev->nr_stack, ev->stack);
	page = e->first;
	for (j = 0; j < n; j++) {
		pinset_note_first_folio(p, e, j);
		if (rule_rl007_pinned_folio_breaks_file_rule(l, p, ev, j, page))
			p->rl007_reported = true;
		if (pinset_add_folio(p, e->pfn[j], e->npins[j]) == RL_NIL)
			break;
		p->pages_described += e->npins[j];
		page += e->npins[j];
		l->st.pins_taken += e->npins[j];
	}
}

void on_unpin(struct rl_ledger *l, const struct rl_event *ev)
{
	const struct rl_ev_unpin *e = &ev->unpin;
	uint32_t n = e->count < RL_UNPINS_PER_EVENT ? e->count : RL_UNPINS_PER_EVENT;
	uint32_t s = lookup(&l->pinset_by_key, e->key), j;
	struct rl009_case c = { .ev = ev };
	struct pinset *p;

	for (j = 0; j < n; j++)
		l->st.pins_dropped += e->npins[j];
	if (s == RL_NIL) {
		/* a pin set we saw released with no pin left: nothing to drop */
		if (n && pinset_retired(l, e->key)) {
			c.what = RL009_UNPIN_RETIRED;
			c.pfn = e->pfn[0];
			c.extra = e->npins[0];
			rule_rl009_dropped_never_taken(l, &c);
		}
		return;
	}
	p = pinset_at(l, s);
	c.what = RL009_UNPIN;
	c.p = p;
	for (j = 0; j < n; j++) {
		c.pfn = e->pfn[j];
		c.extra = pinset_drop(p, e->pfn[j], e->npins[j]);
		if (c.extra && rule_rl009_dropped_never_taken(l, &c))
			p->rl009_reported = true;
	}
	if (e->flags & RL_UNPIN_F_END)
		pinset_scope_end(p, ev);
	pinset_maybe_retire(l, s);
}

/* The ring died, after its asynchronous teardown: every pin set it
 * answers for must have dropped its pins, except one it shares with a
 * clone that still holds it. */
void pins_at_ctx_death(struct rl_ledger *l, const struct rl_event *ev)
{
	uint32_t i;

	for (i = 0; i < l->pinsets.nr; i++) {
		struct pinset *p;

		if (!rl_pool_live(&l->pinsets, i))
			continue;
		p = pinset_at(l, i);
		if (p->ctx != ev->ctx.ctx || p->shared)
			continue;
		if (rule_rl004_pins_outlive_owner(l, p, ev, RL004_CTX_DIED))
			p->rl004_reported = true;
		if (!p->held)
			pinset_forget(l, i);
	}
}

/* Every ring died: a buffer shared between rings that none released, or
 * a set released by a ring whose death we did not see, still pinned. */
void pins_at_end(struct rl_ledger *l)
{
	uint32_t i;

	if (l->live_observed_ctxs)
		return;
	for (i = 0; i < l->pinsets.nr; i++) {
		struct pinset *p;
		bool reported = false;

		if (!rl_pool_live(&l->pinsets, i))
			continue;
		p = pinset_at(l, i);
		if (p->shared)
			reported = rule_rl004_pins_outlive_owner(l, p, NULL, RL004_SHARERS_DIED);
		else if (p->released)
			reported = rule_rl004_pins_outlive_owner(l, p, NULL, RL004_RELEASED);
		if (reported)
			p->rl004_reported = true;
	}
}

/* ---- buffer rings ------------------------------------------------------- */

/* The buffer ring a successful register or pin names, made if new; NULL
 * for a failed call or a full book. */
static struct bufring *bufring_of_success(struct rl_ledger *l, const struct rl_event *ev)
{
	uint32_t i;

	if (ev->pbuf.ret != 0)
		return NULL;
	i = bufring_find(l, ev->pbuf.ctx, ev->pbuf.bgid, true);
	return i == RL_NIL ? NULL : bufring_at(l, i);
}

void on_pbuf_reg(struct rl_ledger *l, const struct rl_event *ev)
{
	struct bufring *b = bufring_of_success(l, ev);

	if (!b)
		return;
	b->registered = true;
	b->pinned = false;
	b->ring_addr = ev->pbuf.ring_addr;
}

void on_pbuf_unreg(struct rl_ledger *l, const struct rl_event *ev)
{
	uint32_t i = bufring_find(l, ev->pbuf.ctx, ev->pbuf.bgid, false);

	if (i == RL_NIL || ev->pbuf.ret != 0)
		return;
	rule_rl005_unregistered_while_pinned(l, ev, bufring_at(l, i));
	rl_pool_release(&l->bufrings, i);
}

void on_bufring_pin(struct rl_ledger *l, const struct rl_event *ev)
{
	struct bufring *b = bufring_of_success(l, ev);

	if (!b)
		return;
	b->pinned = true;
	b->pinned_by = origin_of(ev);
	copy_stack(&b->nr_pin_stack, b->pin_stack, ev->nr_stack, ev->stack);
}

void on_bufring_unpin(struct rl_ledger *l, const struct rl_event *ev)
{
	uint32_t i = bufring_find(l, ev->pbuf.ctx, ev->pbuf.bgid, false);

	if (i != RL_NIL && ev->pbuf.ret == 0)
		bufring_at(l, i)->pinned = false;
}

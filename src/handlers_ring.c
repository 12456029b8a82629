// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * handlers_ring.c - the handlers of ring contexts, regions and their pages
 * (CTX_*, REGION_*, PAGE_FREE), of lost events, and of the end of
 * observation; and the retirement of regions and contexts.
 */
#include "handlers.h"

/* ---- retirement ----------------------------------------------------- */

/* The sampling's RL002 finding, if it has one not yet reported. */
static void report_sampling(struct rl_ledger *l, struct region *r, bool at_free)
{
	struct rl002_case c = { .what = RL002_SAMPLING, .r = r, .at_free = at_free };

	if (rule_rl002_missing_reference(l, &c))
		(at_free ? &r->at_free : &r->at_create)->flushed = true;
}

static void report_samplings(struct rl_ledger *l, struct region *r)
{
	report_sampling(l, r, false);
	report_sampling(l, r, true);
}

void retire_region_if_done(struct rl_ledger *l, uint32_t slot)
{
	if (slot == RL_NIL || !rl_pool_live(&l->regions, slot))
		return;
	if (!region_retirable(region_at(l, slot)))
		return;
	report_samplings(l, region_at(l, slot));
	region_release(l, slot);
}

/* Forget a ctx record: its regions stay, owned by nobody. */
static void forget_ctx(struct rl_ledger *l, uint32_t cslot)
{
	uint32_t s = ctx_at(l, cslot)->first_region;

	while (s != RL_NIL) {
		uint32_t next = region_at(l, s)->list_next;

		region_leave_ctx(l, s);
		retire_region_if_done(l, s);
		s = next;
	}
	ctx_release(l, cslot);
}

/* ---- ring contexts -------------------------------------------------- */

void on_ctx_create(struct rl_ledger *l, const struct rl_event *ev)
{
	uint64_t key = ev->ctx.ctx;
	struct origin o = origin_of(ev);
	uint32_t c, s, next;

	if (!key)
		return;
	c = lookup(&l->ctx_by_key, key);
	if (c != RL_NIL && ctx_at(l, c)->observed) {
		forget_ctx(l, c);	/* born again: its CTX_DEAD was lost */
		c = RL_NIL;
	}
	if (c == RL_NIL)
		c = ctx_add(l, key, &o);
	if (c == RL_NIL)
		return;
	ctx_observe(l, c, &o);
	/* ring regions are created in io_uring_setup before the ctx is
	 * announced: the pending ones made for it are its own (where the
	 * kernel side could not tell which ring they were for, those of
	 * this thread) */
	for (s = l->pending_head; s != RL_NIL; s = next) {
		const struct region *r = region_at(l, s);

		next = r->list_next;
		if (r->setup_ctx ? r->setup_ctx == key : r->created_by.tid == ev->h.tid)
			region_join_ctx(l, s, c);
	}
	pinsets_join_ctx(l, key, ev->h.tid);
}

/* Its exit work is queued: a ring still alive at the end is pending there. */
void on_ctx_kill(struct rl_ledger *l, const struct rl_event *ev)
{
	uint32_t c = lookup(&l->ctx_by_key, ev->ctx.ctx);

	if (c == RL_NIL)
		return;
	ctx_at(l, c)->killed = true;
	ctx_at(l, c)->killed_ts = ev->h.ts_ns;
}

void on_ctx_dead(struct rl_ledger *l, const struct rl_event *ev)
{
	uint32_t c = lookup(&l->ctx_by_key, ev->ctx.ctx);
	struct ring_ctx *ctx;
	uint32_t s;

	if (ev->ctx.ctx) {
		pins_at_ctx_death(l, ev);
		bufrings_forget_ctx(l, ev->ctx.ctx);
	}
	if (c == RL_NIL)
		return;
	ctx = ctx_at(l, c);
	if (ctx->observed)
		l->st.ctx_dead++;
	for (s = ctx->first_region; s != RL_NIL; s = region_at(l, s)->list_next) {
		struct region *r = region_at(l, s);

		report_samplings(l, r);
		if (rule_rl003_region_leaked_at_ctx_death(l, ev, ctx, r))
			r->leaked = true;	/* retired without its free */
	}
	forget_ctx(l, c);
}

/* ---- regions -------------------------------------------------------- */

void on_region_create(struct rl_ledger *l, const struct rl_event *ev)
{
	const struct rl_ev_region *e = &ev->region;
	struct origin o = origin_of(ev);
	uint32_t old, s;

	if (e->ret != 0 || !e->region || e->region == RL_MAP_EMPTY)
		return;
	old = region_lookup(l, e->region);
	if (old != RL_NIL) {
		region_unkey(l, old);
		retire_region_if_done(l, old);
	}
	s = region_add(l, e, &o);
	if (s == RL_NIL)
		return;
	if (e->ctx) {
		uint32_t c = lookup(&l->ctx_by_key, e->ctx);

		if (c == RL_NIL)
			c = ctx_add(l, e->ctx, &o);
		if (c != RL_NIL)
			region_join_ctx(l, s, c);
		else
			region_at(l, s)->ctx = e->ctx;
	} else {
		region_join_pending(l, s);
	}
}

/* Record pfn as page idx of region slot, taking it from any region that
 * still had it (whose PAGE_FREE we did not see).  That region may be this
 * one (a pfn named again at another index): it is never retired here, as
 * the caller goes on describing it. */
static void describe_page(struct rl_ledger *l, uint32_t slot, uint32_t idx, uint64_t pfn)
{
	uint32_t from;

	if (!page_rename(l, slot, idx, pfn))
		return;
	from = page_steal(l, slot, idx, pfn);
	page_track(l, slot, idx, pfn);
	if (from != slot)
		retire_region_if_done(l, from);
}

/* Add a chunk of refcounts to its sampling; report it once complete. */
static void sample_refs(struct rl_ledger *l, uint32_t slot, const struct rl_ev_pages *pg)
{
	struct region *r = region_at(l, slot);
	bool at_free = pg->at_free != 0;
	struct shortfall chunk;

	rl002_judge_chunk(l, r, pg, at_free ? &r->at_free : &r->at_create, &chunk);
	region_note_sampling(r, at_free, &chunk);
	if (region_sampling_complete(r, at_free))
		report_sampling(l, r, at_free);
}

void on_region_pages(struct rl_ledger *l, const struct rl_event *ev)
{
	const struct rl_ev_pages *pg = &ev->pages;
	uint32_t s = region_lookup(l, pg->region);
	uint32_t n = pg->count < RL_PFNS_PER_EVENT ? pg->count : RL_PFNS_PER_EVENT;
	uint32_t i;

	if (s == RL_NIL)
		return;
	if (pg->at_free) {
		/* without its REGION_FREE there is nothing to judge against */
		if (region_at(l, s)->freed) {
			struct rl009_case c = { .what = RL009_RELEASE,
						.r = region_at(l, s), .pg = pg };

			rule_rl009_dropped_never_taken(l, &c);
			sample_refs(l, s, pg);
		}
		return;
	}
	for (i = 0; i < n && pg->first + i < region_at(l, s)->nr_described; i++)
		describe_page(l, s, pg->first + i, pg->pfn[i]);
	sample_refs(l, s, pg);
}

void on_region_free(struct rl_ledger *l, const struct rl_event *ev)
{
	uint32_t s = region_lookup(l, ev->region.region);

	if (s == RL_NIL || region_at(l, s)->freed)
		return;
	region_mark_freed(l, s, ev);
	retire_region_if_done(l, s);
}

/* ---- page frees ----------------------------------------------------- */

/* One region's share of a PAGE_FREE. */
struct free_run {
	uint32_t slot;
	uint32_t first_mapped, nr_mapped;	/* pages still claimed          */
	uint32_t first_live, nr_live;		/* unclaimed, region not closed */
};

/* Judge one region's share (RL001, RL002); its pages left the books. */
static void free_run_flush(struct rl_ledger *l, const struct rl_event *ev,
			   struct free_run *run)
{
	struct rl002_case c = { .what = RL002_FREED_LIVE, .ev = ev };
	const struct region *r;

	if (run->slot == RL_NIL)
		return;
	r = region_at(l, run->slot);
	rule_rl001_page_freed_while_mapped(l, ev, r, run->first_mapped, run->nr_mapped);
	c.r = r;
	c.first_idx = run->first_live;
	c.nr = run->nr_live;
	rule_rl002_missing_reference(l, &c);
	retire_region_if_done(l, run->slot);
	run->slot = RL_NIL;
}

void on_page_free(struct rl_ledger *l, const struct rl_event *ev)
{
	uint32_t order = ev->page.order < MAX_FREE_ORDER ? ev->page.order : MAX_FREE_ORDER;
	uint64_t pfn = ev->page.pfn, end = pfn + (1ULL << order), p, packed;
	struct free_run run = { .slot = RL_NIL };

	if (end < pfn)
		end = UINT64_MAX;
	for (p = pfn; p < end; p++) {
		uint32_t slot, idx;
		struct region *r;

		if (!rl_map_get(&l->page_by_pfn, p, &packed))
			continue;
		slot = (uint32_t)(packed >> 32);
		idx = (uint32_t)packed;
		if (slot != run.slot) {
			free_run_flush(l, ev, &run);
			run = (struct free_run){ .slot = slot };
		}
		r = region_at(l, slot);
		if (r->pages[idx].claims) {
			if (!run.nr_mapped++)
				run.first_mapped = idx;
		} else if (!r->freed && !r->leaked) {
			if (!run.nr_live++)
				run.first_live = idx;
		}
		/* the page leaves the books; its pfn and claims stay as evidence */
		page_untrack(l, r, idx, PAGE_FREED);
		l->st.pages_freed++;
	}
	free_run_flush(l, ev, &run);
}

/* ---- losses and the end --------------------------------------------- */

void on_lost(struct rl_ledger *l, const struct rl_event *ev)
{
	struct rl010_case c = { .what = RL010_EVENTS_LOST, .ev = ev, .stored = -1 };
	uint64_t idx, total = 0;
	long at;

	l->st.lost_events += ev->lost.count;
	rl_map_get(&l->lost_total, ev->lost.counter, &total);
	total += ev->lost.count;
	rl_map_put(&l->lost_total, ev->lost.counter, total);
	c.total = total;
	if (rl_map_get(&l->lost_finding, ev->lost.counter, &idx))
		c.stored = (long)idx;
	at = rule_rl010_inconclusive(l, &c);
	if (c.stored < 0 && at >= 0)
		rl_map_put(&l->lost_finding, ev->lost.counter, (uint64_t)at);
}

void on_finish(struct rl_ledger *l, bool ctx_wait_timed_out)
{
	size_t it = 0;
	uint64_t key, val;
	uint32_t i;

	for (i = 0; i < l->regions.nr; i++) {
		if (rl_pool_live(&l->regions, i))
			report_samplings(l, region_at(l, i));
	}
	if (!ctx_wait_timed_out) {
		pins_at_end(l);
		return;
	}
	while (rl_map_next(&l->ctx_by_key, &it, &key, &val)) {
		struct rl010_case c = { .what = RL010_CTX_OUTLIVED,
					.c = ctx_at(l, (uint32_t)val) };

		if (c.c->observed)
			rule_rl010_inconclusive(l, &c);
	}
}

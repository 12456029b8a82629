// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ledger.c - the page-reference ledger: its public interface (ledger.h)
 * and the dispatch of each event to its handler.
 *
 * Events in (struct rl_event, from BPF or a recorded stream), findings out.
 * The layers below, each calling only the ones under it:
 *
 *   handlers_*.c (handlers.h)   one handler per event type, retirement
 *   rules*.c (rules.h)          RL001..RL010, each the only emitter of its id
 *   books_*.c (ledger_int.h)    the records and what each keeps true
 */
#include <stdlib.h>
#include "handlers.h"

/* The handler of each event type. */
static rl_handler *const handler_of[RL_EV__MAX] = {
	[RL_EV_CTX_CREATE]	= on_ctx_create,
	[RL_EV_CTX_DEAD]	= on_ctx_dead,
	[RL_EV_REGION_CREATE]	= on_region_create,
	[RL_EV_REGION_PAGES]	= on_region_pages,
	[RL_EV_REGION_FREE]	= on_region_free,
	[RL_EV_MMAP_AREA]	= on_mmap_area,
	[RL_EV_MMAP]		= on_mmap,
	[RL_EV_INSERT_PAGES]	= on_insert_pages,
	[RL_EV_VMA_DUP]		= on_vma_dup,
	[RL_EV_VMA_SPLIT]	= on_vma_split,
	[RL_EV_ARENA_AREA]	= on_arena_area,
	[RL_EV_VMA_ZAP]		= on_vma_zap,
	[RL_EV_VMA_REMOVE]	= on_vma_remove,
	[RL_EV_VMA_FREE]	= on_vma_free,
	[RL_EV_PAGE_FREE]	= on_page_free,
	[RL_EV_PIN]		= on_pin,
	[RL_EV_UNPIN]		= on_unpin,
	[RL_EV_PBUF_REG]	= on_pbuf_reg,
	[RL_EV_PBUF_UNREG]	= on_pbuf_unreg,
	[RL_EV_BUFRING_PIN]	= on_bufring_pin,
	[RL_EV_BUFRING_UNPIN]	= on_bufring_unpin,
	[RL_EV_LOST]		= on_lost,
	[RL_EV_PROC_FORK]	= on_proc_fork,
	[RL_EV_PROC_EXEC]	= on_proc_exec,
	[RL_EV_PROC_EXIT]	= on_proc_exit,
	[RL_EV_CTX_KILL]	= on_ctx_kill,
};

struct rl_ledger *rl_ledger_new(const struct rl_ledger_opts *opts)
{
	struct rl_ledger *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	if (opts)
		l->opts = *opts;
	rl_pool_init(&l->ctxs, sizeof(struct ring_ctx));
	rl_pool_init(&l->regions, sizeof(struct region));
	rl_pool_init(&l->vmas, sizeof(struct vma));
	rl_pool_init(&l->areas, sizeof(struct area));
	rl_pool_init(&l->pinsets, sizeof(struct pinset));
	rl_pool_init(&l->bufrings, sizeof(struct bufring));
	rl_pool_init(&l->procs, sizeof(struct proc));
	rl_map_init(&l->proc_by_pid);
	rl_map_init(&l->ctx_by_key);
	rl_map_init(&l->region_by_key);
	rl_map_init(&l->vma_by_key);
	rl_map_init(&l->page_by_pfn);
	rl_map_init(&l->area_by_tid);
	rl_map_init(&l->lost_finding);
	rl_map_init(&l->lost_total);
	rl_map_init(&l->pinset_by_key);
	rl_map_init(&l->retired_pins);
	l->pending_head = RL_NIL;
	return l;
}

void rl_ledger_free(struct rl_ledger *l)
{
	uint32_t i;

	if (!l)
		return;
	for (i = 0; i < l->regions.nr; i++) {
		if (rl_pool_live(&l->regions, i))
			free(region_at(l, i)->pages);
	}
	for (i = 0; i < l->vmas.nr; i++) {
		if (rl_pool_live(&l->vmas, i))
			free(vma_at(l, i)->bits_heap);
	}
	for (i = 0; i < l->pinsets.nr; i++) {
		if (rl_pool_live(&l->pinsets, i)) {
			free(pinset_at(l, i)->folios);
			rl_map_free(&pinset_at(l, i)->folio_by_pfn);
		}
	}
	rl_pool_free(&l->ctxs);
	rl_pool_free(&l->regions);
	rl_pool_free(&l->vmas);
	rl_pool_free(&l->areas);
	rl_pool_free(&l->pinsets);
	rl_pool_free(&l->bufrings);
	procs_free(l);
	rl_map_free(&l->ctx_by_key);
	rl_map_free(&l->region_by_key);
	rl_map_free(&l->vma_by_key);
	rl_map_free(&l->page_by_pfn);
	rl_map_free(&l->area_by_tid);
	rl_map_free(&l->lost_finding);
	rl_map_free(&l->lost_total);
	rl_map_free(&l->pinset_by_key);
	rl_map_free(&l->retired_pins);
	free(l->findings);
	free(l);
}

void rl_ledger_feed(struct rl_ledger *l, const struct rl_event *ev)
{
	l->st.events++;
	if (ev->h.type < RL_EV__MAX && handler_of[ev->h.type])
		handler_of[ev->h.type](l, ev);
}

size_t rl_ledger_live_ctxs(const struct rl_ledger *l)
{
	return l->live_observed_ctxs;
}

const char *rl_ring_state_name(enum rl_ring_state s)
{
	switch (s) {
	case RL_RING_PENDING_EXIT:
		return "pending-exit";
	case RL_RING_HELD:
		return "held";
	case RL_RING_MAYBE_HELD:
		return "maybe-held";
	default:
		return "missed";
	}
}

static int by_birth(const void *a, const void *b)
{
	const struct rl_live_ring *x = a, *y = b;

	if (x->born_ts_ns != y->born_ts_ns)
		return x->born_ts_ns < y->born_ts_ns ? -1 : 1;
	return x->ctx < y->ctx ? -1 : x->ctx > y->ctx;
}

/* In the order the rings were born. */
size_t rl_ledger_live_rings(const struct rl_ledger *l, struct rl_live_ring *out, size_t max)
{
	size_t it = 0, n = 0;
	uint64_t key, val;

	while (rl_map_next(&l->ctx_by_key, &it, &key, &val)) {
		const struct ring_ctx *c = ctx_at(l, (uint32_t)val);

		if (!c->observed)
			continue;
		if (out && n < max)
			ctx_explain_alive(l, c, &out[n]);
		n++;
	}
	if (out)
		qsort(out, n < max ? n : max, sizeof(*out), by_birth);
	return n;
}

void rl_ledger_finish(struct rl_ledger *l, bool ctx_wait_timed_out)
{
	if (l->finished)
		return;
	l->finished = true;
	on_finish(l, ctx_wait_timed_out);
}

void rl_ledger_note_inconclusive(struct rl_ledger *l, const char *why)
{
	struct rl010_case c = { .what = RL010_NOTE, .why = why };

	rule_rl010_inconclusive(l, &c);
}

size_t rl_ledger_pages_awaiting_free(const struct rl_ledger *l)
{
	return regions_pages_awaiting_free(l);
}

size_t rl_ledger_nr_findings(const struct rl_ledger *l)
{
	return l->nr_findings;
}

const struct rl_finding *rl_ledger_finding(const struct rl_ledger *l, size_t i)
{
	return i < l->nr_findings ? &l->findings[i] : NULL;
}

void rl_ledger_get_stats(const struct rl_ledger *l, struct rl_ledger_stats *st)
{
	*st = l->st;
}

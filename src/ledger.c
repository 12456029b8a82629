// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ledger.c - the page-reference ledger.
 *
 * Events in (struct rl_event, from BPF or a recorded stream), findings out.
 * The books kept, and the invariant each record keeps:
 *
 *   ring_ctx  one per io_ring_ctx; lists the regions it owns.  `observed`
 *             says its CTX_CREATE was seen, so all its ring regions are
 *             known and "this offset names no region" can be judged.
 *   region    one per pages[] array; a page_slot per described page holds
 *             the pfn and `claims`, the number of live vmas whose claim set
 *             holds that page.  total_claims is the sum of claims.
 *   vma       one per tracked vm_area_struct; its claim set is the pages
 *             [0, nr_mapped) of one region that vm_insert_pages put there
 *             and that no VMA_ZAP / VMA_REMOVE took away yet.
 *   page      the pfn map points each tracked pfn at (region, index) until
 *             the page is freed or the region is retired.
 *
 * A record is retired when nothing can refer to it any more: a region once
 * it is closed (freed, or leaked with its ctx), unclaimed, and its pages
 * are freed; a vma at VMA_REMOVE; a ctx at CTX_DEAD.
 *
 * A VMA_DUP is counted like a fork's copy (a claim on every page the
 * original claims) until a VMA_SPLIT of the original says it was one piece
 * of a split (partial munmap, mprotect): then each piece keeps the claims
 * of its own range only.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ledger.h"
#include "ledger_map.h"
#include "ledger_names.h"

#define MAX_DESCRIBED_PAGES	(RL_MAX_REGION_CHUNKS * RL_PFNS_PER_EVENT)
#define MAX_STORED_FINDINGS	16384	/* later ones are counted, not kept  */
#define MAX_FREE_ORDER		20	/* larger "frees" are not of our pages */
/* x86_64 TASK_SIZE with 4-level paging: the end of the user window when
 * the event does not say (window_end 0: a stream from an older tool). */
#define USER_VA_END		0x00007ffffffff000ULL
#define MAX_ERRNO		4095

/* Who did something, and when: the header of the event that did it. */
struct origin {
	uint64_t ts;
	uint32_t pid, tid;
	char comm[RL_COMM_LEN];
};

struct ring_ctx {
	uint64_t key;
	struct origin born;
	bool observed;		/* CTX_CREATE seen (not inferred from a region) */
	uint32_t first_region;	/* head of the regions it owns, RL_NIL       */
};

enum page_state {
	PAGE_UNDESCRIBED = 0,	/* no REGION_PAGES chunk named it yet      */
	PAGE_TRACKED,		/* in the pfn map                          */
	PAGE_FREED,		/* PAGE_FREE seen                          */
	PAGE_ORPHANED,		/* its pfn was handed to another region    */
};

struct page_slot {
	uint64_t pfn;
	uint32_t claims;	/* live vmas whose claim set holds this page */
	uint8_t state;		/* enum page_state                         */
};

/* RL002 evidence gathered over the REGION_PAGES chunks of one sampling
 * (at create or at free); reported once the sampling is complete. */
struct shortfall {
	uint32_t pages_seen;
	uint32_t nr_short;
	uint32_t first_index;	/* of the first page short of references */
	uint32_t first_claims;
	uint64_t first_pfn;
	int64_t seen, expected;
	uint64_t vma, vma_start, vma_end, vma_pgoff;	/* one vma mapping it */
	bool flushed;
};

struct region {
	uint64_t key;		/* pages[] array pointer                      */
	uint64_t serial;	/* unique per record; keys are reused          */
	uint64_t ctx;		/* owner, 0 while pending                      */
	uint64_t mr, mmap_offset;
	uint32_t kind, bgid, nr_pages, flags;
	uint32_t nr_described;	/* length of pages[]                          */
	struct page_slot *pages;
	uint32_t live_pages;	/* pages in PAGE_TRACKED                      */
	uint64_t total_claims;	/* sum of pages[].claims                      */
	struct origin created_by;
	bool keyed;		/* region_by_key points at this record         */
	bool pending;		/* on the pending list: its ctx is not born    */
	bool in_ctx_list;
	bool freed;		/* REGION_FREE seen                            */
	bool leaked;		/* its ctx died before it was freed (RL003)    */
	uint32_t list_prev, list_next;	/* pending list or its ctx's list    */
	struct shortfall at_create, at_free;
	struct origin freed_by;
	uint32_t nr_free_stack;
	uint64_t free_stack[RL_STACK_DEPTH];
};

struct vma {
	uint64_t key;
	uint64_t ctx, start, end, pgoff;
	uint64_t dup_of;	/* the vma it was copied from, 0 if mmapped   */
	uint64_t last_dup;	/* its latest copy: a VMA_SPLIT's other piece */
	struct origin mapped_by;
	uint32_t offset_kind, offset_bgid;	/* what its pgoff names       */
	bool mmap_seen;		/* MMAP returned 0 for it                     */
	bool named_missing;	/* the offset named no live region (RL006)    */
	bool rl006_reported;
	uint32_t named_slot;	/* region its offset named at MMAP, RL_NIL    */
	uint64_t named_serial;
	uint32_t region_slot;	/* region whose pages it maps, RL_NIL         */
	uint64_t region_serial;
	uint64_t base;		/* user address of that region's page 0       */
	uint32_t nr_mapped;	/* claim set is within pages [0, nr_mapped)   */
	uint64_t bits_inline;	/* the claim set when nr_mapped <= 64         */
	uint64_t *bits_heap;	/* otherwise                                  */
};

/* What io_uring_get_unmapped_area returned to a thread, until its mmap. */
struct area {
	uint64_t ctx, pgoff, addr, len;
	uint64_t window_end;	/* the task's TASK_SIZE */
};

/* The end of the user window an event reports, or the 47-bit default. */
static inline uint64_t user_window_end(uint64_t reported)
{
	return reported ? reported : USER_VA_END;
}

/* Does [addr, addr + len) reach past `end`?  (No overflow.) */
static inline bool range_leaves(uint64_t addr, uint64_t len, uint64_t end)
{
	return len > end || addr > end - len;
}

/* One folio of a pin set: the pins the set took on it and still holds. */
struct pin_folio {
	uint64_t pfn;		/* head page */
	uint32_t taken;
	uint32_t held;
};

/* One io_pin_pages call: its folios, its owner, and where it stands. */
struct pinset {
	uint64_t key;		/* the BPF side's pin set number               */
	uint64_t ctx;		/* the ring answering for it: the registering
				 * one, then the one that released it; 0 while
				 * its ring is being set up                     */
	uint64_t pages, uaddr;
	uint32_t owner, owner_id, nr_pages;
	uint32_t pages_described;	/* pages the PIN chunks covered so far */
	struct pin_folio *folios;
	uint32_t nr_folios, cap_folios;
	uint32_t cursor;	/* unpins come in pin order: look here first   */
	struct rl_map folio_by_pfn;	/* built on the first unpin out of order */
	bool indexed;
	uint64_t held;		/* sum of folios[].held                        */
	uint64_t first_file;	/* what the first folio belongs to (RL007)     */
	uint32_t first_backing;
	bool released;		/* io_uring let go of the owner                */
	bool shared;		/* its ring dropped it, a clone still holds it */
	bool rl004_reported, rl007_reported, rl009_reported;
	struct origin pinned_by, released_by;
	uint32_t nr_pin_stack, nr_release_stack;
	uint64_t pin_stack[RL_STACK_DEPTH];
	uint64_t release_stack[RL_STACK_DEPTH];
};

/* A provided-buffer ring, for RL005: registered, and pinned by a kernel
 * user (seed 001). */
struct bufring {
	uint64_t ctx;
	uint32_t bgid;
	bool registered, pinned;
	uint64_t ring_addr;	/* user memory, or 0 (kernel-allocated)        */
	struct origin pinned_by;
	uint32_t nr_pin_stack;
	uint64_t pin_stack[RL_STACK_DEPTH];
};


struct rl_ledger {
	struct rl_ledger_opts opts;
	struct rl_pool ctxs, regions, vmas, areas, pinsets, bufrings;
	struct rl_map ctx_by_key;	/* ctx pointer -> ctxs index           */
	struct rl_map region_by_key;	/* pages[] -> newest regions index     */
	struct rl_map vma_by_key;	/* vma pointer -> vmas index           */
	struct rl_map page_by_pfn;	/* pfn -> region index << 32 | page    */
	struct rl_map area_by_tid;	/* tid -> areas index                  */
	struct rl_map lost_finding;	/* counter -> findings index (RL010)   */
	struct rl_map lost_total;	/* counter -> events lost so far       */
	struct rl_map pinset_by_key;	/* pin set -> pinsets index            */
	struct rl_map retired_pins;	/* pin sets released with every pin
					 * dropped (a later unpin is RL009)   */
	size_t live_observed_ctxs;	/* observed ctx records                */
	uint32_t pending_head;		/* regions waiting for their ctx       */
	uint64_t next_serial;
	struct rl_finding *findings;
	size_t nr_findings, cap_findings;
	struct rl_ledger_stats st;
	bool finished;
};

/* ---- small helpers ---------------------------------------------------- */

static struct origin origin_of(const struct rl_event *ev)
{
	struct origin o;

	o.ts = ev->h.ts_ns;
	o.pid = ev->h.pid;
	o.tid = ev->h.tid;
	memcpy(o.comm, ev->h.comm, RL_COMM_LEN);
	o.comm[RL_COMM_LEN - 1] = '\0';
	return o;
}

static inline struct ring_ctx *ctx_at(const struct rl_ledger *l, uint32_t i)
{
	return rl_pool_at(&l->ctxs, i);
}

static inline struct region *region_at(const struct rl_ledger *l, uint32_t i)
{
	return rl_pool_at(&l->regions, i);
}

static inline struct vma *vma_at(const struct rl_ledger *l, uint32_t i)
{
	return rl_pool_at(&l->vmas, i);
}

static uint32_t lookup(const struct rl_map *m, uint64_t key)
{
	uint64_t v;

	return rl_map_get(m, key, &v) ? (uint32_t)v : RL_NIL;
}

/* The region a vma refers to, if that record still exists. */
static struct region *region_by_ref(const struct rl_ledger *l, uint32_t slot,
				    uint64_t serial)
{
	struct region *r;

	if (slot == RL_NIL || !rl_pool_live(&l->regions, slot))
		return NULL;
	r = region_at(l, slot);
	return r->serial == serial ? r : NULL;
}

static inline uint64_t vma_bytes(const struct vma *v)
{
	return v->end > v->start ? v->end - v->start : 0;
}

static inline uint64_t region_bytes(const struct region *r)
{
	return (uint64_t)r->nr_pages << RL_PAGE_SHIFT;
}

static inline bool region_user_provided(const struct region *r)
{
	return r->flags & RL_REGION_F_USER_PROVIDED;
}

static inline uint64_t *vma_bits(struct vma *v)
{
	return v->nr_mapped <= 64 ? &v->bits_inline : v->bits_heap;
}

static inline bool vma_claims_page(struct vma *v, uint32_t idx)
{
	return idx < v->nr_mapped && (vma_bits(v)[idx / 64] >> (idx % 64)) & 1;
}

/* ---- findings --------------------------------------------------------- */

static void finding_init(struct rl_finding *f, enum rl_finding_id id,
			 const struct origin *o)
{
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->ts_ns = o->ts;
	f->pid = o->pid;
	f->tid = o->tid;
	memcpy(f->comm, o->comm, RL_COMM_LEN);
	f->refcount_seen = -1;
	f->refcount_expected = -1;
}

static void finding_set_region(struct rl_finding *f, const struct region *r)
{
	f->ctx = r->ctx;
	f->region = r->key;
	f->region_kind = r->kind;
	f->bgid = r->bgid;
}

static void finding_set_vma(struct rl_finding *f, const struct vma *v)
{
	f->vma = v->key;
	f->vma_start = v->start;
	f->vma_end = v->end;
	f->vma_pgoff = v->pgoff;
}

static void copy_stack(uint32_t *nr_dst, uint64_t *dst, uint32_t nr, const void *src)
{
	if (nr > RL_STACK_DEPTH)
		nr = RL_STACK_DEPTH;
	*nr_dst = nr;
	memcpy(dst, src, nr * sizeof(uint64_t));
}

/* Store a finding (up to MAX_STORED_FINDINGS) and tell the caller.
 * Returns its index, or -1 when it was only counted. */
static long finding_emit(struct rl_ledger *l, const struct rl_finding *f)
{
	long idx = -1;

	if (f->id > RL_F_NONE && f->id < RL_F__MAX)
		l->st.findings[f->id]++;
	if (l->nr_findings < MAX_STORED_FINDINGS) {
		if (l->nr_findings == l->cap_findings) {
			size_t cap = l->cap_findings ? l->cap_findings * 2 : 16;
			struct rl_finding *nf = realloc(l->findings, cap * sizeof(*nf));

			if (nf) {
				l->findings = nf;
				l->cap_findings = cap;
			}
		}
		if (l->nr_findings < l->cap_findings) {
			idx = (long)l->nr_findings++;
			l->findings[idx] = *f;
		}
	}
	if (l->opts.on_finding)
		l->opts.on_finding(f, l->opts.cookie);
	return idx;
}

/* ---- region lists (a ctx's regions, and the pending ones) ------------- */

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

static void list_unlink(struct rl_ledger *l, uint32_t slot)
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

static void region_join_ctx(struct rl_ledger *l, uint32_t slot, uint32_t cslot)
{
	struct ring_ctx *c = ctx_at(l, cslot);
	struct region *r;

	list_unlink(l, slot);
	list_push(l, &c->first_region, slot);
	r = region_at(l, slot);
	r->ctx = c->key;
	r->in_ctx_list = true;
}

/* ---- ring contexts ---------------------------------------------------- */

/* A ctx record, known so far only from a region that names it. */
static uint32_t ctx_add(struct rl_ledger *l, uint64_t key, const struct origin *o)
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
static void ctx_observe(struct rl_ledger *l, uint32_t cslot, const struct origin *o)
{
	struct ring_ctx *c = ctx_at(l, cslot);

	c->observed = true;
	c->born = *o;
	l->live_observed_ctxs++;
	l->st.ctx_created++;
}

static void region_maybe_retire(struct rl_ledger *l, uint32_t slot);

/* Forget a ctx record: its regions stay, owned by nobody. */
static void ctx_forget(struct rl_ledger *l, uint32_t cslot)
{
	struct ring_ctx *c = ctx_at(l, cslot);
	uint32_t s = c->first_region;

	while (s != RL_NIL) {
		struct region *r = region_at(l, s);
		uint32_t next = r->list_next;

		r->in_ctx_list = false;
		r->list_prev = r->list_next = RL_NIL;
		region_maybe_retire(l, s);
		s = next;
	}
	if (c->observed)
		l->live_observed_ctxs--;
	rl_map_del(&l->ctx_by_key, c->key);
	rl_pool_release(&l->ctxs, cslot);
}

/* The live region of ctx that an mmap offset of `kind` (and bgid) names. */
static uint32_t ctx_find_region(const struct rl_ledger *l, const struct ring_ctx *c,
				uint32_t kind, uint32_t bgid, bool *has_unknown)
{
	uint32_t s;

	*has_unknown = false;
	for (s = c->first_region; s != RL_NIL; s = region_at(l, s)->list_next) {
		const struct region *r = region_at(l, s);

		if (r->freed)
			continue;
		if (r->kind == RL_RK_UNKNOWN)
			*has_unknown = true;
		if (r->kind == kind && (kind != RL_RK_PBUF || r->bgid == bgid))
			return s;
	}
	return RL_NIL;
}

/* ---- regions and their pages ----------------------------------------- */

static void shortfall_flush(struct rl_ledger *l, struct region *r, bool at_free);

static void page_untrack(struct rl_ledger *l, struct region *r, uint32_t idx,
			 enum page_state to)
{
	struct page_slot *p = &r->pages[idx];

	if (p->state != PAGE_TRACKED)
		return;
	rl_map_del(&l->page_by_pfn, p->pfn);
	p->state = to;
	r->live_pages--;
}

static void region_retire(struct rl_ledger *l, uint32_t slot)
{
	struct region *r = region_at(l, slot);
	uint32_t i;

	shortfall_flush(l, r, false);
	shortfall_flush(l, r, true);
	for (i = 0; i < r->nr_described; i++)
		page_untrack(l, r, i, PAGE_ORPHANED);
	list_unlink(l, slot);
	if (r->keyed)
		rl_map_del(&l->region_by_key, r->key);
	free(r->pages);
	rl_pool_release(&l->regions, slot);
}

/* A region is retired once it is closed (freed, or leaked with its ctx),
 * no vma claims its pages, and none of its pages can still be freed. */
static void region_maybe_retire(struct rl_ledger *l, uint32_t slot)
{
	struct region *r;

	if (slot == RL_NIL || !rl_pool_live(&l->regions, slot))
		return;
	r = region_at(l, slot);
	if (!(r->freed || r->leaked) || r->total_claims)
		return;
	if (r->live_pages && !r->leaked)
		return;
	region_retire(l, slot);
}

/* The region record keyed by pages[] pointer `key` (the newest one). */
static uint32_t region_lookup(const struct rl_ledger *l, uint64_t key)
{
	return lookup(&l->region_by_key, key);
}

/* A new region took over `key`: the old record can only be one whose
 * REGION_FREE we did not see (the kernel reused its pages[] array). */
static void region_unkey(struct rl_ledger *l, uint32_t slot)
{
	struct region *r = region_at(l, slot);

	rl_map_del(&l->region_by_key, r->key);
	r->keyed = false;
	r->freed = true;
	if (r->pending)
		list_unlink(l, slot);
	region_maybe_retire(l, slot);
}

/* Record pfn as page idx of region slot, taking it from any region that
 * still had it (whose PAGE_FREE we did not see). */
static void page_describe(struct rl_ledger *l, uint32_t slot, uint32_t idx, uint64_t pfn)
{
	struct region *r = region_at(l, slot);
	uint64_t packed = (uint64_t)slot << 32 | idx;
	uint64_t old;

	if (r->pages[idx].state == PAGE_TRACKED) {
		if (r->pages[idx].pfn == pfn)
			return;
		page_untrack(l, r, idx, PAGE_ORPHANED);
	}
	r->pages[idx].pfn = pfn;
	if (region_user_provided(r) || !pfn || pfn == RL_MAP_EMPTY) {
		r->pages[idx].state = PAGE_UNDESCRIBED;	/* not ours to free */
		return;
	}
	if (rl_map_get(&l->page_by_pfn, pfn, &old) && old != packed) {
		uint32_t oslot = (uint32_t)(old >> 32);

		page_untrack(l, region_at(l, oslot), (uint32_t)old, PAGE_ORPHANED);
		region_maybe_retire(l, oslot);
		r = region_at(l, slot);
	}
	if (rl_map_put(&l->page_by_pfn, pfn, packed))
		return;
	r->pages[idx].state = PAGE_TRACKED;
	r->live_pages++;
	l->st.pages_tracked++;
}

/* ---- vmas and their claim sets --------------------------------------- */

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

/* Give vma the pages [0, nr) of region r: one claim on each. */
static void vma_claim(struct vma *v, struct region *r, uint32_t slot, uint32_t nr)
{
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

static void vma_unclaim_all(struct rl_ledger *l, struct vma *v)
{
	uint32_t slot = v->region_slot;

	vma_unclaim(l, v, true, 0, 0);
	vma_set_claims(v, 0);
	v->region_slot = RL_NIL;
	region_maybe_retire(l, slot);
}

static uint32_t vma_add(struct rl_ledger *l, uint64_t key)
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
	v->region_slot = RL_NIL;
	return i;
}

static void vma_forget(struct rl_ledger *l, uint64_t key)
{
	uint32_t i = lookup(&l->vma_by_key, key);

	if (i == RL_NIL)
		return;
	vma_unclaim_all(l, vma_at(l, i));
	rl_map_del(&l->vma_by_key, key);
	rl_pool_release(&l->vmas, i);
}

/* Set what the vma's offset names from its pgoff (page units). */
static void vma_set_geometry(struct vma *v, const struct rl_ev_mmap *m)
{
	v->ctx = m->ctx;
	v->start = m->start;
	v->end = m->end;
	v->pgoff = m->pgoff;
	v->offset_bgid = 0;
	v->offset_kind = rl_mmap_offset_kind(m->pgoff << RL_PAGE_SHIFT, &v->offset_bgid);
}

/* One live vma whose claim set holds page idx of region r, or NULL. */
static struct vma *vma_mapping_page(const struct rl_ledger *l, const struct region *r,
				    uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < l->vmas.nr; i++) {
		struct vma *v;

		if (!rl_pool_live(&l->vmas, i))
			continue;
		v = vma_at(l, i);
		if (region_by_ref(l, v->region_slot, v->region_serial) == r &&
		    vma_claims_page(v, idx))
			return v;
	}
	return NULL;
}

/* ---- pin sets and their folios ---------------------------------------- */

static inline struct pinset *pinset_at(const struct rl_ledger *l, uint32_t i)
{
	return rl_pool_at(&l->pinsets, i);
}

static inline struct bufring *bufring_at(const struct rl_ledger *l, uint32_t i)
{
	return rl_pool_at(&l->bufrings, i);
}

/* The pin set a PIN chunk describes, created by its first chunk seen. */
static uint32_t pinset_for_pin(struct rl_ledger *l, const struct rl_event *ev)
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

/* Append n pins of the folio at pfn (a run split by a chunk boundary
 * continues the last folio).  Returns its index, or RL_NIL. */
static uint32_t pinset_add_folio(struct pinset *p, uint64_t pfn, uint32_t n)
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

/* Take up to n pins from folio i; returns how many it had. */
static uint32_t pin_folio_take(struct pinset *p, uint32_t i, uint32_t n)
{
	struct pin_folio *f = &p->folios[i];
	uint32_t have = f->held < n ? f->held : n;

	f->held -= have;
	p->held -= have;
	return have;
}

/* Drop n pins of the folio at pfn; returns how many of them p did not
 * hold (0 when all were its own).  A pfn pinned twice in one set (two
 * runs apart) is looked for again when its first folio runs dry. */
static uint32_t pinset_drop(struct pinset *p, uint64_t pfn, uint32_t n)
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

/* Every page the pins describe was seen: only then is "not pinned by this
 * set" a fact rather than a gap in the description. */
static bool pinset_complete(const struct pinset *p)
{
	return p->pages_described >= p->nr_pages;
}

/* The first folio still pinned, and how many are. */
static uint32_t pinset_held_folios(const struct pinset *p, uint64_t *first_pfn)
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

/* "fixed buffer 3", "buffer ring 1", ... */
static void pin_owner_str(const struct pinset *p, char *buf, size_t len)
{
	switch (p->owner) {
	case RL_PO_BUFFER:
		snprintf(buf, len, "fixed buffer %u", p->owner_id);
		break;
	case RL_PO_PBUF:
		snprintf(buf, len, "buffer ring %u's memory", p->owner_id);
		break;
	case RL_PO_REGION:
		snprintf(buf, len, "parameter region's memory");
		break;
	case RL_PO_RINGS:
		snprintf(buf, len, "ring memory (IORING_SETUP_NO_MMAP)");
		break;
	default:
		snprintf(buf, len, "user memory");
		break;
	}
}

/* A pin set is retired once io_uring let go of it and every pin is gone;
 * its key stays known, so a late unpin of it is judged. */
static void pinset_maybe_retire(struct rl_ledger *l, uint32_t i)
{
	struct pinset *p = pinset_at(l, i);

	if (!p->released || p->held)
		return;
	rl_map_put(&l->retired_pins, p->key, 1);
	rl_map_del(&l->pinset_by_key, p->key);
	rl_map_free(&p->folio_by_pfn);
	free(p->folios);
	rl_pool_release(&l->pinsets, i);
}

static void pinset_forget(struct rl_ledger *l, uint32_t i)
{
	struct pinset *p = pinset_at(l, i);

	rl_map_del(&l->pinset_by_key, p->key);
	rl_map_free(&p->folio_by_pfn);
	free(p->folios);
	rl_pool_release(&l->pinsets, i);
}

static void finding_set_pins(struct rl_finding *f, const struct pinset *p)
{
	f->ctx = p->ctx;
	f->pin_set = p->key;
	f->pin_owner = p->owner;
	f->pin_owner_id = p->owner_id;
	if (p->owner == RL_PO_PBUF) {
		f->region_kind = RL_RK_PBUF;
		f->bgid = p->owner_id;
	} else if (p->owner == RL_PO_REGION) {
		f->region_kind = RL_RK_PARAM;
	}
	if (p->owner != RL_PO_BUFFER)
		f->region = p->pages;	/* the region's pages[] key */
}

/* The buffer ring (ctx, bgid), created if asked. */
static uint32_t bufring_find(struct rl_ledger *l, uint64_t ctx, uint32_t bgid, bool create)
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

/* ---- the rules -------------------------------------------------------- */

/* RL001: a page of a tracked region is never freed while a live vma maps it.
 * Called once per region touched by a PAGE_FREE, with the mapped pages. */
static void rule_rl001_page_freed_while_mapped(struct rl_ledger *l, const struct rl_event *ev,
					       const struct region *r, uint32_t first_idx,
					       uint32_t nr_mapped)
{
	const struct page_slot *p = &r->pages[first_idx];
	struct origin o = origin_of(ev);
	const struct vma *v = vma_mapping_page(l, r, first_idx);
	struct rl_finding f;

	finding_init(&f, RL001, &o);
	finding_set_region(&f, r);
	if (v)
		finding_set_vma(&f, v);
	f.pfn = p->pfn;
	f.nr_pfns = nr_mapped;
	copy_stack(&f.nr_stack, f.stack, ev->nr_stack, ev->stack);
	copy_stack(&f.nr_setup_stack, f.setup_stack, r->nr_free_stack, r->free_stack);
	snprintf(f.detail, sizeof(f.detail),
		 "pfn 0x%" PRIx64 " (page %u of %s region 0x%" PRIx64 ") freed while "
		 "%u vma(s) map it, e.g. vma 0x%" PRIx64 " of pid %u; %u page(s) of this "
		 "free still mapped; region %s",
		 p->pfn, first_idx, rl_region_kind_name(r->kind), r->key, p->claims,
		 v ? v->key : 0, v ? v->mapped_by.pid : 0, nr_mapped,
		 r->freed ? "already passed to io_free_region" : "not freed by io_uring");
	finding_emit(l, &f);
}

/* The references page idx must hold: io_uring's own (one, on the head only
 * for a SINGLE_REF compound page) plus one per live mapping of it. */
static int64_t expected_refs(const struct region *r, uint32_t idx, bool at_free)
{
	if (!at_free)
		return 1;
	if (r->flags & RL_REGION_F_SINGLE_REF)
		return 1 + (int64_t)r->total_claims;
	return 1 + (int64_t)r->pages[idx].claims;
}

/* RL002: refcount(page) >= io_uring's reference + live user mappings, at
 * every sampling (REGION_PAGES at create and at free).  Judges one chunk;
 * the region's shortfall is reported when its sampling is complete. */
static void rule_rl002_refcount_below_expected(struct rl_ledger *l, uint32_t slot,
					       const struct rl_ev_pages *pg)
{
	struct region *r = region_at(l, slot);
	bool at_free = pg->at_free != 0;
	struct shortfall *s = at_free ? &r->at_free : &r->at_create;
	uint32_t n = pg->count < RL_PFNS_PER_EVENT ? pg->count : RL_PFNS_PER_EVENT;
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint32_t idx = pg->first + i;
		int64_t expected;
		const struct vma *v;

		if (idx >= r->nr_described)
			break;
		s->pages_seen++;
		/* user memory: its references are pins (issue 4); a compound
		 * page has one refcount, judged on its head */
		if ((at_free && region_user_provided(r)) ||
		    ((r->flags & RL_REGION_F_SINGLE_REF) && idx != 0))
			continue;
		expected = expected_refs(r, idx, at_free);
		if ((int64_t)pg->refcount[i] >= expected)
			continue;
		if (s->nr_short++)
			continue;
		s->first_index = idx;
		s->first_pfn = pg->pfn[i];
		s->first_claims = r->pages[idx].claims;
		s->seen = pg->refcount[i];
		s->expected = expected;
		v = vma_mapping_page(l, r, idx);
		if (v) {
			s->vma = v->key;
			s->vma_start = v->start;
			s->vma_end = v->end;
			s->vma_pgoff = v->pgoff;
		}
	}
	if (s->pages_seen >= r->nr_described)
		shortfall_flush(l, r, at_free);
}

static void shortfall_flush(struct rl_ledger *l, struct region *r, bool at_free)
{
	struct shortfall *s = at_free ? &r->at_free : &r->at_create;
	const struct origin *o = at_free ? &r->freed_by : &r->created_by;
	struct rl_finding f;

	if (s->flushed || !s->nr_short)
		return;
	s->flushed = true;
	finding_init(&f, RL002, o);
	finding_set_region(&f, r);
	f.vma = s->vma;
	f.vma_start = s->vma_start;
	f.vma_end = s->vma_end;
	f.vma_pgoff = s->vma_pgoff;
	f.pfn = s->first_pfn;
	f.nr_pfns = s->nr_short;
	f.refcount_seen = s->seen;
	f.refcount_expected = s->expected;
	if (at_free)
		copy_stack(&f.nr_stack, f.stack, r->nr_free_stack, r->free_stack);
	if (r->flags & RL_REGION_F_SINGLE_REF)
		snprintf(f.detail, sizeof(f.detail),
			 "at %s: compound page pfn 0x%" PRIx64 " of %s region 0x%" PRIx64
			 " (%u pages) has refcount %" PRId64 ", expected %" PRId64
			 " = 1 (io_uring) + %" PRIu64 " mapped page(s)",
			 at_free ? "io_free_region" : "io_create_region", s->first_pfn,
			 rl_region_kind_name(r->kind), r->key, r->nr_pages, s->seen,
			 s->expected, (uint64_t)(s->expected - 1));
	else
		snprintf(f.detail, sizeof(f.detail),
			 "at %s: %u of %u page(s) of %s region 0x%" PRIx64 " short of "
			 "references; first pfn 0x%" PRIx64 " (page %u) has refcount %"
			 PRId64 ", expected %" PRId64 " = 1 (io_uring) + %u mapping(s)",
			 at_free ? "io_free_region" : "io_create_region", s->nr_short,
			 r->nr_described, rl_region_kind_name(r->kind), r->key,
			 s->first_pfn, s->first_index, s->seen, s->expected,
			 at_free ? s->first_claims : 0);
	finding_emit(l, &f);
}

/* RL002 as well: a page of a region io_uring still holds was freed, so the
 * reference io_uring counts on (refcount >= 1) was not there. */
static void rule_rl002_page_freed_under_live_region(struct rl_ledger *l,
						    const struct rl_event *ev,
						    const struct region *r,
						    uint32_t first_idx, uint32_t nr)
{
	struct origin o = origin_of(ev);
	struct rl_finding f;

	finding_init(&f, RL002, &o);
	finding_set_region(&f, r);
	f.pfn = r->pages[first_idx].pfn;
	f.nr_pfns = nr;
	f.refcount_seen = 0;
	f.refcount_expected = expected_refs(r, first_idx, true);
	copy_stack(&f.nr_stack, f.stack, ev->nr_stack, ev->stack);
	snprintf(f.detail, sizeof(f.detail),
		 "pfn 0x%" PRIx64 " (page %u of %s region 0x%" PRIx64 ") and %u more "
		 "freed while the region is live: io_uring's own reference was missing",
		 f.pfn, first_idx, rl_region_kind_name(r->kind), r->key, nr - 1);
	finding_emit(l, &f);
}

/* RL003: every region a ring context owns is freed before the context. */
static void rule_rl003_region_leaked_at_ctx_death(struct rl_ledger *l,
						  const struct rl_event *ev,
						  const struct ring_ctx *c,
						  struct region *r)
{
	struct rl_finding f;

	if (r->freed)
		return;
	r->leaked = true;
	/* who leaked it: the ring's creator, not the kworker that freed it */
	finding_init(&f, RL003, &c->born);
	f.ts_ns = ev->h.ts_ns;
	copy_stack(&f.nr_stack, f.stack, ev->nr_stack, ev->stack);
	finding_set_region(&f, r);
	f.nr_pfns = r->nr_pages;
	if (r->nr_described)
		f.pfn = r->pages[0].pfn;
	snprintf(f.detail, sizeof(f.detail),
		 "%s region 0x%" PRIx64 " (%u page(s), flags 0x%x) of ring context 0x%"
		 PRIx64 " (created by pid %u) was never freed when the context died",
		 rl_region_kind_name(r->kind), r->key, r->nr_pages, r->flags, c->key,
		 c->born.pid);
	finding_emit(l, &f);
}

/* RL004: no pin of a pin set outlives its owner: once io_uring has let go
 * of the buffer, ring or region the pins were taken for, and its ring has
 * died, every pin is dropped.  Judged at CTX_DEAD (after the asynchronous
 * teardown) and, for buffers shared by rings that all died, at the end. */
static void rule_rl004_pins_outlive_owner(struct rl_ledger *l, struct pinset *p,
					  const struct rl_event *ev, const char *why)
{
	struct rl_finding f;
	char owner[64];
	uint32_t folios;

	if (!p->held || p->rl004_reported)
		return;
	p->rl004_reported = true;
	finding_init(&f, RL004, &p->pinned_by);
	if (ev) {
		f.ts_ns = ev->h.ts_ns;
	}
	finding_set_pins(&f, p);
	folios = pinset_held_folios(p, &f.pfn);
	f.nr_pfns = folios;
	copy_stack(&f.nr_stack, f.stack, p->nr_release_stack, p->release_stack);
	copy_stack(&f.nr_setup_stack, f.setup_stack, p->nr_pin_stack, p->pin_stack);
	pin_owner_str(p, owner, sizeof(owner));
	snprintf(f.detail, sizeof(f.detail),
		 "%" PRIu64 " pin(s) on %u folio(s) of %s (uaddr 0x%" PRIx64 ", %u page(s), "
		 "pin set %" PRIu64 ", pinned by pid %u) still held after %s",
		 p->held, folios, owner, p->uaddr, p->nr_pages, p->key, p->pinned_by.pid, why);
	finding_emit(l, &f);
}

/* RL005: a provided-buffer ring is never unregistered while a kernel user
 * holds it pinned (seed 001: the unregister must fail with -EBUSY). */
static void rule_rl005_unregistered_while_pinned(struct rl_ledger *l, const struct rl_event *ev,
						 const struct bufring *b)
{
	struct origin o = origin_of(ev);
	struct rl_finding f;

	if (!b->pinned || ev->pbuf.ret != 0)
		return;
	finding_init(&f, RL005, &o);
	f.ctx = b->ctx;
	f.region_kind = RL_RK_PBUF;
	f.bgid = b->bgid;
	copy_stack(&f.nr_stack, f.stack, ev->nr_stack, ev->stack);
	copy_stack(&f.nr_setup_stack, f.setup_stack, b->nr_pin_stack, b->pin_stack);
	snprintf(f.detail, sizeof(f.detail),
		 "buffer ring %u of ring context 0x%" PRIx64 " (%s memory) was unregistered "
		 "(returned 0) while pinned by a kernel user (pid %u comm %.16s pinned it); "
		 "the unregister should have failed with -EBUSY",
		 b->bgid, b->ctx, b->ring_addr ? "user" : "kernel", b->pinned_by.pid,
		 b->pinned_by.comm);
	finding_emit(l, &f);
}

/* "anonymous memory", "shmem of mapping 0x...", ... */
static void backing_str(uint32_t backing, uint64_t file, char *buf, size_t len)
{
	if (!file)
		snprintf(buf, len, "%s memory", backing == RL_BK_ANON ? "anonymous" :
			 rl_backing_name(backing));
	else
		snprintf(buf, len, "%s of mapping 0x%" PRIx64, rl_backing_name(backing), file);
}

/* RL007: the pages of one pin set all belong to one file (anonymous memory
 * counting as one), and a long-term pin never lands on a file-backed page
 * other than shmem or hugetlb (seed 002's io_pin_pages rule).  Judged on
 * each folio as it is described; reported once per pin set. */
static void rule_rl007_pinned_folio_breaks_file_rule(struct rl_ledger *l, struct pinset *p,
						     const struct rl_event *ev, uint32_t j,
						     uint32_t page_idx)
{
	const struct rl_ev_pin *e = &ev->pin;
	uint32_t backing = e->backing[j] < RL_BK__MAX ? e->backing[j] : RL_BK_UNKNOWN;
	struct rl_finding f;
	char owner[64], why[160], first[56], this[56];

	if (p->rl007_reported || backing == RL_BK_UNKNOWN)
		return;
	if (backing == RL_BK_FILE) {
		snprintf(why, sizeof(why), "page %u (pfn 0x%" PRIx64 ") is page cache of "
			 "file mapping 0x%" PRIx64 ", neither shmem nor hugetlb",
			 page_idx, (uint64_t)e->pfn[j], (uint64_t)e->file[j]);
	} else if (e->file[j] != p->first_file) {
		backing_str(p->first_backing, p->first_file, first, sizeof(first));
		backing_str(backing, e->file[j], this, sizeof(this));
		snprintf(why, sizeof(why), "page 0 is %s but page %u (pfn 0x%" PRIx64 ") is %s",
			 first, page_idx, (uint64_t)e->pfn[j], this);
	} else {
		return;
	}
	p->rl007_reported = true;
	finding_init(&f, RL007, &p->pinned_by);
	f.ts_ns = ev->h.ts_ns;
	finding_set_pins(&f, p);
	f.pfn = e->pfn[j];
	f.nr_pfns = 1;
	copy_stack(&f.nr_stack, f.stack, p->nr_pin_stack, p->pin_stack);
	pin_owner_str(p, owner, sizeof(owner));
	snprintf(f.detail, sizeof(f.detail), "%.40s (uaddr 0x%" PRIx64 ", %u page(s), pin set %"
		 PRIu64 "): %.140s", owner, p->uaddr, p->nr_pages, p->key, why);
	finding_emit(l, &f);
}

/* RL009: a pin set never loses more pins of a folio than it took: an unpin
 * inside the release of a pin set the ledger saw pinned (so the tool was
 * attached before the pins were taken) drops only pins the set holds. */
static void rule_rl009_unpin_never_pinned(struct rl_ledger *l, struct pinset *p,
					  const struct rl_event *ev, uint64_t pfn,
					  uint32_t extra, bool retired)
{
	struct origin o = origin_of(ev);
	struct rl_finding f;
	char owner[64];

	if (!extra || (p && p->rl009_reported))
		return;
	finding_init(&f, RL009, &o);
	copy_stack(&f.nr_stack, f.stack, ev->nr_stack, ev->stack);
	f.pfn = pfn;
	f.nr_pfns = 1;
	f.pin_set = ev->unpin.key;
	f.pin_owner = ev->unpin.owner < RL_PO__MAX ? ev->unpin.owner : RL_PO_UNKNOWN;
	f.pin_owner_id = ev->unpin.owner_id;
	f.ctx = ev->unpin.ctx;
	if (retired) {
		snprintf(f.detail, sizeof(f.detail), "%u pin(s) of folio pfn 0x%" PRIx64
			 " dropped for pin set %" PRIu64 ", which had already dropped every "
			 "pin it took and been released", extra, pfn, (uint64_t)ev->unpin.key);
		finding_emit(l, &f);
		return;
	}
	p->rl009_reported = true;
	finding_set_pins(&f, p);
	if (!f.ctx)
		f.ctx = ev->unpin.ctx;
	copy_stack(&f.nr_setup_stack, f.setup_stack, p->nr_pin_stack, p->pin_stack);
	pin_owner_str(p, owner, sizeof(owner));
	snprintf(f.detail, sizeof(f.detail), "%u pin(s) of folio pfn 0x%" PRIx64 " dropped "
		 "for %s (pin set %" PRIu64 ", uaddr 0x%" PRIx64 "), which %s", extra, pfn,
		 owner, p->key, p->uaddr,
		 pinset_find_folio(p, pfn) == RL_NIL ? "never pinned that folio"
						       : "held no more pins of it");
	finding_emit(l, &f);
}

/* RL009 as well: io_free_region releases the pages it referenced at
 * create, not others (a page released that the region never referenced
 * loses a reference someone else holds). */
static void rule_rl009_release_never_referenced(struct rl_ledger *l, const struct region *r,
						const struct rl_ev_pages *pg)
{
	uint32_t n = pg->count < RL_PFNS_PER_EVENT ? pg->count : RL_PFNS_PER_EVENT;
	uint32_t i, nr_wrong = 0, first = 0;
	struct rl_finding f;

	for (i = 0; i < n && pg->first + i < r->nr_described; i++) {
		uint64_t had = r->pages[pg->first + i].pfn;

		if (!had || had == pg->pfn[i])
			continue;
		if (!nr_wrong++)
			first = i;
	}
	if (!nr_wrong)
		return;
	finding_init(&f, RL009, &r->freed_by);
	finding_set_region(&f, r);
	f.pfn = pg->pfn[first];
	f.nr_pfns = nr_wrong;
	copy_stack(&f.nr_stack, f.stack, r->nr_free_stack, r->free_stack);
	snprintf(f.detail, sizeof(f.detail), "io_free_region of %s region 0x%" PRIx64
		 " releases pfn 0x%" PRIx64 " as page %u, but page %u was pfn 0x%" PRIx64
		 " when the region was created (%u page(s) differ in this chunk)",
		 rl_region_kind_name(r->kind), r->key, (uint64_t)pg->pfn[first], pg->first + first,
		 pg->first + first, r->pages[pg->first + first].pfn, nr_wrong);
	finding_emit(l, &f);
}

/* RL006: a user mapping of the ring file maps exactly the region its offset
 * names, and is no larger than it.  Judged at MMAP and at INSERT_PAGES
 * (either can come first), reported once per vma. */
static void rule_rl006_mapping_mismatch(struct rl_ledger *l, uint32_t vslot,
					const struct rl_event *ev)
{
	struct vma *v = vma_at(l, vslot);
	const struct region *named = region_by_ref(l, v->named_slot, v->named_serial);
	const struct region *ins = region_by_ref(l, v->region_slot, v->region_serial);
	const struct region *r = named ? named : ins;
	const char *kind = rl_region_kind_name(v->offset_kind);
	struct origin o = origin_of(ev);
	struct rl_finding f;
	char why[200];

	if (v->rl006_reported)
		return;
	why[0] = '\0';
	if (v->mmap_seen && v->named_missing)
		snprintf(why, sizeof(why), "offset 0x%" PRIx64 " (%s) names no live region "
			 "of ctx 0x%" PRIx64, v->pgoff << RL_PAGE_SHIFT, kind, v->ctx);
	else if (r && region_user_provided(r))
		snprintf(why, sizeof(why), "maps user-provided %s region 0x%" PRIx64
			 ", which io_uring never maps", rl_region_kind_name(r->kind), r->key);
	else if (r && vma_bytes(v) > region_bytes(r))
		snprintf(why, sizeof(why), "vma of %" PRIu64 " page(s) is larger than "
			 "the %u page(s) of %s region 0x%" PRIx64,
			 vma_bytes(v) >> RL_PAGE_SHIFT, r->nr_pages,
			 rl_region_kind_name(r->kind), r->key);
	else if (ins && ins->kind != RL_RK_UNKNOWN && v->offset_kind != ins->kind)
		snprintf(why, sizeof(why), "offset names %s but pages of %s region 0x%"
			 PRIx64 " were inserted", kind, rl_region_kind_name(ins->kind), ins->key);
	else if (ins && named && ins != named)
		snprintf(why, sizeof(why), "offset names %s region 0x%" PRIx64 " but pages "
			 "of region 0x%" PRIx64 " were inserted", kind, named->key, ins->key);
	else if (ins && ins->kind == RL_RK_PBUF && v->offset_kind == RL_RK_PBUF &&
		 ins->bgid != v->offset_bgid)
		snprintf(why, sizeof(why), "offset names buffer group %u but pages of "
			 "group %u's ring 0x%" PRIx64 " were inserted", v->offset_bgid,
			 ins->bgid, ins->key);
	if (!why[0])
		return;
	v->rl006_reported = true;
	finding_init(&f, RL006, &o);
	if (r)
		finding_set_region(&f, r);
	else
		f.region_kind = v->offset_kind;
	f.ctx = v->ctx;
	if (v->offset_kind == RL_RK_PBUF)
		f.bgid = v->offset_bgid;
	finding_set_vma(&f, v);
	f.nr_pfns = (uint32_t)(vma_bytes(v) >> RL_PAGE_SHIFT);
	if (r && r->nr_described)
		f.pfn = r->pages[0].pfn;
	snprintf(f.detail, sizeof(f.detail), "vma 0x%" PRIx64 " [0x%" PRIx64 "-0x%"
		 PRIx64 ") pgoff 0x%" PRIx64 ": %s", v->key, v->start, v->end, v->pgoff, why);
	finding_emit(l, &f);
}

/* RL008: the address io_uring_get_unmapped_area returns is page aligned,
 * lies inside the user address space, and is where the mapping lands.
 * v is NULL when judging the returned area alone (at MMAP_AREA). */
static void rule_rl008_unmapped_area_breaks_window(struct rl_ledger *l,
						   const struct rl_event *ev,
						   const struct area *a,
						   const struct vma *v)
{
	struct origin o = origin_of(ev);
	struct rl_finding f;
	char why[200];

	why[0] = '\0';
	if (!v && (a->addr & (RL_PAGE_SIZE - 1)))
		snprintf(why, sizeof(why), "address 0x%" PRIx64 " is not page aligned",
			 a->addr);
	else if (!v && range_leaves(a->addr, a->len, a->window_end))
		snprintf(why, sizeof(why), "range [0x%" PRIx64 ", +0x%" PRIx64 ") leaves "
			 "the user address space (ends above 0x%" PRIx64 ")", a->addr, a->len,
			 a->window_end);
	else if (v && v->start != a->addr)
		snprintf(why, sizeof(why), "the mapping landed at 0x%" PRIx64 ", not at "
			 "0x%" PRIx64 " that get_unmapped_area returned", v->start, a->addr);
	else if (v && vma_bytes(v) > a->len)
		snprintf(why, sizeof(why), "the mapping [0x%" PRIx64 "-0x%" PRIx64 ") is "
			 "larger than the 0x%" PRIx64 " bytes reserved at 0x%" PRIx64,
			 v->start, v->end, a->len, a->addr);
	if (!why[0])
		return;
	finding_init(&f, RL008, &o);
	f.ctx = a->ctx;
	f.region_kind = rl_mmap_offset_kind(a->pgoff << RL_PAGE_SHIFT, &f.bgid);
	if (v)
		finding_set_vma(&f, v);
	else
		f.vma_pgoff = a->pgoff;
	snprintf(f.detail, sizeof(f.detail), "get_unmapped_area(len 0x%" PRIx64
		 ", pgoff 0x%" PRIx64 ") returned 0x%" PRIx64 ": %s", a->len, a->pgoff,
		 a->addr, why);
	finding_emit(l, &f);
}

/* RL008 for a BPF arena (seed 004): arena_get_unmapped_area reserved
 * [window, window + window_len) (twice the length) and must return an
 * address inside it whose range keeps its upper 32 bits (the arena's
 * kernel addressing is 32-bit).  An address outside the window was never
 * reserved: the mmap replaces whatever the task had mapped there. */
static void rule_rl008_arena_area(struct rl_ledger *l, const struct rl_event *ev)
{
	const struct rl_ev_arena *a = &ev->arena;
	uint64_t ret = (uint64_t)a->ret, len = a->len, win = a->window, wlen = a->window_len;
	uint64_t end = user_window_end(a->window_end);
	struct origin o = origin_of(ev);
	struct rl_finding f;
	char why[200];

	if ((a->ret < 0 && a->ret >= -MAX_ERRNO) || !len)
		return;
	why[0] = '\0';
	if (ret & (RL_PAGE_SIZE - 1))
		snprintf(why, sizeof(why), "address 0x%" PRIx64 " is not page aligned", ret);
	else if (wlen && (ret < win || len > wlen || ret - win > wlen - len))
		snprintf(why, sizeof(why), "[0x%" PRIx64 ", +0x%" PRIx64 ") leaves the window "
			 "[0x%" PRIx64 ", +0x%" PRIx64 ") get_unmapped_area reserved: the mmap "
			 "replaces whatever is mapped there", ret, len, win, wlen);
	else if ((ret >> 32) != ((ret + len - 1) >> 32))
		snprintf(why, sizeof(why), "[0x%" PRIx64 ", +0x%" PRIx64 ") crosses a 4 GiB "
			 "boundary: the arena's upper 32 bits must not change", ret, len);
	else if (range_leaves(ret, len, end))
		snprintf(why, sizeof(why), "[0x%" PRIx64 ", +0x%" PRIx64 ") leaves the user "
			 "address space (ends above 0x%" PRIx64 ")", ret, len, end);
	if (!why[0])
		return;
	finding_init(&f, RL008, &o);
	snprintf(f.detail, sizeof(f.detail), "BPF arena map 0x%" PRIx64 ": get_unmapped_area("
		 "addr 0x%" PRIx64 ", len 0x%" PRIx64 ") returned 0x%" PRIx64 ": %s",
		 (uint64_t)a->map, (uint64_t)a->addr, len, ret, why);
	finding_emit(l, &f);
}

/* RL010: the ledger saw every event the kernel side produced.  One finding
 * per counter; later losses of that counter add to its count. */
static void rule_rl010_events_lost(struct rl_ledger *l, const struct rl_event *ev)
{
	const char *name = rl_counter_name(ev->lost.counter);
	struct origin o = origin_of(ev);
	uint64_t idx, total = 0;
	struct rl_finding f;
	char cname[32];
	long at;

	if (name)
		snprintf(cname, sizeof(cname), "%s", name);
	else
		snprintf(cname, sizeof(cname), "recursion_miss[%u]",
			 ev->lost.counter - RL_CNT__MAX);
	rl_map_get(&l->lost_total, ev->lost.counter, &total);
	total += ev->lost.count;
	rl_map_put(&l->lost_total, ev->lost.counter, total);
	if (rl_map_get(&l->lost_finding, ev->lost.counter, &idx)) {
		snprintf(l->findings[idx].detail, sizeof(l->findings[idx].detail),
			 "%" PRIu64 " event(s) lost (counter %s)", total, cname);
		return;
	}
	finding_init(&f, RL010, &o);
	snprintf(f.detail, sizeof(f.detail), "%" PRIu64 " event(s) lost (counter %s)",
		 total, cname);
	at = finding_emit(l, &f);
	if (at >= 0)
		rl_map_put(&l->lost_finding, ev->lost.counter, (uint64_t)at);
}

/* RL010 as well: check waited for every ring context to die. */
static void rule_rl010_ctx_outlived_wait(struct rl_ledger *l, const struct ring_ctx *c)
{
	struct rl_finding f;

	finding_init(&f, RL010, &c->born);
	f.ctx = c->key;
	snprintf(f.detail, sizeof(f.detail), "ring context 0x%" PRIx64 " (created by "
		 "pid %u) did not die within the wait", c->key, c->born.pid);
	finding_emit(l, &f);
}

/* ---- event handlers --------------------------------------------------- */

static void pins_join_ctx(struct rl_ledger *l, uint64_t ctx, uint32_t tid);
static void pins_at_ctx_death(struct rl_ledger *l, const struct rl_event *ev, uint64_t ctx);
static void bufrings_at_ctx_death(struct rl_ledger *l, uint64_t ctx);

static void on_ctx_create(struct rl_ledger *l, const struct rl_event *ev)
{
	uint64_t key = ev->ctx.ctx;
	struct origin o = origin_of(ev);
	uint32_t c, s, next;

	if (!key)
		return;
	c = lookup(&l->ctx_by_key, key);
	if (c != RL_NIL && ctx_at(l, c)->observed) {
		ctx_forget(l, c);	/* born again: its CTX_DEAD was lost */
		c = RL_NIL;
	}
	if (c == RL_NIL)
		c = ctx_add(l, key, &o);
	if (c == RL_NIL)
		return;
	ctx_observe(l, c, &o);
	/* ring regions are created in io_uring_setup before the ctx is
	 * announced: the pending ones of this thread are its own */
	for (s = l->pending_head; s != RL_NIL; s = next) {
		next = region_at(l, s)->list_next;
		if (region_at(l, s)->created_by.tid == ev->h.tid)
			region_join_ctx(l, s, c);
	}
	pins_join_ctx(l, key, ev->h.tid);
}

static void on_ctx_dead(struct rl_ledger *l, const struct rl_event *ev)
{
	uint32_t c = lookup(&l->ctx_by_key, ev->ctx.ctx);
	struct ring_ctx *ctx;
	uint32_t s;

	if (ev->ctx.ctx) {
		pins_at_ctx_death(l, ev, ev->ctx.ctx);
		bufrings_at_ctx_death(l, ev->ctx.ctx);
	}
	if (c == RL_NIL)
		return;
	ctx = ctx_at(l, c);
	if (ctx->observed)
		l->st.ctx_dead++;
	for (s = ctx->first_region; s != RL_NIL; s = region_at(l, s)->list_next) {
		struct region *r = region_at(l, s);

		shortfall_flush(l, r, false);
		shortfall_flush(l, r, true);
		rule_rl003_region_leaked_at_ctx_death(l, ev, ctx, r);
	}
	ctx_forget(l, c);
}

static void on_region_create(struct rl_ledger *l, const struct rl_event *ev)
{
	const struct rl_ev_region *e = &ev->region;
	struct origin o = origin_of(ev);
	uint32_t old, s;
	struct region *r;

	if (e->ret != 0 || !e->region || e->region == RL_MAP_EMPTY)
		return;
	old = region_lookup(l, e->region);
	if (old != RL_NIL)
		region_unkey(l, old);
	s = rl_pool_alloc(&l->regions);
	if (s == RL_NIL)
		return;
	r = region_at(l, s);
	r->key = e->region;
	r->serial = ++l->next_serial;
	r->mr = e->mr;
	r->mmap_offset = e->mmap_offset;
	r->kind = e->kind < RL_RK__MAX ? e->kind : RL_RK_UNKNOWN;
	r->bgid = e->bgid;
	r->nr_pages = e->nr_pages;
	r->flags = e->flags;
	r->created_by = o;
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
		return;
	}
	r->keyed = true;
	l->st.regions_created++;
	if (e->ctx) {
		uint32_t c = lookup(&l->ctx_by_key, e->ctx);

		if (c == RL_NIL)
			c = ctx_add(l, e->ctx, &o);
		if (c != RL_NIL)
			region_join_ctx(l, s, c);
		else
			region_at(l, s)->ctx = e->ctx;
	} else {
		list_push(l, &l->pending_head, s);
		region_at(l, s)->pending = true;
	}
}

static void on_region_pages(struct rl_ledger *l, const struct rl_event *ev)
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
			rule_rl009_release_never_referenced(l, region_at(l, s), pg);
			rule_rl002_refcount_below_expected(l, s, pg);
		}
		return;
	}
	for (i = 0; i < n && pg->first + i < region_at(l, s)->nr_described; i++)
		page_describe(l, s, pg->first + i, pg->pfn[i]);
	rule_rl002_refcount_below_expected(l, s, pg);
}

static void on_region_free(struct rl_ledger *l, const struct rl_event *ev)
{
	uint32_t s = region_lookup(l, ev->region.region);
	struct region *r;

	if (s == RL_NIL)
		return;
	r = region_at(l, s);
	if (r->freed)
		return;
	r->freed = true;
	r->freed_by = origin_of(ev);
	copy_stack(&r->nr_free_stack, r->free_stack, ev->nr_stack, ev->stack);
	l->st.regions_freed++;
	if (r->pending)
		list_unlink(l, s);	/* setup failed: no ctx will own it */
	region_maybe_retire(l, s);
}

static void area_forget(struct rl_ledger *l, uint32_t tid)
{
	uint32_t a = lookup(&l->area_by_tid, tid);

	if (a == RL_NIL)
		return;
	rl_map_del(&l->area_by_tid, tid);
	rl_pool_release(&l->areas, a);
}

static bool is_err_value(int64_t ret)
{
	return ret < 0 && ret >= -MAX_ERRNO;
}

static void on_mmap_area(struct rl_ledger *l, const struct rl_event *ev)
{
	const struct rl_ev_mmap *m = &ev->mmap;
	uint32_t tid = ev->h.tid;
	struct area a;
	uint32_t i;

	area_forget(l, tid);
	if (is_err_value(m->ret))
		return;
	a.ctx = m->ctx;
	a.pgoff = m->pgoff;
	a.addr = (uint64_t)m->ret;
	a.len = m->end - m->start;
	a.window_end = user_window_end(m->window_end);
	rule_rl008_unmapped_area_breaks_window(l, ev, &a, NULL);
	i = rl_pool_alloc(&l->areas);
	if (i == RL_NIL)
		return;
	*(struct area *)rl_pool_at(&l->areas, i) = a;
	if (rl_map_put(&l->area_by_tid, tid, i))
		rl_pool_release(&l->areas, i);
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
			vma_forget(l, ev->mmap.vma);
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

/* Which region the mmap's offset names, for RL006. */
static void vma_resolve_offset(struct rl_ledger *l, struct vma *v)
{
	uint32_t c = lookup(&l->ctx_by_key, v->ctx);
	bool has_unknown = false;
	uint32_t s;

	v->named_slot = RL_NIL;
	v->named_missing = false;
	if (c == RL_NIL || v->offset_kind == RL_RK_UNKNOWN)
		return;
	s = ctx_find_region(l, ctx_at(l, c), v->offset_kind, v->offset_bgid, &has_unknown);
	if (s != RL_NIL) {
		v->named_slot = s;
		v->named_serial = region_at(l, s)->serial;
	} else {
		/* judged only when every region of the ctx is known */
		v->named_missing = ctx_at(l, c)->observed && !has_unknown;
	}
}

static void on_mmap(struct rl_ledger *l, const struct rl_event *ev)
{
	const struct rl_ev_mmap *m = &ev->mmap;
	uint32_t tid = ev->h.tid, a, i;
	struct vma *v;

	if (!m->vma || m->vma == RL_MAP_EMPTY)
		return;
	if (m->ret != 0) {
		/* the mmap failed: its vma never reached user space */
		vma_forget(l, m->vma);
		area_forget(l, tid);
		return;
	}
	l->st.mmaps++;
	i = vma_for_mapping(l, ev);
	if (i == RL_NIL)
		return;
	v = vma_at(l, i);
	v->mmap_seen = true;
	a = lookup(&l->area_by_tid, tid);
	if (a != RL_NIL) {
		const struct area *ar = rl_pool_at(&l->areas, a);

		if (ar->ctx == m->ctx && ar->pgoff == m->pgoff)
			rule_rl008_unmapped_area_breaks_window(l, ev, ar, v);
		area_forget(l, tid);
	}
	vma_resolve_offset(l, v);
	rule_rl006_mapping_mismatch(l, i, ev);
}

static void on_insert_pages(struct rl_ledger *l, const struct rl_event *ev)
{
	const struct rl_ev_mmap *m = &ev->mmap;
	uint32_t s = region_lookup(l, m->region);
	uint32_t inserted, i;
	struct region *r;
	struct vma *v;

	if (s == RL_NIL || !m->vma || m->vma == RL_MAP_EMPTY || m->ret != 0)
		return;
	inserted = m->nr_pages > m->nr_left ? m->nr_pages - m->nr_left : 0;
	i = vma_for_mapping(l, ev);
	if (i == RL_NIL)
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
	vma_claim(v, region_at(l, s), s, inserted);
	rule_rl006_mapping_mismatch(l, i, ev);
}

static void on_vma_dup(struct rl_ledger *l, const struct rl_event *ev)
{
	const struct rl_ev_vma *e = &ev->vma;
	uint32_t src = lookup(&l->vma_by_key, e->vma), dst, i;
	struct vma *o, *n;
	struct region *r;

	if (src == RL_NIL || !e->new_vma || e->new_vma == e->vma)
		return;
	vma_forget(l, e->new_vma);
	dst = vma_add(l, e->new_vma);
	if (dst == RL_NIL)
		return;
	o = vma_at(l, src);	/* re-read: vma_add may have moved the pool */
	n = vma_at(l, dst);
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

/* The vma was cut: it now covers [start, end), and the copy this thread
 * made of it just before (VMA_DUP) covers the rest.  That copy took a
 * claim on every page, as a fork's would; but a split takes no page
 * references, so each piece keeps the claims of its own range.  A failed
 * split freed the copy without remove_vma. */
static void on_vma_split(struct rl_ledger *l, const struct rl_event *ev)
{
	const struct rl_ev_vma *e = &ev->vma;
	uint32_t i = lookup(&l->vma_by_key, e->vma), ni;
	struct vma *o, *n = NULL;
	uint64_t cut_lo, cut_hi;

	if (i == RL_NIL)
		return;
	o = vma_at(l, i);
	ni = o->last_dup ? lookup(&l->vma_by_key, o->last_dup) : RL_NIL;
	o->last_dup = 0;
	if (ni != RL_NIL && vma_at(l, ni)->dup_of == o->key)
		n = vma_at(l, ni);
	if (e->ret != 0) {
		if (n)
			vma_forget(l, n->key);
		return;
	}
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

static void on_vma_zap(struct rl_ledger *l, const struct rl_event *ev)
{
	uint32_t i = lookup(&l->vma_by_key, ev->vma.vma);
	struct vma *v;

	if (i == RL_NIL)
		return;
	v = vma_at(l, i);
	vma_unclaim(l, v, false, ev->vma.start, ev->vma.end);
	region_maybe_retire(l, v->region_slot);
}

static void on_vma_remove(struct rl_ledger *l, const struct rl_event *ev)
{
	if (lookup(&l->vma_by_key, ev->vma.vma) == RL_NIL)
		return;
	l->st.vmas_removed++;
	vma_forget(l, ev->vma.vma);
}

/* Flush one region's share of a PAGE_FREE: the RL001/RL002 findings, then
 * the pages leave the books. */
struct free_run {
	uint32_t slot;
	uint32_t first_mapped, nr_mapped;	/* pages still claimed          */
	uint32_t first_live, nr_live;		/* unclaimed, region not closed */
};

static void free_run_flush(struct rl_ledger *l, const struct rl_event *ev,
			   struct free_run *run)
{
	struct region *r;

	if (run->slot == RL_NIL)
		return;
	r = region_at(l, run->slot);
	if (run->nr_mapped)
		rule_rl001_page_freed_while_mapped(l, ev, r, run->first_mapped, run->nr_mapped);
	if (run->nr_live)
		rule_rl002_page_freed_under_live_region(l, ev, r, run->first_live,
							run->nr_live);
	region_maybe_retire(l, run->slot);
	run->slot = RL_NIL;
}

static void on_page_free(struct rl_ledger *l, const struct rl_event *ev)
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

/* ---- pins --------------------------------------------------------------- */

/* The first folio fixes what "the same file" means for the set. */
static void pin_note_first_folio(struct pinset *p, const struct rl_ev_pin *e, uint32_t j)
{
	if (p->pages_described || p->nr_folios)
		return;
	p->first_file = e->file[j];
	p->first_backing = e->backing[j] < RL_BK__MAX ? e->backing[j] : RL_BK_UNKNOWN;
}

static void on_pin(struct rl_ledger *l, const struct rl_event *ev)
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
		pin_note_first_folio(p, e, j);
		rule_rl007_pinned_folio_breaks_file_rule(l, p, ev, j, page);
		if (pinset_add_folio(p, e->pfn[j], e->npins[j]) == RL_NIL)
			break;
		p->pages_described += e->npins[j];
		page += e->npins[j];
		l->st.pins_taken += e->npins[j];
	}
}

/* The end of a scope: how io_uring let go of the set, if it did. */
static void pinset_scope_end(struct pinset *p, const struct rl_event *ev)
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

static void on_unpin(struct rl_ledger *l, const struct rl_event *ev)
{
	const struct rl_ev_unpin *e = &ev->unpin;
	uint32_t n = e->count < RL_UNPINS_PER_EVENT ? e->count : RL_UNPINS_PER_EVENT;
	uint32_t s = lookup(&l->pinset_by_key, e->key), j;
	struct pinset *p;

	for (j = 0; j < n; j++)
		l->st.pins_dropped += e->npins[j];
	if (s == RL_NIL) {
		/* a pin set we saw released with no pin left: nothing to drop */
		if (n && rl_map_get(&l->retired_pins, e->key, NULL))
			rule_rl009_unpin_never_pinned(l, NULL, ev, e->pfn[0], e->npins[0], true);
		return;
	}
	p = pinset_at(l, s);
	for (j = 0; j < n; j++) {
		uint32_t extra = pinset_drop(p, e->pfn[j], e->npins[j]);

		/* a set not wholly described may hold what we did not see */
		if (extra && pinset_complete(p))
			rule_rl009_unpin_never_pinned(l, p, ev, e->pfn[j], extra, false);
	}
	if (e->flags & RL_UNPIN_F_END)
		pinset_scope_end(p, ev);
	pinset_maybe_retire(l, s);
}

/* Pins taken while a ring was set up (IORING_SETUP_NO_MMAP) belong to the
 * ring its thread announces next. */
static void pins_join_ctx(struct rl_ledger *l, uint64_t ctx, uint32_t tid)
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

/* The ring died, after its asynchronous teardown: every pin set it
 * answers for must have dropped its pins, except one it shares with a
 * clone that still holds it. */
static void pins_at_ctx_death(struct rl_ledger *l, const struct rl_event *ev, uint64_t ctx)
{
	char why[96];
	uint32_t i;

	for (i = 0; i < l->pinsets.nr; i++) {
		struct pinset *p;

		if (!rl_pool_live(&l->pinsets, i))
			continue;
		p = pinset_at(l, i);
		if (p->ctx != ctx || p->shared)
			continue;
		if (p->released)
			snprintf(why, sizeof(why), "io_uring released it and ring context 0x%"
				 PRIx64 " died", ctx);
		else
			snprintf(why, sizeof(why), "its ring context 0x%" PRIx64 " died", ctx);
		rule_rl004_pins_outlive_owner(l, p, ev, why);
		if (!p->held)
			pinset_forget(l, i);
	}
}

/* ---- buffer rings ------------------------------------------------------- */

static void on_pbuf_reg(struct rl_ledger *l, const struct rl_event *ev)
{
	uint32_t i;
	struct bufring *b;

	if (ev->pbuf.ret != 0)
		return;
	i = bufring_find(l, ev->pbuf.ctx, ev->pbuf.bgid, true);
	if (i == RL_NIL)
		return;
	b = bufring_at(l, i);
	b->registered = true;
	b->pinned = false;
	b->ring_addr = ev->pbuf.ring_addr;
}

static void on_pbuf_unreg(struct rl_ledger *l, const struct rl_event *ev)
{
	uint32_t i = bufring_find(l, ev->pbuf.ctx, ev->pbuf.bgid, false);

	if (i == RL_NIL || ev->pbuf.ret != 0)
		return;
	rule_rl005_unregistered_while_pinned(l, ev, bufring_at(l, i));
	rl_pool_release(&l->bufrings, i);
}

static void on_bufring_pin(struct rl_ledger *l, const struct rl_event *ev)
{
	uint32_t i;
	struct bufring *b;

	if (ev->pbuf.ret != 0)
		return;
	i = bufring_find(l, ev->pbuf.ctx, ev->pbuf.bgid, true);
	if (i == RL_NIL)
		return;
	b = bufring_at(l, i);
	b->pinned = true;
	b->pinned_by = origin_of(ev);
	copy_stack(&b->nr_pin_stack, b->pin_stack, ev->nr_stack, ev->stack);
}

static void on_bufring_unpin(struct rl_ledger *l, const struct rl_event *ev)
{
	uint32_t i = bufring_find(l, ev->pbuf.ctx, ev->pbuf.bgid, false);

	if (i != RL_NIL && ev->pbuf.ret == 0)
		bufring_at(l, i)->pinned = false;
}

static void bufrings_at_ctx_death(struct rl_ledger *l, uint64_t ctx)
{
	uint32_t i;

	for (i = 0; i < l->bufrings.nr; i++) {
		if (rl_pool_live(&l->bufrings, i) && bufring_at(l, i)->ctx == ctx)
			rl_pool_release(&l->bufrings, i);
	}
}

/* ---- the public interface -------------------------------------------- */

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
	switch (ev->h.type) {
	case RL_EV_CTX_CREATE:
		on_ctx_create(l, ev);
		break;
	case RL_EV_CTX_DEAD:
		on_ctx_dead(l, ev);
		break;
	case RL_EV_REGION_CREATE:
		on_region_create(l, ev);
		break;
	case RL_EV_REGION_PAGES:
		on_region_pages(l, ev);
		break;
	case RL_EV_REGION_FREE:
		on_region_free(l, ev);
		break;
	case RL_EV_MMAP_AREA:
		on_mmap_area(l, ev);
		break;
	case RL_EV_MMAP:
		on_mmap(l, ev);
		break;
	case RL_EV_INSERT_PAGES:
		on_insert_pages(l, ev);
		break;
	case RL_EV_VMA_DUP:
		on_vma_dup(l, ev);
		break;
	case RL_EV_VMA_SPLIT:
		on_vma_split(l, ev);
		break;
	case RL_EV_ARENA_AREA:
		rule_rl008_arena_area(l, ev);
		break;
	case RL_EV_VMA_ZAP:
		on_vma_zap(l, ev);
		break;
	case RL_EV_VMA_REMOVE:
		on_vma_remove(l, ev);
		break;
	case RL_EV_PAGE_FREE:
		on_page_free(l, ev);
		break;
	case RL_EV_PIN:
		on_pin(l, ev);
		break;
	case RL_EV_UNPIN:
		on_unpin(l, ev);
		break;
	case RL_EV_PBUF_REG:
		on_pbuf_reg(l, ev);
		break;
	case RL_EV_PBUF_UNREG:
		on_pbuf_unreg(l, ev);
		break;
	case RL_EV_BUFRING_PIN:
		on_bufring_pin(l, ev);
		break;
	case RL_EV_BUFRING_UNPIN:
		on_bufring_unpin(l, ev);
		break;
	case RL_EV_LOST:
		l->st.lost_events += ev->lost.count;
		rule_rl010_events_lost(l, ev);
		break;
	default:
		/* PROC_*: informative */
		break;
	}
}

size_t rl_ledger_live_ctxs(const struct rl_ledger *l)
{
	return l->live_observed_ctxs;
}

/* Every ring died: a buffer shared between rings that none released, or
 * a set released by a ring whose death we did not see, still pinned. */
static void pins_at_end(struct rl_ledger *l)
{
	uint32_t i;

	if (l->live_observed_ctxs)
		return;
	for (i = 0; i < l->pinsets.nr; i++) {
		struct pinset *p;

		if (!rl_pool_live(&l->pinsets, i))
			continue;
		p = pinset_at(l, i);
		if (p->shared)
			rule_rl004_pins_outlive_owner(l, p, NULL, "every ring sharing it died "
						      "without releasing it");
		else if (p->released)
			rule_rl004_pins_outlive_owner(l, p, NULL, "io_uring released it");
	}
}

void rl_ledger_finish(struct rl_ledger *l, bool ctx_wait_timed_out)
{
	size_t it = 0;
	uint64_t key, val;
	uint32_t i;

	if (l->finished)
		return;
	l->finished = true;
	for (i = 0; i < l->regions.nr; i++) {
		if (!rl_pool_live(&l->regions, i))
			continue;
		shortfall_flush(l, region_at(l, i), false);
		shortfall_flush(l, region_at(l, i), true);
	}
	if (!ctx_wait_timed_out) {
		pins_at_end(l);
		return;
	}
	while (rl_map_next(&l->ctx_by_key, &it, &key, &val)) {
		const struct ring_ctx *c = ctx_at(l, (uint32_t)val);

		if (c->observed)
			rule_rl010_ctx_outlived_wait(l, c);
	}
}

void rl_ledger_note_inconclusive(struct rl_ledger *l, const char *why)
{
	struct origin none = {};
	struct rl_finding f;

	finding_init(&f, RL010, &none);
	snprintf(f.detail, sizeof(f.detail), "%s", why);
	finding_emit(l, &f);
}

size_t rl_ledger_pages_awaiting_free(const struct rl_ledger *l)
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

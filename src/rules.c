// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rules.c - the rules RL001..RL010, in id order.
 *
 * Each id is emitted by one function only, rule_rlNNN_*, whose comment
 * states the invariant it guards.  A rule reads the books and the event and
 * judges; it never changes the books: what follows from its verdict (a
 * region leaked, a record reported once) is done by the handler that asked
 * (see rules.h).  Helpers named rlNNN_* build the finding of one case of
 * rule NNN; only the rule hands it out.
 */
#include <inttypes.h>
#include <stdio.h>
#include "rules.h"

/* RL001: a page of a tracked region is never freed while a live vma maps it. */
void rule_rl001_page_freed_while_mapped(struct rl_ledger *l, const struct rl_event *ev,
					const struct region *r, uint32_t first_idx,
					uint32_t nr_mapped)
{
	const struct page_slot *p;
	struct origin o;
	const struct vma *v;
	struct rl_finding f;

	if (!nr_mapped)
		return;
	p = &r->pages[first_idx];
	o = origin_of(ev);
	v = vma_mapping_page(l, r, first_idx);
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

void rl002_judge_chunk(const struct rl_ledger *l, const struct region *r,
		       const struct rl_ev_pages *pg, const struct shortfall *so_far,
		       struct shortfall *s)
{
	bool at_free = pg->at_free != 0;
	uint32_t n = pg->count < RL_PFNS_PER_EVENT ? pg->count : RL_PFNS_PER_EVENT;
	uint32_t i;

	memset(s, 0, sizeof(*s));
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
		if (s->nr_short++ || so_far->nr_short)
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
}

/* RL002 at a complete sampling: the pages its chunks found short. */
static bool rl002_sampling(struct rl_finding *f, const struct region *r, bool at_free)
{
	const struct shortfall *s = at_free ? &r->at_free : &r->at_create;
	const struct origin *o = at_free ? &r->freed_by : &r->created_by;
	const char *when = at_free ? "io_free_region" : "io_create_region";

	if (s->flushed || !s->nr_short)
		return false;
	finding_init(f, RL002, o);
	finding_set_region(f, r);
	f->vma = s->vma;
	f->vma_start = s->vma_start;
	f->vma_end = s->vma_end;
	f->vma_pgoff = s->vma_pgoff;
	f->pfn = s->first_pfn;
	f->nr_pfns = s->nr_short;
	f->refcount_seen = s->seen;
	f->refcount_expected = s->expected;
	if (at_free)
		copy_stack(&f->nr_stack, f->stack, r->nr_free_stack, r->free_stack);
	if (r->flags & RL_REGION_F_SINGLE_REF)
		snprintf(f->detail, sizeof(f->detail),
			 "at %s: compound page pfn 0x%" PRIx64 " of %s region 0x%" PRIx64
			 " (%u pages) has refcount %" PRId64 ", expected %" PRId64
			 " = 1 (io_uring) + %" PRIu64 " mapped page(s)",
			 when, s->first_pfn, rl_region_kind_name(r->kind), r->key,
			 r->nr_pages, s->seen, s->expected, (uint64_t)(s->expected - 1));
	else
		snprintf(f->detail, sizeof(f->detail),
			 "at %s: %u of %u page(s) of %s region 0x%" PRIx64 " short of "
			 "references; first pfn 0x%" PRIx64 " (page %u) has refcount %"
			 PRId64 ", expected %" PRId64 " = 1 (io_uring) + %u mapping(s)",
			 when, s->nr_short, r->nr_described, rl_region_kind_name(r->kind),
			 r->key, s->first_pfn, s->first_index, s->seen, s->expected,
			 at_free ? s->first_claims : 0);
	return true;
}

/* RL002 at a PAGE_FREE: pages of a region io_uring still holds were freed,
 * so the reference io_uring counts on (refcount >= 1) was not there. */
static bool rl002_freed_live(struct rl_finding *f, const struct rl002_case *c)
{
	const struct region *r = c->r;
	struct origin o;

	if (!c->nr)
		return false;
	o = origin_of(c->ev);
	finding_init(f, RL002, &o);
	finding_set_region(f, r);
	f->pfn = r->pages[c->first_idx].pfn;
	f->nr_pfns = c->nr;
	f->refcount_seen = 0;
	f->refcount_expected = expected_refs(r, c->first_idx, true);
	copy_stack(&f->nr_stack, f->stack, c->ev->nr_stack, c->ev->stack);
	snprintf(f->detail, sizeof(f->detail),
		 "pfn 0x%" PRIx64 " (page %u of %s region 0x%" PRIx64 ") and %u more "
		 "freed while the region is live: io_uring's own reference was missing",
		 f->pfn, c->first_idx, rl_region_kind_name(r->kind), r->key, c->nr - 1);
	return true;
}

/* RL002: refcount(page) >= io_uring's reference + live user mappings, at
 * every sampling (REGION_PAGES at create and at free) and until io_uring
 * lets the page go.  True when it emitted (a sampling is reported once). */
bool rule_rl002_missing_reference(struct rl_ledger *l, const struct rl002_case *c)
{
	struct rl_finding f;
	bool found = c->what == RL002_SAMPLING ? rl002_sampling(&f, c->r, c->at_free)
					       : rl002_freed_live(&f, c);

	if (found)
		finding_emit(l, &f);
	return found;
}

/* RL003: every region a ring context owns is freed before the context.
 * A zcrx refill region is its interface queue's, not the ring's: the queue
 * can outlive the ring that made it (exported and imported into another
 * ring, or held by the page pool) and is freed when its last reference
 * goes, by whichever ring's exit work drops it. */
bool rule_rl003_region_leaked_at_ctx_death(struct rl_ledger *l, const struct rl_event *ev,
					   const struct ring_ctx *c, const struct region *r)
{
	struct rl_finding f;

	if (r->freed || r->kind == RL_RK_ZCRX)
		return false;
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
	return true;
}

/* RL004: no pin of a pin set outlives its owner: once io_uring has let go
 * of the buffer, ring or region the pins were taken for, and its ring has
 * died, every pin is dropped.  Judged at CTX_DEAD (after the asynchronous
 * teardown) and, for buffers shared by rings that all died, at the end.
 * True when it emitted (a pin set is reported once). */
bool rule_rl004_pins_outlive_owner(struct rl_ledger *l, const struct pinset *p,
				   const struct rl_event *ev, enum rl004_what what)
{
	struct rl_finding f;
	char owner[64], why[96];
	uint32_t folios;

	if (!p->held || p->rl004_reported)
		return false;
	if (what == RL004_SHARERS_DIED)
		snprintf(why, sizeof(why), "every ring sharing it died without releasing it");
	else if (what == RL004_RELEASED)
		snprintf(why, sizeof(why), "io_uring released it");
	else if (p->released)
		snprintf(why, sizeof(why), "io_uring released it and ring context 0x%"
			 PRIx64 " died", (uint64_t)ev->ctx.ctx);
	else
		snprintf(why, sizeof(why), "its ring context 0x%" PRIx64 " died",
			 (uint64_t)ev->ctx.ctx);
	finding_init(&f, RL004, &p->pinned_by);
	if (ev)
		f.ts_ns = ev->h.ts_ns;
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
	return true;
}

/* RL005: a provided-buffer ring is never unregistered while a kernel user
 * holds it pinned (seed 001: the unregister must fail with -EBUSY). */
void rule_rl005_unregistered_while_pinned(struct rl_ledger *l, const struct rl_event *ev,
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

/* The region v's offset names: while a resize has the old and the new
 * rings both live, the one whose pages were inserted if it is either. */
static const struct region *rl006_named(const struct rl_ledger *l, const struct vma *v)
{
	const struct region *named = region_by_ref(l, v->named_slot, v->named_serial);
	const struct region *other = region_by_ref(l, v->named2_slot, v->named2_serial);
	const struct region *ins = region_by_ref(l, v->region_slot, v->region_serial);

	return other && ins == other ? other : named;
}

/* What is wrong with the mapping v, in words; "" if nothing. */
static void rl006_why(const struct rl_ledger *l, const struct vma *v, char *why, size_t len)
{
	const struct region *named = rl006_named(l, v);
	const struct region *ins = region_by_ref(l, v->region_slot, v->region_serial);
	const struct region *r = named ? named : ins;
	const char *kind = rl_region_kind_name(v->offset_kind);

	why[0] = '\0';
	if (v->mmap_seen && v->named_missing)
		snprintf(why, len, "offset 0x%" PRIx64 " (%s) names no live region "
			 "of ctx 0x%" PRIx64, v->pgoff << RL_PAGE_SHIFT, kind, v->ctx);
	else if (r && region_user_provided(r))
		snprintf(why, len, "maps user-provided %s region 0x%" PRIx64
			 ", which io_uring never maps", rl_region_kind_name(r->kind), r->key);
	else if (r && vma_bytes(v) > region_bytes(r))
		snprintf(why, len, "vma of %" PRIu64 " page(s) is larger than "
			 "the %u page(s) of %s region 0x%" PRIx64,
			 vma_bytes(v) >> RL_PAGE_SHIFT, r->nr_pages,
			 rl_region_kind_name(r->kind), r->key);
	else if (ins && ins->kind != RL_RK_UNKNOWN && v->offset_kind != ins->kind)
		snprintf(why, len, "offset names %s but pages of %s region 0x%"
			 PRIx64 " were inserted", kind, rl_region_kind_name(ins->kind), ins->key);
	else if (ins && named && ins != named)
		snprintf(why, len, "offset names %s region 0x%" PRIx64 " but pages "
			 "of region 0x%" PRIx64 " were inserted", kind, named->key, ins->key);
	else if (ins && ins->kind == RL_RK_PBUF && v->offset_kind == RL_RK_PBUF &&
		 ins->bgid != v->offset_bgid)
		snprintf(why, len, "offset names buffer group %u but pages of "
			 "group %u's ring 0x%" PRIx64 " were inserted", v->offset_bgid,
			 ins->bgid, ins->key);
}

/* RL006: a user mapping of the ring file maps exactly the region its offset
 * names, and is no larger than it.  Judged at MMAP and at INSERT_PAGES
 * (either can come first).  True when it emitted (a vma is reported once). */
bool rule_rl006_mapping_mismatch(struct rl_ledger *l, const struct vma *v,
				 const struct rl_event *ev)
{
	const struct region *named = rl006_named(l, v);
	const struct region *r = named ? named :
				 region_by_ref(l, v->region_slot, v->region_serial);
	struct origin o = origin_of(ev);
	struct rl_finding f;
	char why[200];

	if (v->rl006_reported)
		return false;
	rl006_why(l, v, why, sizeof(why));
	if (!why[0])
		return false;
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
	return true;
}

/* RL007: the pages of one pin set all belong to one file (anonymous memory
 * counting as one), and a long-term pin never lands on a file-backed page
 * other than shmem or hugetlb (seed 002's io_pin_pages rule).  Judged on
 * each folio as it is described.  True when it emitted (a pin set is
 * reported once). */
bool rule_rl007_pinned_folio_breaks_file_rule(struct rl_ledger *l, const struct pinset *p,
					      const struct rl_event *ev, uint32_t j,
					      uint32_t page_idx)
{
	const struct rl_ev_pin *e = &ev->pin;
	uint32_t backing = e->backing[j] < RL_BK__MAX ? e->backing[j] : RL_BK_UNKNOWN;
	struct rl_finding f;
	char owner[64], why[160], first[56], this[56];

	if (p->rl007_reported || backing == RL_BK_UNKNOWN)
		return false;
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
		return false;
	}
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
	return true;
}

/* What is wrong with the address io_uring handed out, in words. */
static void rl008_ring_why(const struct rl008_case *c, char *why, size_t len)
{
	const struct area *a = c->area;
	const struct vma *v = c->vma;

	if (c->what == RL008_RING_AREA && (a->addr & (RL_PAGE_SIZE - 1)))
		snprintf(why, len, "address 0x%" PRIx64 " is not page aligned", a->addr);
	else if (c->what == RL008_RING_AREA && range_leaves(a->addr, a->len, a->window_end))
		snprintf(why, len, "range [0x%" PRIx64 ", +0x%" PRIx64 ") leaves "
			 "the user address space (ends above 0x%" PRIx64 ")", a->addr, a->len,
			 a->window_end);
	else if (c->what == RL008_RING_MAPPING && v->start != a->addr)
		snprintf(why, len, "the mapping landed at 0x%" PRIx64 ", not at "
			 "0x%" PRIx64 " that get_unmapped_area returned", v->start, a->addr);
	else if (c->what == RL008_RING_MAPPING && vma_bytes(v) > a->len)
		snprintf(why, len, "the mapping [0x%" PRIx64 "-0x%" PRIx64 ") is "
			 "larger than the 0x%" PRIx64 " bytes reserved at 0x%" PRIx64,
			 v->start, v->end, a->len, a->addr);
}

/* What is wrong with the address a BPF arena handed out, in words.
 * arena_get_unmapped_area reserved [window, window + window_len) (twice
 * the length) and must return an address inside it whose range keeps its
 * upper 32 bits (the arena's kernel addressing is 32-bit).  An address
 * outside the window was never reserved: the mmap replaces whatever the
 * task had mapped there. */
static void rl008_arena_why(const struct rl_ev_arena *a, char *why, size_t len)
{
	uint64_t ret = (uint64_t)a->ret, n = a->len, win = a->window, wlen = a->window_len;
	uint64_t end = user_window_end(a->window_end);

	if (is_err_value(a->ret) || !n)
		return;
	if (ret & (RL_PAGE_SIZE - 1))
		snprintf(why, len, "address 0x%" PRIx64 " is not page aligned", ret);
	else if (wlen && (ret < win || n > wlen || ret - win > wlen - n))
		snprintf(why, len, "[0x%" PRIx64 ", +0x%" PRIx64 ") leaves the window "
			 "[0x%" PRIx64 ", +0x%" PRIx64 ") get_unmapped_area reserved: the mmap "
			 "replaces whatever is mapped there", ret, n, win, wlen);
	else if ((ret >> 32) != ((ret + n - 1) >> 32))
		snprintf(why, len, "[0x%" PRIx64 ", +0x%" PRIx64 ") crosses a 4 GiB "
			 "boundary: the arena's upper 32 bits must not change", ret, n);
	else if (range_leaves(ret, n, end))
		snprintf(why, len, "[0x%" PRIx64 ", +0x%" PRIx64 ") leaves the user "
			 "address space (ends above 0x%" PRIx64 ")", ret, n, end);
}

/* RL008: the address get_unmapped_area returns for a ring (or a BPF arena,
 * seed 004) is page aligned, lies inside the user address space and the
 * window it reserved, and is where the mapping lands. */
void rule_rl008_unmapped_area_breaks_window(struct rl_ledger *l, const struct rl008_case *c)
{
	struct origin o = origin_of(c->ev);
	const struct area *a = c->area;
	struct rl_finding f;
	char why[200];

	why[0] = '\0';
	if (c->what == RL008_ARENA)
		rl008_arena_why(&c->ev->arena, why, sizeof(why));
	else
		rl008_ring_why(c, why, sizeof(why));
	if (!why[0])
		return;
	finding_init(&f, RL008, &o);
	if (c->what == RL008_ARENA) {
		const struct rl_ev_arena *e = &c->ev->arena;

		snprintf(f.detail, sizeof(f.detail), "BPF arena map 0x%" PRIx64 ": "
			 "get_unmapped_area(addr 0x%" PRIx64 ", len 0x%" PRIx64 ") returned "
			 "0x%" PRIx64 ": %s", (uint64_t)e->map, (uint64_t)e->addr,
			 (uint64_t)e->len, (uint64_t)e->ret, why);
	} else {
		f.ctx = a->ctx;
		f.region_kind = rl_mmap_offset_kind(a->pgoff << RL_PAGE_SHIFT, &f.bgid);
		if (c->vma)
			finding_set_vma(&f, c->vma);
		else
			f.vma_pgoff = a->pgoff;
		snprintf(f.detail, sizeof(f.detail), "get_unmapped_area(len 0x%" PRIx64
			 ", pgoff 0x%" PRIx64 ") returned 0x%" PRIx64 ": %s", a->len, a->pgoff,
			 a->addr, why);
	}
	finding_emit(l, &f);
}

/* RL009 at an unpin: pins of a folio the set never pinned, or no longer
 * held, or of a set already retired. */
static bool rl009_unpin(struct rl_finding *f, const struct rl009_case *c)
{
	const struct rl_event *ev = c->ev;
	const struct pinset *p = c->p;
	struct origin o;
	char owner[64];

	if (!c->extra || (p && (p->rl009_reported || !pinset_complete(p))))
		return false;
	o = origin_of(ev);
	finding_init(f, RL009, &o);
	copy_stack(&f->nr_stack, f->stack, ev->nr_stack, ev->stack);
	f->pfn = c->pfn;
	f->nr_pfns = 1;
	f->pin_set = ev->unpin.key;
	f->pin_owner = ev->unpin.owner < RL_PO__MAX ? ev->unpin.owner : RL_PO_UNKNOWN;
	f->pin_owner_id = ev->unpin.owner_id;
	f->ctx = ev->unpin.ctx;
	if (c->what == RL009_UNPIN_RETIRED) {
		snprintf(f->detail, sizeof(f->detail), "%u pin(s) of folio pfn 0x%" PRIx64
			 " dropped for pin set %" PRIu64 ", which had already dropped every "
			 "pin it took and been released", c->extra, c->pfn,
			 (uint64_t)ev->unpin.key);
		return true;
	}
	finding_set_pins(f, p);
	if (!f->ctx)
		f->ctx = ev->unpin.ctx;
	copy_stack(&f->nr_setup_stack, f->setup_stack, p->nr_pin_stack, p->pin_stack);
	pin_owner_str(p, owner, sizeof(owner));
	snprintf(f->detail, sizeof(f->detail), "%u pin(s) of folio pfn 0x%" PRIx64 " dropped "
		 "for %s (pin set %" PRIu64 ", uaddr 0x%" PRIx64 "), which %s", c->extra,
		 c->pfn, owner, p->key, p->uaddr,
		 pinset_has_folio(p, c->pfn) ? "held no more pins of it"
					     : "never pinned that folio");
	return true;
}

/* RL009 at io_free_region: pages of one chunk that are not the ones the
 * region referenced at create. */
static bool rl009_release(struct rl_finding *f, const struct region *r,
			  const struct rl_ev_pages *pg)
{
	uint32_t n = pg->count < RL_PFNS_PER_EVENT ? pg->count : RL_PFNS_PER_EVENT;
	uint32_t i, nr_wrong = 0, first = 0;

	for (i = 0; i < n && pg->first + i < r->nr_described; i++) {
		uint64_t had = r->pages[pg->first + i].pfn;

		if (!had || had == pg->pfn[i])
			continue;
		if (!nr_wrong++)
			first = i;
	}
	if (!nr_wrong)
		return false;
	finding_init(f, RL009, &r->freed_by);
	finding_set_region(f, r);
	f->pfn = pg->pfn[first];
	f->nr_pfns = nr_wrong;
	copy_stack(&f->nr_stack, f->stack, r->nr_free_stack, r->free_stack);
	snprintf(f->detail, sizeof(f->detail), "io_free_region of %s region 0x%" PRIx64
		 " releases pfn 0x%" PRIx64 " as page %u, but page %u was pfn 0x%" PRIx64
		 " when the region was created (%u page(s) differ in this chunk)",
		 rl_region_kind_name(r->kind), r->key, (uint64_t)pg->pfn[first], pg->first + first,
		 pg->first + first, r->pages[pg->first + first].pfn, nr_wrong);
	return true;
}

/* RL009: nothing drops what it never took: an unpin inside the release of
 * a pin set the ledger saw wholly pinned (so the tool was attached before
 * the pins were taken) drops only pins the set holds, and io_free_region
 * releases the pages it referenced at create, not others (that would lose
 * a reference someone else holds).  True when it emitted (a pin set is
 * reported once). */
bool rule_rl009_dropped_never_taken(struct rl_ledger *l, const struct rl009_case *c)
{
	struct rl_finding f;
	bool found = c->what == RL009_RELEASE ? rl009_release(&f, c->r, c->pg)
					      : rl009_unpin(&f, c);

	if (found)
		finding_emit(l, &f);
	return found;
}

/* RL010 for a loss counter: its name, and the sentence of its total. */
static void rl010_lost_detail(char *buf, size_t len, const struct rl_event *ev,
			      uint64_t total)
{
	const char *name = rl_counter_name(ev->lost.counter);
	char cname[32];

	if (name)
		snprintf(cname, sizeof(cname), "%s", name);
	else
		snprintf(cname, sizeof(cname), "%u", ev->lost.counter);
	snprintf(buf, len, "%" PRIu64 " event(s) lost (counter %s)", total, cname);
}

/* RL010: the verdict rests on every event the kernel side produced, every
 * hook it needed, and every ring context dying within check's wait; when
 * one is missing, the verdict is inconclusive.  A loss counter has one
 * finding: later losses update its count (`stored`). */
long rule_rl010_inconclusive(struct rl_ledger *l, const struct rl010_case *c)
{
	struct rl_live_ring alive;
	struct origin none = {};
	struct rl_finding f;

	switch (c->what) {
	case RL010_EVENTS_LOST:
		if (c->stored >= 0) {
			rl010_lost_detail(l->findings[c->stored].detail,
					  sizeof(l->findings[c->stored].detail), c->ev, c->total);
			return c->stored;
		}
		none = origin_of(c->ev);
		finding_init(&f, RL010, &none);
		rl010_lost_detail(f.detail, sizeof(f.detail), c->ev, c->total);
		break;
	case RL010_CTX_OUTLIVED:
		finding_init(&f, RL010, &c->c->born);
		f.ctx = c->c->key;
		ctx_explain_alive(l, c->c, &alive);
		rl_live_ring_why(&alive, f.detail, sizeof(f.detail));
		break;
	default:
		finding_init(&f, RL010, &none);
		snprintf(f.detail, sizeof(f.detail), "%s", c->why);
		break;
	}
	return finding_emit(l, &f);
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ledger_int.h - the ledger's books: the records every layer of the ledger
 * shares, and the lifecycle and queries of each (private to the ledger).
 *
 * The ledger is four layers; each calls only the ones below it:
 *
 *   ledger.c       the public API (ledger.h) and the dispatch of events
 *   handlers_*.c   one handler per event type, and retirement    handlers.h
 *   rules*.c       RL001..RL010: judge, emit findings            rules.h
 *   books_*.c      records, their lifecycle and queries          this file
 *
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
 *   pinset    one per io_pin_pages call: its folios and the pins it holds.
 *   bufring   one per provided-buffer ring registered or kernel-pinned.
 *   proc      one per incarnation of a followed process (a fork or an
 *             exec begins one): its comm and the file it runs, so a
 *             finding names the command that made its object.  Exited
 *             ones stay, for the findings that come after (a ring dies
 *             after its process), until MAX_PROCS are kept.
 *
 * A record is retired when nothing can refer to it any more: a region once
 * it is closed (freed, or leaked with its ctx), unclaimed, and its pages
 * are freed; a vma at VMA_REMOVE; a ctx at CTX_DEAD.
 *
 * A VMA_DUP is counted like a fork's copy (a claim on every page the
 * original claims) until a VMA_SPLIT of the original says it was one piece
 * of a split (partial munmap, mprotect): then each piece keeps the claims
 * of its own range only.
 *
 * The books make no findings.  A function here that may leave a region
 * ready to retire returns that region's index; the caller (a handler)
 * retires it, because retiring reports what the region's samplings found.
 */
#ifndef RL_LEDGER_INT_H
#define RL_LEDGER_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "ledger.h"
#include "ledger_map.h"
#include "names.h"

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
	bool killed;		/* CTX_KILL seen: io_ring_exit_work is queued */
	uint64_t killed_ts;
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
	bool flushed;		/* reported                               */
};

struct region {
	uint64_t key;		/* pages[] array pointer                      */
	uint64_t serial;	/* unique per record; keys are reused          */
	uint64_t ctx;		/* owner, 0 while pending                      */
	uint64_t setup_ctx;	/* pending: the ring being set up that it is
				 * for (0: unknown, the creating thread's)    */
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
	uint32_t named2_slot;	/* ... and the other one while a resize has
				 * both live (either may be mapped until the
				 * old one is freed), RL_NIL                 */
	uint64_t named2_serial;
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

/* One incarnation of a followed process: from a fork (the child, still
 * running its parent's program) or an exec, to the next exec or the exit. */
struct proc {
	uint32_t pid, ppid;
	uint64_t since;		/* ts of the fork or exec that began it        */
	uint64_t exit_ts;	/* ts of PROC_EXIT; 0 while running            */
	bool exited;		/* PROC_EXIT seen (of this or a later one)     */
	bool forked;		/* began with a fork seen (not an exec)        */
	char comm[RL_COMM_LEN];
	char cmd[RL_EXEC_NAME_LEN];	/* the file it runs; "" when unknown   */
	uint32_t older, newer;	/* incarnations of the same pid, RL_NIL        */
};

#define MAX_PROCS	16384	/* incarnations kept; the oldest exited go  */

struct rl_ledger {
	struct rl_ledger_opts opts;
	struct rl_pool ctxs, regions, vmas, areas, pinsets, bufrings, procs;
	struct rl_map proc_by_pid;	/* pid -> its newest procs index       */
	uint32_t *exited_procs;		/* procs indices in exit order (a ring) */
	size_t exited_head, exited_nr, exited_cap;
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

static inline struct origin origin_of(const struct rl_event *ev)
{
	struct origin o;

	o.ts = ev->h.ts_ns;
	o.pid = ev->h.pid;
	o.tid = ev->h.tid;
	memcpy(o.comm, ev->h.comm, RL_COMM_LEN);
	o.comm[RL_COMM_LEN - 1] = '\0';
	return o;
}

static inline void copy_stack(uint32_t *nr_dst, uint64_t *dst, uint32_t nr, const void *src)
{
	if (nr > RL_STACK_DEPTH)
		nr = RL_STACK_DEPTH;
	*nr_dst = nr;
	memcpy(dst, src, nr * sizeof(uint64_t));
}

static inline uint32_t lookup(const struct rl_map *m, uint64_t key)
{
	uint64_t v;

	return rl_map_get(m, key, &v) ? (uint32_t)v : RL_NIL;
}

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

static inline bool is_err_value(int64_t ret)
{
	return ret < 0 && ret >= -MAX_ERRNO;
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

static inline struct pinset *pinset_at(const struct rl_ledger *l, uint32_t i)
{
	return rl_pool_at(&l->pinsets, i);
}

static inline struct bufring *bufring_at(const struct rl_ledger *l, uint32_t i)
{
	return rl_pool_at(&l->bufrings, i);
}

/* The region record keyed by pages[] pointer `key` (the newest one). */
static inline uint32_t region_lookup(const struct rl_ledger *l, uint64_t key)
{
	return lookup(&l->region_by_key, key);
}

/* The region a vma refers to, if that record still exists. */
static inline struct region *region_by_ref(const struct rl_ledger *l, uint32_t slot,
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

static inline uint64_t *vma_bits(const struct vma *v)
{
	return v->nr_mapped <= 64 ? (uint64_t *)&v->bits_inline : v->bits_heap;
}

static inline bool vma_claims_page(const struct vma *v, uint32_t idx)
{
	return idx < v->nr_mapped && (vma_bits(v)[idx / 64] >> (idx % 64)) & 1;
}

/* Closed (freed, or leaked with its ctx), unclaimed, and none of its pages
 * can still be freed. */
static inline bool region_retirable(const struct region *r)
{
	if (!(r->freed || r->leaked) || r->total_claims)
		return false;
	return !r->live_pages || r->leaked;
}

/* Page idx leaves the pfn map (freed, or its pfn went elsewhere). */
static inline void page_untrack(struct rl_ledger *l, struct region *r, uint32_t idx,
				enum page_state to)
{
	struct page_slot *p = &r->pages[idx];

	if (p->state != PAGE_TRACKED)
		return;
	rl_map_del(&l->page_by_pfn, p->pfn);
	p->state = to;
	r->live_pages--;
}

/* Every page the pins describe was seen: only then is "not pinned by this
 * set" a fact rather than a gap in the description. */
static inline bool pinset_complete(const struct pinset *p)
{
	return p->pages_described >= p->nr_pages;
}

/* ---- books_ctx.c: ring contexts, and the region lists they own -------- */

uint32_t ctx_add(struct rl_ledger *l, uint64_t key, const struct origin *o);
void ctx_observe(struct rl_ledger *l, uint32_t cslot, const struct origin *o);
/* Drop the ctx record; its regions must have left its list already. */
void ctx_release(struct rl_ledger *l, uint32_t cslot);
/* The live region of ctx that an mmap offset of `kind` (and bgid) names;
 * *second: a second live one of that kind (a resize between creating the
 * new rings and freeing the old ones), else RL_NIL. */
uint32_t ctx_find_region(const struct rl_ledger *l, const struct ring_ctx *c,
			 uint32_t kind, uint32_t bgid, bool *has_unknown, uint32_t *second);
void region_join_ctx(struct rl_ledger *l, uint32_t slot, uint32_t cslot);
void region_join_pending(struct rl_ledger *l, uint32_t slot);
/* Take the region off its ctx's list or the pending list. */
void region_unlink(struct rl_ledger *l, uint32_t slot);
/* The ctx record is going: the region stays, owned by nobody. */
void region_leave_ctx(struct rl_ledger *l, uint32_t slot);

/* Why a ring context is still alive at the end (see rl_ledger_live_rings). */
void ctx_explain_alive(const struct rl_ledger *l, const struct ring_ctx *c,
		       struct rl_live_ring *out);

/* ---- books_proc.c: followed processes, for attribution ---------------- */

void proc_fork(struct rl_ledger *l, uint32_t parent, uint32_t child, uint64_t ts,
	       const char *parent_comm);
void proc_exec(struct rl_ledger *l, uint32_t pid, uint32_t ppid, uint64_t ts,
	       const char *comm, const char *exec_name);
void proc_exit(struct rl_ledger *l, uint32_t pid, uint64_t ts);
/* The incarnation of pid at time ts (the newest begun by then; the oldest
 * known when ts is before all of them); NULL when pid was never seen. */
const struct proc *proc_at(const struct rl_ledger *l, uint32_t pid, uint64_t ts);
/* pid's newest incarnation is running (seen, and no exit seen). */
bool proc_running(const struct rl_ledger *l, uint32_t pid);
/* A running process that descends from pid by forks seen after ts (it can
 * hold what pid had at ts), or NULL. */
const struct proc *proc_running_heir(const struct rl_ledger *l, uint32_t pid, uint64_t ts);
/* Any running process we follow, or NULL. */
const struct proc *proc_any_running(const struct rl_ledger *l);
void procs_free(struct rl_ledger *l);

/* ---- books_region.c: regions and their pages -------------------------- */

/* A record for a REGION_CREATE that returned 0, keyed; RL_NIL if none. */
uint32_t region_add(struct rl_ledger *l, const struct rl_ev_region *e,
		    const struct origin *o);
/* A new region took over the key: the old record can only be one whose
 * REGION_FREE we did not see (the kernel reused its pages[] array). */
void region_unkey(struct rl_ledger *l, uint32_t slot);
void region_mark_freed(struct rl_ledger *l, uint32_t slot, const struct rl_event *ev);
/* Forget the record and its pages (the caller reported its samplings). */
void region_release(struct rl_ledger *l, uint32_t slot);
/* Name pfn as page idx; true when that pfn is to be tracked (page_track).
 * page_steal takes the pfn from the region that still had it (whose
 * PAGE_FREE we did not see) and returns that region's index, or RL_NIL. */
bool page_rename(struct rl_ledger *l, uint32_t slot, uint32_t idx, uint64_t pfn);
uint32_t page_steal(struct rl_ledger *l, uint32_t slot, uint32_t idx, uint64_t pfn);
void page_track(struct rl_ledger *l, uint32_t slot, uint32_t idx, uint64_t pfn);
/* Add one REGION_PAGES chunk's RL002 evidence to the sampling. */
void region_note_sampling(struct region *r, bool at_free, const struct shortfall *chunk);
bool region_sampling_complete(const struct region *r, bool at_free);
/* How many pages freed or leaked regions have let go of and nobody maps,
 * whose free was never seen. */
size_t regions_pages_awaiting_free(const struct rl_ledger *l);

/* ---- books_vma.c: vmas, their claim sets, and unmapped areas ---------- */

uint32_t vma_add(struct rl_ledger *l, uint64_t key);
/* Forget the vma; returns the region whose claims it dropped, or RL_NIL. */
uint32_t vma_forget(struct rl_ledger *l, uint64_t key);
void vma_set_geometry(struct vma *v, const struct rl_ev_mmap *m);
/* Which region the mmap's offset names, for RL006. */
void vma_resolve_offset(struct rl_ledger *l, struct vma *v);
/* Give vma the pages [0, nr) of region slot: one claim on each. */
void vma_claim(struct rl_ledger *l, struct vma *v, uint32_t slot, uint32_t nr);
/* Drop the vma's claims on pages mapped at user addresses [lo, hi). */
void vma_unclaim_range(struct rl_ledger *l, struct vma *v, uint64_t lo, uint64_t hi);
/* VMA_DUP: vma dst becomes a copy of src with its own claims. */
void vma_copy(struct rl_ledger *l, uint32_t src, uint32_t dst, const struct rl_ev_vma *e);
/* VMA_SPLIT: o now covers e's range, n (its copy, or NULL) the piece cut
 * away, each with the claims of its own range (unless e is not a cut of
 * the range we know). */
void vma_split(struct rl_ledger *l, struct vma *o, struct vma *n, const struct rl_ev_vma *e);
/* One live vma whose claim set holds page idx of region r, or NULL. */
const struct vma *vma_mapping_page(const struct rl_ledger *l, const struct region *r,
				   uint32_t idx);
void area_forget(struct rl_ledger *l, uint32_t tid);
void area_put(struct rl_ledger *l, uint32_t tid, const struct area *a);
const struct area *area_of(const struct rl_ledger *l, uint32_t tid);

/* ---- books_pin.c: pin sets and their folios, buffer rings ------------- */

/* The pin set a PIN chunk describes, created by its first chunk seen. */
uint32_t pinset_for_pin(struct rl_ledger *l, const struct rl_event *ev);
/* The first folio fixes what "the same file" means for the set. */
void pinset_note_first_folio(struct pinset *p, const struct rl_ev_pin *e, uint32_t j);
/* Append n pins of the folio at pfn; RL_NIL when out of memory. */
uint32_t pinset_add_folio(struct pinset *p, uint64_t pfn, uint32_t n);
/* Drop n pins of the folio at pfn; returns how many p did not hold. */
uint32_t pinset_drop(struct pinset *p, uint64_t pfn, uint32_t n);
/* Did p ever pin the folio at pfn? */
bool pinset_has_folio(const struct pinset *p, uint64_t pfn);
/* The first folio still pinned, and how many are. */
uint32_t pinset_held_folios(const struct pinset *p, uint64_t *first_pfn);
/* The end of a scope: how io_uring let go of the set, if it did. */
void pinset_scope_end(struct pinset *p, const struct rl_event *ev);
/* Retire the set once io_uring let go of it and every pin is gone; its
 * key stays known, so a late unpin of it is judged. */
void pinset_maybe_retire(struct rl_ledger *l, uint32_t i);
void pinset_forget(struct rl_ledger *l, uint32_t i);
bool pinset_retired(const struct rl_ledger *l, uint64_t key);
/* Pins taken while a ring was set up belong to the ring its thread
 * announces next. */
void pinsets_join_ctx(struct rl_ledger *l, uint64_t ctx, uint32_t tid);
/* The buffer ring (ctx, bgid), created if asked. */
uint32_t bufring_find(struct rl_ledger *l, uint64_t ctx, uint32_t bgid, bool create);
void bufrings_forget_ctx(struct rl_ledger *l, uint64_t ctx);

#endif /* RL_LEDGER_INT_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rules.h - the ledger's rules, RL001..RL010 (private to the ledger).
 *
 * One function per finding id, named for it, is the only place that emits
 * that id (rules.c, in id order).  A rule reads the books and judges; it
 * never changes them.  A rule that reports something once per record
 * returns true when it emitted, and its caller (a handler) marks the
 * record reported; a rule whose verdict changes the books (RL003: the
 * region leaked) returns it, and the handler acts on it.  Where one id has
 * several cases, the caller describes its case in a small struct.
 */
#ifndef RL_RULES_H
#define RL_RULES_H

#include "ledger_int.h"

/* RL002: a sampling of refcounts, or pages freed under a live region. */
enum rl002_what {
	RL002_SAMPLING,		/* REGION_PAGES at create or at free: the
				 * shortfall its chunks gathered           */
	RL002_FREED_LIVE,	/* PAGE_FREE of pages io_uring still holds */
};

struct rl002_case {
	enum rl002_what what;
	const struct region *r;
	bool at_free;			/* SAMPLING: which one                */
	const struct rl_event *ev;	/* FREED_LIVE: the PAGE_FREE          */
	uint32_t first_idx, nr;		/* FREED_LIVE: the pages it freed      */
};

/* RL004: why the owner of the pins is gone. */
enum rl004_what {
	RL004_CTX_DIED,		/* CTX_DEAD of the ring answering for them */
	RL004_SHARERS_DIED,	/* end: every ring sharing it died         */
	RL004_RELEASED,		/* end: io_uring released it               */
};

/* RL008: which address io_uring or a BPF arena handed out. */
enum rl008_what {
	RL008_RING_AREA,	/* MMAP_AREA: the address returned          */
	RL008_RING_MAPPING,	/* MMAP: where the mapping of it landed     */
	RL008_ARENA,		/* ARENA_AREA: a BPF arena's address        */
};

struct rl008_case {
	enum rl008_what what;
	const struct rl_event *ev;
	const struct area *area;	/* RING_*: what the thread was given   */
	const struct vma *vma;		/* RING_MAPPING: the mapping           */
};

/* RL009: pins or references dropped that were never taken. */
enum rl009_what {
	RL009_UNPIN,		/* UNPIN of a pin set the ledger holds     */
	RL009_UNPIN_RETIRED,	/* UNPIN of a retired pin set              */
	RL009_RELEASE,		/* REGION_PAGES at free of another pfn     */
};

struct rl009_case {
	enum rl009_what what;
	const struct rl_event *ev;	/* UNPIN*: the unpin                   */
	const struct pinset *p;		/* UNPIN                               */
	uint64_t pfn;			/* UNPIN*: the folio                   */
	uint32_t extra;			/* UNPIN*: pins it did not hold        */
	const struct region *r;		/* RELEASE                             */
	const struct rl_ev_pages *pg;	/* RELEASE: the chunk                  */
};

/* RL010: why the verdict is inconclusive. */
enum rl010_what {
	RL010_EVENTS_LOST,	/* an RL_EV_LOST counter                   */
	RL010_CTX_OUTLIVED,	/* a ring context outlived check's wait    */
	RL010_NOTE,		/* a reason from outside the stream        */
};

struct rl010_case {
	enum rl010_what what;
	const struct rl_event *ev;	/* EVENTS_LOST                         */
	uint64_t total;			/* EVENTS_LOST: lost on it so far      */
	long stored;			/* EVENTS_LOST: its finding, or -1     */
	const struct ring_ctx *c;	/* CTX_OUTLIVED                        */
	const char *why;		/* NOTE                                */
};

/* ev is the PAGE_FREE; [first_idx, +nr) the pages of r it freed while
 * claimed (nr 0: none). */
void rule_rl001_page_freed_while_mapped(struct rl_ledger *l, const struct rl_event *ev,
					const struct region *r, uint32_t first_idx,
					uint32_t nr);
/* The RL002 evidence of one REGION_PAGES chunk, judged against the books:
 * the caller adds it to the region's sampling (region_note_sampling).
 * The first short page is looked up in full only when `so_far` has none. */
void rl002_judge_chunk(const struct rl_ledger *l, const struct region *r,
		       const struct rl_ev_pages *pg, const struct shortfall *so_far,
		       struct shortfall *chunk);
bool rule_rl002_missing_reference(struct rl_ledger *l, const struct rl002_case *c);
/* True when r leaked: the caller marks it leaked. */
bool rule_rl003_region_leaked_at_ctx_death(struct rl_ledger *l, const struct rl_event *ev,
					   const struct ring_ctx *c, const struct region *r);
/* ev is NULL at the end of observation. */
bool rule_rl004_pins_outlive_owner(struct rl_ledger *l, const struct pinset *p,
				   const struct rl_event *ev, enum rl004_what what);
void rule_rl005_unregistered_while_pinned(struct rl_ledger *l, const struct rl_event *ev,
					  const struct bufring *b);
bool rule_rl006_mapping_mismatch(struct rl_ledger *l, const struct vma *v,
				 const struct rl_event *ev);
bool rule_rl007_pinned_folio_breaks_file_rule(struct rl_ledger *l, const struct pinset *p,
					      const struct rl_event *ev, uint32_t j,
					      uint32_t page_idx);
void rule_rl008_unmapped_area_breaks_window(struct rl_ledger *l,
					    const struct rl008_case *c);
bool rule_rl009_dropped_never_taken(struct rl_ledger *l, const struct rl009_case *c);
/* Returns the index of the finding it emitted or updated, or -1. */
long rule_rl010_inconclusive(struct rl_ledger *l, const struct rl010_case *c);

/* ---- rules_emit.c: how a rule fills a finding and hands it out -------- */

void finding_init(struct rl_finding *f, enum rl_finding_id id, const struct origin *o);
void finding_set_region(struct rl_finding *f, const struct region *r);
void finding_set_vma(struct rl_finding *f, const struct vma *v);
void finding_set_pins(struct rl_finding *f, const struct pinset *p);
/* Store a finding (up to MAX_STORED_FINDINGS) and tell the caller.
 * Returns its index, or -1 when it was only counted. */
long finding_emit(struct rl_ledger *l, const struct rl_finding *f);
/* "fixed buffer 3", "buffer ring 1's memory", ... */
void pin_owner_str(const struct pinset *p, char *buf, size_t len);
/* "anonymous memory", "shmem of mapping 0x...", ... */
void backing_str(uint32_t backing, uint64_t file, char *buf, size_t len);

#endif /* RL_RULES_H */

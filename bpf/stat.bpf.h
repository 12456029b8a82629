/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stat.bpf.h - `ringledger stat`: events folded into maps in the kernel
 * (include/rl_stat.h), so that no event crosses to user space.
 *
 * With the stat_mode rodata set, record_reserve() (common.bpf.h) builds a
 * wanted event in this CPU's stat_scratch slot and drops any other, and
 * event_submit() / event_output() hand it to stat_account() here instead
 * of the ring buffer.  The programs that track objects run as they do for
 * the ledger; the hooks only the ledger needs are not attached at all
 * (src/cmd_stat.c), and regions' pages are not tracked (region.bpf.h).
 *
 * A birth (stat_births) remembers who made an object, when, and how many
 * pages it holds; its end takes off what its birth put on, from the
 * creator's row, whichever task ends it.  An object born before stat
 * started has no birth and its end counts nothing.
 *
 * Included by common.bpf.h only, after the maps and count().
 */
#ifndef RL_STAT_BPF_H
#define RL_STAT_BPF_H

/* The events stat folds in; stat mode drops the rest unbuilt. */
static __always_inline bool stat_wants(__u32 type)
{
	switch (type) {
	case RL_EV_CTX_CREATE:
	case RL_EV_CTX_DEAD:
	case RL_EV_REGION_CREATE:
	case RL_EV_REGION_FREE:
	case RL_EV_MMAP:
	case RL_EV_VMA_REMOVE:
	case RL_EV_VMA_FREE:
	case RL_EV_PIN:
	case RL_EV_UNPIN:
		return true;
	}
	return false;
}

/* A free slot of this CPU's stat_scratch: a program building an event
 * there can be preempted (trampolines, 7.x) or interrupted by another that
 * builds one too, so each takes a slot of its own (an atomic bit) and
 * gives it back after its event is folded in (stat_slot_put). */
static __always_inline struct rl_event *stat_slot_take(void)
{
	__u32 zero = 0, i;
	struct rl_stat_slot *sl;
	__u64 *busy, bit, old;

	busy = bpf_map_lookup_elem(&stat_busy, &zero);
	if (!busy)
		return NULL;
	for (i = 0; i < RL_STAT_NEST; i++) {
		bit = 1ULL << i;
		old = __sync_fetch_and_or(busy, bit);
		if (old & bit)
			continue;
		sl = bpf_map_lookup_elem(&stat_scratch, &i);
		if (!sl) {
			__sync_fetch_and_and(busy, ~bit);
			return NULL;
		}
		sl->bit = bit;
		return &sl->ev;
	}
	__sync_fetch_and_add(&stat_map_full, 1);
	return NULL;
}

static __always_inline void stat_slot_put(struct rl_event *ev)
{
	struct rl_stat_slot *sl = (struct rl_stat_slot *)ev;
	__u32 zero = 0;
	__u64 *busy = bpf_map_lookup_elem(&stat_busy, &zero);

	if (busy)
		__sync_fetch_and_and(busy, ~sl->bit);
}

static __always_inline void stat_full(void)
{
	__sync_fetch_and_add(&stat_map_full, 1);
}

/* An index masked in the instruction before its use, where the verifier
 * sees it (clang drops a mask it can prove redundant, and a bound checked
 * on one copy of a value is lost on the copy it spills and reloads; 6.1's
 * verifier loses more).  n: a power of two. */
#define stat_index(v, n) ({						\
	__u64 i_ = (v);							\
	asm volatile("%0 &= %1" : "+r"(i_) : "i"((n) - 1));		\
	i_;								\
})

static __always_inline void stat_hist(enum rl_stat_hist h, __u64 v)
{
	__u32 key = h;
	struct rl_stat_hist_val *hv = bpf_map_lookup_elem(&stat_hists, &key);

	if (!hv)
		return;
	__sync_fetch_and_add(&hv->slot[stat_index(rl_stat_slot_of(v), RL_STAT_SLOTS)], 1);
	__sync_fetch_and_add(&hv->count, 1);
	__sync_fetch_and_add(&hv->sum, v);
}

/* What a new row starts from: never written (off the stack,
 * which the unpin programs' bpf_loop frames have little of). */
static struct rl_stat_proc stat_zero_proc;

/* The row of tgid; made (named by comm) when `comm` is given. */
static __always_inline struct rl_stat_proc *stat_proc(__u32 tgid, const char *comm)
{
	struct rl_stat_proc *p = bpf_map_lookup_elem(&stat_procs, &tgid);

	if (p || !comm)
		return p;
	bpf_map_update_elem(&stat_procs, &tgid, &stat_zero_proc, BPF_NOEXIST);
	p = bpf_map_lookup_elem(&stat_procs, &tgid);
	if (!p) {
		stat_full();
		return NULL;
	}
	if (!p->comm[0])
		__builtin_memcpy(p->comm, comm, sizeof(p->comm));
	return p;
}

static __always_inline void stat_born(const struct rl_event *ev, enum rl_stat_obj what,
				      __u64 key, __u64 pages, __u32 id)
{
	struct rl_stat_key k = { .key = key, .what = what };
	struct rl_stat_birth b = { .ts_ns = ev->h.ts_ns, .pages = pages,
				   .tgid = ev->h.pid, .id = id };

	if (bpf_map_update_elem(&stat_births, &k, &b, BPF_ANY))
		stat_full();
}

/* The birth of (what, key), taken out of the books; false if none. */
static __always_inline bool stat_died(enum rl_stat_obj what, __u64 key, struct rl_stat_birth *out)
{
	struct rl_stat_key k = { .key = key, .what = what };
	struct rl_stat_birth *b = bpf_map_lookup_elem(&stat_births, &k);

	if (!b)
		return false;
	*out = *b;
	return bpf_map_delete_elem(&stat_births, &k) == 0;
}

static __always_inline __u64 stat_age(const struct rl_event *ev, const struct rl_stat_birth *b)
{
	return ev->h.ts_ns > b->ts_ns ? ev->h.ts_ns - b->ts_ns : 0;
}

static __always_inline void stat_add(__s64 *g, __s64 v)
{
	__sync_fetch_and_add(g, v);
}

static __always_inline void stat_ring(const struct rl_event *ev, bool born)
{
	struct rl_stat_proc *p;
	struct rl_stat_birth b;

	if (born) {
		p = stat_proc(ev->h.pid, ev->h.comm);
		if (!p)
			return;
		stat_add(&p->rings, 1);
		__sync_fetch_and_add(&p->rings_made, 1);
		stat_born(ev, RL_SO_RING, ev->ctx.ctx, 0, 0);
		return;
	}
	if (!stat_died(RL_SO_RING, ev->ctx.ctx, &b))
		return;
	stat_hist(RL_SH_RING_LIFE, stat_age(ev, &b));
	p = stat_proc(b.tgid, NULL);
	if (p)
		stat_add(&p->rings, -1);
}

static __always_inline void stat_region(const struct rl_event *ev, bool born)
{
	struct rl_stat_proc *p;
	struct rl_stat_birth b;
	__u32 kind;

	if (born) {
		kind = ev->region.kind;
		if (ev->region.ret || kind >= RL_RK__MAX)
			return;
		p = stat_proc(ev->h.pid, ev->h.comm);
		if (!p)
			return;
		stat_add(&p->regions[stat_index(kind, RL_STAT_KINDS)], 1);
		stat_add(&p->region_pages, ev->region.nr_pages);
		__sync_fetch_and_add(&p->regions_made, 1);
		stat_hist(RL_SH_REGION_PAGES, ev->region.nr_pages);
		stat_born(ev, RL_SO_REGION, ev->region.region, ev->region.nr_pages, kind);
		return;
	}
	if (!stat_died(RL_SO_REGION, ev->region.region, &b))
		return;
	stat_hist(RL_SH_REGION_LIFE, stat_age(ev, &b));
	p = stat_proc(b.tgid, NULL);
	if (!p)
		return;
	stat_add(&p->regions[stat_index(b.id, RL_STAT_KINDS)], -1);
	stat_add(&p->region_pages, -(__s64)b.pages);
}

static __always_inline void stat_mapping(const struct rl_event *ev, bool born)
{
	struct rl_stat_proc *p;
	struct rl_stat_birth b;
	__u64 pages;

	if (born) {
		if (ev->mmap.ret || ev->mmap.end <= ev->mmap.start)
			return;
		pages = (ev->mmap.end - ev->mmap.start) >> 12;
		p = stat_proc(ev->h.pid, ev->h.comm);
		if (!p)
			return;
		stat_add(&p->mappings, 1);
		stat_add(&p->mapped_pages, pages);
		__sync_fetch_and_add(&p->mappings_made, 1);
		stat_born(ev, RL_SO_MAPPING, ev->mmap.vma, pages, 0);
		return;
	}
	/* VMA_REMOVE and VMA_FREE: whichever comes first ends it */
	if (!stat_died(RL_SO_MAPPING, ev->vma.vma, &b))
		return;
	stat_hist(RL_SH_MAP_LIFE, stat_age(ev, &b));
	p = stat_proc(b.tgid, NULL);
	if (!p)
		return;
	stat_add(&p->mappings, -1);
	stat_add(&p->mapped_pages, -(__s64)b.pages);
}

/* A pin set is born with its first PIN event (page 0) and dies with the
 * UNPIN that says io_uring let go of it (a clone still holding it: not). */
static __always_inline void stat_pin(const struct rl_event *ev)
{
	struct rl_stat_proc *p;

	if (ev->pin.first)
		return;
	p = stat_proc(ev->h.pid, ev->h.comm);
	if (!p)
		return;
	stat_add(&p->pin_sets, 1);
	stat_add(&p->pinned_pages, ev->pin.nr_pages);
	__sync_fetch_and_add(&p->pin_sets_made, 1);
	__sync_fetch_and_add(&p->pages_pinned_total, ev->pin.nr_pages);
	stat_hist(RL_SH_PIN_PAGES, ev->pin.nr_pages);
	stat_born(ev, RL_SO_PIN_SET, ev->pin.key, ev->pin.nr_pages, 0);
}

static __always_inline void stat_unpin(const struct rl_event *ev)
{
	struct rl_stat_proc *p;
	struct rl_stat_birth b;

	if (!(ev->unpin.flags & RL_UNPIN_F_RELEASED) || (ev->unpin.flags & RL_UNPIN_F_SHARED))
		return;
	if (!stat_died(RL_SO_PIN_SET, ev->unpin.key, &b))
		return;
	stat_hist(RL_SH_PIN_LIFE, stat_age(ev, &b));
	p = stat_proc(b.tgid, NULL);
	if (!p)
		return;
	stat_add(&p->pin_sets, -1);
	stat_add(&p->pinned_pages, -(__s64)b.pages);
}

static __always_inline void stat_account(const struct rl_event *ev)
{
	switch (ev->h.type) {
	case RL_EV_CTX_CREATE:		stat_ring(ev, true); break;
	case RL_EV_CTX_DEAD:		stat_ring(ev, false); break;
	case RL_EV_REGION_CREATE:	stat_region(ev, true); break;
	case RL_EV_REGION_FREE:		stat_region(ev, false); break;
	case RL_EV_MMAP:		stat_mapping(ev, true); break;
	case RL_EV_VMA_REMOVE:
	case RL_EV_VMA_FREE:		stat_mapping(ev, false); break;
	case RL_EV_PIN:			stat_pin(ev); break;
	case RL_EV_UNPIN:		stat_unpin(ev); break;
	}
}

/* The time a call took, from a start the task's scope kept (0: none). */
static __always_inline void stat_time(enum rl_stat_hist h, __u64 start_ns)
{
	__u64 now;

	if (!stat_mode || !start_ns)
		return;
	now = bpf_ktime_get_ns();
	stat_hist(h, now > start_ns ? now - start_ns : 0);
}

#endif /* RL_STAT_BPF_H */

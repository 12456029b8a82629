// SPDX-License-Identifier: GPL-2.0
/*
 * nommu.bpf.c - ringledger's programs for a kernel without an MMU
 * (riscv64 NOMMU: no JIT, no fentry, no ring buffer map; see bpf/nommu.h
 * for what its loader, src/nommu/, accepts).
 *
 * The same events as the MMU build (include/rl_events.h), so the same
 * ledger and rules judge them; fewer of them.  Seen: ring setup
 * (CTX_CREATE), its regions, provided-buffer rings the kernel allocates
 * (PBUF_REG, PBUF_UNREG and their regions), every region's pages with
 * their refcounts at create and at free (REGION_*), io_uring_mmap (MMAP,
 * and INSERT_PAGES: without an MMU a mapping is the region itself, so at
 * a successful io_uring_mmap the vma maps every page of the region its
 * offset names), the vma's end (vma_close: VMA_ZAP, vm_area_free: VMA_REMOVE), the
 * free of a tracked page (PAGE_FREE), the ring's kill and death.  Not seen:
 * pinned user memory (registered buffers, NO_MMAP rings, user-provided
 * buffer rings: the pin ledger), regions of other register operations.
 *
 * Every pointer is checked before it is read through: without an MMU,
 * bpf_probe_read_kernel() of a bad address is a plain memcpy that Oopses
 * the kernel (measured on 7.3.4; copy_from_kernel_nofault has no fault
 * fixup there).  rd() refuses anything outside the RAM the loader found in
 * /proc/iomem.
 *
 * Events go to user space through a queue map (bpf_map_push_elem), read
 * with BPF_MAP_LOOKUP_AND_DELETE_ELEM: a ring buffer map cannot even be
 * created without an MMU (vmap() is BUG() there).  A full queue is counted
 * (RL_CNT_RINGBUF_FULL), as a full ring buffer is.
 */
#include "core_types.h"
#include <bpf/bpf_helpers.h>
#include "rl_events.h"
#include "nommu.h"

char LICENSE[] SEC("license") = "GPL";

#define RL_BPF_MAP_TYPE_HASH		1
#define RL_BPF_MAP_TYPE_ARRAY		2
#define RL_BPF_MAP_TYPE_PERCPU_ARRAY	6
#define RL_BPF_MAP_TYPE_QUEUE		22

#define MAP(name, t, k, v, n)						\
	struct rl_nommu_map name SEC(RL_NOMMU_MAP_SECTION) =		\
		{ .type = (t), .key_size = (k), .value_size = (v), .max_entries = (n) }

struct region_info {		/* a region io_uring holds */
	__u64 ctx;		/* owner, 0 while its ring is set up        */
	__u64 owner;		/* the ctx it belongs to, known or not      */
	__u64 offkey;		/* its key in region_by_off                 */
	__u32 kind;
	__u32 bgid;
};

struct off_key {		/* a region by the mmap offset that names it */
	__u64 ctx;
	__u64 off;
};

struct region_ref {
	__u64 region;
	__u32 nr_pages;
	__u32 pad;
};

struct stash {			/* a kprobe's arguments, for its kretprobe  */
	__u64 arg[2];
};

/* per-task state of an io_uring_register call */
#define IN_REGISTER	1
#define IN_PBUF_REG	2
struct scope {
	__u64 ctx;
	__u32 what;
	__u32 pad;
};

/* stash slots: one per kprobe/kretprobe pair */
enum { ST_EXIT_WORK, ST_PBUF_REG, ST_PBUF_UNREG, ST_CREATE_REGION, ST_MMAP };

struct stash_key {
	__u32 tid;
	__u32 slot;
};

MAP(cfg,		RL_BPF_MAP_TYPE_ARRAY,	4, sizeof(struct rl_nommu_cfg), 1);
MAP(counters,		RL_BPF_MAP_TYPE_ARRAY,	4, 8, RL_CNT__MAX);
MAP(events,		RL_BPF_MAP_TYPE_QUEUE,	0, sizeof(struct rl_event), RL_NOMMU_QUEUE_ENTRIES);
MAP(scratch,		RL_BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(struct rl_event), 1);
MAP(seqs,		RL_BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1);
MAP(followed,		RL_BPF_MAP_TYPE_HASH,	4, 1, 1024);
MAP(tracked_ctxs,	RL_BPF_MAP_TYPE_HASH,	8, 1, 1024);
MAP(regions,		RL_BPF_MAP_TYPE_HASH,	8, sizeof(struct region_info), 4096);
MAP(region_by_off,	RL_BPF_MAP_TYPE_HASH,	sizeof(struct off_key), sizeof(struct region_ref), 4096);
MAP(tracked_vmas,	RL_BPF_MAP_TYPE_HASH,	8, 8, 4096);
MAP(tracked_pfns,	RL_BPF_MAP_TYPE_HASH,	8, 8, 16384);
MAP(stashes,		RL_BPF_MAP_TYPE_HASH,	sizeof(struct stash_key), sizeof(struct stash), 1024);
MAP(scopes,		RL_BPF_MAP_TYPE_HASH,	4, sizeof(struct scope), 1024);
MAP(page_base,		RL_BPF_MAP_TYPE_ARRAY,	4, 8, 1);	/* see calibrate() */

/* riscv's struct pt_regs: epc, ra, sp, gp, tp, t0-t2, s0, s1, then a0.. */
#define ARG(regs, n)	(((const __u64 *)(regs))[10 + (n)])
#define RET(regs)	ARG(regs, 0)

static __always_inline void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &which);

	if (c)
		__sync_fetch_and_add(c, 1);
}

static __always_inline const struct rl_nommu_cfg *config(void)
{
	__u32 z = 0;

	return bpf_map_lookup_elem(&cfg, &z);
}

/* Read kernel memory, only inside RAM (see the top of this file). */
static __always_inline int rd(void *dst, __u32 size, __u64 addr)
{
	const struct rl_nommu_cfg *c = config();

	if (!c || addr < c->ram_start || addr >= c->ram_end || c->ram_end - addr < size ||
	    bpf_probe_read_kernel(dst, size, (const void *)addr)) {
		count(RL_CNT_READ_FAIL);
		return -1;
	}
	return 0;
}

/* A field of struct at base: cfg's offset of SLOT; 0 when it cannot be read. */
static __always_inline __u64 field64(__u64 base, __u32 slot)
{
	const struct rl_nommu_cfg *c = config();
	__u64 v = 0;

	if (c && base && slot < RL_NOFF__MAX)
		rd(&v, sizeof(v), base + c->off[slot]);
	return v;
}

static __always_inline __u32 field32(__u64 base, __u32 slot)
{
	const struct rl_nommu_cfg *c = config();
	__u32 v = 0;

	if (c && base && slot < RL_NOFF__MAX)
		rd(&v, sizeof(v), base + c->off[slot]);
	return v;
}

static __always_inline bool followed_task(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return bpf_map_lookup_elem(&followed, &tgid) != NULL;
}

static __always_inline bool ctx_tracked(__u64 ctx)
{
	return ctx && bpf_map_lookup_elem(&tracked_ctxs, &ctx) != NULL;
}

static __always_inline void stash(__u32 slot, __u64 a0, __u64 a1)
{
	struct stash_key k = { .tid = (__u32)bpf_get_current_pid_tgid(), .slot = slot };
	struct stash s = { .arg = { a0, a1 } };

	bpf_map_update_elem(&stashes, &k, &s, BPF_ANY);
}

static __always_inline bool unstash(__u32 slot, struct stash *out)
{
	struct stash_key k = { .tid = (__u32)bpf_get_current_pid_tgid(), .slot = slot };
	struct stash *s = bpf_map_lookup_elem(&stashes, &k);

	if (!s) {
		count(RL_CNT_ENTRY_MISSING);
		return false;
	}
	*out = *s;
	bpf_map_delete_elem(&stashes, &k);
	return true;
}

/* ---- events ----------------------------------------------------------- */

static __always_inline struct rl_event *ev_new(__u32 type)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct rl_event *ev;
	__u32 z = 0;
	__u64 *seq;

	ev = bpf_map_lookup_elem(&scratch, &z);
	seq = bpf_map_lookup_elem(&seqs, &z);
	if (!ev || !seq)
		return NULL;
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->h.ts_ns = bpf_ktime_get_ns();
	ev->h.type = type;
	ev->h.pid = id >> 32;
	ev->h.tid = (__u32)id;
	ev->h.cpu = bpf_get_smp_processor_id();
	ev->h.seq = (*seq)++;
	bpf_get_current_comm(ev->h.comm, sizeof(ev->h.comm));
	return ev;
}

static __always_inline void ev_stack(void *regs, struct rl_event *ev)
{
	long n = bpf_get_stack(regs, ev->stack, sizeof(ev->stack), 0);

	if (n < 0) {
		count(RL_CNT_STACK_FAIL);
		return;
	}
	ev->nr_stack = n / sizeof(ev->stack[0]);
}

static __always_inline void ev_send(struct rl_event *ev)
{
	if (bpf_map_push_elem(&events, ev, 0))
		count(RL_CNT_RINGBUF_FULL);
}

/* ---- rings ------------------------------------------------------------ */

SEC("raw_tp/io_uring_create")
int nm_io_uring_create(__u64 *a)
{
	struct rl_event *ev;
	__u64 ctx = a[1];
	__u8 one = 1;

	if (!followed_task() || !ctx)
		return 0;
	if (bpf_map_update_elem(&tracked_ctxs, &ctx, &one, BPF_ANY))
		count(RL_CNT_TRACK_MAP_FULL);
	ev = ev_new(RL_EV_CTX_CREATE);
	if (!ev)
		return 0;
	ev->ctx.fd = (__s32)a[0];
	ev->ctx.ctx = ctx;
	ev->ctx.sq_entries = (__u32)a[2];
	ev->ctx.cq_entries = (__u32)a[3];
	ev->ctx.flags = (__u32)a[4];
	ev_send(ev);
	return 0;
}

SEC("kprobe/io_ring_ctx_wait_and_kill")
int nm_ctx_kill(void *regs)
{
	__u64 ctx = ARG(regs, 0);
	struct rl_event *ev;

	if (!ctx_tracked(ctx) || !(ev = ev_new(RL_EV_CTX_KILL)))
		return 0;
	ev->ctx.ctx = ctx;
	ev_send(ev);
	return 0;
}

SEC("kprobe/io_ring_exit_work")
int nm_exit_work(void *regs)
{
	stash(ST_EXIT_WORK, ARG(regs, 0), 0);
	return 0;
}

/* io_ring_exit_work() ends by freeing the ctx (io_ring_ctx_free, inlined) */
SEC("kretprobe/io_ring_exit_work")
int nm_exit_work_ret(void *regs)
{
	const struct rl_nommu_cfg *c = config();
	struct rl_event *ev;
	struct stash s;
	__u64 ctx;

	if (!unstash(ST_EXIT_WORK, &s) || !c)
		return 0;
	ctx = s.arg[0] - c->off[RL_NOFF_CTX_EXIT_WORK];
	if (!ctx_tracked(ctx))
		return 0;
	bpf_map_delete_elem(&tracked_ctxs, &ctx);
	ev = ev_new(RL_EV_CTX_DEAD);
	if (!ev)
		return 0;
	ev->ctx.ctx = ctx;
	ev_send(ev);
	return 0;
}

/* ---- register calls: which ring, and whether a buffer ring is made ---- */

SEC("kprobe/__riscv_sys_io_uring_register")
int nm_register(void *regs)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct scope s = { .what = IN_REGISTER };

	if (followed_task())
		bpf_map_update_elem(&scopes, &tid, &s, BPF_ANY);
	return 0;
}

SEC("kretprobe/__riscv_sys_io_uring_register")
int nm_register_ret(void *regs)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&scopes, &tid);
	return 0;
}

static __always_inline void pbuf_event(void *regs, __u32 type, __u64 ctx, __u64 uarg, __s32 ret)
{
	struct {
		__u64 ring_addr;
		__u32 ring_entries;
		__u16 bgid;
		__u16 flags;
	} reg = {};
	struct rl_event *ev;

	/* the kernel read the argument: read it back only when it succeeded */
	if (ret == 0 && bpf_probe_read_user(&reg, sizeof(reg), (const void *)uarg))
		count(RL_CNT_READ_FAIL);
	ev = ev_new(type);
	if (!ev)
		return;
	ev->pbuf.ctx = ctx;
	ev->pbuf.bgid = reg.bgid;
	ev->pbuf.ret = ret;
	if (type == RL_EV_PBUF_REG) {
		ev->pbuf.ring_addr = reg.ring_addr;
		ev->pbuf.ring_entries = reg.ring_entries;
		ev->pbuf.flags = reg.flags;
	} else {
		ev_stack(regs, ev);
	}
	ev_send(ev);
}

SEC("kprobe/io_register_pbuf_ring")
int nm_pbuf_reg(void *regs)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct scope *s = bpf_map_lookup_elem(&scopes, &tid);
	__u64 ctx = ARG(regs, 0);

	if (!s || !ctx_tracked(ctx))
		return 0;
	s->what = IN_PBUF_REG;
	s->ctx = ctx;
	stash(ST_PBUF_REG, ctx, ARG(regs, 1));
	return 0;
}

SEC("kretprobe/io_register_pbuf_ring")
int nm_pbuf_reg_ret(void *regs)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct scope *sc = bpf_map_lookup_elem(&scopes, &tid);
	struct stash s;

	if (!sc || sc->what != IN_PBUF_REG)
		return 0;
	sc->what = IN_REGISTER;
	if (unstash(ST_PBUF_REG, &s))
		pbuf_event(regs, RL_EV_PBUF_REG, s.arg[0], s.arg[1], (__s32)RET(regs));
	return 0;
}

SEC("kprobe/io_unregister_pbuf_ring")
int nm_pbuf_unreg(void *regs)
{
	if (ctx_tracked(ARG(regs, 0)))
		stash(ST_PBUF_UNREG, ARG(regs, 0), ARG(regs, 1));
	return 0;
}

SEC("kretprobe/io_unregister_pbuf_ring")
int nm_pbuf_unreg_ret(void *regs)
{
	struct stash s;
	struct stash_key k = { .tid = (__u32)bpf_get_current_pid_tgid(), .slot = ST_PBUF_UNREG };

	if (!bpf_map_lookup_elem(&stashes, &k) || !unstash(ST_PBUF_UNREG, &s))
		return 0;
	pbuf_event(regs, RL_EV_PBUF_UNREG, s.arg[0], s.arg[1], (__s32)RET(regs));
	return 0;
}

/* A page's pfn from its struct page: (page - mem_map) + the first pfn,
 * with FLATMEM (what a NOMMU riscv kernel has).  mem_map is a variable the
 * programs cannot name, so the first region calibrates it: its memory is
 * at its address, so pages[0] is the struct page of pfn ptr >> page_shift,
 * and the struct page of pfn 0 would be at pages[0] - pfn0 * its size.
 * No region yet: no tracked pfn either, so nothing to look for. */
static __always_inline void calibrate(__u64 page0, __u64 pfn0)
{
	const struct rl_nommu_cfg *c = config();
	__u32 z = 0;
	__u64 *base = bpf_map_lookup_elem(&page_base, &z);

	if (c && base && !*base && page0 && c->page_struct_size)
		*base = page0 - pfn0 * c->page_struct_size;
}

/* ---- regions ---------------------------------------------------------- */

/* pages [first, first + 32) of a region: pfns (a region's memory is
 * contiguous without an MMU: the kernel cannot vmap, so its pages follow
 * its address) and refcounts (a compound region's live in its head) */
static __always_inline void region_pages(__u64 region, __u64 ptr, __u32 nr_pages,
					 __u32 flags, __u32 at_free, bool track)
{
	const struct rl_nommu_cfg *c = config();
	struct rl_event *ev;
	__u64 head = 0, page, pfn0;
	__u32 i;

	if (!c || !ptr)
		return;
	ev = ev_new(RL_EV_REGION_PAGES);
	if (!ev)
		return;
	if (nr_pages > RL_PFNS_PER_EVENT) {
		count(RL_CNT_REGION_TRUNCATED);
		nr_pages = RL_PFNS_PER_EVENT;
	}
	pfn0 = ptr >> (c->page_shift & 63);
	if (flags & RL_REGION_F_SINGLE_REF)
		rd(&head, sizeof(head), region);
	ev->pages.region = region;
	ev->pages.at_free = at_free;
	for (i = 0; i < RL_PFNS_PER_EVENT; i++) {
		__u32 ref = 0;

		if (i >= nr_pages)
			break;
		page = head;
		if (!page && rd(&page, sizeof(page), region + i * 8))
			break;
		if (page)
			rd(&ref, sizeof(ref), page + c->off[RL_NOFF_PAGE_REFCOUNT]);
		ev->pages.pfn[i] = pfn0 + i;
		ev->pages.refcount[i] = ref;
		ev->pages.count = i + 1;
		if (track && bpf_map_update_elem(&tracked_pfns, &ev->pages.pfn[i], &region, BPF_ANY))
			count(RL_CNT_PFN_MAP_FULL);
	}
	ev_send(ev);
}

SEC("kprobe/io_create_region")
int nm_create_region(void *regs)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct scope *s = bpf_map_lookup_elem(&scopes, &tid);

	/* a register call's regions are followed only for buffer rings */
	if (s ? s->what == IN_PBUF_REG : followed_task())
		stash(ST_CREATE_REGION, ARG(regs, 1), ARG(regs, 3));
	return 0;
}

SEC("kretprobe/io_create_region")
int nm_create_region_ret(void *regs)
{
	const struct rl_nommu_cfg *c = config();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct scope *sc = bpf_map_lookup_elem(&scopes, &tid);
	struct stash_key k = { .tid = tid, .slot = ST_CREATE_REGION };
	struct region_info info = {};
	struct region_ref ref = {};
	struct off_key ok = {};
	struct rl_event *ev;
	__u64 mr, off, ptr, head;
	__u32 nr_pages, flags;
	struct stash s;
	int ret = (int)RET(regs);

	if (!c || !bpf_map_lookup_elem(&stashes, &k) || !unstash(ST_CREATE_REGION, &s) || ret)
		return 0;
	mr = s.arg[0];
	off = s.arg[1];
	ref.region = field64(mr, RL_NOFF_MR_PAGES);
	ptr = field64(mr, RL_NOFF_MR_PTR);
	nr_pages = field32(mr, RL_NOFF_MR_NR_PAGES);
	flags = field32(mr, RL_NOFF_MR_FLAGS);
	/* user memory is the pin ledger's, which this build does not keep */
	if (!ref.region || (flags & RL_REGION_F_USER_PROVIDED))
		return 0;
	if (sc && sc->what == IN_PBUF_REG) {
		info.kind = RL_RK_PBUF;
		info.bgid = off >> RL_OFF_PBUF_SHIFT;
		info.ctx = info.owner = sc->ctx;
		ok.off = RL_OFF_PBUF_RING | ((__u64)info.bgid << RL_OFF_PBUF_SHIFT);
	} else if (off == RL_OFF_CQ_RING || off == RL_OFF_SQ_RING) {
		info.kind = RL_RK_RINGS;
		info.owner = mr - c->off[RL_NOFF_CTX_RING_REGION];
		ok.off = RL_OFF_SQ_RING;
	} else if (off == RL_OFF_SQES) {
		info.kind = RL_RK_SQES;
		info.owner = mr - c->off[RL_NOFF_CTX_SQ_REGION];
		ok.off = RL_OFF_SQES;
	} else {
		return 0;
	}
	ok.ctx = info.owner;
	info.offkey = ok.off;
	ref.nr_pages = nr_pages;
	if (bpf_map_update_elem(&regions, &ref.region, &info, BPF_ANY) ||
	    bpf_map_update_elem(&region_by_off, &ok, &ref, BPF_ANY))
		count(RL_CNT_TRACK_MAP_FULL);

	ev = ev_new(RL_EV_REGION_CREATE);
	if (!ev)
		return 0;
	ev->region.region = ref.region;
	ev->region.ctx = info.ctx;
	ev->region.setup_ctx = info.ctx ? 0 : info.owner;
	ev->region.mr = mr;
	ev->region.mmap_offset = off;
	ev->region.kind = info.kind;
	ev->region.bgid = info.bgid;
	ev->region.nr_pages = nr_pages;
	ev->region.flags = flags;
	if (!rd(&head, sizeof(head), ref.region) && head) {
		rd(&ev->region.head_refcount, sizeof(__u32), head + c->off[RL_NOFF_PAGE_REFCOUNT]);
		calibrate(head, ptr >> (c->page_shift & 63));
	}
	ev_send(ev);
	region_pages(ref.region, ptr, nr_pages, flags, 0, true);
	return 0;
}

/* entry of io_free_region: io_uring still holds its references; the
 * refcounts read now are what RL002 judges */
SEC("kprobe/io_free_region")
int nm_free_region(void *regs)
{
	__u64 mr = ARG(regs, 1), region = field64(mr, RL_NOFF_MR_PAGES);
	struct region_info *found, info;
	struct off_key ok;
	struct rl_event *ev;
	__u32 nr_pages, flags;

	found = region ? bpf_map_lookup_elem(&regions, &region) : NULL;
	if (!found)
		return 0;
	info = *found;
	bpf_map_delete_elem(&regions, &region);
	ok.ctx = info.owner;
	ok.off = info.offkey;
	bpf_map_delete_elem(&region_by_off, &ok);
	nr_pages = field32(mr, RL_NOFF_MR_NR_PAGES);
	flags = field32(mr, RL_NOFF_MR_FLAGS);
	ev = ev_new(RL_EV_REGION_FREE);
	if (ev) {
		ev->region.region = region;
		ev->region.ctx = info.ctx ? info.ctx : info.owner;
		ev->region.kind = info.kind;
		ev->region.bgid = info.bgid;
		ev->region.mr = mr;
		ev->region.nr_pages = nr_pages;
		ev->region.flags = flags;
		ev_stack(regs, ev);
		ev_send(ev);
	}
	region_pages(region, field64(mr, RL_NOFF_MR_PTR), nr_pages, flags, 1, false);
	return 0;
}

/* ---- mappings --------------------------------------------------------- */

SEC("kprobe/io_uring_mmap")
int nm_mmap(void *regs)
{
	if (followed_task())
		stash(ST_MMAP, ARG(regs, 0), ARG(regs, 1));
	return 0;
}

SEC("kretprobe/io_uring_mmap")
int nm_mmap_ret(void *regs)
{
	const struct rl_nommu_cfg *c = config();
	struct stash_key k = { .tid = (__u32)bpf_get_current_pid_tgid(), .slot = ST_MMAP };
	struct off_key ok = {};
	struct region_ref *ref;
	struct rl_event *ev;
	__u64 vma, ctx, off;
	struct stash s;
	__s64 ret = (__s64)(int)RET(regs);

	if (!c || !bpf_map_lookup_elem(&stashes, &k) || !unstash(ST_MMAP, &s))
		return 0;
	ctx = field64(s.arg[0], RL_NOFF_FILE_PRIVATE);
	vma = s.arg[1];
	if (!ctx_tracked(ctx))
		return 0;
	ev = ev_new(RL_EV_MMAP);
	if (!ev)
		return 0;
	ev->mmap.ctx = ctx;
	ev->mmap.vma = vma;
	ev->mmap.start = field64(vma, RL_NOFF_VMA_START);
	ev->mmap.end = field64(vma, RL_NOFF_VMA_END);
	ev->mmap.pgoff = field64(vma, RL_NOFF_VMA_PGOFF);
	ev->mmap.flags = field64(vma, RL_NOFF_VMA_FLAGS);
	ev->mmap.ret = ret;
	off = ev->mmap.pgoff << (c->page_shift & 63);
	if ((off & RL_OFF_MMAP_MASK) == RL_OFF_PBUF_RING)
		ok.off = RL_OFF_PBUF_RING | (off & ~RL_OFF_MMAP_MASK & ~0xffffULL);
	else if (off == RL_OFF_CQ_RING)
		ok.off = RL_OFF_SQ_RING;
	else
		ok.off = off;
	ok.ctx = ctx;
	ref = ret == 0 ? bpf_map_lookup_elem(&region_by_off, &ok) : NULL;
	if (ret == 0 && bpf_map_update_elem(&tracked_vmas, &vma, &ctx, BPF_ANY))
		count(RL_CNT_TRACK_MAP_FULL);
	if (ref) {
		/* the mapping is the region: every page of it is mapped */
		ev->h.type = RL_EV_INSERT_PAGES;
		ev->mmap.region = ref->region;
		ev->mmap.nr_pages = (ev->mmap.end - ev->mmap.start) >> (c->page_shift & 63);
		ev_send(ev);
		ev->h.type = RL_EV_MMAP;
		ev->mmap.region = 0;
		ev->mmap.nr_pages = 0;
	}
	ev_send(ev);
	return 0;
}

/* mm/nommu.c's delete_vma() (munmap, exit) runs vma_close(), where a
 * mapping's ->close drops the references it took, before any page can go
 * (VMA_ZAP), then frees the vma (vm_area_free: VMA_REMOVE).  Not
 * delete_vma itself: the compiler makes a .constprop copy of it, whose
 * arguments are its own business; these two take the vma first. */
/* a VMA_ZAP or VMA_REMOVE of a tracked vma, its range read now */
static __always_inline struct rl_event *vma_event(__u32 type, __u64 vma)
{
	struct rl_event *ev = ev_new(type);

	if (!ev)
		return NULL;
	ev->vma.vma = vma;
	ev->vma.start = field64(vma, RL_NOFF_VMA_START);
	ev->vma.end = field64(vma, RL_NOFF_VMA_END);
	ev->vma.pgoff = field64(vma, RL_NOFF_VMA_PGOFF);
	ev->vma.mm = field64(vma, RL_NOFF_VMA_MM);
	return ev;
}

SEC("kprobe/vma_close")
int nm_vma_close(void *regs)
{
	__u64 vma = ARG(regs, 0);
	struct rl_event *ev;

	if (!vma || !bpf_map_lookup_elem(&tracked_vmas, &vma) || !(ev = vma_event(RL_EV_VMA_ZAP, vma)))
		return 0;
	ev_send(ev);
	return 0;
}

SEC("kprobe/vm_area_free")
int nm_vm_area_free(void *regs)
{
	__u64 vma = ARG(regs, 0);
	struct rl_event *ev;

	if (!vma || !bpf_map_lookup_elem(&tracked_vmas, &vma))
		return 0;
	bpf_map_delete_elem(&tracked_vmas, &vma);
	ev = vma_event(RL_EV_VMA_REMOVE, vma);
	if (!ev)
		return 0;
	ev_stack(regs, ev);
	ev_send(ev);
	return 0;
}

/* ---- pages ------------------------------------------------------------ */

/* a free of any tracked pfn in [pfn, pfn + 2^order), calibrate() above */
static __always_inline int page_free(void *ctx, __u64 page, __u32 order)
{
	const struct rl_nommu_cfg *c = config();
	__u32 z = 0, i, hit = 0;
	__u64 *base = bpf_map_lookup_elem(&page_base, &z);
	struct rl_event *ev;
	__u64 pfn, p;

	if (!c || !base || !*base || page < *base || !c->page_struct_size)
		return 0;
	pfn = (page - *base) / c->page_struct_size;
	for (i = 0; i < 32; i++) {
		if (i >= (1u << (order & 31)))
			break;
		p = pfn + i;
		if (bpf_map_lookup_elem(&tracked_pfns, &p) &&
		    bpf_map_delete_elem(&tracked_pfns, &p) == 0)
			hit = 1;
	}
	if (!hit || !(ev = ev_new(RL_EV_PAGE_FREE)))
		return 0;
	ev->page.pfn = pfn;
	ev->page.order = order;
	ev_stack(ctx, ev);
	ev_send(ev);
	return 0;
}

/* kmem:mm_page_free as a raw tracepoint: its programs skip a call only when
 * they themselves are running on that CPU (a page freed by an interrupt
 * inside one), not whenever any kprobe program is, as a perf tracepoint's
 * would (measured: 2 skips in a run of seed000 on the fixed kernel).  Two
 * programs: the call one skips, the other takes; whichever takes the pfn
 * out of the map sends. */
SEC("raw_tp/mm_page_free")
int nm_page_free(__u64 *a)
{
	return page_free(a, a[0], (__u32)a[1]);
}

SEC("raw_tp/mm_page_free")
int nm_page_free2(__u64 *a)
{
	return page_free(a, a[0], (__u32)a[1]);
}

/* ---- processes -------------------------------------------------------- */

SEC("raw_tp/sched_process_fork")
int nm_fork(__u64 *a)
{
	__u32 pid, tgid;
	struct rl_event *ev;
	__u8 one = 1;

	if (!followed_task())
		return 0;
	pid = field32(a[1], RL_NOFF_TASK_PID);
	tgid = field32(a[1], RL_NOFF_TASK_TGID);
	if (!tgid || pid != tgid)
		return 0;
	if (bpf_map_update_elem(&followed, &tgid, &one, BPF_ANY))
		count(RL_CNT_TRACK_MAP_FULL);
	ev = ev_new(RL_EV_PROC_FORK);
	if (!ev)
		return 0;
	ev->proc.parent_pid = ev->h.pid;
	ev->proc.child_pid = tgid;
	ev_send(ev);
	return 0;
}

SEC("raw_tp/sched_process_exec")
int nm_exec(__u64 *a)
{
	const struct rl_nommu_cfg *c = config();
	struct rl_event *ev;
	__u64 name;

	if (!c || !followed_task() || !(ev = ev_new(RL_EV_PROC_EXEC)))
		return 0;
	ev->proc.parent_pid = field32(field64(a[0], RL_NOFF_TASK_REAL_PARENT), RL_NOFF_TASK_TGID);
	/* the name execve was given; a string near the end of RAM is left
	 * unread (the reports fall back to comm) */
	name = field64(a[2], RL_NOFF_BPRM_FILENAME);
	if (name >= c->ram_start && name < c->ram_end - RL_EXEC_NAME_LEN &&
	    bpf_probe_read_kernel_str(ev->proc.exec_name, sizeof(ev->proc.exec_name),
				      (const void *)name) < 0)
		ev->proc.exec_name[0] = '\0';
	ev_send(ev);
	return 0;
}

/* the followed set only holds the living; a leader's exit is PROC_EXIT */
SEC("raw_tp/sched_process_exit")
int nm_exit(__u64 *a)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct rl_event *ev;

	if ((__u32)id != tgid || !followed_task())
		return 0;
	bpf_map_delete_elem(&followed, &tgid);
	ev = ev_new(RL_EV_PROC_EXIT);
	if (!ev)
		return 0;
	ev->proc.parent_pid = field32(field64(a[0], RL_NOFF_TASK_REAL_PARENT), RL_NOFF_TASK_TGID);
	ev->proc.exit_code = (__s32)field32(a[0], RL_NOFF_TASK_EXIT_CODE);
	ev_send(ev);
	return 0;
}

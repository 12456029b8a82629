// SPDX-License-Identifier: GPL-2.0
/*
 * ringledger.bpf.c - kernel side of ringledger.
 *
 * Thin on purpose: it notices the birth and death of io_uring ring memory
 * (contexts, regions, user mappings, pages) and sends one event per step to
 * user space, where the ledger keeps the books.  Rules are never judged
 * here.
 *
 * Filtering: births are filtered by process (the followed set for `check`
 * and `-p`, the comm for `-c`); everything after a birth is filtered by the
 * object itself (tracked ctx, region, vma and pfn maps), because teardown
 * runs in kworkers and in other processes.  The page-free tracepoint fires
 * for every page in the system: its first action is one lookup in the
 * tracked-pfn map, and it takes no stack.
 *
 * Attach: every function hook has its fentry/fexit program and its
 * kprobe/kretprobe twin side by side; src/attach.c picks one per hook from
 * the running kernel's BTF and switches the other off before load.
 */
#include "core_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "rl_events.h"
#include "ringledger.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* ---- configuration, set by the loader before load ---------------------- */

const volatile bool follow_only = false;	/* births only from followed pids */
const volatile bool comm_filter = false;
const volatile char target_comm[RL_COMM_LEN] = {};
const volatile bool capture_stacks = true;
const volatile __u64 vmemmap_base_default = 0xffffea0000000000ULL;

/* vmemmap_base moves with KASLR; read through kallsyms (typeless ksym) */
extern const void vmemmap_base __ksym __weak;

/* ---- maps; sizes are set by the loader before load --------------------- */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);		/* tgid */
	__type(value, __u8);
} followed_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);		/* struct io_ring_ctx * */
	__type(value, __u32);		/* tgid that created it */
} tracked_ctxs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);		/* region pages[] pointer */
	__type(value, struct rl_region_info);
} tracked_regions SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);		/* struct vm_area_struct * */
	__type(value, __u64);		/* ctx */
} tracked_vmas SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 262144);
	__type(key, __u64);		/* pfn */
	__type(value, __u64);		/* region pages[] pointer */
} tracked_pfns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);		/* tid */
	__type(value, struct rl_task_scope);
} task_scopes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct rl_stash_key);
	__type(value, struct rl_stash);
} kprobe_stash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} event_seq SEC(".maps");

/* Failure and drop counters, read by user space (rl_counter). */
__u64 counters[RL_CNT__MAX] = {};
/* Every program run that reached an emit point (for `stat`). */
__u64 events_emitted = 0;

static __u64 vmemmap_cached;

static __always_inline void count(enum rl_counter c)
{
	if (c < RL_CNT__MAX)
		__sync_fetch_and_add(&counters[c], 1);
}

/* ---- helpers ----------------------------------------------------------- */

static __always_inline __u32 current_tgid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

static __always_inline bool comm_matches(void)
{
	char comm[RL_COMM_LEN];
	int i;

	bpf_get_current_comm(comm, sizeof(comm));
	for (i = 0; i < RL_COMM_LEN; i++) {
		if (comm[i] != target_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/* Is the current task one whose *new* objects we track? */
static __always_inline bool task_followed(void)
{
	__u32 tgid = current_tgid();

	if (follow_only && !bpf_map_lookup_elem(&followed_pids, &tgid))
		return false;
	if (comm_filter && !comm_matches())
		return false;
	return true;
}

static __always_inline bool ctx_tracked(__u64 ctx)
{
	return ctx && bpf_map_lookup_elem(&tracked_ctxs, &ctx);
}

static __always_inline __u64 page_to_pfn(const struct page *page)
{
	__u64 base = vmemmap_cached;

	if (!base) {
		if (&vmemmap_base == 0 ||
		    bpf_probe_read_kernel(&base, sizeof(base), &vmemmap_base))
			base = vmemmap_base_default;
		vmemmap_cached = base;
	}
	return ((__u64)page - base) / bpf_core_type_size(struct page);
}

static __always_inline struct rl_event *event_reserve(__u32 type)
{
	struct rl_event *ev;
	__u64 id = bpf_get_current_pid_tgid();
	__u32 zero = 0;
	__u64 *seq;

	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		count(RL_CNT_RINGBUF_FULL);
		return NULL;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->h.ts_ns = bpf_ktime_get_ns();
	ev->h.type = type;
	ev->h.pid = id >> 32;
	ev->h.tid = (__u32)id;
	ev->h.cpu = bpf_get_smp_processor_id();
	seq = bpf_map_lookup_elem(&event_seq, &zero);
	if (seq)
		ev->h.seq = (*seq)++;
	bpf_get_current_comm(ev->h.comm, sizeof(ev->h.comm));
	return ev;
}

static __always_inline void event_stack(void *ctx, struct rl_event *ev)
{
	long n;

	if (!capture_stacks)
		return;
	n = bpf_get_stack(ctx, ev->stack, sizeof(ev->stack), 0);
	if (n < 0) {
		count(RL_CNT_STACK_FAIL);
		return;
	}
	ev->nr_stack = n / sizeof(__u64);
}

static __always_inline void event_submit(struct rl_event *ev)
{
	__sync_fetch_and_add(&events_emitted, 1);
	bpf_ringbuf_submit(ev, 0);
}

static __always_inline struct rl_task_scope *scope_get(bool create)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct rl_task_scope *s, zero = {};

	s = bpf_map_lookup_elem(&task_scopes, &tid);
	if (s || !create)
		return s;
	if (bpf_map_update_elem(&task_scopes, &tid, &zero, BPF_NOEXIST)) {
		count(RL_CNT_TRACK_MAP_FULL);
		return NULL;
	}
	return bpf_map_lookup_elem(&task_scopes, &tid);
}

static __always_inline void scope_put_if_idle(struct rl_task_scope *s)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (!s->reg_ctx && !s->mmap_ctx)
		bpf_map_delete_elem(&task_scopes, &tid);
}

static __always_inline void track(void *map, __u64 key, __u64 val,
				  enum rl_counter full)
{
	if (bpf_map_update_elem(map, &key, &val, BPF_ANY))
		count(full);
}

/* kprobe fallback: a kretprobe has no arguments, so its kprobe stashes
 * them per (tid, hook). */
static __always_inline void stash_args(__u32 hook, __u64 a0, __u64 a1,
				       __u64 a2, __u64 a3)
{
	struct rl_stash_key k = { .tid = (__u32)bpf_get_current_pid_tgid(),
				  .hook = hook };
	struct rl_stash v = { .arg = { a0, a1, a2, a3 } };

	if (bpf_map_update_elem(&kprobe_stash, &k, &v, BPF_ANY))
		count(RL_CNT_TRACK_MAP_FULL);
}

static __always_inline bool unstash_args(__u32 hook, struct rl_stash *out)
{
	struct rl_stash_key k = { .tid = (__u32)bpf_get_current_pid_tgid(),
				  .hook = hook };
	struct rl_stash *v = bpf_map_lookup_elem(&kprobe_stash, &k);

	if (!v) {
		count(RL_CNT_ENTRY_MISSING);
		return false;
	}
	*out = *v;
	bpf_map_delete_elem(&kprobe_stash, &k);
	return true;
}

/* ---- ring contexts ----------------------------------------------------- */

/* The SQ/CQ and SQE regions are created before the ctx is published by the
 * io_uring_create tracepoint: give them their owner now (7.x layout). */
static __always_inline void claim_ring_regions(struct io_ring_ctx *ring)
{
	__u64 owner = (__u64)ring, pages;
	struct rl_region_info *info;

	if (!bpf_core_field_exists(ring->ring_region))
		return;
	pages = (__u64)BPF_CORE_READ(ring, ring_region.pages);
	info = pages ? bpf_map_lookup_elem(&tracked_regions, &pages) : NULL;
	if (info)
		info->ctx = owner;
	pages = (__u64)BPF_CORE_READ(ring, sq_region.pages);
	info = pages ? bpf_map_lookup_elem(&tracked_regions, &pages) : NULL;
	if (info)
		info->ctx = owner;
}

SEC("raw_tp/io_uring_create")
int BPF_PROG(tp_io_uring_create, int fd, struct io_ring_ctx *ring, __u32 sq_entries,
	     __u32 cq_entries, __u32 flags)
{
	struct rl_event *ev;

	if (!task_followed())
		return 0;
	track(&tracked_ctxs, (__u64)ring, current_tgid(), RL_CNT_TRACK_MAP_FULL);
	claim_ring_regions(ring);
	ev = event_reserve(RL_EV_CTX_CREATE);
	if (!ev)
		return 0;
	ev->ctx.ctx = (__u64)ring;
	ev->ctx.sq_entries = sq_entries;
	ev->ctx.cq_entries = cq_entries;
	ev->ctx.flags = flags;
	ev->ctx.fd = fd;
	event_submit(ev);
	return 0;
}

/* io_ring_exit_work() ends by freeing the ctx (io_ring_ctx_free is inlined):
 * its return is the ctx's death. */
static __always_inline int handle_exit_work(void *work)
{
	__u64 ctx = (__u64)work - bpf_core_field_offset(struct io_ring_ctx, exit_work);
	struct rl_event *ev;

	if (!bpf_map_lookup_elem(&tracked_ctxs, &ctx))
		return 0;
	bpf_map_delete_elem(&tracked_ctxs, &ctx);
	ev = event_reserve(RL_EV_CTX_DEAD);
	if (!ev)
		return 0;
	ev->ctx.ctx = ctx;
	event_submit(ev);
	return 0;
}

SEC("fexit/io_ring_exit_work")
int BPF_PROG(fx_io_ring_exit_work, void *work)
{
	return handle_exit_work(work);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_ring_exit_work, void *work)
{
	stash_args(RL_HOOK_EXIT_WORK, (__u64)work, 0, 0, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_ring_exit_work)
{
	struct rl_stash s;

	if (!unstash_args(RL_HOOK_EXIT_WORK, &s))
		return 0;
	return handle_exit_work((void *)s.arg[0]);
}

/* ---- register operations: who owns the region being created ----------- */

static __always_inline int handle_register_enter(__u64 ctx, __u32 opcode)
{
	struct rl_task_scope *s;

	if (!ctx_tracked(ctx))
		return 0;
	s = scope_get(true);
	if (!s)
		return 0;
	s->reg_ctx = ctx;
	s->reg_opcode = opcode;
	return 0;
}

static __always_inline int handle_register_exit(void)
{
	struct rl_task_scope *s = scope_get(false);

	if (!s)
		return 0;
	s->reg_ctx = 0;
	s->reg_opcode = 0;
	scope_put_if_idle(s);
	return 0;
}

SEC("fentry/__io_uring_register")
int BPF_PROG(fe_io_uring_register, void *ring, __u32 opcode)
{
	return handle_register_enter((__u64)ring, opcode);
}

SEC("fexit/__io_uring_register")
int BPF_PROG(fx_io_uring_register)
{
	return handle_register_exit();
}

SEC("kprobe")
int BPF_KPROBE(kp_io_uring_register, void *ring, __u32 opcode)
{
	return handle_register_enter((__u64)ring, opcode);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_uring_register)
{
	return handle_register_exit();
}

/* ---- regions ----------------------------------------------------------- */

/* The kind of a region being created, from the register operation the task
 * is in (none: ring setup or resize) and the mmap offset it was given.  The
 * offset alone is ambiguous: a buffer ring's is bgid << 16 without the
 * PBUF bit, which can equal the CQ ring's. */
static __always_inline __u32 region_kind(const struct rl_task_scope *s,
					 __u64 off, __u32 *bgid)
{
	__u32 op = s ? s->reg_opcode : 0;

	if (op == RL_IORING_REGISTER_PBUF_RING) {
		*bgid = off >> RL_OFF_PBUF_SHIFT;
		return RL_RK_PBUF;
	}
	if (op == RL_IORING_REGISTER_MEM_REGION)
		return RL_RK_PARAM;
	if (op == RL_IORING_REGISTER_ZCRX_IFQ)
		return RL_RK_ZCRX;
	if (off == RL_OFF_CQ_RING || off == RL_OFF_SQ_RING)
		return RL_RK_RINGS;
	if (off == RL_OFF_SQES)
		return RL_RK_SQES;
	return RL_RK_UNKNOWN;
}

struct pages_walk {
	struct page **pages;
	__u64 region;
	__u32 nr_pages;
	__u32 flags;
	__u32 at_free;
	bool track;
};

/* One REGION_PAGES event: pfns and refcounts of pages [first, first + 32). */
static long emit_pages_chunk(__u32 chunk, struct pages_walk *w)
{
	__u32 first = chunk * RL_PFNS_PER_EVENT;
	struct page *head = NULL, *page;
	struct rl_event *ev;
	__u32 i, refs;

	if (first >= w->nr_pages)
		return 1;
	ev = event_reserve(RL_EV_REGION_PAGES);
	if (!ev)
		return 1;
	ev->pages.region = w->region;
	ev->pages.first = first;
	ev->pages.at_free = w->at_free;
	if (w->flags & RL_REGION_F_SINGLE_REF)
		bpf_probe_read_kernel(&head, sizeof(head), &w->pages[0]);

	for (i = 0; i < RL_PFNS_PER_EVENT; i++) {
		if (first + i >= w->nr_pages)
			break;
		if (bpf_probe_read_kernel(&page, sizeof(page), &w->pages[first + i])) {
			count(RL_CNT_READ_FAIL);
			break;
		}
		/* a compound region's reference count lives in its head */
		refs = BPF_CORE_READ(head ? head : page, _refcount.counter);
		ev->pages.pfn[i] = page_to_pfn(page);
		ev->pages.refcount[i] = refs;
		ev->pages.count = i + 1;
		if (w->track)
			track(&tracked_pfns, ev->pages.pfn[i], w->region,
			      RL_CNT_PFN_MAP_FULL);
	}
	event_submit(ev);
	return 0;
}

static __always_inline void emit_region_pages(struct pages_walk *w)
{
	__u32 chunks = (w->nr_pages + RL_PFNS_PER_EVENT - 1) / RL_PFNS_PER_EVENT;

	if (chunks > RL_MAX_REGION_CHUNKS) {
		count(RL_CNT_REGION_TRUNCATED);
		chunks = RL_MAX_REGION_CHUNKS;
	}
	bpf_loop(chunks, emit_pages_chunk, w, 0);
}

static __always_inline int handle_create_region(void *ctx,
						struct io_mapped_region *mr,
						__u64 mmap_offset, int ret)
{
	struct rl_task_scope *s = scope_get(false);
	struct rl_region_info info = {};
	struct pages_walk w = {};
	struct rl_event *ev;
	__u64 owner = s ? s->reg_ctx : 0;
	__u32 bgid = 0, kind;
	struct page *head;

	if (ret)
		return 0;
	if (owner ? !ctx_tracked(owner) : !task_followed())
		return 0;

	w.pages = BPF_CORE_READ(mr, pages);
	w.region = (__u64)w.pages;
	w.nr_pages = BPF_CORE_READ(mr, nr_pages);
	w.flags = BPF_CORE_READ(mr, flags);
	if (!w.region)
		return 0;
	kind = region_kind(s, mmap_offset, &bgid);
	info.ctx = owner;
	info.kind = kind;
	info.bgid = bgid;
	if (bpf_map_update_elem(&tracked_regions, &w.region, &info, BPF_ANY))
		count(RL_CNT_TRACK_MAP_FULL);

	ev = event_reserve(RL_EV_REGION_CREATE);
	if (!ev)
		return 0;
	ev->region.region = w.region;
	ev->region.ctx = owner;
	ev->region.mr = (__u64)mr;
	ev->region.mmap_offset = mmap_offset;
	ev->region.kind = kind;
	ev->region.bgid = bgid;
	ev->region.nr_pages = w.nr_pages;
	ev->region.flags = w.flags;
	ev->region.ret = ret;
	if (!bpf_probe_read_kernel(&head, sizeof(head), &w.pages[0]))
		ev->region.head_refcount = BPF_CORE_READ(head, _refcount.counter);
	event_submit(ev);

	/* user memory is the pin ledger's business; its pfns stay untracked */
	w.track = !(w.flags & RL_REGION_F_USER_PROVIDED);
	emit_region_pages(&w);
	return 0;
}

SEC("fexit/io_create_region")
int BPF_PROG(fx_io_create_region, void *owner, struct io_mapped_region *mr,
	     void *reg, __u64 mmap_offset, int ret)
{
	return handle_create_region(ctx, mr, mmap_offset, ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_create_region, void *owner, struct io_mapped_region *mr,
	       void *reg, __u64 mmap_offset)
{
	stash_args(RL_HOOK_CREATE_REGION, (__u64)mr, mmap_offset, 0, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_create_region, int ret)
{
	struct rl_stash s;

	if (!unstash_args(RL_HOOK_CREATE_REGION, &s))
		return 0;
	return handle_create_region(ctx, (void *)s.arg[0], s.arg[1], ret);
}

/* Entry of io_free_region: pages[] is still set and io_uring still holds
 * its references; the refcounts read now are what RL002 judges. */
static __always_inline int handle_free_region(void *ctx, struct io_mapped_region *mr)
{
	struct rl_region_info *info;
	struct pages_walk w = {};
	struct rl_event *ev;

	w.pages = BPF_CORE_READ(mr, pages);
	w.region = (__u64)w.pages;
	if (!w.region)
		return 0;
	info = bpf_map_lookup_elem(&tracked_regions, &w.region);
	if (!info)
		return 0;
	w.nr_pages = BPF_CORE_READ(mr, nr_pages);
	w.flags = BPF_CORE_READ(mr, flags);
	w.at_free = 1;

	ev = event_reserve(RL_EV_REGION_FREE);
	if (ev) {
		ev->region.region = w.region;
		ev->region.ctx = info->ctx;
		ev->region.kind = info->kind;
		ev->region.bgid = info->bgid;
		ev->region.mr = (__u64)mr;
		ev->region.nr_pages = w.nr_pages;
		ev->region.flags = w.flags;
		event_stack(ctx, ev);
		event_submit(ev);
	}
	bpf_map_delete_elem(&tracked_regions, &w.region);
	emit_region_pages(&w);
	return 0;
}

SEC("fentry/io_free_region")
int BPF_PROG(fe_io_free_region, void *owner, struct io_mapped_region *mr)
{
	return handle_free_region(ctx, mr);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_free_region, void *owner, struct io_mapped_region *mr)
{
	return handle_free_region(ctx, mr);
}

/* ---- user mappings ----------------------------------------------------- */

static __always_inline int handle_unmapped_area(struct file *filp, __u64 len,
						__u64 pgoff, __u64 flags, long ret)
{
	__u64 ctx = (__u64)BPF_CORE_READ(filp, private_data);
	struct rl_event *ev;

	if (!ctx_tracked(ctx))
		return 0;
	ev = event_reserve(RL_EV_MMAP_AREA);
	if (!ev)
		return 0;
	ev->mmap.ctx = ctx;
	ev->mmap.start = ret;
	ev->mmap.end = ret + len;
	ev->mmap.pgoff = pgoff;
	ev->mmap.flags = flags;
	ev->mmap.ret = ret;
	event_submit(ev);
	return 0;
}

SEC("fexit/io_uring_get_unmapped_area")
int BPF_PROG(fx_io_uring_get_unmapped_area, struct file *filp, __u64 addr,
	     __u64 len, __u64 pgoff, __u64 flags, long ret)
{
	return handle_unmapped_area(filp, len, pgoff, flags, ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_uring_get_unmapped_area, struct file *filp, __u64 addr,
	       __u64 len, __u64 pgoff, __u64 flags)
{
	stash_args(RL_HOOK_UNMAPPED_AREA, (__u64)filp, len, pgoff, flags);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_uring_get_unmapped_area, long ret)
{
	struct rl_stash s;

	if (!unstash_args(RL_HOOK_UNMAPPED_AREA, &s))
		return 0;
	return handle_unmapped_area((void *)s.arg[0], s.arg[1], s.arg[2],
				    s.arg[3], ret);
}

static __always_inline int handle_mmap_enter(struct file *file,
					     struct vm_area_struct *vma)
{
	__u64 ctx = (__u64)BPF_CORE_READ(file, private_data);
	struct rl_task_scope *s;

	if (!ctx_tracked(ctx))
		return 0;
	s = scope_get(true);
	if (!s)
		return 0;
	s->mmap_ctx = ctx;
	s->mmap_vma = (__u64)vma;
	s->ins_pages = 0;
	s->ins_nr = 0;
	s->ins_left = 0;
	s->ins_ret = 0;
	return 0;
}

/* MMAP first, then the INSERT_PAGES it did: the ledger learns the vma's
 * offset before the pages it maps. */
static __always_inline int handle_mmap_exit(struct vm_area_struct *vma, int ret)
{
	struct rl_task_scope *s = scope_get(false);
	struct rl_event *ev;
	__u64 start, end, pgoff, ctx;

	if (!s || !s->mmap_ctx || s->mmap_vma != (__u64)vma)
		return 0;
	ctx = s->mmap_ctx;
	start = BPF_CORE_READ(vma, vm_start);
	end = BPF_CORE_READ(vma, vm_end);
	pgoff = BPF_CORE_READ(vma, vm_pgoff);

	ev = event_reserve(RL_EV_MMAP);
	if (ev) {
		ev->mmap.ctx = ctx;
		ev->mmap.vma = (__u64)vma;
		ev->mmap.start = start;
		ev->mmap.end = end;
		ev->mmap.pgoff = pgoff;
		ev->mmap.ret = ret;
		event_submit(ev);
	}
	if (s->ins_pages) {
		ev = event_reserve(RL_EV_INSERT_PAGES);
		if (ev) {
			ev->mmap.ctx = ctx;
			ev->mmap.vma = (__u64)vma;
			ev->mmap.start = start;
			ev->mmap.end = end;
			ev->mmap.pgoff = pgoff;
			ev->mmap.region = s->ins_pages;
			ev->mmap.nr_pages = s->ins_nr;
			ev->mmap.nr_left = s->ins_left;
			ev->mmap.ret = s->ins_ret;
			event_submit(ev);
		}
	}
	if (!ret)
		track(&tracked_vmas, (__u64)vma, ctx, RL_CNT_TRACK_MAP_FULL);
	s->mmap_ctx = 0;
	s->mmap_vma = 0;
	scope_put_if_idle(s);
	return 0;
}

SEC("fentry/io_uring_mmap")
int BPF_PROG(fe_io_uring_mmap, struct file *file, struct vm_area_struct *vma)
{
	return handle_mmap_enter(file, vma);
}

SEC("fexit/io_uring_mmap")
int BPF_PROG(fx_io_uring_mmap, struct file *file, struct vm_area_struct *vma, int ret)
{
	return handle_mmap_exit(vma, ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_uring_mmap, struct file *file, struct vm_area_struct *vma)
{
	return handle_mmap_enter(file, vma);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_uring_mmap, int ret)
{
	struct rl_task_scope *s = scope_get(false);

	if (!s)
		return 0;
	return handle_mmap_exit((void *)s->mmap_vma, ret);
}

/* vm_insert_pages is generic: only the call made inside io_uring_mmap on the
 * vma being mapped counts.  On return *num holds the pages NOT inserted. */
static __always_inline int handle_insert_enter(struct vm_area_struct *vma,
					       struct page **pages, __u64 *num)
{
	struct rl_task_scope *s = scope_get(false);
	__u64 nr = 0;

	if (!s || !s->mmap_ctx || s->mmap_vma != (__u64)vma)
		return 0;
	bpf_probe_read_kernel(&nr, sizeof(nr), num);
	s->ins_pages = (__u64)pages;
	s->ins_nr = nr;
	s->ins_num_ptr = (__u64)num;
	return 0;
}

static __always_inline int handle_insert_exit(int ret)
{
	struct rl_task_scope *s = scope_get(false);
	__u64 left = 0;

	if (!s || !s->mmap_ctx || !s->ins_num_ptr)
		return 0;
	bpf_probe_read_kernel(&left, sizeof(left), (void *)s->ins_num_ptr);
	s->ins_left = left;
	s->ins_ret = ret;
	s->ins_num_ptr = 0;
	return 0;
}

/* `struct page **` and `unsigned long *` arguments: older verifiers refuse
 * to read them from the trampoline context directly ("arg2 type PTR is not
 * a struct"), bpf_get_func_arg() reads them on every kernel. */
SEC("fentry/vm_insert_pages")
int fe_vm_insert_pages(__u64 *ctx)
{
	__u64 vma = 0, pages = 0, num = 0;

	bpf_get_func_arg(ctx, 0, &vma);
	bpf_get_func_arg(ctx, 2, &pages);
	bpf_get_func_arg(ctx, 3, &num);
	return handle_insert_enter((void *)vma, (void *)pages, (void *)num);
}

SEC("fexit/vm_insert_pages")
int fx_vm_insert_pages(__u64 *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	return handle_insert_exit((int)ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_vm_insert_pages, struct vm_area_struct *vma, __u64 addr,
	       struct page **pages, __u64 *num)
{
	return handle_insert_enter(vma, pages, num);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_vm_insert_pages, int ret)
{
	return handle_insert_exit(ret);
}

/* ---- the end of user mappings ----------------------------------------- */

static __always_inline void fill_vma(struct rl_event *ev, struct vm_area_struct *vma)
{
	ev->vma.vma = (__u64)vma;
	ev->vma.start = BPF_CORE_READ(vma, vm_start);
	ev->vma.end = BPF_CORE_READ(vma, vm_end);
	ev->vma.pgoff = BPF_CORE_READ(vma, vm_pgoff);
	ev->vma.mm = (__u64)BPF_CORE_READ(vma, vm_mm);
}

/* fork (dup_mmap) and vma splits copy a vma: the copy maps the same pages
 * and, for io_uring's VM_MIXEDMAP vmas, holds its own page references. */
static __always_inline int handle_vma_dup(struct vm_area_struct *orig,
					  struct vm_area_struct *copy)
{
	__u64 *ctx, key = (__u64)orig;
	struct rl_event *ev;

	if (!copy)
		return 0;
	ctx = bpf_map_lookup_elem(&tracked_vmas, &key);
	if (!ctx)
		return 0;
	track(&tracked_vmas, (__u64)copy, *ctx, RL_CNT_TRACK_MAP_FULL);
	ev = event_reserve(RL_EV_VMA_DUP);
	if (!ev)
		return 0;
	fill_vma(ev, copy);
	ev->vma.vma = (__u64)orig;
	ev->vma.new_vma = (__u64)copy;
	event_submit(ev);
	return 0;
}

SEC("fexit/vm_area_dup")
int BPF_PROG(fx_vm_area_dup, struct vm_area_struct *orig, struct vm_area_struct *ret)
{
	return handle_vma_dup(orig, ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_vm_area_dup, struct vm_area_struct *orig)
{
	stash_args(RL_HOOK_VMA_DUP, (__u64)orig, 0, 0, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_vm_area_dup, struct vm_area_struct *ret)
{
	struct rl_stash s;

	if (!unstash_args(RL_HOOK_VMA_DUP, &s))
		return 0;
	return handle_vma_dup((void *)s.arg[0], ret);
}

/* Page tables of a vma torn down (munmap, exit, MADV_DONTNEED): its page
 * references go now, and the pages may be freed before remove_vma runs. */
static __always_inline int handle_vma_zap(struct vm_area_struct *vma,
					  __u64 start, __u64 end)
{
	__u64 key = (__u64)vma;
	struct rl_event *ev;

	if (!bpf_map_lookup_elem(&tracked_vmas, &key))
		return 0;
	ev = event_reserve(RL_EV_VMA_ZAP);
	if (!ev)
		return 0;
	fill_vma(ev, vma);
	ev->vma.start = start;
	ev->vma.end = end;
	event_submit(ev);
	return 0;
}

/* __zap_vma_range (7.x) and unmap_single_vma (6.12) share their first four
 * arguments; the loader points this program at whichever exists. */
SEC("fentry/__zap_vma_range")
int BPF_PROG(fe_zap_vma, void *tlb, struct vm_area_struct *vma, __u64 start, __u64 end)
{
	return handle_vma_zap(vma, start, end);
}

SEC("kprobe")
int BPF_KPROBE(kp_zap_vma, void *tlb, struct vm_area_struct *vma, __u64 start, __u64 end)
{
	return handle_vma_zap(vma, start, end);
}

static __always_inline int handle_remove_vma(void *ctx, struct vm_area_struct *vma)
{
	__u64 key = (__u64)vma;
	struct rl_event *ev;

	if (!bpf_map_lookup_elem(&tracked_vmas, &key))
		return 0;
	bpf_map_delete_elem(&tracked_vmas, &key);
	ev = event_reserve(RL_EV_VMA_REMOVE);
	if (!ev)
		return 0;
	fill_vma(ev, vma);
	event_stack(ctx, ev);
	event_submit(ev);
	return 0;
}

SEC("fentry/remove_vma")
int BPF_PROG(fe_remove_vma, struct vm_area_struct *vma)
{
	return handle_remove_vma(ctx, vma);
}

SEC("kprobe")
int BPF_KPROBE(kp_remove_vma, struct vm_area_struct *vma)
{
	return handle_remove_vma(ctx, vma);
}

/* ---- pages ------------------------------------------------------------- */

/* Fires for every page freed in the system: one map lookup, nothing else,
 * unless the pfn is ours.  Tracked pages are order-0 or the head of a
 * compound region, so the head pfn is the only key to look up. */
SEC("raw_tp/mm_page_free")
int BPF_PROG(tp_mm_page_free, struct page *page, unsigned int order)
{
	__u64 pfn = page_to_pfn(page), *region;
	struct rl_event *ev;

	region = bpf_map_lookup_elem(&tracked_pfns, &pfn);
	if (!region)
		return 0;
	bpf_map_delete_elem(&tracked_pfns, &pfn);
	ev = event_reserve(RL_EV_PAGE_FREE);
	if (!ev)
		return 0;
	ev->page.pfn = pfn;
	ev->page.order = order;
	event_stack(ctx, ev);
	event_submit(ev);
	return 0;
}

/* ---- processes: the followed set grows with fork ----------------------- */

SEC("raw_tp/sched_process_fork")
int BPF_PROG(tp_sched_process_fork, struct task_struct *parent,
	     struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	struct rl_event *ev;
	__u8 one = 1;

	if (ptgid == ctgid || !bpf_map_lookup_elem(&followed_pids, &ptgid))
		return 0;
	if (bpf_map_update_elem(&followed_pids, &ctgid, &one, BPF_ANY))
		count(RL_CNT_TRACK_MAP_FULL);
	ev = event_reserve(RL_EV_PROC_FORK);
	if (!ev)
		return 0;
	ev->proc.parent_pid = ptgid;
	ev->proc.child_pid = ctgid;
	event_submit(ev);
	return 0;
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(tp_sched_process_exec, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	struct rl_event *ev;

	if (!bpf_map_lookup_elem(&followed_pids, &tgid))
		return 0;
	ev = event_reserve(RL_EV_PROC_EXEC);
	if (!ev)
		return 0;
	ev->proc.parent_pid = BPF_CORE_READ(p, real_parent, tgid);
	event_submit(ev);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(tp_sched_process_exit, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	struct rl_event *ev;

	if (BPF_CORE_READ(p, pid) != tgid ||
	    !bpf_map_lookup_elem(&followed_pids, &tgid))
		return 0;
	ev = event_reserve(RL_EV_PROC_EXIT);
	if (!ev)
		return 0;
	ev->proc.parent_pid = BPF_CORE_READ(p, real_parent, tgid);
	ev->proc.exit_code = BPF_CORE_READ(p, exit_code);
	event_submit(ev);
	return 0;
}

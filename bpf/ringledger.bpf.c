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
#define RL_RINGBUF_DEFAULT_BYTES (8 << 20)	/* `--ringbuf-kib` changes it */
/* wake the reader once this much is waiting: an eighth of the ring buffer
 * (the loader sets it from the buffer's size) */
const volatile __u64 wakeup_bytes = RL_RINGBUF_DEFAULT_BYTES / 8;

/* vmemmap_base moves with KASLR; read through kallsyms (typeless ksym) */
extern const void vmemmap_base __ksym __weak;

/* ---- maps; sizes are set by the loader before load --------------------- */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RL_RINGBUF_DEFAULT_BYTES);
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

/* Fixed buffers we saw pinned, until io_uring releases them: the imu is
 * what io_free_rsrc_node (7.x) / io_buffer_unmap (6.12) is handed. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);		/* struct io_mapped_ubuf * */
	__type(value, struct rl_pin_info);
} tracked_imus SEC(".maps");

/* User memory of regions we saw pinned, until io_free_region. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);		/* page array io_pin_pages returned */
	__type(value, struct rl_pin_info);
} tracked_pin_arrays SEC(".maps");

/* Per task: the pin set an unpin_user_*() drops pins of.  The only map the
 * unpin programs look at, so an unpin elsewhere costs one lookup. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);		/* tid */
	__type(value, struct rl_pin_scope);
} pin_scopes SEC(".maps");

/* Failure and drop counters, read by user space (rl_counter). */
__u64 counters[RL_CNT__MAX] = {};
/* Every program run that reached an emit point (for `stat`). */
__u64 events_emitted = 0;
/* The last pin set number handed out (0 names none). */
__u64 pin_serial = 0;
/* Pin scopes open on any task: while there are none, an unpin needs no
 * lookup at all. */
__s64 open_pin_scopes = 0;
/* What a new pin scope starts from: never written. */
static struct rl_pin_scope zero_pin_scope;

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

static __always_inline void event_header(struct rl_event *ev, __u32 type)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 zero = 0;
	__u64 *seq;

	ev->h.ts_ns = bpf_ktime_get_ns();
	ev->h.type = type;
	ev->h.pid = id >> 32;
	ev->h.tid = (__u32)id;
	ev->h.cpu = bpf_get_smp_processor_id();
	seq = bpf_map_lookup_elem(&event_seq, &zero);
	if (seq)
		ev->h.seq = (*seq)++;
	bpf_get_current_comm(ev->h.comm, sizeof(ev->h.comm));
}

/* Wake the reader only once the buffer is an eighth full: it reads what
 * is there whenever its wait times out (every 20-100 ms), and a wakeup
 * per event costs the producer an irq_work and the reader's CPU an IPI
 * for every event of a burst (a 64 MiB buffer registration: 1,500). */
static __always_inline __u64 wakeup_flags(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
	       BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline struct rl_event *event_reserve(__u32 type)
{
	struct rl_event *ev;

	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		count(RL_CNT_RINGBUF_FULL);
		return NULL;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	event_header(ev, type);
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
	bpf_ringbuf_submit(ev, wakeup_flags());
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
static __always_inline struct rl_stash_key stash_key(__u32 hook)
{
	struct rl_stash_key k = { .tid = (__u32)bpf_get_current_pid_tgid(),
				  .hook = hook };

	return k;
}

static __always_inline void stash_args(__u32 hook, __u64 a0, __u64 a1,
				       __u64 a2, __u64 a3)
{
	struct rl_stash_key k = stash_key(hook);
	struct rl_stash v = { .arg = { a0, a1, a2, a3 } };

	if (bpf_map_update_elem(&kprobe_stash, &k, &v, BPF_ANY))
		count(RL_CNT_TRACK_MAP_FULL);
}

/* This task's stash for hook, or NULL; stash_drop() ends it. */
static __always_inline struct rl_stash *stash_peek(__u32 hook)
{
	struct rl_stash_key k = stash_key(hook);

	return bpf_map_lookup_elem(&kprobe_stash, &k);
}

static __always_inline void stash_drop(__u32 hook)
{
	struct rl_stash_key k = stash_key(hook);

	bpf_map_delete_elem(&kprobe_stash, &k);
}

static __always_inline bool unstash_args(__u32 hook, struct rl_stash *out)
{
	struct rl_stash *v = stash_peek(hook);

	if (!v) {
		count(RL_CNT_ENTRY_MISSING);
		return false;
	}
	*out = *v;
	stash_drop(hook);
	return true;
}

/* The end of the current task's user address space (mm->task_size):
 * 47 or 56 bits, or 4 GiB for a compat task; 0 when unreadable. */
static __always_inline __u64 current_task_size(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	return BPF_CORE_READ(task, mm, task_size);
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

/* The table index the first buffer of a register call goes to: 0, or the
 * offset an update starts at (read from the caller's argument, as the
 * kernel is about to). */
static __always_inline __u32 first_buffer_index(__u32 opcode, const void *arg)
{
	struct rl_uapi_rsrc_update2 up = {};

	if (opcode != RL_IORING_REGISTER_BUFFERS_UPDATE || !arg)
		return 0;
	if (bpf_probe_read_user(&up, sizeof(up), arg))
		count(RL_CNT_READ_FAIL);
	return up.offset;
}

static __always_inline int handle_register_enter(__u64 ctx, __u32 opcode, const void *arg)
{
	struct rl_task_scope *s;

	if (!ctx_tracked(ctx))
		return 0;
	s = scope_get(true);
	if (!s)
		return 0;
	s->reg_ctx = ctx;
	s->reg_opcode = opcode;
	s->reg_bgid = 0;
	s->buf_pin_key = 0;
	s->in_buf_register = 0;
	s->buf_next_index = first_buffer_index(opcode, arg);
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
int BPF_PROG(fe_io_uring_register, void *ring, __u32 opcode, void *arg)
{
	return handle_register_enter((__u64)ring, opcode, arg);
}

SEC("fexit/__io_uring_register")
int BPF_PROG(fx_io_uring_register)
{
	return handle_register_exit();
}

SEC("kprobe")
int BPF_KPROBE(kp_io_uring_register, void *ring, __u32 opcode, void *arg)
{
	return handle_register_enter((__u64)ring, opcode, arg);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_uring_register)
{
	return handle_register_exit();
}

/* ---- pin scopes: the pin set an unpin on this task belongs to --------- */

/* Which hook opened a pin scope: only its exit closes it. */
enum rl_scope_opener {
	RL_OPENER_BUF_REGISTER = 1,	/* io_sqe_buffer_register      */
	RL_OPENER_BUF_RELEASE,		/* io_free_rsrc_node / io_buffer_unmap */
	RL_OPENER_REGION_FREE,		/* io_free_region              */
	RL_OPENER_UNPIN_PAGES,		/* unpin_user_pages, outside any */
};

/* Send what the scope gathered; the event stays in the scope's map value
 * and is copied into the ring buffer whole. */
static __always_inline void pin_scope_flush(void *ctx, struct rl_pin_scope *ps,
					    __u32 flags, bool stack)
{
	struct rl_event *ev = &ps->ev;

	event_header(ev, RL_EV_UNPIN);
	ev->unpin.flags = flags;
	ev->nr_stack = 0;
	if (stack)
		event_stack(ctx, ev);
	if (bpf_ringbuf_output(&events, ev, sizeof(*ev), wakeup_flags()))
		count(RL_CNT_RINGBUF_FULL);
	else
		__sync_fetch_and_add(&events_emitted, 1);
	ev->unpin.count = 0;
}

static __always_inline struct rl_pin_scope *pin_scope_get(void)
{
	__u32 tid;

	if (!open_pin_scopes)
		return NULL;
	tid = (__u32)bpf_get_current_pid_tgid();
	return bpf_map_lookup_elem(&pin_scopes, &tid);
}

/* From now until pin_scope_close, unpins on this task drop pins of the
 * pin set `info`; `end_flags` will say how the scope ended. */
static __always_inline void pin_scope_open(void *ctx, const struct rl_pin_info *info,
					   __u64 ring, __u32 opener, __u32 end_flags)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct rl_pin_scope *ps = bpf_map_lookup_elem(&pin_scopes, &tid);

	if (ps) {
		/* one left open (its exit was missed): end it first */
		count(RL_CNT_ENTRY_MISSING);
		pin_scope_flush(ctx, ps, RL_UNPIN_F_END | ps->end_flags, false);
	} else {
		if (bpf_map_update_elem(&pin_scopes, &tid, &zero_pin_scope, BPF_NOEXIST)) {
			count(RL_CNT_TRACK_MAP_FULL);
			return;
		}
		ps = bpf_map_lookup_elem(&pin_scopes, &tid);
		if (!ps)
			return;
		__sync_fetch_and_add(&open_pin_scopes, 1);
	}
	ps->opener = opener;
	ps->end_flags = end_flags;
	ps->ev.unpin.ctx = ring;
	ps->ev.unpin.key = info->key;
	ps->ev.unpin.owner = info->owner;
	ps->ev.unpin.owner_id = info->owner_id;
	ps->ev.unpin.count = 0;
}

/* The exit of the hook that opened the scope: send the last unpins with
 * the end flags (and the stack: the end is where a rule breaks). */
static __always_inline void pin_scope_close(void *ctx, __u32 opener, __u32 extra_flags)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct rl_pin_scope *ps = bpf_map_lookup_elem(&pin_scopes, &tid);
	__u32 flags;

	if (!ps || ps->opener != opener)
		return;
	flags = RL_UNPIN_F_END | ps->end_flags | extra_flags;
	/* a registration that unpinned nothing has nothing to say */
	if (ps->ev.unpin.count || flags != RL_UNPIN_F_END)
		pin_scope_flush(ctx, ps, flags, true);
	if (!bpf_map_delete_elem(&pin_scopes, &tid))
		__sync_fetch_and_add(&open_pin_scopes, -1);
}

/* One unpin of n pins of the folio at pfn; consecutive unpins of one folio
 * share an entry. */
static __always_inline void pin_scope_add(struct rl_pin_scope *ps, __u64 pfn, __u32 n)
{
	__u32 i = ps->ev.unpin.count;

	if (i > 0 && i <= RL_UNPINS_PER_EVENT && ps->ev.unpin.pfn[i - 1] == pfn) {
		ps->ev.unpin.npins[i - 1] += n;
		return;
	}
	if (i >= RL_UNPINS_PER_EVENT) {
		pin_scope_flush(NULL, ps, 0, false);
		i = 0;
	}
	i &= RL_UNPINS_PER_EVENT - 1;
	ps->ev.unpin.pfn[i] = pfn;
	ps->ev.unpin.npins[i] = n;
	ps->ev.unpin.count = i + 1;
}

/* ---- folios ----------------------------------------------------------- */

/* The head of page's folio from its compound word (compound_head()):
 * bit 0 clear, page is a head or order-0; else the word is head | 1, or
 * (7.2+, HUGETLB_PAGE_OPTIMIZE_VMEMMAP) a mask | 1 that turns the tail's
 * address into the head's: ones above the folio's size, zeros below, a
 * shape no head pointer has. */
static __always_inline __u64 head_from_compound(__u64 page, __u64 info)
{
	__u64 mask = info & ~1ULL;

	if (!(info & 1))
		return page;
	if (mask && !((~mask + 1) & ~mask))
		return page & mask;
	return mask;
}

static __always_inline __u64 page_head(__u64 page)
{
	__u64 info;

	if (bpf_core_field_exists(struct page___compound_info, compound_info))
		info = BPF_CORE_READ((struct page___compound_info *)page, compound_info);
	else
		info = BPF_CORE_READ((struct page___compound_head *)page, compound_head);
	return head_from_compound(page, info);
}

#define RL_TMPFS_MAGIC		0x01021994UL
#define RL_HUGETLBFS_MAGIC	0x958458f6UL

/* What a head page's mapping and page type say backs the folio; *file is
 * its address_space when file-backed (the identity of "the same file"), 0
 * when anonymous.  RL_BK__MAX: page cache, the file system decides. */
static __always_inline __u32 backing_of(__u64 mapping, __u32 page_type, __u64 *file)
{
	__u32 hugetlb = bpf_core_enum_value_exists(enum pagetype, PGTY_hugetlb) ?
			bpf_core_enum_value(enum pagetype, PGTY_hugetlb) : 0xf4;

	*file = mapping & 1 ? 0 : mapping;	/* anon: anon_vma | 1 (| 2 KSM) */
	if (page_type >> 24 == hugetlb)
		return RL_BK_HUGETLB;
	if (mapping & 1)
		return RL_BK_ANON;
	if (!mapping)
		return RL_BK_NONE;
	return RL_BK__MAX;
}

/* Page cache: shmem (tmpfs, memfd), hugetlbfs, or another file system. */
static __always_inline __u32 file_backing(__u64 mapping)
{
	struct address_space *as = (struct address_space *)mapping;
	__u64 magic = BPF_CORE_READ(as, host, i_sb, s_magic);

	if (magic == RL_TMPFS_MAGIC)
		return RL_BK_SHMEM;
	if (magic == RL_HUGETLBFS_MAGIC)
		return RL_BK_HUGETLB;
	return magic ? RL_BK_FILE : RL_BK_UNKNOWN;
}

/* What backs the folio whose head is `head`, read field by field. */
static __always_inline __u32 folio_backing(__u64 head, __u64 *file)
{
	struct page *p = (struct page *)head;
	__u32 b = backing_of((__u64)BPF_CORE_READ(p, mapping), BPF_CORE_READ(p, page_type), file);

	return b == RL_BK__MAX ? file_backing(*file) : b;
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
/* User memory pinned for a region is unpinned inside io_free_region: its
 * unpins belong to the region's pin set. */
static __always_inline void open_region_pin_scope(void *ctx, __u64 pages)
{
	struct rl_pin_info *pinned = bpf_map_lookup_elem(&tracked_pin_arrays, &pages);
	struct rl_pin_info info;

	if (!pinned)
		return;
	info = *pinned;
	bpf_map_delete_elem(&tracked_pin_arrays, &pages);
	pin_scope_open(ctx, &info, info.ctx, RL_OPENER_REGION_FREE,
		       RL_UNPIN_F_RELEASED);
}

static __always_inline int handle_free_region(void *ctx, struct io_mapped_region *mr)
{
	struct rl_region_info *info;
	struct pages_walk w = {};
	struct rl_event *ev;

	w.pages = BPF_CORE_READ(mr, pages);
	w.region = (__u64)w.pages;
	if (!w.region)
		return 0;
	open_region_pin_scope(ctx, w.region);
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

SEC("fexit/io_free_region")
int BPF_PROG(fx_io_free_region)
{
	pin_scope_close(ctx, RL_OPENER_REGION_FREE, 0);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_io_free_region, void *owner, struct io_mapped_region *mr)
{
	return handle_free_region(ctx, mr);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_free_region)
{
	pin_scope_close(ctx, RL_OPENER_REGION_FREE, 0);
	return 0;
}

/* ---- long-term pins ---------------------------------------------------- */

/* What the pages io_pin_pages just pinned are for, from the register
 * operation the task is in (none: ring setup with IORING_SETUP_NO_MMAP). */
static __always_inline __u32 pin_owner(const struct rl_task_scope *s, __u32 *id)
{
	__u32 op = s ? s->reg_opcode : 0;

	*id = 0;
	if (s && s->in_buf_register) {
		*id = s->buf_index;
		return RL_PO_BUFFER;
	}
	if (op == RL_IORING_REGISTER_PBUF_RING) {
		*id = s->reg_bgid;
		return RL_PO_PBUF;
	}
	if (op == RL_IORING_REGISTER_MEM_REGION)
		return RL_PO_REGION;
	if (op == RL_IORING_REGISTER_ZCRX_IFQ)
		return RL_PO_UNKNOWN;	/* zcrx areas: not followed */
	return RL_PO_RINGS;
}

struct pin_walk {
	__u64 pages;		/* struct page ** */
	__u64 ctx, key, uaddr;
	__u32 owner, owner_id, nr_pages;
	__u32 chunk_first;	/* page index of the chunk being looked at */
};

/* PIN events are built here, one page per bpf_loop step (a loop over the
 * pages inside one program is more than the verifier will walk), and sent
 * with bpf_ringbuf_output when 16 pages are described. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rl_pin_scratch);
} pin_scratch SEC(".maps");

static __always_inline struct rl_pin_scratch *pin_scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&pin_scratch, &zero);
}

/* A field of the struct page in sc->raw (read whole: one helper call per
 * page instead of one per field).  The offsets are CO-RE constants; a
 * layout that put them past the bytes read would read the field alone. */
#define RAW_FITS(type, field, size)	(bpf_core_field_offset(type, field) <= 64 - (size))
#define RAW_U64(sc, type, field) \
	(*(__u64 *)((sc)->raw + (bpf_core_field_offset(type, field) & 56)))
#define RAW_U32(sc, type, field) \
	(*(__u32 *)((sc)->raw + (bpf_core_field_offset(type, field) & 60)))

static __always_inline bool raw_page_read(struct rl_pin_scratch *sc, __u64 page)
{
	if (bpf_probe_read_kernel(sc->raw, sizeof(sc->raw), (void *)page)) {
		count(RL_CNT_READ_FAIL);
		return false;
	}
	return true;
}

static __always_inline __u64 raw_compound(struct rl_pin_scratch *sc, __u64 page)
{
	if (bpf_core_field_exists(struct page___compound_info, compound_info)) {
		if (RAW_FITS(struct page___compound_info, compound_info, 8))
			return RAW_U64(sc, struct page___compound_info, compound_info);
		return BPF_CORE_READ((struct page___compound_info *)page, compound_info);
	}
	if (RAW_FITS(struct page___compound_head, compound_head, 8))
		return RAW_U64(sc, struct page___compound_head, compound_head);
	return BPF_CORE_READ((struct page___compound_head *)page, compound_head);
}

/* What backs the folio whose struct page (its head) is in sc->raw; the
 * last file mapping's answer is kept (a buffer's pages share one). */
static __always_inline __u32 raw_backing(struct rl_pin_scratch *sc, __u64 head, __u64 *file)
{
	__u32 b;

	if (!RAW_FITS(struct page, mapping, 8) || !RAW_FITS(struct page, page_type, 4))
		return folio_backing(head, file);
	b = backing_of(RAW_U64(sc, struct page, mapping), RAW_U32(sc, struct page, page_type),
		       file);
	if (b != RL_BK__MAX)
		return b;
	if (*file != sc->last_mapping) {
		sc->last_backing = file_backing(*file);
		sc->last_mapping = *file;
	}
	return sc->last_backing;
}

/* log2 of the bytes the struct pages of a large folio whose head is
 * `head` span (folio_large_order() + log2(sizeof(struct page))); 0 when
 * struct page is not a power of two. */
static __always_inline __u64 folio_span_shift(__u64 head)
{
	struct folio *folio = (struct folio *)head;
	__u64 order = BPF_CORE_READ(folio, _flags_1) & 0xff;
	__u32 size = bpf_core_type_size(struct page);

	if (size == 64)
		return order + 6;
	if (size == 128)
		return order + 7;
	return 0;
}

/* The last folio is now the one whose head is `head`; a large one's span
 * lets the pages inside it be counted without a look. */
static __always_inline void last_folio_set(struct rl_pin_scratch *sc, __u64 head, bool large)
{
	sc->last_head = head;
	sc->last_shift = large ? folio_span_shift(head) : 0;
	sc->last_end = sc->last_shift ? head + (1ULL << (sc->last_shift & 63)) : 0;
}

/* Are all RL_PIN_CHUNK pages in sc->page inside the last folio?  No branch
 * per page (a page inside is less than the span above the head, which the
 * shift turns into 0), so the verifier walks the loop once per iteration,
 * never forking; unrolled, 6.12 counts its stack against the callbacks'. */
static __always_inline bool chunk_in_last_folio(struct rl_pin_scratch *sc)
{
	__u64 acc = 0, lo = sc->last_head, shift = sc->last_shift & 63;
	__u32 k;

	if (!shift)
		return false;
#pragma nounroll
	for (k = 0; k < RL_PIN_CHUNK; k++)
		acc |= (sc->page[k] - lo) >> shift;
	return !acc;
}

static __always_inline void pin_event_send(struct rl_event *ev)
{
	event_header(ev, RL_EV_PIN);
	if (bpf_ringbuf_output(&events, ev, sizeof(*ev), wakeup_flags()))
		count(RL_CNT_RINGBUF_FULL);
	else
		__sync_fetch_and_add(&events_emitted, 1);
	ev->nr_stack = 0;	/* the stack goes with the first event only */
	ev->pin.count = 0;
}

/* Page i of the pin set, at page pointer p: one more pin of the last
 * folio (no look at the page when it lies inside that folio's struct
 * pages), or a new folio entry; a full event is sent first. */
static __always_inline bool pin_page(struct rl_pin_scratch *sc, __u64 p, __u32 i)
{
	struct rl_event *ev = &sc->ev;
	__u32 j = ev->pin.count;
	__u64 head;

	if (j > 0 && j <= RL_PINS_PER_EVENT && sc->last_end &&
	    p >= sc->last_head && p < sc->last_end) {
		ev->pin.npins[(j - 1) & (RL_PINS_PER_EVENT - 1)]++;
		return true;
	}
	if (!raw_page_read(sc, p))
		return false;
	head = head_from_compound(p, raw_compound(sc, p));
	if (j > 0 && j <= RL_PINS_PER_EVENT && head == sc->last_head) {
		/* a tail of the last folio: learn its size once */
		ev->pin.npins[(j - 1) & (RL_PINS_PER_EVENT - 1)]++;
		if (!sc->last_end)
			last_folio_set(sc, head, true);
		return true;
	}
	if (j >= RL_PINS_PER_EVENT) {
		pin_event_send(ev);
		j = 0;
	}
	if (j == 0)
		ev->pin.first = i;
	j &= RL_PINS_PER_EVENT - 1;	/* for the verifier */
	if (head != p && !raw_page_read(sc, head))
		return false;
	ev->pin.pfn[j] = page_to_pfn((struct page *)head);
	ev->pin.npins[j] = 1;
	ev->pin.backing[j] = raw_backing(sc, head, &ev->pin.file[j]);
	ev->pin.count = j + 1;
	last_folio_set(sc, head, head != p);
	return true;
}

/* bpf_loop step: page k of the chunk in sc->page */
static long pin_chunk_page(__u32 k, struct pin_walk *w)
{
	struct rl_pin_scratch *sc = pin_scratch_get();
	__u32 i;

	if (!sc || k >= RL_PIN_CHUNK)
		return 1;
	i = w->chunk_first + k;
	barrier_var(k);		/* keep the mask: the verifier needs it */
	k &= RL_PIN_CHUNK - 1;
	return pin_page(sc, sc->page[k], i) ? 0 : 1;
}

/* bpf_loop step: pages [64c, 64c + 64), whose pointers are read at once.
 * A chunk wholly inside the last folio (THP, hugetlb) is counted at once;
 * otherwise each page is looked at (pin_page). */
static long pin_chunk(__u32 c, struct pin_walk *w)
{
	struct rl_pin_scratch *sc = pin_scratch_get();
	__u32 first = c * RL_PIN_CHUNK, n, j;

	if (!sc || first >= w->nr_pages)
		return 1;
	n = w->nr_pages - first;
	n = n > RL_PIN_CHUNK ? RL_PIN_CHUNK : n;
	n = ((n - 1) & (RL_PIN_CHUNK - 1)) + 1;	/* 1..64, for the verifier */
	if (bpf_probe_read_kernel(sc->page, n * sizeof(__u64),
				  (void *)(w->pages + first * sizeof(__u64)))) {
		count(RL_CNT_READ_FAIL);
		return 1;
	}
	j = sc->ev.pin.count;
	if (n == RL_PIN_CHUNK && j > 0 && j <= RL_PINS_PER_EVENT && chunk_in_last_folio(sc)) {
		sc->ev.pin.npins[(j - 1) & (RL_PINS_PER_EVENT - 1)] += n;
		return 0;
	}
	w->chunk_first = first;
	bpf_loop(n, pin_chunk_page, w, 0);
	return 0;
}

/* The pin set's PIN events; the first carries the stack of the pin. */
static __always_inline void emit_pins(void *ctx, struct pin_walk *w)
{
	struct rl_pin_scratch *sc = pin_scratch_get();
	struct rl_event *ev;
	__u32 nr = w->nr_pages;

	if (!sc)
		return;
	ev = &sc->ev;
	sc->last_head = 0;
	sc->last_end = 0;
	sc->last_shift = 0;
	sc->last_mapping = 0;
	if (nr > RL_MAX_PIN_PAGES) {
		count(RL_CNT_PIN_TRUNCATED);
		nr = RL_MAX_PIN_PAGES;
	}
	ev->pin.ctx = w->ctx;
	ev->pin.key = w->key;
	ev->pin.pages = w->pages;
	ev->pin.uaddr = w->uaddr;
	ev->pin.owner = w->owner;
	ev->pin.owner_id = w->owner_id;
	ev->pin.nr_pages = w->nr_pages;
	ev->pin.count = 0;
	ev->nr_stack = 0;
	event_stack(ctx, ev);
	w->nr_pages = nr;
	bpf_loop((nr + RL_PIN_CHUNK - 1) / RL_PIN_CHUNK, pin_chunk, w, 0);
	if (ev->pin.count)
		pin_event_send(ev);
}

static __always_inline bool is_err_or_null(__u64 ptr)
{
	return !ptr || ptr >= (__u64)-4095;
}

/* io_pin_pages returned: pages[0, *npages) are pinned for a registered
 * buffer, a buffer ring's or a region's user memory.  Give them a pin set
 * and remember where its pins will be dropped. */
static __always_inline int handle_pin_pages(void *ctx, __u64 uaddr, __u64 npages_ptr,
					    __u64 pages)
{
	struct rl_task_scope *s = scope_get(false);
	struct pin_walk w = {};
	struct rl_pin_info info;
	int nr = 0;

	if (is_err_or_null(pages))
		return 0;
	w.ctx = s ? s->reg_ctx : 0;
	if (w.ctx ? !ctx_tracked(w.ctx) : !task_followed())
		return 0;
	w.owner = pin_owner(s, &w.owner_id);
	if (w.owner == RL_PO_UNKNOWN)
		return 0;
	if (bpf_probe_read_kernel(&nr, sizeof(nr), (void *)npages_ptr) || nr <= 0) {
		count(RL_CNT_READ_FAIL);
		return 0;
	}
	w.key = __sync_fetch_and_add(&pin_serial, 1) + 1;
	w.pages = pages;
	w.uaddr = uaddr;
	w.nr_pages = nr;
	info.key = w.key;
	info.ctx = w.ctx;
	info.owner = w.owner;
	info.owner_id = w.owner_id;
	if (w.owner == RL_PO_BUFFER) {
		/* the registration may unpin some again (coalescing, errors) */
		s->buf_pin_key = w.key;
		pin_scope_open(ctx, &info, w.ctx, RL_OPENER_BUF_REGISTER, 0);
	} else if (bpf_map_update_elem(&tracked_pin_arrays, &pages, &info, BPF_ANY)) {
		count(RL_CNT_TRACK_MAP_FULL);
	}
	emit_pins(ctx, &w);
	return 0;
}

/* `int *npages` and the `struct page **` returned: read with
 * bpf_get_func_arg/ret, which every kernel's verifier takes. */
SEC("fexit/io_pin_pages")
int fx_io_pin_pages(__u64 *ctx)
{
	__u64 uaddr = 0, npages = 0, ret = 0;

	bpf_get_func_arg(ctx, 0, &uaddr);
	bpf_get_func_arg(ctx, 2, &npages);
	bpf_get_func_ret(ctx, &ret);
	return handle_pin_pages(ctx, uaddr, npages, ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_pin_pages, __u64 uaddr, __u64 len, int *npages)
{
	stash_args(RL_HOOK_PIN_PAGES, uaddr, (__u64)npages, 0, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_pin_pages, void *ret)
{
	struct rl_stash s;

	if (!unstash_args(RL_HOOK_PIN_PAGES, &s))
		return 0;
	return handle_pin_pages(ctx, s.arg[0], s.arg[1], (__u64)ret);
}

/* ---- registered buffers: which table slot, which imu ------------------- */

/* io_sqe_buffer_register(ctx, iov) in 7.x (returns the table node), (ctx,
 * iov, &imu, last_hpage) in 6.12 (returns 0 or -errno): one call per
 * table slot, in index order. */
static __always_inline int handle_buf_register_enter(__u64 pimu)
{
	struct rl_task_scope *s = scope_get(false);

	if (!s || !s->reg_ctx)
		return 0;
	s->in_buf_register = 1;
	s->buf_index = s->buf_next_index++;
	s->buf_pin_key = 0;
	s->buf_pimu = pimu;
	return 0;
}

/* The buffer the call registered: 7.x's node->buf, 6.12's *pimu. */
static __always_inline __u64 registered_imu(__u64 ret, __u64 pimu)
{
	struct io_rsrc_node *node = (struct io_rsrc_node *)ret;
	__u64 imu = 0;

	if (bpf_core_field_exists(struct io_rsrc_node, buf))
		return is_err_or_null(ret) ? 0 : (__u64)BPF_CORE_READ(node, buf);
	if ((int)ret != 0 || !pimu)
		return 0;
	if (bpf_probe_read_kernel(&imu, sizeof(imu), (void *)pimu))
		count(RL_CNT_READ_FAIL);
	return imu;
}

static __always_inline int handle_buf_register_exit(void *ctx, __u64 ret)
{
	struct rl_task_scope *s = scope_get(false);
	struct rl_pin_info info = {};
	__u64 imu;

	if (!s || !s->in_buf_register)
		return 0;
	s->in_buf_register = 0;
	info.key = s->buf_pin_key;
	s->buf_pin_key = 0;
	if (!info.key)
		return 0;	/* nothing pinned: a sparse slot, or the pin failed */
	imu = registered_imu(ret, s->buf_pimu);
	if (!imu) {
		/* the registration failed: its pins must all be gone now */
		pin_scope_close(ctx, RL_OPENER_BUF_REGISTER, RL_UNPIN_F_RELEASED);
		return 0;
	}
	info.ctx = s->reg_ctx;
	info.owner = RL_PO_BUFFER;
	info.owner_id = s->buf_index;
	if (bpf_map_update_elem(&tracked_imus, &imu, &info, BPF_ANY))
		count(RL_CNT_TRACK_MAP_FULL);
	pin_scope_close(ctx, RL_OPENER_BUF_REGISTER, 0);
	return 0;
}

SEC("fentry/io_sqe_buffer_register")
int fe_io_sqe_buffer_register(__u64 *ctx)
{
	__u64 pimu = 0;

	bpf_get_func_arg(ctx, 2, &pimu);	/* 6.12 only: -EINVAL on 7.x */
	return handle_buf_register_enter(pimu);
}

SEC("fexit/io_sqe_buffer_register")
int fx_io_sqe_buffer_register(__u64 *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	return handle_buf_register_exit(ctx, ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_sqe_buffer_register, void *ring, void *iov, void *pimu)
{
	return handle_buf_register_enter(bpf_core_field_exists(struct io_rsrc_node, buf) ?
					 0 : (__u64)pimu);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_sqe_buffer_register, void *ret)
{
	return handle_buf_register_exit(ctx, (__u64)ret);
}

/* A ring drops a registered buffer: io_free_rsrc_node(ctx, node) in 7.x,
 * io_buffer_unmap(ctx, &slot) in 6.12.  Clones share the imu and its
 * refcount: only the last drop releases it, and unpins. */
static __always_inline __u64 dropped_imu(__u64 arg1)
{
	struct io_rsrc_node *node = (struct io_rsrc_node *)arg1;
	__u64 imu = 0;

	if (bpf_core_field_exists(struct io_rsrc_node, buf)) {
		if (BPF_CORE_READ(node, type) != RL_IORING_RSRC_BUFFER)
			return 0;
		return (__u64)BPF_CORE_READ(node, buf);
	}
	if (bpf_probe_read_kernel(&imu, sizeof(imu), (void *)arg1))
		count(RL_CNT_READ_FAIL);
	return imu;
}

static __always_inline int handle_buf_release_enter(void *ctx, __u64 ring, __u64 arg1)
{
	__u64 imu = dropped_imu(arg1);
	struct rl_pin_info *tracked, info;
	struct io_mapped_ubuf *u = (struct io_mapped_ubuf *)imu;
	__u32 refs;

	if (!imu)
		return 0;
	tracked = bpf_map_lookup_elem(&tracked_imus, &imu);
	if (!tracked)
		return 0;
	info = *tracked;
	refs = BPF_CORE_READ(u, refs.refs.counter);
	if (refs > 1) {
		pin_scope_open(ctx, &info, ring, RL_OPENER_BUF_RELEASE, RL_UNPIN_F_SHARED);
		return 0;
	}
	bpf_map_delete_elem(&tracked_imus, &imu);
	pin_scope_open(ctx, &info, ring, RL_OPENER_BUF_RELEASE, RL_UNPIN_F_RELEASED);
	return 0;
}

SEC("fentry/io_free_rsrc_node")
int fe_buf_release(__u64 *ctx)
{
	__u64 ring = 0, arg1 = 0;

	bpf_get_func_arg(ctx, 0, &ring);
	bpf_get_func_arg(ctx, 1, &arg1);
	return handle_buf_release_enter(ctx, ring, arg1);
}

SEC("fexit/io_free_rsrc_node")
int fx_buf_release(__u64 *ctx)
{
	pin_scope_close(ctx, RL_OPENER_BUF_RELEASE, 0);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_buf_release, void *ring, void *arg1)
{
	return handle_buf_release_enter(ctx, (__u64)ring, (__u64)arg1);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_buf_release)
{
	pin_scope_close(ctx, RL_OPENER_BUF_RELEASE, 0);
	return 0;
}

/* ---- unpins: one lookup, then only inside a pin scope ------------------ */

static __always_inline int handle_unpin_folio(__u64 folio, __u64 npages)
{
	struct rl_pin_scope *ps = pin_scope_get();

	if (!ps)
		return 0;
	pin_scope_add(ps, page_to_pfn((struct page *)folio), (__u32)npages);
	return 0;
}

static __always_inline int handle_unpin_page(__u64 page)
{
	struct rl_pin_scope *ps = pin_scope_get();

	if (!ps)
		return 0;
	pin_scope_add(ps, page_to_pfn((struct page *)page_head(page)), 1);
	return 0;
}

struct unpin_walk {
	__u64 pages;		/* struct page ** */
	__u64 nr;
	struct rl_pin_scope *ps;
};

static long unpin_one(__u32 i, struct unpin_walk *w)
{
	__u64 page = 0;

	if (i >= w->nr)
		return 1;
	if (bpf_probe_read_kernel(&page, sizeof(page), (void *)(w->pages + i * sizeof(__u64)))) {
		count(RL_CNT_READ_FAIL);
		return 1;
	}
	pin_scope_add(w->ps, page_to_pfn((struct page *)page_head(page)), 1);
	return 0;
}

static __always_inline void unpin_array(struct rl_pin_scope *ps, __u64 pages, __u64 npages)
{
	struct unpin_walk w = { .pages = pages, .nr = npages, .ps = ps };

	if (npages > RL_MAX_PIN_PAGES) {
		count(RL_CNT_PIN_TRUNCATED);
		w.nr = RL_MAX_PIN_PAGES;
	}
	bpf_loop(w.nr, unpin_one, &w, 0);
}

/* Inside a scope, the pins belong to its set.  Outside any, the array
 * itself may be a region's that we saw pinned, freed where no scope is
 * hooked (6.12's io_pages_free): its pins are released here, all at once. */
static __always_inline int handle_unpin_pages(void *ctx, __u64 pages, __u64 npages)
{
	struct rl_pin_scope *ps = pin_scope_get();
	struct rl_pin_info *pinned, info;

	if (!pages)
		return 0;
	if (ps) {
		unpin_array(ps, pages, npages);
		return 0;
	}
	pinned = bpf_map_lookup_elem(&tracked_pin_arrays, &pages);
	if (!pinned)
		return 0;
	info = *pinned;
	bpf_map_delete_elem(&tracked_pin_arrays, &pages);
	pin_scope_open(ctx, &info, info.ctx, RL_OPENER_UNPIN_PAGES, RL_UNPIN_F_RELEASED);
	ps = pin_scope_get();
	if (ps)
		unpin_array(ps, pages, npages);
	pin_scope_close(ctx, RL_OPENER_UNPIN_PAGES, 0);
	return 0;
}

/* struct folio * / struct page * / struct page ** arguments, read as
 * numbers with bpf_get_func_arg: the programs only compute with them. */
SEC("fentry/unpin_user_folio")
int fe_unpin_user_folio(__u64 *ctx)
{
	__u64 folio = 0, npages = 0;

	bpf_get_func_arg(ctx, 0, &folio);
	bpf_get_func_arg(ctx, 1, &npages);
	return handle_unpin_folio(folio, npages);
}

SEC("kprobe")
int BPF_KPROBE(kp_unpin_user_folio, void *folio, __u64 npages)
{
	return handle_unpin_folio((__u64)folio, npages);
}

SEC("fentry/unpin_user_page")
int fe_unpin_user_page(__u64 *ctx)
{
	__u64 page = 0;

	bpf_get_func_arg(ctx, 0, &page);
	return handle_unpin_page(page);
}

SEC("kprobe")
int BPF_KPROBE(kp_unpin_user_page, void *page)
{
	return handle_unpin_page((__u64)page);
}

SEC("fentry/unpin_user_pages")
int fe_unpin_user_pages(__u64 *ctx)
{
	__u64 pages = 0, npages = 0;

	bpf_get_func_arg(ctx, 0, &pages);
	bpf_get_func_arg(ctx, 1, &npages);
	return handle_unpin_pages(ctx, pages, npages);
}

SEC("kprobe")
int BPF_KPROBE(kp_unpin_user_pages, void *pages, __u64 npages)
{
	return handle_unpin_pages(ctx, (__u64)pages, npages);
}

/* ---- provided-buffer rings --------------------------------------------- */

/* Entry: the caller's struct io_uring_buf_reg, read as the kernel is about
 * to copy it; the exit reports it with the return value. */
static __always_inline int handle_pbuf_enter(__u64 ring, const void *arg)
{
	struct rl_task_scope *s = scope_get(false);
	struct rl_uapi_buf_reg reg = {};

	if (!s || s->reg_ctx != ring)
		return 0;
	if (bpf_probe_read_user(&reg, sizeof(reg), arg))
		count(RL_CNT_READ_FAIL);
	s->reg_bgid = reg.bgid;
	s->pbuf_addr = reg.ring_addr;
	s->pbuf_entries = reg.ring_entries;
	s->pbuf_flags = reg.flags;
	return 0;
}

static __always_inline int handle_pbuf_exit(void *ctx, __u32 type, int ret)
{
	struct rl_task_scope *s = scope_get(false);
	struct rl_event *ev;

	if (!s || !s->reg_ctx)
		return 0;
	ev = event_reserve(type);
	if (!ev)
		return 0;
	ev->pbuf.ctx = s->reg_ctx;
	ev->pbuf.bgid = s->reg_bgid;
	ev->pbuf.ret = ret;
	if (type == RL_EV_PBUF_REG) {
		ev->pbuf.ring_addr = s->pbuf_addr;
		ev->pbuf.ring_entries = s->pbuf_entries;
		ev->pbuf.flags = s->pbuf_flags;
	} else {
		event_stack(ctx, ev);
	}
	event_submit(ev);
	return 0;
}

SEC("fentry/io_register_pbuf_ring")
int BPF_PROG(fe_io_register_pbuf_ring, void *ring, void *arg)
{
	return handle_pbuf_enter((__u64)ring, arg);
}

SEC("fexit/io_register_pbuf_ring")
int BPF_PROG(fx_io_register_pbuf_ring, void *ring, void *arg, int ret)
{
	return handle_pbuf_exit(ctx, RL_EV_PBUF_REG, ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_register_pbuf_ring, void *ring, void *arg)
{
	return handle_pbuf_enter((__u64)ring, arg);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_register_pbuf_ring, int ret)
{
	return handle_pbuf_exit(ctx, RL_EV_PBUF_REG, ret);
}

/* io_unregister_pbuf_ring (7.x, 6.12), io_unregister_buf_ring (seed 001's
 * rename): the same arguments. */
SEC("fentry/io_unregister_pbuf_ring")
int BPF_PROG(fe_io_unregister_pbuf_ring, void *ring, void *arg)
{
	return handle_pbuf_enter((__u64)ring, arg);
}

SEC("fexit/io_unregister_pbuf_ring")
int BPF_PROG(fx_io_unregister_pbuf_ring, void *ring, void *arg, int ret)
{
	return handle_pbuf_exit(ctx, RL_EV_PBUF_UNREG, ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_unregister_pbuf_ring, void *ring, void *arg)
{
	return handle_pbuf_enter((__u64)ring, arg);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_unregister_pbuf_ring, int ret)
{
	return handle_pbuf_exit(ctx, RL_EV_PBUF_UNREG, ret);
}

/* ---- kernel users pinning a buffer ring (seed 001, patched kernel) ---- */

static __always_inline int emit_bufring(void *ctx, __u32 type, __u64 ring, __u32 bgid,
					__u32 issue_flags, int ret)
{
	struct rl_event *ev;

	if (!ctx_tracked(ring))
		return 0;
	ev = event_reserve(type);
	if (!ev)
		return 0;
	ev->pbuf.ctx = ring;
	ev->pbuf.bgid = bgid;
	ev->pbuf.flags = issue_flags;
	ev->pbuf.ret = ret;
	event_stack(ctx, ev);
	event_submit(ev);
	return 0;
}

/* A command is its request (cmd_to_io_kiocb() is a cast): its ring. */
static __always_inline __u64 cmd_ring(__u64 cmd)
{
	struct io_kiocb *req = (struct io_kiocb *)cmd;

	return (__u64)BPF_CORE_READ(req, ctx);
}

/* io_uring_cmd_buf_ring_pin(ioucmd, buf_group, issue_flags, &bl): the
 * fourth argument is a `struct io_buffer_list **`. */
SEC("fexit/io_uring_cmd_buf_ring_pin")
int fx_bufring_pin(__u64 *ctx)
{
	__u64 cmd = 0, bgid = 0, flags = 0, ret = 0;

	bpf_get_func_arg(ctx, 0, &cmd);
	bpf_get_func_arg(ctx, 1, &bgid);
	bpf_get_func_arg(ctx, 2, &flags);
	bpf_get_func_ret(ctx, &ret);
	return emit_bufring(ctx, RL_EV_BUFRING_PIN, cmd_ring(cmd), bgid, flags, ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_bufring_pin, void *cmd, __u32 bgid, __u32 flags)
{
	stash_args(RL_HOOK_BUFRING_PIN, cmd_ring((__u64)cmd), bgid, flags, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_bufring_pin, int ret)
{
	struct rl_stash s;

	if (!unstash_args(RL_HOOK_BUFRING_PIN, &s))
		return 0;
	return emit_bufring(ctx, RL_EV_BUFRING_PIN, s.arg[0], s.arg[1], s.arg[2], ret);
}

SEC("fexit/io_uring_cmd_buf_ring_unpin")
int BPF_PROG(fx_bufring_unpin, void *cmd, __u32 bgid, __u32 flags, int ret)
{
	return emit_bufring(ctx, RL_EV_BUFRING_UNPIN, cmd_ring((__u64)cmd), bgid, flags, ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_bufring_unpin, void *cmd, __u32 bgid, __u32 flags)
{
	stash_args(RL_HOOK_BUFRING_UNPIN, cmd_ring((__u64)cmd), bgid, flags, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_bufring_unpin, int ret)
{
	struct rl_stash s;

	if (!unstash_args(RL_HOOK_BUFRING_UNPIN, &s))
		return 0;
	return emit_bufring(ctx, RL_EV_BUFRING_UNPIN, s.arg[0], s.arg[1], s.arg[2], ret);
}

/* The patched kernel's unpin outside a command (a driver's ->release):
 * io_uring_ctx_buf_ring_unpin(ctx, buf_group). */
SEC("fexit/io_uring_ctx_buf_ring_unpin")
int BPF_PROG(fx_bufring_unpin_ctx, void *ring, __u32 bgid, int ret)
{
	return emit_bufring(ctx, RL_EV_BUFRING_UNPIN, (__u64)ring, bgid, 0, ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_bufring_unpin_ctx, void *ring, __u32 bgid)
{
	stash_args(RL_HOOK_BUFRING_UNPIN_CTX, (__u64)ring, bgid, 0, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_bufring_unpin_ctx, int ret)
{
	struct rl_stash s;

	if (!unstash_args(RL_HOOK_BUFRING_UNPIN_CTX, &s))
		return 0;
	return emit_bufring(ctx, RL_EV_BUFRING_UNPIN, s.arg[0], s.arg[1], 0, ret);
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
	/* the window the address must stay in (0: user space assumes 47 bits) */
	ev->mmap.window_end = current_task_size();
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

/* fork (dup_mmap) and vma splits copy a vma.  A fork's copy maps the same
 * pages and, for io_uring's VM_MIXEDMAP vmas, holds its own page
 * references; a split's copy shares the original's (VMA_SPLIT follows). */
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

/* __split_vma (partial munmap, mprotect, mremap) cut a tracked vma in two:
 * the vma now covers one side of the cut, and the vm_area_dup inside made
 * the other; the two share the page references the vma held. */
static __always_inline int handle_vma_split(struct vm_area_struct *vma, long ret)
{
	__u64 key = (__u64)vma;
	struct rl_event *ev;

	if (!bpf_map_lookup_elem(&tracked_vmas, &key))
		return 0;
	ev = event_reserve(RL_EV_VMA_SPLIT);
	if (!ev)
		return 0;
	fill_vma(ev, vma);
	ev->vma.ret = ret;
	event_submit(ev);
	return 0;
}

/* __split_vma(vmi, vma, addr, new_below): read through bpf_get_func_arg/ret,
 * so the program does not depend on the argument count. */
SEC("fexit/__split_vma")
int fx_split_vma(__u64 *ctx)
{
	__u64 vma = 0, ret = 0;

	bpf_get_func_arg(ctx, 1, &vma);
	bpf_get_func_ret(ctx, &ret);
	return handle_vma_split((struct vm_area_struct *)vma, (int)ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_split_vma, void *vmi, struct vm_area_struct *vma)
{
	stash_args(RL_HOOK_VMA_SPLIT, (__u64)vma, 0, 0, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_split_vma, int ret)
{
	struct rl_stash s;

	if (!unstash_args(RL_HOOK_VMA_SPLIT, &s))
		return 0;
	return handle_vma_split((struct vm_area_struct *)s.arg[0], ret);
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

/* ---- BPF arena mappings (seed 004) -------------------------------------- */

/* arena_get_unmapped_area(filp, addr, len, pgoff, flags) reserves 2 * len
 * with mm_get_unmapped_area and must return an address inside that window
 * whose range does not cross 4 GiB.  Its entry opens a scope on the task
 * (the stash: map, addr, len, and the window once seen); the
 * mm_get_unmapped_area exit inside it records the window; its exit sends
 * ARENA_AREA.  Outside any scope, an mmap costs one load. */
__s64 open_arena_scopes = 0;

static __always_inline int arena_area_enter(struct file *filp, __u64 addr, __u64 len)
{
	if (!task_followed())
		return 0;
	stash_args(RL_HOOK_ARENA_AREA, (__u64)BPF_CORE_READ(filp, private_data), addr, len, 0);
	__sync_fetch_and_add(&open_arena_scopes, 1);
	return 0;
}

static __always_inline struct rl_stash *arena_scope(void)
{
	return open_arena_scopes ? stash_peek(RL_HOOK_ARENA_AREA) : NULL;
}

static __always_inline int arena_window(__u64 ret)
{
	struct rl_stash *s = arena_scope();

	if (s && !s->arg[3])
		s->arg[3] = ret;
	return 0;
}

static __always_inline int arena_area_exit(long ret)
{
	struct rl_stash *s = arena_scope();
	struct rl_event *ev;
	__u64 window;

	if (!s)
		return 0;
	ev = event_reserve(RL_EV_ARENA_AREA);
	if (ev) {
		window = s->arg[3];
		ev->arena.map = s->arg[0];
		ev->arena.addr = s->arg[1];
		ev->arena.len = s->arg[2];
		if (window && window < (__u64)-4095) {
			ev->arena.window = window;
			ev->arena.window_len = 2 * s->arg[2];
		}
		ev->arena.ret = ret;
		ev->arena.window_end = current_task_size();
		event_submit(ev);
	}
	stash_drop(RL_HOOK_ARENA_AREA);
	__sync_fetch_and_add(&open_arena_scopes, -1);
	return 0;
}

SEC("fentry/arena_get_unmapped_area")
int BPF_PROG(fe_arena_area, struct file *filp, __u64 addr, __u64 len)
{
	return arena_area_enter(filp, addr, len);
}

SEC("fexit/arena_get_unmapped_area")
int fx_arena_area(__u64 *ctx)
{
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	return arena_area_exit((long)ret);
}

SEC("kprobe")
int BPF_KPROBE(kp_arena_area, struct file *filp, __u64 addr, __u64 len)
{
	return arena_area_enter(filp, addr, len);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_arena_area, long ret)
{
	return arena_area_exit(ret);
}

/* mm_get_unmapped_area lost its mm argument in 7.x: only its return value
 * is read */
SEC("fexit/mm_get_unmapped_area")
int fx_arena_window(__u64 *ctx)
{
	__u64 ret = 0;

	if (!open_arena_scopes)
		return 0;
	bpf_get_func_ret(ctx, &ret);
	return arena_window(ret);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_arena_window, long ret)
{
	return arena_window((__u64)ret);
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

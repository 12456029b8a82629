/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common.bpf.h - what every BPF object of ringledger shares: the maps and
 * globals (defined once, in globals.bpf.c; declared extern here), the
 * filters, the event helpers, the per-task scope and the kprobe stash.
 *
 * The objects (one per kernel object: ctx, region, mmap, vma, pin, unpin,
 * buf, pbuf, arena, page, proc) are linked into one skeleton by `bpftool
 * gen object`.  Helpers here are __always_inline: a program's code is what
 * it was when every program sat in one file.
 *
 * Filtering: births are filtered by process (the followed set for `check`
 * and `-p`, the comm for `-c`); everything after a birth is filtered by the
 * object itself (tracked ctx, region, vma and pfn maps), because teardown
 * runs in kworkers and in other processes.
 *
 * Attach: every function hook has its fentry/fexit program and its
 * kprobe/kretprobe twin side by side; include/rl_hooks.h lists them and
 * src/attach.c picks one per hook from the running kernel's BTF.
 */
#ifndef RL_COMMON_BPF_H
#define RL_COMMON_BPF_H

#include "core_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "rl_events.h"
#include "rl_stat.h"
#include "state.bpf.h"

/* ---- configuration, set by the loader before load ---------------------- */

extern const volatile bool follow_only;		/* births only from followed pids */
extern const volatile bool comm_filter;
extern const volatile bool cgroup_filter;	/* births only inside cgroup_of[0] */
extern const volatile char target_comm[RL_COMM_LEN];
extern const volatile bool capture_stacks;
/* the loader runs hooks' kprobe programs beside their trampolines (see
 * include/rl_hooks.h): each of a pair then does the work only if the
 * other has not */
extern const volatile bool kprobe_seconds;
extern const volatile __u64 tp_kprobe_slots;
extern const volatile __u64 vmemmap_base_default;
#define RL_ENOENT		2	/* errno: no bpf_map_delete_elem of a key gone */
#define RL_MAX_FREE_ORDER	10	/* MAX_PAGE_ORDER on x86-64 */
#define RL_RINGBUF_DEFAULT_BYTES (16 << 20)	/* `--ringbuf-kib` changes it */
/* wake the reader once this much is waiting: an eighth of the ring buffer
 * (the loader sets it from the buffer's size) */
extern const volatile __u64 wakeup_bytes;
/* `stat`: every event is folded into the stat maps in the kernel, none
 * is sent (bpf/stat.bpf.h) */
extern const volatile bool stat_mode;

/* ---- maps; sizes are set by the loader before load --------------------- */

/* One type per map: the definition (globals.bpf.c) and every extern use
 * the same one, which is what the BPF linker compares. */
typedef struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RL_RINGBUF_DEFAULT_BYTES);
} rl_events_map_t;

#define RL_HASH_MAP(name, key_t, value_t, size)				\
	typedef struct {						\
		__uint(type, BPF_MAP_TYPE_HASH);			\
		__uint(max_entries, size);				\
		__type(key, key_t);					\
		__type(value, value_t);					\
	} name

#define RL_PERCPU_SLOTS(name, value_t, n)				\
	typedef struct {						\
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);		\
		__uint(max_entries, n);					\
		__type(key, __u32);					\
		__type(value, value_t);					\
	} name
#define RL_PERCPU_SLOT(name, value_t) RL_PERCPU_SLOTS(name, value_t, 1)

RL_HASH_MAP(rl_followed_pids_t, __u32, __u8, 4096);		/* tgid */
RL_HASH_MAP(rl_tracked_ctxs_t, __u64, __u32, 4096);		/* ctx -> creator tgid */
RL_HASH_MAP(rl_tracked_regions_t, __u64, struct rl_region_info, 16384);	/* pages[] */
RL_HASH_MAP(rl_tracked_vmas_t, __u64, __u64, 16384);		/* vma -> ctx */
RL_HASH_MAP(rl_tracked_pfns_t, __u64, __u64, 262144);		/* pfn -> region */
RL_HASH_MAP(rl_task_scopes_t, __u32, struct rl_task_scope, 4096);	/* tid */
RL_HASH_MAP(rl_kprobe_stash_t, struct rl_stash_key, struct rl_stash, 4096);
RL_PERCPU_SLOT(rl_event_seq_t, __u64);
typedef struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} rl_cgroup_of_t;		/* --cgroup: the cgroup v2 directory's fd */
RL_HASH_MAP(rl_tracked_imus_t, __u64, struct rl_pin_info, 16384);	/* imu */
RL_HASH_MAP(rl_tracked_pin_arrays_t, __u64, struct rl_pin_info, 4096);	/* pages[] */
RL_HASH_MAP(rl_pin_scopes_t, __u32, struct rl_pin_scope, 1024);	/* tid */
/* [RL_SCRATCH_TRAMPOLINE], [RL_SCRATCH_KPROBE]: pin.bpf.c */
RL_PERCPU_SLOTS(rl_pin_scratch_t, struct rl_pin_scratch, 2);
RL_HASH_MAP(rl_pair_notes_t, struct rl_note_key, struct rl_note, 4096);
/* stat mode (rl_stat.h): gauges per process, objects alive, histograms,
 * and the one event a program builds before it is folded in */
RL_HASH_MAP(rl_stat_procs_t, __u32, struct rl_stat_proc, RL_STAT_MAX_PROCS);	/* tgid */
RL_HASH_MAP(rl_stat_births_t, struct rl_stat_key, struct rl_stat_birth, RL_STAT_MAX_OBJECTS);
typedef struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RL_SH__MAX);
	__type(key, __u32);
	__type(value, struct rl_stat_hist_val);
} rl_stat_hists_t;
RL_PERCPU_SLOTS(rl_stat_scratch_t, struct rl_stat_slot, RL_STAT_NEST);
RL_PERCPU_SLOT(rl_stat_busy_t, __u64);		/* bit per stat_scratch slot in use */

extern rl_events_map_t events SEC(".maps");
extern rl_followed_pids_t followed_pids SEC(".maps");
extern rl_tracked_ctxs_t tracked_ctxs SEC(".maps");
extern rl_tracked_regions_t tracked_regions SEC(".maps");
extern rl_tracked_vmas_t tracked_vmas SEC(".maps");
extern rl_tracked_pfns_t tracked_pfns SEC(".maps");
extern rl_task_scopes_t task_scopes SEC(".maps");
extern rl_kprobe_stash_t kprobe_stash SEC(".maps");
extern rl_event_seq_t event_seq SEC(".maps");
extern rl_cgroup_of_t cgroup_of SEC(".maps");
extern rl_tracked_imus_t tracked_imus SEC(".maps");
extern rl_tracked_pin_arrays_t tracked_pin_arrays SEC(".maps");
extern rl_pin_scopes_t pin_scopes SEC(".maps");
extern rl_pin_scratch_t pin_scratch SEC(".maps");
extern rl_pair_notes_t pair_notes SEC(".maps");
extern rl_stat_procs_t stat_procs SEC(".maps");
extern rl_stat_births_t stat_births SEC(".maps");
extern rl_stat_hists_t stat_hists SEC(".maps");
extern rl_stat_scratch_t stat_scratch SEC(".maps");
extern rl_stat_busy_t stat_busy SEC(".maps");

/* ---- globals (globals.bpf.c says what each is) ------------------------- */

extern __u64 counters[RL_CNT__MAX];
extern __u64 events_emitted;
extern __u64 ringbuf_peak;	/* bytes: the most waiting at a submit */
extern __u64 pin_serial;
extern __s64 open_pin_scopes;
extern __s64 open_arena_scopes;
extern __u64 arena_scopes_opened;
extern __u64 stat_map_full;	/* a stat map had no room: its figures are low */

static __always_inline void count(enum rl_counter c)
{
	if (c < RL_CNT__MAX)
		__sync_fetch_and_add(&counters[c], 1);
}

/* ---- filters ------------------------------------------------------------ */

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
	/* 1: in it or below it */
	if (cgroup_filter && bpf_current_task_under_cgroup(&cgroup_of, 0) != 1)
		return false;
	return true;
}

static __always_inline bool ctx_tracked(__u64 ctx)
{
	return ctx && bpf_map_lookup_elem(&tracked_ctxs, &ctx);
}

static __always_inline bool is_err_or_null(__u64 ptr)
{
	return !ptr || ptr >= (__u64)-4095;
}

/* ---- pfns ---------------------------------------------------------------- */

/* vmemmap_base moves with KASLR: only page.bpf.c names the kernel symbol
 * (the BPF linker cannot merge a typeless ksym two objects name), and its
 * page free program reads it inline.  Every other object keeps its own
 * copy, read once through vmemmap_read() (page.bpf.c). */
__u64 vmemmap_read(void) __hidden;

static __always_inline __u64 pfn_of(const struct page *page, __u64 base)
{
	return ((__u64)page - base) / bpf_core_type_size(struct page);
}

#ifndef RL_VMEMMAP_OWNER
static __u64 vmemmap_cached;

static __always_inline __u64 vmemmap_get(void)
{
	__u64 base = vmemmap_cached;

	if (!base) {
		base = vmemmap_read();
		vmemmap_cached = base;
	}
	return base;
}

static __always_inline __u64 page_to_pfn(const struct page *page)
{
	return pfn_of(page, vmemmap_get());
}
#endif

#include "stat.bpf.h"

/* ---- events -------------------------------------------------------------- */

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

/* Producers wake the reader only once the buffer is an eighth full: it
 * reads what is there whenever its wait times out (every 20-100 ms), and a
 * wakeup per event costs the producer an irq_work and the reader's CPU an
 * IPI for every event of a burst (a 64 MiB buffer registration: 1,500). */

/* A record of `type` in the ring buffer (rl_record_size(): its header and
 * payload only; every call passes a constant type, so the size is one).
 * The payload is zeroed and the header filled. */
static __always_inline struct rl_event *record_reserve(__u32 type, bool with_stack)
{
	__u32 size = rl_record_size(type, with_stack);
	struct rl_event *ev;

	if (stat_mode) {
		/* built in this CPU's slot, folded in at event_submit() */
		if (!stat_wants(type))
			return NULL;
		ev = stat_slot_take();
		if (!ev)
			return NULL;
		__builtin_memset(ev, 0, size);
		event_header(ev, type);
		return ev;
	}
	ev = bpf_ringbuf_reserve(&events, size, 0);
	if (!ev) {
		count(RL_CNT_RINGBUF_FULL);
		return NULL;
	}
	__builtin_memset(ev, 0, size);
	event_header(ev, type);
	return ev;
}

static __always_inline struct rl_event *event_reserve(__u32 type)
{
	return record_reserve(type, false);
}

/* ... with room for the kernel stack after the payload when stacks are
 * taken (event_stack() fills it). */
static __always_inline struct rl_event *event_reserve_stack(__u32 type)
{
	return capture_stacks ? record_reserve(type, true) : record_reserve(type, false);
}

/* The stack of a record, right after its payload. */
static __always_inline struct rl_record_stack *event_trailer(struct rl_event *ev, __u32 type)
{
	return (void *)ev + rl_record_size(type, false);
}

/* The kernel stack into a record from event_reserve_stack() (or an event
 * in a map value, which has room for any record). */
static __always_inline void event_stack(void *ctx, struct rl_event *ev, __u32 type)
{
	struct rl_record_stack *st;
	long n;

	if (!capture_stacks)
		return;
	st = event_trailer(ev, type);
	n = bpf_get_stack(ctx, st->ip, sizeof(st->ip), 0);
	if (n < 0) {
		count(RL_CNT_STACK_FAIL);
		return;
	}
	st->nr = n / sizeof(__u64);
}

/* The most the ring buffer has held, in bytes, as producers saw it. */
static __always_inline void ringbuf_peak_note(__u64 avail)
{
	if (avail > ringbuf_peak)
		ringbuf_peak = avail;
}

static __always_inline void event_submit(struct rl_event *ev)
{
	__u64 avail;

	if (stat_mode) {
		stat_account(ev);
		stat_slot_put(ev);
		return;
	}
	avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	ringbuf_peak_note(avail);
	__sync_fetch_and_add(&events_emitted, 1);
	bpf_ringbuf_submit(ev, avail >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/* An event built outside the ring buffer (in a map value, which has room
 * for the largest record), copied in as its type's record: with its stack
 * when `with_stack` and stacks are taken (event_stack() put it there). */
static __always_inline void event_output(struct rl_event *ev, __u32 type, bool with_stack)
{
	__u32 size = rl_record_size(type, with_stack && capture_stacks);
	__u64 avail;

	if (stat_mode) {
		stat_account(ev);
		return;
	}
	avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	ringbuf_peak_note(avail + size);
	if (bpf_ringbuf_output(&events, ev, size,
			       avail + size >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP))
		count(RL_CNT_RINGBUF_FULL);
	else
		__sync_fetch_and_add(&events_emitted, 1);
}

/* ---- per task: the register call and the mmap it is inside of ---------- */

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

/* The end of the current task's user address space (mm->task_size):
 * 47 or 56 bits, or 4 GiB for a compat task; 0 when unreadable. */
static __always_inline __u64 current_task_size(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	return BPF_CORE_READ(task, mm, task_size);
}

/* ---- kprobe fallback: a kretprobe has no arguments, so its kprobe
 * stashes them per (tid, the hook's slot) ------------------------------- */

static __always_inline struct rl_stash_key stash_key(enum rl_stash_slot slot)
{
	struct rl_stash_key k = { .tid = (__u32)bpf_get_current_pid_tgid(),
				  .slot = slot };

	return k;
}

static __always_inline void stash_args(enum rl_stash_slot slot, __u64 a0, __u64 a1,
				       __u64 a2, __u64 a3)
{
	struct rl_stash_key k = stash_key(slot);
	struct rl_stash v = { .arg = { a0, a1, a2, a3 } };

	if (bpf_map_update_elem(&kprobe_stash, &k, &v, BPF_ANY))
		count(RL_CNT_TRACK_MAP_FULL);
}

/* This task's stash in slot, or NULL; stash_drop() ends it. */
static __always_inline struct rl_stash *stash_peek(enum rl_stash_slot slot)
{
	struct rl_stash_key k = stash_key(slot);

	return bpf_map_lookup_elem(&kprobe_stash, &k);
}

static __always_inline void stash_drop(enum rl_stash_slot slot)
{
	struct rl_stash_key k = stash_key(slot);

	bpf_map_delete_elem(&kprobe_stash, &k);
}

static __always_inline bool unstash_args(enum rl_stash_slot slot, struct rl_stash *out)
{
	struct rl_stash *v = stash_peek(slot);

	if (!v) {
		count(RL_CNT_ENTRY_MISSING);
		return false;
	}
	*out = *v;
	stash_drop(slot);
	return true;
}

/* ---- pairs: a hook's trampoline and kprobe programs, one call --------- */

/* The two programs of a pair run in a fixed order at each point: at a
 * function's entry the kprobe before the trampoline (ftrace calls its ops,
 * the kprobe's among them, then jumps to the direct trampoline); at its
 * return the fexit before the kretprobe (the trampoline returns into the
 * return address the kretprobe took over); on a tracepoint the first
 * program before the second (attach order).  Each handler is told which
 * of the two it is: */
#define RL_RUNS_FIRST	true	/* kprobe at entry, fexit, tracepoint's first  */
#define RL_RUNS_SECOND	false	/* fentry, kretprobe, tracepoint's second      */

/* Whether this program, one of two or three at a call that leaves no
 * trace in the maps, is the one to send (a, b, c).  The first always
 * sends and leaves a note on the task; a middle one (a tracepoint's first
 * program behind its iterator's kprobe) sends only when it finds none, and
 * then leaves one; the last sends only when it finds none, and takes the
 * note away.  A note the last did not take (it was skipped) is stale: the
 * next call with the same values whose first is skipped finds it and is
 * lost.  So every loss needs a skip on each side, and at most the fewest
 * skips of any side are lost: the bound the loader reports
 * (rl_plan_hook_misses).  Unpaired, every program sends. */
enum rl_run_role { RL_ROLE_FIRST, RL_ROLE_MIDDLE, RL_ROLE_LAST };

static __always_inline bool chain_note_take(enum rl_stash_slot slot, __u64 a, __u64 b, __u64 c,
					    enum rl_run_role role)
{
	struct rl_note_key k = { .tid = (__u32)bpf_get_current_pid_tgid(), .slot = slot };
	struct rl_note *seen, note = { .a = a, .b = b, .c = c };
	bool match;

	if (role != RL_ROLE_FIRST) {
		seen = bpf_map_lookup_elem(&pair_notes, &k);
		match = seen && seen->a == a && seen->b == b && seen->c == c;
		if (role == RL_ROLE_LAST) {
			if (seen)
				bpf_map_delete_elem(&pair_notes, &k);
			return !match;
		}
		if (match)
			return false;
	}
	if (bpf_map_update_elem(&pair_notes, &k, &note, BPF_ANY))
		count(RL_CNT_TRACK_MAP_FULL);
	return true;
}

static __always_inline bool pair_note_take(enum rl_stash_slot slot, __u64 a, __u64 b, __u64 c,
					   bool first)
{
	return chain_note_take(slot, a, b, c, first ? RL_ROLE_FIRST : RL_ROLE_LAST);
}

/* A tracepoint's programs: its iterator's kprobe (where the loader
 * attached one: tp_kprobe_slots has the hook's stash slot) runs first,
 * then the first and the second program. */
static __always_inline enum rl_run_role tp_role(enum rl_stash_slot slot, bool first)
{
	if (!first)
		return RL_ROLE_LAST;
	return (tp_kprobe_slots >> slot) & 1 ? RL_ROLE_MIDDLE : RL_ROLE_FIRST;
}

/* ... for a trampoline and its kprobe pair (unpaired: every program sends) */
static __always_inline bool note_take(enum rl_stash_slot slot, __u64 a, __u64 b, __u64 c,
				      bool first)
{
	return kprobe_seconds ? pair_note_take(slot, a, b, c, first) : true;
}

#endif /* RL_COMMON_BPF_H */

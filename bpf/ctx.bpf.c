// SPDX-License-Identifier: GPL-2.0
/*
 * ctx.bpf.c - ring contexts: their birth (the io_uring_create tracepoint),
 * their kill (io_ring_ctx_wait_and_kill queues io_ring_exit_work), their
 * death (the end of io_ring_exit_work), and the io_uring_register
 * call in progress, which tells who owns a region being created.
 */
#include "common.bpf.h"

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

static __always_inline int ring_created(int fd, struct io_ring_ctx *ring, __u32 sq_entries,
					__u32 cq_entries, __u32 flags)
{
	__u64 key = (__u64)ring;
	struct rl_event *ev;

	if (!task_followed())
		return 0;
	/* one of the hook's programs before this one tracked it, unless it
	 * was skipped (the three run one after another on this task) */
	if (bpf_map_lookup_elem(&tracked_ctxs, &key))
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

SEC("raw_tp/io_uring_create")
int BPF_PROG(tp_io_uring_create, int fd, struct io_ring_ctx *ring, __u32 sq_entries,
	     __u32 cq_entries, __u32 flags)
{
	return ring_created(fd, ring, sq_entries, cq_entries, flags);
}

/* Tracepoint programs can be preempted (7.x): a ring made on a CPU while
 * another task sits inside the first program there skips it (rl_hooks.h). */
SEC("raw_tp/io_uring_create")
int BPF_PROG(tp_io_uring_create2, int fd, struct io_ring_ctx *ring, __u32 sq_entries,
	     __u32 cq_entries, __u32 flags)
{
	return ring_created(fd, ring, sq_entries, cq_entries, flags);
}

/* The tracepoint's iterator: a kprobe there runs first, with preemption
 * off (page.bpf.c says why).  __traceiter_io_uring_create(data, fd, ctx,
 * sq_entries, cq_entries, flags): the sixth argument is in r9 (x86-64),
 * past what BPF_KPROBE names. */
SEC("kprobe")
int kp_io_uring_create(struct pt_regs *ctx)
{
	return ring_created((int)PT_REGS_PARM2(ctx), (struct io_ring_ctx *)PT_REGS_PARM3(ctx),
			    (__u32)PT_REGS_PARM4(ctx), (__u32)PT_REGS_PARM5(ctx), (__u32)ctx->r9);
}

/* io_ring_ctx_wait_and_kill(): the ring file's last reference went (or its
 * setup failed after the ctx was published); the exit work is queued.
 * Between this and CTX_DEAD a ring is "pending in io_ring_exit_work". */
static __always_inline int handle_ctx_kill(__u64 ctx, bool first)
{
	struct rl_event *ev;

	if (!ctx_tracked(ctx) || !note_take(RL_STASH_RING_KILL, ctx, 0, 0, first))
		return 0;
	ev = event_reserve(RL_EV_CTX_KILL);
	if (!ev)
		return 0;
	ev->ctx.ctx = ctx;
	event_submit(ev);
	return 0;
}

SEC("fentry/io_ring_ctx_wait_and_kill")
int BPF_PROG(fe_io_ring_ctx_wait_and_kill, void *ring)
{
	return handle_ctx_kill((__u64)ring, RL_RUNS_SECOND);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_ring_ctx_wait_and_kill, void *ring)
{
	return handle_ctx_kill((__u64)ring, RL_RUNS_FIRST);
}

/* The ctx's death: io_ring_ctx_free (inlined into io_ring_exit_work, its
 * only caller) has freed the rings and regions and is about to kfree it. */
static __always_inline int handle_ctx_dead(__u64 ctx)
{
	struct rl_event *ev;

	if (!bpf_map_lookup_elem(&tracked_ctxs, &ctx))
		return 0;
	/* gone: the hook's other program (kprobe_seconds) took it */
	if (bpf_map_delete_elem(&tracked_ctxs, &ctx) == -RL_ENOENT)
		return 0;
	ev = event_reserve(RL_EV_CTX_DEAD);
	if (!ev)
		return 0;
	ev->ctx.ctx = ctx;
	event_submit(ev);
	return 0;
}

/* io_napi_free(ctx): the last call io_ring_ctx_free makes with the ctx
 * before kfree(ctx), after io_rings_free (6.9 and later, with
 * CONFIG_NET_RX_BUSY_POLL).  A function entry: its kprobe needs no return
 * instance, so the pair holds however many rings die at once. */
SEC("fentry/io_napi_free")
int BPF_PROG(fe_io_napi_free, void *ring)
{
	return handle_ctx_dead((__u64)ring);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_napi_free, void *ring)
{
	return handle_ctx_dead((__u64)ring);
}

/* Where io_napi_free is absent (6.1): io_ring_exit_work() ends by freeing
 * the ctx, so its return is the death. */
static __always_inline int handle_exit_work(void *work)
{
	return handle_ctx_dead((__u64)work -
			       bpf_core_field_offset(struct io_ring_ctx, exit_work));
}

SEC("fexit/io_ring_exit_work")
int BPF_PROG(fx_io_ring_exit_work, void *work)
{
	return handle_exit_work(work);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_ring_exit_work, void *work)
{
	stash_args(RL_STASH_RING_EXIT_WORK, (__u64)work, 0, 0, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_ring_exit_work)
{
	struct rl_stash s;

	if (!unstash_args(RL_STASH_RING_EXIT_WORK, &s))
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
	if (s->reg_ctx != ctx)		/* not the other program of a pair */
		s->reg_start_ns = stat_mode ? bpf_ktime_get_ns() : 0;
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
	if (s->reg_ctx)
		stat_time(RL_SH_REGISTER_NS, s->reg_start_ns);
	s->reg_start_ns = 0;
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

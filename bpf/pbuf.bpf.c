// SPDX-License-Identifier: GPL-2.0
/*
 * pbuf.bpf.c - provided-buffer rings: registered and unregistered, and
 * (seed 001, the patched kernel) pinned and unpinned by kernel users.
 */
#include "common.bpf.h"

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

static __always_inline int handle_pbuf_exit(void *ctx, __u32 type, int ret, bool first)
{
	struct rl_task_scope *s = scope_get(false);
	struct rl_event *ev;

	/* one event per call, whichever program of a pair sends it */
	if (!s || !s->reg_ctx || !note_take(type == RL_EV_PBUF_REG ? RL_STASH_PBUF_REGISTER :
					     RL_STASH_PBUF_UNREGISTER, s->reg_ctx, s->reg_bgid, ret, first))
		return 0;
	/* an unregistration can break a rule: it carries its stack */
	ev = type == RL_EV_PBUF_REG ? event_reserve(type) : event_reserve_stack(type);
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
		event_stack(ctx, ev, type);
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
	return handle_pbuf_exit(ctx, RL_EV_PBUF_REG, ret, RL_RUNS_FIRST);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_register_pbuf_ring, void *ring, void *arg)
{
	return handle_pbuf_enter((__u64)ring, arg);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_register_pbuf_ring, int ret)
{
	return handle_pbuf_exit(ctx, RL_EV_PBUF_REG, ret, RL_RUNS_SECOND);
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
	return handle_pbuf_exit(ctx, RL_EV_PBUF_UNREG, ret, RL_RUNS_FIRST);
}

SEC("kprobe")
int BPF_KPROBE(kp_io_unregister_pbuf_ring, void *ring, void *arg)
{
	return handle_pbuf_enter((__u64)ring, arg);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_unregister_pbuf_ring, int ret)
{
	return handle_pbuf_exit(ctx, RL_EV_PBUF_UNREG, ret, RL_RUNS_SECOND);
}

/* ---- kernel users pinning a buffer ring (seed 001, patched kernel) ---- */

static __always_inline int emit_bufring(void *ctx, __u32 type, __u64 ring, __u32 bgid,
					__u32 issue_flags, int ret)
{
	struct rl_event *ev;

	if (!ctx_tracked(ring))
		return 0;
	ev = event_reserve_stack(type);
	if (!ev)
		return 0;
	ev->pbuf.ctx = ring;
	ev->pbuf.bgid = bgid;
	ev->pbuf.flags = issue_flags;
	ev->pbuf.ret = ret;
	event_stack(ctx, ev, type);
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
	stash_args(RL_STASH_BUFRING_PIN, cmd_ring((__u64)cmd), bgid, flags, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_bufring_pin, int ret)
{
	struct rl_stash s;

	if (!unstash_args(RL_STASH_BUFRING_PIN, &s))
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
	stash_args(RL_STASH_BUFRING_UNPIN, cmd_ring((__u64)cmd), bgid, flags, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_bufring_unpin, int ret)
{
	struct rl_stash s;

	if (!unstash_args(RL_STASH_BUFRING_UNPIN, &s))
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
	stash_args(RL_STASH_BUFRING_RELEASE, (__u64)ring, bgid, 0, 0);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_bufring_unpin_ctx, int ret)
{
	struct rl_stash s;

	if (!unstash_args(RL_STASH_BUFRING_RELEASE, &s))
		return 0;
	return emit_bufring(ctx, RL_EV_BUFRING_UNPIN, s.arg[0], s.arg[1], 0, ret);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * buf.bpf.c - registered (fixed) buffers: the table slot and the imu
 * holding a registration's pins (io_sqe_buffer_register), a ring dropping
 * one (io_free_rsrc_node / io_buffer_unmap), and the buffer's last release
 * (io_release_ubuf, 7.x), which unpins.
 */
#include "common.bpf.h"
#include "pin_scope.bpf.h"

/* io_sqe_buffer_register(ctx, iov) in 7.x (returns the table node), (ctx,
 * iov, &imu, last_hpage) in 6.12 (returns 0 or -errno): one call per
 * table slot, in index order. */
static __always_inline int handle_buf_register_enter(__u64 pimu)
{
	struct rl_task_scope *s = scope_get(false);

	/* entered already: the other program of a pair did it */
	if (!s || !s->reg_ctx || (kprobe_seconds && s->in_buf_register))
		return 0;
	s->in_buf_register = 1;
	s->buf_start_ns = stat_mode ? bpf_ktime_get_ns() : 0;
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
	stat_time(RL_SH_BUF_REG_NS, s->buf_start_ns);
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
 * refcount: only the last drop releases it, and unpins.  The refcount read
 * here is a guess (two rings dropping clones at once both read 2); where
 * io_release_ubuf is hooked, that call decides which drop was the last. */
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
	/* 6.1's imu has no refcount: no clones, every drop is the last */
	refs = bpf_core_field_exists(u->refs) ? BPF_CORE_READ(u, refs.refs.counter) : 1;
	if (refs > 1) {
		pin_scope_open(ctx, &info, ring, RL_OPENER_BUF_RELEASE, RL_UNPIN_F_SHARED);
		return 0;
	}
	/* gone: the other program of a pair took the release */
	if (bpf_map_delete_elem(&tracked_imus, &imu) == -RL_ENOENT)
		return 0;
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

/* io_release_ubuf(imu) (7.x): a registered user buffer's last release, one
 * call per buffer, whatever the refcount looked like when its rings began
 * to drop it.  Inside a ring's drop of the same buffer (io_free_rsrc_node,
 * above), that drop becomes the release; called from anywhere else, it
 * opens its own scope. */
static __always_inline int handle_ubuf_release_enter(void *ctx, __u64 imu)
{
	struct rl_pin_info *tracked, info;
	struct rl_pin_scope *ps;

	tracked = bpf_map_lookup_elem(&tracked_imus, &imu);
	if (!tracked)
		return 0;
	info = *tracked;
	/* gone: the other program of a pair took it */
	if (bpf_map_delete_elem(&tracked_imus, &imu) == -RL_ENOENT)
		return 0;
	ps = pin_scope_get();
	if (ps && ps->opener == RL_OPENER_BUF_RELEASE && ps->ev.unpin.key == info.key) {
		ps->end_flags = RL_UNPIN_F_RELEASED;
		return 0;
	}
	pin_scope_open(ctx, &info, info.ctx, RL_OPENER_UBUF_RELEASE, RL_UNPIN_F_RELEASED);
	return 0;
}

SEC("fentry/io_release_ubuf")
int fe_io_release_ubuf(__u64 *ctx)
{
	__u64 imu = 0;

	bpf_get_func_arg(ctx, 0, &imu);
	return handle_ubuf_release_enter(ctx, imu);
}

SEC("fexit/io_release_ubuf")
int fx_io_release_ubuf(__u64 *ctx)
{
	pin_scope_close(ctx, RL_OPENER_UBUF_RELEASE, 0);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(kp_io_release_ubuf, void *imu)
{
	return handle_ubuf_release_enter(ctx, (__u64)imu);
}

SEC("kretprobe")
int BPF_KRETPROBE(krp_io_release_ubuf)
{
	pin_scope_close(ctx, RL_OPENER_UBUF_RELEASE, 0);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * arena.bpf.c - BPF arena mappings (seed 004): the address
 * arena_get_unmapped_area returns and the window it reserved.
 */
#include "common.bpf.h"

/* arena_get_unmapped_area(filp, addr, len, pgoff, flags) reserves 2 * len
 * with mm_get_unmapped_area and must return an address inside that window
 * whose range does not cross 4 GiB.  Its entry opens a scope on the task
 * (the stash: map, addr, len, and the window once seen); the
 * mm_get_unmapped_area exit inside it records the window; its exit sends
 * ARENA_AREA.  Outside any scope (open_arena_scopes counts them), an mmap
 * costs one load. */
static __always_inline int arena_area_enter(struct file *filp, __u64 addr, __u64 len)
{
	if (!task_followed())
		return 0;
	/* paired: the other program opened it for this call already */
	if (kprobe_seconds && stash_peek(RL_STASH_ARENA_AREA))
		return 0;
	stash_args(RL_STASH_ARENA_AREA, (__u64)BPF_CORE_READ(filp, private_data), addr, len, 0);
	__sync_fetch_and_add(&open_arena_scopes, 1);
	__sync_fetch_and_add(&arena_scopes_opened, 1);
	return 0;
}

static __always_inline struct rl_stash *arena_scope(void)
{
	return open_arena_scopes ? stash_peek(RL_STASH_ARENA_AREA) : NULL;
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
	stash_drop(RL_STASH_ARENA_AREA);
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
